"""Bad input, across every module: a clear error that names the option, and not one write on the server.

Each row: module, arguments, and the fragments the message must hold (the first one names the option).
The servers are the shared simulator; ``writes`` counts POST/PUT/DELETE requests other than logins.
"""

import pytest

from tests.functional.module_harness import run_module

LONG = "x" * 300
CASES = {
    # ---------------------------------------------------------------- wrong types
    "vbr_user bool": ("vbr_user", {"name": "TECH\\jane.doe", "roles": ["Restore Operator"],
                                   "is_service_account": "maybe"}, ["is_service_account", "not a valid boolean"]),
    "vbr_user users not a list of dicts": ("vbr_user", {"users": ["TECH\\jane.doe"]}, ["users", "dict"]),
    "vbr_role_info bool": ("vbr_role_info", {"permissions": "lots"}, ["permissions", "not a valid boolean"]),
    "vbr_mfa bool": ("vbr_mfa", {"enabled": "sometimes"}, ["enabled", "not a valid boolean"]),
    "em_rebuild_scope int": ("em_rebuild_scope", {"wait_timeout": "soon"}, ["wait_timeout", "int"]),
    "em_account dict": ("em_account", {"name": "TECH\\jane.doe", "roles": ["Portal User"], "flr_settings": "strict"},
                        ["flr_settings", "dict"]),
    "timeout number": ("vbr_user_info", {"timeout": -1}, ["timeout must be a number of seconds greater than 0"]),
    "retries number": ("em_role_info", {"retries": -2}, ["retries must be 0"]),
    "port range": ("vbr_role_info", {"port": 70000}, ["port must be between 1 and 65535"]),
    "unknown option": ("vbr_user", {"name": "TECH\\jane.doe", "roles": ["Restore Operator"], "colour": "red"},
                       ["colour", "Supported parameters include"]),
    "unknown suboption": ("em_account", {"name": "TECH\\jane.doe", "roles": ["Portal User"],
                                         "flr_settings": {"inplace": True}}, ["flr_settings.inplace", "inplace_only"]),
    # ---------------------------------------------------------------- unknown choices
    "vbr_user type": ("vbr_user", {"name": "TECH\\jane.doe", "roles": ["Restore Operator"], "type": "LocalUser"},
                      ["type", "InternalUser, InternalGroup, ExternalUser, ExternalGroup"]),
    "vbr_user state": ("vbr_user", {"name": "TECH\\jane.doe", "state": "gone"}, ["state", "present, absent"]),
    "vbr_user_roles state": ("vbr_user_roles", {"name": "TECH\\william.fox", "roles": ["Backup Viewer"],
                                                "state": "exactly"}, ["state", "present, absent, exact"]),
    "vbr_user_info type": ("vbr_user_info", {"type": ["LocalUser"]}, ["type", "InternalUser"]),
    "api_version": ("vbr_role_info", {"api_version": "2.0"}, ["api_version", "auto, 1.3-rev1, 1.3-rev2"]),
    "vbr_role state": ("vbr_role", {"name": "Auditors", "state": "disabled", "api_version": "1.3-rev2"},
                       ["state", "present, absent"]),
    "em_account type": ("em_account", {"name": "TECH\\jane.doe", "roles": ["Portal User"], "type": "Team"},
                        ["type", "User, Group, ExternalUser, ExternalGroup"]),
    "em_rebuild_scope scope": ("em_rebuild_scope", {"scope": "everything"}, ["scope", "unprocessed, all, current_user"]),
    # ---------------------------------------------------------------- unknown roles
    "vbr_user role": ("vbr_user", {"name": "TECH\\jane.doe", "roles": ["Restore Operater"]},
                      ["Unknown VBR role 'Restore Operater'", "Restore Operator"]),
    "vbr_user bulk role": ("vbr_user", {"users": [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]},
                                                  {"name": "TECH\\bob.smith", "roles": ["Janitor"]}]},
                           ["Unknown VBR role 'Janitor'"]),
    "vbr_user_roles role": ("vbr_user_roles", {"name": "TECH\\william.fox", "roles": ["Nope"]},
                            ["Unknown VBR role 'Nope'", "Backup Viewer"]),
    "vbr_user_info role": ("vbr_user_info", {"role": "Nope"}, ["Unknown VBR role 'Nope'"]),
    "vbr_role_info name": ("vbr_role_info", {"name": "Nope"}, ["No role 'Nope'", "Restore Operator"]),
    "em_account role": ("em_account", {"name": "TECH\\jane.doe", "roles": ["Portal Wizard"]},
                        ["Unknown Enterprise Manager role 'Portal Wizard'", "Portal User"]),
    "em_role_info name": ("em_role_info", {"name": "Nope"}, ["No role 'Nope'", "Portal User"]),
    # ---------------------------------------------------------------- malformed names per account type
    "vbr user without domain": ("vbr_user", {"name": "jane.doe", "roles": ["Restore Operator"]},
                                ["name 'jane.doe'", "DOMAIN\\name", "user principal name"]),
    "vbr external user not a UPN": ("vbr_user", {"name": "TECH\\jane.doe", "type": "ExternalUser",
                                                 "roles": ["Restore Operator"]}, ["name", "user principal name"]),
    "vbr group as UPN": ("vbr_user", {"name": "ops@tech.local", "type": "InternalGroup",
                                      "roles": ["Restore Operator"]}, ["name", "DOMAIN\\name"]),
    "vbr forbidden character": ("vbr_user", {"name": "TECH\\jane:doe", "roles": ["Restore Operator"]},
                                ["name", "cannot hold :"]),
    "vbr bulk name names its index": (
        "vbr_user", {"users": [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]},
                               {"name": "bob", "roles": ["Restore Operator"]}]}, ["users[1].name 'bob'"]),
    "vbr name with spaces around": ("vbr_user", {"name": " TECH\\jane.doe", "roles": ["Restore Operator"]},
                                    ["name", "starts or ends with a space"]),
    "vbr name with a line break": ("vbr_user", {"name": "TECH\\jane\n.doe", "roles": ["Restore Operator"]},
                                   ["name", "control character"]),
    "em user without domain": ("em_account", {"name": "jane.doe", "roles": ["Portal User"]},
                               ["name 'jane.doe'", "DOMAIN\\name"]),
    "em external user not a UPN": ("em_account", {"name": "TECH\\jane.doe", "type": "ExternalUser",
                                                  "roles": ["Portal User"]}, ["name", "user principal name"]),
    # ---------------------------------------------------------------- empty values and lists
    "vbr_user empty name": ("vbr_user", {"name": "", "roles": ["Restore Operator"]}, ["name", "empty"]),
    "vbr_user empty users": ("vbr_user", {"users": []}, ["users is empty"]),
    "vbr_user empty roles": ("vbr_user", {"name": "TECH\\jane.doe", "roles": []},
                             ["roles of TECH\\jane.doe", "empty list"]),
    "vbr_user blank role": ("vbr_user", {"name": "TECH\\jane.doe", "roles": [" "]}, ["roles holds an empty entry"]),
    "vbr_user_roles empty roles": ("vbr_user_roles", {"name": "TECH\\william.fox", "roles": []},
                                   ["roles must list at least one role"]),
    "vbr_mfa nothing": ("vbr_mfa", {"reset_for": []}, ["Nothing to do", "enabled", "reset_for"]),
    "vbr_mfa blank name": ("vbr_mfa", {"reset_for": [""]}, ["reset_for holds an empty entry"]),
    "vbr_user_info empty name": ("vbr_user_info", {"name": ""}, ["name is empty", "leave the option out"]),
    "vbr_role empty name": ("vbr_role", {"name": "", "api_version": "1.3-rev2"}, ["name is empty: give a value"]),
    "em_account empty roles": ("em_account", {"name": "TECH\\jane.doe", "roles": []}, ["roles is an empty list"]),
    "em_account_info empty name": ("em_account_info", {"name": ""}, ["name is empty"]),
    "em_rebuild_scope negative timeout": ("em_rebuild_scope", {"wait_timeout": -5}, ["wait_timeout", "greater than 0"]),
    # ---------------------------------------------------------------- conflicting or missing options
    "vbr_user name and users": ("vbr_user", {"name": "TECH\\jane.doe", "users": [{"name": "TECH\\bob.smith"}]},
                                ["mutually exclusive", "name", "users"]),
    "vbr_user neither": ("vbr_user", {}, ["name", "users"]),
    "vbr_user exclusive single": ("vbr_user", {"name": "TECH\\jane.doe", "roles": ["Restore Operator"],
                                               "exclusive": True}, ["exclusive"]),
    "vbr_user twice in users": ("vbr_user", {"users": [{"name": "TECH\\a.b", "roles": ["Restore Operator"]},
                                                       {"name": "tech\\A.B", "state": "absent"}]}, ["more than once"]),
    "vbr_user_roles missing name": ("vbr_user_roles", {"roles": ["Backup Viewer"]}, ["missing required arguments: name"]),
    "vbr_role on 1.3-rev1": ("vbr_role", {"name": "Auditors", "api_version": "1.3-rev1"}, ["api_version: 1.3-rev2"]),
    "vbr_role built-in": ("vbr_role", {"name": "Veeam Backup Administrator", "state": "absent",
                                       "api_version": "1.3-rev2"}, ["built-in"]),
    "vbr_conformance write without account": ("vbr_conformance", {"write": True}, ["write: true needs test_account"]),
    "em_conformance write without account": ("em_conformance", {"write": True}, ["write: true needs test_account"]),
    "vbr_authorization_event_info id": ("vbr_authorization_event_info", {"id": "pending"},
                                        ["id 'pending' is not an authorization event id"]),
    "vbr_authorization_event_info state": ("vbr_authorization_event_info", {"state": ["Open"]},
                                           ["state", "Pending, Approved, Rejected"]),
    "vbr_role built-in name without prefix": ("vbr_role", {"name": "restore operator", "manage_restores": True},
                                              ["built-in VBR role", "Choose another name"]),
    "em_account all VMs without scope": ("em_account", {"name": "TECH\\jane.doe", "roles": ["Portal User"],
                                                        "allow_restore_all_vms": False}, ["give restore_scope"]),
    "em_account scope ref": ("em_account", {"name": "TECH\\jane.doe", "roles": ["Portal User"],
                                            "restore_scope": [{"ref": "vm-12", "name": "x"}]},
                             ["not a hierarchy reference"]),
    "vbr password without username": ("vbr_role_info", {"username": None, "password": "x"},
                                      ["username"]),
    # ---------------------------------------------------------------- very long names
    "vbr very long name": ("vbr_user", {"name": "TECH\\" + LONG, "roles": ["Restore Operator"]},
                           ["name", "300 characters long", "(305 characters)"]),
    "vbr very long UPN": ("vbr_user", {"name": "j" * 1100 + "@tech.local", "roles": ["Restore Operator"]},
                          ["name", "at most 1024"]),
    "em very long name": ("em_account", {"name": "TECH\\" + LONG, "roles": ["Portal User"]},
                          ["name", "at most 256"]),
}
EM_MODULES = ("em_account", "em_account_info", "em_conformance", "em_rebuild_scope", "em_role_info")


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_names_the_option_and_writes_nothing(case, vbr_env, em_env, sim_admin, em_admin):
    module, args, fragments = CASES[case]
    env, admin = (em_env, em_admin) if module in EM_MODULES else (vbr_env, sim_admin)
    if args.get("username", "") is None:
        env = dict(env)
        env.pop("VEEAM_VBR_USERNAME")
        args = dict((key, value) for key, value in args.items() if key != "username")
    result = run_module(module, args, env=env)
    assert result.failed, "%s accepted %r" % (module, args)
    for fragment in fragments:
        assert fragment in result["msg"], result["msg"]
    assert admin.writes() == 0
    assert "Traceback" not in result.stderr + result.get("msg", "")


