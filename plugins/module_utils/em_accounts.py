# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Enterprise Manager accounts: names per type, a normalised view of an account, and the plan of changes.

EM changes an account only through sub-resources (roles, scopes) and a toggle (AllowRestoreAllVms); its FLR and
SQL settings cannot be edited at all. The plan orders the writes so that an account never loses its last role
or its last scope on the way: add first, toggle, then remove.
"""

import re

from ansible_collections.backupops.veeam.plugins.module_utils import account_names, lockout, outcomes, parallel
from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.transport import send_unrepeatable
from ansible_collections.backupops.veeam.plugins.module_utils.em_client import find_role, href_id, uid_id

ACCOUNT_TYPES = ("User", "Group", "ExternalUser", "ExternalGroup")
NAME_FORMS = {"User": ("down_level",), "Group": ("down_level",), "ExternalUser": ("upn",), "ExternalGroup": ("any",)}
ADD_ROLE, REMOVE_ROLE, ADD_SCOPES, REMOVE_SCOPE, SET_ALL_VMS = (
    "add_role", "remove_role", "add_scopes", "remove_scope", "set_restore_all_vms")
CREATE, DELETE = "create", "delete"
PORTAL_ADMINISTRATOR = "Portal Administrator"
# The id of the Portal Administrator role in Enterprise Manager's documented roles list.
PORTAL_ADMINISTRATOR_ID = "5f37a46b-9ce2-40f4-8a62-b45b079257fc"


def name_problem(account_type, name, option="name"):
    """A sentence when ``name`` is not valid for ``account_type``, else None."""
    return account_names.name_problem(name, NAME_FORMS[account_type], option=option,
                                      what="Enterprise Manager %s account" % account_type)


def spec_problem(spec, where=""):
    """A sentence for what is wrong in one account spec of the task (``where`` prefixes the option, e.g.
    ``accounts[3].``), or None. Checks that need the server's state come later, in :func:`plan_account`."""
    if not str(spec.get("name") or "").strip():
        return "%sname is empty: give the account's name" % where
    if spec.get("type"):
        problem = name_problem(spec["type"], spec["name"], option=where + "name")
        if problem:
            return problem
    roles = spec.get("roles")
    if roles is not None and not roles:
        return ("%sroles is an empty list: an Enterprise Manager account needs at least one role; use state: absent "
                "to remove the account" % where)
    if roles and any(not str(role).strip() for role in roles):
        return "%sroles holds an empty entry: give a role name or leave it out" % where
    for item in spec.get("restore_scope") or []:
        if scope_fields(item["ref"], item["name"]) is None:
            return ("%srestore_scope ref %r is not a hierarchy reference: use urn:<Platform>:<Type>:<root id>.<object>, "
                    "for example urn:VMware:Vm:<vCenter id>.vm-1023" % (where, item["ref"]))
    if spec.get("allow_restore_all_vms") is False and spec.get("restore_scope") == []:
        return ("%sallow_restore_all_vms is false but restore_scope is empty: give the objects the account may "
                "restore" % where)
    return None


def normalise_extensions(extensions):
    """FLR extensions as a sorted list of lower-case names without dots, from a list or ``"doc,pdf"``."""
    if extensions is None:
        return []
    if isinstance(extensions, str):
        extensions = extensions.split(",")
    return sorted(set(str(item).strip().lstrip(".").lower() for item in extensions if str(item).strip()))


def _bool(value):
    return value is True or str(value).strip().lower() == "true"


def _required_bool(entity, key):
    """A Boolean EM always sends: one that is missing or not true/false is an error, never read as false (which
    would lead to writes)."""
    value = entity.get(key) if isinstance(entity, dict) else None
    if isinstance(value, bool) or str(value).strip().lower() in ("true", "false", "1", "0"):
        return value is True or str(value).strip().lower() in ("true", "1")
    found = ", ".join(sorted(entity)) if isinstance(entity, dict) else type(entity).__name__
    raise VeeamError("Enterprise Manager sent an account entity whose %s is %r, where true or false is expected "
                     "(keys found: %s)" % (key, value, found), error_code="unexpected_response",
                     hint="Nothing was changed on the strength of that answer. Please report it with Enterprise "
                          "Manager's version (make test-live writes a report to attach).")


HIERARCHY_REF = re.compile(r"^urn:(?P<platform>[^:]+):(?P<type>[^:]+):(?P<root>[^.:\s]+)\.(?P<object>\S+)$")


