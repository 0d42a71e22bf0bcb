/*
** lrandom.c -- the per-state random generator: seed, rand, randn,
** permutation, shuffle.  The generator (core_rng.c) lives in a userdata
** in the registry, so every Lua state has its own stream.
*/
#include <time.h>

#include "lbind.h"

static const char rngkey = 'r';  /* registry key: its address */

lm_rng *lmL_rng(lua_State *L) {
  lm_rng *r;
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &rngkey) == LUA_TUSERDATA) {
    r = (lm_rng *)lua_touserdata(L, -1);
    lua_pop(L, 1);
    return r;
  }
  lua_pop(L, 1);
  r = (lm_rng *)lua_newuserdatauv(L, sizeof(lm_rng), 0);
  /* unseeded: different numbers each run, as numpy without a seed */
  lm_rng_seed(r, (uint64_t)time(NULL) ^ ((uint64_t)(size_t)r << 16) ^
                 (uint64_t)clock());
  lua_rawsetp(L, LUA_REGISTRYINDEX, &rngkey);
  return r;
}

/* seed(n): restart the generator; same n, same numbers everywhere */
static int l_seed(lua_State *L) {
  lua_Integer n = luaL_checkinteger(L, 1);
  lm_rng_seed(lmL_rng(L), (uint64_t)n);
  return 0;
}

/* rand([r [, c]]) (uniform in [0, 1)) and randn (standard normal): no
** arguments give a number, else an r x c matrix (c defaults to r) */
static int randgen(lua_State *L, int normal) {
  lm_rng *g = lmL_rng(L);
  const char *fn = normal ? "randn" : "rand";
  lm_mat *m;
  int r, c;
  if (lua_isnoneornil(L, 1)) {
    lua_pushnumber(L, normal ? lm_rng_normal(g) : lm_rng_uniform(g));
    return 1;
  }
  r = lmL_checkdim(L, 1, "rows");
  c = lua_isnoneornil(L, 2) ? r : lmL_checkdim(L, 2, "cols");
  m = lmL_newmat(L, r, c, fn);
  if (normal) lm_rng_fill_normal(g, m, 0.0, 1.0);
  else lm_rng_fill_uniform(g, m, 0.0, 1.0);
  return 1;
}

static int l_rand(lua_State *L) { return randgen(L, 0); }
static int l_randn(lua_State *L) { return randgen(L, 1); }

/* permutation(n): a 1 x n row holding 1..n in random order */
static int l_permutation(lua_State *L) {
  int n = lmL_checkdim(L, 1, "n");
  lm_mat *m = lmL_newmat(L, 1, n, "permutation");
  lm_rng_permutation(lmL_rng(L), m->data, (size_t)n);
  return 1;
}

static const luaL_Reg funcs[] = {
  {"seed", l_seed}, {"rand", l_rand}, {"randn", l_randn},
  {"permutation", l_permutation},
  {NULL, NULL}
};

void lmopen_random(lua_State *L) {
  luaL_setfuncs(L, funcs, 0);
}
