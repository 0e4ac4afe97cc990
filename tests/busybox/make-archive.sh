#!/usr/bin/env bash
# Packs DATA_DIR/tree into OUT as a tar archive whose bytes depend only on the
# files' names and contents: fixed order, mtime, owner, group and modes, so a
# listing of it is the same on every machine.
#
#   make-archive.sh DATA_DIR OUT
set -euo pipefail
[ $# -eq 2 ] || { echo "make-archive: usage: make-archive.sh DATA_DIR OUT" >&2; exit 2; }
data=$1 out=$2
tar -C "$data" -cf "$out.tmp" --format=ustar --sort=name --mtime=@1234567890 \
  --owner=root:0 --group=root:0 --mode='a+rX,u+w,go-w' tree
mv -f "$out.tmp" "$out"
