#!/usr/bin/env python3
"""Runs one guest test program, natively or under reprise, and checks it.

    run-guest-test.py [options] -- PROGRAM [ARGS...]

Without --reprise the program runs natively (or under --runner, e.g.
qemu-aarch64). With --reprise the command becomes

    REPRISE run [--reprise-arg ...] [--clear-env] [-E K=V ...] -- PROGRAM ARGS

or, with --raw, REPRISE followed by the words after "--" exactly as given (for
tests of reprise's own command line).

In PROGRAM, ARGS and --reprise-arg values, "{tmpdir}" becomes a fresh
temporary directory (created when --tmpdir is given, removed afterwards),
"{hostname}" the host's node name and "{empty}" an empty string.

Checks, in order, each reported with what was seen:
  * exit status (--exit N or --exit nonzero; a death by signal N counts as
    128+N, as a shell reports it); default 0;
  * no sanitizer report on stderr (always);
  * --stderr-regex RE must match somewhere in stderr; --stderr-lines N and
    --stderr-prefix P constrain stderr's shape;
  * --expected FILE: stdout must equal the file byte for byte (a unified diff
    is printed otherwise). With --arch A, FILE's "NAME.A.out" sibling is used
    instead of "NAME.out" when it exists;
  * --expect-ok NAME: the last stdout line must be "ok: NAME";
  * --repeat: a second identical run must give byte-identical stdout, stderr
    and status;
  * --determinism (reprise only): runs with --seed 1 twice (stdout, stderr and
    status byte-identical) and once with --seed 2 (stdout must differ).
  * --replay (reprise only): the program runs under `reprise record` twice
    (each run checked as above; the two traces must be byte-identical), then
    `reprise replay` runs the trace from an empty directory with stdin
    closed and must give the recording's stdout, stderr and status exactly,
    without writing to {tmpdir}.

With --send-signal SIG (a name: TERM, INT...) the driver sends SIG to the
process it started (reprise, or the program itself) once the first line of
stdout has appeared: a signal from outside, as a user's kill or ^C.
"""

import argparse
import difflib
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

