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
      - Mutually exclusive with O(accounts).
    type: str
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
      - V(present) adds or updates the account, V(absent) removes it. V(present) when omitted.
      - Only with O(name); each entry of O(accounts) has its own.
    type: str
    choices: [present, absent]
  recreate:
    description:
      - When settings that Enterprise Manager cannot edit differ (type, O(flr_settings), O(sql_settings)), delete
        the account and create it again with all of its settings. The result says RV(recreated). An account with a
        restore scope needs O(restore_scope) given, as Enterprise Manager does not list scope references.
      - V(false) when omitted.
    type: bool
  accounts:
    description:
      - Many accounts at once, each a dictionary with the keys of the single form - O(name), O(type), O(roles),
        O(allow_restore_all_vms), O(restore_scope), O(flr_settings), O(sql_settings), O(state) (default
        V(present)) and O(recreate) (default V(false)).
      - One logon, one read of the roles and one of the account list; an account's roles and scope are read only
        when it exists and is listed (or is to be removed by O(exclusive)), and only what differs is written. This
        is the way to onboard hundreds of people.
      - Mutually exclusive with O(name); the single form's options are refused next to it (set them per entry).
      - Errors name the entry, for example C(accounts[3].roles).
    type: list
    elements: dict
    suboptions:
      name:
        description: Account name.
        type: str
        required: true
      type:
        description: Account type.
        type: str
        choices: [User, Group, ExternalUser, ExternalGroup]
      roles:
        description: Roles the account must have, exactly.
        type: list
        elements: str
      allow_restore_all_vms:
        description: Whether the account may restore every VM.
        type: bool
      restore_scope:
        description: The objects the account may restore, exactly.
        type: list
        elements: dict
        suboptions:
          ref:
            description: Hierarchy reference.
            type: str
            required: true
          name:
            description: Name of the object.
            type: str
            required: true
      flr_settings:
        description: File-level restore restrictions.
        type: dict
        suboptions:
          inplace_only:
            description: Restore files only to their original place, and only the extensions listed.
            type: bool
            default: false
          extensions:
            description: File name extensions the account may restore.
            type: list
            elements: str
      sql_settings:
        description: SQL restore restrictions.
        type: dict
        suboptions:
          deny_in_place_restore:
            description: Keep the account from overwriting production databases.
            type: bool
            default: false
      state:
        description: V(present) or V(absent).
        type: str
        choices: [present, absent]
        default: present
      recreate:
        description: Delete and create again when settings EM cannot edit differ.
        type: bool
        default: false
  exclusive:
    description:
      - With O(accounts), remove every Enterprise Manager account that the list does not name. The lockout guards
        still apply - the connected account, O(protected_accounts) and the last Portal Administrator stay.
    type: bool
    default: false
  keep:
    description:
      - With O(exclusive), accounts that are left exactly as they are although O(accounts) does not list them - a
        break-glass administrator, C(BUILTIN\\Administrators) where a site wants it. They are returned in RV(kept).
      - Matched by name, case-insensitively; C(DOMAIN\\name) also matches the user principal name C(name@domain.<suffix>).
        Stricter than O(protected_accounts), which ignores the domain.
      - Only with O(exclusive), and never a name that O(accounts) lists (an account is either managed or kept).
    type: list
    elements: str
    default: []
  skip_refused:
    description:
      - With O(accounts), when the lockout guard refuses the changes of some accounts, leave those accounts as they
        are (outcome V(refused)), change the others, and fail at the end. Without it a refusal changes nothing.
    type: bool
    default: false
extends_documentation_fragment:
  - backupops.veeam.em
  - backupops.veeam.lockout
  - backupops.veeam.bulk
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

- name: Onboard many people at once (one logon, one read of the accounts, up to 8 requests at a time)
  backupops.veeam.em_account:
    server: em01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_em_password }}"
    ca_path: /etc/pki/veeam/em01.pem
    parallel_requests: 8
    accounts:
      - name: TECH\jane.doe
        roles: [VM Restore Operator]
        restore_scope:
          - ref: urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-2041
            name: jane-workstation
      - name: TECH\Restore Operators
        type: Group
        roles: [Portal User]
      - name: TECH\bob.smith
        state: absent
  register: em_onboarding

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
  returned: when O(name) is given
  type: bool
