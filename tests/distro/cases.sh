# shellcheck shell=bash disable=SC2016
# The distro test cases, one `distro_case` line each (read by CMakeLists.txt
# for the test names, and by run-distro-test.sh and gen-expected.sh):
#
#   distro_case NAME FLAGS PROGRAM [ARGS...]
#
# NAME   test name suffix: distro.x86_64.NAME, distro.arm64.NAME, and the
#        arm64 expectation expected/NAME.out
# FLAGS  "-", or "now": the case prints the current time through
#        `date -d "$NOW"`. Under reprise NOW is "now" (the virtual clock,
#        which starts at --epoch 1700000000); in the native and expected runs
#        it is "@1700000000", so both must print the same.
#
# PROGRAM is a path inside the Debian root. Each case runs in a scratch
# directory of its own holding a copy of data/ with fixed times and modes
# (see run-distro-test.sh), with the environment of distro_env (lib.sh). What
# is compared is stdout and the exit status, so a case that wants its stderr
# checked sends it to stdout. Keep output free of what depends on the host
# or on timing: pids, the scratch directory's name, real times, sizes on disk.

# bash: loops, functions, pipelines, redirections, command substitution,
# subshells, background jobs and `wait`.
distro_case bash-loops - /bin/bash -c 'for i in 1 2 3; do printf "%s " "$i"; done; echo; i=0; while [ $i -lt 5 ]; do i=$((i + 1)); done; echo "while: $i"; until [ $i -eq 0 ]; do i=$((i - 1)); done; echo "until: $i"; for ((j = 0; j < 3; j++)); do echo "c-style $j"; done; declare -A m=([one]=1 [two]=2); for k in $(printf "%s\n" "${!m[@]}" | sort); do echo "$k=${m[$k]}"; done; a=(x y z); echo "${#a[@]} ${a[1]} ${a[*]:1}"; case poem.txt in *.txt) echo "case: text";; *) echo "case: other";; esac'
distro_case bash-functions - /bin/bash -c 'fact() { local n=$1; if [ "$n" -le 1 ]; then echo 1; else echo $((n * $(fact $((n - 1))))); fi; }; echo "10! = $(fact 10)"; greet() { echo "hello, ${1:-nobody}"; return 3; }; greet world; echo "status $?"; greet; counter=0; bump() { counter=$((counter + 1)); }; bump; bump; echo "counter $counter"; fib() { local a=0 b=1 i; for ((i = 0; i < $1; i++)); do local t=$((a + b)); a=$b; b=$t; done; echo $a; }; echo "fib 30 = $(fib 30)"; type -t fib; declare -F | sort'
distro_case bash-pipelines - /bin/bash -c 'cat words.txt | sort | uniq -c | sort -k1,1nr -k2,2 | head -4; tr a-z A-Z <poem.txt | grep -c THE; false | true; echo "status $? pipe ${PIPESTATUS[*]}"; set -o pipefail; false | true; echo "pipefail $?"; sort -n numbers.txt | tail -1; seq 1 100 | paste -sd+ | bc 2>/dev/null || seq 1 100 | awk "{ s += \$1 } END { print s }"'
distro_case bash-redirect - /bin/bash -c 'echo one >out.txt; echo two >>out.txt; cat words.txt >>out.txt; wc -l <out.txt; ls no-such-file >err.txt 2>&1; echo "ls status $?"; sed "s/^ls: //" err.txt; exec 3>fd3.txt; echo via-fd-3 >&3; exec 3>&-; cat fd3.txt; { echo to-stderr >&2; } 2>&1 | cat; cat <<EOF
here $((6 * 7))
EOF
cat <<<"here-string"; while read -r a b; do echo "$b $a"; done <table.csv | head -3; echo replaced >out.txt; cat out.txt; : >out.txt; wc -c <out.txt; set -C; (echo clobber >out.txt) 2>/dev/null || echo "noclobber refused"'
distro_case bash-subst - /bin/bash -c 'echo "$(echo a $(echo b $(echo c)))"; n=$(wc -l <words.txt); echo "lines $n doubled $((n * 2))"; x=$(printf "x\n\n\n"); echo "[$x]"; v=$(exit 3); echo "status $?"; set -- $(echo one two three); echo "$# words, last $3"; echo "${PWD##*/}" | grep -c reprise-test-; f=poem.txt; echo "${f%.txt} ${f^^} ${#f}"; read -r first rest <<<"$(sort words.txt | head -2 | tr "\n" " ")"; echo "first $first rest $rest"'
distro_case bash-subshell - /bin/bash -c 'x=1; (x=2; echo "in ( ) x=$x"); echo "after ( ) x=$x"; { x=3; }; echo "after { } x=$x"; (cd tree/sub && ls); (exit 7); echo "(exit 7) gives $?"; (echo out; echo err >&2) 2>&1 | sort; echo "$( (echo deep; (echo deeper)) | wc -l) lines"; (trap "echo trapped" EXIT; echo body); bash -c "exit 5"; echo "child bash $?"'
distro_case bash-wait - /bin/bash -c 'for i in 3 1 2; do (sleep 0.0$i; echo "job $i" >job$i.txt) & done; wait; cat job1.txt job2.txt job3.txt; (exit 4) & p=$!; wait $p; echo "wait status $?"; sleep 0.01 & sleep 0.02 & wait -n; echo "wait -n $?"; wait; echo "jobs left: $(jobs -p | wc -l)"; { sleep 0.01; echo async; } > async.txt & wait; cat async.txt'

