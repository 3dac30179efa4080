"""Benchmark scenario: access as code on a fleet (playbook backupops.veeam.access, role backupops.veeam.access).

    from tests.benchmark.access import access_fleet, smoke
    drift, enforce, rerun = access_fleet(bench, servers=50, accounts=5000)

Every VBR server of the fleet holds the desired state's ``accounts`` accounts, with ``drift_percent`` of them drifted
three ways (listed but missing, listed with another role, and as many unlisted accounts), plus the simulator's own
accounts (also unlisted, but for BUILTIN\\Administrators, which is kept, and the automation account). Enterprise
Manager gets ``em_accounts`` accounts of the desired state (all missing at first); 0 leaves it out of the play.

The playbook runs three times against the same fleet, each measured from outside like the other scenarios (wall
time, requests by kind summed over every server, peak RSS of the ansible run): the drift report (nothing written),
the enforcement (the writes the drift needs, nothing more), and a re-run (nothing to change). ``minimum`` is computed
from the servers' state before each run: per server one token, the paged read of its users, one read of its roles,
one write per account that differs, and the read-back of the role lists written (one read per account for up to five,
else one paged read); in Enterprise Manager one logon, the roles, the account list, one read per listed account that
exists, and one write per change.

Only the Bench object's pieces are used (latency, work folder, run_playbook); ``python -m tests.benchmark --only
access`` (make bench) runs it as scenario 12.
"""

import math
import os
import sys

import requests

from tests.simulator import SimConfig, Simulator
from tests.simulator.run import inventory_text

from .bench import DOMAIN, PAGE_SIZE, REPO_ROOT, Measurement, _summed

ACCESS_PLAYBOOK = os.path.join(REPO_ROOT, "playbooks", "access.yml")
ROLE_CYCLE = ("Restore Operator", "Backup Viewer", "Backup Operator")
KEPT = ("BUILTIN\\Administrators",)
# vbr_users.SINGLE_READS_AT_MOST: up to this many role lists written are read back one by one.
SINGLE_READS_AT_MOST = 5
# The three runs of the scenario, in their order.
RUNS = ("drift report", "enforcement", "re-run (nothing to change)")


def listed_name(number):
    return "%s\\access.user%05d" % (DOMAIN, number)


def desired_state(accounts, em_accounts=0):
    """The desired state: every VBR server of veeam_vbr has ``accounts`` accounts; EM ``em_accounts``."""
    state = {"veeam_access_vbr": [{"group": "veeam_vbr", "accounts": [
        {"name": listed_name(number), "roles": [ROLE_CYCLE[number % len(ROLE_CYCLE)]]} for number in range(accounts)]}],
        "veeam_access_keep": list(KEPT)}
    if em_accounts:
        state["veeam_access_em"] = [{"name": listed_name(number), "roles": ["Portal User"]} for number in range(em_accounts)]
    return state


