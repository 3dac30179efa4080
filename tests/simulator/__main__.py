"""Command line: ``python -m tests.simulator --help`` (run from the repository root)."""

import argparse
import json
import signal
import sys
import threading

from . import SimConfig, Simulator
from .certs import CERT_PROBLEMS
from .vbr import API_VERSIONS_BY_BUILD


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tests.simulator",
        description="Stateful HTTPS simulator of the Veeam Backup & Replication REST API (security part, "
                    "x-api-version 1.3-rev1 and 1.3-rev2) and of Veeam Backup Enterprise Manager's accounts API. "
                    "Admin API for tests under /_sim/ on every port (see tests/simulator/README.md).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default %(default)s)")
    parser.add_argument("--vbr-port", type=int, default=9419, help="VBR REST port; 0 picks a free port (default %(default)s)")
    parser.add_argument("--vbr-servers", type=int, default=1,
                        help="how many VBR servers; server i listens on the i-th address after --host (default %(default)s)")
    parser.add_argument("--em-port", type=int, default=9398, help="Enterprise Manager port; 0 picks a free port (default %(default)s)")
    parser.add_argument("--no-em", action="store_true", help="do not start Enterprise Manager")
    parser.add_argument("--no-tls", action="store_true", help="serve plain HTTP (for proxies and debugging)")
    parser.add_argument("--cert-dir", help="write (or reuse) ca.pem, server.pem and server-key.pem here; "
                                           "without it a throw-away, untrusted certificate is used")
    parser.add_argument("--cert-problem", choices=CERT_PROBLEMS,
                        help="serve a faulty certificate signed by the valid CA: expired, or issued for another "
                             "host name (for the TLS error messages)")
    parser.add_argument("--token-ttl", type=float, default=900, help="access token lifetime in seconds (default %(default)s)")
    parser.add_argument("--refresh-ttl", type=float, default=14 * 24 * 3600, help="refresh token lifetime in seconds")
    parser.add_argument("--seed-users", type=int, default=0, help="add N users TECH\\seed.userNNNNN to every VBR server")
    parser.add_argument("--state", dest="state_file", help="load state from FILE at start, save it at shutdown")
    parser.add_argument("--vbr-version", default="13.1", choices=sorted(API_VERSIONS_BY_BUILD),
                        help="VBR build to act as: 13.1 (API 1.3-rev1 and 1.3-rev2), 13.0.1 (1.3-rev1), "
                             "12.3 (no security API) (default %(default)s)")
    parser.add_argument("--validate-spec", action="store_true",
                        help="test mode: check every VBR request and response against Veeam's OpenAPI spec")
    parser.add_argument("--latency-ms", type=float, default=0, help="delay added to every API request")
    parser.add_argument("--fault", action="append", default=[], type=json.loads, metavar="JSON",
                        help='fault rule, e.g. \'{"method": "POST", "path": "/api/v1/security/users", "status": 503}\'')
    parser.add_argument("--em-session-ttl", type=float, default=900, help="EM logon session idle timeout in seconds")
    parser.add_argument("--task-duration", type=float, default=1.0, help="seconds an EM rebuild-scope task runs")
    parser.add_argument("--username", default="TECH\\svc.ansible", help="the automation login (default %(default)s)")
    parser.add_argument("--password", default="VeeamSim-2026!", help="its password")
    parser.add_argument("--role-names", choices=["plain", "prefixed"],
                        help="how VBR names its built-in roles: plain 'Backup Administrator' (VBR 13.1, the default "
                             "with --vbr-version 13.1) or prefixed 'Veeam Backup Administrator' (13.0.1, the default "
                             "otherwise)")
    parser.add_argument("--four-eyes", choices=["off", "403", "202"], default="off",
                        help="four-eyes authorization: changes to users and MFA wait for approval, answered 403 "
                             "AccessDenied naming the pending request or 202 with the request; deletions of users "
                             "are refused (default %(default)s)")
    parser.add_argument("--role-details", choices=["as-sent", "server-filled"], default="as-sent",
                        help="custom roles come back as sent, or with defaults filled in and lists in another "
                             "order (default %(default)s)")
    parser.add_argument("--em-scope-root", choices=["id", "host"], default="id",
                        help="what EM's HierarchyRootName of a restore scope item holds: the hierarchy root's id or "
                             "the vCenter host name (default %(default)s)")
    parser.add_argument("--em-list-keys", choices=["documented", "item-names"], default="documented",
                        help="JSON keys of EM's account roles and scopes lists: EnterpriseAccountInRoles / "
                             "EnterpriseAccountHierarchyScopes, or the XML item names EnterpriseAccountInRole / "
                             "EnterpriseAccountHierarchyScope (default %(default)s)")
    parser.add_argument("--em-task-state", choices=["Finished", "OperationFinished"], default="Finished",
                        help="the State of a finished EM task (default %(default)s)")
    parser.add_argument("--ready-file", help="write a JSON file with the URLs, CA path and login once listening")
    parser.add_argument("--verbose", action="store_true", help="print each request line to stderr")
    return parser.parse_args(argv)


def config_from_args(args):
    options = vars(args).copy()
    options["em"] = not options.pop("no_em")
    options["faults"] = options.pop("fault")
    return SimConfig(**options)


def main(argv=None):
    config = config_from_args(parse_args(argv))
    simulator = Simulator(config).start()
    for index, url in enumerate(simulator.vbr_urls):
        print("VBR server %d:  %s  (VBR %s, %s role names)" % (index + 1, url, config.vbr_version,
                                                               simulator.vbr_servers[index].app.role_naming))
    if simulator.em_url:
        print("Enterprise Manager: %s" % simulator.em_url)
    if simulator.ca_path:
        print("CA certificate: %s%s" % (simulator.ca_path, "" if config.cert_dir else " (throw-away)"))
    print("Login: %s / %s" % (config.username, config.password))
    print("Admin API: <url>/_sim/stats, /_sim/faults, /_sim/reset ... ; Ctrl-C stops", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    simulator.stop()
    print("simulator stopped", file=sys.stderr)


if __name__ == "__main__":
    main()
