#!/usr/bin/env bash
# Writes tests/distro/expected/NAME.out, the arm64 expectations, or checks
# them (--check).
#
#   tests/distro/gen-expected.sh [--check] [CASE...]
#
# Both roots hold the same versions of the same Debian packages, so what a
# case prints does not depend on the arch (no case prints one). Linux's own
# answer is therefore taken from the amd64 root run natively, `chroot ROOT`
# (as root, like the x86-64 tests), with the scratch directory and
# environment the tests use. As a second opinion each case is also run from
# the arm64 root under qemu-aarch64 -L: differences are reported, not fatal,
# because a program that starts another one there (bash, python's
# subprocess) starts the host's, qemu having no binfmt_misc here.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
make_root=$here/../../scripts/make-root.sh

die() { echo "gen-expected: $*" >&2; exit 1; }

check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
names=("$@")
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(distro_case_names "$here/cases.sh")

amd64=$("$make_root" x86_64) || die "no amd64 root"
arm64=$("$make_root" arm64) || die "no arm64 root"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/distro-gen.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT

bad=0
for name in "${names[@]}"; do
  distro_load_case "$here/cases.sh" "$name" || die "no case named '$name'"
  env=("${distro_env[@]}")
  [ "$case_flags" = now ] && env+=("NOW=@$distro_epoch")

  s=$(distro_scratch "$amd64" "$here/data") || die "cannot make a scratch directory"
  chroot "$amd64" /usr/bin/env -i -C "$s" "${env[@]}" "${case_argv[@]}" </dev/null >"$tmp/native" 2>/dev/null
  echo "[exit $?]" >>"$tmp/native"
  distro_unscratch "$amd64" "$s"

  s=$(distro_scratch "$arm64" "$here/data") || die "cannot make a scratch directory"
  (cd "$arm64$s" && env -i "${env[@]}" qemu-aarch64 -L "$arm64" "$arm64${case_argv[0]}" "${case_argv[@]:1}") \
    </dev/null >"$tmp/qemu" 2>/dev/null
  echo "[exit $?]" >>"$tmp/qemu"
  distro_unscratch "$arm64" "$s"
  if ! cmp -s "$tmp/native" "$tmp/qemu"; then
    echo "note: $name: qemu-aarch64 prints otherwise (- native amd64, + qemu):" >&2
    diff "$tmp/native" "$tmp/qemu" | head -n 10 >&2
  fi

  if [ $check = 1 ]; then
    if ! cmp -s "$tmp/native" "$here/expected/$name.out"; then
      echo "gen-expected: expected/$name.out is stale:" >&2
      diff -u "$here/expected/$name.out" "$tmp/native" | head -40 >&2
      bad=1
    fi
  else
    cp "$tmp/native" "$here/expected/$name.out"
    echo "wrote expected/$name.out"
  fi
done
exit $bad
