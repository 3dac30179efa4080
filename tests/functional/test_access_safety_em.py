"""Access safety in Enterprise Manager (issue 10): the lockout guard, re-creates that never lose an account, toggles
and creates that are never repeated blindly, check mode that predicts what EM refuses, and a rebuild whose logon
session ends while waiting.

Every test checks Enterprise Manager's state afterwards (the simulator's /_sim/state), not only the module's result.
"""

import threading
import time

import pytest

from tests.conftest import SimAdmin, running_simulator
from tests.functional.module_harness import run_module

SVC = "TECH\\svc.ansible"
FOX = "TECH\\william.fox"
FOX_VM = {"ref": "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-1023", "name": "web-srv-01"}
PORTAL_ADMINISTRATOR = "5f37a46b-9ce2-40f4-8a62-b45b079257fc"
ACCOUNTS = "/api/security/accounts"


def account(em_admin, name):
    return next((item for item in em_admin.state()["accounts"] if item["name"].casefold() == name.casefold()), None)


def em_writes(em_admin):
    return em_admin.stats()["by_kind"].get("write", 0)


# ------------------------------------------------------------------------------------- lockout guard
@pytest.mark.parametrize("args, fragment", [
    ({"name": SVC, "roles": ["Portal User"]}, "take the Portal Administrator role away from TECH\\svc.ansible"),
    ({"name": SVC, "state": "absent"}, "it would remove TECH\\svc.ansible"),
    ({"name": SVC, "sql_settings": {"deny_in_place_restore": True}, "recreate": True},
     "it would delete (and re-create) TECH\\svc.ansible"),
])
def test_the_connected_account_is_never_removed_or_demoted(args, fragment, em_env, em_admin):
    em_admin.reset_stats()
    for check_mode in (True, False):
        result = run_module("em_account", args, env=em_env, check_mode=check_mode)
        assert result.failed and result["error"]["error_code"] == "lockout", result.get("msg")
        assert fragment in result["msg"] and "allow_lockout" in result["msg"]
    assert em_writes(em_admin) == 0
    assert account(em_admin, SVC)["roles"] == [PORTAL_ADMINISTRATOR]
    assert not run_module("em_account_info", {}, env=em_env).failed, "the automation can still log on"


def test_the_connected_account_is_known_in_another_spelling(em_env, em_admin, credentials):
    em_admin.add_credentials("svc.ansible@tech.local", credentials["password"], account=SVC)
    env = dict(em_env, VEEAM_EM_USERNAME="svc.ansible@tech.local")
    result = run_module("em_account", {"name": SVC, "state": "absent"}, env=env)
    assert result.failed and "connected as (svc.ansible@tech.local)" in result["msg"]
    assert account(em_admin, SVC) is not None


def test_protected_accounts_keep_their_access(em_env, em_admin):
    result = run_module("em_account", {"name": "BUILTIN\\Administrators", "state": "absent",
                                       "protected_accounts": ["BUILTIN\\Administrators"]}, env=em_env)
    assert result.failed and "protected_accounts" in result["msg"]
    assert account(em_admin, "BUILTIN\\Administrators") is not None


def test_enterprise_manager_is_never_left_without_a_portal_administrator(em_env, em_admin, credentials):
    """VBR01\\Administrator is a Portal Administrator only through the BUILTIN\\Administrators group account."""
    env = dict(em_env, VEEAM_EM_USERNAME="VBR01\\Administrator")
    first = run_module("em_account", {"name": SVC, "state": "absent"}, env=env)
    assert first["changed"] and account(em_admin, SVC) is None
    em_admin.reset_stats()
    last = run_module("em_account", {"name": "BUILTIN\\Administrators", "state": "absent"}, env=env)
    assert last.failed and "without any account that has the Portal Administrator role" in last["msg"]
    assert account(em_admin, "BUILTIN\\Administrators") is not None and em_writes(em_admin) == 0


def test_a_refused_bulk_plan_still_says_what_it_would_have_done(em_env, em_admin):
    em_admin.reset_stats()
    accounts = [{"name": "TECH\\jane.doe", "roles": ["Portal User"]}, {"name": SVC, "roles": ["Portal User"]}]
    result = run_module("em_account", {"accounts": accounts, "exclusive": True}, env=em_env)
    assert result.failed and result["error"]["error_code"] == "lockout" and result["changed"] is False
    outcomes = dict((entry["name"], entry["outcome"]) for entry in result["accounts"])
    # BUILTIN\\Administrators is refused too: removing it with the automation demoted leaves no Portal Administrator
    assert outcomes == {"TECH\\jane.doe": "not_attempted", SVC: "refused", "BUILTIN\\Administrators": "refused",
                        FOX: "not_attempted"}
    jane = result["accounts"][0]
    assert jane["after"] is None and jane["planned"]["roles"] == ["Portal User"]
    fox = [entry for entry in result["accounts"] if entry["name"] == FOX][0]
    assert fox["reason"] == "not listed (exclusive)" and fox["planned"] is None and fox["after"]["name"] == FOX
    assert "without any account that has the Portal Administrator role" in result["msg"]
    assert em_writes(em_admin) == 0 and account(em_admin, "TECH\\jane.doe") is None


