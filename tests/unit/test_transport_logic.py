"""Pure logic of the HTTP layer: base URLs, Retry-After, backoff, error bodies."""

import email.utils

import pytest

from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError, parse_error_body
from ansible_collections.backupops.veeam.plugins.module_utils.transport import (
    backoff_delay, build_base_url, parse_retry_after)


@pytest.mark.parametrize("server, port, expected", [
    ("vbr01.tech.local", None, "https://vbr01.tech.local:9419"),
    ("vbr01.tech.local", 443, "https://vbr01.tech.local:443"),
    ("vbr01.tech.local:1234", 9419, "https://vbr01.tech.local:1234"),
    ("https://vbr01.tech.local", 9419, "https://vbr01.tech.local:9419"),
    ("https://vbr01.tech.local:9999/", 9419, "https://vbr01.tech.local:9999"),
    ("HTTPS://VBR01:9419", None, "https://vbr01:9419"),
    ("10.0.0.5", None, "https://10.0.0.5:9419"),
    ("[::1]", None, "https://[::1]:9419"),
    ("https://[fe80::1]:9420", None, "https://[fe80::1]:9420"),
    ("https://proxy.tech.local/veeam/", 8443, "https://proxy.tech.local:8443/veeam"),
])
def test_build_base_url(server, port, expected):
    url, warnings = build_base_url(server, port, 9419)
    assert url == expected
    assert warnings == []


def test_build_base_url_warns_about_plain_http():
    url, warnings = build_base_url("http://127.0.0.1:8080", None, 9419)
    assert url == "http://127.0.0.1:8080"
    assert len(warnings) == 1 and "unencrypted" in warnings[0]


@pytest.mark.parametrize("server, fragment", [
    ("", "server is required"),
    ("   ", "server is required"),
    ("ftp://vbr01", "unsupported scheme"),
    ("https://vbr01:notaport", "invalid port"),
    ("https://", "no host name"),
])
def test_build_base_url_rejects_nonsense(server, fragment):
    with pytest.raises(ValueError) as caught:
        build_base_url(server, None, 9419)
    assert fragment in str(caught.value)


def test_retry_after_seconds_and_dates():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = 1_800_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert 29.0 <= parse_retry_after(date, now=now) <= 30.0
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(past, now=now) == 0.0


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    assert backoff_delay(0, 0.5, rand=lambda: 0.0) == 0.25
    assert backoff_delay(0, 0.5, rand=lambda: 1.0) == 0.5
    assert backoff_delay(2, 0.5, rand=lambda: 1.0) == 2.0
    assert backoff_delay(10, 0.5, cap=10.0, rand=lambda: 1.0) == 10.0
    assert backoff_delay(10, 0.5, cap=10.0, rand=lambda: 0.0) == 5.0


def test_vbr_json_error_body():
    body = b'{"errorCode": "NotFound", "message": "User not found.", "resourceId": "abc"}'
    assert parse_error_body(body, "application/json; charset=utf-8") == ("NotFound", "User not found.", "abc")


def test_em_json_and_xml_error_bodies():
    assert parse_error_body(b'{"Message": "Session expired", "StatusCode": 401}', "application/json") == \
        ("401", "Session expired", None)
    xml = b'<Error xmlns="http://www.veeam.com/ent/v1.0" Message="Account not found" StatusCode="404" Status="NotFound"/>'
    assert parse_error_body(xml, "application/xml") == ("404", "Account not found", None)


def test_empty_and_odd_error_bodies():
    assert parse_error_body(b"", "application/json") == (None, None, None)
    assert parse_error_body(b"<html><body>Bad gateway</body></html>", "text/html")[1] == "Bad gateway"
    assert parse_error_body(b"plain failure\nsecond line", "text/plain") == (None, "plain failure", None)
    assert parse_error_body(b"[1, 2]", "application/json") == (None, None, None)


def test_error_sentence_has_summary_server_message_and_hint():
    error = VeeamError("GET /x failed", status=403, message="Access denied.", hint="Ask for the role.")
    assert error.sentence() == "GET /x failed. The server said: Access denied. Ask for the role."
    assert error.to_dict()["status"] == 403
