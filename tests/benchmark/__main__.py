"""``python -m tests.benchmark --help`` (from the repository root, with the collection installed: make bench)."""

import argparse
import datetime
import os
import platform
import sys

import ansible.release

from . import access, scale
from .bench import Bench
from .chart import line_chart
from .report import check_scale_targets, check_targets, markdown_report, scale_report

GROUPS = ("classic", "onboarding", "em", "parallel", "growth", "access")


def sizes_list(text):
    try:
        sizes = [int(size) for size in text.split(",") if size.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("--sizes takes user counts separated by commas, e.g. 100,1000: got %r" % text)
    return sizes


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmark",
        description="Onboarding through backupops.veeam against the ansible.builtin.uri baseline, on the simulator. "
                    "Prints a Markdown table (and writes it to --output) and exits 1 when a target is missed.")
    parser.add_argument("--sizes", default="100,1000", type=sizes_list,
                        help="user counts for scenarios 1-4, comma-separated (default %(default)s)")
    parser.add_argument("--latency-ms", type=float, default=20.0,
                        help="delay the simulator adds to every request (default %(default)s)")
    parser.add_argument("--among", type=int, default=10000,
                        help="scenario 5: existing users the one user is looked up among (default %(default)s)")
    parser.add_argument("--fleet", type=int, default=10, help="scenario 6: simulated VBR servers (default %(default)s)")
    parser.add_argument("--fleet-users", type=int, default=100,
                        help="scenario 6: users onboarded on each server (default %(default)s)")
    parser.add_argument("--onboard-people", type=int, default=200,
                        help="scenario 7: people onboarded end to end on VBR and EM (default %(default)s)")
    parser.add_argument("--onboard-servers", type=int, default=2,
                        help="scenario 7: simulated VBR servers (default %(default)s)")
    parser.add_argument("--em-size", type=int, default=200,
                        help="scenario 8: EM accounts for bulk vs loop vs uri (default %(default)s)")
    parser.add_argument("--parallel-size", type=int, default=1000,
                        help="scenario 9: changes written serially and in parallel (default %(default)s)")
    parser.add_argument("--parallel", type=int, default=scale.DEFAULT_PARALLEL,
                        help="parallel_requests of the parallel runs (default %(default)s, the modules' default)")
    parser.add_argument("--growth-users", default="100,1000,5000", type=sizes_list,
                        help="scenario 10: people in one bulk task (default %(default)s)")
    parser.add_argument("--growth-servers", default="1,10,50", type=sizes_list,
                        help="scenario 11: VBR servers for the onboard role (default %(default)s)")
    parser.add_argument("--growth-server-people", type=int, default=100,
                        help="scenario 11: people per server (default %(default)s)")
    parser.add_argument("--access-servers", type=int, default=50,
                        help="scenario 12: simulated VBR servers held to the desired state (default %(default)s)")
    parser.add_argument("--access-accounts", type=int, default=5000,
                        help="scenario 12: accounts of the desired state on each server (default %(default)s)")
    parser.add_argument("--access-em-accounts", type=int, default=500,
                        help="scenario 12: accounts of the desired state in EM, 0 leaves EM out (default %(default)s)")
    parser.add_argument("--access-drift", type=float, default=1.0,
                        help="scenario 12: percent of the accounts drifted each way (default %(default)s)")
    parser.add_argument("--only", default=",".join(GROUPS),
                        help="scenario groups to run, comma-separated, of: %s (default all)" % ", ".join(GROUPS))
    parser.add_argument("--chart-dir", default="build",
                        help="where the charts (SVG) of scenarios 10 and 11 go (default %(default)s)")
    parser.add_argument("--output", default="build/benchmark.md", help="Markdown report file (default %(default)s)")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, no latency, request-count targets only (what make test runs)")
    parser.add_argument("--verbose", action="store_true", help="print the end of each playbook's output")
    return parser.parse_args(argv)


def smoke_settings(args):
    args.sizes, args.latency_ms, args.among, args.fleet, args.fleet_users = [5], 0.0, 450, 2, 3
    args.onboard_people, args.onboard_servers, args.em_size, args.parallel_size = 4, 2, 4, 6
    args.growth_users, args.growth_servers, args.growth_server_people = [3, 6], [1, 2], 2
    args.access_servers, args.access_accounts, args.access_em_accounts, args.access_drift = 2, 12, 3, 10.0
    return args


