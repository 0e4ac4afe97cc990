#!/usr/bin/env bash
# Runs one busybox test case under reprise and checks it.
#
#   run-busybox-test.sh --reprise PATH --arch x86_64|arm64 --cache DIR
#                       --work DIR [--expected DIR] CASE
#   run-busybox-test.sh --fetch FETCH_SCRIPT CACHE_DIR
#
# A case (see cases.sh) runs as `reprise run -E TZ=UTC0 -- BUSYBOX APPLET
# ARGS...` in the work directory. It passes when reprise exits 0, writes
# nothing on stderr, and its stdout is byte for byte the expected output:
#   x86_64: what the same busybox binary prints when run natively, now, with
#           the same arguments, input, directory and environment;
#   arm64:  the file EXPECTED/CASE.out (made by gen-expected.sh under
#           qemu-aarch64, and equal to the native x86-64 output).
# On a mismatch it prints a unified diff.
#
# The --fetch form is the CTest fixture that fills the busybox cache.
#
# Exit status: 0 pass, 1 fail, 77 skipped (busybox unavailable and CI is not
# "true"; under CI that is a failure instead).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "${1:-}" = --fetch ]; then
  [ $# -eq 3 ] || fail "usage: run-busybox-test.sh --fetch FETCH_SCRIPT CACHE_DIR"
  if "$2" "$3"; then
    for a in amd64 arm64; do echo "$a: $(cat "$3/$a/package" 2>/dev/null || echo "$3/$a/busybox")"; done
    exit 0
  fi
  if bb_in_ci; then fail "busybox-static could not be fetched, and CI=${CI} forbids skipping"; fi
  echo "SKIP: busybox-static could not be fetched (the busybox tests will skip)"
  exit 77
fi

reprise="" arch="" cache="" work="" expected="$here/expected" name=""
while [ $# -gt 0 ]; do
  case $1 in
    --reprise) reprise=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --expected) expected=$2; shift 2 ;;
    -*) fail "unknown option $1" ;;
    *) [ -z "$name" ] || fail "more than one case given"; name=$1; shift ;;
  esac
done
[ -n "$reprise" ] && [ -n "$arch" ] && [ -n "$cache" ] && [ -n "$work" ] && [ -n "$name" ] ||
  fail "usage: run-busybox-test.sh --reprise PATH --arch x86_64|arm64 --cache DIR --work DIR [--expected DIR] CASE"
case $arch in
  x86_64) debarch=amd64 ;;
  arm64) debarch=arm64 ;;
  *) fail "unknown arch '$arch'" ;;
esac

bb_load_case "$here/cases.sh" "$name" || fail "no case named '$name' in cases.sh"

busybox=$cache/$debarch/busybox
if [ ! -x "$busybox" ]; then
  if bb_in_ci; then fail "$busybox is missing (scripts/fetch-busybox.sh failed?) and CI=${CI} forbids skipping"; fi
  echo "SKIP: $busybox is missing (run scripts/fetch-busybox.sh $cache)"
  exit 77
fi
[ -x "$reprise" ] || fail "reprise binary '$reprise' is missing"
[ -d "$work" ] && [ -f "$work/archive.tar" ] || fail "work directory '$work' is missing or incomplete (build target busybox_data)"

stdin=/dev/null
if [ "$case_stdin" != - ]; then stdin=$work/$case_stdin; fi
[ -r "$stdin" ] || fail "stdin file '$stdin' is missing"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/busybox-test.XXXXXX") || fail "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT

problems=0
problem() { echo "FAIL: $*" >&2; problems=$((problems + 1)); }

# The expected output.
if [ "$arch" = x86_64 ]; then
  (cd "$work" && exec env -i "${bb_env[@]}" "$busybox" "${case_argv[@]}") <"$stdin" >"$tmp/expected" 2>"$tmp/native.err"
  st=$?
  if [ $st -ne 0 ] || [ -s "$tmp/native.err" ]; then
    echo "native stderr:" >&2; cat "$tmp/native.err" >&2
    fail "the native run of '$busybox ${case_argv[*]}' itself exited $st or wrote on stderr; the case is not usable here"
  fi
  what="native x86-64 busybox"
else
  cp "$expected/$name.out" "$tmp/expected" 2>/dev/null || fail "expected file $expected/$name.out is missing (see gen-expected.sh)"
  what="$expected/$name.out"
fi
[ -s "$tmp/expected" ] || fail "the expected output is empty; the case checks nothing"

# The run under reprise.
cmd=("$reprise" run -E TZ=UTC0 -- "$busybox" "${case_argv[@]}")
(cd "$work" && exec "${cmd[@]}") <"$stdin" >"$tmp/actual" 2>"$tmp/stderr"
st=$?

echo "case $name ($arch): ${case_argv[*]}"
echo "command: ${cmd[*]}  (in $work, stdin $stdin)"
[ $st -eq 0 ] || problem "reprise exited $st, expected 0"
if [ -s "$tmp/stderr" ]; then
  problem "reprise wrote on stderr (expected nothing):"
  head -c 4000 "$tmp/stderr" >&2
fi
if ! cmp -s "$tmp/expected" "$tmp/actual"; then
  problem "stdout differs from $what (- expected, + reprise):"
  diff -u --label expected --label reprise "$tmp/expected" "$tmp/actual" | head -n 200 >&2
  (cd "$tmp" && cmp expected actual >&2) || true   # the first differing byte
fi
[ $problems -eq 0 ] || exit 1
echo "PASS: $(wc -c <"$tmp/actual") bytes of stdout match $what"
