# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module of the collection shares: connection options, the client, clean failures."""

import sys

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.backupops.veeam.plugins.module_utils.environment import env_fallback_if_set
from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.transport import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, Transport, build_base_url)
from ansible_collections.backupops.veeam.plugins.module_utils import em_client, lockout, vbr_client

EM_DEFAULT_PORT = em_client.DEFAULT_PORT
INSECURE_WARNING = ("validate_certs is false: the identity of the %s is not checked, so the credentials could be "
                    "sent to an impostor. Trust the server's certificate with ca_path instead.")
REQUESTS_HINT = (
    "The modules of backupops.veeam need 'requests' in the Python that runs them, here %s. Either install it "
    "there (%s -m pip install requests), or run the modules with the Python that has it, usually the one that "
    "runs ansible-playbook: the collection's playbooks do that by default; in your own play set "
    "ansible_python_interpreter: '{{ ansible_playbook_python }}' (or the path of that Python) for the Veeam hosts.")


def _env(name):
    """Fallback to the environment variable ``name``; empty means not set (AWX injects blank fields so)."""
    return (env_fallback_if_set, [name])


def requests_missing_message():
    """What to do when 'requests' cannot be imported, naming the Python that runs the module."""
    return "%s %s" % (missing_required_lib("requests"), REQUESTS_HINT % (sys.executable, sys.executable))


def _connection_spec(prefix, default_port, extra=None):
    spec = dict(
        server=dict(type="str", required=True, fallback=_env(prefix + "SERVER")),
        port=dict(type="int", default=default_port, fallback=_env(prefix + "PORT")),
        username=dict(type="str", fallback=_env(prefix + "USERNAME")),
        password=dict(type="str", no_log=True, fallback=_env(prefix + "PASSWORD")),
        validate_certs=dict(type="bool", default=True, fallback=_env(prefix + "VALIDATE_CERTS")),
        ca_path=dict(type="path", fallback=_env(prefix + "CA_PATH")),
        timeout=dict(type="int", default=30, fallback=_env(prefix + "TIMEOUT")),
        retries=dict(type="int", default=3),
        use_proxy=dict(type="bool", default=True),
    )
    spec.update(extra or {})
    return spec


def vbr_connection_spec():
    """Connection options of every VBR module (documented in the ``backupops.veeam.vbr`` doc fragment)."""
    return _connection_spec("VEEAM_VBR_", vbr_client.DEFAULT_PORT, dict(
        access_token=dict(type="str", no_log=True, fallback=_env("VEEAM_VBR_ACCESS_TOKEN")),
        api_version=dict(type="str", default=vbr_client.DEFAULT_API_VERSION,
                         choices=list(vbr_client.API_VERSION_CHOICES), fallback=_env("VEEAM_VBR_API_VERSION")),
    ))


def em_connection_spec():
    """Connection options of every EM module (documented in the ``backupops.veeam.em`` doc fragment)."""
    spec = _connection_spec("VEEAM_EM_", EM_DEFAULT_PORT)
    spec["username"]["required"] = True
    spec["password"]["required"] = True
    return spec


def lockout_spec():
    """The lockout guard's options (documented in the ``backupops.veeam.lockout`` doc fragment)."""
    return dict(allow_lockout=dict(type="bool", default=False),
                protected_accounts=dict(type="list", elements="str", default=[]))