SANITIZER_RE = re.compile(
    r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:")


class TestFailure(Exception):
    pass


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--name", default="test", help="test name, for messages")
    p.add_argument("--reprise", help="path of the reprise binary; omit to run natively")
    p.add_argument("--reprise-arg", action="append", default=[],
                   help="extra option for 'reprise run' (repeatable)")
    p.add_argument("--raw", action="store_true",
                   help="pass the words after -- to reprise verbatim")
    p.add_argument("--runner", help="native runs only: prefix command, e.g. qemu-aarch64")
    p.add_argument("--env", action="append", default=[], metavar="K=V",
                   help="guest environment variable (reprise: -E K=V)")
    p.add_argument("--clear-env", action="store_true",
                   help="start the guest environment empty (reprise: --clear-env)")
    p.add_argument("--tmpdir", action="store_true", help="create a fresh temporary directory")
    p.add_argument("--exit", default="0", help="expected exit status, or 'nonzero'")
    p.add_argument("--stderr-regex", help="regular expression stderr must match")
    p.add_argument("--stderr-lines", type=int, help="exact number of stderr lines")
    p.add_argument("--stderr-prefix", help="every stderr line must start with this")
    p.add_argument("--expected", help="file holding the exact expected stdout")
    p.add_argument("--arch", help="prefer NAME.ARCH.out over NAME.out for --expected")
    p.add_argument("--expect-ok", metavar="NAME", help="last stdout line must be 'ok: NAME'")
    p.add_argument("--repeat", action="store_true", help="run twice, outputs must be identical")
    p.add_argument("--determinism", action="store_true",
                   help="reprise only: same seed twice identical, another seed differs")
    p.add_argument("--replay", action="store_true",
                   help="reprise only: record twice, compare traces, replay and compare")
    p.add_argument("--timeout", type=float, default=600, help="seconds per run")
    p.add_argument("--send-signal", metavar="SIG",
                   help="send SIG (TERM, INT...) once the first stdout line has appeared")
    p.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args(argv)
    if args.command and args.command[0] == "--":
        args.command = args.command[1:]
    if not args.command and not args.raw:
        p.error("no program given")
    if args.determinism and not args.reprise:
        p.error("--determinism needs --reprise")
    if args.replay and (not args.reprise or args.raw):
        p.error("--replay needs --reprise and no --raw")
    if args.raw and not args.reprise:
        p.error("--raw needs --reprise")
    if args.send_signal and not hasattr(signal, "SIG" + args.send_signal):
        p.error(f"--send-signal: unknown signal {args.send_signal}")
    return args


def substitute(word, tmpdir):
    if "{tmpdir}" in word and tmpdir is None:
        raise TestFailure("'{tmpdir}' used without --tmpdir")
    word = word.replace("{tmpdir}", tmpdir or "")
    word = word.replace("{hostname}", os.uname().nodename)
    return "" if word == "{empty}" else word


def build_command(args, tmpdir, seed=None, trace=None):
    """Returns (argv, env) for one run (recorded to TRACE when given)."""
    words = [substitute(w, tmpdir) for w in args.command]
    if args.reprise:
        if args.raw:
            return [args.reprise] + words, None
        cmd = [args.reprise, "run"] if trace is None else [args.reprise, "record", "-o", trace]
        if seed is not None:
            cmd += ["--seed", str(seed)]
        cmd += [substitute(w, tmpdir) for w in args.reprise_arg]
        if args.clear_env:
            cmd.append("--clear-env")
        for kv in args.env:
            cmd += ["-E", kv]
        return cmd + ["--"] + words, None
    env = {} if args.clear_env else dict(os.environ)
    for kv in args.env:
        key, _, value = kv.partition("=")
        env[key] = value
    prefix = args.runner.split() if args.runner else []
    return prefix + words, env


def no_core_dumps():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def empty_dir(tmpdir):
    """Empties TMPDIR and sets its mode and times to fixed values, so that
    every run (and every recording) meets the same directory."""
    for entry in os.listdir(tmpdir):
        full = os.path.join(tmpdir, entry)
        if os.path.isdir(full) and not os.path.islink(full):
            shutil.rmtree(full)
        else:
            os.unlink(full)
    os.chmod(tmpdir, 0o700)
    os.utime(tmpdir, (1700000000, 1700000000))


def run_replay(args, trace, workdir):
    """`reprise replay TRACE` from WORKDIR with stdin closed (and the
    recording's --strace options, whose output is part of stderr)."""
    cmd = [args.reprise, "replay", trace] + [
        a for a in args.reprise_arg if a.startswith("--strace")]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=args.timeout, cwd=workdir,
                              preexec_fn=lambda: (no_core_dumps(), os.close(0)))
    except subprocess.TimeoutExpired as e:
        raise TestFailure(f"timed out after {args.timeout:g} s: {describe(cmd)}\n"
                          f"stdout so far:\n{decode(e.stdout)}stderr so far:\n{decode(e.stderr)}")
    status = proc.returncode if proc.returncode >= 0 else 128 - proc.returncode
    return cmd, status, proc.stdout, proc.stderr


def check_replay(args, tmpdir):
    """Records twice, compares the traces, replays and compares the output."""
    with tempfile.TemporaryDirectory(prefix=f"reprise-replay-{args.name}-") as work:
        # A signal from the host comes when it comes: two recordings of
        # such a run differ (that is what the trace is for), so it is
        # recorded once and only its replay is compared.
        traces = [os.path.join(work, f"run{i}.trace")
                  for i in ((1,) if args.send_signal else (1, 2))]
        runs = []
        for t in traces:
            r = run_once(args, tmpdir, trace=t)
            check_run(args, *r)
            runs.append(r)
        if len(runs) == 2:
            compare_runs(f"{args.name}: two recordings", runs[0], runs[1])
            with open(traces[0], "rb") as f1, open(traces[1], "rb") as f2:
                same = f1.read() == f2.read()
            if not same:
                dumps = [subprocess.run([args.reprise, "trace", "dump", t],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        timeout=args.timeout).stdout for t in traces]
                diff = "".join(list(difflib.unified_diff(
                    decode(dumps[0]).splitlines(keepends=True),
                    decode(dumps[1]).splitlines(keepends=True),
                    fromfile="trace 1", tofile="trace 2"))[:40])
                raise TestFailure(f"{args.name}: two recordings of the same run gave "
                                  f"different traces; their events differ as:\n{diff}")
        if tmpdir is not None:
            empty_dir(tmpdir)
        empty = os.path.join(work, "empty")
        os.mkdir(empty)
        replayed = run_replay(args, traces[0], empty)
        compare_runs(f"{args.name}: recording vs replay", runs[0], replayed)
        if tmpdir is not None and os.listdir(tmpdir):
            raise TestFailure(f"{args.name}: the replay wrote to {tmpdir}: "
                              f"{sorted(os.listdir(tmpdir))}")
        if os.listdir(empty):
            raise TestFailure(f"{args.name}: the replay wrote to its working directory")
        size = os.path.getsize(traces[0])
        return runs[0], size


