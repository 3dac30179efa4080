"""Run the collection's modules and playbooks the way Ansible does, against the simulator.

- :func:`run_module` executes one module in a child Python process with an arguments file, exactly as
  Ansible's module runner hands arguments over (fast: no playbook machinery). Check mode and diff mode
  are the ``_ansible_check_mode`` / ``_ansible_diff`` arguments Ansible itself passes.
- :func:`run_playbook` runs ``ansible-playbook`` and records results with a test-only callback, for what needs the real engine
  (module_defaults and action groups, EXAMPLES blocks, roles).

Both use the collection installed under ``.collections`` (``make install``), never the work tree.
"""

import json
import os
import subprocess
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS_PATH = os.environ.get("ANSIBLE_COLLECTIONS_PATH", os.path.join(REPO_ROOT, ".collections"))
MODULE_PACKAGE = "ansible_collections.backupops.veeam.plugins.modules"
CALLBACK_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "callback_plugins")


class ModuleResult(dict):
    """A module's JSON result, plus what it printed to stderr and its exit code."""

    def __init__(self, data, stderr, returncode, stdout):
        super(ModuleResult, self).__init__(data)
        self.stderr = stderr
        self.returncode = returncode
        self.stdout = stdout

    @property
    def failed(self):
        return bool(self.get("failed"))


def _environment(extra_env=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([COLLECTIONS_PATH, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["ANSIBLE_COLLECTIONS_PATH"] = COLLECTIONS_PATH
    for name in [key for key in env if key.startswith("VEEAM_")]:
        del env[name]  # tests say explicitly what the module gets
    env.update(extra_env or {})
    return env


def run_module(name, args, check_mode=False, diff=False, env=None, timeout=120):
    """Run module ``name`` (e.g. ``vbr_role_info``) with ``args``; returns its :class:`ModuleResult`."""
    module_args = dict(args)
    module_args["_ansible_check_mode"] = check_mode
    module_args["_ansible_diff"] = diff
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": module_args}, handle)
        args_file = handle.name
    try:
        completed = subprocess.run([sys.executable, "-m", "%s.%s" % (MODULE_PACKAGE, name), args_file],
                                   capture_output=True, text=True, env=_environment(env), timeout=timeout, check=False,
                                   cwd=REPO_ROOT)
    finally:
        os.unlink(args_file)
    try:
        data = json.loads(completed.stdout)
    except ValueError:
        raise AssertionError("module %s printed no JSON result (exit %s)\nstdout:\n%s\nstderr:\n%s"
                             % (name, completed.returncode, completed.stdout, completed.stderr))
    return ModuleResult(data, completed.stderr, completed.returncode, completed.stdout)


class PlaybookRun(object):
    """What ``ansible-playbook`` did: exit code, the recorded results and the raw output."""

    def __init__(self, returncode, report, stdout, stderr):
        self.returncode = returncode
        self.report = report
        self.stdout = stdout
        self.stderr = stderr

    def task_results(self, task_name, host="localhost"):
        """The result of the task named ``task_name`` (with or without its role prefix) on ``host``."""
        found = None
        for play in self.report.get("plays", []):
            for task in play.get("tasks", []):
                name = task["task"]["name"]
                if (name == task_name or name.endswith(" : " + task_name)) and host in task["hosts"]:
                    found = task["hosts"][host]
        if found is None:
            raise AssertionError("no task %r ran on %s" % (task_name, host))
        return found

    @property
    def stats(self):
        return self.report.get("stats", {})


def run_playbook(playbook, inventory="localhost,", extra_vars=None, env=None, check=False, diff=False,
                 verbosity=0, timeout=600, cwd=REPO_ROOT):
    """Run a playbook (a path, or a collection playbook's FQCN); the results come back through the test-only
    ``record_results`` callback. ``env`` may override the ANSIBLE_* settings below."""
    command = ["ansible-playbook", "-i", inventory, playbook]
    if isinstance(extra_vars, str):  # "@file", as AWX and ansible-runner pass extra variables
        command += ["-e", extra_vars]
    elif extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    if verbosity:
        command.append("-" + "v" * verbosity)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        record_file = handle.name
    environment = _environment(env)
    settings = {"ANSIBLE_CALLBACK_PLUGINS": CALLBACK_DIR, "ANSIBLE_CALLBACKS_ENABLED": "record_results",
                "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "0", "ANSIBLE_PYTHON_INTERPRETER": sys.executable}
    settings.update((name, value) for name, value in (env or {}).items() if name in settings)
    environment.update(settings, RECORD_RESULTS_FILE=record_file)
    environment["PATH"] = os.path.dirname(sys.executable) + os.pathsep + environment.get("PATH", "")
    try:
        completed = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=timeout, check=False,
                                   cwd=cwd)
        with open(record_file) as handle:
            text = handle.read()
    finally:
        os.unlink(record_file)
    report = json.loads(text) if text else {}
    return PlaybookRun(completed.returncode, report, completed.stdout, completed.stderr)
