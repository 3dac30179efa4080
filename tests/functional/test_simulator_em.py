"""The simulated Enterprise Manager (tests/simulator/em.py): driven directly through base.Request objects with a
fake clock, plus a few end-to-end calls over HTTPS against the shared simulator fixture."""

import base64
import json
import threading
import time
import xml.etree.ElementTree as ET

import pytest
import requests

from tests.simulator.base import Request
from tests.simulator.em import EmApp, ROLES
from tests.simulator.simulator import SimConfig

NS = "{http://www.veeam.com/ent/v1.0}"
LOGIN, PASSWORD = "TECH\\svc.ansible", "VeeamSim-2026!"
VM_REF = "urn:VMware:Vm:a2b0c55d-829a-4efe-bd95-125ee77ba9dd.vm-7870"
POOL_REF = "urn:VMware:ResourcePool:3e7fea0c-e92d-4459-9842-0304df34c644.resgroup-10734"
SHARE_REF = "urn:NasBackup:FileServer:541178f4-5335-46cb-b7bc-8fbb4a944307.541178f4-5335-46cb-b7bc-8fbb4a944307"
ROLE = dict((name, "urn:veeam:EnterpriseRole:" + role_id) for role_id, name in ROLES)


class Clock(object):
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


class Em(object):
    """One client of the app: a logon session, JSON unless told otherwise."""

    def __init__(self, app, username=LOGIN, password=PASSWORD):
        self.app = app
        answer = self.call("POST", "/api/sessionMngr/?v=latest", auth=(username, password), token=None)
        assert answer.status == 201, answer.body
        self.token = answer.headers["X-RestSvcSessionId"]
        self.session_id = answer.json_body()["SessionId"]

    def call(self, method, target, body=None, accept="application/json", content_type=None, auth=None, token=False,
             headers=None):
        sent = {"Host": "em.tech.local:9398"}
        if accept:
            sent["Accept"] = accept
        if auth:
            sent["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode()
        if token is not None:
            sent["X-RestSvcSessionId"] = self.token if token is False else token
        if isinstance(body, (dict, list)):
            body, content_type = json.dumps(body).encode(), content_type or "application/json"
        elif isinstance(body, str):
            body, content_type = body.encode(), content_type or "application/xml"
        if content_type:
            sent["Content-Type"] = content_type
        sent.update(headers or {})
        return self.app.handle(Request.from_target(method, target, sent, body))

    def get(self, target, **kwargs):
        return self.call("GET", target, **kwargs)

    def post(self, target, body=None, **kwargs):
        return self.call("POST", target, body, **kwargs)

    def delete(self, target, **kwargs):
        return self.call("DELETE", target, **kwargs)

    def json(self, target):
        answer = self.get(target)
        assert answer.status == 200, answer.body
        return answer.json_body()

    def account_id(self, name):
        refs = self.json("/api/security/accounts")["Refs"]
        uid = next(ref["UID"] for ref in refs if ref["Name"] == name)
        return uid.rsplit(":", 1)[1]

    def create(self, name="TECH\\jane.doe", account_type="User", roles=("VM Restore Operator",), allow_all=True,
               scopes=(), **extra):
        spec = {"AccountType": account_type, "AccountName": name,
                "Roles": {"EnterpriseRoles": [{"EnterpriseRoleUid": ROLE[role]} for role in roles]},
                "AllowRestoreAllVms": allow_all}
        if scopes:
            spec["HierarchyScopeObjects"] = {"HierarchyScopeItems": [{"HierarchyObjRef": ref, "ObjectName": obj}
                                                                     for ref, obj in scopes]}
        spec.update(extra)
        return self.post("/api/security/accounts", spec)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(clock):
    em = EmApp(SimConfig(task_duration=1.0, em_session_ttl=900), clock=clock)
    em.set_backup_servers([
        {"name": "127.0.0.1", "rest_url": "https://127.0.0.1:9419", "version": "13.1.0.411",
         "description": "Simulated VBR server 1, REST API at https://127.0.0.1:9419"},
        {"name": "127.0.0.2", "rest_url": "https://127.0.0.2:9419", "version": "13.1.0.411",
         "description": "Simulated VBR server 2, REST API at https://127.0.0.2:9419"}])
    return em


@pytest.fixture
def em(app):
    return Em(app)


def message(answer):
    return answer.json_body()["Message"]


def xml_root(answer):
    assert answer.headers["Content-Type"].startswith("application/xml")
    return ET.fromstring(answer.body)


def jane(em, **kwargs):
    assert em.create(**kwargs).status == 201
    return "/api/security/accounts/" + em.account_id(kwargs.get("name", "TECH\\jane.doe"))


def local_path(href):
    return href.split(":9398", 1)[1]


# ---------------------------------------------------------------------- logon sessions
def test_logon_answers_201_with_session_header_and_logon_session(app):
    client = Em(app)
    assert base64.b64decode(client.token).decode() == client.session_id
    session = client.json("/api/logonSessions/" + client.session_id)
    assert session["UserName"] == LOGIN and session["Type"] == "LogonSession"
    delete = [item["Href"] for item in session["Links"] if item["Rel"] == "Delete"]
    assert delete == ["https://em.tech.local:9398/api/logonSessions/" + client.session_id]


def test_logon_sets_the_cookie_and_answers_xml_by_default(app):
    answer = Em(app).call("POST", "/api/sessionMngr/?v=latest", accept=None, auth=(LOGIN, PASSWORD), token=None)
    assert answer.status == 201
    assert answer.headers["Set-Cookie"] == "X-RestSvcSessionId=%s; Path=/api;" % answer.headers["X-RestSvcSessionId"]
    root = xml_root(answer)
    assert root.tag == NS + "LogonSession" and root.find(NS + "UserName").text == LOGIN
    assert [child.tag for child in root] == [NS + "Links", NS + "UserName", NS + "SessionId"]


@pytest.mark.parametrize("auth", [(LOGIN, "wrong"), ("TECH\\nobody", PASSWORD), None])
def test_bad_credentials_are_401_with_www_authenticate(em, auth):
    answer = em.call("POST", "/api/sessionMngr/?v=latest", auth=auth, token=None)
    assert answer.status == 401 and answer.headers["WWW-Authenticate"] == "Basic Realm=RestSvc"
    assert answer.json_body()["StatusCode"] == 401


def test_valid_windows_login_without_an_em_role_cannot_log_on(em):
    answer = em.call("POST", "/api/sessionMngr/?v=latest", auth=("TECH\\sheila.d.cory", PASSWORD), token=None)
    assert answer.status == 401 and "no Enterprise Manager role" in message(answer)


def test_member_of_a_group_account_logs_on_with_the_group_roles(app):
    administrator = Em(app, "VBR01\\Administrator")  # member of BUILTIN\Administrators (Portal Administrator)
    assert administrator.get("/api/security/accounts").status == 200


def test_unsupported_api_version_is_refused(em):
    answer = em.call("POST", "/api/sessionMngr/?v=v1_4", auth=(LOGIN, PASSWORD), token=None)
    assert answer.status == 400 and "v1_4" in message(answer)


@pytest.mark.parametrize("token", [None, "bm90LWEtc2Vzc2lvbg=="])
def test_calls_without_a_valid_session_are_401(em, token):
    answer = em.get("/api/security/roles", token=token)
    assert answer.status == 401 and answer.json_body()["StatusCode"] == 401


def test_sessions_expire_when_idle_and_each_call_refreshes_them(app, em, clock):
    clock.advance(899)
    assert em.get("/api/security/roles").status == 200
    clock.advance(899)
    assert em.get("/api/security/roles").status == 200
    clock.advance(901)
    expired = em.get("/api/security/roles")
    assert expired.status == 401 and "expired" in message(expired)
    assert em.get("/api/security/roles").status == 401  # gone for good
    assert Em(app).get("/api/security/roles").status == 200


def test_logout_ends_the_session(em):
    assert em.delete("/api/logonSessions/" + em.session_id).status == 204
    assert em.get("/api/security/roles").status == 401


def test_logout_of_an_unknown_session_is_404(em):
    assert em.delete("/api/logonSessions/7686d89e-26fd-48e6-963c-c9dbce802981").status == 404


def test_the_cookie_token_wins_over_the_header(app, em):
    other = Em(app)
    assert other.delete("/api/logonSessions/" + other.session_id).status == 204
    stale_cookie = {"Cookie": "X-RestSvcSessionId=" + other.token}
    assert em.get("/api/security/roles", headers=stale_cookie).status == 401
    assert em.get("/api/security/roles", headers={"Cookie": "X-RestSvcSessionId=" + em.token}, token=None).status == 200


def test_admin_can_expire_every_session_and_list_issued_ids(app, em):
    listed = json.loads(app.admin(Request.from_target("GET", "/_sim/em/sessions", {}, b""), "em/sessions").body)
    assert em.session_id in listed["sessions"] and em.token in listed["sessions"]
    app.admin(Request.from_target("POST", "/_sim/em/sessions/expire", {}, b""), "em/sessions/expire")
    assert em.get("/api/security/roles").status == 401


def test_service_root_needs_no_session(em):
    root = xml_root(em.get("/api/", accept=None, token=None))
    versions = [item.get("Name") for item in root.iter(NS + "SupportedVersion")]
    assert root.tag == NS + "EnterpriseManager" and "v1_7" in versions


# ---------------------------------------------------------------------- formats and errors
@pytest.mark.parametrize("accept", [None, "*/*", "application/xml"])
def test_xml_unless_json_is_asked_for(em, accept):
    root = xml_root(em.get("/api/security/roles", accept=accept))
    assert root.tag == NS + "EntityReferences"
    first = root.find(NS + "Ref")
    assert first.get("Type") == "EnterpriseRoleReference" and first.find(NS + "Links/" + NS + "Link") is not None


def test_errors_in_json_and_xml(em):
    missing = em.get("/api/security/accounts/00000000-0000-0000-0000-000000000000")
    assert missing.status == 404
    assert set(missing.json_body()) == {"FirstChanceExceptionMessage", "Message", "StackTrace", "Status", "StatusCode"}
    assert missing.json_body()["StatusCode"] == 404 and missing.json_body()["Status"] == "NotFound"
    root = xml_root(em.get("/api/security/accounts/00000000-0000-0000-0000-000000000000", accept="application/xml"))
    assert root.tag == NS + "Error" and root.get("StatusCode") == "404" and root.get("Message")


def test_error_response_for_injected_faults(app):
    answer = app.error_response(503, "Injected fault: HTTP 503")
    assert answer.status == 503 and answer.json_body()["Message"] == "Injected fault: HTTP 503"


def test_unknown_resources_and_methods(em):
    assert em.get("/api/security/nothing").status == 404
    wrong = em.call("PUT", "/api/security/roles")
    assert wrong.status == 405 and wrong.headers["Allow"] == "GET"


def test_malformed_bodies_are_refused(em):
    assert em.post("/api/security/accounts", "{not json", content_type="application/json").status == 400
    assert em.post("/api/security/accounts", "<EnterpriseAccountCreateSpec").status == 400
    assert em.post("/api/security/accounts", "AccountName=x", content_type="text/plain").status == 415


# ---------------------------------------------------------------------- roles
def test_roles_are_the_documented_seven_with_their_uids(em):
    refs = em.json("/api/security/roles")["Refs"]
    assert [(ref["Name"], ref["UID"]) for ref in refs] == [
        ("Portal User", "urn:veeam:EnterpriseRole:d19a3d33-cb77-4ffe-94e6-001432483a4e"),
        ("SQL Restore Operator", "urn:veeam:EnterpriseRole:f78a92b8-9f06-4f1e-b522-4f0927cabd0f"),
        ("Oracle Restore Operator", "urn:veeam:EnterpriseRole:e9d90e66-b6d4-49dc-8986-73cf33489623"),
        ("File Restore Operator", "urn:veeam:EnterpriseRole:f84a8b62-49b8-4d0c-b25b-92321b52bab6"),
        ("Exchange Restore Operator", "urn:veeam:EnterpriseRole:f83e4c81-0815-452f-9377-9d573dd9d481"),
        ("Portal Administrator", "urn:veeam:EnterpriseRole:5f37a46b-9ce2-40f4-8a62-b45b079257fc"),
        ("VM Restore Operator", "urn:veeam:EnterpriseRole:c11c0c38-ba8b-49c7-bf70-fc2058fff1e2")]
    assert all(ref["Type"] == "EnterpriseRoleReference" for ref in refs)


def test_role_reference_and_entity(em):
    path = "/api/security/roles/f83e4c81-0815-452f-9377-9d573dd9d481"
    ref = em.json(path)
    assert ref["Name"] == "Exchange Restore Operator" and ref["Type"] == "EnterpriseRoleReference"
    role = em.json(path + "?format=Entity")
    assert role["Type"] == "EnterpriseRole" and role["Href"].endswith("?format=Entity")
    assert em.get("/api/security/roles/00000000-0000-0000-0000-000000000000").status == 404


# ---------------------------------------------------------------------- accounts
def test_create_answers_201_without_body_and_reads_back(em):
    created = em.create(scopes=[(VM_REF, "VM01")], allow_all=False, roles=["File Restore Operator"],
                        FlrSettings={"FlrInplaceOnly": "true", "FlrExtentionRestrictions": "doc,pptx"},
                        SqlSettings={"DenyInPlaceRestore": "True"})
    assert created.status == 201 and created.body == b""
    account_id = em.account_id("TECH\\jane.doe")
    ref = em.json("/api/security/accounts/" + account_id)
    assert ref["UID"] == "urn:veeam:EnterpriseAccount:" + account_id and ref["Type"] == "EnterpriseAccountReference"
    account = em.json("/api/security/accounts/%s?format=Entity" % account_id)
    assert account["Name"] == "TECH\\jane.doe" and account["AccountType"] == "User"
    assert account["AllowRestoreAllVms"] is False and "Roles" not in account
    assert account["FlrSettings"] == {"FlrInplaceOnly": True, "FlrExtentionRestrictions": "doc,pptx"}
    assert account["SqlSettings"] == {"DenyInPlaceRestore": True}
    rels = [(item["Rel"], item.get("Type")) for item in account["Links"]]
    assert ("ToggleRestoreScopesEnabled", None) in rels and ("Down", "EnterpriseAccountInRoleList") in rels


def test_entity_defaults_when_no_flr_or_sql_settings(em):
    path = jane(em)
    account = em.json(path + "?format=Entity")
    assert account["FlrSettings"] == {"FlrInplaceOnly": False, "FlrExtentionRestrictions": ""}
    assert account["SqlSettings"] == {"DenyInPlaceRestore": False}


def test_create_from_the_documented_xml_body(em):
    body = ('<?xml version="1.0" encoding="utf-8"?><EnterpriseAccountCreateSpec xmlns="http://www.veeam.com/ent/v1.0">'
            '<AccountType>User</AccountType><AccountName>TECH\\mary.smith</AccountName><Roles><EnterpriseRole>'
            '<EnterpriseRoleUid>%s</EnterpriseRoleUid></EnterpriseRole></Roles>'
            '<AllowRestoreAllVms>false</AllowRestoreAllVms><HierarchyScopeObjects><HierarchyScopeItem>'
            '<HierarchyObjRef>%s</HierarchyObjRef><ObjectName>\\\\enterprise05.tech.local\\SMB Share</ObjectName>'
            '</HierarchyScopeItem></HierarchyScopeObjects></EnterpriseAccountCreateSpec>'
            % (ROLE["File Restore Operator"], SHARE_REF))
    assert em.post("/api/security/accounts", body).status == 201
    account_id = em.account_id("TECH\\mary.smith")
    root = xml_root(em.get("/api/security/accounts/%s/scopes" % account_id, accept=None))
    scope = root.find(NS + "EnterpriseAccountHierarchyScope")
    assert scope.find(NS + "Name").text == "\\\\enterprise05.tech.local\\SMB Share"
    assert scope.find(NS + "HierarchyObjectType").text == "FileServer"


def test_xml_elements_out_of_order_are_skipped(em):
    body = ('<EnterpriseAccountCreateSpec xmlns="http://www.veeam.com/ent/v1.0"><AccountName>TECH\\mary.smith'
            '</AccountName><AccountType>User</AccountType><Roles><EnterpriseRole><EnterpriseRoleUid>%s'
            '</EnterpriseRoleUid></EnterpriseRole></Roles><AllowRestoreAllVms>true</AllowRestoreAllVms>'
            '</EnterpriseAccountCreateSpec>' % ROLE["Portal User"])
    answer = em.post("/api/security/accounts", body)  # AccountType after AccountName: skipped, so missing
    assert answer.status == 400 and "AccountType is required" in message(answer)


def test_xml_body_in_another_namespace_is_refused(em):
    body = '<EnterpriseAccountCreateSpec><AccountType>User</AccountType></EnterpriseAccountCreateSpec>'
    assert em.post("/api/security/accounts", body).status == 400


@pytest.mark.parametrize("account_type, name, valid", [
    ("User", "TECH\\jane.doe", True), ("User", "jane.doe", False), ("User", "jane.doe@tech.com", False),
    ("Group", "TECH\\Restore Operators", True), ("Group", "Restore Operators", False),
    ("ExternalUser", "jane.doe@tech.com", True), ("ExternalUser", "TECH\\jane.doe", False),
    ("ExternalUser", "jane doe@tech.com", False),
    ("ExternalGroup", "Cloud Restore Team", True), ("ExternalGroup", "  ", False),
])
def test_account_names_are_validated_per_type(em, account_type, name, valid):
    answer = em.create(name=name, account_type=account_type)
    assert answer.status == (201 if valid else 400)
    if not valid:
        assert "not valid for an account of type %s" % account_type in message(answer)


def test_external_user_error_names_the_expected_format(em):
    answer = em.create(name="TECH\\jane.doe", account_type="ExternalUser")
    assert "Username@Suffix" in message(answer)


@pytest.mark.parametrize("change, words", [
    ({"AccountType": "LocalUser"}, "AccountType"),
    ({"Roles": {"EnterpriseRoles": []}}, "at least one"),
    ({"Roles": {"EnterpriseRoles": [{"EnterpriseRoleUid": "urn:veeam:EnterpriseRole:0000"}]}}, "EnterpriseRoleUid"),
    ({"Roles": {"EnterpriseRoles": [{"EnterpriseRoleUid": "Portal User"}]}}, "EnterpriseRoleUid"),
    ({"AllowRestoreAllVms": False}, "HierarchyScopeObjects"),
    ({"AllowRestoreAllVms": None}, "AllowRestoreAllVms is required"),
    ({"AllowRestoreAllVms": "maybe"}, "not a valid Boolean"),
    ({"HierarchyScopeObjects": {"HierarchyScopeItems": [{"HierarchyObjRef": "vm-1", "ObjectName": "x"}]}},
     "not a valid"),
    ({"FlrSettings": {"FlrInplaceOnly": True}}, "FlrExtentionRestrictions"),
])
def test_invalid_create_specs_are_400(em, change, words):
    spec = {"AccountType": "User", "AccountName": "TECH\\jane.doe", "AllowRestoreAllVms": True,
            "Roles": {"EnterpriseRoles": [{"EnterpriseRoleUid": ROLE["Portal User"]}]}}
    spec.update(change)
    answer = em.post("/api/security/accounts", spec)
    assert answer.status == 400 and words in message(answer)


def test_duplicate_account_name_is_refused_case_insensitively(em):
    assert em.create().status == 201
    duplicate = em.create(name="tech\\JANE.DOE")
    assert duplicate.status == 400 and "already exists" in message(duplicate)


def test_single_scope_item_spelling_of_the_docs_is_accepted(em):
    spec = {"AccountType": "User", "AccountName": "TECH\\william.fox2", "AllowRestoreAllVms": False,
            "Roles": {"EnterpriseRoles": [{"EnterpriseRoleUid": ROLE["VM Restore Operator"]}]},
            "HierarchyScopeObjects": {"HierarchyScopeItem": {"HierarchyObjRef": VM_REF, "ObjectName": "VM01"}}}
    assert em.post("/api/security/accounts", spec).status == 201


def test_delete_account(em):
    path = jane(em)
    assert em.delete(path).status == 204
    assert em.get(path).status == 404
    assert em.delete(path).status == 404


# ---------------------------------------------------------------------- roles of an account
def test_account_roles_add_list_and_remove(em):
    path = jane(em, roles=["VM Restore Operator"])
    assert em.post(path + "/roles", {"EnterpriseRoleUid": ROLE["Portal User"]}).status == 201
    listed = em.json(path + "/roles")["EnterpriseAccountInRoles"]
    assert [item["RoleName"] for item in listed] == ["VM Restore Operator", "Portal User"]
    assert listed[1]["Href"].endswith("/roles/d19a3d33-cb77-4ffe-94e6-001432483a4e")
    assert listed[1]["Links"] == [{"Rel": "Delete", "Href": listed[1]["Href"]}]
    assert em.json(path + "/roles/d19a3d33-cb77-4ffe-94e6-001432483a4e")["RoleName"] == "Portal User"
    assert em.delete(path + "/roles/c11c0c38-ba8b-49c7-bf70-fc2058fff1e2").status == 204
    assert [item["RoleName"] for item in em.json(path + "/roles")["EnterpriseAccountInRoles"]] == ["Portal User"]


def test_the_last_role_cannot_be_removed(em):
    path = jane(em, roles=["Portal User"])
    last = em.delete(path + "/roles/d19a3d33-cb77-4ffe-94e6-001432483a4e")
    assert last.status == 400 and "last role" in message(last)


def test_role_errors(em):
    path = jane(em, roles=["Portal User"])
    again = em.post(path + "/roles", {"EnterpriseRoleUid": ROLE["Portal User"]})
    assert again.status == 400 and "already has" in message(again)
    assert em.delete(path + "/roles/c11c0c38-ba8b-49c7-bf70-fc2058fff1e2").status == 404
    assert em.post(path + "/roles", {"EnterpriseRoleUid": "urn:veeam:EnterpriseRole:nope"}).status == 400


def test_add_role_with_the_documented_xml_body(em):
    path = jane(em, roles=["Portal User"])
    body = ('<EnterpriseAccountInRoleCreateSpec xmlns="http://www.veeam.com/ent/v1.0"><EnterpriseRoleUid>%s'
            '</EnterpriseRoleUid></EnterpriseAccountInRoleCreateSpec>' % ROLE["VM Restore Operator"])
    assert em.post(path + "/roles", body).status == 201


# ---------------------------------------------------------------------- restore scopes
def test_scopes_add_list_get_and_remove(em):
    path = jane(em, allow_all=False, scopes=[(VM_REF, "VM01")])
    assert em.post(path + "/scopes", {"HierarchyScopeItems": [{"HierarchyObjRef": POOL_REF,
                                                               "ObjectName": "Production"}]}).status == 201
    scopes = em.json(path + "/scopes")["EnterpriseAccountHierarchyScopes"]
    assert [(scope["Name"], scope["Platform"], scope["HierarchyObjectType"], scope["State"]) for scope in scopes] == [
        ("VM01", "VMware", "Vm", "Unprocessed"), ("Production", "VMware", "ResourcePool", "Unprocessed")]
    assert scopes[1]["HierarchyRootName"] == "3e7fea0c-e92d-4459-9842-0304df34c644"
    assert "HierarchyObjRef" not in scopes[0]
    assert em.json(local_path(scopes[1]["Href"]))["Name"] == "Production"
    assert em.delete(local_path(scopes[0]["Href"])).status == 204
    assert [scope["Name"] for scope in em.json(path + "/scopes")["EnterpriseAccountHierarchyScopes"]] == ["Production"]


def test_scope_errors(em):
    path = jane(em, allow_all=False, scopes=[(VM_REF, "VM01")])
    duplicate = em.post(path + "/scopes", {"HierarchyScopeItems": [{"HierarchyObjRef": VM_REF, "ObjectName": "VM01"}]})
    assert duplicate.status == 400 and "already in the restore scope" in message(duplicate)
    assert em.post(path + "/scopes", {"HierarchyScopeItems": []}).status == 400
    assert em.delete(path + "/scopes/00000000-0000-0000-0000-000000000000").status == 404
    only = local_path(em.json(path + "/scopes")["EnterpriseAccountHierarchyScopes"][0]["Href"])
    last = em.delete(only)
    assert last.status == 400 and "last restore scope" in message(last)


def test_add_scopes_with_the_documented_xml_body(em):
    path = jane(em)
    body = ('<HierarchyScopeCreateSpec xmlns="http://www.veeam.com/ent/v1.0"><HierarchyScopeItem><HierarchyObjRef>%s'
            '</HierarchyObjRef><ObjectName>SQLSRV</ObjectName></HierarchyScopeItem><HierarchyScopeItem>'
            '<HierarchyObjRef>%s</HierarchyObjRef><ObjectName>Production</ObjectName></HierarchyScopeItem>'
            '</HierarchyScopeCreateSpec>' % (VM_REF, POOL_REF))
    assert em.post(path + "/scopes", body).status == 201
    names = [scope["Name"] for scope in em.json(path + "/scopes")["EnterpriseAccountHierarchyScopes"]]
    assert names == ["SQLSRV", "Production"]


# ---------------------------------------------------------------------- AllowRestoreAllVms and immutable settings
def test_post_on_the_account_toggles_allow_restore_all_vms(em):
    path = jane(em, allow_all=True, scopes=[(VM_REF, "VM01")])
    toggled = em.post(path)
    assert toggled.status == 204 and toggled.body == b""
    assert em.json(path + "?format=Entity")["AllowRestoreAllVms"] is False
    assert em.post(path).status == 204
    assert em.json(path + "?format=Entity")["AllowRestoreAllVms"] is True


def test_toggle_off_without_a_scope_is_refused(em):
    path = jane(em, allow_all=True)
    refused = em.post(path)
    assert refused.status == 400 and "no restore scope" in message(refused)


def test_flr_and_sql_settings_cannot_be_edited(em):
    path = jane(em, allow_all=True, scopes=[(VM_REF, "VM01")],
                FlrSettings={"FlrInplaceOnly": False, "FlrExtentionRestrictions": ""})
    assert em.call("PUT", path, {"FlrSettings": {"FlrInplaceOnly": True}}).status == 405
    # POST on the account takes no body: EM ignores one and just toggles AllowRestoreAllVms.
    assert em.post(path, {"FlrSettings": {"FlrInplaceOnly": True, "FlrExtentionRestrictions": "pdf"},
                          "SqlSettings": {"DenyInPlaceRestore": True}}).status == 204
    account = em.json(path + "?format=Entity")
    assert account["FlrSettings"]["FlrInplaceOnly"] is False and account["SqlSettings"]["DenyInPlaceRestore"] is False
    assert account["AllowRestoreAllVms"] is False


# ---------------------------------------------------------------------- rebuild scope and tasks
def rebuild(client, kind="RebuildAll"):
    return client.post("/api/security/accounts?action=rebuildScope", {kind: {}})


def test_rebuild_scope_task_lifecycle(em, clock):
    path = jane(em, allow_all=False, scopes=[(VM_REF, "VM01")])
    started = rebuild(em, "RebuildUnprocessed")
    task = started.json_body()
    assert started.status == 201
    assert (task["TaskId"], task["State"], task["Operation"]) == ("task-1", "Running", "StartRebuildScope")
    assert "Result" not in task and task["Href"].endswith("/api/tasks/task-1")
    clock.advance(0.5)
    assert em.json("/api/tasks/task-1")["State"] == "Running"
    clock.advance(0.6)
    done = em.json("/api/tasks/task-1")
    assert done["State"] == "Finished" and done["Result"] == {"Success": True}
    assert em.json(path + "/scopes")["EnterpriseAccountHierarchyScopes"][0]["State"] == "Processed"
    assert rebuild(em).json_body()["TaskId"] == "task-2"
    assert [item["TaskId"] for item in em.json("/api/tasks")["Tasks"]] == ["task-1", "task-2"]


def test_tasks_belong_to_their_logon_session(app, em):
    rebuild(em)
    other = Em(app)
    assert other.get("/api/tasks/task-1").status == 404
    assert rebuild(other).json_body()["TaskId"] == "task-1"  # numbered per session
    em.delete("/api/logonSessions/" + em.session_id)
    again = Em(app)
    assert again.get("/api/tasks/task-2").status == 404


def test_task_failure_and_longer_duration_from_the_admin_api(app, em, clock):
    body = json.dumps({"success": False, "message": "Hierarchy root vcprod.tech.local is unavailable",
                       "duration": 5}).encode()
    app.admin(Request.from_target("POST", "/_sim/em/task-outcome", {}, body), "em/task-outcome")
    path = jane(em, allow_all=False, scopes=[(VM_REF, "VM01")])
    rebuild(em)
    clock.advance(4)
    assert em.json("/api/tasks/task-1")["State"] == "Running"
    clock.advance(1.5)
    failed = em.json("/api/tasks/task-1")
    assert failed["State"] == "Finished"
    assert failed["Result"] == {"Success": False, "Message": "Hierarchy root vcprod.tech.local is unavailable"}
    assert em.json(path + "/scopes")["EnterpriseAccountHierarchyScopes"][0]["State"] == "Unprocessed"


def test_rebuild_for_current_user_processes_only_their_scopes(app, clock):
    administrator = Em(app)
    jane_path = jane(administrator, allow_all=False, scopes=[(VM_REF, "VM01")])
    rebuild(administrator, "RebuildForCurrentUser")
    clock.advance(2)
    assert administrator.json("/api/tasks/task-1")["Result"]["Success"] is True
    assert administrator.json(jane_path + "/scopes")["EnterpriseAccountHierarchyScopes"][0]["State"] == "Unprocessed"


@pytest.mark.parametrize("body", [{}, {"RebuildAll": {}, "RebuildUnprocessed": {}}, {"RebuildEverything": {}}])
def test_rebuild_scope_needs_exactly_one_kind(em, body):
    assert em.post("/api/security/accounts?action=rebuildScope", body).status == 400


def test_rebuild_scope_with_the_documented_xml_body(em):
    body = '<RebuildScopeJobSpec xmlns="http://www.veeam.com/ent/v1.0"><RebuildUnprocessed/></RebuildScopeJobSpec>'
    root = xml_root(em.post("/api/security/accounts?action=rebuildScope", body, accept=None))
    assert root.tag == NS + "Task" and root.find(NS + "TaskId").text == "task-1"
    assert root.find(NS + "Operation").text == "StartRebuildScope"


def test_unknown_action_and_deleted_task(em):
    assert em.post("/api/security/accounts?action=explode", {}).status == 400
    rebuild(em)
    assert em.delete("/api/tasks/task-1").status == 204
    assert em.get("/api/tasks/task-1").status == 404


# ---------------------------------------------------------------------- permissions
def test_restore_operator_cannot_manage_accounts(app):
    fox = Em(app, "TECH\\william.fox")  # VM and File Restore Operator
    denied = fox.get("/api/security/accounts")
    assert denied.status == 403 and "Portal Administrator" in message(denied)
    assert fox.get("/api/backupServers").status == 403
    assert fox.get("/api/tasks").status == 200


# ---------------------------------------------------------------------- backup servers
def test_backup_servers_references_and_entities(em):
    refs = em.json("/api/backupServers")["Refs"]
    assert [ref["Name"] for ref in refs] == ["127.0.0.1", "127.0.0.2"]
    assert all(ref["Type"] == "BackupServerReference" and ref["UID"].startswith("urn:veeam:BackupServer:")
               for ref in refs)
    server = em.json("/api/backupServers/%s?format=Entity" % refs[0]["UID"].rsplit(":", 1)[1])
    assert (server["Name"], server["Port"], server["Version"]) == ("127.0.0.1", 9392, "13.1.0.411")
    assert "https://127.0.0.1:9419" in server["Description"] and server["Type"] == "BackupServer"
    entities = em.json("/api/backupServers?format=Entity")["BackupServers"]
    assert [item["Name"] for item in entities] == ["127.0.0.1", "127.0.0.2"]
    assert em.get("/api/backupServers/00000000-0000-0000-0000-000000000000").status == 404


def test_backup_server_entity_in_xml_follows_the_xsd_order(em):
    ref = em.json("/api/backupServers")["Refs"][0]
    root = xml_root(em.get("/api/backupServers/%s?format=Entity" % ref["UID"].rsplit(":", 1)[1], accept=None))
    assert [child.tag[len(NS):] for child in root][:4] == ["Links", "Description", "Port", "Version"]


# ---------------------------------------------------------------------- server contract
def test_route_templates_and_request_kinds(app):
    assert app.route_template("DELETE", "/api/logonSessions/abc") == "/api/logonSessions/{id}"
    assert app.route_template("DELETE", "/api/security/accounts/a/roles/b") == "/api/security/accounts/{id}/roles/{id}"
    assert app.route_template("GET", "/api/tasks/task-3") == "/api/tasks/{id}"
    assert app.request_kind("POST", "/api/sessionMngr") == "logon"
    assert app.request_kind("DELETE", "/api/logonSessions/abc") == "logout"
    assert app.request_kind("GET", "/api/security/accounts") == "read"
    assert app.request_kind("POST", "/api/security/accounts") == "write"


def test_seed_accounts(em):
    names = [ref["Name"] for ref in em.json("/api/security/accounts")["Refs"]]
    assert names == [LOGIN, "BUILTIN\\Administrators", "TECH\\william.fox"]
    fox = "/api/security/accounts/" + em.account_id("TECH\\william.fox")
    assert em.json(fox + "?format=Entity")["AllowRestoreAllVms"] is False
    assert [scope["Name"] for scope in em.json(fox + "/scopes")["EnterpriseAccountHierarchyScopes"]] == ["web-srv-01"]


def test_snapshot_restore_and_reset(app, em):
    jane(em, allow_all=False, scopes=[(VM_REF, "VM01")])
    snapshot = json.loads(json.dumps(app.snapshot()))
    app.reset()
    assert "TECH\\jane.doe" not in [ref["Name"] for ref in Em(app).json("/api/security/accounts")["Refs"]]
    app.restore(snapshot)
    client = Em(app)
    path = "/api/security/accounts/" + client.account_id("TECH\\jane.doe")
    assert client.json(path + "/scopes")["EnterpriseAccountHierarchyScopes"][0]["Name"] == "VM01"


def test_concurrent_creates_are_all_kept(app):
    clients = [Em(app) for _index in range(8)]
    answers = []

    def create(index):
        answers.append(clients[index].create(name="TECH\\user%02d" % index).status)

    threads = [threading.Thread(target=create, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [201] * 8
    assert len(clients[0].json("/api/security/accounts")["Refs"]) == 3 + 8


# ---------------------------------------------------------------------- end to end over HTTPS
@pytest.fixture
def https_em(em_url, ca_path, credentials, em_admin):
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify; 127.0.0.1 needs no proxy
    session.verify = ca_path
    session.headers["Accept"] = "application/json"
    logon = session.post(em_url + "/api/sessionMngr/", params={"v": "latest"},
                         auth=(credentials["username"], credentials["password"]))
    assert logon.status_code == 201
    session.headers["X-RestSvcSessionId"] = logon.headers["X-RestSvcSessionId"]
    session.base = em_url + "/api"
    yield session
    session.close()


def test_https_account_lifecycle_in_json(https_em):
    spec = {"AccountType": "User", "AccountName": "TECH\\bob.smith", "AllowRestoreAllVms": False,
            "Roles": {"EnterpriseRoles": [{"EnterpriseRoleUid": ROLE["SQL Restore Operator"]}]},
            "HierarchyScopeObjects": {"HierarchyScopeItems": [{"HierarchyObjRef": VM_REF, "ObjectName": "SQLSRV"}]},
            "SqlSettings": {"DenyInPlaceRestore": "true"}}
    created = https_em.post(https_em.base + "/security/accounts", json=spec)
    assert created.status_code == 201 and created.content == b""
    ref = next(ref for ref in https_em.get(https_em.base + "/security/accounts").json()["Refs"]
               if ref["Name"] == "TECH\\bob.smith")
    account = https_em.get(ref["Href"], params={"format": "Entity"}).json()
    assert account["SqlSettings"] == {"DenyInPlaceRestore": True}
    assert https_em.delete(ref["Href"]).status_code == 204


def test_https_xml_by_default_and_task_outcome(https_em, em_admin):
    xml = https_em.get(https_em.base + "/security/roles", headers={"Accept": "application/xml"})
    assert xml.headers["Content-Type"].startswith("application/xml") and 'Name="VM Restore Operator"' in xml.text
    em_admin.task_outcome(success=False, message="scope rebuild failed", duration=0.05)
    task = https_em.post(https_em.base + "/security/accounts", params={"action": "rebuildScope"},
                         json={"RebuildAll": {}}).json()
    assert task["State"] == "Running"
    time.sleep(0.1)
    done = https_em.get(https_em.base + "/tasks/" + task["TaskId"]).json()
    assert done["Result"] == {"Success": False, "Message": "scope rebuild failed"}


def test_https_injected_fault_uses_the_em_error_shape(https_em, em_admin):
    em_admin.fault(method="GET", path="/api/security/accounts", status=503)
    answer = https_em.get(https_em.base + "/security/accounts")
    assert answer.status_code == 503 and answer.json()["StatusCode"] == 503
    assert em_admin.count("GET /api/security/accounts") == 1


def test_https_backup_servers_are_the_vbr_servers(https_em, simulator):
    refs = https_em.get(https_em.base + "/backupServers").json()["Refs"]
    assert len(refs) == len(simulator.vbr_urls)
    server = https_em.get(refs[0]["Href"], params={"format": "Entity"}).json()
    assert server["Name"] == refs[0]["Name"] and server["Port"] == 9392
