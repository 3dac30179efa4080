"""The onboarding, audit and offboarding playbooks against a fleet of simulated VBR servers and Enterprise Manager."""

import csv
import json
import os

import pytest
import requests
import yaml

from tests.functional.module_harness import REPO_ROOT, run_playbook
from tests.simulator import SimConfig, Simulator

PEOPLE = os.path.join(REPO_ROOT, "playbooks", "vars", "people.example.yml")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """Four VBR servers and Enterprise Manager, every VBR request and response checked against Veeam's spec."""
    config = SimConfig(vbr_port=0, em_port=0, vbr_servers=4, cert_dir=str(tmp_path_factory.mktemp("fleet-certs")),
                       task_duration=0.2, validate_spec=True)
    with Simulator(config) as sim:
        yield sim


@pytest.fixture
def inventory(fleet, tmp_path):
    """The fleet, reset; vbr02 and vbr04 name their built-in roles the VBR 13.0 way ("Veeam Restore Operator").
    After the test, no VBR request or response may have strayed from the spec."""
    for url in fleet.vbr_urls + [fleet.em_url]:
        requests.post(url + "/_sim/reset", verify=fleet.ca_path, timeout=10)
    for url in fleet.vbr_urls[1::2]:
        requests.post(url + "/_sim/role-names", json={"naming": "prefixed"}, verify=fleet.ca_path, timeout=10)
    lines = ["veeam_vbr:", "  hosts:"]
    for index, url in enumerate(fleet.vbr_urls):
        lines += ["    vbr%02d:" % (index + 1), "      veeam_vbr_server: %s" % url]
    lines += ["  vars:", "    veeam_em_server: %s" % fleet.em_url]
    path = tmp_path / "inventory.yml"
    path.write_text("\n".join(lines) + "\n")
    yield str(path)
    for url in fleet.vbr_urls:
        violations = requests.get(url + "/_sim/violations", verify=fleet.ca_path, timeout=10).json()["violations"]
        assert not violations, "%s: requests or responses violated the VBR OpenAPI spec: %r" % (url, violations)


@pytest.fixture
def env(fleet):
    values = {"ANSIBLE_FORKS": "4"}
    for product in ("VBR", "EM"):
        values.update({"VEEAM_%s_USERNAME" % product: fleet.config.username,
                       "VEEAM_%s_PASSWORD" % product: fleet.config.password,
                       "VEEAM_%s_CA_PATH" % product: fleet.ca_path})
    return values


def stats(fleet, url):
    return requests.get(url + "/_sim/stats", verify=fleet.ca_path, timeout=10).json()


def state(fleet, url):
    return requests.get(url + "/_sim/state", verify=fleet.ca_path, timeout=10).json()


def onboard(inventory, env, **kwargs):
    return run_playbook(os.path.join(REPO_ROOT, "playbooks", "onboard.yml"), inventory=inventory, env=env,
                        extra_vars=load_people(), **kwargs)


def load_people():
    with open(PEOPLE) as handle:
        return yaml.safe_load(handle)


def test_fleet_onboarding_is_one_bulk_write_per_server_and_idempotent(fleet, inventory, env):
    first = onboard(inventory, env)
    assert first.returncode == 0, first.stdout[-3000:]
    for url in fleet.vbr_urls:
        names = [user["name"] for user in state(fleet, url)["users"]]
        assert {"TECH\\jane.doe", "TECH\\bob.smith", "TECH\\Restore Operators"} <= set(names)
        assert stats(fleet, url)["by_route"]["POST /api/oauth2/token"] == 1  # one login per server
    em_accounts = [account["name"] for account in state(fleet, fleet.em_url)["accounts"]]
    assert "TECH\\jane.doe" in em_accounts and "TECH\\Restore Operators" in em_accounts
    assert stats(fleet, fleet.em_url)["by_route"].get("POST /api/security/accounts", 0) == 3  # 2 accounts + rebuild

    second = onboard(inventory, env)
    assert second.returncode == 0
    assert all(host["changed"] == 0 for host in second.stats.values()), second.stats


