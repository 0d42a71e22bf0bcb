/*
** test_embed.c -- the embedding API (luaml.h) as a host uses it, built by
** spec/shell/install.sh against an installed copy with nothing but
** `pkg-config --cflags --libs luaml`.  Prints TAP.
**
** Covers: a state with `ml`; a C array in (luaml_pushmatrix) and matrices
** back through their strides (luaml_checkmatrix / luaml_tomatrix), with a
** transposed view so the strides matter; the sandbox; the memory and
** instruction limits, each failing with a Lua error after which the same
** state computes correctly.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"
#include "luaml.h"

#include "../c/tap.h"

/* Run code with luaml_pcall, keeping nres results (or the message) on the
** stack; returns the status. */
static int run(lua_State *L, const char *code, int nres) {
  int st = luaL_loadstring(L, code);
  if (st == LUA_OK) st = luaml_pcall(L, 0, nres);
  return st;
}

/* run code that must return a number; that number, or NAN on error */
static double number(lua_State *L, const char *code) {
  double v = NAN;
  if (run(L, code, 1) == LUA_OK && lua_type(L, -1) == LUA_TNUMBER)
    v = lua_tonumber(L, -1);
  else
    printf("# %s: %s\n", code, lua_tostring(L, -1));
  lua_pop(L, 1);
  return v;
}

/* run code that must return true */
static int truth(lua_State *L, const char *code) {
  int v = run(L, code, 1) == LUA_OK && lua_toboolean(L, -1);
  if (!v) printf("# %s: %s\n", code, luaL_tolstring(L, -1, NULL));
  lua_settop(L, 0);
  return v;
}

/* run code that must fail; 1 when the status is st and the message holds
** needle */
static int fails(lua_State *L, const char *code, int st, const char *needle) {
  int got = run(L, code, 0);
  const char *msg = lua_tostring(L, -1);
  int v = got == st && msg != NULL && strstr(msg, needle) != NULL;
  if (!v) printf("# %s: status %d, %s\n", code, got, msg ? msg : "(no message)");
  lua_settop(L, 0);
  return v;
}

/* lua_CFunction: luaml_checkmatrix of argument 1 */
static int checkfirst(lua_State *L) {
  luaml_checkmatrix(L, 1);
  return 0;
}

/* push a C array in, read matrices back through their strides */
static void test_matrices(void) {
  static const double x[2][3] = {{1, 2, 3}, {4, 5, 6}};  /* (2, 3) */
  lua_State *L = luaml_newstate(NULL);
  luaml_matrix *m;
  double *d;
  int i, j, good;
  ok(L != NULL, "luaml_newstate(NULL) makes a state");
  if (L == NULL) return;
  ok(truth(L, "return ml == require 'luaml' and ml.version == '" LUAML_VERSION "'"),
     "the state has the module in the global ml");
  d = luaml_pushmatrix(L, 2, 3);
  memcpy(d, x, sizeof x);
  lua_setglobal(L, "X");
  ok(number(L, "return X:sum()") == 21 && number(L, "return X(2, 1)") == 4,
     "a C array passed in with luaml_pushmatrix reads row-major in Lua");
  ok(run(L, "return X:T()", 1) == LUA_OK && (m = luaml_checkmatrix(L, -1)) != NULL &&
     m->rows == 3 && m->cols == 2 && m->rs == 1 && m->cs == 3,
     "X:T() comes back 3x2 with strides rs 1, cs 3");
  good = 1;
  for (i = 0; i < 3; i++)
    for (j = 0; j < 2; j++)
      if (m->data[i * m->rs + j * m->cs] != x[j][i]) good = 0;
  ok(good, "element (i, j) of the transposed view is data[i*rs + j*cs]");
  m->data[2 * m->rs + 1 * m->cs] = 60;  /* (3, 2) of the view is (2, 3) of X */
  lua_pop(L, 1);
  ok(number(L, "return X(2, 3)") == 60 && d[5] == 60,
     "writes through the view's strides show in X, which shares storage");
  ok(run(L, "return ml.arange(1, 12):reshape(3, 4):slice(2, 3, 2, 3)", 1) == LUA_OK &&
     (m = luaml_tomatrix(L, -1)) != NULL && m->rows == 2 && m->cols == 2 &&
     m->rs == 4 && m->cs == 1 && m->data[0] == 6 && m->data[m->rs + m->cs] == 11,
     "a slice comes back as a view into its parent (rs 4)");
  lua_pop(L, 1);
  lua_pushinteger(L, 7);
  ok(luaml_tomatrix(L, -1) == NULL, "luaml_tomatrix of a number is NULL");
  lua_pop(L, 1);
  lua_pushcfunction(L, checkfirst);  /* with no argument */
  ok(luaml_pcall(L, 0, 0) == LUA_ERRRUN && strstr(lua_tostring(L, -1), "matrix expected"),
     "luaml_checkmatrix of a non-matrix raises 'matrix expected'");
  lua_settop(L, 0);
  ok(fails(L, "local function f() error('deep') end f()", LUA_ERRRUN, "stack traceback"),
     "luaml_pcall adds a traceback to errors");
  lua_close(L);
}

