"""A simulated Veeam Backup Enterprise Manager (REST API on port 9398): logon sessions, security accounts with
their roles and restore scopes, roles, rebuild-scope tasks and backup servers.

Follows Veeam's EM REST documentation (build 13.0.1 / 13.1) and the element order of the EM XSD. JSON when the
request's Accept asks for it, XML otherwise; request bodies in either. What the docs do not say, and how the
simulator behaves there, is listed under "EM assumptions" in EM.md.
"""

import base64
import copy
import hashlib
import re
import time
import uuid

from . import catalog
from .base import App, BadBody, Response, UUID_RE
from .em_format import (Field, Node, entity, error_body, items_of, leaf, link, links, listing, parse_xml, reference,
                        render, resource)

SESSION_HEADER = "X-RestSvcSessionId"
WWW_AUTHENTICATE = "Basic Realm=RestSvc"
API_VERSIONS = ("v1_5", "v1_6", "v1_7")
ACCOUNT_UID = "urn:veeam:EnterpriseAccount:"
ROLE_UID = "urn:veeam:EnterpriseRole:"
SERVER_UID = "urn:veeam:BackupServer:"

# The roles of GET /security/roles in Veeam's example, with their UIDs, in the example's order.
PORTAL_USER_ID = "d19a3d33-cb77-4ffe-94e6-001432483a4e"
FILE_RESTORE_OPERATOR_ID = "f84a8b62-49b8-4d0c-b25b-92321b52bab6"
PORTAL_ADMINISTRATOR_ID = "5f37a46b-9ce2-40f4-8a62-b45b079257fc"
VM_RESTORE_OPERATOR_ID = "c11c0c38-ba8b-49c7-bf70-fc2058fff1e2"
ROLES = [
    (PORTAL_USER_ID, "Portal User"),
    ("f78a92b8-9f06-4f1e-b522-4f0927cabd0f", "SQL Restore Operator"),
    ("e9d90e66-b6d4-49dc-8986-73cf33489623", "Oracle Restore Operator"),
    (FILE_RESTORE_OPERATOR_ID, "File Restore Operator"),
    ("f83e4c81-0815-452f-9377-9d573dd9d481", "Exchange Restore Operator"),
    (PORTAL_ADMINISTRATOR_ID, "Portal Administrator"),
    (VM_RESTORE_OPERATOR_ID, "VM Restore Operator"),
]
ROLE_NAMES = dict(ROLES)

ACCOUNT_TYPES = ("User", "Group", "ExternalUser", "ExternalGroup")
USER_TYPES = ("User", "ExternalUser")
DOMAIN_NAME = re.compile(r"^[^\\\s][^\\]*\\[^\\\s][^\\]*$")
NAME_RULES = {
    "User": (DOMAIN_NAME, "the Domain\\Name format, for example TECH\\william.fox"),
    "Group": (DOMAIN_NAME, "the Domain\\Name format, for example TECH\\Restore Operators"),
    "ExternalUser": (re.compile(r"^[^@\s\\]+@[^@\s\\]+$"),
                     "the Username@Suffix format, for example william.fox@tech.com"),
    "ExternalGroup": (re.compile(r"^\S(.*\S)?$"), "a non-empty name"),
}
HIERARCHY_REF = re.compile(r"^urn:(?P<platform>[A-Za-z]+):(?P<type>[A-Za-z]+):(?P<root>[^.:\s]+)\.(?P<object>\S+)$")
PLATFORMS = {"vmware": "VMware", "hyperv": "Hyperv", "vcloud": "vCloud", "nasbackup": "NasBackup"}
REBUILD_KINDS = ("RebuildAll", "RebuildUnprocessed", "RebuildForCurrentUser")
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}

# Request types (root element and XSD element order) for XML bodies.
SCOPE_ITEM = Field("HierarchyScopeItem", "object", [Field("HierarchyObjRef"), Field("ObjectName")])
ROLE_ITEM = Field("EnterpriseRole", "object", [Field("EnterpriseRoleUid")])
CREATE_SPEC = ("EnterpriseAccountCreateSpec", [
    Field("AccountType"), Field("AccountName"),
    Field("Roles", "list", item=ROLE_ITEM, items_key="EnterpriseRoles"),
    Field("AllowRestoreAllVms"),
    Field("HierarchyScopeObjects", "list", item=SCOPE_ITEM, items_key="HierarchyScopeItems"),
    Field("FlrSettings", "object", [Field("FlrInplaceOnly"), Field("FlrExtentionRestrictions")]),
    Field("SqlSettings", "object", [Field("DenyInPlaceRestore")]),
])
ROLE_SPEC = ("EnterpriseAccountInRoleCreateSpec", [Field("EnterpriseRoleUid")])
SCOPE_SPEC = ("HierarchyScopeCreateSpec", [Field("HierarchyScopeItem", "repeat", SCOPE_ITEM.fields,
                                                 items_key="HierarchyScopeItems")])
REBUILD_SPEC = ("RebuildScopeJobSpec", [Field(kind, "empty") for kind in REBUILD_KINDS])

