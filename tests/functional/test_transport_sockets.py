"""Whether a request reached the server, over real sockets: a refused port, a server that drops the connection
after reading the request, and a proxy that refuses. A request that never left is sent again (also a POST); a POST
whose connection dropped after it was sent is not, and says that its outcome is unknown."""

import socket
import threading

import pytest

from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.transport import UNKNOWN_OUTCOME_HINT, Transport


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DroppingServer(object):
    """Accepts connections, reads each request (headers and body) completely, and closes without answering."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.url = "http://127.0.0.1:%d" % self.listener.getsockname()[1]
        self.requests = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                connection, _address = self.listener.accept()
            except OSError:
                return
            with connection:
                self.requests.append(self._read_request(connection))

    @staticmethod
    def _read_request(connection):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _sep, body = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        while len(body) < length:
            body += connection.recv(65536)
        return head.split(b"\r\n")[0].decode()

    def close(self):
        self.listener.close()


@pytest.fixture
def dropping_server():
    server = DroppingServer()
    yield server
    server.close()


def transport(url, retries=2, **options):
    waits = []
    return Transport(url, product="VBR server", retries=retries, sleep=waits.append, timeout=5, **options), waits


def test_a_refused_port_is_not_sent_so_even_a_post_is_sent_again():
    client, waits = transport("http://127.0.0.1:%d" % free_port())
    with pytest.raises(VeeamError) as caught:
        client.request("POST", "/api/v1/security/users", json={"name": "TECH\\jane.doe"})
    error = caught.value
    assert error.error_code == "connection" and error.outcome_unknown is False
    assert client.request_count == 3 and len(waits) == 2
    assert "connection refused" in error.summary and "(after 3 attempts)" in error.summary
    assert "Check the server name and port" in error.hint


def test_a_post_whose_connection_drops_after_sending_is_not_sent_again(dropping_server):
    client, waits = transport(dropping_server.url)
    with pytest.raises(VeeamError) as caught:
        client.request("POST", "/api/v1/security/users", json={"name": "TECH\\jane.doe"})
    error = caught.value
    assert error.error_code == "connection" and error.outcome_unknown is True
    assert "while waiting for the answer to POST /api/v1/security/users" in error.summary
    assert error.hint == UNKNOWN_OUTCOME_HINT
    assert client.request_count == 1 and waits == []
    assert dropping_server.requests == ["POST /api/v1/security/users HTTP/1.1"]


def test_a_get_whose_connection_drops_is_sent_again(dropping_server):
    client, waits = transport(dropping_server.url)
    with pytest.raises(VeeamError) as caught:
        client.request("GET", "/api/v1/security/users")
    assert caught.value.outcome_unknown is True
    assert client.request_count == 3 and len(dropping_server.requests) == 3


def test_a_refusing_proxy_is_named_and_use_proxy_false_goes_direct(vbr_url, ca_path, monkeypatch):
    # monkeypatch comes last so that it undoes the proxy before the simulator fixture checks the server.
    proxy = "http://127.0.0.1:%d" % free_port()
    for name in ("HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "")
    client, waits = transport(vbr_url, retries=1, ca_path=ca_path)
    with pytest.raises(VeeamError) as caught:
        client.request("POST", "/api/oauth2/token", data={"grant_type": "Password"})
    error = caught.value
    assert error.error_code == "proxy" and error.outcome_unknown is False and client.request_count == 2
    assert "through the proxy %s" % proxy in error.summary and "use_proxy: false" in error.hint
    direct, _waits = transport(vbr_url, retries=0, ca_path=ca_path, use_proxy=False)
    response = direct.request("GET", "/api/v1/serverInfo", accept_statuses=(400, 401))
    assert response.status_code in (200, 400, 401)
