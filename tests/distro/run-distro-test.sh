#!/usr/bin/env bash
# Runs one distro test case: a command of a Debian bookworm root under
# reprise, checked against Linux.
#
#   run-distro-test.sh --reprise PATH --arch x86_64|arm64 --make-root SCRIPT
#                      --data DIR [--expected DIR] CASE
#   run-distro-test.sh --root ARCH --make-root SCRIPT     (the CTest fixture)
#
# The root comes from SCRIPT (scripts/make-root.sh), which builds it once into
# its cache. A case (see cases.sh) runs three times under reprise, each time
# in a fresh scratch directory: a copy of the data in a host directory
# outside the root, bound at /tmp/reprise-test-XXXXXX, over a root whose
# every other change goes to reprise's private layer (--overlay), so that
# reprise never writes into the cached root (checked after each run and
# record: every name, type, mode, size and mtime in the root is unchanged):
#   reprise run --root ROOT --overlay --bind SCRATCH --cwd SCRATCH ...
#                                              stdout + exit status must be
#       x86_64: what the same command prints natively, `chroot ROOT` (this
#               needs root, which building the root needed anyway), in a
#               scratch directory inside the root (lib.sh's distro_scratch);
#       arm64:  EXPECTED/CASE.out (see gen-expected.sh);
#   reprise record -o TRACE ...                must print the same as run;
#   reprise replay TRACE                       from an empty directory with
#       stdin closed, must print the same as the recording.
# On a mismatch it prints a unified diff.
#
# Exit status: 0 pass, 1 fail, 77 skipped (the root cannot be had and CI is
# not "true"; under CI that is a failure instead).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }

# get_root ARCH SCRIPT: sets root, or skips / fails the test.
get_root() {
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/distro-root.XXXXXX") || fail "cannot create a temporary file"
  root=$("$2" "$1" 2>"$log")
  local st=$?
  if [ $st -ne 0 ] || [ ! -d "$root" ]; then
    cat "$log" >&2
    rm -f "$log"
    if distro_in_ci; then fail "no Debian root for $1 ($2 failed) and CI=${CI} forbids skipping"; fi
    echo "SKIP: no Debian root for $1 ($2 failed; the distro tests skip)"
    exit 77
  fi
  rm -f "$log"
}

if [ "${1:-}" = --root ]; then
  [ $# -eq 4 ] && [ "$3" = --make-root ] || fail "usage: run-distro-test.sh --root ARCH --make-root SCRIPT"
  get_root "$2" "$4"
  echo "$2: $root"
  exit 0
fi

reprise="" arch="" make_root="" data="" expected="$here/expected" name=""
while [ $# -gt 0 ]; do
  case $1 in
    --reprise) reprise=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --make-root) make_root=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --expected) expected=$2; shift 2 ;;
    -*) fail "unknown option $1" ;;
    *) [ -z "$name" ] || fail "more than one case given"; name=$1; shift ;;
  esac
done
[ -n "$reprise" ] && [ -n "$arch" ] && [ -n "$make_root" ] && [ -n "$data" ] && [ -n "$name" ] ||
  fail "usage: run-distro-test.sh --reprise PATH --arch x86_64|arm64 --make-root SCRIPT --data DIR [--expected DIR] CASE"
case $arch in x86_64 | arm64) ;; *) fail "unknown arch '$arch'" ;; esac
distro_load_case "$here/cases.sh" "$name" || fail "no case named '$name' in cases.sh"
[ -x "$reprise" ] || fail "reprise binary '$reprise' is missing"

get_root "$arch" "$make_root"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/distro-test.XXXXXX") || fail "cannot create a temporary directory"
scratch=""
cleanup() {
  [ -z "$scratch" ] || distro_unscratch "$root" "$scratch"
  rm -rf "$tmp"
}
trap cleanup EXIT

new_scratch() {
  [ -z "$scratch" ] || distro_unscratch "$root" "$scratch"
  scratch=$(distro_scratch "$root" "$data") || fail "cannot make a scratch directory in $root/tmp"
}

