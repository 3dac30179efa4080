"""Readings of Veeam's answers that the documents leave open (issue 11), as pure logic: API version lists,
four-eyes answers, custom role comparison, Enterprise Manager list keys, restore scope roots and task states."""

import pytest

from ansible_collections.backupops.veeam.plugins.module_utils import em_accounts
from ansible_collections.backupops.veeam.plugins.module_utils.em_client import list_member, task_finished
from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.vbr_client import (
    FOUR_EYES_PENDING, FOUR_EYES_REFUSED, four_eyes_kind, offered_versions)
from ansible_collections.backupops.veeam.plugins.module_utils.vbr_custom_roles import same_role


def test_offered_versions_from_the_unsupported_version_answer():
    message = "Unsupported RESTAPI version. The following versions are supported: 1.3-rev1, 1.3-rev2."
    assert offered_versions(message) == ["1.3-rev1", "1.3-rev2"]
    assert offered_versions("Unsupported RESTAPI version.") is None
    assert offered_versions(None) is None


@pytest.mark.parametrize("status, method, message, kind", [
    (403, "POST", "The operation requires four-eyes authorization. Request 1 is pending approval.", FOUR_EYES_PENDING),
    (400, "PUT", "This change must be approved by another administrator", FOUR_EYES_PENDING),
    (403, "DELETE", "Four-eyes authorization is enabled: deleting users is not available.", FOUR_EYES_REFUSED),
    (403, "DELETE", "Request 7 was sent for approval", FOUR_EYES_PENDING),
    (409, "POST", "Four-eyes authorization is enabled", FOUR_EYES_REFUSED),
    (403, "POST", "Access denied. The operation requires the Backup Administrator role.", None),
    (401, "POST", "approval needed", None),
    (None, "POST", "four-eyes", None),
])
def test_four_eyes_answers_are_recognised_by_their_words(status, method, message, kind):
    error = VeeamError("x", status=status, method=method, path="/api/v1/security/users", message=message)
    assert four_eyes_kind(error) == kind


ROLE = {"id": "r1", "name": "Help Desk", "description": "", "manageBackups": False, "manageRestores": True,
        "repositoryScope": {"allRepositories": True},
        "inventoryScope": {"entireInventory": False, "workloads": [
            {"type": "VSphere", "inventoryObjects": [{"name": "a", "type": "VirtualMachine", "hostName": "vc"},
                                                     {"name": "b", "type": "VirtualMachine", "hostName": "vc"}]},
            {"type": "Jobs", "jobs": [{"jobId": "j1"}]}]},
        "restorePermissionsScope": {"restoreBackupScope": {"entireBackupScope": True},
                                    "restoreOptions": {"allOptions": False, "restoreOptions": [
                                        {"code": 0, "name": "FileLevelRestore"}, {"code": 2, "name": "EntireVmRestore"}]}}}


def _server_answer():
    answer = {"id": "r1", "name": "Help Desk", "manageBackups": False, "manageRestores": True,
              "repositoryScope": {"allRepositories": True, "repositories": []},
              "inventoryScope": {"entireInventory": False, "workloads": [
                  {"type": "Jobs", "jobs": [{"jobId": "j1", "jobName": "Daily"}]},
                  {"type": "VSphere", "inventoryObjects": [{"name": "b", "type": "VirtualMachine", "hostName": "vc"},
                                                           {"name": "a", "type": "VirtualMachine", "hostName": "vc"}]}]},
              "restorePermissionsScope": {"restoreBackupScope": {"entireBackupScope": True, "backupSources": []},
                                          "restoreOptions": {"allOptions": False, "restoreOptions": [
                                              {"code": 2, "name": "EntireVmRestore", "group": "Restore"},
                                              {"code": 0, "name": "FileLevelRestore", "group": "Restore"}]}},
              "restoreTargetScope": {"entireBackupScope": True}}
    return answer


def test_custom_role_compares_with_the_server_answer_normalised():
    assert same_role(ROLE, _server_answer())
    assert same_role(ROLE, dict(_server_answer(), description=None))


