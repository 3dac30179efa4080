"""Enterprise Manager at scale (issue 13): the em_account bulk form and bounded parallel requests of both bulk
paths - request counts against the minimum, results independent of the number of workers, one token renewal and
one logon for all workers, and a 429 that slows everyone down instead of multiplying retries."""

import threading
import time

import pytest

from tests.conftest import SimAdmin, running_simulator
from tests.functional.module_harness import run_module

ACCOUNTS = "/api/security/accounts"
USERS = "/api/v1/security/users"


def em_people(count, first=0):
    return [{"name": "TECH\\em.user%03d" % number, "roles": ["Portal User"]} for number in range(first, first + count)]


def em_state(em_admin):
    return dict((account["name"], account) for account in em_admin.state()["accounts"])


# ------------------------------------------------------------------------------------- em_account bulk form
def test_em_bulk_onboarding_uses_the_minimum_of_requests(em_env, em_admin):
    em_admin.reset_stats()
    result = run_module("em_account", {"accounts": em_people(30)}, env=em_env, diff=True)
    assert not result.failed and result["changed"], result.get("msg")
    routes = em_admin.stats()["by_route"]
    assert em_admin.stats()["by_kind"]["logon"] == 1
    assert routes["GET /api/security/roles"] == 1
    assert routes["GET %s" % ACCOUNTS] == 2  # before, and once after the creates for their ids
    assert routes["POST %s" % ACCOUNTS] == 30
    assert sum(routes.values()) == 1 + 1 + 2 + 30 + 1  # logon, roles, lists, creates, logout
    state = em_state(em_admin)
    for entry in result["accounts"]:
        assert entry["outcome"] == "changed" and entry["after"]["id"] == state[entry["name"]]["id"]
        assert entry["after"]["roles"] == ["Portal User"]
    assert sorted(result["diff"]["after"]) == sorted(person["name"] for person in em_people(30))


def test_em_bulk_rerun_reads_only_the_listed_accounts_and_writes_nothing(em_env, em_admin):
    people = em_people(10) + [{"name": "TECH\\william.fox", "roles": ["VM Restore Operator", "File Restore Operator"]}]
    assert not run_module("em_account", {"accounts": people}, env=em_env).failed
    em_admin.reset_stats()
    again = run_module("em_account", {"accounts": people, "parallel_requests": 1}, env=em_env)
    assert not again.failed and again["changed"] is False
    stats = em_admin.stats()
    assert stats["by_kind"].get("write", 0) == 0
    assert stats["by_route"]["GET %s/{id}" % ACCOUNTS] == 11  # each listed account once; not the other accounts
    assert stats["by_route"]["GET %s/{id}/roles" % ACCOUNTS] == 11
    assert stats["by_route"]["GET %s/{id}/scopes" % ACCOUNTS] == 11


def test_em_bulk_check_mode_and_mixed_changes(em_env, em_admin):
    accounts = [{"name": "TECH\\jane.doe", "roles": ["Portal User"]},
                {"name": "TECH\\william.fox", "state": "absent"},
                {"name": "TECH\\nobody", "state": "absent"}]
    em_admin.reset_stats()
    checked = run_module("em_account", {"accounts": accounts}, env=em_env, check_mode=True)
    assert checked["changed"] and [entry["outcome"] for entry in checked["accounts"]] == \
        ["changed", "changed", "unchanged"]
    assert em_admin.stats()["by_kind"].get("write", 0) == 0
    real = run_module("em_account", {"accounts": accounts}, env=em_env)
    assert [entry["outcome"] for entry in real["accounts"]] == ["changed", "changed", "unchanged"]
    state = em_state(em_admin)
    assert "TECH\\jane.doe" in state and "TECH\\william.fox" not in state


@pytest.mark.parametrize("accounts, fragments", [
    ([{"name": "TECH\\a", "roles": ["Portal User"]}, {"name": "TECH\\b", "roles": []}], ["accounts[1].roles"]),
    ([{"name": "TECH\\a", "roles": ["Portal User"]}, {"name": "tech\\A", "roles": ["Portal User"]}],
     ["accounts[1].name", "more than once"]),
    ([{"name": "TECH\\a", "roles": ["Portal User"]}, {"name": "TECH\\b", "roles": ["Chief Restorer"]}],
     ["accounts[1] (TECH\\b)", "Chief Restorer", "Portal Administrator"]),
    ([{"name": "TECH\\a", "type": "ExternalUser", "roles": ["Portal User"]}], ["accounts[0].name", "principal name"]),
    ([{"name": "TECH\\william.fox", "flr_settings": {"inplace_only": True, "extensions": ["pdf"]}}],
     ["accounts[0] (TECH\\william.fox)", "recreate"]),
])
def test_em_bulk_bad_entries_name_the_entry_and_write_nothing(accounts, fragments, em_env, em_admin):
    em_admin.reset_stats()
    result = run_module("em_account", {"accounts": accounts}, env=em_env)
    assert result.failed
    for fragment in fragments:
        assert fragment in result["msg"], result["msg"]
    assert em_admin.stats()["by_kind"].get("write", 0) == 0


