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
API_VERSION_AUTO = "auto"
# The REST API revisions this collection speaks, oldest first. ``auto`` (the default) picks the newest one the
# server supports too, from the server's own answer (see VbrClient._settle_api_version).
SUPPORTED_API_VERSIONS = ("1.3-rev1", "1.3-rev2")
API_VERSION_CHOICES = (API_VERSION_AUTO,) + SUPPORTED_API_VERSIONS
DEFAULT_API_VERSION = API_VERSION_AUTO
MIN_VBR_FOR_API = {"1.3-rev1": "13.0.1", "1.3-rev2": "13.1"}
PAGE_SIZE = 200
BACKUP_ADMINISTRATOR = "Veeam Backup Administrator"
# Built-in roles have the same ids on every VBR build; their names differ (13.0.1 "Veeam Backup Administrator",
# 13.1 "Backup Administrator"), so the collection recognises them by id. These are every built-in role id that
# Veeam's 1.3-rev1 and 1.3-rev2 specs show (UsersResultExample, RoleModelExample, UserSpecGroupExample and, for
# the Incident API Operator, UserRolePermissionsModelExample), with the name 13.1 gives each role.
BACKUP_ADMINISTRATOR_ID = "5ff0e0eb-45cf-48cc-9677-7613fc79bc11"
BUILT_IN_ROLE_IDS = {
    BACKUP_ADMINISTRATOR_ID: "Backup Administrator",
    "b167c3af-2262-4b6c-9861-0606fc0cb6b1": "Restore Operator",
    "3835e9df-cf3e-43e9-8e82-817798b1aee0": "Security Administrator",
    "e71bb27e-bd16-47b6-8b1c-98ef2d7a996e": "Incident API Operator",
}
# Built-in role names of either naming (13.0.1 "Veeam Backup Viewer", 13.1 "Backup Viewer"), for the names a custom
# role must not take; the specs name these roles but show no id for some of them.
BUILT_IN_ROLE_NAMES = ("Backup Administrator", "Restore Operator", "Security Administrator", "Incident API Operator",
                       "Backup Operator", "Backup Viewer", "Tape Operator")
ROLE_NAME_PREFIX = "Veeam "
USER_TYPES = ("InternalUser", "InternalGroup", "ExternalUser", "ExternalGroup")

TOKEN_PATH = "/api/oauth2/token"
LOGOUT_PATH = "/api/oauth2/logout"
USERS_PATH = "/api/v1/security/users"
ROLES_PATH = "/api/v1/security/roles"
SETTINGS_PATH = "/api/v1/security/settings"
SERVER_INFO_PATH = "/api/v1/serverInfo"
AUTHORIZATION_EVENTS_PATH = "/api/v1/authorization/events"

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_VERSION_LIST = re.compile(r"supported:\s*(.+?)\.?\s*$", re.IGNORECASE)


def is_uuid(value):
    return bool(_UUID.match(str(value or "")))


def same_name(left, right):
    """Veeam account and role names compare case-insensitively."""
    return (left or "").casefold() == (right or "").casefold()


def _is_version_error(error):
    text = " ".join(filter(None, [error.message, error.summary])).lower()
    return error.status == 400 and "unsupported restapi version" in text


def offered_versions(message):
    """The versions an "Unsupported RESTAPI version ... supported: a, b." answer lists; None when it lists none."""
    found = _VERSION_LIST.search(message or "")
    if not found:
        return None
    versions = [part.strip().rstrip(".") for part in found.group(1).split(",")]
    return [version for version in versions if version] or None


FOUR_EYES = "four_eyes"
FOUR_EYES_PENDING, FOUR_EYES_REFUSED = "pending", "refused"
_FOUR_EYES_WORDS = ("four-eyes", "four eyes", "foureyes", "4-eyes", "four-eye")
_APPROVAL_WORDS = ("approval", "approve")


