"""The live conformance kit (``make test-live`` = ``python -m tests.live`` = the playbook
``backupops.veeam.conformance`` of the installed collection) against the simulator serving each reading, as a user
would run it against a real server: read-only, with writes, with four-eyes on, against a server that differs."""

import json
import os
import subprocess
import sys

import pytest
import requests

from tests.conftest import SimAdmin, running_simulator
from tests.functional.module_harness import COLLECTIONS_PATH, REPO_ROOT
from ansible_collections.backupops.veeam.plugins.module_utils.conformance_em import CHECKS as EM_CHECKS
from ansible_collections.backupops.veeam.plugins.module_utils.conformance_vbr import CHECKS as VBR_CHECKS

SCOPE_REF = "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-2041"
READINGS = {
    "documented": {},
    "alternative": {"role_names": "prefixed", "role_details": "server-filled", "em_scope_root": "host",
                    "em_list_keys": "item-names", "em_task_state": "OperationFinished"},
}


def run_kit(sim, tmp_path, write=False, extra=None):
    report = tmp_path / "report.json"
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith("VEEAM_"))
    env.update({"ANSIBLE_COLLECTIONS_PATH": COLLECTIONS_PATH, "VEEAM_LIVE_REPORT": str(report),
                "ANSIBLE_PYTHON_INTERPRETER": sys.executable, "ANSIBLE_NOCOLOR": "1",
                "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")})
    for product, url in (("VBR", sim.vbr_urls[0] if sim.vbr_servers else None), ("EM", sim.em_url)):
        if url:
            env.update({"VEEAM_LIVE_%s_SERVER" % product: url,
                        "VEEAM_LIVE_%s_USERNAME" % product: sim.config.username,
                        "VEEAM_LIVE_%s_PASSWORD" % product: sim.config.password,
                        "VEEAM_LIVE_%s_CA_PATH" % product: sim.ca_path})
    if write:
        env.update({"VEEAM_LIVE_WRITE": "yes", "VEEAM_LIVE_TEST_ACCOUNT": "TECH\\new.user",
                    "VEEAM_LIVE_TEST_GROUP": "TECH\\Backup Operators", "VEEAM_LIVE_EM_SCOPE_REF": SCOPE_REF,
                    "VEEAM_LIVE_EM_SCOPE_NAME": "jane-workstation"})
    env.update(extra or {})
    completed = subprocess.run([sys.executable, "-m", "tests.live"], cwd=REPO_ROOT, env=env, capture_output=True,
                               text=True, timeout=600, check=False)
    data = json.loads(report.read_text()) if report.exists() else None
    return completed, data, report.read_text() if report.exists() else ""


def checks(report, product):
    return dict((check["id"], check) for check in report[product]["checks"])


def secrets_of(sim):
    """Everything the report must never show: login, password, tokens, session ids, names and ids of accounts."""
    values = [sim.config.username, sim.config.password, "TECH\\\\new.user", "new.user", "127.0.0.1", "william.fox",
              "svc.ansible"]
    for url in sim.vbr_urls:
        admin = SimAdmin(url, sim.ca_path)
        values += admin.issued_secrets()
        values += [user["id"] for user in admin.state()["users"]]
    em = SimAdmin(sim.em_url, sim.ca_path, kind="em")
    values += em.issued_secrets()
    values += [account["id"] for account in em.state()["accounts"]]
    return [value for value in values if value]


def reset(sim):
    for url in sim.vbr_urls + [sim.em_url]:
        requests.post(url + "/_sim/reset", verify=sim.ca_path, timeout=10)


def state_of(sim):
    return ([SimAdmin(url, sim.ca_path).state() for url in sim.vbr_urls],
            SimAdmin(sim.em_url, sim.ca_path, kind="em").state())


@pytest.fixture(scope="module", params=sorted(READINGS))
def kit_sim(request, tmp_path_factory):
    for sim in running_simulator(tmp_path_factory, validate_spec=True, task_duration=0.2, **READINGS[request.param]):
        sim.reading = request.param
        yield sim


def test_without_variables_it_says_what_it_needs_and_exits_0():
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith("VEEAM_"))
    completed = subprocess.run([sys.executable, "-m", "tests.live"], cwd=REPO_ROOT, env=env, capture_output=True,
                               text=True, timeout=60, check=False)
    assert completed.returncode == 0
    assert "VEEAM_LIVE_VBR_SERVER" in completed.stdout and "VEEAM_LIVE_EM_SERVER" in completed.stdout
    assert "nothing was checked" in completed.stdout


