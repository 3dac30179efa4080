"""A simulated Veeam Backup Enterprise Manager: logon sessions, security accounts and roles, tasks.

Follows Veeam's EM REST documentation of build 13.0.1 (../shared/reference) and the element order of the
EM XSD; JSON when the client sends ``Accept: application/json``, XML otherwise. What the docs do not
say is listed under "Assumptions" in README.md.
"""

import base64
import re
import time
import uuid
import xml.etree.ElementTree as ET

from .base import App, BadBody, Response, UUID_RE

NAMESPACE = "http://www.veeam.com/ent/v1.0"
RESTORE_OPERATOR_ROLE_ID = "f84a8b62-49b8-4d0c-b25b-92321b52bab6"
ROLES = [
    ("9cc1f2a7-3f0e-4a7c-9b61-1f2d3e4c5b6a", "Portal Administrator"),
    ("2d7e6c5b-4a39-4281-9f0e-8d7c6b5a4f3e", "Portal User"),
    (RESTORE_OPERATOR_ROLE_ID, "Restore Operator"),
    ("6b5a4f3e-2d1c-4b0a-8f9e-7d6c5b4a3f2e", "File Restore Operator"),
    ("7c6b5a4f-3e2d-4c1b-9a0f-8e7d6c5b4a3f", "VM Restore Operator"),
    ("8d7c6b5a-4f3e-4d2c-8b1a-9f8e7d6c5b4a", "Exchange Restore Operator"),
    ("9e8d7c6b-5a4f-4e3d-9c2b-0a9f8e7d6c5b", "SQL Restore Operator"),
    ("0f9e8d7c-6b5a-4f4e-8d3c-1b0a9f8e7d6c", "Oracle Restore Operator"),
]
PORTAL_ADMIN_ROLE_ID = ROLES[0][0]
ACCOUNT_TYPES = ("User", "Group", "ExternalUser", "ExternalGroup")
NAME_RULES = {
    "User": (re.compile(r"^[^\\\s][^\\]*\\[^\\]+$"), "DOMAIN\\Name, for example TECH\\william.fox"),
    "Group": (re.compile(r"^[^\\\s][^\\]*\\[^\\]+$"), "DOMAIN\\Name, for example TECH\\Restore Operators"),
    "ExternalUser": (re.compile(r"^[^@\s]+@[^@\s]+$"), "Username@Suffix, for example william.fox@tech.com"),
    "ExternalGroup": (re.compile(r"\S"), "any non-empty text"),
}
LIST_TAGS = {"EnterpriseRole": "EnterpriseRoles", "HierarchyScopeItem": "HierarchyScopeItems", "Link": "Links",
             "Ref": "Refs"}
ATTRIBUTES = ("UID", "Name", "Href", "Type", "Rel", "Success", "StatusCode", "Status")
REBUILD_KINDS = ("RebuildAll", "RebuildUnprocessed", "RebuildForCurrentUser")
ACCOUNTS = "/api/security/accounts"

ROUTES = [
    ("POST", r"/api/sessionMngr", "logon"),
    ("DELETE", r"/api/logonSessions/{id}", "logout"),
    ("GET", ACCOUNTS, "list_accounts"),
    ("POST", ACCOUNTS, "create_account"),
    ("GET", ACCOUNTS + "/{id}", "get_account"),
    ("POST", ACCOUNTS + "/{id}", "toggle_restore_all"),
    ("DELETE", ACCOUNTS + "/{id}", "delete_account"),
    ("GET", ACCOUNTS + "/{id}/roles", "list_account_roles"),
    ("POST", ACCOUNTS + "/{id}/roles", "add_account_role"),
    ("DELETE", ACCOUNTS + "/{id}/roles/{sub}", "remove_account_role"),
    ("GET", ACCOUNTS + "/{id}/scopes", "list_account_scopes"),
    ("POST", ACCOUNTS + "/{id}/scopes", "add_account_scope"),
    ("DELETE", ACCOUNTS + "/{id}/scopes/{sub}", "remove_account_scope"),
    ("GET", r"/api/security/roles", "list_roles"),
    ("GET", r"/api/security/roles/{id}", "get_role"),
    ("GET", r"/api/tasks/{id}", "get_task"),
    ("GET", r"/api/backupServers", "list_backup_servers"),
    ("GET", r"/api/backupServers/{id}", "get_backup_server"),
]
COMPILED = [(method, re.compile("^" + path.replace("{id}", "(?P<id>[^/]+)").replace("{sub}", "(?P<sub>[^/]+)") + "$"),
             path, name) for method, path, name in ROUTES]


