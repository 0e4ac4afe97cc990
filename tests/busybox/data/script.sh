# A script for busybox sh (run as `sh script.sh STATUS ARGS...`, or fed on
# stdin to `sh -s STATUS ARGS...`): arguments, functions, case, arithmetic,
# parameter expansion, a pipeline into a loop, and an exit status of its own.
status=$1
shift
echo "$# args: $*"
for a in "$@"; do printf '<%s>' "$a"; done
echo

count() {
  local n=0
  while read -r line; do
    n=$((n + 1))
  done
  echo "$1: $n lines"
}
count words <words.txt
sort -u words.txt | count unique

classify() {
  case $1 in
    [A-Z]*) echo capital ;;
    [0-9]*) echo number ;;
    _*) echo underscore ;;
    *) echo lower ;;
  esac
}
for w in Apple banana 10 _under; do
  echo "$w is $(classify "$w")"
done

fib() {
  if [ "$1" -lt 2 ]; then echo "$1"; return; fi
  echo $(($(fib $(($1 - 1))) + $(fib $(($1 - 2)))))
}
echo "fib 8 = $(fib 8)"

path=tree/b/d/e.txt
echo "${path%/*} ${path##*/} ${path#tree/} ${#path} ${unset:-default} ${path:5:3}"
exit "$status"
