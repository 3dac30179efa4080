"""The benchmark: onboarding through this collection against the ansible.builtin.uri baseline.

    python -m tests.benchmark [--sizes 100,1000] [--latency-ms 20] [--among 10000] [--fleet 10] [--output FILE]

Every scenario runs ``ansible-playbook`` against a fresh simulator (in this process, over HTTPS, with the
given latency added to every request) and is measured from outside: wall time, the requests the simulator
received by kind, and the peak resident memory of the largest process of the ansible run (``wait4``).
"""

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

from tests.simulator import SimConfig, Simulator
from tests.simulator.run import connection_environment, inventory_text

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
PLAYBOOKS = os.path.join(HERE, "playbooks")
PAGE_SIZE = 200  # what vbr_client.paginate asks for
DOMAIN = "BENCH"


class Measurement(object):
    """One scenario's figures."""

    def __init__(self, scenario, users, wall, kinds, minimum, peak_rss_kb, changed=None, by_product=None):
        self.scenario = scenario
        self.users = users
        self.wall = wall
        self.kinds = kinds
        self.minimum = minimum
        self.peak_rss_kb = peak_rss_kb
        self.changed = changed
        # requests by kind of each product ({"vbr": {...}, "em": {...}}); ``kinds`` is their sum
        self.by_product = by_product or {"vbr": dict(kinds)}

    @property
    def requests(self):
        return sum(self.kinds.values())

    @property
    def api_requests(self):
        """Token or logon, reads and writes: what the minimum counts (logouts are listed apart)."""
        return self.requests - self.kinds.get("logout", 0)

    def product_requests(self, product):
        """API requests (logouts apart) the simulated servers of ``product`` (vbr, em) received."""
        kinds = self.by_product.get(product) or {}
        return sum(kinds.values()) - kinds.get("logout", 0)

    def as_dict(self):
        return {"scenario": self.scenario, "users": self.users, "wall_s": round(self.wall, 2),
                "requests": self.kinds, "minimum": self.minimum, "peak_rss_mb": round(self.peak_rss_kb / 1024.0, 1)}


def bench_users(count, first=1):
    return [{"name": "%s\\bench.user%05d" % (DOMAIN, number), "roles": ["Restore Operator"]}
            for number in range(first, first + count)]


def existing_users(simulator):
    return sum(len(server.app.users) for server in simulator.vbr_servers)


def minimum_requests(users_on_server, writes, servers=1):
    """1 token + ceil(users/page) list reads + 1 role read + one write per change, per server."""
    return servers * (1 + max(1, math.ceil(users_on_server / float(PAGE_SIZE))) + 1) + writes


def _summed(kinds_list):
    total = {}
    for kinds in kinds_list:
        for kind, count in kinds.items():
            total[kind] = total.get(kind, 0) + count
    return total


def run_measured(command, env, cwd=REPO_ROOT):
    """Run ``command``; returns (exit code, wall seconds, peak RSS in KiB of its largest process, output)."""
    with tempfile.TemporaryFile() as output:
        start = time.monotonic()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    return process.returncode, wall, usage.ru_maxrss, text


