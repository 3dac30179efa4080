"""TLS, for both products: an untrusted certificate fails with the hint, ca_path trusts the server, another CA
or a missing file fails clearly, and validate_certs: false connects with a warning. An expired certificate, a
certificate for another host name, an unknown CA, a port without TLS and a CA file that cannot serve each get
their own message."""

import json
import socket

import pytest

from tests.conftest import running_simulator
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


# ---------------------------------------------------------------------- each TLS problem has its own message
@pytest.fixture(scope="module")
def expired_sim(tmp_path_factory):
    yield from running_simulator(tmp_path_factory, vbr_servers=1, cert_problem="expired")


@pytest.fixture(scope="module")
def wrong_host_sim(tmp_path_factory):
    yield from running_simulator(tmp_path_factory, vbr_servers=1, cert_problem="wrong-host")


@pytest.fixture(scope="module")
def plain_http_sim(tmp_path_factory):
    yield from running_simulator(tmp_path_factory, vbr_servers=1, no_tls=True)


def run_against(product, sim, url=None, ca_path=None):
    """Run the product's info module against another simulator, trusting that simulator's CA."""
    module, prefix, env = product
    url = url or (sim.vbr_url if prefix == "VEEAM_VBR_" else sim.em_url)
    env = dict(env, **{prefix + "SERVER": url, prefix + "CA_PATH": ca_path or sim.ca_path})
    from tests.functional.module_harness import run_module
    return run_module(module, {"retries": 0}, env=env)


def test_expired_certificate(product, expired_sim):
    result = run_against(product, expired_sim)
    assert result.failed and result["error"]["error_code"] == "tls"
    assert "has expired" in result["msg"] and "Renew the server's certificate" in result["msg"]
    assert "not trusted" not in result["msg"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_certificate_for_another_host_name(product, wrong_host_sim, host):
    url = (wrong_host_sim.vbr_url if product[1] == "VEEAM_VBR_" else wrong_host_sim.em_url).replace("127.0.0.1", host)
    result = run_against(product, wrong_host_sim, url=url)
    assert result.failed and result["error"]["error_code"] == "tls"
    assert "is not valid for the name %s" % host in result["msg"] and "ca_path cannot fix this" in result["msg"]
    assert "has expired" not in result["msg"] and "not trusted" not in result["msg"]


def test_unknown_ca_is_not_mistaken_for_another_problem(product):
    result = run(product, {}, ca_path=None)
    assert "not trusted" in result["msg"] and "save the server's certificate" in result["msg"]
    assert "has expired" not in result["msg"] and "not valid for the name" not in result["msg"]


def test_https_to_a_plain_http_port(product, plain_http_sim, ca_path):
    url = (plain_http_sim.vbr_url if product[1] == "VEEAM_VBR_" else plain_http_sim.em_url).replace("http://", "https://")
    result = run_against(product, plain_http_sim, url=url, ca_path=ca_path)
    assert result.failed and result["error"]["error_code"] == "tls"
    assert "TLS handshake" in result["msg"] and "Check that the port speaks HTTPS" in result["msg"]


def unreadable_file(tmp_path):
    """A path that exists but cannot be read, even by root: a UNIX socket (permission bits do not stop root)."""
    path = str(tmp_path / "ca.sock")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    return path, listener


@pytest.mark.parametrize("content", [b"", b"   \n\n"])
def test_an_empty_ca_file_is_not_given_and_says_so(product, tmp_path, content, sim_admin, em_admin):
    """AWX writes a credential's CA file even when the field is blank: an empty file counts as no ca_path, with a
    warning that names it (the server's self-signed certificate is then not trusted, which the error says)."""
    path = str(tmp_path / "ca.pem")
    with open(path, "wb") as handle:
        handle.write(content)
    result = run(product, {}, ca_path=path)
    assert "ca_path %s is empty, so it is ignored" % path in json.dumps(result.get("warnings"))
    assert result.failed and result["error"]["error_code"] == "tls"


@pytest.mark.parametrize("content, fragment", [
    (b"this is not a certificate\n", "holds no certificate that can be read"),
    (b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
     "holds no certificate that can be read"),
    (None, "cannot be read"),
])
def test_a_ca_file_that_cannot_serve_is_named_before_anything_is_sent(product, tmp_path, content, fragment,
                                                                      sim_admin, em_admin):
    listener = None
    if content is None:
        path, listener = unreadable_file(tmp_path)
    else:
        path = str(tmp_path / "ca.pem")
        with open(path, "wb") as handle:
            handle.write(content)
    try:
        result = run(product, {}, ca_path=path)
    finally:
        if listener is not None:
            listener.close()
    assert result.failed and result["error"]["error_code"] == "invalid_input"
    assert "ca_path %s %s" % (path, fragment) in result["msg"] and "BEGIN CERTIFICATE" in result["msg"]
    assert sim_admin.stats()["total"] == 0 and em_admin.stats()["total"] == 0
