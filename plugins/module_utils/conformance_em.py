# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The live conformance checks of an Enterprise Manager (see conformance.py). One check per assumption, same ids
as the simulator's documentation (tests/simulator/EM.md, "EM assumptions")."""

import base64
import time
import uuid
from collections import OrderedDict

from ansible_collections.backupops.veeam.plugins.module_utils import conformance as kit
from ansible_collections.backupops.veeam.plugins.module_utils.em_accounts import HIERARCHY_REF, UUID_LIKE, href_id
from ansible_collections.backupops.veeam.plugins.module_utils.em_client import (
    ACCOUNTS_PATH, LIST_KEYS, ROLES_PATH, SESSION_HEADER, TASKS_PATH, list_member, task_finished)

BACKUP_SERVERS_PATH = "/api/backupServers"
PROBE_STATUSES = (200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 415, 500)
DOCUMENTED_ROLES = ("Portal Administrator", "Portal User", "VM Restore Operator", "File Restore Operator",
                    "Exchange Restore Operator", "Oracle Restore Operator", "SQL Restore Operator")
ENTITY_KEYS = ("AccountType", "AllowRestoreAllVms", "FlrSettings", "SqlSettings")
SCOPE_KEYS = ("Name", "HierarchyRootName", "Platform", "HierarchyObjectType")
ACCOUNTS_READ_AT_MOST = 10

CHECKS = OrderedDict([
    ("EM-SESSIONS", "Logon answers 201 with X-RestSvcSessionId (and LogonSession{SessionId}); an unknown session "
                    "is answered 401"),
    ("EM-PERMISSIONS", "A Portal Administrator reads /api/security/accounts and /api/security/roles"),
    ("EM-ROLES", "The REST API has seven roles, Portal Administrator, Portal User and five restore operators, with "
                 "UIDs urn:veeam:EnterpriseRole:<id>"),
    ("EM-LIST-KEYS", "JSON lists hold their items in Refs / EnterpriseAccountInRoles / "
                     "EnterpriseAccountHierarchyScopes, or the item names, or as the only list of the object"),
    ("EM-ENTITY", "An account entity (?format=Entity) has AccountType, AllowRestoreAllVms, FlrSettings, SqlSettings "
                  "and no Roles"),
    ("EM-SCOPE-ITEMS", "Restore scope items carry Name, HierarchyRootName, Platform, HierarchyObjectType (and "
                       "State), no HierarchyObjRef"),
    ("EM-SCOPE-ROOT", "HierarchyRootName holds the hierarchy root's id or the vCenter host name"),
    ("EM-ERRORS", "An unknown id is answered 404 with a JSON error {Message, StatusCode}"),
    ("EM-FORMAT-ENTITY", "?format=Entity on /security/accounts is ignored: references come back"),
    ("EM-TASKS", "GET /api/tasks lists the session's tasks"),
    ("EM-TASK-STATE", "A finished task's State is Finished or OperationFinished, with Result{Success}"),
    ("EM-BACKUP-SERVERS", "GET /api/backupServers lists the backup servers as references"),
    ("EM-HREFS", "Hrefs name the server the request went to"),
    ("EM-BOOLEANS", "Booleans may be sent as JSON booleans or strings (the collection sends JSON booleans)"),
    ("EM-XML-ORDER", "XML bodies are read in the XSD's element order (the collection sends JSON)"),
    ("EM-NAMES", "User and Group names must be DOMAIN\\name: another form is answered 400"),
    ("EM-WRITES", "POST account 201 without a body, POST roles 201, DELETE roles 204 (not the last: 400), no PUT "
                  "(405), DELETE account 204"),
    ("EM-TOGGLE", "POST /accounts/{id} without a body toggles AllowRestoreAllVms; turning it off without a restore "
                  "scope is refused (400)"),
    ("EM-SCOPE-ADD-STATUS", "POST /accounts/{id}/scopes answers 201 (or 202)"),
])


