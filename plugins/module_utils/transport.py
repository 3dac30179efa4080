# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP transport of the collection: a requests.Session with TLS, timeouts and safe retries.

Every module and plugin reaches a Veeam server through :class:`Transport`. It never logs or reports
request bodies, headers or credentials; any secret it is told about (:meth:`Transport.add_secret`) is
removed from every error text it produces.
"""

import email.utils
import os
import random
import re
import socket
import ssl
import threading
import time
import traceback

from http.client import HTTPException

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3 import exceptions as urllib3_exceptions
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by ansible-test's import sanity test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

try:  # urllib3 checks host names itself in some versions and setups; its error is not ssl's
    from urllib3.util.ssl_match_hostname import CertificateError as Urllib3CertificateError
except ImportError:  # urllib3 < 1.26.8 keeps it in packages/, or there is no requests at all
    try:
        from urllib3.packages.ssl_match_hostname import CertificateError as Urllib3CertificateError
    except ImportError:
        Urllib3CertificateError = ssl.CertificateError

from ansible.module_utils.six.moves.urllib.parse import urlsplit

from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError, parse_error_body

_ERRNO_TEXT = re.compile(r"\[Errno -?\d+\] ([^\]]+)")
IDEMPOTENT_METHODS = frozenset(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"])
RETRY_STATUSES = frozenset([429, 502, 503, 504])
# A POST answered with one of these was refused before it was processed, so sending it again is safe. A 503 is
# not among them: a server (or a proxy in front of it) may answer 503 after it has acted, so a create or a toggle
# answered 503 has an unknown outcome, and its caller re-reads the server's state before sending it again.
NOT_PROCESSED_STATUSES = frozenset([429])

STATUS_SUMMARIES = {
    400: "the server rejected the request as invalid",
    401: "the server did not accept the credentials or the session",
    403: "the account has no permission for this",
    404: "the server has no such object or endpoint",
    405: "the server does not support this operation",
    409: "the request conflicts with the current state of the object",
    429: "the server is limiting the request rate",
    500: "the server failed with an internal error",
    502: "a gateway in front of the server failed",
    503: "the server is temporarily unavailable",
    504: "a gateway in front of the server timed out",
}

UNKNOWN_OUTCOME_HINT = (
    "The request may or may not have taken effect on the server, so it was not sent again. "
    "Run the task again: it reads the current state first and only changes what still differs."
)

EMPTY_CA_WARNING = (
    "ca_path %s is empty, so it is ignored: the %s's certificate is checked against this machine's trusted CAs. "
    "(AWX writes the CA file of a credential even when its CA certificate field is blank.) To trust the "
    "server's own certificate, put it (or the CA that signed it) there as PEM; otherwise leave ca_path out.")

TLS_HINT = (
    "Veeam servers ship a self-signed certificate: save the server's certificate (or the CA that signed it) as a PEM file and pass it as "
    "ca_path (or the *_CA_PATH environment variable). For a throw-away test rig only, validate_certs: false "
    "skips the check."
)
TLS_NAME_HINT = (
    "The certificate is signed by a trusted CA but issued for other names, so ca_path cannot fix this. Connect "
    "with a name the certificate holds (openssl s_client -connect HOST:PORT </dev/null | openssl x509 -noout -ext "
    "subjectAltName lists them), or have the certificate reissued with this name."
)
TLS_EXPIRED_HINT = (
    "Renew the server's certificate (then save the new one as ca_path if it is self-signed). If it should still be "
    "valid, check the clock of this machine."
)
TLS_NOT_YET_VALID_HINT = "Check the clocks of this machine and of the server: the certificate's validity has not begun."
TLS_HANDSHAKE_HINT = (
    "Check that the port speaks HTTPS: the VBR REST API listens on 9419, Enterprise Manager on 9398. Use "
    "http:// only for a server or proxy that really speaks plain HTTP."
)
CA_FILE_HINT = (
    "Give the PEM file with the %s's certificate or the CA that signed it (text starting with "
    "-----BEGIN CERTIFICATE-----), e.g. saved with: openssl s_client -connect HOST:PORT -showcerts </dev/null "
    "| openssl x509 > server.pem"
)
PROXY_HINT = (
    "The proxy comes from the HTTPS_PROXY (HTTP_PROXY for http://) environment variable. Fix the proxy, add the "
    "server to NO_PROXY, or set use_proxy: false to connect directly."
)

# OpenSSL verification results (X509_V_ERR_*) that call for their own explanation.
X509_NOT_YET_VALID = 9
X509_EXPIRED = 10
X509_NAME_MISMATCH = frozenset([62, 64])  # host name, IP address
X509_UNKNOWN_ISSUER = frozenset([2, 18, 19, 20, 21, 27, 28])
# The CA file holds a certificate with the issuer's name but another key: typically the server's previous
# self-signed certificate, saved before the server made a new one.
X509_SIGNATURE_FAILURE = 7


def build_base_url(server, port, default_port):
    """``https://host:port`` from a host name, ``host:port`` or base URL; returns (url, warnings).

    A port inside ``server`` wins over ``port``; ``port`` wins over ``default_port``.
    """
    if not server or not str(server).strip():
        raise ValueError("server is required: give the host name or base URL of the Veeam server")
    text = str(server).strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise ValueError("server %r has an unsupported scheme %r: use https:// (or http:// for a test rig)"
                         % (server, parts.scheme))
    host = parts.hostname
    if not host:
        raise ValueError("server %r has no host name" % (server,))
    try:
        url_port = parts.port
    except ValueError:
        raise ValueError("server %r has an invalid port" % (server,))
    if ":" in host:
        host = "[%s]" % host
    effective_port = url_port or port or default_port
    warnings = []
    if scheme == "http":
        warnings.append("server %s uses plain http://: credentials and tokens cross the network unencrypted. "
                        "Use https:// unless this is a test rig or a TLS-terminating proxy." % server)
    path = parts.path.rstrip("/")
    return "%s://%s:%s%s" % (scheme, host, effective_port, path), warnings


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None when absent/invalid."""
    if value is None:
        return None
    value = str(value).strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    current = now if now is not None else time.time()
    return max(0.0, when.timestamp() - current)


