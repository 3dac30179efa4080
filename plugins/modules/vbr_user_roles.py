#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: vbr_user_roles
short_description: Grant or revoke roles of an existing Veeam Backup & Replication user or group
version_added: 1.0.0
description:
  - Adds roles to, removes roles from, or sets exactly the roles of a user or group that already exists on a Veeam
    Backup & Replication server, leaving everything else about it alone.
  - To add or remove the account itself use M(backupops.veeam.vbr_user).
  - The same lockout guards as M(backupops.veeam.vbr_user) apply, and the same refusal to combine built-in and
    custom roles on one account.
  - With four-eyes authorization on, a change that waits for approval fails with C(error.error_code=four_eyes)
    and the pending request in C(error.pending_request).
  - VBR replaces an account's whole role list on every change. The module reads the roles back after writing;
    when another task changed them at the same time, it applies its own change to what the other left (adding
    or removing only the roles it was given) and writes again, a few times at most, and fails if the roles it
    asks for are still not on the server. It never reports a change that is not there.
author:
  - backupops.veeam contributors (@backupops)
options:
  name:
    description:
      - User or group name, C(DOMAIN\\user), C(DOMAIN\\group) or UPN; matched exactly and case-insensitively.
    type: str
    required: true
  roles:
    description:
      - Role names (case-insensitive, with or without the C(Veeam) prefix) or ids.
    type: list
    elements: str
    required: true
  state:
    description:
      - V(present) makes sure these roles are assigned and keeps the others.
      - V(absent) makes sure these roles are not assigned. Removing the last role is an error, because VBR needs
        at least one role per account; remove the account with M(backupops.veeam.vbr_user) O(backupops.veeam.vbr_user#module:state=absent)
        instead.
      - V(exact) makes the roles exactly these.
    type: str
    choices: [present, absent, exact]
    default: present
extends_documentation_fragment:
  - backupops.veeam.vbr
  - backupops.veeam.lockout
  - backupops.veeam.attributes
  - backupops.veeam.attributes.actiongroup_vbr
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
seealso:
  - module: backupops.veeam.vbr_user
"""

EXAMPLES = r"""
- name: Also let TECH\william.fox view the backup infrastructure
  backupops.veeam.vbr_user_roles:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    name: TECH\william.fox
    roles: [Backup Viewer]

- name: Take the viewer role away again
  backupops.veeam.vbr_user_roles:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    name: TECH\william.fox
    roles: [Backup Viewer]
    state: absent

- name: Exactly Restore Operator, nothing else
  backupops.veeam.vbr_user_roles:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    name: TECH\william.fox
    roles: [Restore Operator]
    state: exact
"""

RETURN = r"""
user:
  description: The account after the task (predicted in check mode).
  returned: success
  type: dict
  contains:
    id:
      description: Account id.
      type: str
    name:
      description: Account name.
      type: str
    type:
      description: Account type.
      type: str
    roles:
      description: Names of its roles, sorted.
      type: list
      elements: str
      sample: [Backup Viewer, Restore Operator]
    is_service_account:
      description: Whether it is a service account.
      type: bool
    mfa_enabled:
      description: Whether MFA applies to it.
      type: bool
      returned: when the server speaks REST API 1.3-rev2 (VBR 13.1)
"""

from ansible_collections.backupops.veeam.plugins.module_utils import vbr_users
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import VbrModule, lockout_spec

INTENTS = {"present": "add", "absent": "remove", "exact": "exact"}


def main_logic(module):
    client = module.client
    name = module.params["name"]
    if not module.params["roles"]:
        module.fail_json(msg="roles must list at least one role")
    requested = client.resolve_roles(module.params["roles"])
    current = client.find_user(name) or client.find_user_everywhere(name)
    if current is None:
        module.fail_json(msg="%s is not a user or group of the VBR server at %s. Add it with backupops.veeam.vbr_user "
                             "(roles are given there too)" % (name, client.server))
    intent = vbr_users.RoleIntent(INTENTS[module.params["state"]], requested)
    plan = vbr_users.plan_update(current, {"name": name}, intent)
    if not module.params["allow_lockout"]:
        vbr_users.guard_lockout(client, [plan], module.protection())
    run = vbr_users.execute(client, [plan], module.check_mode)
    result = run.entries[0]
    module.finish_run(run, user=result["after"], diff={"before": result["before"] or {}, "after": result["after"] or {}})


def main():
    module = VbrModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            roles=dict(type="list", elements="str", required=True),
            state=dict(type="str", choices=["present", "absent", "exact"], default="present"),
            **lockout_spec()
        ),
        not_blank=["name", "roles"],
        supports_check_mode=True,
    )
    module.run(main_logic)


if __name__ == "__main__":
    main()
