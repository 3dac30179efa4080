"""TLS material for the simulator: a CA and a server certificate it signs (so ca_path can be tested).

``problem`` makes the server certificate faulty while the CA stays valid, for the TLS error tests:
``"expired"`` (its validity ended yesterday) or ``"wrong-host"`` (issued for another name than the servers').
"""

import datetime
import ipaddress
import os
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CA_FILE, CERT_FILE, KEY_FILE = "ca.pem", "server.pem", "server-key.pem"
CERT_PROBLEMS = ("expired", "wrong-host")
WRONG_HOST = "not-this-server.invalid"


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "backupops.veeam simulator"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write(path, data, private=False):
    with open(path, "wb") as handle:
        handle.write(data)
    if private:
        os.chmod(path, 0o600)


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _sans(hosts):
    names = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def _covers(cert_path, hosts):
    try:
        with open(cert_path, "rb") as handle:
            cert = x509.load_pem_x509_certificate(handle.read())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    present = set(str(value) for value in san.get_values_for_type(x509.IPAddress))
    present.update(san.get_values_for_type(x509.DNSName))
    still_valid = cert.not_valid_after_utc > datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    return still_valid and all(host in present for host in hosts)


def ensure_certificates(cert_dir, hosts, problem=None):
    """Write (or reuse) ``ca.pem``, ``server.pem`` and ``server-key.pem`` in ``cert_dir``; returns their paths.

    With a ``problem`` (see the module's doc) the certificates are always made afresh.
    """
    if problem not in (None,) + CERT_PROBLEMS:
        raise ValueError("unknown certificate problem %r: use one of %s" % (problem, ", ".join(CERT_PROBLEMS)))
    os.makedirs(cert_dir, exist_ok=True)
    paths = tuple(os.path.join(cert_dir, name) for name in (CA_FILE, CERT_FILE, KEY_FILE))
    if problem is None and all(os.path.exists(path) for path in paths) and _covers(paths[1], hosts):
        return paths
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (x509.CertificateBuilder().subject_name(_name("Veeam simulator CA")).issuer_name(_name("Veeam simulator CA"))
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=60)).not_valid_after(now + datetime.timedelta(days=825))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
               .sign(ca_key, hashes.SHA256()))
    if problem == "expired":
        valid_from, valid_until = now - datetime.timedelta(days=30), now - datetime.timedelta(days=1)
    else:
        valid_from, valid_until = now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=397)
    names = [WRONG_HOST] if problem == "wrong-host" else list(hosts)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (x509.CertificateBuilder().subject_name(_name(names[0])).issuer_name(ca_cert.subject)
                   .public_key(server_key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(valid_from).not_valid_after(valid_until)
                   .add_extension(x509.SubjectAlternativeName(_sans(names)), critical=False)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                   .sign(ca_key, hashes.SHA256()))
    _write(paths[0], ca_cert.public_bytes(serialization.Encoding.PEM))
    _write(paths[1], server_cert.public_bytes(serialization.Encoding.PEM))
    _write(paths[2], _key_pem(server_key), private=True)
    return paths


def throwaway_certificates(hosts, problem=None):
    """A fresh CA + server certificate in a temporary directory: untrusted, like a real Veeam server's."""
    return ensure_certificates(tempfile.mkdtemp(prefix="veeam-sim-certs-"), hosts, problem)
