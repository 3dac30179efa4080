# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The outcome of every account in a run that changes many, told truthfully also when a write fails.

Each account ends as one of: ``changed`` (written, or in check mode: would be), ``unchanged`` (nothing to do),
``failed`` (with the error), ``not_attempted`` (the run stopped before it) or ``refused`` (by the lockout guard).
A failure that concerns one account (the server refused that account's write: 400, 404, 409, 422) lets the others
go on; any other failure (the server, the connection, permissions, an approval that is needed) stops the run.
"""

import threading

from ansible_collections.backupops.veeam.plugins.module_utils import parallel
from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError

CHANGED, UNCHANGED, FAILED, NOT_ATTEMPTED, REFUSED = "changed", "unchanged", "failed", "not_attempted", "refused"
ACCOUNT_SPECIFIC_STATUSES = frozenset([400, 404, 409, 422])
ACCOUNT_SPECIFIC_CODES = frozenset(["invalid_input", "concurrent_change", "not_created"])
STOPPING_CODES = frozenset(["four_eyes"])


def stops_the_run(error):
    """Whether ``error`` (a VeeamError of one account's write) means the next accounts should not be tried."""
    if error.error_code in STOPPING_CODES:
        return True
    return not (error.status in ACCOUNT_SPECIFIC_STATUSES or error.error_code in ACCOUNT_SPECIFIC_CODES)


def error_data(error):
    """A VeeamError as the per-account ``error`` of a result."""
    data = error.to_dict()
    data["message"] = error.sentence()
    return data


class Run(object):
    """The entries of one run, in order, and what went wrong in it."""

    def __init__(self, what):
        self.what = what
        self.entries = []
        self.failures = []
        self.stopped = None

    def add(self, entry):
        self.entries.append(entry)
        return entry

    def fail(self, entry, name, error):
        """Add the entry of an account whose write failed with ``error``."""
        self.add(entry)
        self._record(name, error)

    def replace(self, entry, outcome, error, name):
        """Mark an entry already added as failed after the fact (e.g. its read-back showed another writer)."""
        entry["outcome"] = outcome
        entry["error"] = error_data(error)
        self._record(name, error)

    def _record(self, name, error):
        self.failures.append((name, error))
        if self.stopped is None and stops_the_run(error):
            self.stopped = error

    @property
    def changed(self):
        return any(entry["changed"] for entry in self.entries)

    def count(self, outcome):
        return sum(1 for entry in self.entries if entry["outcome"] == outcome)

    @property
    def failed(self):
        return bool(self.failures) or bool(self.count(REFUSED))

    def message(self):
        """One paragraph: which accounts failed and why, and what the others became."""
        parts = []
        if self.failures:
            name, error = self.failures[0]
            parts.append("Changing %s failed for %s: %s" % (self.what, name, error.sentence().rstrip(".") + "."))
            if len(self.failures) > 1:
                parts.append("It also failed for %s (see the error of each account)."
                             % ", ".join(other for other, _error in self.failures[1:]))
        refused = [entry for entry in self.entries if entry["outcome"] == REFUSED]
        if refused:
            parts.append("Refused by the lockout guard and left as they are: %s (%s)."
                         % (", ".join(entry["name"] for entry in refused), refused[0]["error"]["message"]))
        tally = ["%d %s" % (self.count(outcome), outcome.replace("_", " "))
                 for outcome in (CHANGED, UNCHANGED, FAILED, REFUSED, NOT_ATTEMPTED) if self.count(outcome)]
        parts.append("Accounts: %s; the outcome of each is in the result." % ", ".join(tally))
        if self.count(NOT_ATTEMPTED):
            parts.append("The run stopped at the first error that was not about one account alone.")
        parts.append("Run the task again once the cause is fixed: it reads the server first and changes only what "
                     "still differs.")
        return " ".join(parts)


def execute_plans(what, plans, settled, write, failed_entry, workers=1):
    """Run the writes of ``plans`` (up to ``workers`` at once) and return the :class:`Run`, entries in plan order.

    ``settled(plan)`` gives the entry of a plan that needs no write now (refused, unchanged, check mode), else None;
    ``write(plan)`` writes and gives its entry; ``failed_entry(plan, error)`` the entry of a write that failed.
    After a failure that stops the run, plans not yet started are ``not_attempted``.
    """
    stop = threading.Event()

    def one(plan):
        entry = settled(plan)
        if entry is not None:
            return entry, None
        if stop.is_set():
            return failed_entry(plan, None), None
        try:
            return write(plan), None
        except VeeamError as error:
            if stops_the_run(error):
                stop.set()
            return failed_entry(plan, error), error

    # The first write goes alone: if the server refuses writes altogether (four-eyes authorization, permissions,
    # a server in trouble), the run stops after one write instead of one per worker.
    first = next((index for index, plan in enumerate(plans) if settled(plan) is None), len(plans))
    results = [one(plan) for plan in plans[:first + 1]] + parallel.map_bounded(one, plans[first + 1:], workers)
    run = Run(what)
    for plan, (entry, error) in zip(plans, results):
        if error is None:
            run.add(entry)
        else:
            run.fail(entry, plan.name, error)
    return run


def refused_run(what, plans, refusal, entry):
    """The :class:`Run` of plans that the lockout guard refused as a whole (``refusal``, a LockoutRefused): nothing was
    written. Each account is ``refused`` (the guard's reason), ``unchanged`` (nothing to do) or ``not_attempted``;
    the entries of the last keep, as ``planned``, what the task would have made of the account.

    ``entry(plan, after, outcome, error=None)`` builds an entry (``vbr_users.plan_result``, ``em_accounts.plan_entry``).
    """
    run = Run(what)
    for plan in plans:
        reason = refusal.reason_for(plan.name)
        if reason:
            run.add(entry(plan, plan.before, REFUSED, {"message": reason, "error_code": "lockout"}))
        elif not plan.changed:
            run.add(entry(plan, plan.before, UNCHANGED))
        else:
            added = run.add(entry(plan, plan.before, NOT_ATTEMPTED))
            planned = entry(plan, plan.after, CHANGED)["after"]
            added["planned"] = planned
    return run