# coreutils
distro_case ls-la - /bin/ls -la tree
distro_case ls-options - /bin/ls -1RpF --group-directories-first tree pkg
distro_case sort - /bin/bash -c 'sort words.txt | head -5; sort -n -r numbers.txt | head -3; sort -t , -k 3,3n -k 1,1 table.csv; sort -u -f words.txt | wc -l; sort -c words.txt 2>&1; echo "sort -c $?"'
distro_case wc - /usr/bin/wc poem.txt words.txt table.csv numbers.txt
distro_case sha256sum - /bin/bash -c 'sha256sum poem.txt words.txt tree/a.txt tree/empty; sha256sum poem.txt >sums; sha256sum -c sums; md5sum table.csv; cksum numbers.txt; b2sum -l 128 words.txt'
distro_case files - /bin/bash -c 'mkdir -p a/b/c; cp poem.txt a/b/c/; cp -r tree t2; mv t2/a.txt t2/moved.txt; mv a/b/c/poem.txt a/poem2.txt; ls -R a t2 | sed "/^$/d"; rm a/poem2.txt; rm -r t2; rmdir -p a/b/c; ls -d a t2 2>&1 | sed "s/^ls: //"; ln -s poem.txt sl; readlink sl; ln poem.txt hard; stat -c "%n %h %s %F" hard poem.txt sl; touch -d @1000000000 poem.txt; stat -c "%n %Y" poem.txt; cmp poem.txt hard && echo same; truncate -s 10 hard; wc -c poem.txt; cat sl | head -1; echo; mkdir -m 700 priv; stat -c "%A %n" priv; chmod 640 tree/b.txt; stat -c "%a %n" tree/b.txt'
distro_case date now /bin/bash -c 'date -u -d "$NOW" "+%Y-%m-%d %H:%M"; date -d "$NOW" +%A; TZ=Asia/Tokyo date -d "$NOW" "+%H %Z" 2>&1; date -u -d "2024-02-28 + 2 days" +%F; date -u -d @0 -R; date -u -d @1234567890 +%s'
distro_case env - /usr/bin/env
distro_case misc-coreutils - /bin/bash -c 'seq 5 | tac | paste -sd,; printf "%05.2f|%-4s|%x\n" 3.14159 ab 255; echo abc | rev 2>/dev/null || echo cba; expr 6 \* 7; basename /a/b/c.txt .txt; dirname /a/b/c.txt; echo "hello world" | tr -s "lo" | cut -c1-6; yes | head -3; factor 360; numfmt --to=iec 1048576; id -u; id -un; uname -s; test -w . && echo writable; head -c 5 /dev/zero | od -An -tx1; echo $((RANDOM >= 0))'

