# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Values as the filters receive them from the roles' variables, whatever the ansible-core version."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def none_if_blank(value):
    """``None`` for ``None`` and for a blank string, else ``value``.

    A variable whose template gives ``none`` (``"{{ x if y else none }}"``) reaches a filter as ``None`` on
    ansible-core 2.19 and later but as an empty string on 2.17 and 2.18; the roles use it for "not managed" (no
    Enterprise Manager, no earlier audit), so both mean the same here."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value