def backoff_delay(attempt, factor, cap=10.0, rand=random.random):
    """Exponential backoff with jitter: between half and all of ``factor * 2**attempt`` (capped)."""
    ceiling = min(cap, factor * (2 ** attempt))
    return ceiling / 2.0 + rand() * ceiling / 2.0


class Throttle(object):
    """How many requests of one transport may be in flight at once, shared by every worker thread.

    A 429 or 503 answer halves the number and pauses every worker until the server's ``Retry-After`` (or the
    backoff) has passed, so a busy server sees fewer requests, not more retries; a run of successes lets the
    number grow back to its limit.
    """

    GROW_AFTER = 10  # successes before one more request may be in flight again

    def __init__(self, limit=1, sleep=time.sleep, clock=time.monotonic):
        self.limit = self.current = max(1, int(limit))
        self.in_flight = 0
        self.successes = 0
        self.pause_until = 0.0
        self._sleep = sleep
        self._clock = clock
        self._condition = threading.Condition()
        self._local = threading.local()

    def acquire(self):
        with self._condition:
            pause_until = self.pause_until
        if pause_until > getattr(self._local, "paused_until", 0.0):
            self._local.paused_until = pause_until
            wait = pause_until - self._clock()
            if wait > 0:
                self._sleep(wait)
        with self._condition:
            while self.in_flight >= self.current:
                self._condition.wait()
            self.in_flight += 1

    def release(self, pause=None):
        """A request is done; ``pause`` (seconds) when the server asked to slow down (429/503)."""
        with self._condition:
            self.in_flight -= 1
            if pause is not None:
                self.current = max(1, self.current // 2)
                self.successes = 0
                self.pause_until = max(self.pause_until, self._clock() + pause)
                # The worker that met the 429 waits out the pause itself (its own retry), not twice.
                self._local.paused_until = self.pause_until
            else:
                self.successes += 1
                if self.current < self.limit and self.successes >= self.GROW_AFTER:
                    self.current += 1
                    self.successes = 0
            self._condition.notify_all()


class Transport(object):
    """HTTP to one Veeam server.

    :param base_url: ``https://host:port`` (see :func:`build_base_url`).
    :param product: the server's name in error texts, e.g. ``"VBR server"``.
    :param retries: how many times a failed request may be sent again (connection errors and
        429/502/503/504), with exponential backoff and jitter, honouring ``Retry-After``.
    """

    def __init__(self, base_url, product="Veeam server", validate_certs=True, ca_path=None, timeout=30,
                 retries=3, use_proxy=True, backoff_factor=0.5, max_retry_after=120, sleep=time.sleep,
                 on_secret=None, parallel_requests=1):
        if not HAS_REQUESTS:
            raise VeeamError("The Python library 'requests' is required on the host that runs this module",
                             hint="Install it with: pip install requests")
        self.base_url = base_url.rstrip("/")
        self.product = product
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff_factor = backoff_factor
        self.max_retry_after = max_retry_after
        self.sleep = sleep
        self.request_count = 0
        # Writes the server answered with success: what a failure result counts as "changed".
        self.writes_done = 0
        self.parallel_requests = max(1, int(parallel_requests))
        self.throttle = Throttle(self.parallel_requests, sleep=sleep)
        self._count_lock = threading.Lock()
        self.warnings = []
        self._secrets = set()
        self._on_secret = on_secret
        if not validate_certs:
            # The module warns in Ansible's way; urllib3's own warning on every request would be noise.
            requests.packages.urllib3.disable_warnings(requests.packages.urllib3.exceptions.InsecureRequestWarning)
        if validate_certs and ca_path and _is_blank_file(ca_path):
            self.warnings.append(EMPTY_CA_WARNING % (ca_path, product))
            ca_path = None
        if validate_certs and ca_path:
            check_ca_file(ca_path, product)
        self.session = requests.Session()
        self.session.trust_env = use_proxy
        # Passed with every request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override Session.verify.
        self.verify = (ca_path or True) if validate_certs else False
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(4, self.parallel_requests), max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers["User-Agent"] = "backupops.veeam-ansible"

    def add_secret(self, value):
        """Remember a secret so that it is blanked out of every error text (and of the module's output)."""
        if value and len(str(value)) >= 4:
            self._secrets.add(str(value))
            if self._on_secret is not None:
                self._on_secret(str(value))

    def redact(self, text):
        if not text:
            return text
        for secret in self._secrets:
            text = text.replace(secret, "********")
        return text

    def request(self, method, path, params=None, json=None, data=None, headers=None, auth=None,
                accept_statuses=(), idempotent=None, write=None):
        """Send one request (with safe retries) and return the ``requests.Response``.

        A status >= 400 that is not in ``accept_statuses`` raises :class:`VeeamError`.
        ``idempotent`` overrides the method's own idempotency, e.g. for a token POST that is safe to
        repeat. A non-idempotent request whose outcome is unknown (timeout or dropped connection after
        sending, 500/502/504) is never sent again: the error says ``outcome_unknown`` and the caller
        re-reads the server's state. ``write=False`` marks a POST or DELETE that changes nothing the task manages
        (logon, token, logout), so that it does not count in :attr:`writes_done`.
        """
        method = method.upper()
        safe_to_repeat = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        url = self.base_url + path
        attempt = 0
        while True:
            try:
                response = self._send_throttled(method, url, params, json, data, headers, auth, attempt)
            except VeeamError as error:
                repeatable = error.error_code != "tls" and (safe_to_repeat or not error.outcome_unknown)
                if repeatable and attempt < self.retries:
                    self.sleep(backoff_delay(attempt, self.backoff_factor))
                    attempt += 1
                    continue
                if error.outcome_unknown and not safe_to_repeat:
                    error.hint = UNKNOWN_OUTCOME_HINT
                raise self._gave_up(error, attempt)
            status = response.status_code
            if status < 400 or status in accept_statuses:
                if status < 400 and (method not in ("GET", "HEAD", "OPTIONS") if write is None else write):
                    with self._count_lock:
                        self.writes_done += 1
                return response
            retryable = status in RETRY_STATUSES and (safe_to_repeat or status in NOT_PROCESSED_STATUSES)
            if retryable and attempt < self.retries:
                delay = response.retry_delay if hasattr(response, "retry_delay") else \
                    self._retry_delay(response, attempt)
                if delay is not None:
                    self.sleep(delay)
                    attempt += 1
                    continue
            outcome_unknown = not safe_to_repeat and status >= 500 and status not in NOT_PROCESSED_STATUSES
            raise self.http_error(method, path, response, outcome_unknown=outcome_unknown, attempts=attempt + 1)

    def _send_throttled(self, method, url, params, json, data, headers, auth, attempt):
        """One request within the throttle; a 429/503 answer slows every worker down (see :class:`Throttle`)."""
        self.throttle.acquire()
        pause = None
        try:
            response = self._send(method, url, params, json, data, headers, auth)
            if response.status_code in (429, 503):
                response.retry_delay = self._retry_delay(response, attempt)
                pause = response.retry_delay or 0.0
            return response
        finally:
            self.throttle.release(pause)

    def _send(self, method, url, params, json, data, headers, auth):
        with self._count_lock:
            self.request_count += 1
        path = urlsplit(url).path
        try:
            return self.session.request(method, url, params=params, json=json, data=data, headers=headers,
                                        auth=auth, timeout=self.timeout, allow_redirects=False, verify=self.verify)
        except requests.exceptions.SSLError as exc:
            summary, hint = describe_tls_failure(exc, self.product, self.base_url)
            raise VeeamError(self.redact(summary), error_code="tls", method=method, path=path, hint=hint)
        except requests.exceptions.ConnectTimeout:
            raise VeeamError("The %s at %s did not accept a connection within %s seconds"
                             % (self.product, self.base_url, self.timeout), error_code="connect_timeout",
                             method=method, path=path,
                             hint="Check the server name, the port and any firewall in between; "
                                  "raise the timeout option if the network is slow.")
        except requests.exceptions.ReadTimeout:
            raise VeeamError("The %s at %s did not answer %s %s within %s seconds"
                             % (self.product, self.base_url, method, path, self.timeout),
                             error_code="read_timeout", method=method, path=path, outcome_unknown=True,
                             hint="The server may be overloaded; raise the timeout option if it is "
                                  "just slow.")
        except requests.exceptions.ProxyError as exc:
            raise VeeamError("Cannot reach the %s at %s through the proxy %s: %s"
                             % (self.product, self.base_url, self._proxy_for(url), self._reason(exc)),
                             error_code="proxy", method=method, path=path, hint=PROXY_HINT)
        except requests.exceptions.ConnectionError as exc:
            sent = was_sent(exc)
            raise VeeamError("The connection to the %s at %s failed%s: %s"
                             % (self.product, self.base_url,
                                " while waiting for the answer to %s %s" % (method, path) if sent else "",
                                self._reason(exc)),
                             error_code="connection", method=method, path=path, outcome_unknown=sent,
                             hint=None if sent else "Check the server name and port, and that the Veeam "
                                                    "REST API service is running and reachable from here.")
        except requests.exceptions.RequestException as exc:
            raise VeeamError("The request %s %s to the %s at %s failed: %s"
                             % (method, path, self.product, self.base_url, self._reason(exc)),
                             error_code="request", method=method, path=path)

    def _proxy_for(self, url):
        """The proxy requests chose for ``url``, as scheme://host:port (never its credentials)."""
        proxy = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url)) or "(unknown)"
        parts = urlsplit(proxy)
        if parts.hostname:
            return "%s://%s%s" % (parts.scheme, parts.hostname, ":%s" % parts.port if parts.port else "")
        return proxy

    def _retry_delay(self, response, attempt):
        """Seconds to wait before the next attempt, or None to give up now."""
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is None:
            return backoff_delay(attempt, self.backoff_factor)
        if retry_after > self.max_retry_after:
            return None
        return retry_after

    def http_error(self, method, path, response, outcome_unknown=False, attempts=1, summary=None):
        """A :class:`VeeamError` for an HTTP error answer."""
        status = response.status_code
        code, message, resource_id = parse_error_body(response.content, response.headers.get("Content-Type"))
        if summary is None:
            summary = "%s %s on the %s at %s failed with HTTP %s: %s" % (
                method, path, self.product, self.base_url, status,
                STATUS_SUMMARIES.get(status, response.reason or "error"))
            if attempts > 1:
                summary += " (after %d attempts)" % attempts
        hint = None
        if status == 429 and response.headers.get("Retry-After"):
            hint = "The server asked to wait %s seconds before trying again." % response.headers["Retry-After"]
        if outcome_unknown:
            hint = UNKNOWN_OUTCOME_HINT
        return VeeamError(self.redact(summary), status=status, error_code=code, message=self.redact(message),
                          method=method, path=path, hint=hint, outcome_unknown=outcome_unknown,
                          resource_id=resource_id)

    def _gave_up(self, error, attempt):
        if attempt:
            error.summary += " (after %d attempts)" % (attempt + 1)
        return error

    def _reason(self, exc):
        reason = str(exc)
        inner = getattr(exc, "args", None)
        if inner and hasattr(inner[0], "reason"):
            reason = str(inner[0].reason)
        errno_text = _ERRNO_TEXT.search(reason)
        if errno_text:
            reason = errno_text.group(1).rstrip("')\"").lower()
        return self.redact(reason)

    def close(self):
        self.session.close()


