#!/usr/bin/env bash
# `make demo`: start the Veeam simulator (2 VBR servers + Enterprise Manager, HTTPS with its own CA), run the
# demo against it with validate_certs on, print what the servers received, and always stop the simulator on
# exit. Run it through `make demo`, which creates .venv and installs the collection first.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
BIN="$ROOT/.venv/bin"
SIM_DIR="$ROOT/.sim"

for tool in python ansible-playbook; do
  [ -x "$BIN/$tool" ] || { echo "$BIN/$tool is missing: run this through 'make demo'." >&2; exit 1; }
done

mkdir -p "$SIM_DIR"

# First pass: start the simulator (2 VBR servers + Enterprise Manager on free ports, its CA in .sim/certs) and
# run this script again inside it; the simulator stops when the script ends, whatever happens. --validate-spec:
# every VBR request and response is checked against Veeam's OpenAPI spec, and the demo fails on a violation.
# The simulated servers act as VBR 13.1 ("Restore Operator"); VEEAM_DEMO_SIM_ARGS adds simulator options, e.g.
# --role-names prefixed for the VBR 13.0 names ("Veeam Restore Operator").
if [ -z "${VEEAM_SIM_INVENTORY:-}" ]; then
  read -r -a sim_args <<< "${VEEAM_DEMO_SIM_ARGS:-}"
  exec "$BIN/python" -m tests.simulator.run --cert-dir "$SIM_DIR/certs" --vbr-servers 2 --validate-spec \
    "${sim_args[@]}" -- bash "$0"
fi

# Second pass: the connection of every module comes from the VEEAM_* environment variables (the modules' env
# fallbacks); VEEAM_SIM_INVENTORY lists the simulated VBR servers (group veeam_vbr) with the ports of this run.
# The playbooks run by their full names from the installed collection, as users run them, and pick the Python
# that runs ansible-playbook (.venv's, which has requests) themselves.
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.collections"
INVENTORY="$VEEAM_SIM_INVENTORY"
cp "$INVENTORY" "$SIM_DIR/inventory.yml"

echo "Simulator ready: VBR $VEEAM_SIM_VBR_URLS, Enterprise Manager $VEEAM_EM_SERVER"
echo "CA certificate: $VEEAM_VBR_CA_PATH (validate_certs stays on); login: $VEEAM_VBR_USERNAME"

banner() { printf '\n==== %s\n' "$1"; }

PEOPLE=playbooks/vars/people.example.yml
banner "1. Onboard TECH\\jane.doe, TECH\\bob.smith and the group TECH\\Restore Operators on every VBR server and in EM"
"$BIN/ansible-playbook" -i "$INVENTORY" backupops.veeam.onboard -e @"$PEOPLE"
banner "2. The same again: nothing changes (idempotent)"
"$BIN/ansible-playbook" -i "$INVENTORY" backupops.veeam.onboard -e @"$PEOPLE" | tail -n 4
banner "3. Audit: who has which role where (also written to .sim/audit/veeam-access.json and .csv)"
"$BIN/ansible-playbook" -i "$INVENTORY" backupops.veeam.audit -e veeam_audit_dir="$SIM_DIR/audit"
banner "4. Offboard TECH\\bob.smith and TECH\\jane.doe everywhere"
"$BIN/ansible-playbook" -i "$INVENTORY" backupops.veeam.offboard \
  -e '{"veeam_offboard_users": ["TECH\\bob.smith", "TECH\\jane.doe"]}'

banner "Summary: what the simulated servers received (requests per route)"
"$BIN/python" - <<'PY'
import os

import requests

urls = os.environ["VEEAM_SIM_VBR_URLS"].split() + [os.environ["VEEAM_EM_SERVER"]]
for url in urls:
    stats = requests.get(url + "/_sim/stats", verify=os.environ["VEEAM_VBR_CA_PATH"], timeout=10).json()
    routes = ", ".join("%s x%d" % (route, count) for route, count in sorted(stats["by_route"].items()))
    print("  %s: %s" % (url, routes or "nothing"))
PY
echo "Demo finished: every request went over HTTPS with certificate checks on, and each module logged out."
echo "The simulator stops now; 'make sim' runs it in the foreground for your own playbooks."
