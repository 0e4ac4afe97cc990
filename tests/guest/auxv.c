/* auxv: the ELF auxiliary vector a static program receives.
 *
 * Checks, and prints only arch-independent facts about:
 *  - the raw vector after envp ends with AT_NULL and agrees with getauxval();
 *  - AT_PAGESZ is 4096 (and sysconf agrees);
 *  - AT_RANDOM points at 16 readable bytes that are not all zero;
 *  - AT_PHDR / AT_PHENT / AT_PHNUM describe this executable's own program
 *    headers (compared with the ELF header the linker exposes as __ehdr_start)
 *    and AT_ENTRY is the address of _start, inside an executable PT_LOAD;
 *  - AT_BASE is 0 (no interpreter), AT_SECURE is 0, AT_UID/EUID/GID/EGID match
 *    the get*id() syscalls, AT_CLKTCK is 100. */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "check.h"

extern const ElfW(Ehdr) __ehdr_start;
extern char _start[];

static const ElfW(auxv_t) *raw_auxv(char **envp)
{
    while (*envp)
        envp++;
    return (const ElfW(auxv_t) *)(envp + 1);
}

static int raw_lookup(const ElfW(auxv_t) *av, unsigned long type, unsigned long *out)
{
    for (; av->a_type != AT_NULL; av++) {
        if (av->a_type == type) {
            *out = av->a_un.a_val;
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv, char **envp)
{
    (void)argc;
    const ElfW(auxv_t) *av = raw_auxv(envp);

    static const struct {
        unsigned long type;
        const char *name;
    } required[] = {
        {AT_PHDR, "AT_PHDR"},     {AT_PHENT, "AT_PHENT"}, {AT_PHNUM, "AT_PHNUM"},
        {AT_PAGESZ, "AT_PAGESZ"}, {AT_ENTRY, "AT_ENTRY"}, {AT_RANDOM, "AT_RANDOM"},
        {AT_UID, "AT_UID"},       {AT_EUID, "AT_EUID"},   {AT_GID, "AT_GID"},
        {AT_EGID, "AT_EGID"},     {AT_SECURE, "AT_SECURE"}, {AT_CLKTCK, "AT_CLKTCK"},
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        unsigned long v;
        CHECK(raw_lookup(av, required[i].type, &v), "%s missing from the vector",
              required[i].name);
        CHECK(getauxval(required[i].type) == v, "getauxval(%s) disagrees with the vector",
              required[i].name);
        printf("present: %s\n", required[i].name);
    }

    /* Page size. */
    CHECK(getauxval(AT_PAGESZ) == 4096, "AT_PAGESZ is %lu", getauxval(AT_PAGESZ));
    CHECK(sysconf(_SC_PAGESIZE) == 4096, "sysconf(_SC_PAGESIZE) is %ld", sysconf(_SC_PAGESIZE));
    printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));

    /* AT_RANDOM: 16 readable bytes, not all zero. */
    const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
    CHECK(rnd != NULL, "AT_RANDOM is NULL");
    unsigned orbits = 0;
    for (int i = 0; i < 16; i++)
        orbits |= rnd[i];
    CHECK(orbits != 0, "AT_RANDOM bytes are all zero");
    printf("AT_RANDOM: 16 bytes readable, not all zero\n");

    /* Program headers. */
    const ElfW(Ehdr) *eh = &__ehdr_start;
    CHECK(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0, "__ehdr_start is not an ELF header");
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    CHECK(ph == (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff),
          "AT_PHDR %p is not ELF header + e_phoff %p", (const void *)ph,
          (const void *)((const char *)eh + eh->e_phoff));
    CHECK(getauxval(AT_PHENT) == sizeof(ElfW(Phdr)), "AT_PHENT is %lu", getauxval(AT_PHENT));
    CHECK(getauxval(AT_PHNUM) == eh->e_phnum, "AT_PHNUM %lu, e_phnum %u",
          getauxval(AT_PHNUM), eh->e_phnum);
    printf("AT_PHDR/AT_PHENT/AT_PHNUM match the ELF header\n");

    uintptr_t entry = getauxval(AT_ENTRY);
    CHECK(entry == (uintptr_t)eh->e_entry, "AT_ENTRY %#lx, e_entry %#lx",
          (unsigned long)entry, (unsigned long)eh->e_entry);
    CHECK(entry == (uintptr_t)_start, "AT_ENTRY is not _start");
    printf("AT_ENTRY is _start\n");

    /* The entry point lies in an executable PT_LOAD, the headers in a PT_LOAD. */
    int entry_in_x = 0, phdr_loaded = 0;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD)
            continue;
        uintptr_t lo = ph[i].p_vaddr, hi = ph[i].p_vaddr + ph[i].p_memsz;
        if (entry >= lo && entry < hi && (ph[i].p_flags & PF_X))
            entry_in_x = 1;
        if ((uintptr_t)ph >= lo && (uintptr_t)(ph + eh->e_phnum) <= hi)
            phdr_loaded = 1;
    }
    CHECK(entry_in_x, "AT_ENTRY is not inside an executable PT_LOAD");
    CHECK(phdr_loaded, "AT_PHDR is not inside a PT_LOAD");
    printf("AT_ENTRY inside an executable PT_LOAD; AT_PHDR inside a PT_LOAD\n");

    /* Credentials and the rest. */
    CHECK(getauxval(AT_UID) == getuid(), "AT_UID != getuid()");
    CHECK(getauxval(AT_EUID) == geteuid(), "AT_EUID != geteuid()");
    CHECK(getauxval(AT_GID) == getgid(), "AT_GID != getgid()");
    CHECK(getauxval(AT_EGID) == getegid(), "AT_EGID != getegid()");
    printf("AT_UID/AT_EUID/AT_GID/AT_EGID match get*id()\n");
    printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
    printf("AT_BASE=%lu\n", getauxval(AT_BASE));
    printf("AT_CLKTCK=%lu\n", getauxval(AT_CLKTCK));
    CHECK(getauxval(AT_SECURE) == 0, "AT_SECURE is set");

    /* AT_EXECFN is optional for this test; if given it must name this program. */
    unsigned long execfn;
    if (raw_lookup(av, AT_EXECFN, &execfn)) {
        const char *fn = (const char *)execfn;
        const char *a = strrchr(fn, '/'), *b = strrchr(argv[0], '/');
        CHECK(strcmp(a ? a + 1 : fn, b ? b + 1 : argv[0]) == 0,
              "AT_EXECFN \"%s\" does not name argv[0] \"%s\"", fn, argv[0]);
    }

    guest_ok("auxv");
    return 0;
}
