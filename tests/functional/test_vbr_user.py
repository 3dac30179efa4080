"""vbr_user against the simulator: the onboarding scenarios, check mode, diff, bulk, errors, lockout guards."""

import math

import pytest

from tests.functional.module_harness import run_module, run_playbook

WRITES = ("POST /api/v1/security/users", "DELETE /api/v1/security/users/{id}",
          "PUT /api/v1/security/users/{id}/roles", "POST /api/v1/security/users/{id}/changeServiceAccountMode")


def writes(sim_admin):
    routes = sim_admin.stats()["by_route"]
    return sum(routes.get(route, 0) for route in WRITES)


def run_twice(args, env, sim_admin, **kwargs):
    """Run the module, then again: the second run must change nothing and send no write request."""
    first = run_module("vbr_user", args, env=env, **kwargs)
    assert not first.failed, first["msg"] if "msg" in first else first
    sim_admin.reset_stats()
    second = run_module("vbr_user", args, env=env, **kwargs)
    assert not second.failed, second
    assert second["changed"] is False
    assert writes(sim_admin) == 0
    return first, second


def test_onboard_promote_offboard(vbr_env, sim_admin):
    onboard, _second = run_twice({"name": "TECH\\new.user", "roles": ["Veeam Restore Operator"]}, vbr_env, sim_admin)
    assert onboard["changed"] is True
    assert onboard["user"]["roles"] == ["Restore Operator"] and onboard["user"]["id"]
    assert sim_admin.user("TECH\\new.user")["roles"] == ["b167c3af-2262-4b6c-9861-0606fc0cb6b1"]

    sim_admin.reset_stats()
    promote = run_module("vbr_user", {"name": "tech\\NEW.USER", "roles": ["Backup Administrator"]}, env=vbr_env)
    assert promote["changed"] is True and promote["user"]["roles"] == ["Backup Administrator"]
    assert sim_admin.count("PUT /api/v1/security/users/{id}/roles") == 1
    run_twice({"name": "TECH\\new.user", "roles": ["Backup Administrator"]}, vbr_env, sim_admin)

    sim_admin.reset_stats()
    offboard, _second = run_twice({"name": "TECH\\new.user", "state": "absent"}, vbr_env, sim_admin)
    assert offboard["changed"] is True and offboard["user"] is None
    assert sim_admin.user("TECH\\new.user") is None


def test_service_account_mode_changes_alone(vbr_env, sim_admin):
    first, _second = run_twice({"name": "TECH\\william.fox", "is_service_account": True}, vbr_env, sim_admin)
    assert first["changed"] and first["user"]["is_service_account"] is True
    assert first["user"]["roles"] == ["Restore Operator"]  # roles not given: left as they were


@pytest.mark.parametrize("args", [
    {"name": "TECH\\jane.doe", "roles": ["Restore Operator"]},
    {"name": "TECH\\william.fox", "roles": ["Backup Viewer", "Restore Operator"]},
    {"name": "TECH\\william.fox", "state": "absent"},
    {"name": "TECH\\william.fox", "roles": ["Restore Operator"]},
])
def test_check_mode_predicts_the_real_run_and_writes_nothing(args, vbr_env, sim_admin):
    checked = run_module("vbr_user", args, env=vbr_env, check_mode=True, diff=True)
    assert writes(sim_admin) == 0
    state_after_check = sim_admin.state()["users"]
    real = run_module("vbr_user", args, env=vbr_env, diff=True)
    assert checked["changed"] == real["changed"]
    assert checked["diff"] == real["diff"] or _same_but_ids(checked["diff"], real["diff"])
    if not real["changed"]:
        assert sim_admin.state()["users"] == state_after_check


def _same_but_ids(left, right):
    """Check mode cannot know a new account's id, nor its per-user MFA state (1.3-rev2): the server decides both."""
    def strip(record, predicted):
        if not record:
            return record
        record = dict(record, id=None)
        if "mfa_enabled" not in (predicted or {}):
            record.pop("mfa_enabled", None)
        return record
    return all(strip(left[key], left[key]) == strip(right[key], left[key]) for key in ("before", "after"))


