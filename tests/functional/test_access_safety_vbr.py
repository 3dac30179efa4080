"""Access safety on VBR (issue 10): the lockout guard in every spelling and for service-account mode, truthful bulk
results on failure, creates that are never repeated blindly, and role changes that concurrent runs do not lose.

Every test checks the server's state afterwards (the simulator's /_sim/state), not only the module's result.
"""

import collections
import threading

import pytest

from tests.conftest import SimAdmin, running_simulator
from tests.functional.module_harness import run_module

USERS = "/api/v1/security/users"
SVC = "TECH\\svc.ansible"


def role_names(sim_admin, name):
    ids = {"5ff0e0eb-45cf-48cc-9677-7613fc79bc11": "admin", "b167c3af-2262-4b6c-9861-0606fc0cb6b1": "restore"}
    return sorted(ids.get(role_id, role_id) for role_id in sim_admin.user(name)["roles"])


def set_mfa(env, enabled):
    result = run_module("vbr_mfa", {"enabled": enabled}, env=env)
    assert not result.failed, result.get("msg")


# ------------------------------------------------------------------------------------- service-account mode
def test_service_mode_off_for_the_connected_account_under_mfa_is_refused(vbr_env, sim_admin):
    set_mfa(vbr_env, True)
    result = run_module("vbr_user", {"name": SVC, "is_service_account": False}, env=vbr_env)
    assert result.failed and result["error"]["error_code"] == "lockout"
    assert "service-account mode off" in result["msg"] and "allow_lockout" in result["msg"]
    assert sim_admin.user(SVC)["isServiceAccount"] is True
    again = run_module("vbr_user_info", {}, env=vbr_env)
    assert not again.failed, "the automation can still log in"


def test_service_mode_off_in_a_bulk_list_is_refused_before_any_write(vbr_env, sim_admin):
    set_mfa(vbr_env, True)
    sim_admin.reset_stats()
    result = run_module("vbr_user", {"users": [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]},
                                               {"name": SVC, "is_service_account": False}]}, env=vbr_env)
    assert result.failed and "service-account mode off" in result["msg"]
    assert sim_admin.stats()["by_kind"].get("write", 0) == 0
    assert sim_admin.user("TECH\\jane.doe") is None and sim_admin.user(SVC)["isServiceAccount"] is True


def test_a_refused_bulk_plan_still_says_what_it_would_have_done(vbr_env, sim_admin):
    """Without skip_refused the guard refuses the whole plan: nothing is written, and each account says why -
    refused (its own reason), unchanged, or not attempted with the change it would have made (planned)."""
    sim_admin.reset_stats()
    users = [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]},
             {"name": "TECH\\william.fox", "roles": ["Restore Operator"]},
             {"name": SVC, "roles": ["Backup Viewer"]}]
    result = run_module("vbr_user", {"users": users}, env=vbr_env)
    assert result.failed and result["error"]["error_code"] == "lockout" and result["changed"] is False
    outcomes = dict((entry["name"], entry["outcome"]) for entry in result["users"])
    assert outcomes == {"TECH\\jane.doe": "not_attempted", "TECH\\william.fox": "unchanged", SVC: "refused"}
    jane, _fox, svc = result["users"]
    assert jane["before"] is None and jane["after"] is None and jane["planned"]["roles"] == ["Restore Operator"]
    assert "connected as" in svc["error"]["message"] and svc["after"]["roles"] == ["Backup Administrator"]
    assert sim_admin.stats()["by_kind"].get("write", 0) == 0 and sim_admin.user("TECH\\jane.doe") is None
    single = run_module("vbr_user", {"name": SVC, "roles": ["Backup Viewer"]}, env=vbr_env)
    assert single.failed and single["outcome"] == "refused" and single["user"]["roles"] == ["Backup Administrator"]


def test_service_mode_off_without_mfa_is_allowed(vbr_env, sim_admin):
    result = run_module("vbr_user", {"name": SVC, "is_service_account": False}, env=vbr_env)
    assert result["changed"] and sim_admin.user(SVC)["isServiceAccount"] is False


# ------------------------------------------------------------------------------------- every spelling
@pytest.fixture
def upn_login(vbr_env, sim_admin, credentials):
    """The automation logs in as svc.ansible@tech.local; VBR lists it as TECH\\svc.ansible."""
    sim_admin.add_credentials("svc.ansible@tech.local", credentials["password"], account=SVC)
    return dict(vbr_env, VEEAM_VBR_USERNAME="svc.ansible@tech.local")


@pytest.mark.parametrize("args", [
    {"name": SVC, "state": "absent"},
    {"name": SVC, "roles": ["Restore Operator"]},
    {"users": [{"name": "tech\\SVC.ANSIBLE", "state": "absent"}]},
])
def test_the_connected_account_is_protected_in_another_spelling(args, upn_login, sim_admin):
    result = run_module("vbr_user", args, env=upn_login)
    assert result.failed and "connected as (svc.ansible@tech.local)" in result["msg"]
    assert role_names(sim_admin, SVC) == ["admin"]


