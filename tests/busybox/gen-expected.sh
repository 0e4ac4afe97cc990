#!/usr/bin/env bash
# Writes (or with --check, verifies) expected/NAME.out for every case in
# cases.sh: the stdout of Debian's arm64 busybox run under qemu-aarch64, which
# must also equal the stdout of Debian's amd64 busybox run natively (except
# for cases flagged "arch", such as `uname -m`).
#
#   gen-expected.sh [--check] [--cache DIR] [CASE...]
#
# --cache DIR  where scripts/fetch-busybox.sh keeps the two binaries
#              (default: $BUSYBOX_CACHE, else build/busybox-cache)
# --check      compare instead of writing; also flags expected files that no
#              case uses. Exits 77 (skip) when busybox or qemu-aarch64 is
#              unavailable, unless CI is "true".
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

check=0
cache=${BUSYBOX_CACHE:-$repo/build/busybox-cache}
names=()
while [ $# -gt 0 ]; do
  case $1 in
    --check) check=1; shift ;;
    --cache) cache=$2; shift 2 ;;
    -*) echo "gen-expected: unknown option $1" >&2; exit 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(bb_case_names "$here/cases.sh")

unavailable() {
  if [ $check = 1 ] && ! bb_in_ci; then echo "SKIP: $*"; exit 77; fi
  echo "gen-expected: $*" >&2; exit 1
}

"$repo/scripts/fetch-busybox.sh" "$cache" || unavailable "busybox-static could not be fetched into $cache"
cache=$(cd "$cache" && pwd) || exit 1 # the runs below happen in the work directory
qemu=$(command -v qemu-aarch64 || command -v qemu-aarch64-static) ||
  unavailable "qemu-aarch64 is not installed (scripts/install-deps.sh installs qemu-user)"
bb_x86=$cache/amd64/busybox bb_arm=$cache/arm64/busybox

tmp=$(mktemp -d "${TMPDIR:-/tmp}/busybox-gen.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
work=$tmp/work
cp -R "$here/data" "$work" && "$here/make-archive.sh" "$here/data" "$work/archive.tar" || exit 1

bad=0
complain() { echo "gen-expected: $*" >&2; bad=$((bad + 1)); }

# busybox's shell runs most applets by re-executing /proc/self/exe. Under
# qemu-user with no binfmt_misc that execve fails (ENOEXEC: the host cannot
# run an arm64 binary), and ash then searches PATH for the applet's name,
# finding the host's /bin/sh or coreutils instead. So the arm64 runs get a
# PATH that starts with one wrapper per applet, which starts the arm64
# busybox under qemu again: every program a case runs stays busybox.
qemu_bin=$tmp/qemu-applets
mkdir -p "$qemu_bin" || exit 1
printf '#!/bin/sh\nexec %q %q "${0##*/}" "$@"\n' "$qemu" "$bb_arm" >"$qemu_bin/.wrapper" &&
  chmod +x "$qemu_bin/.wrapper" || exit 1
applets=$("$qemu" "$bb_arm" --list) || unavailable "qemu-aarch64 cannot run $bb_arm"
for a in $applets; do ln -s .wrapper "$qemu_bin/$a" || exit 1; done
qemu_path=$qemu_bin:$(printf '%s\n' "${bb_env[@]}" | sed -n 's/^PATH=//p')

# run OUT_PREFIX COMMAND...: runs one case's command in the work directory
# (with PATH=$path when path is set).
run() {
  local out=$1; shift
  (cd "$work" && exec env -i "${bb_env[@]}" ${path:+"PATH=$path"} "$@" "${case_argv[@]}") \
    <"$stdin" >"$out.out" 2>"$out.err"
  echo $? >"$out.status"
}

for name in "${names[@]}"; do
  bb_load_case "$here/cases.sh" "$name" || { complain "no case named '$name'"; continue; }
  stdin=/dev/null
  [ "$case_stdin" = - ] || stdin=$work/$case_stdin
  path='' run "$tmp/x86" "$bb_x86"
  path=$qemu_path run "$tmp/arm" "$qemu" "$bb_arm"
  ok=1
  for side in x86 arm; do
    if [ "$(cat "$tmp/$side.status")" != 0 ] || [ -s "$tmp/$side.err" ] || [ ! -s "$tmp/$side.out" ]; then
      complain "$name: the $side run exited $(cat "$tmp/$side.status"), with $(wc -c <"$tmp/$side.err") bytes of stderr and $(wc -c <"$tmp/$side.out") of stdout; a case must exit 0, be silent on stderr and print something"
      cat "$tmp/$side.err" >&2
      ok=0
    fi
  done
  [ $ok = 1 ] || continue
  if [ "$case_flags" != arch ] && ! cmp -s "$tmp/x86.out" "$tmp/arm.out"; then
    complain "$name: native x86-64 and qemu-aarch64 outputs differ:"
    diff -u --label x86_64 --label arm64 "$tmp/x86.out" "$tmp/arm.out" >&2
    continue
  fi
  if [ $check = 1 ]; then
    if ! cmp -s "$tmp/arm.out" "$here/expected/$name.out"; then
      complain "$name: expected/$name.out is not what qemu-aarch64 prints now:"
      diff -u --label "expected/$name.out" --label qemu-aarch64 "$here/expected/$name.out" "$tmp/arm.out" >&2
    fi
  else
    cp "$tmp/arm.out" "$here/expected/$name.out"
  fi
done

if [ $check = 1 ]; then
  for f in "$here"/expected/*.out; do
    [ -e "$f" ] || continue
    n=$(basename "$f" .out)
    bb_load_case "$here/cases.sh" "$n" || complain "expected/$n.out belongs to no case"
  done
fi

if [ $bad -ne 0 ]; then echo "gen-expected: $bad problem(s)" >&2; exit 1; fi
echo "gen-expected: ${#names[@]} case(s) $([ $check = 1 ] && echo verified || echo written) ($(cat "$cache/amd64/package" "$cache/arm64/package" 2>/dev/null | tr '\n' ' '))"