def four_eyes_kind(error):
    """``pending`` when the server answered that a change waits for a second administrator's approval,
    ``refused`` when it refuses the change because four-eyes authorization is on, None otherwise.

    Veeam's specs show no four-eyes answer: any refusal (4xx but 401) whose message speaks of four-eyes
    authorization or of an approval counts; a DELETE so refused is ``refused`` (Veeam: deletions are not available
    through REST while four-eyes authorization is on), any other ``pending``.
    """
    if error.status is None or error.status < 400 or error.status == 401 or error.error_code == FOUR_EYES:
        return None
    text = (error.message or "").lower()
    if not any(word in text for word in _FOUR_EYES_WORDS + _APPROVAL_WORDS):
        return None
    if any(word in text for word in ("pending", "sent for approval", "awaiting", "waiting for")):
        return FOUR_EYES_PENDING
    if (error.method or "").upper() == "DELETE" or not any(word in text for word in _APPROVAL_WORDS):
        return FOUR_EYES_REFUSED
    return FOUR_EYES_PENDING


def unexpected_shape(server, request, expected, answer):
    """The error for an answer the client does not recognise: never read as empty, it names what was found."""
    if isinstance(answer, dict):
        found = "an object with the keys %s" % (", ".join(sorted(str(key) for key in answer)) or "(none)")
    else:
        found = "a JSON %s" % type(answer).__name__.replace("NoneType", "null").replace("dict", "object")
    return VeeamError("The VBR server at %s answered %s with %s, where the collection expects %s"
                      % (server, request, found, expected), error_code="unexpected_response",
                      hint="Nothing was changed on the strength of that answer. Please report it with the server's "
                           "version (make test-live writes a report to attach).")


def authorization_event_result(event):
    """An authorization event (four-eyes request) as modules return it (snake_case keys)."""
    keys = (("id", "id"), ("name", "name"), ("description", "description"), ("state", "state"),
            ("creation_time", "creationTime"), ("created_by", "createdBy"), ("expiration_time", "expirationTime"),
            ("processed_by", "processedBy"), ("processed_time", "processedTime"))
    return dict((option, event.get(key)) for option, key in keys)


def describe_event(event):
    parts = ["'%s'" % (event.get("name") or event.get("description") or "authorization request")]
    details = [("id", event.get("id")), ("created by", event.get("createdBy")),
               ("created", event.get("creationTime")), ("expires", event.get("expirationTime"))]
    shown = ", ".join("%s %s" % (label, value) for label, value in details if value)
    return "%s (%s)" % (parts[0], shown) if shown else parts[0]