def test_read_only_run_checks_every_assumption_and_leaks_nothing(kit_sim, tmp_path):
    reset(kit_sim)
    before = state_of(kit_sim)
    completed, report, text = run_kit(kit_sim, tmp_path)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    vbr, em = checks(report, "vbr"), checks(report, "em")
    assert list(vbr) == list(VBR_CHECKS) and list(em) == list(EM_CHECKS)
    assert not [check for check in list(vbr.values()) + list(em.values()) if check["outcome"] in ("differs", "error")]
    assert vbr["VBR-ROLE-NAMES"]["reading"] == ("plain" if kit_sim.reading == "documented" else "prefixed")
    assert em["EM-SCOPE-ROOT"]["reading"] == ("id" if kit_sim.reading == "documented" else "host name")
    assert em["EM-LIST-KEYS"]["reading"] == ("documented" if kit_sim.reading == "documented"
                                             else "documented,item-names")  # Refs stay documented
    assert vbr["VBR-WRITES"]["outcome"] == "skip" and report["vbr"]["facts"]["api_version"] == "1.3-rev2"
    assert state_of(kit_sim) == before  # read-only: nothing changed
    assert_clean(kit_sim, text)


def test_write_run_creates_changes_removes_and_restores(kit_sim, tmp_path):
    reset(kit_sim)
    before = state_of(kit_sim)
    completed, report, text = run_kit(kit_sim, tmp_path, write=True)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    vbr, em = checks(report, "vbr"), checks(report, "em")
    outcomes = dict((check_id, check["outcome"]) for check_id, check in list(vbr.items()) + list(em.items()))
    assert [check_id for check_id, outcome in outcomes.items() if outcome not in ("pass", "info")] == []
    assert vbr["VBR-ROLE-DETAILS"]["reading"] == ("as-sent" if kit_sim.reading == "documented" else "server-filled")
    assert em["EM-TASK-STATE"]["reading"] == ("Finished" if kit_sim.reading == "documented" else "OperationFinished")
    assert report["vbr"]["facts"]["restored"] and report["em"]["facts"]["restored"]
    vbr_after, em_after = state_of(kit_sim)
    assert [server["users"] for server in vbr_after] == [server["users"] for server in before[0]]
    assert [server["custom_roles"] for server in vbr_after] == [[] for _server in vbr_after]
    assert em_after["accounts"] == before[1]["accounts"]
    assert_clean(kit_sim, text)


def assert_clean(sim, text):
    leaked = [value for value in secrets_of(sim) if value in text]
    assert not leaked, "the report shows %r" % leaked
    for url in sim.vbr_urls:
        assert SimAdmin(url, sim.ca_path).violations() == []  # the kit strays from Veeam's spec nowhere


@pytest.fixture(scope="module")
def four_eyes_sim(tmp_path_factory):
    yield from running_simulator(tmp_path_factory, em=False, validate_spec=True, four_eyes="403")


def test_with_four_eyes_on_the_first_write_is_the_last(four_eyes_sim, tmp_path):
    before = SimAdmin(four_eyes_sim.vbr_url, four_eyes_sim.ca_path).state()["users"]
    completed, report, _text = run_kit(four_eyes_sim, tmp_path, write=True)
    assert completed.returncode == 0, completed.stdout[-3000:]
    vbr = checks(report, "vbr")
    assert vbr["VBR-FOUR-EYES"]["outcome"] == "pass" and vbr["VBR-FOUR-EYES"]["reading"] == "403"
    assert vbr["VBR-WRITES"]["outcome"] == "skip" and "four-eyes" in vbr["VBR-WRITES"]["note"]
    admin = SimAdmin(four_eyes_sim.vbr_url, four_eyes_sim.ca_path)
    assert admin.state()["users"] == before
    assert [event["state"] for event in admin.state()["authorization_events"]] == ["Pending"]
    assert report["em"] is None


def test_a_server_that_differs_fails_the_run_and_still_writes_the_report(four_eyes_sim, tmp_path):
    admin = SimAdmin(four_eyes_sim.vbr_url, four_eyes_sim.ca_path)
    admin.reset()
    admin.fault(method="GET", path="/api/v1/security/users/{id}", status=403, times=0)
    completed, report, _text = run_kit(four_eyes_sim, tmp_path)
    admin.clear_faults()
    assert completed.returncode != 0
    assert "VBR-NOT-FOUND differ from what the collection expects" in completed.stdout
    not_found = checks(report, "vbr")["VBR-NOT-FOUND"]
    assert not_found["outcome"] == "differs" and not_found["observed"]["status"] == 403