def test_em_bulk_refuses_single_form_options(em_env, em_admin):
    result = run_module("em_account", {"accounts": em_people(1), "state": "absent"}, env=em_env)
    assert result.failed and "state given next to accounts" in result["msg"]


def test_em_bulk_exclusive_is_guarded(em_env, em_admin, credentials):
    refused = run_module("em_account", {"accounts": em_people(1), "exclusive": True}, env=em_env)
    assert refused.failed and "TECH\\svc.ansible" in refused["msg"] and "connected as" in refused["msg"]
    assert len(em_state(em_admin)) == 3
    partial = run_module("em_account", {"accounts": em_people(1), "exclusive": True, "skip_refused": True},
                         env=em_env)
    assert partial.failed and partial["changed"]
    outcomes = dict((entry["name"], entry["outcome"]) for entry in partial["accounts"])
    assert outcomes == {"TECH\\em.user000": "changed", "TECH\\svc.ansible": "refused",
                        "BUILTIN\\Administrators": "changed", "TECH\\william.fox": "changed"}
    assert sorted(em_state(em_admin)) == ["TECH\\em.user000", "TECH\\svc.ansible"]
    assert all(entry["reason"] == "not listed (exclusive)" for entry in partial["accounts"][1:])


def test_em_bulk_exclusive_keep(em_env, em_admin):
    """keep leaves BUILTIN\\Administrators and the automation account (its other spelling) as they are, with their
    roles in the result; the rest of the unlisted accounts go; a second run changes nothing."""
    args = {"accounts": em_people(1), "exclusive": True, "keep": ["BUILTIN\\Administrators", "svc.ansible@tech.local"]}
    checked = run_module("em_account", args, env=em_env, check_mode=True)
    assert not checked.failed, checked.get("msg")
    assert [entry["name"] for entry in checked["accounts"] if entry.get("reason")] == ["TECH\\william.fox"]
    kept = dict((account["name"], account["roles"]) for account in checked["kept"])
    assert kept == {"TECH\\svc.ansible": ["Portal Administrator"], "BUILTIN\\Administrators": ["Portal Administrator"]}
    assert em_admin.stats()["by_kind"].get("write", 0) == 0
    result = run_module("em_account", args, env=em_env)
    assert not result.failed and result["changed"]
    assert sorted(em_state(em_admin)) == ["BUILTIN\\Administrators", "TECH\\em.user000", "TECH\\svc.ansible"]
    em_admin.reset_stats()
    again = run_module("em_account", args, env=em_env)
    assert again["changed"] is False and em_admin.stats()["by_kind"].get("write", 0) == 0


def test_em_keep_bad_input(em_env, em_admin):
    result = run_module("em_account", {"accounts": em_people(1), "keep": ["BUILTIN\\Administrators"]}, env=em_env)
    assert result.failed and "keep only applies with exclusive: true" in result["msg"]
    clash = run_module("em_account", {"accounts": em_people(1), "exclusive": True, "keep": ["tech\\EM.USER000"]},
                       env=em_env)
    assert clash.failed and "listed in accounts" in clash["msg"]
    assert em_admin.stats()["by_kind"].get("write", 0) == 0


# ------------------------------------------------------------------------------------- parallel requests
@pytest.fixture(scope="module")
def slow_sim(tmp_path_factory):
    """VBR and EM with 50 ms per request, so that workers overlap."""
    yield from running_simulator(tmp_path_factory, vbr_servers=1, latency_ms=50, validate_spec=True)


