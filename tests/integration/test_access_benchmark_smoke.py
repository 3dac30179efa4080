"""The access-as-code benchmark scenario (tests/benchmark/access.py) at a tiny size, no latency: the request counts
are the minimum in each of its three runs (drift report, enforcement, re-run), and only the enforcement writes."""

from tests.benchmark.access import smoke
from tests.benchmark.bench import Bench
from tests.benchmark.report import SMOKE_FIXED_EXTRA


def test_access_benchmark_smoke():
    bench = Bench(latency_ms=0.0)
    try:
        drift, enforce, rerun = smoke(bench)
    finally:
        bench.close()
    for run in (drift, rerun):
        assert run.api_requests == run.minimum, (run.scenario, run.kinds, run.minimum)
    # The enforcement rebuilds the EM restore scopes: the simulated task runs for a while, so the task may be looked at
    # more than the once the minimum counts; the VBR servers get exactly their minimum, EM at most that many more reads.
    assert enforce.product_requests("vbr") == enforce.minimum_by_product["vbr"], enforce.by_product
    extra = enforce.product_requests("em") - enforce.minimum_by_product["em"]
    assert 0 <= extra <= SMOKE_FIXED_EXTRA, (enforce.by_product["em"], enforce.minimum_by_product["em"])
    assert enforce.by_product["em"]["write"] == 3 + 1 + 1, enforce.by_product["em"]
    for run in (drift, enforce, rerun):
        assert run.wall > 0 and run.peak_rss_kb > 0 and run.users == 12
    assert drift.kinds.get("write", 0) == 0 and rerun.kinds.get("write", 0) == 0
    # per VBR server 1 missing + 1 differing + 1 unlisted account and the simulator's 3 unlisted ones; EM: 3 creates,
    # the unlisted TECH\william.fox
    assert enforce.kinds["write"] == 2 * 6 + 4 + 1
    assert "drift report" in drift.scenario and "enforcement" in enforce.scenario and "re-run" in rerun.scenario