# Who may call what (EM's "Security Roles" page): /security is Portal Administrator only, /backupServers is
# readable by Portal Users too, tasks and logon sessions by anyone logged on.
PUBLIC, ANYONE, VIEWER, ADMIN = "public", "anyone", "viewer", "admin"
ACCESS_ROLES = {ANYONE: None, VIEWER: ("Portal Administrator", "Portal User"), ADMIN: ("Portal Administrator",)}

ACCOUNTS = "/api/security/accounts"
ROUTES = [
    ("GET", "/api", "service_root", PUBLIC),
    ("POST", "/api/sessionMngr", "logon", PUBLIC),
    ("GET", "/api/logonSessions", "list_sessions", ANYONE),
    ("GET", "/api/logonSessions/{id}", "get_session", ANYONE),
    ("DELETE", "/api/logonSessions/{id}", "logout", ANYONE),
    ("GET", "/api/security", "security", ADMIN),
    ("GET", ACCOUNTS, "list_accounts", ADMIN),
    ("POST", ACCOUNTS, "post_accounts", ADMIN),
    ("GET", ACCOUNTS + "/{id}", "get_account", ADMIN),
    ("POST", ACCOUNTS + "/{id}", "toggle_restore_all_vms", ADMIN),
    ("DELETE", ACCOUNTS + "/{id}", "delete_account", ADMIN),
    ("GET", ACCOUNTS + "/{id}/roles", "list_account_roles", ADMIN),
    ("POST", ACCOUNTS + "/{id}/roles", "add_account_role", ADMIN),
    ("GET", ACCOUNTS + "/{id}/roles/{id}", "get_account_role", ADMIN),
    ("DELETE", ACCOUNTS + "/{id}/roles/{id}", "remove_account_role", ADMIN),
    ("GET", ACCOUNTS + "/{id}/scopes", "list_account_scopes", ADMIN),
    ("POST", ACCOUNTS + "/{id}/scopes", "add_account_scopes", ADMIN),
    ("GET", ACCOUNTS + "/{id}/scopes/{id}", "get_account_scope", ADMIN),
    ("DELETE", ACCOUNTS + "/{id}/scopes/{id}", "remove_account_scope", ADMIN),
    ("GET", "/api/security/roles", "list_roles", ADMIN),
    ("GET", "/api/security/roles/{id}", "get_role", ADMIN),
    ("GET", "/api/tasks", "list_tasks", ANYONE),
    ("GET", "/api/tasks/{id}", "get_task", ANYONE),
    ("DELETE", "/api/tasks/{id}", "delete_task", ANYONE),
    ("GET", "/api/backupServers", "list_backup_servers", VIEWER),
    ("GET", "/api/backupServers/{id}", "get_backup_server", VIEWER),
]


class Route(object):
    def __init__(self, method, template, handler, access):
        self.method, self.template, self.handler, self.access = method, template, handler, access
        self.pattern = re.compile("^" + re.escape(template).replace(re.escape("{id}"), "([^/]+)") + "$")


COMPILED_ROUTES = [Route(*route) for route in ROUTES]


class EmError(Exception):
    """An answer in EM's Error shape."""

    def __init__(self, status, message, headers=None):
        Exception.__init__(self, message)
        self.status, self.message, self.headers = status, message, dict(headers or {})


def unauthorized(message):
    return EmError(401, message, {"WWW-Authenticate": WWW_AUTHENTICATE})


