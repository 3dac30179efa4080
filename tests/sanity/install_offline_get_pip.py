"""Put offline_get_pip.py where the installed ansible-test looks for its cached pip bootstrap script."""

import os
import re
import shutil
import sys

import ansible_test


def pip_version():
    source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(source) as handle:
        found = re.search(r"pip='([0-9.]+)'", handle.read())
    if not found:
        sys.exit("cannot find the pip version ansible-test bootstraps in %s" % source)
    return found.group(1)


def main():
    target = os.path.expanduser("~/.ansible/test/cache/get_pip_%s.py" % pip_version().replace(".", "_"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(os.path.join(os.path.dirname(os.path.abspath(__file__)), "offline_get_pip.py"), target)
    print("offline pip bootstrap for ansible-test: %s" % target)


if __name__ == "__main__":
    main()
