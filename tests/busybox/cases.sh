# The busybox test cases, one `bb_case` line each (read by CMakeLists.txt for
# the test names, and by run-busybox-test.sh and gen-expected.sh for the rest):
#
#   bb_case NAME FLAGS STDIN APPLET [ARGS...]
#
# NAME   test name suffix: busybox.x86_64.NAME, busybox.arm64.NAME, and the
#        arm64 expectation expected/NAME.out
# FLAGS  "-", or "arch" when the output legitimately differs between the
#        arches (then expected/NAME.out is checked against qemu-aarch64 only)
# STDIN  "-" for /dev/null, else a file in the work directory
#
# Every case runs with the work directory (a copy of data/ plus archive.tar,
# made by make-archive.sh) as its current directory, must exit 0, print
# nothing on stderr and print something on stdout. Keep each line's arguments
# free of anything that depends on the host: times, owners, sizes on disk,
# host names, kernel versions.

bb_case ls              -    -           ls -1 tree
bb_case ls-R            -    -           ls -1aRp tree
bb_case cat             -    -           cat poem.txt table.csv
bb_case cat-n           -    -           cat -n poem.txt
bb_case cat-stdin       -    words.txt   cat -
bb_case sort            -    -           sort words.txt
bb_case sort-nr         -    -           sort -n -r numbers.txt
bb_case sort-keys       -    -           sort -t , -k 3,3n -k 1,1 table.csv
bb_case sort-uf         -    -           sort -u -f words.txt
bb_case sed             -    -           sed -n -e 's/\([a-z]*\) the/[\1] THE/gp' poem.txt
bb_case sed-E           -    poem.txt    sed -E -e 's/([0-9]+)/<\1>/g' -e 'y/abc/ABC/' -e '/^$/d' -e '7q'
bb_case awk             -    -           awk -F , '{ t += $2 * $3; printf "%-12s %4d %8.2f\n", $1, $2, $2 * $3 } END { printf "total %.2f over %d rows\n", t, NR }' table.csv
bb_case awk-numbers     -    -           awk 'BEGIN { printf "%.6f %.10g %.3e %d %d %g\n", 2/3, 1e6/7, -12345.678, int(-3.7), 17 % 5, 7.5 % 2; s = "hello world"; n = split(s, a, " "); print n, toupper(a[2]), length(s), substr(s, 3, 5), index(s, "wor"); printf "%.0f %g %e %x %c|%5s|%-5s|\n", 9007199254740993, 1/3, 12345.678, 48879, 65, "ab", "cd"; x = 0.1 + 0.2; print (x == 0.3), x, 1e300 * 1e10, -1e300 * 1e10 }'
bb_case awk-fields      -    poem.txt    awk 'NF > 0 { w += NF; if (length($0) > m) { m = length($0); l = $0 } } /[0-9]/ { d++ } END { print NR, w, d; print m ": " l }'
bb_case sha256sum       -    -           sha256sum poem.txt words.txt tree/empty
bb_case sha256sum-c     -    -           sha256sum -c checksums.sha256
bb_case sha256sum-stdin -    table.csv   sha256sum
bb_case wc              -    -           wc poem.txt words.txt table.csv
bb_case wc-l-stdin      -    numbers.txt wc -l
bb_case tar             -    -           tar -tf archive.tar
bb_case tar-v           -    -           tar -tvf archive.tar
bb_case tar-xO          -    -           tar -xOf archive.tar tree/b/c.txt tree/a.txt
bb_case expr            -    -           expr 40 + 2 '*' 3 - 7 / 2
bb_case expr-match      -    -           expr abcdef : 'a\(.*\)e'
bb_case expr-length     -    -           expr length 'hello, world'
bb_case uname           -    -           uname -s
bb_case uname-m         arch -           uname -m

