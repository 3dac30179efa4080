"""No password, access token, refresh token or EM session id anywhere: not in the output of -vvv runs, not in
returned values, not in warnings or errors - for every module, the inventory plugin and the playbooks, with
and without failures injected.

The secrets checked are all the simulators issued during the test (``/_sim/secrets``) plus the password.
"""

import json
import os

import pytest

from tests.functional.module_harness import REPO_ROOT, run_playbook
from tests.functional.test_inventory import ansible_inventory, write_config

# Every module, once, with arguments that succeed on a fresh simulator.
EVERY_MODULE = [
    ("backupops.veeam.vbr_user", {"users": [{"name": "TECH\\jane.doe", "roles": ["Restore Operator"]}]}),
    ("backupops.veeam.vbr_user_roles", {"name": "TECH\\william.fox", "roles": ["Backup Viewer"]}),
    ("backupops.veeam.vbr_mfa", {"reset_for": ["TECH\\william.fox"]}),
    ("backupops.veeam.vbr_user_info", {"role": "Restore Operator"}),
    ("backupops.veeam.vbr_role_info", {"name": "Restore Operator", "permissions": True}),
    ("backupops.veeam.vbr_role", {"name": "Auditors", "api_version": "1.3-rev2", "description": "Read-only audit"}),
    ("backupops.veeam.em_account", {"name": "TECH\\jane.doe", "roles": ["Portal User"]}),
    ("backupops.veeam.em_rebuild_scope", {"wait_timeout": 30, "poll_interval": 0.1}),
    ("backupops.veeam.em_account_info", {}),
    ("backupops.veeam.em_role_info", {}),
    ("backupops.veeam.vbr_authorization_event_info", {"state": ["Pending", "Info"]}),
    ("backupops.veeam.vbr_conformance", {"write": True, "test_account": "TECH\\new.user"}),
    ("backupops.veeam.em_conformance", {"write": True, "test_account": "TECH\\new.user"}),
]


def every_module_playbook(path, ignore_errors):
    tasks = []
    for index, (module, args) in enumerate(EVERY_MODULE):
        tasks.append({"name": "%02d %s" % (index, module), module: args, "register": "result_%02d" % index,
                      "ignore_errors": ignore_errors})
    tasks.append({"name": "Print every result", "ansible.builtin.debug": {
        "msg": "{{ [%s] }}" % ", ".join("result_%02d" % index for index in range(len(EVERY_MODULE)))}})
    play = [{"hosts": "localhost", "gather_facts": False, "connection": "local", "tasks": tasks}]
    path.write_text(json.dumps(play))
    return str(path)


def secrets_issued(sim_admin, em_admin, credentials):
    secrets = sim_admin.issued_secrets() + em_admin.issued_secrets() + [credentials["password"]]
    return [secret for secret in secrets if secret]


def assert_no_secrets(texts, secrets):
    leaked = [secret for secret in secrets if any(secret in text for text in texts)]
    assert not leaked, "%d secret(s) leaked, the first starts with %s" % (len(leaked), leaked[0][:4] if leaked else "")


def test_every_module_at_vvv(tmp_path, vbr_env, em_env, sim_admin, em_admin, credentials):
    sim_admin.fault(method="GET", path="/api/v1/security/roles", status=401)  # a token renewal on the way
    run = run_playbook(every_module_playbook(tmp_path / "all.yml", False), env=dict(vbr_env, **em_env), verbosity=3)
    assert run.returncode == 0, run.stdout[-3000:]
    secrets = secrets_issued(sim_admin, em_admin, credentials)
    assert len(secrets) >= 1 + 2 * len(EVERY_MODULE) // 2, "every module logs in: %d secrets" % len(secrets)
    assert_no_secrets([run.stdout, run.stderr, json.dumps(run.report)], secrets)


