/* sockets: AF_UNIX stream, datagram and seqpacket sockets.
 *
 * socketpair of each type (a byte stream glues writes, datagrams and
 * seqpackets keep their boundaries and truncate with MSG_TRUNC); shutdown
 * and close as the peer sees them (EOF, POLLHUP, EPIPE with SIGPIPE or
 * MSG_NOSIGNAL); a non-blocking read (EAGAIN); descriptors passed with
 * SCM_RIGHTS (a pipe end read through the copy, MSG_CTRUNC for a short
 * buffer); SCM_CREDENTIALS with SO_PASSCRED; SO_PEERCRED, SO_TYPE and
 * FIONREAD; a server on a path name and one on an abstract name, with a
 * forked client (accept, getsockname, getpeername, the socket node's type);
 * addressed datagrams with the sender's name; autobind; and the errors:
 * ENOTSOCK, ECONNREFUSED, EADDRINUSE, EPROTOTYPE, ENOENT, EINVAL, EISCONN,
 * ENOTCONN, EOPNOTSUPP. A large write through a pair fills the buffer and
 * completes while a child reads it all. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t got_pipe;
static void on_pipe(int sig) { (void)sig; got_pipe = 1; }

static socklen_t path_addr(struct sockaddr_un *a, const char *dir, const char *name)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    snprintf(a->sun_path, sizeof a->sun_path, "%s/%s", dir, name);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    size_t n = strlen(name);
    memcpy(a->sun_path + 1, name, n);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static void stream_pair(void)
{
    int sv[2];
    CHECK_SYS(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK(write(sv[0], "abc", 3) == 3, "write");
    CHECK(write(sv[0], "def", 3) == 3, "write");
    int avail = 0;
    CHECK_SYS(ioctl(sv[1], FIONREAD, &avail));
    printf("stream: FIONREAD %d\n", avail);
    char buf[16] = {0};
    ssize_t n = read(sv[1], buf, sizeof buf);
    printf("stream: one read got %zd bytes \"%.*s\"\n", n, (int)n, buf);
    n = recv(sv[1], buf, sizeof buf, MSG_DONTWAIT);
    printf("stream: empty MSG_DONTWAIT -> %s\n", n < 0 ? errno_name(errno) : "data");

    /* A peek leaves the bytes; MSG_WAITALL waits for the whole count. */
    CHECK(send(sv[1], "0123456789", 10, 0) == 10, "send");
    n = recv(sv[0], buf, 4, MSG_PEEK);
    printf("stream: peek %zd \"%.*s\"\n", n, (int)n, buf);
    n = recv(sv[0], buf, 10, MSG_WAITALL);
    printf("stream: waitall %zd \"%.*s\"\n", n, (int)n, buf);

    int type = 0;
    socklen_t len = sizeof type;
    CHECK_SYS(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len));
    printf("stream: SO_TYPE is SOCK_STREAM: %s\n", type == SOCK_STREAM ? "yes" : "no");
    struct ucred cred;
    len = sizeof cred;
    CHECK_SYS(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &len));
    int pid_ok = cred.pid == getpid();
    int uid_ok = cred.uid == geteuid() && cred.gid == getegid();
    printf("stream: SO_PEERCRED pid is ours: %s, ids ours: %s, len %u\n", pid_ok ? "yes" : "no",
           uid_ok ? "yes" : "no", (unsigned)len);
    struct stat st;
    CHECK_SYS(fstat(sv[0], &st));
    printf("stream: fstat says socket: %s\n", S_ISSOCK(st.st_mode) ? "yes" : "no");
    expect_errno(lseek(sv[0], 0, SEEK_SET), ESPIPE, "stream: lseek");

    /* shutdown(SHUT_WR): the peer reads EOF and polls POLLIN|POLLRDHUP. */
    CHECK_SYS(shutdown(sv[0], SHUT_WR));
    struct pollfd p = {sv[1], POLLIN | POLLRDHUP, 0};
    CHECK(poll(&p, 1, 0) == 1, "poll");
    printf("stream: after SHUT_WR peer polls IN %d RDHUP %d HUP %d\n", !!(p.revents & POLLIN),
           !!(p.revents & POLLRDHUP), !!(p.revents & POLLHUP));
    printf("stream: peer reads %zd (EOF)\n", read(sv[1], buf, sizeof buf));
    expect_errno(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE, "stream: send after SHUT_WR");

    /* The peer goes: EPIPE, and SIGPIPE unless MSG_NOSIGNAL. */
    CHECK_SYS(close(sv[0]));
    p.fd = sv[1];
    p.events = POLLOUT;
    CHECK(poll(&p, 1, 0) == 1, "poll");
    printf("stream: after close peer polls HUP %d\n", !!(p.revents & POLLHUP));
    signal(SIGPIPE, on_pipe);
    expect_errno(write(sv[1], "x", 1), EPIPE, "stream: write to closed peer");
    printf("stream: SIGPIPE raised: %s\n", got_pipe ? "yes" : "no");
    got_pipe = 0;
    expect_errno(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE, "stream: send MSG_NOSIGNAL");
    printf("stream: SIGPIPE raised: %s\n", got_pipe ? "yes" : "no");
    signal(SIGPIPE, SIG_DFL);
    CHECK_SYS(close(sv[1]));
}

