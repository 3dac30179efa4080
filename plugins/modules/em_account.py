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
"""

from ansible_collections.backupops.veeam.plugins.module_utils import em_accounts
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import EmModule


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


def read_view(client, account_id):
    return em_accounts.account_view(*client.get_account(account_id))


def apply_steps(client, account_id, steps):
    for step, payload in steps:
        if step == em_accounts.ADD_ROLE:
            client.add_account_role(account_id, payload["uid"])
        elif step == em_accounts.REMOVE_ROLE:
            client.remove_account_role(account_id, payload)
        elif step == em_accounts.ADD_SCOPES:
            client.add_account_scopes(account_id, payload)
        elif step == em_accounts.REMOVE_SCOPE:
            client.remove_account_scope(account_id, payload["scope_id"])
        elif step == em_accounts.TOGGLE_ALL_VMS:
            client.toggle_restore_all_vms(account_id)


def create(module, client, params, roles):
    problem = em_accounts.name_problem(params.get("type") or "User", params["name"])
    if problem:
        module.fail_json(msg=problem + ("" if params.get("type") else " (without type, the account is a User)"))
    if not roles:
        module.fail_json(msg="Cannot add %s to Enterprise Manager without roles: give roles (for example Restore "
                             "Operator or Portal User)" % params["name"])
    if params.get("allow_restore_all_vms") is False and not params.get("restore_scope"):
        module.fail_json(msg="allow_restore_all_vms is false: give restore_scope, the objects %s may restore"
                         % params["name"])
    if module.check_mode:
        return em_accounts.predicted_view(None, params, roles)
    created = client.create_account(em_accounts.create_spec(params, roles))
    return read_view(client, created["id"])


def recreate(module, client, view, roles):
    """Delete and create again with every setting: the task's where given, the account's own otherwise."""
    params = dict(module.params)
    params["type"] = params["type"] or view["type"]
    if params["restore_scope"] is None:
        if view["restore_scope"]:
            module.fail_json(msg="To recreate %s give its restore_scope too: Enterprise Manager does not list the "
                                 "references of an account's scope, so they cannot be copied. Nothing was changed."
                                 % view["name"])
        params["restore_scope"] = []
    if params["allow_restore_all_vms"] is None:
        params["allow_restore_all_vms"] = view["allow_restore_all_vms"]
    for key in ("flr_settings", "sql_settings"):
        if params[key] is None:
            params[key] = view[key]
    roles = roles if roles is not None else [client.resolve_role(name) for name in view["roles"]]
    if not module.check_mode:
        client.delete_account(view["id"])
    return create(module, client, params, roles)


def update(module, client, view, roles):
    differences = em_accounts.immutable_differences(view, module.params)
    if differences:
        if not module.params["recreate"]:
            module.fail_json(msg="Enterprise Manager cannot change %s of an existing account (%s). Set recreate: true "
                                 "to delete the account and create it again with all of its settings (its roles and "
                                 "restore scope are kept unless the task gives new ones). Nothing was changed."
                                 % (" or ".join(differences), view["name"]))
        return recreate(module, client, view, roles), True
    steps = em_accounts.plan_update(view, module.params, roles)
    if not steps:
        return view, False
    if module.check_mode:
        return em_accounts.predicted_view(view, module.params, roles), False
    apply_steps(client, view["id"], steps)
    return read_view(client, view["id"]), False


def main_logic(module):
    validate(module)
    client = module.client
    params = module.params
    roles = [client.resolve_role(role) for role in params["roles"]] if params["roles"] else None
    ref = client.find_account(params["name"])
    before = read_view(client, ref["id"]) if ref else None
    after, recreated = before, False
    if params["state"] == "absent":
        if before is not None and not module.check_mode:
            client.delete_account(before["id"])
        after = None
    elif before is None:
        after = create(module, client, params, roles)
    else:
        after, recreated = update(module, client, before, roles)
    before_result, after_result = em_accounts.account_result(before), em_accounts.account_result(after)
    module.exit_json(changed=before_result != after_result or recreated, account=after_result, recreated=recreated,
                     diff={"before": before_result or {}, "after": after_result or {}})


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
        ),
        not_blank=["name", "roles"],
        supports_check_mode=True,
    )
    module.run(main_logic)


if __name__ == "__main__":
    main()
