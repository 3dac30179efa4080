# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the access role: the desired state checked before anything is sent, and what each task gets.

The desired state (documented in roles/access/meta/argument_specs.yml):

- ``access_vbr``: a list of ``{group, accounts}``; every VBR server of the play in the inventory ``group`` (``all``:
  every server) gets the ``accounts`` (``{name, type, roles, service_account}``); a server in several groups gets
  the accounts of each;
- ``access_em``: the Enterprise Manager accounts (``{name, type, roles, restore_scope, allow_restore_all_vms,
  flr_settings, sql_settings}``), or null to leave Enterprise Manager alone;
- ``access_keep``: accounts never touched, on VBR and in Enterprise Manager.

:func:`access_problems` finds, without contacting any server, everything that would make the desired state
ambiguous or that a server would refuse, each problem naming its entry (``access_vbr[1].accounts[3]``). Role names
that are not built-in VBR roles or documented Enterprise Manager roles (custom roles) cannot be checked offline:
:func:`access_unverified_roles` lists them, the role reads the servers' roles, and :func:`access_role_problems`
checks them there, still before anything is written. The documentation of each filter is in the YAML file of the
same name beside this file.
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence

from ansible_collections.backupops.veeam.plugins.filter.access_report import PRODUCT_TYPES
from ansible_collections.backupops.veeam.plugins.module_utils import account_names, em_accounts, vbr_users
from ansible_collections.backupops.veeam.plugins.module_utils.vbr_client import BUILT_IN_ROLE_NAMES, is_uuid, role_key

ALL_HOSTS = "all"
VBR_KEYS = ("name", "type", "roles", "service_account")
EM_KEYS = ("name", "type", "roles", "restore_scope", "allow_restore_all_vms", "flr_settings", "sql_settings")
# The roles Enterprise Manager's REST API documents (its web UI's single "Restore Operator" is not one of them).
EM_ROLE_NAMES = ("Portal Administrator", "Portal User", "VM Restore Operator", "File Restore Operator",
                 "Exchange Restore Operator", "Oracle Restore Operator", "SQL Restore Operator")
EM_ROLE_UID_PREFIX = "urn:veeam:enterpriserole:"


def _name(value):
    return "" if value is None else str(value)


def _is_scope_item(item):
    return isinstance(item, dict) and bool(_name(item.get("ref")).strip()) and bool(_name(item.get("name")).strip())


def _entries(value, option):
    """``value`` as a list of dictionaries, or an AnsibleFilterError naming ``option``."""
    if value is None:
        return []
    if not is_sequence(value) or isinstance(value, str):
        raise AnsibleFilterError("%s must be a list, got %s" % (option, type(value).__name__))
    return list(value)


# ---------------------------------------------------------------------------------------------- the VBR entries
def _vbr_groups(access_vbr):
    """[(index, group, accounts)] of ``access_vbr``; malformed entries are reported by :func:`access_problems`."""
    found = []
    for index, entry in enumerate(_entries(access_vbr, "access_vbr")):
        if isinstance(entry, dict):
            found.append((index, _name(entry.get("group")), entry.get("accounts") or []))
    return found


def _hosts_of(group, groups, play_hosts):
    if group == ALL_HOSTS:
        return list(play_hosts)
    members = set((groups or {}).get(group) or [])
    return [host for host in play_hosts if host in members]


def _vbr_signature(account):
    """What two listings of one account must agree on: type, roles (as VBR builds compare them), service mode."""
    return (account.get("type") or "user", tuple(sorted(set(role_key(role) for role in account.get("roles") or []))),
            account.get("service_account"))


def _describe_vbr(account):
    text = "roles %s" % ", ".join(_name(role) for role in account.get("roles") or [])
    if account.get("type") not in (None, "user"):
        text += ", type %s" % account["type"]
    if account.get("service_account") is not None:
        text += ", service_account %s" % str(account["service_account"]).lower()
    return text


