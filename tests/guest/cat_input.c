// Prints a file named on the command line and then everything on stdin:
// outside input for the record/replay tests (tests/replay), which replay it
// with the file deleted and stdin closed.
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static unsigned long copy(int fd, const char *what) {
  char buf[4096];
  unsigned long total = 0, sum = 0;
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    fwrite(buf, 1, (size_t)n, stdout);
    for (ssize_t i = 0; i < n; ++i)
      sum = sum * 31 + (unsigned char)buf[i];
    total += (unsigned long)n;
  }
  printf("-- %s: %lu bytes, sum %lx%s\n", what, total, sum, n < 0 ? ", read error" : "");
  return total;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: cat_input FILE\n");
    return 2;
  }
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) {
    perror(argv[1]);
    return 1;
  }
  copy(fd, argv[1]);
  close(fd);
  copy(0, "stdin");
  printf("ok: cat_input\n");
  return 0;
}
