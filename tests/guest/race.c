/* race: a lost-update race. Two threads each add 1 to a shared counter
 * Increments times without a lock: read, some work, write back. When a thread
 * is switched out between its read and its write, the other's increments in
 * between are lost, so the final value tells where the switches fell.
 *
 * Natively the value changes from run to run (only the "ok" line is checked).
 * Under reprise it is a function of the scheduler: the same on every run with
 * the default FIFO scheduler, and with --sched=chaos the same for one seed
 * and different across seeds; run-race-test.py checks that. */
#define _GNU_SOURCE
#include <pthread.h>

#include "check.h"

enum { Increments = 20000, Work = 8 };

static volatile long counter;

static void *add(void *arg)
{
    for (int i = 0; i < Increments; i++) {
        long v = counter;
        for (volatile int k = 0; k < Work; k++) /* widen the window */
            ;
        counter = v + 1;
    }
    return arg;
}

int main(void)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&t[i], NULL, add, NULL) == 0, "pthread_create %d", i);
    for (int i = 0; i < 2; i++)
        CHECK(pthread_join(t[i], NULL) == 0, "pthread_join %d", i);
    long final = counter;
    CHECK(final >= 2 && final <= 2L * Increments, "final counter %ld out of range", final);
    printf("2 threads x %d unlocked increments: final counter %ld\n", Increments, final);
    guest_ok("race");
    return 0;
}