def test_every_module_failing_at_vvv(tmp_path, vbr_env, em_env, sim_admin, em_admin, credentials):
    """After the login every read fails: the error path of each module, with the secrets in play."""
    for admin in (sim_admin, em_admin):
        admin.fault(method="GET", path="*", status=500, times=0,
                    body={"errorCode": "UnknownError", "message": "database is down"})
    run = run_playbook(every_module_playbook(tmp_path / "fail.yml", True), env=dict(vbr_env, **em_env), verbosity=3)
    failed = [task for play in run.report["plays"] for task in play["tasks"]
              if task["hosts"]["localhost"].get("failed")]
    assert len(failed) == len(EVERY_MODULE), run.stdout[-3000:]
    assert "database is down" in run.stdout
    assert_no_secrets([run.stdout, run.stderr, json.dumps(run.report)], secrets_issued(sim_admin, em_admin, credentials))


def test_wrong_password_is_not_echoed(tmp_path, vbr_env, em_env, sim_admin, em_admin):
    wrong = "Wr0ng-but-s3cret!"
    env = dict(vbr_env, **em_env)
    env.update(VEEAM_VBR_PASSWORD=wrong, VEEAM_EM_PASSWORD=wrong)
    run = run_playbook(every_module_playbook(tmp_path / "wrong.yml", True), env=env, verbosity=3)
    assert "refused the login" in run.stdout
    assert_no_secrets([run.stdout, run.stderr, json.dumps(run.report)], [wrong])


@pytest.mark.parametrize("playbook, extra_vars", [
    ("onboard.yml", {"veeam_onboard_users": [
        {"name": "TECH\\jane.doe", "vbr_roles": ["Restore Operator"], "em_roles": ["VM Restore Operator"],
         "restore_scope": [{"ref": "urn:VMware:Vm:7f6b6270-1f3b-4dc6-872f-2d1dfc519c00.vm-2041", "name": "ws"}],
         "reset_mfa": True}]}),
    ("offboard.yml", {"veeam_offboard_users": ["TECH\\william.fox"]}),
    ("access.yml", {"veeam_access_vbr": [{"group": "veeam_vbr", "accounts": [
        {"name": "TECH\\jane.doe", "roles": ["Restore Operator"]},
        {"name": "TECH\\sheila.d.cory", "roles": ["Backup Administrator"]}]}],
        "veeam_access_em": [{"name": "TECH\\jane.doe", "roles": ["VM Restore Operator"]}],
        "veeam_access_keep": ["BUILTIN\\Administrators"], "veeam_access_report_dir": ""}),
])
@pytest.mark.parametrize("fault", [False, True], ids=["clean", "with-faults"])
def test_playbooks_at_vvv(playbook, extra_vars, fault, tmp_path, simulator, vbr_env, em_env, sim_admin, em_admin,
                          credentials):
    if fault:
        sim_admin.fault(method="POST", path="/api/v1/security/users", status=401)  # renew mid-run
        sim_admin.fault(method="GET", path="/api/v1/security/users", status=503, times=2)
        em_admin.fault(method="GET", path="/api/security/accounts", status=401)  # log on again
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(json.dumps({"veeam_vbr": {"hosts": {"vbr01": {"veeam_vbr_server": simulator.vbr_url}}}}))
    run = run_playbook(os.path.join(REPO_ROOT, "playbooks", playbook), inventory=str(inventory),
                       extra_vars=extra_vars, env=dict(vbr_env, **em_env), verbosity=3)
    assert run.returncode == 0, run.stdout[-3000:]
    assert_no_secrets([run.stdout, run.stderr, json.dumps(run.report)], secrets_issued(sim_admin, em_admin, credentials))


def test_inventory_plugin_at_vvv(tmp_path, em_env, em_admin, credentials):
    completed = ansible_inventory(write_config(tmp_path, "plugin: backupops.veeam.em_backup_servers\n"), em_env, "-vvv")
    assert completed.returncode == 0, completed.stderr[-2000:]
    secrets = em_admin.issued_secrets() + [credentials["password"]]
    assert em_admin.issued_secrets(), "the plugin should have logged on"
    assert_no_secrets([completed.stdout, completed.stderr], secrets)