@pytest.mark.parametrize("change", [
    {"description": "restores only"},
    {"manageBackups": True},
    {"repositoryScope": {"allRepositories": False, "repositories": [{"repositoryId": "x"}]}},
    {"inventoryScope": {"entireInventory": False, "workloads": [{"type": "Jobs", "jobs": [{"jobId": "j1"}]}]}},
    {"name": "Help Desk 2"},
])
def test_custom_role_differences_still_count(change):
    assert not same_role(dict(ROLE, **change), _server_answer())


def test_em_lists_are_read_under_documented_or_single_list_keys():
    item = {"RoleName": "Portal User"}
    for answer in ({"EnterpriseAccountInRoles": [item]}, {"EnterpriseAccountInRole": [item]},
                   {"EnterpriseAccountInRole": item}, {"Roles": [item], "Links": []}, [item]):
        assert list_member(answer, ("EnterpriseAccountInRoles", "EnterpriseAccountInRole"), "GET /x", "em") == [item]
    assert list_member({"EnterpriseAccountHierarchyScopes": None}, ("EnterpriseAccountHierarchyScopes",),
                       "GET /x", "em") == []


@pytest.mark.parametrize("answer, found", [
    ({}, "the keys found are: none"),
    ({"Links": [], "Href": "x"}, "the keys found are: Href, Links"),
    ({"A": [], "B": []}, "the keys found are: A, B"),
    (None, "a JSON null"),
])
def test_em_list_of_unknown_shape_is_an_error_never_empty(answer, found):
    with pytest.raises(VeeamError) as caught:
        list_member(answer, ("EnterpriseAccountInRoles",), "GET /api/security/accounts/1/roles", "https://em")
    assert caught.value.error_code == "unexpected_response"
    assert found in str(caught.value) and "EnterpriseAccountInRoles" in str(caught.value)


def test_task_states_finished_and_operation_finished_both_mean_done():
    assert task_finished({"State": "Finished"}) and task_finished({"State": "OperationFinished"})
    assert not task_finished({"State": "Running"})


ROOT = "7f6b6270-1f3b-4dc6-872f-2d1dfc519c00"


def _listed(root, name="web-srv-01", scope_id="s1"):
    return {"name": name, "platform": "VMware", "object_type": "Vm", "root": root, "scope_id": scope_id}


@pytest.mark.parametrize("root", [ROOT, "vcenter-7f6b6270.tech.local"])
def test_restore_scope_matches_whether_the_root_is_an_id_or_a_host_name(root):
    params = {"restore_scope": [{"ref": "urn:VMware:Vm:%s.vm-1" % ROOT, "name": "web-srv-01"}]}
    view = {"roles": [], "role_ids": {}, "allow_restore_all_vms": False, "restore_scope": [_listed(root)]}
    assert em_accounts.plan_update(view, params, None) == []


def test_restore_scope_with_another_root_id_is_another_object():
    params = {"restore_scope": [{"ref": "urn:VMware:Vm:%s.vm-1" % ROOT, "name": "web-srv-01"}]}
    other = "11111111-2222-3333-4444-555555555555"
    view = {"roles": [], "role_ids": {}, "allow_restore_all_vms": False, "restore_scope": [_listed(other)]}
    steps = em_accounts.plan_update(view, params, None)
    assert [step for step, _payload in steps] == [em_accounts.ADD_SCOPES, em_accounts.REMOVE_SCOPE]


def test_two_objects_of_one_name_under_host_names_pair_one_to_one():
    other = "11111111-2222-3333-4444-555555555555"
    params = {"restore_scope": [{"ref": "urn:VMware:Vm:%s.vm-1" % ROOT, "name": "db"},
                                {"ref": "urn:VMware:Vm:%s.vm-9" % other, "name": "db"}]}
    view = {"roles": [], "role_ids": {}, "allow_restore_all_vms": False,
            "restore_scope": [_listed("vc-a.tech.local", "db", "s1"), _listed("vc-b.tech.local", "db", "s2")]}
    assert em_accounts.plan_update(view, params, None) == []