# grep and sed with regular expressions
distro_case grep - /bin/bash -c 'grep -n "the" poem.txt; grep -ci "THE" poem.txt; grep -E "^[a-c][a-z]+$" words.txt; grep -o "[0-9]\+" table.csv | sort -n | tail -2; grep -v -e a -e e words.txt; grep -rl beta tree | sort; grep -w -c "of" poem.txt; grep -P "\d{2,}" numbers.txt; grep -q zzz words.txt; echo "status $?"'
distro_case sed - /bin/bash -c 'sed -n "s/\([a-z]*\) the/[\1] THE/gp" poem.txt; sed -E "s/([0-9]+)/<\1>/g; y/abc/ABC/; /^$/d; 5q" poem.txt; sed -n "2,4p;\$=" words.txt; cp words.txt w.txt; sed -i "1d; s/a/@/g" w.txt; head -3 w.txt; printf "a,b\nc,d\n" | sed "s/\(.*\),\(.*\)/\2,\1/"; sed "/^$/,\$d" poem.txt | wc -l'

# tar: create and list an archive, extract it elsewhere
distro_case tar - /bin/bash -c 'tar --sort=name --mtime=@1600000000 --owner=0 --group=0 --numeric-owner -cf t.tar tree pkg; tar -tf t.tar; tar -tvf t.tar | sed "s/  */ /g"; mkdir x; tar -xf t.tar -C x; diff -r tree x/tree && echo "extracted same"; tar -czf t.tgz tree; tar -tzf t.tgz | sort; tar -xOf t.tar tree/sub/c.txt'

# python3
distro_case python-os - /usr/bin/python3 -c '
import os, stat
print(sorted(os.listdir("tree")))
os.makedirs("a/b/c")
with open("a/b/c/f.txt", "w") as f:
    f.write("x" * 100)
st = os.stat("a/b/c/f.txt")
print(st.st_size, stat.S_ISREG(st.st_mode), oct(stat.S_IMODE(os.stat("tree/a.txt").st_mode)))
for root, dirs, files in os.walk("tree"):
    dirs.sort()
    print(root, sorted(files))
os.rename("a/b/c/f.txt", "a/g.txt")
print(os.path.exists("a/b/c/f.txt"), os.path.getsize("a/g.txt"))
os.symlink("g.txt", "a/link")
print(os.readlink("a/link"), os.path.islink("a/link"))
r, w = os.pipe()
os.write(w, b"through a pipe")
os.close(w)
print(os.read(r, 100))
print(os.environ.get("LANG"), os.getuid(), os.path.basename(os.getcwd()).startswith("reprise-test-"))
fd = os.open("a/g.txt", os.O_RDONLY)
print(os.lseek(fd, 0, os.SEEK_END), len(os.pread(fd, 10, 95)))
os.close(fd)
'
distro_case python-subprocess - /usr/bin/python3 -c '
import subprocess, sys
p = subprocess.run(["sort"], input=b"pear\napple\nfig\n", capture_output=True)
print(p.returncode, p.stdout.decode().split())
print(subprocess.check_output(["wc", "-l", "poem.txt"]).decode().strip())
a = subprocess.Popen(["cat", "words.txt"], stdout=subprocess.PIPE)
b = subprocess.Popen(["grep", "-c", "a"], stdin=a.stdout, stdout=subprocess.PIPE)
a.stdout.close()
print("pipeline:", b.communicate()[0].decode().strip(), a.wait(), b.wait())
print(subprocess.call(["sh", "-c", "exit 7"]))
r = subprocess.run("echo out; echo err >&2", shell=True, capture_output=True, text=True)
print(repr(r.stdout), repr(r.stderr))
r = subprocess.run([sys.executable, "-c", "import sys; print(sys.stdin.read().upper())"], input="child python", capture_output=True, text=True)
print(r.stdout.strip())
try:
    subprocess.run(["/no/such/program"])
except FileNotFoundError as e:
    print("FileNotFoundError", e.errno)
'
distro_case python-threading - /usr/bin/python3 -c '
import threading, queue
lock = threading.Lock()
total = [0]
def work(n):
    for i in range(n):
        with lock:
            total[0] += i