def run_once(args, tmpdir, seed=None, trace=None):
    cmd, env = build_command(args, tmpdir, seed, trace)
    if tmpdir is not None:
        # Each run starts from an empty directory at the same path, so that
        # repeated runs see (and print) the same paths.
        empty_dir(tmpdir)
    if args.send_signal:
        return run_signalled(args, cmd, env)
    try:
        proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=args.timeout,
                              preexec_fn=no_core_dumps)
    except subprocess.TimeoutExpired as e:
        raise TestFailure(f"timed out after {args.timeout:g} s: {describe(cmd)}\n"
                          f"stdout so far:\n{decode(e.stdout)}stderr so far:\n{decode(e.stderr)}")
    except OSError as e:
        raise TestFailure(f"could not start {describe(cmd)}: {e}")
    status = proc.returncode if proc.returncode >= 0 else 128 - proc.returncode
    return cmd, status, proc.stdout, proc.stderr


def run_signalled(args, cmd, env):
    """One run that gets args.send_signal once its first stdout line is out."""
    try:
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, preexec_fn=no_core_dumps)
    except OSError as e:
        raise TestFailure(f"could not start {describe(cmd)}: {e}")
    out, err = bytearray(), bytearray()
    first_line = threading.Event()

    def drain(pipe, buf, watch):
        while True:
            chunk = pipe.read1(4096)
            if not chunk:
                break
            buf += chunk
            if watch and b"\n" in buf:
                first_line.set()
        if watch:
            first_line.set()  # EOF: nothing more will come

    readers = [threading.Thread(target=drain, args=(proc.stdout, out, True)),
               threading.Thread(target=drain, args=(proc.stderr, err, False))]
    for r in readers:
        r.start()
    try:
        if first_line.wait(args.timeout) and proc.poll() is None:
            proc.send_signal(getattr(signal, "SIG" + args.send_signal))
        proc.wait(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        for r in readers:
            r.join()
        raise TestFailure(f"timed out after {args.timeout:g} s: {describe(cmd)}\n"
                          f"stdout so far:\n{decode(bytes(out))}stderr so far:\n"
                          f"{decode(bytes(err))}")
    for r in readers:
        r.join()
    status = proc.returncode if proc.returncode >= 0 else 128 - proc.returncode
    return cmd, status, bytes(out), bytes(err)


def decode(b):
    if b is None:
        return ""
    return b.decode("utf-8", errors="backslashreplace")


def describe(cmd):
    return " ".join(repr(w) if (not w or any(c in w for c in " '\"\\$")) else w for w in cmd)


def expected_path(args):
    if not args.expected:
        return None
    if args.arch:
        base = args.expected[:-4] if args.expected.endswith(".out") else args.expected
        specific = f"{base}.{args.arch}.out"
        if os.path.exists(specific):
            return specific
    return args.expected


def check_run(args, cmd, status, out, err):
    """Checks one run's status, stderr and stdout; raises TestFailure."""
    problems = []
    if args.exit == "nonzero":
        if status == 0:
            problems.append("exit status 0, expected non-zero")
    elif status != int(args.exit):
        problems.append(f"exit status {status}, expected {args.exit}")

    err_text = decode(err)
    if SANITIZER_RE.search(err_text):
        problems.append("stderr holds a sanitizer report")
    if args.stderr_regex and not re.search(args.stderr_regex, err_text):
        problems.append(f"stderr does not match /{args.stderr_regex}/")
    lines = err_text.splitlines()
    if args.stderr_lines is not None and len(lines) != args.stderr_lines:
        problems.append(f"stderr has {len(lines)} line(s), expected {args.stderr_lines}")
    if args.stderr_prefix is not None:
        bad = [l for l in lines if not l.startswith(args.stderr_prefix)]
        if bad:
            problems.append(f"stderr line does not start with {args.stderr_prefix!r}: {bad[0]!r}")

    diff = ""
    exp = expected_path(args)
    if exp:
        try:
            with open(exp, "rb") as f:
                want = f.read()
        except OSError as e:
            raise TestFailure(f"cannot read expected output {exp}: {e}")
        if out != want:
            problems.append(f"stdout differs from {exp}")
            diff = "".join(difflib.unified_diff(
                decode(want).splitlines(keepends=True), decode(out).splitlines(keepends=True),
                fromfile=exp, tofile="actual stdout"))
    if args.expect_ok:
        out_lines = decode(out).splitlines()
        if not out_lines or out_lines[-1] != f"ok: {args.expect_ok}":
            problems.append(f"last stdout line is not 'ok: {args.expect_ok}'")

    if problems:
        msg = [f"FAILED {args.name}: " + "; ".join(problems), f"command: {describe(cmd)}",
               f"exit status: {status}", "--- stdout ---", decode(out).rstrip("\n"),
               "--- stderr ---", err_text.rstrip("\n")]
        if diff:
            msg += ["--- diff (expected -> actual) ---", diff.rstrip("\n")]
        raise TestFailure("\n".join(msg))


def compare_runs(what, a, b):
    (cmd_a, st_a, out_a, err_a), (cmd_b, st_b, out_b, err_b) = a, b
    diffs = []
    if st_a != st_b:
        diffs.append(f"exit status {st_a} vs {st_b}")
    for label, x, y in (("stdout", out_a, out_b), ("stderr", err_a, err_b)):
        if x != y:
            d = "".join(difflib.unified_diff(
                decode(x).splitlines(keepends=True), decode(y).splitlines(keepends=True),
                fromfile=f"{label} (run 1)", tofile=f"{label} (run 2)"))
            diffs.append(f"{label} differs:\n{d.rstrip()}")
    if diffs:
        raise TestFailure(f"{what}: runs are not identical\ncommand: {describe(cmd_a)}\n"
                          + "\n".join(diffs))


def main(argv):
    args = parse_args(argv)
    tmpdir = tempfile.mkdtemp(prefix=f"reprise-guest-{args.name}-") if args.tmpdir else None
    try:
        if args.determinism:
            first = run_once(args, tmpdir, seed=1)
            check_run(args, *first)
            second = run_once(args, tmpdir, seed=1)
            check_run(args, *second)
            compare_runs(f"{args.name}: two runs with --seed 1", first, second)
            other = run_once(args, tmpdir, seed=2)
            check_run(args, *other)
            if other[2] == first[2]:
                raise TestFailure(f"{args.name}: --seed 2 printed the same stdout as --seed 1\n"
                                  f"command: {describe(other[0])}\n{decode(other[2])}")
            print(f"{args.name}: --seed 1 twice identical ({len(first[2])} bytes of stdout), "
                  f"--seed 2 differs")
        elif args.replay:
            first, size = check_replay(args, tmpdir)
            how = ("recorded once (a host signal)" if args.send_signal
                   else f"recorded twice (identical {size}-byte traces)")
            print(f"{args.name}: {how}, replay identical ({describe(first[0])})")
        else:
            first = run_once(args, tmpdir)
            check_run(args, *first)
            if args.repeat:
                second = run_once(args, tmpdir)
                check_run(args, *second)
                compare_runs(f"{args.name}: repeated run", first, second)
            print(f"{args.name}: passed ({describe(first[0])})")
    except TestFailure as e:
        print(str(e), file=sys.stderr)
        return 1
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