def run_classic(bench, args):
    rows = {}
    for size in args.sizes:
        sys.stderr.write("%d users, %.0f ms latency:\n" % (size, args.latency_ms))
        bulk, rerun = bench.bulk_and_rerun(size)
        rows[size] = {"bulk": bulk, "loop": bench.loop(size), "uri": bench.uri_baseline(size), "rerun": rerun}
    sys.stderr.write("one user, fleet:\n")
    return rows, bench.lookup_among(args.among), bench.fleet(args.fleet, args.fleet_users)


def run_scale(bench, args, groups):
    results = {}
    if "onboarding" in groups:
        sys.stderr.write("onboarding end to end:\n")
        results["onboarding"] = scale.onboarding(bench, args.onboard_people, args.onboard_servers)
    if "em" in groups:
        sys.stderr.write("Enterprise Manager:\n")
        results["em"] = scale.em_compare(bench, args.em_size)
    if "parallel" in groups:
        sys.stderr.write("serial and parallel:\n")
        results["parallel"] = scale.serial_parallel(bench, args.parallel_size, args.parallel)
    if "growth" in groups:
        sys.stderr.write("growth:\n")
        results["growth_users"] = scale.growth_by_users(bench, args.growth_users, args.parallel)
        results["growth_servers"] = scale.growth_by_servers(bench, args.growth_servers, args.growth_server_people)
    if "access" in groups:
        sys.stderr.write("access as code:\n")
        results["access"] = access.access_fleet(bench, args.access_servers, args.access_accounts, args.access_drift,
                                                args.access_em_accounts)
    return results


def write_charts(results, chart_dir):
    """The growth charts as SVG files; returns [(title, path relative to the report)]."""
    charts = []
    plans = (("growth_users", "Bulk onboarding: time against people", "people in one task", "benchmark-people.svg"),
             ("growth_servers", "Onboard role: time against VBR servers", "VBR servers (one fork each)",
              "benchmark-servers.svg"))
    for key, title, x_label, name in plans:
        if not results.get(key):
            continue
        series = dict((variant, [(row.size, round(row.wall, 2)) for row in rows])
                      for variant, rows in results[key].items())
        os.makedirs(chart_dir, exist_ok=True)
        with open(os.path.join(chart_dir, name), "w") as handle:
            handle.write(line_chart(title, x_label, "wall time (s)", series))
        charts.append((title, name))
    return charts


def run(args):
    groups = [group.strip() for group in args.only.split(",") if group.strip()]
    unknown = sorted(set(groups) - set(GROUPS))
    if unknown:
        raise SystemExit("--only: unknown group(s) %s; choose from %s" % (", ".join(unknown), ", ".join(GROUPS)))
    bench = Bench(latency_ms=args.latency_ms, verbose=args.verbose)
    try:
        classic = run_classic(bench, args) if "classic" in groups else None
        return classic, run_scale(bench, args, groups)
    finally:
        bench.close()


def context_line(args):
    return ("%s, ansible-core %s, Python %s, %d CPUs, %s ms latency per request%s"
            % (datetime.date.today().isoformat(), ansible.release.__version__, platform.python_version(),
               os.cpu_count() or 1, "%g" % args.latency_ms, " (smoke run)" if args.smoke else ""))


def main(argv=None):
    args = parse_args(argv)
    if args.smoke:
        smoke_settings(args)
    classic, scaled = run(args)
    results = check_scale_targets(scaled, smoke=args.smoke)
    report = "# backupops.veeam benchmark\n\n%s\n\n" % context_line(args)
    if classic is not None:
        rows, lookup, fleet = classic
        results = check_targets(rows, lookup, smoke=args.smoke) + results
        report += markdown_report(rows, lookup, fleet, [], "", "") + "\n"
    if scaled:
        report += scale_report(scaled, write_charts(scaled, args.chart_dir)) + "\n"
    lines = ["- %s %s: %s" % ("PASS" if passed else "FAIL", target, detail) for target, passed, detail in results]
    report += "## Targets\n\n" + "\n".join(lines)
    report += "\n\nReproduce: `make bench` (or `.venv/bin/python -m tests.benchmark %s`).\n" % " ".join(sys.argv[1:])
    print(report)
    if args.output:
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        with open(args.output, "w") as handle:
            handle.write(report)
        sys.stderr.write("report written to %s\n" % args.output)
    return 0 if all(passed for _target, passed, _detail in results) else 1


if __name__ == "__main__":
    sys.exit(main())
