"""Role matching and result shaping of the VBR client (pure logic)."""

import pytest

from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.vbr_client import (
    BUILT_IN_ROLE_IDS, built_in_name_clash, find_role, is_built_in, is_uuid, mixed_roles_problem, role_result,
    user_result)

ROLES = [
    {"id": "5ff0e0eb-45cf-48cc-9677-7613fc79bc11", "name": "Veeam Backup Administrator"},
    {"id": "b167c3af-2262-4b6c-9861-0606fc0cb6b1", "name": "Veeam Restore Operator"},
    {"id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "name": "Restore Operator", "isBuiltIn": False},
]


def test_role_by_id_is_case_insensitive():
    assert find_role(ROLES, "5FF0E0EB-45CF-48CC-9677-7613FC79BC11")["name"] == "Veeam Backup Administrator"


def test_a_name_that_matches_two_roles_is_an_error_listing_both():
    for reference in ("restore operator", "Veeam Restore Operator"):
        with pytest.raises(VeeamError) as caught:
            find_role(ROLES, reference, "https://vbr01:9419")
        text = str(caught.value)
        assert caught.value.error_code == "invalid_input" and "ambiguous" in text and "vbr01" in text
        assert "Veeam Restore Operator (built-in, id b167c3af-2262-4b6c-9861-0606fc0cb6b1)" in text
        assert "Restore Operator (custom, id a1b2c3d4-e5f6-7890-abcd-ef1234567890)" in text
    assert find_role(ROLES, "b167c3af-2262-4b6c-9861-0606fc0cb6b1")["name"] == "Veeam Restore Operator"


def test_names_match_with_and_without_the_prefix_in_both_directions():
    plain = [{"id": "5ff0e0eb-45cf-48cc-9677-7613fc79bc11", "name": "Backup Administrator", "isBuiltIn": True},
             {"id": "b167c3af-2262-4b6c-9861-0606fc0cb6b1", "name": "Restore Operator", "isBuiltIn": True}]
    assert find_role(plain, "Veeam Restore Operator")["id"] == "b167c3af-2262-4b6c-9861-0606fc0cb6b1"
    assert find_role(plain, "veeam  backup administrator")["name"] == "Backup Administrator"
    assert find_role(ROLES[:2], "Restore Operator")["name"] == "Veeam Restore Operator"
    assert find_role(plain, "Veeam Veeam Restore Operator") is None


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


def test_built_in_roles_are_known_by_the_ids_both_specs_show():
    assert set(BUILT_IN_ROLE_IDS) == {"5ff0e0eb-45cf-48cc-9677-7613fc79bc11", "b167c3af-2262-4b6c-9861-0606fc0cb6b1",
                                      "3835e9df-cf3e-43e9-8e82-817798b1aee0", "e71bb27e-bd16-47b6-8b1c-98ef2d7a996e"}
    assert is_built_in(ROLES[0]) is True  # 1.3-rev1 says nothing, the id does
    assert is_built_in(ROLES[2]) is False
    assert is_built_in({"id": "8c1d6b7e-2f5a-4e0b-9a1c-3d2e4f5a6b70", "name": "Veeam Backup Operator"}) is None


def test_built_in_and_custom_roles_together_are_a_problem():
    problem = mixed_roles_problem("TECH\\jane.doe", [ROLES[1], ROLES[2]])
    assert "built-in role Veeam Restore Operator together with the custom role Restore Operator" in problem
    assert "TECH\\jane.doe" in problem
    assert mixed_roles_problem("TECH\\jane.doe", ROLES[:2]) is None
    assert mixed_roles_problem("TECH\\jane.doe", [ROLES[2]]) is None


def test_custom_role_names_must_not_be_built_in_names_of_either_build():
    plain = [{"id": "b167c3af-2262-4b6c-9861-0606fc0cb6b1", "name": "Restore Operator", "isBuiltIn": True}]
    assert built_in_name_clash("Veeam Restore Operator", plain) == "Restore Operator"
    assert built_in_name_clash("restore operator", ROLES[:2]) == "Veeam Restore Operator"
    assert built_in_name_clash("Veeam Tape Operator", plain) == "Tape Operator"  # documented, not on this server
    assert built_in_name_clash("Help Desk Restore", plain) is None