outcome:
  description: What happened to the account - V(changed), V(unchanged), V(failed) or V(refused) (lockout guard).
  returned: when O(name) is given
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
accounts:
  description:
    - One entry per account in O(accounts), then one per account removed by O(exclusive).
    - Also returned when the task fails, so that it says what was written before the failure, which account
      failed and why, and which were not tried; C(changed) is then true when anything was written.
  returned: when O(accounts) is given
  type: list
  elements: dict
  contains:
    name:
      description: Account name.
      type: str
    changed:
      description: Whether this account was (or in check mode would be) changed.
      type: bool
    outcome:
      description: V(changed), V(unchanged), V(failed), V(not_attempted) or V(refused), as in M(backupops.veeam.vbr_user).
      type: str
    before:
      description: The account before (same keys as RV(account)), null when it did not exist.
      type: dict
    after:
      description: The account after (as planned; EM accepted every write), null when it does not exist any more.
      type: dict
    recreated:
      description: Whether it was deleted and created again.
      type: bool
    error:
      description: Why it failed or was refused (C(message), C(status), C(error_code), C(server_message)).
      type: dict
      returned: when the outcome is V(failed) or V(refused)
    reason:
      description: Why an account not in the list was removed.
      type: str
      returned: for accounts removed by O(exclusive)
    planned:
      description: What the task would have made of the account (same keys as RV(account)), when the lockout guard
        refused the whole plan (without O(skip_refused)) and so nothing was written; the outcome is then
        V(not_attempted).
      type: dict
      returned: when the lockout guard refused the plan
    deleted:
      description: As RV(deleted), for this account.
      type: dict
      returned: when its re-create failed after the delete
    restored:
      description: As RV(restored), for this account.
      type: bool
      returned: when its re-create failed after the delete
kept:
  description: The accounts that O(accounts) does not list and O(keep) left as they are (same keys as RV(account)).
  returned: when O(exclusive) is true
  type: list
  elements: dict
