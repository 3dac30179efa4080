"""Faults injected into the simulator, seen through the modules: each run either finishes correctly or fails
with a clear message, and the server never holds a duplicate or a half-done change.

Most rows are a table: a fault rule (tests/simulator/README.md, "Fault injection"), then the bulk onboarding
of three people with vbr_user. Token expiry needs a server with short-lived tokens and has its own fixture.
"""

import collections

import pytest

from tests.conftest import SimAdmin, running_simulator
from tests.functional.module_harness import run_module

PEOPLE = [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]},
          {"name": "TECH\\bob.smith", "roles": ["Backup Operator"]},
          {"name": "TECH\\john.smith", "roles": ["Restore Operator", "Backup Viewer"]}]
USERS = "/api/v1/security/users"


def names_on_server(sim_admin):
    return collections.Counter(user["name"].casefold() for user in sim_admin.state()["users"])


def assert_everyone_once(sim_admin):
    counts = names_on_server(sim_admin)
    for person in PEOPLE:
        assert counts[person["name"].casefold()] == 1, "%s is on the server %d times" % (
            person["name"], counts[person["name"].casefold()])


# id: (fault rules, extra module options, expected failure fragments or None for success, route -> expected count)
FINISHES_OR_FAILS_CLEANLY = {
    "401 on a read renews the token": (
        [dict(method="GET", path=USERS, status=401)], {}, None, {"POST /api/oauth2/token": 2}),
    "429 with Retry-After": (
        [dict(method="POST", path=USERS, status=429, retry_after="1")], {}, None, {"POST %s" % USERS: 4}),
    "429 without Retry-After": (
        [dict(method="POST", path=USERS, status=429)], {}, None, {"POST %s" % USERS: 4}),
    "503 burst within retries": (
        [dict(method="GET", path=USERS, status=503, times=3)], {"retries": 3}, None, {"GET %s" % USERS: 4}),
    "503 for longer than the retries": (
        [dict(method="GET", path=USERS, status=503, times=0)], {"retries": 2},
        ["HTTP 503", "GET %s" % USERS], {"POST %s" % USERS: 0}),
    "500 after a POST was processed": (
        [dict(method="POST", path=USERS, status=500, when="after")], {}, None, {"POST %s" % USERS: 3}),
    "dropped connection after a POST was processed": (
        [dict(method="POST", path=USERS, action="drop", when="after", skip=1)], {}, None, {"POST %s" % USERS: 3}),
    "slow read past timeout, then fast": (
        [dict(method="GET", path=USERS, action="delay", delay=3)], {"timeout": 1}, None, {"GET %s" % USERS: 2}),
    "slow server past timeout every time": (
        [dict(method="GET", path=USERS, action="delay", delay=3, times=0)], {"timeout": 1, "retries": 1},
        ["did not answer GET %s within 1 seconds" % USERS], {"POST %s" % USERS: 0}),
}


@pytest.mark.parametrize("case", sorted(FINISHES_OR_FAILS_CLEANLY))
def test_fault_during_bulk_onboarding(case, vbr_env, sim_admin):
    rules, options, failure, counts = FINISHES_OR_FAILS_CLEANLY[case]
    for rule in rules:
        sim_admin.fault(**rule)
    args = dict(options, users=PEOPLE)
    result = run_module("vbr_user", args, env=vbr_env)
    routes = sim_admin.stats()["by_route"]
    for route, count in counts.items():
        assert routes.get(route, 0) == count, (route, routes)
    if failure:
        assert result.failed, result
        for fragment in failure:
            assert fragment in result["msg"], result["msg"]
        sim_admin.clear_faults()
    else:
        assert not result.failed, result.get("msg")
        assert result["changed"] and len(result["users"]) == 3
    again = run_module("vbr_user", {"users": PEOPLE}, env=vbr_env)
    assert not again.failed
    assert_everyone_once(sim_admin)


def test_500_before_a_post_was_processed_is_sent_again_after_a_reread(vbr_env, sim_admin):
    """The answer of the second POST is a 500 and the server did nothing: the user is looked up, then created."""
    sim_admin.fault(method="POST", path=USERS, status=500, skip=1,
                    body={"errorCode": "UnknownError", "message": "Internal error"})
    result = run_module("vbr_user", {"users": PEOPLE}, env=vbr_env)
    assert not result.failed and [entry["outcome"] for entry in result["users"]] == ["changed"] * 3
    assert sim_admin.count("POST %s" % USERS) == 4
    assert_everyone_once(sim_admin)


