"""Shared fixtures: one simulator per test session, reset before every test that uses it.

- ``simulator``: the running :class:`tests.simulator.Simulator` (two VBR servers acting as VBR 13.1, one
  Enterprise Manager, TLS with a CA in a temp dir, ``--validate-spec`` on).
- ``sim_admin`` / ``em_admin``: reset the VBR / EM server before the test and give the test the admin API
  (stats, faults, tokens, directory, users, state); after the test ``sim_admin`` fails it if any VBR request
  or response violated Veeam's OpenAPI spec.
- ``vbr_url``, ``vbr_urls``, ``em_url``, ``ca_path``, ``credentials`` (``username``/``password``),
  ``vbr_env`` / ``em_env``: the ``VEEAM_*`` environment variables a module needs to reach the simulator.
- ``old_simulator``: a second simulator acting as VBR 13.0.1 / 12.3 (``request.param``), for version errors.
- ``prefixed_simulator``: a second VBR 13.1 that names its built-in roles the 13.0 way ("Veeam Restore Operator");
  ``named_vbr`` runs a test against both (``plain`` is the session simulator), giving a :class:`NamedVbr`.
- :func:`running_simulator`: start another simulator with its own settings, in a fixture of a test module.
"""

import pytest
import requests

from tests.simulator import SimConfig, Simulator


class SimAdmin(object):
    """The simulator's admin API (``/_sim/``) for one server."""

    def __init__(self, base_url, ca_path, kind="vbr"):
        self.base_url = base_url
        self.kind = kind
        self.session = requests.Session()
        self.ca_path = ca_path

    def _call(self, method, path, body=None):
        response = self.session.request(method, self.base_url + "/_sim/" + path, json=body, timeout=30, verify=self.ca_path)
        response.raise_for_status()
        return response.json()

    def reset(self):
        return self._call("POST", "reset")

    def stats(self):
        return self._call("GET", "stats")

    def reset_stats(self):
        return self._call("POST", "stats/reset")

    def count(self, route):
        """How many requests ``route`` (e.g. ``"POST /api/v1/security/users"``) received."""
        return self.stats()["by_route"].get(route, 0)

    def writes(self):
        return self.stats()["by_kind"].get("write", 0)

    def fault(self, **rule):
        return self._call("POST", "faults", rule)

    def clear_faults(self):
        return self._call("DELETE", "faults")

    def state(self):
        return self._call("GET", "state")

    def violations(self):
        return self._call("GET", "violations")["violations"]

    def clear_violations(self):
        return self._call("DELETE", "violations")

    def issued_secrets(self):
        """Every access/refresh token (VBR) or logon session id (EM) the server has handed out since the reset."""
        path = "em/sessions" if "em" in self.kind else "tokens"
        data = self._call("GET", path)
        return data.get("tokens") or data.get("sessions") or []

    # VBR only
    def expire_tokens(self):
        return self._call("POST", "tokens/expire")

    def refuse_refresh(self, enabled=True):
        return self._call("POST", "tokens/refuse-refresh", {"enabled": enabled})

    def add_directory(self, users=(), groups=(), domains=()):
        return self._call("POST", "directory", {"users": list(users), "groups": list(groups), "domains": list(domains)})

    def add_users(self, users):
        return self._call("POST", "users", {"users": list(users)})

    def add_credentials(self, username, password, account=None):
        """A login; with ``account``, another spelling of that account (``svc@tech.local`` for ``TECH\\svc``)."""
        path = "em/credentials" if "em" in self.kind else "credentials"
        return self._call("POST", path, {"username": username, "password": password, "account": account})

    def user(self, name):
        """A user's stored record by name (case-insensitive), or None."""
        wanted = name.casefold()
        return next((user for user in self.state()["users"] if user["name"].casefold() == wanted), None)

    def four_eyes(self, mode="403"):
        """Four-eyes authorization on (``403`` or ``202`` answers) or ``off``."""
        return self._call("POST", "four-eyes", {"mode": mode})

    def decide(self, event_id, approve=True, by="TECH\\sheila.d.cory"):
        """A second administrator approves (the held change is carried out) or rejects a pending request."""
        return self._call("POST", "authorization/events/%s/%s" % (event_id, "approve" if approve else "reject"),
                          {"by": by})

    # EM only
    def task_outcome(self, success=True, message=None, duration=0.2):
        return self._call("POST", "em/task-outcome", {"success": success, "message": message, "duration": duration})

    def expire_sessions(self):
        return self._call("POST", "em/sessions/expire")


