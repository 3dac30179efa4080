# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The live conformance kit: checks a real VBR server or Enterprise Manager against what the collection assumes.

Every assumption the simulator's documentation lists (tests/simulator/README.md and EM.md, docs/development.md)
has one check here, under the same id. A check fetches the answers the collection parses and compares their shape
with what the client expects; the write checks (only with ``write``) create, change and remove a throw-away
account and restore everything, even when a check fails.

The report is sanitised: shapes (key names and value types), HTTP statuses, Veeam's error codes and enum values,
versions and the reading each open point was found in. Never a name, an id, a message text, a token or a password.
"""

import re
import uuid

from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError

PASS, DIFFERS, SKIP, INFO, ERROR = "pass", "differs", "skip", "info", "error"
OUTCOMES = (PASS, DIFFERS, SKIP, INFO, ERROR)

# Strings the report may show as they are: enum values and error codes Veeam documents, nothing that names anyone.
SAFE_VALUES = frozenset([
    "AccessDenied", "ExpiredToken", "InvalidToken", "InvalidURI", "MethodNotAllowed", "NotFound", "NotImplemented",
    "ServiceUnavailable", "UnexpectedContent", "UnknownError", "Pending", "Approved", "Rejected", "Expired", "Info",
    "CockpitMessage", "InternalUser", "InternalGroup", "ExternalUser", "ExternalGroup", "User", "Group", "Running",
    "Finished", "OperationFinished", "Processed", "Unprocessed", "VMware", "Hyperv", "vCloud", "NasBackup", "bearer",
    "Bearer", "true", "false", "Success", "Error", "Warning", "BadRequest", "Unauthorized", "Forbidden",
    "MethodNotAllowed",
])
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_URN = re.compile(r"^urn:veeam:([A-Za-z]+):")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_VERSION = re.compile(r"^\d+(\.\d+)+(-rev\d+)?$|^\d+\.\d+-rev\d+$")


def shape(value, depth=0):
    """The shape of a JSON value: key names and value kinds, documented enum values; no data."""
    if depth > 6:
        return "..."
    if isinstance(value, dict):
        return dict((str(key), shape(item, depth + 1)) for key, item in sorted(value.items()))
    if isinstance(value, list):
        if not value:
            return []
        merged = {}
        kinds = []
        for item in value[:5]:
            item_shape = shape(item, depth + 1)
            if isinstance(item_shape, dict):
                merged.update(item_shape)
            elif item_shape not in kinds:
                kinds.append(item_shape)
        return [merged] if merged else kinds
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    return string_kind(str(value))


def string_kind(text):
    if text in SAFE_VALUES:
        return text
    if _UUID.match(text):
        return "uuid"
    urn = _URN.match(text)
    if urn:
        return "urn:veeam:%s:<id>" % urn.group(1)
    if _DATE.match(text):
        return "date-time"
    return "string"


def safe_version(text):
    """A version string (VBR build, API revision) as it is, anything else as its kind."""
    text = str(text or "")
    return text if _VERSION.match(text) else string_kind(text)


class Report(object):
    """The checks of one server; :meth:`as_dict` is the sanitised report."""

    def __init__(self, product, catalogue):
        self.product = product
        self.catalogue = catalogue
        self.results = {}
        self.facts = {}

    def record(self, check_id, outcome, reading=None, observed=None, note=None):
        if check_id not in self.catalogue:
            raise ValueError("no check %s" % check_id)
        if outcome not in OUTCOMES:
            raise ValueError("no outcome %s" % outcome)
        entry = {"id": check_id, "outcome": outcome}
        if reading is not None:
            entry["reading"] = reading
        if observed is not None:
            entry["observed"] = observed
        if note is not None:
            entry["note"] = note
        self.results[check_id] = entry

    def skip_missing(self, reason):
        for check_id in self.catalogue:
            if check_id not in self.results:
                self.record(check_id, SKIP, note=reason)

    def as_dict(self):
        checks = []
        for check_id, assumption in self.catalogue.items():
            entry = dict(self.results.get(check_id) or {"id": check_id, "outcome": SKIP, "note": "not reached"})
            entry["assumption"] = assumption
            checks.append(entry)
        summary = dict((outcome, sum(1 for check in checks if check["outcome"] == outcome)) for outcome in OUTCOMES)
        return {"product": self.product, "facts": self.facts, "summary": summary, "checks": checks}


def error_observed(error):
    """What a VeeamError may tell the report: status, Veeam's code, the request's method; no text."""
    safe = error.error_code in SAFE_VALUES or (error.error_code or "").islower()
    return {"status": error.status, "error_code": error.error_code if safe else "string", "method": error.method}


def answer_observed(response):
    """Status, error code and body shape of a raw answer."""
    observed = {"status": response.status_code}
    try:
        body = response.json()
    except ValueError:
        body = None
        observed["body"] = "empty" if not response.content else "not JSON"
    if body is not None:
        observed["body"] = shape(body)
        if isinstance(body, dict):
            code = body.get("errorCode") or body.get("StatusCode")
            if code is not None:
                observed["error_code"] = code if isinstance(code, int) or code in SAFE_VALUES else "string"
    return observed


def message_of(response):
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        return str(body.get("message") or body.get("Message") or "")
    return ""


def run_check(report, check_id, function, *args):
    """Run one check; an exception becomes an ``error`` outcome (sanitised), never a crash of the kit."""
    try:
        function(*args)
    except VeeamError as error:
        report.record(check_id, ERROR, observed=error_observed(error),
                      note="the check failed on an answer the client did not expect")
    except Exception as error:  # pylint: disable=broad-except  # the kit reports, it does not stop
        report.record(check_id, ERROR, note="the check failed: %s" % type(error).__name__)


def throwaway_name(prefix="backupops-conformance"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])
