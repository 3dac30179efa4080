"""vbr_user_roles, vbr_user_info, vbr_mfa and vbr_role against the simulator."""

import pytest

from tests.functional.module_harness import run_module


def test_user_roles_present_absent_exact(vbr_env, sim_admin):
    added = run_module("vbr_user_roles", {"name": "TECH\\william.fox", "roles": ["Backup Viewer"]}, env=vbr_env,
                       diff=True)
    assert added["changed"] and added["user"]["roles"] == ["Backup Viewer", "Restore Operator"]
    assert added["diff"]["before"]["roles"] == ["Restore Operator"]
    sim_admin.reset_stats()
    again = run_module("vbr_user_roles", {"name": "TECH\\william.fox", "roles": ["Backup Viewer"]}, env=vbr_env)
    assert again["changed"] is False and sim_admin.writes() == 0
    removed = run_module("vbr_user_roles", {"name": "TECH\\william.fox", "roles": ["Backup Viewer"],
                                            "state": "absent"}, env=vbr_env)
    assert removed["changed"] and removed["user"]["roles"] == ["Restore Operator"]
    exact = run_module("vbr_user_roles", {"name": "TECH\\william.fox", "roles": ["Backup Operator", "Tape Operator"],
                                          "state": "exact"}, env=vbr_env, check_mode=True)
    assert exact["changed"] and exact["user"]["roles"] == ["Backup Operator", "Tape Operator"]
    assert sim_admin.user("TECH\\william.fox")["roles"] == ["b167c3af-2262-4b6c-9861-0606fc0cb6b1"]


def test_user_roles_refuses_to_remove_the_last_role(vbr_env, sim_admin):
    result = run_module("vbr_user_roles", {"name": "TECH\\william.fox", "roles": ["Restore Operator"],
                                           "state": "absent"}, env=vbr_env)
    assert result.failed and "without any role" in result["msg"] and "state: absent" in result["msg"]
    assert sim_admin.writes() == 0


def test_user_roles_unknown_user_and_guard(vbr_env, sim_admin):
    missing = run_module("vbr_user_roles", {"name": "TECH\\jane.doe", "roles": ["Backup Viewer"]}, env=vbr_env)
    assert missing.failed and "backupops.veeam.vbr_user" in missing["msg"]
    demote = run_module("vbr_user_roles", {"name": "TECH\\svc.ansible", "roles": ["Backup Viewer"],
                                           "state": "exact"}, env=vbr_env)
    assert demote.failed and "connected as" in demote["msg"]
    demote = run_module("vbr_user_roles", {"name": "TECH\\svc.ansible", "roles": ["Backup Viewer"], "state": "exact",
                                           "allow_lockout": True}, env=vbr_env)
    assert demote["changed"]
    assert sim_admin.writes() == 1


def test_user_info_filters(vbr_env):
    everyone = run_module("vbr_user_info", {}, env=vbr_env)["users"]
    assert [user["name"] for user in everyone][:2] == ["BUILTIN\\Administrators", "TECH\\michael.wells"]
    admins = run_module("vbr_user_info", {"role": "backup administrator"}, env=vbr_env)["users"]
    assert sorted(user["name"] for user in admins) == ["BUILTIN\\Administrators", "TECH\\sheila.d.cory",
                                                       "TECH\\svc.ansible"]
    groups = run_module("vbr_user_info", {"type": ["InternalGroup"]}, env=vbr_env)["users"]
    assert [user["name"] for user in groups] == ["BUILTIN\\Administrators"]
    service = run_module("vbr_user_info", {"is_service_account": True}, env=vbr_env)["users"]
    assert [user["name"] for user in service] == ["TECH\\svc.ansible"]
    one = run_module("vbr_user_info", {"name": "tech\\SHEILA.D.CORY"}, env=vbr_env)["users"]
    assert [user["name"] for user in one] == ["TECH\\sheila.d.cory"]
    assert run_module("vbr_user_info", {"name": "TECH\\sheila"}, env=vbr_env)["users"] == []


def test_mfa_enable_reset_and_idempotence(vbr_env, sim_admin):
    checked = run_module("vbr_mfa", {"enabled": True}, env=vbr_env, check_mode=True)
    assert checked["changed"] and checked["mfa_enabled"] is True and sim_admin.writes() == 0
    enabled = run_module("vbr_mfa", {"enabled": True}, env=vbr_env, diff=True)
    assert enabled["changed"] and enabled["diff"] == {"before": {"mfa_enabled": False}, "after": {"mfa_enabled": True}}
    assert run_module("vbr_mfa", {"enabled": True}, env=vbr_env)["changed"] is False
    reset = run_module("vbr_mfa", {"reset_for": ["TECH\\william.fox"]}, env=vbr_env)
    assert reset["changed"] and reset["reset"] == ["TECH\\william.fox"]
    assert sim_admin.user("TECH\\william.fox")["mfaResets"] == 1
    in_check = run_module("vbr_mfa", {"reset_for": ["TECH\\william.fox"]}, env=vbr_env, check_mode=True)
    assert in_check["changed"] and sim_admin.user("TECH\\william.fox")["mfaResets"] == 1


