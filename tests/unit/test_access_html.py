"""The HTML page of an access report (plugins/filter/access_html.py): self-contained, inert, and every value from the
servers shown as text - hostile account, scope and role names included. Always runs (pure Python); the browser check
is tests/integration/test_access_browser.py."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.veeam.plugins.filter.access_drift import access_changes, access_drift
from ansible_collections.backupops.veeam.plugins.filter.access_html import access_html, esc
from tests.html_check import HOSTILE_NAMES, inert_page_problems, page_text


def view(name, roles, scope=None):
    found = {"id": "1", "name": name, "type": "InternalUser", "roles": roles, "is_service_account": False}
    if scope is not None:
        found.update(type="User", restore_scope=[{"name": item} for item in scope], allow_restore_all_vms=False,
                     flr_settings={"inplace_only": False, "extensions": []}, sql_settings={"deny_in_place_restore": False})
    return found


def hostile_report():
    entries = []
    for number, name in enumerate(HOSTILE_NAMES):
        kind = number % 3
        if kind == 0:
            entries.append({"name": name, "outcome": "changed", "changed": True, "before": None,
                            "after": view(name, ["Restore Operator"])})
        elif kind == 1:
            entries.append({"name": name, "outcome": "changed", "changed": True, "before": view(name, ["<b>role</b>"]),
                            "after": None, "reason": "not listed (exclusive)"})
        else:
            entries.append({"name": name, "outcome": "failed", "changed": False, "before": view(name, ["Backup Viewer"]),
                            "after": view(name, ["Backup Viewer"]), "error": {"message": "<script>alert(1)</script>"}})
    em = {"accounts": [{"name": HOSTILE_NAMES[0], "outcome": "unchanged", "changed": False,
                        "before": view(HOSTILE_NAMES[0], ["Portal User"], scope=HOSTILE_NAMES[1:3]),
                        "after": view(HOSTILE_NAMES[0], ["Portal User"], scope=HOSTILE_NAMES[1:3])}], "kept": []}
    previous = [{"server": "vbr01", "account": HOSTILE_NAMES[4], "roles": ["{{ 7 * 7 }}"], "restore_scope": []}]
    return access_drift({HOSTILE_NAMES[3]: {"users": entries, "kept": [view(HOSTILE_NAMES[5], ["Backup Administrator"])]},
                         "vbr01": {"failed": True, "msg": "<img src=x onerror=alert(2)>", "error": {"status": 500}}},
                        em, "drift", previous=previous, generated="2026-01-01T00:00:00Z")


def test_hostile_names_are_text_and_nothing_runs():
    page = access_html(hostile_report(), title="<script>alert('title')</script>")
    assert inert_page_problems(page) == []
    text = page_text(page)
    for name in HOSTILE_NAMES + ["<script>alert('title')</script>", "<b>role</b>", "<img src=x onerror=alert(2)>"]:
        assert name in text, name
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "{{ lookup(" in text  # shown, not run


def test_sections_and_matrix():
    page = access_html(hostile_report())
    text = page_text(page)
    for heading in ("Servers", "Drift", "Access matrix", "Changes since the earlier audit"):
        assert heading in text
    assert "Drift report (check mode): nothing was written." in text and "Generated 2026-01-01T00:00:00Z." in text
    assert "kept (never touched)" in text
    matrix_header = page[page.index('id="matrix"'):].split("</tr>", 1)[0]
    assert matrix_header.endswith("<th>Enterprise Manager</th>")  # EM is the last column


def test_an_audit_page_has_the_matrix_and_changes_only():
    rows = [{"server": "vbr01", "account": "TECH\\jane", "type": "InternalUser", "roles": ["Restore Operator"],
             "service_account": False, "restore_scope": []}]
    page = access_html({"mode": "audit", "matrix": rows, "changes_since": access_changes(rows, [])})
    text = page_text(page)
    assert "Audit: who has access where." in text and "Servers" not in text and "Drift" not in text
    assert "gained" in text and inert_page_problems(page) == []


def test_esc():
    assert esc('<a href="x">\'') == "&lt;a href=&quot;x&quot;&gt;&#x27;"
    assert esc(["<a>", None]) == "&lt;a&gt;, " and esc(None) == ""


@pytest.mark.parametrize("report, fragment", [
    ([], "needs a report"),
    ({"servers": []}, "has no matrix"),
])
def test_bad_input(report, fragment):
    with pytest.raises(AnsibleFilterError, match=fragment):
        access_html(report)
