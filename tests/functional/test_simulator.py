"""The simulator itself: CLI, TLS, faults, counters, spec validation, state, and API behaviours."""

import json
import os
import subprocess
import sys
import time

import pytest
import requests

from tests.functional.module_harness import REPO_ROOT
from tests.simulator import SimConfig, Simulator

V1 = {"x-api-version": "1.3-rev1"}
V2 = {"x-api-version": "1.3-rev2"}


class Api(object):
    """A raw VBR API session (no collection code), to test the simulator on its own."""

    def __init__(self, url, ca_path, username, password, version="1.3-rev1"):
        self.url, self.ca_path, self.version = url, ca_path, version
        token = self.token(username, password)
        assert token.status_code == 200, token.text
        self.headers = {"x-api-version": version, "Authorization": "Bearer " + token.json()["access_token"]}
        self.refresh_token = token.json()["refresh_token"]

    def token(self, username, password, grant="Password"):
        return requests.post(self.url + "/api/oauth2/token", verify=self.ca_path, headers={"x-api-version": self.version},
                             data={"grant_type": grant, "username": username, "password": password})

    def call(self, method, path, **kwargs):
        kwargs.setdefault("timeout", 10)
        return requests.request(method, self.url + path, headers=self.headers, verify=self.ca_path, **kwargs)


@pytest.fixture
def api(vbr_url, ca_path, credentials):
    return Api(vbr_url, ca_path, credentials["username"], credentials["password"])


@pytest.fixture
def api2(vbr_url, ca_path, credentials):
    return Api(vbr_url, ca_path, credentials["username"], credentials["password"], "1.3-rev2")


