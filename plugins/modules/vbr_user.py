#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: vbr_user
short_description: Add, change or remove users and groups of a Veeam Backup & Replication server
version_added: 1.0.0
description:
  - Makes a user or group (or a whole list of them) exist on a Veeam Backup & Replication server with exactly the
    given roles and service-account mode, or removes it.
  - The bulk form (O(users)) reads the server's users once, its roles once, and writes only what differs, in one
    login. It is the way to onboard hundreds of people.
  - Lockout guards refuse, before anything is written, to remove the account the task is connected as, to take
    the Veeam Backup Administrator role away from it, or to leave the server without any Backup Administrator.
  - Removing a user from VBR does not touch its Active Directory or Entra ID account.
author:
  - backupops.veeam contributors (@backupops)
options:
  name:
    description:
      - User or group name as VBR shows it, C(DOMAIN\\user), C(DOMAIN\\group) or a UPN such as C(jane@tech.local).
      - Matched exactly and case-insensitively.
      - Checked before anything is sent - V(InternalUser) (and no O(type)) C(DOMAIN\\name) or a UPN, V(InternalGroup)
        C(DOMAIN\\name), V(ExternalUser) a UPN - with the characters and lengths Windows allows in account names.
      - Mutually exclusive with O(users).
    type: str
  type:
    description:
      - Kind of account. VBR cannot change the type of an existing user or group; the module fails and explains.
      - When omitted for an existing account, its type is left as it is; new accounts default to V(InternalUser).
    type: str
    choices: [InternalUser, InternalGroup, ExternalUser, ExternalGroup]
  roles:
    description:
      - Roles the account must have, exactly (others are removed). Names are case-insensitive, with or without the
        C(Veeam) prefix, whichever the server uses (VBR 13.0 says C(Veeam Restore Operator), 13.1
        C(Restore Operator); both spellings work on both); role ids work too. A name that matches two roles fails
        and lists them.
      - Built-in and custom roles cannot be combined on one account (VBR does not allow it); the module refuses
        before writing anything.
      - Required to add an account. When omitted for an existing account, its roles are left as they are.
      - See M(backupops.veeam.vbr_role_info) for the roles a server has.
    type: list
    elements: str
  is_service_account:
    description:
      - Whether the account is a service account. Service accounts are exempt from MFA, which automation
        accounts need to use the REST API.
      - When omitted for an existing account, the mode is left as it is; new accounts default to V(false).
    type: bool
  state:
    description:
      - V(present) adds or updates the account, V(absent) removes it. V(present) when omitted.
      - Only with O(name). The bulk form refuses it, however it is given (in the task or in C(module_defaults));
        each entry of O(users) has its own O(users[].state).
    type: str
    choices: [present, absent]
  users:
    description:
      - Many accounts at once, each a dictionary with the keys O(name), O(type), O(roles), O(is_service_account)
        and O(state) (default V(present)).
      - Mutually exclusive with O(name). The options of the single form (O(type), O(roles), O(is_service_account)
        and O(state)) are refused next to O(users), rather than ignored; set them in each entry.
    type: list
    elements: dict
    suboptions:
      name:
        description: User or group name.
        type: str
        required: true
      type:
        description: Kind of account.
        type: str
        choices: [InternalUser, InternalGroup, ExternalUser, ExternalGroup]
      roles:
        description: Roles the account must have, exactly.
        type: list
        elements: str
      is_service_account:
        description: Whether the account is a service account.
        type: bool
      state:
        description: V(present) or V(absent).
        type: str
        choices: [present, absent]
        default: present
  exclusive:
    description:
      - With O(users), remove every user and group on the server that the list does not name (the lockout guards
        still apply). Use it to make a server's access list exactly what the inventory says.
    type: bool
    default: false
  keep:
    description:
      - With O(exclusive), accounts that are left exactly as they are although O(users) does not list them - a
        break-glass administrator, C(BUILTIN\\Administrators) where a site wants it. They are returned in RV(kept).
      - Matched by name, case-insensitively; C(DOMAIN\\name) also matches the user principal name C(name@domain.<suffix>)
        (C(TECH\\jane) and C(jane@tech.local)). Stricter than O(protected_accounts), which ignores the domain.
      - Only with O(exclusive), and never a name that O(users) lists (an account is either managed or kept).
    type: list
    elements: str
    default: []
  skip_refused:
    description:
      - When the lockout guard refuses the changes of some accounts, leave those accounts as they are (outcome
        V(refused)), change the others, and fail at the end. Without it a refusal changes nothing at all.
      - Used by the offboard role, so that one protected name does not keep everyone else's access.
    type: bool
    default: false
