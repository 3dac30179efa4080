"""The collection as users get it: playbooks run by their FQCN from any directory, reports land under the
current directory, and the modules run with the controller's Python (the one with `requests`) unless told
otherwise - also when the inventory, the configuration or interpreter discovery would pick another Python."""

import json
import subprocess
import sys

import pytest

from tests.functional.module_harness import run_playbook


@pytest.fixture(scope="module")
def python_without_requests(tmp_path_factory):
    """A Python that cannot import requests: a fresh venv (no system site-packages), like a system python3."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    assert subprocess.run([python, "-c", "import requests"], capture_output=True, check=False).returncode != 0
    return python


@pytest.fixture
def inventory(simulator, sim_admin, em_admin, tmp_path):
    def write(host_vars=""):
        path = tmp_path / "inventory.yml"
        path.write_text("veeam_vbr:\n  hosts:\n    vbr01:\n      veeam_vbr_server: \"%s\"\n%s"
                        "  vars:\n    veeam_em_server: \"%s\"\n" % (simulator.vbr_url, host_vars, simulator.em_url))
        return str(path)
    return write


@pytest.fixture
def env(simulator):
    values = {}
    for product in ("VBR", "EM"):
        values.update({"VEEAM_%s_USERNAME" % product: simulator.config.username,
                       "VEEAM_%s_PASSWORD" % product: simulator.config.password,
                       "VEEAM_%s_CA_PATH" % product: simulator.ca_path})
    return values


def test_audit_by_fqcn_writes_its_report_under_the_current_directory(inventory, env, tmp_path):
    workdir = tmp_path / "project"
    workdir.mkdir()
    run = run_playbook("backupops.veeam.audit", inventory=inventory(), env=env, cwd=str(workdir))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    report = workdir / "veeam-audit"
    assert (report / "veeam-access.json").is_file() and (report / "veeam-access.csv").is_file()
    assert "Audit report written to %s: veeam-access.json, veeam-access.csv and veeam-access.html" % report in run.stdout


def test_playbooks_use_the_controllers_python_whatever_the_inventory_says(inventory, env, python_without_requests,
                                                                          tmp_path):
    run = run_playbook("backupops.veeam.audit", inventory=inventory(
        "      ansible_python_interpreter: \"%s\"\n" % python_without_requests), env=env,
        extra_vars={"veeam_audit_dir": str(tmp_path / "audit")})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


def test_roles_use_the_controllers_python_in_your_own_play(inventory, env, python_without_requests, sim_admin, tmp_path):
    play = tmp_path / "own_play.yml"
    play.write_text("- hosts: veeam_vbr\n  gather_facts: false\n  connection: local\n  roles:\n"
                    "    - role: backupops.veeam.onboard\n      vars:\n        onboard_users:\n"
                    "          - {name: 'TECH\\jane.doe', vbr_roles: [Restore Operator]}\n")
    run = run_playbook(str(play), inventory=inventory(), env=dict(env, ANSIBLE_PYTHON_INTERPRETER=python_without_requests))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert sim_admin.user("TECH\\jane.doe") is not None


def test_a_python_without_requests_says_what_to_do(inventory, env, python_without_requests):
    run = run_playbook("backupops.veeam.audit", inventory=inventory(), env=env,
                       extra_vars={"veeam_python_interpreter": python_without_requests})
    assert run.returncode != 0
    message = " ".join(run.task_results("Read the users and groups of the VBR server", host="vbr01")["msg"].split())
    assert "requests" in message and python_without_requests in message
    assert "%s -m pip install requests" % python_without_requests in message
    assert "ansible_python_interpreter" in message


def test_import_playbook_in_a_project_of_your_own(simulator, env, sim_admin, em_admin, tmp_path):
    """The project layout of the README: the collection's playbook imported, the people in group_vars."""
    project = tmp_path / "veeam-access"
    (project / "inventory" / "group_vars" / "veeam_vbr").mkdir(parents=True)
    (project / "inventory" / "veeam.yml").write_text(
        "veeam_vbr:\n  hosts:\n    vbr01:\n      veeam_vbr_server: \"%s\"\n  vars:\n    veeam_em_server: \"%s\"\n"
        % (simulator.vbr_url, simulator.em_url))
    (project / "inventory" / "group_vars" / "veeam_vbr" / "people.yml").write_text(
        "veeam_onboard_users:\n  - name: TECH\\jane.doe\n    vbr_roles: [Restore Operator]\n"
        "    em_roles: [VM Restore Operator]\n")
    (project / "onboard.yml").write_text("- name: Onboard the people of inventory/group_vars/veeam_vbr/people.yml\n"
                                         "  ansible.builtin.import_playbook: backupops.veeam.onboard\n")
    run = run_playbook("onboard.yml", inventory="inventory/veeam.yml", env=env, cwd=str(project))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert sim_admin.user("TECH\\jane.doe") is not None
    assert "TECH\\jane.doe" in [account["name"] for account in em_admin.state()["accounts"]]


def test_access_by_fqcn_reports_drift_under_the_current_directory_and_leaves_em_alone(
        inventory, env, sim_admin, em_admin, tmp_path):
    """The access playbook by its FQCN, without veeam_access_em (Enterprise Manager left alone: also on the oldest
    ansible-core, where a role variable templated to none would arrive as an empty string), in check mode, from a
    project directory: the drift report goes under that directory, and an earlier audit is found there too."""
    workdir = tmp_path / "project"
    workdir.mkdir()
    audit = run_playbook("backupops.veeam.audit", inventory=inventory(), env=env, cwd=str(workdir))
    assert audit.returncode == 0, audit.stdout[-3000:]
    sim_admin.reset_stats()
    em_admin.reset_stats()
    desired = {"veeam_access_vbr": [{"group": "veeam_vbr", "accounts": [
        {"name": "TECH\\new.person", "roles": ["Restore Operator"]}]}],
        "veeam_access_keep": ["BUILTIN\\Administrators"],
        "veeam_access_previous_audit": "veeam-audit/veeam-access.json"}
    run = run_playbook("backupops.veeam.access", inventory=inventory(), env=env, cwd=str(workdir), check=True,
                       extra_vars=desired)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    report = workdir / "veeam-access"
    drift = json.loads((report / "access-report.json").read_text())
    assert (report / "access-report.csv").is_file() and (report / "access-report.html").is_file()
    servers = dict((server["server"], server) for server in drift["servers"])
    assert list(servers) == ["vbr01"], "Enterprise Manager must be left alone without veeam_access_em"
    missing = [row for row in drift["drift"] if row["drift"] == "missing"]
    assert [row["account"] for row in missing] == ["TECH\\new.person"]
    assert drift["changes_since"] == [], "nothing changed since the audit just taken"
    assert sim_admin.writes() == 0 and sum(em_admin.stats()["by_kind"].values()) == 0