static void datagram_pairs(void)
{
    int types[] = {SOCK_DGRAM, SOCK_SEQPACKET};
    const char *names[] = {"dgram", "seqpacket"};
    for (int i = 0; i < 2; i++) {
        int sv[2];
        CHECK_SYS(socketpair(AF_UNIX, types[i] | SOCK_CLOEXEC, 0, sv));
        CHECK(send(sv[0], "hello", 5, 0) == 5, "send");
        CHECK(send(sv[0], "world!", 6, 0) == 6, "send");
        CHECK(send(sv[0], "", 0, 0) == 0, "send empty");
        int avail = 0;
        CHECK_SYS(ioctl(sv[1], FIONREAD, &avail));
        char buf[16] = {0};
        ssize_t n = recv(sv[1], buf, sizeof buf, 0);
        printf("%s: FIONREAD %d, first message %zd \"%.*s\"\n", names[i], avail, n, (int)n, buf);
        struct iovec iov = {buf, 3};
        struct msghdr m = {0};
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        n = recvmsg(sv[1], &m, 0);
        printf("%s: short buffer %zd \"%.*s\" MSG_TRUNC %d\n", names[i], n, (int)n, buf,
               !!(m.msg_flags & MSG_TRUNC));
        n = recv(sv[1], buf, sizeof buf, 0);
        printf("%s: empty message %zd\n", names[i], n);
        CHECK(send(sv[0], "truncated", 9, 0) == 9, "send");
        n = recv(sv[1], buf, 2, MSG_TRUNC);
        printf("%s: MSG_TRUNC returns the real length %zd\n", names[i], n);
        int fl = fcntl(sv[0], F_GETFD);
        printf("%s: SOCK_CLOEXEC set: %s\n", names[i], (fl & FD_CLOEXEC) ? "yes" : "no");
        CHECK_SYS(close(sv[0]));
        if (types[i] == SOCK_SEQPACKET) {
            printf("%s: read after peer close %zd\n", names[i], recv(sv[1], buf, sizeof buf, 0));
            expect_errno(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE, "seqpacket: send to closed peer");
        } else {
            expect_errno(send(sv[1], "x", 1, 0), ECONNREFUSED, "dgram: send to closed peer");
        }
        CHECK_SYS(close(sv[1]));
    }
}