def scope_fields(ref, name):
    """A restore-scope item as EM lists it (it lists no reference): name, platform, object type, root."""
    parts = HIERARCHY_REF.match(ref or "")
    if not parts:
        return None
    return {"name": name, "platform": parts.group("platform"), "object_type": parts.group("type"),
            "root": parts.group("root")}


def scope_key(item):
    return tuple(str(item[key]).casefold() for key in ("platform", "object_type", "root", "name"))


def scope_view(scope_items):
    """An account's restore scope as EM lists it, as plain data sorted by :func:`scope_key`."""
    scopes = [{"name": item.get("Name"), "platform": item.get("Platform"), "object_type": item.get("HierarchyObjectType"),
               "root": item.get("HierarchyRootName"), "scope_id": href_id(item.get("Href"))} for item in scope_items]
    return sorted(scopes, key=scope_key)


UUID_LIKE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def same_scope_item(wanted, listed):
    """Whether the scope item EM lists is the one the task names by reference.

    EM lists no reference, and its documents give ``HierarchyRootName`` two readings: the hierarchy root's id (the
    parameter table) or the vCenter host name (the restore-scope walkthrough). The root counts when EM shows an
    id; a host name cannot be compared with the id in a reference, so then name, platform and type decide.
    """
    if any(str(wanted[key]).casefold() != str(listed[key] or "").casefold()
           for key in ("platform", "object_type", "name")):
        return False
    root = str(listed.get("root") or "")
    return not UUID_LIKE.match(root) or root.casefold() == str(wanted["root"]).casefold()


def match_scope(wanted_items, listed_items):
    """Pairs each wanted item (``scope_fields`` of a reference) with at most one listed item, exact roots first.

    Returns ``(pairs, missing, extra)``: matched (wanted, listed) pairs, wanted items EM does not list, and listed
    items the task does not want.
    """
    unused = list(listed_items)
    pairs, missing = [], []
    ordered = sorted(wanted_items, key=lambda item: not any(
        str(other.get("root") or "").casefold() == str(item["root"]).casefold() for other in listed_items))
    for wanted in ordered:
        loose = [item for item in unused if same_scope_item(wanted, item)]
        exact = [item for item in loose if str(item.get("root") or "").casefold() == str(wanted["root"]).casefold()]
        found = (exact or loose or [None])[0]
        if found is None:
            missing.append(wanted)
        else:
            unused.remove(found)
            pairs.append((wanted, found))
    return pairs, missing, unused


def account_view(entity, role_items, scope_items):
    """An account (entity, its roles, its scopes) as plain data: what modules compare and return."""
    flr = entity.get("FlrSettings") or {}
    sql = entity.get("SqlSettings") or {}
    roles = [(item.get("RoleName"), href_id(item.get("Href"))) for item in role_items]
    return {
        "uid": entity.get("UID"), "id": uid_id(entity.get("UID")), "name": entity.get("Name"),
        "type": entity.get("AccountType"),
        "roles": sorted((name for name, _role_id in roles), key=lambda name: str(name).casefold()),
        "role_ids": dict((str(name).casefold(), role_id) for name, role_id in roles),
        "allow_restore_all_vms": _required_bool(entity, "AllowRestoreAllVms"),
        "restore_scope": scope_view(scope_items),
        "flr_settings": {"inplace_only": _bool(flr.get("FlrInplaceOnly")),
                         "extensions": normalise_extensions(flr.get("FlrExtentionRestrictions"))},
        "sql_settings": {"deny_in_place_restore": _bool(sql.get("DenyInPlaceRestore"))},
    }


def account_result(view):
    """The account as modules return it (no internal ids of role links or scope items)."""
    if view is None:
        return None
    result = dict((key, value) for key, value in view.items() if key != "role_ids")
    result["restore_scope"] = [dict((key, value) for key, value in item.items() if key not in ("scope_id", "ref"))
                               for item in view["restore_scope"]]
    return result


def desired_settings(params):
    """The FLR and SQL settings the task asks for (None where it does not say)."""
    flr = params.get("flr_settings")
    sql = params.get("sql_settings")
    return ({"inplace_only": bool(flr.get("inplace_only")), "extensions": normalise_extensions(flr.get("extensions"))}
            if flr is not None else None,
            {"deny_in_place_restore": bool(sql.get("deny_in_place_restore"))} if sql is not None else None)


