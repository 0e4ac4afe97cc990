/* bench/workloads/futex.c - two threads ping-pong through a mutex and a
 * condition variable.
 *
 * usage: futex ROUNDS
 *
 * A shared turn counter passes between the main thread (even values) and a
 * second thread (odd values); each hand-off is a condvar signal and a wait,
 * so every round blocks and wakes through futex twice.  The checksum is the
 * final counter.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static long turn;
static long limit;

static void take_turns(long parity)
{
    pthread_mutex_lock(&lock);
    for (;;) {
        while (turn < limit && (turn & 1) != parity)
            pthread_cond_wait(&changed, &lock);
        if (turn >= limit)
            break;
        turn++;
        pthread_cond_signal(&changed);
    }
    pthread_cond_signal(&changed);
    pthread_mutex_unlock(&lock);
}

static void *partner(void *arg)
{
    (void)arg;
    take_turns(1);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s ROUNDS\n", argv[0]);
        return 2;
    }
    long rounds = strtol(argv[1], NULL, 10);
    if (rounds < 1) {
        fprintf(stderr, "futex: ROUNDS must be >= 1\n");
        return 2;
    }
    limit = rounds * 2;
    pthread_t thread;
    if (pthread_create(&thread, NULL, partner, NULL)) {
        fprintf(stderr, "futex: pthread_create failed\n");
        return 1;
    }
    take_turns(0);
    pthread_join(thread, NULL);
    printf("futex: %ld round trips\n", rounds);
    printf("checksum: rounds=%ld turn=%ld\n", rounds, turn);
    return 0;
}