class EmError(Exception):
    def __init__(self, status, message):
        Exception.__init__(self, message)
        self.status, self.message = status, message


STATUS_NAMES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
                409: "Conflict", 500: "InternalServerError", 503: "ServiceUnavailable"}


class EmApp(App):
    """The simulated Enterprise Manager. ``config`` is the simulator's SimConfig."""

    name = "em"

    def __init__(self, config):
        App.__init__(self)
        self.config = config
        self.backup_servers = []
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self):
        with self.lock:
            self.sessions = {}
            self.issued_secrets = set()
            self.tasks = {}
            self.task_counter = 0
            self.task_outcome = {"success": True, "message": None, "duration": self.config.task_duration}
            self.credentials = {self.config.username.casefold(): self.config.password,
                                "tech\\sheila.d.cory": self.config.password}
            self.accounts = {}
            self._add_account(self.config.username, "User", [PORTAL_ADMIN_ROLE_ID], True)
            self._add_account("BUILTIN\\Administrators", "Group", [PORTAL_ADMIN_ROLE_ID], True)
            fox = self._add_account("TECH\\william.fox", "User", [RESTORE_OPERATOR_ROLE_ID], False)
            fox["scopes"].append({"id": str(uuid.uuid4()), "ref": "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-1023",
                                  "name": "web-srv-01"})
            self.credentials["tech\\william.fox"] = self.config.password

    def _add_account(self, name, account_type, role_ids, allow_all, flr=None, sql=None):
        account = {"id": str(uuid.uuid4()), "name": name, "type": account_type, "roles": list(role_ids),
                   "allow_all": bool(allow_all), "scopes": [], "flr": flr, "sql": sql}
        self.accounts[account["id"]] = account
        return account

    def set_backup_servers(self, servers):
        with self.lock:
            self.backup_servers = [dict(server, id=str(uuid.uuid5(uuid.NAMESPACE_URL, server["rest_url"])))
                                   for server in servers]

    def snapshot(self):
        with self.lock:
            return {"accounts": [dict(account, scopes=[dict(s) for s in account["scopes"]])
                                 for account in self.accounts.values()]}

    def restore(self, data):
        with self.lock:
            self.accounts = {account["id"]: dict(account) for account in data.get("accounts", [])}

    # ------------------------------------------------------------------ routing and formats
    def route_template(self, method, path):
        for _method, pattern, template, _name in COMPILED:
            if pattern.match(path):
                return template
        return UUID_RE.sub("{id}", path)

    def request_kind(self, method, path):
        if path == "/api/sessionMngr":
            return "logon"
        if path.startswith("/api/logonSessions/"):
            return "logout"
        return App.request_kind(self, method, path)

    def error_response(self, status, message, wants_json=True):
        body = {"FirstChanceExceptionMessage": None, "StackTrace": None, "Message": message, "StatusCode": status,
                "Status": STATUS_NAMES.get(status, "Error")}
        if wants_json:
            return Response.json(status, body)
        return Response(status, to_xml("Error", body), content_type="application/xml; charset=utf-8")

    def handle(self, request):
        wants_json = "json" in (request.headers.get("Accept") or "").lower()
        try:
            with self.lock:
                status, body, root, headers = self._handle(request)
        except EmError as error:
            return self.error_response(error.status, error.message, wants_json)
        if body is None:
            return Response.empty(status, headers)
        if wants_json:
            return Response.json(status, body, headers)
        return Response(status, to_xml(root, body), headers, "application/xml; charset=utf-8")

    def _handle(self, request):
        name, params, known = self._route(request)
        if name is None:
            raise EmError(405 if known else 404, "The requested resource %s does not support %s." % (
                request.path, request.method) if known else "Resource %s was not found." % request.path)
        if name == "logon":
            return self.op_logon(request)
        session = self._session(request)
        return getattr(self, "op_" + name)(request, session, **params)

    def _route(self, request):
        known = False
        for method, pattern, _template, name in COMPILED:
            match = pattern.match(request.path)
            if match:
                known = True
                if method == request.method:
                    return name, match.groupdict(), True
        return None, {}, known

    def _base(self, request):
        scheme = "http" if self.config.no_tls else "https"
        return "%s://%s/api" % (scheme, request.headers.get("Host") or "localhost")

    def _body(self, request):
        if not request.body:
            return {}
        if "xml" in request.content_type():
            return from_xml(request.body)
        data = request.json()
        if not isinstance(data, dict):
            raise EmError(400, "The request body must be an object.")
        return data

    # ------------------------------------------------------------------ sessions
    def op_logon(self, request):
        username, password = _basic_credentials(request)
        if username is None or self.credentials.get(username.casefold()) != password:
            raise EmError(401, "Authentication failed: invalid user name or password.")
        session_id = str(uuid.uuid4())
        header = base64.b64encode(session_id.encode()).decode()
        self.sessions[header] = {"id": session_id, "user": username, "seen": time.time()}
        self.issued_secrets.update((session_id, header))
        base = self._base(request)
        body = {"Links": [{"Rel": "Down", "Href": base + "/", "Type": "EnterpriseManager"},
                          {"Rel": "Delete", "Href": "%s/logonSessions/%s" % (base, session_id), "Type": "LogonSession"}],
                "UserName": username, "SessionId": session_id,
                "Href": "%s/logonSessions/%s" % (base, session_id), "Type": "LogonSession"}
        return 201, body, "LogonSession", {"X-RestSvcSessionId": header}

    def _session(self, request):
        header = request.headers.get("X-RestSvcSessionId") or ""
        session = self.sessions.get(header)
        if session is None:
            raise EmError(401, "Unauthorized: the logon session is missing, expired or was closed.")
        if time.time() - session["seen"] > self.config.em_session_ttl:
            del self.sessions[header]
            raise EmError(401, "Unauthorized: the logon session has expired.")
        session["seen"] = time.time()
        session["header"] = header
        return session

    def op_logout(self, request, session, id):
        if id != session["id"]:
            raise EmError(404, "Logon session %s was not found." % id)
        del self.sessions[session["header"]]
        return 204, None, None, {}

    # ------------------------------------------------------------------ accounts
    def _account(self, account_id):
        account = self.accounts.get(account_id)
        if account is None:
            raise EmError(404, "Account %s was not found." % account_id)
        return account

    def _account_ref(self, account, base):
        href = "%s/security/accounts/%s" % (base, account["id"])
        return {"Links": [{"Rel": "Alternate", "Href": href + "?format=Entity", "Type": "EnterpriseAccount"}],
                "UID": "urn:veeam:EnterpriseAccount:%s" % account["id"], "Name": account["name"], "Href": href,
                "Type": "EnterpriseAccountReference"}

    def _account_entity(self, account, base):
        href = "%s/security/accounts/%s" % (base, account["id"])
        entity = {"Links": [{"Rel": "Alternate", "Href": href, "Type": "EnterpriseAccountReference"},
                            {"Rel": "Down", "Href": href + "/roles", "Type": "EnterpriseAccountInRoleList"},
                            {"Rel": "Down", "Href": href + "/scopes", "Type": "EnterpriseAccountHierarchyScopeList"},
                            {"Rel": "Delete", "Href": href, "Type": "EnterpriseAccount"}],
                  "AccountType": account["type"],
                  "Roles": {"EnterpriseRoles": [self._role_entity(role_id, base) for role_id in account["roles"]]},
                  "AllowRestoreAllVms": account["allow_all"],
                  "FlrSettings": {"FlrInplaceOnly": bool((account["flr"] or {}).get("inplace_only", False)),
                                  "FlrExtentionRestrictions": (account["flr"] or {}).get("extensions", "")},
                  "SqlSettings": {"DenyInPlaceRestore": bool((account["sql"] or {}).get("deny_in_place", False))},
                  "UID": "urn:veeam:EnterpriseAccount:%s" % account["id"], "Name": account["name"],
                  "Href": href + "?format=Entity", "Type": "EnterpriseAccount"}
        return entity

    def op_list_accounts(self, request, session):
        base = self._base(request)
        if (request.arg("format") or "").lower() == "entity":
            return 200, {"EnterpriseAccounts": [self._account_entity(a, base) for a in self.accounts.values()]}, \
                "EnterpriseAccounts", {}
        return 200, {"Refs": [self._account_ref(a, base) for a in self.accounts.values()]}, "EntityReferences", {}

    def op_get_account(self, request, session, id):
        account, base = self._account(id), self._base(request)
        if (request.arg("format") or "").lower() == "entity":
            return 200, self._account_entity(account, base), "EnterpriseAccount", {}
        return 200, self._account_ref(account, base), "EntityRef", {}

    def op_create_account(self, request, session):
        if (request.arg("action") or "").lower() == "rebuildscope":
            return self._rebuild_scope(request, session)
        spec = self._body(request)
        account_type = spec.get("AccountType")
        if account_type not in ACCOUNT_TYPES:
            raise EmError(400, "AccountType must be one of %s." % ", ".join(ACCOUNT_TYPES))
        name = spec.get("AccountName") or ""
        rule, example = NAME_RULES[account_type]
        if not rule.search(name):
            raise EmError(400, "AccountName %r is not valid for a %s account: use %s." % (name, account_type, example))
        if any(a["name"].casefold() == name.casefold() for a in self.accounts.values()):
            raise EmError(409, "Account %s already exists." % name)
        role_ids = [self._role_id(item.get("EnterpriseRoleUid")) for item in _items(spec.get("Roles"), "EnterpriseRole")]
        if not role_ids:
            raise EmError(400, "At least one role must be specified in Roles.")
        allow_all = _bool(spec.get("AllowRestoreAllVms", True))
        scopes = [_scope(item) for item in _items(spec.get("HierarchyScopeObjects"), "HierarchyScopeItem")]
        if not allow_all and not scopes:
            raise EmError(400, "HierarchyScopeObjects must be specified when AllowRestoreAllVms is false.")
        flr = spec.get("FlrSettings")
        sql = spec.get("SqlSettings")
        account = self._add_account(name, account_type, role_ids, allow_all,
                                    flr={"inplace_only": _bool(flr.get("FlrInplaceOnly")),
                                         "extensions": flr.get("FlrExtentionRestrictions") or ""} if flr else None,
                                    sql={"deny_in_place": _bool(sql.get("DenyInPlaceRestore"))} if sql else None)
        account["scopes"] = scopes
        return 201, None, None, {}

    def op_delete_account(self, request, session, id):
        self._account(id)
        del self.accounts[id]
        return 204, None, None, {}

    def op_toggle_restore_all(self, request, session, id):
        account = self._account(id)
        if account["allow_all"] and not account["scopes"]:
            raise EmError(400, "Add a restore scope to the account before turning off AllowRestoreAllVms.")
        account["allow_all"] = not account["allow_all"]
        return 204, None, None, {}

    # ------------------------------------------------------------------ account roles and scopes
    def op_list_account_roles(self, request, session, id):
        account, base = self._account(id), self._base(request)
        items = [{"Links": [{"Rel": "Delete", "Href": "%s/security/accounts/%s/roles/%s" % (base, id, role_id),
                             "Type": "EnterpriseAccountInRole"}],
                  "RoleName": self._role_name(role_id),
                  "Href": "%s/security/accounts/%s/roles/%s" % (base, id, role_id), "Type": "EnterpriseAccountInRole"}
                 for role_id in account["roles"]]
        return 200, {"EnterpriseAccountInRoles": items}, "EnterpriseAccountInRoleList", {}

    def op_add_account_role(self, request, session, id):
        account = self._account(id)
        role_id = self._role_id(self._body(request).get("EnterpriseRoleUid"))
        if role_id in account["roles"]:
            raise EmError(409, "The account already has the role %s." % self._role_name(role_id))
        account["roles"].append(role_id)
        return 201, None, None, {}

    def op_remove_account_role(self, request, session, id, sub):
        account = self._account(id)
        role_id = _uuid_of(sub)
        if role_id not in account["roles"]:
            raise EmError(404, "The account has no role %s." % sub)
        if len(account["roles"]) == 1:
            raise EmError(400, "Cannot remove the last role of an account: an account must have at least one role.")
        account["roles"].remove(role_id)
        return 204, None, None, {}

    def op_list_account_scopes(self, request, session, id):
        account, base = self._account(id), self._base(request)
        items = [{"Links": [{"Rel": "Delete", "Href": "%s/security/accounts/%s/scopes/%s" % (base, id, scope["id"]),
                             "Type": "EnterpriseAccountHierarchyScope"}],
                  "Name": scope["name"], "HierarchyObjRef": scope["ref"], "HierarchyRootName": _root_name(scope["ref"]),
                  "Platform": _platform(scope["ref"]), "HierarchyObjectType": _object_type(scope["ref"]),
                  "State": "Processed", "Href": "%s/security/accounts/%s/scopes/%s" % (base, id, scope["id"]),
                  "Type": "EnterpriseAccountHierarchyScope"}
                 for scope in account["scopes"]]
        return 200, {"EnterpriseAccountHierarchyScopes": items}, "EnterpriseAccountHierarchyScopeList", {}

    def op_add_account_scope(self, request, session, id):
        account = self._account(id)
        items = [_scope(item) for item in _items(self._body(request), "HierarchyScopeItem")]
        if not items:
            raise EmError(400, "At least one HierarchyScopeItem must be specified.")
        known = set(scope["ref"].casefold() for scope in account["scopes"])
        account["scopes"].extend(item for item in items if item["ref"].casefold() not in known)
        return 201, None, None, {}

    def op_remove_account_scope(self, request, session, id, sub):
        account = self._account(id)
        remaining = [scope for scope in account["scopes"] if scope["id"] != sub]
        if len(remaining) == len(account["scopes"]):
            raise EmError(404, "The account has no scope %s." % sub)
        if not remaining and not account["allow_all"]:
            raise EmError(400, "Cannot remove the last restore scope while AllowRestoreAllVms is false.")
        account["scopes"] = remaining
        return 204, None, None, {}

    # ------------------------------------------------------------------ roles
    def _role_id(self, uid):
        role_id = _uuid_of(uid or "")
        if role_id not in dict(ROLES):
            raise EmError(400, "Role %s was not found." % uid)
        return role_id

    def _role_name(self, role_id):
        return dict(ROLES)[role_id]

    def _role_entity(self, role_id, base):
        href = "%s/security/roles/%s" % (base, role_id)
        return {"Links": [{"Rel": "Alternate", "Href": href, "Type": "EnterpriseRoleReference"}],
                "UID": "urn:veeam:EnterpriseRole:%s" % role_id, "Name": self._role_name(role_id),
                "Href": href + "?format=Entity", "Type": "EnterpriseRole"}

    def op_list_roles(self, request, session):
        base = self._base(request)
        refs = [{"Links": [{"Rel": "Alternate", "Href": "%s/security/roles/%s?format=Entity" % (base, role_id),
                            "Type": "EnterpriseRole"}],
                 "UID": "urn:veeam:EnterpriseRole:%s" % role_id, "Name": name,
                 "Href": "%s/security/roles/%s" % (base, role_id), "Type": "EnterpriseRoleReference"}
                for role_id, name in ROLES]
        return 200, {"Refs": refs}, "EntityReferences", {}

    def op_get_role(self, request, session, id):
        role_id = _uuid_of(id)
        if role_id not in dict(ROLES):
            raise EmError(404, "Role %s was not found." % id)
        return 200, self._role_entity(role_id, self._base(request)), "EnterpriseRole", {}

    # ------------------------------------------------------------------ rebuild scope and tasks
    def _rebuild_scope(self, request, session):
        spec = self._body(request)
        kinds = [kind for kind in REBUILD_KINDS if kind in spec]
        if len(kinds) != 1:
            raise EmError(400, "The request must contain exactly one of %s." % ", ".join(REBUILD_KINDS))
        self.task_counter += 1
        task = {"id": "task-%d" % self.task_counter, "session": session["id"], "started": time.time(),
                "duration": float(self.task_outcome["duration"]), "success": self.task_outcome["success"],
                "message": self.task_outcome["message"], "operation": "StartRebuildScope"}
        self.tasks[task["id"]] = task
        return 201, self._task_body(task, self._base(request)), "Task", {}

    def _task_body(self, task, base):
        finished = time.time() - task["started"] >= task["duration"]
        body = {"Links": [{"Rel": "Delete", "Href": "%s/tasks/%s" % (base, task["id"]), "Type": "Task"}],
                "TaskId": task["id"], "State": "Finished" if finished else "Running", "Operation": task["operation"],
                "Href": "%s/tasks/%s" % (base, task["id"]), "Type": "Task"}
        if finished:
            result = {"Success": task["success"]}
            if task["message"]:
                result["Message"] = task["message"]
            body["Result"] = result
        return body

    def op_get_task(self, request, session, id):
        task = self.tasks.get(id)
        if task is None or task["session"] != session["id"]:
            raise EmError(404, "Task %s was not found in this logon session." % id)
        return 200, self._task_body(task, self._base(request)), "Task", {}

    # ------------------------------------------------------------------ backup servers
    def _server_entity(self, server, base):
        href = "%s/backupServers/%s" % (base, server["id"])
        return {"Links": [{"Rel": "Alternate", "Href": href, "Type": "BackupServerReference"}],
                "Description": server["description"], "Port": 9392, "Version": server["version"],
                "UID": "urn:veeam:BackupServer:%s" % server["id"], "Name": server["name"],
                "Href": href + "?format=Entity", "Type": "BackupServer"}

    def op_list_backup_servers(self, request, session):
        base = self._base(request)
        if (request.arg("format") or "").lower() == "entity":
            return 200, {"BackupServers": [self._server_entity(s, base) for s in self.backup_servers]}, \
                "BackupServers", {}
        refs = [{"Links": [{"Rel": "Alternate", "Href": "%s/backupServers/%s?format=Entity" % (base, s["id"]),
                            "Type": "BackupServer"}],
                 "UID": "urn:veeam:BackupServer:%s" % s["id"], "Name": s["name"],
                 "Href": "%s/backupServers/%s" % (base, s["id"]), "Type": "BackupServerReference"}
                for s in self.backup_servers]
        return 200, {"Refs": refs}, "EntityReferences", {}

    def op_get_backup_server(self, request, session, id):
        server = next((s for s in self.backup_servers if s["id"] == _uuid_of(id)), None)
        if server is None:
            raise EmError(404, "Backup server %s was not found." % id)
        return 200, self._server_entity(server, self._base(request)), "BackupServer", {}

    # ------------------------------------------------------------------ admin endpoints
    def admin(self, request, subpath):
        body = request.json() or {}
        with self.lock:
            if subpath == "em/task-outcome" and request.method == "POST":
                self.task_outcome = {"success": bool(body.get("success", True)), "message": body.get("message"),
                                     "duration": float(body.get("duration", self.config.task_duration))}
                return Response.json(200, self.task_outcome)
            if subpath == "em/sessions" and request.method == "GET":
                return Response.json(200, {"sessions": sorted(self.issued_secrets)})
            if subpath == "em/sessions/expire" and request.method == "POST":
                count = len(self.sessions)
                self.sessions = {}
                return Response.json(200, {"expired": count})
        return None


