"""TLS, for both products: an untrusted certificate fails with the hint, ca_path trusts the server, another CA
or a missing file fails clearly, and validate_certs: false connects with a warning."""

import json

import pytest

from tests.simulator.certs import throwaway_certificates

PRODUCTS = {
    "vbr": ("vbr_role_info", "VEEAM_VBR_"),
    "em": ("em_role_info", "VEEAM_EM_"),
}


@pytest.fixture(params=sorted(PRODUCTS))
def product(request, vbr_env, em_env):
    module, prefix = PRODUCTS[request.param]
    env = dict(vbr_env if request.param == "vbr" else em_env)
    return module, prefix, env


def run(product, args, ca_path="keep"):
    from tests.functional.module_harness import run_module
    module, prefix, env = product
    env = dict(env)
    if ca_path is None:
        del env[prefix + "CA_PATH"]
    elif ca_path != "keep":
        env[prefix + "CA_PATH"] = ca_path
    return run_module(module, dict(args, retries=0), env=env)


def test_untrusted_certificate_fails_with_the_hint(product):
    result = run(product, {}, ca_path=None)
    assert result.failed and result["error"]["error_code"] == "tls"
    assert "not trusted" in result["msg"] and "ca_path" in result["msg"]


def test_ca_path_trusts_the_server(product):
    result = run(product, {})
    assert not result.failed and result["roles"]
    assert "warnings" not in result


def test_another_ca_is_not_trusted(product, tmp_path):
    other_ca, _cert, _key = throwaway_certificates(["127.0.0.1"])
    result = run(product, {}, ca_path=other_ca)
    assert result.failed and "not trusted" in result["msg"]


def test_missing_ca_file_is_named(product, tmp_path):
    missing = str(tmp_path / "no-such-ca.pem")
    result = run(product, {}, ca_path=missing)
    assert result.failed and "no-such-ca.pem" in result["msg"]


def test_validate_certs_false_connects_and_warns(product):
    result = run(product, {"validate_certs": False}, ca_path=None)
    assert not result.failed and result["roles"]
    # ansible-core 2.19 reports warnings as structured events, older versions as strings.
    assert "validate_certs is false" in json.dumps(result.get("warnings", []))
