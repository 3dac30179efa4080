# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP transport of the collection: a requests.Session with TLS, timeouts and safe retries.

Every module and plugin reaches a Veeam server through :class:`Transport`. It never logs or reports
request bodies, headers or credentials; any secret it is told about (:meth:`Transport.add_secret`) is
removed from every error text it produces.
"""

import email.utils
import os
import random
import re
import time
import traceback

try:
    import requests
    from requests.adapters import HTTPAdapter
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by ansible-test's import sanity test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ansible.module_utils.six.moves.urllib.parse import urlsplit

from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError, parse_error_body

_ERRNO_TEXT = re.compile(r"\[Errno -?\d+\] ([^\]]+)")
IDEMPOTENT_METHODS = frozenset(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"])
RETRY_STATUSES = frozenset([429, 502, 503, 504])
# A POST answered with one of these was refused before it was processed, so sending it again is safe.
NOT_PROCESSED_STATUSES = frozenset([429, 503])

STATUS_SUMMARIES = {
    400: "the server rejected the request as invalid",
    401: "the server did not accept the credentials or the session",
    403: "the account has no permission for this",
    404: "the server has no such object or endpoint",
    405: "the server does not support this operation",
    409: "the request conflicts with the current state of the object",
    429: "the server is limiting the request rate",
    500: "the server failed with an internal error",
    502: "a gateway in front of the server failed",
    503: "the server is temporarily unavailable",
    504: "a gateway in front of the server timed out",
}

UNKNOWN_OUTCOME_HINT = (
    "The request may or may not have taken effect on the server, so it was not sent again. "
    "Run the task again: it reads the current state first and only changes what still differs."
)

EMPTY_CA_WARNING = (
    "ca_path %s is empty, so it is ignored: the %s's certificate is checked against this machine's trusted CAs. "
    "(AWX writes the CA file of a credential even when its CA certificate field is blank.) To trust the "
    "server's own certificate, put it (or the CA that signed it) there as PEM; otherwise leave ca_path out.")

TLS_HINT = (
    "The server's TLS certificate is not trusted by this machine. Veeam servers ship a self-signed "
    "certificate: save the server's certificate (or the CA that signed it) as a PEM file and pass it as "
    "ca_path (or the *_CA_PATH environment variable). For a throw-away test rig only, validate_certs: false "
    "skips the check."
)


def build_base_url(server, port, default_port):
    """``https://host:port`` from a host name, ``host:port`` or base URL; returns (url, warnings).

    A port inside ``server`` wins over ``port``; ``port`` wins over ``default_port``.
    """
    if not server or not str(server).strip():
        raise ValueError("server is required: give the host name or base URL of the Veeam server")
    text = str(server).strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise ValueError("server %r has an unsupported scheme %r: use https:// (or http:// for a test rig)"
                         % (server, parts.scheme))
    host = parts.hostname
    if not host:
        raise ValueError("server %r has no host name" % (server,))
    try:
        url_port = parts.port
    except ValueError:
        raise ValueError("server %r has an invalid port" % (server,))
    if ":" in host:
        host = "[%s]" % host
    effective_port = url_port or port or default_port
    warnings = []
    if scheme == "http":
        warnings.append("server %s uses plain http://: credentials and tokens cross the network unencrypted. "
                        "Use https:// unless this is a test rig or a TLS-terminating proxy." % server)
    path = parts.path.rstrip("/")
    return "%s://%s:%s%s" % (scheme, host, effective_port, path), warnings


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None when absent/invalid."""
    if value is None:
        return None
    value = str(value).strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    current = now if now is not None else time.time()
    return max(0.0, when.timestamp() - current)


def backoff_delay(attempt, factor, cap=10.0, rand=random.random):
    """Exponential backoff with jitter: between half and all of ``factor * 2**attempt`` (capped)."""
    ceiling = min(cap, factor * (2 ** attempt))
    return ceiling / 2.0 + rand() * ceiling / 2.0


