"""The roles' report filter (plugins/filter/access_report.py): every outcome from the results modules register."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.veeam.plugins.filter.access_report import access_report, account_name_problems

JANE, BOB = "TECH\\jane.doe", "TECH\\bob.smith"


def bulk(*entries, **result):
    return dict(result, users=[dict(name=name, outcome=outcome, changed=outcome == "changed", **extra)
                               for name, outcome, extra in entries])


def one(report, name):
    return next(entry for entry in report if entry["name"] == name)


def test_removed_and_had_no_access_per_server():
    report = access_report([JANE, BOB], {"vbr01": bulk((JANE, "changed", {}), (BOB, "unchanged", {})),
                                         "vbr02": bulk((JANE, "unchanged", {}), (BOB, "unchanged", {}))})
    jane = one(report, JANE)
    assert jane["vbr"] == {"vbr01": "removed", "vbr02": "had no access"}
    assert jane["vbr_access_removed_from"] == ["vbr01"] and jane["vbr_no_access_on"] == ["vbr02"]
    assert jane["complete"] and jane["enterprise_manager"].startswith("not managed")


def test_a_failed_run_still_gives_each_accounts_outcome():
    result = bulk((JANE, "changed", {}), (BOB, "not_attempted", {}), failed=True, msg="stopped: HTTP 500")
    result["users"].insert(1, {"name": "TECH\\x", "outcome": "failed", "changed": False,
                               "error": {"message": "HTTP 400: no such account in AD"}})
    report = access_report([JANE, "TECH\\x", BOB], {"vbr01": result})
    assert one(report, JANE)["vbr"]["vbr01"] == "removed"
    assert one(report, "TECH\\x")["vbr_failed"] == {"vbr01": "HTTP 400: no such account in AD"}
    assert "not tried" in one(report, BOB)["vbr_failed"]["vbr01"] and not one(report, BOB)["complete"]


@pytest.mark.parametrize("result, kind", [
    ({"failed": True, "msg": "refused", "error": {"status": None, "error_code": "connection"}}, "vbr_not_reached"),
    ({"failed": True, "msg": "bad cert", "error": {"status": None, "error_code": "tls"}}, "vbr_not_reached"),
    ({"unreachable": True, "msg": "ssh: no route"}, "vbr_not_reached"),
    ({"not_run": True}, "vbr_not_reached"),
    ({"failed": True, "msg": "login refused", "error": {"status": 401, "error_code": "AccessDenied"}}, "vbr_failed"),
    ({"failed": True, "msg": "Refusing", "error": {"status": None, "error_code": "lockout"}}, "vbr_refused"),
    ({"failed": True, "msg": "timeout", "error": {"status": None, "error_code": "read_timeout"}}, "vbr_failed"),
])
def test_a_server_that_answered_is_never_not_reached(result, kind):
    jane = one(access_report([JANE], {"vbr01": result}), JANE)
    assert "vbr01" in jane[kind]
    assert [other for other in ("vbr_not_reached", "vbr_failed", "vbr_refused") if "vbr01" in jane[other]] == [kind]
    assert not jane["complete"]


def test_enterprise_manager_loop_results():
    em = {"failed": True, "results": [
        {"item": JANE, "changed": True, "outcome": "changed"},
        {"item": BOB, "failed": True, "msg": "Refusing to change", "error": {"error_code": "lockout"}},
        {"item": "TECH\\x", "failed": True, "msg": "down", "error": {"status": None, "error_code": "connection"}}]}
    report = access_report([JANE, BOB, "TECH\\x"], {}, em)
    assert one(report, JANE)["enterprise_manager"] == "removed"
    assert one(report, BOB)["enterprise_manager"] == "refused: Refusing to change"
    assert one(report, "TECH\\x")["enterprise_manager"] == "not reached: down"
    assert access_report([JANE], {}, {"not_run": True})[0]["enterprise_manager"].startswith("not reached")


def test_names_refused_before_sending_and_onboarding_words():
    invalid = {"vbr": {"jane": "name 'jane' is not valid"}}
    report = access_report([{"name": "jane"}, {"name": BOB}], {"vbr01": bulk((BOB, "changed", {}))},
                           {"accounts": [{"name": "jane", "outcome": "unchanged"}]}, "onboard", invalid,
                           ["jane", BOB], ["jane"])
    assert one(report, "jane")["vbr_refused"] == {"vbr01": "name 'jane' is not valid"}
    assert one(report, "jane")["enterprise_manager"] == "already had it"
    assert one(report, BOB)["vbr_granted_on"] == ["vbr01"] and one(report, BOB)["enterprise_manager"] == "not asked"
    assert one(report, BOB)["complete"]


def test_account_name_problems():
    assert account_name_problems([JANE, "jane@tech.local"], "vbr") == {}
    assert list(account_name_problems(["jane", " TECH\\x"], "vbr")) == ["jane", " TECH\\x"]
    assert account_name_problems(["Finance Team"], "em") == {}  # an external group may have any name
    assert list(account_name_problems([{"name": "jane@tech.local", "type": "user"}], "em")) == ["jane@tech.local"]
    assert "type" in account_name_problems([{"name": JANE, "type": "robot"}], "vbr")[JANE]
    with pytest.raises(AnsibleFilterError):
        account_name_problems([JANE], "vcenter")


def test_a_change_waiting_for_four_eyes_approval_is_pending():
    result = bulk((JANE, "failed", {"error": {"error_code": "four_eyes", "message": "needs approval: request 7"}}),
                  (BOB, "not_attempted", {}), failed=True, msg="needs approval")
    report = access_report([JANE, BOB], {"vbr01": result}, None, "onboard")
    assert one(report, JANE)["vbr"]["vbr01"] == "pending approval: needs approval: request 7"
    assert one(report, JANE)["vbr_pending_approval"] == {"vbr01": "needs approval: request 7"}
    assert not one(report, JANE)["complete"] and "not tried" in one(report, BOB)["vbr_failed"]["vbr01"]


def test_no_enterprise_manager_reads_the_same_as_none_or_blank():
    """The roles pass none without an Enterprise Manager; ansible-core 2.17 and 2.18 hand it over as ''."""
    assert access_report([JANE], {}, "") == access_report([JANE], {}, None)
    assert one(access_report([JANE], {}, ""), JANE)["enterprise_manager"].startswith("not managed")
