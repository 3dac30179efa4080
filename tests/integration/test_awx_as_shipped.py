"""AWX / Automation Platform as the docs ship it, without ansible-runner (so every tested ansible-core runs it):

- the survey wrapper of docs/awx.md, passed the way AWX passes a job's extra variables (``-e @file``, the job
  template's variables as written, the survey answers marked ``!unsafe``), with the Enterprise Manager roles
  question answered or left blank;
- the credential types as code (docs/awx/credential_types.yml): what reaches ``awx.awx.credential_type`` is the
  definitions' text, with the injector templates unrendered (AWX renders them, not the playbook).
"""

import json
import os
import re
import textwrap

import pytest
import yaml

from tests.functional.module_harness import COLLECTIONS_PATH, REPO_ROOT, run_playbook
from tests.simulator.em import VM_RESTORE_OPERATOR_ID

AWX_DOC = os.path.join(REPO_ROOT, "docs", "awx.md")
AWX_DIR = os.path.join(REPO_ROOT, "docs", "awx")
ONBOARD = os.path.join(REPO_ROOT, "playbooks", "onboard.yml")
RESTORE_OPERATOR = "b167c3af-2262-4b6c-9861-0606fc0cb6b1"


def survey_wrapper():
    """The extra variables the docs tell users to put on the onboarding job template (the survey section)."""
    with open(AWX_DOC) as handle:
        text = handle.read()
    section = text[text.index("A survey for onboarding one person"):]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)


def unsafe(value):
    """A survey answer as AWX writes it into the job's extra variables: every string marked !unsafe."""
    if isinstance(value, list):
        return "[%s]" % ", ".join(unsafe(item) for item in value)
    return "!unsafe %s" % json.dumps(value)


def awx_extra_vars(path, answers):
    lines = [survey_wrapper()]
    lines += ["%s: %s" % (name, unsafe(value)) for name, value in answers.items()]
    path.write_text("\n".join(lines) + "\n")
    return "@%s" % path


@pytest.fixture
def awx_inventory(simulator, tmp_path):
    path = tmp_path / "inventory.yml"
    path.write_text("veeam_vbr:\n  hosts:\n    vbr01:\n      veeam_vbr_server: \"%s\"\n"
                    "  vars:\n    veeam_em_server: \"%s\"\n" % (simulator.vbr_url, simulator.em_url))
    return str(path)


@pytest.fixture
def credentials_env(simulator):
    env = {}
    for product in ("VBR", "EM"):
        env.update({"VEEAM_%s_USERNAME" % product: simulator.config.username,
                    "VEEAM_%s_PASSWORD" % product: simulator.config.password,
                    "VEEAM_%s_CA_PATH" % product: simulator.ca_path})
    return env


# The Enterprise Manager roles question left blank, as AWX may pass it: absent, empty text or an empty list.
BLANK_EM_ROLES = {"absent": None, "empty text": "", "empty list": []}


@pytest.mark.parametrize("blank", sorted(BLANK_EM_ROLES))
def test_survey_with_the_em_roles_question_left_blank(blank, awx_inventory, credentials_env, sim_admin, em_admin,
                                                      tmp_path):
    answers = {"survey_account": "TECH\\jane.doe", "survey_vbr_roles": ["Veeam Restore Operator"]}
    if BLANK_EM_ROLES[blank] is not None:
        answers["survey_em_roles"] = BLANK_EM_ROLES[blank]
    run = run_playbook(ONBOARD, inventory=awx_inventory, env=credentials_env,
                       extra_vars=awx_extra_vars(tmp_path / "extravars", answers))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert sim_admin.user("TECH\\jane.doe")["roles"] == [RESTORE_OPERATOR]
    assert "TECH\\jane.doe" not in [account["name"] for account in em_admin.state()["accounts"]]
    assert em_admin.stats()["by_kind"].get("write", 0) == 0


def test_survey_with_em_roles(awx_inventory, credentials_env, sim_admin, em_admin, tmp_path):
    answers = {"survey_account": "TECH\\jane.doe", "survey_vbr_roles": ["Veeam Restore Operator"],
               "survey_em_roles": ["VM Restore Operator"]}
    run = run_playbook(ONBOARD, inventory=awx_inventory, env=credentials_env,
                       extra_vars=awx_extra_vars(tmp_path / "extravars", answers))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert sim_admin.user("TECH\\jane.doe")["roles"] == [RESTORE_OPERATOR]
    accounts = dict((account["name"], account) for account in em_admin.state()["accounts"])
    assert accounts["TECH\\jane.doe"]["roles"] == [VM_RESTORE_OPERATOR_ID]


FAKE_CREDENTIAL_TYPE_MODULE = textwrap.dedent('''\
    #!/usr/bin/python
    """Test double of awx.awx.credential_type: records the arguments it gets (no AWX here)."""
    import json
    import os

    from ansible.module_utils.basic import AnsibleModule


    def main():
        module = AnsibleModule(argument_spec=dict(
            name=dict(type="str", required=True), description=dict(type="str"), kind=dict(type="str"),
            inputs=dict(type="dict"), injectors=dict(type="dict"), state=dict(type="str", default="present")))
        with open(os.environ["RECORD_CREDENTIAL_TYPES"], "a") as handle:
            handle.write(json.dumps(module.params) + "\\n")
        module.exit_json(changed=True)


    if __name__ == "__main__":
        main()
    ''')


def test_credential_types_as_code_reach_awx_unrendered(tmp_path):
    modules = tmp_path / "collections" / "ansible_collections" / "awx" / "awx" / "plugins" / "modules"
    modules.mkdir(parents=True)
    (modules / "credential_type.py").write_text(FAKE_CREDENTIAL_TYPE_MODULE)
    record = tmp_path / "record.jsonl"
    collections = os.pathsep.join([str(tmp_path / "collections"), COLLECTIONS_PATH])
    run = run_playbook(os.path.join(AWX_DIR, "credential_types.yml"),
                       env={"ANSIBLE_COLLECTIONS_PATH": collections, "RECORD_CREDENTIAL_TYPES": str(record)})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    sent = dict((entry["name"], entry) for entry in map(json.loads, record.read_text().splitlines()))
    for filename in ("credential_type_vbr.yml", "credential_type_em.yml"):
        with open(os.path.join(AWX_DIR, filename)) as handle:
            definition = yaml.safe_load(handle)
        got = sent[definition["name"]]
        assert got["kind"] == definition["kind"] and got["description"] == definition["description"]
        assert got["inputs"] == definition["inputs"]
        assert got["injectors"] == definition["injectors"]  # "{{ password }}" stays a template for AWX
        assert got["state"] == "present"
