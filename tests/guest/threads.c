/* threads: pthread create/join in sequence and many at once, a mutex-guarded
 * counter, condition variables, a barrier, thread-local storage and the
 * clear_child_tid wake-up behind pthread_join. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

static __thread int tls = 7;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int ready;
static pthread_barrier_t barrier;

static void *ret_arg(void *a) { return a; }

static void *add(void *a)
{
    for (int i = 0; i < 10000; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return a;
}

static void *tls_check(void *a)
{
    if (tls != 7)
        return (void *)1;
    tls = (int)(long)a;
    return (void *)(long)(tls == (int)(long)a && syscall(SYS_gettid) != getpid() ? 0 : 1);
}

static void *waiter(void *a)
{
    pthread_mutex_lock(&lock);
    while (!ready)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return a;
}

static void *park(void *a)
{
    pthread_barrier_wait(&barrier);
    return a;
}

int main(void)
{
    long sum = 0;
    for (long i = 0; i < 1000; i++) {
        pthread_t t;
        void *r;
        CHECK(pthread_create(&t, NULL, ret_arg, (void *)i) == 0, "create %ld", i);
        CHECK(pthread_join(t, &r) == 0, "join %ld", i);
        sum += (long)r;
    }
    printf("1000 threads created and joined in sequence, sum %ld\n", sum);

    pthread_t t[8];
    for (long i = 0; i < 8; i++)
        CHECK(pthread_create(&t[i], NULL, add, NULL) == 0, "create adder");
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    printf("8 threads x 10000 locked increments: %ld\n", counter);

    for (long i = 0; i < 8; i++)
        CHECK(pthread_create(&t[i], NULL, tls_check, (void *)(i + 100)) == 0, "create tls");
    int bad = 0;
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += r != NULL;
    }
    CHECK(bad == 0 && tls == 7, "thread-local storage is per thread");
    printf("thread-local storage is per thread\n");

    for (long i = 0; i < 8; i++)
        CHECK(pthread_create(&t[i], NULL, waiter, NULL) == 0, "create waiter");
    pthread_mutex_lock(&lock);
    ready = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    printf("condition variable broadcast woke 8 waiters\n");

    enum { Many = 1000 };
    static pthread_t many[Many];
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    CHECK(pthread_attr_setstacksize(&attr, 256 * 1024) == 0, "stack size"); /* >= arm64 PTHREAD_STACK_MIN */
    CHECK(pthread_barrier_init(&barrier, NULL, Many + 1) == 0, "barrier");
    for (long i = 0; i < Many; i++)
        CHECK(pthread_create(&many[i], &attr, park, (void *)i) == 0, "create %ld of %d alive", i, Many);
    pthread_barrier_wait(&barrier);
    sum = 0;
    for (int i = 0; i < Many; i++) {
        void *r;
        pthread_join(many[i], &r);
        sum += (long)r;
    }
    printf("%d threads alive at once met at a barrier, sum %ld\n", Many, sum);
    guest_ok("threads");
    return 0;
}