class VeeamModule(AnsibleModule):
    """An AnsibleModule with the connection options of one Veeam product and a lazily opened client.

    The client logs out when the module exits or fails. Subclasses set ``product``,
    ``connection_spec`` and ``make_client``.
    """

    product = "Veeam server"
    default_port = None

    def __init__(self, argument_spec=None, not_blank=(), **kwargs):
        """``not_blank``: options that, when given, must not be an empty string or hold one (for lists)."""
        spec = self.connection_spec()
        spec.update(argument_spec or {})
        super(VeeamModule, self).__init__(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=requests_missing_message(), exception=REQUESTS_IMPORT_ERROR)
        self._client = None
        self._check_connection_numbers()
        self._check_not_blank(not_blank)

    def _check_connection_numbers(self):
        params = self.params
        if params["port"] is not None and not 0 < params["port"] < 65536:
            self.fail_json(msg="port must be between 1 and 65535, got %d" % params["port"])
        if params["timeout"] <= 0:
            self.fail_json(msg="timeout must be a number of seconds greater than 0, got %d" % params["timeout"])
        if params["retries"] < 0:
            self.fail_json(msg="retries must be 0 (no retry) or more, got %d" % params["retries"])
        if params.get("parallel_requests") is not None and params["parallel_requests"] < 1:
            self.fail_json(msg="parallel_requests must be 1 (one request at a time) or more, got %d"
                           % params["parallel_requests"])

    def _check_not_blank(self, options):
        for option in options:
            value = self.params.get(option)
            values = value if isinstance(value, list) else [value]
            if value is not None and any(not str(item).strip() for item in values):
                what = "holds an empty entry" if isinstance(value, list) else "is empty"
                optional = not self.argument_spec[option].get("required")
                self.fail_json(msg="%s %s: give a value%s" % (option, what, " or leave the option out" if optional else ""))

    @staticmethod
    def connection_spec():
        raise NotImplementedError

    def make_client(self, transport):
        raise NotImplementedError

    @property
    def client(self):
        if self._client is None:
            try:
                self._client = self.make_client(self._transport())
            except VeeamError as error:
                self.fail_from_error(error)
        return self._client

    def _transport(self):
        params = self.params
        try:
            base_url, warnings = build_base_url(params["server"], params["port"], self.default_port)
        except ValueError as error:
            self.fail_json(msg="Invalid server option: %s" % error)
        for warning in warnings:
            self.warn(warning)
        if not params["validate_certs"]:
            self.warn(INSECURE_WARNING % self.product)
        transport = Transport(base_url, product=self.product, validate_certs=params["validate_certs"],
                              ca_path=params["ca_path"], timeout=params["timeout"], retries=params["retries"],
                              use_proxy=params["use_proxy"], on_secret=self.no_log_values.add,
                              parallel_requests=params.get("parallel_requests") or 1)
        for warning in transport.warnings:
            self.warn(warning)
        return transport

    def close_client(self):
        # getattr: AnsibleModule fails bad arguments from its own __init__, before _client exists.
        client, self._client = getattr(self, "_client", None), None
        if client is not None:
            client.close()

    def exit_json(self, **kwargs):
        self.close_client()
        super(VeeamModule, self).exit_json(**kwargs)

    def fail_json(self, msg, **kwargs):
        self.close_client()
        super(VeeamModule, self).fail_json(msg=self._name_the_option(msg), **kwargs)

    def _name_the_option(self, msg):
        """ansible-core says "dictionary requested" without naming the option: name the options it can be."""
        if not str(msg).startswith("dictionary requested"):
            return msg
        params = getattr(self, "params", None) or {}
        dict_options = sorted(name for name, spec in (self.argument_spec or {}).items()
                              if spec.get("type") == "dict" or spec.get("elements") == "dict")
        given = [name for name in dict_options if params.get(name) is not None] or dict_options
        return ("%s: a dictionary (a YAML mapping of its suboptions) is needed where text was given (%s)"
                % (" or ".join(given), msg))

    def fail_from_error(self, error):
        """Fail with the error's sentence and its data (status, server error code, method, path), and ``changed``:
        whether any write the server accepted came before the error."""
        client = getattr(self, "_client", None)
        self.fail_json(msg=error.sentence(), error=error.to_dict(),
                       changed=bool(client is not None and client.transport.writes_done))

    def protection(self):
        """The accounts the lockout guard keeps: the connected one and ``protected_accounts``."""
        return lockout.Protection(self.client.username, self.params.get("protected_accounts"))

    def finish_run(self, run, **result):
        """Exit with a run's outcome: success, or a failure that still says what was written (``changed``) and,
        as ``error``, the first failure's data (server status and error code, four-eyes request...)."""
        if run.failed:
            first = next((entry["error"] for entry in run.entries if entry.get("error")), None)
            if first is not None:
                result.setdefault("error", first)
            self.fail_json(msg=run.message(), changed=run.changed, **result)
        self.exit_json(changed=run.changed, **result)

    def fail_refused(self, refusal, **result):
        """Fail with the lockout guard's refusal of a whole plan (nothing was written) and, in ``result``, each
        account's entry (see outcomes.refused_run)."""
        self.fail_json(msg=refusal.sentence(), error=refusal.to_dict(), changed=False, **result)

    def run(self, main):
        """Call ``main(self)``; a VeeamError becomes a clean failure instead of a traceback."""
        try:
            main(self)
        except VeeamError as error:
            self.fail_from_error(error)


class VbrModule(VeeamModule):
    product = "VBR server"
    default_port = vbr_client.DEFAULT_PORT

    @staticmethod
    def connection_spec():
        return vbr_connection_spec()

    def make_client(self, transport):
        params = self.params
        return vbr_client.VbrClient(transport, username=params["username"], password=params["password"],
                                    access_token=params["access_token"], api_version=params["api_version"])


class EmModule(VeeamModule):
    product = "Enterprise Manager"
    default_port = EM_DEFAULT_PORT

    @staticmethod
    def connection_spec():
        return em_connection_spec()

    def make_client(self, transport):
        return em_client.EmClient(transport, username=self.params["username"], password=self.params["password"])
