# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client of the Veeam Backup & Replication REST API (security part): tokens, paging, lookups."""

import re
import threading
import time

from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.transport import send_unrepeatable

DEFAULT_PORT = 9419
DEFAULT_API_VERSION = "1.3-rev1"
SUPPORTED_API_VERSIONS = ("1.3-rev1", "1.3-rev2")
MIN_VBR_FOR_API = {"1.3-rev1": "13.0.1", "1.3-rev2": "13.1"}
PAGE_SIZE = 200
BACKUP_ADMINISTRATOR = "Veeam Backup Administrator"
# Built-in roles have the same ids on every VBR build; their names differ (13.0.1 "Veeam Backup Administrator",
# 13.1 "Backup Administrator"), so the collection recognises them by id.
BACKUP_ADMINISTRATOR_ID = "5ff0e0eb-45cf-48cc-9677-7613fc79bc11"
USER_TYPES = ("InternalUser", "InternalGroup", "ExternalUser", "ExternalGroup")

TOKEN_PATH = "/api/oauth2/token"
LOGOUT_PATH = "/api/oauth2/logout"
USERS_PATH = "/api/v1/security/users"
ROLES_PATH = "/api/v1/security/roles"
SETTINGS_PATH = "/api/v1/security/settings"

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_VERSION_LIST = re.compile(r"supported:\s*(.+?)\.?\s*$", re.IGNORECASE)


def is_uuid(value):
    return bool(_UUID.match(str(value or "")))


def same_name(left, right):
    """Veeam account and role names compare case-insensitively."""
    return (left or "").casefold() == (right or "").casefold()