def test_diff_shows_before_and_after(vbr_env):
    result = run_module("vbr_user", {"name": "TECH\\william.fox", "roles": ["Backup Viewer"]}, env=vbr_env, diff=True)
    assert result["diff"]["before"]["roles"] == ["Restore Operator"]
    assert result["diff"]["after"]["roles"] == ["Backup Viewer"]


def test_bulk_500_users_costs_the_minimum(vbr_env, sim_admin):
    sim_admin.add_directory(domains=["BULK"])
    existing = [{"name": "BULK\\user%03d" % n, "roles": ["Veeam Restore Operator"]} for n in range(0, 500, 5)]
    sim_admin.add_users(existing)  # 100 of the 500 already exist with the right role
    sim_admin.reset_stats()
    users = [{"name": "BULK\\user%03d" % n, "roles": ["Restore Operator"]} for n in range(500)]
    result = run_module("vbr_user", {"users": users}, env=vbr_env)
    assert not result.failed, result.get("msg")
    total_users = len(sim_admin.state()["users"]) - 400  # users on the server when the task read them
    stats = sim_admin.stats()["by_route"]
    assert stats["POST /api/oauth2/token"] == 1
    assert stats["GET /api/v1/security/users"] == math.ceil(total_users / 200.0)
    assert stats["GET /api/v1/security/roles"] == 1
    assert stats["POST /api/v1/security/users"] == 400
    assert writes(sim_admin) == 400
    assert sum(1 for entry in result["users"] if entry["changed"]) == 400
    sim_admin.reset_stats()
    again = run_module("vbr_user", {"users": users}, env=vbr_env)
    assert again["changed"] is False and writes(sim_admin) == 0


def test_bulk_mixed_states_and_diff(vbr_env, sim_admin):
    users = [{"name": "TECH\\john.smith", "roles": ["Backup Operator", "Restore Operator"]},
             {"name": "TECH\\william.fox", "state": "absent"},
             {"name": "TECH\\michael.wells", "roles": ["Security Administrator"]}]
    result = run_module("vbr_user", {"users": users}, env=vbr_env, diff=True)
    assert [entry["changed"] for entry in result["users"]] == [True, True, False]
    assert result["diff"]["before"] == {"TECH\\john.smith": None,
                                        "TECH\\william.fox": result["users"][1]["before"]}
    assert result["users"][0]["after"]["roles"] == ["Backup Operator", "Restore Operator"]


def test_exclusive_removes_the_unlisted_but_keeps_guards(vbr_env, sim_admin):
    listed = [{"name": "TECH\\svc.ansible", "roles": ["Backup Administrator"]},
              {"name": "BUILTIN\\Administrators", "roles": ["Backup Administrator"]},
              {"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}]
    checked = run_module("vbr_user", {"users": listed, "exclusive": True}, env=vbr_env, check_mode=True)
    removed = sorted(entry["name"] for entry in checked["users"] if entry.get("reason"))
    assert removed == ["TECH\\michael.wells", "TECH\\sheila.d.cory", "TECH\\william.fox"]
    result = run_module("vbr_user", {"users": listed, "exclusive": True}, env=vbr_env)
    assert sorted(user["name"] for user in sim_admin.state()["users"]) == [
        "BUILTIN\\Administrators", "TECH\\jane.doe", "TECH\\svc.ansible"]
    assert result["changed"]


def test_exclusive_keep_leaves_kept_accounts_alone(vbr_env, sim_admin):
    """keep: the automation account (in its other spelling) and BUILTIN\\Administrators stay, exactly as they are,
    without being listed; TECH\\Administrators-like look-alikes are not kept; the result lists what was kept."""
    listed = [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}]
    keep = ["svc.ansible@tech.local", "BUILTIN\\Administrators", "TECH\\sheila.d.cory"]
    checked = run_module("vbr_user", {"users": listed, "exclusive": True, "keep": keep}, env=vbr_env, check_mode=True)
    assert not checked.failed, checked.get("msg")
    assert sorted(entry["name"] for entry in checked["users"] if entry.get("reason")) == [
        "TECH\\michael.wells", "TECH\\william.fox"]
    assert [user["name"] for user in checked["kept"]] == ["BUILTIN\\Administrators", "TECH\\sheila.d.cory",
                                                          "TECH\\svc.ansible"]
    assert writes(sim_admin) == 0
    result = run_module("vbr_user", {"users": listed, "exclusive": True, "keep": keep}, env=vbr_env)
    assert not result.failed and result["changed"]
    assert sorted(user["name"] for user in sim_admin.state()["users"]) == [
        "BUILTIN\\Administrators", "TECH\\jane.doe", "TECH\\sheila.d.cory", "TECH\\svc.ansible"]
    kept = dict((user["name"], user["roles"]) for user in result["kept"])
    assert kept["TECH\\sheila.d.cory"] == ["Backup Administrator"]
    sim_admin.reset_stats()
    again = run_module("vbr_user", {"users": listed, "exclusive": True, "keep": keep}, env=vbr_env)
    assert again["changed"] is False and writes(sim_admin) == 0


@pytest.mark.parametrize("args, fragment", [
    ({"users": [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}], "keep": ["TECH\\sheila.d.cory"]},
     "keep only applies with exclusive: true"),
    ({"users": [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}], "exclusive": True,
      "keep": ["jane.doe@tech.local"]}, "an account is either managed (listed in users) or kept"),
    ({"users": [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}], "exclusive": True, "keep": [" "]},
     "keep holds an empty entry"),
])
def test_keep_bad_input_writes_nothing(args, fragment, vbr_env, sim_admin):
    result = run_module("vbr_user", args, env=vbr_env)
    assert result.failed and fragment in result["msg"], result["msg"]
    assert writes(sim_admin) == 0


