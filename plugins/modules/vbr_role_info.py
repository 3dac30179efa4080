#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: vbr_role_info
short_description: List the roles of a Veeam Backup & Replication server
version_added: 1.0.0
description:
  - Lists the roles that users and groups can be given on a Veeam Backup & Replication server, with their ids
    and descriptions, and optionally the permissions each role grants.
  - Use it to find the exact role names for M(backupops.veeam.vbr_user) or to audit what a role allows.
author:
  - backupops.veeam contributors (@backupops)
options:
  name:
    description:
      - Return only the role with this name (case-insensitive, with or without the C(Veeam) prefix, so
        C(Restore Operator) finds C(Veeam Restore Operator) on VBR 13.0 and C(Veeam Restore Operator) finds
        C(Restore Operator) on VBR 13.1) or this id.
      - A name that matches two roles (a built-in and a custom one) fails and lists both with their ids.
      - When no role matches, the module fails and lists the roles the server has.
    type: str
  permissions:
    description:
      - Also read the permissions of each returned role (one request per role).
    type: bool
    default: false
  built_in:
    description:
      - Return only built-in roles (V(true)) or only custom roles (V(false)).
      - Whether a role is built in is only known with REST API 1.3-rev2 (VBR 13.1, which O(api_version=auto)
        picks there); with V(1.3-rev1) every role counts as built in, as VBR 13.0 has no custom roles.
    type: bool
extends_documentation_fragment:
  - backupops.veeam.vbr
  - backupops.veeam.attributes
  - backupops.veeam.attributes.info_module
  - backupops.veeam.attributes.actiongroup_vbr
"""

EXAMPLES = r"""
- name: List the roles of a VBR server
  backupops.veeam.vbr_role_info:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
  register: vbr_roles

- name: Show the role names
  ansible.builtin.debug:
    msg: "{{ vbr_roles.roles | map(attribute='name') | list }}"

- name: What may a Restore Operator do?
  backupops.veeam.vbr_role_info:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    name: Restore Operator
    permissions: true
  register: restore_operator

- name: Only the custom roles (VBR 13.1)
  backupops.veeam.vbr_role_info:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    built_in: false
"""

RETURN = r"""
roles:
  description: The roles, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Role id.
      type: str
      sample: b167c3af-2262-4b6c-9861-0606fc0cb6b1
    name:
      description: Role name.
      type: str
      sample: Restore Operator
    description:
      description: Role description.
      type: str
      sample: Built-in role for performing restore operations from any backups and replicas
    is_built_in:
      description: Whether the role is built in.
      type: bool
      returned: when the server speaks REST API 1.3-rev2 (VBR 13.1)
    permissions:
      description: Names of the permissions the role grants, sorted.
      type: list
      elements: str
      returned: when O(permissions=true)
      sample: [ViewUsersSettings, StartRestore]
"""

from ansible_collections.backupops.veeam.plugins.module_utils.vbr_client import find_role, is_built_in, role_result
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import VbrModule


def select_roles(module, roles):
    params = module.params
    if params["name"]:
        role = find_role(roles, params["name"], module.client.server)
        if role is None:
            module.fail_json(msg="No role %r on the VBR server. Its roles are: %s"
                             % (params["name"], ", ".join(sorted(r["name"] for r in roles))))
        roles = [role]
    if params["built_in"] is not None:
        roles = [role for role in roles if (is_built_in(role) is not False) == params["built_in"]]
    return sorted(roles, key=lambda role: role["name"].casefold())


def main_logic(module):
    client = module.client
    roles = select_roles(module, client.list_roles())
    results = []
    for role in roles:
        permissions = client.role_permissions(role["id"]) if module.params["permissions"] else None
        results.append(role_result(role, permissions))
    module.exit_json(changed=False, roles=results)


def main():
    module = VbrModule(
        argument_spec=dict(
            name=dict(type="str"),
            permissions=dict(type="bool", default=False),
            built_in=dict(type="bool"),
        ),
        not_blank=["name"],
        supports_check_mode=True,
    )
    module.run(main_logic)


if __name__ == "__main__":
    main()
