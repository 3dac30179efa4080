"""Put offline_get_pip.py where the installed ansible-test looks for its cached pip bootstrap script.

``ansible-test sanity --venv`` creates one virtual environment per sanity test and bootstraps pip in it
(``ansible_test/_util/target/setup/requirements.py``, function ``bootstrap``): it looks for
``~/.ansible/test/cache/get_pip_<pip version with dots as underscores>.py`` and only downloads
``get-pip-<version>.py`` from ci-files.testing.ansible.com when that file is missing. That host is not
reachable here, so ``make sanity`` copies our offline stand-in to that path first.

Usage: python tests/sanity/install_offline_get_pip.py   (with the venv's python, which has ansible-test)
"""

import os
import re
import shutil
import sys
from types import SimpleNamespace

import ansible_test

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "offline_get_pip.py")


def pip_version():
    """The pip version ansible-test bootstraps into its venvs for this Python."""
    python = SimpleNamespace(version="%d.%d" % sys.version_info[:2])
    try:
        from ansible_test._internal.python_requirements import get_venv_packages

        return get_venv_packages(python)["pip"]
    except (ImportError, AttributeError, KeyError, TypeError):
        # an ansible-test whose internals moved: read the pin from its source instead
        source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
        with open(source) as handle:
            found = re.search(r"""\bpip=['"]([0-9][0-9.]*)['"]""", handle.read())
        if not found:
            sys.exit("cannot find the pip version ansible-test bootstraps in %s" % source)
        return found.group(1)


def main():
    version = pip_version()
    target = os.path.expanduser("~/.ansible/test/cache/get_pip_%s.py" % version.replace(".", "_"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(SOURCE, target)
    print("offline pip %s bootstrap for ansible-test: %s" % (version, target))


if __name__ == "__main__":
    main()