/* Sends \p fd over \p sock with one byte of data: sendmsg's result. */
static ssize_t sendmsg_fd(int sock, int fd)
{
    char byte = 'F';
    struct iovec iov = {&byte, 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = u.buf;
    m.msg_controllen = sizeof u.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    return sendmsg(sock, &m, 0);
}

static void rights(void)
{
    int sv[2], p[2];
    CHECK_SYS(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_SYS(pipe(p));
    CHECK(sendmsg_fd(sv[0], p[0]) == 1, "sendmsg SCM_RIGHTS");
    CHECK_SYS(close(p[0]));

    char byte;
    struct iovec iov = {&byte, 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = u.buf;
    m.msg_controllen = sizeof u.buf;
    CHECK(recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC) == 1, "recvmsg");
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    CHECK(c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS, "SCM_RIGHTS");
    int got;
    memcpy(&got, CMSG_DATA(c), sizeof got);
    printf("rights: got a descriptor, cmsg_len %zu, msg_controllen %zu, close-on-exec %s\n",
           (size_t)c->cmsg_len, (size_t)m.msg_controllen,
           (fcntl(got, F_GETFD) & FD_CLOEXEC) ? "yes" : "no");
    CHECK(write(p[1], "via", 3) == 3, "write");
    char buf[8] = {0};
    ssize_t n = read(got, buf, sizeof buf);
    printf("rights: read through the passed pipe end %zd \"%.*s\"\n", n, (int)n, buf);
    CHECK_SYS(close(got));

    /* No room for the descriptor: MSG_CTRUNC, and it is not installed. */
    CHECK(sendmsg_fd(sv[0], p[1]) == 1, "sendmsg SCM_RIGHTS");
    m.msg_control = NULL;
    m.msg_controllen = 0;
    CHECK(recvmsg(sv[1], &m, 0) == 1, "recvmsg");
    printf("rights: no control buffer -> MSG_CTRUNC %d\n", !!(m.msg_flags & MSG_CTRUNC));
    int probe = dup(0);
    printf("rights: the dropped descriptor took no slot: %s\n", probe == got ? "yes" : "no");
    CHECK_SYS(close(probe));

    expect_errno(sendmsg_fd(sv[0], 999), EBADF, "rights: SCM_RIGHTS of a closed descriptor");
    CHECK_SYS(close(p[1]));
    CHECK_SYS(close(sv[0]));
    CHECK_SYS(close(sv[1]));
}

static void credentials(void)
{
    int sv[2];
    CHECK_SYS(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    int on = 1;
    CHECK_SYS(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    CHECK(send(sv[0], "c", 1, 0) == 1, "send");
    char byte;
    struct iovec iov = {&byte, 1};
    union {
        char buf[CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } u;
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = u.buf;
    m.msg_controllen = sizeof u.buf;
    CHECK(recvmsg(sv[1], &m, 0) == 1, "recvmsg");
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    CHECK(c && c->cmsg_type == SCM_CREDENTIALS, "SCM_CREDENTIALS");
    struct ucred cr;
    memcpy(&cr, CMSG_DATA(c), sizeof cr);
    int ok = cr.pid == getpid() && cr.uid == getuid() && cr.gid == getgid();
    printf("creds: SCM_CREDENTIALS are the sender's: %s\n", ok ? "yes" : "no");
    int v = 0;
    socklen_t len = sizeof v;
    CHECK_SYS(getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &len));
    printf("creds: SO_PASSCRED reads back %d\n", v);
    CHECK_SYS(close(sv[0]));
    CHECK_SYS(close(sv[1]));
}

/* A server on \p addr: accepts one client, answers its message in upper
 * case, and checks what accept and getpeername say of it. */
static void server_round(const char *what, struct sockaddr_un *addr, socklen_t alen)
{
    int srv = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_SYS(srv);
    CHECK_SYS(bind(srv, (struct sockaddr *)addr, alen));
    /* Linux makes a path's node before it looks at the socket: a second
     * bind to the same path finds the name taken first. */
    CHECK(bind(srv, (struct sockaddr *)addr, alen) == -1, "bind twice");
    printf("%s: bind twice -> %s\n", what, errno_name(errno));
    int other = socket(AF_UNIX, SOCK_STREAM, 0);
    expect_errno(bind(other, (struct sockaddr *)addr, alen), EADDRINUSE, "server: name in use");
    expect_errno(connect(other, (struct sockaddr *)addr, alen), ECONNREFUSED,
                 "server: connect before listen");
    CHECK_SYS(close(other));
    CHECK_SYS(listen(srv, 4));
    struct sockaddr_un got;
    socklen_t glen = sizeof got;
    CHECK_SYS(getsockname(srv, (struct sockaddr *)&got, &glen));
    printf("%s: getsockname length matches bind's: %s\n", what,
           glen == alen && memcmp(&got, addr, alen) == 0 ? "yes" : "no");
    int acc = 0;
    socklen_t alen2 = sizeof acc;
    CHECK_SYS(getsockopt(srv, SOL_SOCKET, SO_ACCEPTCONN, &acc, &alen2));
    printf("%s: SO_ACCEPTCONN %d\n", what, acc);
    int fl = fcntl(srv, F_GETFL);
    CHECK_SYS(fcntl(srv, F_SETFL, fl | O_NONBLOCK));
    expect_errno(accept(srv, NULL, NULL), EAGAIN, "server: accept with nobody waiting");
    CHECK_SYS(fcntl(srv, F_SETFL, fl));

    pid_t child = fork();
    CHECK_SYS(child);
    if (child == 0) {
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        if (c < 0 || connect(c, (struct sockaddr *)addr, alen) != 0)
            _exit(2);
        if (connect(c, (struct sockaddr *)addr, alen) == 0 || errno != EISCONN)
            _exit(3);
        if (write(c, "ping", 4) != 4)
            _exit(4);
        char b[8];
        ssize_t n = read(c, b, sizeof b);
        _exit(n == 4 && memcmp(b, "PING", 4) == 0 ? 0 : 5);
    }
    struct sockaddr_un peer;
    socklen_t plen = sizeof peer;
    int conn = accept4(srv, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
    CHECK_SYS(conn);
    printf("%s: accepted; unnamed client's address length %u\n", what, (unsigned)plen);
    struct ucred cred;
    socklen_t clen = sizeof cred;
    CHECK_SYS(getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &clen));
    printf("%s: SO_PEERCRED names the client: %s\n", what, cred.pid == child ? "yes" : "no");
    glen = sizeof got;
    CHECK_SYS(getsockname(conn, (struct sockaddr *)&got, &glen));
    printf("%s: accepted socket has the server's name: %s\n", what,
           glen == alen && memcmp(&got, addr, alen) == 0 ? "yes" : "no");
    char b[8];
    ssize_t n = read(conn, b, sizeof b);
    CHECK(n == 4, "read from client");
    for (int i = 0; i < 4; i++)
        b[i] = (char)(b[i] - 'a' + 'A');
    CHECK(write(conn, b, 4) == 4, "answer");
    int st;
    CHECK_SYS(waitpid(child, &st, 0));
    printf("%s: client exit %d\n", what, WEXITSTATUS(st));
    printf("%s: read after client exit %zd\n", what, read(conn, b, sizeof b));
    CHECK_SYS(close(conn));
    CHECK_SYS(close(srv));
    int again = socket(AF_UNIX, SOCK_STREAM, 0);
    expect_errno(connect(again, (struct sockaddr *)addr, alen), ECONNREFUSED,
                 "server: connect after the server closed");
    CHECK_SYS(close(again));
}

static void servers(const char *dir)
{
    struct sockaddr_un a;
    socklen_t len = path_addr(&a, dir, "sock");
    server_round("path", &a, len);
    struct stat st;
    CHECK_SYS(lstat(a.sun_path, &st));
    printf("path: the name is a socket node: %s\n", S_ISSOCK(st.st_mode) ? "yes" : "no");
    expect_errno(open(a.sun_path, O_RDONLY), ENXIO, "path: open(2) of the node");
    CHECK_SYS(unlink(a.sun_path));

    char name[64];
    snprintf(name, sizeof name, "reprise-sockets-test-%d", (int)getpid());
    len = abstract_addr(&a, name);
    server_round("abstract", &a, len);
}

static void addressed_datagrams(const char *dir)
{
    struct sockaddr_un ra, sa, from;
    socklen_t rlen = path_addr(&ra, dir, "dg-recv");
    socklen_t slen = path_addr(&sa, dir, "dg-send");
    int r = socket(AF_UNIX, SOCK_DGRAM, 0), s = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK_SYS(bind(r, (struct sockaddr *)&ra, rlen));
    CHECK(sendto(s, "anon", 4, 0, (struct sockaddr *)&ra, rlen) == 4, "sendto");
    char buf[16];
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
    printf("dgram: from an unnamed sender %zd bytes, address length %u\n", n, (unsigned)flen);
    CHECK_SYS(bind(s, (struct sockaddr *)&sa, slen));
    CHECK(sendto(s, "named", 5, 0, (struct sockaddr *)&ra, rlen) == 5, "sendto");
    flen = sizeof from;
    n = recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
    printf("dgram: from a named sender %zd bytes, address is its name: %s\n", n,
           flen == slen && strcmp(from.sun_path, sa.sun_path) == 0 ? "yes" : "no");
    expect_errno(send(s, "x", 1, 0), ENOTCONN, "dgram: send without address or peer");
    CHECK_SYS(connect(s, (struct sockaddr *)&ra, rlen));
    CHECK(send(s, "conn", 4, 0) == 4, "send");
    n = recv(r, buf, sizeof buf, 0);
    printf("dgram: connected send %zd\n", n);
    struct sockaddr_un pa;
    socklen_t plen = sizeof pa;
    CHECK_SYS(getpeername(s, (struct sockaddr *)&pa, &plen));
    printf("dgram: getpeername is the receiver: %s\n", strcmp(pa.sun_path, ra.sun_path) == 0 ? "yes" : "no");
    CHECK_SYS(close(r));
    expect_errno(send(s, "x", 1, 0), ECONNREFUSED, "dgram: send to a closed receiver");
    CHECK_SYS(close(s));
    CHECK_SYS(unlink(ra.sun_path));
    CHECK_SYS(unlink(sa.sun_path));

    /* Autobind: bind with the family alone gives an abstract name. */
    int ab = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK_SYS(bind(ab, (struct sockaddr *)&(struct sockaddr_un){.sun_family = AF_UNIX},
                   sizeof(sa_family_t)));
    struct sockaddr_un an;
    socklen_t anl = sizeof an;
    CHECK_SYS(getsockname(ab, (struct sockaddr *)&an, &anl));
    printf("autobind: abstract %s, length %u\n", an.sun_path[0] == 0 ? "yes" : "no", (unsigned)anl);
    CHECK_SYS(close(ab));
}

static void errors(const char *dir)
{
    int p[2];
    CHECK_SYS(pipe(p));
    expect_errno(send(p[1], "x", 1, 0), ENOTSOCK, "errors: send on a pipe");
    expect_errno(listen(999, 1), EBADF, "errors: listen on a closed descriptor");
    CHECK_SYS(close(p[0]));
    CHECK_SYS(close(p[1]));
    expect_errno(socket(AF_UNIX, SOCK_STREAM, 7), EPROTONOSUPPORT, "errors: protocol 7");
    expect_errno(socket(AF_UNIX, 9, 0), ESOCKTNOSUPPORT, "errors: type 9");
    expect_errno(socket(AF_UNIX, SOCK_STREAM | 0x1000, 0), EINVAL, "errors: unknown type flag");
    expect_errno(socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT, "errors: family -1");

    struct sockaddr_un a;
    socklen_t len = path_addr(&a, dir, "nothing-here");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    expect_errno(connect(s, (struct sockaddr *)&a, len), ENOENT, "errors: connect to a missing path");
    len = path_addr(&a, dir, "plain-file");
    int f = open(a.sun_path, O_CREAT | O_WRONLY, 0600);
    CHECK_SYS(f);
    CHECK_SYS(close(f));
    expect_errno(connect(s, (struct sockaddr *)&a, len), ECONNREFUSED, "errors: connect to a file");
    expect_errno(bind(s, (struct sockaddr *)&a, len), EADDRINUSE, "errors: bind over a file");
    CHECK_SYS(unlink(a.sun_path));
    expect_errno(connect(s, (struct sockaddr *)&a, 1), EINVAL, "errors: address too short");
    a.sun_family = AF_INET;
    expect_errno(connect(s, (struct sockaddr *)&a, len), EINVAL, "errors: wrong family");
    expect_errno(listen(s, 1), EINVAL, "errors: listen unbound");
    char b;
    expect_errno(recv(s, &b, 1, 0), EINVAL, "errors: recv on an unconnected stream");
    expect_errno(send(s, &b, 1, 0), ENOTCONN, "errors: send on an unconnected stream");
    struct sockaddr_un pa;
    socklen_t plen = sizeof pa;
    expect_errno(getpeername(s, (struct sockaddr *)&pa, &plen), ENOTCONN, "errors: getpeername");
    int v = 0;
    socklen_t vl = sizeof v;
    expect_errno(getsockopt(s, SOL_SOCKET, 12345, &v, &vl), ENOPROTOOPT, "errors: unknown option");
    expect_errno(shutdown(s, 7), EINVAL, "errors: shutdown how 7");

    char name[64];
    snprintf(name, sizeof name, "reprise-sockets-dg-%d", (int)getpid());
    len = abstract_addr(&a, name);
    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK_SYS(bind(d, (struct sockaddr *)&a, len));
    /* Abstract names are per type: a stream socket finds no datagram
     * socket's name. A path names one node, whatever the type. */
    expect_errno(connect(s, (struct sockaddr *)&a, len), ECONNREFUSED,
                 "errors: stream to a datagram socket's abstract name");
    int same = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_SYS(bind(same, (struct sockaddr *)&a, len));
    printf("errors: a stream socket binds the same abstract name: yes\n");
    CHECK_SYS(close(same));
    struct sockaddr_un pd;
    socklen_t pdl = path_addr(&pd, dir, "dg-path");
    int dp = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK_SYS(bind(dp, (struct sockaddr *)&pd, pdl));
    expect_errno(connect(s, (struct sockaddr *)&pd, pdl), EPROTOTYPE,
                 "errors: stream to a datagram socket's path");
    CHECK_SYS(close(dp));
    CHECK_SYS(unlink(pd.sun_path));
    expect_errno(listen(d, 1), EOPNOTSUPP, "errors: listen on a datagram socket");
    expect_errno(accept(d, NULL, NULL), EOPNOTSUPP, "errors: accept on a datagram socket");
    CHECK_SYS(close(d));
    CHECK_SYS(close(s));
}

/* 1 MiB through a pair: the writer fills the buffer and waits while a
 * child reads, so both block in turn. */
static void bulk(void)
{
    int sv[2];
    CHECK_SYS(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    enum { Total = 1 << 20 };
    pid_t child = fork();
    CHECK_SYS(child);
    if (child == 0) {
        CHECK_SYS(close(sv[0]));
        static char buf[65536];
        unsigned long sum = 0, got = 0;
        ssize_t n;
        while ((n = read(sv[1], buf, sizeof buf)) > 0) {
            for (ssize_t i = 0; i < n; i++)
                sum += (unsigned char)buf[i];
            got += (unsigned long)n;
        }
        printf("bulk: child read %lu bytes, sum %lu\n", got, sum);
        _exit(0);
    }
    CHECK_SYS(close(sv[1]));
    static char data[Total];
    for (int i = 0; i < Total; i++)
        data[i] = (char)(i * 7);
    ssize_t n = write(sv[0], data, Total);
    printf("bulk: one write of %d returned %zd\n", Total, n);
    CHECK_SYS(close(sv[0]));
    int st;
    CHECK_SYS(waitpid(child, &st, 0));
}

int main(int argc, char **argv)
{
    CHECK(argc == 2, "usage: sockets TMPDIR");
    setvbuf(stdout, NULL, _IONBF, 0);
    stream_pair();
    datagram_pairs();
    rights();
    credentials();
    servers(argv[1]);
    addressed_datagrams(argv[1]);
    errors(argv[1]);
    bulk();
    printf("ok: sockets\n");
    return 0;
}