"""

from ansible_collections.backupops.veeam.plugins.module_utils import account_names, em_accounts, lockout, outcomes
from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import EmModule, lockout_spec


SINGLE_FORM_OPTIONS = ("type", "roles", "allow_restore_all_vms", "restore_scope", "flr_settings", "sql_settings",
                       "state", "recreate")
SCOPE_OPTIONS = dict(ref=dict(type="str", required=True), name=dict(type="str", required=True))
FLR_OPTIONS = dict(inplace_only=dict(type="bool", default=False), extensions=dict(type="list", elements="str"))
SQL_OPTIONS = dict(deny_in_place_restore=dict(type="bool", default=False))
ACCOUNT_OPTIONS = dict(
    name=dict(type="str", required=True),
    type=dict(type="str", choices=list(em_accounts.ACCOUNT_TYPES)),
    roles=dict(type="list", elements="str"),
    allow_restore_all_vms=dict(type="bool"),
    restore_scope=dict(type="list", elements="dict", options=SCOPE_OPTIONS),
    flr_settings=dict(type="dict", options=FLR_OPTIONS),
    sql_settings=dict(type="dict", options=SQL_OPTIONS),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    recreate=dict(type="bool", default=False),
)


def requested_specs(module):
    """The account specs of either form, each checked as EM would check it (errors name the option)."""
    params = module.params
    if params["accounts"] is None:
        if params["exclusive"]:
            module.fail_json(msg="exclusive: true needs the list of accounts in accounts, not a single name")
        spec = dict((key, params[key]) for key in ACCOUNT_OPTIONS)
        spec.update(state=params["state"] or "present", recreate=bool(params["recreate"]))
        specs, prefix = [spec], ""
    else:
        given = [option for option in SINGLE_FORM_OPTIONS if params[option] is not None]
        if given:
            module.fail_json(msg="%s given next to accounts, where it would be ignored: each entry of accounts carries "
                                 "its own. Nothing was changed." % " and ".join(given))
        specs, prefix = params["accounts"], "accounts[%d]."
        if not specs and not params["exclusive"]:
            module.fail_json(msg="accounts is empty: list at least one account, or use exclusive: true with an empty "
                                 "list only if you really mean to remove every account")
    seen = set()
    for index, spec in enumerate(specs):
        where = prefix % index if "%d" in prefix else prefix
        problem = em_accounts.spec_problem(spec, where)
        if problem is None and spec["name"].casefold() in seen:
            problem = "%sname %s is listed more than once; name each account once" % (where, spec["name"])
        if problem:
            module.fail_json(msg=problem + ". Nothing was changed.")
        seen.add(spec["name"].casefold())
    problem = account_names.keep_problem(params["keep"], [spec["name"] for spec in specs], params["exclusive"],
                                         listed_option="accounts")
    if problem:
        module.fail_json(msg=problem + ". Nothing was changed.")
    return specs


def build_plans(module, client, specs, refs):
    """Read what the specs need (in parallel) and plan every account; exclusive adds the removals.

    Returns the plans and the views of the accounts ``keep`` leaves alone (exclusive only)."""
    by_name = dict((str(ref["name"]).casefold(), ref) for ref in refs)
    unlisted, kept = [], []
    if module.params["exclusive"]:
        unlisted, kept = account_names.unlisted_and_kept(refs, [spec["name"] for spec in specs], module.params["keep"])
    to_read = [by_name[spec["name"].casefold()] for spec in specs if spec["name"].casefold() in by_name]
    views = em_accounts.read_views(client, to_read + unlisted + kept, module.params["parallel_requests"])
    all_roles = client.list_roles()
    plans = []
    for index, spec in enumerate(specs):
        try:
            roles = [client.resolve_role(role) for role in spec["roles"]] if spec["roles"] else None
            plans.append(em_accounts.plan_account(views.get(spec["name"].casefold()), spec, roles, all_roles))
        except VeeamError as error:
            if module.params["accounts"] is not None:
                error.summary = "accounts[%d] (%s): %s" % (index, spec["name"], error.summary)
            raise
    plans.extend(em_accounts.plan_removal(views[str(ref["name"]).casefold()], "not listed (exclusive)")
                 for ref in unlisted)
    return plans, [views[str(ref["name"]).casefold()] for ref in kept]


def main_logic(module):
    bulk = module.params["accounts"] is not None
    specs = requested_specs(module)
    client = module.client
    client.list_roles()
    refs = client.list_accounts()
    plans, kept = build_plans(module, client, specs, refs)
    refusal = None
    if not module.params["allow_lockout"]:
        try:
            refusal = em_accounts.guard_lockout(client, plans, module.protection(), refs,
                                                skip_refused=module.params["skip_refused"])
        except lockout.LockoutRefused as refused:
            entries = outcomes.refused_run("Enterprise Manager accounts", plans, refused, em_accounts.plan_entry).entries
            if bulk:
                module.fail_refused(refused, accounts=entries)
            module.fail_refused(refused, account=entries[0]["after"], outcome=entries[0]["outcome"], recreated=False)
    run = em_accounts.execute(client, plans, module.check_mode, refusal, workers=module.params["parallel_requests"],
                              read_back=not bulk)
    if bulk:
        diff = {"before": {}, "after": {}}
        for entry in run.entries:
            if entry["changed"]:
                diff["before"][entry["name"]] = entry["before"]
                diff["after"][entry["name"]] = entry["after"]
        extra = {"kept": [em_accounts.account_result(view) for view in kept]} if module.params["exclusive"] else {}
        module.finish_run(run, accounts=run.entries, diff=diff, **extra)
    entry = run.entries[0]
    extra = dict((key, entry[key]) for key in ("deleted", "restored") if key in entry)
    module.finish_run(run, account=entry["after"], recreated=entry["recreated"], outcome=entry["outcome"],
                      diff={"before": entry["before"] or {}, "after": entry["after"] or {}}, **extra)


def main():
    single = dict((key, dict(value)) for key, value in ACCOUNT_OPTIONS.items())
    single["name"].pop("required")
    single["state"].pop("default")
    single["recreate"].pop("default")
    module = EmModule(
        argument_spec=dict(
            accounts=dict(type="list", elements="dict", options=ACCOUNT_OPTIONS),
            exclusive=dict(type="bool", default=False),
            keep=dict(type="list", elements="str", default=[]),
            skip_refused=dict(type="bool", default=False),
            parallel_requests=dict(type="int", default=4),
            **dict(single, **lockout_spec())
        ),
        mutually_exclusive=[("name", "accounts")],
        required_one_of=[("name", "accounts")],
        not_blank=["name", "roles", "keep"],
        supports_check_mode=True,
    )
    module.run(main_logic)


if __name__ == "__main__":
    main()