class Transport(object):
    """HTTP to one Veeam server.

    :param base_url: ``https://host:port`` (see :func:`build_base_url`).
    :param product: the server's name in error texts, e.g. ``"VBR server"``.
    :param retries: how many times a failed request may be sent again (connection errors and
        429/502/503/504), with exponential backoff and jitter, honouring ``Retry-After``.
    """

    def __init__(self, base_url, product="Veeam server", validate_certs=True, ca_path=None, timeout=30,
                 retries=3, use_proxy=True, backoff_factor=0.5, max_retry_after=120, sleep=time.sleep,
                 on_secret=None):
        if not HAS_REQUESTS:
            raise VeeamError("The Python library 'requests' is required on the host that runs this module",
                             hint="Install it with: pip install requests")
        self.base_url = base_url.rstrip("/")
        self.product = product
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff_factor = backoff_factor
        self.max_retry_after = max_retry_after
        self.sleep = sleep
        self.request_count = 0
        self.warnings = []
        self._secrets = set()
        self._on_secret = on_secret
        if not validate_certs:
            # The module warns in Ansible's way; urllib3's own warning on every request would be noise.
            requests.packages.urllib3.disable_warnings(requests.packages.urllib3.exceptions.InsecureRequestWarning)
        if validate_certs and ca_path and not os.access(ca_path, os.R_OK):
            raise VeeamError("ca_path %s %s" % (ca_path, "cannot be read" if os.path.exists(ca_path) else "does not exist"),
                             error_code="invalid_input",
                             hint="Give the PEM file with the %s's certificate or the CA that signed it." % product)
        if validate_certs and ca_path and _is_blank_file(ca_path):
            self.warnings.append(EMPTY_CA_WARNING % (ca_path, product))
            ca_path = None
        self.session = requests.Session()
        self.session.trust_env = use_proxy
        # Passed with every request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override Session.verify.
        self.verify = (ca_path or True) if validate_certs else False
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=4, max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers["User-Agent"] = "backupops.veeam-ansible"

    def add_secret(self, value):
        """Remember a secret so that it is blanked out of every error text (and of the module's output)."""
        if value and len(str(value)) >= 4:
            self._secrets.add(str(value))
            if self._on_secret is not None:
                self._on_secret(str(value))

    def redact(self, text):
        if not text:
            return text
        for secret in self._secrets:
            text = text.replace(secret, "********")
        return text

    def request(self, method, path, params=None, json=None, data=None, headers=None, auth=None,
                accept_statuses=(), idempotent=None):
        """Send one request (with safe retries) and return the ``requests.Response``.

        A status >= 400 that is not in ``accept_statuses`` raises :class:`VeeamError`.
        ``idempotent`` overrides the method's own idempotency, e.g. for a token POST that is safe to
        repeat. A non-idempotent request whose outcome is unknown (timeout or dropped connection after
        sending, 500/502/504) is never sent again: the error says ``outcome_unknown`` and the caller
        re-reads the server's state.
        """
        method = method.upper()
        safe_to_repeat = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        url = self.base_url + path
        attempt = 0
        while True:
            try:
                response = self._send(method, url, params, json, data, headers, auth)
            except VeeamError as error:
                repeatable = error.error_code != "tls" and (safe_to_repeat or not error.outcome_unknown)
                if repeatable and attempt < self.retries:
                    self.sleep(backoff_delay(attempt, self.backoff_factor))
                    attempt += 1
                    continue
                if error.outcome_unknown and not safe_to_repeat:
                    error.hint = UNKNOWN_OUTCOME_HINT
                raise self._gave_up(error, attempt)
            status = response.status_code
            if status < 400 or status in accept_statuses:
                return response
            retryable = status in RETRY_STATUSES and (safe_to_repeat or status in NOT_PROCESSED_STATUSES)
            if retryable and attempt < self.retries:
                delay = self._retry_delay(response, attempt)
                if delay is not None:
                    self.sleep(delay)
                    attempt += 1
                    continue
            outcome_unknown = not safe_to_repeat and status >= 500 and status not in NOT_PROCESSED_STATUSES
            raise self.http_error(method, path, response, outcome_unknown=outcome_unknown, attempts=attempt + 1)

    def _send(self, method, url, params, json, data, headers, auth):
        self.request_count += 1
        path = urlsplit(url).path
        try:
            return self.session.request(method, url, params=params, json=json, data=data, headers=headers,
                                        auth=auth, timeout=self.timeout, allow_redirects=False, verify=self.verify)
        except requests.exceptions.SSLError as exc:
            raise VeeamError("Cannot open a trusted TLS connection to the %s at %s: %s"
                             % (self.product, self.base_url, self._reason(exc)),
                             error_code="tls", method=method, path=path, hint=TLS_HINT)
        except requests.exceptions.ConnectTimeout:
            raise VeeamError("The %s at %s did not accept a connection within %s seconds"
                             % (self.product, self.base_url, self.timeout), error_code="connect_timeout",
                             method=method, path=path,
                             hint="Check the server name, the port and any firewall in between; "
                                  "raise the timeout option if the network is slow.")
        except requests.exceptions.ReadTimeout:
            raise VeeamError("The %s at %s did not answer %s %s within %s seconds"
                             % (self.product, self.base_url, method, path, self.timeout),
                             error_code="read_timeout", method=method, path=path, outcome_unknown=True,
                             hint="The server may be overloaded; raise the timeout option if it is "
                                  "just slow.")
        except requests.exceptions.ConnectionError as exc:
            sent = _was_sent(exc)
            raise VeeamError("The connection to the %s at %s failed%s: %s"
                             % (self.product, self.base_url,
                                " while waiting for the answer to %s %s" % (method, path) if sent else "",
                                self._reason(exc)),
                             error_code="connection", method=method, path=path, outcome_unknown=sent,
                             hint=None if sent else "Check the server name and port, and that the Veeam "
                                                    "REST API service is running and reachable from here.")
        except requests.exceptions.RequestException as exc:
            raise VeeamError("The request %s %s to the %s at %s failed: %s"
                             % (method, path, self.product, self.base_url, self._reason(exc)),
                             error_code="request", method=method, path=path)

    def _retry_delay(self, response, attempt):
        """Seconds to wait before the next attempt, or None to give up now."""
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is None:
            return backoff_delay(attempt, self.backoff_factor)
        if retry_after > self.max_retry_after:
            return None
        return retry_after

    def http_error(self, method, path, response, outcome_unknown=False, attempts=1, summary=None):
        """A :class:`VeeamError` for an HTTP error answer."""
        status = response.status_code
        code, message, resource_id = parse_error_body(response.content, response.headers.get("Content-Type"))
        if summary is None:
            summary = "%s %s on the %s at %s failed with HTTP %s: %s" % (
                method, path, self.product, self.base_url, status,
                STATUS_SUMMARIES.get(status, response.reason or "error"))
            if attempts > 1:
                summary += " (after %d attempts)" % attempts
        hint = None
        if status == 429 and response.headers.get("Retry-After"):
            hint = "The server asked to wait %s seconds before trying again." % response.headers["Retry-After"]
        if outcome_unknown:
            hint = UNKNOWN_OUTCOME_HINT
        return VeeamError(self.redact(summary), status=status, error_code=code, message=self.redact(message),
                          method=method, path=path, hint=hint, outcome_unknown=outcome_unknown,
                          resource_id=resource_id)

    def _gave_up(self, error, attempt):
        if attempt:
            error.summary += " (after %d attempts)" % (attempt + 1)
        return error

    def _reason(self, exc):
        reason = str(exc)
        inner = getattr(exc, "args", None)
        if inner and hasattr(inner[0], "reason"):
            reason = str(inner[0].reason)
        errno_text = _ERRNO_TEXT.search(reason)
        if errno_text:
            reason = errno_text.group(1).rstrip("')\"").lower()
        return self.redact(reason)

    def close(self):
        self.session.close()


def _is_blank_file(path):
    """True for a file that holds nothing but whitespace (an empty CA file is "no CA file given")."""
    if not os.path.isfile(path):
        return False
    with open(path, "rb") as handle:
        return not handle.read().strip()


def _was_sent(exc):
    """True when a ConnectionError happened after the request went out (the server may have acted)."""
    text = repr(exc)
    not_sent_markers = ("NewConnectionError", "Failed to establish a new connection", "Name or service not known",
                        "nodename nor servname", "Connection refused", "getaddrinfo failed")
    return not any(marker in text for marker in not_sent_markers)
