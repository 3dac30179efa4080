"""Offline stand-in for the get-pip.py that ``ansible-test`` downloads to bootstrap pip in its venvs.

``make sanity`` copies this file to ``~/.ansible/test/cache/get_pip_<version>.py`` (see
install_offline_get_pip.py). ansible-test then runs it, through its ``quiet_pip.py`` wrapper, inside a fresh
virtual environment created without pip, with pip's install arguments, e.g.
``--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel``.

The real get-pip.py carries pip in itself; the host it comes from is not reachable here. This script gets
the same result from the Python's own ``ensurepip`` (bundled wheels, no network) and then
``pip install <the same arguments>`` from the package index, which is reachable (with this machine's pip
configuration). ``--no-setuptools`` and ``--no-wheel`` are options of get-pip.py only, not of
``pip install``, so they are dropped.
"""

import subprocess
import sys

GET_PIP_ONLY_OPTIONS = ("--no-setuptools", "--no-wheel")


def main():
    arguments = [argument for argument in sys.argv[1:] if argument not in GET_PIP_ONLY_OPTIONS]
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + arguments)


if __name__ == "__main__":
    main()
