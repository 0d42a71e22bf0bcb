/*
** lmem.c -- a cache of large freed blocks in front of a state's allocator.
**
** A new result of an elementwise operation on a large matrix costs more in
** the kernel than in the arithmetic: malloc hands out blocks above 32 MB
** (and often above 128 KB) as fresh mappings, whose pages the kernel
** zeroes on first touch, and free unmaps them again.  A course loop
** (z = X:dot(w) + b; a = ml.sigmoid(z) ...) frees and allocates blocks of
** the same few sizes at every step, so luaopen_luaml puts this allocator
** in front of the state's own (lua_setallocf): a freed block of at least
** LM_CACHEMIN bytes is kept, and a later request of exactly its size gets
** it back with its pages still mapped.
**
** The cache never raises the peak memory of a program by more than
** SLACK bytes, and never makes a request fail:
**   - every request that takes memory and is not served from the cache --
**     a new block or a growing realloc -- counts its bytes; once they
**     reach SLACK (at once for a large block or a large growth), every
**     held block goes back to the allocator underneath before the request
**     is passed on.  So fresh memory beyond SLACK is only ever taken with
**     nothing held, and held blocks are memory in use just before.
**   - a request the allocator underneath refuses (a memory limit, or the
**     machine's) is retried once after the cache gave everything back:
**     held blocks never count against luaml_newstate's memory_limit.
** The cache is also emptied by luaml_trim and when the state closes.
**
** Every block comes from the allocator underneath, so at close (the
** finalizer of a sentinel in the registry, which lua_close runs before it
** frees any object) the cache is emptied and that allocator put back;
** the objects freed after it go straight to it.  Small blocks are not
** kept here: blocks Lua made before this allocator was put in front come
** back through it too, at sizes it never rounded, so only an allocator
** that owns every block from the state's first one can keep small blocks
** in lists by size class (luaml_newstate's does, in luaml.c).  Built with
** AddressSanitizer (LM_ASAN) there is no cache: ASan must see every free.
*/
#include "lbind.h"

#define LM_CACHEMIN ((size_t)1 << 20)  /* smallest block kept, in bytes */
#define NHELD 16                       /* most blocks kept at once */
#define SLACK ((size_t)1 << 20)  /* fresh bytes taken while blocks are held */

typedef struct Cache {
  lua_Alloc f;                  /* the allocator underneath */
  void *ud;                     /* and its user data */
  int n;                        /* blocks held */
  size_t fresh;                 /* bytes taken since a block was held */
  struct { void *p; size_t size; } held[NHELD];  /* oldest first */
} Cache;

static const char sentinelkey = 'k';  /* registry key of the sentinel */

/* Return every held block to the allocator underneath. */
static void empty(Cache *c) {
  int i;
  for (i = 0; i < c->n; i++) c->f(c->ud, c->held[i].p, c->held[i].size, 0);
  c->n = 0;
  c->fresh = 0;
}

/* The lua_Alloc.  For a new block (ptr == NULL) osize is a type tag, not
** a size. */
static void *cachealloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  Cache *c = (Cache *)ud;
  void *p;
  int i;
  if (ptr == NULL) osize = 0;
  if (nsize == 0) {
    if (ptr != NULL && osize >= LM_CACHEMIN) {  /* a large block freed */
      if (c->n == NHELD) {  /* full: give back the oldest */
        c->f(c->ud, c->held[0].p, c->held[0].size, 0);
        for (i = 1; i < NHELD; i++) c->held[i - 1] = c->held[i];
        c->n--;
      }
      c->held[c->n].p = ptr;
      c->held[c->n].size = osize;
      c->n++;
      return NULL;
    }
  } else if (c->n > 0 && nsize > osize) {  /* takes memory, blocks held */
    if (ptr == NULL && nsize >= LM_CACHEMIN) {
      for (i = c->n - 1; i >= 0; i--) {  /* the newest first: warmest */
        if (c->held[i].size == nsize) {
          p = c->held[i].p;
          c->held[i] = c->held[--c->n];
          return p;
        }
      }
    }
    c->fresh += nsize - osize;
    if (c->fresh >= SLACK) empty(c);  /* fresh memory with nothing held */
  }
  p = c->f(c->ud, ptr, osize, nsize);
  if (p == NULL && nsize > 0 && c->n > 0) {  /* refused: the held first */
    empty(c);
    p = c->f(c->ud, ptr, osize, nsize);
  }
  return p;
}

/* __gc of the sentinel, run by lua_close before any object is freed:
** empty the cache, put the allocator underneath back, free the Cache. */
static int release(lua_State *L) {
  void *ud;
  if (lua_getallocf(L, &ud) == cachealloc) {
    Cache *c = (Cache *)ud;
    empty(c);
    lua_setallocf(L, c->f, c->ud);
    c->f(c->ud, c, sizeof *c, 0);
  }
  return 0;
}

void lmL_cacheinstall(lua_State *L) {
  void *ud;
  lua_Alloc f = lua_getallocf(L, &ud);
  Cache *c;
#ifdef LM_ASAN
  (void)f;
  return;  /* no cache: AddressSanitizer must see every free */
#endif
  if (f == cachealloc) return;  /* luaopen_luaml ran before */
  /* the sentinel first: should anything below fail, its finalizer finds
  ** no cache installed and does nothing */
  lua_newuserdatauv(L, 0, 0);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, release);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &sentinelkey);
  c = (Cache *)f(ud, NULL, 0, sizeof *c);
  if (c == NULL) luaL_error(L, "not enough memory");
  c->f = f;
  c->ud = ud;
  c->n = 0;
  c->fresh = 0;
  lua_setallocf(L, cachealloc, c);
}

void lmL_cachetrim(lua_State *L) {
  void *ud;
  if (lua_getallocf(L, &ud) == cachealloc) empty((Cache *)ud);
}

lua_Alloc lmL_getallocf(lua_State *L, void **ud) {
  lua_Alloc f = lua_getallocf(L, ud);
  if (f == cachealloc) {
    Cache *c = (Cache *)*ud;
    *ud = c->ud;
    return c->f;
  }
  return f;
}