@pytest.mark.parametrize("args, fragments", [
    ({"name": "TECH\\jane.doe", "roles": ["Restore Operater"]},
     ["Unknown VBR role 'Restore Operater'", "Restore Operator"]),
    ({"name": "TECH\\jane.doe", "roles": ["Restore Operator"], "type": "LocalUser"},
     ["type", "InternalUser, InternalGroup, ExternalUser, ExternalGroup"]),
    ({"name": "TECH\\jane.doe", "users": [{"name": "TECH\\bob.smith", "roles": ["Restore Operator"]}]},
     ["mutually exclusive", "name", "users"]),
    ({"name": "TECH\\nobody.at.all", "roles": ["Restore Operator"]}, ["not found in Active Directory"]),
    ({"name": "TECH\\jane.doe"}, ["without roles"]),
    ({"name": "TECH\\jane.doe", "roles": []}, ["roles of TECH\\jane.doe is an empty list"]),
    ({"name": "TECH\\william.fox", "type": "InternalGroup"}, ["cannot change the type", "state: absent"]),
    ({"users": [{"name": "TECH\\a.b", "roles": ["Restore Operator"]}, {"name": "tech\\A.B", "state": "absent"}]},
     ["more than once"]),
    ({"users": [{"roles": ["Restore Operator"]}]}, ["name"]),
    ({"name": "TECH\\jane.doe", "roles": ["Restore Operator"], "exclusive": True}, ["exclusive"]),
])
def test_bad_input_is_explained_and_writes_nothing(args, fragments, vbr_env, sim_admin):
    result = run_module("vbr_user", args, env=vbr_env)
    assert result.failed
    for fragment in fragments:
        assert fragment in result["msg"], result["msg"]
    assert writes(sim_admin) == 0 or "Active Directory" in result["msg"]
    assert sim_admin.user("TECH\\jane.doe") is None


