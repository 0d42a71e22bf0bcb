/*
** fuzz_common.h -- helpers shared by the libFuzzer harnesses in fuzz/:
** the fuzz input as a file (the loaders take paths), and the checking
** allocator of spec/c/checkalloc.h, which counts the live bytes (so a
** harness can assert that nothing leaked) and catches a caller that lies
** about a block's size (Lua's accounting relies on it).
*/
#ifndef LUAML_FUZZ_COMMON_H
#define LUAML_FUZZ_COMMON_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Write data into a memory file (created once per process) and return its
** path, "/proc/self/fd/N": the loaders open it like any regular file. */
static const char *fuzz_file(const uint8_t *data, size_t size) {
  static int fd = -1;
  static char path[64];
  size_t off = 0;
  if (fd < 0) {
    fd = memfd_create("luaml-fuzz", 0);
    if (fd < 0) { perror("memfd_create"); abort(); }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  }
  if (ftruncate(fd, 0) != 0) abort();
  while (off < size) {
    ssize_t k = pwrite(fd, data + off, size - off, (off_t)off);
    if (k <= 0) abort();
    off += (size_t)k;
  }
  return path;
}

/* the checking allocator (fuzz_heap, fuzz_alloc): strict, so a wrong
** osize aborts where it happens */
#include "../spec/c/checkalloc.h"
typedef check_heap fuzz_heap;
#define fuzz_alloc check_alloc

#endif