def test_check_mode_changes_nothing(fleet, inventory, env):
    run = onboard(inventory, env, check=True, diff=True)
    assert run.returncode == 0, run.stdout[-3000:]
    for url in fleet.vbr_urls:
        assert stats(fleet, url)["by_kind"].get("write", 0) == 0
    assert stats(fleet, fleet.em_url)["by_kind"].get("write", 0) == 0
    assert any(host["changed"] for host in run.stats.values())


def test_audit_and_offboard_report(fleet, inventory, env, tmp_path):
    assert onboard(inventory, env).returncode == 0
    audit = run_playbook(os.path.join(REPO_ROOT, "playbooks", "audit.yml"), inventory=inventory, env=env,
                         extra_vars={"veeam_audit_dir": str(tmp_path / "audit")})
    assert audit.returncode == 0, audit.stdout[-3000:]
    rows = json.loads((tmp_path / "audit" / "veeam-access.json").read_text())
    jane = [row for row in rows if row["account"] == "TECH\\jane.doe"]
    assert sorted(row["server"] for row in jane) == ["Enterprise Manager", "vbr01", "vbr02", "vbr03", "vbr04"]
    with open(str(tmp_path / "audit" / "veeam-access.csv")) as handle:
        assert len(list(csv.DictReader(handle))) == len(rows)
    assert "jane.doe" in audit.stdout and "jane-workstation" in audit.stdout

    offboard = run_playbook(os.path.join(REPO_ROOT, "playbooks", "offboard.yml"), inventory=inventory, env=env,
                            extra_vars={"veeam_offboard_users": ["TECH\\jane.doe", "TECH\\nobody.here"]})
    assert offboard.returncode == 0, offboard.stdout[-3000:]
    report = offboard.task_results("Offboarding report", host="vbr01")["msg"]
    jane_report, nobody = report
    assert jane_report["vbr_access_removed_from"] == ["vbr01", "vbr02", "vbr03", "vbr04"]
    assert jane_report["enterprise_manager"] == "removed" and jane_report["complete"]
    assert nobody["vbr_no_access_on"] == ["vbr01", "vbr02", "vbr03", "vbr04"]
    assert nobody["enterprise_manager"] == "had no access"
    assert "Active Directory" in nobody["directory_account"]


def test_offboarding_the_automation_account_is_refused(fleet, inventory, env):
    run = run_playbook(os.path.join(REPO_ROOT, "playbooks", "offboard.yml"), inventory=inventory, env=env,
                       extra_vars={"veeam_offboard_users": [fleet.config.username]})
    assert run.returncode != 0
    assert "the account this task is connected as" in run.stdout
    for url in fleet.vbr_urls:
        assert stats(fleet, url)["by_kind"].get("write", 0) == 0
    assert stats(fleet, fleet.em_url)["by_kind"].get("write", 0) == 0
    report = run.task_results("Offboarding report", host="vbr01")["msg"][0]
    assert set(report["vbr_refused"]) == {"vbr01", "vbr02", "vbr03", "vbr04"}
    assert report["enterprise_manager"].startswith("refused: ")


def test_offboarding_reports_a_server_that_failed(fleet, inventory, env):
    """vbr03 answers every read with 500: it was reached, so it is reported as failed (with the error), not as
    "not reached"; the play fails, and the report still comes."""
    assert onboard(inventory, env).returncode == 0
    requests.post(fleet.vbr_urls[2] + "/_sim/faults", verify=fleet.ca_path, timeout=10,
                  json={"method": "GET", "path": "/api/v1/security/users", "status": 500, "times": 0})
    run = run_playbook(os.path.join(REPO_ROOT, "playbooks", "offboard.yml"), inventory=inventory, env=env,
                       extra_vars={"veeam_offboard_users": ["TECH\\jane.doe"]})
    assert run.returncode != 0
    jane = run.task_results("Offboarding report", host="vbr01")["msg"][0]
    assert jane["vbr_access_removed_from"] == ["vbr01", "vbr02", "vbr04"]
    assert list(jane["vbr_failed"]) == ["vbr03"] and "HTTP 500" in jane["vbr_failed"]["vbr03"]
    assert jane["vbr_not_reached"] == [] and jane["complete"] is False
    assert jane["enterprise_manager"] == "removed"
    assert "TECH\\jane.doe" in [user["name"] for user in state(fleet, fleet.vbr_urls[2])["users"]]
