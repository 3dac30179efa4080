"""What a fresh simulated VBR server holds: built-in roles, seed users, the simulated directory.

Role ids and the seed users are those of the examples in Veeam's 1.3-rev1 and 1.3-rev2 specs; permission names
are the spec's own ``x-veeam-authorize`` claims, shared out to the roles by what each role is documented to do.
"""

import json
import os

# Bundled subsets of Veeam's specs (tests/simulator/specs/refresh.py regenerates them from ../shared/specs).
SPEC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "specs")

# Ids the specs show (the same in 1.3-rev1 and 1.3-rev2): UsersResultExample, RoleModelExample and
# UserSpecGroupExample name the first three; UserRolePermissionsModelExample gives e71bb27e... exactly the
# permissions of the Incident API Operator.
BACKUP_ADMIN_ID = "5ff0e0eb-45cf-48cc-9677-7613fc79bc11"
SECURITY_ADMIN_ID = "3835e9df-cf3e-43e9-8e82-817798b1aee0"
RESTORE_OPERATOR_ID = "b167c3af-2262-4b6c-9861-0606fc0cb6b1"
INCIDENT_API_OPERATOR_ID = "e71bb27e-bd16-47b6-8b1c-98ef2d7a996e"
# Invented: the specs name these roles ("Available to ...") but show no id for them.
BACKUP_OPERATOR_ID = "8c1d6b7e-2f5a-4e0b-9a1c-3d2e4f5a6b70"
BACKUP_VIEWER_ID = "1a9e3c5d-7b2f-4d6e-8a0c-9b8d7e6f5a41"
TAPE_OPERATOR_ID = "4f3e2d1c-0b9a-4876-a543-21fedcba9876"
SPEC_ROLE_IDS = (BACKUP_ADMIN_ID, SECURITY_ADMIN_ID, RESTORE_OPERATOR_ID, INCIDENT_API_OPERATOR_ID)

INCIDENT_PERMISSIONS = ["UpdateConsoleClient", "CreateSuspiciousActivityEvent", "ViewYaraRules",
                        "GetConsoleUpdateMetadata", "DownloadConsoleComponents", "StartMalwareBackupScan",
                        "UpdateRansomwareDetectionEvent", "ViewSuspiciousActivityEvents"]

# (id, name as VBR 13.1 / 1.3-rev2 writes it, description). VBR 13.0.1 (1.3-rev1) writes every name but the
# Incident API Operator's with a "Veeam " prefix ("Veeam Backup Administrator"; its spec says "Incident API
# Operator"); 13.1 without (its spec never says "Veeam Backup Administrator"). The rev2 spec does not mention the
# Tape Operator at all; the simulator keeps it in both namings.
BUILTIN_ROLES = [
    (BACKUP_ADMIN_ID, "Backup Administrator", "Built-in role with full privileges"),
    (SECURITY_ADMIN_ID, "Security Administrator",
     "Built-in role for credentials management, compliance checks and four-eyes approvals"),
    (RESTORE_OPERATOR_ID, "Restore Operator",
     "Built-in role for performing restore operations from any backups and replicas"),
    (BACKUP_OPERATOR_ID, "Backup Operator", "Built-in role for starting and stopping existing jobs"),
    (BACKUP_VIEWER_ID, "Backup Viewer", "Built-in role with read-only access"),
    (TAPE_OPERATOR_ID, "Tape Operator", "Built-in role for tape operations"),
    (INCIDENT_API_OPERATOR_ID, "Incident API Operator",
     "Built-in role for reporting malware events through the REST API"),
]
UNPREFIXED_IN_BOTH = (INCIDENT_API_OPERATOR_ID,)
ROLE_NAMINGS = ("plain", "prefixed")


def role_name(role_id, plain_name, naming):
    """A built-in role's name in one naming: ``plain`` (VBR 13.1) or ``prefixed`` (VBR 13.0.1)."""
    if naming == "prefixed" and role_id not in UNPREFIXED_IN_BOTH:
        return "Veeam " + plain_name
    return plain_name


def role_key(name):
    """A role name compared across namings (the admin API takes either)."""
    text = name.casefold()
    return text[len("veeam "):] if text.startswith("veeam ") else text


