# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VEEAM_* environment variables: an empty one means "not set", in every module and plugin.

AWX / Automation Platform credential types render every environment injector, so an optional field left blank
arrives as an empty variable (``VEEAM_VBR_API_VERSION=``). Read literally, that empty text would be refused as
an API version or a port, or read as ``false`` for ``validate_certs``; read as "not set", the option keeps its
default, as if the variable were absent.
"""

import contextlib
import os

from ansible.module_utils.errors import AnsibleFallbackNotFound


def is_blank(value):
    return value is None or not str(value).strip()


def env_fallback_if_set(*names):
    """``fallback`` strategy of a module option: the first of ``names`` that is set to a non-empty value."""
    for name in names:
        value = os.environ.get(name)
        if not is_blank(value):
            return value
    raise AnsibleFallbackNotFound


@contextlib.contextmanager
def empty_env_unset(prefix):
    """Within the block, environment variables starting with ``prefix`` whose value is empty are unset.

    For plugins whose options Ansible's configuration manager reads from ``env:`` entries (it takes an empty
    variable as a value); the variables are restored afterwards.
    """
    removed = dict((name, value) for name, value in os.environ.items() if name.startswith(prefix) and is_blank(value))
    for name in removed:
        del os.environ[name]
    try:
        yield
    finally:
        os.environ.update(removed)
