# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Desired state of VBR users and groups: plan the changes, guard against lockout, apply them, report.

Planning is pure (no HTTP): it compares what the server has with what the task asks for and returns actions.
The lockout guard looks at the whole plan before anything is written, so a refused plan writes nothing.
Executing records an outcome per account (changed, unchanged, failed, not attempted, refused), so a result tells
what was written even when a write fails. Role lists are written whole (VBR's PUT replaces them), so every role
write is read back and, when another writer changed the account meanwhile, merged with the task's intent and
written again.
"""

from ansible_collections.backupops.veeam.plugins.module_utils import account_names, lockout, outcomes
from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.vbr_client import mixed_roles_problem, user_result

CREATE, DELETE, SET_ROLES, SET_SERVICE = "create", "delete", "set_roles", "set_service_account"
# The name forms of each account type; without a type, the forms of an Active Directory user.
NAME_FORMS = {None: ("down_level", "upn"), "InternalUser": ("down_level", "upn"), "InternalGroup": ("down_level",),
              "ExternalUser": ("upn",), "ExternalGroup": ("any",)}
ROLE_WRITE_ROUNDS = 3
# Up to this many written accounts are read back one by one; more are read back with one paged read.
SINGLE_READS_AT_MOST = 5


def name_problem(name, user_type=None, option="name"):
    """A sentence naming ``option`` when ``name`` is not valid for a VBR account of ``user_type``, else None."""
    return account_names.name_problem(name, NAME_FORMS[user_type], option=option,
                                      what="VBR %s" % (user_type or "user or group"))


def refuse_mixed_roles(name, roles):
    """VBR does not allow built-in and custom roles on one account: refuse before anything is sent."""
    problem = mixed_roles_problem(name, roles)
    if problem:
        raise VeeamError(problem + ". Nothing was changed", error_code="invalid_input")


class RoleIntent(object):
    """What a task wants of an account's roles: exactly these (``exact``), these among others (``add``), or none
    of these (``remove``). Applied to whatever roles the account has when it is written, so that a concurrent
    change by another writer is kept where the intent allows it."""

    def __init__(self, mode, roles):
        self.mode = mode
        self.roles = list(roles)

    def apply(self, current_roles, name):
        """The role list to write, given the roles the account has now."""
        current_roles = list(current_roles or [])
        if self.mode == "exact":
            return list(self.roles)
        if self.mode == "add":
            have = _ids(current_roles)
            return current_roles + [role for role in self.roles if role["id"].lower() not in have]
        unwanted = _ids(self.roles)
        remaining = [role for role in current_roles if role["id"].lower() not in unwanted]
        if not remaining:
            raise VeeamError("Removing %s would leave %s without any role, and VBR needs at least one. To take all "
                             "access away remove the account: backupops.veeam.vbr_user with state: absent"
                             % (", ".join(role["name"] for role in self.roles), name), error_code="invalid_input")
        return remaining

    def holds(self, current_roles, name):
        return _ids(self.apply(current_roles, name)) == _ids(current_roles)


class UserPlan(object):
    """What one user or group needs: its current record, the predicted record, and the writes to get there."""

    def __init__(self, name, before, after, actions, reason=None, intent=None):
        self.name = name
        self.before = before
        self.after = after
        self.actions = actions
        self.reason = reason
        self.intent = intent
        self.note = None
        self.done = []

    @property
    def changed(self):
        return bool(self.actions)


def _ids(roles):
    return set(role["id"].lower() for role in roles or [])


def index_by_name(users):
    return dict((user["name"].casefold(), user) for user in users)


def _role_models(roles):
    return [{"id": role["id"], "name": role["name"]} for role in roles]


def _role_ids(user):
    return _ids((user or {}).get("roles"))


def plan_user(current, spec, roles):
    """The plan for one user spec (keys: name, type, roles [resolved role dicts or None], is_service_account, state).

    Raises VeeamError for what VBR cannot do (change a type, create without roles, built-in and custom roles
    together).
    """
    name = spec["name"]
    if spec.get("state", "present") == "absent":
        if current is None:
            return UserPlan(name, None, None, [])
        return UserPlan(current["name"], current, None, [(DELETE, current)])
    if current is None:
        return _plan_create(spec, roles)
    intent = RoleIntent("exact", roles) if roles is not None else None
    return plan_update(current, spec, intent)


def _plan_create(spec, roles):
    if not roles:
        raise VeeamError("Cannot add %s to VBR without roles: give roles (for example Restore Operator); "
                         "VBR needs at least one role for every user and group" % spec["name"],
                         error_code="invalid_input")
    refuse_mixed_roles(spec["name"], roles)
    after = {"id": None, "name": spec["name"], "type": spec.get("type") or "InternalUser",
             "roles": _role_models(roles), "isServiceAccount": bool(spec.get("is_service_account"))}
    return UserPlan(spec["name"], None, after, [(CREATE, after)], intent=RoleIntent("exact", roles))


def plan_update(current, spec, intent):
    """The plan for an account that exists: its roles by ``intent`` (None leaves them), type and service mode by ``spec``."""
    wanted_type = spec.get("type")
    if wanted_type and wanted_type != current["type"]:
        message = ("%s exists in VBR as %s, not %s. VBR cannot change the type of a user or group: remove it "
                   "(state: absent) and add it again with the new type" % (current["name"], current["type"], wanted_type))
        raise VeeamError(message, error_code="invalid_input")
    after = dict(current)
    actions = []
    if intent is not None and not intent.holds(current.get("roles"), current["name"]):
        after["roles"] = intent.apply(current.get("roles"), current["name"])
        refuse_mixed_roles(current["name"], after["roles"])
        actions.append((SET_ROLES, after))
    wanted_service = spec.get("is_service_account")
    if wanted_service is not None and bool(wanted_service) != bool(current.get("isServiceAccount")):
        after["isServiceAccount"] = bool(wanted_service)
        actions.append((SET_SERVICE, after))
    return UserPlan(current["name"], current, after, actions, intent=intent)


def plan_exclusive_removals(current_users, listed_names, keep=()):
    """Plans removing every user and group on the server that the task does not list, except those ``keep`` names
    (see account_names.unlisted_and_kept)."""
    unlisted, _kept = account_names.unlisted_and_kept(current_users, listed_names, keep)
    return [UserPlan(user["name"], user, None, [(DELETE, user)], reason="not listed (exclusive)") for user in unlisted]


# ---------------------------------------------------------------------------------------------- lockout guard
def has_backup_administrator(user, admin_role_id):
    return user is not None and admin_role_id.lower() in _role_ids(user)


def final_accounts(plans, current_users):
    """The accounts the server would hold after the plan."""
    final = index_by_name(current_users)
    for plan in plans:
        if plan.changed:
            final.pop(plan.name.casefold(), None)
            if plan.after is not None:
                final[plan.name.casefold()] = plan.after
    return list(final.values())


def access_changes(plans, admin_role_id, mfa_enabled):
    """The plan in the guard's terms; ``mfa_enabled()`` is asked only when a plan turns service-account mode off."""
    changes = []
    for plan in plans:
        if not plan.changed:
            continue
        was_admin = has_backup_administrator(plan.before, admin_role_id)
        loses_login = None
        if plan.before is not None and plan.after is not None and plan.before.get("isServiceAccount") \
                and not plan.after.get("isServiceAccount") and mfa_enabled():
            loses_login = ("it would turn service-account mode off for %s while MFA is enabled on the server "
                           "(only service accounts can use the REST API then)" % plan.name)
        demoted = plan.after is not None and not has_backup_administrator(plan.after, admin_role_id)
        changes.append(lockout.AccessChange(plan.name, removed=plan.before is not None and plan.after is None,
                                            loses_admin=was_admin and demoted, loses_login=loses_login,
                                            was_admin=was_admin))
    return changes


def lockout_refusals(client, plans, protection, all_accounts=None):
    """Every lockout refusal of ``plans`` (empty when safe). Reads the server only when it must decide.

    ``all_accounts`` is every account on the server when the caller has read them all already.
    """
    changed = [plan for plan in plans if plan.changed]
    if not changed:
        return []
    admin_role = client.backup_administrator_role()
    settings = {}

    def mfa_enabled():
        if "mfa" not in settings:
            settings["mfa"] = client.mfa_enabled()
        return settings["mfa"]

    def admin_left():
        accounts = all_accounts if all_accounts is not None else client.list_users()
        return any(has_backup_administrator(user, admin_role["id"]) for user in final_accounts(changed, accounts))

    changes = access_changes(changed, admin_role["id"], mfa_enabled)
    return lockout.refusals(changes, protection, admin_role["name"], "VBR server", admin_left)


def guard_lockout(client, plans, protection, all_accounts=None, skip_refused=False):
    """Refuse (LockoutRefused, nothing written) a plan that would lock the automation, a protected account or
    everyone out. With ``skip_refused`` the accounts concerned are left out instead (see lockout.decide): returns the
    :class:`LockoutRefused` that names them, or None.
    """
    return lockout.decide(plans, lambda remaining: lockout_refusals(client, remaining, protection, all_accounts),
                          "VBR users", skip_refused)


def connected_accounts(client, protection):
    """The VBR users that are the account the task is connected as, in any spelling (see lockout.user_part)."""
    part = lockout.user_part(protection.login)
    found = [user for user in client.list_users(name_filter=part) if protection.is_connected(user["name"])]
    return found or [user for user in client.list_users() if protection.is_connected(user["name"])]


def guard_mfa_lockout(client, protection):
    """Refuse (LockoutRefused) turning MFA on when the connected account is not a service account of its own."""
    fix = "make it a service account first (backupops.veeam.vbr_user with is_service_account: true)"
    if not protection.login:
        found = [lockout.Refusal([], "it turns MFA on, and the task logs in with an access token without username, "
                                     "so it cannot check that it logs in as a service account; give username too")]
    else:
        accounts = connected_accounts(client, protection)
        if not accounts:
            found = [lockout.Refusal([protection.login], (
                "it would turn MFA on while %s, the account this task is connected as, is not a VBR user of its own "
                "(its access may come from a group) and so not a service account: it could no longer log in; add it "
                "as a user and %s") % (protection.login, fix))]
        else:
            found = [lockout.Refusal([account["name"]], (
                "it would turn MFA on while %s, the account this task is connected as (%s), is not a service "
                "account: it could no longer log in; %s") % (account["name"], protection.login, fix))
                for account in accounts if not account.get("isServiceAccount")]
    if found:
        raise lockout.LockoutRefused(found, "the VBR MFA setting")


# ---------------------------------------------------------------------------------------------- executing
def apply_plan(client, plan):
    """Send the plan's writes; returns the user record after them (None when removed)."""
    result = plan.before
    for action, target in plan.actions:
        result = _apply_action(client, plan, action, target, result)
        plan.done.append(action)
    return result


def _apply_action(client, plan, action, target, result):
    if action == CREATE:
        return _create(client, plan, target)
    if action == DELETE:
        client.delete_user(target["id"])
        return None
    if action == SET_ROLES:
        return dict(result, roles=client.set_user_roles(target["id"], target["roles"]))
    return client.set_service_account_mode(target["id"], target["isServiceAccount"])


def _create(client, plan, target):
    """Create the account; when it turns out to exist already (another run, a lost answer), update it instead."""
    user, existed = client.create_user(target["name"], target["type"], target["roles"], target["isServiceAccount"])
    if not existed:
        return user
    spec = {"name": target["name"], "type": target["type"], "is_service_account": target["isServiceAccount"]}
    update = plan_update(user, spec, plan.intent)
    plan.note = "existed already on the server; updated instead of created"
    after = apply_plan(client, update)
    plan.done.extend(update.done)
    return after


def plan_result(plan, after, outcome, error=None):
    """The per-account entry of a module result; ``after`` is the record after the writes (or as predicted)."""
    entry = {"name": plan.name, "changed": outcome == outcomes.CHANGED or bool(plan.done), "outcome": outcome,
             "before": user_result(plan.before) if plan.before else None,
             "after": user_result(after) if after else None}
    if plan.reason:
        entry["reason"] = plan.reason
    if plan.note:
        entry["note"] = plan.note
    if error is not None:
        entry["error"] = error
    return entry


def _roles_written(plan, entry):
    """Whether this run set the account's role list (to be read back, see _verify_roles)."""
    changed = entry["outcome"] == outcomes.CHANGED and entry["after"] is not None
    return changed and plan.intent is not None and SET_ROLES in plan.done


def execute(client, plans, check_mode, refusal=None, workers=1):
    """Apply the plans (unless in check mode), up to ``workers`` accounts at once; returns an :class:`outcomes.Run`
    with one entry per plan, in plan order.

    A failure of one account's write (a 4xx about that account) is recorded and the others go on; any other
    failure (the server or the connection) stops the run, and the accounts not started by then are
    ``not_attempted``. Role lists written are read back at the end (see :func:`_verify_roles`).
    """
    def settled(plan):
        refused = refusal.reason_for(plan.name) if refusal is not None else None
        if refused:
            return plan_result(plan, plan.before, outcomes.REFUSED, {"message": refused, "error_code": "lockout"})
        if not plan.changed:
            return plan_result(plan, plan.before, outcomes.UNCHANGED)
        if check_mode:
            return plan_result(plan, plan.after, outcomes.CHANGED)
        return None

    def write(plan):
        return plan_result(plan, apply_plan(client, plan), outcomes.CHANGED)

    def failed(plan, error):
        if error is None:
            return plan_result(plan, plan.before, outcomes.NOT_ATTEMPTED)
        return plan_result(plan, plan.before, outcomes.FAILED, outcomes.error_data(error))

    run = outcomes.execute_plans("VBR users", plans, settled, write, failed, workers)
    written = [(plan, entry["after"], entry) for plan, entry in zip(plans, run.entries)
               if not check_mode and _roles_written(plan, entry)]
    if written:
        _verify_roles(client, written, run)
    return run


def _verify_roles(client, written, run):
    """Read back the role lists just written; where another writer changed them, merge with the task's intent and
    write again (a few rounds), or record the account as failed: success is never reported for roles that are not
    on the server."""
    pending = written
    for round_number in range(ROLE_WRITE_ROUNDS):
        try:
            current = _read_back(client, [after for _plan, after, _entry in pending])
        except VeeamError as error:
            _unverified(pending, error, run)
            return
        differing = []
        for plan, after, entry in pending:
            now = current.get(after["id"])
            if now is None:
                run.replace(entry, outcomes.FAILED, VeeamError(
                    "%s disappeared from the VBR server right after its roles were written (removed by another "
                    "writer)" % plan.name, error_code="concurrent_change"), plan.name)
            elif plan.intent.holds(now.get("roles"), plan.name):
                entry["after"] = user_result(now)
            else:
                differing.append((plan, now, entry))
        if not differing or round_number == ROLE_WRITE_ROUNDS - 1:
            break
        pending = _write_again(client, differing, run)
    for plan, _now, entry in differing:
        run.replace(entry, outcomes.FAILED, VeeamError(
            "Another writer kept changing the roles of %s at the same time; after %d attempts the roles this task "
            "asks for are still not on the VBR server" % (plan.name, ROLE_WRITE_ROUNDS),
            error_code="concurrent_change", hint="Run the task again when the other change is done."), plan.name)


def _unverified(pending, error, run):
    """The roles were written but cannot be read back: say so, and fail unless the task itself took its access."""
    for plan, _after, entry in pending:
        if error.status in (401, 403):  # allow_lockout: the task's own change took its access away
            entry["note"] = ("written; not read back, because the VBR server no longer lets this account read "
                             "users (HTTP %s)" % error.status)
        else:
            run.replace(entry, outcomes.FAILED, VeeamError(
                "The roles of %s were written but could not be read back to confirm them: %s"
                % (plan.name, error.sentence()), status=error.status, error_code=error.error_code), plan.name)


def _write_again(client, differing, run):
    """Write the task's intent over what another writer left; returns what was written."""
    rewritten = []
    for plan, now, entry in differing:
        try:
            roles = client.set_user_roles(now["id"], plan.intent.apply(now.get("roles"), plan.name))
        except VeeamError as error:
            run.replace(entry, outcomes.FAILED, error, plan.name)
            continue
        rewritten.append((plan, dict(now, roles=roles), entry))
    return rewritten


def _read_back(client, records):
    """{id: the account as the server has it now} for the given records (missing ids are gone)."""
    if len(records) <= SINGLE_READS_AT_MOST:
        found = (client.get_user(record["id"]) for record in records)
        return dict((user["id"], user) for user in found if user is not None)
    return dict((user["id"], user) for user in client.list_users())
