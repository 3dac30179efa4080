"""Planning and lockout guards of module_utils/vbr_users.py (pure logic, no server)."""

import pytest

from ansible_collections.backupops.veeam.plugins.module_utils import lockout, vbr_users
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


def refusal_sentences(plans, current, login, protected=()):
    changes = vbr_users.access_changes(plans, ADMIN["id"], lambda: True)

    def admin_left():
        return any(vbr_users.has_backup_administrator(account, ADMIN["id"])
                   for account in vbr_users.final_accounts(plans, current))

    protection = lockout.Protection(login, list(protected))
    return [refusal.sentence for refusal in lockout.refusals(changes, protection, ADMIN["name"], "VBR server",
                                                             admin_left)]


def test_guards():
    remove_self = vbr_users.plan_user(SVC, {"name": "TECH\\svc.ansible", "state": "absent"}, None)
    problems = refusal_sentences([remove_self], [SVC, FOX], "tech\\svc.ansible")
    assert any("connected as" in problem for problem in problems)
    assert any("without any account that has" in problem for problem in problems)
    demote_self = vbr_users.plan_user(SVC, {"name": "TECH\\svc.ansible"}, [RESTORE])
    assert "take the Veeam Backup Administrator role away" in refusal_sentences(
        [demote_self], [SVC, FOX], "TECH\\svc.ansible")[0]
    other_admin = user("TECH\\sheila", [ADMIN])
    remove_other = vbr_users.plan_user(other_admin, {"name": "TECH\\sheila", "state": "absent"}, None)
    assert refusal_sentences([remove_other], [SVC, other_admin], "TECH\\svc.ansible") == []
    unknown = refusal_sentences([remove_other], [SVC, other_admin], None)
    assert "give username too" in unknown[0]
    add_fox = vbr_users.plan_user(None, {"name": "TECH\\new"}, [RESTORE])
    assert refusal_sentences([add_fox], [], "TECH\\svc.ansible") == []


@pytest.mark.parametrize("login", ["svc.ansible@tech.local", "TECH\\SVC.Ansible", "svc.ansible", "OTHER\\svc.ansible"])
def test_the_connected_account_is_known_in_every_spelling(login):
    remove_self = vbr_users.plan_user(SVC, {"name": "TECH\\svc.ansible", "state": "absent"}, None)
    assert any("connected as (%s)" % login in problem for problem in refusal_sentences([remove_self], [SVC, FOX], login))


def test_protected_accounts_keep_their_access():
    breakglass = user("TECH\\breakglass", [ADMIN])
    remove = vbr_users.plan_user(breakglass, {"name": "TECH\\breakglass", "state": "absent"}, None)
    problems = refusal_sentences([remove], [SVC, breakglass], "TECH\\svc.ansible", ["breakglass@tech.local"])
    assert problems == ["it would remove TECH\\breakglass, an account listed in protected_accounts "
                        "(breakglass@tech.local)"]


def test_service_mode_off_for_the_connected_account_under_mfa():
    plan = vbr_users.plan_user(SVC, {"name": "TECH\\svc.ansible", "is_service_account": False}, None)
    problems = refusal_sentences([plan], [SVC], "svc.ansible@tech.local")
    assert len(problems) == 1 and "service-account mode off" in problems[0] and "could no longer log in" in problems[0]
    changes = vbr_users.access_changes([plan], ADMIN["id"], lambda: False)
    assert lockout.refusals(changes, lockout.Protection("TECH\\svc.ansible"), ADMIN["name"], "VBR server",
                            lambda: True) == []


def test_role_intents_apply_to_what_the_account_has_now():
    add = vbr_users.RoleIntent("add", [ADMIN])
    assert [role["id"] for role in add.apply([RESTORE], "x")] == [RESTORE["id"], ADMIN["id"]]
    assert add.holds([ADMIN, RESTORE], "x") and not add.holds([RESTORE], "x")
    remove = vbr_users.RoleIntent("remove", [RESTORE])
    assert remove.apply([RESTORE, ADMIN], "x") == [ADMIN]
    with pytest.raises(VeeamError) as caught:
        remove.apply([RESTORE], "TECH\\x")
    assert "without any role" in str(caught.value)
    exact = vbr_users.RoleIntent("exact", [RESTORE])
    assert exact.holds([dict(RESTORE, id=RESTORE["id"].upper())], "x") and not exact.holds([RESTORE, ADMIN], "x")


def test_final_accounts():
    promote = vbr_users.plan_user(FOX, {"name": "TECH\\william.fox"}, [ADMIN])
    final = vbr_users.final_accounts([promote], [SVC, FOX])
    assert sorted(account["name"] for account in final) == ["TECH\\svc.ansible", "TECH\\william.fox"]
    assert vbr_users.has_backup_administrator(final[1], ADMIN["id"])
