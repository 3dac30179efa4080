# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error type of the collection's HTTP layer, and how it reads to a person."""

import json
import re
import xml.etree.ElementTree as ET


class VeeamError(Exception):
    """Anything that went wrong talking to a Veeam server.

    ``status`` is the HTTP status (None when no answer came), ``error_code`` and ``message`` what the
    server said (VBR ``errorCode``/``message``, EM ``StatusCode``/``Message``), ``method`` and ``path``
    the request (never its body, headers or credentials), ``hint`` what the user can do about it, and
    ``outcome_unknown`` is True when a write may or may not have happened (the caller re-reads).
    """

    def __init__(self, summary, status=None, error_code=None, message=None, method=None, path=None,
                 hint=None, outcome_unknown=False, resource_id=None):
        super(VeeamError, self).__init__(summary)
        self.summary = summary
        self.status = status
        self.error_code = error_code
        self.message = message
        self.method = method
        self.path = path
        self.hint = hint
        self.outcome_unknown = outcome_unknown
        self.resource_id = resource_id
        self.pending_request = None

    def __str__(self):
        return self.sentence()

    def sentence(self):
        """One paragraph a tired admin understands: what failed, what the server said, what to do."""
        parts = [self.summary.rstrip(".") + "."]
        if self.message and self.message not in self.summary:
            parts.append("The server said: %s" % self.message.rstrip())
        if self.hint:
            parts.append(self.hint)
        return " ".join(parts)

    def to_dict(self):
        """The error as data, for a module's failure result (``pending_request``: the four-eyes request the
        change waits for, when the server made one)."""
        data = {
            "status": self.status,
            "error_code": self.error_code,
            "server_message": self.message,
            "method": self.method,
            "path": self.path,
            "outcome_unknown": self.outcome_unknown,
        }
        if self.pending_request is not None:
            data["pending_request"] = self.pending_request
        return data

    @property
    def is_not_found(self):
        return self.status == 404


def parse_error_body(content, content_type):
    """(error_code, message, resource_id) from a VBR or EM error body; Nones when there is none."""
    if not content:
        return None, None, None
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    if "json" in (content_type or "") or text.lstrip().startswith("{"):
        return _parse_json_error(text)
    if "xml" in (content_type or "") or text.lstrip().startswith("<"):
        return _parse_xml_error(text)
    return None, _first_line(text), None


def _parse_json_error(text):
    try:
        data = json.loads(text)
    except ValueError:
        return None, _first_line(text), None
    if not isinstance(data, dict):
        return None, None, None
    lowered = dict((key.lower(), value) for key, value in data.items())
    code = lowered.get("errorcode") or lowered.get("statuscode") or lowered.get("error")
    message = lowered.get("message") or lowered.get("error_description")
    return _text(code), _text(message), _text(lowered.get("resourceid"))


def _parse_xml_error(text):
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None, _first_line(re.sub(r"<[^>]+>", " ", text)), None
    attributes = dict((key.lower(), value) for key, value in root.attrib.items())
    message = attributes.get("message") or _first_line(" ".join(" ".join(root.itertext()).split()))
    return _text(attributes.get("statuscode")), _text(message), None


def _text(value):
    if value is None or value == "":
        return None
    return str(value)


def _first_line(text):
    text = (text or "").strip()
    return text.splitlines()[0][:500] if text else None
