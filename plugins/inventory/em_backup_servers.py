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
    description: Host name or base URL of Enterprise Manager.
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
    description: Account that logs on to Enterprise Manager.
    type: str
    required: true
    env:
      - name: VEEAM_EM_USERNAME
  password:
    description: Its password. Prefer the environment variable (or an AWX credential) over the file.
    type: str
    required: true
    env:
      - name: VEEAM_EM_PASSWORD
  validate_certs:
    description: Whether to check the TLS certificate of Enterprise Manager.
    type: bool
    default: true
    env:
      - name: VEEAM_EM_VALIDATE_CERTS
  ca_path:
    description: PEM file with the certificate(s) to trust for Enterprise Manager.
    type: path
    env:
      - name: VEEAM_EM_CA_PATH
  timeout:
    description: Seconds to wait for each answer.
    type: int
    default: 30
    env:
      - name: VEEAM_EM_TIMEOUT
  group:
    description: The group every backup server joins.
    type: str
    default: veeam_vbr
  rest_port:
    description: Port of the VBR REST API on the backup servers, used to build C(veeam_vbr_server).
    type: int
    default: 9419
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
"""

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.backupops.veeam.plugins.module_utils.em_client import EmClient, uid_id
from ansible_collections.backupops.veeam.plugins.module_utils.environment import empty_env_unset
from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.transport import (
    HAS_REQUESTS, Transport, build_base_url)

BACKUP_SERVERS_PATH = "/api/backupServers"


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "backupops.veeam.em_backup_servers"

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and \
            path.endswith(("em_backup_servers.yml", "em_backup_servers.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        with empty_env_unset("VEEAM_EM_"):  # an empty VEEAM_EM_* variable (AWX's blank field) is not set
            self._read_config_data(path)
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

    def _client(self):
        if not HAS_REQUESTS:
            raise AnsibleError("The em_backup_servers inventory plugin needs the Python library 'requests'")
        try:
            base_url, _warnings = build_base_url(self.get_option("server"), self.get_option("port"), 9398)
        except ValueError as error:
            raise AnsibleError("em_backup_servers: invalid server option: %s" % error)
        transport = Transport(base_url, product="Enterprise Manager", validate_certs=self.get_option("validate_certs"),
                              ca_path=self.get_option("ca_path"), timeout=self.get_option("timeout"))
        for warning in transport.warnings:
            self.display.warning(warning)
        return EmClient(transport, self.get_option("username"), self.get_option("password"))

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

    def _populate(self, servers):
        group = self.inventory.add_group(self.get_option("group"))
        strict = self.get_option("strict")
        em_server = self.get_option("server")
        for server in servers:
            host = self.inventory.add_host(server["name"], group=group)
            host_vars = {
                "veeam_vbr_server": "https://%s:%s" % (server["name"], self.get_option("rest_port")),
                "veeam_vbr_name": server["name"], "veeam_vbr_port": server["port"],
                "veeam_vbr_version": server["version"], "veeam_vbr_description": server["description"],
                "veeam_vbr_uid": server["uid"], "veeam_em_server": em_server,
            }
            for key, value in host_vars.items():
                self.inventory.set_variable(host, key, value)
            self._set_composite_vars(self.get_option("compose"), host_vars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), host_vars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), host_vars, host, strict=strict)
