# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lockout guard both products share: which accounts must keep their access, and how a refusal reads.

A plan (VBR users or Enterprise Manager accounts) is summed up as one :class:`AccessChange` per account it changes;
the product's own code says what the change does (removes the account, takes its administrator role away, turns
its service-account mode off while MFA is on). :func:`refusals` then names every change that would lock the
automation, a protected account or everyone out, before anything is written.

The account the task is connected as is recognised in every spelling: VBR and Enterprise Manager may list it as
``TECH\\svc.ansible`` while the task logs in as ``svc.ansible@tech.local`` (or the reverse). Any account whose user
part (the name without its domain) matches the login's is treated as the connected account: refusing is the safe
error. Accounts named in ``protected_accounts`` are matched the same way.
"""

from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError

OVERRIDE_HINT = ("If this is really intended (for example the automation account is being retired), set "
                 "allow_lockout: true. Accounts that must never lose their access (a break-glass administrator) "
                 "can be listed in protected_accounts.")


def user_part(name):
    """The account name without its domain, case-folded: ``TECH\\svc`` and ``svc@tech.local`` both give ``svc``."""
    text = str(name or "").strip()
    if "\\" in text:
        text = text.rsplit("\\", 1)[1]
    if "@" in text:
        text = text.split("@", 1)[0]
    return text.casefold()


class Protection(object):
    """The accounts a plan must not remove or demote: the connected one and those in ``protected_accounts``."""

    def __init__(self, login, protected_accounts=None):
        self.login = login
        self.protected_accounts = [name for name in protected_accounts or [] if str(name).strip()]

    def is_connected(self, name):
        return bool(self.login) and user_part(name) == user_part(self.login)

    def reason(self, name):
        """Why ``name`` must keep its access (a phrase), or None when it may lose it."""
        if self.is_connected(name):
            return "the account this task is connected as (%s)" % self.login
        listed = next((entry for entry in self.protected_accounts if user_part(entry) == user_part(name)), None)
        if listed is not None:
            return "an account listed in protected_accounts (%s)" % listed
        return None


class AccessChange(object):
    """What a plan does to one account's access, in the terms the guard decides on."""

    def __init__(self, name, removed=False, loses_admin=False, loses_login=None, removal="remove", was_admin=False):
        self.name = name
        self.removed = removed
        self.was_admin = was_admin
        self.removal = removal  # how the plan removes it: "remove", "delete (and re-create)"
        self.loses_admin = loses_admin
        # A sentence when the change keeps the account but stops it from logging in (e.g. MFA), else None.
        self.loses_login = loses_login


class Refusal(object):
    """One reason to refuse the plan, and the accounts whose changes cause it. ``whole_plan`` is True for a reason
    that comes from the plan as a whole (no administrator left), not from one account."""

    def __init__(self, names, sentence, whole_plan=False):
        self.names = list(names)
        self.sentence = sentence
        self.whole_plan = whole_plan


def refusals(changes, protection, admin_role, product, admin_left):
    """Every :class:`Refusal` for ``changes``; empty when the plan is safe.

    ``admin_left()`` (called only when some change removes or demotes an administrator) says whether any account
    keeps ``admin_role`` after the plan.
    """
    found = []
    for change in changes:
        why = protection.reason(change.name)
        if why is None:
            continue
        if change.removed:
            found.append(Refusal([change.name], "it would %s %s, %s" % (change.removal, change.name, why)))
        elif change.loses_admin:
            found.append(Refusal([change.name], "it would take the %s role away from %s, %s"
                                 % (admin_role, change.name, why)))
        elif change.loses_login:
            found.append(Refusal([change.name], "%s, %s: %s" % (change.loses_login, why,
                                                                "it could no longer log in")))
    demoting = [change.name for change in changes if (change.removed and change.was_admin) or change.loses_admin]
    if demoting and not admin_left():
        found.append(Refusal(demoting, "it would leave the %s without any account that has the %s role"
                             % (product, admin_role), whole_plan=True))
    if demoting and not protection.login:
        found.append(Refusal(demoting, "it removes or demotes an account with the %s role, and the task logs in "
                             "without a user name (an access token), so it cannot check that it keeps its own "
                             "access; give username too" % admin_role, whole_plan=True))
    return found


def decide(plans, find_refusals, what, skip_refused=False):
    """The guard's verdict on ``plans`` (objects with ``name``), before anything is written.

    ``find_refusals(plans)`` lists the :class:`Refusal` of a plan. Without ``skip_refused`` any refusal raises
    :class:`LockoutRefused`. With it, the accounts refused are left out - first those refused on their own account
    (the connected or a protected account), then, if the rest still leaves no administrator, those that cause
    that - until the rest is safe; returns the LockoutRefused naming them (None when nothing is refused).
    """
    chosen = []
    remaining = list(plans)
    while True:
        found = find_refusals(remaining)
        if not found:
            return LockoutRefused(chosen, what) if chosen else None
        if not skip_refused:
            raise LockoutRefused(chosen + found, what)
        step = [refusal for refusal in found if not refusal.whole_plan] or found
        names = refused_names(step)
        chosen.extend(step)
        remaining = [plan for plan in remaining if plan.name.casefold() not in names]


class LockoutRefused(VeeamError):
    """The guard refused the plan; ``refused`` maps each account concerned to the reasons."""

    def __init__(self, found, what):
        sentences = []
        for refusal in found:
            if refusal.sentence not in sentences:
                sentences.append(refusal.sentence)
        super(LockoutRefused, self).__init__(
            "Refusing to change %s: %s. Nothing was changed" % (what, "; and ".join(sentences)),
            error_code="lockout", hint=OVERRIDE_HINT)
        self.refused = {}
        for refusal in found:
            for name in refusal.names:
                self.refused.setdefault(name.casefold(), []).append(refusal.sentence)

    def reason_for(self, name):
        return "; ".join(self.refused.get(name.casefold(), [])) or None


def refused_names(found):
    """The case-folded names of every account some refusal concerns."""
    return set(name.casefold() for refusal in found for name in refusal.names)
