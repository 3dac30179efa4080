#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: vbr_mfa
short_description: Turn multi-factor authentication on or off on a Veeam Backup & Replication server, reset it per user
version_added: 1.0.0
description:
  - Sets the server-wide MFA setting of Veeam Backup & Replication, and resets MFA for given users so that they
    enrol again at their next login (a lost phone, a new authenticator).
  - Accounts with MFA enabled cannot use the REST API, so turning MFA on while this task is connected as an
    account that is not a service account would lock the automation out. The module refuses that unless
    O(allow_lockout=true).
author:
  - backupops.veeam contributors (@backupops)
options:
  enabled:
    description:
      - Whether MFA is on for the server. Leave it out to only reset users.
    type: bool
  reset_for:
    description:
      - Names of users whose MFA is reset (they set it up again at their next login).
      - A reset always reports C(changed); in check mode nothing is reset.
      - Every name must be a user or group of the server; the module checks all of them before it resets any.
    type: list
    elements: str
    default: []
  allow_lockout:
    description:
      - Let the task turn MFA on although the account it is connected as is not a service account.
    type: bool
    default: false
extends_documentation_fragment:
  - backupops.veeam.vbr
  - backupops.veeam.attributes
  - backupops.veeam.attributes.actiongroup_vbr
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

EXAMPLES = r"""
- name: Turn MFA on (the automation logs in with a service account)
  backupops.veeam.vbr_mfa:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    enabled: true

- name: TECH\william.fox lost his phone
  backupops.veeam.vbr_mfa:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    reset_for:
      - TECH\william.fox
"""

RETURN = r"""
mfa_enabled:
  description: Whether MFA is on for the server after the task (predicted in check mode).
  returned: always
  type: bool
reset:
  description: Names of the users whose MFA was reset (would be, in check mode).
  returned: always
  type: list
  elements: str
users:
  description: Every account with whether MFA applies to it (VBR 13.1 reports this per user).
  returned: with O(api_version=1.3-rev2)
  type: list
  elements: dict
  contains:
    name:
      description: Account name.
      type: str
    mfa_enabled:
      description: Whether MFA applies to the account.
      type: bool
"""

from ansible_collections.backupops.veeam.plugins.module_utils import vbr_users
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import VbrModule


def accounts_to_reset(module, client):
    accounts, missing = [], []
    found = client.find_users(module.params["reset_for"])
    for name in module.params["reset_for"]:
        account = found[name.casefold()]
        (accounts if account else missing).append(account or name)
    if missing:
        module.fail_json(msg="Cannot reset MFA for %s: not a user of the VBR server at %s. Nothing was reset."
                         % (", ".join(missing), client.server))
    return accounts


def main_logic(module):
    wanted = module.params["enabled"]
    if wanted is None and not module.params["reset_for"]:
        module.fail_json(msg="Nothing to do: give enabled (true or false) and/or reset_for (a list of user names)")
    client = module.client
    before = client.mfa_enabled()
    change = wanted is not None and wanted != before
    if change and wanted and not module.params["allow_lockout"]:
        vbr_users.guard_mfa_lockout(client, module.protection())
    resets = accounts_to_reset(module, client)
    after = wanted if change else before
    if not module.check_mode:
        if change:
            after = client.set_mfa_enabled(wanted)
        for account in resets:
            client.reset_mfa(account["id"])
    result = dict(changed=change or bool(resets), mfa_enabled=after, reset=[account["name"] for account in resets],
                  diff={"before": {"mfa_enabled": before}, "after": {"mfa_enabled": after}})
    if client.api_version == "1.3-rev2":
        result["users"] = [{"name": user["name"], "mfa_enabled": user.get("mfaEnabled")}
                           for user in client.list_users()]
    module.exit_json(**result)


def main():
    module = VbrModule(
        argument_spec=dict(
            enabled=dict(type="bool"),
            reset_for=dict(type="list", elements="str", default=[]),
            allow_lockout=dict(type="bool", default=False),
        ),
        not_blank=["reset_for"],
        supports_check_mode=True,
    )
    module.run(main_logic)


if __name__ == "__main__":
    main()
