/*
** test_cache.c -- the cache of large freed blocks (src/lmem.c) seen from
** the allocator underneath it: a counting lua_Alloc given to lua_newstate,
** with luaml opened on top as stock lua5.4 does with require.  Checks that
** repeated large temporaries are served from the cache, that the cache
** never holds memory when fresh memory is taken (so it cannot raise the
** peak), also for blocks that grow by realloc (a table's array part),
** that it empties after a run of small allocations and at lua_close, and
** that under luaml_newstate's memory limit held blocks never make a
** request fail.
*/
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"
#include "lualib.h"

#include "luaml.h"
#include "tap.h"

#define MB (1024.0 * 1024.0)

/* the allocator underneath: realloc/free that counts */
typedef struct Count {
  size_t live, peak;  /* bytes allocated now, and at most */
  int big;            /* new blocks of at least 1 MB */
} Count;

static void *countalloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  Count *c = (Count *)ud;
  void *p;
  if (ptr == NULL) osize = 0;
  if (nsize == 0) {
    free(ptr);
    c->live -= osize;
    return NULL;
  }
  p = realloc(ptr, nsize);
  if (p == NULL) return NULL;
  if (ptr == NULL && nsize >= ((size_t)1 << 20)) c->big++;
  c->live += nsize - osize;
  if (c->live > c->peak) c->peak = c->live;
  return p;
}

/* 1 when luaopen_luaml put its cache in front of countalloc (it does not
** in a build with AddressSanitizer, which must see every free) */
static int cached = 1;

/* a state on countalloc with the standard libraries and luaml as `ml` */
static lua_State *open(Count *c) {
  void *ud;
  lua_State *L = lua_newstate(countalloc, c);
  luaL_openlibs(L);
  luaL_requiref(L, "luaml", luaopen_luaml, 0);
  lua_setglobal(L, "ml");
  cached = lua_getallocf(L, &ud) != countalloc;
  return L;
}

/* run code in L; on an error print it and return 0 */
static int run(lua_State *L, const char *code) {
  if (luaL_dostring(L, code) != LUA_OK) {
    printf("# %s\n", lua_tostring(L, -1));
    lua_pop(L, 1);
    return 0;
  }
  return 1;
}

/* the number code left on the stack, popped */
static double number(lua_State *L, const char *code) {
  double v;
  if (luaL_dostring(L, code) != LUA_OK) {
    printf("# %s\n", lua_tostring(L, -1));
    lua_pop(L, 1);
    return -1;
  }
  v = lua_tonumber(L, -1);
  lua_pop(L, 1);
  return v;
}

/* close L; every byte must be back with the allocator underneath */
static void closeall(lua_State *L, Count *c) {
  lua_close(L);
  ok(c->live == 0, "lua_close returns every byte (%zu left)", c->live);
}

/* 40 results of exp over a 2.4 MB matrix: one new large block per step */
static void repeated(void) {
  Count c = {0, 0, 0};
  lua_State *L = open(&c);
  int before;
  ok(run(L, "Z = ml.full(1000, 300, 0.5); R = Z:exp(); R = Z:exp()"),
     "set-up runs");
  before = c.big;
  ok(run(L, "for i = 1, 40 do R = Z:exp() end"), "40 results of exp");
  if (cached)
    ok(c.big - before <= 2, "40 large results took %d fresh blocks (at most "
       "2)", c.big - before);
  else
    tap_skip(1, "no cache in this build");
  ok(number(L, "return R:sum()") > 0 &&
     number(L, "return math.abs(R:sum() - 300000 * math.exp(0.5))") < 1e-6,
     "the results are right");
  closeall(L, &c);
}

/* Blocks handed out again never overlap blocks in use: fill 12 matrices
** with their own value, free every other one, make 6 more, check all. */
static void nooverlap(void) {
  Count c = {0, 0, 0};
  lua_State *L = open(&c);
  ok(run(L,
         "local m = {}\n"
         "for i = 1, 12 do m[i] = ml.full(400, 400, i) end\n"
         "for i = 2, 12, 2 do m[i] = nil end\n"
         "collectgarbage(); collectgarbage()\n"
         "for i = 2, 12, 2 do m[i] = ml.zeros(400, 400) + i end\n"
         "local z = ml.zeros(400, 400)\n"
         "assert(z:max() == 0 and z:min() == 0, 'zeros: stale values')\n"
         "for i = 1, 12 do\n"
         "  assert(m[i]:min() == i and m[i]:max() == i, 'matrix ' .. i)\n"
         "end"),
     "reused blocks hold their own values only; zeros is all zero");
  closeall(L, &c);
}

/* 200 results of 30 sizes in turn (more sizes than blocks held): the
** cache empties before fresh memory is taken, so the peak stays that of
** the live blocks (Z, the last result and the new one, ~8 MB each). */
static void sizes(void) {
  Count c = {0, 0, 0};
  lua_State *L = open(&c);
  size_t base;
  run(L, "collectgarbage('generational')");
  base = c.live;
  c.peak = c.live;
  ok(run(L, "local R\n"
            "for i = 1, 200 do R = ml.zeros(1000, 1000 + i % 30) end"),
     "200 results in 30 sizes");
  ok((double)(c.peak - base) / MB < 30,
     "peak above the start: %.1f MB (three live blocks: ~24 MB)",
     (double)(c.peak - base) / MB);
  closeall(L, &c);
}