def exception_chain(exc):
    """``exc`` and every exception under it: requests and urllib3 wrap the cause in ``args``, ``reason``,
    ``__cause__`` and ``__context__``."""
    chain, seen, pending = [], set(), [exc]
    while pending:
        node = pending.pop(0)
        if not isinstance(node, BaseException) or id(node) in seen:
            continue
        seen.add(id(node))
        chain.append(node)
        pending.extend(arg for arg in node.args if isinstance(arg, BaseException))
        pending.extend([getattr(node, "reason", None), node.__cause__, node.__context__])
    return chain


def _sent_types():
    """Failures after the connection was open and the request (possibly) went out.

    ``HTTPException`` covers RemoteDisconnected (closed without an answer) and IncompleteRead."""
    return (urllib3_exceptions.ProtocolError, urllib3_exceptions.ReadTimeoutError, HTTPException)


def _not_sent_types():
    """Failures before the request could leave: no connection (refused, unresolvable, timed out) or no proxy."""
    return (urllib3_exceptions.NewConnectionError, urllib3_exceptions.ConnectTimeoutError,
            urllib3_exceptions.ProxyError, ConnectionRefusedError, socket.gaierror)


def was_sent(exc):
    """Whether a connection error happened after the request went out, so the server may have acted on it.

    Decided from the exception types under ``exc``: a connection that was never made (refused, name not
    resolved, connect timeout, proxy unreachable) means not sent; a dropped or aborted connection means it may
    have been. Anything not recognised counts as sent, so a write is never repeated blindly.
    """
    chain = exception_chain(exc)
    if any(isinstance(node, _sent_types()) for node in chain):
        return True
    return not any(isinstance(node, _not_sent_types()) for node in chain)


