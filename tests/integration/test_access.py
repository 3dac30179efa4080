"""Access as code (playbooks/access.yml, role backupops.veeam.access) against a fleet of simulated VBR servers and
Enterprise Manager: each kind of drift in check mode with nothing written, enforcement and a second run that changes
nothing, each refusal of the lockout guards end to end, bad input refused before anything is written, the reports
(table, JSON, CSV, HTML) with hostile names, and the audit's changes since an earlier audit.

Every test checks the servers afterwards (the simulator's /_sim/state and request counts), not only the report.
"""

import csv
import json
import os

import pytest
import requests

from tests.functional.module_harness import REPO_ROOT, run_module, run_playbook
from tests.html_check import HOSTILE_NAMES, inert_page_problems, page_text
from tests.simulator import SimConfig, Simulator

ACCESS = os.path.join(REPO_ROOT, "playbooks", "access.yml")
AUDIT = os.path.join(REPO_ROOT, "playbooks", "audit.yml")
EM = "Enterprise Manager"
SVC = "TECH\\svc.ansible"
ADMIN_ID = "5ff0e0eb-45cf-48cc-9677-7613fc79bc11"
ROLE_IDS = {ADMIN_ID: "Backup Administrator", "b167c3af-2262-4b6c-9861-0606fc0cb6b1": "Restore Operator"}
JANE_VM = {"ref": "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-2041", "name": "jane-workstation"}
FOX_VM = {"ref": "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-1023", "name": "web-srv-01"}

# The desired state. Against a fresh simulator: TECH\michael.wells is unlisted (removed), TECH\william.fox differs
# (Restore Operator -> Backup Viewer), TECH\jane.doe and the group are missing, BUILTIN\Administrators is kept, and
# the automation account is kept without being listed. vbr02 (group vbr_london) also gets TECH\john.smith.
DESIRED = {
    "veeam_access_vbr": [
        {"group": "veeam_vbr", "accounts": [
            {"name": "TECH\\sheila.d.cory", "roles": ["Backup Administrator"]},
            {"name": "TECH\\jane.doe", "roles": ["Restore Operator"]},
            {"name": "TECH\\william.fox", "roles": ["Backup Viewer"]},
            {"name": "TECH\\Backup Operators", "type": "group", "roles": ["Backup Operator", "Restore Operator"]}]},
        {"group": "vbr_london", "accounts": [{"name": "TECH\\john.smith", "roles": ["Veeam Backup Viewer"]}]},
    ],
    "veeam_access_em": [
        {"name": "TECH\\jane.doe", "roles": ["VM Restore Operator"], "restore_scope": [JANE_VM]},
        {"name": "TECH\\william.fox", "roles": ["VM Restore Operator"], "allow_restore_all_vms": False,
         "restore_scope": [FOX_VM]},
    ],
    "veeam_access_keep": ["BUILTIN\\Administrators"],
}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """Three VBR servers and Enterprise Manager, every VBR request and response checked against Veeam's spec."""
    config = SimConfig(vbr_port=0, em_port=0, vbr_servers=3, cert_dir=str(tmp_path_factory.mktemp("access-certs")),
                       task_duration=0.2, validate_spec=True)
    with Simulator(config) as sim:
        yield sim


class Fleet(object):
    def __init__(self, sim, inventory, env):
        self.sim = sim
        self.inventory = inventory
        self.env = env
        self.urls = list(sim.vbr_urls)

    def call(self, method, url, path, body=None):
        response = requests.request(method, url + "/_sim/" + path, json=body, verify=self.sim.ca_path, timeout=30)
        response.raise_for_status()
        return response.json()

    def state(self, url):
        return self.call("GET", url, "state")

    def stats(self, url):
        return self.call("GET", url, "stats")

    def writes(self):
        return dict((url, self.stats(url)["by_kind"].get("write", 0)) for url in self.urls + [self.sim.em_url])

    def requests(self, url):
        return sum(self.stats(url)["by_kind"].values())

    def reset_stats(self):
        for url in self.urls + [self.sim.em_url]:
            self.call("POST", url, "stats/reset")

    def vbr_access(self, url):
        """{name: sorted role names (13.1 spelling)} on one VBR server."""
        state = self.state(url)
        return dict((user["name"], sorted(ROLE_IDS.get(role, role) for role in user["roles"])) for user in state["users"])

    def em_accounts(self):
        return dict((account["name"], account) for account in self.state(self.sim.em_url)["accounts"])

    def run(self, variables=None, check=False, report_dir=None, env=None, playbook=ACCESS):
        extra = dict(DESIRED if variables is None else variables)
        extra["veeam_access_report_dir"] = str(report_dir or self.report_dir)
        return run_playbook(playbook, inventory=self.inventory, env=dict(self.env, **(env or {})), extra_vars=extra,
                            check=check)


