# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment(object):
    """The lockout guard's options, shared by every module that can remove or demote an account."""

    DOCUMENTATION = r"""
options:
  allow_lockout:
    description:
      - Let the task do what the lockout guard refuses by default. Before anything is written the guard refuses a
        plan that would remove the account the task is connected as or an account in O(protected_accounts), take
        the administrator role (Backup Administrator on VBR, Portal Administrator in Enterprise Manager) away from
        one of them, turn service-account mode off for the connected account while MFA is on (on VBR it could no
        longer log in), or leave the server without any account that has the administrator role.
      - The connected account is recognised in every spelling - C(TECH\\svc.ansible) and C(svc.ansible@tech.local)
        are the same account to the guard, since any account whose name without its domain matches the login's
        is treated as the connected one (refusing is the safe error).
    type: bool
    default: false
  protected_accounts:
    description:
      - Further accounts that must never be removed or lose the administrator role, for example the break-glass
        administrator or the group the automation account gets its access from. Matched like the connected
        account, by the name without its domain (so C(TECH\\breakglass) also protects C(breakglass@tech.local)).
      - The guard cannot see group membership; list the groups through which the automation or the
        administrators get their access here.
    type: list
    elements: str
    default: []
"""