ts = [threading.Thread(target=work, args=(2000,)) for _ in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print("total", total[0])
q = queue.Queue()
def producer():
    for i in range(10):
        q.put(i * i)
    q.put(None)
out = []
def consumer():
    while (v := q.get()) is not None:
        out.append(v)
threads = [threading.Thread(target=producer), threading.Thread(target=consumer)]
for t in threads: t.start()
for t in threads: t.join()
print(out)
ev = threading.Event()
t = threading.Thread(target=lambda: ev.set())
t.start(); print("event", ev.wait(5)); t.join()
local = threading.local()
def setlocal(v, res):
    local.v = v
    res.append(local.v)
res = []
ts = [threading.Thread(target=setlocal, args=(i, res)) for i in range(3)]
for t in ts: t.start()
for t in ts: t.join()
print(sorted(res), threading.active_count())
from concurrent.futures import ThreadPoolExecutor
with ThreadPoolExecutor(max_workers=3) as ex:
    print(list(ex.map(lambda x: x * 3, range(6))))
'
distro_case python-hashlib-json - /usr/bin/python3 -c '
import hashlib, json, base64, zlib
data = open("poem.txt", "rb").read()
print(hashlib.sha256(data).hexdigest())
print(hashlib.md5(data).hexdigest(), hashlib.sha1(b"abc").hexdigest())
print(hashlib.blake2b(b"reprise", digest_size=16).hexdigest(), hashlib.sha3_256(b"").hexdigest()[:16])
h = hashlib.sha512()
for line in open("words.txt", "rb"):
    h.update(line)
print(h.hexdigest()[:32])
print(hashlib.pbkdf2_hmac("sha256", b"pw", b"salt", 1000).hex()[:32])
doc = {"name": "reprise", "n": [1, 2.5, None, True], "nested": {"a": "\u00e9", "b": []}}
s = json.dumps(doc, sort_keys=True)
print(s)
print(json.loads(s) == doc, json.dumps(doc, indent=1, ensure_ascii=False).count("\n"))
print(base64.b64encode(zlib.compress(data, 9))[:24], zlib.crc32(data))
'
distro_case python-compileall - /bin/bash -c 'python3 -m compileall pkg | sed "s/^Listing .\(.*\).\.\.\.$/Listing \1/"; find pkg -name "*.pyc" | sort; python3 -c "import pkg, pkg.inner; print(pkg.area(\"rect\", 3, 4), pkg.inner.squares(5))"; python3 -m compileall -q pkg; echo "again $?"; python3 -m py_compile pkg/shapes.py; echo "py_compile $?"'
# python3 over AF_UNIX sockets, eventfd-free asyncio, and POSIX semaphores
# in /dev/shm: socketpair with descriptors passed (send_fds), a server on
# a path name, asyncio streams over a unix socket, multiprocessing's
# Manager (a server process reached through a socket) and Pool (fork,
# pipes and sem_open).
distro_case python-ipc - /usr/bin/python3 -c '
import asyncio, multiprocessing as mp, os, socket
a, b = socket.socketpair()
r, w = os.pipe()
socket.send_fds(a, [b"fd"], [r])
msg, fds, flags, addr = socket.recv_fds(b, 16, 4)
os.write(w, b"through the passed pipe")
print(msg, len(fds), os.read(fds[0], 64))
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind("sock")
srv.listen()
if os.fork() == 0:
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect("sock")
    c.sendall(b"hello over a path")
    os._exit(0)
conn, _ = srv.accept()
print(conn.recv(64), os.wait()[1])
async def main():
    async def handle(reader, writer):
        writer.write((await reader.readline()).upper())
        await writer.drain()
        writer.close()
    server = await asyncio.start_unix_server(handle, "async.sock")
    reader, writer = await asyncio.open_unix_connection("async.sock")
    writer.write(b"asyncio line\n")
    print(await reader.readline())
    writer.close()
    server.close()
    await server.wait_closed()
asyncio.run(main())
if __name__ == "__main__":
    mp.set_start_method("fork")
    with mp.Manager() as m:
        d = m.dict()
        d["k"] = 7
        print(dict(d))
    with mp.Pool(2) as p:
        print(p.map(abs, [-1, -2, 3]))
'
