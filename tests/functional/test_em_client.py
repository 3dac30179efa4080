"""The Enterprise Manager client of plugins/module_utils against the simulator, over real HTTPS."""

import pytest

from ansible_collections.backupops.veeam.plugins.module_utils.em_client import EmClient
from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.transport import Transport


@pytest.fixture
def make_client(em_url, ca_path, credentials):
    clients = []

    def make(password=None, sleep=None):
        transport = Transport(em_url, product="Enterprise Manager", ca_path=ca_path, retries=1, backoff_factor=0.01)
        options = {"sleep": sleep} if sleep else {}
        client = EmClient(transport, credentials["username"], password or credentials["password"], **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def test_logon_roles_and_logout(make_client, em_admin):
    client = make_client()
    names = [role["name"] for role in client.list_roles()]
    assert "Portal Administrator" in names and "VM Restore Operator" in names
    restore_operator = next(role for role in client.list_roles() if role["name"] == "VM Restore Operator")
    assert restore_operator["uid"] == "urn:veeam:EnterpriseRole:" + restore_operator["id"]
    client.close()
    stats = em_admin.stats()["by_route"]
    assert stats["POST /api/sessionMngr"] == 1
    assert stats["DELETE /api/logonSessions/{id}"] == 1


def test_expired_session_logs_on_again_and_repeats_the_request(make_client, em_admin):
    client = make_client()
    client.list_roles()
    em_admin.expire_sessions()
    assert client.get_json("/api/security/accounts")["Refs"]
    assert em_admin.count("POST /api/sessionMngr") == 2


def test_wrong_password_is_explained_without_the_password(make_client, credentials):
    with pytest.raises(VeeamError) as caught:
        make_client(password="not-the-password").list_roles()
    text = str(caught.value)
    assert "refused the logon of %s" % credentials["username"] in text
    assert "not-the-password" not in text


def _start_rebuild(client):
    return client.request("POST", "/api/security/accounts", params={"action": "rebuildScope"},
                          json={"RebuildUnprocessed": {}}).json()


def test_task_is_polled_until_finished(make_client, em_admin):
    em_admin.task_outcome(success=True, duration=0.3)
    client = make_client()
    task = client.wait_task(_start_rebuild(client), timeout=10, poll_interval=0.1)
    assert task["State"] == "Finished" and task["Result"]["Success"] is True


def test_failed_task_raises_with_its_message(make_client, em_admin):
    em_admin.task_outcome(success=False, message="vCenter vc01 is not reachable", duration=0.1)
    client = make_client()
    with pytest.raises(VeeamError) as caught:
        client.wait_task(_start_rebuild(client), timeout=10, poll_interval=0.1)
    assert caught.value.error_code == "task_failed"
    assert "vCenter vc01 is not reachable" in str(caught.value)


def test_task_timeout_raises(make_client, em_admin):
    em_admin.task_outcome(success=True, duration=30)
    client = make_client()
    with pytest.raises(VeeamError) as caught:
        client.wait_task(_start_rebuild(client), timeout=0.3, poll_interval=0.1)
    assert caught.value.error_code == "task_timeout"
    assert "still Running" in str(caught.value)


def test_session_id_never_appears_in_errors(make_client):
    client = make_client()
    client.list_roles()
    session_header = client._session_header
    with pytest.raises(VeeamError) as caught:
        client.get_json("/api/security/accounts/00000000-0000-0000-0000-000000000000")
    assert caught.value.status == 404
    assert session_header not in str(caught.value)
