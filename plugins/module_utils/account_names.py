# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Account names as Active Directory and Veeam take them: checked before anything is sent.

Forms: ``down_level`` is ``DOMAIN\\name`` (TECH\\jane.doe, TECH\\Restore Operators), ``upn`` is
``user@suffix`` (jane.doe@tech.local), ``any`` is any text without control characters. Whatever the form, the
account part may not hold the characters Windows forbids in account names, nor be longer than Windows allows.
"""

import re

MAX_ACCOUNT_PART = 256   # sAMAccountName: at most 256 characters (groups; user names are shorter still)
MAX_UPN = 1024           # userPrincipalName: the upper range of the attribute in the AD schema
FORBIDDEN = '"/\\[]:;|=,+*?<>'
DOWN_LEVEL = re.compile(r"^(?P<domain>[^\\\s][^\\]*)\\(?P<account>[^\\]+)$")
UPN = re.compile(r"^(?P<account>[^@\s\\]+)@[^@\s\\]+$")
CONTROL = re.compile("[\u0000-\u001f\u007f]")
FORM_TEXT = {
    "down_level": "DOMAIN\\name (for example TECH\\jane.doe)",
    "upn": "a user principal name (for example jane.doe@tech.local)",
    "any": "any name without control characters",
}


def name_problem(name, forms, option="name", what="account"):
    """A sentence naming ``option`` when ``name`` fits none of ``forms``, else None."""
    name = "" if name is None else str(name)
    problem = _shape_problem(name, forms)
    if problem is None:
        problem = _content_problem(name, forms)
    if problem is None:
        return None
    return "%s '%s' is not a valid %s name: %s" % (option, _shown(name), what, problem)


def _shown(name, room=60):
    """The name as an error message shows it: a very long one is cut."""
    return name if len(name) <= room + 20 else "%s... (%d characters)" % (name[:room], len(name))


def _shape_problem(name, forms):
    if not name.strip():
        return "it is empty"
    if name != name.strip():
        return "it starts or ends with a space"
    if CONTROL.search(name):
        return "it holds a control character (a tab or a line break?)"
    if "any" in forms or any(_match(form, name) for form in forms):
        return None
    return "use %s" % " or ".join(FORM_TEXT[form] for form in forms)


def _match(form, name):
    return (DOWN_LEVEL if form == "down_level" else UPN).match(name)


def _content_problem(name, forms):
    if len(name) > MAX_UPN:
        return "it is %d characters long; Active Directory names are at most %d" % (len(name), MAX_UPN)
    down_level = DOWN_LEVEL.match(name) if "down_level" in forms or "any" in forms else None
    if not down_level:
        return None
    account = down_level.group("account")
    if len(account) > MAX_ACCOUNT_PART:
        return ("the part after the backslash is %d characters long; Windows account names are at most %d"
                % (len(account), MAX_ACCOUNT_PART))
    forbidden = sorted(set(character for character in account if character in FORBIDDEN))
    if forbidden:
        return "Windows account names cannot hold %s" % " ".join(forbidden)
    return None
