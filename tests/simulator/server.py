"""The simulator's HTTP(S) servers: one per simulated Veeam server, each wrapping an App.

The server parses requests, applies latency and fault injection, counts requests per route, validates
VBR traffic against the OpenAPI spec in test mode, and serves the admin API under ``/_sim/``.
"""

import fnmatch
import json
import os
import socket
import ssl
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .base import BadBody, Request, Response

ADMIN_PREFIX = "/_sim/"


class FaultRules(object):
    """Fault injection rules: each matches a method and a path, and fires ``times`` times after ``skip``."""

    ACTIONS = ("status", "drop", "delay")

    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []

    KEYS = {"method": str, "path": str, "action": str, "status": int, "retry_after": str, "body": None,
            "delay": float, "when": str, "times": int, "skip": int, "empty": bool}

    def add(self, rule):
        if not isinstance(rule, dict):
            raise ValueError("a fault rule is a JSON object")
        unknown = sorted(set(rule) - set(self.KEYS))
        if unknown:
            raise ValueError("unknown fault rule keys %s; known: %s" % (", ".join(unknown), ", ".join(sorted(self.KEYS))))
        rule = dict((key, self.KEYS[key](value) if self.KEYS[key] and value is not None else value)
                    for key, value in rule.items())
        if rule.get("action", "status") not in self.ACTIONS:
            raise ValueError("fault action must be one of %s" % ", ".join(self.ACTIONS))
        rule.setdefault("action", "status")
        rule.setdefault("method", "*")
        rule.setdefault("path", "*")
        rule.setdefault("when", "before")
        rule.setdefault("times", 1)
        rule.setdefault("skip", 0)
        rule.setdefault("status", 503)
        rule["fired"] = 0
        if rule["when"] not in ("before", "after"):
            raise ValueError("fault 'when' must be before or after")
        with self.lock:
            self.rules.append(rule)
        return rule

    def clear(self):
        with self.lock:
            self.rules = []

    def listing(self):
        with self.lock:
            return [dict(rule) for rule in self.rules]

    def take(self, method, path, template):
        """The rule that fires for this request, if any (consumes one of its ``times``)."""
        with self.lock:
            for rule in self.rules:
                if not _rule_matches(rule, method, path, template):
                    continue
                if rule["skip"] > 0:
                    rule["skip"] -= 1
                    continue
                if rule["times"] and rule["fired"] >= rule["times"]:
                    continue
                rule["fired"] += 1
                return dict(rule)
        return None


def _rule_matches(rule, method, path, template):
    if rule["method"] not in ("*", method):
        return False
    pattern = rule["path"]
    return pattern in ("*", path, template) or fnmatch.fnmatchcase(path, pattern)


