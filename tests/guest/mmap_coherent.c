/* mmap_coherent: MAP_SHARED mappings of a file are one memory with the
 * file, in the directory argv[1].
 *
 * Without msync: write(2) and pwrite(2) show in a shared mapping at once,
 * and stores to the mapping show in read(2) and pread(2); two shared
 * mappings of the file in one process, and one in a child that mapped the
 * file on its own (through its own open), see each other's stores; a write
 * that grows the file shows in the tail of the mapping's last page; a
 * MAP_PRIVATE mapping keeps its own stores. After every mapping is
 * gone the file holds what was stored. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096

static char path[4096];

static void show(const char *what, const char *p, size_t n)
{
    printf("%s: \"%.*s\"\n", what, (int)n, p);
}

int main(int argc, char **argv)
{
    CHECK(argc == 2, "usage: mmap_coherent DIR");
    snprintf(path, sizeof path, "%s/shared.bin", argv[1]);

    /* Two pages and 100 bytes of dots. */
    const size_t size = 2 * PAGE + 100;
    static char buf[3 * PAGE];
    memset(buf, '.', size);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK_SYS(fd);
    CHECK(write(fd, buf, size) == (ssize_t)size, "fill");

    char *a = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(a != MAP_FAILED, "mmap a: %s", errno_name(errno));
    char *b = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PAGE);
    CHECK(b != MAP_FAILED, "mmap b: %s", errno_name(errno));
    char *priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(priv != MAP_FAILED, "mmap private: %s", errno_name(errno));

    /* pwrite and write land in the mappings. */
    CHECK(pwrite(fd, "pwrite-1", 8, 10) == 8, "pwrite");
    show("a[10] after pwrite", a + 10, 8);
    CHECK(lseek(fd, PAGE + 20, SEEK_SET) == PAGE + 20, "lseek");
    CHECK(write(fd, "write-2", 7) == 7, "write");
    show("a[PAGE+20] after write", a + PAGE + 20, 7);
    show("b[20] (same page) after write", b + 20, 7);
    struct iovec iov[2] = {{(void *)"write", 5}, {(void *)"v-3", 3}};
    CHECK(lseek(fd, 2 * PAGE, SEEK_SET) == 2 * PAGE, "lseek");
    CHECK(writev(fd, iov, 2) == 8, "writev");
    show("b[PAGE] after writev", b + PAGE, 8);

    /* Stores show in reads, and in the other mapping. */
    memcpy(a + PAGE + 40, "store-a", 7);
    show("b[40] after a store through a", b + 40, 7);
    memcpy(b + PAGE + 50, "store-b", 7);
    char got[16] = {0};
    CHECK(pread(fd, got, 7, 2 * PAGE + 50) == 7, "pread");
    show("pread after a store through b", got, 7);
    CHECK(lseek(fd, PAGE + 40, SEEK_SET) == PAGE + 40, "lseek");
    CHECK(read(fd, got, 7) == 7, "read");
    show("read after a store through a", got, 7);

    /* A store to the private mapping stays in it. (Whether it shows the
     * file's later changes before that is unspecified; Linux does, reprise
     * copies the file's bytes when it is mapped.) */
    priv[10] = 'P';
    CHECK(pwrite(fd, "again", 5, 11) == 5, "pwrite");
    printf("private after its store and a pwrite: '%c'\n", priv[10]);
    show("shared after them", a + 10, 8);

    /* Growing the file shows in the last page's tail. */
    CHECK(pwrite(fd, "grown", 5, size) == 5, "pwrite at the end");
    show("a[size] after the file grew", a + size, 5);

    /* A child maps the file through its own open and stores; the parent's
     * mapping shows it while the child's mapping still exists. */
    int go[2], done[2];
    CHECK_SYS(pipe(go));
    CHECK_SYS(pipe(done));
    fflush(stdout);
    pid_t pid = fork();
    CHECK_SYS(pid);
    if (pid == 0) {
        int cfd = open(path, O_RDWR);
        CHECK_SYS(cfd);
        char *c = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
        CHECK(c != MAP_FAILED, "child mmap: %s", errno_name(errno));
        printf("child sees: \"%.8s\"\n", c + 10);
        memcpy(c + 100, "from-child", 10);
        fflush(stdout);
        char x = 'x';
        CHECK(write(done[1], &x, 1) == 1, "child done");
        CHECK(read(go[0], &x, 1) == 1, "child go");
        _exit(0);
    }
    char x;
    CHECK(read(done[0], &x, 1) == 1, "parent wait");
    show("parent sees the child's store", a + 100, 10);
    CHECK(write(go[1], "x", 1) == 1, "parent go");
    int status;
    CHECK_SYS(waitpid(pid, &status, 0));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);

    /* Everything is in the file once the mappings are gone. */
    CHECK_SYS(munmap(a, 3 * PAGE));
    CHECK_SYS(munmap(b, 2 * PAGE));
    CHECK_SYS(munmap(priv, PAGE));
    close(fd);
    fd = open(path, O_RDONLY);
    CHECK_SYS(fd);
    memset(buf, 0, sizeof buf);
    ssize_t n = read(fd, buf, sizeof buf);
    CHECK(n == (ssize_t)size + 5, "file size %zd", n);
    show("file [10]", buf + 10, 8);
    show("file [100]", buf + 100, 10);
    show("file [PAGE+20]", buf + PAGE + 20, 7);
    show("file [PAGE+40]", buf + PAGE + 40, 7);
    show("file [2*PAGE]", buf + 2 * PAGE, 8);
    show("file [2*PAGE+50]", buf + 2 * PAGE + 50, 7);
    show("file [size]", buf + size, 5);
    close(fd);
    guest_ok("mmap_coherent");
    return 0;
}