def test_allow_lockout_demotes_and_says_it_could_not_read_back(em_env, em_admin):
    result = run_module("em_account", {"name": SVC, "roles": ["Portal User"], "allow_lockout": True}, env=em_env)
    assert not result.failed and result["changed"], result.get("msg")
    assert result["account"]["roles"] == ["Portal User"]
    assert account(em_admin, SVC)["roles"] != [PORTAL_ADMINISTRATOR]


# ------------------------------------------------------------------------------------- re-create
def test_a_recreate_the_server_would_refuse_deletes_nothing(em_env, em_admin):
    args = {"name": FOX, "flr_settings": {"inplace_only": True}, "restore_scope": [FOX_VM], "recreate": True}
    before = account(em_admin, FOX)
    for check_mode in (True, False):
        result = run_module("em_account", args, env=em_env, check_mode=check_mode)
        assert result.failed and result["changed"] is False
        assert "extensions" in result["msg"] and "Nothing was changed" in result["msg"]
    assert em_writes(em_admin) == 0
    assert account(em_admin, FOX) == before


def recreate_fox(em_env):
    return run_module("em_account", {"name": FOX, "sql_settings": {"deny_in_place_restore": True},
                                     "restore_scope": [FOX_VM], "recreate": True}, env=em_env)


def test_a_recreate_whose_create_fails_puts_the_account_back(em_env, em_admin):
    before = account(em_admin, FOX)
    em_admin.fault(method="POST", path=ACCOUNTS, status=400, body={"Message": "Cannot create the account: the "
                                                                   "directory is unavailable", "StatusCode": 400})
    result = recreate_fox(em_env)
    assert result.failed and result["changed"] is True and result["restored"] is True
    assert result["deleted"]["name"] == FOX and "directory is unavailable" in result["msg"]
    assert "put back with its original settings" in result["msg"]
    after = account(em_admin, FOX)
    assert after["id"] != before["id"]
    for key in ("type", "allow_all", "flr", "sql"):
        assert after[key] == before[key], key
    assert sorted(after["roles"]) == sorted(before["roles"])
    assert [scope["ref"] for scope in after["scopes"]] == [FOX_VM["ref"]]


def test_a_recreate_that_cannot_put_the_account_back_says_so(em_env, em_admin):
    em_admin.fault(method="POST", path=ACCOUNTS, status=400, times=2)
    result = recreate_fox(em_env)
    assert result.failed and result["changed"] is True and result["restored"] is False
    assert "could NOT be put back" in result["msg"] and result["deleted"]["roles"]
    assert account(em_admin, FOX) is None


def test_a_recreate_that_works_is_reported_as_such(em_env, em_admin):
    result = recreate_fox(em_env)
    assert not result.failed and result["recreated"] and result["account"]["sql_settings"]["deny_in_place_restore"]
    assert account(em_admin, FOX)["sql"] == {"deny_in_place": True}


# ------------------------------------------------------------------------------------- check mode predicts refusals
def test_check_mode_predicts_that_an_empty_scope_is_refused(em_env, em_admin):
    before = account(em_admin, FOX)
    for check_mode in (True, False):
        result = run_module("em_account", {"name": FOX, "restore_scope": []}, env=em_env, check_mode=check_mode)
        assert result.failed and "allow_restore_all_vms is false" in result["msg"], result.get("msg")
    assert account(em_admin, FOX) == before and em_writes(em_admin) == 0


# ------------------------------------------------------------------------------------- never repeated blindly
def test_a_toggle_answered_503_after_acting_is_not_flipped_back(em_env, em_admin):
    fox_id = account(em_admin, FOX)["id"]
    em_admin.fault(method="POST", path="%s/%s" % (ACCOUNTS, fox_id), status=503, when="after")
    result = run_module("em_account", {"name": FOX, "allow_restore_all_vms": True}, env=em_env)
    assert not result.failed and result["account"]["allow_restore_all_vms"] is True, result.get("msg")
    assert account(em_admin, FOX)["allow_all"] is True
    assert em_admin.count("POST %s/{id}" % ACCOUNTS) == 1