def test_mfa_guard_for_non_service_accounts(vbr_env, sim_admin, credentials):
    env = dict(vbr_env, VEEAM_VBR_USERNAME="TECH\\sheila.d.cory")
    refused = run_module("vbr_mfa", {"enabled": True}, env=env)
    assert refused.failed and "not a service account" in refused["msg"] and "allow_lockout" in refused["msg"]
    assert sim_admin.writes() == 0
    allowed = run_module("vbr_mfa", {"enabled": True, "allow_lockout": True}, env=env)
    assert allowed["changed"]
    locked_out = run_module("vbr_mfa", {"enabled": False}, env=env)
    assert locked_out.failed and "MFA" in locked_out["msg"]  # exactly the lockout the guard warns about


def test_mfa_reset_of_unknown_user_resets_nobody(vbr_env, sim_admin):
    result = run_module("vbr_mfa", {"reset_for": ["TECH\\william.fox", "TECH\\ghost"]}, env=vbr_env)
    assert result.failed and "TECH\\ghost" in result["msg"] and "Nothing was reset" in result["msg"]
    assert "mfaResets" not in sim_admin.user("TECH\\william.fox")


def test_mfa_reset_for_many_reads_the_users_once(vbr_env, sim_admin):
    names = ["TECH\\many.user%02d" % number for number in range(12)]
    sim_admin.add_users([{"name": name, "roles": ["Veeam Restore Operator"]} for name in names])
    sim_admin.reset_stats()
    # 1.3-rev1: with 1.3-rev2 (what api_version auto picks on VBR 13.1) the module also reports every user's MFA
    # state after the change, one more paged read; test_mfa_rev2_reports_users covers that.
    env = dict(vbr_env, VEEAM_VBR_API_VERSION="1.3-rev1")
    result = run_module("vbr_mfa", {"reset_for": names + ["tech\\WILLIAM.FOX"]}, env=env)
    assert result["changed"] and not result.failed
    assert sim_admin.stats()["by_route"]["GET /api/v1/security/users"] == 1
    assert sim_admin.writes() == 13


def test_mfa_rev2_reports_users(vbr_env):
    result = run_module("vbr_mfa", {"enabled": True}, env=dict(vbr_env, VEEAM_VBR_API_VERSION="1.3-rev2"))
    states = dict((user["name"], user["mfa_enabled"]) for user in result["users"])
    assert states["TECH\\william.fox"] is True and states["TECH\\svc.ansible"] is False


def test_mfa_needs_something_to_do(vbr_env):
    result = run_module("vbr_mfa", {}, env=vbr_env)
    assert result.failed and "enabled" in result["msg"] and "reset_for" in result["msg"]


@pytest.fixture
def rev2_env(vbr_env):
    return dict(vbr_env, VEEAM_VBR_API_VERSION="1.3-rev2")


def test_custom_role_lifecycle(rev2_env, sim_admin):
    spec = {"name": "Help Desk Restore", "description": "restores only", "manage_restores": True,
            "repository_scope": {"allRepositories": True}}
    checked = run_module("vbr_role", spec, env=rev2_env, check_mode=True)
    assert checked["changed"] and checked["role"]["id"] is None and sim_admin.writes() == 0
    created = run_module("vbr_role", spec, env=rev2_env, diff=True)
    assert created["changed"] and created["role"]["id"] and created["role"]["manage_backups"] is False
    sim_admin.reset_stats()
    assert run_module("vbr_role", spec, env=rev2_env)["changed"] is False
    assert sim_admin.writes() == 0
    changed = run_module("vbr_role", dict(spec, manage_backups=True), env=rev2_env, diff=True)
    assert changed["changed"] and changed["diff"]["before"]["manage_backups"] is False
    assert changed["diff"]["after"]["manage_backups"] is True
    user = run_module("vbr_user", {"name": "TECH\\jane.doe", "roles": ["Help Desk Restore"]}, env=rev2_env)
    assert user["user"]["roles"] == ["Help Desk Restore"]
    held = run_module("vbr_role", {"name": "Help Desk Restore", "state": "absent"}, env=rev2_env)
    assert held.failed and "TECH\\jane.doe" in held["msg"]
    run_module("vbr_user", {"name": "TECH\\jane.doe", "state": "absent"}, env=rev2_env)
    deleted = run_module("vbr_role", {"name": "Help Desk Restore", "state": "absent"}, env=rev2_env)
    assert deleted["changed"] and deleted["role"] is None
    assert run_module("vbr_role", {"name": "Help Desk Restore", "state": "absent"}, env=rev2_env)["changed"] is False


def test_custom_roles_need_rev2_and_leave_built_ins_alone(vbr_env, rev2_env):
    old = run_module("vbr_role", {"name": "X", "manage_restores": True},
                     env=dict(vbr_env, VEEAM_VBR_API_VERSION="1.3-rev1"))
    assert old.failed and "VBR 13.1" in old["msg"] and "1.3-rev2" in old["msg"]
    builtin = run_module("vbr_role", {"name": "Veeam Restore Operator", "description": "mine"}, env=rev2_env)
    assert builtin.failed and "built-in" in builtin["msg"]
