# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Custom roles of VBR 13.1 (REST API 1.3-rev2): which role a name means, and whether it already is as wanted.

A server answers ``GET /roles/{id}/details`` in its own way: lists in its own order, and defaults filled in where
the request left them out (an empty ``repositories`` list next to ``allRepositories: true``, a restore option's
``group`` and ``description``). :func:`same_role` compares what the task asks for with that answer so that a
re-run reports no change: lists compare as sets, a list that an "all" flag makes meaningless is ignored, and
what the server adds to an object the task gave is the server's default.
"""

import json

from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.vbr_client import (
    built_in_name_clash, describe_role, is_built_in, matching_roles, role_key, same_name)

# (module option, CustomRoleModel property)
FIELDS = (("description", "description"), ("manage_backups", "manageBackups"), ("manage_restores", "manageRestores"),
          ("inventory_scope", "inventoryScope"), ("repository_scope", "repositoryScope"),
          ("restore_permissions_scope", "restorePermissionsScope"), ("restore_target_scope", "restoreTargetScope"))

# In 1.3-rev2's scope models a true flag makes its list meaningless ("If true, ... all ...; if false, restricted
# to the ... listed in ..."): {flag: list property}.
ALL_FLAGS = {"entireInventory": "workloads", "allRepositories": "repositories", "allOptions": "restoreOptions",
             "originalLocation": "workloads"}
# entireBackupScope means "everything" in RestoreTargetScopeModel (its restoreTargets), but "from any backup, plus
# these sources" in RestoreScopeBackupModel, where backupSources keep their meaning.
ENTIRE_SCOPE_LISTS = ("restoreTargets",)


def role_result(model):
    """A custom role as the module returns it (snake_case option names)."""
    if model is None:
        return None
    result = {"id": model.get("id"), "name": model.get("name")}
    for option, key in FIELDS:
        result[option] = model.get(key)
    return result


def desired_model(params, current):
    """The CustomRoleModel the task asks for: ``current`` (or a new role's defaults) with the options given."""
    model = dict(current or {"name": params["name"], "manageBackups": False, "manageRestores": False})
    for option, key in FIELDS:
        if params.get(option) is not None:
            model[key] = params[option]
    return model


def existing_custom_role(client, name):
    """The custom role named ``name`` (its ``/details``), or None when there is none yet.

    Refuses (VeeamError, nothing written) a name that is a built-in role's, with or without the ``Veeam `` prefix,
    or that would clash with another custom role's name that way.
    """
    roles = client.list_roles()
    clash = built_in_name_clash(name, roles)
    if clash is not None:
        raise VeeamError("%s is the name of the built-in VBR role %s (VBR 13.0 and 13.1 spell built-in role names "
                         "with and without 'Veeam '). Built-in roles cannot be changed or deleted, and a custom "
                         "role cannot take a built-in role's name: a task giving roles: [%s] would then mean either. "
                         "Choose another name for the custom role" % (name, clash, name),
                         error_code="invalid_input")
    candidates = [role for role in matching_roles(roles, name) if is_built_in(role) is False]
    exact = [role for role in candidates if same_name(role.get("name"), name)]
    if len(candidates) > len(exact) or len(exact) > 1:
        others = [role for role in candidates if role not in exact] or exact
        raise VeeamError("The custom role name %r clashes with %s: role names compare with and without the "
                         "'Veeam ' prefix. Choose another name, or give the existing role's exact name"
                         % (name, " and ".join(describe_role(role) for role in others)),
                         error_code="invalid_input")
    return client.custom_role_details(exact[0]["id"]) if exact else None


def normalised(value):
    """``value`` with the server's freedoms taken out: lists sorted, empty values and meaningless lists dropped."""
    if isinstance(value, dict):
        meaningless = set(items for flag, items in ALL_FLAGS.items() if value.get(flag) is True)
        if value.get("entireBackupScope") is True:
            meaningless.update(ENTIRE_SCOPE_LISTS)
        return dict((name, normalised(item)) for name, item in value.items()
                    if name not in meaningless and item is not None and item != [] and item != {})
    if isinstance(value, list):
        return sorted((normalised(item) for item in value), key=_canonical)
    return value


def _canonical(value):
    return json.dumps(value, sort_keys=True, default=str)


def covers(wanted, actual):
    """True when ``actual`` (the server's, normalised) is ``wanted`` (normalised) with at most defaults added:
    every key of an object ``wanted`` gives matches, a list matches item for item in any order."""
    if isinstance(wanted, dict):
        return isinstance(actual, dict) and all(key in actual and covers(item, actual[key])
                                                for key, item in wanted.items())
    if isinstance(wanted, list):
        if not isinstance(actual, list) or len(wanted) != len(actual):
            return False
        unused = list(actual)
        for item in wanted:
            match = next((index for index, candidate in enumerate(unused) if covers(item, candidate)), None)
            if match is None:
                return False
            unused.pop(match)
        return True
    return wanted == actual


def same_role(desired, current):
    """Whether the server's ``current`` role already is what ``desired`` asks for (see the module docstring)."""
    if current is None or desired is None:
        return current is desired
    if role_key(desired.get("name")) != role_key(current.get("name")):
        return False
    if (desired.get("description") or "") != (current.get("description") or ""):
        return False
    for key in ("manageBackups", "manageRestores"):
        if bool(desired.get(key)) != bool(current.get(key)):
            return False
    scopes = [key for _option, key in FIELDS[3:]]
    return all(covers(normalised(desired.get(key)), normalised(current.get(key)))
               for key in scopes if desired.get(key) is not None)
