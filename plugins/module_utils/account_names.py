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


def same_account(name, other):
    """Whether two names are the same account: equal case-insensitively, or ``DOMAIN\\user`` and ``user@domain.<...>``
    (the user principal name whose suffix starts with the NetBIOS domain, ``TECH\\jane`` and ``jane@tech.local``).

    Stricter than the lockout guard's match (:func:`lockout.user_part`, which ignores the domain): what this says is
    the same account is left alone, so ``BUILTIN\\Administrators`` must not also match ``TECH\\Administrators``.
    """
    first, second = str(name or "").strip().casefold(), str(other or "").strip().casefold()
    if not first or not second:
        return False
    if first == second:
        return True
    return _down_level_upn_pair(first, second) or _down_level_upn_pair(second, first)


def _down_level_upn_pair(down_level, upn):
    domain_account = DOWN_LEVEL.match(down_level)
    upn_parts = UPN.match(upn)
    if not domain_account or not upn_parts:
        return False
    suffix = upn.split("@", 1)[1]
    same_user = domain_account.group("account") == upn_parts.group("account")
    return same_user and suffix.split(".", 1)[0] == domain_account.group("domain")


def unlisted_and_kept(accounts, listed_names, keep=(), name_of=lambda account: account["name"]):
    """Split the server's ``accounts`` that a task does not list (``exclusive``) into those to remove and those it
    keeps: ``(unlisted, kept)``, both in the server's order. An account is listed when a listed name is its name
    (case-insensitively) and kept when a ``keep`` entry is the same account (:func:`same_account`)."""
    listed = set(str(name).casefold() for name in listed_names)
    unlisted, kept = [], []
    for account in accounts:
        name = name_of(account)
        if str(name).casefold() in listed:
            continue
        (kept if any(same_account(name, entry) for entry in keep or ()) else unlisted).append(account)
    return unlisted, kept


def keep_problem(keep, listed_names, exclusive, option="keep", listed_option="users"):
    """A sentence when ``keep`` cannot be honoured as given (without ``exclusive``, or naming a listed account),
    else None."""
    keep = [entry for entry in keep or [] if str(entry).strip()]
    if not keep:
        return None
    if not exclusive:
        return ("%s only applies with exclusive: true (it names accounts that exclusive must not remove); "
                "without exclusive no unlisted account is removed anyway" % option)
    for entry in keep:
        clash = next((name for name in listed_names if same_account(name, entry)), None)
        if clash is not None:
            return ("%s names %s, which %s lists too: an account is either managed (listed in %s) or kept as it "
                    "is (%s), not both" % (option, entry, listed_option, listed_option, option))
    return None