# ---------------------------------------------------------------------- helpers
def _basic_credentials(request):
    header = request.headers.get("Authorization") or ""
    if not header.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None, None
    username, _sep, password = decoded.partition(":")
    return username, password


def _uuid_of(value):
    match = UUID_RE.search(value or "")
    return match.group(0).lower() if match else (value or "")


def _bool(value):
    return value is True or str(value).strip().lower() == "true"


def _items(container, singular):
    """The list of ``singular`` items in a container, however the client spelled it (list, plural key, one item)."""
    if not container:
        return []
    if isinstance(container, list):
        return container
    value = container.get(LIST_TAGS.get(singular, singular + "s"), container.get(singular))
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _scope(item):
    ref, name = (item or {}).get("HierarchyObjRef"), (item or {}).get("ObjectName")
    if not ref or not name:
        raise EmError(400, "Each HierarchyScopeItem needs HierarchyObjRef and ObjectName.")
    return {"id": str(uuid.uuid4()), "ref": ref, "name": name}


def _platform(ref):
    return {"vmware": "VMware", "hyperv": "HyperV", "nasbackup": "Nas"}.get(ref.split(":")[1].lower(), ref.split(":")[1]) \
        if ref.count(":") >= 2 else "Unknown"


def _object_type(ref):
    return ref.split(":")[2] if ref.count(":") >= 3 else "Unknown"