def describe_tls_failure(exc, product, base_url):
    """(summary, hint) for a failed TLS connection, from the certificate check's verdict."""
    where = "the %s at %s" % (product, base_url)
    for node in exception_chain(exc):
        if isinstance(node, Urllib3CertificateError) and not isinstance(node, ssl.SSLError):
            return ("The TLS certificate of %s is not valid for the name %s"
                    % (where, urlsplit(base_url).hostname), TLS_NAME_HINT)
        if not isinstance(node, ssl.SSLCertVerificationError):
            continue
        code, verdict = node.verify_code, node.verify_message or node.reason or str(node)
        if code in X509_NAME_MISMATCH:
            return ("The TLS certificate of %s is not valid for the name %s"
                    % (where, urlsplit(base_url).hostname), TLS_NAME_HINT)
        if code == X509_EXPIRED:
            return "The TLS certificate of %s has expired" % where, TLS_EXPIRED_HINT
        if code == X509_NOT_YET_VALID:
            return "The TLS certificate of %s is not valid yet" % where, TLS_NOT_YET_VALID_HINT
        if code == X509_SIGNATURE_FAILURE:
            return ("Cannot open a trusted TLS connection to %s: its certificate is not trusted by this machine "
                    "(ca_path holds a certificate of the same name with another key, e.g. the server's previous "
                    "certificate)" % where, TLS_HINT)
        if code in X509_UNKNOWN_ISSUER:
            return ("Cannot open a trusted TLS connection to %s: its certificate is not trusted by this machine (%s)"
                    % (where, verdict), TLS_HINT)
        return "The TLS certificate of %s was refused: %s" % (where, verdict), TLS_HINT
    error = next((node for node in exception_chain(exc) if isinstance(node, ssl.SSLError)), exc)
    reason = getattr(error, "reason", None)
    reason = reason.lower().replace("_", " ") if reason else str(error)
    return "The TLS handshake with %s failed: %s" % (where, reason), TLS_HANDSHAKE_HINT


