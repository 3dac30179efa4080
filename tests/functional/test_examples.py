"""Every module's EXAMPLES block runs against the simulator (through ansible-playbook).

Connection options in the examples point at made-up servers; the test keeps every other option as written
and points the connection at the simulator, so the examples stay honest documentation.
"""

import ast
import glob
import os

import pytest
import yaml

from tests.conftest import SimAdmin
from tests.functional.module_harness import REPO_ROOT, run_playbook

MODULES = sorted(glob.glob(os.path.join(REPO_ROOT, "plugins", "modules", "*.py")))
CONNECTION_KEYS = ("server", "port", "username", "password", "access_token", "ca_path", "validate_certs")


def module_examples(path):
    with open(path) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "EXAMPLES":
            return yaml.safe_load(node.value.value)
    raise AssertionError("%s has no EXAMPLES" % path)


def point_at_simulator(task, connection):
    for key, value in task.items():
        if key.startswith("backupops.veeam.") and isinstance(value, dict):
            product = "em" if key.startswith("backupops.veeam.em_") else "vbr"
            for name in CONNECTION_KEYS:
                value.pop(name, None)
            value.update(connection[product])
    return task


@pytest.mark.parametrize("module_path", MODULES, ids=[os.path.basename(path)[:-3] for path in MODULES])
def test_examples_run(module_path, tmp_path, simulator, sim_admin, em_admin, credentials):
    connection = {
        "vbr": {"server": simulator.vbr_url, "username": credentials["username"],
                "password": credentials["password"], "ca_path": simulator.ca_path},
        "em": {"server": simulator.em_url, "username": credentials["username"],
               "password": credentials["password"], "ca_path": simulator.ca_path},
    }
    tasks = [point_at_simulator(task, connection) for task in module_examples(module_path)]
    playbook = tmp_path / "examples.yml"
    playbook.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "connection": "local",
                                         "tasks": tasks}]))
    run = run_playbook(str(playbook))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert run.stats["localhost"]["failures"] == 0


VBR_MODULES = [path for path in MODULES if os.path.basename(path).startswith("vbr_")]


@pytest.mark.parametrize("module_path", VBR_MODULES, ids=[os.path.basename(path)[:-3] for path in VBR_MODULES])
def test_vbr_examples_run_against_vbr_13_0_role_names(module_path, tmp_path, prefixed_simulator, credentials):
    """The same examples against a server that names its built-in roles "Veeam Restore Operator" (VBR 13.0)."""
    admin = SimAdmin(prefixed_simulator.vbr_url, prefixed_simulator.ca_path)
    admin.reset()
    connection = {"vbr": {"server": prefixed_simulator.vbr_url, "username": credentials["username"],
                          "password": credentials["password"], "ca_path": prefixed_simulator.ca_path}}
    tasks = [point_at_simulator(task, connection) for task in module_examples(module_path)]
    playbook = tmp_path / "examples.yml"
    playbook.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "connection": "local",
                                         "tasks": tasks}]))
    run = run_playbook(str(playbook))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert admin.violations() == []