def immutable_differences(view, params):
    """Names of the settings EM cannot edit that differ from what the task asks for."""
    flr, sql = desired_settings(params)
    differences = []
    if params.get("type") and params["type"] != view["type"]:
        differences.append("type (%s -> %s)" % (view["type"], params["type"]))
    if flr is not None and flr != view["flr_settings"]:
        differences.append("flr_settings")
    if sql is not None and sql != view["sql_settings"]:
        differences.append("sql_settings")
    return differences


def predicted_view(view, params, roles):
    """The account as it will be after the plan: ``view`` (None for a new account) with the task's wishes."""
    flr, sql = desired_settings(params)
    scope = params.get("restore_scope")
    predicted = dict(view or {"uid": None, "id": None, "name": params["name"], "type": params.get("type") or "User",
                              "role_ids": {}, "restore_scope": [],
                              "flr_settings": {"inplace_only": False, "extensions": []},
                              "sql_settings": {"deny_in_place_restore": False}})
    if roles is not None:
        predicted["roles"] = sorted((role["name"] for role in roles), key=str.casefold)
    if scope is not None:
        wanted = [dict(scope_fields(item["ref"], item["name"]), ref=item["ref"], scope_id=None) for item in scope]
        pairs, missing, _extra = match_scope(wanted, (view or {}).get("restore_scope") or [])
        predicted["restore_scope"] = sorted([listed for _wanted, listed in pairs] + missing, key=scope_key)
    allow_all = params.get("allow_restore_all_vms")
    if allow_all is None and view is None:
        allow_all = not scope
    if allow_all is not None:
        predicted["allow_restore_all_vms"] = allow_all
    if flr is not None:
        predicted["flr_settings"] = flr
    if sql is not None:
        predicted["sql_settings"] = sql
    return predicted


def plan_update(view, params, roles):
    """Writes that turn ``view`` into what the task asks for, in a safe order."""
    steps = []
    current_roles = set(name.casefold() for name in view["roles"])
    wanted_roles = dict((role["name"].casefold(), role) for role in roles or [])
    if roles is not None:
        steps += [(ADD_ROLE, role) for key, role in sorted(wanted_roles.items()) if key not in current_roles]
    scope = params.get("restore_scope")
    missing, extra = [], []
    if scope is not None:
        wanted = [dict(scope_fields(item["ref"], item["name"]), ref=item["ref"]) for item in scope]
        _pairs, missing, extra = match_scope(wanted, view["restore_scope"])
        if missing:
            steps.append((ADD_SCOPES, [{"ref": item["ref"], "name": item["name"]} for item in missing]))
    allow_all = params.get("allow_restore_all_vms")
    if allow_all is not None and allow_all != view["allow_restore_all_vms"]:
        steps.append((SET_ALL_VMS, allow_all))
    steps += [(REMOVE_SCOPE, item) for item in sorted(extra, key=scope_key)]
    if roles is not None:
        steps += [(REMOVE_ROLE, view["role_ids"][key]) for key in sorted(current_roles) if key not in wanted_roles]
    return steps


def create_spec(params, roles):
    """The EnterpriseAccountCreateSpec of a new account (JSON, in the XSD's element order)."""
    scope = params.get("restore_scope") or []
    allow_all = params.get("allow_restore_all_vms")
    if allow_all is None:
        allow_all = not scope
    spec = {"AccountType": params.get("type") or "User", "AccountName": params["name"],
            "Roles": {"EnterpriseRoles": [{"EnterpriseRoleUid": role["uid"]} for role in roles]},
            "AllowRestoreAllVms": allow_all}
    if scope:
        spec["HierarchyScopeObjects"] = {"HierarchyScopeItems": [{"HierarchyObjRef": item["ref"],
                                                                  "ObjectName": item["name"]} for item in scope]}
    flr, sql = desired_settings(params)
    if flr is not None:
        spec["FlrSettings"] = {"FlrInplaceOnly": flr["inplace_only"],
                               "FlrExtentionRestrictions": ",".join(flr["extensions"])}
    if sql is not None:
        spec["SqlSettings"] = {"DenyInPlaceRestore": sql["deny_in_place_restore"]}
    return spec


