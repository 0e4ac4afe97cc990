# shellcheck shell=bash disable=SC2034
# Helpers shared by run-distro-test.sh and gen-expected.sh (sourced, not run).

# The environment of every run, under reprise (--clear-env -E ...), native
# (env -i) and qemu alike: reprise's default one plus a fixed time zone.
distro_env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C TZ=UTC0)

# The epoch reprise starts its clock at, and what "now" is in the native and
# expected runs of the cases flagged "now".
distro_epoch=1700000000

# distro_load_case CASES_FILE NAME: sets case_flags and case_argv; returns 1
# if there is no such case.
distro_load_case() {
  local file=$1 want=$2 found=0
  distro_case() {
    if [ "$1" = "$want" ] && [ $found = 0 ]; then
      found=1 case_flags=$2
      shift 2
      case_argv=("$@")
    fi
  }
  # shellcheck source=/dev/null
  . "$file"
  unset -f distro_case
  [ $found = 1 ]
}

# distro_case_names CASES_FILE: every case name, one a line.
distro_case_names() {
  distro_case() { printf '%s\n' "$1"; }
  # shellcheck source=/dev/null
  . "$1"
  unset -f distro_case
}

# distro_in_ci: true under continuous integration, where a root that cannot
# be had fails the tests instead of skipping them.
distro_in_ci() { [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; }

# distro_fill DIR DATA: copies DATA into the directory DIR with fixed modes
# and times.
distro_fill() {
  local dir=$1 data=$2
  cp -R "$data/." "$dir/" || return 1
  # Git leaves modes to the umask and times to the checkout: fix both, so
  # that `ls -la` prints the same everywhere. The directory itself too: it
  # is `..` of the listed ones.
  find "$dir" -type d -exec chmod 755 {} + &&
    find "$dir" -type f -exec chmod 644 {} + &&
    chmod 755 "$dir/tree/run.sh" &&
    find "$dir" -depth -exec touch -h -d @1600000000 {} +
}

# distro_scratch ROOT DATA: makes ROOT/tmp/reprise-test-XXXXXX holding a copy
# of DATA (distro_fill), and prints its path inside the root
# (/tmp/reprise-test-XXXXXX); the caller removes it (distro_unscratch). For
# the native and emulated runs of the expected output: reprise's own runs
# never write into the root (run-distro-test.sh).
distro_scratch() {
  local root=$1 data=$2 dir
  dir=$(mktemp -d "$root/tmp/reprise-test-XXXXXX") || return 1
  distro_fill "$dir" "$data" || return 1
  echo "/tmp/${dir##*/}"
}

# distro_root_state ROOT: one line that changes when anything in ROOT does
# (a name, type, mode, size or mtime). Left out: /proc, and the scratch
# directories of native runs (/tmp/reprise-test-*), which another test
# process sharing the cached root may make or remove at any moment; the
# guest's own scratch directory is a bind of a host directory outside ROOT.
distro_root_state() {
  find "$1" \( -path "$1/proc" -o -path "$1/tmp/reprise-test-*" \) -prune -o \
    -printf '%P %y %m %s %T@\n' | LC_ALL=C sort | sha256sum
}

distro_unscratch() { # ROOT GUEST_PATH
  case $2 in /tmp/reprise-test-?*) rm -rf "${1:?}$2" ;; esac
}
