"""em_account, em_account_info and em_rebuild_scope against the simulated Enterprise Manager."""

import pytest

from tests.functional.module_harness import run_module

VM = {"ref": "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-2041", "name": "jane-workstation"}
SHARE = {"ref": "urn:NasBackup:FileServer:541178f4-5335-46cb-b7bc-8fbb4a944307.541178f4", "name": "\\\\fs01\\Finance"}


def listed(item):
    """A scope item as EM lists it (EM lists no reference)."""
    platform, object_type, rest = item["ref"].split(":")[1:4]
    return {"name": item["name"], "platform": platform, "object_type": object_type, "root": rest.split(".")[0]}


def em_writes(em_admin):
    return em_admin.stats()["by_kind"].get("write", 0)


def run_twice(args, env, em_admin):
    first = run_module("em_account", args, env=env, diff=True)
    assert not first.failed, first.get("msg")
    em_admin.reset_stats()
    second = run_module("em_account", args, env=env)
    assert not second.failed and second["changed"] is False, second
    assert em_writes(em_admin) == 0
    return first


def test_onboard_restore_operator_scoped_to_a_vm_then_a_share(em_env, em_admin):
    first = run_twice({"name": "TECH\\jane.doe", "roles": ["VM Restore Operator"], "restore_scope": [VM]}, em_env, em_admin)
    assert first["changed"] and first["account"]["roles"] == ["VM Restore Operator"]
    assert first["account"]["allow_restore_all_vms"] is False
    assert first["account"]["restore_scope"] == [listed(VM)]
    assert first["diff"]["before"] == {} and first["diff"]["after"]["name"] == "TECH\\jane.doe"

    moved = run_twice({"name": "TECH\\jane.doe", "roles": ["VM Restore Operator"], "restore_scope": [SHARE]},
                      em_env, em_admin)
    assert moved["account"]["restore_scope"] == [listed(SHARE)]
    assert moved["diff"]["before"]["restore_scope"] == [listed(VM)]

    roles = run_twice({"name": "TECH\\jane.doe", "roles": ["Portal User", "File Restore Operator"]}, em_env, em_admin)
    assert roles["account"]["roles"] == ["File Restore Operator", "Portal User"]
    assert roles["account"]["restore_scope"] == [listed(SHARE)]  # not given: left alone


def test_allow_restore_all_vms_is_toggled_only_when_it_differs(em_env, em_admin):
    run_module("em_account", {"name": "TECH\\jane.doe", "roles": ["VM Restore Operator"], "restore_scope": [VM]},
               env=em_env)
    em_admin.reset_stats()
    opened = run_twice({"name": "TECH\\jane.doe", "allow_restore_all_vms": True}, em_env, em_admin)
    assert opened["changed"] and opened["account"]["allow_restore_all_vms"] is True


def test_check_mode_writes_nothing_and_predicts(em_env, em_admin):
    args = {"name": "TECH\\jane.doe", "roles": ["VM Restore Operator"], "restore_scope": [VM]}
    checked = run_module("em_account", args, env=em_env, check_mode=True, diff=True)
    assert checked["changed"] and em_writes(em_admin) == 0
    real = run_module("em_account", args, env=em_env, diff=True)
    predicted, actual = checked["account"], real["account"]
    assert dict(predicted, uid=None, id=None) == dict(actual, uid=None, id=None)
    change = {"name": "TECH\\jane.doe", "roles": ["Portal User"]}
    checked = run_module("em_account", change, env=em_env, check_mode=True, diff=True)
    assert checked["changed"] and checked["diff"]["after"]["roles"] == ["Portal User"]
    assert em_writes(em_admin) == 1  # only the real create above


def test_flr_settings_need_recreate(em_env, em_admin):
    base = {"name": "TECH\\mary.smith", "roles": ["Portal User"], "restore_scope": [SHARE],
            "flr_settings": {"inplace_only": True, "extensions": ["pdf", "doc"]}}
    created = run_twice(base, em_env, em_admin)
    assert created["account"]["flr_settings"] == {"inplace_only": True, "extensions": ["doc", "pdf"]}
    em_admin.reset_stats()
    changed = dict(base, flr_settings={"inplace_only": True, "extensions": ["xlsx"]})
    refused = run_module("em_account", changed, env=em_env)
    assert refused.failed and "cannot change flr_settings" in refused["msg"] and "recreate: true" in refused["msg"]
    assert em_writes(em_admin) == 0
    no_scope = run_module("em_account", dict(changed, roles=None, restore_scope=None, recreate=True), env=em_env)
    assert no_scope.failed and "give its restore_scope" in no_scope["msg"] and em_writes(em_admin) == 0
    recreated = run_module("em_account", dict(changed, roles=None, recreate=True), env=em_env)
    assert recreated["changed"] and recreated["recreated"]
    account = recreated["account"]
    assert account["flr_settings"]["extensions"] == ["xlsx"]
    assert account["roles"] == ["Portal User"] and account["restore_scope"] == [listed(SHARE)]
    assert account["uid"] != created["account"]["uid"]


