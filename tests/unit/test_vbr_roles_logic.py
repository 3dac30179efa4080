"""Role matching and result shaping of the VBR client (pure logic)."""

from ansible_collections.backupops.veeam.plugins.module_utils.vbr_client import (
    find_role, is_uuid, role_result, user_result)

ROLES = [
    {"id": "5ff0e0eb-45cf-48cc-9677-7613fc79bc11", "name": "Veeam Backup Administrator"},
    {"id": "b167c3af-2262-4b6c-9861-0606fc0cb6b1", "name": "Veeam Restore Operator"},
    {"id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "name": "Restore Operator", "isBuiltIn": False},
]


def test_role_by_id_is_case_insensitive():
    assert find_role(ROLES, "5FF0E0EB-45CF-48CC-9677-7613FC79BC11")["name"] == "Veeam Backup Administrator"


def test_role_by_exact_name_wins_over_the_prefix_alias():
    assert find_role(ROLES, "restore operator")["id"] == "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
    assert find_role(ROLES, "Veeam Restore Operator")["id"] == "b167c3af-2262-4b6c-9861-0606fc0cb6b1"


def test_role_name_without_veeam_prefix():
    assert find_role(ROLES, "backup administrator")["name"] == "Veeam Backup Administrator"


def test_unknown_role():
    assert find_role(ROLES, "Tape Wizard") is None
    assert find_role(ROLES, "00000000-0000-0000-0000-000000000000") is None
    assert find_role(ROLES, "") is None


def test_is_uuid():
    assert is_uuid("b167c3af-2262-4b6c-9861-0606fc0cb6b1")
    assert not is_uuid("b167c3af")
    assert not is_uuid(None)


def test_role_result_keys():
    assert role_result(ROLES[2], ["B", "A"]) == {
        "id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "name": "Restore Operator", "description": None,
        "is_built_in": False, "permissions": ["A", "B"]}
    assert "is_built_in" not in role_result(ROLES[0])


def test_user_result_sorts_role_names():
    user = {"id": "1", "name": "TECH\\jane", "type": "InternalUser", "isServiceAccount": False,
            "roles": [{"name": "Veeam Restore Operator"}, {"name": "Veeam Backup Viewer"}], "mfaEnabled": True}
    assert user_result(user) == {"id": "1", "name": "TECH\\jane", "type": "InternalUser",
                                 "roles": ["Veeam Backup Viewer", "Veeam Restore Operator"],
                                 "is_service_account": False, "mfa_enabled": True}
