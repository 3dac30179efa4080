"""How the HTTP layer reads a failure from the exception types requests and urllib3 raise (never from their text):
whether the request left (so a write may have happened), and what exactly went wrong with TLS.

The exceptions are built the way requests and urllib3 wrap them (requests' ConnectionError around urllib3's
MaxRetryError around the cause, or around a ProtocolError for a connection that dropped); the same code paths
run over real sockets in tests/functional/test_transport_sockets.py and tests/functional/test_tls.py.
"""

import ssl
from http.client import IncompleteRead, RemoteDisconnected

import pytest
import requests
from urllib3 import exceptions as urllib3_exceptions

from ansible_collections.backupops.veeam.plugins.module_utils.transport import (
    Urllib3CertificateError, describe_tls_failure, exception_chain, was_sent)

URL = "https://vbr01.tech.local:9419/api/v1/security/users"


def connect_failure(cause):
    """What requests raises when the connection could not be made: ConnectionError(MaxRetryError(reason=cause))."""
    return requests.exceptions.ConnectionError(urllib3_exceptions.MaxRetryError(None, URL, reason=cause))


def dropped(cause):
    """What requests raises when the connection broke while waiting for the answer: ConnectionError(ProtocolError)."""
    return requests.exceptions.ConnectionError(urllib3_exceptions.ProtocolError("Connection aborted.", cause))


def new_connection_error(text):
    error = urllib3_exceptions.NewConnectionError(None, text)
    error.__cause__ = ConnectionRefusedError(111, "Connection refused")
    return error


@pytest.mark.parametrize("exc", [
    connect_failure(new_connection_error("Failed to establish a new connection: [Errno 111] Connection refused")),
    connect_failure(urllib3_exceptions.NewConnectionError(None, "no text that says what happened")),
    connect_failure(urllib3_exceptions.ConnectTimeoutError(None, "timed out")),
    connect_failure(urllib3_exceptions.ProxyError("Unable to connect to proxy", OSError("Tunnel connection failed"))),
    requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused")),
], ids=["refused", "refused-without-text", "connect-timeout", "proxy", "bare-refused"])
def test_not_sent(exc):
    assert was_sent(exc) is False


@pytest.mark.parametrize("exc", [
    dropped(RemoteDisconnected("Remote end closed connection without response")),
    dropped(ConnectionResetError(104, "Connection reset by peer")),
    dropped(IncompleteRead(b"{\"data\": [")),
    requests.exceptions.ConnectionError(urllib3_exceptions.ReadTimeoutError(None, URL, "Read timed out.")),
    # The text says "refused" and names NewConnectionError, the types say the connection dropped after sending.
    dropped(RemoteDisconnected("Connection refused; NewConnectionError; Failed to establish a new connection")),
    # Nothing recognisable: counted as sent, so a write is never repeated blindly.
    requests.exceptions.ConnectionError("something went wrong"),
], ids=["remote-disconnected", "reset", "incomplete-read", "read-timeout", "misleading-text", "unknown"])
def test_sent_or_maybe_sent(exc):
    assert was_sent(exc) is True


def test_the_chain_follows_args_reason_cause_and_context_and_stops_at_cycles():
    root = ConnectionRefusedError(111, "Connection refused")
    middle = urllib3_exceptions.NewConnectionError(None, "Failed to establish a new connection")
    middle.__cause__ = root
    context = ValueError("while handling")
    outer = connect_failure(middle)
    outer.__context__ = context
    context.__context__ = outer  # a cycle
    chain = exception_chain(outer)
    assert chain[0] is outer and root in chain and middle in chain and context in chain
    assert len(chain) == len(set(id(node) for node in chain))


def verification_error(code, message):
    error = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: %s" % message)
    error.verify_code = code
    error.verify_message = message
    error.reason = "CERTIFICATE_VERIFY_FAILED"
    return requests.exceptions.SSLError(urllib3_exceptions.MaxRetryError(
        None, URL, reason=urllib3_exceptions.SSLError(error)))


@pytest.mark.parametrize("code, message, summary, hint", [
    (10, "certificate has expired", "has expired", "Renew the server's certificate"),
    (9, "certificate is not yet valid", "is not valid yet", "Check the clocks"),
    (62, "Hostname mismatch, certificate is not valid for 'vbr01.tech.local'.",
     "is not valid for the name vbr01.tech.local", "ca_path cannot fix this"),
    (64, "IP address mismatch, certificate is not valid for '10.0.0.5'.",
     "is not valid for the name vbr01.tech.local", "ca_path cannot fix this"),
    (20, "unable to get local issuer certificate", "is not trusted by this machine", "save the server's certificate"),
    (18, "self-signed certificate", "is not trusted by this machine (self-signed certificate)", "as ca_path"),
    (19, "self-signed certificate in certificate chain", "is not trusted by this machine", "as ca_path"),
    (7, "certificate signature failure", "ca_path holds a certificate of the same name with another key",
     "save the server's certificate"),
    (26, "unsupported certificate purpose", "was refused: unsupported certificate purpose", "as ca_path"),
])
def test_each_certificate_verdict_has_its_own_message(code, message, summary, hint):
    text, advice = describe_tls_failure(verification_error(code, message), "VBR server", "https://vbr01.tech.local:9419")
    assert summary in text and "VBR server at https://vbr01.tech.local:9419" in text
    assert hint in advice


def test_urllib3s_own_host_name_check():
    exc = requests.exceptions.SSLError(urllib3_exceptions.MaxRetryError(None, URL, reason=urllib3_exceptions.SSLError(
        Urllib3CertificateError("hostname 'vbr01.tech.local' doesn't match 'other.tech.local'"))))
    text, advice = describe_tls_failure(exc, "VBR server", "https://vbr01.tech.local:9419")
    assert "is not valid for the name vbr01.tech.local" in text and "ca_path cannot fix this" in advice


def test_a_handshake_failure_that_is_not_about_the_certificate():
    error = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    error.reason = "WRONG_VERSION_NUMBER"
    exc = requests.exceptions.SSLError(urllib3_exceptions.MaxRetryError(None, URL, reason=urllib3_exceptions.SSLError(error)))
    text, advice = describe_tls_failure(exc, "Enterprise Manager", "https://em01:9398")
    assert text == "The TLS handshake with the Enterprise Manager at https://em01:9398 failed: wrong version number"
    assert "speaks HTTPS" in advice