# ---------------------------------------------------------------------------------------------- what EM refuses
def create_spec_problems(spec):
    """Sentences for everything Enterprise Manager would refuse in a create spec (its documented checks)."""
    problems = []
    name_issue = name_problem(spec["AccountType"], spec["AccountName"])
    if name_issue:
        problems.append(name_issue)
    if not spec["Roles"]["EnterpriseRoles"]:
        problems.append("an account needs at least one role")
    items = (spec.get("HierarchyScopeObjects") or {}).get("HierarchyScopeItems") or []
    if not spec["AllowRestoreAllVms"] and not items:
        problems.append("allow_restore_all_vms is false, so Enterprise Manager needs at least one object in the "
                        "scope: give restore_scope")
    refs = [item["HierarchyObjRef"].casefold() for item in items]
    problems += ["restore_scope ref %r is not a hierarchy reference (urn:<Platform>:<Type>:<root id>.<object>)"
                 % item["HierarchyObjRef"] for item in items if scope_fields(item["HierarchyObjRef"], "") is None]
    if len(set(refs)) != len(refs):
        problems.append("restore_scope lists the same object more than once")
    flr = spec.get("FlrSettings")
    if flr and flr["FlrInplaceOnly"] and not flr["FlrExtentionRestrictions"]:
        problems.append("flr_settings.inplace_only is true but no extensions are given: Enterprise Manager needs "
                        "the permitted file extensions (for example extensions: [doc, pdf])")
    return problems


def final_state_problems(view):
    """Sentences for what Enterprise Manager would refuse in the state an update leads to."""
    if view["allow_restore_all_vms"] is False and not view["restore_scope"]:
        return ["restore_scope would be empty while allow_restore_all_vms is false: Enterprise Manager keeps at "
                "least one object in the scope of such an account (give restore_scope, or allow_restore_all_vms: "
                "true)"]
    return []


def refuse_invalid(name, problems):
    raise VeeamError("Enterprise Manager would refuse this for %s: %s. Nothing was changed"
                     % (name, "; ".join(problems)), error_code="invalid_input")


# ---------------------------------------------------------------------------------------------- the plan
class AccountPlan(object):
    """What one account needs: its current view, the predicted view, and the writes to get there.

    A re-create (settings EM cannot edit) is a delete and a create; ``restore`` is then the create spec that puts the
    original account back if the create fails after the delete.
    """

    def __init__(self, name, before, after, steps, recreate=False, restore=None, reason=None, spec=None):
        self.name = name
        self.before = before
        self.after = after
        self.steps = steps
        self.recreate = recreate
        self.restore = restore
        self.reason = reason
        self.spec = spec
        self.done = []
        self.note = None

    @property
    def changed(self):
        return bool(self.steps)


def plan_account(before, spec, roles, all_roles):
    """The plan for one account spec (the module's options for it; ``roles`` resolved, or None to keep them).

    Makes every check Enterprise Manager would make before anything is written (in check mode too); raises a
    VeeamError (invalid_input) naming what it would refuse.
    """
    name = spec["name"]
    if spec.get("state", "present") == "absent":
        return AccountPlan(before["name"] if before else name, before, None, [(DELETE, before)] if before else [])
    if before is None:
        return _plan_create(spec, roles)
    differences = immutable_differences(before, spec)
    if differences:
        if not spec.get("recreate"):
            raise VeeamError("Enterprise Manager cannot change %s of an existing account (%s). Set recreate: true to "
                             "delete the account and create it again with all of its settings (its roles and restore "
                             "scope are kept unless the task gives new ones). Nothing was changed"
                             % (" or ".join(differences), before["name"]), error_code="invalid_input")
        return _plan_recreate(before, spec, roles, all_roles)
    after = predicted_view(before, spec, roles)
    problems = final_state_problems(after)
    if problems:
        refuse_invalid(before["name"], problems)
    steps = plan_update(before, spec, roles)
    return AccountPlan(before["name"], before, after if steps else before, steps, spec=spec)


def _plan_create(spec, roles):
    if not roles:
        raise VeeamError("Cannot add %s to Enterprise Manager without roles: give roles (for example Portal User or VM "
                         "Restore Operator)" % spec["name"], error_code="invalid_input")
    create = create_spec(spec, roles)
    problems = create_spec_problems(create)
    if problems and not spec.get("type") and name_problem("User", spec["name"]):
        problems[0] += " (without type, the account is a User)"
    if problems:
        refuse_invalid(spec["name"], problems)
    return AccountPlan(spec["name"], None, predicted_view(None, spec, roles), [(CREATE, create)], spec=spec)


