"""The onboard and offboard roles (issue 10): Enterprise Manager is handled whatever happened on the VBR servers, one
bad or refused name does not keep the others' access, the report says per person and per server exactly what
happened, and the play fails when anything is not as asked. Server state is checked after every run."""

import os

import pytest
import requests

from tests.functional.module_harness import REPO_ROOT, run_playbook
from tests.simulator import SimConfig, Simulator

OFFBOARD = os.path.join(REPO_ROOT, "playbooks", "offboard.yml")
ONBOARD = os.path.join(REPO_ROOT, "playbooks", "onboard.yml")
JANE = "TECH\\jane.doe"
JANE_EM = {"name": JANE, "vbr_roles": ["Restore Operator"], "em_roles": ["Portal User"]}


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """Two VBR servers and Enterprise Manager."""
    config = SimConfig(vbr_port=0, em_port=0, vbr_servers=2, cert_dir=str(tmp_path_factory.mktemp("pair-certs")),
                       task_duration=0.1)
    with Simulator(config) as sim:
        yield sim


def call(sim, url, method, path, body=None):
    response = requests.request(method, url + "/_sim/" + path, json=body, verify=sim.ca_path, timeout=10)
    response.raise_for_status()
    return response.json()


def names(sim, url, key):
    return [item["name"] for item in call(sim, url, "GET", "state")[key]]


@pytest.fixture
def inventory(pair, tmp_path):
    for url in pair.vbr_urls + [pair.em_url]:
        call(pair, url, "POST", "reset")
    return write_inventory(tmp_path, pair.vbr_urls, pair.em_url)


def write_inventory(tmp_path, vbr_urls, em_url):
    lines = ["veeam_vbr:", "  hosts:"]
    for index, url in enumerate(vbr_urls):
        lines += ["    vbr%02d:" % (index + 1), "      veeam_vbr_server: %s" % url]
    lines += ["  vars:", "    veeam_em_server: %s" % em_url]
    path = tmp_path / "inventory.yml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.fixture
def env(pair):
    values = {}
    for product in ("VBR", "EM"):
        values.update({"VEEAM_%s_USERNAME" % product: pair.config.username,
                       "VEEAM_%s_PASSWORD" % product: pair.config.password,
                       "VEEAM_%s_CA_PATH" % product: pair.ca_path})
    return values


def onboard(inventory, env, people):
    return run_playbook(ONBOARD, inventory=inventory, env=env, extra_vars={"veeam_onboard_users": people})


def offboard(inventory, env, people):
    return run_playbook(OFFBOARD, inventory=inventory, env=env, extra_vars={"veeam_offboard_users": people})


def report_of(run, task="Offboarding report"):
    return dict((entry["name"], entry) for entry in run.task_results(task, host="vbr01")["msg"])


def test_enterprise_manager_is_offboarded_when_every_vbr_server_fails(pair, inventory, env):
    assert onboard(inventory, env, [JANE_EM]).returncode == 0
    run = offboard(inventory, dict(env, VEEAM_VBR_PASSWORD="wrong"), [JANE])
    assert run.returncode != 0
    jane = report_of(run)[JANE]
    assert jane["enterprise_manager"] == "removed", jane
    assert set(jane["vbr_failed"]) == {"vbr01", "vbr02"} and "refused the login" in jane["vbr_failed"]["vbr01"]
    assert jane["vbr_not_reached"] == [] and jane["complete"] is False
    assert JANE not in names(pair, pair.em_url, "accounts")
    assert all(JANE in names(pair, url, "users") for url in pair.vbr_urls)


def test_one_bad_name_does_not_keep_the_others_access(pair, inventory, env):
    assert onboard(inventory, env, [JANE_EM, {"name": "TECH\\bob.smith", "vbr_roles": ["Restore Operator"]}]
                   ).returncode == 0
    run = offboard(inventory, env, [JANE, "TECH\\bad|name", "TECH\\bob.smith"])
    assert run.returncode != 0
    report = report_of(run)
    assert report[JANE]["complete"] and report["TECH\\bob.smith"]["complete"]
    assert report["TECH\\bad|name"]["vbr"]["vbr01"].startswith("refused: ") and not report["TECH\\bad|name"]["complete"]
    for url in pair.vbr_urls:
        assert not {JANE, "TECH\\bob.smith"} & set(names(pair, url, "users"))
    assert JANE not in names(pair, pair.em_url, "accounts")


