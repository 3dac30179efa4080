"""The 1.0.0 changelog as users will read it: antsibull-changelog renders the fragments (in a copy of the
installed collection) into a release summary, the changes, and the new modules, plugins and roles, each listed
once from its version_added; no Bugfixes for bugs that were never released, nothing about the test tooling.
The convention behind it is in CONTRIBUTING.md ("Changelog fragments")."""

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.functional.module_harness import COLLECTIONS_PATH, REPO_ROOT

with open(os.path.join(REPO_ROOT, "galaxy.yml")) as _handle:
    GALAXY = yaml.safe_load(_handle)
# Words of the test tooling that users of the collection never meet.
DEVELOPMENT_WORDS = ("simulator", "benchmark", "molecule", "make test", "pytest", "sanity")


@pytest.fixture(scope="module")
def changelog(tmp_path_factory):
    root = tmp_path_factory.mktemp("changelog")
    collection = root / "ansible_collections" / GALAXY["namespace"] / GALAXY["name"]
    shutil.copytree(os.path.join(COLLECTIONS_PATH, "ansible_collections", GALAXY["namespace"], GALAXY["name"]),
                    str(collection))
    shutil.copy(os.path.join(REPO_ROOT, "galaxy.yml"), str(collection))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(root),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    completed = subprocess.run([os.path.join(os.path.dirname(sys.executable), "antsibull-changelog"), "release",
                                "--version", GALAXY["version"], "--date", "2026-12-01"],
                               cwd=str(collection), env=env, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return (collection / "CHANGELOG.rst").read_text()


def sections(text):
    """Section title -> its text, for the titles underlined with '-' (and the '~' subsections inside them)."""
    found = {}
    for match in re.finditer(r"^([^\n]+)\n-+\n(.*?)(?=^[^\n]+\n-+\n|\Z)", text, re.M | re.S):
        found[match.group(1).strip()] = match.group(2)
    return found


def listed(section_text):
    return re.findall(r"^- backupops\.veeam\.(\w+) - ", section_text, re.M)


def test_it_opens_with_the_release_summary(changelog):
    titles = list(sections(changelog))
    assert titles[0] == "Release Summary" and "First release" in sections(changelog)["Release Summary"]


def test_no_bugfixes_before_the_first_release(changelog):
    assert "Bugfixes" not in sections(changelog)


def test_every_module_plugin_and_role_is_listed_once(changelog):
    found = sections(changelog)
    modules = sorted(name[:-3] for name in os.listdir(os.path.join(REPO_ROOT, "plugins", "modules"))
                     if name.endswith(".py") and not name.startswith("_"))
    roles = sorted(name for name in os.listdir(os.path.join(REPO_ROOT, "roles"))
                   if os.path.isfile(os.path.join(REPO_ROOT, "roles", name, "meta", "argument_specs.yml")))
    assert listed(found["New Modules"]) == modules
    assert listed(found["New Roles"]) == roles
    assert sorted(listed(found["New Plugins"])) == sorted(documented_plugins("inventory") + documented_plugins("filter"))


def documented_plugins(kind):
    """The plugins of plugins/<kind> that have docs: a <name>.py with DOCUMENTATION, or a <name>.yml beside the
    Python file that holds the filter (several filters live in one file)."""
    folder = os.path.join(REPO_ROOT, "plugins", kind)
    names = set()
    for name in os.listdir(folder):
        stem, extension = os.path.splitext(name)
        if extension == ".yml":
            names.add(stem)
        elif extension == ".py" and not stem.startswith("_"):
            with open(os.path.join(folder, name)) as handle:
                if re.search(r"^DOCUMENTATION\s*=", handle.read(), re.M):
                    names.add(stem)
    return sorted(names)


def test_changes_do_not_announce_what_is_listed_as_new(changelog):
    """A change entry about a new module or role says what it does beyond its docs, not that it is there."""
    found = sections(changelog)
    new = set(listed(found["New Modules"]) + listed(found["New Roles"]) + listed(found["New Plugins"]))
    announcements = []
    for title in ("Major Changes", "Minor Changes"):
        for entry in re.findall(r"^- (.*)$", found.get(title, ""), re.M):
            subject, text = (entry.split(" - ", 1) + [""])[:2]
            if subject.strip() in new and re.match(r"(new|adds?|added|introduces?)\b", text, re.I):
                announcements.append(entry)
    assert not announcements


def test_nothing_about_the_test_tooling(changelog):
    lowered = changelog.lower()
    assert not [word for word in DEVELOPMENT_WORDS if word in lowered]
