"""exclusive with keep: which unlisted accounts a bulk task removes and which it leaves alone (pure logic)."""

import pytest

from ansible_collections.backupops.veeam.plugins.module_utils import account_names, lockout, vbr_users


@pytest.mark.parametrize("name, other", [
    ("TECH\\jane.doe", "tech\\JANE.DOE"),
    ("TECH\\svc.ansible", "svc.ansible@tech.local"),
    ("svc.ansible@TECH.example.com", "tech\\svc.ansible"),
    ("BUILTIN\\Administrators", "builtin\\administrators"),
    ("jane@tech.local", "JANE@tech.local"),
    ("TECH\\jane", "jane@tech"),
])
def test_same_account(name, other):
    first, second = other, name
    assert account_names.same_account(name, other)
    assert account_names.same_account(first, second)


@pytest.mark.parametrize("name, other", [
    ("BUILTIN\\Administrators", "TECH\\Administrators"),   # the guard's user_part would match these
    ("TECH\\jane", "jane@corp.local"),                       # another domain
    ("TECH\\jane", "TECH\\jane.doe"),
    ("jane@tech.local", "jane@tech.example"),
    ("", ""),
    (None, "TECH\\jane"),
])
def test_not_the_same_account(name, other):
    assert not account_names.same_account(name, other)


def test_keep_is_stricter_than_the_guard():
    assert lockout.user_part("BUILTIN\\Administrators") == lockout.user_part("TECH\\Administrators")
    assert not account_names.same_account("BUILTIN\\Administrators", "TECH\\Administrators")


ACCOUNTS = [{"name": name} for name in ("BUILTIN\\Administrators", "TECH\\Administrators", "TECH\\svc.ansible",
                                        "breakglass@tech.local", "TECH\\jane.doe")]


def test_unlisted_and_kept_in_server_order():
    unlisted, kept = account_names.unlisted_and_kept(ACCOUNTS, ["tech\\JANE.DOE"],
                                                     ["BUILTIN\\Administrators", "TECH\\breakglass", "TECH\\svc.ansible"])
    assert [account["name"] for account in unlisted] == ["TECH\\Administrators"]
    assert [account["name"] for account in kept] == ["BUILTIN\\Administrators", "TECH\\svc.ansible",
                                                     "breakglass@tech.local"]


def test_unlisted_without_keep():
    unlisted, kept = account_names.unlisted_and_kept(ACCOUNTS, [], None)
    assert len(unlisted) == len(ACCOUNTS) and kept == []


def test_vbr_exclusive_removals_leave_kept_accounts():
    users = [{"id": str(index), "name": account["name"], "type": "InternalUser", "roles": [], "isServiceAccount": False}
             for index, account in enumerate(ACCOUNTS)]
    removals = vbr_users.plan_exclusive_removals(users, ["TECH\\jane.doe"], ["builtin\\administrators"])
    assert [plan.name for plan in removals] == ["TECH\\Administrators", "TECH\\svc.ansible", "breakglass@tech.local"]
    assert all(plan.reason == "not listed (exclusive)" for plan in removals)


@pytest.mark.parametrize("keep, listed, exclusive, fragment", [
    (["TECH\\breakglass"], ["TECH\\jane"], False, "keep only applies with exclusive: true"),
    (["jane@tech.local"], ["TECH\\jane"], True, "keep names jane@tech.local, which users lists too"),
])
def test_keep_problems(keep, listed, exclusive, fragment):
    assert fragment in account_names.keep_problem(keep, listed, exclusive)


def test_keep_without_problem():
    assert account_names.keep_problem([], ["TECH\\jane"], False) is None
    assert account_names.keep_problem(["TECH\\breakglass"], ["TECH\\jane"], True) is None
    assert "accounts lists too" in account_names.keep_problem(["TECH\\jane"], ["tech\\jane"], True,
                                                              listed_option="accounts")