extends_documentation_fragment:
  - backupops.veeam.vbr
  - backupops.veeam.lockout
  - backupops.veeam.bulk
  - backupops.veeam.attributes
  - backupops.veeam.attributes.actiongroup_vbr
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - With four-eyes authorization on, VBR answers a change with a request for a second administrator's approval.
    The module then fails with C(error.error_code=four_eyes) and the pending request in C(error.pending_request),
    and writes nothing more (the bulk form stops before its next write). Run it again once the request is
    approved; M(backupops.veeam.vbr_authorization_event_info) lists the requests.
  - The lockout guards know the connected account by O(username). An account that has access only through a group
    cannot be recognised through the REST API; the last guard (at least one Backup Administrator remains) still holds.
seealso:
  - module: backupops.veeam.vbr_user_roles
  - module: backupops.veeam.vbr_user_info
  - module: backupops.veeam.vbr_role_info
"""

EXAMPLES = r"""
- name: Make TECH\jane.doe a Restore Operator
  backupops.veeam.vbr_user:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    name: TECH\jane.doe
    roles:
      - Restore Operator

- name: Let a group of operators start and stop jobs
  backupops.veeam.vbr_user:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    name: TECH\Backup Operators
    type: InternalGroup
    roles: [Backup Operator]

- name: Onboard and offboard several people in one login
  backupops.veeam.vbr_user:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    users:
      - name: TECH\john.smith
        roles: [Backup Operator, Restore Operator]
      - name: TECH\mary.smith
        roles: [Backup Viewer]
      - name: TECH\bob.smith
        state: absent

- name: Remove TECH\jane.doe
  backupops.veeam.vbr_user:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    name: TECH\jane.doe
    state: absent
"""

RETURN = r"""
user:
  description: The account after the task (predicted in check mode); null when it does not exist. With O(name).
  returned: when O(name) is given
  type: dict
  contains:
    id:
      description: Account id (null for an account only predicted in check mode).
      type: str
    name:
      description: Account name.
      type: str
      sample: TECH\jane.doe
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
outcome:
  description: What happened to the account - V(changed), V(unchanged), V(failed) or V(refused) (lockout guard).
  returned: when O(name) is given
  type: str
  sample: changed
users:
  description:
    - One entry per account in O(users), then one per account removed by O(exclusive).
    - Also returned when the task fails, so that it says what was written before the failure, which account
      failed and why, and which were not tried; C(changed) is then true when anything was written.
  returned: when O(users) is given
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
      description:
        - V(changed) (written, or in check mode would be), V(unchanged), V(failed) (see RV(users[].error)),
          V(not_attempted) (the run stopped at an earlier error that was not about one account alone) or
          V(refused) (the lockout guard refused it, see O(skip_refused)).
      type: str
      sample: changed
    error:
      description: Why it failed or was refused - C(message), C(status), C(error_code), C(server_message),
        C(method), C(path).
      type: dict
      returned: when the outcome is V(failed) or V(refused)
    note:
      description: Set when the account turned out to exist already (created by another run at the same time, or
        after an answer that was lost) and was updated instead of created.
      type: str
      returned: sometimes
    before:
      description: The account before (same keys as RV(user)), null when it did not exist.
      type: dict
    after:
      description: The account after, null when it does not exist any more.
      type: dict
    reason:
      description: Why an account not in the list was removed.
      type: str
      returned: for accounts removed by O(exclusive)
      sample: not listed (exclusive)
    planned:
      description: What the task would have made of the account (same keys as RV(user)), when the lockout guard
        refused the whole plan (without O(skip_refused)) and so nothing was written; the outcome is then
        V(not_attempted).
      type: dict
      returned: when the lockout guard refused the plan
kept:
  description: The accounts on the server that O(users) does not list and O(keep) left as they are (same keys as
    RV(user)).
  returned: when O(exclusive) is true
  type: list
  elements: dict
