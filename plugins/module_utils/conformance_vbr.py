# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The live conformance checks of a VBR server (see conformance.py). One check per assumption, same ids as the
simulator's documentation (tests/simulator/README.md, "Assumptions")."""

import uuid
from collections import OrderedDict

from ansible_collections.backupops.veeam.plugins.module_utils import conformance as kit
from ansible_collections.backupops.veeam.plugins.module_utils import vbr_custom_roles
from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.vbr_client import (
    AUTHORIZATION_EVENTS_PATH, BACKUP_ADMINISTRATOR_ID, BUILT_IN_ROLE_IDS, ROLE_NAME_PREFIX, ROLES_PATH,
    SERVER_INFO_PATH, SETTINGS_PATH, TOKEN_PATH, USERS_PATH, four_eyes_kind, offered_versions, role_key, same_name)

RESTORE_OPERATOR_ID = "b167c3af-2262-4b6c-9861-0606fc0cb6b1"
PROBE_STATUSES = (200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 500)

CHECKS = OrderedDict([
    ("VBR-VERSION", "An unsupported x-api-version is answered 400 'Unsupported RESTAPI version ... supported: ...', "
                    "listing the versions (api_version auto reads them)"),
    ("VBR-NO-TOKEN", "A request with an unknown bearer token is answered 401"),
    ("VBR-TOKEN", "The token answer has access_token, refresh_token, expires_in; bad credentials are 401, a "
                  "refused refresh token 401, missing fields 400"),
    ("VBR-ACCESS", "A Backup Administrator reads /api/v1/security/*"),
    ("VBR-PAGING", "Lists are {data, pagination{total, count, skip, limit}}; users carry id, name, type, roles, "
                   "isServiceAccount"),
    ("VBR-ROLE-NAMES", "Built-in roles have the ids the specs show; 13.0 names them 'Veeam Backup Administrator', "
                       "13.1 'Backup Administrator'"),
    ("VBR-NAMEFILTER", "nameFilter is a case-insensitive substring, or a wildcard pattern with *"),
    ("VBR-MFA-PER-USER", "1.3-rev2 users carry mfaEnabled: true when global MFA is on and the account is a user "
                         "that is not a service account"),
    ("VBR-SETTINGS", "GET /api/v1/security/settings answers {mfaEnabled}"),
    ("VBR-NOT-FOUND", "An unknown user id is answered 404 NotFound"),
    ("VBR-CUSTOM-ROLES-REV1", "Custom-role operations do not exist in 1.3-rev1: 405 for POST /roles, 404 for the "
                              "others"),
    ("VBR-AUTH-EVENTS", "GET /api/v1/authorization/events is a paged list of events with a state of the documented "
                        "enum"),
    ("VBR-FOUR-EYES", "With four-eyes authorization on, a change is refused with a message about four-eyes "
                      "authorization or an approval (any 4xx but 401), or answered 202; deletions are refused"),
    ("VBR-UNRESOLVABLE", "An account name Active Directory cannot resolve is answered 400 NotFound"),
    ("VBR-DUPLICATE", "Adding an account that exists is answered 400"),
    ("VBR-UNKNOWN-ROLE-ID", "An unknown role id in POST users or PUT roles is answered 400 NotFound"),
    ("VBR-WRITES", "POST users 201 UserModel, PUT roles 200 {roles}, changeServiceAccountMode 200 UserModel, "
                   "resetMFA 204, DELETE 204 then 404"),
    ("VBR-MFA-RESET-GROUP", "An MFA reset of a group is accepted and changes nothing"),
    ("VBR-ROLE-DETAILS", "GET /roles/{id}/details returns a custom role as sent, or with lists in another order and "
                         "defaults filled in (compared normalised)"),
    ("VBR-MIXED-ROLES", "Built-in and custom roles cannot be combined on one account (refused with 400)"),
    ("VBR-ROLE-DELETE", "Deleting a custom role that is still assigned is answered 403 (a built-in role is never "
                        "deleted by the kit)"),
])


