"""The benchmark's smoke run (make test): every scenario at a tiny size, no latency, request-count targets."""

import os
import subprocess
import sys

from tests.functional.module_harness import REPO_ROOT, _environment


def test_benchmark_smoke(tmp_path):
    report = tmp_path / "benchmark.md"
    env = _environment()
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env["PATH"]
    completed = subprocess.run([sys.executable, "-m", "tests.benchmark", "--smoke", "--output", str(report),
                                "--chart-dir", str(tmp_path)],
                               capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=600, check=False)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    text = report.read_text()
    for scenario in ("1. bulk vbr_user", "2. vbr_user in a loop", "3. ansible.builtin.uri baseline",
                     "4. bulk re-run", "5. one user among", "6. onboard role, 2 servers",
                     "7a. onboarding before", "7b. onboarding, onboard role", "7c. onboarding re-run",
                     "8a. EM bulk em_account", "8b. em_account in a loop", "8c. EM ansible.builtin.uri baseline",
                     "8d. EM bulk re-run", "9a. VBR bulk, serial", "9b. VBR bulk, 4 at once", "9c. EM bulk, serial",
                     "9d. EM bulk, 4 at once", "10. VBR bulk, serial", "11. onboard role, 2 servers",
                     "12a. access as code, drift report", "12b. access as code, enforcement",
                     "12c. access as code, re-run"):
        assert scenario in text, scenario
    assert "FAIL" not in text and text.count("PASS") == 13, text[text.index("## Targets"):]
    for chart in ("benchmark-people.svg", "benchmark-servers.svg"):
        assert (tmp_path / chart).read_text().startswith("<svg")
    # access as code (tests/benchmark/access.py), 2 servers with 12 accounts and EM with 3: the enforcement writes per
    # VBR server 1 missing + 1 differing + 1 unlisted account and the simulator's 3 unlisted ones, in EM 3 creates,
    # the unlisted TECH\\william.fox and the start of the scope rebuild; the drift report and the re-run nothing.
    access = dict((line.split(" | ")[0][2:5], line) for line in text.splitlines() if line.startswith("| 12"))
    assert sorted(access) == ["12a", "12b", "12c"], access
    assert "write" not in access["12a"] and "write" not in access["12c"], access
    vbr_requests, em_requests = access["12b"].split(" | ")[3:5]
    assert " 12 write" in vbr_requests and " 5 write" in em_requests, access["12b"]
    rerun = [line for line in text.splitlines() if line.startswith("| 4. bulk re-run")]
    assert len(rerun) == 1 and "write" not in rerun[0], rerun
