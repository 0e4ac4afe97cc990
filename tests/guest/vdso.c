/* vdso: the vDSO the kernel maps into every program.
 *
 * Finds the image through AT_SYSINFO_EHDR and reads it as a dynamic linker
 * would, with code of its own (not the libc's): the ELF and program
 * headers, the dynamic section, the symbol table through the System V and
 * GNU hash tables (each one present, and they must agree), the symbol
 * versions, and the section headers. Then it calls the time functions
 * through the pointers it found and compares them with the system calls,
 * and checks what a fork child and a newly executed program get.
 *
 * The names differ per arch (x86-64: __vdso_*, version LINUX_2.6; arm64:
 * __kernel_*, version LINUX_2.6.39, and a signal return trampoline, where
 * handlers without SA_RESTORER return); what is printed does not, so the
 * output is the same natively and under reprise on both arches.
 * Usage: vdso [exec-child] */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <unwind.h>

#include "check.h"

#if defined(__x86_64__)
#define MACHINE EM_X86_64
#define PREFIX "__vdso_"
#define VERSION "LINUX_2.6"
#elif defined(__aarch64__)
#define MACHINE EM_AARCH64
#define PREFIX "__kernel_"
#define VERSION "LINUX_2.6.39"
#else
#error "x86-64 or arm64 only"
#endif

typedef long (*clock_fn)(clockid_t, struct timespec *);
typedef long (*gtod_fn)(struct timeval *, void *);

struct vdso {
    const ElfW(Ehdr) *eh;
    uintptr_t bias; /* what the image's addresses are relative to */
    const ElfW(Sym) *symtab;
    const char *strtab;
    size_t strsz;
    const Elf32_Word *hash, *gnu_hash;
    const ElfW(Versym) *versym;
    const ElfW(Verdef) *verdef;
    const char *soname;
};

/* The System V ELF hash, which also names versions (vd_hash). */
static uint32_t elf_hash(const char *s)
{
    uint32_t h = 0;
    for (; *s; s++) {
        h = (h << 4) + (unsigned char)*s;
        uint32_t g = h & 0xf0000000u;
        if (g)
            h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

static uint32_t gnu_hash(const char *s)
{
    uint32_t h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)*s;
    return h;
}

/* The [vdso] and [vvar] lines of /proc/self/maps. */
static void find_maps(uintptr_t *vdso_lo, uintptr_t *vdso_hi, char *perms, uintptr_t *vvar_lo)
{
    FILE *f = fopen("/proc/self/maps", "r");
    CHECK(f, "open /proc/self/maps: %s", errno_name(errno));
    char line[512];
    *vdso_lo = *vdso_hi = *vvar_lo = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char p[5], name[256] = "";
        if (sscanf(line, "%lx-%lx %4s %*x %*x:%*x %*u %255s", &lo, &hi, p, name) < 3)
            continue;
        if (strcmp(name, "[vdso]") == 0) {
            *vdso_lo = lo;
            *vdso_hi = hi;
            strcpy(perms, p);
        } else if (strcmp(name, "[vvar]") == 0) {
            *vvar_lo = lo;
        }
    }
    fclose(f);
}

