"""A simulated Veeam Backup & Replication server: the REST API's token and security endpoints.

Behaviour follows Veeam's OpenAPI specs 1.3-rev1 and 1.3-rev2 (../shared/specs); what the specs do not
say (exact error wording, directory lookups) is listed under "Assumptions" in README.md.
"""

import copy
import datetime
import fnmatch
import re
import secrets
import time
import uuid

from .base import App, Response, UUID_RE
from . import catalog

API_VERSIONS_BY_BUILD = {
    "13.1": ("13.1.0.411", ("1.3-rev1", "1.3-rev2")),
    "13.0.1": ("13.0.1.180", ("1.3-rev1",)),
    "12.3": ("12.3.1.1139", ("1.0-rev1", "1.0-rev2", "1.1-rev0", "1.1-rev1", "1.1-rev2", "1.2-rev0", "1.2-rev1")),
}
SECURITY_VERSIONS = ("1.3-rev1", "1.3-rev2")
USER_TYPES = ("InternalUser", "InternalGroup", "ExternalUser", "ExternalGroup")
ORDER_COLUMNS = {"name": "name", "type": "type", "isserviceaccount": "isServiceAccount", "mfaenabled": "mfaEnabled"}

ROUTES = [
    ("GET", r"/api/v1/serverInfo", "server_info"),
    ("POST", r"/api/oauth2/logout", "logout"),
    ("GET", r"/api/v1/security/users", "list_users"),
    ("POST", r"/api/v1/security/users", "create_user"),
    ("GET", r"/api/v1/security/users/{id}", "get_user"),
    ("DELETE", r"/api/v1/security/users/{id}", "delete_user"),
    ("GET", r"/api/v1/security/users/{id}/roles", "get_user_roles"),
    ("PUT", r"/api/v1/security/users/{id}/roles", "put_user_roles"),
    ("POST", r"/api/v1/security/users/{id}/changeServiceAccountMode", "change_service_account"),
    ("POST", r"/api/v1/security/users/{id}/resetMFA", "reset_mfa"),
    ("GET", r"/api/v1/security/roles", "list_roles"),
    ("POST", r"/api/v1/security/roles", "create_custom_role"),
    ("GET", r"/api/v1/security/roles/{id}", "get_role"),
    ("PUT", r"/api/v1/security/roles/{id}", "update_custom_role"),
    ("DELETE", r"/api/v1/security/roles/{id}", "delete_custom_role"),
    ("GET", r"/api/v1/security/roles/{id}/permissions", "role_permissions"),
    ("GET", r"/api/v1/security/roles/{id}/details", "custom_role_details"),
    ("POST", r"/api/v1/security/roles/{id}/clone", "clone_custom_role"),
    ("GET", r"/api/v1/security/settings", "get_settings"),
    ("PUT", r"/api/v1/security/settings", "put_settings"),
    ("GET", r"/api/v1/security/restoreOptions", "restore_options"),
    ("GET", r"/api/v1/authorization/events", "list_authorization_events"),
    ("GET", r"/api/v1/authorization/events/{id}", "get_authorization_event"),
]
# With four-eyes authorization on, these wait for a second administrator's approval (Veeam: adding, updating or
# deleting users and groups and changing MFA), and deleting users is refused through REST (see README.md).
FOUR_EYES_OPERATIONS = {"create_user": "Add user or group", "put_user_roles": "Assign roles",
                        "change_service_account": "Change service account mode", "reset_mfa": "Reset MFA",
                        "put_settings": "Change multi-factor authentication settings"}
FOUR_EYES_MODES = ("off", "403", "202")
EVENT_STATES = ("Pending", "Approved", "Rejected", "Expired", "Info", "CockpitMessage")
EVENT_ORDER = {"name": "name", "state": "state", "creationtime": "creationTime", "processedtime": "processedTime",
               "expirationtime": "expirationTime", "description": "description", "initiatedby": "createdBy",
               "processedby": "processedBy"}
EVENT_LIFETIME = 30 * 24 * 3600
REV2_ONLY = {"create_custom_role", "update_custom_role", "delete_custom_role", "custom_role_details",
             "clone_custom_role", "restore_options"}
COMPILED_ROUTES = [(method, re.compile("^" + template.replace("{id}", "(?P<id>[^/]+)") + "$"), template, name)
                   for method, template, name in ROUTES]


class ApiError(Exception):
    def __init__(self, status, code, message, resource_id=None):
        Exception.__init__(self, message)
        self.status, self.code, self.message, self.resource_id = status, code, message, resource_id


def vbr_error(status, code, message, resource_id=None):
    body = {"errorCode": code, "message": message}
    if resource_id:
        body["resourceId"] = resource_id
    return Response.json(status, body)


