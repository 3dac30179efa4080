"""The HTML page of an access report (plugins/filter/access_html.py): self-contained, inert, and every value from the
servers shown as text - hostile account, scope and role names included. Always runs (pure Python); the browser check
is tests/integration/test_access_browser.py."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.veeam.plugins.filter.access_drift import access_changes
from ansible_collections.backupops.veeam.plugins.filter.access_html import access_html, esc
from tests.html_check import HOSTILE_NAMES, hostile_report, inert_page_problems, page_text


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
