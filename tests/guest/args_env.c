/* args_env: the argument vector and the environment as the guest sees them.
 *
 * Prints argc, every argv[i] for i >= 1 (argv[0] is a host path, so only its
 * last component is printed), and the whole environment sorted by the program
 * itself, so the text does not depend on the order the loader laid it out.
 * Also checks the layout glibc relies on: argv[argc] == NULL and envp starts
 * right after it. */
#define _GNU_SOURCE
#include <string.h>

#include "check.h"

extern char **environ;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints s with non-printable bytes, quotes and backslashes escaped as \xNN. */
static void print_escaped(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x20 && *p < 0x7f && *p != '\\' && *p != '"')
            putchar(*p);
        else
            printf("\\x%02x", *p);
    }
}

int main(int argc, char **argv, char **envp)
{
    CHECK(argc >= 1, "argc is %d", argc);
    CHECK(argv[argc] == NULL, "argv[argc] is not NULL");
    CHECK(envp == argv + argc + 1, "envp does not follow argv's NULL");
    CHECK(environ == envp, "environ differs from main's envp");

    const char *slash = strrchr(argv[0], '/');
    printf("argv[0] basename: %s\n", slash ? slash + 1 : argv[0]);
    printf("argc: %d\n", argc);
    for (int i = 1; i < argc; i++) {
        printf("argv[%d]: \"", i);
        print_escaped(argv[i]);
        printf("\" (%zu bytes)\n", strlen(argv[i]));
    }

    size_t n = 0;
    while (envp[n])
        n++;
    char **sorted = calloc(n + 1, sizeof *sorted);
    CHECK(sorted != NULL, "calloc");
    memcpy(sorted, envp, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_str);
    printf("envc: %zu\n", n);
    for (size_t i = 0; i < n; i++) {
        CHECK(strchr(sorted[i], '=') != NULL, "env entry without '='");
        printf("env: ");
        print_escaped(sorted[i]);
        printf("\n");
    }

    /* getenv must agree with what environ holds. */
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(sorted[i], '=');
        char key[256];
        size_t klen = (size_t)(eq - sorted[i]);
        if (klen >= sizeof key)
            continue;
        memcpy(key, sorted[i], klen);
        key[klen] = 0;
        const char *v = getenv(key);
        CHECK(v != NULL, "getenv(%s) is NULL", key);
    }
    free(sorted);
    guest_ok("args_env");
    return 0;
}
