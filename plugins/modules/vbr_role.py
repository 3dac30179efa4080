#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: vbr_role
short_description: Create, change or delete custom roles of Veeam Backup & Replication 13.1
version_added: 1.0.0
description:
  - Manages custom roles (VBR 13.1, REST API 1.3-rev2) - whether the role may manage backups and restores, and the
    inventory, repository, restore-permission and restore-target scopes that limit it.
  - Built-in roles cannot be changed, and a custom role cannot take a built-in role's name, with or without the
    C(Veeam) prefix (VBR 13.0 says C(Veeam Restore Operator), 13.1 C(Restore Operator)); the module refuses both
    before writing anything.
  - The role is compared with what the server holds in a normalised form (lists in any order, the server's
    defaults filled in), so a second run reports no change.
  - Needs VBR 13.1 (REST API 1.3-rev2, which O(api_version=auto) picks there); against VBR 13.0 it fails with the
    version needed.
author:
  - backupops.veeam contributors (@backupops)
options:
  name:
    description:
      - Role name, matched case-insensitively.
      - Must not be a built-in role's name, with or without the C(Veeam) prefix.
    type: str
    required: true
  description:
    description:
      - Role description.
    type: str
  manage_backups:
    description:
      - Whether the role can create and manage backup jobs. New roles default to V(false).
    type: bool
  manage_restores:
    description:
      - Whether the role can restore from existing backups. New roles default to V(false).
    type: bool
  inventory_scope:
    description:
      - "The workloads the role can access, as the REST API's C(InventoryScopeModel), for example
        C({\"entireInventory\": false, \"workloads\": [{\"type\": \"VSphere\", \"inventoryObjects\": [...]}]})."
    type: dict
  repository_scope:
    description:
      - "The repositories the role can use, as C(RepositoryScopeModel), for example C({\"allRepositories\": true})."
    type: dict
  restore_permissions_scope:
    description:
      - What the role may restore and how, as C(RestorePermissionsScopeModel).
    type: dict
  restore_target_scope:
    description:
      - Where the role may restore to, as C(RestoreTargetScopeModel).
    type: dict
  state:
    description:
      - V(present) creates or updates the role, V(absent) deletes it. A role that users still hold cannot be
        deleted; the module lists them.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - backupops.veeam.vbr
  - backupops.veeam.attributes
  - backupops.veeam.attributes.actiongroup_vbr
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
seealso:
  - module: backupops.veeam.vbr_role_info
"""

EXAMPLES = r"""
- name: A help-desk role that may only restore
  backupops.veeam.vbr_role:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    name: Help Desk Restore
    description: Restores from any backup, manages no jobs
    manage_backups: false
    manage_restores: true
    restore_permissions_scope:
      restoreBackupScope:
        entireBackupScope: true
      restoreOptions:
        allOptions: true

- name: Retire the role
  backupops.veeam.vbr_role:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    name: Help Desk Restore
    state: absent
"""

RETURN = r"""
role:
  description: The custom role after the task (predicted in check mode); null when it does not exist.
  returned: always
  type: dict
  contains:
    id:
      description: Role id (null for a role only predicted in check mode).
      type: str
    name:
      description: Role name.
      type: str
    description:
      description: Role description.
      type: str
    manage_backups:
      description: Whether it can manage backup jobs.
      type: bool
    manage_restores:
      description: Whether it can restore.
      type: bool
    inventory_scope:
      description: Inventory scope, as the REST API shows it.
      type: dict
    repository_scope:
      description: Repository scope, as the REST API shows it.
      type: dict
    restore_permissions_scope:
      description: Restore permissions scope, as the REST API shows it.
      type: dict
    restore_target_scope:
      description: Restore target scope, as the REST API shows it.
      type: dict
"""

from ansible_collections.backupops.veeam.plugins.module_utils import vbr_custom_roles
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import VbrModule


def delete(module, client, current):
    holders = client.list_users(role_id=current["id"])
    if holders:
        module.fail_json(msg="The role %s is still held by %s. Take it away from them first (backupops.veeam."
                             "vbr_user_roles with state: absent), then delete it."
                         % (current["name"], ", ".join(sorted(user["name"] for user in holders))))
    if not module.check_mode:
        client.delete_custom_role(current["id"])


def main_logic(module):
    client = module.client
    if client.api_version != "1.3-rev2":
        module.fail_json(msg="Custom roles need VBR 13.1 and the REST API 1.3-rev2 (this task speaks %s%s)."
                         % (client.api_version, ": set api_version: 1.3-rev2 (or auto)"
                            if client.requested_api_version == "1.3-rev1" else ", the newest this server offers"))
    current = vbr_custom_roles.existing_custom_role(client, module.params["name"])
    after = None
    if module.params["state"] == "absent":
        if current is not None:
            delete(module, client, current)
    else:
        after = vbr_custom_roles.desired_model(module.params, current)
        if current is not None and vbr_custom_roles.same_role(after, current):
            after = current
        elif current is None and not module.check_mode:
            after = client.create_custom_role(after)
        elif current is not None and not module.check_mode:
            after = client.update_custom_role(current["id"], after)
    changed = (current is None) != (after is None) or (current is not None and after is not current)
    module.exit_json(changed=changed, role=vbr_custom_roles.role_result(after),
                     diff={"before": vbr_custom_roles.role_result(current) or {},
                           "after": vbr_custom_roles.role_result(after) or {}})


def main():
    module = VbrModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            description=dict(type="str"),
            manage_backups=dict(type="bool"),
            manage_restores=dict(type="bool"),
            inventory_scope=dict(type="dict"),
            repository_scope=dict(type="dict"),
            restore_permissions_scope=dict(type="dict"),
            restore_target_scope=dict(type="dict"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        not_blank=["name"],
        supports_check_mode=True,
    )
    module.run(main_logic)


if __name__ == "__main__":
    main()
