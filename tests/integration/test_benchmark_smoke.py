"""The benchmark's smoke run (make test): every scenario at a tiny size, no latency, request-count targets."""

import os
import subprocess
import sys

from tests.functional.module_harness import REPO_ROOT, _environment


def test_benchmark_smoke(tmp_path):
    report = tmp_path / "benchmark.md"
    env = _environment()
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env["PATH"]
    completed = subprocess.run([sys.executable, "-m", "tests.benchmark", "--smoke", "--output", str(report)],
                               capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=600, check=False)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    text = report.read_text()
    for scenario in ("1. bulk vbr_user", "2. vbr_user in a loop", "3. ansible.builtin.uri baseline",
                     "4. bulk re-run", "5. one user among", "6. onboard role, 2 servers"):
        assert scenario in text
    assert "FAIL" not in text and text.count("PASS") == 3
    rerun = [line for line in text.splitlines() if line.startswith("| 4. bulk re-run")]
    assert len(rerun) == 1 and "write" not in rerun[0], rerun
