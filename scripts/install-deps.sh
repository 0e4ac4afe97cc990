#!/usr/bin/env bash
# Installs what reprise needs to build, test and benchmark, from Debian's own
# registry only. Safe to run again: it installs only what is missing.
#
# Unicorn must be >= 2.1 (2.0.1, Debian 12's, sends every guest store through a
# slow path). On Debian 12 it comes from Debian 13 ("trixie") through a pinned
# apt source that lets only the packages named with /trixie come from there.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

base_pkgs=(cmake ninja-build g++ pkg-config libcapstone-dev llvm-dev libboost-test-dev
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross libzstd-dev libxxhash-dev zstd clang libclang-rt-dev qemu-user
  busybox-static file python3 debootstrap)
for p in "${base_pkgs[@]}"; do have_pkg "$p" || need+=("$p"); done

unicorn_ok() {
  local v
  v=$(dpkg-query -W -f='${Version}' libunicorn-dev 2>/dev/null) || return 1
  dpkg --compare-versions "$v" ge 2.1
}

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
updated=0
apt_update() { [ $updated = 1 ] || { $SUDO apt-get update -qq; updated=1; }; }

if ! unicorn_ok && [ "$codename" = bookworm ]; then
  if [ ! -f /etc/apt/sources.list.d/reprise-trixie.sources ]; then
    src=$(grep -h '^URIs:' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1 | awk '{print $2}')
    src=${src:-http://deb.debian.org/debian}
    $SUDO tee /etc/apt/sources.list.d/reprise-trixie.sources >/dev/null <<SRC
Types: deb
URIs: $src
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    $SUDO tee /etc/apt/preferences.d/reprise-trixie >/dev/null <<PREF
Package: *
Pin: release n=trixie
Pin-Priority: 100
PREF
  fi
fi

if [ ${#need[@]} -gt 0 ] || ! unicorn_ok; then
  apt_update
  export DEBIAN_FRONTEND=noninteractive
  if [ ${#need[@]} -gt 0 ]; then $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"; fi
  if ! unicorn_ok; then
    if [ "$codename" = bookworm ]; then
      $SUDO apt-get install -y -qq --no-install-recommends libunicorn-dev/trixie
    else
      $SUDO apt-get install -y -qq --no-install-recommends libunicorn-dev
    fi
  fi
fi
unicorn_ok || { echo "install-deps: could not install Unicorn >= 2.1" >&2; exit 1; }