"""

from ansible_collections.backupops.veeam.plugins.module_utils import account_names, lockout, outcomes, vbr_users
from ansible_collections.backupops.veeam.plugins.module_utils.vbr_client import user_result
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import VbrModule, lockout_spec

TYPES = ["InternalUser", "InternalGroup", "ExternalUser", "ExternalGroup"]
# Options of the single form that the bulk form takes per entry, never at the top level.
SINGLE_FORM_OPTIONS = ("type", "roles", "is_service_account", "state")
USER_OPTIONS = dict(
    name=dict(type="str", required=True),
    type=dict(type="str", choices=TYPES),
    roles=dict(type="list", elements="str"),
    is_service_account=dict(type="bool"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def requested_specs(module):
    params = module.params
    if params["users"] is not None:
        refuse_single_form_options(module)
        specs = params["users"]
        if not specs and not params["exclusive"]:
            module.fail_json(msg="users is empty: list at least one account, or use exclusive: true with an empty "
                                 "list only if you really mean to remove everyone")
    else:
        if params["exclusive"]:
            module.fail_json(msg="exclusive: true needs the list of accounts in users, not a single name")
        specs = [dict((key, params[key]) for key in USER_OPTIONS)]
        specs[0]["state"] = params["state"] or "present"
    seen = set()
    for index, spec in enumerate(specs):
        option = "name" if params["users"] is None else "users[%d].name" % index
        problem = vbr_users.name_problem(spec["name"], spec.get("type"), option)
        if problem:
            module.fail_json(msg=problem)
        if spec["name"].casefold() in seen:
            module.fail_json(msg="users names %s more than once; name each account once" % spec["name"])
        seen.add(spec["name"].casefold())
        if spec.get("roles") is not None and not spec["roles"]:
            module.fail_json(msg="roles of %s is an empty list: VBR needs at least one role; to take all access away "
                                 "use state: absent" % spec["name"])
    problem = account_names.keep_problem(params["keep"], [spec["name"] for spec in specs], params["exclusive"])
    if problem:
        module.fail_json(msg=problem + ". Nothing was changed.")
    return specs


def refuse_single_form_options(module):
    """With users, a top-level type/roles/is_service_account/state would be silently ignored: refuse it instead.

    state has no default in the option spec, so an explicit state: present or absent is told apart from none.
    """
    given = [option for option in SINGLE_FORM_OPTIONS if module.params[option] is not None]
    if given:
        module.fail_json(msg="%s given next to users, where it would be ignored: with users, each entry carries its own "
                             "type, roles, is_service_account and state, e.g. users: [{name: 'TECH\\bob.smith', "
                             "state: absent}]. The top-level options are for the single form (name). Nothing was "
                             "changed." % " and ".join(given))


def current_accounts(client, specs, bulk):
    """Bulk: every account in one paged read. Single: the one account, found with nameFilter."""
    if bulk:
        return client.list_users()
    found = client.find_user(specs[0]["name"])
    return [found] if found else []


def build_plans(module, client, specs, current):
    by_name = vbr_users.index_by_name(current)
    plans = []
    for spec in specs:
        roles = client.resolve_roles(spec["roles"]) if spec.get("roles") else None
        plans.append(vbr_users.plan_user(by_name.get(spec["name"].casefold()), spec, roles))
    if module.params["exclusive"]:
        plans.extend(vbr_users.plan_exclusive_removals(current, [spec["name"] for spec in specs],
                                                       module.params["keep"]))
    return plans


def kept_accounts(module, specs, current):
    """The unlisted accounts that keep leaves alone (exclusive only), as the result lists them."""
    _unlisted, kept = account_names.unlisted_and_kept(current, [spec["name"] for spec in specs], module.params["keep"])
    return [user_result(user) for user in kept]


def main_logic(module):
    bulk = module.params["users"] is not None
    specs = requested_specs(module)
    client = module.client
    current = current_accounts(client, specs, bulk)
    plans = build_plans(module, client, specs, current)
    refusal = None
    if not module.params["allow_lockout"]:
        try:
            refusal = vbr_users.guard_lockout(client, plans, module.protection(), current if bulk else None,
                                              skip_refused=module.params["skip_refused"])
        except lockout.LockoutRefused as refused:
            entries = outcomes.refused_run("VBR users", plans, refused, vbr_users.plan_result).entries
            if bulk:
                module.fail_refused(refused, users=entries)
            module.fail_refused(refused, user=entries[0]["after"], outcome=entries[0]["outcome"])
    run = vbr_users.execute(client, plans, module.check_mode, refusal, workers=module.params["parallel_requests"])
    diff = {"before": {}, "after": {}}
    for entry in run.entries:
        if entry["changed"]:
            diff["before"][entry["name"]] = entry["before"]
            diff["after"][entry["name"]] = entry["after"]
    if bulk:
        extra = {"kept": kept_accounts(module, specs, current)} if module.params["exclusive"] else {}
        module.finish_run(run, users=run.entries, diff=diff, **extra)
    single = run.entries[0]
    module.finish_run(run, user=single["after"], outcome=single["outcome"],
                      diff={"before": single["before"] or {}, "after": single["after"] or {}})


def main():
    module = VbrModule(
        argument_spec=dict(
            name=dict(type="str"),
            type=dict(type="str", choices=TYPES),
            roles=dict(type="list", elements="str"),
            is_service_account=dict(type="bool"),
            state=dict(type="str", choices=["present", "absent"]),
            users=dict(type="list", elements="dict", options=USER_OPTIONS),
            exclusive=dict(type="bool", default=False),
            keep=dict(type="list", elements="str", default=[]),
            skip_refused=dict(type="bool", default=False),
            parallel_requests=dict(type="int", default=4),
            **lockout_spec()
        ),
        mutually_exclusive=[("name", "users")],
        required_one_of=[("name", "users")],
        not_blank=["roles", "keep"],
        supports_check_mode=True,
    )
    module.run(main_logic)


if __name__ == "__main__":
    main()