@pytest.fixture
def access_fleet(fleet, tmp_path):
    """The fleet, reset; vbr02 names its built-in roles the VBR 13.0 way ("Veeam Restore Operator") and is also in
    the group vbr_london; TECH\\mary.smith is an unlisted Enterprise Manager account. After the test, no VBR request
    or response may have strayed from the spec."""
    for url in fleet.vbr_urls + [fleet.em_url]:
        requests.post(url + "/_sim/reset", verify=fleet.ca_path, timeout=10).raise_for_status()
    requests.post(fleet.vbr_urls[1] + "/_sim/role-names", json={"naming": "prefixed"}, verify=fleet.ca_path, timeout=10)
    lines = ["veeam_vbr:", "  hosts:"]
    for index, url in enumerate(fleet.vbr_urls):
        lines += ["    vbr%02d:" % (index + 1), "      veeam_vbr_server: %s" % url]
    lines += ["  vars:", "    veeam_em_server: %s" % fleet.em_url, "vbr_london:", "  hosts:", "    vbr02:"]
    inventory = tmp_path / "inventory.yml"
    inventory.write_text("\n".join(lines) + "\n")
    env = {"ANSIBLE_FORKS": "3"}
    for product in ("VBR", "EM"):
        env.update({"VEEAM_%s_USERNAME" % product: fleet.config.username,
                    "VEEAM_%s_PASSWORD" % product: fleet.config.password,
                    "VEEAM_%s_CA_PATH" % product: fleet.ca_path})
    em_env = {"VEEAM_EM_SERVER": fleet.em_url, "VEEAM_EM_USERNAME": fleet.config.username,
              "VEEAM_EM_PASSWORD": fleet.config.password, "VEEAM_EM_CA_PATH": fleet.ca_path}
    mary = run_module("em_account", {"name": "TECH\\mary.smith", "roles": ["Portal User"]}, env=em_env)
    assert not mary.failed, mary.get("msg")
    access = Fleet(fleet, str(inventory), env)
    access.report_dir = tmp_path / "access-report"
    access.em_env = em_env
    access.reset_stats()
    yield access
    for url in fleet.vbr_urls:
        violations = requests.get(url + "/_sim/violations", verify=fleet.ca_path, timeout=10).json()["violations"]
        assert not violations, "%s: requests or responses violated the VBR OpenAPI spec: %r" % (url, violations)


def report_of(run):
    return run.task_results("Build the access report", host="vbr01")["ansible_facts"]["access_report"]


def drift_by_server(report):
    found = {}
    for row in report["drift"]:
        found.setdefault(row["server"], {}).setdefault(row["drift"], {})[row["account"]] = row
    return found


