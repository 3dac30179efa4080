# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client of the Veeam Backup Enterprise Manager REST API: logon sessions, JSON, tasks."""

import threading
import time

from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.transport import send_unrepeatable

DEFAULT_PORT = 9398
LOGON_PATH = "/api/sessionMngr/"
LOGON_SESSIONS_PATH = "/api/logonSessions"
SESSION_HEADER = "X-RestSvcSessionId"
TASKS_PATH = "/api/tasks"
ROLES_PATH = "/api/security/roles"
ACCOUNTS_PATH = "/api/security/accounts"
# The JSON member that holds each list. EM documents its answers as XML only (``<EnterpriseAccountInRoleList>`` of
# ``<EnterpriseAccountInRole>``, ...); the JSON names are read tolerantly: any of these, else the one list-valued
# member of the object (a ``Links`` array aside), else an error (see :func:`list_member`).
LIST_KEYS = {
    "references": ("Refs", "Ref", "EntityReferences"),
    "account roles": ("EnterpriseAccountInRoles", "EnterpriseAccountInRole", "EnterpriseAccountInRoleList"),
    "account scopes": ("EnterpriseAccountHierarchyScopes", "EnterpriseAccountHierarchyScope"),
}
# EM documents both: "Finished" for tasks, "OperationFinished" for backup-server operations.
FINISHED_STATES = ("finished", "operationfinished")