/* the sandbox: no way out to the system */
static void test_sandbox(void) {
  luaml_options o = {0};
  lua_State *L;
  o.sandbox = 1;
  L = luaml_newstate(&o);
  ok(L != NULL, "a sandboxed state");
  if (L == NULL) return;
  ok(truth(L, "return os.execute == nil and os.remove == nil and os.exit == nil"
              " and os.getenv == nil and type(os.time()) == 'number'"),
     "os keeps only clock, date, time, difftime");
  ok(fails(L, "return io.open('/etc/passwd')", LUA_ERRRUN, "global 'io'"),
     "io.open is unavailable (no io)");
  ok(truth(L, "return package.loadlib == nil and package.cpath == ''"
              " and #package.searchers == 1 and require('luaml') == ml"),
     "package.loadlib and the path searchers are gone; require finds luaml");
  ok(truth(L, "local f, err = load(string.dump(function() return 1 end))"
              " return f == nil and err:find('binary') ~= nil"),
     "load refuses a binary chunk");
  ok(truth(L, "local f, err = load(string.dump(function() end), 'x', 'b')"
              " return f == nil and load('return 1 + 1')() == 2"),
     "... even when asked for mode 'b'; text chunks load");
  ok(truth(L, "return debug == nil and dofile == nil and loadfile == nil"),
     "debug, dofile and loadfile are absent");
  ok(truth(L, "local m = ml.ones(1, 1) return ml.load_csv == nil and"
              " ml.save_npy == nil and m.save_csv == nil and ml.ones ~= nil"),
     "the luaml file functions are removed");
  ok(number(L, "return ml.ones(2, 2):sum()") == 4, "and the sandbox computes");
  lua_close(L);
}

/* about 600k VM instructions (2 per iteration), and twice that */
#define LOOP "local s = 0 for i = 1, 300000 do s = s + i end return s"
#define LOOP2 "local s = 0 for k = 1, 2 do for i = 1, 300000 do s = s + i end end"

/* the memory and instruction limits fail with Lua errors; the state lives */
static void test_limits(void) {
  luaml_options o = {0};
  lua_State *L;
  o.sandbox = 1;
  o.memory_limit = (size_t)1 << 30;  /* 1 GB */
  o.instruction_limit = 1000000;
  L = luaml_newstate(&o);
  ok(L != NULL, "a state with a 1 GB memory limit and 10^6 instructions");
  if (L == NULL) return;
  ok(fails(L, "return ml.zeros(20000, 20000)", LUA_ERRMEM, "not enough memory"),
     "ml.zeros(20000, 20000) (3.2 GB) fails: 'not enough memory'");
  ok(number(L, "return ml.ones(2, 2):sum()") == 4, "the same state then computes");
  ok(truth(L, "local ok, err = pcall(ml.zeros, 20000, 20000)"
              " return not ok and err == 'not enough memory'"),
     "a script can catch the memory error with pcall");
  ok(fails(L, "while true do end", LUA_ERRRUN, "instruction limit exceeded"),
     "while true do end fails: 'instruction limit exceeded'");
  ok(number(L, "return ml.ones(2, 2):sum()") == 4, "the same state then computes");
  ok(fails(L, "while true do pcall(function() while true do end end) end",
           LUA_ERRRUN, "instruction limit exceeded"),
     "a pcall in the script cannot swallow the limit");
  ok(number(L, LOOP) == 45000150000.0 && number(L, LOOP) == 45000150000.0 &&
     number(L, LOOP) == 45000150000.0,
     "each luaml_pcall gets a new budget (3 runs of 600k instructions)");
  ok(fails(L, LOOP2, LUA_ERRRUN, "instruction limit"),
     "... and one run of 1.2M instructions is stopped");
  lua_close(L);
  o.memory_limit = (size_t)32 << 20;  /* 32 MB */
  o.instruction_limit = 0;
  L = luaml_newstate(&o);
  ok(L != NULL && fails(L, "local t = {} for i = 1, 1e6 do t[i] = ml.zeros(10, 100) end",
                        LUA_ERRMEM, "not enough memory"),
     "many small matrices count too (8 KB each, over 32 MB)");
  ok(L != NULL && number(L, "return ml.ones(3, 3):sum()") == 9,
     "the state computes again");
  if (L != NULL) lua_close(L);
  o.memory_limit = 4096;
  ok(luaml_newstate(&o) == NULL, "a memory limit too small to load luaml: NULL");
}

int main(void) {
  test_matrices();
  test_sandbox();
  test_limits();
  return tap_end();
}