static void parse(struct vdso *v)
{
    memset(v, 0, sizeof *v);
    unsigned long at = getauxval(AT_SYSINFO_EHDR);
    CHECK(at != 0, "no AT_SYSINFO_EHDR");
    CHECK(at % 4096 == 0, "AT_SYSINFO_EHDR %#lx is not page-aligned", at);
    v->eh = (const ElfW(Ehdr) *)at;
    const ElfW(Ehdr) *eh = v->eh;
    CHECK(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0, "no ELF magic");
    CHECK(eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_ident[EI_DATA] == ELFDATA2LSB,
          "not ELF64 little-endian");
    CHECK(eh->e_type == ET_DYN, "e_type %u, not ET_DYN", eh->e_type);
    CHECK(eh->e_machine == MACHINE, "e_machine %u", eh->e_machine);
    CHECK(eh->e_phentsize == sizeof(ElfW(Phdr)), "e_phentsize %u", eh->e_phentsize);

    /* The load bias from the first PT_LOAD, as musl and glibc take it. */
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(at + eh->e_phoff);
    const ElfW(Dyn) *dyn = NULL;
    int loads = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && loads++ == 0) {
            CHECK(ph[i].p_offset == 0, "the PT_LOAD does not start at the header");
            CHECK((ph[i].p_flags & (PF_R | PF_W | PF_X)) == (PF_R | PF_X),
                  "PT_LOAD flags %#x", ph[i].p_flags);
            v->bias = at - ph[i].p_vaddr;
        } else if (ph[i].p_type == PT_DYNAMIC) {
            dyn = (const ElfW(Dyn) *)(at + ph[i].p_offset);
        }
        CHECK(ph[i].p_type != PT_TLS && ph[i].p_type != PT_INTERP, "unexpected segment %u",
              ph[i].p_type);
    }
    CHECK(loads == 1, "%d PT_LOAD segments", loads);
    CHECK(dyn, "no PT_DYNAMIC");

    const ElfW(Dyn) *soname = NULL;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        const void *p = (const void *)(v->bias + dyn->d_un.d_ptr);
        switch (dyn->d_tag) {
        case DT_SYMTAB: v->symtab = p; break;
        case DT_STRTAB: v->strtab = p; break;
        case DT_STRSZ: v->strsz = dyn->d_un.d_val; break;
        case DT_HASH: v->hash = p; break;
        case DT_GNU_HASH: v->gnu_hash = p; break;
        case DT_VERSYM: v->versym = p; break;
        case DT_VERDEF: v->verdef = p; break;
        case DT_SONAME: soname = dyn; break;
        case DT_SYMENT:
            CHECK(dyn->d_un.d_val == sizeof(ElfW(Sym)), "DT_SYMENT %lu",
                  (unsigned long)dyn->d_un.d_val);
            break;
        case DT_REL: case DT_RELA: case DT_JMPREL: case DT_NEEDED:
            CHECK(0, "dynamic tag %ld: the vDSO needs no relocation or library",
                  (long)dyn->d_tag);
        }
    }
    CHECK(v->symtab && v->strtab && v->strsz, "DT_SYMTAB/DT_STRTAB/DT_STRSZ missing");
    CHECK(v->hash || v->gnu_hash, "neither DT_HASH nor DT_GNU_HASH");
    CHECK(v->versym && v->verdef, "DT_VERSYM/DT_VERDEF missing");
    CHECK(soname && soname->d_un.d_val < v->strsz, "no DT_SONAME");
    v->soname = v->strtab + soname->d_un.d_val;
}

static int sysv_lookup(const struct vdso *v, const char *name)
{
    uint32_t nbucket = v->hash[0];
    const Elf32_Word *bucket = v->hash + 2, *chain = bucket + nbucket;
    for (uint32_t i = bucket[elf_hash(name) % nbucket]; i; i = chain[i])
        if (strcmp(v->strtab + v->symtab[i].st_name, name) == 0)
            return (int)i;
    return 0;
}

static int gnu_lookup(const struct vdso *v, const char *name)
{
    const Elf32_Word *h = v->gnu_hash;
    uint32_t nbucket = h[0], symoffset = h[1], bloom_size = h[2], shift = h[3];
    const ElfW(Addr) *bloom = (const ElfW(Addr) *)(h + 4);
    const Elf32_Word *bucket = (const Elf32_Word *)(bloom + bloom_size);
    const Elf32_Word *chain = bucket + nbucket;
    uint32_t hash = gnu_hash(name);
    const unsigned bits = 8 * sizeof(ElfW(Addr));
    ElfW(Addr) word = bloom[(hash / bits) & (bloom_size - 1)];
    if (!((word >> (hash % bits)) & (word >> ((hash >> shift) % bits)) & 1))
        return 0;
    uint32_t i = bucket[hash % nbucket];
    if (i < symoffset)
        return 0;
    for (;; i++) {
        uint32_t h2 = chain[i - symoffset];
        if ((h2 | 1) == (hash | 1) && strcmp(v->strtab + v->symtab[i].st_name, name) == 0)
            return (int)i;
        if (h2 & 1)
            return 0;
    }
}

