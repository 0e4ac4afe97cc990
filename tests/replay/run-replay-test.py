#!/usr/bin/env python3
"""End-to-end checks of `reprise record` and `reprise replay`.

    run-replay-test.py --reprise R --tamper T --guest-bin DIR --arch A CASE

CASE is one of:
  tamper-result   a syscall result edited in the trace: replay stops at
                  exactly that event with the divergence status (86)
  tamper-drop     an event dropped: replay stops at that index
  cut             a trace ended early (by event, and by cutting the file's
                  bytes): replay stops with status 87 after the recording's
                  output up to there
  bad-traces      missing, empty, foreign, damaged, wrong-version and
                  wrong-arch traces: one line on stderr, non-zero status
  file-and-stdin  a program that reads a file of its --root and stdin
                  replays with the root deleted and stdin closed
  stop-at         --stop-at N stops before event N and prints the registers
  info-dump       `trace info` and `trace dump` agree on the events
  host-signals    SIGINT (handled) and SIGTERM (default: the guest dies)
                  sent to `reprise record` arrive at the same point on replay
  host-fds        two recordings of one run, the second by a reprise that
                  inherited more open descriptors, are byte-identical
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SANITIZER_RE = re.compile(
    r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:")
DIVERGED = 86
TRACE_ENDED = 87


class Failure(Exception):
    pass


def run(cmd, stdin=None, cwd=None, close_stdin=False, pass_fds=()):
    proc = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          cwd=cwd, timeout=600,
                          stdin=None if stdin is not None else subprocess.DEVNULL,
                          preexec_fn=(lambda: os.close(0)) if close_stdin else None,
                          pass_fds=pass_fds)
    err = proc.stderr.decode("utf-8", "backslashreplace")
    if SANITIZER_RE.search(err):
        raise Failure(f"sanitizer report from {cmd}:\n{err}")
    return proc.returncode, proc.stdout, err


def expect(cond, what, *details):
    if not cond:
        raise Failure(what + "".join("\n" + str(d) for d in details))


class Ctx:
    def __init__(self, args, work):
        self.r = args.reprise
        self.tamper = args.tamper
        self.arch = args.arch
        self.bin = os.path.join(args.guest_bin, args.arch)
        self.work = work

    def path(self, name):
        return os.path.join(self.work, name)

    def record(self, trace, prog, *argv, opts=(), stdin=None):
        cmd = [self.r, "record", "-o", trace, *opts, "--", prog, *argv]
        status, out, err = run(cmd, stdin=stdin)
        expect(os.path.exists(trace), f"no trace written by {cmd}", err)
        return status, out, err

    def replay(self, trace, *opts):
        empty = tempfile.mkdtemp(dir=self.work)
        return run([self.r, "replay", trace, *opts], cwd=empty, close_stdin=True)

    def dump(self, trace):
        status, out, err = run([self.r, "trace", "dump", "--json", trace])
        expect(status == 0, "trace dump failed", err)
        return [json.loads(line) for line in out.decode().splitlines()]

    def do_tamper(self, src, dst, *op):
        status, _, err = run([self.tamper, src, dst, *op])
        expect(status == 0, f"trace-tamper {op} failed", err)


def syscall_events(events, name=None):
    return [e for e in events if e["kind"] == "syscall" and (name is None or e["name"] == name)]


def case_tamper_result(c):
    t = c.path("t")
    status, out, err = c.record(t, os.path.join(c.bin, "hello"))
    expect(status == 0, "recording hello failed", err)
    writes = syscall_events(c.dump(t), "write")
    expect(len(writes) >= 2, "hello's trace has fewer than two writes")
    n = writes[1]["index"]
    bad = c.path("bad")
    c.do_tamper(t, bad, "--add-result", str(n), "1")
    status, rout, err = c.replay(bad)
    expect(status == DIVERGED, f"replay of an edited result exited {status}, not {DIVERGED}", err)
    expect(re.search(rf"\bevent {n}\b", err) and "write" in err,
           f"the report does not name event {n} (write)", err)
    expect("pc" in err, "the report does not give the pc", err)
    expect(out.startswith(rout), "the replay printed what the recording did not", rout)
    # Untouched, the same trace replays cleanly.
    status, rout, err = c.replay(t)
    expect(status == 0 and rout == out and err == "", "the untouched trace does not replay",
           err)


def case_tamper_drop(c):
    t = c.path("t")
    status, out, err = c.record(t, os.path.join(c.bin, "pipes"))
    expect(status == 0, "recording pipes failed", err)
    events = c.dump(t)
    calls = syscall_events(events)
    n = calls[len(calls) // 2]["index"]
    bad = c.path("bad")
    c.do_tamper(t, bad, "--drop", str(n))
    status, _, err = c.replay(bad)
    expect(status == DIVERGED, f"replay with event {n} dropped exited {status}", err)
    expect(re.search(rf"\bevent {n}\b", err), f"the report does not name event {n}", err)


def case_cut(c):
    t = c.path("t")
    status, out, err = c.record(t, os.path.join(c.bin, "hello"))
    expect(status == 0, "recording hello failed", err)
    events = c.dump(t)
    last_write = syscall_events(events, "write")[-1]["index"]
    # Cut before the host write that the last write(2) makes.
    n = max(e["index"] for e in events if e["kind"] == "input" and e["index"] < last_write)
    cut = c.path("cut")
    c.do_tamper(t, cut, "--cut", str(n))
    status, rout, err = c.replay(cut)
    expect(status == TRACE_ENDED, f"replay of a trace cut at {n} exited {status}", err)
    expect(f"after event {n}" in err, f"the message does not say where it ended", err)
    expect(out.startswith(rout) and rout != out, "the cut replay's output is not a prefix",
           rout)
    # A file cut in the middle (a recording killed): what is left still reads
    # and replays up to its last complete chunk.
    data = open(t, "rb").read()
    short = c.path("short")
    with open(short, "wb") as f:
        f.write(data[:len(data) // 2])
    status, _, err = c.replay(short)
    expect(status == TRACE_ENDED and "cut short" in err,
           f"a trace with its last chunk cut off: status {status}", err)
    status, info, err = run([c.r, "trace", "info", short])
    expect(status == 0 and b"cut short" in info, "trace info of a cut trace", err)


def one_line_error(c, what, cmd):
    status, out, err = run(cmd)
    lines = err.splitlines()
    expect(status not in (0, DIVERGED), f"{what}: exit status {status}", err)
    expect(len(lines) == 1 and lines[0].startswith("reprise: "),
           f"{what}: stderr is not one 'reprise:' line", err)


def case_bad_traces(c):
    t = c.path("t")
    status, _, err = c.record(t, os.path.join(c.bin, "hello"))
    expect(status == 0, "recording hello failed", err)
    data = open(t, "rb").read()
    cases = {"missing": None, "empty": b"", "foreign": b"#!/bin/sh\necho not a trace\n" * 10,
             "version": data[:8] + (99).to_bytes(4, "little") + data[12:]}
    for off in (len(data) // 3, len(data) // 2, len(data) - 3):
        cases[f"flipped@{off}"] = data[:off] + bytes([data[off] ^ 0x40]) + data[off + 1:]
    for name, content in cases.items():
        p = c.path(f"bad-{name}")
        if content is not None:
            open(p, "wb").write(content)
        for cmd in ([c.r, "replay", p], [c.r, "trace", "info", p], [c.r, "trace", "dump", p]):
            one_line_error(c, f"{name} trace ({cmd[1]})", cmd)
    # A header naming another arch than the program in the trace.
    other = "arm64" if c.arch == "x86_64" else "x86_64"
    wrong = c.path("wrong-arch")
    c.do_tamper(t, wrong, "--set-arch", other)
    one_line_error(c, "wrong-arch trace", [c.r, "replay", wrong])
    unknown = c.path("unknown-arch")
    c.do_tamper(t, unknown, "--set-arch", "mips")
    one_line_error(c, "unknown-arch trace", [c.r, "replay", unknown])


def case_file_and_stdin(c):
    root = c.path("root")
    os.makedirs(os.path.join(root, "data"))
    shutil.copy(os.path.join(c.bin, "cat_input"), os.path.join(root, "cat_input"))
    with open(os.path.join(root, "data", "input.txt"), "w") as f:
        f.write("a line from a host file\n" * 300)
    t = c.path("t")
    status, out, err = c.record(t, "/cat_input", "/data/input.txt",
                                opts=["--root", root, "--cwd", "/"],
                                stdin=b"two lines\nfrom stdin\n")
    expect(status == 0, "recording cat_input failed", err)
    expect(b"from stdin" in out and b"a line from a host file" in out,
           "cat_input did not print its inputs", out)
    shutil.rmtree(root)
    status, rout, rerr = c.replay(t)
    expect(status == 0 and rout == out and rerr == err,
           "replay with the root deleted and stdin closed differs",
           f"status {status}", rerr, rout[-300:])
    # Recorded again with other file contents: the replay of the first
    # trace still gives the first output.
    os.makedirs(os.path.join(root, "data"))
    shutil.copy(os.path.join(c.bin, "cat_input"), os.path.join(root, "cat_input"))
    with open(os.path.join(root, "data", "input.txt"), "w") as f:
        f.write("changed\n")
    status, rout, _ = c.replay(t)
    expect(status == 0 and rout == out, "replay after the file changed differs")


def case_host_fds(c):
    # The host descriptors reprise opens on the root's files and directories
    # get numbers that depend on what else the process has open; none of
    # them may reach the trace.
    root = c.path("root")
    os.makedirs(os.path.join(root, "data", "deeper"))
    shutil.copy(os.path.join(c.bin, "cat_input"), os.path.join(root, "cat_input"))
    with open(os.path.join(root, "data", "deeper", "input.txt"), "w") as f:
        f.write("read through two opened directories\n")
    traces = []
    for extra in (0, 7):
        t = c.path(f"t{extra}")
        held = [os.open(os.devnull, os.O_RDONLY) for _ in range(extra)]
        try:
            cmd = [c.r, "record", "-o", t, "--root", root, "--cwd", "/", "--",
                   "/cat_input", "/data/deeper/input.txt"]
            status, out, err = run(cmd, stdin=b"", pass_fds=held)
        finally:
            for fd in held:
                os.close(fd)
        expect(status == 0 and b"two opened directories" in out,
               f"recording with {extra} more descriptors failed", err, out)
        with open(t, "rb") as f:
            traces.append(f.read())
    expect(traces[0] == traces[1],
           "traces differ when reprise has more host descriptors open")


def case_stop_at(c):
    t = c.path("t")
    status, out, err = c.record(t, os.path.join(c.bin, "hello"))
    expect(status == 0, "recording hello failed", err)
    n = syscall_events(c.dump(t), "write")[1]["index"]
    status, rout, err = c.replay(t, "--stop-at", str(n))
    expect(status == 0, f"--stop-at exited {status}", err)
    expect(f"stopped before event {n}" in err and "write" in err,
           "--stop-at does not name the event", err)
    reg = "rip" if c.arch == "x86_64" else "pc"
    expect(re.search(rf"\b{reg}\s+0x[0-9a-f]{{16}}", err), "--stop-at printed no registers",
           err)
    expect(out.startswith(rout) and rout != out, "--stop-at ran past the event", rout)


def case_info_dump(c):
    t = c.path("t")
    status, out, err = c.record(t, os.path.join(c.bin, "process"))
    expect(status == 0, "recording process failed", err)
    events = c.dump(t)
    expect([e["index"] for e in events] == list(range(len(events))),
           "dump does not number events 0..N-1")
    expect(events[-1]["kind"] == "end" and events[-1]["result"] == 0, "the last event is not end")
    expect(any(e["kind"] == "clone" for e in events), "no clone event in a forking program")
    status, info, err = run([c.r, "trace", "info", t])
    info = info.decode()
    expect(status == 0 and f"events:       {len(events)} " in info, "info's count", info)
    tids = sorted({e["tid"] for e in events if e["tid"]})
    expect(len(tids) > 1, "one task only in a forking program")
    status, out, _ = run([c.r, "trace", "dump", "--task", str(tids[1]), "--from", "5",
                          "--to", "400", t])
    lines = out.decode().splitlines()
    want = [e for e in events if e["tid"] == tids[1] and 5 <= e["index"] <= 400]
    expect(len(lines) == len(want) and all(l.startswith(f"{e['index']}: ")
                                           for l, e in zip(lines, want)),
           "dump --task/--from/--to", "\n".join(lines[:5]))


def record_with_signal(c, trace, prog, sig):
    """Records PROG and sends reprise SIG once the guest has said "waiting"."""
    cmd = [c.r, "record", "-o", trace, "--", prog]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    expect(first == b"waiting\n", f"{prog} did not start: {first!r}")
    proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise Failure(f"reprise record did not end after signal {sig}")
    status = proc.returncode if proc.returncode >= 0 else 128 - proc.returncode
    return status, first + out, err.decode("utf-8", "backslashreplace")


def case_host_signals(c):
    import signal
    prog = os.path.join(c.bin, "wait_signal")
    t = c.path("int")
    status, out, err = record_with_signal(c, t, prog, signal.SIGINT)
    expect(status == 0 and b"got signal 2 after" in out, "SIGINT was not handled",
           f"status {status}", out, err)
    kinds = [e["kind"] for e in c.dump(t)]
    expect("host-signal" in kinds, "no host-signal event in the trace")
    status, rout, rerr = c.replay(t)
    expect(status == 0 and rout == out, "the replay saw SIGINT elsewhere", rout, rerr)
    # An unhandled SIGTERM from outside ends the guest (init or not) with
    # 128+15, and so does its replay.
    t = c.path("term")
    status, out, err = record_with_signal(c, t, prog, signal.SIGTERM)
    expect(status == 143, f"SIGTERM: status {status}", err)
    status, rout, rerr = c.replay(t)
    expect(status == 143 and rout == out, f"the replay of SIGTERM: status {status}", rerr)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--reprise", required=True)
    p.add_argument("--tamper", required=True)
    p.add_argument("--guest-bin", required=True)
    p.add_argument("--arch", required=True)
    p.add_argument("case")
    args = p.parse_args()
    fn = globals().get("case_" + args.case.replace("-", "_"))
    if not fn:
        p.error(f"unknown case {args.case}")
    work = tempfile.mkdtemp(prefix=f"reprise-replay-{args.case}-")
    try:
        fn(Ctx(args, work))
    except Failure as e:
        print(f"FAILED replay.{args.arch}.{args.case}: {e}")
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"replay.{args.arch}.{args.case}: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
