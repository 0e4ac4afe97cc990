/* bench/workloads/thread.c - thread creation and joining.
 *
 * usage: thread COUNT
 *
 * COUNT times: pthread_create a thread that returns a value derived from its
 * argument, then pthread_join it.  The checksum covers every joined value.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void *body(void *arg)
{
    return (void *)((uintptr_t)arg * 2654435761u);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s COUNT\n", argv[0]);
        return 2;
    }
    long count = strtol(argv[1], NULL, 10);
    if (count < 1) {
        fprintf(stderr, "thread: COUNT must be >= 1\n");
        return 2;
    }
    uint64_t sum = 0;
    for (long i = 0; i < count; i++) {
        pthread_t thread;
        int error = pthread_create(&thread, NULL, body, (void *)(uintptr_t)i);
        if (error) {
            fprintf(stderr, "thread: pthread_create: error %d\n", error);
            return 1;
        }
        void *value;
        if (pthread_join(thread, &value)) {
            fprintf(stderr, "thread: pthread_join failed\n");
            return 1;
        }
        sum += (uint64_t)(uintptr_t)value;
    }
    printf("thread: %ld threads\n", count);
    printf("checksum: threads=%ld values=%016llx\n", count, (unsigned long long)sum);
    return 0;
}