class VbrClient(object):
    """One authenticated conversation with one VBR server.

    Authentication: the OAuth2 password grant (``username``/``password``), or an ``access_token`` got
    earlier. The token is renewed before it expires (refresh grant; refresh tokens are single-use) and
    after a 401; when a refresh is refused the password grant is used again. :meth:`close` logs out
    the tokens this client obtained itself.
    """

    def __init__(self, transport, username=None, password=None, access_token=None,
                 api_version=DEFAULT_API_VERSION, clock=time.time, page_size=PAGE_SIZE):
        if api_version not in API_VERSION_CHOICES:
            raise VeeamError("api_version %r is not supported; choose one of: %s"
                             % (api_version, ", ".join(API_VERSION_CHOICES)), error_code="invalid_input")
        if not access_token and not (username and password):
            raise VeeamError("No credentials for the VBR server: give username and password "
                             "(or VEEAM_VBR_USERNAME / VEEAM_VBR_PASSWORD), or an access_token",
                             error_code="invalid_input")
        self.transport = transport
        self.username = username
        self.requested_api_version = api_version
        # auto: speak the newest revision until the server says it does not know it (see _settle_api_version).
        self._api_version = None if api_version == API_VERSION_AUTO else api_version
        self._trying_version = SUPPORTED_API_VERSIONS[-1] if self._api_version is None else api_version
        self._versions_tried = set()
        self.page_size = page_size
        self._password = password
        self._clock = clock
        self._access_token = access_token
        self._refresh_token = None
        self._expires_at = None
        self._own_token = False
        self._roles = None
        self._reading_pending = False
        self.token_keys = []
        # Worker threads share one token: one of them renews it, the others wait and use the new one.
        self._auth_lock = threading.RLock()
        for secret in (password, access_token):
            transport.add_secret(secret)

    @property
    def api_version(self):
        """The REST API revision of this conversation; with ``auto``, asks the server once if still unknown."""
        if self._api_version is None:
            if self._access_token is None:
                self.login()
            else:
                self.request("GET", SERVER_INFO_PATH)
        return self._api_version

    @property
    def header_version(self):
        """The ``x-api-version`` the next request carries."""
        return self._api_version or self._trying_version

    def _agreed(self):
        if self._api_version is None:
            self._api_version = self._trying_version

    def _settle_api_version(self, error):
        """With ``auto``: after the server refused the revision tried, pick the newest one it lists that the
        collection speaks; True when there is one to try. Explicit versions are never changed."""
        if self._api_version is not None or not _is_version_error(error):
            return False
        self._versions_tried.add(self._trying_version)
        offered = offered_versions(error.message)
        candidates = [version for version in SUPPORTED_API_VERSIONS
                      if version not in self._versions_tried and (offered is None or version in offered)]
        if not candidates:
            return False
        self._trying_version = candidates[-1]
        return True

    # ------------------------------------------------------------------ authentication
    @property
    def server(self):
        return self.transport.base_url

    def _grant_type(self, kind):
        """The grant_type spelling of the 1.3 specs' enum (``Password``, ``Refresh_token``)."""
        return {"password": "Password", "refresh_token": "Refresh_token"}[kind]

    def _token_request(self, form):
        while True:
            try:
                response = self.transport.request("POST", TOKEN_PATH, data=form, idempotent=True, write=False,
                                                  headers={"x-api-version": self.header_version,
                                                           "Accept": "application/json"})
                break
            except VeeamError as error:
                if not self._settle_api_version(error):
                    raise
        self._agreed()
        token = response.json()
        self.token_keys = sorted(token) if isinstance(token, dict) else []
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

    def _auth_headers(self, extra=None, token=None):
        headers = {"x-api-version": self.header_version,
                   "Authorization": "Bearer %s" % (token or self._access_token), "Accept": "application/json"}
        headers.update(extra or {})
        return headers

    def close(self):
        """Log out (only the tokens this client obtained) and close the connection pool."""
        if self._own_token and self._access_token:
            try:
                self.transport.request("POST", LOGOUT_PATH, headers=self._auth_headers(), idempotent=True,
                                       write=False, accept_statuses=(401, 403, 404))
            except VeeamError:
                pass
        self._access_token = None
        self._own_token = False
        self.transport.close()

    # ------------------------------------------------------------------ requests
    def request(self, method, path, params=None, json=None, accept_statuses=(), idempotent=None):
        """An authenticated API request; renews the token once on a 401 and repeats the request.

        With ``api_version: auto`` and a token given by the caller, the first request also settles the
        revision: a refused revision is answered before anything is processed, so the request is repeated.
        """
        token = self._ensure_token()
        renewed = False
        while True:
            try:
                response = self.transport.request(method, path, params=params, json=json,
                                                  headers=self._auth_headers(token=token),
                                                  accept_statuses=accept_statuses, idempotent=idempotent)
            except VeeamError as error:
                if self._settle_api_version(error):
                    continue
                if error.status != 401 or renewed:
                    raise self._explain(error)
                # A 401 means the request was not processed, so sending it again after renewal is safe; only the
                # first worker to see the token refused renews it.
                renewed = True
                token = self._renew_after_401(token)
                continue
            self._agreed()
            if response.status_code == 202 and method.upper() != "GET":
                raise self._accepted_for_approval(method.upper(), path, response)
            return response

    def answer(self, method, path, api_version=None, params=None, json=None, accept_statuses=()):
        """One authenticated request, its answer returned as it is for the statuses in ``accept_statuses`` (the
        conformance kit looks at refusals too); no renewal, no negotiation, no explanation."""
        self._ensure_token()
        headers = self._auth_headers({"x-api-version": api_version} if api_version else None)
        return self.transport.request(method, path, params=params, json=json, headers=headers,
                                      accept_statuses=accept_statuses, idempotent=method.upper() == "GET")

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
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, list):
                raise unexpected_shape(self.server, "GET %s" % path, "an object with a 'data' list and "
                                       "'pagination'", page)
            items.extend(data)
            total = (page.get("pagination") or {}).get("total")
            if not data or (total is not None and len(items) >= total) \
                    or (total is None and len(data) < self.page_size):
                return items

    # ------------------------------------------------------------------ explaining errors
    def _explain(self, error):
        """Turn a raw HTTP error into the sentence a person needs; keeps all the error's data."""
        if _is_version_error(error):
            return self._version_error(error)
        kind = four_eyes_kind(error)
        if kind is not None and not self._reading_pending:
            return self._four_eyes_error(error, kind)
        if error.status == 403:
            error.hint = ("The account %s has no permission for this on the VBR server. Managing users, "
                          "roles and MFA needs the Backup Administrator role (\"Veeam Backup Administrator\" on VBR "
                          "13.0)." % (self.username or "in use"))
        return error

    def _version_error(self, error):
        offered = offered_versions(error.message)
        offered_text = ", ".join(offered) if offered else "older versions only"
        tried = self.header_version
        if self._api_version is None:  # auto: nothing in common
            summary = ("The VBR server at %s supports REST API versions %s, none of which this collection speaks "
                       "(%s). The security API (users, roles, MFA) needs Veeam Backup & Replication %s or later"
                       % (self.server, offered_text, ", ".join(SUPPORTED_API_VERSIONS),
                          MIN_VBR_FOR_API[SUPPORTED_API_VERSIONS[0]]))
        else:
            summary = ("The VBR server at %s does not support REST API version %s (it supports: %s). "
                       "The security API (users, roles, MFA) needs Veeam Backup & Replication %s or later"
                       % (self.server, tried, offered_text, MIN_VBR_FOR_API[tried]))
        hint = None
        if tried == "1.3-rev2" and "1.3-rev1" in (offered or ()):
            hint = ("This server is VBR 13.0.x: set api_version: 1.3-rev1, or auto to let the collection pick "
                    "(custom roles need VBR 13.1).")
        elif "1.3-rev1" not in (offered or ()):
            hint = "Upgrade the server to VBR 13.0.1 or later to manage its users and roles through the REST API."
        return VeeamError(summary, status=error.status, error_code="unsupported_api_version",
                          message=error.message, method=error.method, path=error.path, hint=hint)

    def _explain_login_error(self, error):
        if _is_version_error(error):
            return self._version_error(error)
        if error.status in (400, 401, 403):
            error.summary = "The VBR server at %s refused the login of %s" % (self.server, self.username)
            error.hint = ("Check the user name and password. The account needs a built-in VBR role (custom "
                          "roles cannot use the REST API), and accounts with MFA enabled cannot use the REST "
                          "API: automation must log in with a service account.")
        return error

    def _four_eyes_error(self, error, kind, event=None):
        """The server wants a second administrator's approval (``pending``) or refuses the change (``refused``)."""
        what = "%s %s" % (error.method, error.path)
        if kind == FOUR_EYES_REFUSED:
            summary = ("Four-eyes authorization is enabled on the VBR server at %s and it refuses %s through the "
                       "REST API: nothing was changed" % (self.server, what))
            hint = ("Do this change in the Veeam console, where a second Backup Administrator or Security "
                    "Administrator approves it, or run it while four-eyes authorization is off.")
            pending = None
        else:
            pending = event if event is not None else self._pending_request(error.resource_id)
            summary = ("The VBR server at %s needs a second administrator's approval (four-eyes authorization) "
                       "for %s: it was not carried out yet, and the task wrote nothing after it"
                       % (self.server, what))
            if pending:
                summary += ". Pending request: %s" % describe_event(pending)
            hint = ("Ask another Backup Administrator or Security Administrator to approve the request in the "
                    "Veeam console, then run the task again: it reads the current state and only does what is "
                    "still missing. backupops.veeam.vbr_authorization_event_info lists the pending requests.")
        four_eyes = VeeamError(summary, status=error.status, error_code=FOUR_EYES, message=error.message,
                               method=error.method, path=error.path, hint=hint, resource_id=error.resource_id)
        four_eyes.pending_request = authorization_event_result(pending) if pending else None
        return four_eyes

    def _pending_request(self, event_id=None):
        """The authorization event a refused change created: by the id the server named, else the newest
        pending one of this account. None when it cannot be read (the error is explained all the same)."""
        self._reading_pending = True
        try:
            if is_uuid(event_id):
                event = self.get_authorization_event(event_id)
                if event:
                    return event
            if not self.username:
                return None
            events = self.get_json(AUTHORIZATION_EVENTS_PATH, {
                "stateFilter": "Pending", "createdByFilter": self.username, "orderColumn": "CreationTime",
                "orderAsc": "false", "limit": 20})
            mine = [event for event in (events or {}).get("data") or []
                    if same_name(event.get("createdBy"), self.username) and event.get("state") == "Pending"]
            return mine[0] if mine else None
        except (VeeamError, AttributeError, TypeError, ValueError):
            return None
        finally:
            self._reading_pending = False

    def _accepted_for_approval(self, method, path, response):
        """202 Accepted to a write: the server queued it for four-eyes approval instead of doing it."""
        try:
            body = response.json()
        except ValueError:
            body = None
        event = body if isinstance(body, dict) and body.get("state") else None
        error = VeeamError("%s %s was accepted for approval" % (method, path), status=response.status_code,
                           method=method, path=path, resource_id=(event or {}).get("id"))
        return self._four_eyes_error(error, FOUR_EYES_PENDING, event=event)

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
        request = "PUT %s/{id}/roles" % USERS_PATH
        answer = self.request("PUT", "%s/%s/roles" % (USERS_PATH, user_id), json=body).json()
        if not isinstance(answer, dict) or not isinstance(answer.get("roles"), list):
            raise unexpected_shape(self.server, request, "an object with a 'roles' list", answer)
        return answer["roles"]

    def set_service_account_mode(self, user_id, enabled):
        return self.request("POST", "%s/%s/changeServiceAccountMode" % (USERS_PATH, user_id),
                            json={"isServiceAccountEnable": bool(enabled)}, idempotent=True).json()

    def reset_mfa(self, user_id):
        self.request("POST", "%s/%s/resetMFA" % (USERS_PATH, user_id), idempotent=True)

    # ------------------------------------------------------------------ settings
    def get_security_settings(self):
        return self.get_json(SETTINGS_PATH)

    def mfa_enabled(self):
        """Whether server-wide MFA is on; an answer without a true/false ``mfaEnabled`` is an error, never "off"."""
        settings = self.get_security_settings()
        if not isinstance(settings, dict) or not isinstance(settings.get("mfaEnabled"), bool):
            raise unexpected_shape(self.server, "GET %s" % SETTINGS_PATH, "an object with mfaEnabled true or false",
                                   settings)
        return settings["mfaEnabled"]

    def set_mfa_enabled(self, enabled):
        """Turn server-wide MFA on or off; returns the setting the server answers with."""
        settings = self.request("PUT", SETTINGS_PATH, json={"mfaEnabled": bool(enabled)}).json()
        if not isinstance(settings, dict) or not isinstance(settings.get("mfaEnabled"), bool):
            raise unexpected_shape(self.server, "PUT %s" % SETTINGS_PATH, "an object with mfaEnabled true or false",
                                   settings)
        return settings["mfaEnabled"]

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
        """The role named ``reference`` (case-insensitive, with or without the ``Veeam `` prefix) or with that id."""
        roles = self.list_roles()
        found = find_role(roles, reference, self.server)
        if found is None:
            raise VeeamError("Unknown VBR role %r. Roles on the VBR server at %s: %s"
                             % (reference, self.server, ", ".join(sorted(role["name"] for role in roles))),
                             error_code="invalid_input",
                             hint="Give a role by its name (case-insensitive, with or without the 'Veeam ' "
                                  "prefix) or by its id.")
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

    # ------------------------------------------------------------------ four-eyes authorization
    def list_authorization_events(self, states=None, name_filter=None, created_by=None, processed_by=None,
                                  created_after=None, created_before=None, processed_after=None,
                                  processed_before=None, expire_after=None, expire_before=None):
        """Every authorization event (four-eyes request) that matches the filters, newest first."""
        params = {"orderColumn": "CreationTime", "orderAsc": "false"}
        for key, value in (("stateFilter", list(states or []) or None), ("nameFilter", name_filter),
                           ("createdByFilter", created_by), ("processedByFilter", processed_by),
                           ("createdAfterFilter", created_after), ("createdBeforeFilter", created_before),
                           ("processedAfterFilter", processed_after), ("processedBeforeFilter", processed_before),
                           ("expireAfterFilter", expire_after), ("expireBeforeFilter", expire_before)):
            if value:
                params[key] = value
        return self.paginate(AUTHORIZATION_EVENTS_PATH, params)

    def get_authorization_event(self, event_id):
        return self.get_json("%s/%s" % (AUTHORIZATION_EVENTS_PATH, event_id), accept_statuses=(404,))