class VbrClient(object):
    """One authenticated conversation with one VBR server.

    Authentication: the OAuth2 password grant (``username``/``password``), or an ``access_token`` got
    earlier. The token is renewed before it expires (refresh grant; refresh tokens are single-use) and
    after a 401; when a refresh is refused the password grant is used again. :meth:`close` logs out
    the tokens this client obtained itself.
    """

    def __init__(self, transport, username=None, password=None, access_token=None,
                 api_version=DEFAULT_API_VERSION, clock=time.time, page_size=PAGE_SIZE):
        if api_version not in SUPPORTED_API_VERSIONS:
            raise VeeamError("api_version %r is not supported; choose one of: %s"
                             % (api_version, ", ".join(SUPPORTED_API_VERSIONS)), error_code="invalid_input")
        if not access_token and not (username and password):
            raise VeeamError("No credentials for the VBR server: give username and password "
                             "(or VEEAM_VBR_USERNAME / VEEAM_VBR_PASSWORD), or an access_token",
                             error_code="invalid_input")
        self.transport = transport
        self.username = username
        self.api_version = api_version
        self.page_size = page_size
        self._password = password
        self._clock = clock
        self._access_token = access_token
        self._refresh_token = None
        self._expires_at = None
        self._own_token = False
        self._roles = None
        # Worker threads share one token: one of them renews it, the others wait and use the new one.
        self._auth_lock = threading.RLock()
        for secret in (password, access_token):
            transport.add_secret(secret)

    # ------------------------------------------------------------------ authentication
    @property
    def server(self):
        return self.transport.base_url

    def _grant_type(self, kind):
        """The grant_type spelling of the 1.3 specs' enum (``Password``, ``Refresh_token``)."""
        return {"password": "Password", "refresh_token": "Refresh_token"}[kind]

    def _token_request(self, form):
        response = self.transport.request("POST", TOKEN_PATH, data=form, idempotent=True, write=False,
                                          headers={"x-api-version": self.api_version,
                                                   "Accept": "application/json"})
        token = response.json()
        self._access_token = token["access_token"]
        self._refresh_token = token.get("refresh_token")
        self._own_token = True
        self.transport.add_secret(self._access_token)
        self.transport.add_secret(self._refresh_token)
        expires_in = float(token.get("expires_in") or 900)
        self._expires_at = self._clock() + expires_in - min(60.0, expires_in / 10.0)

    def login(self):
        """Get a new token pair with the password grant."""
        if not self._password:
            raise VeeamError("The access token for the VBR server at %s was rejected or has expired, and no "
                             "password was given to get a new one" % self.server,
                             error_code="token_expired",
                             hint="VBR access tokens live 15 minutes by default: pass a fresh access_token, "
                                  "or username and password so the module can log in itself.")
        try:
            self._token_request({"grant_type": self._grant_type("password"), "username": self.username,
                                 "password": self._password})
        except VeeamError as error:
            raise self._explain_login_error(error)

    def _refresh(self):
        """Renew with the single-use refresh token; fall back to the password grant when refused."""
        refresh_token, self._refresh_token = self._refresh_token, None
        if refresh_token:
            try:
                self._token_request({"grant_type": self._grant_type("refresh_token"),
                                     "refresh_token": refresh_token})
                return
            except VeeamError as error:
                if error.status not in (400, 401, 403):
                    raise self._explain(error)
        self.login()

    def _ensure_token(self):
        """The access token to use now (renewed first when it is missing or about to expire)."""
        with self._auth_lock:
            if self._access_token is None:
                self.login()
            elif self._expires_at is not None and self._clock() >= self._expires_at:
                self._refresh()
            return self._access_token

    def _renew_after_401(self, rejected_token):
        """Renew the token after a 401, unless another worker already did since ``rejected_token`` was used."""
        with self._auth_lock:
            if self._access_token == rejected_token:
                self._refresh()
            return self._access_token

    def _auth_headers(self, token=None):
        return {"x-api-version": self.api_version, "Authorization": "Bearer %s" % (token or self._access_token),
                "Accept": "application/json"}

    def close(self):
        """Log out (only the tokens this client obtained) and close the connection pool."""
        if self._own_token and self._access_token:
            try:
                self.transport.request("POST", LOGOUT_PATH, headers=self._auth_headers(), idempotent=True, write=False,
                                       accept_statuses=(401, 403, 404))
            except VeeamError:
                pass
        self._access_token = None
        self._own_token = False
        self.transport.close()

    # ------------------------------------------------------------------ requests
    def request(self, method, path, params=None, json=None, accept_statuses=(), idempotent=None):
        """An authenticated API request; renews the token once on a 401 and repeats the request."""
        token = self._ensure_token()
        try:
            return self.transport.request(method, path, params=params, json=json, headers=self._auth_headers(token),
                                          accept_statuses=accept_statuses, idempotent=idempotent)
        except VeeamError as error:
            if error.status != 401:
                raise self._explain(error)
        # A 401 means the request was not processed, so sending it again after renewal is safe.
        token = self._renew_after_401(token)
        try:
            return self.transport.request(method, path, params=params, json=json, headers=self._auth_headers(token),
                                          accept_statuses=accept_statuses, idempotent=idempotent)
        except VeeamError as error:
            raise self._explain(error)

    def get_json(self, path, params=None, accept_statuses=()):
        response = self.request("GET", path, params=params, accept_statuses=accept_statuses)
        if response.status_code in accept_statuses:
            return None
        return response.json()

    def paginate(self, path, params=None):
        """Every item of a paged collection (``{data, pagination}``), reading ``page_size`` at a time."""
        query = dict(params or {})
        items = []
        while True:
            query.update(skip=len(items), limit=self.page_size)
            page = self.get_json(path, query)
            data = expect_list(page, "data", "GET %s" % path, self.server)
            items.extend(data)
            total = (page.get("pagination") or {}).get("total")
            if not data or (total is not None and len(items) >= total) \
                    or (total is None and len(data) < self.page_size):
                return items

    # ------------------------------------------------------------------ explaining errors
    def _explain(self, error):
        """Turn a raw HTTP error into the sentence a person needs; keeps all the error's data."""
        text = " ".join(filter(None, [error.message, error.summary]))
        if error.status == 400 and "unsupported restapi version" in text.lower():
            return self._version_error(error)
        if error.status == 403:
            error.hint = ("The account %s has no permission for this on the VBR server. Managing users, "
                          "roles and MFA needs the %s role." % (self.username or "in use", BACKUP_ADMINISTRATOR))
        return error

    def _version_error(self, error):
        supported = _VERSION_LIST.search(error.message or "")
        offered = supported.group(1) if supported else "older versions only"
        summary = ("The VBR server at %s does not support REST API version %s (it supports: %s). "
                   "The security API (users, roles, MFA) needs Veeam Backup & Replication %s or later"
                   % (self.server, self.api_version, offered, MIN_VBR_FOR_API[self.api_version]))
        hint = None
        if self.api_version == "1.3-rev2" and "1.3-rev1" in offered:
            hint = "This server is VBR 13.0.x: set api_version: 1.3-rev1 (custom roles need VBR 13.1)."
        elif "1.3-rev1" not in offered:
            hint = "Upgrade the server to VBR 13.0.1 or later to manage its users and roles through the REST API."
        return VeeamError(summary, status=error.status, error_code="unsupported_api_version",
                          message=error.message, method=error.method, path=error.path, hint=hint)

    def _explain_login_error(self, error):
        if error.status == 400 and "unsupported restapi version" in " ".join(
                filter(None, [error.message, error.summary])).lower():
            return self._version_error(error)
        if error.status in (400, 401, 403):
            error.summary = "The VBR server at %s refused the login of %s" % (self.server, self.username)
            error.hint = ("Check the user name and password. The account needs a built-in VBR role (custom "
                          "roles cannot use the REST API), and accounts with MFA enabled cannot use the REST "
                          "API: automation must log in with a service account.")
        return error

    # ------------------------------------------------------------------ users
    def list_users(self, name_filter=None, types=None, role_id=None, role_name=None, is_service_account=None):
        params = {}
        if name_filter:
            params["nameFilter"] = name_filter
        if types:
            params["typeFilter"] = list(types)
        if role_id:
            params["roleIdFilter"] = role_id
        if role_name:
            params["roleNameFilter"] = role_name
        if is_service_account is not None:
            params["isServiceAccountFilter"] = "true" if is_service_account else "false"
        return self.paginate(USERS_PATH, params)

    def find_user(self, name):
        """The user or group with exactly this name (case-insensitive), or None.

        ``nameFilter`` is a fuzzy match on the server; it narrows the read, the exact match is ours.
        """
        for user in self.list_users(name_filter=name):
            if same_name(user.get("name"), name):
                return user
        return None

    def find_users(self, names, lookups_at_most=5):
        """{casefolded name: user or None} for ``names``: a lookup each for a few, one paged read for many."""
        if len(names) <= lookups_at_most:
            return dict((name.casefold(), self.find_user(name)) for name in names)
        everyone = dict((user["name"].casefold(), user) for user in self.list_users())
        return dict((name.casefold(), everyone.get(name.casefold())) for name in names)

    def get_user(self, user_id):
        return self.get_json("%s/%s" % (USERS_PATH, user_id), accept_statuses=(404,))

    def find_user_everywhere(self, name):
        """The user or group named ``name`` (case-insensitive) from a paged read of every account, or None.

        Used where "absent" must not be concluded from ``nameFilter`` alone (the API calls it a pattern; how a
        server matches case and backslashes is not documented).
        """
        return next((user for user in self.list_users() if same_name(user.get("name"), name)), None)

    def create_user(self, name, user_type, roles, is_service_account=False):
        """Add a user or group; returns ``(UserModel, existed)``.

        ``existed`` is True when the record returned was read from the server instead of created by this call:
        after a lost answer (timeout, dropped connection, 5xx) the POST is not repeated blindly, the user is looked
        up first; and when the server refuses the create because the account exists already (another run, a
        ``nameFilter`` that did not find it), it is read from the full user list. The caller then compares that
        record with what it wants, as for any existing account.
        """
        body = {"name": name, "type": user_type, "roles": [_role_ref(role) for role in roles],
                "isServiceAccount": bool(is_service_account)}

        def send():
            return self.request("POST", USERS_PATH, json=body).json(), False

        def reread():
            found = self.find_user(name)
            return (found, True) if found is not None else None

        try:
            return send_unrepeatable(self.transport, send, reread)
        except VeeamError as error:
            if error.status not in (400, 409):
                raise
            existing = self.find_user_everywhere(name)
            if existing is None:
                raise
            return existing, True

    def delete_user(self, user_id):
        """Remove a user or group; False when it was already gone."""
        response = self.request("DELETE", "%s/%s" % (USERS_PATH, user_id), accept_statuses=(404,))
        return response.status_code != 404

    def set_user_roles(self, user_id, roles):
        """Replace the roles of an account (VBR's PUT takes the whole list); returns the roles it answers with."""
        body = {"roles": [_role_ref(role) for role in roles]}
        answer = self.request("PUT", "%s/%s/roles" % (USERS_PATH, user_id), json=body).json()
        return expect_list(answer, "roles", "PUT %s/{id}/roles" % USERS_PATH, self.server)

    def set_service_account_mode(self, user_id, enabled):
        return self.request("POST", "%s/%s/changeServiceAccountMode" % (USERS_PATH, user_id),
                            json={"isServiceAccountEnable": bool(enabled)}, idempotent=True).json()

    def reset_mfa(self, user_id):
        self.request("POST", "%s/%s/resetMFA" % (USERS_PATH, user_id), idempotent=True)

    # ------------------------------------------------------------------ settings
    def get_security_settings(self):
        return self.get_json(SETTINGS_PATH)

    def set_mfa_enabled(self, enabled):
        return self.request("PUT", SETTINGS_PATH, json={"mfaEnabled": bool(enabled)}).json()

    # ------------------------------------------------------------------ roles
    def list_roles(self):
        """Every role on the server (read once per client)."""
        if self._roles is None:
            self._roles = self.paginate(ROLES_PATH)
        return self._roles

    def role_permissions(self, role_id):
        return self.get_json("%s/%s/permissions" % (ROLES_PATH, role_id)).get("permissions") or []

    def forget_roles(self):
        """Drop the cached role list (after creating or deleting a custom role)."""
        self._roles = None

    def custom_role_details(self, role_id):
        return self.get_json("%s/%s/details" % (ROLES_PATH, role_id))

    def create_custom_role(self, spec):
        self.forget_roles()
        return self.request("POST", ROLES_PATH, json=spec).json()

    def update_custom_role(self, role_id, model):
        return self.request("PUT", "%s/%s" % (ROLES_PATH, role_id), json=model).json()

    def delete_custom_role(self, role_id):
        self.forget_roles()
        response = self.request("DELETE", "%s/%s" % (ROLES_PATH, role_id), accept_statuses=(404,))
        return response.status_code != 404

    def resolve_role(self, reference):
        """The role named ``reference`` (case-insensitive; the ``Veeam `` prefix may be left out) or with that id."""
        roles = self.list_roles()
        found = find_role(roles, reference)
        if found is None:
            raise VeeamError("Unknown VBR role %r. Roles on the VBR server at %s: %s"
                             % (reference, self.server, ", ".join(sorted(role["name"] for role in roles))),
                             error_code="invalid_input",
                             hint="Give a role by its name (case-insensitive) or by its id.")
        return found

    def backup_administrator_role(self):
        """The built-in Backup Administrator role, found by its id (its name differs between VBR builds)."""
        found = find_role(self.list_roles(), BACKUP_ADMINISTRATOR_ID)
        if found is None:
            raise VeeamError("The VBR server at %s lists no role with the id of the built-in Backup Administrator "
                             "role (%s)" % (self.server, BACKUP_ADMINISTRATOR_ID), error_code="unexpected_response",
                             hint="The lockout guards need that role to decide; report this with the server's "
                                  "version.")
        return found

    def resolve_roles(self, references):
        """Roles for a list of names or ids, in order, without duplicates."""
        resolved = []
        for reference in references:
            role = self.resolve_role(reference)
            if role["id"] not in [known["id"] for known in resolved]:
                resolved.append(role)
        return resolved


