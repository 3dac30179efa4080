"""The access-as-code benchmark scenario (tests/benchmark/access.py) at a tiny size, no latency: the request counts
are the minimum in each of its three runs (drift report, enforcement, re-run), and only the enforcement writes."""

from tests.benchmark.access import smoke
from tests.benchmark.bench import Bench


def test_access_benchmark_smoke():
    bench = Bench(latency_ms=0.0)
    try:
        drift, enforce, rerun = smoke(bench)
    finally:
        bench.close()
    for run in (drift, enforce, rerun):
        assert run.api_requests == run.minimum, (run.scenario, run.kinds, run.minimum)
        assert run.wall > 0 and run.peak_rss_kb > 0 and run.users == 12
    assert drift.kinds.get("write", 0) == 0 and rerun.kinds.get("write", 0) == 0
    # per VBR server 1 missing + 1 differing + 1 unlisted account and the simulator's 3 unlisted ones; EM: 3 creates,
    # the unlisted TECH\william.fox
    assert enforce.kinds["write"] == 2 * 6 + 4 + 1
    assert "drift report" in drift.scenario and "enforcement" in enforce.scenario and "re-run" in rerun.scenario
