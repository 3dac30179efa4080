# Test helper: records every task result of a playbook run as JSON in the file named by $RECORD_RESULTS_FILE.
# (ansible-core 2.19 no longer ships the json callback; the tests need machine-readable results.)

DOCUMENTATION = r"""
name: record_results
type: aggregate
short_description: Write task results as JSON to a file (backupops.veeam tests)
description:
  - "When the playbook ends, writes every task result and the stats as JSON to the file named by the
    E(RECORD_RESULTS_FILE) environment variable."
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record_results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.plays = []

    def v2_playbook_on_play_start(self, play):
        self.plays.append({"play": {"name": play.get_name()}, "tasks": []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.plays[-1]["tasks"].append({"task": {"name": task.get_name()}, "hosts": {}})

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def _record(self, result, **extra):
        data = dict(result._result)
        data.update(extra)
        self.plays[-1]["tasks"][-1]["hosts"][result._host.get_name()] = data

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats):
        summary = dict((host, stats.summarize(host)) for host in sorted(stats.processed))
        path = os.environ.get("RECORD_RESULTS_FILE")
        if path:
            with open(path, "w") as handle:
                json.dump({"plays": self.plays, "stats": summary}, handle, default=str)
