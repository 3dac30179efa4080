"""Representations of the simulated Enterprise Manager: one tree, written as XML or as JSON.

EM serialises the same .NET objects either way (see EM.md): XML attributes and child elements become JSON
properties, a ``Links`` element becomes a JSON array, and any other list element becomes an object holding one
array named after its items (``EntityReferences`` -> ``{"Refs": [...]}``, ``Roles`` ->
``{"EnterpriseRoles": [...]}``). Request bodies are read back into that JSON shape, from XML by following the
XSD's element order the way EM's deserialiser does: an element out of order is skipped.
"""

import json
import xml.etree.ElementTree as ET
from http import HTTPStatus

from .base import BadBody

NAMESPACE = "http://www.veeam.com/ent/v1.0"
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"


class Node(object):
    """One XML element: attributes, then either child nodes or a single value."""

    def __init__(self, tag, attrs=None, children=(), value=None, kind="object", items_key=None):
        self.tag = tag
        self.attrs = dict(attrs or {})
        self.children = list(children)
        self.value = value
        self.kind = kind  # object | value | links | list
        self.items_key = items_key


# ---------------------------------------------------------------------- building
def leaf(tag, value):
    return Node(tag, value=value, kind="value")


def link(rel, href, type_=None, name=None):
    return Node("Link", {"Rel": rel, "Href": href, "Name": name, "Type": type_})


def links(*link_nodes):
    return Node("Links", children=link_nodes, kind="links")


def listing(tag, items_key, children):
    """A list element: XML ``<tag><item/>...</tag>``, JSON ``{items_key: [...]}``."""
    return Node(tag, children=children, kind="list", items_key=items_key)


def reference(tag, ref_type, uid, name, href, link_nodes):
    """An entity reference (EntityReferenceType): Links, then UID, Name, Href and Type."""
    return Node(tag, {"UID": uid, "Name": name, "Href": href, "Type": ref_type}, [links(*link_nodes)])


def entity(tag, entity_type, uid, name, href, link_nodes, fields=()):
    """An entity (EntityType): Links and the type's own elements, then Href, Type, Name and UID."""
    return Node(tag, {"Href": href, "Type": entity_type, "Name": name, "UID": uid},
                [links(*link_nodes)] + list(fields))


def resource(tag, href, link_nodes, fields=(), resource_type=None):
    """A resource without a UID (ResourceType): Links and fields, then Href and Type."""
    return Node(tag, {"Href": href, "Type": resource_type}, [links(*link_nodes)] + list(fields))


# ---------------------------------------------------------------------- writing
def to_json(node):
    if node.kind == "value":
        return node.value
    if node.kind == "links":
        return [to_json(child) for child in node.children]
    if node.kind == "list":
        return {node.items_key: [to_json(child) for child in node.children]}
    data = dict((child.tag, to_json(child)) for child in node.children)
    data.update((key, value) for key, value in node.attrs.items() if value is not None)
    return data


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(node, root=False):
    attrs = dict((key, _text(value)) for key, value in node.attrs.items() if value is not None)
    if root:
        attrs = dict([("xmlns", NAMESPACE)] + list(attrs.items()))
    element = ET.Element(node.tag, attrs)
    if node.kind == "value":
        element.text = _text(node.value)
    for child in node.children:
        if child.kind == "value" and child.value is None:
            continue
        element.append(_element(child))
    return element


def to_xml(node):
    return XML_DECLARATION + ET.tostring(_element(node, root=True), encoding="unicode").encode("utf-8")


def render(node, wants_json):
    """(body bytes, content type) of a representation."""
    if wants_json:
        return json.dumps(to_json(node)).encode("utf-8"), JSON_TYPE
    return to_xml(node), XML_TYPE


def status_name(status):
    try:
        return HTTPStatus(status).phrase.replace(" ", "").replace("-", "")
    except ValueError:
        return "Error"


def error_body(status, message, wants_json):
    """EM's Error (ErrorType): JSON with every property, nulls included; XML with attributes."""
    if wants_json:
        data = {"FirstChanceExceptionMessage": None, "Message": message, "StackTrace": None,
                "Status": status_name(status), "StatusCode": status}
        return json.dumps(data).encode("utf-8"), JSON_TYPE
    node = Node("Error", {"Message": message, "StatusCode": status, "Status": status_name(status)})
    return to_xml(node), XML_TYPE


# ---------------------------------------------------------------------- reading
class Field(object):
    """One element of a request type, in XSD order.

    ``text``; ``empty`` (read as ``{}``); ``object`` (of ``fields``); ``list`` (a wrapper element of ``item``
    elements, read as ``{items_key: [...]}``); ``repeat`` (the element itself repeats, gathered under ``items_key``).
    """

    def __init__(self, name, kind="text", fields=(), item=None, items_key=None):
        self.name = name
        self.kind = kind
        self.fields = list(fields)
        self.item = item
        self.items_key = items_key


def parse_xml(body, root_name, fields):
    """The JSON-shaped data of an XML request body whose root must be ``root_name`` in EM's namespace."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise BadBody("The request body is not valid XML: %s" % exc)
    if root.tag != "{%s}%s" % (NAMESPACE, root_name):
        raise BadBody("Expecting element '%s' from namespace '%s', found '%s'." % (root_name, NAMESPACE, root.tag))
    return _read_sequence(root, fields)


def _local(tag):
    namespace, _sep, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    return name if namespace == NAMESPACE else None


def _read_sequence(element, fields):
    """Children in the order of ``fields``; an element that comes after a later one is skipped."""
    data = {}
    position = 0
    names = [field.name for field in fields]
    for child in element:
        name = _local(child.tag)
        if name not in names or names.index(name) < position:
            continue
        position = names.index(name)
        field = fields[position]
        if field.kind == "repeat":
            data.setdefault(field.items_key, []).append(_read_sequence(child, field.fields))
        else:
            data[field.name] = _read_field(child, field)
    return data


def _read_field(element, field):
    if field.kind == "text":
        return (element.text or "").strip()
    if field.kind == "empty":
        return {}
    if field.kind == "object":
        return _read_sequence(element, field.fields)
    return _read_sequence(element, [Field(field.item.name, "repeat", field.item.fields, items_key=field.items_key)])


def items_of(container, item_name, items_key):
    """The items of a list however a JSON client spelled it: ``{items_key: [..]}``, ``{item_name: {..}}``, a list."""
    if container in (None, ""):
        return []
    if isinstance(container, list):
        return container
    if not isinstance(container, dict):
        raise BadBody("%s must be an object holding %s." % (items_key, item_name))
    value = container.get(items_key, container.get(item_name))
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
