// Works until SIGINT or SIGTERM arrives, then says which and how much work
// it had done: the record/replay tests send reprise a signal from the host
// while it runs this, and the replay must see the signal at the same point.
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_signal(int sig) { got = sig; }

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  printf("waiting\n");
  fflush(stdout);
  unsigned long rounds = 0;
  volatile unsigned long sink = 0;
  while (!got) {
    for (int i = 0; i < 1000; ++i)
      sink += (unsigned long)i * rounds;
    ++rounds;
  }
  printf("got signal %d after %lu rounds\n", (int)got, rounds);
  printf("ok: wait_signal\n");
  return 0;
}
