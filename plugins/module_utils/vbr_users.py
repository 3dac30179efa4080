# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Desired state of VBR users and groups: plan the changes, guard against lockout, apply them.

Planning is pure (no HTTP): it compares what the server has with what the task asks for and returns
actions. Guards look at the whole plan before anything is written, so a refused plan writes nothing.
"""

from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.vbr_client import (
    BACKUP_ADMINISTRATOR, mixed_roles_problem, same_name, user_result)

CREATE, DELETE, SET_ROLES, SET_SERVICE = "create", "delete", "set_roles", "set_service_account"


class UserPlan(object):
    """What one user or group needs: its current record, the predicted record, and the writes to get there."""

    def __init__(self, name, before, after, actions, reason=None):
        self.name = name
        self.before = before
        self.after = after
        self.actions = actions
        self.reason = reason

    @property
    def changed(self):
        return bool(self.actions)


def index_by_name(users):
    return dict((user["name"].casefold(), user) for user in users)


def _role_models(roles):
    return [{"id": role["id"], "name": role["name"]} for role in roles]


def _role_ids(user):
    return set(role["id"].lower() for role in (user or {}).get("roles") or [])


def plan_user(current, spec, roles):
    """The plan for one user spec (keys: name, type, roles [resolved role dicts or None], is_service_account, state).

    Raises VeeamError for what VBR cannot do (change a type, create without roles, built-in and custom roles
    together).
    """
    name = spec["name"]
    if spec.get("state", "present") != "absent" and roles and \
            set(role["id"].lower() for role in roles) != _role_ids(current):
        problem = mixed_roles_problem(current["name"] if current else name, roles)
        if problem:
            raise VeeamError(problem + ". Nothing was changed", error_code="invalid_input")
    if spec.get("state", "present") == "absent":
        if current is None:
            return UserPlan(name, None, None, [])
        return UserPlan(current["name"], current, None, [(DELETE, current)])
    if current is None:
        return _plan_create(spec, roles)
    return _plan_update(current, spec, roles)


def _plan_create(spec, roles):
    if not roles:
        raise VeeamError("Cannot add %s to VBR without roles: give roles (for example Veeam Restore Operator); "
                         "VBR needs at least one role for every user and group" % spec["name"],
                         error_code="invalid_input")
    after = {"id": None, "name": spec["name"], "type": spec.get("type") or "InternalUser",
             "roles": _role_models(roles), "isServiceAccount": bool(spec.get("is_service_account"))}
    return UserPlan(spec["name"], None, after, [(CREATE, after)])


def _plan_update(current, spec, roles):
    wanted_type = spec.get("type")
    if wanted_type and wanted_type != current["type"]:
        message = ("%s exists in VBR as %s, not %s. VBR cannot change the type of a user or group: remove it "
                   "(state: absent) and add it again with the new type" % (current["name"], current["type"], wanted_type))
        raise VeeamError(message, error_code="invalid_input")
    after = dict(current)
    actions = []
    if roles is not None and set(role["id"].lower() for role in roles) != _role_ids(current):
        after["roles"] = _role_models(roles)
        actions.append((SET_ROLES, after))
    wanted_service = spec.get("is_service_account")
    if wanted_service is not None and bool(wanted_service) != bool(current.get("isServiceAccount")):
        after["isServiceAccount"] = bool(wanted_service)
        actions.append((SET_SERVICE, after))
    return UserPlan(current["name"], current, after, actions)


def plan_exclusive_removals(current_users, listed_names):
    """Plans removing every user and group on the server that the task does not list."""
    listed = set(name.casefold() for name in listed_names)
    return [UserPlan(user["name"], user, None, [(DELETE, user)], reason="not listed (exclusive)")
            for user in current_users if user["name"].casefold() not in listed]


def has_backup_administrator(user, admin_role_id):
    return user is not None and admin_role_id.lower() in _role_ids(user)


def lockout_problems(plans, current_users, connected_account, admin_role_id):
    """Sentences for each way the plan would lock the automation (or everyone) out; empty when it is safe."""
    problems = []
    for plan in plans:
        if not plan.changed or connected_account is None or not same_name(plan.name, connected_account):
            continue
        if plan.after is None:
            problems.append("it would remove %s, the account this task is connected as" % plan.name)
        elif has_backup_administrator(plan.before, admin_role_id) and \
                not has_backup_administrator(plan.after, admin_role_id):
            problems.append("it would take %s away from %s, the account this task is connected as"
                            % (BACKUP_ADMINISTRATOR, plan.name))
    demotes = any(_touches_administrators(plan, admin_role_id) for plan in plans)
    if demotes and not any(has_backup_administrator(user, admin_role_id)
                           for user in final_accounts(plans, current_users)):
        problems.append("it would leave the VBR server without any user or group that has the %s role"
                        % BACKUP_ADMINISTRATOR)
    if connected_account is None and demotes:
        problems.append("it removes or demotes a Backup Administrator, and the task logs in with an access_token "
                        "without username, so it cannot check that it keeps its own access; give username too")
    return problems


def final_accounts(plans, current_users):
    """The accounts the server would hold after the plan."""
    final = index_by_name(current_users)
    for plan in plans:
        if plan.changed:
            final.pop(plan.name.casefold(), None)
            if plan.after is not None:
                final[plan.name.casefold()] = plan.after
    return list(final.values())


def _touches_administrators(plan, admin_role_id):
    return plan.changed and has_backup_administrator(plan.before, admin_role_id) and \
        not has_backup_administrator(plan.after, admin_role_id)


def refuse_lockout(problems):
    raise VeeamError("Refusing to change VBR users: %s. Nothing was changed" % "; and ".join(problems),
                     error_code="lockout",
                     hint="If this is really intended (for example the automation account is being retired), "
                          "set allow_lockout: true.")


def apply_plan(client, plan):
    """Send the plan's writes; returns the user record after them (None when removed)."""
    result = plan.before
    for action, target in plan.actions:
        if action == CREATE:
            result = client.create_user(target["name"], target["type"], target["roles"], target["isServiceAccount"])
        elif action == DELETE:
            client.delete_user(target["id"])
            result = None
        elif action == SET_ROLES:
            roles = client.set_user_roles(target["id"], target["roles"])["roles"]
            result = dict(result, roles=roles)
        elif action == SET_SERVICE:
            result = client.set_service_account_mode(target["id"], target["isServiceAccount"])
    return result