class EmClient(object):
    """One logon session with one Enterprise Manager.

    Logs on with HTTP Basic, sends the session id on every request, speaks JSON both ways, logs on
    again once when the session has expired (401), and ends the session in :meth:`close`.
    """

    def __init__(self, transport, username, password, clock=time.time, sleep=time.sleep):
        if not (username and password):
            raise VeeamError("No credentials for Enterprise Manager: give username and password "
                             "(or VEEAM_EM_USERNAME / VEEAM_EM_PASSWORD)", error_code="invalid_input")
        self.transport = transport
        self.username = username
        self._password = password
        self._clock = clock
        self._sleep = sleep
        self._session_header = None
        self._session_id = None
        self._roles = None
        # Worker threads share one logon session: one of them logs on again, the others use the new session.
        self._session_lock = threading.RLock()
        self.logon_facts = {}
        transport.add_secret(password)

    @property
    def server(self):
        return self.transport.base_url

    # ------------------------------------------------------------------ session
    def logon(self):
        try:
            response = self.transport.request("POST", LOGON_PATH, params={"v": "latest"}, write=False,
                                              auth=(self.username, self._password), idempotent=True,
                                              headers={"Accept": "application/json"})
        except VeeamError as error:
            raise self._explain_logon_error(error)
        header = response.headers.get(SESSION_HEADER)
        if not header:
            raise VeeamError("Enterprise Manager at %s accepted the logon but sent no %s header"
                             % (self.server, SESSION_HEADER), status=response.status_code,
                             method="POST", path=LOGON_PATH,
                             hint="Check that server and port point at the Enterprise Manager REST API (port 9398).")
        self._session_header = header
        self.transport.add_secret(header)
        body = _json_or_none(response)
        # What the logon answer looked like, without any value (the conformance kit reports it).
        self.logon_facts = {"status": response.status_code, "session_cookie": bool(response.cookies),
                            "body_keys": sorted(body) if isinstance(body, dict) else []}
        self._session_id = (body or {}).get("SessionId") or header
        self.transport.add_secret(self._session_id)

    def _explain_logon_error(self, error):
        if error.status in (401, 403):
            error.summary = "Enterprise Manager at %s refused the logon of %s" % (self.server, self.username)
            error.hint = ("Check the user name and password; the account needs an Enterprise Manager role "
                          "(Portal Administrator to manage accounts).")
        return error

    def close(self):
        """End the logon session and close the connection pool."""
        if self._session_header:
            try:
                self.transport.request("DELETE", "%s/%s" % (LOGON_SESSIONS_PATH, self._session_id), write=False,
                                       headers=self._headers(self._session_header), accept_statuses=(401, 404))
            except VeeamError:
                pass
        self._session_header = None
        self.transport.close()

    @staticmethod
    def _headers(session, with_body=False):
        headers = {SESSION_HEADER: session, "Accept": "application/json"}
        if with_body:
            headers["Content-Type"] = "application/json"
        return headers

    # ------------------------------------------------------------------ requests
    def request(self, method, path, params=None, json=None, accept_statuses=(), idempotent=None, relogon=True):
        """A request in the logon session; logs on again once after a 401 and repeats the request.

        ``relogon=False`` for what only the current session knows (its tasks): a 401 is then raised.
        """
        with self._session_lock:
            if self._session_header is None:
                self.logon()
            session = self._session_header
        try:
            return self._send(session, method, path, params, json, accept_statuses, idempotent)
        except VeeamError as error:
            if error.status != 401 or not relogon:
                raise
        # 401: the session expired (idle timeout) and the request was not processed. Log on again, unless another
        # worker did since this request was sent.
        with self._session_lock:
            if self._session_header == session:
                self.logon()
            session = self._session_header
        return self._send(session, method, path, params, json, accept_statuses, idempotent)

    def _send(self, session, method, path, params, json, accept_statuses, idempotent):
        return self.transport.request(method, path, params=params, json=json,
                                      headers=self._headers(session, with_body=json is not None),
                                      accept_statuses=accept_statuses, idempotent=idempotent)

    def get_json(self, path, params=None, accept_statuses=()):
        response = self.request("GET", path, params=params, accept_statuses=accept_statuses)
        if response.status_code in accept_statuses:
            return None
        return response.json()

    # ------------------------------------------------------------------ accounts
    def list_accounts(self):
        """Every account as ``{"uid", "id", "name"}``."""
        return [ref_result(ref) for ref in self._list(ACCOUNTS_PATH, "references")]

    def _list(self, path, kind, params=None):
        """The items of a list answer (see :data:`LIST_KEYS`); an unknown shape is an error, never empty."""
        return list_member(self.get_json(path, params=params), LIST_KEYS[kind], "GET %s" % path, self.server)

    def find_account(self, name):
        """The account named exactly ``name`` (case-insensitive), or None."""
        return next((ref for ref in self.list_accounts() if str(ref["name"]).casefold() == name.casefold()), None)

    def get_account(self, account_id):
        """The account: ``(entity, role_items, scope_items)``.

        EM's account entity carries neither roles nor scopes; they come from the roles and scopes sub-resources.
        """
        path = "%s/%s" % (ACCOUNTS_PATH, account_id)
        entity = self.get_json(path, params={"format": "Entity"})
        return entity, self.account_role_items(account_id), self.account_scope_items(account_id)

    def account_role_items(self, account_id):
        return self._list("%s/%s/roles" % (ACCOUNTS_PATH, account_id), "account roles")

    def account_scope_items(self, account_id):
        return self._list("%s/%s/scopes" % (ACCOUNTS_PATH, account_id), "account scopes")

    def create_account(self, spec, lookup=True):
        """POST the create spec (EM answers 201 with no body); returns ``(reference, existed)``.

        With ``lookup=False`` a created account is not looked up (the reference is None): the bulk form reads the
        account list once after all its creates.

        ``existed`` is True when the account was found instead of created by this call: after a lost answer the
        POST is not repeated blindly (the account is looked up first), and when Enterprise Manager refuses the
        create because the name is taken (another run at the same time), the existing account is returned. The
        caller compares it with what it wants, as for any existing account.
        """
        name = spec["AccountName"]

        def send():
            self.request("POST", ACCOUNTS_PATH, json=spec)
            return None

        def reread():
            found = self.find_account(name)
            return found if found is not None else None

        try:
            created = send_unrepeatable(self.transport, send, reread)
        except VeeamError as error:
            existing = self.find_account(name) if error.status in (400, 409) else None
            if existing is None:
                raise
            return existing, True
        if created is not None:
            return created, True
        if not lookup:
            return None, False
        created = self.find_account(name)
        if created is None:
            raise VeeamError("Enterprise Manager accepted the account %s but does not list it" % name,
                             error_code="not_created")
        return created, False

    def delete_account(self, account_id):
        response = self.request("DELETE", "%s/%s" % (ACCOUNTS_PATH, account_id), accept_statuses=(404,))
        return response.status_code != 404

    def account_role_ids(self, account_id):
        """The ids of the roles an account has (read from its roles sub-resource)."""
        return set(href_id(item.get("Href")).lower() for item in self.account_role_items(account_id))

    def add_account_role(self, account_id, role):
        """Give an account a role (a POST that fails when repeated): after an unknown outcome or a refusal, the
        account's roles are read first, and a role it has by then counts as added."""
        def send():
            self.request("POST", "%s/%s/roles" % (ACCOUNTS_PATH, account_id), json={"EnterpriseRoleUid": role["uid"]})
            return None

        def reread():
            return True if role["id"].lower() in self.account_role_ids(account_id) else None

        try:
            send_unrepeatable(self.transport, send, reread)
        except VeeamError as error:
            if error.status not in (400, 409) or reread() is None:
                raise

    def remove_account_role(self, account_id, role_id):
        self.request("DELETE", "%s/%s/roles/%s" % (ACCOUNTS_PATH, account_id, role_id))

    def add_account_scopes(self, account_id, items):
        body = {"HierarchyScopeItems": [{"HierarchyObjRef": item["ref"], "ObjectName": item["name"]} for item in items]}
        self.request("POST", "%s/%s/scopes" % (ACCOUNTS_PATH, account_id), json=body)

    def remove_account_scope(self, account_id, scope_id):
        self.request("DELETE", "%s/%s/scopes/%s" % (ACCOUNTS_PATH, account_id, scope_id))

    def allows_restore_all_vms(self, account_id):
        entity = self.get_json("%s/%s" % (ACCOUNTS_PATH, account_id), params={"format": "Entity"})
        return parse_bool(entity.get("AllowRestoreAllVms"), "AllowRestoreAllVms", self.server)

    def set_restore_all_vms(self, account_id, wanted):
        """Make AllowRestoreAllVms ``wanted``. EM's only way is a POST with no body that flips it, so it is never
        sent again blindly: after an unknown outcome the state is read first, and only flipped again if needed."""
        def send():
            self.request("POST", "%s/%s" % (ACCOUNTS_PATH, account_id))
            return None

        def reread():
            return True if self.allows_restore_all_vms(account_id) == wanted else None

        send_unrepeatable(self.transport, send, reread)

    def start_rebuild_scope(self, kind):
        """Start a restore-scope rebuild (RebuildAll, RebuildUnprocessed, RebuildForCurrentUser); returns the task."""
        return self.request("POST", ACCOUNTS_PATH, params={"action": "rebuildScope"}, json={kind: {}}).json()

    # ------------------------------------------------------------------ roles
    def resolve_role(self, reference):
        """The role named ``reference`` (case-insensitive) or with that UID or id."""
        roles = self.list_roles()
        found = find_role(roles, reference)
        if found is not None:
            return found
        raise VeeamError("Unknown Enterprise Manager role %r. Its roles are: %s"
                         % (reference, ", ".join(sorted(role["name"] for role in roles))), error_code="invalid_input",
                         hint="Give a role by its name (case-insensitive) or its UID.")

    def list_roles(self):
        """Every Enterprise Manager role as ``{"uid", "id", "name"}`` (read once per client)."""
        if self._roles is None:
            self._roles = [ref_result(ref) for ref in self._list(ROLES_PATH, "references")]
        return self._roles

    # ------------------------------------------------------------------ tasks
    def get_task(self, task_id):
        """A task of this logon session. Tasks do not survive a new logon (EM answers 404 then), so a 401 here is
        not answered with a new logon: it raises ``task_lost``."""
        try:
            return self.request("GET", "%s/%s" % (TASKS_PATH, task_id), relogon=False).json()
        except VeeamError as error:
            if error.status != 401:
                raise
            raise VeeamError("Enterprise Manager task %s was started, but the logon session ended while waiting for it, "
                             "and a task can only be followed in the session that started it" % task_id,
                             status=401, error_code="task_lost", method=error.method, path=error.path,
                             hint="The task goes on in Enterprise Manager; see its result in Enterprise Manager's "
                                  "web UI (History), or run the task again with wait: false.")

    def wait_task(self, task, timeout=300, poll_interval=2.0):
        """Poll a task (in this logon session) until it is finished; returns the last task body.

        The first polls come sooner (a quarter of ``poll_interval``, then doubling up to it), so a task that takes
        a second is not waited for longer than it runs. Raises VeeamError when the task fails or is still running
        after ``timeout`` seconds.
        """
        deadline = self._clock() + timeout
        delay = poll_interval / 4.0
        while not task_finished(task):
            if self._clock() >= deadline:
                raise VeeamError("Enterprise Manager task %s (%s) was still %s after %s seconds"
                                 % (task.get("TaskId"), task.get("Operation"), task.get("State"), timeout),
                                 error_code="task_timeout",
                                 hint="The task goes on in Enterprise Manager; raise wait_timeout to wait longer.")
            self._sleep(delay)
            delay = min(poll_interval, delay * 2)
            task = self.get_task(task.get("TaskId"))
        if not task_succeeded(task):
            raise VeeamError("Enterprise Manager task %s (%s) failed" % (task.get("TaskId"), task.get("Operation")),
                             error_code="task_failed", message=task_message(task))
        return task