/* The symbol through every hash table the image has; they must agree. */
static int lookup(const struct vdso *v, const char *name)
{
    int a = v->hash ? sysv_lookup(v, name) : -1;
    int b = v->gnu_hash ? gnu_lookup(v, name) : -1;
    CHECK(a == -1 || b == -1 || a == b, "%s: DT_HASH gives %d, DT_GNU_HASH %d", name, a, b);
    return a != -1 ? a : b;
}

/* Whether symbol i is defined under VERSION, named and hashed as Linux
 * does (glibc compares both the name and vd_hash). */
static int version_as_linux(const struct vdso *v, int i)
{
    ElfW(Versym) ndx = v->versym[i];
    if (ndx & 0x8000)
        return 0; /* hidden */
    for (const ElfW(Verdef) *d = v->verdef;;
         d = (const ElfW(Verdef) *)((const char *)d + d->vd_next)) {
        if (d->vd_version != 1)
            return 0;
        if (d->vd_ndx == ndx && !(d->vd_flags & VER_FLG_BASE)) {
            const ElfW(Verdaux) *aux = (const ElfW(Verdaux) *)((const char *)d + d->vd_aux);
            return strcmp(v->strtab + aux->vda_name, VERSION) == 0 &&
                   d->vd_hash == elf_hash(VERSION);
        }
        if (!d->vd_next)
            return 0;
    }
}

/* The address of an exported function, checked to be code in the image. */
static void *function(const struct vdso *v, const char *name, uintptr_t lo, uintptr_t hi)
{
    int i = lookup(v, name);
    CHECK(i > 0, "%s not found", name);
    const ElfW(Sym) *s = &v->symtab[i];
    CHECK(ELF64_ST_TYPE(s->st_info) == STT_FUNC, "%s is not a function", name);
    CHECK(s->st_shndx != SHN_UNDEF && s->st_shndx != SHN_ABS, "%s: bad section", name);
    CHECK(version_as_linux(v, i), "%s: not defined under %s as Linux defines it", name, VERSION);
    uintptr_t at = v->bias + s->st_value;
    CHECK(at >= lo && at < hi, "%s at %#lx, outside [vdso]", name, (unsigned long)at);
    return (void *)at;
}

static long ns_of(const struct timespec *t)
{
    return t->tv_sec * 1000000000L + t->tv_nsec;
}

/* clock_gettime through the vDSO, checked against the system call. */
static void check_clock(clock_fn fn, clockid_t clock, const char *what)
{
    for (int i = 0; i < 100; i++) {
        struct timespec a, b, c;
        CHECK(fn(clock, &a) == 0, "%s: vDSO call failed", what);
        CHECK(syscall(SYS_clock_gettime, clock, &b) == 0, "%s: syscall", what);
        CHECK(fn(clock, &c) == 0, "%s: vDSO call failed", what);
        CHECK(ns_of(&a) <= ns_of(&b) && ns_of(&b) <= ns_of(&c),
              "%s: vDSO %ld.%09ld, syscall %ld.%09ld, vDSO %ld.%09ld", what, (long)a.tv_sec,
              a.tv_nsec, (long)b.tv_sec, b.tv_nsec, (long)c.tv_sec, c.tv_nsec);
    }
}

/* What a new program (exec) or a fork child checks: the image is there
 * and its clock_gettime works. */
