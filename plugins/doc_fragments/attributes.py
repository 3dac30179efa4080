# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment(object):
    """The attributes every module of the collection documents."""

    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
"""

    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
"""

    ACTIONGROUP_VBR = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/backupops.veeam.vbr) in C(module_defaults) to set the connection options of all VBR modules at once.
    support: full
    membership:
      - backupops.veeam.vbr
"""

    ACTIONGROUP_EM = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/backupops.veeam.em) in C(module_defaults) to set the connection options of all Enterprise Manager modules at once.
    support: full
    membership:
      - backupops.veeam.em
"""