def _plan_recreate(before, spec, roles, all_roles):
    """Delete and create again with every setting: the task's where given, the account's own otherwise."""
    wanted = dict(spec)
    wanted["type"] = wanted.get("type") or before["type"]
    if wanted.get("restore_scope") is None:
        if before["restore_scope"]:
            raise VeeamError("To recreate %s give its restore_scope too: Enterprise Manager does not list the "
                             "references of an account's scope, so they cannot be copied. Nothing was changed"
                             % before["name"], error_code="invalid_input")
        wanted["restore_scope"] = []
    if wanted.get("allow_restore_all_vms") is None:
        wanted["allow_restore_all_vms"] = before["allow_restore_all_vms"]
    for key in ("flr_settings", "sql_settings"):
        if wanted.get(key) is None:
            wanted[key] = before[key]
    if roles is None:
        roles = _roles_of(before, all_roles)
    create = create_spec(wanted, roles)
    problems = create_spec_problems(create)
    if problems:
        refuse_invalid(before["name"], problems)
    after = predicted_view(None, wanted, roles)
    return AccountPlan(before["name"], before, after, [(DELETE, before), (CREATE, create)], recreate=True,
                       restore=restore_spec(before, wanted, all_roles), spec=spec)


def plan_removal(view, reason=None):
    """The plan that removes an existing account (``exclusive``)."""
    return AccountPlan(view["name"], view, None, [(DELETE, view)], reason=reason)


def _roles_of(view, all_roles):
    roles = [find_role(all_roles, role_id) or find_role(all_roles, name)
             for name, role_id in sorted(view["role_ids"].items())]
    return [role for role in roles if role is not None]


def restore_spec(before, wanted, all_roles):
    """The create spec that puts ``before`` back as it was; scope objects whose reference the task gave (EM does not
    list references) are restored, the others cannot be."""
    given = [dict(scope_fields(item["ref"], item["name"]), ref=item["ref"]) for item in wanted.get("restore_scope") or []]
    pairs, _missing, unknown = match_scope(given, before["restore_scope"])
    known = [{"ref": item["ref"], "name": listed["name"]} for item, listed in pairs]
    original = {"name": before["name"], "type": before["type"], "restore_scope": known,
                "allow_restore_all_vms": before["allow_restore_all_vms"], "flr_settings": before["flr_settings"],
                "sql_settings": before["sql_settings"]}
    spec = create_spec(original, _roles_of(before, all_roles))
    spec["_missing_scope"] = [item["name"] for item in unknown]
    return spec


# ---------------------------------------------------------------------------------------------- lockout guard
def is_portal_administrator(role_name, role_id=None):
    return str(role_name or "").casefold() == PORTAL_ADMINISTRATOR.casefold() or \
        str(role_id or "").lower() == PORTAL_ADMINISTRATOR_ID


def _is_admin(view):
    return view is not None and view.get("roles") is not None and \
        any(is_portal_administrator(name, view.get("role_ids", {}).get(name.casefold())) for name in view["roles"])


def access_changes(plans):
    """The plans in the guard's terms (a re-create deletes the account on the way)."""
    changes = []
    for plan in plans:
        if not plan.changed:
            continue
        deletes = any(step == DELETE for step, _payload in plan.steps)
        was_admin = _is_admin(plan.before)
        loses_admin = was_admin and plan.after is not None and not _is_admin(plan.after)
        changes.append(lockout.AccessChange(plan.name, removed=deletes, loses_admin=loses_admin, was_admin=was_admin,
                                            removal="delete (and re-create)" if plan.recreate else "remove"))
    return changes


def lockout_refusals(client, plans, protection, refs):
    """Every lockout refusal of ``plans``; reads the roles of other accounts only to find a Portal Administrator
    that stays, and stops at the first one."""
    changed = [plan for plan in plans if plan.changed]
    if not changed:
        return []
    planned = set(plan.name.casefold() for plan in changed)

    def admin_left():
        if any(plan.after is not None and _is_admin(plan.after) for plan in changed):
            return True
        for ref in refs:
            if str(ref["name"]).casefold() in planned:
                continue
            items = client.account_role_items(ref["id"])
            if any(is_portal_administrator(item.get("RoleName"), href_id(item.get("Href"))) for item in items):
                return True
        return False

    return lockout.refusals(access_changes(changed), protection, PORTAL_ADMINISTRATOR, "Enterprise Manager", admin_left)