static int quick_check(void)
{
    struct vdso v;
    parse(&v);
    uintptr_t lo, hi, vvar;
    char perms[8];
    find_maps(&lo, &hi, perms, &vvar);
    clock_fn cgt = (clock_fn)function(&v, PREFIX "clock_gettime", lo, hi);
    check_clock(cgt, CLOCK_MONOTONIC, "CLOCK_MONOTONIC");
    return lo == (uintptr_t)v.eh;
}

static int is_vdso(struct dl_phdr_info *info, size_t size, void *data)
{
    const struct vdso *v = data;
    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_LOAD &&
            info->dlpi_addr + info->dlpi_phdr[i].p_vaddr == (uintptr_t)v->eh)
            return 1;
    return 0;
}

static volatile sig_atomic_t handled;
static void *handler_return;
#if defined(__aarch64__)
static void *sigreturn_at; /* __kernel_rt_sigreturn */
#endif

static void raise_usr1(void);

/* Whether unwinding from the handler reaches raise_usr1: through the
 * signal frame (arm64: the vDSO trampoline, which libgcc recognises). */
static int unwound_to_raiser;

static _Unwind_Reason_Code unwind_step(struct _Unwind_Context *ctx, void *depth)
{
    void *ip = (void *)_Unwind_GetIP(ctx);
    if (ip && _Unwind_FindEnclosingFunction(ip) == (void *)raise_usr1)
        unwound_to_raiser = 1;
    return ++*(int *)depth < 64 && !unwound_to_raiser ? _URC_NO_REASON : _URC_END_OF_STACK;
}

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)si;
    (void)uc;
    handled = sig;
    handler_return = __builtin_return_address(0);
    int depth = 0;
    _Unwind_Backtrace(unwind_step, &depth);
}

static __attribute__((noinline)) void raise_usr1(void)
{
    CHECK(raise(SIGUSR1) == 0, "raise");
    __asm__ volatile("" ::: "memory"); /* not a tail call */
}

/* The kernel's struct sigaction, for a handler set up without the libc. */
struct kernel_sigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

static void check_signal(void)
{
#if defined(__aarch64__)
    /* The libc passes no SA_RESTORER on arm64 either; set it up directly to
     * be sure the kernel's trampoline is used. */
    struct kernel_sigaction ka = {(void *)on_usr1, SA_SIGINFO, NULL, 0};
    CHECK(syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8) == 0, "rt_sigaction: %s",
          errno_name(errno));
#else
    /* x86-64 requires SA_RESTORER (the libc supplies its own). */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
#endif
    volatile int after = 0;
    raise_usr1();
    after = 1;
    CHECK(handled == SIGUSR1 && after == 1, "the handler did not run and return");
#if defined(__aarch64__)
    CHECK(handler_return == sigreturn_at, "the handler returns to %p, not to %p",
          handler_return, sigreturn_at);
