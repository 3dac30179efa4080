"""Start and stop the simulated servers: N VBR servers and one Enterprise Manager, with TLS, in threads."""

import ipaddress
import json
import os
import ssl
import threading

from .certs import ensure_certificates, throwaway_certificates
from .em import EmApp
from .server import AppServer, write_json
from .spec_validation import SpecValidator
from .vbr import VbrApp


class SimConfig(object):
    """Every setting of the simulator; the CLI flags map one to one onto these attributes."""

    def __init__(self, host="127.0.0.1", vbr_port=9419, vbr_servers=1, em_port=9398, em=True, no_tls=False,
                 cert_dir=None, token_ttl=900, refresh_ttl=14 * 24 * 3600, seed_users=0, state_file=None,
                 vbr_version="13.1", validate_spec=False, latency_ms=0, faults=(), em_session_ttl=900,
                 task_duration=1.0, username="TECH\\svc.ansible", password="VeeamSim-2026!", ready_file=None,
                 verbose=False, cert_problem=None, role_names=None, four_eyes="off", role_details="as-sent",
                 em_scope_root="id", em_list_keys="documented", em_task_state="Finished"):
        self.host = host
        self.vbr_port = vbr_port
        self.vbr_servers = vbr_servers
        self.em_port = em_port
        self.em = em
        self.no_tls = no_tls
        self.cert_dir = cert_dir
        self.token_ttl = token_ttl
        self.refresh_ttl = refresh_ttl
        self.seed_users = seed_users
        self.state_file = state_file
        self.vbr_version = vbr_version
        self.validate_spec = validate_spec
        self.latency_ms = latency_ms
        self.faults = list(faults)
        self.em_session_ttl = em_session_ttl
        self.task_duration = task_duration
        self.username = username
        self.password = password
        self.ready_file = ready_file
        self.verbose = verbose
        self.cert_problem = cert_problem
        # The readings Veeam's documents leave open (README.md "Assumptions"): each can be served either way.
        self.role_names = role_names          # None: "plain" when acting as 13.1, else "prefixed"
        self.four_eyes = four_eyes            # off | 403 | 202
        self.role_details = role_details      # as-sent | server-filled
        self.em_scope_root = em_scope_root    # id | host
        self.em_list_keys = em_list_keys      # documented | item-names
        self.em_task_state = em_task_state    # Finished | OperationFinished


def vbr_hosts(host, count):
    """Instance i listens on the i-th address after ``host`` (127.0.0.1, 127.0.0.2, ...) when it is an IP."""
    try:
        first = ipaddress.ip_address(host)
    except ValueError:
        return [host] * count
    return [str(first + index) for index in range(count)]


class Simulator(object):
    def __init__(self, config):
        self.config = config
        self.vbr_servers = []
        self.em_server = None
        self.ca_path = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle
    def start(self):
        config = self.config
        hosts = vbr_hosts(config.host, config.vbr_servers)
        context = None if config.no_tls else self._ssl_context(sorted(set(hosts + [config.host, "localhost"])))
        for index, host in enumerate(hosts):
            app = VbrApp(config, index)
            validator = SpecValidator() if config.validate_spec else None
            if validator:
                validator.preload()
            server = AppServer(app, host, config.vbr_port, context, config.latency_ms, validator,
                               config.verbose, self.save_state)
            self.vbr_servers.append(server)
        if config.em:
            self.em_server = AppServer(EmApp(config), config.host, config.em_port, context, config.latency_ms,
                                       None, config.verbose, self.save_state)
            self.em_server.app.set_backup_servers(self._backup_servers())
        self._load_state()
        for server in self.servers:
            for rule in config.faults:
                server.faults.add(rule)
            server.start()
        if config.ready_file:
            write_json(config.ready_file, self.describe())
        return self

    def stop(self):
        self.save_state()
        for server in self.servers:
            server.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _ssl_context(self, hosts):
        if self.config.cert_dir:
            ca, cert, key = ensure_certificates(self.config.cert_dir, hosts, self.config.cert_problem)
        else:
            ca, cert, key = throwaway_certificates(hosts, self.config.cert_problem)
        self.ca_path = ca
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(cert, key)
        return context

    # ------------------------------------------------------------------ what it serves
    @property
    def servers(self):
        return self.vbr_servers + ([self.em_server] if self.em_server else [])

    @property
    def vbr_urls(self):
        return [server.url() for server in self.vbr_servers]

    @property
    def vbr_url(self):
        return self.vbr_urls[0]

    @property
    def em_url(self):
        return self.em_server.url() if self.em_server else None

    def _backup_servers(self):
        return [{"name": server.address[0], "rest_url": server.url(), "version": server.app.build,
                 "description": "Simulated VBR server %d, REST API at %s" % (index + 1, server.url())}
                for index, server in enumerate(self.vbr_servers)]

    def describe(self):
        return {"vbr_urls": self.vbr_urls, "em_url": self.em_url, "ca_path": self.ca_path,
                "username": self.config.username, "password": self.config.password,
                "vbr_version": self.config.vbr_version, "tls": not self.config.no_tls,
                "role_names": self.vbr_servers[0].app.role_naming if self.vbr_servers else None}

    # ------------------------------------------------------------------ state file
    def save_state(self):
        path = self.config.state_file
        if not path:
            return
        with self._lock:
            data = {"vbr": [server.app.snapshot() for server in self.vbr_servers],
                    "em": self.em_server.app.snapshot() if self.em_server else None}
            write_json(path, data)

    def _load_state(self):
        path = self.config.state_file
        if not path or not os.path.exists(path):
            return
        with open(path) as handle:
            data = json.load(handle)
        for server, snapshot in zip(self.vbr_servers, data.get("vbr") or []):
            server.app.restore(snapshot)
        if self.em_server and data.get("em"):
            self.em_server.app.restore(data["em"])