def test_a_failing_write_in_a_bulk_run_still_reports_what_was_written(vbr_env, sim_admin):
    """The second create fails for good (500 each time): the first stays reported, the third is not tried."""
    sim_admin.fault(method="POST", path=USERS, status=500, skip=1, times=0,
                    body={"errorCode": "UnknownError", "message": "Internal error"})
    result = run_module("vbr_user", {"users": PEOPLE, "parallel_requests": 1}, env=vbr_env)
    assert result.failed and result["changed"] is True
    assert [entry["outcome"] for entry in result["users"]] == ["changed", "failed", "not_attempted"]
    assert "TECH\\bob.smith" in result["msg"] and "may or may not have taken effect" in result["msg"]
    assert result["users"][1]["error"]["outcome_unknown"] is True
    assert result["users"][0]["after"]["id"] == sim_admin.user("TECH\\jane.doe")["id"]
    assert names_on_server(sim_admin)["tech\\bob.smith"] == 0 and names_on_server(sim_admin)["tech\\john.smith"] == 0
    sim_admin.clear_faults()
    rerun = run_module("vbr_user", {"users": PEOPLE}, env=vbr_env)
    assert [entry["outcome"] for entry in rerun["users"]] == ["unchanged", "changed", "changed"]
    assert_everyone_once(sim_admin)


# ---------------------------------------------------------------------------------------------- tokens
@pytest.fixture(scope="module")
def short_token_simulator(tmp_path_factory):
    """VBR with 1-second access tokens and 40 ms per request, so a bulk run outlives its first token."""
    yield from running_simulator(tmp_path_factory, em=False, token_ttl=1.0, latency_ms=40, validate_spec=True)


@pytest.fixture
def short_token(short_token_simulator):
    admin = SimAdmin(short_token_simulator.vbr_url, short_token_simulator.ca_path)
    admin.reset()
    admin.add_directory(domains=["BULK"])
    env = {"VEEAM_VBR_SERVER": short_token_simulator.vbr_url, "VEEAM_VBR_CA_PATH": short_token_simulator.ca_path,
           "VEEAM_VBR_USERNAME": short_token_simulator.config.username,
           "VEEAM_VBR_PASSWORD": short_token_simulator.config.password}
    yield admin, env
    assert not admin.violations()


def many_people(count=40):
    return [{"name": "BULK\\user%03d" % number, "roles": ["Restore Operator"]} for number in range(count)]


def test_token_expiring_mid_run_is_refreshed(short_token):
    admin, env = short_token
    result = run_module("vbr_user", {"users": many_people(), "parallel_requests": 1}, env=env)
    assert result["changed"] and len(result["users"]) == 40
    assert admin.stats()["by_route"]["POST /api/oauth2/token"] >= 2, "the run should have outlived its first token"
    assert len(admin.state()["users"]) == len(set(user["name"] for user in admin.state()["users"]))
    assert sum(1 for user in admin.state()["users"] if user["name"].startswith("BULK\\")) == 40


def test_refused_refresh_mid_run_falls_back_to_the_password(short_token):
    admin, env = short_token
    admin.refuse_refresh(True)
    result = run_module("vbr_user", {"users": many_people()}, env=env)
    assert result["changed"] and not result.failed
    assert sum(1 for user in admin.state()["users"] if user["name"].startswith("BULK\\")) == 40


# ---------------------------------------------------------------------------------------------- EM
def em_account_args():
    return {"name": "TECH\\jane.doe", "roles": ["VM Restore Operator"],
            "restore_scope": [{"ref": "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-2041",
                               "name": "jane-workstation"}]}


def em_accounts_named(em_admin, name):
    return [account for account in em_admin.state()["accounts"] if account["name"].casefold() == name.casefold()]


def test_em_session_expiring_logs_on_again(em_env, em_admin):
    em_admin.fault(method="GET", path="/api/security/accounts", status=401)
    result = run_module("em_account", em_account_args(), env=em_env)
    assert result["changed"] and not result.failed
    assert em_admin.stats()["by_kind"]["logon"] == 2
    assert len(em_accounts_named(em_admin, "TECH\\jane.doe")) == 1


def test_em_503_burst_on_create_is_retried_once_created(em_env, em_admin):
    em_admin.fault(method="POST", path="/api/security/accounts", status=503, times=2)
    result = run_module("em_account", em_account_args(), env=em_env)
    assert result["changed"] and not result.failed
    assert len(em_accounts_named(em_admin, "TECH\\jane.doe")) == 1


def test_em_task_failing_is_reported_with_its_message(em_env, em_admin):
    em_admin.task_outcome(success=False, message="Cannot rebuild the scope: vCenter vc01 is unreachable")
    result = run_module("em_rebuild_scope", {"wait_timeout": 30, "poll_interval": 0.1}, env=em_env)
    assert result.failed
    assert "vCenter vc01 is unreachable" in result["msg"]