def test_sql_settings_and_type_are_immutable_too(em_env):
    run_module("em_account", {"name": "TECH\\bob.smith", "roles": ["SQL Restore Operator"],
                              "sql_settings": {"deny_in_place_restore": True}}, env=em_env)
    sql = run_module("em_account", {"name": "TECH\\bob.smith", "sql_settings": {"deny_in_place_restore": False}},
                     env=em_env)
    assert sql.failed and "sql_settings" in sql["msg"]
    kind = run_module("em_account", {"name": "TECH\\bob.smith", "type": "Group"}, env=em_env)
    assert kind.failed and "type (User -> Group)" in kind["msg"]


@pytest.mark.parametrize("args, fragment", [
    ({"name": "jane.doe", "roles": ["Portal User"]}, "DOMAIN\\name"),
    ({"name": "TECH\\jane.doe", "type": "ExternalUser", "roles": ["Portal User"]}, "user principal name"),
    ({"name": "TECH\\jane.doe", "roles": ["Portal Wizard"]}, "Unknown Enterprise Manager role 'Portal Wizard'"),
    ({"name": "TECH\\jane.doe"}, "without roles"),
    ({"name": "TECH\\jane.doe", "roles": []}, "roles is an empty list"),
    ({"name": "TECH\\jane.doe", "roles": ["Portal User"], "allow_restore_all_vms": False}, "give restore_scope"),
    ({"name": "TECH\\jane.doe", "roles": ["Portal User"], "restore_scope": [{"ref": "urn:x"}]}, "name"),
    ({"name": "TECH\\jane.doe", "roles": ["Portal User"], "restore_scope": [{"ref": "vm-12", "name": "x"}]},
     "not a hierarchy reference"),
    ({"name": "TECH\\jane.doe", "roles": ["Portal User"], "type": "Team"}, "User, Group, ExternalUser, ExternalGroup"),
])
def test_bad_input_writes_nothing(args, fragment, em_env, em_admin):
    result = run_module("em_account", args, env=em_env)
    assert result.failed and fragment in result["msg"], result.get("msg")
    assert em_writes(em_admin) == 0


def test_external_accounts_and_removal(em_env, em_admin):
    external = run_module("em_account", {"name": "jane.doe@tech.com", "type": "ExternalUser", "roles": ["Portal User"]},
                          env=em_env)
    assert external["changed"] and external["account"]["type"] == "ExternalUser"
    removed = run_module("em_account", {"name": "JANE.DOE@tech.com", "state": "absent"}, env=em_env)
    assert removed["changed"] and removed["account"] is None
    assert run_module("em_account", {"name": "jane.doe@tech.com", "state": "absent"}, env=em_env)["changed"] is False


def test_account_info(em_env):
    everyone = run_module("em_account_info", {}, env=em_env)["accounts"]
    assert "TECH\\svc.ansible" in [account["name"] for account in everyone]
    fox = run_module("em_account_info", {"name": "tech\\WILLIAM.FOX"}, env=em_env)["accounts"]
    assert fox[0]["roles"] == ["File Restore Operator", "VM Restore Operator"] and fox[0]["restore_scope"][0]["name"] == "web-srv-01"
    assert run_module("em_account_info", {"name": "TECH\\nobody"}, env=em_env)["accounts"] == []


def test_rebuild_scope_waits_for_the_task(em_env, em_admin):
    em_admin.task_outcome(success=True, duration=0.3)
    result = run_module("em_rebuild_scope", {"poll_interval": 0.1}, env=em_env)
    assert result["changed"] and result["task"]["state"] == "Finished" and result["task"]["success"] is True
    assert em_admin.count("GET /api/tasks/{id}") >= 2


def test_rebuild_scope_fails_with_the_task_message(em_env, em_admin):
    em_admin.task_outcome(success=False, message="vCenter vc01.tech.local is unreachable", duration=0.1)
    result = run_module("em_rebuild_scope", {"scope": "all", "poll_interval": 0.1}, env=em_env)
    assert result.failed and "vCenter vc01.tech.local is unreachable" in result["msg"]


def test_rebuild_scope_times_out_clearly(em_env, em_admin):
    em_admin.task_outcome(success=True, duration=30)
    result = run_module("em_rebuild_scope", {"wait_timeout": 1, "poll_interval": 0.2}, env=em_env)
    assert result.failed and "still Running after 1 seconds" in result["msg"] and "wait_timeout" in result["msg"]


def test_rebuild_scope_check_mode_and_no_wait(em_env, em_admin):
    assert run_module("em_rebuild_scope", {}, env=em_env, check_mode=True) == \
        dict(run_module("em_rebuild_scope", {}, env=em_env, check_mode=True))
    assert em_admin.count("POST /api/security/accounts") == 0
    em_admin.task_outcome(success=True, duration=5)
    started = run_module("em_rebuild_scope", {"wait": False}, env=em_env)
    assert started["changed"] and started["task"]["state"] == "Running"


def test_expired_em_session_is_renewed(em_env, em_admin):
    em_admin.fault(method="GET", path="/api/security/accounts", status=401, times=1)
    result = run_module("em_account_info", {}, env=em_env)
    assert not result.failed and em_admin.count("POST /api/sessionMngr") == 2
