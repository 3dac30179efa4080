"""Checks that an HTML report is self-contained and inert: no script, no event handler, nothing fetched from
anywhere, and every hostile value shown as text (used by the unit, integration and browser tests)."""

from html.parser import HTMLParser

from ansible_collections.backupops.veeam.plugins.filter.access_drift import access_drift

# Names that try to run something when a report shows them, as a page, a template or a spreadsheet.
HOSTILE_NAMES = [
    "TECH\\<script>document.body.setAttribute('data-pwned','script')</script>",
    'TECH\\" onmouseover="document.body.setAttribute(\'data-pwned\',\'attr\')" x="',
    "TECH\\<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">",
    "TECH\\{{ lookup('ansible.builtin.pipe', 'touch /tmp/pwned-by-template') }}",
    "TECH\\=HYPERLINK(\"https://evil.example\")",
    "TECH\\</td></tr></table><h1>fake</h1>",
]
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "nav", "a", "table", "thead",
                "tbody", "tr", "th", "td", "br", "span"}


class _Collector(HTMLParser):
    def __init__(self):
        HTMLParser.__init__(self, convert_charrefs=True)
        self.tags = []
        self.text = []
        self.style = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        (self.style if self._in_style else self.text).append(data)


def inert_page_problems(page):
    """Everything that would make ``page`` run or fetch something; empty when it is inert and self-contained."""
    collector = _Collector()
    collector.feed(page)
    problems = []
    if not page.startswith("<!DOCTYPE html>"):
        problems.append("the page does not start with <!DOCTYPE html>")
    for tag, attrs in collector.tags:
        if tag not in ALLOWED_TAGS:
            problems.append("unexpected element <%s>" % tag)
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append("event handler %s on <%s>" % (name, tag))
            if name in ("src", "srcset", "action", "formaction", "data", "background", "poster"):
                problems.append("%s on <%s> fetches %r" % (name, tag, value))
            if name == "href" and not str(value).startswith("#"):
                problems.append("link to %r" % value)
            if name == "style":
                problems.append("inline style attribute on <%s>" % tag)
    metas = [attrs for tag, attrs in collector.tags if tag == "meta"]
    policy = [attrs.get("content", "") for attrs in metas if attrs.get("http-equiv", "").lower() == "content-security-policy"]
    if not policy or "default-src 'none'" not in policy[0]:
        problems.append("no Content-Security-Policy with default-src 'none'")
    if "url(" in "".join(collector.style) or "@import" in "".join(collector.style):
        problems.append("the style sheet fetches something")
    return problems


def page_text(page):
    """The text a reader sees (entities decoded), without the style sheet."""
    collector = _Collector()
    collector.feed(page)
    return "".join(collector.text)


def view(name, roles, scope=None):
    found = {"id": "1", "name": name, "type": "InternalUser", "roles": roles, "is_service_account": False}
    if scope is not None:
        found.update(type="User", restore_scope=[{"name": item} for item in scope], allow_restore_all_vms=False,
                     flr_settings={"inplace_only": False, "extensions": []}, sql_settings={"deny_in_place_restore": False})
    return found


def hostile_report():
    """A drift report whose servers, accounts, roles, scopes, errors and earlier audit hold the hostile names."""
    entries = []
    for number, name in enumerate(HOSTILE_NAMES):
        kind = number % 3
        if kind == 0:
            entries.append({"name": name, "outcome": "changed", "changed": True, "before": None,
                            "after": view(name, ["Restore Operator"])})
        elif kind == 1:
            entries.append({"name": name, "outcome": "changed", "changed": True, "before": view(name, ["<b>role</b>"]),
                            "after": None, "reason": "not listed (exclusive)"})
        else:
            entries.append({"name": name, "outcome": "failed", "changed": False, "before": view(name, ["Backup Viewer"]),
                            "after": view(name, ["Backup Viewer"]), "error": {"message": "<script>alert(1)</script>"}})
    em = {"accounts": [{"name": HOSTILE_NAMES[0], "outcome": "unchanged", "changed": False,
                        "before": view(HOSTILE_NAMES[0], ["Portal User"], scope=HOSTILE_NAMES[1:3]),
                        "after": view(HOSTILE_NAMES[0], ["Portal User"], scope=HOSTILE_NAMES[1:3])}], "kept": []}
    previous = [{"server": "vbr01", "account": HOSTILE_NAMES[4], "roles": ["{{ 7 * 7 }}"], "restore_scope": []}]
    return access_drift({HOSTILE_NAMES[3]: {"users": entries, "kept": [view(HOSTILE_NAMES[5], ["Backup Administrator"])]},
                         "vbr01": {"failed": True, "msg": "<img src=x onerror=alert(2)>", "error": {"status": 500}}},
                        em, "drift", previous=previous, generated="2026-01-01T00:00:00Z")
