"""The em_backup_servers inventory plugin, through ansible-inventory, against the simulated Enterprise Manager."""

import json
import os
import subprocess
import sys

from tests.functional.module_harness import REPO_ROOT, _environment


def ansible_inventory(config_path, env, *options):
    environment = _environment(env)
    environment["PATH"] = os.path.dirname(sys.executable) + os.pathsep + environment["PATH"]
    completed = subprocess.run(["ansible-inventory", "-i", config_path, "--list"] + list(options),
                               capture_output=True, text=True,
                               env=environment, cwd=REPO_ROOT, timeout=120, check=False)
    return completed


def unwrap(value):
    """ansible-core 2.19 shows inventory plugin values as {"__ansible_unsafe": value} in --list output."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return dict((key, unwrap(item)) for key, item in value.items())
    if isinstance(value, list):
        return [unwrap(item) for item in value]
    return value


def write_config(tmp_path, text):
    path = tmp_path / "veeam.em_backup_servers.yml"
    path.write_text(text)
    return str(path)


def test_lists_the_vbr_servers_with_host_vars_and_groups(tmp_path, em_env, simulator, em_admin):
    config = write_config(tmp_path, """
plugin: backupops.veeam.em_backup_servers
keyed_groups:
  - key: veeam_vbr_version.split('.')[0]
    prefix: vbr_major
compose:
  veeam_vbr_server: veeam_vbr_description | regex_search('https://[^ ]+')
groups:
  recent: veeam_vbr_version is version('13.0', '>=')
""")
    completed = ansible_inventory(config, em_env)
    assert completed.returncode == 0, completed.stderr
    inventory = unwrap(json.loads(completed.stdout))
    hosts = sorted(inventory["veeam_vbr"]["hosts"])
    assert hosts == ["127.0.0.1", "127.0.0.2"]
    host_vars = inventory["_meta"]["hostvars"]["127.0.0.2"]
    assert host_vars["veeam_vbr_version"] == "13.1.0.411" and host_vars["veeam_vbr_port"] == 9392
    assert host_vars["veeam_vbr_server"] == simulator.vbr_urls[1]
    assert sorted(inventory["vbr_major_13"]["hosts"]) == hosts
    assert sorted(inventory["recent"]["hosts"]) == hosts
    assert em_admin.count("DELETE /api/logonSessions/{id}") == 1


def test_cache_avoids_asking_again(tmp_path, em_env, em_admin):
    config = write_config(tmp_path, """
plugin: backupops.veeam.em_backup_servers
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: %s
""" % (tmp_path / "cache"))
    assert ansible_inventory(config, em_env).returncode == 0
    assert ansible_inventory(config, em_env).returncode == 0
    assert em_admin.count("GET /api/backupServers") == 1


def test_wrong_password_is_a_clear_inventory_error(tmp_path, em_env):
    config = write_config(tmp_path, "plugin: backupops.veeam.em_backup_servers\n")
    completed = ansible_inventory(config, dict(em_env, VEEAM_EM_PASSWORD="nope-nope"))
    assert "refused the logon" in completed.stderr and "nope-nope" not in completed.stderr + completed.stdout
