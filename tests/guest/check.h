/* Shared helpers for reprise's guest test programs.
 *
 * Every program prints what it observed on stdout in arch-independent text and
 * ends with "ok: NAME". A failed check prints "FAIL: ..." on stdout (so that the
 * driver's diff shows it next to the expected text) and exits with status 1. */
#ifndef REPRISE_GUEST_CHECK_H
#define REPRISE_GUEST_CHECK_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noreturn, format(printf, 3, 4))) static inline void
guest_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    printf("FAIL: %s:%d: ", file, line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    exit(1);
}

/* CHECK(cond, "what") fails with the message when cond is false. */
#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (!(cond))                                                         \
            guest_fail(__FILE__, __LINE__, __VA_ARGS__);                     \
    } while (0)

/* CHECK_SYS(expr) fails, naming errno, when expr evaluates to -1. */
#define CHECK_SYS(expr)                                                      \
    do {                                                                     \
        if ((expr) == -1)                                                    \
            guest_fail(__FILE__, __LINE__, "%s: %s", #expr,                  \
                       errno_name(errno));                                   \
    } while (0)

/* The symbolic name of an errno value ("EFAULT"), or "E?<n>" if unknown. */
static inline const char *errno_name(int e)
{
    static char buf[24];
    const char *n = strerrorname_np(e);
    if (n)
        return n;
    snprintf(buf, sizeof buf, "E?%d", e);
    return buf;
}

/* A call that must fail with errno \p want; prints "what -> ENAME". */
static inline void expect_errno(long r, int want, const char *what)
{
    CHECK(r == -1 && errno == want, "%s: expected %s, got %ld / %s", what, errno_name(want), r,
          errno_name(errno));
    printf("%s -> %s\n", what, errno_name(want));
}

static inline void guest_ok(const char *name)
{
    printf("ok: %s\n", name);
    fflush(stdout);
}

#endif
