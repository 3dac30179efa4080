"""Planning and lockout guards of module_utils/vbr_users.py (pure logic, no server)."""

import pytest

from ansible_collections.backupops.veeam.plugins.module_utils import vbr_users
from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError

ADMIN = {"id": "5ff0e0eb-45cf-48cc-9677-7613fc79bc11", "name": "Veeam Backup Administrator"}
RESTORE = {"id": "b167c3af-2262-4b6c-9861-0606fc0cb6b1", "name": "Veeam Restore Operator"}


def user(name, roles, service=False, user_type="InternalUser"):
    return {"id": name.lower(), "name": name, "type": user_type, "roles": roles, "isServiceAccount": service}


SVC = user("TECH\\svc.ansible", [ADMIN], service=True)
FOX = user("TECH\\william.fox", [RESTORE])


def test_create_needs_roles_and_defaults():
    plan = vbr_users.plan_user(None, {"name": "TECH\\jane"}, [RESTORE])
    assert plan.actions == [(vbr_users.CREATE, plan.after)]
    assert plan.after["type"] == "InternalUser" and plan.after["isServiceAccount"] is False
    with pytest.raises(VeeamError) as caught:
        vbr_users.plan_user(None, {"name": "TECH\\jane"}, None)
    assert "without roles" in str(caught.value)


def test_roles_compare_as_sets_of_ids():
    unchanged = vbr_users.plan_user(FOX, {"name": "tech\\WILLIAM.FOX"}, [dict(RESTORE, id=RESTORE["id"].upper())])
    assert not unchanged.changed
    changed = vbr_users.plan_user(FOX, {"name": "TECH\\william.fox"}, [RESTORE, ADMIN])
    assert [action for action, _target in changed.actions] == [vbr_users.SET_ROLES]


def test_service_mode_and_type():
    plan = vbr_users.plan_user(FOX, {"name": "TECH\\william.fox", "is_service_account": True}, None)
    assert [action for action, _target in plan.actions] == [vbr_users.SET_SERVICE]
    with pytest.raises(VeeamError) as caught:
        vbr_users.plan_user(FOX, {"name": "TECH\\william.fox", "type": "InternalGroup"}, None)
    assert "cannot change the type" in str(caught.value)


def test_absent():
    assert not vbr_users.plan_user(None, {"name": "x", "state": "absent"}, None).changed
    plan = vbr_users.plan_user(FOX, {"name": "TECH\\william.fox", "state": "absent"}, None)
    assert plan.actions == [(vbr_users.DELETE, FOX)] and plan.after is None


def test_exclusive_removals_are_case_insensitive():
    removals = vbr_users.plan_exclusive_removals([SVC, FOX], ["tech\\SVC.ANSIBLE"])
    assert [plan.name for plan in removals] == ["TECH\\william.fox"]


def test_guards():
    remove_self = vbr_users.plan_user(SVC, {"name": "TECH\\svc.ansible", "state": "absent"}, None)
    problems = vbr_users.lockout_problems([remove_self], [SVC, FOX], "tech\\svc.ansible", ADMIN["id"])
    assert any("connected as" in problem for problem in problems)
    assert any("without any user or group" in problem for problem in problems)
    demote_self = vbr_users.plan_user(SVC, {"name": "TECH\\svc.ansible"}, [RESTORE])
    assert "take Veeam Backup Administrator away" in vbr_users.lockout_problems(
        [demote_self], [SVC, FOX], "TECH\\svc.ansible", ADMIN["id"])[0]
    other_admin = user("TECH\\sheila", [ADMIN])
    remove_other = vbr_users.plan_user(other_admin, {"name": "TECH\\sheila", "state": "absent"}, None)
    assert vbr_users.lockout_problems([remove_other], [SVC, other_admin], "TECH\\svc.ansible", ADMIN["id"]) == []
    unknown = vbr_users.lockout_problems([remove_other], [SVC, other_admin], None, ADMIN["id"])
    assert "give username too" in unknown[0]
    add_fox = vbr_users.plan_user(None, {"name": "TECH\\new"}, [RESTORE])
    assert vbr_users.lockout_problems([add_fox], [], "TECH\\svc.ansible", ADMIN["id"]) == []


def test_final_accounts():
    promote = vbr_users.plan_user(FOX, {"name": "TECH\\william.fox"}, [ADMIN])
    final = vbr_users.final_accounts([promote], [SVC, FOX])
    assert sorted(account["name"] for account in final) == ["TECH\\svc.ansible", "TECH\\william.fox"]
    assert vbr_users.has_backup_administrator(final[1], ADMIN["id"])
