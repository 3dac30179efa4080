#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: em_role_info
short_description: List the roles of Veeam Backup Enterprise Manager
version_added: 1.0.0
description:
  - Lists the roles that Enterprise Manager accounts can be given (Portal Administrator, Portal User and the restore
    operator roles of each kind (VM, File, Exchange, SQL, Oracle)), with their UIDs.
  - Use it to find the exact role names or UIDs for M(backupops.veeam.em_account).
author:
  - backupops.veeam contributors (@backupops)
options:
  name:
    description:
      - Return only the role with this name (case-insensitive) or UID.
      - When no role matches, the module fails and lists the roles Enterprise Manager has.
    type: str
extends_documentation_fragment:
  - backupops.veeam.em
  - backupops.veeam.attributes
  - backupops.veeam.attributes.info_module
  - backupops.veeam.attributes.actiongroup_em
"""

EXAMPLES = r"""
- name: List the roles of Enterprise Manager
  backupops.veeam.em_role_info:
    server: em01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_em_password }}"
    ca_path: /etc/pki/veeam/em01.pem
  register: em_roles

- name: Find the UID of the VM Restore Operator role
  backupops.veeam.em_role_info:
    server: em01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_em_password }}"
    ca_path: /etc/pki/veeam/em01.pem
    name: vm restore operator
  register: restore_operator
"""

RETURN = r"""
roles:
  description: The roles, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    uid:
      description: Role UID.
      type: str
      sample: urn:veeam:EnterpriseRole:c11c0c38-ba8b-49c7-bf70-fc2058fff1e2
    id:
      description: The id part of the UID.
      type: str
      sample: c11c0c38-ba8b-49c7-bf70-fc2058fff1e2
    name:
      description: Role name.
      type: str
      sample: VM Restore Operator
"""

from ansible_collections.backupops.veeam.plugins.module_utils.em_client import find_role
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import EmModule


def main_logic(module):
    roles = sorted(module.client.list_roles(), key=lambda role: str(role["name"]).casefold())
    wanted = module.params["name"]
    if wanted:
        role = find_role(roles, wanted)
        if role is None:
            module.fail_json(msg="No role %r in Enterprise Manager. Its roles are: %s"
                             % (wanted, ", ".join(role["name"] for role in roles)))
        roles = [role]
    module.exit_json(changed=False, roles=roles)


def main():
    module = EmModule(argument_spec=dict(name=dict(type="str")), not_blank=["name"], supports_check_mode=True)
    module.run(main_logic)


if __name__ == "__main__":
    main()
