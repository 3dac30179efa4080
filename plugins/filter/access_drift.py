# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of access as code: the drift (or enforcement) report, the changes since an earlier audit, and the table.

:func:`access_drift` turns what the access role's bulk tasks registered (per VBR server, and for Enterprise Manager)
into one report: per server its status and counts, per account that differs from the desired state the kind of
drift (``unlisted``: has access but is not listed; ``missing``: listed but has no access; ``differs``: its roles,
scope or settings differ) with before and after and what happened, and the access matrix (every account on every
server, in the audit playbook's row format). :func:`access_changes` compares two such matrices (this run and an
earlier audit's JSON): who gained or lost access where, and whose roles changed. Roles compare as VBR builds do
(``vbr_client.role_key``: "Veeam Restore Operator" on 13.0 is "Restore Operator" on 13.1).

Everything in the report comes from the servers and is data: nothing here templates it, and the result is marked
as data for ansible-core versions that would otherwise template it. The documentation of each filter is in the
YAML file of the same name beside this file.
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.backupops.veeam.plugins.module_utils.vbr_client import role_key
from ansible_collections.backupops.veeam.plugins.plugin_utils.template_values import none_if_blank

EM_SERVER = "Enterprise Manager"
MODES = ("drift", "enforce")
DRIFT_KINDS = ("unlisted", "missing", "differs")
# A server is as the desired state says after enforcement when its status is one of these and every drift was written.
SETTLED = ("in_place", "not_managed", "changed")
NOT_REACHED_CODES = frozenset(["connection", "connect_timeout", "tls"])
# What an account's outcome reads as, per mode and drift kind.
DONE_WORDS = {"unlisted": "removed", "missing": "added", "differs": "changed"}
TO_DO_WORDS = {"unlisted": "would be removed", "missing": "would be added", "differs": "would be changed"}
MATRIX_COLUMNS = ["server", "account", "type", "roles", "service_account", "restore_scope"]
DRIFT_COLUMNS = ["server", "account", "drift", "differences", "roles_before", "roles_after", "restore_scope_before",
                 "restore_scope_after", "outcome", "result", "error"]
CHANGE_COLUMNS = ["server", "account", "change", "roles_before", "roles_after", "roles_added", "roles_removed",
                  "restore_scope_before", "restore_scope_after"]


def _text(value):
    return "" if value is None else str(value)


def as_data(value):
    """``value`` in plain dictionaries and lists, marked as data (never a template) for every ansible-core: server
    names may hold ``{{ }}``. (ansible-core 2.19 hands filters containers that cannot be rebuilt by type.)"""
    return wrap_var(_plain(value))


def _plain(value):
    if isinstance(value, Mapping):
        return dict((_plain(key), _plain(item)) for key, item in value.items())
    if is_sequence(value) and not isinstance(value, str):
        return [_plain(item) for item in value]
    return value


def _roles(view):
    return sorted((_text(role) for role in (view or {}).get("roles") or []), key=str.casefold)


def _scope_names(view):
    scope = (view or {}).get("restore_scope") or []
    names = [item.get("name") if isinstance(item, dict) else item for item in scope]
    return sorted((_text(name) for name in names), key=str.casefold)


def _role_keys(view):
    return set(role_key(role) for role in _roles(view))


def _summary(view, product):
    """An account as the report shows it (no ids)."""
    if view is None:
        return None
    summary = {"type": view.get("type"), "roles": _roles(view)}
    if product == "vbr":
        summary["service_account"] = view.get("is_service_account")
    else:
        summary.update(allow_restore_all_vms=view.get("allow_restore_all_vms"), restore_scope=_scope_names(view),
                       flr_settings=view.get("flr_settings"), sql_settings=view.get("sql_settings"))
    return summary


def differences(before, after, product="vbr"):
    """The names of what differs between two account views (roles as VBR builds compare them)."""
    if before is None or after is None:
        return []
    found = []
    if _role_keys(before) != _role_keys(after):
        found.append("roles")
    if _text(before.get("type")) != _text(after.get("type")):
        found.append("type")
    keys = ("is_service_account",) if product == "vbr" else ("allow_restore_all_vms", "flr_settings", "sql_settings")
    for key in keys:
        if before.get(key) != after.get(key):
            found.append("service_account" if key == "is_service_account" else key)
    if product == "em" and [name.casefold() for name in _scope_names(before)] != \
            [name.casefold() for name in _scope_names(after)]:
        found.append("restore_scope")
    return found


# ---------------------------------------------------------------------------------------------- one server
class ServerReport(object):
    """What one bulk task says about one server: status, drift rows, the matrix rows of its access now."""

    def __init__(self, server, product, result, mode):
        self.server = server
        self.product = product
        self.result = result if isinstance(result, dict) else {}
        self.mode = mode
        self.entries = self.result.get("users" if product == "vbr" else "accounts") or []
        self.drift = []
        self.matrix = []
        self.counts = dict((kind, 0) for kind in DRIFT_KINDS + ("in_place", "kept"))

    def build(self):
        for entry in self.entries:
            self._entry(entry)
        for view in self.result.get("kept") or []:
            self.counts["kept"] += 1
            self._row(view, kept=True)
        return self

    def _entry(self, entry):
        kind = drift_kind(entry)
        outcome = entry.get("outcome") or ("changed" if entry.get("changed") else "unchanged")
        if kind is None:
            self.counts["in_place"] += 1
        else:
            self.counts[kind] += 1
            self.drift.append(self._drift_row(entry, kind, outcome))
        now = entry.get("after") if self.mode == "enforce" and outcome == "changed" else entry.get("before")
        if now is not None:
            self._row(now)

    def _drift_row(self, entry, kind, outcome):
        before = entry.get("before")
        target = None
        if kind != "unlisted":
            target = entry.get("planned") or (entry.get("after") if outcome == "changed" else None)
        error = (entry.get("error") or {}).get("message")
        if outcome == "not_attempted" and not error:
            error = _not_attempted_reason(self.result)
        return {"server": self.server, "product": self.product, "account": _text(entry.get("name")), "drift": kind,
                "differences": differences(before, target, self.product) if kind == "differs" else [],
                "before": _summary(before, self.product), "after": _summary(target, self.product),
                "roles_before": _roles(before), "roles_after": _roles(target),
                "restore_scope_before": _scope_names(before), "restore_scope_after": _scope_names(target),
                "outcome": outcome, "result": self._result_words(kind, outcome), "error": error}

    def _result_words(self, kind, outcome):
        if outcome == "changed":
            return DONE_WORDS[kind] if self.mode == "enforce" else TO_DO_WORDS[kind]
        return {"refused": "refused by the lockout guard", "failed": "failed",
                "not_attempted": "not written"}.get(outcome, outcome.replace("_", " "))

    def _row(self, view, kept=False):
        row = {"server": self.server, "account": _text(view.get("name")), "type": view.get("type"),
               "roles": _roles(view), "service_account": view.get("is_service_account"),
               "restore_scope": _scope_names(view)}
        if kept:
            row["kept"] = True
        self.matrix.append(row)

    def status(self):
        """``(status, message)``: not_reached, failed, refused, or drift / in_place (check mode), changed /
        in_place (enforcement)."""
        result = self.result
        if result.get("not_managed"):
            return "not_managed", _text(result.get("msg")) or None
        if result.get("not_run"):
            why = _text(result.get("msg")) or "the task did not run for this server (the play stopped before it?)"
            return "not_reached", why
        error = result.get("error") or {}
        message = _text(result.get("msg")).strip() or None
        if result.get("unreachable") or (error.get("status") is None and error.get("error_code") in NOT_REACHED_CODES):
            return "not_reached", message
        if error.get("error_code") == "lockout" and not any(entry.get("changed") for entry in self.entries):
            return "refused", message
        if result.get("failed"):
            return "failed", message
        if self.drift:
            return ("changed" if self.mode == "enforce" else "drift"), None
        return "in_place", None

    def as_dict(self):
        status, message = self.status()
        if self.mode == "enforce":
            settled = status in SETTLED and all(row["outcome"] == "changed" for row in self.drift)
        else:
            settled = status in ("in_place", "not_managed")
        return {"server": self.server, "product": self.product, "status": status, "message": message,
                "counts": self.counts, "settled": settled,
                "read": bool(self.entries or self.result.get("kept") is not None)}


def drift_kind(entry):
    """``unlisted``, ``missing``, ``differs`` or None (the account is as listed) for one bulk result entry."""
    outcome = entry.get("outcome") or ("changed" if entry.get("changed") else "unchanged")
    if outcome == "unchanged":
        return None
    if entry.get("reason"):
        return "unlisted"
    return "missing" if entry.get("before") is None else "differs"


def _not_attempted_reason(result):
    if (result.get("error") or {}).get("error_code") == "lockout":
        return "the lockout guard refused this server's plan, so nothing was written: %s" % _text(result.get("msg"))
    return "not tried, the run stopped at an earlier error: %s" % _text(result.get("msg"))


# ---------------------------------------------------------------------------------------------- the report
def access_drift(vbr_results, em_result=None, mode="drift", previous=None, generated=None):
    """The drift (``mode=drift``) or enforcement (``mode=enforce``) report of the access role's results."""
    if mode not in MODES:
        raise AnsibleFilterError("access_drift: mode must be drift or enforce, not %r" % (mode,))
    if not isinstance(vbr_results or {}, dict):
        raise AnsibleFilterError("access_drift: vbr_results must map each VBR host to its result")
    servers = [ServerReport(host, "vbr", (vbr_results or {})[host], mode).build() for host in sorted(vbr_results or {})]
    em_result, previous = none_if_blank(em_result), none_if_blank(previous)
    if em_result is not None:
        servers.append(ServerReport(EM_SERVER, "em", em_result, mode).build())
    summaries = [server.as_dict() for server in servers]
    matrix = [row for server in servers for row in server.matrix]
    report = {
        "mode": mode, "generated": generated, "servers": summaries,
        "drift": [row for server in servers for row in server.drift], "matrix": matrix,
        "complete": all(item["settled"] for item in summaries),
    }
    if previous is not None:
        compared = [item["server"] for item in summaries if item["read"]]
        report["changes_since"] = access_changes(matrix, previous, servers=compared)
    return as_data(report)


# ---------------------------------------------------------------------------------------------- changes
def _rows_of(data, option):
    """Matrix rows from an audit's JSON (a list of rows) or an access report (a dictionary with ``matrix``)."""
    if isinstance(data, dict):
        data = data.get("matrix")
    if data is None or not is_sequence(data) or isinstance(data, str):
        raise AnsibleFilterError("access_changes: %s must be the rows of an audit (veeam-access.json) or an access "
                                 "report (a dictionary with matrix)" % option)
    rows = {}
    for index, row in enumerate(data):
        if not isinstance(row, dict) or "server" not in row or "account" not in row:
            raise AnsibleFilterError("access_changes: %s[%d] is not an audit row (server, account, roles, ...)"
                                     % (option, index))
        rows[(_text(row["server"]).casefold(), _text(row["account"]).casefold())] = row
    return rows


def access_changes(current, previous, servers=None):
    """Who gained or lost access where, and whose roles or restore scope changed, from ``previous`` to ``current``.

    ``servers`` limits the comparison to the servers read now (a run limited to some servers does not read as
    everyone having lost access elsewhere)."""
    now, before = _rows_of(current, "current"), _rows_of(previous, "previous")
    if servers is not None:
        wanted = set(_text(server).casefold() for server in servers)
        now = dict((key, row) for key, row in now.items() if key[0] in wanted)
        before = dict((key, row) for key, row in before.items() if key[0] in wanted)
    changes = []
    for key in sorted(set(now) | set(before), key=lambda key: (key[0] == EM_SERVER.casefold(), key)):
        old, new = before.get(key), now.get(key)
        if old is not None and new is not None and not _row_differs(old, new):
            continue
        change = "gained" if old is None else "lost" if new is None else "changed"
        shown = new or old
        old_keys, new_keys = _role_keys(old), _role_keys(new)
        changes.append({"server": _text(shown["server"]), "account": _text(shown["account"]), "change": change,
                        "type": shown.get("type"),
                        "roles_before": _roles(old), "roles_after": _roles(new),
                        "roles_added": [role for role in _roles(new) if role_key(role) not in old_keys],
                        "roles_removed": [role for role in _roles(old) if role_key(role) not in new_keys],
                        "restore_scope_before": _scope_names(old), "restore_scope_after": _scope_names(new)})
    return as_data(changes)


def _row_differs(old, new):
    if _role_keys(old) != _role_keys(new) or _text(old.get("type")) != _text(new.get("type")):
        return True
    return [name.casefold() for name in _scope_names(old)] != [name.casefold() for name in _scope_names(new)]


# ---------------------------------------------------------------------------------------------- the table
def _cell(value, width):
    """A table cell: lists joined, control characters shown escaped (a name cannot break the table's lines)."""
    if is_sequence(value) and not isinstance(value, str):
        value = ", ".join(_text(item) for item in value)
    text = "".join(character if character.isprintable() else repr(character)[1:-1] for character in _text(value))
    return text if width is None else "%-*s" % (width, text)


def _line(values, widths):
    return " ".join(_cell(value, width) for value, width in zip(values, widths)).rstrip()


def access_report_table(report):
    """The report as lines of text for the play's output: servers, drift, changes since the earlier audit."""
    if not isinstance(report, dict) or "servers" not in report:
        raise AnsibleFilterError("access_report_table needs the report of backupops.veeam.access_drift")
    if report.get("mode") == "audit":
        return as_data(_changes_lines(report.get("changes_since") or []))
    lines = ["Access as code: %s" % ("drift report (check mode, nothing was written)" if report.get("mode") == "drift"
                                     else "enforcement (the servers were converged to the desired state)")]
    widths = (24, 12, 9, 8, 8, 9, 5)
    lines.append(_line(("SERVER", "STATUS", "UNLISTED", "MISSING", "DIFFERS", "IN PLACE", "KEPT"), widths))
    for server in report["servers"]:
        counts = server["counts"]
        message = ("  " + _cell(server["message"], None)) if server.get("message") else ""
        cells = (server["server"], server["status"].replace("_", " "), counts["unlisted"], counts["missing"],
                 counts["differs"], counts["in_place"], counts["kept"])
        lines.append(_line(cells, widths) + message)
    widths = (24, 30, 9, 30, 30, None)
    if report.get("drift"):
        lines += ["", _line(("SERVER", "ACCOUNT", "DRIFT", "BEFORE", "AFTER", "RESULT"), widths)]
        for row in report["drift"]:
            after = "-" if row["after"] is None else _describe(row, "after")
            lines.append(_line((row["server"], row["account"], row["drift"],
                                "-" if row["before"] is None else _describe(row, "before"), after,
                                row["result"] + (": " + _text(row["error"]) if row.get("error") else "")), widths))
    elif report.get("complete"):
        lines += ["", "No drift: every server is as the desired state says."]
    else:
        lines += ["", "No drift found where the access could be read; see the status of the other servers above."]
    if report.get("changes_since") is not None:
        lines += [""] + _changes_lines(report["changes_since"])
    return as_data(lines)


def _changes_lines(changes):
    lines = ["Changes since the earlier audit:"]
    if not changes:
        return lines + ["none: the same accounts have the same access"]
    widths = (24, 30, 8, 30, None)
    lines.append(_line(("SERVER", "ACCOUNT", "CHANGE", "ROLES BEFORE", "ROLES AFTER"), widths))
    for change in changes:
        lines.append(_line((change["server"], change["account"], change["change"], change["roles_before"] or "-",
                            change["roles_after"] or "-"), widths))
    return lines


def _describe(row, side):
    text = _cell(row["roles_%s" % side], None)
    if row.get("restore_scope_%s" % side):
        text += " (%s)" % _cell(row["restore_scope_%s" % side], None)
    return text


class FilterModule(object):
    def filters(self):
        return {"access_drift": access_drift, "access_changes": access_changes,
                "access_report_table": access_report_table}