def role_key(name):
    """A role name as VBR builds compare: case-insensitive, without the ``Veeam `` prefix of 13.0.x names."""
    text = " ".join(str(name or "").split()).casefold()
    prefix = ROLE_NAME_PREFIX.casefold()
    return text[len(prefix):] if text.startswith(prefix) else text


def matching_roles(roles, reference):
    """The roles ``reference`` may mean: the one with that id, else every role whose name equals it with or
    without the ``Veeam `` prefix (VBR 13.0.x names its built-in roles "Veeam Restore Operator", 13.1
    "Restore Operator"; either spelling finds the role on either build)."""
    text = str(reference or "").strip()
    if is_uuid(text):
        return [role for role in roles if str(role.get("id", "")).lower() == text.lower()]
    return [role for role in roles if role_key(role.get("name")) == role_key(text)]


def find_role(roles, reference, server=None):
    """The one role ``reference`` names (see :func:`matching_roles`); None when none does.

    More than one match (say the built-in "Veeam Restore Operator" and a custom role "Restore Operator") is an
    error that lists the candidates: the collection never guesses which role was meant.
    """
    found = matching_roles(roles, reference)
    if len(found) > 1:
        raise VeeamError("The role name %r is ambiguous%s: it matches %s"
                         % (reference, " on the VBR server at %s" % server if server else "",
                            " and ".join(describe_role(role) for role in found)),
                         error_code="invalid_input",
                         hint="Give that role by its id (backupops.veeam.vbr_role_info lists the ids), or rename "
                              "the custom role.")
    return found[0] if found else None