def start_cli(tmp_path, *flags):
    ready = tmp_path / "ready.json"
    process = subprocess.Popen([sys.executable, "-m", "tests.simulator", "--vbr-port", "0", "--em-port", "0",
                                "--ready-file", str(ready)] + list(flags), cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 30
    while not ready.exists() and time.time() < deadline:
        assert process.poll() is None, process.stdout.read()
        time.sleep(0.1)
    return process, json.loads(ready.read_text())


def test_cli_help():
    completed = subprocess.run([sys.executable, "-m", "tests.simulator", "--help"], cwd=REPO_ROOT,
                               capture_output=True, text=True, check=False)
    assert completed.returncode == 0
    for flag in ("--no-tls", "--cert-dir", "--token-ttl", "--seed-users", "--state", "--fault", "--vbr-version",
                 "--role-names", "--four-eyes", "--role-details", "--em-scope-root", "--em-list-keys", "--em-task-state"):
        assert flag in completed.stdout


def test_cli_no_tls_serves_tokens_and_rejects_old_api_versions(tmp_path):
    process, ready = start_cli(tmp_path, "--no-tls", "--no-em")
    try:
        url = ready["vbr_urls"][0]
        assert url.startswith("http://")
        form = {"grant_type": "Password", "username": ready["username"], "password": ready["password"]}
        good = requests.post(url + "/api/oauth2/token", data=form, headers=V1, timeout=10)
        assert good.status_code == 200 and good.json()["expires_in"] == 900
        old = requests.post(url + "/api/oauth2/token", data=form, headers={"x-api-version": "1.2-rev1"}, timeout=10)
        assert old.status_code == 400
        assert old.json() == {"errorCode": "UnknownError", "message": "Unsupported RESTAPI version. The following "
                                                                      "versions are supported: 1.3-rev1, 1.3-rev2."}
    finally:
        process.terminate()
        process.wait(10)


def test_cli_state_survives_a_restart(tmp_path):
    state = str(tmp_path / "state.json")
    process, ready = start_cli(tmp_path, "--no-tls", "--no-em", "--state", state)
    try:
        api = Api(ready["vbr_urls"][0], None, ready["username"], ready["password"])
        created = api.call("POST", "/api/v1/security/users", json={
            "name": "TECH\\jane.doe", "type": "InternalUser", "isServiceAccount": False,
            "roles": [{"id": "b167c3af-2262-4b6c-9861-0606fc0cb6b1", "name": "Veeam Restore Operator"}]})
        assert created.status_code == 201
    finally:
        process.terminate()
        process.wait(10)
    (tmp_path / "ready.json").unlink()
    process, ready = start_cli(tmp_path, "--no-tls", "--no-em", "--state", state)
    try:
        api = Api(ready["vbr_urls"][0], None, ready["username"], ready["password"])
        users = api.call("GET", "/api/v1/security/users", params={"nameFilter": "jane"}).json()["data"]
        assert [user["name"] for user in users] == ["TECH\\jane.doe"]
    finally:
        process.terminate()
        process.wait(10)


def test_tls_needs_the_ca(vbr_url, ca_path, sim_admin):
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(vbr_url + "/api/v1/serverInfo", headers=V1, verify=True, timeout=10)
    assert requests.get(vbr_url + "/api/v1/serverInfo", headers=V1, verify=ca_path, timeout=10).status_code == 401
    sim_admin.clear_violations()  # the request had no bearer token on purpose


def test_second_vbr_server_has_its_own_state(simulator, api, ca_path, credentials):
    other = Api(simulator.vbr_urls[1], ca_path, credentials["username"], credentials["password"])
    assert api.call("DELETE", "/api/v1/security/users/4cd71159-4416-4002-8f99-67580db015b7").status_code == 204
    assert other.call("GET", "/api/v1/security/users/4cd71159-4416-4002-8f99-67580db015b7").status_code == 200
    requests.post(simulator.vbr_urls[1] + "/_sim/reset", verify=ca_path, timeout=10)


# ---------------------------------------------------------------------- tokens
def test_refresh_tokens_are_single_use(api):
    first = api.token(None, None, grant="Refresh_token")
    assert first.status_code == 400
    refreshed = requests.post(api.url + "/api/oauth2/token", verify=api.ca_path, headers=V1,
                              data={"grant_type": "Refresh_token", "refresh_token": api.refresh_token})
    assert refreshed.status_code == 200
    again = requests.post(api.url + "/api/oauth2/token", verify=api.ca_path, headers=V1,
                          data={"grant_type": "Refresh_token", "refresh_token": api.refresh_token})
    assert again.status_code == 401 and again.json()["errorCode"] == "InvalidToken"


def test_expired_and_logged_out_tokens(api, sim_admin):
    sim_admin.expire_tokens()
    expired = api.call("GET", "/api/v1/security/users")
    assert expired.status_code == 401 and expired.json()["errorCode"] == "ExpiredToken"


def test_logout_invalidates_the_token(api):
    assert api.call("POST", "/api/oauth2/logout").status_code == 200
    assert api.call("GET", "/api/v1/security/users").json()["errorCode"] == "InvalidToken"


def test_non_admin_gets_403_and_mfa_blocks_non_service_accounts(vbr_url, ca_path, credentials, api):
    fox = Api(vbr_url, ca_path, "TECH\\william.fox", credentials["password"])
    assert fox.call("GET", "/api/v1/security/users").status_code == 403
    assert api.call("PUT", "/api/v1/security/settings", json={"mfaEnabled": True}).status_code == 200
    refused = api.token("TECH\\sheila.d.cory", credentials["password"])
    assert refused.status_code == 401 and "Only service accounts" in refused.json()["message"]
    assert api.token(credentials["username"], credentials["password"]).status_code == 200


# ---------------------------------------------------------------------- users and roles
def test_user_filters_paging_and_ordering(api, sim_admin):
    sim_admin.add_users([{"name": "TECH\\filter.user%02d" % n, "roles": ["Veeam Backup Viewer"]} for n in range(25)])
    page = api.call("GET", "/api/v1/security/users", params={"nameFilter": "filter.user", "limit": 10, "skip": 20,
                                                             "orderColumn": "Name", "orderAsc": "false"}).json()
    assert page["pagination"] == {"total": 25, "count": 5, "skip": 20, "limit": 10}
    assert page["data"][0]["name"] == "TECH\\filter.user04"
    groups = api.call("GET", "/api/v1/security/users", params={"typeFilter": "InternalGroup"}).json()["data"]
    assert [user["name"] for user in groups] == ["BUILTIN\\Administrators"]
    wildcard = api.call("GET", "/api/v1/security/users", params={"nameFilter": "tech\\*.cory"}).json()["data"]
    assert [user["name"] for user in wildcard] == ["TECH\\sheila.d.cory"]
    service = api.call("GET", "/api/v1/security/users", params={"isServiceAccountFilter": "true"}).json()["data"]
    assert [user["name"] for user in service] == ["TECH\\svc.ansible"]
    restore = api.call("GET", "/api/v1/security/users", params={"roleNameFilter": "Restore"}).json()["data"]
    assert [user["name"] for user in restore] == ["TECH\\william.fox"]


def _spec(name, user_type="InternalUser", role_id="b167c3af-2262-4b6c-9861-0606fc0cb6b1"):
    return {"name": name, "type": user_type, "isServiceAccount": False,
            "roles": [{"id": role_id, "name": "Veeam Restore Operator"}]}


def test_create_resolves_names_against_the_directory(api):
    missing = api.call("POST", "/api/v1/security/users", json=_spec("TECH\\nobody.here"))
    assert missing.status_code == 400 and "not found in Active Directory" in missing.json()["message"]
    wrong_kind = api.call("POST", "/api/v1/security/users", json=_spec("TECH\\Backup Operators"))
    assert wrong_kind.status_code == 400 and "is a group" in wrong_kind.json()["message"]
    group = api.call("POST", "/api/v1/security/users", json=_spec("TECH\\Backup Operators", "InternalGroup"))
    assert group.status_code == 201 and group.json()["type"] == "InternalGroup"
    duplicate = api.call("POST", "/api/v1/security/users", json=_spec("tech\\backup operators", "InternalGroup"))
    assert duplicate.status_code == 400
    unknown_role = api.call("POST", "/api/v1/security/users",
                            json=_spec("TECH\\jane.doe", role_id="00000000-0000-0000-0000-000000000000"))
    assert unknown_role.status_code == 400 and unknown_role.json()["resourceId"] == "00000000-0000-0000-0000-000000000000"


def test_roles_service_mode_and_mfa_reset(api, api2, sim_admin):
    user = api.call("POST", "/api/v1/security/users", json=_spec("TECH\\jane.doe")).json()
    assert "mfaEnabled" not in user
    path = "/api/v1/security/users/%s" % user["id"]
    admin_role = {"id": "5ff0e0eb-45cf-48cc-9677-7613fc79bc11", "name": "Veeam Backup Administrator"}
    roles = api.call("PUT", path + "/roles", json={"roles": [admin_role]})
    assert [role["name"] for role in roles.json()["roles"]] == ["Backup Administrator"]
    assert api.call("PUT", path + "/roles", json={"roles": []}).status_code == 400
    assert "should be non-empty" in sim_admin.violations()[0]["error"]  # test mode saw the invalid request
    sim_admin.clear_violations()
    changed = api.call("POST", path + "/changeServiceAccountMode", json={"isServiceAccountEnable": True}).json()
    assert changed["isServiceAccount"] is True
    assert api.call("POST", path + "/resetMFA").status_code == 204
    assert api2.call("GET", path).json()["mfaEnabled"] is False
    assert api.call("POST", "/api/v1/security/users/38e4b8df-65b5-4d3c-9a26-86f9142ae26f/resetMFA").status_code == 204
    assert api.call("DELETE", path).status_code == 204
    gone = api.call("GET", path)
    assert gone.status_code == 404 and gone.json()["resourceId"] == user["id"]


def test_custom_roles_only_on_rev2(api, api2, sim_admin):
    spec = {"name": "Help Desk Restore", "description": "restores only", "manageBackups": False, "manageRestores": True}
    assert api.call("POST", "/api/v1/security/roles", json=spec).status_code == 405
    # test mode: an operation the 1.3-rev1 spec does not have is a violation, whatever the simulator answered
    assert [(violation["what"], violation["method"]) for violation in sim_admin.violations()] == [
        ("request", "POST"), ("response", "POST")]
    assert "is not in the 1.3-rev1 spec" in sim_admin.violations()[0]["error"]
    sim_admin.clear_violations()
    created = api2.call("POST", "/api/v1/security/roles", json=spec)
    assert created.status_code == 201
    role = created.json()
    assert api2.call("GET", "/api/v1/security/roles/%s/details" % role["id"]).json()["manageRestores"] is True
    clone = api2.call("POST", "/api/v1/security/roles/%s/clone" % role["id"]).json()
    assert clone["name"] == "Help Desk Restore_Clone"
    listed = api2.call("GET", "/api/v1/security/roles", params={"isBuiltInFilter": "false"}).json()["data"]
    assert sorted(r["name"] for r in listed) == ["Help Desk Restore", "Help Desk Restore_Clone"]
    assert api2.call("DELETE", "/api/v1/security/roles/5ff0e0eb-45cf-48cc-9677-7613fc79bc11").status_code == 403
    assert api2.call("DELETE", "/api/v1/security/roles/%s" % clone["id"]).status_code == 204


def test_permissions_come_from_the_spec_claims(api):
    admin = api.call("GET", "/api/v1/security/roles/5ff0e0eb-45cf-48cc-9677-7613fc79bc11/permissions").json()
    assert "CreateUser" in admin["permissions"] and "ViewUsersSettings" in admin["permissions"]
    incident = api.call("GET", "/api/v1/security/roles/e71bb27e-bd16-47b6-8b1c-98ef2d7a996e/permissions").json()
    assert "StartMalwareBackupScan" in incident["permissions"]


# ---------------------------------------------------------------------- faults, stats, validation
def test_fault_rules_status_retry_after_times_and_skip(api, sim_admin):
    sim_admin.fault(method="GET", path="/api/v1/security/users", status=429, retry_after="3", skip=1, times=2)
    answers = [api.call("GET", "/api/v1/security/users") for _attempt in range(4)]
    assert [answer.status_code for answer in answers] == [200, 429, 429, 200]
    assert answers[1].headers["Retry-After"] == "3"
    assert answers[1].json()["errorCode"] == "UnknownError"
    assert sim_admin.count("GET /api/v1/security/users") == 4


def test_fault_after_changes_state_then_fails(api, sim_admin):
    sim_admin.fault(method="POST", path="/api/v1/security/users", status=500, when="after")
    assert api.call("POST", "/api/v1/security/users", json=_spec("TECH\\jane.doe")).status_code == 500
    assert sim_admin.user("TECH\\jane.doe") is not None


def test_drop_closes_the_connection(api, sim_admin):
    sim_admin.fault(method="GET", path="/api/v1/security/roles", action="drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        api.call("GET", "/api/v1/security/roles")
    assert api.call("GET", "/api/v1/security/roles").status_code == 200


def test_delay_outlasts_a_client_timeout(api, sim_admin):
    sim_admin.fault(method="GET", path="/api/v1/security/settings", action="delay", delay=1.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.call("GET", "/api/v1/security/settings", timeout=0.5)


def test_spec_validation_catches_a_malformed_request(api, sim_admin):
    bad = requests.post(api.url + "/api/oauth2/token", verify=api.ca_path, headers=V1,
                        data={"grant_type": "password", "username": "TECH\\svc.ansible", "password": "x"})
    assert bad.status_code == 401  # the server accepts lowercase like VBR does, the spec's enum does not
    violations = sim_admin.violations()
    assert violations and violations[0]["what"] == "request" and "grant_type" in violations[0]["error"] \
        or "Password" in violations[0]["error"]
    sim_admin.clear_violations()


def test_stats_count_by_route_and_kind(api, sim_admin):
    sim_admin.reset_stats()
    api.call("GET", "/api/v1/security/users/4cd71159-4416-4002-8f99-67580db015b7")
    api.call("PUT", "/api/v1/security/settings", json={"mfaEnabled": False})
    stats = sim_admin.stats()
    assert stats["by_route"] == {"GET /api/v1/security/users/{id}": 1, "PUT /api/v1/security/settings": 1}
    assert stats["by_kind"] == {"read": 1, "write": 1}


@pytest.mark.parametrize("old_simulator", ["12.3"], indirect=True)
def test_vbr_12_has_no_security_api(old_simulator):
    url, ca = old_simulator.vbr_url, old_simulator.ca_path
    form = {"grant_type": "password", "username": old_simulator.config.username,
            "password": old_simulator.config.password}
    token = requests.post(url + "/api/oauth2/token", data=form, headers={"x-api-version": "1.2-rev1"}, verify=ca)
    assert token.status_code == 200
    users = requests.get(url + "/api/v1/security/users", verify=ca, headers={
        "x-api-version": "1.2-rev1", "Authorization": "Bearer " + token.json()["access_token"]})
    assert users.status_code == 404


# Enterprise Manager: tests/functional/test_simulator_em.py


def test_seed_users_flag(tmp_path):
    with Simulator(SimConfig(vbr_port=0, em=False, no_tls=True, seed_users=450)) as sim:
        api = Api(sim.vbr_url, None, sim.config.username, sim.config.password)
        page = api.call("GET", "/api/v1/security/users", params={"nameFilter": "seed.user", "limit": 1}).json()
        assert page["pagination"]["total"] == 450
    assert not os.path.exists(str(tmp_path / "unused"))


def test_fault_rules_are_checked_when_added(sim_admin):
    with pytest.raises(requests.exceptions.HTTPError):
        sim_admin.fault(method="GET", path="/x", statuss=503)
    rule = sim_admin.fault(method="GET", path="/api/v1/security/settings", status="429", times="2")["faults"][0]
    assert rule["status"] == 429 and rule["times"] == 2


def test_delay_after_processing_answers_late_but_normally(api, sim_admin):
    sim_admin.fault(method="PUT", path="/api/v1/security/settings", action="delay", delay=0.5, when="after")
    started = time.time()
    answer = api.call("PUT", "/api/v1/security/settings", json={"mfaEnabled": True})
    assert answer.status_code == 200 and time.time() - started >= 0.5
    assert api.call("GET", "/api/v1/security/settings").json() == {"mfaEnabled": True}


def test_each_vbr_server_keeps_its_own_violations(simulator, sim_admin, ca_path):
    second = simulator.vbr_urls[1]
    requests.post(second + "/api/oauth2/token", data={"grant_type": "password", "username": "x", "password": "y"},
                  headers=V1, verify=ca_path, timeout=10)
    assert sim_admin.violations() == []
    other = requests.get(second + "/_sim/violations", verify=ca_path, timeout=10).json()["violations"]
    assert other and other[0]["what"] == "request"
    requests.post(second + "/_sim/reset", verify=ca_path, timeout=10)


SHARED_SPECS = os.path.join(REPO_ROOT, "..", "shared", "specs")


@pytest.mark.skipif(not os.path.isdir(SHARED_SPECS), reason="the full specs (../shared/specs) are not beside the repo")
def test_bundled_spec_subsets_match_the_full_specs():
    from tests.simulator.spec_validation import SPEC_FILES, subset_spec
    for filename in SPEC_FILES.values():
        with open(os.path.join(SHARED_SPECS, filename)) as handle:
            expected = subset_spec(json.load(handle))
        with open(os.path.join(REPO_ROOT, "tests", "simulator", "specs", filename)) as handle:
            bundled = json.load(handle)
        assert bundled == expected, "%s is stale: run python -m tests.simulator.specs.refresh" % filename


# ---------------------------------------------------------------------- run.py in test mode
def _run_with_validation(code):
    return subprocess.run([sys.executable, "-m", "tests.simulator.run", "--no-em", "--validate-spec", "--",
                           sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=False,
                          timeout=300)


def test_run_with_validate_spec_fails_when_a_request_strays_from_the_spec():
    stray = ("import os, requests; requests.get(os.environ['VEEAM_VBR_SERVER'] + '/api/v1/jobsByMagic', timeout=10, "
             "headers={'x-api-version': '1.3-rev1'}, verify=os.environ['VEEAM_VBR_CA_PATH'])")
    completed = _run_with_validation(stray)
    assert completed.returncode == 3, completed.stderr
    assert "GET /api/v1/jobsByMagic is not in the 1.3-rev1 spec" in completed.stderr
    fine = ("import os, requests; assert requests.post(os.environ['VEEAM_VBR_SERVER'] + '/api/oauth2/token', timeout=10, "
            "headers={'x-api-version': '1.3-rev2'}, verify=os.environ['VEEAM_VBR_CA_PATH'], data={'grant_type': "
            "'Password', 'username': os.environ['VEEAM_VBR_USERNAME'], 'password': os.environ['VEEAM_VBR_PASSWORD']}"
            ").status_code == 200")
    completed = _run_with_validation(fine)
    assert completed.returncode == 0, completed.stderr
