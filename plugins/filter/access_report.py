# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the onboard and offboard roles: name checks before anything is sent, and the per-person report.

The report says, per person and per server, exactly what happened: done (access removed or granted), nothing to
do, refused (and why), failed (the error) or not reached, from the results the modules registered, also when a
task failed. The documentation of each filter is in the YAML file of the same name beside this file.
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.veeam.plugins.module_utils import em_accounts, vbr_users
from ansible_collections.backupops.veeam.plugins.plugin_utils.template_values import none_if_blank

# The role's account types, as each product names them.
PRODUCT_TYPES = {
    "vbr": {"user": "InternalUser", "group": "InternalGroup", "external_user": "ExternalUser",
            "external_group": "ExternalGroup"},
    "em": {"user": "User", "group": "Group", "external_user": "ExternalUser", "external_group": "ExternalGroup"},
}
# Errors that mean the request never reached the server (as opposed to a server that answered with an error).
NOT_REACHED_CODES = frozenset(["connection", "connect_timeout", "tls"])
WORDS = {
    "offboard": {"done": "removed", "none": "had no access", "done_key": "vbr_access_removed_from",
                 "none_key": "vbr_no_access_on"},
    "onboard": {"done": "granted", "none": "already had it", "done_key": "vbr_granted_on",
                "none_key": "vbr_already_on"},
}


def account_name_problems(accounts, product):
    """{name: sentence} for every account whose name the product would refuse; ``accounts`` are names or dicts
    with ``name`` and the role's ``type`` (user, group, external_user, external_group)."""
    if product not in PRODUCT_TYPES:
        raise AnsibleFilterError("account_name_problems: product must be vbr or em, not %r" % (product,))
    problems = {}
    for account in accounts or []:
        name, kind = (account.get("name"), account.get("type")) if isinstance(account, dict) else (account, None)
        problem = _name_problem(product, str(name if name is not None else ""), kind)
        if problem:
            problems[str(name)] = problem
    return problems


def _name_problem(product, name, kind):
    if kind is not None and kind not in PRODUCT_TYPES[product]:
        return "type %r is not one of %s" % (kind, ", ".join(sorted(PRODUCT_TYPES[product])))
    native = PRODUCT_TYPES[product].get(kind) if kind else None
    if product == "vbr":
        return vbr_users.name_problem(name, native)
    if native is None:  # an Enterprise Manager external group may have any name
        return em_accounts.account_names.name_problem(name, ("any",), what="Enterprise Manager account")
    return em_accounts.name_problem(native, name)


class Outcome(object):
    """One person's outcome on one server: a kind (done, none, refused, pending_approval, failed, not_reached,
    not_asked) and why."""

    def __init__(self, kind, why=None):
        self.kind = kind
        self.why = why

    def text(self, words):
        if self.kind in ("done", "none"):
            return words[self.kind]
        return "%s: %s" % (self.kind.replace("_", " "), self.why) if self.why else self.kind.replace("_", " ")

    @property
    def complete(self):
        return self.kind in ("done", "none", "not_asked")


def _error_text(result):
    text = result.get("msg") or (result.get("error") or {}).get("message") or "the task failed"
    return str(text).strip()


def _entry_outcome(entry, result):
    outcome = entry.get("outcome") or ("changed" if entry.get("changed") else "unchanged")
    if outcome == "changed":
        return Outcome("done")
    if outcome == "unchanged":
        return Outcome("none")
    message = (entry.get("error") or {}).get("message") or entry.get("msg")
    if (entry.get("error") or {}).get("error_code") == "four_eyes":
        return Outcome("pending_approval", message)
    if outcome == "refused":
        return Outcome("refused", message)
    if outcome == "not_attempted":
        return Outcome("failed", "not tried, the run stopped at an earlier error: %s" % _error_text(result))
    return Outcome("failed", message or _error_text(result))


def _host_failure(result):
    """The outcome of an account whose task (or loop item) failed without a per-account outcome."""
    if result.get("unreachable"):
        return Outcome("not_reached", _error_text(result))
    error = result.get("error") or {}
    if error.get("error_code") == "lockout":
        return Outcome("refused", _error_text(result))
    if error.get("error_code") == "four_eyes":
        return Outcome("pending_approval", _error_text(result))
    if error.get("status") is None and error.get("error_code") in NOT_REACHED_CODES:
        return Outcome("not_reached", _error_text(result))
    return Outcome("failed", _error_text(result))


