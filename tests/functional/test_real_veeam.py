"""Where a real Veeam server may differ from our reading of its documents (issue 11), against the simulator serving
each reading: VBR 13.1 and 13.0 role names, built-in and custom roles, custom role details as a server returns
them, API version negotiation and four-eyes authorization. Enterprise Manager's readings are in
test_real_em.py. Every test checks the server's state afterwards through the admin API."""

import pytest
import requests

from tests.conftest import SimAdmin, running_simulator
from tests.functional.module_harness import run_module

RESTORE_OPERATOR_ID = "b167c3af-2262-4b6c-9861-0606fc0cb6b1"
BACKUP_ADMIN_ID = "5ff0e0eb-45cf-48cc-9677-7613fc79bc11"
USER_WRITES = ("POST /api/v1/security/users", "DELETE /api/v1/security/users/{id}",
               "PUT /api/v1/security/users/{id}/roles", "POST /api/v1/security/users/{id}/changeServiceAccountMode",
               "POST /api/v1/security/users/{id}/resetMFA", "PUT /api/v1/security/settings",
               "POST /api/v1/security/roles", "PUT /api/v1/security/roles/{id}", "DELETE /api/v1/security/roles/{id}")


def writes(admin):
    routes = admin.stats()["by_route"]
    return sum(routes.get(route, 0) for route in USER_WRITES)


def raw_custom_role(vbr, name):
    """Create a custom role straight through the API (as another tool or the console could)."""
    token = requests.post(vbr.simulator.vbr_url + "/api/oauth2/token", verify=vbr.simulator.ca_path, timeout=10,
                          headers={"x-api-version": "1.3-rev2"},
                          data={"grant_type": "Password", "username": vbr.simulator.config.username,
                                "password": vbr.simulator.config.password}).json()["access_token"]
    created = requests.post(vbr.simulator.vbr_url + "/api/v1/security/roles", verify=vbr.simulator.ca_path, timeout=10,
                            headers={"x-api-version": "1.3-rev2", "Authorization": "Bearer " + token},
                            json={"name": name, "manageBackups": False, "manageRestores": True})
    assert created.status_code == 201, created.text
    return created.json()["id"]


# ---------------------------------------------------------------------- VBR 13.1 and 13.0 role names
@pytest.mark.parametrize("given", ["Restore Operator", "Veeam Restore Operator", "restore OPERATOR"])
def test_role_names_match_with_or_without_the_prefix_on_either_build(given, named_vbr):
    result = run_module("vbr_user", {"name": "TECH\\jane.doe", "roles": [given]}, env=named_vbr.env)
    assert not result.failed, result.get("msg")
    assert result["user"]["roles"] == [named_vbr.role("Restore Operator")]  # the server's own name
    assert named_vbr.admin.user("TECH\\jane.doe")["roles"] == [RESTORE_OPERATOR_ID]
    again = run_module("vbr_user", {"name": "TECH\\jane.doe", "roles": ["Veeam Restore Operator"]}, env=named_vbr.env)
    assert again["changed"] is False


def test_lockout_guard_finds_the_administrator_role_by_id_on_either_build(named_vbr):
    result = run_module("vbr_user", {"name": "TECH\\svc.ansible", "roles": ["Backup Viewer"]}, env=named_vbr.env)
    assert result.failed and "connected as" in result["msg"]
    assert named_vbr.admin.user("TECH\\svc.ansible")["roles"] == [BACKUP_ADMIN_ID] and writes(named_vbr.admin) == 0


def test_role_info_and_user_info_take_either_spelling(named_vbr):
    role = run_module("vbr_role_info", {"name": "Veeam Backup Viewer"}, env=named_vbr.env)["roles"]
    assert [item["name"] for item in role] == [named_vbr.role("Backup Viewer")]
    admins = run_module("vbr_user_info", {"role": "Backup Administrator"}, env=named_vbr.env)["users"]
    assert "TECH\\svc.ansible" in [user["name"] for user in admins]


