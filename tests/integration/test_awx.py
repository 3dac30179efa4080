"""AWX / Automation Platform: the onboarding playbook through ansible-runner with credentials injected exactly as
the documented custom credential types (docs/awx/credential_type_*.yml) inject them (the execution environment:
tests/release/test_execution_environment.py)."""

import os
import sys

import ansible_runner
import jinja2
import yaml

from tests.functional.module_harness import COLLECTIONS_PATH, REPO_ROOT

PEOPLE = os.path.join(REPO_ROOT, "playbooks", "vars", "people.example.yml")


def inject(credential_type_file, values, private_dir):
    """What AWX does with a credential: write the file injectors, render the env injectors."""
    with open(os.path.join(REPO_ROOT, "docs", "awx", credential_type_file)) as handle:
        credential_type = yaml.safe_load(handle)
    files = {}
    for name, template in credential_type["injectors"].get("file", {}).items():
        path = os.path.join(private_dir, "cred_%s_%s" % (credential_type_file.split(".")[0], name.split(".")[-1]))
        with open(path, "w") as handle:
            handle.write(jinja2.Template(template).render(**values))
        files[name.split(".")[-1]] = path
    context = dict(values, tower={"filename": files})
    return dict((name, jinja2.Template(template).render(**context))
                for name, template in credential_type["injectors"]["env"].items())


def run_onboarding(env, inventory_text, tmp_path):
    """The onboarding playbook as an AWX job runs it: ansible-runner, the injected environment, no interpreter set
    (the playbook picks the controller's Python itself)."""
    env = dict(env, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH,
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(inventory_text)
    with open(PEOPLE) as handle:
        people = yaml.safe_load(handle)
    (tmp_path / "runner").mkdir()
    return ansible_runner.run(private_data_dir=str(tmp_path / "runner"), playbook=os.path.join(
        REPO_ROOT, "playbooks", "onboard.yml"), inventory=str(inventory), envvars=env, extravars=people, quiet=True)


def test_onboarding_through_ansible_runner_with_awx_credentials(simulator, sim_admin, em_admin, tmp_path):
    with open(simulator.ca_path) as handle:
        ca_pem = handle.read()
    login = {"username": simulator.config.username, "password": simulator.config.password, "ca_certificate": ca_pem}
    env = inject("credential_type_vbr.yml", dict(login, server=simulator.vbr_url, api_version="1.3-rev1"), str(tmp_path))
    env.update(inject("credential_type_em.yml", dict(login, server=simulator.em_url), str(tmp_path)))
    result = run_onboarding(env, "veeam_vbr:\n  hosts:\n    vbr01:\n      veeam_em_server: \"%s\"\n" % simulator.em_url,
                            tmp_path)
    assert result.status == "successful", result.stdout.read()[-3000:]
    assert sim_admin.user("TECH\\jane.doe") is not None
    assert "TECH\\jane.doe" in [account["name"] for account in em_admin.state()["accounts"]]
    output = result.stdout.read()
    assert simulator.config.password not in output


def test_optional_fields_left_blank(simulator, sim_admin, em_admin, tmp_path):
    """Every optional field of both credentials left blank, as AWX then injects them: an empty CA file, an empty
    VEEAM_VBR_SERVER and VEEAM_VBR_API_VERSION. The servers' CA is trusted by the execution environment itself
    (REQUESTS_CA_BUNDLE here, a company CA in the image's trust store in real life)."""
    login = {"username": simulator.config.username, "password": simulator.config.password, "ca_certificate": ""}
    env = inject("credential_type_vbr.yml", dict(login, server="", api_version=""), str(tmp_path))
    env.update(inject("credential_type_em.yml", dict(login, server=simulator.em_url), str(tmp_path)))
    assert env["VEEAM_VBR_SERVER"] == env["VEEAM_VBR_API_VERSION"] == ""
    assert os.path.getsize(env["VEEAM_VBR_CA_PATH"]) == os.path.getsize(env["VEEAM_EM_CA_PATH"]) == 0
    env["REQUESTS_CA_BUNDLE"] = simulator.ca_path
    result = run_onboarding(env, "veeam_vbr:\n  hosts:\n    vbr01:\n      veeam_vbr_server: \"%s\"\n"
                                 "      veeam_em_server: \"%s\"\n" % (simulator.vbr_url, simulator.em_url), tmp_path)
    output = result.stdout.read()
    assert result.status == "successful", output[-3000:]
    assert sim_admin.user("TECH\\jane.doe") is not None
    assert "TECH\\jane.doe" in [account["name"] for account in em_admin.state()["accounts"]]
    assert "is empty, so it is ignored" in " ".join(output.split())


def test_credential_type_env_names_match_the_modules():
    for filename, prefix in (("credential_type_vbr.yml", "VEEAM_VBR_"), ("credential_type_em.yml", "VEEAM_EM_")):
        with open(os.path.join(REPO_ROOT, "docs", "awx", filename)) as handle:
            names = yaml.safe_load(handle)["injectors"]["env"]
        assert names and all(name.startswith(prefix) for name in names)
        assert not any(name.startswith("ANSIBLE_") for name in names)