class RequestStats(object):
    """Requests per route and kind, and how many were in flight at once at most (the server serves requests in
    parallel, one thread each: ``max_in_flight`` shows whether a client used that)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_route = Counter()
        self.by_kind = Counter()
        self.in_flight = 0
        self.max_in_flight = 0

    def count(self, route, kind):
        with self.lock:
            self.by_route[route] += 1
            self.by_kind[kind] += 1

    def enter(self):
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self):
        with self.lock:
            self.in_flight -= 1

    def snapshot(self):
        with self.lock:
            return {"total": sum(self.by_route.values()), "by_route": dict(self.by_route),
                    "by_kind": dict(self.by_kind), "max_in_flight": self.max_in_flight}

    def reset(self):
        with self.lock:
            self.by_route.clear()
            self.by_kind.clear()
            self.max_in_flight = self.in_flight


class AppServer(object):
    """One listening socket serving one App (a simulated VBR server or Enterprise Manager)."""

    def __init__(self, app, host, port, ssl_context=None, latency_ms=0, validator=None, verbose=False,
                 on_save=None):
        self.app = app
        self.faults = FaultRules()
        self.stats = RequestStats()
        self.latency = latency_ms / 1000.0
        self.validator = validator
        self.verbose = verbose
        self.on_save = on_save
        self.httpd = _Server((host, port), _handler_class(self), ssl_context)
        self.thread = None

    @property
    def address(self):
        return self.httpd.server_address[:2]

    def url(self):
        host, port = self.address
        scheme = "https" if self.httpd.ssl_context else "http"
        return "%s://%s:%s" % (scheme, host, port)

    def start(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                       name="sim-%s" % self.app.name, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset(self):
        self.app.reset()
        self.faults.clear()
        self.stats.reset()
        if self.validator:
            self.validator.clear()

    # ------------------------------------------------------------------ request flow
    def serve(self, request):
        """(response or None to drop the connection) for one parsed request."""
        if request.path.startswith(ADMIN_PREFIX) or request.path + "/" == ADMIN_PREFIX:
            return self.admin(request)
        template = self.app.route_template(request.method, request.path)
        self.stats.count("%s %s" % (request.method, template), self.app.request_kind(request.method, request.path))
        self.stats.enter()
        try:
            return self._serve_api(request, template)
        finally:
            self.stats.leave()

    def _serve_api(self, request, template):
        if self.latency:
            time.sleep(self.latency)
        rule = self.faults.take(request.method, request.path, template)
        if rule and rule["when"] == "before":
            if rule["action"] == "delay":
                time.sleep(float(rule.get("delay", 1.0)))
            else:
                return self._fault_response(rule)
        response = self._app_response(request)
        if rule and rule["when"] == "after":
            if rule["action"] != "delay":
                return self._fault_response(rule)
            time.sleep(float(rule.get("delay", 1.0)))  # a slow answer: processed, then late
        if self.validator:
            self.validator.check(request, response)
        return response

    def _app_response(self, request):
        try:
            return self.app.handle(request)
        except BadBody as exc:
            return self.app.error_response(400, str(exc))
        except Exception as exc:  # a bug in the simulator must show up as a 500, not a hang
            return self.app.error_response(500, "simulator error: %r" % (exc,))

    def _fault_response(self, rule):
        if rule["action"] == "drop":
            return None
        status = int(rule.get("status", 503))
        headers = {}
        if rule.get("retry_after") is not None:
            headers["Retry-After"] = str(rule["retry_after"])
        if rule.get("body") is not None:
            return Response.json(status, rule["body"], headers)
        if rule.get("empty"):
            return Response.empty(status, headers)
        response = self.app.error_response(status, "Injected fault: HTTP %s" % status)
        response.headers.update(headers)
        return response

    # ------------------------------------------------------------------ admin API
    def admin(self, request):
        sub = request.path[len(ADMIN_PREFIX):] if request.path.startswith(ADMIN_PREFIX) else ""
        method = request.method
        try:
            body = request.json() or {}
        except BadBody as exc:
            return Response.json(400, {"error": str(exc)})
        if sub == "stats" and method == "GET":
            return Response.json(200, self.stats.snapshot())
        if sub == "stats/reset" and method == "POST":
            self.stats.reset()
            return Response.json(200, {"ok": True})
        if sub == "reset" and method == "POST":
            self.reset()
            return Response.json(200, {"ok": True})
        if sub == "state" and method == "GET":
            return Response.json(200, self.app.snapshot())
        if sub == "save" and method == "POST":
            if self.on_save:
                self.on_save()
            return Response.json(200, {"ok": True})
        if sub == "faults":
            return self._admin_faults(method, body)
        if sub == "violations":
            return self._admin_violations(method)
        answer = self.app.admin(request, sub)
        if answer is not None:
            return answer
        return Response.json(404, {"error": "no admin endpoint %s %s" % (method, request.path)})

    def _admin_faults(self, method, body):
        if method == "GET":
            return Response.json(200, {"faults": self.faults.listing()})
        if method == "DELETE":
            self.faults.clear()
            return Response.json(200, {"ok": True})
        try:
            rules = body if isinstance(body, list) else [body]
            added = [self.faults.add(rule) for rule in rules]
        except (ValueError, TypeError) as exc:
            return Response.json(400, {"error": str(exc)})
        return Response.json(201, {"faults": added})

    def _admin_violations(self, method):
        found = self.validator.violations() if self.validator else []
        unchecked = self.validator.unchecked() if self.validator else []
        if method == "DELETE" and self.validator:
            self.validator.clear()
        return Response.json(200, {"violations": found, "unchecked": unchecked})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, handler, ssl_context):
        self.ssl_context = ssl_context
        ThreadingHTTPServer.__init__(self, address, handler)

    def finish_request(self, request, client_address):
        """The TLS handshake happens here, in the worker thread, so a slow client blocks nobody else."""
        if self.ssl_context is None:
            return ThreadingHTTPServer.finish_request(self, request, client_address)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return None
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            tls.close()
        return None

    def handle_error(self, request, client_address):
        pass  # client hang-ups are normal in fault tests


def _handler_class(app_server):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "VeeamSimulator/1.0"
        # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm holds the body back
        # until the client's delayed ACK (about 40 ms per response), which no real server does.
        disable_nagle_algorithm = True

        def _dispatch(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request.from_target(self.command, self.path, self.headers, body, self.client_address)
            response = app_server.serve(request)
            if response is None:
                self.close_connection = True
                return
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if response.body and self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch

        def log_message(self, format, *args):  # noqa: A002 - signature of the base class
            if app_server.verbose:
                # The request line only: never headers, so never a token or password.
                BaseHTTPRequestHandler.log_message(self, format, *args)

    return Handler


def write_json(path, data):
    with open(path + ".tmp", "w") as handle:
        json.dump(data, handle, indent=1)
    os.replace(path + ".tmp", path)
