"""The collection tarball (make install builds it; Galaxy and Automation Hub get it) holds what users of an
installed collection and ansible-test need, and none of the development tooling, the simulator's example
inventory with its password, or Veeam's OpenAPI files (galaxy.yml build_ignore)."""

import json
import os
import subprocess
import tarfile

import pytest
import yaml

from tests.functional.module_harness import REPO_ROOT
from tests.simulator import SimConfig

with open(os.path.join(REPO_ROOT, "galaxy.yml")) as _handle:
    GALAXY = yaml.safe_load(_handle)
TARBALL = os.path.join(REPO_ROOT, "build", "%(namespace)s-%(name)s-%(version)s.tar.gz" % GALAXY)

# Development only: tooling, pins, the test-only venvs' requirements and release checks, the EE definition.
DEVELOPMENT_FILES = ["Makefile", "constraints.txt", "requirements-dev.txt", "pytest.ini", "execution-environment.yml",
                     ".ci/run", ".config/molecule/config.yml", ".gitignore"]
DEVELOPMENT_FOLDERS = ["tests/requirements/", "tests/release/", "roles/onboard/molecule/", "roles/offboard/molecule/",
                       "roles/access/molecule/",
                       ".venv/", ".venvs/", ".collections/", "build/", ".sim/", "tests/output/"]
# Needed by users of the installed collection and by ansible-test.
NEEDED = ["MANIFEST.json", "FILES.json", "README.md", "LICENSE", "requirements.txt",
          "CONTRIBUTING.md", "CODE_OF_CONDUCT.md", "SECURITY.md",
          "meta/runtime.yml", "meta/execution-environment.yml", "meta/ee-requirements.txt",
          "roles/onboard/README.md", "roles/offboard/README.md", "roles/access/README.md",
          "roles/onboard/meta/argument_specs.yml", "roles/offboard/meta/argument_specs.yml",
          "roles/access/meta/argument_specs.yml", "playbooks/access.yml", "playbooks/vars/access.example.yml",
          "playbooks/onboard.yml", "playbooks/offboard.yml", "playbooks/audit.yml",
          "playbooks/vars/people.example.yml", "docs/docsite/extra-docs.yml", "docs/docsite/links.yml",
          "docs/awx/credential_types.yml", "docs/awx/credential_type_vbr.yml", "docs/awx/credential_type_em.yml",
          "changelogs/changelog.yaml", "changelogs/config.yaml"]
NEEDED_FOLDERS = ["tests/unit/", "tests/sanity/"]


@pytest.fixture(scope="module")
def members():
    assert os.path.exists(TARBALL), "no %s: run make install first" % TARBALL
    with tarfile.open(TARBALL) as tarball:
        return dict((member.name, tarball.extractfile(member).read() if member.isfile() else None)
                    for member in tarball.getmembers())


def test_development_files_stay_out(members):
    shipped = [name for name in DEVELOPMENT_FILES if name in members]
    shipped += [name for name in members for folder in DEVELOPMENT_FOLDERS if (name + "/").startswith(folder)]
    assert not shipped, "development files in the tarball: %s" % shipped


def test_the_simulator_inventory_and_its_password_stay_out(members):
    assert not [name for name in members if name.startswith("playbooks/inventory")]
    password = SimConfig().password.encode()
    # The simulator's own code and tests may name it; nothing users read or run may.
    holding = [name for name, content in members.items()
               if content and password in content and not name.startswith("tests/")]
    assert not holding, "the simulator's password is in %s" % holding


def is_openapi_document(content):
    try:
        document = json.loads(content.decode("utf-8"))
    except ValueError:
        return False
    return isinstance(document, dict) and "openapi" in document


def test_veeams_openapi_files_stay_out(members):
    assert not [name for name in members if name.startswith("tests/simulator/specs")]
    assert not [name for name, content in members.items() if content and is_openapi_document(content)]


def test_what_users_and_ansible_test_need_is_in(members):
    missing = [name for name in NEEDED if name not in members]
    missing += [folder for folder in NEEDED_FOLDERS if not any(name.startswith(folder) for name in members)]
    assert not missing, "missing from the tarball: %s" % missing


def test_every_tracked_file_of_the_content_is_in(members):
    """Every file git tracks under plugins/, roles/, playbooks/, meta/ and docs/ ships, but for those left out."""
    tracked = subprocess.run(["git", "ls-files", "plugins", "roles", "playbooks", "meta", "docs"], cwd=REPO_ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    left_out = ("playbooks/inventory/",) + tuple("roles/%s/molecule/" % role for role in os.listdir(
        os.path.join(REPO_ROOT, "roles")))
    missing = [name for name in tracked if not name.startswith(left_out) and name not in members]
    assert not missing, "tracked but not in the tarball: %s" % missing
