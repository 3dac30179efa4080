# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client of the Veeam Backup Enterprise Manager REST API: logon sessions, JSON, tasks."""

import time

from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError

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
        self.logon_facts = {}
        transport.add_secret(password)

    @property
    def server(self):
        return self.transport.base_url

    # ------------------------------------------------------------------ session
    def logon(self):
        try:
            response = self.transport.request("POST", LOGON_PATH, params={"v": "latest"},
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
                self.transport.request("DELETE", "%s/%s" % (LOGON_SESSIONS_PATH, self._session_id),
                                       headers=self._headers(), accept_statuses=(401, 404))
            except VeeamError:
                pass
        self._session_header = None
        self.transport.close()

    def _headers(self, with_body=False):
        headers = {SESSION_HEADER: self._session_header, "Accept": "application/json"}
        if with_body:
            headers["Content-Type"] = "application/json"
        return headers

    # ------------------------------------------------------------------ requests
    def request(self, method, path, params=None, json=None, accept_statuses=(), idempotent=None):
        """A request in the logon session; logs on again once after a 401 and repeats the request."""
        if self._session_header is None:
            self.logon()
        try:
            return self._send(method, path, params, json, accept_statuses, idempotent)
        except VeeamError as error:
            if error.status != 401:
                raise
        # 401: the session expired (idle timeout) and the request was not processed.
        self.logon()
        return self._send(method, path, params, json, accept_statuses, idempotent)

    def _send(self, method, path, params, json, accept_statuses, idempotent):
        return self.transport.request(method, path, params=params, json=json,
                                      headers=self._headers(with_body=json is not None),
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
        return entity, self._list(path + "/roles", "account roles"), self._list(path + "/scopes", "account scopes")

    def create_account(self, spec):
        """POST the create spec (EM answers 201 with no body) and return the new account's reference.

        When the answer is lost the POST is not repeated: the account is looked up by name instead.
        """
        try:
            self.request("POST", ACCOUNTS_PATH, json=spec)
        except VeeamError as error:
            if not error.outcome_unknown:
                raise
            created = self.find_account(spec["AccountName"])
            if created is None:
                raise
            return created
        created = self.find_account(spec["AccountName"])
        if created is None:
            raise VeeamError("Enterprise Manager accepted the account %s but does not list it" % spec["AccountName"],
                             error_code="not_created")
        return created

    def delete_account(self, account_id):
        response = self.request("DELETE", "%s/%s" % (ACCOUNTS_PATH, account_id), accept_statuses=(404,))
        return response.status_code != 404

    def add_account_role(self, account_id, role_uid):
        self.request("POST", "%s/%s/roles" % (ACCOUNTS_PATH, account_id), json={"EnterpriseRoleUid": role_uid})

    def remove_account_role(self, account_id, role_id):
        self.request("DELETE", "%s/%s/roles/%s" % (ACCOUNTS_PATH, account_id, role_id))

    def add_account_scopes(self, account_id, items):
        body = {"HierarchyScopeItems": [{"HierarchyObjRef": item["ref"], "ObjectName": item["name"]} for item in items]}
        self.request("POST", "%s/%s/scopes" % (ACCOUNTS_PATH, account_id), json=body)

    def remove_account_scope(self, account_id, scope_id):
        self.request("DELETE", "%s/%s/scopes/%s" % (ACCOUNTS_PATH, account_id, scope_id))

    def toggle_restore_all_vms(self, account_id):
        """EM's only way to change AllowRestoreAllVms: a POST with no body flips it."""
        self.request("POST", "%s/%s" % (ACCOUNTS_PATH, account_id))

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
        return self.get_json("%s/%s" % (TASKS_PATH, task_id))

    def wait_task(self, task, timeout=300, poll_interval=2.0):
        """Poll a task (in this logon session) until it is finished; returns the last task body.

        Raises VeeamError when the task fails or is still running after ``timeout`` seconds.
        """
        deadline = self._clock() + timeout
        while not task_finished(task):
            if self._clock() >= deadline:
                raise VeeamError("Enterprise Manager task %s (%s) was still %s after %s seconds"
                                 % (task.get("TaskId"), task.get("Operation"), task.get("State"), timeout),
                                 error_code="task_timeout",
                                 hint="The task goes on in Enterprise Manager; raise wait_timeout to wait longer.")
            self._sleep(poll_interval)
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