SEED_USERS = [
    {"id": "38e4b8df-65b5-4d3c-9a26-86f9142ae26f", "name": "BUILTIN\\Administrators", "type": "InternalGroup",
     "roles": [BACKUP_ADMIN_ID], "isServiceAccount": False},
    {"id": "1cc300d4-c356-46d6-a1b8-ccd0b23cc08e", "name": "TECH\\sheila.d.cory", "type": "InternalUser",
     "roles": [BACKUP_ADMIN_ID], "isServiceAccount": False},
    {"id": "25f360e0-3687-44df-b45f-2710e4455339", "name": "TECH\\michael.wells", "type": "InternalUser",
     "roles": [SECURITY_ADMIN_ID], "isServiceAccount": False},
    {"id": "4cd71159-4416-4002-8f99-67580db015b7", "name": "TECH\\william.fox", "type": "InternalUser",
     "roles": [RESTORE_OPERATOR_ID], "isServiceAccount": False},
]

# Accounts that can log in with the simulator's password besides the automation account.
LOGIN_ACCOUNTS = ["TECH\\sheila.d.cory", "TECH\\william.fox", "VBR01\\Administrator"]

DIRECTORY_USERS = ["TECH\\sheila.d.cory", "TECH\\michael.wells", "TECH\\william.fox", "TECH\\svc.ansible",
                   "TECH\\jane.doe", "TECH\\bob.smith", "TECH\\new.user", "TECH\\john.smith", "TECH\\mary.smith",
                   "jane.doe@tech.local", "bob.smith@tech.local", "VBR01\\Administrator"]
DIRECTORY_GROUPS = {
    "BUILTIN\\Administrators": ["VBR01\\Administrator"],
    "TECH\\Administrators": ["TECH\\sheila.d.cory"],
    "TECH\\Backup Operators": ["TECH\\john.smith", "TECH\\mary.smith"],
    "TECH\\Restore Operators": ["TECH\\william.fox", "TECH\\jane.doe"],
}

RESTORE_OPTIONS = [
    {"code": 0, "name": "FileLevelRestore", "group": "Restore", "description": "Allows file-level restore operations"},
    {"code": 1, "name": "VolumeRestore", "group": "Restore", "description": "Allows volume restore operations"},
    {"code": 2, "name": "EntireVmRestore", "group": "Restore", "description": "Allows entire VM restore operations"},
    {"code": 3, "name": "InstantRecovery", "group": "Restore", "description": "Allows Instant Recovery operations"},
    {"code": 4, "name": "ApplicationItemRestore", "group": "Restore",
     "description": "Allows application item restore operations"},
]

_CLAIMS = None


def spec_claims():
    """Every ``x-veeam-authorize`` claim named in the full 1.3-rev1 spec, sorted (bundled in specs/claims.json)."""
    global _CLAIMS
    if _CLAIMS is None:
        with open(os.path.join(SPEC_DIR, "claims.json")) as handle:
            _CLAIMS = json.load(handle)["claims"]
    return _CLAIMS


def _permissions(role_id):
    claims = spec_claims()
    views = [claim for claim in claims if claim.startswith(("View", "Get"))]
    if role_id == BACKUP_ADMIN_ID:
        return claims
    if role_id == INCIDENT_API_OPERATOR_ID:
        return list(INCIDENT_PERMISSIONS)
    if role_id == BACKUP_VIEWER_ID:
        return views
    words = {
        SECURITY_ADMIN_ID: ("Credential", "Password", "Encryption", "Authorization", "Security", "Certificate",
                            "Kms", "User"),
        RESTORE_OPERATOR_ID: ("Restore", "Mount", "Flr", "InstantRecovery", "Publish", "Explore"),
        BACKUP_OPERATOR_ID: ("StartJob", "StopJob", "RetryJob", "Start", "Stop"),
        TAPE_OPERATOR_ID: ("Tape",),
    }[role_id]
    granted = [claim for claim in claims if any(word.lower() in claim.lower() for word in words)]
    return sorted(set(views + granted))


def builtin_roles(naming="plain"):
    return {role_id: {"id": role_id, "name": role_name(role_id, name, naming), "description": description,
                      "isBuiltIn": True, "permissions": _permissions(role_id)}
            for role_id, name, description in BUILTIN_ROLES}