def task_finished(task):
    """Whether a task is done: EM documents both ``Finished`` and ``OperationFinished``."""
    return str(task.get("State", "")).lower() in FINISHED_STATES


def list_member(data, keys, request, server):
    """The list in an EM JSON answer: the member named by one of ``keys`` (a list, a single object or null),
    else the only list-valued member besides ``Links``, or the answer itself when it is a list.

    Anything else raises VeeamError naming the keys found: an answer read wrongly as empty would lead to writes.
    """
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in keys:
            if key in data:
                value = data[key]
                if value is None:
                    return []
                if isinstance(value, dict):
                    return [value]
                if isinstance(value, list):
                    return value
        lists = [key for key, value in data.items() if isinstance(value, list) and key != "Links"]
        if len(lists) == 1:
            return data[lists[0]]
        found = ", ".join(sorted(str(key) for key in data)) or "none"
    else:
        found = "none (a JSON %s)" % type(data).__name__.replace("NoneType", "null")
    raise VeeamError("Enterprise Manager at %s answered %s with a shape the collection does not know: it expects "
                     "the list in %s (or as the only list in the object); the keys found are: %s"
                     % (server, request, " or ".join(keys), found), error_code="unexpected_response",
                     method=request.split(" ", 1)[0], path=request.split(" ", 1)[-1],
                     hint="Nothing was changed on the strength of that answer. Please report it with Enterprise "
                          "Manager's version (make test-live writes a report to attach).")