# ------------------------------------------------------------------------------------------ drift report
def test_check_mode_reports_each_kind_of_drift_and_writes_nothing(access_fleet, tmp_path):
    run = access_fleet.run(check=True, report_dir=tmp_path / "report")
    assert run.returncode == 0, run.stdout[-4000:]
    assert all(count == 0 for count in access_fleet.writes().values()), access_fleet.writes()
    report = report_of(run)
    assert report["mode"] == "drift" and report["complete"] is False
    drift = drift_by_server(report)
    for server in ("vbr01", "vbr02", "vbr03"):
        assert sorted(drift[server]["unlisted"]) == ["TECH\\michael.wells"]
        assert sorted(drift[server]["missing"]) == sorted(["TECH\\jane.doe", "TECH\\Backup Operators"]
                                                          + (["TECH\\john.smith"] if server == "vbr02" else []))
        fox = drift[server]["differs"]["TECH\\william.fox"]
        assert fox["differences"] == ["roles"] and fox["result"] == "would be changed"
        assert [role.replace("Veeam ", "") for role in fox["roles_before"]] == ["Restore Operator"]
        assert [role.replace("Veeam ", "") for role in fox["roles_after"]] == ["Backup Viewer"]
    assert drift["vbr02"]["differs"]["TECH\\william.fox"]["roles_before"] == ["Veeam Restore Operator"]
    assert sorted(drift[EM]["unlisted"]) == ["TECH\\mary.smith"] and sorted(drift[EM]["missing"]) == ["TECH\\jane.doe"]
    em_fox = drift[EM]["differs"]["TECH\\william.fox"]
    assert em_fox["differences"] == ["roles"]
    assert em_fox["roles_before"] == ["File Restore Operator", "VM Restore Operator"]
    assert em_fox["roles_after"] == ["VM Restore Operator"]
    statuses = dict((server["server"], server) for server in report["servers"])
    assert statuses["vbr01"]["status"] == "drift" and statuses["vbr01"]["counts"]["kept"] == 2  # BUILTIN + the login
    kept = [row["account"] for row in report["matrix"] if row.get("kept") and row["server"] == "vbr01"]
    assert sorted(kept) == ["BUILTIN\\Administrators", SVC]
    # the output table, and the files
    table = run.task_results("Access report", host="vbr01")["msg"]
    assert table[0].startswith("Access as code: drift report") and any("would be removed" in line for line in table)
    saved = json.loads((tmp_path / "report" / "access-report.json").read_text())
    assert saved["drift"] == report["drift"]
    with open(str(tmp_path / "report" / "access-report.csv"), newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(report["drift"]) and {row["drift"] for row in rows} == {"unlisted", "missing", "differs"}
    page = (tmp_path / "report" / "access-report.html").read_text()
    assert inert_page_problems(page) == [] and "TECH\\michael.wells" in page_text(page)


def test_access_enforce_false_is_a_drift_report_too(access_fleet):
    variables = dict(DESIRED, veeam_access_fail_on_drift=True)
    run = access_fleet.run(variables)
    assert run.returncode == 0  # enforcement: converged
    again = access_fleet.run(variables, check=True)
    assert again.returncode == 0, "no drift left, so fail_on_drift does not fail"
    access_fleet.call("POST", access_fleet.urls[0], "users", {"users": [{"name": "TECH\\new.user", "roles": ["Backup Viewer"]}]})
    drifted = access_fleet.run(variables, check=True)
    assert drifted.returncode != 0 and "The drift report found drift on vbr01" in drifted.stdout
    assert "TECH\\new.user" in access_fleet.vbr_access(access_fleet.urls[0])


# ------------------------------------------------------------------------------------------ enforcement
def test_enforcement_converges_every_server_and_a_second_run_changes_nothing(access_fleet, tmp_path):
    run = access_fleet.run(report_dir=tmp_path / "report")
    assert run.returncode == 0, run.stdout[-4000:]
    expected = {"BUILTIN\\Administrators": ["Backup Administrator"], SVC: ["Backup Administrator"],
                "TECH\\sheila.d.cory": ["Backup Administrator"], "TECH\\jane.doe": ["Restore Operator"],
                "TECH\\william.fox": ["Backup Viewer"]}
    for index, url in enumerate(access_fleet.urls):
        access = access_fleet.vbr_access(url)
        assert set(access) == set(expected) | {"TECH\\Backup Operators"} | ({"TECH\\john.smith"} if index == 1 else set())
        for name, roles in expected.items():
            if name != "TECH\\william.fox":
                assert access[name] == roles, (url, name, access[name])
        # one bulk task per server: one login (every role name is built in, so no role read first)
        assert access_fleet.stats(url)["by_route"]["POST /api/oauth2/token"] == 1
    accounts = access_fleet.em_accounts()
    assert sorted(accounts) == sorted(["BUILTIN\\Administrators", SVC, "TECH\\jane.doe", "TECH\\william.fox"])
    assert len(accounts["TECH\\william.fox"]["roles"]) == 1
    report = report_of(run)
    assert report["mode"] == "enforce" and report["complete"] is True
    assert {server["status"] for server in report["servers"]} == {"changed"}
    assert {row["result"] for row in report["drift"]} == {"added", "removed", "changed"}
    assert (tmp_path / "report" / "access-report.html").exists()

    access_fleet.reset_stats()
    second = access_fleet.run(report_dir=tmp_path / "report")
    assert second.returncode == 0, second.stdout[-3000:]
    assert all(host["changed"] == 0 for host in second.stats.values()), second.stats
    assert all(count == 0 for count in access_fleet.writes().values())
    report = report_of(second)
    assert report["drift"] == [] and {server["status"] for server in report["servers"]} == {"in_place"}


def test_a_server_no_entry_names_is_left_alone(access_fleet):
    variables = {"veeam_access_vbr": [{"group": "vbr_london", "accounts": [
        {"name": "TECH\\sheila.d.cory", "roles": ["Backup Administrator"]}]}], "veeam_access_keep": ["BUILTIN\\Administrators"]}
    run = access_fleet.run(variables)
    assert run.returncode == 0, run.stdout[-3000:]
    statuses = dict((server["server"], server["status"]) for server in report_of(run)["servers"])
    assert statuses == {"vbr01": "not_managed", "vbr02": "changed", "vbr03": "not_managed"}
    assert access_fleet.requests(access_fleet.urls[0]) == 0 and access_fleet.requests(access_fleet.sim.em_url) == 0
    assert sorted(access_fleet.vbr_access(access_fleet.urls[1])) == sorted(
        ["BUILTIN\\Administrators", SVC, "TECH\\sheila.d.cory"])


# ------------------------------------------------------------------------------------------ refusals
def test_a_desired_state_that_demotes_the_connected_account_is_refused_everywhere(access_fleet):
    variables = dict(DESIRED)
    variables["veeam_access_vbr"] = [{"group": "veeam_vbr", "accounts": [
        {"name": SVC, "roles": ["Backup Viewer"]}, {"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}]}]
    variables["veeam_access_em"] = [{"name": SVC, "roles": ["Portal User"]}]
    run = access_fleet.run(variables)
    assert run.returncode != 0
    assert all(count == 0 for count in access_fleet.writes().values()), access_fleet.writes()
    report = report_of(run)
    statuses = dict((server["server"], server) for server in report["servers"])
    for server in ("vbr01", "vbr02", "vbr03"):
        assert statuses[server]["status"] == "refused"
        assert "the account this task is connected as" in statuses[server]["message"]
    drift = drift_by_server(report)
    assert drift["vbr01"]["differs"][SVC]["result"] == "refused by the lockout guard"
    assert drift["vbr01"]["missing"]["TECH\\jane.doe"]["result"] == "not written"
    assert "Not every server is as the desired state says on vbr01, vbr02, vbr03" in run.stdout
    assert "TECH\\jane.doe" not in access_fleet.vbr_access(access_fleet.urls[0])
    assert statuses[EM]["status"] == "refused"
    assert "take the Portal Administrator role away from TECH\\svc.ansible" in statuses[EM]["message"]


def test_a_desired_state_that_would_remove_the_connected_account_is_refused(access_fleet):
    """The play logs in as svc.ansible@corp.example, which the servers list as TECH\\svc.ansible: keep does not take
    it for the same account (another domain), so exclusive would remove it - the guard, which knows the connected
    account in every spelling, refuses that on every server and in Enterprise Manager, whatever the desired state
    lists."""
    login = "svc.ansible@corp.example"
    for url in access_fleet.urls:
        access_fleet.call("POST", url, "credentials", {"username": login, "password": access_fleet.sim.config.password,
                                                       "account": SVC})
    access_fleet.call("POST", access_fleet.sim.em_url, "em/credentials",
                      {"username": login, "password": access_fleet.sim.config.password, "account": SVC})
    run = access_fleet.run(env={"VEEAM_VBR_USERNAME": login, "VEEAM_EM_USERNAME": login})
    assert run.returncode != 0
    assert all(count == 0 for count in access_fleet.writes().values()), access_fleet.writes()
    statuses = dict((server["server"], server) for server in report_of(run)["servers"])
    for server in ("vbr01", "vbr02", "vbr03", EM):
        assert statuses[server]["status"] == "refused"
        assert "it would remove TECH\\svc.ansible, the account this task is connected as (%s)" % login \
            in statuses[server]["message"]
    assert SVC in access_fleet.vbr_access(access_fleet.urls[0]) and SVC in access_fleet.em_accounts()


def test_a_desired_state_that_leaves_no_administrator_is_refused(access_fleet):
    """The play logs in as VBR01\\Administrator, an administrator only through the group BUILTIN\\Administrators:
    a desired state listing only TECH\\jane.doe would remove every Backup Administrator and Portal Administrator."""
    login = {"VEEAM_VBR_USERNAME": "VBR01\\Administrator", "VEEAM_EM_USERNAME": "VBR01\\Administrator"}
    variables = {"veeam_access_vbr": [{"group": "veeam_vbr", "accounts": [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}]}],
                 "veeam_access_em": [{"name": "TECH\\jane.doe", "roles": ["Portal User"]}], "veeam_access_keep": []}
    run = access_fleet.run(variables, env=login)
    assert run.returncode != 0
    assert all(count == 0 for count in access_fleet.writes().values()), access_fleet.writes()
    statuses = dict((server["server"], server) for server in report_of(run)["servers"])
    for server in ("vbr01", "vbr02", "vbr03"):
        assert statuses[server]["status"] == "refused"
        assert "without any account that has the" in statuses[server]["message"]
    assert statuses[EM]["status"] == "refused"
    assert "without any account that has the Portal Administrator role" in statuses[EM]["message"]
    assert "BUILTIN\\Administrators" in access_fleet.vbr_access(access_fleet.urls[0])


# ------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("change, fragment", [
    ({"veeam_access_vbr": [{"group": "vbr_lndon", "accounts": []}]},
     "access_vbr[0].group vbr_lndon is not a group of the inventory"),
    ({"veeam_access_vbr": [{"group": "veeam_vbr", "accounts": [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}]},
                           {"group": "vbr_london", "accounts": [{"name": "TECH\\jane.doe", "roles": ["Backup Viewer"]}]}]},
     "access_vbr[1].accounts[0] gives TECH\\jane.doe roles Backup Viewer on vbr02, but access_vbr[0].accounts[0]"),
    ({"veeam_access_em": [{"name": "TECH\\jane.doe", "roles": ["Portal User"]}, {"name": "tech\\jane.DOE", "roles": ["Portal User"]}]},
     "access_em[1] lists tech\\jane.DOE again (first at access_em[0])"),
    ({"veeam_access_keep": ["TECH\\jane.doe"]}, "access_keep[0] (TECH\\jane.doe) is listed in access_vbr[0].accounts[1] too"),
    ({"veeam_em_server": ""}, "access_em is given, but no Enterprise Manager to apply it to"),
])
def test_bad_input_is_refused_before_anything_is_sent(access_fleet, change, fragment):
    run = access_fleet.run(dict(DESIRED, **change))
    assert run.returncode != 0 and fragment in run.stdout, run.stdout[-3000:]
    assert "nothing was sent to any server" in run.stdout
    assert all(access_fleet.requests(url) == 0 for url in access_fleet.urls + [access_fleet.sim.em_url])


def test_an_unknown_role_is_refused_before_anything_is_written(access_fleet):
    variables = dict(DESIRED)
    variables["veeam_access_vbr"] = [{"group": "veeam_vbr", "accounts": [{"name": "TECH\\jane.doe", "roles": ["Restor Operator"]}]}]
    variables["veeam_access_em"] = [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}]
    run = access_fleet.run(variables)
    assert run.returncode != 0
    assert "access_vbr[0].accounts[0] (TECH\\jane.doe): role 'Restor Operator' is not a role of vbr01, vbr02, vbr03" \
        in run.stdout
    assert "access_em[0] (TECH\\jane.doe): role 'Restore Operator' is not an Enterprise Manager role" in run.stdout
    assert "nothing was written to any server" in run.stdout
    assert all(count == 0 for count in access_fleet.writes().values())


