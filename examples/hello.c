/* The demo's guest: prints what it learns about the machine it runs on. */
#include <stdio.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>

int main(int argc, char **argv) {
  struct utsname u;
  uname(&u);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  unsigned char r[8];
  getrandom(r, sizeof r, 0);
  printf("hello from %s on %s (%s), argc=%d\n", argv[0], u.machine, u.nodename,
         argc);
  printf("time %lld.%09ld, random %02x%02x%02x%02x%02x%02x%02x%02x\n",
         (long long)ts.tv_sec, ts.tv_nsec, r[0], r[1], r[2], r[3], r[4], r[5],
         r[6], r[7]);
  return 0;
}
