"""``python -m tests.benchmark --help`` (from the repository root, with the collection installed: make bench)."""

import argparse
import datetime
import os
import platform
import sys

import ansible.release

from .bench import Bench
from .report import check_targets, markdown_report


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
    parser.add_argument("--output", default="build/benchmark.md", help="Markdown report file (default %(default)s)")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, no latency, request-count targets only (what make test runs)")
    parser.add_argument("--verbose", action="store_true", help="print the end of each playbook's output")
    return parser.parse_args(argv)


def smoke_settings(args):
    args.sizes, args.latency_ms, args.among, args.fleet, args.fleet_users = [5], 0.0, 450, 2, 3
    return args


def run(args):
    bench = Bench(latency_ms=args.latency_ms, verbose=args.verbose)
    rows = {}
    try:
        for size in args.sizes:
            sys.stderr.write("%d users, %.0f ms latency:\n" % (size, args.latency_ms))
            bulk, rerun = bench.bulk_and_rerun(size)
            rows[size] = {"bulk": bulk, "loop": bench.loop(size), "uri": bench.uri_baseline(size), "rerun": rerun}
        sys.stderr.write("one user, fleet:\n")
        return rows, bench.lookup_among(args.among), bench.fleet(args.fleet, args.fleet_users)
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
    rows, lookup, fleet = run(args)
    results = check_targets(rows, lookup, smoke=args.smoke)
    report = markdown_report(rows, lookup, fleet, results, context_line(args), " ".join(sys.argv[1:]))
    print(report)
    if args.output:
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        with open(args.output, "w") as handle:
            handle.write(report)
        sys.stderr.write("report written to %s\n" % args.output)
    return 0 if all(passed for _target, passed, _detail in results) else 1


if __name__ == "__main__":
    sys.exit(main())