class Bench(object):
    def __init__(self, latency_ms=20.0, workdir=None, verbose=False):
        self.latency_ms = latency_ms
        self.workdir = workdir or tempfile.mkdtemp(prefix="veeam-bench-")
        self.verbose = verbose
        self.collections = self._snapshot_collection()

    def close(self):
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _snapshot_collection(self):
        """A copy of the installed collection, so that `make install` during a long run changes nothing."""
        installed = os.environ.get("ANSIBLE_COLLECTIONS_PATH", os.path.join(REPO_ROOT, ".collections"))
        source = os.path.join(installed.split(os.pathsep)[0], "ansible_collections", "backupops", "veeam")
        if not os.path.isdir(source):
            raise SystemExit("backupops.veeam is not installed in %s: run make install (make bench does)" % installed)
        target = os.path.join(self.workdir, "collections")
        shutil.copytree(source, os.path.join(target, "ansible_collections", "backupops", "veeam"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        return target

    # ------------------------------------------------------------------ plumbing
    def simulator(self, vbr_servers=1, seed_users=0, em=False):
        config = SimConfig(vbr_port=0, em=em, vbr_servers=vbr_servers, seed_users=seed_users,
                           latency_ms=self.latency_ms, cert_dir=os.path.join(self.workdir, "certs"))
        simulator = Simulator(config).start()
        for server in simulator.vbr_servers:
            server.app.directory["domains"].add(DOMAIN.casefold())
        return simulator

    def vars_file(self, name, variables):
        path = os.path.join(self.workdir, name + ".json")
        with open(path, "w") as handle:
            json.dump(variables, handle)
        return path

    def run_playbook(self, simulator, playbook, variables, forks=5, inventory=None):
        """Run ``playbook`` with ``variables`` (extra vars) against ``simulator``: (wall, peak RSS, kinds)."""
        env = dict(os.environ, **connection_environment(simulator, inventory or ""))
        env.update({"ANSIBLE_NOCOLOR": "1", "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
                    "ANSIBLE_COLLECTIONS_PATH": self.collections, "PYTHONPATH": self.collections,
                    "ANSIBLE_LOCALHOST_WARNING": "false", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false"})
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook, "--forks", str(forks),
                   "-e", "@" + self.vars_file(os.path.basename(playbook), variables)]
        if inventory:
            command += ["-i", inventory]
        for server in simulator.servers:
            server.stats.reset()
        returncode, wall, peak, output = run_measured(command, env)
        if returncode != 0:
            raise RuntimeError("%s failed (exit %d):\n%s" % (os.path.basename(playbook), returncode, output[-4000:]))
        if self.verbose:
            sys.stderr.write(output[-1500:])
        by_product = {"vbr": _summed(server.stats.snapshot()["by_kind"] for server in simulator.vbr_servers)}
        if simulator.em_server is not None:
            by_product["em"] = dict(simulator.em_server.stats.snapshot()["by_kind"])
        return wall, peak, by_product

    def measure(self, scenario, simulator, playbook, users, minimum, variables=None, **options):
        playbook = playbook if os.path.isabs(playbook) else os.path.join(PLAYBOOKS, playbook)
        wall, peak, by_product = self.run_playbook(simulator, playbook, variables or {"bench_users": users},
                                                   **options)
        result = Measurement(scenario, len(users), wall, _summed(by_product.values()), minimum, peak,
                             by_product=by_product)
        sys.stderr.write("  %-44s %5d users  %8.1f s  %6d requests\n" % (scenario, len(users), wall, result.requests))
        return result

    # ------------------------------------------------------------------ scenarios
    def bulk_and_rerun(self, count):
        """Scenario 1 (bulk) and 4 (the same again) on one simulator."""
        users = bench_users(count)
        simulator = self.simulator()
        try:
            before = existing_users(simulator)
            first = self.measure("1. bulk vbr_user", simulator, "bulk.yml", users,
                                 minimum_requests(before, writes=count))
            rerun = self.measure("4. bulk re-run (nothing to change)", simulator, "bulk.yml", users,
                                 minimum_requests(existing_users(simulator), writes=0))
        finally:
            simulator.stop()
        return first, rerun

    def loop(self, count):
        """Scenario 2: one vbr_user task per user."""
        simulator = self.simulator()
        try:
            # each task: its own token, a name lookup, the role read and the create
            return self.measure("2. vbr_user in a loop", simulator, "loop.yml", bench_users(count), 4 * count)
        finally:
            simulator.stop()

    def uri_baseline(self, count):
        """Scenario 3: ansible.builtin.uri, token + lookup + create per user."""
        simulator = self.simulator()
        try:
            return self.measure("3. ansible.builtin.uri baseline", simulator, "uri_baseline.yml",
                                bench_users(count), 2 + 3 * count)
        finally:
            simulator.stop()

    def lookup_among(self, among):
        """Scenario 5: one existing user checked among ``among`` others; minimum: token, lookup, role read."""
        simulator = self.simulator(seed_users=among)
        try:
            user = [{"name": "TECH\\seed.user%05d" % (among // 2), "roles": [self._seed_role(among // 2)]}]
            result = self.measure("5. one user among %d" % among, simulator, "lookup.yml", user, 3)
        finally:
            simulator.stop()
        result.users = 1
        return result

    @staticmethod
    def _seed_role(number):
        # tests/simulator/vbr.py seeds user n with this cycle of roles
        return ["Restore Operator", "Backup Viewer", "Backup Operator"][number % 3]

    def fleet(self, servers, count):
        """Scenario 6: the onboard role (playbooks/onboard.yml) on ``servers`` VBR servers with as many forks."""
        simulator = self.simulator(vbr_servers=servers)
        try:
            inventory = os.path.join(self.workdir, "fleet.yml")
            with open(inventory, "w") as handle:
                handle.write(inventory_text(simulator))
            users = bench_users(count)
            people = [{"name": user["name"], "vbr_roles": user["roles"]} for user in users]
            minimum = minimum_requests(existing_users(simulator) // servers, writes=count * servers, servers=servers)
            return self.measure("6. onboard role, %d servers, %d forks" % (servers, servers), simulator,
                                os.path.join(REPO_ROOT, "playbooks", "onboard.yml"), users, minimum,
                                variables={"veeam_onboard_users": people}, forks=servers, inventory=inventory)
        finally:
            simulator.stop()
