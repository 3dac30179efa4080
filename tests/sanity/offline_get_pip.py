"""Offline stand-in for the get-pip.py that ``ansible-test`` downloads to bootstrap pip in its venvs.

ansible-test looks for ``~/.ansible/test/cache/get_pip_<version>.py`` before downloading, and runs it with
pip's install arguments. The download host is unreachable here, so this script does the same job with the
Python's own ``ensurepip`` and then ``pip install`` (from the package index, which is reachable).
"""

import subprocess
import sys

DROPPED = ("--no-setuptools", "--no-wheel")


def main():
    arguments = [argument for argument in sys.argv[1:] if argument not in DROPPED]
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + arguments)


if __name__ == "__main__":
    main()