#endif
    printf("signal: handler ran and returned (arm64: to __kernel_rt_sigreturn, "
           "without SA_RESTORER)\n");
    CHECK(unwound_to_raiser, "unwinding from the handler does not reach the raiser");
    printf("signal: unwinding from the handler crosses the signal frame\n");
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "exec-child") == 0) {
        int at_start = quick_check();
        printf("exec: the new program has a working vDSO%s\n",
               at_start ? "" : " (not at its [vdso] line)");
        return 0;
    }

    struct vdso v;
    parse(&v);
    printf("AT_SYSINFO_EHDR: a page-aligned ELF64 shared object for this machine\n");
    printf("soname: %s\n", v.soname);

    uintptr_t lo, hi, vvar;
    char perms[8] = "";
    find_maps(&lo, &hi, perms, &vvar);
    CHECK(lo != 0, "no [vdso] line in /proc/self/maps");
    CHECK(lo == (uintptr_t)v.eh, "[vdso] starts at %#lx, AT_SYSINFO_EHDR is %p",
          (unsigned long)lo, (const void *)v.eh);
    printf("maps: [vdso] %s at AT_SYSINFO_EHDR\n", perms);
    CHECK(vvar != 0 && vvar < lo, "no [vvar] below [vdso]");
    printf("maps: [vvar] below it\n");

    /* Section headers: present and inside the mapping, as tools that read
     * the image from memory expect. */
    const ElfW(Ehdr) *eh = v.eh;
    CHECK(eh->e_shoff && eh->e_shentsize == sizeof(ElfW(Shdr)), "no section headers");
    CHECK((uintptr_t)eh + eh->e_shoff + eh->e_shnum * sizeof(ElfW(Shdr)) <= hi,
          "section headers outside the mapping");
    const ElfW(Shdr) *sh = (const ElfW(Shdr) *)((uintptr_t)eh + eh->e_shoff);
    CHECK(eh->e_shstrndx < eh->e_shnum, "bad e_shstrndx");
    const char *shstr = (const char *)eh + sh[eh->e_shstrndx].sh_offset;
    static const char *const wanted[] = {".dynsym", ".dynstr", ".gnu.version",
                                         ".gnu.version_d", ".dynamic", ".text"};
    for (size_t w = 0; w < sizeof wanted / sizeof wanted[0]; w++) {
        int found = 0;
        for (int i = 0; i < eh->e_shnum; i++)
            if (strcmp(shstr + sh[i].sh_name, wanted[w]) == 0)
                found = 1;
        CHECK(found, "no %s section", wanted[w]);
    }
    printf("sections: .dynsym .dynstr .gnu.version .gnu.version_d .dynamic .text\n");

    clock_fn cgt = (clock_fn)function(&v, PREFIX "clock_gettime", lo, hi);
    gtod_fn gtod = (gtod_fn)function(&v, PREFIX "gettimeofday", lo, hi);
    clock_fn getres = (clock_fn)function(&v, PREFIX "clock_getres", lo, hi);
    printf("symbols: clock_gettime, gettimeofday, clock_getres found by hash\n");
    printf("version as Linux names it: yes\n");

    check_clock(cgt, CLOCK_MONOTONIC, "CLOCK_MONOTONIC");
    printf("clock_gettime(CLOCK_MONOTONIC): non-decreasing, between system calls\n");
    check_clock(cgt, CLOCK_REALTIME, "CLOCK_REALTIME");
    printf("clock_gettime(CLOCK_REALTIME): non-decreasing, between system calls\n");
    struct timespec t;
    long r = cgt((clockid_t)100, &t); /* past every clock id */
    CHECK(r == -EINVAL, "a bad clock gives %ld", r);
    printf("clock_gettime(bad clock): -EINVAL, as the system call returns it\n");

    struct timespec before, after;
    struct timeval tv;
    CHECK(syscall(SYS_clock_gettime, CLOCK_REALTIME, &before) == 0, "clock_gettime");
    CHECK(gtod(&tv, NULL) == 0, "gettimeofday through the vDSO");
    CHECK(syscall(SYS_clock_gettime, CLOCK_REALTIME, &after) == 0, "clock_gettime");
    CHECK(tv.tv_sec >= before.tv_sec && tv.tv_sec <= after.tv_sec && tv.tv_usec < 1000000,
          "gettimeofday %ld.%06ld outside [%ld, %ld]", (long)tv.tv_sec, (long)tv.tv_usec,
          (long)before.tv_sec, (long)after.tv_sec);
    printf("gettimeofday: agrees with CLOCK_REALTIME\n");

    struct timespec res_vdso, res_sys;
    CHECK(getres(CLOCK_MONOTONIC, &res_vdso) == 0, "clock_getres through the vDSO");
    CHECK(syscall(SYS_clock_getres, CLOCK_MONOTONIC, &res_sys) == 0, "clock_getres");
    CHECK(res_vdso.tv_sec == res_sys.tv_sec && res_vdso.tv_nsec == res_sys.tv_nsec,
          "clock_getres: vDSO %ld ns, syscall %ld ns", res_vdso.tv_nsec, res_sys.tv_nsec);
    printf("clock_getres: equals the system call's\n");

