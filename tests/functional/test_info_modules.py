"""vbr_role_info and em_role_info, run as Ansible runs them, against the simulator."""

from tests.functional.module_harness import run_module


def test_vbr_role_info_lists_roles_sorted_without_writing(vbr_env, sim_admin):
    result = run_module("vbr_role_info", {}, env=vbr_env)
    assert not result.failed, result
    assert result["changed"] is False
    names = [role["name"] for role in result["roles"]]
    assert names == sorted(names, key=str.casefold)
    assert "Restore Operator" in names  # VBR 13.1's name (test_real_veeam.py covers the 13.0 names)
    assert sim_admin.stats()["by_kind"] == {"token": 1, "read": 1, "logout": 1}


def test_vbr_role_info_by_short_name_with_permissions(vbr_env):
    result = run_module("vbr_role_info", {"name": "restore operator", "permissions": True}, env=vbr_env)
    assert [role["name"] for role in result["roles"]] == ["Restore Operator"]
    permissions = result["roles"][0]["permissions"]
    assert permissions == sorted(permissions) and len(permissions) > 5


def test_vbr_role_info_unknown_role_lists_the_valid_ones(vbr_env):
    result = run_module("vbr_role_info", {"name": "Tape Wizard"}, env=vbr_env)
    assert result.failed
    assert "No role 'Tape Wizard'" in result["msg"] and "Backup Viewer" in result["msg"]


def test_vbr_role_info_rev2_reports_built_in_and_filters(vbr_env):
    env = dict(vbr_env, VEEAM_VBR_API_VERSION="1.3-rev2")
    result = run_module("vbr_role_info", {"built_in": True}, env=env)
    assert result["roles"] and all(role["is_built_in"] for role in result["roles"])
    assert run_module("vbr_role_info", {"built_in": False}, env=env)["roles"] == []


def test_vbr_role_info_runs_in_check_mode(vbr_env):
    result = run_module("vbr_role_info", {}, env=vbr_env, check_mode=True)
    assert not result.failed and result["roles"]


def test_bad_api_version_names_the_choices(vbr_env):
    result = run_module("vbr_role_info", {"api_version": "1.2-rev1"}, env=vbr_env)
    assert result.failed
    assert "api_version" in result["msg"] and "auto, 1.3-rev1, 1.3-rev2" in result["msg"]


def test_missing_server_says_which_option_and_variable(vbr_env):
    env = dict(vbr_env)
    del env["VEEAM_VBR_SERVER"]
    result = run_module("vbr_role_info", {}, env=env)
    assert result.failed and "server" in result["msg"]


def test_wrong_password_fails_cleanly_and_hides_it(vbr_env):
    env = dict(vbr_env, VEEAM_VBR_PASSWORD="Wr0ng-Passw0rd!")
    result = run_module("vbr_role_info", {}, env=env)
    assert result.failed and "refused the login" in result["msg"]
    assert "Wr0ng-Passw0rd!" not in result.stdout + result.stderr


def test_em_role_info_lists_and_finds_roles(em_env, em_admin):
    result = run_module("em_role_info", {}, env=em_env)
    assert not result.failed, result
    assert "Portal Administrator" in [role["name"] for role in result["roles"]]
    one = run_module("em_role_info", {"name": "vm restore operator"}, env=em_env)["roles"]
    assert [role["name"] for role in one] == ["VM Restore Operator"]
    assert one[0]["uid"].startswith("urn:veeam:EnterpriseRole:")
    assert em_admin.count("DELETE /api/logonSessions/{id}") == 2


def test_em_role_info_unknown_role(em_env):
    result = run_module("em_role_info", {"name": "Root"}, env=em_env)
    assert result.failed and "Portal User" in result["msg"]