def test_vbr_user_roles_protects_the_connected_account_in_another_spelling(upn_login, sim_admin):
    result = run_module("vbr_user_roles", {"name": SVC, "roles": ["Restore Operator"], "state": "exact"},
                        env=upn_login)
    assert result.failed and "connected as" in result["msg"]
    assert role_names(sim_admin, SVC) == ["admin"]


def test_mfa_guard_knows_the_connected_account_in_another_spelling(upn_login, sim_admin):
    sim_admin.add_credentials("sheila.d.cory@tech.local", "Sheila-2026!", account="TECH\\sheila.d.cory")
    env = dict(upn_login, VEEAM_VBR_USERNAME="sheila.d.cory@tech.local", VEEAM_VBR_PASSWORD="Sheila-2026!")
    refused = run_module("vbr_mfa", {"enabled": True}, env=env)
    assert refused.failed and "TECH\\sheila.d.cory" in refused["msg"] and "not a service account" in refused["msg"]
    assert sim_admin.state()["settings"]["mfaEnabled"] is False
    allowed = run_module("vbr_mfa", {"enabled": True}, env=upn_login)
    assert allowed["changed"] and sim_admin.state()["settings"]["mfaEnabled"] is True


def test_protected_accounts_are_matched_by_their_user_part(vbr_env, sim_admin):
    result = run_module("vbr_user", {"name": "TECH\\sheila.d.cory", "state": "absent",
                                     "protected_accounts": ["sheila.d.cory@tech.local"]}, env=vbr_env)
    assert result.failed and "listed in protected_accounts (sheila.d.cory@tech.local)" in result["msg"]
    assert sim_admin.user("TECH\\sheila.d.cory") is not None
    demote = run_module("vbr_user_roles", {"name": "TECH\\sheila.d.cory", "roles": ["Restore Operator"],
                                           "state": "exact", "protected_accounts": ["TECH\\sheila.d.cory"]},
                        env=vbr_env)
    assert demote.failed and role_names(sim_admin, "TECH\\sheila.d.cory") == ["admin"]


def test_skip_refused_changes_the_others_and_fails_at_the_end(vbr_env, sim_admin):
    result = run_module("vbr_user", {"users": [{"name": "TECH\\william.fox", "state": "absent"},
                                               {"name": SVC, "state": "absent"}], "skip_refused": True}, env=vbr_env)
    assert result.failed and result["changed"] is True
    assert [entry["outcome"] for entry in result["users"]] == ["changed", "refused"]
    assert "connected as" in result["users"][1]["error"]["message"]
    assert sim_admin.user("TECH\\william.fox") is None and sim_admin.user(SVC) is not None


# ------------------------------------------------------------------------------------- truthful bulk results
def test_a_bulk_run_that_fails_at_the_101st_write_reports_the_100_before(vbr_env, sim_admin):
    sim_admin.add_directory(domains=["BULK"])
    people = [{"name": "BULK\\user%03d" % number, "roles": ["Restore Operator"]} for number in range(200)]
    sim_admin.fault(method="POST", path=USERS, status=500, skip=100, times=0,
                    body={"errorCode": "UnknownError", "message": "Internal error"})
    result = run_module("vbr_user", {"users": people, "retries": 0, "parallel_requests": 1}, env=vbr_env)
    outcomes = collections.Counter(entry["outcome"] for entry in result["users"])
    assert result.failed and result["changed"] is True
    assert outcomes == {"changed": 100, "failed": 1, "not_attempted": 99}
    assert result["users"][100]["outcome"] == "failed" and "BULK\\user100" in result["msg"]
    on_server = [user["name"] for user in sim_admin.state()["users"] if user["name"].startswith("BULK\\")]
    assert sorted(on_server) == sorted(entry["name"] for entry in result["users"][:100])


def test_one_account_the_server_refuses_does_not_stop_the_others(vbr_env, sim_admin):
    people = [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]},
              {"name": "TECH\\nobody.known", "roles": ["Restore Operator"]},
              {"name": "TECH\\bob.smith", "roles": ["Restore Operator"]}]
    result = run_module("vbr_user", {"users": people}, env=vbr_env)
    assert result.failed and result["changed"] is True
    assert [entry["outcome"] for entry in result["users"]] == ["changed", "failed", "changed"]
    assert result["users"][1]["error"]["status"] == 400 and "TECH\\nobody.known" in result["msg"]
    assert sim_admin.user("TECH\\jane.doe") and sim_admin.user("TECH\\bob.smith")
    assert sim_admin.user("TECH\\nobody.known") is None


def test_a_failed_single_change_says_so_and_keeps_the_server_as_it_was(vbr_env, sim_admin):
    sim_admin.fault(method="PUT", path=USERS + "/*/roles", status=403, times=0)
    result = run_module("vbr_user", {"name": "TECH\\william.fox", "roles": ["Backup Viewer"]}, env=vbr_env)
    assert result.failed and result["changed"] is False and result["outcome"] == "failed"
    assert role_names(sim_admin, "TECH\\william.fox") == ["restore"]


