"""module_defaults with the action groups, and environment fallbacks, as users write them."""

from tests.functional.module_harness import run_playbook


def test_module_defaults_group_sets_connection_for_every_module(tmp_path, simulator, sim_admin, em_admin, credentials):
    playbook = tmp_path / "groups.yml"
    playbook.write_text("""
- hosts: localhost
  gather_facts: false
  connection: local
  module_defaults:
    group/backupops.veeam.vbr:
      server: "%(vbr)s"
      username: "%(user)s"
      password: "%(password)s"
      ca_path: "%(ca)s"
    group/backupops.veeam.em:
      server: "%(em)s"
      username: "%(user)s"
      password: "%(password)s"
      ca_path: "%(ca)s"
  tasks:
    - name: VBR roles
      backupops.veeam.vbr_role_info:
      register: vbr
    - name: EM roles
      backupops.veeam.em_role_info:
      register: em
    - name: Both answered
      ansible.builtin.assert:
        that:
          - vbr.roles | length > 3
          - em.roles | length > 3
""" % {"vbr": simulator.vbr_url, "em": simulator.em_url, "user": credentials["username"].replace("\\", "\\\\"),
       "password": credentials["password"], "ca": simulator.ca_path})
    run = run_playbook(str(playbook))
    assert run.returncode == 0, run.stdout[-3000:]
