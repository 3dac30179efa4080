# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: em_backup_servers
short_description: The Veeam Backup & Replication servers that an Enterprise Manager knows, as inventory hosts
version_added: 1.0.0
description:
  - Asks Veeam Backup Enterprise Manager for its backup servers (C(GET /api/backupServers) and each server's entity)
    and makes each one an inventory host in a group (default C(veeam_vbr)), so that the onboarding playbooks can run
    on every VBR server the Enterprise Manager knows.
  - Host variables - C(veeam_vbr_server) (C(https://<name>:<rest_port>), what the VBR modules take as O(backupops.veeam.vbr_user#module:server)),
    C(veeam_vbr_name), C(veeam_vbr_port) (the backup service port Enterprise Manager connects to), C(veeam_vbr_version),
    C(veeam_vbr_description), C(veeam_vbr_uid) and C(veeam_em_server).
  - Everything that comes from Enterprise Manager (host names, host variables, and group names built from them with
    O(keyed_groups)) is marked unsafe, so a backup server whose name or description holds C({{ ... }}) is data and is
    never run as a template, on any ansible-core version.
  - The configuration file name must end with C(em_backup_servers.yml) or C(em_backup_servers.yaml).
author:
  - backupops.veeam contributors (@backupops)
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; always V(backupops.veeam.em_backup_servers).
    type: str
    required: true
    choices: [backupops.veeam.em_backup_servers]
  server:
    description:
      - Host name or base URL of Enterprise Manager.
      - C(http://) is accepted for test rigs and TLS-terminating proxies, with a warning.
      - May be a template in the configuration file (see O(password)).
    type: str
    required: true
    env:
      - name: VEEAM_EM_SERVER
  port:
    description: Port of the Enterprise Manager REST API.
    type: int
    default: 9398
    env:
      - name: VEEAM_EM_PORT
  username:
    description:
      - Account that logs on to Enterprise Manager.
      - May be a template in the configuration file (see O(password)).
    type: str
    required: true
    env:
      - name: VEEAM_EM_USERNAME
  password:
    description:
      - Its password. Prefer the environment variable (or an AWX credential) over the file.
      - In the configuration file, O(server), O(username), O(password) and O(ca_path) may be templates, for example
        C("{{ lookup('ansible.builtin.env', 'EM_PASSWORD') }}"), with the extra variables (C(-e)) available; a
        vaulted value (C(!vault)) works as well and is never templated. Values from environment variables are
        taken as they are, never templated.
    type: str
    required: true
    env:
      - name: VEEAM_EM_PASSWORD
  validate_certs:
    description:
      - Whether to check the TLS certificate of Enterprise Manager.
      - Turning it off sends the credentials to whoever answers; the plugin warns. Trust the certificate with
        O(ca_path) instead.
    type: bool
    default: true
    env:
      - name: VEEAM_EM_VALIDATE_CERTS
  ca_path:
    description:
      - PEM file with the certificate(s) to trust for Enterprise Manager.
      - May be a template in the configuration file (see O(password)).
    type: str
    env:
      - name: VEEAM_EM_CA_PATH
  timeout:
    description: Seconds to wait for each answer.
    type: int
    default: 30
    env:
      - name: VEEAM_EM_TIMEOUT
  retries:
    description:
      - How many times a request is sent again after a connection error or an HTTP 429, 502, 503 or 504 answer,
        with exponential backoff and jitter, honouring C(Retry-After). V(0) sends every request once.
    type: int
    default: 3
  use_proxy:
    description:
      - Whether to use the proxy named by the E(HTTPS_PROXY) (E(HTTP_PROXY) for C(http://)) and E(NO_PROXY)
        environment variables.
    type: bool
    default: true
  group:
    description: The group every backup server joins.
    type: str
    default: veeam_vbr
  rest_port:
    description: Port of the VBR REST API on the backup servers, used to build C(veeam_vbr_server).
    type: int
    default: 9419
  include_names:
    description:
      - Only the backup servers whose name matches one of these shell-style patterns (C(*), C(?), C([...]))
        become hosts. Matched case-insensitively. An empty list takes every server.
    type: list
    elements: str
    default: []
  exclude_names:
    description:
      - The backup servers whose name matches one of these shell-style patterns do not become hosts, even if
        O(include_names) takes them. Matched case-insensitively.
    type: list
    elements: str
    default: []
  filters:
    description:
      - Jinja2 conditions on the host variables (without C({{ }})), for example
        C(veeam_vbr_version is version('13.0', '>=')). A backup server becomes a host only when every condition
        is true. Applied after O(include_names) and O(exclude_names).
      - A condition that cannot be evaluated fails the inventory with its text, rather than quietly changing
        which servers the playbooks reach.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
# file: inventory/veeam.em_backup_servers.yml
plugin: backupops.veeam.em_backup_servers
server: em01.tech.local
username: TECH\svc.ansible
ca_path: /etc/pki/veeam/em01.pem
# password from VEEAM_EM_PASSWORD
keyed_groups:
  - key: veeam_vbr_version.split('.')[0]
    prefix: vbr_major
compose:
  ansible_connection: "'local'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/veeam-inventory

---
# file: inventory/prod.em_backup_servers.yml - the production servers on VBR 13 or later, the password from
# another environment variable, more patience with a slow WAN link and no proxy
plugin: backupops.veeam.em_backup_servers
server: em01.tech.local
username: TECH\svc.ansible
password: "{{ lookup('ansible.builtin.env', 'EM01_PASSWORD') }}"
ca_path: /etc/pki/veeam/em01.pem
retries: 5
use_proxy: false
include_names:
  - "vbr-prod-*"
exclude_names:
  - "vbr-prod-lab*"
filters:
  - veeam_vbr_version is version('13.0', '>=')
"""

import fnmatch
import os

from ansible.errors import AnsibleError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.backupops.veeam.plugins.module_utils.em_client import DEFAULT_PORT, EmClient, uid_id
from ansible_collections.backupops.veeam.plugins.module_utils.environment import empty_env_unset
from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.transport import (
    HAS_REQUESTS, Transport, build_base_url)
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import INSECURE_WARNING

BACKUP_SERVERS_PATH = "/api/backupServers"
PRODUCT = "Enterprise Manager"
# Options that may be templates in the configuration file (strings only: typed options are converted on reading).
TEMPLATED_OPTIONS = ("server", "username", "password", "ca_path")


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "backupops.veeam.em_backup_servers"

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and \
            path.endswith(("em_backup_servers.yml", "em_backup_servers.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        with empty_env_unset("VEEAM_EM_"):  # an empty VEEAM_EM_* variable (AWX's blank field) is not set
            config = self._read_config_data(path)
        self._template_options(config or {})
        self._check_numbers()
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        servers = None
        if use_cache:
            try:
                servers = self._cache[cache_key]
            except KeyError:
                servers = None
        if servers is None:
            servers = self._fetch_servers()
            if self.get_option("cache"):
                self._cache[cache_key] = servers
        self._populate(servers)

    # ------------------------------------------------------------------ options
    def _template_options(self, config):
        """Render the options written as templates in the configuration file (never vaulted or environment values).

        A vaulted value is not a plain string in the loaded file, and a value from an environment variable is not
        in the file at all, so neither is templated: a password that happens to hold ``{{`` stays as it is.
        """
        self.templar.available_variables = self._vars or {}
        for name in TEMPLATED_OPTIONS:
            raw = config.get(name)
            if not isinstance(raw, str) or not self.templar.is_template(raw):
                continue
            try:
                value = self.templar.template(raw)
            except Exception as error:  # undefined variable, failing lookup, syntax error
                raise AnsibleError("em_backup_servers: the %s option could not be templated: %s" % (name, error))
            if name == "ca_path" and value:
                value = os.path.expanduser(str(value))
            self.set_option(name, value)

    def _check_numbers(self):
        for name, low in (("port", 1), ("timeout", 1), ("retries", 0), ("rest_port", 1)):
            value = self.get_option(name)
            if value is not None and (value < low or (name.endswith("port") and value > 65535)):
                raise AnsibleError("em_backup_servers: %s must be %s, got %s"
                                   % (name, "between 1 and 65535" if name.endswith("port") else
                                      "%d or more" % low, value))

    # ------------------------------------------------------------------ Enterprise Manager
    def _client(self):
        if not HAS_REQUESTS:
            raise AnsibleError("The em_backup_servers inventory plugin needs the Python library 'requests'")
        try:
            base_url, warnings = build_base_url(self.get_option("server"), self.get_option("port"), DEFAULT_PORT)
        except ValueError as error:
            raise AnsibleError("em_backup_servers: invalid server option: %s" % error)
        validate_certs = self.get_option("validate_certs")
        for warning in warnings:
            self.display.warning("em_backup_servers: %s" % warning)
        if not validate_certs:
            self.display.warning("em_backup_servers: %s" % (INSECURE_WARNING % PRODUCT))
        try:
            transport = Transport(base_url, product=PRODUCT, validate_certs=validate_certs,
                                  ca_path=self.get_option("ca_path"), timeout=self.get_option("timeout"),
                                  retries=self.get_option("retries"), use_proxy=self.get_option("use_proxy"))
            for warning in transport.warnings:
                self.display.warning("em_backup_servers: %s" % warning)
            return EmClient(transport, self.get_option("username"), self.get_option("password"))
        except VeeamError as error:
            raise AnsibleError("em_backup_servers: %s" % error.sentence())

    def _fetch_servers(self):
        client = self._client()
        try:
            refs = client.get_json(BACKUP_SERVERS_PATH).get("Refs") or []
            servers = []
            for ref in refs:
                entity = client.get_json("%s/%s" % (BACKUP_SERVERS_PATH, uid_id(ref.get("UID"))),
                                         params={"format": "Entity"})
                servers.append({"name": entity.get("Name"), "uid": entity.get("UID"), "port": entity.get("Port"),
                                "version": entity.get("Version"), "description": entity.get("Description")})
            return servers
        except VeeamError as error:
            raise AnsibleError("em_backup_servers: %s" % error.sentence())
        finally:
            client.close()

    # ------------------------------------------------------------------ inventory
    def _populate(self, servers):
        group = self.inventory.add_group(self.get_option("group"))
        strict = self.get_option("strict")
        for server in servers:
            if not server.get("name"):
                self.display.warning("em_backup_servers: Enterprise Manager lists a backup server without a name "
                                     "(UID %s); it is left out" % server.get("uid"))
                continue
            # Server data is data: unsafe, so no ansible-core version ever renders a template hidden in it.
            host_vars = wrap_var(self._host_vars(server))
            if not self._wanted(host_vars):
                continue
            host = self.inventory.add_host(host_vars["veeam_vbr_name"], group=group)
            for key, value in host_vars.items():
                self.inventory.set_variable(host, key, value)
            self._set_composite_vars(self.get_option("compose"), host_vars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), host_vars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), host_vars, host, strict=strict)

    def _host_vars(self, server):
        return {
            "veeam_vbr_server": "https://%s:%s" % (server["name"], self.get_option("rest_port")),
            "veeam_vbr_name": server["name"], "veeam_vbr_port": server["port"],
            "veeam_vbr_version": server["version"], "veeam_vbr_description": server["description"],
            "veeam_vbr_uid": server["uid"], "veeam_em_server": self.get_option("server"),
        }

    def _wanted(self, host_vars):
        """Whether a backup server passes include_names, exclude_names and filters."""
        name = str(host_vars["veeam_vbr_name"]).casefold()
        include = self.get_option("include_names") or []
        if include and not any(fnmatch.fnmatchcase(name, pattern.casefold()) for pattern in include):
            return False
        if any(fnmatch.fnmatchcase(name, pattern.casefold()) for pattern in self.get_option("exclude_names") or []):
            return False
        for condition in self.get_option("filters") or []:
            try:
                if not boolean(self._compose(condition, host_vars), strict=False):
                    return False
            except Exception as error:
                raise AnsibleError("em_backup_servers: the filter %r could not be evaluated for %s: %s"
                                   % (condition, host_vars["veeam_vbr_name"], error))
        return True

    @staticmethod
    def _sanitize_group_name(name, *args, **kwargs):
        """Group names (keyed_groups) may be built from server data: keep them unsafe too."""
        return wrap_var(BaseInventoryPlugin._sanitize_group_name(name, *args, **kwargs))