# ------------------------------------------------------------------------------------- creates never repeated blindly
def test_a_create_answered_503_after_the_server_acted_is_not_sent_again(vbr_env, sim_admin):
    sim_admin.fault(method="POST", path=USERS, status=503, when="after")
    result = run_module("vbr_user", {"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}, env=vbr_env)
    assert not result.failed and result["changed"]
    assert sim_admin.count("POST %s" % USERS) == 1
    assert [user["name"] for user in sim_admin.state()["users"]].count("TECH\\jane.doe") == 1


def test_an_account_that_exists_in_another_spelling_is_updated_not_created(vbr_env, sim_admin):
    """nameFilter is not trusted to conclude "absent": the refused create is followed by a full read."""
    sim_admin.fault(method="GET", path=USERS, status=200, body={"data": [], "pagination": {
        "total": 0, "count": 0, "skip": 0, "limit": 200}})
    result = run_module("vbr_user", {"name": "tech\\WILLIAM.FOX", "roles": ["Restore Operator", "Backup Viewer"]},
                        env=vbr_env)
    assert not result.failed and result["changed"], result.get("msg")
    assert result["user"]["name"] == "TECH\\william.fox" and len(result["user"]["roles"]) == 2
    assert [user["name"].casefold() for user in sim_admin.state()["users"]].count("tech\\william.fox") == 1


# ------------------------------------------------------------------------------------- concurrent runs
@pytest.fixture(scope="module")
def slow_vbr(tmp_path_factory):
    """VBR with 300 ms per request, so that two runs overlap."""
    yield from running_simulator(tmp_path_factory, em=False, latency_ms=300, validate_spec=True)


@pytest.fixture
def slow(slow_vbr):
    admin = SimAdmin(slow_vbr.vbr_url, slow_vbr.ca_path)
    admin.reset()
    env = {"VEEAM_VBR_SERVER": slow_vbr.vbr_url, "VEEAM_VBR_CA_PATH": slow_vbr.ca_path,
           "VEEAM_VBR_USERNAME": slow_vbr.config.username, "VEEAM_VBR_PASSWORD": slow_vbr.config.password}
    yield admin, env
    assert not admin.violations()


def run_together(*calls):
    results = [None] * len(calls)

    def runner(index, module, args, env):
        results[index] = run_module(module, args, env=env)

    threads = [threading.Thread(target=runner, args=(index,) + call) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def roles_on_server(name, env):
    """The role names of ``name`` as the server lists them (without the "Veeam " prefix, whichever it uses)."""
    users = run_module("vbr_user_info", {"name": name}, env=env)["users"]
    return sorted(role.replace("Veeam ", "") for role in users[0]["roles"])


@pytest.mark.slow
def test_two_role_changes_at_once_are_both_kept(slow):
    admin, env = slow
    setup = run_module("vbr_user_roles", {"name": "TECH\\william.fox", "roles": ["Tape Operator"]}, env=env)
    assert setup["changed"]
    add, remove = run_together(
        ("vbr_user_roles", {"name": "TECH\\william.fox", "roles": ["Backup Viewer"]}, env),
        ("vbr_user_roles", {"name": "TECH\\william.fox", "roles": ["Tape Operator"], "state": "absent"}, env))
    assert not add.failed and not remove.failed, (add.get("msg"), remove.get("msg"))
    assert add["changed"] and remove["changed"]
    assert roles_on_server("TECH\\william.fox", env) == ["Backup Viewer", "Restore Operator"]


@pytest.mark.slow
def test_two_runs_creating_the_same_accounts_at_once_make_each_once(slow):
    admin, env = slow
    people = [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]},
              {"name": "TECH\\bob.smith", "roles": ["Restore Operator"]}]
    first, second = run_together(("vbr_user", {"users": people}, env), ("vbr_user", {"users": people}, env))
    assert not first.failed and not second.failed, (first.get("msg"), second.get("msg"))
    names = collections.Counter(user["name"] for user in admin.state()["users"])
    assert names["TECH\\jane.doe"] == 1 and names["TECH\\bob.smith"] == 1


def test_an_mfa_setting_in_an_unknown_shape_is_an_error_not_off(vbr_env, sim_admin):
    """The guard asks whether MFA is on; an answer it does not know must not read as "off"."""
    sim_admin.fault(method="GET", path="/api/v1/security/settings", status=200, body={"mfa": True}, times=0)
    for args in ({"enabled": True}, {"enabled": False}):
        result = run_module("vbr_mfa", args, env=vbr_env)
        assert result.failed and result["error"]["error_code"] == "unexpected_response", result.get("msg")
        assert "mfaEnabled" in result["msg"] and "mfa" in result["msg"]
    result = run_module("vbr_user", {"name": SVC, "is_service_account": False}, env=vbr_env)
    assert result.failed and "mfaEnabled" in result["msg"]
    assert sim_admin.user(SVC)["isServiceAccount"] is True and sim_admin.writes() == 0
