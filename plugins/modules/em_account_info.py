#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: em_account_info
short_description: List the accounts of Veeam Backup Enterprise Manager with their roles and restore scopes
version_added: 1.0.0
description:
  - Lists who may use Enterprise Manager and its self-service restore portal, with each account's roles, restore
    scope and restore restrictions.
author:
  - backupops.veeam contributors (@backupops)
options:
  name:
    description:
      - Only the account with exactly this name (case-insensitive). No match returns an empty list.
    type: str
extends_documentation_fragment:
  - backupops.veeam.em
  - backupops.veeam.attributes
  - backupops.veeam.attributes.info_module
  - backupops.veeam.attributes.actiongroup_em
"""

EXAMPLES = r"""
- name: Every Enterprise Manager account
  backupops.veeam.em_account_info:
    server: em01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_em_password }}"
    ca_path: /etc/pki/veeam/em01.pem
  register: em_accounts

- name: What may TECH\william.fox restore?
  backupops.veeam.em_account_info:
    server: em01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_em_password }}"
    ca_path: /etc/pki/veeam/em01.pem
    name: TECH\william.fox
  register: fox
"""

RETURN = r"""
accounts:
  description: The accounts, sorted by name, with the same keys as the RV(backupops.veeam.em_account#module:account)
    result of M(backupops.veeam.em_account).
  returned: always
  type: list
  elements: dict
  contains:
    uid:
      description: Account UID.
      type: str
    id:
      description: The id part of the UID.
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
    allow_restore_all_vms:
      description: Whether it may restore every VM.
      type: bool
    restore_scope:
      description: The objects it may restore, as Enterprise Manager lists them (C(name), C(platform),
        C(object_type), C(root)); EM does not list their references.
      type: list
      elements: dict
    flr_settings:
      description: File-level restore restrictions.
      type: dict
    sql_settings:
      description: SQL restore restrictions.
      type: dict
"""

from ansible_collections.backupops.veeam.plugins.module_utils import em_accounts
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import EmModule


def main_logic(module):
    client = module.client
    refs = client.list_accounts()
    if module.params["name"]:
        refs = [ref for ref in refs if str(ref["name"]).casefold() == module.params["name"].casefold()]
    accounts = []
    for ref in sorted(refs, key=lambda ref: str(ref["name"]).casefold()):
        accounts.append(em_accounts.account_result(em_accounts.account_view(*client.get_account(ref["id"]))))
    module.exit_json(changed=False, accounts=accounts)


def main():
    module = EmModule(argument_spec=dict(name=dict(type="str")), not_blank=["name"], supports_check_mode=True)
    module.run(main_logic)


if __name__ == "__main__":
    main()
