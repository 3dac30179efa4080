"""The small contract between the simulator's HTTP server and the API it simulates.

The server (``server.py``) parses every HTTP request into a :class:`Request`, applies latency, fault
injection and request counting, and hands the request to an :class:`App` (``vbr.py`` or ``em.py``),
which answers with a :class:`Response`. Apps know nothing about sockets, TLS or faults.
"""

import json
import re
import threading
from urllib.parse import parse_qs


class BadBody(Exception):
    """The request body could not be parsed as the media type it claims."""


class Request:
    """One parsed HTTP request.

    ``headers`` is a case-insensitive mapping (use ``get``); ``query`` maps a name to the list of its
    values, in order; ``path`` has no query string and no trailing slash (except the root ``/``).
    """

    def __init__(self, method, path, query, headers, body, client=None):
        self.method = method.upper()
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body or b""
        self.client = client

    @classmethod
    def from_target(cls, method, target, headers, body, client=None):
        path, _sep, query_string = target.partition("?")
        if len(path) > 1:
            path = path.rstrip("/")
        return cls(method, path, parse_qs(query_string, keep_blank_values=True), headers, body, client)

    def arg(self, name, default=None):
        """The first value of query parameter ``name`` (case-insensitive name match)."""
        for key, values in self.query.items():
            if key.lower() == name.lower() and values:
                return values[0]
        return default

    def args(self, name):
        """Every value of query parameter ``name`` (repeated or comma-separated)."""
        found = []
        for key, values in self.query.items():
            if key.lower() == name.lower():
                for value in values:
                    found.extend(part for part in value.split(",") if part)
        return found

    def content_type(self):
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def json(self):
        if not self.body:
            return None
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadBody("request body is not valid JSON: %s" % exc)

    def form(self):
        try:
            pairs = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError as exc:
            raise BadBody("request body is not valid form data: %s" % exc)
        return {key: values[-1] for key, values in pairs.items()}


class Response:
    """One HTTP response. ``body`` is bytes; ``headers`` a plain dict."""

    def __init__(self, status, body=b"", headers=None, content_type=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.headers = dict(headers or {})
        if content_type:
            self.headers["Content-Type"] = content_type

    @classmethod
    def json(cls, status, obj, headers=None):
        return cls(status, json.dumps(obj).encode("utf-8"), headers, "application/json; charset=utf-8")

    @classmethod
    def empty(cls, status, headers=None):
        return cls(status, b"", headers)

    def json_body(self):
        return json.loads(self.body.decode("utf-8")) if self.body else None


class App:
    """What every simulated API implements.

    ``handle`` is called from many server threads at once; apps guard their state with ``self.lock``.
    """

    name = "app"

    def __init__(self):
        self.lock = threading.RLock()

    def handle(self, request):
        """Answer one API request (never an admin request) with a :class:`Response`."""
        raise NotImplementedError

    def route_template(self, method, path):
        """The path with ids replaced by placeholders, e.g. ``/api/v1/security/users/{id}``.

        Used to count requests per method and route, so that tests and the benchmark can ask
        "how many PUT /api/v1/security/users/{id}/roles were there?".
        """
        return path

    def request_kind(self, method, path):
        """``token``, ``logon``, ``logout``, ``read`` or ``write``: how the benchmark counts a request."""
        return "read" if method in ("GET", "HEAD") else "write"

    def error_response(self, status, message):
        """An error answer in this API's own error shape (used for injected faults and simulator bugs)."""
        raise NotImplementedError

    def admin(self, request, subpath):
        """App-specific admin endpoints under ``/_sim/``; return None when ``subpath`` is not ours."""
        return None

    def reset(self):
        """Back to the state the simulator started with."""
        raise NotImplementedError

    def snapshot(self):
        """The whole state as JSON-serialisable data (``--state FILE`` and ``GET /_sim/state``)."""
        raise NotImplementedError

    def restore(self, data):
        """Load a state written by :meth:`snapshot`."""
        raise NotImplementedError


UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
