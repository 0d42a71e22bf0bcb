/*
** checkalloc.h -- a lua_Alloc for tests: each block carries its size in a
** header, so the allocator counts the live bytes and notices a caller
** that frees or resizes a block with a wrong osize (which would corrupt a
** Lua state's accounting).  It can refuse requests: beyond a byte limit,
** or -- fault injection -- the failat-th growing request and every one
** after it.  Shrinking never fails (Lua relies on that).
** Used by spec/c/test_faults.c and the harnesses of fuzz/.
*/
#ifndef LUAML_CHECKALLOC_H
#define LUAML_CHECKALLOC_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct check_heap {
  size_t live;       /* bytes allocated now */
  size_t limit;      /* refuse growth beyond this many live bytes (0: none) */
  long count;        /* growing requests while failat > 0 */
  long failat;       /* refuse the failat-th and later ones (0: never) */
  long refused;      /* requests refused by failat */
  int badsize;       /* a block was freed or resized with a wrong osize */
  int strict;        /* abort at once on a wrong osize (for a stack trace) */
} check_heap;

#define CHECK_HDR 16  /* the header before each block: its size */

/* lua_Alloc; ud is a check_heap */
static void *check_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  check_heap *h = (check_heap *)ud;
  unsigned char *b = ptr ? (unsigned char *)ptr - CHECK_HDR : NULL;
  size_t old = 0;
  if (b != NULL) {
    memcpy(&old, b, sizeof old);
    if (old != osize) {
      h->badsize = 1;
      if (h->strict) {
        fprintf(stderr, "check_alloc: a block of %zu bytes freed or resized "
                "as %zu bytes\n", old, osize);
        abort();
      }
    }
  }
  if (nsize == 0) {
    h->live -= old;
    free(b);
    return NULL;
  }
  if (nsize > old) {
    if (nsize > SIZE_MAX - CHECK_HDR ||
        (h->limit && h->live - old + nsize > h->limit))
      return NULL;
    if (h->failat > 0 && ++h->count >= h->failat) {
      h->refused++;
      return NULL;
    }
  }
  b = (unsigned char *)realloc(b, nsize + CHECK_HDR);
  if (b == NULL) return NULL;
  memcpy(b, &nsize, sizeof nsize);
  h->live = h->live - old + nsize;
  return b + CHECK_HDR;
}

#endif