class EmApp(App):
    """The simulated Enterprise Manager. ``config`` is the simulator's SimConfig; ``clock`` a monotonic clock."""

    name = "em"

    def __init__(self, config, clock=time.monotonic):
        App.__init__(self)
        self.config = config
        self.clock = clock
        self.backup_servers = []
        self.groups = catalog.seed_directory()["groups"]
        self.reset()

    # ================================================================== state
    def reset(self):
        with self.lock:
            self.sessions = {}
            self.extra_logins = {}
            self.issued = []
            self.running = []
            self.task_outcome = self._default_outcome()
            self.accounts = {}
            self._seed()

    def _default_outcome(self):
        return {"success": True, "message": None, "duration": float(self.config.task_duration)}

    def _seed(self):
        self._store_account(self.config.username, "User", [PORTAL_ADMINISTRATOR_ID], True)
        self._store_account("BUILTIN\\Administrators", "Group", [PORTAL_ADMINISTRATOR_ID], True)
        fox = self._store_account("TECH\\william.fox", "User", [VM_RESTORE_OPERATOR_ID, FILE_RESTORE_OPERATOR_ID],
                                  False, flr={"inplace_only": True, "extensions": "doc,docx,pdf"})
        fox["scopes"].append({"id": "5c3f0b7e-2d4a-4e8b-9a61-7f2c1d0e9b34", "name": "web-srv-01", "state": "Processed",
                              "ref": "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-1023"})

    def _store_account(self, name, account_type, role_ids, allow_all, scopes=(), flr=None, sql=None):
        account = {"id": str(uuid.uuid4()), "name": name, "type": account_type, "roles": list(role_ids),
                   "allow_all": allow_all, "scopes": list(scopes),
                   "flr": flr or {"inplace_only": False, "extensions": ""}, "sql": sql or {"deny_in_place": False}}
        self.accounts[account["id"]] = account
        return account

    def set_backup_servers(self, servers):
        """The VBR servers this Enterprise Manager knows (dicts with name, rest_url, version, description)."""
        with self.lock:
            self.backup_servers = [dict(server, id=str(uuid.uuid5(uuid.NAMESPACE_URL, server["rest_url"])),
                                        thumbprint=hashlib.sha1(server["rest_url"].encode()).hexdigest().upper())
                                   for server in servers]

    def snapshot(self):
        with self.lock:
            return {"accounts": copy.deepcopy(list(self.accounts.values()))}

    def restore(self, data):
        with self.lock:
            accounts = (data or {}).get("accounts")
            if accounts is not None:
                self.accounts = dict((account["id"], copy.deepcopy(account)) for account in accounts)

    # ================================================================== server contract
    def route_template(self, method, path):
        route = next((route for route in COMPILED_ROUTES if route.pattern.match(path)), None)
        if route:
            return route.template
        return re.sub(r"task-\d+", "{id}", UUID_RE.sub("{id}", path))

    def request_kind(self, method, path):
        if method == "POST" and path == "/api/sessionMngr":
            return "logon"
        if method == "DELETE" and path.startswith("/api/logonSessions/"):
            return "logout"
        return App.request_kind(self, method, path)

    def error_response(self, status, message, wants_json=True):
        body, content_type = error_body(status, message, wants_json)
        return Response(status, body, content_type=content_type)

    def handle(self, request):
        wants_json = "application/json" in (request.headers.get("Accept") or "").lower()
        with self.lock:
            try:
                status, node, headers = self._dispatch(request)
            except BadBody as exc:
                return self.error_response(400, str(exc), wants_json)
            except EmError as error:
                response = self.error_response(error.status, error.message, wants_json)
                response.headers.update(error.headers)
                return response
        if node is None:
            return Response.empty(status, headers)
        body, content_type = render(node, wants_json)
        return Response(status, body, headers, content_type)

    def _dispatch(self, request):
        route, ids = self._route(request)
        self._settle_tasks()
        session = None
        if route.access != PUBLIC:
            session = self._session(request)
            self._authorize(session, route.access)
        answer = getattr(self, "op_" + route.handler)(request, session, *ids)
        return answer if len(answer) == 3 else answer + ({},)

    def _route(self, request):
        matching = [route for route in COMPILED_ROUTES if route.pattern.match(request.path)]
        if not matching:
            raise EmError(404, "The requested URL %s was not found on this server." % request.path)
        for route in matching:
            if route.method == request.method:
                return route, route.pattern.match(request.path).groups()
        allowed = ", ".join(sorted(set(route.method for route in matching)))
        raise EmError(405, "Method %s is not allowed for %s." % (request.method, request.path), {"Allow": allowed})

    # ================================================================== request helpers
    def _base(self, request):
        scheme = "http" if getattr(self.config, "no_tls", False) else "https"
        return "%s://%s/api" % (scheme, request.headers.get("Host") or "localhost:9398")

    def _body(self, request, spec):
        """The request body as JSON-shaped data; ``spec`` is (XML root element, XSD fields)."""
        root_name, fields = spec
        if not request.body.strip():
            raise EmError(400, "The request body is empty: a %s is expected." % root_name)
        content_type = request.content_type()
        if content_type in ("application/xml", "text/xml"):
            return parse_xml(request.body, root_name, fields)
        if content_type != "application/json":
            raise EmError(415, "Unsupported Content-Type '%s': use application/json or application/xml."
                          % content_type)
        data = request.json()
        if not isinstance(data, dict):
            raise BadBody("The request body must be a JSON object (a %s)." % root_name)
        return data

    # ================================================================== logon sessions
    def op_service_root(self, request, session):
        base = self._base(request)
        versions = [Node("SupportedVersion", {"Name": version},
                         [links(link("Create", "%s/sessionMngr/?v=%s" % (base, version), "LogonSession"))])
                    for version in API_VERSIONS]
        return 200, Node("EnterpriseManager", children=[
            links(link("Down", base + "/logonSessions", "LogonSessionList"),
                  link("Create", base + "/sessionMngr/?v=latest", "LogonSession")),
            listing("SupportedVersions", "SupportedVersions", versions)])

    def op_logon(self, request, session):
        version = request.arg("v", "latest")
        if version != "latest" and version not in API_VERSIONS:
            raise EmError(400, "REST API version '%s' is not supported. Supported versions: latest, %s."
                          % (version, ", ".join(API_VERSIONS)))
        username = self._check_credentials(request)
        session_id = str(uuid.uuid4())
        token = base64.b64encode(session_id.encode("ascii")).decode("ascii")
        session = {"id": session_id, "token": token, "user": username, "seen": self.clock(), "tasks": {},
                   "task_counter": 0}
        self.sessions[token] = session
        self.issued.extend([session_id, token])
        headers = {SESSION_HEADER: token, "Set-Cookie": "%s=%s; Path=/api;" % (SESSION_HEADER, token)}
        return 201, self._session_node(session, self._base(request)), headers

    def _check_credentials(self, request):
        username, password = _basic_credentials(request)
        if username is None:
            raise unauthorized("Authorization header is missing: log on with HTTP Basic authentication.")
        known = self._logins().get(username.casefold())
        if known is None or known[1] != password:
            raise unauthorized("Authentication failed: the user name or password is incorrect.")
        if not self._role_names_of(known[0]):
            raise unauthorized("Access denied: %s has no Enterprise Manager role (Portal Administrator, Portal User "
                               "or a restore operator role)." % known[0])
        return known[0]

    def _logins(self):
        names = [self.config.username] + list(catalog.LOGIN_ACCOUNTS)
        logins = dict((name.casefold(), (name, self.config.password)) for name in names)
        logins.update(self.extra_logins)
        return logins

    def _session_token(self, request):
        """The cookie token wins over the header, as EM documents."""
        for part in (request.headers.get("Cookie") or "").split(";"):
            key, _sep, value = part.strip().partition("=")
            if key == SESSION_HEADER and value:
                return value
        return request.headers.get(SESSION_HEADER)

    def _session(self, request):
        token = self._session_token(request)
        if not token:
            raise unauthorized("Authentication required: send the %s header of a logon session." % SESSION_HEADER)
        session = self.sessions.get(token)
        if session is None:
            raise unauthorized("The logon session is unknown or has been closed: log on again.")
        if self.clock() - session["seen"] > self.config.em_session_ttl:
            del self.sessions[token]
            raise unauthorized("The logon session has expired after %s seconds of inactivity: log on again."
                               % _seconds(self.config.em_session_ttl))
        session["seen"] = self.clock()
        return session

    def _authorize(self, session, access):
        wanted = ACCESS_ROLES[access]
        if wanted and not set(wanted) & self._role_names_of(session["user"]):
            raise EmError(403, "Access denied: %s needs the %s role for this operation."
                          % (session["user"], " or ".join(wanted)))

    def _role_names_of(self, user):
        """Roles of a login: those of its own account and of every group account it belongs to."""
        folded = user.casefold()
        groups = set(group for group, members in self.groups.items() if folded in members)
        names = set()
        for account in self.accounts.values():
            account_name = account["name"].casefold()
            mine = account_name == folded if account["type"] in USER_TYPES else account_name in groups
            if mine:
                names.update(ROLE_NAMES[role_id] for role_id in account["roles"])
        return names

    def _session_node(self, session, base):
        href = "%s/logonSessions/%s" % (base, session["id"])
        link_nodes = [link("Up", base + "/", "EnterpriseManager"),
                      link("Down", base + "/backupServers", "BackupServerReferenceList"),
                      link("Down", base + "/security", "EnterpriseSecuritySettings"),
                      link("Down", base + "/tasks", "TaskList"),
                      link("Down", base + "/backupServers?format=Entity", "BackupServerList"),
                      link("Delete", href, "LogonSession")]
        return resource("LogonSession", href, link_nodes,
                        [leaf("UserName", session["user"]), leaf("SessionId", session["id"])], "LogonSession")

    def op_list_sessions(self, request, session):
        return 200, listing("LogonSessions", "LogonSessions", [self._session_node(session, self._base(request))])

    def op_get_session(self, request, session, session_id):
        if session_id != session["id"]:
            raise EmError(404, "Logon session %s was not found." % session_id)
        return 200, self._session_node(session, self._base(request))

    def op_logout(self, request, session, session_id):
        token = next((token for token, item in self.sessions.items() if item["id"] == session_id), None)
        if token is None:
            raise EmError(404, "Logon session %s was not found." % session_id)
        del self.sessions[token]
        return 204, None

    # ================================================================== accounts
    def _account(self, account_id):
        account = self.accounts.get(account_id.lower())
        if account is None:
            raise EmError(404, "Account with ID %s was not found." % account_id)
        return account

    def _account_href(self, account, base):
        return "%s/security/accounts/%s" % (base, account["id"])

    def _account_ref(self, account, base, tag="Ref"):
        href = self._account_href(account, base)
        return reference(tag, "EnterpriseAccountReference", ACCOUNT_UID + account["id"], account["name"], href,
                         [link("Alternate", href + "?format=Entity", "EnterpriseAccount")])

    def _account_entity(self, account, base):
        href = self._account_href(account, base)
        link_nodes = [link("Alternate", href, "EnterpriseAccountReference"),
                      link("Down", href + "/roles", "EnterpriseAccountInRoleList"),
                      link("Create", href + "/roles", "EnterpriseAccountInRole"),
                      link("Down", href + "/scopes", "EnterpriseAccountHierarchyScopeList"),
                      link("Create", href + "/scopes", "EnterpriseAccountHierarchyScope"),
                      link("Delete", href), link("ToggleRestoreScopesEnabled", href)]
        fields = [leaf("AccountType", account["type"]), leaf("AllowRestoreAllVms", account["allow_all"]),
                  Node("FlrSettings", children=[leaf("FlrInplaceOnly", account["flr"]["inplace_only"]),
                                                leaf("FlrExtentionRestrictions", account["flr"]["extensions"])]),
                  Node("SqlSettings", children=[leaf("DenyInPlaceRestore", account["sql"]["deny_in_place"])])]
        return entity("EnterpriseAccount", "EnterpriseAccount", ACCOUNT_UID + account["id"], account["name"],
                      href + "?format=Entity", link_nodes, fields)

    def op_security(self, request, session):
        base = self._base(request)
        return 200, resource("EnterpriseSecuritySettings", base + "/security", [
            link("Down", base + "/security/accounts", "EnterpriseAccountReferenceList"),
            link("Down", base + "/security/roles", "EnterpriseRoleReferenceList"),
            link("Create", base + "/security/accounts"),
            link("Start", base + "/security/accounts?action=rebuildScope")])

    def op_list_accounts(self, request, session):
        base = self._base(request)
        return 200, listing("EntityReferences", "Refs",
                            [self._account_ref(account, base) for account in self.accounts.values()])

    def op_get_account(self, request, session, account_id):
        account, base = self._account(account_id), self._base(request)
        if _wants_entity(request):
            return 200, self._account_entity(account, base)
        return 200, self._account_ref(account, base, tag="EntityRef")

    def op_post_accounts(self, request, session):
        action = request.arg("action")
        if action is None:
            return self._create_account(request)
        if action.lower() == "rebuildscope":
            return self._start_rebuild_scope(request, session)
        raise EmError(400, "Unknown action '%s' for /security/accounts." % action)

    def _create_account(self, request):
        spec = self._body(request, CREATE_SPEC)
        account_type = _account_type(spec.get("AccountType"))
        name = _account_name(account_type, spec.get("AccountName"))
        if any(account["name"].casefold() == name.casefold() for account in self.accounts.values()):
            raise EmError(400, "Account %s already exists in Enterprise Manager." % name)
        role_ids = self._spec_roles(spec.get("Roles"))
        allow_all = _boolean(spec.get("AllowRestoreAllVms"), "AllowRestoreAllVms")
        scopes = self._new_scopes(items_of(spec.get("HierarchyScopeObjects"), "HierarchyScopeItem",
                                           "HierarchyScopeItems"), [])
        if not allow_all and not scopes:
            raise EmError(400, "AllowRestoreAllVms is false: specify the restore scope in HierarchyScopeObjects.")
        self._store_account(name, account_type, role_ids, allow_all, scopes,
                            _flr_settings(spec.get("FlrSettings")), _sql_settings(spec.get("SqlSettings")))
        return 201, None

    def _spec_roles(self, container):
        role_ids = []
        for item in items_of(container, "EnterpriseRole", "EnterpriseRoles"):
            role_id = self._role_from_uid((item or {}).get("EnterpriseRoleUid"))
            if role_id not in role_ids:
                role_ids.append(role_id)
        if not role_ids:
            raise EmError(400, "Roles must contain at least one EnterpriseRole with an EnterpriseRoleUid.")
        return role_ids

    def op_delete_account(self, request, session, account_id):
        del self.accounts[self._account(account_id)["id"]]
        return 204, None

    def op_toggle_restore_all_vms(self, request, session, account_id):
        """POST with no body flips AllowRestoreAllVms (a body, if any, is ignored like EM does)."""
        account = self._account(account_id)
        if account["allow_all"] and not account["scopes"]:
            raise EmError(400, "Cannot restrict %s to a restore scope: the account has no restore scope. Add one "
                               "with POST /security/accounts/{ID}/scopes first." % account["name"])
        account["allow_all"] = not account["allow_all"]
        return 204, None

    # ================================================================== roles of an account
    def _role_in_account(self, account, role_id, base):
        href = "%s/roles/%s" % (self._account_href(account, base), role_id)
        return resource("EnterpriseAccountInRole", href, [link("Delete", href)],
                        [leaf("RoleName", ROLE_NAMES[role_id])])

    def op_list_account_roles(self, request, session, account_id):
        account, base = self._account(account_id), self._base(request)
        key = "EnterpriseAccountInRole" if self.config.em_list_keys == "item-names" else "EnterpriseAccountInRoles"
        return 200, listing("EnterpriseAccountInRoleList", key,
                            [self._role_in_account(account, role_id, base) for role_id in account["roles"]])

    def _assigned_role(self, account, role_id):
        role_id = role_id.lower()
        if role_id not in account["roles"]:
            raise EmError(404, "Role %s is not assigned to account %s." % (role_id, account["name"]))
        return role_id

    def op_get_account_role(self, request, session, account_id, role_id):
        account = self._account(account_id)
        return 200, self._role_in_account(account, self._assigned_role(account, role_id), self._base(request))

    def op_add_account_role(self, request, session, account_id):
        account = self._account(account_id)
        role_id = self._role_from_uid(self._body(request, ROLE_SPEC).get("EnterpriseRoleUid"))
        if role_id in account["roles"]:
            raise EmError(400, "Account %s already has the %s role." % (account["name"], ROLE_NAMES[role_id]))
        account["roles"].append(role_id)
        return 201, None

    def op_remove_account_role(self, request, session, account_id, role_id):
        account = self._account(account_id)
        role_id = self._assigned_role(account, role_id)
        if len(account["roles"]) == 1:
            raise EmError(400, "Cannot remove the last role of account %s: an account must have at least one role. "
                               "Delete the account instead." % account["name"])
        account["roles"].remove(role_id)
        return 204, None

    # ================================================================== restore scopes of an account
    def _scope_node(self, account, scope, base):
        href = "%s/scopes/%s" % (self._account_href(account, base), scope["id"])
        parts = HIERARCHY_REF.match(scope["ref"])
        root = parts.group("root")
        if self.config.em_scope_root == "host":  # the walkthrough's reading: the vCenter host name
            root = root_host_name(root)
        fields = [leaf("Name", scope["name"]), leaf("HierarchyRootName", root),
                  leaf("Platform", PLATFORMS.get(parts.group("platform").lower(), parts.group("platform"))),
                  leaf("HierarchyObjectType", parts.group("type")), leaf("State", scope["state"])]
        return resource("EnterpriseAccountHierarchyScope", href, [link("Delete", href)], fields)

    def _new_scopes(self, items, existing):
        scopes = []
        for item in items:
            scope = _new_scope(item)
            if any(other["ref"].casefold() == scope["ref"].casefold() for other in existing + scopes):
                raise EmError(400, "%s (%s) is already in the restore scope." % (scope["name"], scope["ref"]))
            scopes.append(scope)
        return scopes

    def _scope(self, account, scope_id):
        scope = next((scope for scope in account["scopes"] if scope["id"] == scope_id.lower()), None)
        if scope is None:
            raise EmError(404, "Restore scope %s was not found for account %s." % (scope_id, account["name"]))
        return scope

    def op_list_account_scopes(self, request, session, account_id):
        account, base = self._account(account_id), self._base(request)
        key = ("EnterpriseAccountHierarchyScope" if self.config.em_list_keys == "item-names"
               else "EnterpriseAccountHierarchyScopes")
        return 200, listing("EnterpriseAccountHierarchyScopes", key,
                            [self._scope_node(account, scope, base) for scope in account["scopes"]])

    def op_get_account_scope(self, request, session, account_id, scope_id):
        account = self._account(account_id)
        return 200, self._scope_node(account, self._scope(account, scope_id), self._base(request))

    def op_add_account_scopes(self, request, session, account_id):
        account = self._account(account_id)
        items = items_of(self._body(request, SCOPE_SPEC), "HierarchyScopeItem", "HierarchyScopeItems")
        if not items:
            raise EmError(400, "The HierarchyScopeCreateSpec must contain at least one HierarchyScopeItem.")
        account["scopes"].extend(self._new_scopes(items, account["scopes"]))
        return 201, None

    def op_remove_account_scope(self, request, session, account_id, scope_id):
        account = self._account(account_id)
        scope = self._scope(account, scope_id)
        if len(account["scopes"]) == 1 and not account["allow_all"]:
            raise EmError(400, "Cannot remove the last restore scope of %s while AllowRestoreAllVms is false: "
                               "enable it first (POST /security/accounts/{ID})." % account["name"])
        account["scopes"].remove(scope)
        return 204, None

    # ================================================================== roles
    def _role_from_uid(self, uid):
        text = str(uid or "").strip()
        role_id = text[len(ROLE_UID):].lower() if text.startswith(ROLE_UID) else None
        if role_id not in ROLE_NAMES:
            raise EmError(400, "EnterpriseRoleUid '%s' is not the UID of an Enterprise Manager role "
                               "(urn:veeam:EnterpriseRole:<id>, see GET /security/roles)." % text)
        return role_id

    def _role_href(self, role_id, base):
        return "%s/security/roles/%s" % (base, role_id)

    def op_list_roles(self, request, session):
        base = self._base(request)
        refs = [reference("Ref", "EnterpriseRoleReference", ROLE_UID + role_id, name, self._role_href(role_id, base),
                          [link("Alternate", self._role_href(role_id, base) + "?format=Entity", "EnterpriseRole")])
                for role_id, name in ROLES]
        return 200, listing("EntityReferences", "Refs", refs)

    def op_get_role(self, request, session, role_id):
        role_id = role_id.lower()
        if role_id not in ROLE_NAMES:
            raise EmError(404, "Role with ID %s was not found." % role_id)
        href, uid, name = self._role_href(role_id, self._base(request)), ROLE_UID + role_id, ROLE_NAMES[role_id]
        if _wants_entity(request):
            return 200, entity("EnterpriseRole", "EnterpriseRole", uid, name, href + "?format=Entity",
                               [link("Alternate", href, "EnterpriseRoleReference")])
        return 200, reference("EntityRef", "EnterpriseRoleReference", uid, name, href,
                              [link("Alternate", href + "?format=Entity", "EnterpriseRole")])

    # ================================================================== rebuild scope and tasks
    def _start_rebuild_scope(self, request, session):
        spec = self._body(request, REBUILD_SPEC)
        kinds = [kind for kind in REBUILD_KINDS if spec.get(kind) is not None]
        if len(kinds) != 1:
            raise EmError(400, "The RebuildScopeJobSpec must contain exactly one of %s." % ", ".join(REBUILD_KINDS))
        session["task_counter"] += 1
        outcome = self.task_outcome
        task = {"id": "task-%d" % session["task_counter"], "operation": "StartRebuildScope", "kind": kinds[0],
                "user": session["user"], "ends": self.clock() + outcome["duration"], "success": outcome["success"],
                "message": outcome["message"], "settled": False}
        session["tasks"][task["id"]] = task
        self.running.append(task)
        return 201, self._task_node(task, self._base(request))

    def _settle_tasks(self):
        """Apply the effect of every task whose time is up (even when nobody polls it)."""
        now = self.clock()
        for task in [task for task in self.running if now >= task["ends"]]:
            self.running.remove(task)
            task["settled"] = True
            if task["success"]:
                self._rebuild_scopes(task["kind"], task["user"])

    def _rebuild_scopes(self, kind, user):
        folded = user.casefold()
        groups = set(group for group, members in self.groups.items() if folded in members)
        for account in self.accounts.values():
            name = account["name"].casefold()
            if kind == "RebuildForCurrentUser" and name != folded and name not in groups:
                continue
            for scope in account["scopes"]:
                scope["state"] = "Processed"

    def _task_node(self, task, base):
        href = "%s/tasks/%s" % (base, task["id"])
        finished = task["settled"] or self.clock() >= task["ends"]
        fields = [leaf("TaskId", task["id"]), leaf("State", self.config.em_task_state if finished else "Running"),
                  leaf("Operation", task["operation"])]
        if finished:
            message = task["message"] if task["message"] or task["success"] else "Failed to rebuild the restore scope."
            fields.append(Node("Result", {"Success": task["success"]},
                               [leaf("Message", message)] if message else []))
        return resource("Task", href, [link("Delete", href, "Task")], fields, "Task")

    def _task(self, session, task_id):
        task = session["tasks"].get(task_id)
        if task is None:
            raise EmError(404, "Task %s was not found in this logon session." % task_id)
        return task

    def op_list_tasks(self, request, session):
        base = self._base(request)
        return 200, listing("Tasks", "Tasks", [self._task_node(task, base) for task in session["tasks"].values()])

    def op_get_task(self, request, session, task_id):
        return 200, self._task_node(self._task(session, task_id), self._base(request))

    def op_delete_task(self, request, session, task_id):
        task = self._task(session, task_id)
        if task in self.running:
            self.running.remove(task)
        del session["tasks"][task_id]
        return 204, None

    # ================================================================== backup servers
    def _server_href(self, server, base):
        return "%s/backupServers/%s" % (base, server["id"])

    def _server_ref(self, server, base, tag="Ref"):
        href = self._server_href(server, base)
        return reference(tag, "BackupServerReference", SERVER_UID + server["id"], server["name"], href, [
            link("Alternate", href + "?format=Entity", "BackupServer", server["name"]),
            link("Down", href + "/jobs", "JobReferenceList"),
            link("Down", href + "/repositories", "RepositoryReferenceList")])

    def _server_entity(self, server, base):
        href = self._server_href(server, base)
        link_nodes = [link("Alternate", href, "BackupServerReference", server["name"]),
                      link("Edit", href, "BackupServerReference"), link("Delete", href, "BackupServerReference"),
                      link("Down", href + "/jobs", "JobReferenceList"),
                      link("Down", href + "/repositories", "RepositoryReferenceList"),
                      link("Start", href + "?action=collect")]
        fields = [leaf("Description", server["description"]), leaf("Port", 9392), leaf("Version", server["version"]),
                  leaf("WcfPort", 9405), leaf("VbrCertificateThumbprint", server["thumbprint"])]
        return entity("BackupServer", "BackupServer", SERVER_UID + server["id"], server["name"],
                      href + "?format=Entity", link_nodes, fields)

    def op_list_backup_servers(self, request, session):
        base = self._base(request)
        if _wants_entity(request):
            return 200, listing("BackupServers", "BackupServers",
                                [self._server_entity(server, base) for server in self.backup_servers])
        return 200, listing("EntityReferences", "Refs",
                            [self._server_ref(server, base) for server in self.backup_servers])

    def op_get_backup_server(self, request, session, server_id):
        server = next((server for server in self.backup_servers if server["id"] == server_id.lower()), None)
        if server is None:
            raise EmError(404, "Backup server with ID %s was not found." % server_id)
        base = self._base(request)
        if _wants_entity(request):
            return 200, self._server_entity(server, base)
        return 200, self._server_ref(server, base, tag="EntityRef")

    # ================================================================== admin endpoints (/_sim/em/...)
    def admin(self, request, subpath):
        handler = {("POST", "em/task-outcome"): self._admin_task_outcome,
                   ("GET", "em/sessions"): self._admin_sessions,
                   ("POST", "em/sessions/expire"): self._admin_expire_sessions,
                   ("POST", "em/credentials"): self._admin_credentials}.get((request.method, subpath))
        if handler is None:
            return None
        with self.lock:
            return handler(request)

    def _admin_task_outcome(self, request):
        """Make the next rebuild-scope tasks fail (``success``/``message``) or run ``duration`` seconds."""
        body = request.json() or {}
        outcome = self._default_outcome()
        outcome.update(success=bool(body.get("success", True)), message=body.get("message"))
        if body.get("duration") is not None:
            outcome["duration"] = float(body["duration"])
        self.task_outcome = outcome
        return Response.json(200, outcome)

    def _admin_credentials(self, request):
        """Add a login: ``username``/``password``, acting as ``account`` (another spelling of it) when given."""
        body = request.json() or {}
        self.extra_logins[body["username"].casefold()] = (body.get("account") or body["username"], body["password"])
        return Response.json(200, {"ok": True})

    def _admin_sessions(self, request):
        """Every session id and token issued since the reset (the secret-leak tests look for them)."""
        return Response.json(200, {"sessions": list(self.issued), "active": len(self.sessions)})

    def _admin_expire_sessions(self, request):
        count = len(self.sessions)
        self.sessions = {}
        return Response.json(200, {"expired": count})


