# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: access_html
short_description: A self-contained HTML page of an access report, for auditors
version_added: 1.0.0
description:
  - Renders the report of P(backupops.veeam.access_drift#filter) (or an audit's rows with the changes since an earlier
    audit) as one HTML page that needs nothing else - no script, no style sheet, font or image from elsewhere - and
    that a browser opens from a file or a mail attachment.
  - "The page shows: the servers with their status and counts; the drift (accounts with access that are not listed,
    listed accounts that are missing, accounts whose roles, scope or settings differ, each with before and after and
    what happened); the access matrix (accounts by servers, with the roles on each); the changes since the earlier
    audit when the report has them."
  - Every value comes from the servers and is escaped with Python's C(html.escape) (quotes too) before it is written,
    so an account or scope named C(<script>...) or C(\" onmouseover=...) shows as text and never runs. The page also
    carries a Content-Security-Policy that allows no script and no resource from elsewhere at all.
author:
  - backupops.veeam contributors (@backupops)
options:
  _input:
    description:
      - The report - a dictionary with C(matrix) (audit rows - C(server), C(account), C(type), C(roles),
        C(service_account), C(restore_scope)) and, when known, C(servers), C(drift), C(changes_since), C(mode)
        (C(drift), C(enforce) or C(audit)) and C(generated).
    type: dict
    required: true
  title:
    description: The page's title and heading.
    type: str
    default: Veeam access report
"""

EXAMPLES = r"""
- name: Write the HTML page of the access report
  ansible.builtin.copy:
    content: "{{ access_report | backupops.veeam.access_html(title='Veeam access - drift') }}"
    dest: /srv/reports/veeam-access.html
    mode: "0640"
"""

RETURN = r"""
_value:
  description: The HTML page (UTF-8 text, C(<!DOCTYPE html>) first).
  type: str
"""

import html

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence
from ansible.utils.unsafe_proxy import wrap_var

# No script, no request anywhere: even markup that slipped through could run nothing and fetch nothing.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
                           "form-action 'none'; frame-ancestors 'none'")
EM_SERVER = "Enterprise Manager"
STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em; color: #1d2733; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; margin-top: 2em; }
p.meta { color: #5a6673; margin-top: 0; }
nav a { margin-right: 1.2em; }
table { border-collapse: collapse; margin-top: 0.6em; }
th, td { border: 1px solid #c9d1da; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
td.none { color: #9aa5b1; text-align: center; }
.status-in_place, .status-changed, .change-gained { background: #e3f4e8; }
.status-drift, .drift-differs, .change-changed { background: #fff4d6; }
.status-refused, .status-failed, .status-not_reached, .drift-unlisted, .change-lost { background: #fde4e4; }
.drift-missing { background: #e4edfd; }
.kept { font-style: italic; color: #5a6673; }
.summary-ok { color: #1e7b3a; font-weight: bold; } .summary-bad { color: #b3261e; font-weight: bold; }
"""
MODE_WORDS = {
    "drift": "Drift report (check mode): nothing was written.",
    "enforce": "Enforcement: the servers were converged to the desired state.",
    "audit": "Audit: who has access where.",
}


def esc(value):
    """Text for HTML (element content and double-quoted attributes): every value goes through here."""
    if value is None:
        return ""
    if is_sequence(value) and not isinstance(value, str):
        return ", ".join(esc(item) for item in value)
    return html.escape(str(value), quote=True)


def _css_class(prefix, value):
    """A class name from a fixed vocabulary only (never a value from a server)."""
    allowed = {"status": ("in_place", "changed", "drift", "refused", "failed", "not_reached", "not_managed"),
               "drift": ("unlisted", "missing", "differs"), "change": ("gained", "lost", "changed")}[prefix]
    return "%s-%s" % (prefix, value) if value in allowed else ""


def _row(prefix, value, cells):
    """A table row of escaped cells, its class from the fixed vocabulary of ``prefix``."""
    return '<tr class="%s">%s</tr>' % (_css_class(prefix, value), "".join("<td>%s</td>" % cell for cell in cells))


def _lines(values):
    """A list as lines of one cell."""
    return "<br>".join(esc(value) for value in values or [])


def _table(headers, rows):
    head = "".join("<th>%s</th>" % esc(header) for header in headers)
    return "<table>\n<thead><tr>%s</tr></thead>\n<tbody>\n%s\n</tbody>\n</table>" % (head, "\n".join(rows))


def _servers_section(servers):
    rows = []
    for server in servers:
        counts = server.get("counts") or {}
        cells = [esc(server.get("server")), esc(str(server.get("status", "")).replace("_", " "))]
        cells += [esc(counts.get(key, 0)) for key in ("unlisted", "missing", "differs", "in_place", "kept")]
        cells.append(esc(server.get("message")))
        rows.append(_row("status", server.get("status"), cells))
    return '<h2 id="servers">Servers</h2>\n' + _table(
        ["Server", "Status", "Unlisted", "Missing", "Differs", "In place", "Kept", "Message"], rows)


def _side(row, side):
    roles = row.get("roles_%s" % side) or []
    scope = row.get("restore_scope_%s" % side) or []
    view = row.get(side)
    if view is None and not roles:
        no_access = (side, row.get("drift")) in (("after", "unlisted"), ("before", "missing"))
        return '<span class="kept">no access</span>' if no_access else "&mdash;"
    text = _lines(roles)
    if scope:
        text += "<br>scope: %s" % esc(scope)
    return text


def _drift_section(drift):
    if not drift:
        return '<h2 id="drift">Drift</h2>\n<p>No drift: every server is as the desired state says.</p>'
    rows = []
    for row in drift:
        cells = [esc(row.get("server")), esc(row.get("account")), esc(row.get("drift")), esc(row.get("differences")),
                 _side(row, "before"), _side(row, "after"),
                 esc(row.get("result")) + (("<br>%s" % esc(row.get("error"))) if row.get("error") else "")]
        rows.append(_row("drift", row.get("drift"), cells))
    table = _table(["Server", "Account", "Drift", "What differs", "Before", "After", "Result"], rows)
    return ('<h2 id="drift">Drift</h2>\n<p>Unlisted: has access, not in the desired state. Missing: in the desired '
            'state, no access. Differs: roles, scope or settings differ.</p>\n%s' % table)


def _server_order(servers):
    return sorted(servers, key=lambda name: (name == EM_SERVER, str(name).casefold()))


def _matrix_section(matrix):
    servers = _server_order(set(str(row.get("server")) for row in matrix))
    cells = {}
    accounts = {}
    for row in matrix:
        account = str(row.get("account"))
        accounts.setdefault(account.casefold(), account)
        cells[(account.casefold(), str(row.get("server")))] = row
    rows = []
    for key in sorted(accounts):
        tds = ["<th>%s</th>" % esc(accounts[key])]
        for server in servers:
            row = cells.get((key, server))
            if row is None:
                tds.append('<td class="none">&mdash;</td>')
                continue
            text = _lines(row.get("roles"))
            if row.get("restore_scope"):
                text += "<br>scope: %s" % esc(row["restore_scope"])
            if row.get("kept"):
                text += '<br><span class="kept">kept (never touched)</span>'
            tds.append("<td>%s</td>" % text)
        rows.append("<tr>%s</tr>" % "".join(tds))
    return ('<h2 id="matrix">Access matrix</h2>\n<p>%d accounts on %d servers; each cell holds the account\'s roles '
            'there.</p>\n' % (len(accounts), len(servers)) + _table(["Account"] + servers, rows))


def _changes_section(changes):
    if not changes:
        return '<h2 id="changes">Changes since the earlier audit</h2>\n<p>None: the same accounts have the same access.</p>'
    rows = []
    for change in changes:
        cells = [esc(change.get("server")), esc(change.get("account")), esc(change.get("change")),
                 _lines(change.get("roles_before")), _lines(change.get("roles_after")),
                 _lines(change.get("roles_added")), _lines(change.get("roles_removed"))]
        rows.append(_row("change", change.get("change"), cells))
    table = _table(["Server", "Account", "Change", "Roles before", "Roles after", "Added", "Removed"], rows)
    return '<h2 id="changes">Changes since the earlier audit</h2>\n' + table


def access_html(report, title="Veeam access report"):
    if not isinstance(report, dict):
        raise AnsibleFilterError("access_html needs a report (a dictionary with matrix), got %s" % type(report).__name__)
    matrix = report.get("matrix")
    if not is_sequence(matrix) or isinstance(matrix, str):
        raise AnsibleFilterError("access_html: the report has no matrix (a list of audit rows)")
    sections, links = [], []
    if report.get("servers") is not None:
        sections.append(_servers_section(report["servers"]))
        links.append(("servers", "Servers"))
    if report.get("drift") is not None:
        sections.append(_drift_section(report["drift"]))
        links.append(("drift", "Drift"))
    sections.append(_matrix_section(matrix))
    links.append(("matrix", "Access matrix"))
    if report.get("changes_since") is not None:
        sections.append(_changes_section(report["changes_since"]))
        links.append(("changes", "Changes since the earlier audit"))
    summary = ""
    if "complete" in report:
        summary = ('<p class="summary-ok">Every server is as the desired state says.</p>' if report["complete"] else
                   '<p class="summary-bad">Not every server is as the desired state says: see below.</p>')
    page = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="%s">' % esc(CONTENT_SECURITY_POLICY),
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>%s</title>" % esc(title),
        "<style>%s</style>" % STYLE,
        "</head>",
        "<body>",
        "<h1>%s</h1>" % esc(title),
        '<p class="meta">%s%s</p>' % (esc(MODE_WORDS.get(report.get("mode"), "")),
                                      (" Generated %s." % esc(report["generated"])) if report.get("generated") else ""),
        summary,
        "<nav>%s</nav>" % "".join('<a href="#%s">%s</a>' % (anchor, esc(text)) for anchor, text in links),
    ] + sections + ["</body>", "</html>", ""]
    return wrap_var("\n".join(page))


class FilterModule(object):
    def filters(self):
        return {"access_html": access_html}
