"""Account name checks shared by vbr_user and em_account (pure logic)."""

import pytest

from ansible_collections.backupops.veeam.plugins.module_utils.account_names import name_problem

USER_FORMS = ("down_level", "upn")


@pytest.mark.parametrize("name", ["TECH\\jane.doe", "jane.doe@tech.local", "TECH\\Restore Operators",
                                  "VBR01\\Administrator", "TECH\\jäne.dœ", "TECH\\李小龍", "TECH\\" + "a" * 256])
def test_valid_user_names(name):
    assert name_problem(name, USER_FORMS) is None


@pytest.mark.parametrize("name, fragment", [
    ("jane.doe", "use DOMAIN\\name (for example TECH\\jane.doe) or a user principal name"),
    ("", "it is empty"),
    ("   ", "it is empty"),
    (" TECH\\jane", "starts or ends with a space"),
    ("TECH\\jane\t", "starts or ends with a space"),
    ("TECH\\ja\tne", "control character"),
    ("TECH\\jane\\doe", "use DOMAIN\\name"),
    ("TECH\\jane*", "cannot hold *"),
    ("TECH\\a[b]", "cannot hold [ ]"),
    ("TECH\\" + "a" * 257, "257 characters long"),
    ("j" * 1030 + "@tech.local", "at most 1024"),
    ("jane@doe@tech.local", "use DOMAIN\\name"),
])
def test_invalid_user_names(name, fragment):
    problem = name_problem(name, USER_FORMS)
    assert problem is not None and fragment in problem, problem
    assert problem.startswith("name '")


def test_option_and_what_are_named_and_long_names_are_cut():
    problem = name_problem("TECH\\" + "x" * 300, ("down_level",), option="users[7].name", what="VBR InternalGroup")
    assert problem.startswith("users[7].name 'TECH\\xxxx") and "... (305 characters)" in problem
    assert "not a valid VBR InternalGroup name" in problem


def test_forms_per_type():
    assert name_problem("TECH\\jane", ("upn",)) is not None
    assert name_problem("ops@tech.local", ("down_level",)) is not None
    assert name_problem("Any Entra group", ("any",)) is None