# ====================================================================== helpers
def root_host_name(root_id):
    """The host name the simulator gives a hierarchy root (a vCenter) when HierarchyRootName holds host names."""
    return "vcenter-%s.tech.local" % str(root_id).split("-", 1)[0].lower()


def _basic_credentials(request):
    header = request.headers.get("Authorization") or ""
    scheme, _sep, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None, None
    username, _sep, password = decoded.partition(":")
    return username, password


def _wants_entity(request):
    return (request.arg("format") or "").lower() in ("entity", "entities")


def _seconds(value):
    return int(value) if float(value).is_integer() else value


def _boolean(value, name, default=None):
    """A Boolean from JSON (true, "true", "True") or XML text; missing -> ``default`` or a 400."""
    if value is None or value == "":
        if default is None:
            raise EmError(400, "%s is required (true or false)." % name)
        return default
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() in BOOLEANS:
        return BOOLEANS[str(value).strip().lower()]
    raise BadBody("The value '%s' of %s is not a valid Boolean." % (value, name))


def _account_type(value):
    if value in (None, ""):
        raise EmError(400, "AccountType is required: one of %s." % ", ".join(ACCOUNT_TYPES))
    if value not in ACCOUNT_TYPES:
        raise EmError(400, "AccountType '%s' is not valid: use one of %s." % (value, ", ".join(ACCOUNT_TYPES)))
    return value