def guard_lockout(client, plans, protection, refs, skip_refused=False):
    """As vbr_users.guard_lockout, for Enterprise Manager accounts."""
    return lockout.decide(plans, lambda remaining: lockout_refusals(client, remaining, protection, refs),
                          "Enterprise Manager accounts", skip_refused)


# ---------------------------------------------------------------------------------------------- executing
def read_view(client, account_id):
    return account_view(*client.get_account(account_id))


def read_views(client, refs, workers=1):
    """{folded name: view} of the accounts ``refs`` name, read up to ``workers`` at a time."""
    views = parallel.map_bounded(lambda ref: read_view(client, ref["id"]), refs, workers)
    return dict((str(view["name"]).casefold(), view) for view in views)


class RecreateFailed(VeeamError):
    """The account was deleted for a re-create, and the create failed; ``restored`` says if the original is back."""

    def __init__(self, plan, error, restored, restore_error=None):
        missing = plan.restore.get("_missing_scope") or []
        if restored:
            outcome = "The original account was put back with its original settings%s" % (
                "" if not missing else ", except the restore scope objects %s, whose references Enterprise Manager "
                "does not list and the task did not give" % ", ".join(missing))
        else:
            outcome = "The original account could NOT be put back (%s): add it again with its former settings" % (
                restore_error.sentence().rstrip(".") if restore_error else "its restore scope cannot be rebuilt")
        super(RecreateFailed, self).__init__(
            "Re-creating %s failed after it was deleted: the create was refused: %s %s"
            % (plan.name, error.sentence().rstrip(".") + ".", outcome),
            status=error.status, error_code=error.error_code, message=error.message, method=error.method,
            path=error.path, outcome_unknown=error.outcome_unknown)
        self.restored = restored


def apply_plan(client, plan, read_back=True):
    """Send the plan's writes; returns the account's view after them (None when removed), read back from EM or,
    with ``read_back=False``, as planned."""
    if plan.recreate:
        return _recreate(client, plan, read_back)
    for step, payload in plan.steps:
        if step == DELETE:
            client.delete_account(payload["id"])
            plan.done.append(step)
            return None
        if step == CREATE:
            return _create(client, plan, payload, read_back)
        _apply_step(client, plan.before["id"], step, payload)
        plan.done.append(step)
    return _read_after(client, plan, plan.before["id"]) if read_back else plan.after


def _read_after(client, plan, account_id):
    """The account as EM has it after the writes; the predicted view when the task's own change (allow_lockout)
    took away its right to read accounts."""
    try:
        return read_view(client, account_id)
    except VeeamError as error:
        if error.status not in (401, 403):
            raise
        plan.note = ("written; not read back, because Enterprise Manager no longer lets this account read accounts "
                     "(HTTP %s)" % error.status)
    return plan.after


def _apply_step(client, account_id, step, payload):
    if step == ADD_ROLE:
        client.add_account_role(account_id, payload)
    elif step == REMOVE_ROLE:
        client.remove_account_role(account_id, payload)
    elif step == ADD_SCOPES:
        _add_scopes(client, account_id, payload)
    elif step == REMOVE_SCOPE:
        client.remove_account_scope(account_id, payload["scope_id"])
    elif step == SET_ALL_VMS:
        client.set_restore_all_vms(account_id, payload)


def _add_scopes(client, account_id, items):
    """Add scope objects (a POST that fails when repeated): after an unknown outcome, read the scope first and send
    only the objects still missing."""
    state = {"missing": list(items)}

    def send():
        client.add_account_scopes(account_id, state["missing"])

    def reread():
        wanted = [dict(scope_fields(item["ref"], item["name"]), ref=item["ref"]) for item in items]
        _pairs, missing, _extra = match_scope(wanted, scope_view(client.account_scope_items(account_id)))
        state["missing"] = [{"ref": item["ref"], "name": item["name"]} for item in missing]
        return True if not state["missing"] else None

    send_unrepeatable(client.transport, send, reread)