class VbrConformance(object):
    """The checks against one VBR server through ``client`` (a VbrClient, logged in lazily)."""

    def __init__(self, client, write=False, test_account=None, test_group=None, check_mode=False):
        self.client = client
        self.write = write and not check_mode
        self.test_account = test_account
        self.test_group = test_group
        self.report = kit.Report("vbr", CHECKS)
        self.roles = []
        self.wrote = False
        self.check_mode = check_mode

    # ------------------------------------------------------------------ helpers
    def probe(self, method, path, version=None, params=None, json=None):
        """An authenticated request whose answer is returned whatever its status."""
        return self.client.answer(method, path, api_version=version, params=params, json=json,
                                  accept_statuses=PROBE_STATUSES)

    def record(self, check_id, outcome, **details):
        self.report.record(check_id, outcome, **details)

    # ------------------------------------------------------------------ run
    def run(self):
        read_checks = [("VBR-TOKEN", self.check_token), ("VBR-VERSION", self.check_version),
                       ("VBR-NO-TOKEN", self.check_no_token), ("VBR-ACCESS", self.check_access),
                       ("VBR-PAGING", self.check_paging), ("VBR-ROLE-NAMES", self.check_role_names),
                       ("VBR-NAMEFILTER", self.check_name_filter), ("VBR-MFA-PER-USER", self.check_mfa_per_user),
                       ("VBR-SETTINGS", self.check_settings), ("VBR-NOT-FOUND", self.check_not_found),
                       ("VBR-CUSTOM-ROLES-REV1", self.check_custom_roles_rev1),
                       ("VBR-AUTH-EVENTS", self.check_auth_events)]
        for check_id, function in read_checks:
            kit.run_check(self.report, check_id, function)
        if self.write:
            self.run_writes()
        reason = ("check mode: no write check ran" if self.check_mode else
                  "read-only run: the write checks need write: true and a throw-away test_account")
        self.report.skip_missing(reason)
        return self.report.as_dict()

    # ------------------------------------------------------------------ read-only checks
    def check_token(self):
        self.client.login()
        version = self.client.api_version
        self.report.facts["api_version"] = version
        info = self.client.get_json(SERVER_INFO_PATH)
        self.report.facts["vbr_build"] = kit.safe_version((info or {}).get("buildVersion"))
        token_keys = list(self.client.token_keys)
        wrong = self.client.transport.request(
            "POST", TOKEN_PATH, idempotent=True, accept_statuses=PROBE_STATUSES,
            headers={"x-api-version": version, "Accept": "application/json"},
            data={"grant_type": "Password", "username": "backupops-conformance\\%s" % uuid.uuid4().hex[:8],
                  "password": uuid.uuid4().hex})
        refresh = self.client.transport.request(
            "POST", TOKEN_PATH, idempotent=True, accept_statuses=PROBE_STATUSES,
            headers={"x-api-version": version, "Accept": "application/json"},
            data={"grant_type": "Refresh_token", "refresh_token": uuid.uuid4().hex})
        missing = self.client.transport.request(
            "POST", TOKEN_PATH, idempotent=True, accept_statuses=PROBE_STATUSES,
            headers={"x-api-version": version, "Accept": "application/json"}, data={"grant_type": "Password"})
        observed = {"token_keys": token_keys, "unknown_user": kit.answer_observed(wrong),
                    "unknown_refresh_token": kit.answer_observed(refresh),
                    "missing_fields": kit.answer_observed(missing)}
        expected = ({"access_token", "refresh_token", "expires_in"} <= set(token_keys), wrong.status_code == 401,
                    refresh.status_code == 401, missing.status_code == 400)
        self.record("VBR-TOKEN", kit.PASS if all(expected) else kit.DIFFERS, observed=observed)

    def check_version(self):
        response = self.client.transport.request(
            "POST", TOKEN_PATH, idempotent=True, accept_statuses=PROBE_STATUSES,
            headers={"x-api-version": "1.3-rev99", "Accept": "application/json"},
            data={"grant_type": "Password", "username": "backupops-conformance", "password": uuid.uuid4().hex})
        text = kit.message_of(response)
        offered = offered_versions(text) or []
        observed = kit.answer_observed(response)
        observed.update(says_unsupported="unsupported restapi version" in text.lower(),
                        versions_offered=[kit.safe_version(version) for version in offered])
        self.report.facts["api_versions_offered"] = observed["versions_offered"]
        ok = response.status_code == 400 and observed["says_unsupported"] and offered
        self.record("VBR-VERSION", kit.PASS if ok else kit.DIFFERS, observed=observed)

    def check_no_token(self):
        response = self.client.transport.request(
            "GET", SERVER_INFO_PATH, accept_statuses=PROBE_STATUSES,
            headers={"x-api-version": self.client.api_version, "Authorization": "Bearer %s" % uuid.uuid4().hex,
                     "Accept": "application/json"})
        self.record("VBR-NO-TOKEN", kit.PASS if response.status_code == 401 else kit.DIFFERS,
                    observed=kit.answer_observed(response))

    def check_access(self):
        statuses = dict((path, self.probe("GET", path, params={"limit": 1}).status_code)
                        for path in (USERS_PATH, ROLES_PATH))
        statuses[SETTINGS_PATH] = self.probe("GET", SETTINGS_PATH).status_code
        self.record("VBR-ACCESS", kit.PASS if set(statuses.values()) == {200} else kit.DIFFERS,
                    observed={"statuses": statuses})

    def check_paging(self):
        page = self.probe("GET", USERS_PATH, params={"skip": 0, "limit": 2}).json()
        pagination = page.get("pagination") if isinstance(page, dict) else None
        users = page.get("data") if isinstance(page, dict) else None
        wanted = {"id", "name", "type", "roles", "isServiceAccount"}
        shaped = isinstance(users, list) and isinstance(pagination, dict)
        ok = shaped and {"total", "count", "skip", "limit"} <= set(pagination)
        ok = ok and all(wanted <= set(user) for user in users)
        self.record("VBR-PAGING", kit.PASS if ok else kit.DIFFERS, observed=kit.shape(page))

    def check_role_names(self):
        self.roles = self.client.paginate(ROLES_PATH)
        by_id = dict((str(role.get("id", "")).lower(), role) for role in self.roles)
        missing = sorted(BUILT_IN_ROLE_IDS[role_id] for role_id in BUILT_IN_ROLE_IDS if role_id not in by_id)
        present = [role_id for role_id in BUILT_IN_ROLE_IDS if role_id in by_id]
        prefixed = [role_id for role_id in present if str(by_id[role_id].get("name", "")).startswith(ROLE_NAME_PREFIX)]
        plain = [role_id for role_id in present if role_id not in prefixed]
        known = all(role_key(by_id[role_id].get("name")) == role_key(name)
                    for role_id, name in BUILT_IN_ROLE_IDS.items() if role_id in by_id)
        admin_prefixed = BACKUP_ADMINISTRATOR_ID in prefixed
        reading = "prefixed" if admin_prefixed else "plain"
        self.report.facts["role_names"] = reading
        observed = {"built_in_ids_missing": missing, "role_shape": kit.shape(self.roles[:3]),
                    "built_in_names_match_the_table": known, "roles": len(self.roles),
                    "prefixed_built_in_roles": len(prefixed), "plain_built_in_roles": len(plain)}
        ok = BACKUP_ADMINISTRATOR_ID in by_id and known
        self.record("VBR-ROLE-NAMES", kit.PASS if ok else kit.DIFFERS, reading=reading, observed=observed)

    def check_name_filter(self):
        name = self.client.username
        if not name:
            self.record("VBR-NAMEFILTER", kit.SKIP, note="needs username (the kit logged in with a token)")
            return
        account = name.split("\\")[-1].split("@")[0]
        middle = account[1:-1] if len(account) > 2 else account
        found = {}
        for label, pattern in (("exact", name), ("upper case", name.upper()), ("substring", middle),
                               ("wildcard", "*%s*" % middle)):
            users = self.probe("GET", USERS_PATH, params={"nameFilter": pattern}).json().get("data") or []
            found[label] = any(same_name(user.get("name"), name) for user in users)
        reading = ",".join(label for label, hit in sorted(found.items()) if hit)
        self.record("VBR-NAMEFILTER", kit.PASS if all(found.values()) else kit.DIFFERS, reading=reading or "none",
                    observed=found, note="found the connected account with each kind of pattern")

    def check_mfa_per_user(self):
        if self.client.api_version != "1.3-rev2":
            self.record("VBR-MFA-PER-USER", kit.SKIP, note="needs REST API 1.3-rev2 (VBR 13.1)")
            return
        users = self.client.paginate(USERS_PATH)
        settings = self.client.get_json(SETTINGS_PATH) or {}
        global_on = bool(settings.get("mfaEnabled"))
        inconsistent = 0
        for user in users:
            if not isinstance(user.get("mfaEnabled"), bool):
                inconsistent += 1
                continue
            expected = global_on and not user.get("isServiceAccount") and str(user.get("type", "")).endswith("User")
            if user["mfaEnabled"] != expected:
                inconsistent += 1
        self.record("VBR-MFA-PER-USER", kit.PASS if not inconsistent else kit.DIFFERS,
                    observed={"global_mfa": global_on, "users": len(users), "users_not_as_assumed": inconsistent})

    def check_settings(self):
        settings = self.probe("GET", SETTINGS_PATH).json()
        ok = isinstance(settings, dict) and isinstance(settings.get("mfaEnabled"), bool)
        self.record("VBR-SETTINGS", kit.PASS if ok else kit.DIFFERS, observed=kit.shape(settings))

    def check_not_found(self):
        response = self.probe("GET", "%s/%s" % (USERS_PATH, uuid.uuid4()))
        observed = kit.answer_observed(response)
        ok = response.status_code == 404 and observed.get("error_code") == "NotFound"
        self.record("VBR-NOT-FOUND", kit.PASS if ok else kit.DIFFERS, observed=observed)

    def check_custom_roles_rev1(self):
        self.record("VBR-CUSTOM-ROLES-REV1", kit.INFO, reading=self.client.api_version,
                    note="not relied on: the collection never sends a custom-role request with 1.3-rev1 "
                         "(vbr_role refuses first), so the kit does not probe what the spec does not have")

    def check_auth_events(self):
        response = self.probe("GET", AUTHORIZATION_EVENTS_PATH, params={"limit": 20})
        if response.status_code == 403:
            self.record("VBR-AUTH-EVENTS", kit.SKIP, observed=kit.answer_observed(response),
                        note="the account may not read authorization events (Backup or Security Administrator)")
            return
        page = response.json() if response.status_code == 200 else None
        events = page.get("data") if isinstance(page, dict) else None
        states = sorted(set(str(event.get("state")) for event in events or []))
        documented = set(["Pending", "Approved", "Rejected", "Expired", "Info", "CockpitMessage"])
        ok = isinstance(events, list) and isinstance(page.get("pagination"), dict) and set(states) <= documented
        self.record("VBR-AUTH-EVENTS", kit.PASS if ok else kit.DIFFERS,
                    observed={"status": response.status_code, "shape": kit.shape(page),
                              "states": [kit.string_kind(state) for state in states]})

    # ------------------------------------------------------------------ write checks
    def run_writes(self):
        if not self.test_account:
            self.report.skip_missing("write: true needs test_account, a throw-away account that Active Directory "
                                     "knows and the VBR server does not list")
            return
        if self.client.find_user(self.test_account) is not None:
            self.report.skip_missing("test_account is already a user of the VBR server: the kit only works with an "
                                     "account it can add and remove")
            return
        state = {"user": None, "role": None}
        try:
            created = self.write_create(state)
            if created:
                for check_id, function in (("VBR-DUPLICATE", self.check_duplicate),
                                           ("VBR-UNKNOWN-ROLE-ID", self.check_unknown_role_id),
                                           ("VBR-WRITES", self.check_user_writes),
                                           ("VBR-ROLE-DETAILS", self.check_role_details),
                                           ("VBR-MIXED-ROLES", self.check_mixed_roles),
                                           ("VBR-ROLE-DELETE", self.check_role_delete)):
                    kit.run_check(self.report, check_id, function, state)
                kit.run_check(self.report, "VBR-UNRESOLVABLE", self.check_unresolvable)
                kit.run_check(self.report, "VBR-MFA-RESET-GROUP", self.check_mfa_reset_group)
        finally:
            self.restore(state)

    def write_create(self, state):
        """Add the throw-away account; a four-eyes answer ends the write checks there (nothing else is sent)."""
        body = {"name": self.test_account, "type": "InternalUser", "isServiceAccount": False,
                "roles": [self.role_model(RESTORE_OPERATOR_ID)]}
        response = self.probe("POST", USERS_PATH, json=body)
        self.wrote = True
        observed = kit.answer_observed(response)
        if response.status_code == 202 or self.is_four_eyes("POST", response):
            self.record("VBR-FOUR-EYES", kit.PASS, reading="202" if response.status_code == 202 else
                        str(response.status_code), observed=observed,
                        note="four-eyes authorization is on: the write checks stop here; approve or reject the "
                             "request the kit left pending in the console")
            self.report.skip_missing("four-eyes authorization is on: no further write was sent")
            return False
        self.record("VBR-FOUR-EYES", kit.INFO, reading="off", note="four-eyes authorization is off on this server")
        if response.status_code != 201:
            self.record("VBR-WRITES", kit.DIFFERS, observed={"POST users": observed})
            return False
        state["user"] = response.json()
        state["writes"] = {"POST users": {"status": 201, "body": kit.shape(state["user"])}}
        return True

    def is_four_eyes(self, method, response):
        error = VeeamError("probe", status=response.status_code, method=method, message=kit.message_of(response))
        return four_eyes_kind(error) is not None

    def role_model(self, role_id):
        role = next((role for role in self.roles if str(role.get("id")).lower() == role_id), None)
        return {"id": role_id, "name": (role or {}).get("name") or BUILT_IN_ROLE_IDS.get(role_id, "role")}

    def check_duplicate(self, state):
        body = {"name": self.test_account, "type": "InternalUser", "isServiceAccount": False,
                "roles": [self.role_model(RESTORE_OPERATOR_ID)]}
        response = self.probe("POST", USERS_PATH, json=body)
        self.record("VBR-DUPLICATE", kit.PASS if response.status_code == 400 else kit.DIFFERS,
                    observed=kit.answer_observed(response))

    def check_unknown_role_id(self, state):
        path = "%s/%s/roles" % (USERS_PATH, state["user"]["id"])
        response = self.probe("PUT", path, json={"roles": [{"id": str(uuid.uuid4()), "name": "x"}]})
        observed = kit.answer_observed(response)
        refused = (response.status_code, observed.get("error_code")) == (400, "NotFound")
        self.record("VBR-UNKNOWN-ROLE-ID", kit.PASS if refused else kit.DIFFERS, observed=observed)

    def check_user_writes(self, state):
        user_path = "%s/%s" % (USERS_PATH, state["user"]["id"])
        writes = state["writes"]
        roles = self.probe("PUT", user_path + "/roles", json={"roles": [self.role_model(RESTORE_OPERATOR_ID)]})
        writes["PUT roles"] = kit.answer_observed(roles)
        service = self.probe("POST", user_path + "/changeServiceAccountMode", json={"isServiceAccountEnable": True})
        writes["changeServiceAccountMode"] = kit.answer_observed(service)
        back = self.probe("POST", user_path + "/changeServiceAccountMode", json={"isServiceAccountEnable": False})
        reset = self.probe("POST", user_path + "/resetMFA")
        writes["resetMFA"] = kit.answer_observed(reset)
        roles_ok = roles.status_code == 200 and isinstance((roles.json() or {}).get("roles"), list)
        ok = roles_ok and (service.status_code, back.status_code, reset.status_code) == (200, 200, 204)
        self.record("VBR-WRITES", kit.PASS if ok else kit.DIFFERS, observed=writes,
                    note="DELETE 204 then 404 is checked when the account is removed")

    def custom_role_spec(self):
        return {"name": kit.throwaway_name(), "description": "backupops.veeam conformance check, removed at once",
                "manageBackups": False, "manageRestores": True,
                "repositoryScope": {"allRepositories": True},
                "restorePermissionsScope": {"restoreBackupScope": {"entireBackupScope": True},
                                            "restoreOptions": {"allOptions": False, "restoreOptions": [
                                                {"code": 0, "name": "FileLevelRestore"},
                                                {"code": 2, "name": "EntireVmRestore"}]}}}

    def check_role_details(self, state):
        if self.client.api_version != "1.3-rev2":
            self.record("VBR-ROLE-DETAILS", kit.SKIP, note="custom roles need REST API 1.3-rev2 (VBR 13.1)")
            return
        spec = self.custom_role_spec()
        created = self.probe("POST", ROLES_PATH, json=spec)
        if created.status_code != 201:
            self.record("VBR-ROLE-DETAILS", kit.DIFFERS, observed={"POST roles": kit.answer_observed(created)})
            return
        state["role"] = created.json()
        self.client.forget_roles()
        details = self.probe("GET", "%s/%s/details" % (ROLES_PATH, state["role"]["id"])).json()
        as_sent = all(details.get(key) == value for key, value in spec.items() if key != "name")
        same = vbr_custom_roles.same_role(dict(spec, id=state["role"]["id"]), details)
        self.record("VBR-ROLE-DETAILS", kit.PASS if same else kit.DIFFERS,
                    reading="as-sent" if as_sent else "server-filled", observed=kit.shape(details))

    def check_mixed_roles(self, state):
        if not state.get("role"):
            self.record("VBR-MIXED-ROLES", kit.SKIP, note="needs the throw-away custom role (VBR 13.1)")
            return
        path = "%s/%s/roles" % (USERS_PATH, state["user"]["id"])
        custom = {"id": state["role"]["id"], "name": state["role"]["name"]}
        mixed = self.probe("PUT", path, json={"roles": [self.role_model(RESTORE_OPERATOR_ID), custom]})
        if mixed.status_code < 300:
            self.probe("PUT", path, json={"roles": [self.role_model(RESTORE_OPERATOR_ID)]})
        self.record("VBR-MIXED-ROLES", kit.PASS if mixed.status_code == 400 else kit.DIFFERS,
                    observed=kit.answer_observed(mixed),
                    note=None if mixed.status_code == 400 else "the server accepted the combination the collection "
                                                               "refuses (the user guide forbids it)")

    def check_role_delete(self, state):
        if not state.get("role"):
            self.record("VBR-ROLE-DELETE", kit.SKIP, note="needs the throw-away custom role (VBR 13.1)")
            return
        path = "%s/%s/roles" % (USERS_PATH, state["user"]["id"])
        custom = {"id": state["role"]["id"], "name": state["role"]["name"]}
        assigned = self.probe("PUT", path, json={"roles": [custom]})
        delete = self.probe("DELETE", "%s/%s" % (ROLES_PATH, state["role"]["id"]))
        if delete.status_code == 204:
            state["role"] = None
        self.probe("PUT", path, json={"roles": [self.role_model(RESTORE_OPERATOR_ID)]})
        ok = assigned.status_code == 200 and delete.status_code == 403
        self.record("VBR-ROLE-DELETE", kit.PASS if ok else kit.DIFFERS,
                    observed={"assign": assigned.status_code, "delete while assigned": kit.answer_observed(delete)})

    def check_unresolvable(self):
        domain = self.test_account.split("\\")[0] if "\\" in self.test_account else "TECH"
        name = "%s\\%s" % (domain, kit.throwaway_name("no-such-account"))
        response = self.probe("POST", USERS_PATH, json={"name": name, "type": "InternalUser", "isServiceAccount": False,
                                                        "roles": [self.role_model(RESTORE_OPERATOR_ID)]})
        if response.status_code == 201:
            self.probe("DELETE", "%s/%s" % (USERS_PATH, response.json().get("id")))
        observed = kit.answer_observed(response)
        refused = (response.status_code, observed.get("error_code")) == (400, "NotFound")
        self.record("VBR-UNRESOLVABLE", kit.PASS if refused else kit.DIFFERS, observed=observed)

    def check_mfa_reset_group(self):
        if not self.test_group:
            self.record("VBR-MFA-RESET-GROUP", kit.SKIP, note="needs test_group, a throw-away group")
            return
        response = self.probe("POST", USERS_PATH, json={"name": self.test_group, "type": "InternalGroup",
                                                        "isServiceAccount": False,
                                                        "roles": [self.role_model(RESTORE_OPERATOR_ID)]})
        if response.status_code != 201:
            self.record("VBR-MFA-RESET-GROUP", kit.DIFFERS, observed={"POST group": kit.answer_observed(response)})
            return
        group_id = response.json().get("id")
        try:
            reset = self.probe("POST", "%s/%s/resetMFA" % (USERS_PATH, group_id))
        finally:
            self.probe("DELETE", "%s/%s" % (USERS_PATH, group_id))
        self.record("VBR-MFA-RESET-GROUP", kit.PASS if reset.status_code == 204 else kit.DIFFERS,
                    observed=kit.answer_observed(reset))

    def restore(self, state):
        """Remove what the write checks added, whatever happened; the DELETE answers complete VBR-WRITES."""
        if state.get("role"):
            if state.get("user"):
                self.probe("PUT", "%s/%s/roles" % (USERS_PATH, state["user"]["id"]),
                           json={"roles": [self.role_model(RESTORE_OPERATOR_ID)]})
            self.probe("DELETE", "%s/%s" % (ROLES_PATH, state["role"]["id"]))
        if state.get("user"):
            path = "%s/%s" % (USERS_PATH, state["user"]["id"])
            first = self.probe("DELETE", path)
            second = self.probe("DELETE", path)
            entry = self.report.results.get("VBR-WRITES")
            if entry is not None:
                entry.setdefault("observed", {})["DELETE"] = [first.status_code, second.status_code]
                if (first.status_code, second.status_code) != (204, 404) and entry["outcome"] == kit.PASS:
                    entry["outcome"] = kit.DIFFERS
        leftover = self.client.find_user(self.test_account)
        self.report.facts["restored"] = leftover is None