def _entries(result, key):
    """{folded name: entry} of a bulk result (``users``/``accounts``) or of a loop's ``results``."""
    found = {}
    for entry in result.get(key) or []:
        found[str(entry.get("name")).casefold()] = entry
    for item in result.get("results") or []:
        name = item.get("item")
        name = name.get("name") if isinstance(name, dict) else name
        found[str(name).casefold()] = dict(item, name=name)
    return found


def _outcome(result, entries, name, asked):
    if not asked:
        return Outcome("not_asked")
    if result is None or result.get("not_run"):
        return Outcome("not_reached", "the step did not run for this server (the play stopped before it?)")
    entry = entries.get(name.casefold())
    if entry is not None and (entry.get("outcome") or not entry.get("failed")):
        return _entry_outcome(entry, result)
    if entry is not None:
        return _host_failure(entry)
    if result.get("failed") or result.get("unreachable"):
        return _host_failure(result)
    return Outcome("not_reached", "the step had no result for this account")


def access_report(people, vbr_results, em_result=None, mode="offboard", invalid=None, vbr_asked=None, em_asked=None,
                  extra=None):
    """One entry per person: what happened on each VBR server and in Enterprise Manager (see the YAML docs)."""
    if mode not in WORDS:
        raise AnsibleFilterError("access_report: mode must be offboard or onboard, not %r" % (mode,))
    words = WORDS[mode]
    em_result = none_if_blank(em_result)
    invalid = invalid or {}
    vbr_entries = dict((host, _entries(result or {}, "users")) for host, result in (vbr_results or {}).items())
    em_entries = _entries(em_result or {}, "accounts") if em_result is not None else {}
    vbr_asked = _folded(vbr_asked)
    em_asked = _folded(em_asked)
    report = []
    for person in people or []:
        name = str(person.get("name") if isinstance(person, dict) else person)
        entry = {"name": name, "vbr": {}, words["done_key"]: [], words["none_key"]: [], "vbr_refused": {},
                 "vbr_pending_approval": {}, "vbr_failed": {}, "vbr_not_reached": []}
        complete = True
        for host in sorted(vbr_results or {}):
            outcome = _person_outcome("vbr", name, invalid, vbr_asked, vbr_results[host], vbr_entries[host])
            complete = complete and outcome.complete
            _file(entry, host, outcome, words)
        em = None if em_result is None else _person_outcome("em", name, invalid, em_asked, em_result, em_entries)
        entry["enterprise_manager"] = em.text(words) if em is not None else \
            "not managed (no Enterprise Manager in the play)"
        entry["complete"] = complete and (em is None or em.complete)
        entry.update(extra or {})
        report.append(entry)
    return report


def _folded(names):
    return None if names is None else set(str(name).casefold() for name in names)


def _person_outcome(product, name, invalid, asked, result, entries):
    """``asked``: the folded names the step was asked to change (None: everyone); ``entries`` from :func:`_entries`."""
    problem = (invalid.get(product) or {}).get(name)
    if problem:
        return Outcome("refused", problem)
    return _outcome(result, entries, name, asked is None or name.casefold() in asked)


def _file(entry, host, outcome, words):
    entry["vbr"][host] = outcome.text(words)
    if outcome.kind == "done":
        entry[words["done_key"]].append(host)
    elif outcome.kind == "none":
        entry[words["none_key"]].append(host)
    elif outcome.kind == "refused":
        entry["vbr_refused"][host] = outcome.why
    elif outcome.kind == "pending_approval":
        entry["vbr_pending_approval"][host] = outcome.why
    elif outcome.kind == "failed":
        entry["vbr_failed"][host] = outcome.why
    elif outcome.kind == "not_reached":
        entry["vbr_not_reached"].append(host)


class FilterModule(object):
    def filters(self):
        return {"account_name_problems": account_name_problems, "access_report": access_report}