def _create(client, plan, spec, read_back=True):
    """Create the account; when it exists already (another run, a lost answer), update it to the plan instead."""
    ref, existed = client.create_account(_sendable(spec), lookup=read_back)
    if not existed:
        plan.done.append(CREATE)
        if not read_back:
            return plan.after
    view = read_view(client, ref["id"])
    if not existed:
        return view
    update = plan_account(view, dict(plan.spec, recreate=False), _roles_in(spec, client.list_roles()),
                          client.list_roles())
    plan.note = "existed already in Enterprise Manager; updated instead of created"
    for step, payload in update.steps:
        _apply_step(client, view["id"], step, payload)
    return read_view(client, view["id"]) if update.steps else view


def _roles_in(spec, all_roles):
    return [find_role(all_roles, role["EnterpriseRoleUid"]) for role in spec["Roles"]["EnterpriseRoles"]]


def _sendable(spec):
    return dict((key, value) for key, value in spec.items() if not key.startswith("_"))


def _recreate(client, plan, read_back=True):
    client.delete_account(plan.before["id"])
    plan.done.append(DELETE)
    try:
        ref, _existed = client.create_account(_sendable(plan.steps[1][1]), lookup=read_back)
    except VeeamError as error:
        raise _restore(client, plan, error)
    plan.done.append(CREATE)
    return read_view(client, ref["id"]) if read_back else plan.after


def _restore(client, plan, error):
    """After a failed create: put the original account back. Returns the RecreateFailed to raise."""
    if create_spec_problems(plan.restore):
        return RecreateFailed(plan, error, restored=False)
    try:
        client.create_account(_sendable(plan.restore))
    except VeeamError as restore_error:
        return RecreateFailed(plan, error, restored=False, restore_error=restore_error)
    return RecreateFailed(plan, error, restored=True)


def plan_entry(plan, after, outcome, error=None):
    """The per-account entry of a module result."""
    entry = {"name": plan.name, "changed": outcome == outcomes.CHANGED or bool(plan.done), "outcome": outcome,
             "before": account_result(plan.before) if plan.before and plan.before.get("roles") is not None else None,
             "after": account_result(after) if after else None, "recreated": plan.recreate and outcome == outcomes.CHANGED}
    for key in ("reason", "note"):
        if getattr(plan, key):
            entry[key] = getattr(plan, key)
    if error is not None:
        entry["error"] = error
    return entry


def execute(client, plans, check_mode, refusal=None, workers=1, read_back=True):
    """Apply the plans (unless in check mode), up to ``workers`` accounts at once; returns an :class:`outcomes.Run`
    (see vbr_users.execute).

    ``read_back=False`` (the bulk form) reports the predicted account after a write instead of reading each one
    back: every write was answered with success, and EM changes accounts one role or scope item at a time, so no
    other writer's change can be lost; the ids of created accounts come from one read of the account list.
    """
    def settled(plan):
        refused = refusal.reason_for(plan.name) if refusal is not None else None
        if refused:
            return plan_entry(plan, plan.before, outcomes.REFUSED, {"message": refused, "error_code": "lockout"})
        if not plan.changed:
            return plan_entry(plan, plan.before, outcomes.UNCHANGED)
        if check_mode:
            return plan_entry(plan, plan.after, outcomes.CHANGED)
        return None

    def write(plan):
        return plan_entry(plan, apply_plan(client, plan, read_back), outcomes.CHANGED)

    def failed(plan, error):
        if error is None:
            return plan_entry(plan, plan.before, outcomes.NOT_ATTEMPTED)
        entry = plan_entry(plan, None if isinstance(error, RecreateFailed) else plan.before, outcomes.FAILED,
                           outcomes.error_data(error))
        if isinstance(error, RecreateFailed):
            entry.update(deleted=account_result(plan.before), restored=error.restored)
        return entry

    run = outcomes.execute_plans("Enterprise Manager accounts", plans, settled, write, failed, workers)
    if not check_mode and not read_back:
        _fill_in_created_ids(client, run)
    return run


def _fill_in_created_ids(client, run):
    """Give the accounts created without a read-back their uid and id, from one read of the account list."""
    missing = [entry for entry in run.entries if entry["after"] and not entry["after"].get("id")]
    if not missing:
        return
    refs = dict((str(ref["name"]).casefold(), ref) for ref in client.list_accounts())
    for entry in missing:
        ref = refs.get(entry["name"].casefold())
        if ref is None:
            run.replace(entry, outcomes.FAILED, VeeamError(
                "Enterprise Manager accepted the account %s but does not list it" % entry["name"],
                error_code="not_created"), entry["name"])
        else:
            entry["after"].update(uid=ref["uid"], id=ref["id"])