UNICODE_NAMES = ["TECH\\jäne.dœ", "TECH\\Ωmega Admins", "TECH\\李小龍"]


@pytest.mark.parametrize("name", UNICODE_NAMES)
def test_unicode_names_round_trip(name, vbr_env, em_env, sim_admin):
    """Names outside ASCII are valid Windows names: created once, found again, removed."""
    kind = "InternalGroup" if " " in name else "InternalUser"
    if kind == "InternalGroup":
        sim_admin.add_directory(groups=[name])
    else:
        sim_admin.add_directory(users=[name])
    created = run_module("vbr_user", {"name": name, "type": kind, "roles": ["Restore Operator"]}, env=vbr_env)
    assert created["changed"] and created["user"]["name"] == name
    again = run_module("vbr_user", {"name": name, "roles": ["Restore Operator"]}, env=vbr_env)
    assert again["changed"] is False
    em = run_module("em_account", {"name": name, "type": "Group" if kind == "InternalGroup" else "User",
                                   "roles": ["Portal User"]}, env=em_env)
    assert em["changed"] and em["account"]["name"] == name
    assert run_module("em_account", {"name": name, "state": "absent"}, env=em_env)["changed"]
    assert run_module("vbr_user", {"name": name, "state": "absent"}, env=vbr_env)["changed"]