#if defined(__x86_64__)
    /* The x86-64 extras and their unprefixed aliases. */
    long (*vtime)(time_t *) = function(&v, "__vdso_time", lo, hi);
    long (*getcpu)(unsigned *, unsigned *, void *) = function(&v, "__vdso_getcpu", lo, hi);
    CHECK(function(&v, "clock_gettime", lo, hi) == (void *)cgt, "clock_gettime alias");
    CHECK(function(&v, "gettimeofday", lo, hi) == (void *)gtod, "gettimeofday alias");
    CHECK(function(&v, "time", lo, hi) == (void *)vtime, "time alias");
    CHECK(function(&v, "getcpu", lo, hi) == (void *)getcpu, "getcpu alias");
    time_t tt = 0;
    CHECK(syscall(SYS_clock_gettime, CLOCK_REALTIME, &before) == 0, "clock_gettime");
    long now = vtime(&tt);
    CHECK(syscall(SYS_clock_gettime, CLOCK_REALTIME, &after) == 0, "clock_gettime");
    /* Linux's time() reads the coarse clock, up to a tick behind. */
    CHECK(now == tt && now >= before.tv_sec - 1 && now <= after.tv_sec, "time() gave %ld",
          now);
    unsigned cpu = ~0u, node = ~0u;
    CHECK(getcpu(&cpu, &node, NULL) == 0 && cpu < CPU_SETSIZE && node < 1024,
          "getcpu gave cpu %u node %u", cpu, node);
    /* The unwinder finds the functions' FDEs (PT_GNU_EH_FRAME). */
    CHECK(_Unwind_FindEnclosingFunction((char *)cgt + 4) == (void *)cgt,
          "no unwind table entry for __vdso_clock_gettime");
    /* No signal trampoline: x86-64 handlers return through SA_RESTORER. */
    int tramp = lookup(&v, "__kernel_rt_sigreturn") == 0;
#else
    int i = lookup(&v, "__kernel_rt_sigreturn");
    CHECK(i > 0, "no __kernel_rt_sigreturn");
    CHECK(version_as_linux(&v, i), "__kernel_rt_sigreturn's version");
    const uint32_t *insn = (const uint32_t *)(v.bias + v.symtab[i].st_value);
    sigreturn_at = (void *)insn;
    /* What libgcc's unwinder matches at a handler's return address, after
     * a nop for unwinders that look one instruction back. */
    int tramp = insn[-1] == 0xd503201f && insn[0] == 0xd2801168 && insn[1] == 0xd4000001;
#endif
    printf("signal return trampoline as Linux provides it: %s\n", tramp ? "yes" : "no");
    check_signal();

    /* The libc found it too: dl_iterate_phdr lists it among the objects. */
    CHECK(dl_iterate_phdr(is_vdso, &v) == 1, "dl_iterate_phdr does not list the vDSO");
    printf("dl_iterate_phdr: lists the vDSO\n");

    fflush(stdout);
    pid_t pid = fork();
    CHECK_SYS(pid);
    if (pid == 0) {
        check_clock(cgt, CLOCK_MONOTONIC, "fork child");
        struct vdso again;
        parse(&again);
        _exit(again.eh == v.eh ? 0 : 2);
    }
    int status;
    CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "fork child status %#x", status);
    printf("fork: the child's vDSO is the parent's and works\n");

    fflush(stdout);
    pid = fork();
    CHECK_SYS(pid);
    if (pid == 0) {
        char *args[] = {argv[0], "exec-child", NULL};
        execv("/proc/self/exe", args);
        printf("FAIL: exec: %s\n", errno_name(errno));
        _exit(1);
    }
    CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exec child status %#x", status);

    guest_ok("vdso");
    return 0;
}