def _account_problems(account, where, product):
    """Problems of one account entry (``where`` is its path, e.g. ``access_vbr[0].accounts[2]``)."""
    if not isinstance(account, dict):
        return ["%s must be a dictionary with name and roles, got %s" % (where, type(account).__name__)]
    keys = VBR_KEYS if product == "vbr" else EM_KEYS
    problems = ["%s has the unknown key %s (valid keys: %s)" % (where, key, ", ".join(keys))
                for key in sorted(account) if key not in keys]
    name = _name(account.get("name"))
    kind = account.get("type") or "user"
    if kind not in PRODUCT_TYPES[product]:
        problems.append("%s.type %r is not one of %s" % (where, kind, ", ".join(sorted(PRODUCT_TYPES[product]))))
    elif product == "vbr":
        problem = vbr_users.name_problem(name, PRODUCT_TYPES["vbr"][kind], option="%s.name" % where)
        if problem:
            problems.append(problem)
    else:
        problem = em_accounts.name_problem(PRODUCT_TYPES["em"][kind], name, option="%s.name" % where)
        if problem:
            problems.append(problem)
    roles = account.get("roles")
    if not is_sequence(roles) or isinstance(roles, str) or not roles:
        problems.append("%s (%s).roles must be a list of at least one role%s" % (
            where, name, "; to take all access away leave the account out of the desired state" if product == "vbr"
            else "; to remove the account leave it out of the desired state"))
    elif any(not _name(role).strip() for role in roles):
        problems.append("%s (%s).roles holds an empty entry" % (where, name))
    else:
        problems += _role_name_problems(roles, where, name, product)
    if product == "em" and not problems:
        problems += _em_settings_problems(account, where)
    if product == "em" and not problems:
        problem = em_accounts.spec_problem(dict((key, account.get(key)) for key in EM_KEYS if key != "type"),
                                           where + ".")
        if problem:
            problems.append("%s (%s): %s" % (where, name, problem[len(where) + 1:]))
    return problems


def _em_settings_problems(account, where):
    """The shapes em_account's options need (the role's argument spec says the same; this names the entry)."""
    problems = []
    scope = account.get("restore_scope")
    if scope is not None:
        if not is_sequence(scope) or isinstance(scope, str):
            problems.append("%s.restore_scope must be a list of {ref, name}" % where)
        else:
            problems += ["%s.restore_scope[%d] must be a dictionary with ref and name" % (where, number)
                         for number, item in enumerate(scope)
                         if not _is_scope_item(item)]
    for key, fields in (("flr_settings", ("inplace_only", "extensions")), ("sql_settings", ("deny_in_place_restore",))):
        value = account.get(key)
        if value is not None and (not isinstance(value, dict) or any(field not in fields for field in value)):
            problems.append("%s.%s must be a dictionary with %s" % (where, key, " and ".join(fields)))
    return problems


def _role_name_problems(roles, where, name, product):
    problems = []
    seen = set()
    for role in roles:
        key = role_key(role) if product == "vbr" else _name(role).strip().casefold()
        if key in seen:
            problems.append("%s (%s).roles names %s twice" % (where, name, role))
        seen.add(key)
    return problems


def is_known_role(role, product):
    """Whether ``role`` names a built-in VBR role (either build's name, or any id) or a documented Enterprise Manager
    role (name, UID or id); other names can only be checked against a server's roles."""
    text = _name(role).strip()
    if product == "vbr":
        return is_uuid(text) or any(role_key(text) == role_key(known) for known in BUILT_IN_ROLE_NAMES)
    folded = text.casefold()
    if folded.startswith(EM_ROLE_UID_PREFIX):
        folded = folded[len(EM_ROLE_UID_PREFIX):]
    return is_uuid(folded) or any(folded == known.casefold() for known in EM_ROLE_NAMES)


