"""The benchmark's targets and report, from made-up measurements."""

from tests.benchmark.bench import Measurement, minimum_requests
from tests.benchmark.report import check_targets, markdown_report, overhead


def measurement(scenario, wall, kinds, minimum, users=1000):
    return Measurement(scenario, users, wall, kinds, minimum, 60 * 1024)


def rows(uri_wall=600.0, bulk_writes=1000, rerun_writes=0):
    bulk = measurement("1. bulk", 20.0, {"token": 1, "read": 2, "write": bulk_writes, "logout": 1},
                       minimum_requests(8, writes=1000))
    return {1000: {"bulk": bulk,
                   "loop": measurement("2. loop", 400.0, {"token": 1000, "read": 2000, "write": 1000}, 4000),
                   "uri": measurement("3. uri", uri_wall, {"token": 1001, "read": 1001, "write": 1000}, 3002),
                   "rerun": measurement("4. rerun", 3.0, {"token": 1, "read": 7, "write": rerun_writes},
                                        minimum_requests(1008, writes=0))}}


LOOKUP = measurement("5. lookup", 1.0, {"token": 1, "read": 2, "logout": 1}, 3, users=1)


def test_minimum_counts_pages_and_writes():
    assert minimum_requests(8, writes=1000) == 1003
    assert minimum_requests(1008, writes=0) == 1 + 6 + 1
    assert minimum_requests(0, writes=5, servers=3) == 3 * 3 + 5


def test_logouts_do_not_count_against_the_minimum():
    assert overhead(rows()[1000]["bulk"]) == 0


def test_every_target_passes_on_good_figures():
    results = check_targets(rows(), LOOKUP)
    assert [passed for _target, passed, _detail in results] == [True, True, True, True]


def test_targets_fail_on_bad_figures():
    bad = rows(uri_wall=100.0, bulk_writes=1100, rerun_writes=2)
    assert [passed for _target, passed, _detail in check_targets(bad, LOOKUP)] == [False, False, False, True]


def test_smoke_checks_counts_only():
    targets = [target for target, _passed, _detail in check_targets(rows(uri_wall=1.0), LOOKUP, smoke=True)]
    assert not any("faster" in target for target in targets)


def test_report_has_the_ratios_and_the_targets():
    text = markdown_report(rows(), LOOKUP, LOOKUP, check_targets(rows(), LOOKUP), "context", "--sizes 1000")
    assert "| 3. uri | 1000 | 600.0 s |" in text and "| 30.0x |" in text
    assert "- PASS bulk path of 1000 users at least 20x faster than the uri baseline: 30.0x" in text
    assert "`make bench`" in text