/* held blocks go back after a long run of small allocations, and when
** luaml_trim is called */
static void idle(void) {
  Count c = {0, 0, 0};
  lua_State *L = open(&c);
  size_t held;
  ok(run(L, "local a = ml.zeros(2000, 1000); a = nil; "
            "collectgarbage(); collectgarbage()"), "a 16 MB matrix freed");
  held = c.live;
  if (cached) {
    ok(held > 16000000, "the cache holds it (%.1f MB live below)", held / MB);
    ok(run(L, "for i = 1, 1200000 do local t = {} end"),
       "1.2 million small allocations");
    ok(c.live + 15000000 < held, "then it is given back (%.1f MB live below)",
       c.live / MB);
    ok(run(L, "local a = ml.zeros(2000, 1000); a = nil; "
              "collectgarbage(); collectgarbage()") && c.live > 16000000,
       "another 16 MB matrix freed is held");
    held = c.live;
    luaml_trim(L);
    ok(c.live + 15000000 < held, "luaml_trim gives it back (%.1f MB live "
       "below)", c.live / MB);
  } else {
    tap_skip(5, "no cache in this build");
  }
  lua_close(L);
}

/* luaml_newstate's memory limit counts held blocks, yet a loop whose
** live set fits never fails: held blocks go before fresh memory is asked. */
static void limited(void) {
  luaml_options o = {0};
  lua_State *L;
  o.memory_limit = (size_t)(56 * MB);
  L = luaml_newstate(&o);
  const char *msg;
  int refused;
  ok(L != NULL, "luaml_newstate with a 56 MB limit (the loops below need 48)");
  ok(run(L, "local Z = ml.full(2000, 1000, 1)\n"          /* 16 MB */
            "local R\n"
            "for i = 1, 30 do R = Z * (i % 3 + 1) end\n"  /* 16 MB each */
            "for i = 1, 30 do R = ml.zeros(1000 + i % 7, 1000) end"),
     "large temporaries under the limit run");
  refused = luaL_dostring(L, "local big = ml.zeros(5000, 2000)") != LUA_OK;
  msg = refused ? lua_tostring(L, -1) : "no error";
  ok(refused && strstr(msg, "not enough memory") != NULL,
     "an 80 MB matrix is refused: %s", msg);
  lua_close(L);
}

/* A table of 2^21 numbers built and dropped 6 times: its array part
** grows by realloc to 32 MB, and the freed one is held.  Growing reallocs
** empty the cache like new blocks do, so the peak stays that of one table
** (the 32 MB array while the 16 MB one is copied: 48 MB), not one more per
** round. */
static void growing(void) {
  Count c = {0, 0, 0};
  lua_State *L = open(&c);
  size_t base = c.live;
  c.peak = c.live;
  ok(run(L, "for k = 1, 6 do\n"
            "  local t = {}\n"
            "  for i = 1, 1 << 21 do t[i] = i end\n"
            "  t = nil; collectgarbage()\n"
            "end"), "6 tables of 2^21 numbers built and dropped");
  ok((double)(c.peak - base) / MB < 50, "peak above the start: %.1f MB (one "
     "table's growth: 48 MB)", (double)(c.peak - base) / MB);
  closeall(L, &c);
}

/* Under a 40 MiB limit: a 28 MB matrix freed (held by the cache, still
** counted by the limit's allocator underneath), then a table that grows
** to 16 MiB (8 more while its array moves) and a new 20 MB matrix: both fit once the held block is gone,
** so neither may fail. */
static void heldlimit(void) {
  luaml_options o = {0};
  lua_State *L;
  o.memory_limit = (size_t)(40 * MB);
  L = luaml_newstate(&o);
  ok(L != NULL, "luaml_newstate with a 40 MB limit");
  ok(run(L, "local a = ml.zeros(3500, 1000); a = nil; collectgarbage()"),
     "a 28 MB matrix made and freed");
  ok(run(L, "local t = {}; for i = 1, 1 << 20 do t[i] = i end"),
     "a table growing to 16 MB runs");
  ok(run(L, "local a = ml.zeros(2500, 1000); a = nil; collectgarbage()"),
     "a 20 MB matrix made and freed");
  ok(run(L, "local b = ml.zeros(1000, 1000); local c = ml.zeros(3000, 1000)"),
     "an 8 and a 24 MB matrix run (the 20 MB one held is given back)");
  lua_close(L);
}

/* opening luaml twice in one state puts one cache in front, not two */
static void twice(void) {
  Count c = {0, 0, 0};
  lua_State *L = open(&c);
  lua_pushcfunction(L, luaopen_luaml);
  lua_call(L, 0, 1);
  lua_setglobal(L, "ml2");
  ok(run(L, "local a = ml2.zeros(1000, 1000); a = nil; collectgarbage()"),
     "the second module works");
  closeall(L, &c);
}

/* A C host's state keeps no file of kernel choices in the user's home
** unless LUAML_KERNEL_CACHE names one (the luaml program and the module
** loaded by a stock interpreter do keep one: spec 16). */
static void nokernelfile(void) {
  lua_State *L;
  unsetenv("LUAML_KERNEL_CACHE");
  unsetenv("XDG_CACHE_HOME");
  setenv("HOME", "/proc/none", 1);
  L = luaml_newstate(NULL);
  ok(run(L, "assert(ml.kernels().cache == nil, ml.kernels().cache)"),
     "luaml_newstate: no cache file of kernel choices in the home");
  lua_close(L);
}

int main(void) {
  nokernelfile();
  repeated();
  nooverlap();
  sizes();
  idle();
  limited();
  growing();
  heldlimit();
  twice();
  return tap_end();
}
