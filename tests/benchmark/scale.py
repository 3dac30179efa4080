"""Scenarios of the whole job and of scale: onboarding end to end (VBR servers and Enterprise Manager), EM bulk
against a loop and ansible.builtin.uri, serial against parallel bulk writes, and how time grows with users and
servers.

Each function takes the :class:`tests.benchmark.bench.Bench` and returns Measurements (or series for a chart).
"""

import os

from tests.simulator.run import inventory_text

from .bench import REPO_ROOT, bench_users, existing_users, minimum_requests

ONBOARD_ROLE = os.path.join(REPO_ROOT, "playbooks", "onboard.yml")
EM_ROLE = "Portal User"
DEFAULT_PARALLEL = 4  # the modules' default parallel_requests


def people(count):
    """Each person with a VBR role and an Enterprise Manager role, as the onboard role takes them."""
    return [{"name": user["name"], "vbr_roles": user["roles"], "em_roles": [EM_ROLE]} for user in bench_users(count)]


def em_accounts(count):
    return [{"name": user["name"], "roles": [EM_ROLE]} for user in bench_users(count)]


def em_minimum(creates):
    """The fewest EM requests to create ``creates`` accounts: 1 logon, 1 role read, 1 account list read, the
    creates."""
    return 3 + creates


def em_rerun_minimum(accounts):
    """The fewest EM requests to check ``accounts`` existing accounts: logon, roles, list, and per account its
    entity, roles and scopes (EM lists none of them with the account)."""
    return 3 + 3 * accounts


def _inventory(bench, simulator, name):
    path = os.path.join(bench.workdir, name)
    with open(path, "w") as handle:
        handle.write(inventory_text(simulator))
    return path