def expect_list(answer, key, request, server):
    """``answer[key]`` when it is a list; any other shape is an error saying what was expected (never "empty")."""
    if isinstance(answer, dict) and isinstance(answer.get(key), list):
        return answer[key]
    found = sorted(answer) if isinstance(answer, dict) else type(answer).__name__
    raise VeeamError("The VBR server at %s answered %s with a shape this collection does not know: expected an "
                     "object with a %r list, found %s" % (server, request, key, found),
                     error_code="unexpected_response",
                     hint="Nothing more was changed. Report this with the server's version (see the live "
                          "conformance kit in docs/development.md).")


def find_role(roles, reference):
    """Match a role by id, exact name, or name without the ``Veeam `` prefix; None when nothing matches."""
    text = str(reference or "").strip()
    if is_uuid(text):
        return next((role for role in roles if role.get("id", "").lower() == text.lower()), None)
    exact = [role for role in roles if same_name(role.get("name"), text)]
    if exact:
        return exact[0]
    prefixed = [role for role in roles if same_name(role.get("name"), "Veeam " + text)]
    return prefixed[0] if len(prefixed) == 1 else None


def _role_ref(role):
    """The RoleModel a request body carries: id and name (description when known)."""
    ref = {"id": role["id"], "name": role["name"]}
    if role.get("description"):
        ref["description"] = role["description"]
    return ref


def role_result(role, permissions=None):
    """A role as modules return it (snake_case keys)."""
    result = {"id": role.get("id"), "name": role.get("name"), "description": role.get("description")}
    if "isBuiltIn" in role:
        result["is_built_in"] = role["isBuiltIn"]
    if permissions is not None:
        result["permissions"] = sorted(permissions)
    return result


def user_result(user):
    """A user or group as modules return it (snake_case keys, role names sorted)."""
    result = {
        "id": user.get("id"),
        "name": user.get("name"),
        "type": user.get("type"),
        "roles": sorted((role.get("name") for role in user.get("roles") or []), key=str.casefold),
        "is_service_account": user.get("isServiceAccount"),
    }
    if "mfaEnabled" in user:
        result["mfa_enabled"] = user["mfaEnabled"]
    return result