def check_ca_file(ca_path, product):
    """Fail early, and clearly, when ca_path cannot serve as the trusted certificates (before any request)."""
    hint = CA_FILE_HINT % product
    if not os.path.exists(ca_path):
        raise VeeamError("ca_path %s does not exist" % ca_path, error_code="invalid_input", hint=hint)
    if os.path.isdir(ca_path):
        return  # a folder of hashed CA certificates (c_rehash), which requests accepts as well
    try:
        with open(ca_path, "rb") as handle:
            content = handle.read()
    except (IOError, OSError) as error:
        raise VeeamError("ca_path %s cannot be read: %s" % (ca_path, (error.strerror or str(error)).lower()),
                         error_code="invalid_input", hint=hint)
    if not content.strip():
        raise VeeamError("ca_path %s is empty" % ca_path, error_code="invalid_input", hint=hint)
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=ca_path)
    except (ssl.SSLError, ValueError) as error:
        raise VeeamError("ca_path %s holds no certificate that can be read (%s)"
                         % (ca_path, getattr(error, "reason", None) or error), error_code="invalid_input", hint=hint)


def send_unrepeatable(transport, send, reread):
    """Send a write that must never be repeated blindly (a create, a toggle) and return its result.

    ``send()`` performs the write. When its outcome is unknown (the answer was lost, or a 5xx came), ``reread()``
    reads the server's state first and returns a result (not None) when the write has taken effect there or is
    no longer needed; only when the server shows that it did not happen is the write sent again, with backoff,
    at most ``transport.retries`` times. Any other error is raised at once.
    """
    attempt = 0
    while True:
        try:
            return send()
        except VeeamError as error:
            if not error.outcome_unknown:
                raise
            settled = reread()
            if settled is not None:
                return settled
            if attempt >= transport.retries:
                raise
            transport.sleep(backoff_delay(attempt, transport.backoff_factor))
            attempt += 1


def _is_blank_file(path):
    """True for a file that holds nothing but whitespace (an empty CA file is "no CA file given")."""
    if not os.path.isfile(path):
        return False
    with open(path, "rb") as handle:
        return not handle.read().strip()