def test_a_custom_role_is_checked_on_each_server(access_fleet):
    """A custom role that only vbr01 has: found missing on vbr02 and vbr03 before anything is written anywhere."""
    vbr_env = {"VEEAM_VBR_SERVER": access_fleet.urls[0], "VEEAM_VBR_USERNAME": access_fleet.sim.config.username,
               "VEEAM_VBR_PASSWORD": access_fleet.sim.config.password, "VEEAM_VBR_CA_PATH": access_fleet.sim.ca_path}
    role = run_module("vbr_role", {"name": "Cloud Auditors", "manage_restores": True}, env=vbr_env)
    assert not role.failed, role.get("msg")
    access_fleet.reset_stats()
    variables = dict(DESIRED)
    variables["veeam_access_vbr"] = [{"group": "veeam_vbr", "accounts": [{"name": "TECH\\jane.doe", "roles": ["Cloud Auditors"]}]}]
    run = access_fleet.run(variables)
    assert run.returncode != 0
    assert "role 'Cloud Auditors' is not a role of vbr02, vbr03" in run.stdout
    assert all(count == 0 for count in access_fleet.writes().values())
    on_vbr01 = dict(variables)
    on_vbr01["veeam_access_vbr"] = [{"group": "vbr01_only", "accounts": variables["veeam_access_vbr"][0]["accounts"]
                                     + [{"name": "TECH\\sheila.d.cory", "roles": ["Backup Administrator"]}]}]
    with open(access_fleet.inventory, "a") as handle:
        handle.write("vbr01_only:\n  hosts:\n    vbr01:\n")
    converged = access_fleet.run(on_vbr01)
    assert converged.returncode == 0, converged.stdout[-3000:]
    assert access_fleet.vbr_access(access_fleet.urls[0])["TECH\\jane.doe"] == [role["role"]["id"]]


