"""Enterprise Manager's shapes that its documents leave open (issue 11), against the simulated EM serving each
reading: HierarchyRootName as the root's id or the vCenter host name, the JSON keys of the account roles and scopes
lists, and the Finished / OperationFinished task states. The server's state is checked afterwards."""

import pytest

from tests.conftest import SimAdmin, running_simulator
from tests.functional.module_harness import run_module

VM = {"ref": "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-2041", "name": "jane-workstation"}
OTHER_VM = {"ref": "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-3001", "name": "john-desktop"}


@pytest.fixture(scope="module")
def alternative_em(tmp_path_factory):
    """An Enterprise Manager with the other reading of every open point."""
    yield from running_simulator(tmp_path_factory, vbr_servers=0, task_duration=0.2, em_scope_root="host",
                                 em_list_keys="item-names", em_task_state="OperationFinished")


@pytest.fixture(params=["documented", "alternative"])
def em(request, simulator, credentials):
    sim = simulator if request.param == "documented" else request.getfixturevalue("alternative_em")
    admin = SimAdmin(sim.em_url, sim.ca_path, kind="em")
    admin.reset()
    env = {"VEEAM_EM_SERVER": sim.em_url, "VEEAM_EM_USERNAME": credentials["username"],
           "VEEAM_EM_PASSWORD": credentials["password"], "VEEAM_EM_CA_PATH": sim.ca_path}
    return request.param, env, admin


def em_writes(admin):
    return admin.stats()["by_kind"].get("write", 0)


def account_state(admin, name):
    return next(account for account in admin.state()["accounts"] if account["name"].casefold() == name.casefold())


def test_restore_scope_rerun_is_not_changed_whatever_hierarchy_root_name_holds(em):
    reading, env, admin = em
    args = {"name": "TECH\\jane.doe", "roles": ["VM Restore Operator"], "restore_scope": [VM, OTHER_VM]}
    first = run_module("em_account", args, env=env)
    assert first["changed"] and not first.failed, first.get("msg")
    roots = set(item["root"] for item in first["account"]["restore_scope"])
    assert roots == ({"7f6b6270-1f3b-4dc6-872f-2d1dfc519c00"} if reading == "documented"
                     else {"vcenter-7f6b6270.tech.local"})
    admin.reset_stats()
    again = run_module("em_account", args, env=env, diff=True)
    assert again["changed"] is False and em_writes(admin) == 0, again.get("diff")
    assert len(account_state(admin, "TECH\\jane.doe")["scopes"]) == 2  # no duplicate scope
    fewer = run_module("em_account", dict(args, restore_scope=[OTHER_VM]), env=env)
    assert fewer["changed"] and [item["name"] for item in fewer["account"]["restore_scope"]] == ["john-desktop"]
    assert [scope["name"] for scope in account_state(admin, "TECH\\jane.doe")["scopes"]] == ["john-desktop"]


def test_account_roles_and_scopes_are_read_under_either_key(em):
    _reading, env, _admin = em
    accounts = run_module("em_account_info", {"name": "TECH\\william.fox"}, env=env)["accounts"]
    assert accounts[0]["roles"] == ["File Restore Operator", "VM Restore Operator"]
    assert [item["name"] for item in accounts[0]["restore_scope"]] == ["web-srv-01"]


def test_rebuild_scope_task_is_done_in_either_finished_state(em):
    _reading, env, admin = em
    result = run_module("em_rebuild_scope", {"scope": "all", "poll_interval": 0.1}, env=env)
    assert not result.failed and result["changed"], result.get("msg")
    assert all(scope["state"] == "Processed" for account in admin.state()["accounts"] for scope in account["scopes"])


@pytest.mark.parametrize("route, body, keys", [
    ("/api/security/accounts/*/roles", {"Items": {"RoleName": "Portal User"}}, "Items"),
    ("/api/security/accounts/*/scopes", {"Links": [], "Scopes": [], "Items": []}, "Items, Links, Scopes"),
    ("/api/security/accounts/*/scopes", {}, "none"),
])
def test_a_list_of_unknown_shape_is_an_error_naming_the_keys_never_empty(route, body, keys, em_env, em_admin):
    em_admin.fault(method="GET", path=route, status=200, body=body, times=0)
    em_admin.reset_stats()
    result = run_module("em_account", {"name": "TECH\\william.fox", "roles": ["Portal User"],
                                       "allow_restore_all_vms": True}, env=em_env)
    assert result.failed and result["error"]["error_code"] == "unexpected_response"
    assert "the keys found are: %s" % keys in result["msg"]
    assert em_writes(em_admin) == 0
    assert account_state(em_admin, "TECH\\william.fox")["allow_all"] is False
