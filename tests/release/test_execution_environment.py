"""The execution environment definition (execution-environment.yml) as ansible-builder reads it, without a
container engine: `introspect` finds the collection's Python requirements, `create` writes a build context with
a pinned base image, the ansible-core and ansible-runner that make test runs (never "the newest"), and the
tarball of the version galaxy.yml names."""

import os
import re
import subprocess
import sys

import pytest
import yaml

from tests.functional.module_harness import COLLECTIONS_PATH, REPO_ROOT

BUILDER = os.path.join(os.path.dirname(sys.executable), "ansible-builder")
EE_FILE = os.path.join(REPO_ROOT, "execution-environment.yml")

with open(os.path.join(REPO_ROOT, "galaxy.yml")) as _handle:
    GALAXY = yaml.safe_load(_handle)


def dev_pin(package):
    """The exact version requirements-dev.txt pins for ``package`` (what make test runs)."""
    with open(os.path.join(REPO_ROOT, "requirements-dev.txt")) as handle:
        for line in handle:
            pin = line.split("#")[0].strip().split("==")
            if len(pin) == 2 and pin[0].lower() == package:
                return pin[1]
    raise AssertionError("requirements-dev.txt pins no %s" % package)


def builder(*arguments):
    completed = subprocess.run([BUILDER] + list(arguments), cwd=REPO_ROOT, capture_output=True, text=True,
                               timeout=120, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    path = tmp_path_factory.mktemp("ee") / "context"
    builder("create", "-f", EE_FILE, "-c", str(path))
    containerfile = next(path / name for name in ("Containerfile", "Dockerfile") if (path / name).exists())
    return path, containerfile.read_text()


def build_arg(containerfile, name):
    return re.search(r'^ARG %s="([^"]*)"' % name, containerfile, re.M).group(1)


def test_introspect_finds_the_python_requirements_of_the_installed_collection():
    found = yaml.safe_load(builder("introspect", "--sanitize", COLLECTIONS_PATH))
    with open(os.path.join(REPO_ROOT, "meta", "ee-requirements.txt")) as handle:
        wanted = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    ours = [entry.split("#")[0].strip() for entry in found["python"] if "backupops.veeam" in entry]
    assert ours == wanted and "requests>=2.25" in ours


def test_the_base_image_is_pinned(context):
    _path, containerfile = context
    image = build_arg(containerfile, "EE_BASE_IMAGE")
    name = image.rsplit("/", 1)[-1]
    assert "@sha256:" in image or (":" in name and not name.endswith(":latest")), image


def test_ansible_core_and_runner_are_the_versions_make_test_runs(context):
    _path, containerfile = context
    references = sorted(build_arg(containerfile, "ANSIBLE_INSTALL_REFS").split())
    assert references == ["ansible-core==%s" % dev_pin("ansible-core"), "ansible-runner==%s" % dev_pin("ansible-runner")]
    installs = [line for line in containerfile.splitlines() if "pip install" in line and "ansible" in line.lower()]
    assert installs == ["RUN $PYCMD -m pip install --no-cache-dir $ANSIBLE_INSTALL_REFS"]


def test_the_collection_is_the_tarball_of_the_galaxy_yml_version(context):
    path, containerfile = context
    assert os.listdir(str(path / "_build" / "veeam-collection")) == [
        "%(namespace)s-%(name)s-%(version)s.tar.gz" % GALAXY]
    requirements = yaml.safe_load((path / "_build" / "requirements.yml").read_text())
    assert requirements == {"collections": [{"name": "/tmp/veeam-collection", "type": "dir"}]}
    assert "ansible-galaxy collection install" in containerfile
    with open(EE_FILE) as handle:
        assert GALAXY["version"] not in handle.read(), "execution-environment.yml names a version of its own"
