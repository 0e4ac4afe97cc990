# shellcheck shell=bash disable=SC2034,SC2317
# Helpers shared by run-busybox-test.sh and gen-expected.sh (sourced, not run;
# the variables it sets and the bb_case callbacks are used by those scripts).

# The guest environment: reprise's default one (see `reprise --help`) plus a
# fixed time zone, so that `tar -tv` prints the same times everywhere. Native
# and qemu runs get exactly this environment too.
bb_env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C TZ=UTC0)

# bb_load_case CASES_FILE NAME: sets case_flags, case_stdin and case_argv
# (applet and its arguments); returns 1 if there is no such case.
bb_load_case() {
  local file=$1 want=$2 found=0
  bb_case() {
    if [ "$1" = "$want" ] && [ $found = 0 ]; then
      found=1 case_flags=$2 case_stdin=$3
      shift 3
      case_argv=("$@")
    fi
  }
  # shellcheck source=/dev/null
  . "$file"
  unset -f bb_case
  [ $found = 1 ]
}

# bb_case_names CASES_FILE: prints every case name, one a line.
bb_case_names() {
  bb_case() { printf '%s\n' "$1"; }
  # shellcheck source=/dev/null
  . "$1"
  unset -f bb_case
}

# bb_in_ci: true when running under continuous integration, where a missing
# busybox must fail the tests instead of skipping them.
bb_in_ci() { [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; }
