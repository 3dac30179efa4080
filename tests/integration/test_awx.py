"""AWX / Automation Platform: the onboarding playbook through ansible-runner with credentials injected exactly as
the documented custom credential types (docs/awx/credential_type_*.yml) inject them; the EE definition builds."""

import os
import subprocess
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


def test_onboarding_through_ansible_runner_with_awx_credentials(simulator, sim_admin, em_admin, tmp_path):
    with open(simulator.ca_path) as handle:
        ca_pem = handle.read()
    login = {"username": simulator.config.username, "password": simulator.config.password, "ca_certificate": ca_pem}
    env = inject("credential_type_vbr.yml", dict(login, server=simulator.vbr_url, api_version="1.3-rev1"), str(tmp_path))
    env.update(inject("credential_type_em.yml", dict(login, server=simulator.em_url), str(tmp_path)))
    env.update({"ANSIBLE_COLLECTIONS_PATH": COLLECTIONS_PATH, "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
                "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")})
    inventory = tmp_path / "inventory.yml"
    inventory.write_text("veeam_vbr:\n  hosts:\n    vbr01:\n      veeam_em_server: \"%s\"\n" % simulator.em_url)
    with open(PEOPLE) as handle:
        people = yaml.safe_load(handle)
    (tmp_path / "runner").mkdir()
    result = ansible_runner.run(private_data_dir=str(tmp_path / "runner"), playbook=os.path.join(
        REPO_ROOT, "playbooks", "onboard.yml"), inventory=str(inventory), envvars=env, extravars=people, quiet=True)
    assert result.status == "successful", result.stdout.read()[-3000:]
    assert sim_admin.user("TECH\\jane.doe") is not None
    assert "TECH\\jane.doe" in [account["name"] for account in em_admin.state()["accounts"]]
    output = result.stdout.read()
    assert simulator.config.password not in output


def test_credential_type_env_names_match_the_modules():
    for filename, prefix in (("credential_type_vbr.yml", "VEEAM_VBR_"), ("credential_type_em.yml", "VEEAM_EM_")):
        with open(os.path.join(REPO_ROOT, "docs", "awx", filename)) as handle:
            names = yaml.safe_load(handle)["injectors"]["env"]
        assert names and all(name.startswith(prefix) for name in names)
        assert not any(name.startswith("ANSIBLE_") for name in names)


def test_execution_environment_context_is_created(tmp_path):
    builder = os.path.join(os.path.dirname(sys.executable), "ansible-builder")
    completed = subprocess.run([builder, "create", "-f", os.path.join(REPO_ROOT, "execution-environment.yml"),
                                "-c", str(tmp_path / "context")], cwd=REPO_ROOT, capture_output=True, text=True,
                               timeout=120, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    containerfile = (tmp_path / "context" / "Dockerfile").read_text()
    assert "ansible-galaxy collection install" in containerfile
    assert (tmp_path / "context" / "_build" / "veeam-collection").is_dir()
    assert "requests" in (tmp_path / "context" / "_build" / "requirements.txt").read_text()
