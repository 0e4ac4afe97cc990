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