# ------------------------------------------------------------------------------------------ hostile names
def test_hostile_names_stay_data_in_every_report(access_fleet, tmp_path):
    marker = tmp_path / "pwned"
    bait = "TECH\\{{ lookup('ansible.builtin.pipe', 'touch %s') }}" % marker
    names = HOSTILE_NAMES + [bait]
    access_fleet.call("POST", access_fleet.urls[0], "users",
                      {"users": [{"name": name, "roles": ["Backup Viewer"]} for name in names]})
    em_group = run_module("em_account", {"name": "<script>alert(1)</script>{{ 7 * 7 }}", "type": "ExternalGroup",
                                         "roles": ["Portal User"]}, env=access_fleet.em_env)
    assert not em_group.failed, em_group.get("msg")
    run = access_fleet.run(check=True, report_dir=tmp_path / "report")
    assert run.returncode == 0, run.stdout[-3000:]
    assert not marker.exists(), "a name from the server was run as a template"
    page = (tmp_path / "report" / "access-report.html").read_text()
    assert inert_page_problems(page) == []
    text = page_text(page)
    for name in names + ["<script>alert(1)</script>{{ 7 * 7 }}"]:
        assert name in text, name
    with open(str(tmp_path / "report" / "access-report.csv"), newline="") as handle:
        accounts = [row["account"] for row in csv.DictReader(handle)]
    assert set(names) <= set(account.lstrip("'") if account.startswith("'=") else account for account in accounts)
    report = json.loads((tmp_path / "report" / "access-report.json").read_text())
    assert set(names) <= set(row["account"] for row in report["drift"] if row["drift"] == "unlisted")