def drift_count(accounts, drift_percent):
    return min(accounts // 3, max(1, int(round(accounts * drift_percent / 100.0)))) if drift_percent > 0 else 0


def seeded_users(accounts, drift_percent):
    """What each VBR server holds before the first run: the listed accounts but the first ``k`` (missing), the next
    ``k`` with another role (differs), and ``k`` unlisted accounts."""
    k = drift_count(accounts, drift_percent)
    users = []
    for number in range(k, accounts):
        role = ROLE_CYCLE[number % len(ROLE_CYCLE)]
        if number < 2 * k:
            role = ROLE_CYCLE[(number + 1) % len(ROLE_CYCLE)]
        users.append({"name": listed_name(number), "type": "InternalUser", "roles": [role]})
    users += [{"name": "%s\\stray.user%05d" % (DOMAIN, number), "type": "InternalUser", "roles": ["Backup Viewer"]}
              for number in range(k)]
    return users


def start_fleet(bench, servers, em):
    config = SimConfig(vbr_port=0, em_port=0, em=em, vbr_servers=servers, latency_ms=bench.latency_ms,
                       cert_dir=os.path.join(bench.workdir, "certs"))
    simulator = Simulator(config).start()
    for server in simulator.vbr_servers:
        server.app.directory["domains"].add(DOMAIN.casefold())
    return simulator


def seed(simulator, users):
    for url in simulator.vbr_urls:
        requests.post(url + "/_sim/users", json={"users": users}, verify=simulator.ca_path,
                      timeout=300).raise_for_status()


# ---------------------------------------------------------------------------------------------- the minimum
def _role_keys(app, user):
    return set(app.roles[role_id]["name"].replace("Veeam ", "").casefold() for role_id in user["roles"])


def vbr_minimum(app, state, login, enforce):
    """The fewest requests one VBR server needs for a run, from its state now (in-process, not counted)."""
    desired = dict((account["name"].casefold(), set(role.casefold() for role in account["roles"]))
                   for entry in state["veeam_access_vbr"] for account in entry["accounts"])
    kept = set(name.casefold() for name in KEPT) | {login.casefold()}
    current = dict((user["name"].casefold(), user) for user in app.users.values())
    reads = 1 + max(1, int(math.ceil(len(current) / float(PAGE_SIZE)))) + 1
    if not enforce:
        return reads
    creates = sum(1 for name in desired if name not in current)
    role_writes = sum(1 for name, roles in desired.items()
                      if name in current and _role_keys(app, current[name]) != roles)
    deletes = sum(1 for name in current if name not in desired and name not in kept)
    after = len(current) + creates - deletes
    read_back = 0
    if role_writes:
        read_back = role_writes if role_writes <= SINGLE_READS_AT_MOST else int(math.ceil(after / float(PAGE_SIZE)))
    return reads + creates + role_writes + deletes + read_back


def em_minimum(app, state, login, enforce):
    """The fewest requests Enterprise Manager needs: logon, roles, the account list, three reads (entity, roles,
    scopes) of every account there (listed, unlisted or kept); when enforcing one create per missing account (then
    one read of the account list for their ids), one delete per unlisted one, and, when anything changed, the scope
    rebuild (its own logon, the start, one poll at least)."""
    listed = set(account["name"].casefold() for account in state.get("veeam_access_em") or [])
    if not listed:
        return 0
    kept = set(name.casefold() for name in KEPT) | {login.casefold()}
    current = set(account["name"].casefold() for account in app.accounts.values())
    unlisted = [name for name in current if name not in listed]
    reads = 3 + 3 * (len(listed & current) + len(unlisted))
    if not enforce:
        return reads
    creates = len(listed - current)
    writes = creates + len([name for name in unlisted if name not in kept])
    return reads + writes + (1 if creates else 0) + (3 if writes else 0)


# ---------------------------------------------------------------------------------------------- the scenario
def run_once(bench, simulator, inventory, state, label, accounts, enforce, forks):
    login = simulator.config.username
    minimums = {"vbr": sum(vbr_minimum(server.app, state, login, enforce) for server in simulator.vbr_servers)}
    if simulator.em_server is not None:
        minimums["em"] = em_minimum(simulator.em_server.app, state, login, enforce)
    minimum = sum(minimums.values())
    variables = dict(state, veeam_access_enforce=enforce,
                     veeam_access_report_dir=os.path.join(bench.workdir, "access-report-%s" % label.split()[0]))
    wall, peak, by_product = bench.run_playbook(simulator, ACCESS_PLAYBOOK, variables, forks=forks, inventory=inventory)
    kinds = _summed(by_product.values())
    scenario = "12%s. access as code, %s: %d servers, %d accounts" % (
        "abc"[RUNS.index(label)], label, len(simulator.vbr_servers), accounts)
    result = Measurement(scenario, accounts, wall, kinds, minimum, peak, changed=kinds.get("write", 0),
                         by_product=by_product)
    result.minimum_by_product = minimums
    sys.stderr.write("  %-60s %8.1f s  %7d requests (minimum %d)\n" % (scenario, wall, result.requests, minimum))
    return result


def access_fleet(bench, servers=50, accounts=5000, drift_percent=1.0, em_accounts=0, forks=None):
    """The drift report, the enforcement and a re-run of the access playbook on ``servers`` simulated VBR servers
    holding ``accounts`` accounts each (and Enterprise Manager with ``em_accounts``): three Measurements."""
    simulator = start_fleet(bench, servers, em=em_accounts > 0)
    try:
        inventory = os.path.join(bench.workdir, "access-fleet.yml")
        with open(inventory, "w") as handle:
            handle.write(inventory_text(simulator))
        seed(simulator, seeded_users(accounts, drift_percent))
        state = desired_state(accounts, em_accounts)
        forks = forks or min(servers, 50)
        drift, enforce, rerun = [run_once(bench, simulator, inventory, state, label, accounts, label != RUNS[0], forks)
                                 for label in RUNS]
    finally:
        simulator.stop()
    return drift, enforce, rerun


def smoke(bench):
    """The tiny variant `make test` runs: 2 servers, 12 accounts, Enterprise Manager with 3."""
    return access_fleet(bench, servers=2, accounts=12, drift_percent=10.0, em_accounts=3)
