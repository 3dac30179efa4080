# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment(object):
    """The options of a bulk form: how many requests may be in flight at once."""

    DOCUMENTATION = r"""
options:
  parallel_requests:
    description:
      - How many requests the bulk form may send at once (the writes of different accounts, and in Enterprise
        Manager the reads of the accounts it lists). V(1) sends strictly one at a time.
      - The lockout guards still decide on the whole plan before the first write, and the results and their order
        do not depend on this number. Token renewal and Enterprise Manager logons happen once for all requests.
      - When the server answers 429 (too many requests) or 503, every request in flight slows down - fewer at once,
        C(Retry-After) honoured - rather than each being retried on its own.
    type: int
    default: 4
"""
