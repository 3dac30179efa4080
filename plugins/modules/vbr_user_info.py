#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: vbr_user_info
short_description: List the users and groups of a Veeam Backup & Replication server with their roles
version_added: 1.0.0
description:
  - Lists who has access to a Veeam Backup & Replication server, with each account's roles and service-account mode.
  - Filters are applied by the server where it can; O(name) is an exact, case-insensitive match.
author:
  - backupops.veeam contributors (@backupops)
options:
  name:
    description:
      - Only the account with exactly this name (case-insensitive). No match returns an empty list.
    type: str
  type:
    description:
      - Only accounts of these types.
    type: list
    elements: str
    choices: [InternalUser, InternalGroup, ExternalUser, ExternalGroup]
  role:
    description:
      - Only accounts that have this role (name, case-insensitive, with or without the C(Veeam) prefix, or id).
    type: str
  is_service_account:
    description:
      - Only service accounts (V(true)) or only other accounts (V(false)).
    type: bool
extends_documentation_fragment:
  - backupops.veeam.vbr
  - backupops.veeam.attributes
  - backupops.veeam.attributes.info_module
  - backupops.veeam.attributes.actiongroup_vbr
"""

EXAMPLES = r"""
- name: Who has access to the VBR server?
  backupops.veeam.vbr_user_info:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
  register: vbr_access

- name: Who are the Backup Administrators?
  backupops.veeam.vbr_user_info:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    role: Backup Administrator
  register: administrators

- name: Is TECH\jane.doe there?
  backupops.veeam.vbr_user_info:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    name: TECH\jane.doe
  register: jane
"""

RETURN = r"""
users:
  description: The matching users and groups, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Account id.
      type: str
    name:
      description: Account name.
      type: str
      sample: TECH\william.fox
    type:
      description: Account type.
      type: str
      sample: InternalUser
    roles:
      description: Names of its roles, sorted.
      type: list
      elements: str
      sample: [Restore Operator]
    is_service_account:
      description: Whether it is a service account.
      type: bool
    mfa_enabled:
      description: Whether MFA applies to it.
      type: bool
      returned: when the server speaks REST API 1.3-rev2 (VBR 13.1)
"""

from ansible_collections.backupops.veeam.plugins.module_utils.vbr_client import same_name, user_result
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import VbrModule


def main_logic(module):
    client = module.client
    params = module.params
    role_id = client.resolve_role(params["role"])["id"] if params["role"] else None
    users = client.list_users(name_filter=params["name"], types=params["type"], role_id=role_id,
                              is_service_account=params["is_service_account"])
    if params["name"]:
        users = [user for user in users if same_name(user["name"], params["name"])]
    results = sorted((user_result(user) for user in users), key=lambda user: user["name"].casefold())
    module.exit_json(changed=False, users=results)


def main():
    module = VbrModule(
        argument_spec=dict(
            name=dict(type="str"),
            type=dict(type="list", elements="str",
                      choices=["InternalUser", "InternalGroup", "ExternalUser", "ExternalGroup"]),
            role=dict(type="str"),
            is_service_account=dict(type="bool"),
        ),
        not_blank=["name", "role"],
        supports_check_mode=True,
    )
    module.run(main_logic)


if __name__ == "__main__":
    main()