# ------------------------------------------------------------------------------------------ audit comparison
def test_audit_says_who_gained_or_lost_access_since_an_earlier_audit(access_fleet, tmp_path):
    first = run_playbook(AUDIT, inventory=access_fleet.inventory, env=access_fleet.env,
                         extra_vars={"veeam_audit_dir": str(tmp_path / "before")})
    assert first.returncode == 0, first.stdout[-3000:]
    assert access_fleet.run().returncode == 0
    second = run_playbook(AUDIT, inventory=access_fleet.inventory, env=access_fleet.env,
                          extra_vars={"veeam_audit_dir": str(tmp_path / "after"),
                                      "veeam_audit_previous": str(tmp_path / "before" / "veeam-access.json")})
    assert second.returncode == 0, second.stdout[-3000:]
    changes = json.loads((tmp_path / "after" / "veeam-access-changes.json").read_text())
    found = set((change["server"], change["account"], change["change"]) for change in changes)
    for server in ("vbr01", "vbr02", "vbr03"):
        assert (server, "TECH\\michael.wells", "lost") in found and (server, "TECH\\jane.doe", "gained") in found
        assert (server, "TECH\\william.fox", "changed") in found
    assert ("vbr02", "TECH\\john.smith", "gained") in found and ("vbr01", "TECH\\john.smith", "gained") not in found
    assert (EM, "TECH\\mary.smith", "lost") in found and (EM, "TECH\\william.fox", "changed") in found
    fox = [change for change in changes if change["server"] == "vbr02" and change["account"] == "TECH\\william.fox"][0]
    assert fox["roles_removed"] == ["Veeam Restore Operator"] and fox["roles_added"] == ["Veeam Backup Viewer"]
    assert not any(change["account"] == "TECH\\sheila.d.cory" for change in changes)  # unchanged
    with open(str(tmp_path / "after" / "veeam-access-changes.csv"), newline="") as handle:
        assert len(list(csv.DictReader(handle))) == len(changes)
    page = (tmp_path / "after" / "veeam-access.html").read_text()
    assert inert_page_problems(page) == [] and "Changes since the earlier audit" in page_text(page)
    table = second.task_results("Changes since the earlier audit", host="vbr01")["msg"]
    assert table[0] == "Changes since the earlier audit:" and any("michael.wells" in line for line in table)