def test_a_name_matching_a_built_in_and_a_custom_role_is_refused(named_vbr):
    # A custom role named like the built-in one of the other build: created outside the collection.
    clash = "Veeam Restore Operator" if named_vbr.naming == "plain" else "Restore Operator"
    custom_id = raw_custom_role(named_vbr, clash)
    named_vbr.admin.reset_stats()
    result = run_module("vbr_user", {"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}, env=named_vbr.env)
    assert result.failed and "ambiguous" in result["msg"], result
    assert RESTORE_OPERATOR_ID in result["msg"] and custom_id in result["msg"]
    assert named_vbr.admin.user("TECH\\jane.doe") is None and writes(named_vbr.admin) == 0
    by_id = run_module("vbr_user", {"name": "TECH\\jane.doe", "roles": [RESTORE_OPERATOR_ID]}, env=named_vbr.env)
    assert by_id["changed"] and named_vbr.admin.user("TECH\\jane.doe")["roles"] == [RESTORE_OPERATOR_ID]


@pytest.mark.parametrize("name", ["Restore Operator", "Veeam Restore Operator", "veeam backup viewer",
                                  "Tape Operator"])
def test_vbr_role_refuses_a_built_in_name_with_or_without_the_prefix(name, named_vbr):
    result = run_module("vbr_role", {"name": name, "manage_restores": True}, env=named_vbr.env)
    assert result.failed and "built-in VBR role" in result["msg"] and "Choose another name" in result["msg"]
    assert named_vbr.admin.state()["custom_roles"] == [] and writes(named_vbr.admin) == 0


# ---------------------------------------------------------------------- built-in and custom roles on one user
@pytest.fixture
def help_desk(vbr_env, sim_admin):
    created = run_module("vbr_role", {"name": "Help Desk Restore", "manage_restores": True}, env=vbr_env)
    assert created["changed"], created
    sim_admin.reset_stats()
    return created["role"]["id"]


def test_built_in_and_custom_roles_are_not_combined_single(vbr_env, sim_admin, help_desk):
    result = run_module("vbr_user", {"name": "TECH\\jane.doe", "roles": ["Restore Operator", "Help Desk Restore"]},
                        env=vbr_env)
    assert result.failed and "built-in role Restore Operator together with the custom role Help Desk Restore" \
        in result["msg"] and "Nothing was changed" in result["msg"]
    assert sim_admin.user("TECH\\jane.doe") is None and writes(sim_admin) == 0


def test_built_in_and_custom_roles_are_not_combined_bulk(vbr_env, sim_admin, help_desk):
    users = [{"name": "TECH\\jane.doe", "roles": ["Help Desk Restore"]},
             {"name": "TECH\\william.fox", "roles": ["Restore Operator", "Help Desk Restore"]}]
    result = run_module("vbr_user", {"users": users}, env=vbr_env)
    assert result.failed and "TECH\\william.fox would hold" in result["msg"]
    assert sim_admin.user("TECH\\jane.doe") is None and writes(sim_admin) == 0  # refused before the first write


def test_built_in_and_custom_roles_are_not_combined_user_roles(vbr_env, sim_admin, help_desk):
    result = run_module("vbr_user_roles", {"name": "TECH\\william.fox", "roles": ["Help Desk Restore"]}, env=vbr_env)
    assert result.failed and "built-in role Restore Operator" in result["msg"]
    assert sim_admin.user("TECH\\william.fox")["roles"] == [RESTORE_OPERATOR_ID] and writes(sim_admin) == 0
    exact = run_module("vbr_user_roles", {"name": "TECH\\william.fox", "roles": ["Help Desk Restore"],
                                          "state": "exact"}, env=vbr_env)
    assert exact["changed"] and sim_admin.user("TECH\\william.fox")["roles"] == [help_desk]


# ---------------------------------------------------------------------- custom role details as a server returns them
@pytest.fixture(scope="module")
def filled_simulator(tmp_path_factory):
    """A VBR 13.1 that fills in defaults and returns lists of a custom role in its own order."""
    yield from running_simulator(tmp_path_factory, em=False, validate_spec=True, role_details="server-filled")


@pytest.fixture(params=["as-sent", "server-filled"])
def role_server(request, simulator, credentials):
    sim = simulator if request.param == "as-sent" else request.getfixturevalue("filled_simulator")
    admin = SimAdmin(sim.vbr_url, sim.ca_path)
    admin.reset()
    env = {"VEEAM_VBR_SERVER": sim.vbr_url, "VEEAM_VBR_USERNAME": credentials["username"],
           "VEEAM_VBR_PASSWORD": credentials["password"], "VEEAM_VBR_CA_PATH": sim.ca_path}
    yield env, admin
    assert not admin.violations()


ROLE = {"name": "Regional Restore", "description": "restores in two regions", "manage_restores": True,
        "repository_scope": {"allRepositories": True},
        "inventory_scope": {"entireInventory": False, "workloads": [
            {"type": "Jobs", "jobs": [{"jobId": "0c3d1b9e-6a2f-4c55-9a0e-6f1d2c3b4a59", "jobName": "North"},
                                      {"jobId": "1f2e3d4c-5b6a-4789-8a7b-6c5d4e3f2a10", "jobName": "South"}]}]},
        "restore_permissions_scope": {"restoreBackupScope": {"entireBackupScope": True},
                                      "restoreOptions": {"allOptions": False, "restoreOptions": [
                                          {"code": 0, "name": "FileLevelRestore"},
                                          {"code": 2, "name": "EntireVmRestore"}]}}}


def test_custom_role_rerun_is_not_changed_whatever_order_and_defaults_the_server_returns(role_server):
    env, admin = role_server
    created = run_module("vbr_role", ROLE, env=env)
    assert created["changed"] and not created.failed, created.get("msg")
    admin.reset_stats()
    again = run_module("vbr_role", ROLE, env=env, diff=True)
    assert again["changed"] is False and writes(admin) == 0
    changed = run_module("vbr_role", dict(ROLE, restore_permissions_scope=dict(
        ROLE["restore_permissions_scope"], restoreOptions={"allOptions": True})), env=env)
    assert changed["changed"] and writes(admin) == 1
    stored = [role for role in admin.state()["custom_roles"] if role["name"] == "Regional Restore"][0]
    assert stored["restorePermissionsScope"]["restoreOptions"]["allOptions"] is True


# ---------------------------------------------------------------------- API version negotiation
def test_auto_speaks_rev2_to_vbr_13_1_without_an_extra_request(vbr_env, sim_admin):
    result = run_module("vbr_user_info", {"name": "TECH\\william.fox"}, env=vbr_env)
    assert result["users"][0]["mfa_enabled"] is False  # only 1.3-rev2 has per-user MFA state
    assert sim_admin.stats()["by_route"]["POST /api/oauth2/token"] == 1
    explicit = run_module("vbr_user_info", {"name": "TECH\\william.fox", "api_version": "1.3-rev1"}, env=vbr_env)
    assert "mfa_enabled" not in explicit["users"][0]  # an explicit version wins


@pytest.mark.parametrize("old_simulator", ["13.0.1"], indirect=True)
def test_auto_falls_back_to_rev1_on_vbr_13_0_with_one_more_login(old_simulator, credentials):
    admin = SimAdmin(old_simulator.vbr_url, old_simulator.ca_path)
    admin.reset()
    env = {"VEEAM_VBR_SERVER": old_simulator.vbr_url, "VEEAM_VBR_USERNAME": credentials["username"],
           "VEEAM_VBR_PASSWORD": credentials["password"], "VEEAM_VBR_CA_PATH": old_simulator.ca_path}
    result = run_module("vbr_user", {"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}, env=env)
    assert result["changed"] and result["user"]["roles"] == ["Veeam Restore Operator"]  # 13.0 names
    assert "mfa_enabled" not in result["user"]
    assert admin.stats()["by_route"]["POST /api/oauth2/token"] == 2  # 1.3-rev2 refused, then 1.3-rev1
    role = run_module("vbr_role", {"name": "Help Desk", "manage_restores": True}, env=env)
    assert role.failed and "Custom roles need VBR 13.1" in role["msg"]
    pinned = run_module("vbr_role_info", {"api_version": "1.3-rev2"}, env=env)
    assert pinned.failed and "set api_version: 1.3-rev1, or auto" in pinned["msg"]


@pytest.mark.parametrize("old_simulator", ["12.3"], indirect=True)
def test_auto_against_a_server_without_the_security_api_says_so(old_simulator, credentials):
    env = {"VEEAM_VBR_SERVER": old_simulator.vbr_url, "VEEAM_VBR_USERNAME": credentials["username"],
           "VEEAM_VBR_PASSWORD": credentials["password"], "VEEAM_VBR_CA_PATH": old_simulator.ca_path}
    result = run_module("vbr_role_info", {}, env=env)
    assert result.failed and result["error"]["error_code"] == "unsupported_api_version"
    assert "none of which this collection speaks" in result["msg"] and "13.0.1 or later" in result["msg"]
    assert "Upgrade the server" in result["msg"]


# ---------------------------------------------------------------------- four-eyes authorization
@pytest.fixture(params=["403", "202"])
def four_eyes(request, sim_admin):
    sim_admin.four_eyes(request.param)
    yield request.param
    if request.param == "202":
        # 202 is the undocumented reading (the spec lists no 202 for these operations): test mode flags it.
        assert all(violation["status"] in (202, None) for violation in sim_admin.violations())
        sim_admin.clear_violations()


def pending_events(admin):
    return [event for event in admin.state()["authorization_events"] if event["state"] == "Pending"]


def test_four_eyes_create_waits_for_approval_and_says_so(four_eyes, vbr_env, sim_admin):
    result = run_module("vbr_user", {"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}, env=vbr_env)
    assert result.failed and result["error"]["error_code"] == "four_eyes"
    assert "second administrator's approval (four-eyes authorization)" in result["msg"]
    assert "run the task again" in result["msg"] and "vbr_authorization_event_info" in result["msg"]
    pending = result["error"]["pending_request"]
    assert pending["state"] == "Pending" and pending["created_by"] == "TECH\\svc.ansible"
    assert [event["id"] for event in pending_events(sim_admin)] == [pending["id"]]
    assert sim_admin.user("TECH\\jane.doe") is None
    sim_admin.decide(pending["id"], approve=True)  # a second administrator approves: VBR carries it out
    assert sim_admin.user("TECH\\jane.doe")["roles"] == [RESTORE_OPERATOR_ID]
    again = run_module("vbr_user", {"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}, env=vbr_env)
    assert again["changed"] is False


def test_four_eyes_bulk_stops_before_the_next_write(vbr_env, sim_admin):
    sim_admin.four_eyes("403")
    users = [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]},
             {"name": "TECH\\bob.smith", "roles": ["Restore Operator"]},
             {"name": "TECH\\william.fox", "state": "absent"}]
    result = run_module("vbr_user", {"users": users}, env=vbr_env)
    assert result.failed and result["error"]["error_code"] == "four_eyes"
    assert result["error"]["pending_request"]["id"] == pending_events(sim_admin)[0]["id"]
    assert writes(sim_admin) == 1 and len(pending_events(sim_admin)) == 1
    assert sim_admin.user("TECH\\bob.smith") is None and sim_admin.user("TECH\\william.fox") is not None


def test_four_eyes_refuses_deletion_through_rest(four_eyes, vbr_env, sim_admin):
    result = run_module("vbr_user", {"name": "TECH\\william.fox", "state": "absent"}, env=vbr_env)
    assert result.failed and result["error"]["error_code"] == "four_eyes"
    assert "refuses DELETE /api/v1/security/users/" in result["msg"] and "Veeam console" in result["msg"]
    assert "pending_request" not in result["error"] and sim_admin.user("TECH\\william.fox") is not None


def test_four_eyes_on_roles_and_mfa(four_eyes, vbr_env, sim_admin):
    roles = run_module("vbr_user_roles", {"name": "TECH\\william.fox", "roles": ["Backup Viewer"]}, env=vbr_env)
    assert roles.failed and roles["error"]["error_code"] == "four_eyes"
    mfa = run_module("vbr_mfa", {"enabled": True}, env=vbr_env)
    assert mfa.failed and mfa["error"]["error_code"] == "four_eyes" and mfa["error"]["pending_request"]["id"]
    state = sim_admin.state()
    assert state["settings"]["mfaEnabled"] is False and len(pending_events(sim_admin)) == 2
    assert sim_admin.user("TECH\\william.fox")["roles"] == [RESTORE_OPERATOR_ID]


def test_authorization_event_info_lists_and_filters(vbr_env, sim_admin):
    run_module("vbr_user", {"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}, env=vbr_env)  # an Info event
    sim_admin.four_eyes("403")
    first = run_module("vbr_user", {"name": "TECH\\bob.smith", "roles": ["Restore Operator"]}, env=vbr_env)
    second = run_module("vbr_mfa", {"enabled": True}, env=vbr_env)
    sim_admin.decide(second["error"]["pending_request"]["id"], approve=False)
    sim_admin.reset_stats()
    everything = run_module("vbr_authorization_event_info", {}, env=vbr_env)
    assert not everything.failed and everything["changed"] is False
    assert [event["state"] for event in everything["events"]] == ["Rejected", "Pending", "Info"]  # newest first
    assert sim_admin.writes() == 0
    pending = run_module("vbr_authorization_event_info", {"state": ["Pending"]}, env=vbr_env)["events"]
    assert [event["id"] for event in pending] == [first["error"]["pending_request"]["id"]]
    assert pending[0]["created_by"] == "TECH\\svc.ansible" and pending[0]["expiration_time"]
    rejected = run_module("vbr_authorization_event_info", {"processed_by": "TECH\\sheila.d.cory"}, env=vbr_env)
    assert [event["state"] for event in rejected["events"]] == ["Rejected"]
    one = run_module("vbr_authorization_event_info", {"id": pending[0]["id"]}, env=vbr_env)["events"]
    assert one == pending
    none = run_module("vbr_authorization_event_info", {"created_after": "2999-01-01T00:00:00Z"}, env=vbr_env)
    assert none["events"] == []


@pytest.mark.parametrize("args, fragment", [
    ({"id": "12"}, "id '12' is not an authorization event id"),
    ({"created_after": "yesterday"}, "created_after 'yesterday' is not a date and time"),
    ({"state": ["Waiting"]}, "Pending, Approved, Rejected, Expired, Info, CockpitMessage"),
])
def test_authorization_event_info_bad_input(args, fragment, vbr_env):
    result = run_module("vbr_authorization_event_info", args, env=vbr_env)
    assert result.failed and fragment in result["msg"]


# ---------------------------------------------------------------------- shapes the client does not know
def test_a_users_page_of_unknown_shape_is_an_error_not_an_empty_list(vbr_env, sim_admin):
    sim_admin.fault(method="GET", path="/api/v1/security/users", status=200, body={"items": []}, times=0)
    result = run_module("vbr_user", {"users": [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}],
                                     "exclusive": True}, env=vbr_env)
    assert result.failed and result["error"]["error_code"] == "unexpected_response"
    assert "keys items" in result["msg"] and "'data' list" in result["msg"]
    assert writes(sim_admin) == 0
    sim_admin.clear_violations()  # the injected answer is not the spec's, on purpose


# ---------------------------------------------------------------------- the client underneath
def _client(sim, **options):
    from ansible_collections.backupops.veeam.plugins.module_utils.transport import Transport
    from ansible_collections.backupops.veeam.plugins.module_utils.vbr_client import VbrClient
    transport = Transport(sim.vbr_url, product="VBR server", ca_path=sim.ca_path, retries=0)
    return VbrClient(transport, **options)


@pytest.mark.parametrize("old_simulator", ["13.0.1"], indirect=True)
def test_auto_with_a_given_access_token_settles_on_the_first_request(old_simulator):
    admin = SimAdmin(old_simulator.vbr_url, old_simulator.ca_path)
    admin.reset()
    login = _client(old_simulator, username=old_simulator.config.username, password=old_simulator.config.password)
    login.login()
    assert login.api_version == "1.3-rev1"
    admin.reset_stats()
    client = _client(old_simulator, access_token=login._access_token)
    assert [role["name"] for role in client.list_roles()][0].startswith("Veeam ")
    assert client.api_version == "1.3-rev1"
    assert admin.stats()["by_route"]["GET /api/v1/security/roles"] == 2  # 1.3-rev2 refused, then 1.3-rev1
    fresh = _client(old_simulator, access_token=login._access_token)
    assert fresh.api_version == "1.3-rev1"  # asked for before any request: one cheap serverInfo read settles it
    assert admin.stats()["by_route"]["GET /api/v1/serverInfo"] == 2
    login.close()


def test_authorization_events_are_read_page_by_page(vbr_env, sim_admin, simulator, credentials):
    sim_admin.four_eyes("403")
    for name in ("TECH\\jane.doe", "TECH\\bob.smith", "TECH\\john.smith"):
        run_module("vbr_user", {"name": name, "roles": ["Restore Operator"]}, env=vbr_env)
    client = _client(simulator, username=credentials["username"], password=credentials["password"], page_size=2)
    sim_admin.reset_stats()
    events = client.list_authorization_events(states=["Pending"])
    assert len(events) == 3 and all(event["state"] == "Pending" for event in events)
    assert sim_admin.stats()["by_route"]["GET /api/v1/authorization/events"] == 2
    client.close()