# ------------------------------------------------------------------------------------- onboarding end to end
def onboarding(bench, count, servers):
    """Onboard ``count`` people with VBR and EM roles on ``servers`` VBR servers and EM: the way before the EM bulk
    form and parallel writes, the onboard role now, and the role again (nothing to change)."""
    rows = []
    for scenario, playbook in (("7a. onboarding before (EM loop, serial)", "onboard_before.yml"),
                               ("7b. onboarding, onboard role", ONBOARD_ROLE)):
        simulator = bench.simulator(vbr_servers=servers, em=True)
        try:
            inventory = _inventory(bench, simulator, "onboarding.yml")
            vbr_minimum = minimum_requests(existing_users(simulator) // servers, writes=count * servers,
                                           servers=servers)
            # EM: the creates, then the rebuild of the restore scopes (start, one read of the task)
            minimum = vbr_minimum + em_minimum(count) + 2
            variables = {"veeam_onboard_users": people(count)}
            rows.append(bench.measure(scenario, simulator, playbook, people(count), minimum, variables=variables,
                                      forks=servers, inventory=inventory))
            if playbook == ONBOARD_ROLE:
                vbr_rerun = minimum_requests(existing_users(simulator) // servers, writes=0, servers=servers)
                rerun = bench.measure("7c. onboarding re-run (nothing to change)", simulator, playbook,
                                      people(count), vbr_rerun + em_rerun_minimum(count), variables=variables,
                                      forks=servers, inventory=inventory)
                rows.append(rerun)
        finally:
            simulator.stop()
    return rows


# ------------------------------------------------------------------------------------- Enterprise Manager
def em_compare(bench, count):
    """Enterprise Manager alone: bulk em_account, em_account in a loop, ansible.builtin.uri; then the bulk again."""
    accounts = em_accounts(count)
    variables = {"bench_accounts": accounts}
    rows = []
    plans = (("8a. EM bulk em_account", "em_bulk.yml", em_minimum(count)),
             ("8b. em_account in a loop", "em_loop.yml", count * 4),        # per task: logon, roles, list, create
             ("8c. EM ansible.builtin.uri baseline", "em_uri.yml", 2 + 2 * count))  # logon, roles; list + create each
    for scenario, playbook, minimum in plans:
        simulator = bench.simulator(em=True)
        try:
            rows.append(bench.measure(scenario, simulator, playbook, accounts, minimum, variables=variables))
            if playbook == "em_bulk.yml":
                rows.append(bench.measure("8d. EM bulk re-run (nothing to change)", simulator, playbook, accounts,
                                          em_rerun_minimum(count), variables=variables))
        finally:
            simulator.stop()
    return rows


# ------------------------------------------------------------------------------------- serial and parallel
def vbr_bulk(bench, count, parallel, scenario=None):
    simulator = bench.simulator()
    try:
        minimum = minimum_requests(existing_users(simulator), writes=count)
        return bench.measure(scenario or "VBR bulk, %s" % _workers(parallel), simulator, "bulk.yml",
                             bench_users(count), minimum,
                             variables={"bench_users": bench_users(count), "bench_parallel": parallel})
    finally:
        simulator.stop()


def em_bulk(bench, count, parallel, scenario=None):
    simulator = bench.simulator(em=True)
    try:
        return bench.measure(scenario or "EM bulk, %s" % _workers(parallel), simulator, "em_bulk.yml",
                             em_accounts(count), em_minimum(count),
                             variables={"bench_accounts": em_accounts(count), "bench_parallel": parallel})
    finally:
        simulator.stop()


def _workers(parallel):
    return "serial" if parallel == 1 else "%d at once" % parallel


def serial_parallel(bench, count, parallel=DEFAULT_PARALLEL):
    """The bulk writes of both products one at a time and ``parallel`` at once."""
    return [vbr_bulk(bench, count, 1, "9a. VBR bulk, serial"),
            vbr_bulk(bench, count, parallel, "9b. VBR bulk, %s" % _workers(parallel)),
            em_bulk(bench, count, 1, "9c. EM bulk, serial"),
            em_bulk(bench, count, parallel, "9d. EM bulk, %s" % _workers(parallel))]


# ------------------------------------------------------------------------------------- growth
def growth_by_users(bench, sizes, parallel=DEFAULT_PARALLEL):
    """{variant: [Measurement per size]} for bulk onboarding of ``sizes`` users on one server."""
    series = {"VBR bulk, serial": [], "VBR bulk, %s" % _workers(parallel): [],
              "EM bulk, %s" % _workers(parallel): []}
    for size in sizes:
        series["VBR bulk, serial"].append(vbr_bulk(bench, size, 1, "10. VBR bulk, serial"))
        series["VBR bulk, %s" % _workers(parallel)].append(
            vbr_bulk(bench, size, parallel, "10. VBR bulk, %s" % _workers(parallel)))
        series["EM bulk, %s" % _workers(parallel)].append(
            em_bulk(bench, size, parallel, "10. EM bulk, %s" % _workers(parallel)))
    for rows in series.values():
        for row, size in zip(rows, sizes):
            row.size = size  # the chart's x
    return series


def growth_by_servers(bench, servers_list, count):
    """{variant: [Measurement per fleet size]}: the onboard role (VBR only) with ``count`` people per server."""
    series = {"onboard role, %d people per server" % count: []}
    for servers in servers_list:
        simulator = bench.simulator(vbr_servers=servers)
        try:
            inventory = _inventory(bench, simulator, "growth.yml")
            people_only_vbr = [{"name": user["name"], "vbr_roles": user["roles"]} for user in bench_users(count)]
            minimum = minimum_requests(existing_users(simulator) // servers, writes=count * servers, servers=servers)
            row = bench.measure("11. onboard role, %d servers" % servers, simulator, ONBOARD_ROLE, bench_users(count),
                                minimum, variables={"veeam_onboard_users": people_only_vbr}, forks=min(servers, 50),
                                inventory=inventory)
            row.size = servers  # the chart's x
            series["onboard role, %d people per server" % count].append(row)
        finally:
            simulator.stop()
    return series
