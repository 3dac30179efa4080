"""The access role's desired state (plugins/filter/access_state.py): every problem named by its entry, before anything
is sent, and what each bulk task gets."""

import pytest

from ansible_collections.backupops.veeam.plugins.filter.access_state import (
    access_em_task, access_problems, access_role_problems, access_unverified_roles, access_vbr_task, is_known_role)

GROUPS = {"all": ["vbr01", "vbr02", "vbr03"], "ungrouped": [], "veeam_vbr": ["vbr01", "vbr02", "vbr03"],
          "vbr_london": ["vbr02"], "vbr_paris": ["vbr03"]}
HOSTS = ["vbr01", "vbr02", "vbr03"]
JANE = {"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}
OPS = {"name": "TECH\\Backup Operators", "type": "group", "roles": ["Backup Operator", "Veeam Restore Operator"]}


def problems(access_vbr, access_em=None, keep=None):
    return access_problems(access_vbr, access_em, keep, GROUPS, HOSTS)


def test_a_valid_desired_state_has_no_problem():
    state = [{"group": "veeam_vbr", "accounts": [JANE, OPS]},
             {"group": "vbr_london", "accounts": [{"name": "TECH\\london.ops", "roles": ["Backup Viewer"]},
                                                  dict(JANE, roles=["veeam restore operator"])]},
             {"group": "all", "accounts": []}]
    em = [{"name": "TECH\\jane.doe", "roles": ["VM Restore Operator"], "allow_restore_all_vms": False,
           "restore_scope": [{"ref": "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-2041", "name": "ws"}]}]
    assert problems(state, em, ["BUILTIN\\Administrators", "TECH\\breakglass"]) == []


@pytest.mark.parametrize("state, fragment", [
    ([{"group": "vbr_lndon", "accounts": [JANE]}],
     "access_vbr[0].group vbr_lndon is not a group of the inventory (its groups: all, vbr_london, vbr_paris, veeam_vbr)"),
    ([{"accounts": [JANE]}], "access_vbr[0].group is missing"),
    ([{"group": "veeam_vbr"}], "access_vbr[0].accounts is missing"),
    ([{"group": "veeam_vbr", "accounts": [JANE], "hosts": ["vbr01"]}], "access_vbr[0] has the unknown key hosts"),
    ([{"group": "veeam_vbr", "accounts": [dict(JANE, role=["x"])]}],
     "access_vbr[0].accounts[0] has the unknown key role (valid keys: name, type, roles, service_account)"),
    ([{"group": "veeam_vbr", "accounts": [dict(JANE, roles=[])]}], "access_vbr[0].accounts[0] (TECH\\jane.doe).roles must be"),
    ([{"group": "veeam_vbr", "accounts": [dict(JANE, roles="Restore Operator")]}], ".roles must be a list"),
    ([{"group": "veeam_vbr", "accounts": [dict(JANE, roles=["Restore Operator", "Veeam Restore Operator"])]}],
     "access_vbr[0].accounts[0] (TECH\\jane.doe).roles names Veeam Restore Operator twice"),
    ([{"group": "veeam_vbr", "accounts": [dict(JANE, name="jane")]}], "access_vbr[0].accounts[0].name 'jane' is not a valid"),
    ([{"group": "veeam_vbr", "accounts": [dict(JANE, type="local")]}], "access_vbr[0].accounts[0].type 'local' is not one of"),
    ([{"group": "veeam_vbr", "accounts": [JANE, OPS, dict(JANE, name="tech\\JANE.DOE")]}],
     "access_vbr[0].accounts[2] lists tech\\JANE.DOE again (first at access_vbr[0].accounts[0])"),
    ([{"group": "veeam_vbr", "accounts": [JANE]}, {"group": "vbr_london", "accounts": [dict(JANE, roles=["Backup Viewer"])]}],
     "access_vbr[1].accounts[0] gives TECH\\jane.doe roles Backup Viewer on vbr02, but access_vbr[0].accounts[0] gives it "
     "roles Restore Operator"),
    ("not a list", "access_vbr must be a list"),
    (["veeam_vbr"], "access_vbr[0] must be a dictionary with group and accounts"),
])
def test_each_problem_names_its_entry(state, fragment):
    found = problems(state)
    assert any(fragment in problem for problem in found), found


def test_the_same_account_in_groups_without_a_common_server_is_fine():
    state = [{"group": "vbr_london", "accounts": [JANE]}, {"group": "vbr_paris", "accounts": [dict(JANE, roles=["Backup Viewer"])]}]
    assert problems(state) == []


def test_keep_and_listed_clash_in_any_spelling():
    state = [{"group": "veeam_vbr", "accounts": [JANE]}]
    found = problems(state, [{"name": "TECH\\bob.smith", "roles": ["Portal User"]}], ["jane.doe@tech.local", "TECH\\bob.smith", " "])
    assert any("access_keep[0] (jane.doe@tech.local) is listed in access_vbr[0].accounts[0] too" in p for p in found)
    assert any("access_keep[1] (TECH\\bob.smith) is listed in access_em[0] too" in p for p in found)
    assert any("access_keep[2] is empty" in p for p in found)


@pytest.mark.parametrize("account, fragment", [
    ({"name": "TECH\\jane.doe", "roles": ["Portal User"], "restore_scope": [{"ref": "vm-1", "name": "x"}]},
     "access_em[0] (TECH\\jane.doe): restore_scope ref 'vm-1' is not a hierarchy reference"),
    ({"name": "TECH\\jane.doe", "roles": ["Portal User"], "allow_restore_all_vms": False, "restore_scope": []},
     "allow_restore_all_vms is false but restore_scope is empty"),
    ({"name": "TECH\\jane.doe", "roles": ["Portal User"], "restore_scope": [{"name": "x"}]},
     "access_em[0].restore_scope[0] must be a dictionary with ref and name"),
    ({"name": "TECH\\jane.doe", "roles": ["Portal User"], "flr_settings": {"inplace": True}},
     "access_em[0].flr_settings must be a dictionary with inplace_only and extensions"),
    ({"name": "jane@tech.local", "type": "group", "roles": ["Portal User"]}, "access_em[0].name 'jane@tech.local'"),
    ({"name": "TECH\\jane.doe", "roles": ["Portal User", "portal user"]}, "roles names portal user twice"),
])
def test_enterprise_manager_problems_name_the_entry(account, fragment):
    found = problems([], [account])
    assert any(fragment in problem for problem in found), found


def test_known_roles_offline():
    assert is_known_role("Veeam Backup Viewer", "vbr") and is_known_role("tape operator", "vbr")
    assert is_known_role("5ff0e0eb-45cf-48cc-9677-7613fc79bc11", "vbr")
    assert not is_known_role("Restor Operator", "vbr") and not is_known_role("Cloud Auditors", "vbr")
    assert is_known_role("file restore operator", "em")
    assert is_known_role("urn:veeam:EnterpriseRole:5f37a46b-9ce2-40f4-8a62-b45b079257fc", "em")
    assert not is_known_role("Restore Operator", "em")  # the web UI's name, not a REST role


def test_unverified_roles_are_read_only_when_needed():
    state = [{"group": "veeam_vbr", "accounts": [JANE, dict(OPS, roles=["Cloud Auditors"])]}]
    assert access_unverified_roles(state, None) == {"vbr": ["Cloud Auditors"], "em": []}
    assert access_unverified_roles([{"group": "veeam_vbr", "accounts": [JANE]}],
                                   [{"name": "TECH\\x", "roles": ["Restore Operator"]}]) == {"vbr": [], "em": ["Restore Operator"]}


def test_role_problems_name_the_servers_that_lack_the_role():
    state = [{"group": "veeam_vbr", "accounts": [dict(JANE, roles=["Cloud Auditors"])]},
             {"group": "vbr_paris", "accounts": [dict(OPS, roles=["Paris Ops"])]}]
    custom = {"id": "c0ffee00-0000-4000-8000-000000000001", "name": "Cloud Auditors"}
    roles = {"vbr01": [custom], "vbr02": [{"id": "x", "name": "Restore Operator"}], "vbr03": [custom]}
    found = access_role_problems(state, roles, None, None, GROUPS)
    assert found[0] == ("access_vbr[0].accounts[0] (TECH\\jane.doe): role 'Cloud Auditors' is not a role of vbr02 "
                        "(its roles: Restore Operator)")
    assert "access_vbr[1].accounts[0] (TECH\\Backup Operators): role 'Paris Ops' is not a role of vbr03" in found[1]
    em = access_role_problems([], {}, [{"name": "Portal User", "uid": "urn:veeam:EnterpriseRole:1", "id": "1"}],
                              [{"name": "TECH\\x", "roles": ["Auditor"]}], GROUPS)
    assert em == ["access_em[0] (TECH\\x): role 'Auditor' is not an Enterprise Manager role (its roles: Portal User)"]


def test_vbr_task_merges_the_groups_of_a_host_and_keeps_the_login():
    state = [{"group": "veeam_vbr", "accounts": [JANE, dict(OPS, service_account=False)]},
             {"group": "vbr_london", "accounts": [{"name": "TECH\\london.ops", "roles": ["Backup Viewer"]},
                                                  dict(JANE, name="tech\\JANE.DOE")]}]
    task = access_vbr_task(state, ["veeam_vbr", "vbr_london"], ["BUILTIN\\Administrators"], "TECH\\svc.ansible")
    assert task["managed"] is True
    assert [user["name"] for user in task["users"]] == ["TECH\\jane.doe", "TECH\\Backup Operators", "TECH\\london.ops"]
    assert task["users"][1] == {"name": "TECH\\Backup Operators", "type": "InternalGroup",
                                "roles": ["Backup Operator", "Veeam Restore Operator"], "is_service_account": False}
    assert task["users"][0] == {"name": "TECH\\jane.doe", "type": "InternalUser", "roles": ["Restore Operator"]}
    assert task["keep"] == ["BUILTIN\\Administrators", "TECH\\svc.ansible"]


def test_vbr_task_of_a_host_no_entry_names():
    task = access_vbr_task([{"group": "vbr_paris", "accounts": [JANE]}], ["veeam_vbr"], [], "TECH\\svc.ansible")
    assert task == {"managed": False, "users": [], "keep": ["TECH\\svc.ansible"]}


def test_the_login_is_not_kept_when_listed():
    state = [{"group": "all", "accounts": [{"name": "TECH\\svc.ansible", "roles": ["Backup Administrator"]}]}]
    assert access_vbr_task(state, [], [], "svc.ansible@tech.local")["keep"] == []
    assert access_vbr_task(state, [], ["TECH\\x"], None)["keep"] == ["TECH\\x"]


def test_em_task():
    assert access_em_task(None, ["TECH\\x"], "TECH\\svc.ansible")["managed"] is False
    task = access_em_task([{"name": "TECH\\Ops", "type": "group", "roles": ["Portal User"], "restore_scope": None}],
                          ["BUILTIN\\Administrators"], "TECH\\svc.ansible", recreate=True)
    assert task == {"managed": True, "accounts": [{"name": "TECH\\Ops", "type": "Group", "roles": ["Portal User"],
                                                   "recreate": True}],
                    "keep": ["BUILTIN\\Administrators", "TECH\\svc.ansible"]}