def running_simulator(tmp_path_factory, **settings):
    """A started simulator on free ports with its CA in a temp dir (a generator for a fixture to yield from)."""
    config = SimConfig(vbr_port=0, em_port=0, cert_dir=str(tmp_path_factory.mktemp("certs")), **settings)
    sim = Simulator(config).start()
    yield sim
    sim.stop()


@pytest.fixture(scope="session")
def simulator(tmp_path_factory):
    yield from running_simulator(tmp_path_factory, vbr_servers=2, validate_spec=True, task_duration=0.2)


@pytest.fixture
def sim_admin(simulator):
    admin = SimAdmin(simulator.vbr_url, simulator.ca_path)
    admin.reset()
    yield admin
    violations = admin.violations()
    assert not violations, "requests or responses violated the VBR OpenAPI spec: %r" % violations


@pytest.fixture
def em_admin(simulator):
    admin = SimAdmin(simulator.em_url, simulator.ca_path, kind="em")
    admin.reset()
    return admin


@pytest.fixture
def vbr_url(simulator, sim_admin):
    return simulator.vbr_url


@pytest.fixture
def vbr_urls(simulator):
    return simulator.vbr_urls


@pytest.fixture
def em_url(simulator, em_admin):
    return simulator.em_url


@pytest.fixture
def ca_path(simulator):
    return simulator.ca_path


@pytest.fixture
def credentials(simulator):
    return {"username": simulator.config.username, "password": simulator.config.password}


@pytest.fixture
def vbr_env(vbr_url, ca_path, credentials):
    return {"VEEAM_VBR_SERVER": vbr_url, "VEEAM_VBR_USERNAME": credentials["username"],
            "VEEAM_VBR_PASSWORD": credentials["password"], "VEEAM_VBR_CA_PATH": ca_path}


@pytest.fixture
def em_env(em_url, ca_path, credentials):
    return {"VEEAM_EM_SERVER": em_url, "VEEAM_EM_USERNAME": credentials["username"],
            "VEEAM_EM_PASSWORD": credentials["password"], "VEEAM_EM_CA_PATH": ca_path}


@pytest.fixture(scope="module")
def old_simulator(request, tmp_path_factory):
    """A simulator acting as an older VBR build: parametrize indirectly with "13.0.1" or "12.3"."""
    yield from running_simulator(tmp_path_factory, em=False, vbr_version=request.param)


@pytest.fixture(scope="session")
def prefixed_simulator(tmp_path_factory):
    """VBR 13.1 with the 13.0 role names ("Veeam Restore Operator"), spec validation on, no Enterprise Manager."""
    yield from running_simulator(tmp_path_factory, em=False, validate_spec=True, role_names="prefixed")


class NamedVbr(object):
    """One VBR server of a naming: its env for modules, its admin API, and its names of the built-in roles."""

    def __init__(self, naming, simulator, admin, credentials):
        self.naming = naming
        self.simulator = simulator
        self.admin = admin
        self.env = {"VEEAM_VBR_SERVER": simulator.vbr_url, "VEEAM_VBR_USERNAME": credentials["username"],
                    "VEEAM_VBR_PASSWORD": credentials["password"], "VEEAM_VBR_CA_PATH": simulator.ca_path}

    def role(self, plain_name):
        """The server's name of a built-in role given by its 13.1 name."""
        if self.naming == "prefixed" and plain_name != "Incident API Operator":
            return "Veeam " + plain_name
        return plain_name


@pytest.fixture(params=["plain", "prefixed"])
def named_vbr(request, credentials):
    """The test runs against a server with 13.1 role names and one with 13.0 role names; checks spec violations."""
    simulator = request.getfixturevalue("simulator" if request.param == "plain" else "prefixed_simulator")
    admin = SimAdmin(simulator.vbr_url, simulator.ca_path)
    admin.reset()
    yield NamedVbr(request.param, simulator, admin, credentials)
    violations = admin.violations()
    assert not violations, "requests or responses violated the VBR OpenAPI spec: %r" % violations