def plan_result(plan, after):
    """The per-account entry of a module result; ``after`` is the record after the writes (or as predicted)."""
    entry = {"name": plan.name, "changed": plan.changed,
             "before": user_result(plan.before) if plan.before else None,
             "after": user_result(after) if after else None}
    if plan.reason:
        entry["reason"] = plan.reason
    return entry


def guard_lockout(client, plans, all_accounts=None):
    """Refuse (VeeamError, nothing written) a plan that would lock the automation or everyone out.

    ``all_accounts`` is every account on the server when the caller has read them all; otherwise they are
    read here, and only if the plan demotes or removes a Backup Administrator.
    """
    if not any(plan.changed for plan in plans):
        return
    admin_role = client.backup_administrator_role()
    if all_accounts is None:
        touches = any(has_backup_administrator(plan.before, admin_role["id"]) for plan in plans)
        all_accounts = client.list_users() if touches else []
    problems = lockout_problems(plans, all_accounts, client.username, admin_role["id"])
    if problems:
        refuse_lockout(problems)


def execute(client, plans, check_mode):
    """Apply the plans (unless in check mode); returns the per-account result entries."""
    results = []
    for plan in plans:
        after = plan.after
        if plan.changed and not check_mode:
            after = apply_plan(client, plan)
        results.append(plan_result(plan, after))
    return results