def is_built_in(role):
    """True for a built-in role, False for a custom one, None when the server's answer does not say.

    1.3-rev2 marks every role (``isBuiltIn``); on 1.3-rev1 the ids Veeam's specs show are known to be built in.
    """
    if isinstance(role.get("isBuiltIn"), bool):
        return role["isBuiltIn"]
    if str(role.get("id", "")).lower() in BUILT_IN_ROLE_IDS:
        return True
    return None


def describe_role(role):
    kind = {True: "built-in", False: "custom"}.get(is_built_in(role), "built-in or custom")
    return "%s (%s, id %s)" % (role.get("name"), kind, role.get("id"))


def mixed_roles_problem(account_name, roles):
    """A sentence when ``roles`` combine built-in and custom roles, which VBR does not allow on one account."""
    built_in = sorted((role["name"] for role in roles if is_built_in(role) is True), key=str.casefold)
    custom = sorted((role["name"] for role in roles if is_built_in(role) is False), key=str.casefold)
    if not (built_in and custom):
        return None
    return ("%s would hold the built-in role%s %s together with the custom role%s %s, and Veeam Backup & "
            "Replication does not allow built-in and custom roles on one user or group. Give %s either built-in "
            "or custom roles" % (account_name, "s" if len(built_in) > 1 else "", ", ".join(built_in),
                                 "s" if len(custom) > 1 else "", ", ".join(custom), account_name))


def built_in_name_clash(name, roles):
    """The name of the built-in role that ``name`` equals, with or without the ``Veeam `` prefix, or None.

    ``roles`` are the server's; the built-in role names Veeam documents count as well, so that a custom role
    never takes a built-in role's name of either VBR build.
    """
    for role in roles:
        if is_built_in(role) is not False and role_key(role.get("name")) == role_key(name):
            return role["name"]
    for known in BUILT_IN_ROLE_NAMES:
        if role_key(known) == role_key(name):
            return known
    return None


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