# busybox sh: pipelines, command substitution, subshells, loops fed by pipes,
# redirections, here-documents, background jobs, scripts and exit statuses.
# Everything runs from one static binary: busybox's ash runs its applets by
# re-executing /proc/self/exe (or forking without exec), so no host program
# runs. Files a case writes go to its own directory from `mktemp -d` (the work
# directory is shared by every case and both arches), removed by an EXIT trap.
# `read` (sh-loops, sh-stdin-read, script.sh) polls its input before each
# byte, so these cases also need poll/ppoll.
bb_case sh-pipeline     -    -           sh -c 'cat words.txt | sort | uniq -c | sort -rn | head -3; tr A-Z a-z <words.txt | sort | uniq -c | sort -k1,1nr -k2,2 | head -4 | cat -n; ls tree | xargs -n 2 echo; echo "status $?"'
bb_case sh-pipe-status  -    -           sh -c 'false | true; echo "false|true $?"; true | false; echo "true|false $?"; (exit 4) | (exit 5); echo "4|5 $?"; ! true | false; echo "! true|false $?"; grep -q zebra words.txt | cat; echo "grep|cat $?"; set -o pipefail; false | true; echo "pipefail false|true $?"; (exit 4) | true | (exit 0); echo "pipefail 4|0|0 $?"'
bb_case sh-cmdsubst     -    -           sh -c 'echo "$(echo a $(echo b $(echo c $(echo d))))"; echo `echo e \`echo f\``; n=$(wc -l <words.txt); echo "lines $n, doubled $((n * 2))"; x=$(printf "x\n\n\n"); echo "[$x]"; first=$(sort words.txt | head -1); echo "first $first"; v=$(exit 3); echo "status of \$(exit 3): $?"; echo "$(cat words.txt | grep -c an) with an"; set -- $(echo one two three); echo "$# words, last $3"'
bb_case sh-subshell     -    -           sh -c 'x=1; (x=2; echo "in ( ) x=$x"); echo "after ( ) x=$x"; { x=3; }; echo "after { } x=$x"; (cd tree/b && ls); ls -d tree; (exit 7); echo "(exit 7) gives $?"; (echo out; echo err >&2) 2>&1 | sort; echo "$( (echo deep; (echo deeper)) | wc -l) lines from nested subshells"'
bb_case sh-loops        -    -           sh -c 'cat words.txt | while read w; do n=$((n + 1)); echo "$n:$w"; done | tail -3; echo "after the piped loop n=${n:-unset}"; sort -u numbers.txt | while read a; do [ "$a" -lt 0 ] && echo "negative $a"; done; for f in tree/*; do if [ -d "$f" ]; then echo "dir $f"; else echo "file $f"; fi; done; while IFS=, read name qty price; do echo "$name x$qty at $price"; done <table.csv; i=0; until [ $i -ge 3 ]; do i=$((i + 1)); printf "%s " $i; done; echo; for w in $(head -3 words.txt); do echo "word $w"; done'
bb_case sh-redirect     -    -           sh -c 'd=$(mktemp -d) || exit 1; trap "rm -rf $d" EXIT; echo one >$d/f; echo two >>$d/f; cat words.txt >>$d/f; wc -l <$d/f; ls no-such-file >$d/err 2>&1; echo "ls status $?"; cat $d/err; { echo to-stderr >&2; } 2>$d/e2; cat $d/e2; exec 3>$d/fd3; echo via-fd-3 >&3; echo again >&3; exec 3>&-; cat $d/fd3; head -2 <$d/f; sort <$d/f | uniq | wc -l; echo replaced >$d/f; cat $d/f; : >$d/f; wc -c <$d/f; set -C; (echo clobber >$d/f) 2>/dev/null || echo "noclobber refused"; echo forced >|$d/f; cat $d/f'
bb_case sh-heredoc      -    -           sh -c $'d=$(mktemp -d) || exit 1; trap "rm -rf $d" EXIT; x=world\ncat <<EOF >$d/h\nhello $x\nsum $((2 + 3))\nsub $(echo nested)\nEOF\ncat $d/h\ncat <<"RAW" >>$d/h\nraw $x $(not run)\nRAW\ncat $d/h\ncat <<-TABS\n\tleading tabs go\n\t\tall of them\n\tTABS\nwhile read a b; do echo "$b-$a"; done <<EOF\n1 one\n2 two\nEOF\nsort <<EOF | head -2\nzulu\nalpha\nmike\nEOF\nwc -l <$d/h'
# Background jobs write to files of their own, read after `wait`, so the
# output does not depend on how the jobs interleave. The `sleep 1` lets every
# job end first: ash's `wait` then finds them already reaped (by the blocking
# wait4(-1) it does for the foreground `sleep`). sh-wait has `wait` block:
# ash sleeps in rt_sigsuspend until its SIGCHLD handler runs.
bb_case sh-background   -    -           sh -c 'd=$(mktemp -d) || exit 1; trap "rm -rf $d" EXIT; sort words.txt >$d/a & pa=$!; (sort -r words.txt >$d/b; exit 3) & pb=$!; (cat poem.txt | wc -l >$d/c) & (exit 5) & pd=$!; [ "$pa" != "$pb" ] && echo "two pids"; sleep 1; wait $pa; echo "wait a: $?"; wait $pb; echo "wait b: $?"; wait $pd; echo "wait d: $?"; wait; echo "wait all: $?"; head -2 $d/a; head -2 $d/b; cat $d/c'
bb_case sh-wait         -    -           sh -c 'true & wait; echo "true & wait: $?"; (exit 3) & wait $!; echo "(exit 3) & wait \$!: $?"; true & false & wait; echo "true & false & wait: $?"; false & wait $!; echo "false & wait \$!: $?"; echo done'
bb_case sh-trap         -    -           sh -c 'trap "echo got USR1" USR1; kill -USR1 $$; echo after USR1; trap "echo got INT" INT; kill -INT $$; echo after INT; trap - INT; sh -c "trap \"echo child INT; exit 4\" INT; kill -INT \$\$; echo not reached"; echo "child status: $?"; { sleep 5 & s=$!; kill -STOP $s; kill -CONT $s; kill $s; wait $s; echo "stopped, continued, killed: $?"; } 2>/dev/null; (trap "" TERM; kill -TERM \$\$ 2>/dev/null; echo "TERM ignored in a subshell"); echo done'
bb_case sh-script       -    -           sh -c 'sh script.sh 0 one "two words" three; echo "script exited $?"; sh script.sh 42 >/dev/null; echo "script exited $?"; (. ./script.sh 0 sourced); echo "sourced in a subshell: $?"'
bb_case sh-stdin-script -    script.sh   sh -s 0 from stdin
bb_case sh-exit         -    -           sh -c 'sh -c "exit 7"; echo "exit 7: $?"; sh -c "exit 300"; echo "exit 300: $?"; sh -c false; echo "false: $?"; sh -c "set -e; false; echo not reached"; echo "set -e: $?"; sh -c "trap \"echo trap sees \\\$?\" EXIT; exit 3"; echo "trap: $?"; { sh -c "kill -9 \$\$"; } 2>/dev/null; echo "SIGKILL: $?"; { sh -c "kill -TERM \$\$"; } 2>/dev/null; echo "SIGTERM: $?"; ./words.txt 2>/dev/null; echo "not executable: $?"; no-such-command-reprise 2>/dev/null; echo "not found: $?"; f() { return 9; }; f; echo "function: $?"; exit 0'
bb_case sh-stdin-read   -    words.txt   sh -c 'while read w; do case $w in [A-Z]*) echo "capital $w";; [0-9]*) echo "number $w";; esac; done; read late; echo "after EOF: status $?, [${late}]"'