def test_a_toggle_refused_before_acting_is_sent_again_after_a_reread(em_env, em_admin):
    fox_id = account(em_admin, FOX)["id"]
    em_admin.fault(method="POST", path="%s/%s" % (ACCOUNTS, fox_id), status=503)
    result = run_module("em_account", {"name": FOX, "allow_restore_all_vms": True}, env=em_env)
    assert not result.failed and account(em_admin, FOX)["allow_all"] is True
    assert em_admin.count("POST %s/{id}" % ACCOUNTS) == 2


def test_a_create_answered_503_after_acting_is_not_sent_again(em_env, em_admin):
    em_admin.fault(method="POST", path=ACCOUNTS, status=503, when="after")
    result = run_module("em_account", {"name": "TECH\\jane.doe", "roles": ["Portal User"]}, env=em_env)
    assert not result.failed and result["changed"], result.get("msg")
    assert em_admin.count("POST %s" % ACCOUNTS) == 1
    assert [item["name"] for item in em_admin.state()["accounts"]].count("TECH\\jane.doe") == 1


def test_a_role_added_with_a_lost_answer_is_not_added_twice(em_env, em_admin):
    fox_id = account(em_admin, FOX)["id"]
    em_admin.fault(method="POST", path="%s/%s/roles" % (ACCOUNTS, fox_id), action="drop", when="after")
    result = run_module("em_account", {"name": FOX, "roles": ["VM Restore Operator", "File Restore Operator",
                                                              "Portal User"]}, env=em_env)
    assert not result.failed, result.get("msg")
    assert len(account(em_admin, FOX)["roles"]) == 3
    assert em_admin.count("POST %s/{id}/roles" % ACCOUNTS) == 1


@pytest.fixture(scope="module")
def slow_em(tmp_path_factory):
    yield from running_simulator(tmp_path_factory, vbr_servers=1, latency_ms=300)


@pytest.mark.slow
def test_two_runs_creating_the_same_account_at_once_make_it_once(slow_em):
    admin = SimAdmin(slow_em.em_url, slow_em.ca_path, kind="em")
    admin.reset()
    env = {"VEEAM_EM_SERVER": slow_em.em_url, "VEEAM_EM_CA_PATH": slow_em.ca_path,
           "VEEAM_EM_USERNAME": slow_em.config.username, "VEEAM_EM_PASSWORD": slow_em.config.password}
    args = {"name": "TECH\\jane.doe", "roles": ["Portal User"]}
    results = [None, None]

    def runner(index):
        results[index] = run_module("em_account", args, env=env)

    threads = [threading.Thread(target=runner, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not results[0].failed and not results[1].failed, [result.get("msg") for result in results]
    assert [item["name"] for item in admin.state()["accounts"]].count("TECH\\jane.doe") == 1


# ------------------------------------------------------------------------------------- rebuild and logon session
@pytest.mark.slow
def test_a_rebuild_whose_session_ends_while_waiting_says_it_can_no_longer_be_followed(em_env, em_admin):
    em_admin.task_outcome(success=True, duration=3)
    result = {}

    def runner():
        result.update(run_module("em_rebuild_scope", {"wait_timeout": 30, "poll_interval": 0.2}, env=em_env))

    thread = threading.Thread(target=runner)
    thread.start()
    deadline = time.monotonic() + 20
    while em_admin.count("GET /api/tasks/{id}") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)  # until the module polls its task
    em_admin.expire_sessions()
    thread.join()
    assert result["failed"] and result["changed"] is True
    assert result["error"]["error_code"] == "task_lost" and "was started" in result["msg"]
    assert "no such object" not in result["msg"]
    assert em_admin.stats()["by_kind"].get("logon") == 1, "no new logon to poll a task the new session cannot see"


def test_an_account_without_allow_restore_all_vms_is_an_error_not_false(em_env, em_admin):
    fox_id = account(em_admin, FOX)["id"]
    em_admin.fault(method="GET", path="%s/%s" % (ACCOUNTS, fox_id), status=200, times=0,
                   body={"UID": "urn:veeam:EnterpriseAccount:" + fox_id, "Name": FOX, "AccountType": "User"})
    result = run_module("em_account", {"name": FOX, "allow_restore_all_vms": False, "restore_scope": [FOX_VM]},
                        env=em_env)
    assert result.failed and result["error"]["error_code"] == "unexpected_response"
    assert "AllowRestoreAllVms" in result["msg"] and em_writes(em_admin) == 0