def seed_directory():
    return {"users": set(name.casefold() for name in DIRECTORY_USERS),
            "groups": {group.casefold(): set(member.casefold() for member in members)
                       for group, members in DIRECTORY_GROUPS.items()},
            "domains": set()}


CUSTOM_ROLE_FIELDS = ("description", "manageBackups", "manageRestores", "inventoryScope", "repositoryScope",
                      "restorePermissionsScope", "restoreTargetScope")


ROLE_DETAIL_STYLES = ("as-sent", "server-filled")
# What a server may fill in for a custom role created without it (the "all" readings of 1.3-rev2's scope models).
DEFAULT_SCOPES = {
    "inventoryScope": {"entireInventory": True, "workloads": []},
    "repositoryScope": {"allRepositories": True, "repositories": []},
    "restorePermissionsScope": {"restoreBackupScope": {"entireBackupScope": True, "backupSources": []},
                                "restoreOptions": {"allOptions": True, "restoreOptions": []}},
    "restoreTargetScope": {"entireBackupScope": True},
}
ALL_FLAG_LISTS = {"entireInventory": "workloads", "allRepositories": "repositories", "allOptions": "restoreOptions"}


def custom_role(role_id, spec, style="as-sent"):
    """A custom role as stored. ``server-filled``: defaults filled in like a server may (missing scopes, the empty
    list next to an "all" flag, every field of a restore option, an empty description)."""
    role = {"id": role_id, "name": spec["name"], "isBuiltIn": False,
            "permissions": _custom_permissions(spec)}
    for field in CUSTOM_ROLE_FIELDS:
        if field in spec:
            role[field] = json.loads(json.dumps(spec[field]))
    role.setdefault("description", "")
    if style == "server-filled":
        for field, default in DEFAULT_SCOPES.items():
            role[field] = _filled(role.get(field) if role.get(field) is not None else json.loads(json.dumps(default)))
        backup_scope = role["restorePermissionsScope"].get("restoreBackupScope")
        if isinstance(backup_scope, dict):
            backup_scope.setdefault("backupSources", [])
    return role


def _filled(value):
    if isinstance(value, dict):
        filled = dict((key, _filled(item)) for key, item in value.items())
        for flag, items in ALL_FLAG_LISTS.items():
            if filled.get(flag) is True and items not in filled:
                filled[items] = []
        if "code" in filled and "name" in filled:
            known = next((option for option in RESTORE_OPTIONS if option["code"] == filled["code"]), None)
            for key, item in (known or {}).items():
                filled.setdefault(key, item)
        return filled
    if isinstance(value, list):
        return [_filled(item) for item in value]
    return value


def _reordered(value):
    """Every list in reverse order: what a server that keeps its own order may answer."""
    if isinstance(value, dict):
        return dict((key, _reordered(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_reordered(item) for item in reversed(value)]
    return value


def _custom_permissions(spec):
    claims = spec_claims()
    granted = [claim for claim in claims if claim.startswith(("View", "Get"))]
    if spec.get("manageRestores"):
        granted += [claim for claim in claims if "Restore" in claim or "Mount" in claim]
    if spec.get("manageBackups"):
        granted += [claim for claim in claims if "Job" in claim or "Backup" in claim]
    return sorted(set(granted))


def custom_role_model(role, style="as-sent"):
    model = {"id": role["id"], "name": role["name"]}
    for field in CUSTOM_ROLE_FIELDS:
        if field in role:
            model[field] = _reordered(role[field]) if style == "server-filled" else role[field]
    return model


def server_info(index, build):
    return {"vbrId": "f2ef2bfd-e8e6-418a-8725-472e2e2d1e%02x" % index, "name": "vbr%02d.tech.local" % (index + 1),
            "buildVersion": build, "patches": [], "databaseVendor": "PostgreSQL", "sqlServerEdition": "",
            "sqlServerVersion": "PostgreSQL 17.5", "databaseSchemaVersion": "9688", "databaseContentVersion": "9688",
            "veeamRegistration": {"isRegistered": True, "expirationDate": "2027-08-17T13:07:16Z",
                                  "thumprint": "BC7F6108B16884C70E6F6C2CC714463777FE65C0"},
            "platform": "Linux"}
