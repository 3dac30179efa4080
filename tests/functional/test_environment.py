"""Empty VEEAM_* environment variables mean "not set", and an empty CA file means "no CA file given" (with a
warning), in the modules and in the inventory plugin: what AWX's credential types inject for fields left blank.

The servers' CA is then trusted through REQUESTS_CA_BUNDLE, the way a CA in the machine's trust store would be.
"""

import json

import pytest

from tests.functional.module_harness import run_module
from tests.functional.test_inventory import ansible_inventory, unwrap, write_config

# The optional connection variables of each product, all empty (AWX renders every env injector).
BLANK = {
    "vbr": ["VEEAM_VBR_PORT", "VEEAM_VBR_VALIDATE_CERTS", "VEEAM_VBR_TIMEOUT", "VEEAM_VBR_API_VERSION",
            "VEEAM_VBR_ACCESS_TOKEN"],
    "em": ["VEEAM_EM_PORT", "VEEAM_EM_VALIDATE_CERTS", "VEEAM_EM_TIMEOUT"],
}
INFO_MODULE = {"vbr": "vbr_role_info", "em": "em_role_info"}


@pytest.fixture(params=sorted(BLANK))
def product(request, vbr_env, em_env):
    env = dict(vbr_env if request.param == "vbr" else em_env)
    env.update(dict((name, "") for name in BLANK[request.param]))
    return request.param, env


@pytest.fixture
def empty_ca(tmp_path):
    path = tmp_path / "cred_ca"
    path.write_text("")
    return str(path)


def ca_variable(product_name):
    return "VEEAM_%s_CA_PATH" % product_name.upper()


@pytest.mark.parametrize("blank", ["", "  "])
def test_empty_optional_variables_keep_the_defaults(product, blank):
    name, env = product
    env.update(dict((variable, blank) for variable in BLANK[name]))
    result = run_module(INFO_MODULE[name], {}, env=env)
    assert not result.failed, result["msg"]
    assert result["roles"] and "warnings" not in result


def test_empty_ca_file_is_ignored_with_a_warning(product, empty_ca, ca_path):
    name, env = product
    env.update({ca_variable(name): empty_ca, "REQUESTS_CA_BUNDLE": ca_path})
    result = run_module(INFO_MODULE[name], {}, env=env)
    assert not result.failed, result["msg"]
    assert result["roles"]
    # ansible-core 2.19 and later report warnings as structured events, older versions as strings.
    warnings = json.dumps(result["warnings"])
    assert empty_ca in warnings and "is empty, so it is ignored" in warnings


def test_empty_ca_file_and_validate_certs_keep_checking_the_certificate(product, empty_ca):
    """Not trusted anywhere: the certificate check still happens (an empty VEEAM_*_VALIDATE_CERTS is not false)."""
    name, env = product
    env[ca_variable(name)] = empty_ca
    result = run_module(INFO_MODULE[name], {"retries": 0}, env=env)
    assert result.failed and result["error"]["error_code"] == "tls"
    assert "not trusted" in result["msg"]


def test_inventory_plugin_reads_empty_variables_as_not_set(tmp_path, em_env, em_admin, empty_ca, ca_path):
    env = dict(em_env, REQUESTS_CA_BUNDLE=ca_path, VEEAM_EM_CA_PATH=empty_ca)
    env.update(dict((name, "") for name in BLANK["em"]))
    completed = ansible_inventory(write_config(tmp_path, "plugin: backupops.veeam.em_backup_servers\n"), env)
    assert completed.returncode == 0, completed.stderr
    assert sorted(unwrap(json.loads(completed.stdout))["veeam_vbr"]["hosts"]) == ["127.0.0.1", "127.0.0.2"]
    assert "is empty, so it is ignored" in " ".join(completed.stderr.split())


def test_inventory_plugin_keeps_checking_certificates_when_validate_certs_is_empty(tmp_path, em_env, empty_ca):
    env = dict(em_env, VEEAM_EM_CA_PATH=empty_ca, VEEAM_EM_VALIDATE_CERTS="")
    completed = ansible_inventory(write_config(tmp_path, "plugin: backupops.veeam.em_backup_servers\n"), env)
    assert "veeam_vbr" not in completed.stdout
    assert "not trusted" in completed.stderr
