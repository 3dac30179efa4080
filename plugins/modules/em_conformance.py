#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: em_conformance
short_description: Check a Veeam Backup Enterprise Manager against what this collection expects of its REST API
version_added: 1.0.0
description:
  - The live conformance kit for Enterprise Manager. Fetches every kind of answer the collection parses (logon
    sessions, accounts with their roles and restore scopes, roles, tasks, backup servers, error answers) and checks
    its shape against what the client expects, one check per assumption the collection makes where Veeam's documents
    are silent or allow two readings (for example whether C(HierarchyRootName) holds an id or a host name).
  - Read-only by default. With O(write=true) it also adds, changes and removes the throw-away account
    O(test_account), and restores everything, also when a check fails.
  - Returns a sanitised report to attach to an issue - shapes, HTTP statuses, versions and the reading each open
    point was found in; never a name, an id, a message, a session id or a password.
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
      - A throw-away C(DOMAIN\\name) account that has no Enterprise Manager account yet. The kit adds it as a Portal
        User, changes it and removes it.
    type: str
  scope_ref:
    description:
      - A hierarchy reference (C(urn:VMware:Vm:<vCenter id>.vm-1023)) the throw-away account may briefly restore, for
        the checks of restore scopes and of C(AllowRestoreAllVms). Without it those checks are skipped.
    type: str
  scope_name:
    description:
      - The object's name, as O(backupops.veeam.em_account#module:restore_scope[].name) takes it.
    type: str
extends_documentation_fragment:
  - backupops.veeam.em
  - backupops.veeam.attributes
  - backupops.veeam.attributes.actiongroup_em
attributes:
  check_mode:
    support: full
    details:
      - In check mode only the read-only checks run.
  diff_mode:
    support: none
seealso:
  - module: backupops.veeam.vbr_conformance
"""

EXAMPLES = r"""
- name: Check Enterprise Manager, reading only
  backupops.veeam.em_conformance:
    server: em01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_em_password }}"
    ca_path: /etc/pki/veeam/em01.pem
  register: em_conformance

- name: How does this Enterprise Manager fill HierarchyRootName?
  ansible.builtin.debug:
    msg: "{{ em_conformance.report.checks | selectattr('id', 'equalto', 'EM-SCOPE-ROOT') | first }}"

- name: Also check the writes with a throw-away account
  backupops.veeam.em_conformance:
    server: em01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_em_password }}"
    ca_path: /etc/pki/veeam/em01.pem
    write: true
    test_account: TECH\new.user
    scope_ref: urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-2041
    scope_name: jane-workstation
"""

RETURN = r"""
report:
  description: The sanitised report.
  returned: always
  type: dict
  contains:
    product:
      description: V(em).
      type: str
    facts:
      description: After write checks, whether everything was restored.
      type: dict
    summary:
      description: How many checks ended in each outcome.
      type: dict
      sample: {"pass": 15, "differs": 0, "skip": 1, "info": 3, "error": 0}
    checks:
      description: One entry per assumption - C(id), C(assumption), C(outcome) (V(pass), V(differs), V(skip),
        V(info), V(error)), and where it applies C(reading), C(observed) and C(note).
      type: list
      elements: dict
"""

from ansible_collections.backupops.veeam.plugins.module_utils.conformance_em import EmConformance
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import EmModule


def main_logic(module):
    params = module.params
    if params["write"] and not params["test_account"]:
        module.fail_json(msg="write: true needs test_account, a throw-away DOMAIN\\name account that has no Enterprise "
                             "Manager account yet")
    checks = EmConformance(module.client, write=params["write"], test_account=params["test_account"],
                           scope_ref=params["scope_ref"], scope_name=params["scope_name"],
                           check_mode=module.check_mode)
    report = checks.run()
    module.exit_json(changed=checks.wrote, report=report)


def main():
    module = EmModule(
        argument_spec=dict(
            write=dict(type="bool", default=False),
            test_account=dict(type="str"),
            scope_ref=dict(type="str"),
            scope_name=dict(type="str"),
        ),
        not_blank=["test_account", "scope_ref", "scope_name"],
        supports_check_mode=True,
    )
    module.run(main_logic)


if __name__ == "__main__":
    main()
