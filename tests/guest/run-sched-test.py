#!/usr/bin/env python3
"""Checks that a racy guest's outcome is a function of reprise's scheduler.

    run-sched-test.py --reprise REPRISE --expect-ok NAME [options] -- PROGRAM [ARGS...]

PROGRAM is a guest whose stdout depends on how its threads interleave (the
`race` guest prints the final value of an unlocked counter). Each run must
exit 0 with "ok: NAME" as its last stdout line and no sanitizer report, as
run-guest-test.py checks. Then:

  * default scheduler: two runs give byte-identical stdout, stderr and status;
  * --sched=chaos --seed N for N in 1..--seeds: at least one run prints other
    stdout than the default scheduler (chaos exposes other interleavings);
  * the first --recheck seeds, and the first seed that differed from the
    default, run a second time and give byte-identical results (one seed,
    one interleaving).

Prints how many distinct outcomes the seeds gave.
"""

import argparse
import concurrent.futures
import copy
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load_guest_driver():
    """run-guest-test.py, whose run and check helpers this script reuses."""
    spec = importlib.util.spec_from_file_location("run_guest_test",
                                                  os.path.join(HERE, "run-guest-test.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--name", default="test", help="test name, for messages")
    p.add_argument("--reprise", required=True, help="path of the reprise binary")
    p.add_argument("--expect-ok", required=True, metavar="NAME",
                   help="last stdout line must be 'ok: NAME'")
    p.add_argument("--seeds", type=int, default=100, help="chaos seeds 1..N to try")
    p.add_argument("--recheck", type=int, default=3,
                   help="how many of the first seeds to run twice")
    p.add_argument("--timeout", type=float, default=60, help="seconds per run")
    p.add_argument("--jobs", type=int, default=2,
                   help="runs at once (a run mostly waits on reprise's start-up)")
    p.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args(argv)
    if args.command and args.command[0] == "--":
        args.command = args.command[1:]
    if not args.command:
        p.error("no program given")
    if args.seeds < 1:
        p.error("--seeds must be at least 1")
    return args


def main(argv):
    args = parse_args(argv)
    rgt = load_guest_driver()
    base = rgt.parse_args(["--name", args.name, "--reprise", args.reprise,
                           "--expect-ok", args.expect_ok, "--timeout", str(args.timeout),
                           "--"] + args.command)

    def run(sched_args):
        opts = copy.copy(base)
        opts.reprise_arg = list(sched_args)
        result = rgt.run_once(opts, None)
        rgt.check_run(opts, *result)
        return result

    def chaos(seed):
        return ["--sched=chaos", "--seed", str(seed)]

    try:
        first = run([])
        rgt.compare_runs(f"{args.name}: default scheduler", first, run([]))

        seeds = range(1, args.seeds + 1)
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            outcomes = dict(zip(seeds, pool.map(lambda s: run(chaos(s)), seeds)))
        differing = [s for s, r in outcomes.items() if r[2] != first[2]]
        if not differing:
            raise rgt.TestFailure(
                f"{args.name}: none of --sched=chaos --seed 1..{args.seeds} printed other "
                f"stdout than the default scheduler:\n{rgt.decode(first[2])}")

        recheck = sorted(set(range(1, min(args.recheck, args.seeds) + 1)) | {differing[0]})
        for seed in recheck:
            rgt.compare_runs(f"{args.name}: --sched=chaos --seed {seed}",
                             outcomes[seed], run(chaos(seed)))

        distinct = len({r[2] for r in outcomes.values()})
        print(f"{args.name}: default scheduler twice identical; {len(differing)} of "
              f"{args.seeds} chaos seeds differ from it, {distinct} distinct outcomes; "
              f"seeds {', '.join(map(str, recheck))} reproduced exactly")
        print(f"default: {rgt.decode(first[2]).splitlines()[0]}")
    except rgt.TestFailure as e:
        print(str(e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
