"""No password, token or session id in any output, even with -vvv and on failures."""

from tests.functional.module_harness import run_playbook

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  connection: local
  tasks:
    - name: VBR roles
      backupops.veeam.vbr_role_info:
        permissions: true
      register: vbr_roles
    - name: EM roles
      backupops.veeam.em_role_info:
      register: em_roles
    - name: Show everything the modules returned
      ansible.builtin.debug:
        var: item
      loop: [ "{{ vbr_roles }}", "{{ em_roles }}" ]
    - name: A failing call (expired tokens are renewed; an unknown role fails)
      backupops.veeam.vbr_role_info:
        name: No Such Role
      ignore_errors: true
"""


def assert_no_secrets(run, secrets):
    output = run.stdout + run.stderr
    leaked = [secret for secret in secrets if secret and secret in output]
    assert not leaked, "secrets leaked into the output: %d of them" % len(leaked)


def test_no_secret_in_vvv_output(tmp_path, vbr_env, em_env, sim_admin, em_admin, credentials):
    playbook = tmp_path / "secrets.yml"
    playbook.write_text(PLAYBOOK)
    env = dict(vbr_env, **em_env)
    run = run_playbook(str(playbook), env=env, verbosity=3)
    assert run.returncode == 0, run.stdout[-3000:]
    secrets = sim_admin.issued_secrets() + em_admin.issued_secrets() + [credentials["password"]]
    assert len(secrets) >= 4
    assert_no_secrets(run, secrets)


def test_no_secret_when_the_server_fails(tmp_path, vbr_env, sim_admin, credentials):
    sim_admin.fault(method="GET", path="/api/v1/security/roles", status=500, times=0,
                    body={"errorCode": "UnknownError", "message": "database is down"})
    playbook = tmp_path / "fail.yml"
    playbook.write_text(PLAYBOOK.split("    - name: EM roles", maxsplit=1)[0])
    run = run_playbook(str(playbook), env=vbr_env, verbosity=3)
    assert run.returncode != 0
    assert "database is down" in run.stdout
    assert_no_secrets(run, sim_admin.issued_secrets() + [credentials["password"]])