# reprise's scratch directory: $tmp/reprise-test-XXXXXX on the host, bound
# at /tmp/reprise-test-XXXXXX in the guest; sets host_scratch and
# guest_scratch.
host_scratch=""
new_reprise_scratch() {
  [ -z "$host_scratch" ] || rm -rf "$host_scratch"
  host_scratch=$(mktemp -d "$tmp/reprise-test-XXXXXX") || fail "cannot make a scratch directory"
  distro_fill "$host_scratch" "$data" || fail "cannot fill $host_scratch"
  guest_scratch="/tmp/${host_scratch##*/}"
}

# reprise_in_scratch OUT SUBCOMMAND [OPTIONS...]: runs the case under reprise
# in a fresh scratch directory, and checks that the root did not change.
reprise_in_scratch() {
  local out=$1 before after
  shift
  new_reprise_scratch
  before=$(distro_root_state "$root")
  run_to "$out" "$reprise" "$@" "${opts[@]}" --bind "$host_scratch:$guest_scratch" \
    --cwd "$guest_scratch" -- "${case_argv[@]}"
  after=$(distro_root_state "$root")
  [ "$before" = "$after" ] || problem "reprise $1 changed the root $root"
  [ ! -e "$root$guest_scratch" ] || problem "reprise $1 made $guest_scratch in the root"
}

# The command's environment: "now" cases get NOW (see cases.sh).
native_env=("${distro_env[@]}")
reprise_env=()
for v in "${distro_env[@]}"; do reprise_env+=(-E "$v"); done
if [ "$case_flags" = now ]; then
  native_env+=("NOW=@$distro_epoch")
  reprise_env+=(-E NOW=now)
fi

# run_to OUT CMD...: stdout of CMD, then a line with its exit status.
run_to() {
  local out=$1
  shift
  "$@" </dev/null >"$out" 2>"$out.err"
  echo "[exit $?]" >>"$out"
}

problems=0
problem() { echo "FAIL: $*" >&2; problems=$((problems + 1)); }
compare() { # WHAT EXPECTED ACTUAL
  if ! cmp -s "$2" "$3"; then
    problem "$1 (- expected, + actual):"
    diff -u --label "${2##*/}" --label "${3##*/}" "$2" "$3" | head -n 150 >&2
    if [ -s "$3.err" ]; then
      echo "stderr of the run:" >&2
      head -c 3000 "$3.err" >&2
    fi
  fi
}

# The expected output.
if [ "$arch" = x86_64 ]; then
  new_scratch
  run_to "$tmp/expected" chroot "$root" /usr/bin/env -i -C "$scratch" "${native_env[@]}" "${case_argv[@]}"
  what="the native run (chroot)"
else
  cp "$expected/$name.out" "$tmp/expected" 2>/dev/null ||
    fail "expected file $expected/$name.out is missing (see gen-expected.sh)"
  what="$expected/$name.out"
fi

opts=(--root "$root" --overlay --clear-env "${reprise_env[@]}" --epoch "$distro_epoch")
echo "case $name ($arch): ${case_argv[*]}"
echo "root $root"

if [ -n "$scratch" ]; then
  distro_unscratch "$root" "$scratch"
  scratch=""
fi

reprise_in_scratch "$tmp/run" run
compare "reprise run differs from $what" "$tmp/expected" "$tmp/run"

reprise_in_scratch "$tmp/record" record -o "$tmp/trace"
compare "reprise record differs from reprise run" "$tmp/run" "$tmp/record"
# Replay needs neither the root nor the bound directory.
rm -rf "$host_scratch"

mkdir "$tmp/empty"
(cd "$tmp/empty" && run_to "$tmp/replay" "$reprise" replay "$tmp/trace")
compare "reprise replay differs from the recording" "$tmp/record" "$tmp/replay"
if [ -n "$(ls -A "$tmp/empty")" ]; then problem "the replay wrote to its working directory"; fi

[ $problems -eq 0 ] || exit 1
echo "PASS: $(wc -c <"$tmp/run") bytes of stdout and status match $what; record and replay identical"
