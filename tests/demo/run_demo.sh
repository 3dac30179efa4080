#!/usr/bin/env bash
# `make demo`: start the Veeam simulator (2 VBR servers + Enterprise Manager, HTTPS with its own CA), run the
# demo against it with validate_certs on, print what the servers received, and always stop the simulator on
# exit. Run it through `make demo`, which creates .venv and installs the collection first.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
BIN="$ROOT/.venv/bin"
SIM_DIR="$ROOT/.sim"
READY="$SIM_DIR/ready.json"
LOG="$SIM_DIR/simulator.log"
READY_TIMEOUT=30

for tool in python ansible-playbook; do
  [ -x "$BIN/$tool" ] || { echo "$BIN/$tool is missing: run this through 'make demo'." >&2; exit 1; }
done

mkdir -p "$SIM_DIR"
rm -f "$READY" "$SIM_DIR/state.json"

# Ports 0: the simulator picks free ports and writes them to the ready file, so the demo never clashes with
# a simulator that is already running (`make sim` or the tests).
"$BIN/python" -m tests.simulator --cert-dir "$SIM_DIR/certs" --ready-file "$READY" --state "$SIM_DIR/state.json" \
  --vbr-port 0 --em-port 0 --vbr-servers 2 >"$LOG" 2>&1 &
SIM_PID=$!

stop_simulator() {
  if kill -0 "$SIM_PID" 2>/dev/null; then
    kill "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
  fi
}
trap stop_simulator EXIT

show_log() {
  echo "Last lines of the simulator's log ($LOG):" >&2
  tail -n 20 "$LOG" >&2 || true
}

deadline=$((SECONDS + READY_TIMEOUT))
until [ -s "$READY" ]; do
  if ! kill -0 "$SIM_PID" 2>/dev/null; then
    echo "ERROR: the simulator exited before it was ready." >&2
    show_log
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "ERROR: the simulator did not write $READY within ${READY_TIMEOUT} s." >&2
    show_log
    exit 1
  fi
  sleep 0.2
done

# The connection of every module comes from the VEEAM_* environment variables (the modules' env fallbacks).
# .sim/inventory.yml: the simulated VBR servers (group veeam_vbr) with the ports of this run.
ready_exports="$("$BIN/python" - "$READY" "$SIM_DIR/inventory.yml" <<'PY'
import json
import os
import shlex
import sys

with open(sys.argv[1]) as handle:
    ready = json.load(handle)
ca_path = os.path.abspath(ready["ca_path"]) if ready.get("ca_path") else ""
values = {
    "VEEAM_VBR_SERVER": ready["vbr_urls"][0],
    "VEEAM_VBR_USERNAME": ready["username"],
    "VEEAM_VBR_PASSWORD": ready["password"],
    "VEEAM_VBR_CA_PATH": ca_path,
    "VEEAM_EM_SERVER": ready.get("em_url") or "",
    "VEEAM_EM_USERNAME": ready["username"],
    "VEEAM_EM_PASSWORD": ready["password"],
    "VEEAM_EM_CA_PATH": ca_path,
    "DEMO_VBR_URLS": " ".join(ready["vbr_urls"]),
}
for name, value in values.items():
    print("export %s=%s" % (name, shlex.quote(value)))

lines = ["---", "veeam_vbr:", "  hosts:"]
for index, url in enumerate(ready["vbr_urls"]):
    lines += ["    vbr%02d:" % (index + 1), "      veeam_vbr_server: %s" % json.dumps(url)]
if ready.get("em_url"):
    lines += ["  vars:", "    veeam_em_server: %s" % json.dumps(ready["em_url"])]
with open(sys.argv[2], "w") as handle:
    handle.write("\n".join(lines) + "\n")
PY
)"
eval "$ready_exports"
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.collections"
export ANSIBLE_PYTHON_INTERPRETER="$BIN/python"
INVENTORY="$SIM_DIR/inventory.yml"

echo "Simulator ready: VBR $DEMO_VBR_URLS, Enterprise Manager $VEEAM_EM_SERVER"
echo "CA certificate: $VEEAM_VBR_CA_PATH (validate_certs stays on); login: $VEEAM_VBR_USERNAME"

banner() { printf '\n==== %s\n' "$1"; }

# ---------------------------------------------------------------------------------------------------------
# HOOK: what the demo runs.
#  1. playbooks/demo.yml, when it exists (run with the inventory of this run);
#  2. else the playbooks present: onboard -> the same again (no change) -> audit -> offboard;
#  3. else tests/demo/demo.yml (log in to VBR and EM and list their roles).
# ---------------------------------------------------------------------------------------------------------
if [ -f playbooks/demo.yml ]; then
  banner "playbooks/demo.yml"
  "$BIN/ansible-playbook" -i "$INVENTORY" playbooks/demo.yml
elif [ -f playbooks/onboard.yml ] && [ -f playbooks/audit.yml ] && [ -f playbooks/offboard.yml ]; then
  PEOPLE=playbooks/vars/people.example.yml
  banner "1. Onboard TECH\\jane.doe, TECH\\bob.smith and the group TECH\\Restore Operators on every VBR server and in EM"
  "$BIN/ansible-playbook" -i "$INVENTORY" playbooks/onboard.yml -e @"$PEOPLE"
  banner "2. The same again: nothing changes (idempotent)"
  "$BIN/ansible-playbook" -i "$INVENTORY" playbooks/onboard.yml -e @"$PEOPLE" | tail -n 4
  banner "3. Audit: who has which role where (also written to .sim/audit/veeam-access.json and .csv)"
  "$BIN/ansible-playbook" -i "$INVENTORY" playbooks/audit.yml -e veeam_audit_dir="$SIM_DIR/audit"
  banner "4. Offboard TECH\\bob.smith and TECH\\jane.doe everywhere"
  "$BIN/ansible-playbook" -i "$INVENTORY" playbooks/offboard.yml \
    -e '{"veeam_offboard_users": ["TECH\\bob.smith", "TECH\\jane.doe"]}'
else
  banner "tests/demo/demo.yml: log in to VBR and Enterprise Manager and list their roles"
  "$BIN/ansible-playbook" -i localhost, tests/demo/demo.yml
fi

banner "Summary: what the simulated servers received (requests per route)"
"$BIN/python" - "$READY" <<'PY'
import json
import sys

import requests

with open(sys.argv[1]) as handle:
    ready = json.load(handle)
for url in ready["vbr_urls"] + ([ready["em_url"]] if ready.get("em_url") else []):
    stats = requests.get(url + "/_sim/stats", verify=ready["ca_path"], timeout=10).json()
    routes = ", ".join("%s x%d" % (route, count) for route, count in sorted(stats["by_route"].items()))
    print("  %s: %s" % (url, routes or "nothing"))
PY
echo "Demo finished: every request went over HTTPS with certificate checks on, and each module logged out."
echo "The simulator stops now (its log: $LOG); 'make sim' runs it in the foreground for your own playbooks."
