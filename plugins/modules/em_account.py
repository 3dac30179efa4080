#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: em_account
short_description: Add, change or remove a Veeam Backup Enterprise Manager account with its roles and restore scope
version_added: 1.0.0
description:
  - Makes a user or group account exist in Enterprise Manager with the given roles, restore scope (the VMs, file
    shares and other objects it may restore) and file-level and SQL restore restrictions, or removes it.
  - The module reads the account first and changes only what differs, through Enterprise Manager's roles and
    scopes sub-resources; it adds before it removes, so an account never loses its last role or scope on the way.
  - Enterprise Manager cannot edit the FLR or SQL settings or the type of an account. When they differ the module
    fails and explains, unless O(recreate=true), which deletes the account and creates it again with all of its
    settings (its roles are kept unless the task gives new ones; give O(restore_scope), since Enterprise Manager
    does not list the references of a scope).
  - Every check Enterprise Manager makes on an account (name per type, roles, restore scope, FLR extensions) is made
    before anything is written, in check mode too, so a re-create never deletes an account it then cannot create.
    Should the create still fail after the delete, the module puts the original account back with its original
    settings and says so (RV(deleted), RV(restored)).
  - Lockout guards refuse, before anything is written, to remove, re-create or take the Portal Administrator role
    away from the account the task is connected as (or one in O(protected_accounts)), and to leave Enterprise
    Manager without any Portal Administrator.
author:
  - backupops.veeam contributors (@backupops)
options:
  name:
    description:
      - Account name. C(DOMAIN\\Name) for V(User) and V(Group), C(user@suffix) for V(ExternalUser), free text for
        V(ExternalGroup). Matched case-insensitively.
      - Checked before anything is sent, with the characters and lengths Windows allows in account names.
    type: str
    required: true
  type:
    description:
      - Account type. New accounts default to V(User). The type of an existing account cannot be changed without
        O(recreate).
    type: str
    choices: [User, Group, ExternalUser, ExternalGroup]
  roles:
    description:
      - Roles the account must have, exactly, by name (case-insensitive, for example V(Portal User),
        V(VM Restore Operator)) or UID. Required to add an account. Left alone when omitted.
      - See M(backupops.veeam.em_role_info).
    type: list
    elements: str
  allow_restore_all_vms:
    description:
      - Whether the account may restore every VM. New accounts default to V(true) without O(restore_scope) and to
        V(false) with it.
    type: bool
  restore_scope:
    description:
      - The objects the account may restore, exactly (others are removed). Left alone when omitted.
    type: list
    elements: dict
    suboptions:
      ref:
        description:
          - Hierarchy reference, for example C(urn:VMware:Vm:<vCenter id>.vm-1023) or a file share reference
            C(urn:NasBackup:FileServer:<id>.<id>).
        type: str
        required: true
      name:
        description: Name of the object, for example C(web-srv-01).
        type: str
        required: true
  flr_settings:
    description:
      - File-level restore restrictions. Cannot be edited in Enterprise Manager once the account exists (see O(recreate)).
    type: dict
    suboptions:
      inplace_only:
        description: Whether the account may restore files only to their original place, and only the extensions listed.
        type: bool
        default: false
      extensions:
        description: File name extensions the account may restore, for example C([doc, pdf]).
        type: list
        elements: str
  sql_settings:
    description:
      - SQL restore restrictions. Cannot be edited in Enterprise Manager once the account exists (see O(recreate)).
    type: dict
    suboptions:
      deny_in_place_restore:
        description: Whether the account is kept from overwriting production databases.
        type: bool
        default: false
  state:
    description:
      - V(present) adds or updates the account, V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  recreate:
    description:
      - When settings that Enterprise Manager cannot edit differ (type, O(flr_settings), O(sql_settings)), delete
        the account and create it again with all of its settings. The result says RV(recreated). An account with a
        restore scope needs O(restore_scope) given, as Enterprise Manager does not list scope references.
    type: bool
    default: false
extends_documentation_fragment:
  - backupops.veeam.em
  - backupops.veeam.lockout
  - backupops.veeam.attributes
  - backupops.veeam.attributes.actiongroup_em
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - After changing restore scopes, run M(backupops.veeam.em_rebuild_scope) so that Enterprise Manager applies them.
seealso:
  - module: backupops.veeam.em_account_info
  - module: backupops.veeam.em_rebuild_scope
"""

EXAMPLES = r"""
- name: TECH\jane.doe may restore her VM from the self-service portal
  backupops.veeam.em_account:
    server: em01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_em_password }}"
    ca_path: /etc/pki/veeam/em01.pem
    name: TECH\jane.doe
    roles: [VM Restore Operator]
    restore_scope:
      - ref: urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-2041
        name: jane-workstation

- name: A portal user limited to a file share, documents only
  backupops.veeam.em_account:
    server: em01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_em_password }}"
    ca_path: /etc/pki/veeam/em01.pem
    name: TECH\mary.smith
    roles: [Portal User]
    restore_scope:
      - ref: urn:NasBackup:FileServer:541178f4-5335-46cb-b7bc-8fbb4a944307.541178f4-5335-46cb-b7bc-8fbb4a944307
        name: \\fs01.tech.local\Finance
    flr_settings:
      inplace_only: true
      extensions: [doc, docx, pdf]

