#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: em_rebuild_scope
short_description: Make Veeam Backup Enterprise Manager rebuild the restore scopes of its accounts
version_added: 1.0.0
description:
  - Starts Enterprise Manager's restore-scope rebuild, so that new or changed scopes (and newly created VMs) take
    effect now rather than at the daily rescan, and by default waits for the task to finish.
  - It always reports C(changed) when it starts a task; in check mode it starts nothing.
author:
  - backupops.veeam contributors (@backupops)
options:
  scope:
    description:
      - V(unprocessed) rebuilds the accounts whose scope changed since the last rebuild, V(all) every account,
        V(current_user) the account this task logs on with.
    type: str
    choices: [unprocessed, all, current_user]
    default: unprocessed
  wait:
    description:
      - Wait until the task is finished. A failed task fails the module with the task's message.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait before failing; the task goes on in Enterprise Manager.
    type: int
    default: 300
  poll_interval:
    description:
      - Seconds between two looks at the task. The first looks come sooner (a quarter of this, then doubling up
        to it), so a short rebuild is not waited for longer than it runs.
    type: float
    default: 2
extends_documentation_fragment:
  - backupops.veeam.em
  - backupops.veeam.attributes
  - backupops.veeam.attributes.actiongroup_em
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
seealso:
  - module: backupops.veeam.em_account
"""

EXAMPLES = r"""
- name: Apply the restore scopes changed by onboarding
  backupops.veeam.em_rebuild_scope:
    server: em01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_em_password }}"
    ca_path: /etc/pki/veeam/em01.pem

- name: Rebuild every account's scope, without waiting
  backupops.veeam.em_rebuild_scope:
    server: em01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_em_password }}"
    ca_path: /etc/pki/veeam/em01.pem
    scope: all
    wait: false
"""

RETURN = r"""
task:
  description: The Enterprise Manager task; null in check mode.
  returned: always
  type: dict
  contains:
    id:
      description: Task id.
      type: str
      sample: task-1
    state:
      description: C(Running) or C(Finished).
      type: str
      sample: Finished
    operation:
      description: What the task does.
      type: str
      sample: StartRebuildScope
    success:
      description: Whether it succeeded (null while running).
      type: bool
    message:
      description: The task's message, if any.
      type: str
"""

from ansible_collections.backupops.veeam.plugins.module_utils.em_client import task_finished, task_message
from ansible_collections.backupops.veeam.plugins.module_utils.errors import VeeamError
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import EmModule

KINDS = {"unprocessed": "RebuildUnprocessed", "all": "RebuildAll", "current_user": "RebuildForCurrentUser"}


def task_result(task):
    result = task.get("Result") or {}
    success = result.get("Success") if task_finished(task) else None
    return {"id": task.get("TaskId"), "state": task.get("State"), "operation": task.get("Operation"),
            "success": None if success is None else str(success).lower() == "true", "message": task_message(task)}


def main_logic(module):
    params = module.params
    if params["wait_timeout"] <= 0 or params["poll_interval"] <= 0:
        module.fail_json(msg="wait_timeout and poll_interval must be greater than 0")
    if module.check_mode:
        module.exit_json(changed=True, task=None)
    client = module.client
    task = client.start_rebuild_scope(KINDS[params["scope"]])
    if params["wait"]:
        try:
            task = client.wait_task(task, timeout=params["wait_timeout"], poll_interval=params["poll_interval"])
        except VeeamError as error:
            module.fail_json(msg=error.sentence(), error=error.to_dict(), changed=True, task=task_result(task))
    module.exit_json(changed=True, task=task_result(task))


def main():
    module = EmModule(
        argument_spec=dict(
            scope=dict(type="str", choices=list(KINDS), default="unprocessed"),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=300),
            poll_interval=dict(type="float", default=2),
        ),
        supports_check_mode=True,
    )
    module.run(main_logic)


if __name__ == "__main__":
    main()
