"""The benchmark's targets and its Markdown report (pure functions of the measurements)."""

TARGET_SPEEDUP = 20.0      # bulk onboarding of the largest size vs the uri baseline
TARGET_OVERHEAD = 0.05     # requests of the bulk path above the minimum
TARGET_LOOKUP_EXTRA = 3    # scenario 5: requests beyond the token


def overhead(measurement):
    """How far the API requests (token, reads, writes; logouts apart) are above the minimum, as a fraction."""
    return (measurement.api_requests - measurement.minimum) / float(measurement.minimum)


def beyond_token(measurement):
    return measurement.requests - measurement.kinds.get("token", 0)


def check_targets(rows, lookup, smoke=False):
    """[(target, passed, detail)]. The speed target needs realistic sizes, so a smoke run checks counts only."""
    results = []
    largest = max(rows)
    for size in sorted(rows):
        bulk, rerun = rows[size]["bulk"], rows[size]["rerun"]
        results.append(("bulk path of %d users within %d%% of the minimum requests" % (size, TARGET_OVERHEAD * 100),
                        overhead(bulk) <= TARGET_OVERHEAD,
                        "%d requests, minimum %d" % (bulk.api_requests, bulk.minimum)))
        results.append(("re-run of %d users writes nothing" % size, rerun.kinds.get("write", 0) == 0,
                        "%d writes" % rerun.kinds.get("write", 0)))
    if not smoke:
        speedup = rows[largest]["uri"].wall / rows[largest]["bulk"].wall
        results.append(("bulk path of %d users at least %gx faster than the uri baseline" % (largest, TARGET_SPEEDUP),
                        speedup >= TARGET_SPEEDUP, "%.1fx" % speedup))
    extra = beyond_token(lookup)
    results.append(("one user among many: at most %d requests beyond the token" % TARGET_LOOKUP_EXTRA,
                    extra <= TARGET_LOOKUP_EXTRA, "%d (%s)" % (extra, kinds_text(lookup.kinds, skip=("token",)))))
    return results


def kinds_text(kinds, skip=()):
    order = ["token", "logon", "read", "write", "logout"]
    names = [kind for kind in order if kind in kinds] + sorted(set(kinds) - set(order))
    return ", ".join("%d %s" % (kinds[kind], kind) for kind in names if kind not in skip and kinds[kind])


def _row(measurement, ratio=""):
    return "| %s | %d | %.1f s | %s | %d | %d | %+.1f%% | %.0f MB | %s |" % (
        measurement.scenario, measurement.users, measurement.wall, kinds_text(measurement.kinds),
        measurement.api_requests, measurement.minimum, overhead(measurement) * 100,
        measurement.peak_rss_kb / 1024.0, ratio)


def markdown_report(rows, lookup, fleet, results, context, command_args):
    lines = ["# backupops.veeam benchmark", "", context, "",
             "| scenario | users | wall time | requests by kind | API requests | minimum | vs minimum | peak RSS | "
             "time vs bulk |",
             "|---|---:|---:|---|---:|---:|---:|---:|---:|"]
    for size in sorted(rows):
        row = rows[size]
        bulk = row["bulk"]
        lines.append(_row(bulk, "1x"))
        for key in ("loop", "uri", "rerun"):
            lines.append(_row(row[key], "%.1fx" % (row[key].wall / bulk.wall)))
    lines.append(_row(lookup))
    lines.append(_row(fleet))
    lines += ["",
              "API requests: token, reads and writes (logouts are listed but not counted). Minimum: 1 token + "
              "ceil(users on the server / 200) list reads + 1 role read + one write per change, per server; for "
              "the loop and the uri baseline, what each task has to send (token, lookup, create; the loop also "
              "reads the roles). Peak RSS: the largest process of the ansible run. Time vs bulk: wall time "
              "divided by the bulk run's of the same size.",
              "", "## Targets", ""]
    lines += ["- %s %s: %s" % ("PASS" if passed else "FAIL", target, detail) for target, passed, detail in results]
    lines += ["", "Reproduce: `make bench` (or `.venv/bin/python -m tests.benchmark %s`)." % command_args.strip(), ""]
    return "\n".join(lines)
