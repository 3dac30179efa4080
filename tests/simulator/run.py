"""Run one command against a fresh simulator, then stop the simulator.

    python -m tests.simulator.run [simulator options] -- COMMAND [ARGS...]

The simulator options are those of ``python -m tests.simulator`` (``--help`` lists them); ports default to 0
here (free ports), so a run never clashes with ``make sim`` or the tests. The command gets the connection in
its environment, as the AWX credential types and the modules' fallbacks name it:

- ``VEEAM_VBR_SERVER`` (the first VBR server), ``VEEAM_VBR_USERNAME``, ``VEEAM_VBR_PASSWORD``,
  ``VEEAM_VBR_CA_PATH`` and the same ``VEEAM_EM_*`` for Enterprise Manager;
- ``VEEAM_SIM_VBR_URLS`` (every VBR server, space separated), ``VEEAM_SIM_VBR_<n>`` (server n, from 1),
  ``VEEAM_SIM_VBR_COUNT`` and ``VEEAM_SIM_INVENTORY``: an inventory file with the VBR servers in group
  ``veeam_vbr`` (hosts vbr01, vbr02, ...) and ``veeam_em_server`` set for them.

The exit code is the command's. With ``--validate-spec`` every VBR request and response of the run is checked
against Veeam's OpenAPI spec (test mode): the violations are printed at the end and the run fails (exit code 3
when the command itself succeeded). Used by ``make demo``, ``make molecule`` (both with ``--validate-spec``),
``make test-live``'s self-test and the benchmark.
"""

import json
import os
import subprocess
import sys
import tempfile

from . import Simulator
from .__main__ import config_from_args, parse_args


def split_argv(argv):
    if "--" not in argv:
        raise SystemExit("usage: python -m tests.simulator.run [simulator options] -- COMMAND [ARGS...]")
    index = argv.index("--")
    command = argv[index + 1:]
    if not command:
        raise SystemExit("python -m tests.simulator.run: no command after --")
    return argv[:index], command


def inventory_text(simulator):
    """The VBR servers as group veeam_vbr (YAML; JSON strings are valid YAML scalars)."""
    lines = ["---", "veeam_vbr:", "  hosts:"]
    for index, url in enumerate(simulator.vbr_urls):
        lines += ["    vbr%02d:" % (index + 1), "      veeam_vbr_server: %s" % json.dumps(url)]
    if simulator.em_url:
        lines += ["  vars:", "    veeam_em_server: %s" % json.dumps(simulator.em_url)]
    return "\n".join(lines) + "\n"


def connection_environment(simulator, inventory_path):
    config = simulator.config
    ca_path = os.path.abspath(simulator.ca_path) if simulator.ca_path else ""
    env = {
        "VEEAM_VBR_SERVER": simulator.vbr_url,
        "VEEAM_VBR_USERNAME": config.username,
        "VEEAM_VBR_PASSWORD": config.password,
        "VEEAM_VBR_CA_PATH": ca_path,
        "VEEAM_EM_SERVER": simulator.em_url or "",
        "VEEAM_EM_USERNAME": config.username,
        "VEEAM_EM_PASSWORD": config.password,
        "VEEAM_EM_CA_PATH": ca_path,
        "VEEAM_SIM_VBR_URLS": " ".join(simulator.vbr_urls),
        "VEEAM_SIM_VBR_COUNT": str(len(simulator.vbr_urls)),
        "VEEAM_SIM_INVENTORY": inventory_path,
    }
    for index, url in enumerate(simulator.vbr_urls):
        env["VEEAM_SIM_VBR_%d" % (index + 1)] = url
    return env


def main(argv=None):
    sim_argv, command = split_argv(sys.argv[1:] if argv is None else argv)
    args = parse_args(["--vbr-port", "0", "--em-port", "0"] + sim_argv)
    with tempfile.TemporaryDirectory(prefix="veeam-sim-") as workdir:
        if not args.cert_dir:
            args.cert_dir = os.path.join(workdir, "certs")
        inventory_path = os.path.join(workdir, "inventory.yml")
        with Simulator(config_from_args(args)) as simulator:
            with open(inventory_path, "w") as handle:
                handle.write(inventory_text(simulator))
            env = dict(os.environ, **connection_environment(simulator, inventory_path))
            try:
                returncode = subprocess.call(command, env=env)
            except KeyboardInterrupt:
                return 130
            violations = spec_violations(simulator)
    if violations:
        print("python -m tests.simulator.run: %d request(s) or response(s) violated Veeam's OpenAPI spec:"
              % len(violations), file=sys.stderr)
        for violation in violations[:50]:
            print("  %(server)s %(what)s %(method)s %(path)s -> %(status)s: %(error)s" % violation, file=sys.stderr)
        return returncode or 3
    return returncode


def spec_violations(simulator):
    """Every spec violation the VBR servers saw in test mode (``--validate-spec``), with the server's URL."""
    found = []
    for server in simulator.vbr_servers:
        if server.validator is not None:
            found += [dict(violation, server=server.url(), error=violation["error"][:500])
                      for violation in server.validator.violations()]
    return found


if __name__ == "__main__":
    sys.exit(main())