def list_reading(data, kind):
    """Which of the readings of EM's list keys ``data`` is in: documented, item-names, single-list, other."""
    keys = LIST_KEYS[kind]
    if isinstance(data, list):
        return "bare-list"
    if not isinstance(data, dict):
        return "other"
    if keys[0] in data:
        return "documented"
    if any(key in data for key in keys[1:]):
        return "item-names"
    lists = [key for key, value in data.items() if isinstance(value, list) and key != "Links"]
    return "single-list" if len(lists) == 1 else "other"


class EmConformance(object):
    """The checks against one Enterprise Manager through ``client`` (an EmClient)."""

    def __init__(self, client, write=False, test_account=None, scope_ref=None, scope_name=None, check_mode=False):
        self.client = client
        self.write = write and not check_mode
        self.test_account = test_account
        self.scope_ref = scope_ref
        self.scope_name = scope_name
        self.check_mode = check_mode
        self.report = kit.Report("em", CHECKS)
        self.roles = []
        self.wrote = False
        self.readings = {}

    def probe(self, method, path, params=None, json=None):
        return self.client.request(method, path, params=params, json=json, accept_statuses=PROBE_STATUSES)

    def record(self, check_id, outcome, **details):
        self.report.record(check_id, outcome, **details)

    def items(self, path, kind):
        data = self.probe("GET", path).json()
        self.readings.setdefault(kind, set()).add(list_reading(data, kind))
        return self.client_list(data, kind, path)

    def client_list(self, data, kind, path):
        return list_member(data, LIST_KEYS[kind], "GET %s" % path, self.client.server)

    # ------------------------------------------------------------------ run
    def run(self):
        for check_id, function in (("EM-SESSIONS", self.check_sessions), ("EM-PERMISSIONS", self.check_permissions),
                                   ("EM-ROLES", self.check_roles), ("EM-ENTITY", self.check_accounts),
                                   ("EM-ERRORS", self.check_errors), ("EM-FORMAT-ENTITY", self.check_format_entity),
                                   ("EM-TASKS", self.check_tasks), ("EM-BACKUP-SERVERS", self.check_backup_servers)):
            kit.run_check(self.report, check_id, function)
        self.record("EM-BOOLEANS", kit.INFO, note="not relied on: the collection sends JSON booleans")
        self.record("EM-XML-ORDER", kit.INFO, note="not relied on: the collection sends JSON")
        if self.write:
            self.run_writes()
        self.record_list_keys()
        reason = ("check mode: no write check ran" if self.check_mode else
                  "read-only run: the write checks need write: true and a throw-away test_account")
        self.report.skip_missing(reason)
        return self.report.as_dict()

    def record_list_keys(self):
        readings = dict((kind, sorted(found)) for kind, found in self.readings.items())
        if not readings:
            return
        unknown = [kind for kind, found in readings.items() if "other" in found]
        flat = sorted(set(reading for found in readings.values() for reading in found))
        self.record("EM-LIST-KEYS", kit.DIFFERS if unknown else kit.PASS, reading=",".join(flat),
                    observed=readings)

    # ------------------------------------------------------------------ read-only checks
    def check_sessions(self):
        self.client.logon()
        facts = dict(self.client.logon_facts)
        bogus = base64.b64encode(uuid.uuid4().hex.encode()).decode()
        cookies = self.client.transport.session.cookies  # EM lets a session cookie win over the header: leave it out
        saved = cookies.copy()
        cookies.clear()
        try:
            response = self.client.transport.request("GET", ACCOUNTS_PATH, accept_statuses=PROBE_STATUSES,
                                                     headers={SESSION_HEADER: bogus, "Accept": "application/json"})
        finally:
            cookies.update(saved)
        facts["unknown_session"] = response.status_code
        facts["unknown_session_www_authenticate"] = bool(response.headers.get("WWW-Authenticate"))
        ok = facts.get("status") == 201 and "SessionId" in facts.get("body_keys", []) and response.status_code == 401
        self.record("EM-SESSIONS", kit.PASS if ok else kit.DIFFERS, observed=facts)

    def check_permissions(self):
        statuses = dict((path, self.probe("GET", path).status_code) for path in (ACCOUNTS_PATH, ROLES_PATH))
        self.record("EM-PERMISSIONS", kit.PASS if set(statuses.values()) == {200} else kit.DIFFERS,
                    observed={"statuses": statuses})

    def check_roles(self):
        refs = self.items(ROLES_PATH, "references")
        names = set(str(ref.get("Name")) for ref in refs)
        uids_ok = all(kit.string_kind(str(ref.get("UID"))) == "urn:veeam:EnterpriseRole:<id>" for ref in refs)
        self.roles = refs
        observed = {"roles": len(refs), "documented_names_present": sorted(set(DOCUMENTED_ROLES) & names),
                    "other_roles": len(names - set(DOCUMENTED_ROLES)), "uids_as_documented": uids_ok,
                    "shape": kit.shape(refs[:2])}
        ok = set(DOCUMENTED_ROLES) <= names and uids_ok
        self.record("EM-ROLES", kit.PASS if ok else kit.DIFFERS, observed=observed)

    def check_accounts(self):
        refs = self.items(ACCOUNTS_PATH, "references")
        entities, scopes = [], []
        for ref in refs[:ACCOUNTS_READ_AT_MOST]:
            account_path = "%s/%s" % (ACCOUNTS_PATH, str(ref.get("UID", "")).rsplit(":", 1)[-1])
            entities.append(self.probe("GET", account_path, params={"format": "Entity"}).json())
            self.items(account_path + "/roles", "account roles")
            scopes.extend(self.items(account_path + "/scopes", "account scopes"))
        self.judge_entities(entities)
        self.judge_scopes(scopes, "existing accounts")
        self.judge_hrefs(refs)

    def judge_entities(self, entities):
        if not entities:
            self.record("EM-ENTITY", kit.SKIP, note="no account to read")
            return
        missing = sorted(set(key for entity in entities for key in ENTITY_KEYS if key not in (entity or {})))
        with_roles = sum(1 for entity in entities if "Roles" in (entity or {}))
        self.record("EM-ENTITY", kit.PASS if not missing else kit.DIFFERS,
                    reading="with Roles" if with_roles else "without Roles",
                    observed={"accounts_read": len(entities), "keys_missing": missing,
                              "shape": kit.shape(entities[0])})

    def judge_scopes(self, scopes, source):
        if not scopes:
            if "EM-SCOPE-ITEMS" not in self.report.results:
                self.record("EM-SCOPE-ITEMS", kit.SKIP, note="no restore scope item to read (%s)" % source)
                self.record("EM-SCOPE-ROOT", kit.SKIP, note="no restore scope item to read (%s); the write checks "
                                                            "read one when scope_ref is given" % source)
            return
        missing = sorted(set(key for item in scopes for key in SCOPE_KEYS if key not in item))
        with_ref = sum(1 for item in scopes if "HierarchyObjRef" in item)
        self.record("EM-SCOPE-ITEMS", kit.PASS if not missing else kit.DIFFERS,
                    observed={"items": len(scopes), "keys_missing": missing, "with_HierarchyObjRef": with_ref,
                              "shape": kit.shape(scopes[:2]), "source": source})
        roots = [str(item.get("HierarchyRootName") or "") for item in scopes]
        kinds = sorted(set("id" if UUID_LIKE.match(root) else ("empty" if not root else "host name")
                           for root in roots))
        self.record("EM-SCOPE-ROOT", kit.PASS if "empty" not in kinds else kit.DIFFERS, reading=",".join(kinds),
                    observed={"items": len(roots), "source": source})

    def judge_hrefs(self, refs):
        server_host = self.client.server.split("://", 1)[-1].split("/", 1)[0].lower()
        hrefs = [str(ref.get("Href") or "") for ref in refs if ref.get("Href")]
        same = sum(1 for href in hrefs if href.split("://", 1)[-1].split("/", 1)[0].lower() == server_host)
        self.record("EM-HREFS", kit.INFO, reading="request host" if hrefs and same == len(hrefs) else "other host",
                    observed={"hrefs": len(hrefs), "naming_the_request_host": same},
                    note="the collection reads ids from Hrefs, never the host")

    def check_errors(self):
        response = self.probe("GET", "%s/%s" % (ACCOUNTS_PATH, uuid.uuid4()), params={"format": "Entity"})
        observed = kit.answer_observed(response)
        body = observed.get("body")
        ok = response.status_code == 404 and isinstance(body, dict) and "Message" in body and "StatusCode" in body
        self.record("EM-ERRORS", kit.PASS if ok else kit.DIFFERS, observed=observed)

    def check_format_entity(self):
        data = self.probe("GET", ACCOUNTS_PATH, params={"format": "Entity"}).json()
        reading = list_reading(data, "references")
        self.record("EM-FORMAT-ENTITY", kit.PASS if reading != "other" else kit.DIFFERS, reading=reading,
                    observed=kit.shape(data) if isinstance(data, dict) else None)

    def check_tasks(self):
        response = self.probe("GET", TASKS_PATH)
        data = response.json() if response.status_code == 200 else None
        ok = response.status_code == 200 and list_reading(data, "references") != "other"
        self.record("EM-TASKS", kit.PASS if ok else kit.DIFFERS,
                    observed={"status": response.status_code, "shape": kit.shape(data)})

    def check_backup_servers(self):
        response = self.probe("GET", BACKUP_SERVERS_PATH)
        data = response.json() if response.status_code == 200 else None
        reading = list_reading(data, "references")
        servers = len(self.client_list(data, "references", BACKUP_SERVERS_PATH)) if reading != "other" else None
        self.record("EM-BACKUP-SERVERS", kit.PASS if reading != "other" else kit.DIFFERS, reading=reading,
                    observed={"status": response.status_code, "servers": servers})

    # ------------------------------------------------------------------ write checks
    def run_writes(self):
        if not self.test_account:
            self.report.skip_missing("write: true needs test_account, a throw-away DOMAIN\\name account")
            return
        if self.client.find_account(self.test_account) is not None:
            self.report.skip_missing("test_account already has an Enterprise Manager account: the kit only works "
                                     "with an account it can add and remove")
            return
        state = {"account": None}
        try:
            kit.run_check(self.report, "EM-NAMES", self.check_names)
            kit.run_check(self.report, "EM-WRITES", self.check_writes, state)
            if state["account"]:
                kit.run_check(self.report, "EM-TOGGLE", self.check_toggle, state)
                kit.run_check(self.report, "EM-TASK-STATE", self.check_task_state)
        finally:
            self.restore(state)

    def role_uid(self, name):
        return next((ref.get("UID") for ref in self.roles if str(ref.get("Name")).casefold() == name.casefold()),
                    None)

    def check_names(self):
        name = kit.throwaway_name("no-backslash")
        spec = {"AccountType": "User", "AccountName": name, "AllowRestoreAllVms": True,
                "Roles": {"EnterpriseRoles": [{"EnterpriseRoleUid": self.role_uid("Portal User")}]}}
        response = self.probe("POST", ACCOUNTS_PATH, json=spec)
        self.wrote = True
        if response.status_code < 300:
            created = self.client.find_account(name)
            if created:
                self.client.delete_account(created["id"])
        self.record("EM-NAMES", kit.PASS if response.status_code == 400 else kit.DIFFERS,
                    observed=kit.answer_observed(response))

    def check_writes(self, state):
        observed = {}
        spec = {"AccountType": "User", "AccountName": self.test_account, "AllowRestoreAllVms": True,
                "Roles": {"EnterpriseRoles": [{"EnterpriseRoleUid": self.role_uid("Portal User")}]}}
        created = self.probe("POST", ACCOUNTS_PATH, json=spec)
        self.wrote = True
        observed["POST account"] = kit.answer_observed(created)
        account = self.client.find_account(self.test_account)
        if account is None:
            self.record("EM-WRITES", kit.DIFFERS, observed=observed, note="the account was not listed after POST")
            return
        state["account"] = account
        path = "%s/%s" % (ACCOUNTS_PATH, account["id"])
        added = self.probe("POST", path + "/roles", json={"EnterpriseRoleUid": self.role_uid("VM Restore Operator")})
        observed["POST role"] = kit.answer_observed(added)
        roles = self.items(path + "/roles", "account roles")
        vm_role = next((href_id(item.get("Href")) for item in roles
                        if str(item.get("RoleName")).casefold() == "vm restore operator"), None)
        removed = self.probe("DELETE", "%s/roles/%s" % (path, vm_role)) if vm_role else None
        observed["DELETE role"] = removed.status_code if removed is not None else None
        portal = next((href_id(item.get("Href")) for item in roles
                       if str(item.get("RoleName")).casefold() == "portal user"), None)
        last = self.probe("DELETE", "%s/roles/%s" % (path, portal)) if portal else None
        observed["DELETE last role"] = last.status_code if last is not None else None
        put = self.probe("PUT", path, json={"AccountName": self.test_account})
        observed["PUT account"] = put.status_code
        created_ok = created.status_code == 201 and not created.content and added.status_code == 201
        ok = created_ok and (observed["DELETE role"], observed["DELETE last role"], put.status_code) == (204, 400, 405)
        self.record("EM-WRITES", kit.PASS if ok else kit.DIFFERS, observed=observed,
                    note="DELETE account 204 is checked when the account is removed")

    def check_toggle(self, state):
        path = "%s/%s" % (ACCOUNTS_PATH, state["account"]["id"])
        observed = {}
        if not self.scope_ref:
            refused = self.probe("POST", path)
            observed["toggle without a scope"] = refused.status_code
            self.record("EM-TOGGLE", kit.PASS if refused.status_code == 400 else kit.DIFFERS, observed=observed)
            self.record("EM-SCOPE-ADD-STATUS", kit.SKIP, note="needs scope_ref (and scope_name), an object the "
                                                              "throw-away account may briefly restore")
            return
        parts = HIERARCHY_REF.match(self.scope_ref)
        if not parts:
            self.record("EM-SCOPE-ADD-STATUS", kit.SKIP, note="scope_ref is not a hierarchy reference")
            return
        added = self.probe("POST", path + "/scopes", json={"HierarchyScopeItems": [
            {"HierarchyObjRef": self.scope_ref, "ObjectName": self.scope_name or "conformance check"}]})
        self.record("EM-SCOPE-ADD-STATUS", kit.PASS if added.status_code in (201, 202) else kit.DIFFERS,
                    reading=str(added.status_code), observed=kit.answer_observed(added))
        self.judge_scopes(self.items(path + "/scopes", "account scopes"), "the throw-away account")
        before = self.probe("GET", path, params={"format": "Entity"}).json().get("AllowRestoreAllVms")
        toggled = self.probe("POST", path)
        after = self.probe("GET", path, params={"format": "Entity"}).json().get("AllowRestoreAllVms")
        back = self.probe("POST", path)
        observed.update({"toggle": toggled.status_code, "flipped": str(before).lower() != str(after).lower(),
                         "toggle back": back.status_code})
        ok = toggled.status_code == 204 and observed["flipped"] and back.status_code == 204
        self.record("EM-TOGGLE", kit.PASS if ok else kit.DIFFERS, observed=observed)

    def check_task_state(self):
        task = self.probe("POST", ACCOUNTS_PATH, params={"action": "rebuildScope"},
                          json={"RebuildForCurrentUser": {}}).json()
        deadline = time.time() + 120
        states = [str(task.get("State"))]
        while not task_finished(task) and time.time() < deadline:
            time.sleep(1)
            task = self.probe("GET", "%s/%s" % (TASKS_PATH, task.get("TaskId"))).json()
            states.append(str(task.get("State")))
        state = str(task.get("State"))
        result = task.get("Result") or {}
        self.record("EM-TASK-STATE", kit.PASS if task_finished(task) and "Success" in result else kit.DIFFERS,
                    reading=kit.string_kind(state),
                    observed={"states_seen": sorted(set(kit.string_kind(item) for item in states)),
                              "result": kit.shape(result)})

    def restore(self, state):
        if state.get("account"):
            path = "%s/%s" % (ACCOUNTS_PATH, state["account"]["id"])
            first = self.probe("DELETE", path)
            entry = self.report.results.get("EM-WRITES")
            if entry is not None:
                entry.setdefault("observed", {})["DELETE account"] = first.status_code
                if first.status_code != 204 and entry["outcome"] == kit.PASS:
                    entry["outcome"] = kit.DIFFERS
        self.report.facts["restored"] = self.client.find_account(self.test_account) is None
