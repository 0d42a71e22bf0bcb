/*
** lrandom.c -- the per-state random generator: seed, rand, randn,
** permutation, choice, and the ml.random table that holds them under
** numpy's names.  The generator (core_rng.c) lives in a userdata
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

/* seed(n [, "numpy"]): restart the generator; same n, same numbers
** everywhere.  "numpy" switches to numpy's legacy generator seeded as
** np.random.seed(n) (0 <= n < 2^32, as numpy requires); seed(n) switches
** back to the default one. */
static int l_seed(lua_State *L) {
  static const char *const kinds[] = {"luaml", "numpy", NULL};
  lua_Integer n;
  int kind;
  n = luaL_checkinteger(L, 1);
  kind = luaL_checkoption(L, 2, "luaml", kinds);
  if (kind == 1) {
    if (n < 0 || n > (lua_Integer)0xffffffff)
      return luaL_argerror(L, 1, lua_pushfstring(L, "numpy's seed must be "
                           "between 0 and 2^32 - 1, got %I", n));
    lm_rng_seed_numpy(lmL_rng(L), (uint32_t)n);
  } else {
    lm_rng_seed(lmL_rng(L), (uint64_t)n);
  }
  return 0;
}

/* rand([r [, c]]) (uniform in [0, 1)) and randn (standard normal): no
** arguments give a number, one a 1 x r row (numpy's rand(r) is a vector
** of r), two an r x c matrix; filled in row-major (numpy's C) order */
static int randgen(lua_State *L, int normal) {
  lm_rng *g = lmL_rng(L);
  const char *fn = normal ? "randn" : "rand";
  lm_mat *m;
  int r, c;
  if (lua_isnoneornil(L, 1)) {
    lua_pushnumber(L, normal ? lm_rng_normal(g) : lm_rng_uniform(g));
    return 1;
  }
  lmL_checkshape(L, 1, &r, &c);
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

/* random.choice(n, k [, replace=true]): a 1 x k row of draws from 1..n
** (numpy's choice(n, k) + 1); without replacement k <= n, all distinct */
static int l_choice(lua_State *L) {
  int n = lmL_checkdim(L, 1, "n"), k, replace;
  lm_mat *o;
  k = lmL_checkdim(L, 2, "k");
  replace = lua_isnoneornil(L, 3) ? 1 : (luaL_checktype(L, 3, LUA_TBOOLEAN),
                                         lua_toboolean(L, 3));
  if (n == 0 && k > 0)
    return lmL_error(L, "choice: cannot draw %d values from an empty range "
                     "(n is 0)", k);
  if (!replace && k > n)
    return lmL_error(L, "choice: cannot draw %d distinct values from 1..%d "
                     "without replacement; use k <= n, or replace = true", k, n);
  if (replace) {
    o = lmL_newmat(L, 1, k, "choice");
    lm_rng_choice(lmL_rng(L), (size_t)n, (size_t)k, 1, o->data, NULL);
  } else {  /* a permutation of n, its first k as a view */
    lm_mat *perm = lmL_newmat(L, 1, n, "choice"), v = *perm;
    lm_rng_choice(lmL_rng(L), (size_t)n, (size_t)k, 0, perm->data, perm->data);
    v.cols = k;
    o = lmL_newmat(L, 1, k, "choice");
    lm_copy(&v, o);
  }
  return 1;
}

/* random.shuffle(X): shuffle X's rows in place (a row vector: its
** elements), as numpy's shuffle; returns X */
static int l_shuffle(lua_State *L) {
  lm_mat *m = lmL_checkmat(L, 1), v = *m;
  if (m->rows == 1) {  /* a 1 x n row: its n elements, as an n x 1 view */
    v.rows = m->cols; v.cols = 1; v.rs = m->cs; v.cs = m->rs;
  }
  lm_rng_shuffle_rows(lmL_rng(L), &v);
  lua_settop(L, 1);
  return 1;
}

static const luaL_Reg funcs[] = {
  {"seed", l_seed}, {"rand", l_rand}, {"randn", l_randn},
  {"permutation", l_permutation},
  {NULL, NULL}
};

/* ml.random: numpy's names (np.random.seed, rand, randn, permutation,
** choice, shuffle) for the same generator */
static const luaL_Reg randomfuncs[] = {
  {"seed", l_seed}, {"rand", l_rand}, {"randn", l_randn},
  {"permutation", l_permutation}, {"choice", l_choice},
  {"shuffle", l_shuffle},
  {NULL, NULL}
};

void lmopen_random(lua_State *L) {
  luaL_setfuncs(L, funcs, 0);
  luaL_newlib(L, randomfuncs);
  lua_setfield(L, -2, "random");
}
