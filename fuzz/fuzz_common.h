/*
** fuzz_common.h -- helpers shared by the libFuzzer harnesses in fuzz/:
** the fuzz input as a file (the loaders take paths), and an allocator with
** lua_Alloc's contract that checks every osize it is given and counts the
** live bytes, so a harness can assert that nothing leaked and that no
** caller lied about a block's size (Lua's accounting relies on it).
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

/* ---- the checking allocator ------------------------------------------ */

typedef struct fuzz_heap {
  size_t live;    /* bytes currently allocated */
  size_t limit;   /* refuse a request that would exceed it (0: none) */
} fuzz_heap;

#define FUZZ_HDR 16  /* a header before each block holds its size */

/* lua_Alloc: ud is a fuzz_heap.  Aborts (a find) when osize is not the
** size of the block ptr points to. */
static void *fuzz_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  fuzz_heap *h = (fuzz_heap *)ud;
  unsigned char *b = ptr ? (unsigned char *)ptr - FUZZ_HDR : NULL;
  size_t old = 0;
  if (b != NULL) {
    memcpy(&old, b, sizeof old);
    if (old != osize) {
      fprintf(stderr, "fuzz_alloc: block of %zu bytes freed or resized as "
              "%zu bytes\n", old, osize);
      abort();
    }
  }
  if (nsize == 0) {
    h->live -= old;
    free(b);
    return NULL;
  }
  if (nsize > SIZE_MAX - FUZZ_HDR ||
      (h->limit && nsize > old && h->live - old + nsize > h->limit))
    return NULL;
  b = (unsigned char *)realloc(b, nsize + FUZZ_HDR);
  if (b == NULL) return NULL;
  memcpy(b, &nsize, sizeof nsize);
  h->live = h->live - old + nsize;
  return b + FUZZ_HDR;
}

#endif
