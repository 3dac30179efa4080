# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Enterprise Manager accounts: names per type, a normalised view of an account, and the plan of changes.

EM changes an account only through sub-resources (roles, scopes) and a toggle (AllowRestoreAllVms); its FLR and
SQL settings cannot be edited at all. The plan orders the writes so that an account never loses its last role
or its last scope on the way: add first, toggle, then remove.
"""

import re

from ansible_collections.backupops.veeam.plugins.module_utils import account_names
from ansible_collections.backupops.veeam.plugins.module_utils.em_client import uid_id

ACCOUNT_TYPES = ("User", "Group", "ExternalUser", "ExternalGroup")
NAME_FORMS = {"User": ("down_level",), "Group": ("down_level",), "ExternalUser": ("upn",), "ExternalGroup": ("any",)}
ADD_ROLE, REMOVE_ROLE, ADD_SCOPES, REMOVE_SCOPE, TOGGLE_ALL_VMS = (
    "add_role", "remove_role", "add_scopes", "remove_scope", "toggle_restore_all_vms")


def name_problem(account_type, name):
    """A sentence when ``name`` is not valid for ``account_type``, else None."""
    return account_names.name_problem(name, NAME_FORMS[account_type],
                                      what="Enterprise Manager %s account" % account_type)


def normalise_extensions(extensions):
    """FLR extensions as a sorted list of lower-case names without dots, from a list or ``"doc,pdf"``."""
    if extensions is None:
        return []
    if isinstance(extensions, str):
        extensions = extensions.split(",")
    return sorted(set(str(item).strip().lstrip(".").lower() for item in extensions if str(item).strip()))


def _bool(value):
    return value is True or str(value).strip().lower() == "true"


def href_id(href):
    """The last segment of an EM ``Href`` (the id of a role link or scope item)."""
    return str(href or "").split("?", maxsplit=1)[0].rstrip("/").rsplit("/", 1)[-1]


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
        exact = [item for item in unused if same_scope_item(wanted, item)
                 and str(item.get("root") or "").casefold() == str(wanted["root"]).casefold()]
        loose = [item for item in unused if same_scope_item(wanted, item)]
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
    scopes = [{"name": item.get("Name"), "platform": item.get("Platform"), "object_type": item.get("HierarchyObjectType"),
               "root": item.get("HierarchyRootName"), "scope_id": href_id(item.get("Href"))} for item in scope_items]
    return {
        "uid": entity.get("UID"), "id": uid_id(entity.get("UID")), "name": entity.get("Name"),
        "type": entity.get("AccountType"),
        "roles": sorted((name for name, _role_id in roles), key=lambda name: str(name).casefold()),
        "role_ids": dict((str(name).casefold(), role_id) for name, role_id in roles),
        "allow_restore_all_vms": _bool(entity.get("AllowRestoreAllVms")),
        "restore_scope": sorted(scopes, key=scope_key),
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
        steps.append((TOGGLE_ALL_VMS, allow_all))
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
