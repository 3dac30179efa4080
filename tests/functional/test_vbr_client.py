"""The VBR client of plugins/module_utils against the simulator, over real HTTPS."""

import pytest

from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.transport import Transport
from ansible_collections.backupops.veeam.plugins.module_utils.vbr_client import VbrClient


class FakeClock(object):
    """Wall clock the test moves forward, to reach token expiry without waiting."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class RecordingSleep(object):
    def __init__(self):
        self.calls = []

    def __call__(self, seconds):
        self.calls.append(seconds)


@pytest.fixture
def sleeps():
    return RecordingSleep()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_client(vbr_url, ca_path, credentials, sleeps, clock):
    clients = []

    def make(api_version="1.3-rev1", ca=ca_path, validate_certs=True, timeout=10, **overrides):
        transport = Transport(vbr_url, product="VBR server", validate_certs=validate_certs, ca_path=ca,
                              timeout=timeout, retries=3, backoff_factor=0.01, sleep=sleeps)
        options = dict(username=credentials["username"], password=credentials["password"], api_version=api_version,
                       clock=clock)
        options.update(overrides)
        client = VbrClient(transport, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def token_requests(sim_admin):
    return sim_admin.stats()["by_route"].get("POST /api/oauth2/token", 0)


def route_count(sim_admin, route):
    return sim_admin.stats()["by_route"].get(route, 0)


def test_password_grant_roles_and_logout(make_client, sim_admin):
    client = make_client()
    roles = client.list_roles()
    assert "Backup Administrator" in [role["name"] for role in roles]
    client.close()
    stats = sim_admin.stats()
    assert stats["by_route"]["POST /api/oauth2/token"] == 1
    assert stats["by_route"]["GET /api/v1/security/roles"] == 1
    assert stats["by_route"]["POST /api/oauth2/logout"] == 1


def test_token_is_refreshed_before_it_expires(make_client, sim_admin, clock):
    client = make_client()
    client.list_users()
    clock.now += 900  # past expires_in minus the safety margin
    client.list_users()
    assert token_requests(sim_admin) == 2
    assert route_count(sim_admin, "GET /api/v1/security/users") == 2  # no request was answered 401


def test_refused_refresh_falls_back_to_the_password_grant(make_client, sim_admin, clock):
    client = make_client()
    client.list_users()
    sim_admin.refuse_refresh()
    clock.now += 900
    client.list_users()
    assert token_requests(sim_admin) == 3  # password, refused refresh, password again


def test_expired_token_on_the_server_is_renewed_and_the_request_repeated(make_client, sim_admin):
    client = make_client()
    client.list_users()
    sim_admin.expire_tokens()
    assert client.find_user("TECH\\william.fox")["name"] == "TECH\\william.fox"
    assert token_requests(sim_admin) == 2


def test_given_access_token_without_password_fails_clearly_when_rejected(make_client, sim_admin):
    first = make_client()
    first.list_roles()
    token = first._access_token
    client = make_client(password=None, access_token=token)
    assert client.list_users()
    sim_admin.expire_tokens()
    with pytest.raises(VeeamError) as caught:
        client.list_users()
    assert "no password was given" in str(caught.value)
    assert token not in str(caught.value)


def test_retry_honours_retry_after(make_client, sim_admin, sleeps):
    client = make_client()
    client.list_roles()
    sim_admin.fault(method="GET", path="/api/v1/security/users", action="status", status=429, retry_after="2")
    assert client.list_users()
    assert sleeps.calls == [2.0]
    assert route_count(sim_admin, "GET /api/v1/security/users") == 2


def test_retry_without_retry_after_backs_off(make_client, sim_admin, sleeps):
    client = make_client()
    client.list_roles()
    sim_admin.fault(method="GET", path="/api/v1/security/users", action="status", status=503, times=2)
    assert client.list_users()
    assert len(sleeps.calls) == 2 and sleeps.calls[1] > sleeps.calls[0] / 2


def test_post_with_unknown_outcome_is_not_repeated_but_reread(make_client, sim_admin):
    client = make_client()
    roles = client.resolve_roles(["Restore Operator"])
    sim_admin.fault(method="POST", path="/api/v1/security/users", action="status", status=500, when="after")
    user, existed = client.create_user("TECH\\jane.doe", "InternalUser", roles)
    assert user["name"] == "TECH\\jane.doe" and existed  # read back, not from the lost answer
    assert route_count(sim_admin, "POST /api/v1/security/users") == 1


def test_post_dropped_after_processing_is_not_repeated(make_client, sim_admin):
    client = make_client()
    roles = client.resolve_roles(["Restore Operator"])
    sim_admin.fault(method="POST", path="/api/v1/security/users", action="drop", when="after")
    user, _existed = client.create_user("TECH\\bob.smith", "InternalUser", roles)
    assert user["name"] == "TECH\\bob.smith"
    assert route_count(sim_admin, "POST /api/v1/security/users") == 1


def test_post_that_failed_before_processing_is_sent_again_only_after_a_reread(make_client, sim_admin):
    client = make_client()
    roles = client.resolve_roles(["Restore Operator"])
    sim_admin.reset_stats()
    sim_admin.fault(method="POST", path="/api/v1/security/users", action="status", status=500, when="before")
    user, existed = client.create_user("TECH\\john.smith", "InternalUser", roles)
    assert user["name"] == "TECH\\john.smith" and not existed
    assert route_count(sim_admin, "POST /api/v1/security/users") == 2
    assert route_count(sim_admin, "GET /api/v1/security/users") == 1  # the re-read between the two
    assert [u["name"] for u in sim_admin.state()["users"]].count("TECH\\john.smith") == 1


def test_post_that_keeps_failing_reports_unknown_outcome(make_client, sim_admin):
    client = make_client()
    roles = client.resolve_roles(["Restore Operator"])
    sim_admin.fault(method="POST", path="/api/v1/security/users", action="status", status=500, times=0)
    with pytest.raises(VeeamError) as caught:
        client.create_user("TECH\\john.smith", "InternalUser", roles)
    assert caught.value.outcome_unknown
    assert "may or may not have taken effect" in str(caught.value)
    assert route_count(sim_admin, "POST /api/v1/security/users") == 4  # the first and three after a re-read each
    sim_admin.clear_faults()
    assert client.find_user("TECH\\john.smith") is None


def test_post_answered_503_after_processing_is_reread_not_repeated(make_client, sim_admin):
    """A 503 may come after the server acted (a proxy, a restart): re-read before sending it again."""
    client = make_client()
    roles = client.resolve_roles(["Restore Operator"])
    sim_admin.fault(method="POST", path="/api/v1/security/users", action="status", status=503, when="after")
    user, existed = client.create_user("TECH\\mary.smith", "InternalUser", roles)
    assert user["name"] == "TECH\\mary.smith" and existed
    assert route_count(sim_admin, "POST /api/v1/security/users") == 1


def test_post_refused_with_503_before_processing_is_sent_again_after_a_reread(make_client, sim_admin):
    client = make_client()
    roles = client.resolve_roles(["Restore Operator"])
    sim_admin.fault(method="POST", path="/api/v1/security/users", action="status", status=503)
    user, existed = client.create_user("TECH\\mary.smith", "InternalUser", roles)
    assert user["name"] == "TECH\\mary.smith" and not existed
    assert route_count(sim_admin, "POST /api/v1/security/users") == 2


def test_create_refused_because_the_account_exists_goes_on_with_the_existing_one(make_client, sim_admin):
    client = make_client()
    roles = client.resolve_roles(["Restore Operator"])
    user, existed = client.create_user("tech\\WILLIAM.FOX", "InternalUser", roles)
    assert existed and user["name"] == "TECH\\william.fox"
    assert route_count(sim_admin, "POST /api/v1/security/users") == 1


def test_untrusted_certificate_fails_with_a_hint(make_client):
    client = make_client(ca=None)
    with pytest.raises(VeeamError) as caught:
        client.list_roles()
    assert caught.value.error_code == "tls"
    assert "ca_path" in str(caught.value)


def test_ca_path_trusts_the_simulator(make_client):
    assert make_client().list_roles()


def test_validate_certs_false_connects(make_client):
    assert make_client(ca=None, validate_certs=False).list_roles()


def test_exact_case_insensitive_name_lookup(make_client):
    client = make_client()
    assert client.find_user("tech\\SHEILA.D.CORY")["name"] == "TECH\\sheila.d.cory"
    assert client.find_user("TECH\\sheila") is None  # nameFilter is fuzzy, the lookup is exact


def test_pagination_reads_every_page(make_client, sim_admin):
    sim_admin.add_users([{"name": "TECH\\page.user%03d" % index, "type": "InternalUser",
                          "roles": ["Veeam Backup Viewer"], "isServiceAccount": False} for index in range(45)])
    client = make_client(page_size=10)
    users = client.list_users()
    assert len(users) >= 50
    assert len(set(user["id"] for user in users)) == len(users)
    assert route_count(sim_admin, "GET /api/v1/security/users") == (len(users) + 9) // 10


def test_unknown_role_lists_the_valid_ones(make_client):
    with pytest.raises(VeeamError) as caught:
        make_client().resolve_role("Restore Operater")
    assert "Restore Operator" in str(caught.value)


def test_wrong_password_is_explained(make_client, credentials):
    with pytest.raises(VeeamError) as caught:
        make_client(password="wrong-password").list_roles()
    text = str(caught.value)
    assert "refused the login of %s" % credentials["username"] in text
    assert "wrong-password" not in text


def test_rev2_on_a_rev2_server_shows_built_in(make_client):
    roles = make_client(api_version="1.3-rev2").list_roles()
    assert all("isBuiltIn" in role for role in roles)


def test_missing_credentials_is_an_input_error(vbr_url, ca_path):
    with pytest.raises(VeeamError) as caught:
        VbrClient(Transport(vbr_url, ca_path=ca_path), username="TECH\\x")
    assert "give username and password" in str(caught.value)


def _client_for(sim, api_version):
    transport = Transport(sim.vbr_url, product="VBR server", ca_path=sim.ca_path, retries=0)
    return VbrClient(transport, username=sim.config.username, password=sim.config.password, api_version=api_version)


@pytest.mark.parametrize("old_simulator", ["13.0.1"], indirect=True)
def test_rev2_against_vbr_13_0_says_which_version_to_use(old_simulator):
    client = _client_for(old_simulator, "1.3-rev2")
    with pytest.raises(VeeamError) as caught:
        client.list_roles()
    text = str(caught.value)
    assert caught.value.error_code == "unsupported_api_version"
    assert "does not support REST API version 1.3-rev2 (it supports: 1.3-rev1)" in text
    assert "set api_version: 1.3-rev1" in text
    assert _client_for(old_simulator, "1.3-rev1").list_roles()


@pytest.mark.parametrize("old_simulator", ["12.3"], indirect=True)
def test_server_without_the_security_api_names_the_vbr_version_needed(old_simulator):
    client = _client_for(old_simulator, "1.3-rev1")
    with pytest.raises(VeeamError) as caught:
        client.list_users()
    text = str(caught.value)
    assert "needs Veeam Backup & Replication 13.0.1 or later" in text
    assert "Upgrade the server" in text
