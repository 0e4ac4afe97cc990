#!/usr/bin/env bash
# Builds examples/hello.c for x86-64 and arm64 and runs both under reprise,
# twice each: the output is the same on every run and every host.
set -euo pipefail
BUILD=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
out="$BUILD/examples"
mkdir -p "$out"
gcc -static -O2 "$here/hello.c" -o "$out/hello-x86_64"
aarch64-linux-gnu-gcc -static -O2 "$here/hello.c" -o "$out/hello-arm64"
for arch in x86_64 arm64; do
  for run in 1 2; do
    echo "== reprise run hello-$arch (run $run)"
    "$BUILD/tools/reprise/reprise" run --seed 42 -- "$out/hello-$arch" demo
  done
done
echo "== with --strace (x86-64, write and exit_group only)"
"$BUILD/tools/reprise/reprise" run --strace --strace-filter=write,exit_group -- "$out/hello-x86_64"