def access_problems(access_vbr, access_em=None, access_keep=None, groups=None, play_hosts=None):
    """Every problem of the desired state, each naming its entry; empty when it may be applied."""
    problems = []
    groups = groups or {}
    play_hosts = list(play_hosts or [])
    try:
        vbr_entries = _entries(access_vbr, "access_vbr")
        em_entries = _entries(access_em, "access_em")
        keep = _entries(access_keep, "access_keep")
    except AnsibleFilterError as error:
        return [str(error)]
    listings = {}  # host -> folded name -> (where, account)
    for index, entry in enumerate(vbr_entries):
        where = "access_vbr[%d]" % index
        if not isinstance(entry, dict):
            problems.append("%s must be a dictionary with group and accounts, got %s" % (where, type(entry).__name__))
            continue
        problems += ["%s has the unknown key %s (valid keys: group, accounts)" % (where, key)
                     for key in sorted(entry) if key not in ("group", "accounts")]
        group = _name(entry.get("group")).strip()
        if not group:
            problems.append("%s.group is missing: name the inventory group of VBR servers these accounts are for "
                            "(or all)" % where)
        elif group != ALL_HOSTS and group not in groups:
            problems.append("%s.group %s is not a group of the inventory (its groups: %s)"
                            % (where, group, ", ".join(sorted(name for name in groups if name != "ungrouped"))))
        accounts = entry.get("accounts")
        if accounts is None:
            problems.append("%s.accounts is missing: list the accounts (an empty list removes everyone but the "
                            "accounts kept)" % where)
            continue
        try:
            accounts = _entries(accounts, where + ".accounts")
        except AnsibleFilterError as error:
            problems.append(str(error))
            continue
        problems += _listing_problems(accounts, where, "vbr", listings, _hosts_of(group, groups, play_hosts))
    if access_em is not None:
        problems += _listing_problems(em_entries, "access_em", "em", {}, ["Enterprise Manager"])
    problems += _keep_problems(keep, vbr_entries, em_entries)
    return problems


def _listing_problems(accounts, where, product, listings, hosts):
    """Problems of a list of accounts, and of each account listed again for one of ``hosts`` with other roles."""
    problems = []
    in_this_list = {}
    for number, account in enumerate(accounts):
        spot = "%s.accounts[%d]" % (where, number) if product == "vbr" else "%s[%d]" % (where, number)
        found = _account_problems(account, spot, product)
        problems += found
        if found:
            continue
        folded = _name(account["name"]).casefold()
        if folded in in_this_list:
            problems.append("%s lists %s again (first at %s): list each account once"
                            % (spot, account["name"], in_this_list[folded]))
            continue
        in_this_list[folded] = spot
        if product != "vbr":
            continue
        for host in hosts:
            earlier = listings.setdefault(host, {}).get(folded)
            if earlier is None:
                listings[host][folded] = (spot, account)
            elif _vbr_signature(earlier[1]) != _vbr_signature(account):
                problems.append("%s gives %s %s on %s, but %s gives it %s: an account has one set of roles per "
                                "server" % (spot, account["name"], _describe_vbr(account), host, earlier[0],
                                            _describe_vbr(earlier[1])))
                break
    return problems


def _keep_problems(keep, vbr_entries, em_entries):
    problems = []
    listed = []
    for index, entry in enumerate(vbr_entries):
        if isinstance(entry, dict) and is_sequence(entry.get("accounts")):
            listed += [("access_vbr[%d].accounts[%d]" % (index, number), account.get("name"))
                       for number, account in enumerate(entry["accounts"]) if isinstance(account, dict)]
    listed += [("access_em[%d]" % number, account.get("name"))
               for number, account in enumerate(em_entries) if isinstance(account, dict)]
    for index, name in enumerate(keep):
        if not _name(name).strip():
            problems.append("access_keep[%d] is empty: give an account name" % index)
            continue
        for spot, other in listed:
            if account_names.same_account(name, other):
                problems.append("access_keep[%d] (%s) is listed in %s too: an account is either managed (listed) or "
                                "never touched (access_keep), not both" % (index, name, spot))
    return problems


# ---------------------------------------------------------------------------------------------- custom roles
def access_unverified_roles(access_vbr, access_em=None):
    """{vbr: [names], em: [names]}: the role names the desired state gives that no offline list knows (custom VBR
    roles, Enterprise Manager roles it does not document), to be checked against the servers' roles."""
    found = {"vbr": [], "em": []}
    for _index, _group, accounts in _vbr_groups(access_vbr):
        for account in accounts if is_sequence(accounts) else []:
            if isinstance(account, dict):
                _add_unknown(found["vbr"], account.get("roles"), "vbr")
    for account in _entries(access_em, "access_em"):
        if isinstance(account, dict):
            _add_unknown(found["em"], account.get("roles"), "em")
    return found


def _add_unknown(found, roles, product):
    for role in roles if is_sequence(roles) and not isinstance(roles, str) else []:
        if not is_known_role(role, product) and _name(role) not in found:
            found.append(_name(role))