def test_a_protected_name_is_refused_and_everyone_else_is_removed(pair, inventory, env):
    assert onboard(inventory, env, [JANE_EM]).returncode == 0
    run = offboard(inventory, env, [JANE, pair.config.username])
    assert run.returncode != 0
    report = report_of(run)
    assert report[JANE]["vbr_access_removed_from"] == ["vbr01", "vbr02"]
    assert report[JANE]["enterprise_manager"] == "removed"
    svc = report[pair.config.username]
    assert set(svc["vbr_refused"]) == {"vbr01", "vbr02"} and "connected as" in svc["vbr_refused"]["vbr01"]
    assert svc["enterprise_manager"].startswith("refused: ")
    for url in pair.vbr_urls:
        assert pair.config.username in names(pair, url, "users") and JANE not in names(pair, url, "users")
    assert pair.config.username in names(pair, pair.em_url, "accounts")


def test_a_server_that_cannot_be_reached_is_reported_as_not_reached(pair, env, tmp_path):
    for url in pair.vbr_urls + [pair.em_url]:
        call(pair, url, "POST", "reset")
    inventory = write_inventory(tmp_path, [pair.vbr_urls[0], "https://127.0.0.1:9"], pair.em_url)
    assert onboard(inventory, env, [JANE_EM]).returncode != 0
    run = offboard(inventory, env, [JANE])
    assert run.returncode != 0
    jane = report_of(run)[JANE]
    assert jane["vbr_access_removed_from"] == ["vbr01"] and jane["vbr_not_reached"] == ["vbr02"]
    assert jane["vbr"]["vbr02"].startswith("not reached: ") and jane["enterprise_manager"] == "removed"
    assert JANE not in names(pair, pair.em_url, "accounts")


def test_onboarding_enterprise_manager_does_not_depend_on_vbr(pair, inventory, env):
    run = onboard(inventory, dict(env, VEEAM_VBR_PASSWORD="wrong"), [JANE_EM])
    assert run.returncode != 0
    jane = report_of(run, "Onboarding report")[JANE]
    assert jane["enterprise_manager"] == "granted" and set(jane["vbr_failed"]) == {"vbr01", "vbr02"}
    assert JANE in names(pair, pair.em_url, "accounts")


def test_onboarding_refuses_the_same_person_twice_before_any_write(pair, inventory, env):
    run = onboard(inventory, env, [JANE_EM, dict(JANE_EM, name="tech\\JANE.DOE")])
    assert run.returncode != 0 and "more than once" in run.stdout
    for url in pair.vbr_urls + [pair.em_url]:
        assert call(pair, url, "GET", "stats")["by_kind"].get("write", 0) == 0


def test_onboarding_refuses_turning_the_automation_into_a_normal_account_under_mfa(pair, inventory, env):
    for url in pair.vbr_urls:
        call(pair, url, "POST", "reset")
    mfa_on = run_playbook(os.path.join(REPO_ROOT, "tests", "integration", "playbooks", "mfa_on.yml"),
                          inventory=inventory, env=env)
    assert mfa_on.returncode == 0, mfa_on.stdout[-2000:]
    run = onboard(inventory, env, [JANE_EM, {"name": pair.config.username, "vbr_roles": ["Backup Administrator"],
                                             "service_account": False}])
    assert run.returncode != 0
    report = report_of(run, "Onboarding report")
    assert "service-account mode off" in report[pair.config.username]["vbr_refused"]["vbr01"]
    assert report[JANE]["vbr_granted_on"] == ["vbr01", "vbr02"]
    for url in pair.vbr_urls:
        svc = next(user for user in call(pair, url, "GET", "state")["users"] if user["name"] == pair.config.username)
        assert svc["isServiceAccount"] is True


def test_onboarding_reports_changes_that_wait_for_four_eyes_approval(pair, inventory, env):
    call(pair, pair.vbr_urls[0], "POST", "four-eyes", {"mode": "403"})
    run = onboard(inventory, env, [JANE_EM, {"name": "TECH\\bob.smith", "vbr_roles": ["Restore Operator"]}])
    assert run.returncode != 0
    report = report_of(run, "Onboarding report")
    jane, bob = report[JANE], report["TECH\\bob.smith"]
    assert list(jane["vbr_pending_approval"]) == ["vbr01"] and "approval" in jane["vbr_pending_approval"]["vbr01"]
    assert "not tried" in bob["vbr_failed"]["vbr01"]
    assert jane["vbr_granted_on"] == ["vbr02"] and bob["vbr_granted_on"] == ["vbr02"]
    assert jane["enterprise_manager"] == "granted"
    events = call(pair, pair.vbr_urls[0], "GET", "state")["authorization_events"]
    assert len([event for event in events if event["state"] == "Pending"]) == 1
