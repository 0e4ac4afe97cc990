#!/usr/bin/env bash
# Builds a minimal Debian bookworm root with python3, for reprise's --root,
# from Debian's own tools (debootstrap, dpkg-deb), and prints its path.
#
#   scripts/make-root.sh x86_64|arm64
#
# The root goes to ${REPRISE_ROOT_CACHE:-$HOME/.cache/reprise/roots}/bookworm-DEBARCH
# (DEBARCH amd64 or arm64), outside the source tree. A root is complete once
# the stamp file DIR.stamp exists: it is written last, so a complete root is
# reused as it is (the script then only prints its path), and a build that
# was interrupted leaves no stamp and is redone from scratch.
#
#   amd64: debootstrap --variant=minbase --include=python3 bookworm DIR
#   arm64: debootstrap --foreign --arch=arm64 ... (runs nothing arm64), then
#          every .deb the first stage left in DIR/var/cache/apt/archives is
#          unpacked into DIR. No maintainer script runs: a root that the guest
#          only reads needs the files, not the configuration steps.
#
# Needs root (debootstrap does) and network access to the mirror
# (REPRISE_DEBIAN_MIRROR, default http://deb.debian.org/debian). Everything
# but the path goes to stderr; on failure the last line starts with
# "make-root: " and the exit status is 1. Concurrent calls for one arch wait
# for each other (flock), so CTest may run several cases at once.
set -uo pipefail

die() { echo "make-root: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: make-root.sh x86_64|arm64"
case $1 in
  x86_64 | amd64) debarch=amd64 ;;
  arm64 | aarch64) debarch=arm64 ;;
  *) die "unknown arch '$1' (x86_64 or arm64)" ;;
esac

suite=bookworm
mirror=${REPRISE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${REPRISE_ROOT_CACHE:-${HOME:-/root}/.cache/reprise/roots}
root=$cache/$suite-$debarch
stamp=$root.stamp
partial=$root.partial

# The fast path: a complete root needs neither root privileges nor tools.
if [ -f "$stamp" ] && [ -d "$root" ]; then
  echo "$root"
  exit 0
fi

mkdir -p "$cache" || die "cannot create $cache"
command -v flock >/dev/null 2>&1 || die "flock (util-linux) is needed"
exec 9>"$root.lock" || die "cannot open $root.lock"
flock 9 || die "cannot lock $root.lock"
# Another caller may have finished the root while this one waited.
if [ -f "$stamp" ] && [ -d "$root" ]; then
  echo "$root"
  exit 0
fi

[ "$(id -u)" = 0 ] || die "building a root needs root (debootstrap); run as root once, later calls reuse it"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap is missing (scripts/install-deps.sh installs it)"
command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb is missing (Debian-based host only)"

# Removes a directory left by an earlier, interrupted build. debootstrap's
# second stage mounts /proc and /sys inside the target; those are unmounted
# first so that rm never walks into the host's /proc or /sys.
remove_tree() {
  local dir=$1 m
  [ -e "$dir" ] || return 0
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r)
  rm -rf --one-file-system "$dir"
}

# The steps of the maintainer scripts that only put a file or a link in place, done
# from the host for a foreign root (the rest configure services a guest
# command does not use): without /etc/passwd and /etc/group, `ls -l` would
# show numbers instead of root; without nsswitch.conf, lookups would take
# glibc's built-in defaults. The first stage's /proc is a symlink to /proc
# (a second stage would have mounted over it): a plain directory like the
# native root's. Its own state in /debootstrap is of no use afterwards.
configure_foreign() {
  local d=$1
  copy_once() { [ -e "$d/$2" ] || cp "$d/$1" "$d/$2"; }
  copy_once usr/share/base-passwd/passwd.master etc/passwd &&      # base-passwd
    copy_once usr/share/base-passwd/group.master etc/group &&
    copy_once usr/share/libc-bin/nsswitch.conf etc/nsswitch.conf && # libc-bin
    copy_once usr/share/base-files/profile etc/profile &&           # base-files
    copy_once usr/share/base-files/motd etc/motd &&
    copy_once usr/share/base-files/dot.bashrc root/.bashrc &&
    copy_once usr/share/base-files/dot.profile root/.profile || return 1
  # update-alternatives' links of the required packages' commands.
  local alt
  for alt in awk:/usr/bin/mawk nawk:/usr/bin/mawk pager:/bin/more rmt:/usr/sbin/rmt-tar \
    which:/usr/bin/which.debianutils; do
    local name=${alt%%:*} target=${alt#*:} dir=/usr/bin
    [ "$name" = rmt ] && dir=/usr/sbin
    [ -e "$d$target" ] && [ ! -e "$d$dir/$name" ] || continue
    ln -sfn "$target" "$d/etc/alternatives/$name" && ln -s "/etc/alternatives/$name" "$d$dir/$name" || return 1
  done
  [ -e "$d/etc/localtime" ] || ln -s /usr/share/zoneinfo/Etc/UTC "$d/etc/localtime" || return 1
  [ -e "$d/etc/timezone" ] || echo Etc/UTC >"$d/etc/timezone" || return 1  # tzdata
  if [ -L "$d/proc" ]; then rm "$d/proc" && mkdir -m 555 "$d/proc" || return 1; fi
  rm -rf "$d/debootstrap"
}

remove_tree "$partial"
remove_tree "$root"
rm -f "$stamp"

log=$cache/$suite-$debarch.log
: >"$log"
echo "make-root: building $suite $debarch into $root (log: $log)" >&2
start=$SECONDS

common=(--variant=minbase --include=python3)
if [ "$debarch" = "$(dpkg --print-architecture)" ]; then
  debootstrap "${common[@]}" "$suite" "$partial" "$mirror" >>"$log" 2>&1 ||
    die "debootstrap failed: $(tail -n 1 "$log")"
else
  debootstrap --foreign --arch="$debarch" "${common[@]}" "$suite" "$partial" "$mirror" >>"$log" 2>&1 ||
    die "debootstrap --foreign failed: $(tail -n 1 "$log")"
  # The first stage unpacked only the "required" packages; the rest wait in
  # the archive cache. dpkg-deb's data tar is extracted with
  # --keep-directory-symlink: bookworm's root is merged-/usr (/bin -> usr/bin),
  # and a package that still ships files under /bin or /lib must add them
  # through the link, not replace the link with a directory.
  n=0
  for deb in "$partial"/var/cache/apt/archives/*.deb; do
    [ -e "$deb" ] || die "debootstrap --foreign left no .deb in var/cache/apt/archives"
    dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$partial" >>"$log" 2>&1 ||
      die "cannot unpack $(basename "$deb")"
    n=$((n + 1))
  done
  echo "make-root: unpacked $n packages" >&2
  [ -x "$partial/usr/bin/python3" ] || die "python3 is missing from the unpacked root"
  [ -L "$partial/bin" ] || die "unpacking replaced the /bin -> usr/bin link"
  configure_foreign "$partial" || die "cannot put the configuration files in place"
fi
# The downloaded packages are not part of the root; they only cost space.
rm -f "$partial"/var/cache/apt/archives/*.deb

mv "$partial" "$root" || die "cannot move $partial to $root"
printf '%s %s %s\n' "$suite" "$debarch" "$mirror" >"$stamp" || die "cannot write $stamp"
echo "make-root: $root complete in $((SECONDS - start)) s" >&2
echo "$root"
