"""The em_backup_servers inventory plugin, through ansible-inventory, against the simulated Enterprise Manager."""

import json
import os
import subprocess
import socket
import sys

import pytest

from tests.conftest import running_simulator
from tests.functional.module_harness import REPO_ROOT, _environment


def ansible_inventory(config_path, env, *options):
    environment = _environment(env)
    environment["PATH"] = os.path.dirname(sys.executable) + os.pathsep + environment["PATH"]
    environment["ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED"] = "1"  # a source that fails fails the command
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


@pytest.fixture
def free_port():
    """A port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


def inventory_hosts(completed):
    assert completed.returncode == 0, completed.stderr
    return sorted(unwrap(json.loads(completed.stdout)).get("veeam_vbr", {}).get("hosts", []))


def env_without_password(em_env):
    return dict((name, value) for name, value in em_env.items() if name != "VEEAM_EM_PASSWORD")


def test_options_may_be_templates_with_extra_vars(tmp_path, em_env, credentials):
    config = write_config(tmp_path, """
plugin: backupops.veeam.em_backup_servers
username: "{{ em_user }}"
password: "{{ lookup('ansible.builtin.env', 'SOME_OTHER_PASSWORD') }}"
""")
    env = dict(env_without_password(em_env), SOME_OTHER_PASSWORD=credentials["password"])
    del env["VEEAM_EM_USERNAME"]
    completed = ansible_inventory(config, env, "-e", json.dumps({"em_user": credentials["username"]}))
    assert inventory_hosts(completed) == ["127.0.0.1", "127.0.0.2"]


def test_a_vaulted_password_works(tmp_path, em_env, credentials):
    vault_password = tmp_path / "vault-password"
    vault_password.write_text("inventory-vault-secret\n")
    encrypted = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-vault"), "encrypt_string", "--vault-password-file",
         str(vault_password), "--name", "password", credentials["password"]],
        capture_output=True, text=True, env=_environment(), check=True).stdout
    config = write_config(tmp_path, "plugin: backupops.veeam.em_backup_servers\n" + encrypted)
    completed = ansible_inventory(config, env_without_password(em_env), "--vault-password-file", str(vault_password))
    assert inventory_hosts(completed) == ["127.0.0.1", "127.0.0.2"]
    assert credentials["password"] not in completed.stdout + completed.stderr


def test_a_password_from_the_environment_is_never_templated(tmp_path, em_env, credentials):
    """Rendered, this password would be the right one: the logon is refused because it is sent as it is."""
    config = write_config(tmp_path, "plugin: backupops.veeam.em_backup_servers\n")
    looks_like_a_template = "{{ '%s' }}" % credentials["password"]
    completed = ansible_inventory(config, dict(em_env, VEEAM_EM_PASSWORD=looks_like_a_template))
    assert completed.returncode != 0 and "refused the logon" in completed.stderr


def test_a_template_that_fails_names_the_option(tmp_path, em_env):
    config = write_config(tmp_path, 'plugin: backupops.veeam.em_backup_servers\nusername: "{{ no_such_variable }}"\n')
    completed = ansible_inventory(config, em_env)
    assert completed.returncode != 0
    assert "the username option could not be templated" in completed.stderr and "no_such_variable" in completed.stderr


def test_validate_certs_false_warns(tmp_path, em_env):
    config = write_config(tmp_path, "plugin: backupops.veeam.em_backup_servers\nvalidate_certs: false\n")
    completed = ansible_inventory(config, em_env)
    assert inventory_hosts(completed) == ["127.0.0.1", "127.0.0.2"]
    assert "validate_certs is false" in " ".join(completed.stderr.split())


@pytest.fixture(scope="module")
def plain_http_simulator(tmp_path_factory):
    yield from running_simulator(tmp_path_factory, vbr_servers=1, no_tls=True)


def test_plain_http_warns_that_the_password_crosses_unencrypted(tmp_path, plain_http_simulator, credentials):
    config = write_config(tmp_path, "plugin: backupops.veeam.em_backup_servers\n")
    completed = ansible_inventory(config, {"VEEAM_EM_SERVER": plain_http_simulator.em_url,
                                           "VEEAM_EM_USERNAME": credentials["username"],
                                           "VEEAM_EM_PASSWORD": credentials["password"]})
    assert inventory_hosts(completed) == ["127.0.0.1"]
    assert "plain http://" in completed.stderr and "unencrypted" in " ".join(completed.stderr.split())


def test_retries(tmp_path, em_env, em_admin):
    em_admin.fault(method="GET", path="/api/backupServers", status=503, times=1)
    config = write_config(tmp_path, "plugin: backupops.veeam.em_backup_servers\nretries: 0\n")
    completed = ansible_inventory(config, em_env)
    assert completed.returncode != 0 and "HTTP 503" in completed.stderr
    em_admin.fault(method="GET", path="/api/backupServers", status=503, times=1)
    config = write_config(tmp_path, "plugin: backupops.veeam.em_backup_servers\nretries: 2\n")
    assert inventory_hosts(ansible_inventory(config, em_env)) == ["127.0.0.1", "127.0.0.2"]
    assert em_admin.count("GET /api/backupServers") == 3


def test_use_proxy(tmp_path, em_env, free_port):
    """A proxy that refuses every connection: used by default, left out with use_proxy: false."""
    proxy = {"HTTPS_PROXY": "http://127.0.0.1:%d" % free_port, "https_proxy": "http://127.0.0.1:%d" % free_port,
             "NO_PROXY": "", "no_proxy": ""}
    config = write_config(tmp_path, "plugin: backupops.veeam.em_backup_servers\nretries: 0\n")
    completed = ansible_inventory(config, dict(em_env, **proxy))
    assert completed.returncode != 0 and "through the proxy http://127.0.0.1:%d" % free_port in completed.stderr
    config = write_config(tmp_path, "plugin: backupops.veeam.em_backup_servers\nretries: 0\nuse_proxy: false\n")
    assert inventory_hosts(ansible_inventory(config, dict(em_env, **proxy))) == ["127.0.0.1", "127.0.0.2"]


@pytest.mark.parametrize("options, hosts", [
    ("include_names: ['127.0.0.*']", ["127.0.0.1", "127.0.0.2"]),
    ("include_names: ['10.*', '*.2']", ["127.0.0.2"]),
    ("exclude_names: ['*.2']", ["127.0.0.1"]),
    ("include_names: ['127.*']\nexclude_names: ['*.1']", ["127.0.0.2"]),
    ("filters: [\"veeam_vbr_description is search('server 1,')\"]", ["127.0.0.1"]),
    ("filters: [\"veeam_vbr_version is version('13.0', '>=')\", \"veeam_vbr_name == '127.0.0.1'\"]", ["127.0.0.1"]),
    ("filters: ['veeam_vbr_port == 1']", []),
])
def test_what_becomes_a_host(tmp_path, em_env, options, hosts):
    config = write_config(tmp_path, "plugin: backupops.veeam.em_backup_servers\n%s\n" % options)
    assert inventory_hosts(ansible_inventory(config, em_env)) == hosts


def test_a_filter_that_fails_is_named(tmp_path, em_env):
    config = write_config(tmp_path, "plugin: backupops.veeam.em_backup_servers\nfilters: ['no_such_variable > 1']\n")
    completed = ansible_inventory(config, em_env)
    assert completed.returncode != 0 and "no_such_variable > 1" in completed.stderr


@pytest.mark.parametrize("option, message", [
    ("port: 0", "port must be between 1 and 65535, got 0"),
    ("rest_port: 70000", "rest_port must be between 1 and 65535, got 70000"),
    ("timeout: 0", "timeout must be 1 or more, got 0"),
    ("retries: -1", "retries must be 0 or more, got -1"),
])
def test_numbers_out_of_range_are_named(tmp_path, em_env, em_admin, option, message):
    config = write_config(tmp_path, "plugin: backupops.veeam.em_backup_servers\n%s\n" % option)
    completed = ansible_inventory(config, em_env)
    assert completed.returncode != 0 and message in completed.stderr
    assert em_admin.stats()["total"] == 0