def _account_name(account_type, name):
    rule, expected = NAME_RULES[account_type]
    if not isinstance(name, str) or not rule.match(name):
        raise EmError(400, "AccountName '%s' is not valid for an account of type %s: use %s."
                      % (name, account_type, expected))
    return name


def _new_scope(item):
    item = item if isinstance(item, dict) else {}
    ref, name = str(item.get("HierarchyObjRef") or "").strip(), str(item.get("ObjectName") or "").strip()
    if not ref or not name:
        raise EmError(400, "Each HierarchyScopeItem needs a HierarchyObjRef and an ObjectName.")
    parts = HIERARCHY_REF.match(ref)
    if parts is None or parts.group("platform").lower() not in PLATFORMS:
        raise EmError(400, "HierarchyObjRef '%s' is not a valid reference: use urn:<Platform>:<Type>:"
                           "<HierarchyRootId>.<ObjectRef>, Platform one of VMware, Hyperv, vCloud, NasBackup." % ref)
    return {"id": str(uuid.uuid4()), "ref": ref, "name": name, "state": "Unprocessed"}


def _flr_settings(flr):
    if flr in (None, ""):
        return None
    if not isinstance(flr, dict):
        raise BadBody("FlrSettings must be an object.")
    inplace_only = _boolean(flr.get("FlrInplaceOnly"), "FlrSettings.FlrInplaceOnly")
    extensions = str(flr.get("FlrExtentionRestrictions") or "").strip()
    if inplace_only and not extensions:
        raise EmError(400, "FlrInplaceOnly is true: list the permitted file extensions in FlrExtentionRestrictions "
                           "(for example doc,pptx,pdf).")
    return {"inplace_only": inplace_only, "extensions": extensions}


def _sql_settings(sql):
    if sql in (None, ""):
        return None
    if not isinstance(sql, dict):
        raise BadBody("SqlSettings must be an object.")
    return {"deny_in_place": _boolean(sql.get("DenyInPlaceRestore"), "SqlSettings.DenyInPlaceRestore")}