def _root_name(ref):
    return ref.split(":")[3].split(".")[0] if ref.count(":") >= 3 else ""


def to_xml(root, body):
    element = ET.Element(root, {"xmlns": NAMESPACE})
    _fill(element, body, root)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8")


def _fill(element, body, root):
    for key, value in body.items():
        if value is None:
            continue
        if key in ATTRIBUTES or (key == "Message" and root == "Error"):
            element.set(key, _text(value))
        elif key == "Links":
            links = ET.SubElement(element, "Links")
            for link in value:
                ET.SubElement(links, "Link", {k: _text(v) for k, v in link.items()})
        elif isinstance(value, list):
            child_name = next((single for single, plural in LIST_TAGS.items() if plural == key), key.rstrip("s"))
            for item in value:
                _fill(ET.SubElement(element, child_name), item, child_name)
        elif isinstance(value, dict):
            _fill(ET.SubElement(element, key), value, key)
        else:
            ET.SubElement(element, key).text = _text(value)


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def from_xml(body):
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise BadBody("request body is not valid XML: %s" % exc)
    return _element_dict(root)


def _element_dict(element):
    children = list(element)
    if not children:
        return element.text or {}
    result = {}
    for child in children:
        tag = child.tag.split("}", 1)[-1]
        value = _element_dict(child)
        if tag in LIST_TAGS:
            result.setdefault(LIST_TAGS[tag], []).append(value)
        else:
            result[tag] = value
    return result
