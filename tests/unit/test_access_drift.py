"""The access report (plugins/filter/access_drift.py): each kind of drift, each server status, the matrix, and the
changes since an earlier audit, from results shaped as vbr_user / em_account return them."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.veeam.plugins.filter.access_drift import (
    access_changes, access_drift, access_report_table, drift_kind)


def view(name, roles, kind="InternalUser", service=False):
    return {"id": name.lower(), "name": name, "type": kind, "roles": roles, "is_service_account": service}


def entry(name, outcome, before=None, after=None, **extra):
    return dict({"name": name, "outcome": outcome, "changed": outcome == "changed", "before": before, "after": after},
                **extra)


SHEILA = view("TECH\\sheila.d.cory", ["Backup Administrator"])
SVC = view("TECH\\svc.ansible", ["Backup Administrator"], service=True)


def vbr_result(mode_entries, kept=(SVC,), **result):
    return dict({"changed": any(item["changed"] for item in mode_entries), "users": list(mode_entries),
                 "kept": list(kept)}, **result)


DRIFTING = vbr_result([
    entry("TECH\\sheila.d.cory", "unchanged", SHEILA, SHEILA),
    entry("TECH\\jane.doe", "changed", None, view("TECH\\jane.doe", ["Restore Operator"])),
    entry("TECH\\john.smith", "changed", view("TECH\\john.smith", ["Backup Viewer"]),
          view("TECH\\john.smith", ["Restore Operator"])),
    entry("TECH\\mary.smith", "changed", view("TECH\\mary.smith", ["Backup Viewer"]), None,
          reason="not listed (exclusive)"),
])


def test_each_kind_of_drift_with_before_and_after():
    report = access_drift({"vbr01": DRIFTING}, None, "drift")
    rows = dict((row["account"], row) for row in report["drift"])
    assert [rows[name]["drift"] for name in ("TECH\\jane.doe", "TECH\\john.smith", "TECH\\mary.smith")] == [
        "missing", "differs", "unlisted"]
    john = rows["TECH\\john.smith"]
    assert john["before"]["roles"] == ["Backup Viewer"] and john["after"]["roles"] == ["Restore Operator"]
    assert john["differences"] == ["roles"] and john["result"] == "would be changed"
    assert rows["TECH\\mary.smith"]["after"] is None and rows["TECH\\mary.smith"]["result"] == "would be removed"
    assert rows["TECH\\jane.doe"]["before"] is None and rows["TECH\\jane.doe"]["result"] == "would be added"
    server = report["servers"][0]
    assert server["status"] == "drift" and not server["settled"] and report["complete"] is False
    assert server["counts"] == {"unlisted": 1, "missing": 1, "differs": 1, "in_place": 1, "kept": 1}
    # the matrix is the access the server has now (check mode: before)
    matrix = dict((row["account"], row["roles"]) for row in report["matrix"])
    assert matrix == {"TECH\\sheila.d.cory": ["Backup Administrator"], "TECH\\john.smith": ["Backup Viewer"],
                      "TECH\\mary.smith": ["Backup Viewer"], "TECH\\svc.ansible": ["Backup Administrator"]}
    assert [row for row in report["matrix"] if row.get("kept")][0]["account"] == "TECH\\svc.ansible"


def test_enforcement_says_what_changed_and_the_matrix_is_after():
    report = access_drift({"vbr01": DRIFTING}, None, "enforce")
    assert [row["result"] for row in report["drift"]] == ["added", "changed", "removed"]
    assert report["servers"][0]["status"] == "changed" and report["complete"] is True
    matrix = dict((row["account"], row["roles"]) for row in report["matrix"])
    assert "TECH\\mary.smith" not in matrix and matrix["TECH\\john.smith"] == ["Restore Operator"]
    assert matrix["TECH\\jane.doe"] == ["Restore Operator"]


def test_roles_that_differ_only_in_the_build_spelling_are_no_difference():
    before = view("TECH\\x", ["Veeam Restore Operator"])
    after = view("TECH\\x", ["Restore Operator"], service=True)
    report = access_drift({"vbr01": vbr_result([entry("TECH\\x", "changed", before, after)])}, None, "drift")
    assert report["drift"][0]["differences"] == ["service_account"]


def test_a_refused_plan():
    result = vbr_result([entry("TECH\\svc.ansible", "refused", SVC, SVC,
                               error={"message": "it would take the Backup Administrator role away", "error_code": "lockout"}),
                         entry("TECH\\jane.doe", "not_attempted", None, None,
                               planned=view("TECH\\jane.doe", ["Restore Operator"]))],
                        kept=(), failed=True, msg="Refusing to change VBR users: ... Nothing was changed.",
                        error={"error_code": "lockout"})
    report = access_drift({"vbr01": result}, None, "enforce")
    server = report["servers"][0]
    assert server["status"] == "refused" and "Refusing" in server["message"] and not report["complete"]
    jane = [row for row in report["drift"] if row["account"] == "TECH\\jane.doe"][0]
    assert jane["result"] == "not written" and jane["after"]["roles"] == ["Restore Operator"]
    assert "the lockout guard refused this server's plan" in jane["error"]
    assert [row["result"] for row in report["drift"]][0] == "refused by the lockout guard"


@pytest.mark.parametrize("result, status", [
    ({"not_managed": True}, "not_managed"),
    ({"not_run": True}, "not_reached"),
    ({"unreachable": True, "msg": "down"}, "not_reached"),
    ({"failed": True, "msg": "Cannot connect", "error": {"error_code": "connection", "status": None}}, "not_reached"),
    ({"failed": True, "msg": "HTTP 500", "error": {"status": 500}}, "failed"),
    (vbr_result([entry("TECH\\sheila.d.cory", "unchanged", SHEILA, SHEILA)]), "in_place"),
])
def test_server_status(result, status):
    report = access_drift({"vbr01": result}, None, "drift")
    assert report["servers"][0]["status"] == status
    assert report["complete"] is (status in ("not_managed", "in_place"))


def test_a_failed_write_is_not_complete():
    result = vbr_result([entry("TECH\\jane.doe", "failed", None, None, error={"message": "HTTP 400: unknown in AD"})],
                        failed=True, msg="Changing VBR users failed for TECH\\jane.doe")
    report = access_drift({"vbr01": result}, None, "enforce")
    assert report["servers"][0]["status"] == "failed" and report["drift"][0]["error"] == "HTTP 400: unknown in AD"
    assert not report["complete"]


def em_view(name, roles, scope=()):
    return {"uid": "urn:x:" + name, "id": name, "name": name, "type": "User", "roles": roles,
            "allow_restore_all_vms": not scope, "flr_settings": {"inplace_only": False, "extensions": []},
            "sql_settings": {"deny_in_place_restore": False},
            "restore_scope": [{"name": item, "platform": "VMware", "object_type": "Vm", "root": "r"} for item in scope]}


def test_enterprise_manager_scope_drift():
    before = em_view("TECH\\jane.doe", ["VM Restore Operator"], ["old-vm"])
    after = em_view("TECH\\jane.doe", ["VM Restore Operator"], ["new-vm"])
    em = {"changed": True, "accounts": [entry("TECH\\jane.doe", "changed", before, after)], "kept": []}
    report = access_drift({}, em, "drift")
    row = report["drift"][0]
    assert row["server"] == "Enterprise Manager" and row["differences"] == ["restore_scope"]
    assert row["restore_scope_before"] == ["old-vm"] and row["restore_scope_after"] == ["new-vm"]
    assert report["matrix"][0]["restore_scope"] == ["old-vm"]


def test_drift_kind():
    assert drift_kind(entry("x", "unchanged")) is None
    assert drift_kind(entry("x", "failed", SHEILA)) == "differs"


def test_bad_arguments():
    with pytest.raises(AnsibleFilterError, match="mode must be drift or enforce"):
        access_drift({}, None, "apply")
    with pytest.raises(AnsibleFilterError, match="needs the report"):
        access_report_table([])


# ---------------------------------------------------------------------------------------------- changes
def row(server, account, roles, scope=()):
    return {"server": server, "account": account, "type": "InternalUser", "roles": roles, "service_account": False,
            "restore_scope": list(scope)}


def test_changes_since_an_earlier_audit():
    previous = [row("vbr01", "TECH\\jane.doe", ["Veeam Restore Operator"]), row("vbr01", "TECH\\bob", ["Backup Viewer"]),
                row("vbr02", "TECH\\bob", ["Backup Viewer"]), row("vbr03", "TECH\\gone", ["Backup Viewer"]),
                row("Enterprise Manager", "TECH\\jane.doe", ["VM Restore Operator"], ["vm-1"])]
    current = [row("vbr01", "TECH\\jane.doe", ["Restore Operator"]), row("vbr01", "TECH\\new", ["Backup Operator"]),
               row("vbr02", "tech\\BOB", ["Backup Viewer", "Restore Operator"]),
               row("Enterprise Manager", "TECH\\jane.doe", ["VM Restore Operator"], ["vm-2"])]
    changes = access_changes(current, previous, servers=["vbr01", "vbr02", "Enterprise Manager"])
    found = [(change["server"], change["account"], change["change"]) for change in changes]
    # 13.0 -> 13.1 spelling is no change; vbr03 was not read now, so it is not compared; EM comes last
    assert found == [("vbr01", "TECH\\bob", "lost"), ("vbr01", "TECH\\new", "gained"), ("vbr02", "tech\\BOB", "changed"),
                     ("Enterprise Manager", "TECH\\jane.doe", "changed")]
    bob = changes[2]
    assert bob["roles_added"] == ["Restore Operator"] and bob["roles_removed"] == []
    assert changes[3]["restore_scope_before"] == ["vm-1"] and changes[3]["restore_scope_after"] == ["vm-2"]
    everything = access_changes({"matrix": current}, {"matrix": previous})
    assert ("vbr03", "TECH\\gone", "lost") in [(c["server"], c["account"], c["change"]) for c in everything]


def test_changes_need_audit_rows():
    with pytest.raises(AnsibleFilterError, match="previous must be the rows of an audit"):
        access_changes([], "nope")
    with pytest.raises(AnsibleFilterError, match=r"previous\[0\] is not an audit row"):
        access_changes([], [{"name": "x"}])


def test_table_escapes_control_characters_and_lists_changes():
    evil = "TECH\\evil\nname"
    report = access_drift({"vbr01": vbr_result([entry(evil, "changed", None, view(evil, ["Restore Operator"]))])},
                          None, "drift", previous=[])
    lines = access_report_table(report)
    assert any("TECH\\evil\\nname" in line for line in lines) and all("\n" not in line for line in lines)
    assert lines[0].startswith("Access as code: drift report")
    assert "Changes since the earlier audit:" in lines
    audit = access_report_table({"mode": "audit", "servers": [], "changes_since": []})
    assert audit == ["Changes since the earlier audit:", "none: the same accounts have the same access"]


def test_blank_em_result_and_previous_mean_not_managed_as_on_the_oldest_ansible_core():
    """On ansible-core 2.17 and 2.18 a role variable templated to none arrives as an empty string."""
    with_none = access_drift({"vbr01": DRIFTING}, None, "drift", None)
    with_blank = access_drift({"vbr01": DRIFTING}, "", "drift", "  ")
    assert with_blank == with_none
    assert [server["server"] for server in with_blank["servers"]] == ["vbr01"] and "changes_since" not in with_blank
