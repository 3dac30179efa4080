"""Test mode: every VBR request and response is checked against Veeam's official OpenAPI spec.

The full specs make openapi-core recurse forever (Veeam's oneOf/allOf cycles), so for each API version we
validate against the subset of the spec that holds the paths the simulator serves and every component
they reach. Violations are recorded, not raised: the test fixtures fail a test that caused any, and
``python -m tests.simulator.run --validate-spec`` fails the run (playbooks, Molecule, the demo). A request to a
path or an operation that the spec of its x-api-version does not have is a violation too: whatever the
simulator answered there, a real server of that version does not serve it.
"""

import json
import os
import threading

from .catalog import SPEC_DIR

SERVED_PREFIXES = ("/api/oauth2/", "/api/v1/security/", "/api/v1/serverInfo", "/api/v1/authorization/")
SPEC_FILES = {"1.3-rev1": "vbr-rest-1.3-rev1.json", "1.3-rev2": "vbr-rest-1.3-rev2.json"}


def subset_spec(spec, prefixes=SERVED_PREFIXES):
    """The part of ``spec`` that the served paths need: those paths plus the components they reach."""
    paths = {path: item for path, item in spec["paths"].items() if path.startswith(prefixes)}
    components = spec.get("components", {})
    needed = {"securitySchemes": components.get("securitySchemes", {})}
    stack = [paths]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str) and value.startswith("#/components/"):
                    section, name = value.split("/", 3)[2:]
                    if name not in needed.setdefault(section, {}):
                        needed[section][name] = components[section][name]
                        stack.append(components[section][name])
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    subset = dict((key, value) for key, value in spec.items() if key not in ("paths", "components", "servers"))
    subset.update(paths=paths, components=needed, servers=[{"url": "/"}])
    return subset


_APIS = {}
_APIS_LOCK = threading.Lock()


def openapi_for(version):
    """The openapi-core object of one API version (built once per process, shared by every server)."""
    with _APIS_LOCK:
        if version not in _APIS:
            from openapi_core import Config, OpenAPI
            with open(os.path.join(SPEC_DIR, SPEC_FILES[version])) as handle:
                spec = subset_spec(json.load(handle))
            _APIS[version] = OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))
        return _APIS[version]


class SpecValidator(object):
    """Validates one server's VBR traffic against the spec of each request's x-api-version; keeps its violations."""

    def __init__(self):
        self.lock = threading.Lock()
        self._violations = []
        self._unchecked = []

    @staticmethod
    def _api(version):
        return openapi_for(version)

    def preload(self):
        for version in SPEC_FILES:
            self._api(version)

    def check(self, request, response):
        version = request.headers.get("x-api-version")
        if version not in SPEC_FILES:
            return  # no spec to check against (a version the server refuses, or none): answered 400
        from openapi_core.testing import MockRequest, MockResponse
        api = self._api(version)
        headers = dict((key, value) for key, value in request.headers.items())
        mock_request = MockRequest("https://simulator", request.method.lower(), request.path,
                                   args={key: values[0] if len(values) == 1 else values
                                         for key, values in request.query.items()},
                                   headers=headers, data=request.body or None,
                                   content_type=request.content_type() or "application/json")
        self._validate("request", request, lambda: api.validate_request(mock_request))
        content_type = (response.headers.get("Content-Type") or "application/json").split(";")[0]
        mock_response = MockResponse(response.body, status_code=response.status, content_type=content_type)
        self._validate("response", request, lambda: api.validate_response(mock_request, mock_response),
                       status=response.status)

    def _validate(self, what, request, validate, status=None):
        try:
            validate()
        except RecursionError:
            # Veeam's workload scopes (ScopesWorkloadModel: a oneOf of allOf's that name it again) make
            # openapi-core recurse without end: that body cannot be checked, which is not a violation.
            with self.lock:
                self._unchecked.append({"what": what, "method": request.method, "path": request.path})
        except Exception as exc:  # openapi-core raises a family of exceptions; any is a violation
            detail = str(exc)
            if type(exc).__name__ in ("PathNotFound", "OperationNotFound", "ServerNotFound"):
                detail = "%s %s is not in the %s spec (%s)" % (
                    request.method, request.path, request.headers.get("x-api-version"), detail)
            cause = getattr(exc, "__cause__", None)
            if cause is not None:
                detail += ": %s" % cause
            with self.lock:
                self._violations.append({"what": what, "method": request.method, "path": request.path,
                                         "status": status, "error": detail[:2000]})

    def violations(self):
        with self.lock:
            return list(self._violations)

    def unchecked(self):
        """Requests and responses whose body openapi-core could not check (see ``_validate``)."""
        with self.lock:
            return list(self._unchecked)

    def clear(self):
        with self.lock:
            self._violations = []
            self._unchecked = []
