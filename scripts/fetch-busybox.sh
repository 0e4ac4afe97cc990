#!/usr/bin/env bash
# Puts the busybox binaries of Debian's busybox-static package, for amd64 and
# arm64, at CACHE_DIR/amd64/busybox and CACHE_DIR/arm64/busybox.
#
#   scripts/fetch-busybox.sh CACHE_DIR
#
# Uses apt only (dpkg --add-architecture arm64, apt-get update, apt-get
# download, dpkg -x). Does nothing when both binaries are already there.
# On failure it prints one line starting with "fetch-busybox: " and exits 1.
set -uo pipefail

die() { echo "fetch-busybox: $*" >&2; exit 1; }

[ $# -eq 1 ] && [ -n "$1" ] || die "usage: fetch-busybox.sh CACHE_DIR"
cache=$1
arches=(amd64 arm64)

have_all() {
  local a
  for a in "${arches[@]}"; do [ -x "$cache/$a/busybox" ] || return 1; done
}
have_all && exit 0

command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1 ||
  die "apt-get and dpkg are needed to fetch busybox-static (Debian-based host only)"

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    SUDO=none
  fi
fi
as_root() {
  [ "$SUDO" != none ] || return 1
  $SUDO "$@"
}

mkdir -p "$cache" || die "cannot create $cache"
work=$(mktemp -d "${TMPDIR:-/tmp}/fetch-busybox.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf "$work"' EXIT
log=$work/log

# apt only knows about arm64 packages once dpkg has arm64 as a foreign
# architecture; the package lists then need a refresh.
updated=0
if ! dpkg --print-foreign-architectures | grep -qx arm64 && [ "$(dpkg --print-architecture)" != arm64 ]; then
  as_root dpkg --add-architecture arm64 >>"$log" 2>&1 ||
    die "cannot run 'dpkg --add-architecture arm64' (needs root or passwordless sudo)"
  as_root apt-get update -qq >>"$log" 2>&1 ||
    die "'apt-get update' failed after adding arm64: $(tail -n 1 "$log")"
  updated=1
fi

download() {  # ARCH: downloads busybox-static:ARCH into $work/deb-ARCH
  mkdir -p "$work/deb-$1"
  (cd "$work/deb-$1" && apt-get download -q "busybox-static:$1") >>"$log" 2>&1
}

for a in "${arches[@]}"; do
  [ -x "$cache/$a/busybox" ] && continue
  if ! download "$a"; then
    # The package lists may be missing or stale: refresh them once.
    if [ $updated = 0 ]; then
      as_root apt-get update -qq >>"$log" 2>&1 ||
        die "'apt-get download busybox-static:$a' failed and 'apt-get update' is not possible: $(tail -n 1 "$log")"
      updated=1
    fi
    download "$a" || die "'apt-get download busybox-static:$a' failed: $(tail -n 1 "$log")"
  fi
  deb=$(ls "$work/deb-$a"/busybox-static_*.deb 2>/dev/null | head -n 1)
  [ -n "$deb" ] || die "apt-get download busybox-static:$a produced no .deb"
  dpkg -x "$deb" "$work/x-$a" >>"$log" 2>&1 || die "dpkg -x failed on $(basename "$deb")"
  bin=""
  for c in bin/busybox usr/bin/busybox; do
    if [ -f "$work/x-$a/$c" ]; then bin="$work/x-$a/$c"; break; fi
  done
  [ -n "$bin" ] || die "no busybox binary inside $(basename "$deb")"
  mkdir -p "$cache/$a" || die "cannot create $cache/$a"
  # Copy then rename, so a partly written file is never taken as present.
  cp "$bin" "$cache/$a/busybox.tmp" && chmod 755 "$cache/$a/busybox.tmp" &&
    mv -f "$cache/$a/busybox.tmp" "$cache/$a/busybox" || die "cannot write $cache/$a/busybox"
  basename "$deb" >"$cache/$a/package"
done

have_all || die "busybox binaries missing from $cache after fetching"
exit 0