def access_role_problems(access_vbr, vbr_roles=None, em_roles=None, access_em=None, groups=None):
    """Problems of role names that a server does not have: ``vbr_roles`` maps each VBR host whose roles were read to
    its role list (``vbr_role_info``'s ``roles``), ``em_roles`` is Enterprise Manager's (``em_role_info``'s)."""
    problems = []
    groups = groups or {}
    for index, group, accounts in _vbr_groups(access_vbr):
        hosts = sorted(vbr_roles or {}) if group == ALL_HOSTS else \
            [host for host in sorted(vbr_roles or {}) if host in set(groups.get(group) or [])]
        for number, account in enumerate(accounts if is_sequence(accounts) else []):
            if not isinstance(account, dict):
                continue
            for role in account.get("roles") or []:
                if is_known_role(role, "vbr"):
                    continue
                missing = [host for host in hosts if not _vbr_role_exists(role, vbr_roles[host])]
                if missing:
                    problems.append("access_vbr[%d].accounts[%d] (%s): role %r is not a role of %s (its roles: %s)"
                                    % (index, number, account.get("name"), role, ", ".join(missing),
                                       ", ".join(sorted(_name(item.get("name")) for item in vbr_roles[missing[0]]))))
    if em_roles is not None:
        for number, account in enumerate(_entries(access_em, "access_em")):
            for role in (account.get("roles") or []) if isinstance(account, dict) else []:
                if not is_known_role(role, "em") and not _em_role_exists(role, em_roles):
                    problems.append("access_em[%d] (%s): role %r is not an Enterprise Manager role (its roles: %s)"
                                    % (number, account.get("name"), role,
                                       ", ".join(sorted(_name(item.get("name")) for item in em_roles))))
    return problems


def _vbr_role_exists(role, roles):
    text = _name(role).strip()
    return any(str(item.get("id", "")).lower() == text.lower() or role_key(item.get("name")) == role_key(text)
               for item in roles or [])


def _em_role_exists(role, roles):
    text = _name(role).strip().casefold()
    return any(text in (_name(item.get(key)).casefold() for key in ("name", "uid", "id")) for item in roles or [])


# ---------------------------------------------------------------------------------------------- per task
def access_vbr_task(access_vbr, group_names, access_keep=None, login=None):
    """What the bulk vbr_user task of one VBR server gets: ``{managed, users, keep}``.

    ``managed`` is false when no entry names a group of the host (the server is left alone); ``users`` holds each
    account once (entries that agree merge); ``keep`` is ``access_keep`` plus the task's own login, unless listed."""
    member_of = set(group_names or [])
    users = []
    seen = set()
    managed = False
    for _index, group, accounts in _vbr_groups(access_vbr):
        if group != ALL_HOSTS and group not in member_of:
            continue
        managed = True
        for account in accounts:
            folded = _name(account.get("name")).casefold()
            if folded in seen:
                continue
            seen.add(folded)
            user = {"name": account["name"], "type": PRODUCT_TYPES["vbr"][account.get("type") or "user"],
                    "roles": list(account["roles"])}
            if account.get("service_account") is not None:
                user["is_service_account"] = account["service_account"]
            users.append(user)
    return {"managed": managed, "users": users, "keep": _keep_with_login(access_keep, login, users)}


def access_em_task(access_em, access_keep=None, login=None, recreate=False):
    """What the bulk em_account task gets: ``{managed, accounts, keep}`` (``managed`` false when ``access_em`` is
    null: Enterprise Manager is left alone)."""
    if access_em is None:
        return {"managed": False, "accounts": [], "keep": []}
    accounts = []
    for account in _entries(access_em, "access_em"):
        entry = dict((key, account[key]) for key in EM_KEYS if account.get(key) is not None)
        entry["type"] = PRODUCT_TYPES["em"][account.get("type") or "user"]
        if recreate:
            entry["recreate"] = True
        accounts.append(entry)
    return {"managed": True, "accounts": accounts, "keep": _keep_with_login(access_keep, login, accounts)}


def _keep_with_login(access_keep, login, listed):
    keep = [_name(name) for name in access_keep or [] if _name(name).strip()]
    if login and not any(account_names.same_account(login, account["name"]) for account in listed) \
            and not any(account_names.same_account(login, name) for name in keep):
        keep.append(_name(login))
    return keep


class FilterModule(object):
    def filters(self):
        return {"access_problems": access_problems, "access_unverified_roles": access_unverified_roles,
                "access_role_problems": access_role_problems, "access_vbr_task": access_vbr_task,
                "access_em_task": access_em_task}