@pytest.fixture
def slow(slow_sim):
    vbr, em = SimAdmin(slow_sim.vbr_url, slow_sim.ca_path), SimAdmin(slow_sim.em_url, slow_sim.ca_path, kind="em")
    vbr.reset()
    em.reset()
    vbr.add_directory(domains=["BULK"])
    env = {"VEEAM_VBR_SERVER": slow_sim.vbr_url, "VEEAM_EM_SERVER": slow_sim.em_url}
    for product in ("VBR", "EM"):
        env.update({"VEEAM_%s_CA_PATH" % product: slow_sim.ca_path,
                    "VEEAM_%s_USERNAME" % product: slow_sim.config.username,
                    "VEEAM_%s_PASSWORD" % product: slow_sim.config.password})
    yield vbr, em, env
    assert not vbr.violations()


def vbr_people(count):
    return [{"name": "BULK\\user%03d" % number, "roles": ["Restore Operator"]} for number in range(count)]


def comparable(entries):
    return [(entry["name"], entry["outcome"], entry["after"] and entry["after"]["roles"]) for entry in entries]


@pytest.mark.slow
def test_vbr_results_do_not_depend_on_the_number_of_workers(slow):
    vbr, _em, env = slow
    serial = run_module("vbr_user", {"users": vbr_people(24), "parallel_requests": 1}, env=env)
    assert vbr.stats()["max_in_flight"] == 1
    vbr.reset()
    vbr.add_directory(domains=["BULK"])
    parallel = run_module("vbr_user", {"users": vbr_people(24), "parallel_requests": 6}, env=env)
    assert not serial.failed and not parallel.failed
    assert comparable(serial["users"]) == comparable(parallel["users"])
    assert vbr.stats()["max_in_flight"] > 1, "the simulator must serve the workers at the same time"
    assert vbr.count("POST %s" % USERS) == 24
    assert len([user for user in vbr.state()["users"] if user["name"].startswith("BULK\\")]) == 24


@pytest.mark.slow
def test_em_results_do_not_depend_on_the_number_of_workers(slow):
    _vbr, em, env = slow
    serial = run_module("em_account", {"accounts": em_people(16), "parallel_requests": 1}, env=env)
    em.reset()
    em.reset_stats()
    parallel = run_module("em_account", {"accounts": em_people(16), "parallel_requests": 6}, env=env)
    assert comparable(serial["accounts"]) == comparable(parallel["accounts"])
    assert em.stats()["max_in_flight"] > 1 and em.stats()["by_kind"]["logon"] == 1
    rerun = run_module("em_account", {"accounts": em_people(16), "parallel_requests": 6}, env=env)
    assert rerun["changed"] is False


@pytest.mark.slow
def test_a_429_slows_every_worker_down_and_is_not_multiplied(slow):
    vbr, _em, env = slow
    vbr.fault(method="POST", path=USERS, status=429, retry_after="1", times=3)
    result = run_module("vbr_user", {"users": vbr_people(20), "parallel_requests": 6}, env=env)
    assert not result.failed, result.get("msg")
    assert vbr.count("POST %s" % USERS) == 23  # 20 creates and the 3 refused ones, each sent again once
    assert len([user for user in vbr.state()["users"] if user["name"].startswith("BULK\\")]) == 20


def run_in_background(module, args, env):
    result = {}
    thread = threading.Thread(target=lambda: result.update(run_module(module, args, env=env)))
    thread.start()
    return thread, result


def wait_for(admin, route, count):
    deadline = time.monotonic() + 30
    while admin.count(route) < count and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.mark.slow
def test_an_expired_token_is_renewed_once_for_all_workers(slow):
    vbr, _em, env = slow
    thread, result = run_in_background("vbr_user", {"users": vbr_people(40), "parallel_requests": 6}, env)
    wait_for(vbr, "POST %s" % USERS, 6)
    vbr.expire_tokens()
    thread.join()
    assert result.get("changed") and not result.get("failed"), result.get("msg")
    assert vbr.count("POST /api/oauth2/token") == 2
    assert len([user for user in vbr.state()["users"] if user["name"].startswith("BULK\\")]) == 40


@pytest.mark.slow
def test_an_expired_em_session_is_logged_on_again_once_for_all_workers(slow):
    _vbr, em, env = slow
    em.reset_stats()
    thread, result = run_in_background("em_account", {"accounts": em_people(30), "parallel_requests": 6}, env)
    wait_for(em, "POST %s" % ACCOUNTS, 6)
    em.expire_sessions()
    thread.join()
    assert result.get("changed") and not result.get("failed"), result.get("msg")
    assert em.stats()["by_kind"]["logon"] == 2
    assert len([name for name in em_state(em) if name.startswith("TECH\\em.user")]) == 30
