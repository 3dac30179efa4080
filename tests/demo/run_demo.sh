#!/usr/bin/env bash
# `make demo`: start the Veeam simulator (2 VBR servers + Enterprise Manager, HTTPS with its own CA),
# run the demo playbook against it with validate_certs on, print what happened, stop the simulator.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="$PWD/.venv/bin"
mkdir -p .sim
rm -f .sim/ready.json .sim/state.json

"$BIN/python" -m tests.simulator --vbr-port 0 --em-port 0 --vbr-servers 2 --cert-dir .sim/certs \
  --state .sim/state.json --ready-file .sim/ready.json >.sim/simulator.log 2>&1 &
SIM_PID=$!
trap 'kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null || true' EXIT

for _ in $(seq 1 300); do
  [ -s .sim/ready.json ] && break
  if ! kill -0 "$SIM_PID" 2>/dev/null; then
    echo "The simulator did not start. Its log (.sim/simulator.log):" >&2; tail -20 .sim/simulator.log >&2; exit 1
  fi
  sleep 0.1
done
[ -s .sim/ready.json ] || { echo "The simulator was not ready within 30 s; see .sim/simulator.log" >&2; exit 1; }

ready() { "$BIN/python" -c "import json,sys; d=json.load(open('.sim/ready.json')); print(eval(sys.argv[1], {}, d))" "$1"; }
export VEEAM_VBR_SERVER="$(ready 'vbr_urls[0]')" VEEAM_EM_SERVER="$(ready em_url)"
export VEEAM_VBR_USERNAME="$(ready username)" VEEAM_EM_USERNAME="$(ready username)"
export VEEAM_VBR_PASSWORD="$(ready password)" VEEAM_EM_PASSWORD="$(ready password)"
export VEEAM_VBR_CA_PATH="$PWD/$(ready ca_path)" VEEAM_EM_CA_PATH="$PWD/$(ready ca_path)"
export ANSIBLE_COLLECTIONS_PATH="$PWD/.collections" ANSIBLE_PYTHON_INTERPRETER="$BIN/python"

echo "Simulator: VBR $(ready 'vbr_urls') and Enterprise Manager $VEEAM_EM_SERVER (CA: $VEEAM_VBR_CA_PATH)"
"$BIN/python" - <<'PY'
import json
ready = json.load(open(".sim/ready.json"))
lines = ["veeam_vbr:", "  hosts:"]
for index, url in enumerate(ready["vbr_urls"]):
    lines += ["    vbr%02d:" % (index + 1), "      veeam_vbr_server: %s" % url]
lines += ["  vars:", "    veeam_em_server: %s" % ready["em_url"]]
open(".sim/inventory.yml", "w").write("\n".join(lines) + "\n")
PY
banner() { printf '\n==== %s\n' "$1"; }
PEOPLE=playbooks/vars/people.example.yml
banner "1. Onboard TECH\\jane.doe, TECH\\bob.smith and the group TECH\\Restore Operators on every VBR server and in EM"
"$BIN/ansible-playbook" -i .sim/inventory.yml playbooks/onboard.yml -e @"$PEOPLE"
banner "2. The same again: nothing changes (idempotent)"
"$BIN/ansible-playbook" -i .sim/inventory.yml playbooks/onboard.yml -e @"$PEOPLE" | tail -4
banner "3. Audit: who has which role where (also written to .sim/audit/veeam-access.json and .csv)"
"$BIN/ansible-playbook" -i .sim/inventory.yml playbooks/audit.yml -e veeam_audit_dir="$PWD/.sim/audit"
banner "4. Offboard TECH\\bob.smith and TECH\\jane.doe everywhere"
"$BIN/ansible-playbook" -i .sim/inventory.yml playbooks/offboard.yml \
  -e '{"veeam_offboard_users": ["TECH\\bob.smith", "TECH\\jane.doe"]}'
echo
echo "What the simulated servers received (requests per route):"
"$BIN/python" - <<'PY'
import json, requests
ready = json.load(open(".sim/ready.json"))
for url in ready["vbr_urls"] + [ready["em_url"]]:
    stats = requests.get(url + "/_sim/stats", verify=ready["ca_path"], timeout=10).json()
    routes = ", ".join("%s x%d" % (route, count) for route, count in sorted(stats["by_route"].items()))
    print("  %s: %s" % (url, routes or "nothing"))
PY
echo "Demo finished: onboarding, audit and offboarding ran over HTTPS with certificate checks on; each module logged out."