def task_succeeded(task):
    result = task.get("Result") or {}
    return str(result.get("Success", "")).lower() == "true"


def task_message(task):
    result = task.get("Result") or {}
    return result.get("Message")


def _json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


def parse_bool(value, what, server):
    """An EM Boolean (JSON true/false, or the strings EM's own examples use); anything else is an error."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "false", "0"):
        return text in ("true", "1")
    raise VeeamError("Enterprise Manager at %s sent %r for %s, where true or false was expected" % (server, value, what),
                     error_code="unexpected_response")


def href_id(href):
    """The last segment of an EM ``Href`` (the id of a role link or scope item)."""
    return str(href or "").split("?", maxsplit=1)[0].rstrip("/").rsplit("/", 1)[-1]


def uid_id(uid):
    """The id at the end of an EM UID such as ``urn:veeam:EnterpriseRole:<id>``."""
    return str(uid or "").rsplit(":", 1)[-1]


def ref_result(ref):
    """An EM entity reference as modules return it."""
    return {"uid": ref.get("UID"), "id": uid_id(ref.get("UID")), "name": ref.get("Name")}


def find_role(roles, reference):
    """The role whose name, UID or id is ``reference`` (case-insensitive), or None."""
    wanted = str(reference or "").strip().casefold()
    for role in roles:
        if wanted in (str(role["name"]).casefold(), str(role["uid"]).casefold(), str(role["id"]).casefold()):
            return role
    return None