def _now():
    return time.time()


def _iso(timestamp):
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).astimezone().isoformat(timespec="seconds")


def _domain_of(name):
    if "\\" in name:
        return name.split("\\", 1)[0].casefold()
    if "@" in name:
        return name.rsplit("@", 1)[1].casefold()
    return ""


class VbrApp(App):
    """One simulated VBR server. ``config`` is the simulator's SimConfig."""

    name = "vbr"

    def __init__(self, config, index=0):
        App.__init__(self)
        self.config = config
        self.index = index
        self.build, self.api_versions = API_VERSIONS_BY_BUILD[config.vbr_version]
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self):
        with self.lock:
            self.role_naming = self.config.role_names or ("plain" if self.config.vbr_version == "13.1" else "prefixed")
            self.roles = catalog.builtin_roles(self.role_naming)
            self.four_eyes = self.config.four_eyes
            self.events = {}
            self.users = {}
            self.ids_by_name = {}
            for user in catalog.SEED_USERS:
                self._store_user(user["name"], user["type"], user["roles"], user["isServiceAccount"], user.get("id"))
            self.settings = {"mfaEnabled": False}
            self.directory = catalog.seed_directory()
            self.credentials = {name.casefold(): self.config.password for name in catalog.LOGIN_ACCOUNTS}
            self.credentials[self.config.username.casefold()] = self.config.password
            self.login_aliases = {}
            if not self._user_by_name(self.config.username):
                self._store_user(self.config.username, "InternalUser", [catalog.BACKUP_ADMIN_ID], True)
                self.directory["users"].add(self.config.username.casefold())
            self.access_tokens = {}
            self.issued_secrets = set()
            self.refresh_tokens = {}
            self.refuse_refresh = False
            self._seed_users(self.config.seed_users)

    def _seed_users(self, count):
        role_cycle = [catalog.RESTORE_OPERATOR_ID, catalog.BACKUP_VIEWER_ID, catalog.BACKUP_OPERATOR_ID]
        for number in range(1, count + 1):
            name = "TECH\\seed.user%05d" % number
            self.directory["users"].add(name.casefold())
            self._store_user(name, "InternalUser", [role_cycle[number % len(role_cycle)]], False)

    def _store_user(self, name, user_type, role_ids, is_service_account, user_id=None):
        user = {"id": user_id or str(uuid.uuid4()), "name": name, "type": user_type, "roles": list(role_ids),
                "isServiceAccount": bool(is_service_account)}
        self.users[user["id"]] = user
        self.ids_by_name[name.casefold()] = user["id"]
        return user

    def snapshot(self):
        with self.lock:
            return {"users": copy.deepcopy(list(self.users.values())),
                    "custom_roles": [copy.deepcopy(role) for role in self.roles.values() if not role["isBuiltIn"]],
                    "settings": dict(self.settings),
                    "four_eyes": self.four_eyes,
                    "authorization_events": [self._event_model(event) for event in self.events.values()],
                    "directory": {"users": sorted(self.directory["users"]),
                                  "groups": {k: sorted(v) for k, v in self.directory["groups"].items()},
                                  "domains": sorted(self.directory["domains"])}}

    def restore(self, data):
        with self.lock:
            self.users = {user["id"]: dict(user) for user in data.get("users", [])}
            self.ids_by_name = {user["name"].casefold(): user["id"] for user in self.users.values()}
            for role in data.get("custom_roles", []):
                self.roles[role["id"]] = dict(role)
            self.settings = dict(data.get("settings", self.settings))
            directory = data.get("directory") or {}
            self.directory["users"].update(directory.get("users", []))
            for group, members in (directory.get("groups") or {}).items():
                self.directory["groups"].setdefault(group, set()).update(members)
            self.directory["domains"].update(directory.get("domains", []))

    # ------------------------------------------------------------------ routing
    def route_template(self, method, path):
        for _method, pattern, template, _name in COMPILED_ROUTES:
            if pattern.match(path):
                return template
        return UUID_RE.sub("{id}", path)

    def request_kind(self, method, path):
        if path == "/api/oauth2/token":
            return "token"
        if path == "/api/oauth2/logout":
            return "logout"
        return App.request_kind(self, method, path)

    def error_response(self, status, message):
        code = {400: "UnexpectedContent", 401: "InvalidToken", 403: "AccessDenied", 404: "NotFound",
                405: "MethodNotAllowed", 503: "ServiceUnavailable"}.get(status, "UnknownError")
        return vbr_error(status, code, message)

    def handle(self, request):
        try:
            with self.lock:
                return self._handle(request)
        except ApiError as error:
            return vbr_error(error.status, error.code, error.message, error.resource_id)

    def _handle(self, request):
        version = self._api_version(request)
        if request.path == "/api/oauth2/token" and request.method == "POST":
            return self._token(request)
        user = self._authenticate(request)
        handler_name, params, path_known = self._route(request)
        if handler_name is None:
            if path_known:
                raise ApiError(405, "MethodNotAllowed", "The %s method is not allowed for %s."
                               % (request.method, request.path))
            raise ApiError(404, "NotFound", "The requested resource %s was not found." % request.path)
        if version not in SECURITY_VERSIONS and request.path.startswith("/api/v1/security"):
            raise ApiError(404, "NotFound", "The requested resource %s was not found." % request.path)
        if handler_name in REV2_ONLY and version != "1.3-rev2":
            if handler_name == "create_custom_role":
                raise ApiError(405, "MethodNotAllowed", "The POST method is not allowed for %s." % request.path)
            raise ApiError(404, "NotFound", "The requested resource %s was not found." % request.path)
        if request.path.startswith("/api/v1/security") and not self._has_role(user, catalog.BACKUP_ADMIN_ID):
            raise ApiError(403, "AccessDenied", "Access denied. The operation requires the %s role."
                           % self.roles[catalog.BACKUP_ADMIN_ID]["name"])
        if request.path.startswith("/api/v1/authorization") and not (
                self._has_role(user, catalog.BACKUP_ADMIN_ID) or self._has_role(user, catalog.SECURITY_ADMIN_ID)):
            raise ApiError(403, "AccessDenied", "Access denied. The operation requires the %s or %s role."
                           % (self.roles[catalog.BACKUP_ADMIN_ID]["name"], self.roles[catalog.SECURITY_ADMIN_ID]["name"]))
        if self.four_eyes != "off":
            held = self._four_eyes(request, version, user, handler_name, params)
            if held is not None:
                return held
        return getattr(self, "op_" + handler_name)(request, version, user, **params)

    def _route(self, request):
        path_known = False
        for method, pattern, _template, name in COMPILED_ROUTES:
            match = pattern.match(request.path)
            if match:
                path_known = True
                if method == request.method:
                    return name, match.groupdict(), True
        return None, {}, path_known

    def _api_version(self, request):
        version = request.headers.get("x-api-version")
        if version not in self.api_versions:
            raise ApiError(400, "UnknownError", "Unsupported RESTAPI version. The following versions are "
                                                "supported: %s." % ", ".join(self.api_versions))
        return version

    # ------------------------------------------------------------------ authentication
    def _token(self, request):
        form = request.form()
        grant = (form.get("grant_type") or "").lower()
        if grant == "password":
            account = self._login(form.get("username"), form.get("password"))
        elif grant == "refresh_token":
            account = self._use_refresh_token(form.get("refresh_token"))
        else:
            raise ApiError(400, "UnexpectedContent", "The grant_type value is missing or not supported.")
        return Response.json(200, self._issue_tokens(account))

    def _login(self, username, password):
        if not username or password is None:
            raise ApiError(400, "UnexpectedContent", "The username and password parameters are required.")
        if self.credentials.get(username.casefold()) != password:
            raise ApiError(401, "AccessDenied", "Authentication failed: invalid user name or password.")
        # Another spelling of a directory account (svc@tech.local for TECH\svc) logs in as that account.
        username = self.login_aliases.get(username.casefold(), username)
        user = self._user_by_name(username)
        roles = self._effective_roles(username)
        if not any(self.roles.get(role_id, {}).get("isBuiltIn") for role_id in roles):
            raise ApiError(401, "AccessDenied", "Authentication failed: the account %s has no built-in "
                                                "Veeam Backup & Replication role." % username)
        if self.settings["mfaEnabled"] and not (user and user["isServiceAccount"]):
            raise ApiError(401, "AccessDenied", "Authentication failed: multi-factor authentication is enabled "
                                                "for %s. Only service accounts can use the REST API when MFA is "
                                                "enabled." % username)
        return username

    def _use_refresh_token(self, token):
        if not token:
            raise ApiError(400, "UnexpectedContent", "The refresh_token parameter is required.")
        entry = self.refresh_tokens.pop(token, None)
        if entry is None or self.refuse_refresh or entry["expires"] <= _now():
            raise ApiError(401, "InvalidToken", "The refresh token is invalid, expired or has already been used.")
        return entry["account"]

    def _issue_tokens(self, account):
        issued = _now()
        access, refresh = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
        self.access_tokens[access] = {"account": account, "expires": issued + self.config.token_ttl,
                                      "refresh": refresh}
        self.refresh_tokens[refresh] = {"account": account, "expires": issued + self.config.refresh_ttl}
        self.issued_secrets.update((access, refresh))
        return {"access_token": access, "token_type": "bearer", "refresh_token": refresh,
                "expires_in": int(self.config.token_ttl), ".issued": _iso(issued),
                ".expires": _iso(issued + self.config.token_ttl)}

    def _authenticate(self, request):
        header = request.headers.get("Authorization") or ""
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        entry = self.access_tokens.get(token)
        if entry is None:
            raise ApiError(401, "InvalidToken", "The access token is missing or invalid.")
        if entry["expires"] <= _now():
            raise ApiError(401, "ExpiredToken", "The access token has expired.")
        return entry["account"]

    def op_logout(self, request, version, account):
        token = (request.headers.get("Authorization") or "")[7:].strip()
        entry = self.access_tokens.pop(token, None)
        if entry:
            self.refresh_tokens.pop(entry["refresh"], None)
        return Response.json(200, {})

    def _effective_roles(self, account):
        """Role ids of an account: its own VBR user record plus those of VBR groups it belongs to."""
        role_ids = set()
        own = self._user_by_name(account)
        if own:
            role_ids.update(own["roles"])
        for user in self.users.values():
            if user["type"].endswith("Group"):
                members = self.directory["groups"].get(user["name"].casefold(), set())
                if account.casefold() in members:
                    role_ids.update(user["roles"])
        return role_ids

    def _has_role(self, account, role_id):
        return role_id in self._effective_roles(account)

    # ------------------------------------------------------------------ models
    def _role_model(self, role, version, full=False):
        model = {"id": role["id"], "name": role["name"], "description": role.get("description", "")}
        if version == "1.3-rev2":
            model["isBuiltIn"] = role["isBuiltIn"]
        return model

    def _user_model(self, user, version):
        model = {"id": user["id"], "name": user["name"], "type": user["type"],
                 "roles": [self._role_model(self.roles[role_id], version) for role_id in user["roles"]
                           if role_id in self.roles],
                 "isServiceAccount": user["isServiceAccount"]}
        if version == "1.3-rev2":
            model["mfaEnabled"] = self._mfa_enabled_for(user)
        return model

    def _mfa_enabled_for(self, user):
        return bool(self.settings["mfaEnabled"]) and not user["isServiceAccount"] and user["type"].endswith("User")

    def _user_by_name(self, name):
        return self.users.get(self.ids_by_name.get((name or "").casefold()))

    def _user(self, user_id):
        user = self.users.get(user_id)
        if user is None:
            raise ApiError(404, "NotFound", "User or group with ID %s was not found." % user_id, user_id)
        return user

    @staticmethod
    def _page(items, request):
        skip = _int_arg(request, "skip", 0)
        limit = _int_arg(request, "limit", 200)
        if skip < 0 or limit < 1:
            raise ApiError(400, "UnexpectedContent", "skip must be >= 0 and limit must be >= 1.")
        page = items[skip:skip + limit]
        return page, {"total": len(items), "count": len(page), "skip": skip, "limit": limit}

    # ------------------------------------------------------------------ server info
    def op_server_info(self, request, version, account):
        return Response.json(200, catalog.server_info(self.index, self.build))

    # ------------------------------------------------------------------ users
    def op_list_users(self, request, version, account):
        users = [user for user in self.users.values() if self._user_matches(user, request)]
        users = self._ordered(users, request, version)
        page, pagination = self._page(users, request)
        return Response.json(200, {"data": [self._user_model(user, version) for user in page],
                                   "pagination": pagination})

    def _user_matches(self, user, request):
        name_filter = request.arg("nameFilter")
        if name_filter and not _name_matches(user["name"], name_filter):
            return False
        types = request.args("typeFilter")
        if types and user["type"] not in types:
            return False
        role_id = request.arg("roleIdFilter")
        if role_id and role_id.lower() not in [rid.lower() for rid in user["roles"]]:
            return False
        role_name = request.arg("roleNameFilter")
        if role_name and not any(_name_matches(self.roles[rid]["name"], role_name) for rid in user["roles"]
                                 if rid in self.roles):
            return False
        service = request.arg("isServiceAccountFilter")
        if service is not None and user["isServiceAccount"] != (service.lower() == "true"):
            return False
        return True

    def _ordered(self, users, request, version):
        column = request.arg("orderColumn")
        if not column:
            return users
        key = ORDER_COLUMNS.get(column.lower())
        if key is None or (key == "mfaEnabled" and version != "1.3-rev2"):
            raise ApiError(400, "UnexpectedContent", "The orderColumn value %s is not valid." % column)
        descending = (request.arg("orderAsc") or "true").lower() == "false"

        def sort_key(user):
            value = self._mfa_enabled_for(user) if key == "mfaEnabled" else user[key]
            return value.casefold() if isinstance(value, str) else value
        return sorted(users, key=sort_key, reverse=descending)

    def op_create_user(self, request, version, account):
        spec = request.json()
        if not isinstance(spec, dict):
            raise ApiError(400, "UnexpectedContent", "The request body must be a UserSpec object.")
        name, user_type = spec.get("name"), spec.get("type")
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "UnexpectedContent", "The name property is required.")
        if user_type not in USER_TYPES:
            raise ApiError(400, "UnexpectedContent", "The type property must be one of %s." % ", ".join(USER_TYPES))
        if not isinstance(spec.get("isServiceAccount"), bool):
            raise ApiError(400, "UnexpectedContent", "The isServiceAccount property is required.")
        role_ids = self._role_ids(spec.get("roles"))
        if self._user_by_name(name):
            raise ApiError(400, "UnexpectedContent", "The user or group %s has already been added." % name)
        self._resolve_account(name, user_type)
        user = self._store_user(name, user_type, role_ids, spec["isServiceAccount"])
        self._note("User added", account, "%s was added with the roles %s" % (name, self._role_names(role_ids)))
        return Response.json(201, self._user_model(user, version))

    def _role_names(self, role_ids):
        return ", ".join(self.roles[role_id]["name"] for role_id in role_ids if role_id in self.roles)

    def _role_ids(self, roles):
        if not isinstance(roles, list) or not roles:
            raise ApiError(400, "UnexpectedContent", "At least one role must be specified.")
        role_ids = []
        for role in roles:
            role_id = role.get("id") if isinstance(role, dict) else None
            known = next((rid for rid in self.roles if rid.lower() == str(role_id).lower()), None)
            if known is None:  # the spec lists 400, not 404, for POST users and PUT roles
                raise ApiError(400, "NotFound", "Role with ID %s was not found." % role_id, str(role_id))
            if known not in role_ids:
                role_ids.append(known)
        if len(set(self.roles[role_id]["isBuiltIn"] for role_id in role_ids)) > 1:
            # Veeam's user guide: built-in and custom roles cannot be combined (the answer is our assumption)
            raise ApiError(400, "UnexpectedContent", "Built-in and custom roles cannot be assigned to the same user "
                                                     "or group.")
        return role_ids

    def _resolve_account(self, name, user_type):
        """Like VBR asking Active Directory: the account must exist, as a user or as a group."""
        folded = name.casefold()
        if user_type == "ExternalGroup":
            return
        if user_type == "ExternalUser":
            if "@" not in name:
                raise ApiError(400, "UnexpectedContent", "External user name %s must be a user principal name "
                                                         "(user@domain)." % name)
            return
        is_group = folded in self.directory["groups"]
        is_user = folded in self.directory["users"] or (not is_group and _domain_of(name) in self.directory["domains"])
        if user_type == "InternalUser" and is_user:
            return
        if user_type == "InternalGroup" and is_group:
            return
        if is_user or is_group:
            raise ApiError(400, "UnexpectedContent", "Account %s is a %s, not a %s." % (
                name, "group" if is_group else "user", "group" if user_type == "InternalGroup" else "user"))
        raise ApiError(400, "NotFound", "Failed to resolve account %s: the account was not found in Active "
                                        "Directory." % name, name)

    def op_get_user(self, request, version, account, id):
        return Response.json(200, self._user_model(self._user(id), version))

    def op_delete_user(self, request, version, account, id):
        user = self._user(id)
        del self.users[id]
        del self.ids_by_name[user["name"].casefold()]
        self._note("User deleted", account, "%s was deleted" % user["name"])
        return Response.empty(204)

    def op_get_user_roles(self, request, version, account, id):
        user = self._user(id)
        return Response.json(200, {"roles": self._user_model(user, version)["roles"]})

    def op_put_user_roles(self, request, version, account, id):
        user = self._user(id)
        spec = request.json()
        user["roles"] = self._role_ids((spec or {}).get("roles") if isinstance(spec, dict) else None)
        self._note("Roles assigned", account, "%s now has the roles %s" % (user["name"], self._role_names(user["roles"])))
        return Response.json(200, {"roles": self._user_model(user, version)["roles"]})

    def op_change_service_account(self, request, version, account, id):
        user = self._user(id)
        spec = request.json()
        enabled = spec.get("isServiceAccountEnable") if isinstance(spec, dict) else None
        if not isinstance(enabled, bool):
            raise ApiError(400, "UnexpectedContent", "The isServiceAccountEnable property is required.")
        user["isServiceAccount"] = enabled
        return Response.json(200, self._user_model(user, version))

    def op_reset_mfa(self, request, version, account, id):
        user = self._user(id)  # the spec lists no 400 here: a group's reset is accepted and changes nothing
        user["mfaResets"] = user.get("mfaResets", 0) + 1
        return Response.empty(204)

    # ------------------------------------------------------------------ roles
    def op_list_roles(self, request, version, account):
        roles = list(self.roles.values())
        name_filter = request.arg("nameFilter")
        if name_filter:
            roles = [role for role in roles if _name_matches(role["name"], name_filter)]
        built_in = request.arg("isBuiltInFilter")
        if built_in is not None and version == "1.3-rev2":
            roles = [role for role in roles if role["isBuiltIn"] == (built_in.lower() == "true")]
        column = request.arg("orderColumn")
        if column:
            if column.lower() not in ("name", "description"):
                raise ApiError(400, "UnexpectedContent", "The orderColumn value %s is not valid." % column)
            descending = (request.arg("orderAsc") or "true").lower() == "false"
            roles.sort(key=lambda role: role.get(column.lower(), "").casefold(), reverse=descending)
        page, pagination = self._page(roles, request)
        return Response.json(200, {"data": [self._role_model(role, version) for role in page],
                                   "pagination": pagination})

    def _role(self, role_id):
        role = self.roles.get(role_id)
        if role is None:
            raise ApiError(404, "NotFound", "Role with ID %s was not found." % role_id, role_id)
        return role

    def op_get_role(self, request, version, account, id):
        return Response.json(200, self._role_model(self._role(id), version))

    def op_role_permissions(self, request, version, account, id):
        role = self._role(id)
        return Response.json(200, {"roleId": role["id"], "permissions": list(role.get("permissions", []))})

    def _custom_role(self, role_id, builtin_status=400):
        """A custom role; a built-in one is refused with a status the operation's spec lists."""
        role = self._role(role_id)
        if role["isBuiltIn"]:
            code = {400: "UnexpectedContent", 403: "AccessDenied", 404: "NotFound"}[builtin_status]
            raise ApiError(builtin_status, code, "The role %s is a built-in role and cannot be changed or "
                                                 "read as a custom role." % role["name"], role_id)
        return role

    def _validated_custom_spec(self, request, role_id=None):
        spec = request.json()
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not spec["name"].strip():
            raise ApiError(400, "UnexpectedContent", "The name property is required.")
        for flag in ("manageBackups", "manageRestores"):
            if not isinstance(spec.get(flag), bool):
                raise ApiError(400, "UnexpectedContent", "The %s property is required." % flag)
        clash = next((role for role in self.roles.values() if role["name"].casefold() == spec["name"].casefold()
                      and role["id"] != role_id), None)
        if clash:
            raise ApiError(400, "UnexpectedContent", "A role named %s already exists." % spec["name"])
        return spec

    def op_create_custom_role(self, request, version, account):
        spec = self._validated_custom_spec(request)
        role = catalog.custom_role(str(uuid.uuid4()), spec, self.config.role_details)
        self.roles[role["id"]] = role
        return Response.json(201, catalog.custom_role_model(role, self.config.role_details))

    def op_update_custom_role(self, request, version, account, id):
        self._custom_role(id)
        spec = self._validated_custom_spec(request, id)
        self.roles[id] = catalog.custom_role(id, spec, self.config.role_details)
        return Response.json(200, catalog.custom_role_model(self.roles[id], self.config.role_details))

    def op_delete_custom_role(self, request, version, account, id):
        role = self._custom_role(id, builtin_status=403)
        holders = [user["name"] for user in self.users.values() if id in user["roles"]]
        if holders:
            raise ApiError(403, "AccessDenied", "The role %s is assigned to %s and cannot be deleted."
                           % (role["name"], ", ".join(sorted(holders))), id)
        del self.roles[id]
        return Response.empty(204)

    def op_custom_role_details(self, request, version, account, id):
        return Response.json(200, catalog.custom_role_model(self._custom_role(id, builtin_status=404),
                                                            self.config.role_details))

    def op_clone_custom_role(self, request, version, account, id):
        source = self._custom_role(id)
        spec = dict(catalog.custom_role_model(source))
        spec["name"] = source["name"] + "_Clone"
        role = catalog.custom_role(str(uuid.uuid4()), spec, self.config.role_details)
        self.roles[role["id"]] = role
        return Response.json(201, catalog.custom_role_model(role, self.config.role_details))

    def op_restore_options(self, request, version, account):
        options = catalog.RESTORE_OPTIONS
        page, pagination = self._page(options, request)
        return Response.json(200, {"data": page, "pagination": pagination})

    # ------------------------------------------------------------------ settings
    def op_get_settings(self, request, version, account):
        return Response.json(200, dict(self.settings))

    def op_put_settings(self, request, version, account):
        spec = request.json()
        if not isinstance(spec, dict) or not isinstance(spec.get("mfaEnabled"), bool):
            raise ApiError(400, "UnexpectedContent", "The mfaEnabled property must be true or false.")
        self.settings["mfaEnabled"] = spec["mfaEnabled"]
        return Response.json(200, dict(self.settings))

    # ------------------------------------------------------------------ four-eyes authorization
    def _four_eyes(self, request, version, account, handler_name, params):
        """With four-eyes authorization on: hold a change for approval, refuse a deletion; None lets it through."""
        if handler_name == "delete_user":
            raise ApiError(403, "AccessDenied", "Four-eyes authorization is enabled: deleting users and user groups "
                                                "is not available through the REST API.", params.get("id"))
        if handler_name not in FOUR_EYES_OPERATIONS:
            return None
        if handler_name != "create_user" and handler_name != "put_settings":
            self._user(params["id"])  # an unknown user is 404 before anything is held
        event = self._new_event(FOUR_EYES_OPERATIONS[handler_name], "Pending", account,
                                "%s requires approval by a second administrator (four-eyes authorization): %s %s"
                                % (FOUR_EYES_OPERATIONS[handler_name], request.method, request.path))
        event["_operation"] = {"handler": handler_name, "request": request, "version": version, "account": account,
                               "params": dict(params)}
        if self.four_eyes == "202":
            return Response.json(202, self._event_model(event))
        raise ApiError(403, "AccessDenied", "The operation requires four-eyes authorization. Request %s is pending "
                                            "approval by another Backup Administrator." % event["id"], event["id"])

    def _new_event(self, name, state, account, description):
        created = _now()
        event = {"id": str(uuid.uuid4()), "name": name, "description": description, "state": state,
                 "creationTime": created, "createdBy": account,
                 "expirationTime": created + EVENT_LIFETIME if state == "Pending" else None,
                 "processedBy": None, "processedTime": None}
        self.events[event["id"]] = event
        return event

    def _note(self, name, account, description):
        """An Info event, as VBR logs users and groups added or deleted and roles assigned."""
        self._new_event(name, "Info", account, description)

    @staticmethod
    def _event_model(event):
        model = dict((key, value) for key, value in event.items() if not key.startswith("_") and value is not None)
        for key in ("creationTime", "expirationTime", "processedTime"):
            if key in model:
                model[key] = _iso(model[key])
        return model

    def _settle_events(self):
        for event in self.events.values():
            if event["state"] == "Pending" and event["expirationTime"] <= _now():
                event["state"] = "Expired"

    def op_list_authorization_events(self, request, version, account):
        self._settle_events()
        events = [event for event in self.events.values() if self._event_matches(event, request)]
        column = request.arg("orderColumn")
        if column:
            key = EVENT_ORDER.get(column.lower())
            if key is None:
                raise ApiError(400, "UnexpectedContent", "The orderColumn value %s is not valid." % column)
            descending = (request.arg("orderAsc") or "true").lower() == "false"
            events.sort(key=lambda event: (event[key] is not None, event[key] or 0 if key.endswith("Time")
                                           else str(event[key] or "").casefold()), reverse=descending)
        page, pagination = self._page(events, request)
        return Response.json(200, {"data": [self._event_model(event) for event in page], "pagination": pagination})

    def _event_matches(self, event, request):
        states = request.args("stateFilter")
        if states and event["state"] not in states:
            return False
        pattern = request.arg("nameFilter")
        if pattern and not any(_name_matches(str(event[key] or ""), pattern)
                               for key in ("name", "description", "state", "createdBy", "processedBy")):
            return False
        for arg, key in (("createdByFilter", "createdBy"), ("processedByFilter", "processedBy")):
            wanted = request.arg(arg)
            if wanted and not _name_matches(str(event[key] or ""), wanted):
                return False
        for arg, key, after in (("createdAfterFilter", "creationTime", True), ("createdBeforeFilter", "creationTime", False),
                                ("processedAfterFilter", "processedTime", True),
                                ("processedBeforeFilter", "processedTime", False),
                                ("expireAfterFilter", "expirationTime", True),
                                ("expireBeforeFilter", "expirationTime", False)):
            bound = _time_arg(request, arg)
            if bound is not None and (event[key] is None or (event[key] <= bound if after else event[key] >= bound)):
                return False
        return True

    def op_get_authorization_event(self, request, version, account, id):
        self._settle_events()
        event = self.events.get(id)
        if event is None:
            raise ApiError(404, "NotFound", "Authorization event with ID %s was not found." % id, id)
        return Response.json(200, self._event_model(event))

    def _decide(self, event_id, approve, approver):
        """A second administrator approves (the held change is carried out) or rejects a pending request."""
        event = self.events.get(event_id)
        if event is None or event["state"] != "Pending":
            return Response.json(404, {"error": "no pending authorization event %s" % event_id})
        event.update(state="Approved" if approve else "Rejected", processedBy=approver, processedTime=_now())
        operation = event.pop("_operation", None)
        result = None
        if approve and operation:
            try:
                handler = getattr(self, "op_" + operation["handler"])
                answer = handler(operation["request"], operation["version"], operation["account"], **operation["params"])
                result = {"status": answer.status}
            except ApiError as error:
                result = {"status": error.status, "message": error.message}
        return Response.json(200, {"event": self._event_model(event), "operation": result})

    # ------------------------------------------------------------------ admin endpoints
    def admin(self, request, subpath):
        body = request.json() or {}
        with self.lock:
            if subpath == "tokens" and request.method == "GET":
                issued = sorted(self.issued_secrets)
                return Response.json(200, {"tokens": issued})
            if subpath == "tokens/expire" and request.method == "POST":
                for entry in self.access_tokens.values():
                    entry["expires"] = 0
                return Response.json(200, {"expired": len(self.access_tokens)})
            if subpath == "tokens/refuse-refresh" and request.method == "POST":
                self.refuse_refresh = bool(body.get("enabled", True))
                return Response.json(200, {"refuse_refresh": self.refuse_refresh})
            if subpath == "directory" and request.method == "POST":
                return self._admin_directory(body)
            if subpath == "credentials" and request.method == "POST":
                self.credentials[body["username"].casefold()] = body["password"]
                if body.get("account"):
                    self.login_aliases[body["username"].casefold()] = body["account"]
                return Response.json(200, {"ok": True})
            if subpath == "users" and request.method == "POST":
                return self._admin_users(body)
            if subpath == "role-names" and request.method == "POST":
                naming = body.get("naming")
                if naming not in catalog.ROLE_NAMINGS:
                    return Response.json(400, {"error": "naming must be one of %s" % ", ".join(catalog.ROLE_NAMINGS)})
                self.role_naming = naming
                for role_id, name, _description in catalog.BUILTIN_ROLES:
                    self.roles[role_id]["name"] = catalog.role_name(role_id, name, naming)
                return Response.json(200, {"role_names": naming})
            if subpath == "four-eyes" and request.method == "POST":
                mode = str(body.get("mode", "403"))
                if mode not in FOUR_EYES_MODES:
                    return Response.json(400, {"error": "mode must be one of %s" % ", ".join(FOUR_EYES_MODES)})
                self.four_eyes = mode
                return Response.json(200, {"four_eyes": self.four_eyes})
            decision = re.match(r"^authorization/events/([^/]+)/(approve|reject)$", subpath)
            if decision and request.method == "POST":
                return self._decide(decision.group(1), decision.group(2) == "approve",
                                    body.get("by", "TECH\\sheila.d.cory"))
        return None

    def _admin_directory(self, body):
        self.directory["users"].update(name.casefold() for name in body.get("users", []))
        for group in body.get("groups", []):
            name, members = (group, []) if isinstance(group, str) else (group["name"], group.get("members", []))
            self.directory["groups"].setdefault(name.casefold(), set()).update(m.casefold() for m in members)
        self.directory["domains"].update(domain.casefold() for domain in body.get("domains", []))
        return Response.json(200, {"ok": True})

    def _admin_users(self, body):
        by_name = {catalog.role_key(role["name"]): role_id for role_id, role in self.roles.items()}
        created = 0
        for spec in body.get("users", []):
            role_ids = [by_name[catalog.role_key(name)] for name in spec.get("roles", ["Backup Viewer"])]
            kind = "groups" if spec.get("type", "InternalUser").endswith("Group") else "users"
            if kind == "users":
                self.directory["users"].add(spec["name"].casefold())
            else:
                self.directory["groups"].setdefault(spec["name"].casefold(), set())
            if not self._user_by_name(spec["name"]):
                self._store_user(spec["name"], spec.get("type", "InternalUser"), role_ids,
                                 spec.get("isServiceAccount", False))
                created += 1
        return Response.json(201, {"created": created})


def _int_arg(request, name, default):
    value = request.arg(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, "UnexpectedContent", "The %s parameter must be an integer." % name)


def _time_arg(request, name):
    value = request.arg(name)
    if not value:
        return None
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise ApiError(400, "UnexpectedContent", "The %s parameter must be a date and time." % name)


def _name_matches(name, pattern):
    """VBR's nameFilter: a case-insensitive substring, or a wildcard pattern when it has ``*``."""
    if "*" in pattern:
        return fnmatch.fnmatchcase(name.casefold(), pattern.casefold())
    return pattern.casefold() in name.casefold()
