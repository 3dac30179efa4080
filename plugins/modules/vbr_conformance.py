#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: vbr_conformance
short_description: Check a Veeam Backup & Replication server against what this collection expects of its REST API
version_added: 1.0.0
description:
  - The live conformance kit for VBR. Fetches every kind of answer the collection parses (tokens, users, roles,
    settings, authorization events, error answers) and checks its shape against what the client expects, one check
    per assumption the collection makes where Veeam's documents are silent or allow two readings.
  - Read-only by default. With O(write=true) it also adds, changes and removes the throw-away account
    O(test_account) (and, on VBR 13.1, a throw-away custom role), and restores everything, also when a check
    fails. With four-eyes authorization on, the first write is answered with a request for approval and the
    write checks stop there.
  - Returns a sanitised report to attach to an issue - shapes, HTTP statuses, Veeam's error codes, versions and the
    reading each open point was found in; never a name, an id, a message, a token or a password.
  - C(make test-live) and the playbook C(backupops.veeam.conformance) run it and write the report to a file.
author:
  - backupops.veeam contributors (@backupops)
options:
  write:
    description:
      - Also run the write checks. They need O(test_account).
    type: bool
    default: false
  test_account:
    description:
      - A throw-away account that Active Directory knows and the VBR server does not list yet, for example
        C(TECH\\veeam.conformance). The kit adds it as a Restore Operator, changes it and removes it.
    type: str
  test_group:
    description:
      - A throw-away group (that Active Directory knows and the server does not list), for the check of an MFA reset
        of a group. Without it that check is skipped.
    type: str
extends_documentation_fragment:
  - backupops.veeam.vbr
  - backupops.veeam.attributes
  - backupops.veeam.attributes.actiongroup_vbr
attributes:
  check_mode:
    support: full
    details:
      - In check mode only the read-only checks run.
  diff_mode:
    support: none
seealso:
  - module: backupops.veeam.em_conformance
"""

EXAMPLES = r"""
- name: Check the VBR server, reading only
  backupops.veeam.vbr_conformance:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
  register: vbr_conformance

- name: Save the report to attach to an issue
  ansible.builtin.copy:
    content: "{{ vbr_conformance.report | to_nice_json }}"
    dest: /tmp/vbr-conformance.json
    mode: "0600"

- name: Also check the writes with a throw-away account
  backupops.veeam.vbr_conformance:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    write: true
    test_account: TECH\new.user
"""

RETURN = r"""
report:
  description: The sanitised report.
  returned: always
  type: dict
  contains:
    product:
      description: V(vbr).
      type: str
    facts:
      description: The REST API version spoken, the versions the server offers, its build, the naming of its built-in
        roles and, after write checks, whether everything was restored.
      type: dict
      sample: {"api_version": "1.3-rev2", "vbr_build": "13.1.0.411", "role_names": "plain", "restored": true}
    summary:
      description: How many checks ended in each outcome.
      type: dict
      sample: {"pass": 14, "differs": 0, "skip": 6, "info": 1, "error": 0}
    checks:
      description: One entry per assumption - C(id), C(assumption), C(outcome) (V(pass), V(differs), V(skip),
        V(info), V(error)), and where it applies C(reading), C(observed) and C(note).
      type: list
      elements: dict
"""

from ansible_collections.backupops.veeam.plugins.module_utils.conformance_vbr import VbrConformance
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import VbrModule


def main_logic(module):
    params = module.params
    if params["write"] and not params["test_account"]:
        module.fail_json(msg="write: true needs test_account, a throw-away account that Active Directory knows and "
                             "the VBR server does not list (for example TECH\\veeam.conformance)")
    checks = VbrConformance(module.client, write=params["write"], test_account=params["test_account"],
                            test_group=params["test_group"], check_mode=module.check_mode)
    report = checks.run()
    module.exit_json(changed=checks.wrote, report=report)


def main():
    module = VbrModule(
        argument_spec=dict(
            write=dict(type="bool", default=False),
            test_account=dict(type="str"),
            test_group=dict(type="str"),
        ),
        not_blank=["test_account", "test_group"],
        supports_check_mode=True,
    )
    module.run(main_logic)


if __name__ == "__main__":
    main()