class TestLockoutGuards(object):
    def test_cannot_remove_the_connected_account(self, vbr_env, sim_admin):
        result = run_module("vbr_user", {"name": "TECH\\svc.ansible", "state": "absent"}, env=vbr_env)
        assert result.failed and "the account this task is connected as" in result["msg"]
        assert "allow_lockout" in result["msg"] and writes(sim_admin) == 0

    def test_cannot_demote_the_connected_account(self, vbr_env, sim_admin):
        result = run_module("vbr_user", {"name": "TECH\\svc.ansible", "roles": ["Backup Viewer"]}, env=vbr_env)
        assert result.failed and "Backup Administrator role away from TECH\\svc.ansible" in result["msg"]
        assert writes(sim_admin) == 0

    def test_cannot_leave_the_server_without_an_administrator(self, vbr_env, sim_admin, credentials):
        env = dict(vbr_env, VEEAM_VBR_USERNAME="TECH\\sheila.d.cory")
        everyone = [{"name": name, "state": "absent"} for name in
                    ("TECH\\svc.ansible", "BUILTIN\\Administrators")]
        everyone.append({"name": "TECH\\sheila.d.cory", "roles": ["Backup Viewer"]})
        result = run_module("vbr_user", {"users": everyone, "allow_lockout": False}, env=env)
        assert result.failed and "without any account that has the Backup Administrator role" in result["msg"]
        assert writes(sim_admin) == 0

    def test_allow_lockout_lets_it_through(self, vbr_env, sim_admin):
        result = run_module("vbr_user", {"name": "TECH\\svc.ansible", "state": "absent", "allow_lockout": True},
                            env=vbr_env)
        assert result["changed"] and sim_admin.user("TECH\\svc.ansible") is None

    def test_other_administrators_can_be_removed(self, vbr_env, sim_admin):
        result = run_module("vbr_user", {"name": "TECH\\sheila.d.cory", "state": "absent"}, env=vbr_env)
        assert result["changed"] and not result.failed


def test_create_answered_500_after_creating_is_not_duplicated(vbr_env, sim_admin):
    sim_admin.fault(method="POST", path="/api/v1/security/users", status=500, when="after")
    result = run_module("vbr_user", {"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}, env=vbr_env)
    assert not result.failed and result["changed"]
    assert sim_admin.count("POST /api/v1/security/users") == 1
    assert [user["name"] for user in sim_admin.state()["users"]].count("TECH\\jane.doe") == 1


# ------------------------------------------------------------------ the bulk form refuses the single form's options
@pytest.mark.parametrize("extra", [
    {"state": "absent"}, {"state": "present"}, {"type": "InternalGroup"}, {"roles": ["Restore Operator"]},
    {"is_service_account": True}, {"state": "absent", "roles": ["Restore Operator"]},
], ids=["state-absent", "state-present", "type", "roles", "is_service_account", "two-options"])
def test_users_refuses_the_options_of_the_single_form(extra, vbr_env, sim_admin):
    """A top-level state: absent next to users once kept the user and said changed=false; now it is refused."""
    args = dict({"users": [{"name": "TECH\\william.fox", "roles": ["Restore Operator"]}]}, **extra)
    result = run_module("vbr_user", args, env=vbr_env)
    assert result.failed
    for option in extra:
        assert option in result["msg"]
    assert "given next to users" in result["msg"] and "state: absent" in result["msg"]
    assert sim_admin.stats()["total"] == 0  # refused before connecting
    assert sim_admin.user("TECH\\william.fox") is not None


def test_users_refuses_a_state_from_module_defaults(vbr_env, sim_admin, tmp_path):
    playbook = tmp_path / "play.yml"
    playbook.write_text("""
- name: State from module_defaults
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    backupops.veeam.vbr_user:
      state: absent
  tasks:
    - name: Bulk
      backupops.veeam.vbr_user:
        users:
          - name: TECH\\\\william.fox
            roles: [Restore Operator]
""")
    run = run_playbook(str(playbook), env=vbr_env)
    result = run.task_results("Bulk")
    assert result["failed"] and "state given next to users" in result["msg"]
    assert sim_admin.stats()["total"] == 0 and sim_admin.user("TECH\\william.fox") is not None


def test_the_single_form_still_defaults_to_present(vbr_env, sim_admin):
    result = run_module("vbr_user", {"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}, env=vbr_env)
    assert not result.failed and result["changed"] and sim_admin.user("TECH\\jane.doe") is not None
    result = run_module("vbr_user", {"name": "TECH\\jane.doe", "state": "absent"}, env=vbr_env)
    assert not result.failed and result["changed"] and sim_admin.user("TECH\\jane.doe") is None