- name: Remove the account
  backupops.veeam.em_account:
    server: em01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_em_password }}"
    ca_path: /etc/pki/veeam/em01.pem
    name: TECH\jane.doe
    state: absent
"""

RETURN = r"""
account:
  description: The account after the task (predicted in check mode); null when it does not exist.
  returned: always
  type: dict
  contains:
    uid:
      description: Account UID (null for an account only predicted in check mode).
      type: str
      sample: urn:veeam:EnterpriseAccount:de19303b-bcf3-428b-b113-ac0b2cf46bd7
    id:
      description: The id part of the UID.
      type: str
    name:
      description: Account name.
      type: str
    type:
      description: Account type.
      type: str
    roles:
      description: Names of its roles, sorted.
      type: list
      elements: str
      sample: [VM Restore Operator]
    allow_restore_all_vms:
      description: Whether it may restore every VM.
      type: bool
    restore_scope:
      description: The objects it may restore, as Enterprise Manager lists them - C(name), C(platform),
        C(object_type) and C(root) (EM does not list their references).
      type: list
      elements: dict
    flr_settings:
      description: File-level restore restrictions (C(inplace_only), C(extensions)).
      type: dict
    sql_settings:
      description: SQL restore restrictions (C(deny_in_place_restore)).
      type: dict
recreated:
  description: Whether the account was (or in check mode would be) deleted and created again.
  returned: always
  type: bool
outcome:
  description: What happened to the account - V(changed), V(unchanged), V(failed) or V(refused) (lockout guard).
  returned: always
  type: str
  sample: changed
deleted:
  description:
    - The account as it was before a re-create that failed after the delete (same keys as RV(account)).
    - C(changed) is then true, and the failure message gives the server's error.
  returned: when a re-create failed after deleting the account
  type: dict
restored:
  description: Whether the original account was put back after a re-create that failed (see RV(deleted)).
  returned: when a re-create failed after deleting the account
  type: bool
"""

from ansible_collections.backupops.veeam.plugins.module_utils import em_accounts
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import EmModule, lockout_spec


def validate(module):
    params = module.params
    if params["type"]:
        problem = em_accounts.name_problem(params["type"], params["name"])
        if problem:
            module.fail_json(msg=problem)
    if params["roles"] is not None and not params["roles"]:
        module.fail_json(msg="roles is an empty list: an Enterprise Manager account needs at least one role; "
                             "use state: absent to remove the account")
    for item in params["restore_scope"] or []:
        if em_accounts.scope_fields(item["ref"], item["name"]) is None:
            module.fail_json(msg="restore_scope ref %r is not a hierarchy reference: use urn:<Platform>:<Type>:"
                                 "<root id>.<object>, for example urn:VMware:Vm:<vCenter id>.vm-1023" % item["ref"])
    if params["allow_restore_all_vms"] is False and params["restore_scope"] == []:
        module.fail_json(msg="allow_restore_all_vms is false but restore_scope is empty: give the objects the "
                             "account may restore")


def account_spec(params):
    return dict((key, params[key]) for key in ("name", "type", "allow_restore_all_vms", "restore_scope", "flr_settings",
                                               "sql_settings", "state", "recreate"))


def main_logic(module):
    validate(module)
    client = module.client
    params = module.params
    roles = [client.resolve_role(role) for role in params["roles"]] if params["roles"] else None
    refs = client.list_accounts()
    ref = next((ref for ref in refs if str(ref["name"]).casefold() == params["name"].casefold()), None)
    before = em_accounts.read_view(client, ref["id"]) if ref else None
    if before is None and params["state"] == "present" and not params["type"]:
        problem = em_accounts.name_problem("User", params["name"])
        if problem:
            module.fail_json(msg=problem + " (without type, the account is a User)")
    plan = em_accounts.plan_account(before, account_spec(params), roles, client.list_roles())
    refusal = None
    if not params["allow_lockout"]:
        refusal = em_accounts.guard_lockout(client, [plan], module.protection(), refs)
    run = em_accounts.execute(client, [plan], module.check_mode, refusal)
    entry = run.entries[0]
    extra = dict((key, entry[key]) for key in ("deleted", "restored") if key in entry)
    module.finish_run(run, account=entry["after"], recreated=entry["recreated"], outcome=entry["outcome"],
                      diff={"before": entry["before"] or {}, "after": entry["after"] or {}}, **extra)


def main():
    module = EmModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            type=dict(type="str", choices=list(em_accounts.ACCOUNT_TYPES)),
            roles=dict(type="list", elements="str"),
            allow_restore_all_vms=dict(type="bool"),
            restore_scope=dict(type="list", elements="dict", options=dict(
                ref=dict(type="str", required=True), name=dict(type="str", required=True))),
            flr_settings=dict(type="dict", options=dict(
                inplace_only=dict(type="bool", default=False), extensions=dict(type="list", elements="str"))),
            sql_settings=dict(type="dict", options=dict(deny_in_place_restore=dict(type="bool", default=False))),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            recreate=dict(type="bool", default=False),
            **lockout_spec()
        ),
        not_blank=["name", "roles"],
        supports_check_mode=True,
    )
    module.run(main_logic)


if __name__ == "__main__":
    main()
