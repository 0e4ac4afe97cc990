/* A dynamically linked program: the kernel maps its interpreter (PT_INTERP)
 * and starts there; the dynamic linker then maps libc with mmap of a file,
 * applies RELRO with mprotect and sets up TLS for the main thread and for
 * new ones. Checks the auxiliary vector the interpreter was given, thread-
 * local storage across threads, and dlopen of a library at run time. */
#define _GNU_SOURCE
#include "check.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/auxv.h>

extern char _start[];

static __thread int per_thread = 7;

static void *thread_main(void *arg)
{
    (void)arg;
    /* A new thread gets the initial value, not the main thread's. */
    CHECK(per_thread == 7, "a new thread's TLS variable is %d", per_thread);
    per_thread = 9;
    return (void *)(intptr_t)per_thread;
}

static int count_objects(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    int *n = data;
    /* The interpreter is among the loaded objects, at AT_BASE. */
    if (info->dlpi_addr == getauxval(AT_BASE))
        n[1] = 1;
    n[0]++;
    return 0;
}

int main(void)
{
    unsigned long base = getauxval(AT_BASE);
    CHECK(base != 0, "AT_BASE is 0: no interpreter was mapped");
    CHECK(base % 4096 == 0, "AT_BASE %#lx is not page-aligned", base);
    printf("AT_BASE: the interpreter's page-aligned base\n");

    CHECK(getauxval(AT_ENTRY) == (unsigned long)_start,
          "AT_ENTRY %#lx is not the program's entry %p", getauxval(AT_ENTRY), _start);
    printf("AT_ENTRY: the program's own entry point\n");

    /* AT_PHDR finds the program's headers, with its PT_INTERP among them. */
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    unsigned long n = getauxval(AT_PHNUM);
    int interp = 0;
    for (unsigned long i = 0; i < n; i++)
        if (ph[i].p_type == PT_INTERP)
            interp = 1;
    CHECK(interp, "AT_PHDR's headers have no PT_INTERP");
    printf("AT_PHDR: the headers name an interpreter\n");

    int objects[2] = {0, 0};
    dl_iterate_phdr(count_objects, objects);
    CHECK(objects[1], "the interpreter is not among the loaded objects");
    CHECK(objects[0] >= 3, "only %d objects loaded", objects[0]);
    printf("loaded: the program, libc and the interpreter at least\n");

    per_thread = 8;
    pthread_t t;
    void *ret;
    CHECK(pthread_create(&t, NULL, thread_main, NULL) == 0, "pthread_create");
    CHECK(pthread_join(t, &ret) == 0, "pthread_join");
    CHECK((intptr_t)ret == 9 && per_thread == 8,
          "TLS: thread saw %ld, main has %d", (long)(intptr_t)ret, per_thread);
    printf("TLS: each thread has its own copy\n");

    /* A library loaded at run time, found through the search path. */
    void *m = dlopen("libm.so.6", RTLD_NOW);
    CHECK(m != NULL, "dlopen(libm.so.6): %s", dlerror());
    double (*fn)(double) = (double (*)(double))dlsym(m, "sqrt");
    CHECK(fn != NULL, "dlsym(sqrt): %s", dlerror());
    double r = fn(2.25);
    CHECK(r == 1.5, "sqrt(2.25) gave %f", r);
    CHECK(dlclose(m) == 0, "dlclose: %s", dlerror());
    printf("dlopen: libm's sqrt(2.25) = %.1f\n", r);

    printf("ok: dynamic\n");
    return 0;
}
