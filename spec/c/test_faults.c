/*
** test_faults.c -- allocation fault injection through the whole engine.
**
** A representative training script (logistic regression written with
** matrix ops: dot, sigmoid, add_, sums, broadcasting, a transposed view,
** plus a CSV load, a solve, one_hot/softmax and printing), then one
** through the Lua library (a model with Adam, minimize, xor data,
** standardize, train_test_split), then one of linear algebra (whose
** LAPACK workspace comes from the state's allocator), runs in a
** lua_State whose allocator, once armed, refuses the k-th allocation and
** every one after it (a state that has hit its memory limit: Lua retries a
** refused allocation after a full collection, so refusing one alone would
** not surface) for k = 1, 2, 3, ... until the script gets through.  For
** every k:
**   - the script fails with LUA_ERRMEM, or with an error whose message
**     says "not enough memory" (raised by luaml with context);
**   - once the allocator is disarmed, the same state still works: a small
**     computation gives its exact value;
**   - after lua_close the allocator holds no byte (nothing leaked), and no
**     block was ever freed or resized with a wrong size.
** The same is done while the module itself is being opened (require), at
** a sample of its allocations (OPEN_ALL, OPEN_STRIDE).
** Prints TAP, and the number of faults injected.  Run from the repository
** root (the script reads spec/fixtures/csv/header.csv).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

#include "luaml.h"
#include "tap.h"

/* ---- the failing allocator: checkalloc.h's, armed by failat ---------- */

#include "checkalloc.h"
typedef check_heap heap;
#define falloc check_alloc

/* ---- the scripts ----------------------------------------------------- */

static const char script[] =
  "local ml = require 'luaml'\n"
  "ml.seed(7)\n"
  "local n, d = 24, 3\n"
  "local X = ml.randn(n, d)\n"
  "local wtrue = ml.matrix{{1.5}, {-2}, {0.5}}\n"
  "local y = (X:dot(wtrue) + 0.25):gt(0)\n"
  "local w, b = ml.zeros(d, 1), 0\n"
  "for it = 1, 12 do\n"
  "  local p = (X:dot(w) + b):sigmoid()\n"
  "  local err = p - y\n"
  "  w:add_(X:T():dot(err) / n, -0.5)\n"
  "  b = b - 0.5 * err:mean()\n"
  "end\n"
  "local p = (X:dot(w) + b):sigmoid()\n"
  "local loss = ml.binary_cross_entropy(p, y)\n"
  "local acc = ml.accuracy(p:gt(0.5), y)\n"
  "local colsum = X:sum(1):sum() + X:sum(2):sum()\n"
  "local A = X:T():dot(X) + ml.eye(d)\n"
  "local ls = ml.solve(A, X:T():dot(y)):sum()\n"
  "local C, names = ml.load_csv('spec/fixtures/csv/header.csv')\n"
  "local oh = ml.one_hot(ml.matrix{{0}, {2}, {1}}, 3)\n"
  "local sm = ml.softmax(ml.hstack{oh, oh}):sum()\n"
  "local s = tostring(w) .. tostring(X:slice(1, 3):T())\n"
  "return loss + acc + colsum + ls + C:sum() + #names + sm + #s\n";

/* the same through the Lua library: a model, an optimiser, data helpers */
static const char modelscript[] =
  "local ml = require 'luaml'\n"
  "ml.seed(3)\n"
  "local X, y = ml.datasets.xor(40)\n"
  "local Z = ml.standardize(X)\n"
  "local Xtr, Xte, ytr, yte = ml.train_test_split(Z, y, 0.25, 5)\n"
  "local m = ml.LogisticRegression{epochs = 5, lr = 0.5, optimizer = 'adam'}\n"
  "m:train(Xtr, ytr)\n"
  "local x = ml.minimize(function(v) return v * v + v, 2 * v + 1 end, 3, {iters = 5})\n"
  "return m:score(Xte, yte) + m.cost_history:sum() + x + #tostring(m)\n";

/* linear algebra: the functions whose LAPACK workspace comes from the
** state's allocator, and those that take none (the allocator checks the
** size each workspace block is freed with) */
static const char lascript[] =
  "local ml = require 'luaml'\n"
  "ml.seed(11)\n"
  "local A = ml.rand(12, 12) + ml.eye(12) * 12\n"
  "local S = A:T():dot(A)\n"
  "local R = ml.rand(9, 5)\n"
  "local u, s, vt = ml.svd(R)\n"
  "local w = ml.eigh(S)\n"
  "local x = ml.lstsq(R, ml.rand(9, 2))\n"
  "local y = ml.lstsq(R, ml.rand(9, 1))\n"
  "return ml.inv(A):sum() + ml.solve(A, ml.ones(12, 2)):sum() + s:sum()\n"
  "  + w:sum() / 1000 + x:sum() + y:sum() + ml.pinv(R):sum()\n"
  "  + ml.cholesky(S):sum() + ml.det(A / 12)\n";
static const char probe[] =
  "local ml = require 'luaml'\n"
  "return ml.ones(2, 3):dot(ml.full(3, 1, 2)):sum()\n";  /* 12 */

/* a state with the standard libraries (and luaml when withml) */
static lua_State *newstate(heap *h, int withml) {
  lua_State *L;
  memset(h, 0, sizeof *h);
  L = lua_newstate(falloc, h);
  if (L == NULL) return NULL;
  luaL_openlibs(L);
  if (withml) {
    luaL_requiref(L, "luaml", luaopen_luaml, 0);
    lua_pop(L, 1);
  }
  return L;
}

/* run code; returns the status, the number result in *v, the error
** message (or "") in msg */
static int run(lua_State *L, const char *code, double *v, char *msg,
               size_t n) {
  int st = luaL_loadstring(L, code);
  if (st == LUA_OK) st = lua_pcall(L, 0, 1, 0);
  msg[0] = '\0';
  if (st == LUA_OK) {
    *v = lua_tonumber(L, -1);
  } else {
    const char *m = lua_tostring(L, -1);
    snprintf(msg, n, "%s", m ? m : "(error object is not a string)");
  }
  lua_pop(L, 1);
  return st;
}

static int openml(lua_State *L) {
  luaL_requiref(L, "luaml", luaopen_luaml, 0);
  return 0;
}

/* a failure injected into the module's opening */
static int run_open(lua_State *L, char *msg, size_t n) {
  int st;
  lua_pushcfunction(L, openml);
  st = lua_pcall(L, 0, 0, 0);
  msg[0] = '\0';
  if (st != LUA_OK) {
    const char *m = lua_tostring(L, -1);
    snprintf(msg, n, "%s", m ? m : "(error object is not a string)");
    lua_pop(L, 1);
  }
  return st;
}

/* Opening the module makes thousands of allocations (it runs the Lua
** library): faults go at each of the first OPEN_ALL, then at every
** OPEN_STRIDE-th, to keep the test fast. */
#define OPEN_ALL 400
#define OPEN_STRIDE 7

/* Inject faults k = 1, 2, ... into code (or into opening the module when
** code is NULL) until it succeeds; check each k as the header says.
** Returns the number of refused allocations, or -1 after a failed check;
** *nk receives the k that got through, *npoints the number of k tried. */
static long inject(const char *code, double want, long *nk, long *npoints) {
  int open = code == NULL;
  long k, faults = 0;
  *npoints = 0;
  for (k = 1;; k += (open && k >= OPEN_ALL) ? OPEN_STRIDE : 1) {
    heap h;
    lua_State *L = newstate(&h, !open);
    char msg[512];
    double v = 0;
    int st;
    if (L == NULL) { ok(0, "k=%ld: no state", k); return -1; }
    h.failat = k;
    (*npoints)++;
    st = open ? run_open(L, msg, sizeof msg) : run(L, code, &v, msg, sizeof msg);
    h.failat = 0;
    faults += h.refused;
    if (st == LUA_OK && h.refused == 0) {  /* got through: done */
      lua_close(L);
      *nk = k;
      if (!open && v != want) {
        ok(0, "unfailed run gives %.17g, expected %.17g", v, want);
        return -1;
      }
      return faults;
    }
    if (st == LUA_OK && !open) {
      /* a refusal the script survived (an error caught and handled
      ** inside, or a retry): its answer must still be right */
      if (v != want) {
        ok(0, "k=%ld: the script survived a refused allocation but "
           "returned %.17g, expected %.17g", k, v, want);
        lua_close(L);
        return -1;
      }
    } else if (st != LUA_OK && st != LUA_ERRMEM &&
               strstr(msg, "not enough memory") == NULL) {
      ok(0, "k=%ld: status %d, message '%s' (expected a memory error)",
         k, st, msg);
      lua_close(L);
      return -1;
    }
    if (open) st = run_open(L, msg, sizeof msg);
    if (st != LUA_OK && open) {
      ok(0, "k=%ld: the module does not open after the fault: %s", k, msg);
      lua_close(L);
      return -1;
    }
    st = run(L, probe, &v, msg, sizeof msg);
    if (st != LUA_OK || v != 12) {
      ok(0, "k=%ld: the state is unusable after the fault (status %d, "
         "value %g, '%s')", k, st, v, msg);
      lua_close(L);
      return -1;
    }
    lua_close(L);
    if (h.live != 0 || h.badsize) {
      ok(0, "k=%ld: %zu bytes leaked after lua_close%s", k, h.live,
         h.badsize ? ", and a block was freed with a wrong size" : "");
      return -1;
    }
  }
}

/* the result of code in a fresh state without faults (NaN on failure) */
static double reference(const char *code, const char *name) {
  heap h;
  lua_State *L = newstate(&h, 1);
  double want = 0;
  char msg[512];
  int st = run(L, code, &want, msg, sizeof msg);
  ok(st == LUA_OK, "%s runs without faults%s%s", name, st ? ": " : "", msg);
  lua_close(L);
  ok(h.live == 0 && !h.badsize, "%s: no byte left after lua_close (%zu)",
     name, h.live);
  diag("%s result %.17g", name, want);
  return st == LUA_OK ? want : 0.0 / 0.0;
}

int main(void) {
  static const struct { const char *name, *code; } scripts[] = {
    {"training script (matrix ops)", script},
    {"training script (model, optimiser, data helpers)", modelscript},
    {"linear algebra (LAPACK's workspace from the state's allocator)", lascript},
  };
  long faults, nk, np;
  size_t i;
  for (i = 0; i < sizeof scripts / sizeof scripts[0]; i++) {
    double want = reference(scripts[i].code, scripts[i].name);
    if (want != want) return 1;
    faults = inject(scripts[i].code, want, &nk, &np);
    if (faults >= 0)
      ok(1, "%s: faults at each of its %ld allocations gave a memory error, "
         "left the state usable and leaked nothing", scripts[i].name, nk - 1);
    diag("%ld allocations refused at %ld fault points in the %s", faults,
         np - 1, scripts[i].name);
  }

  faults = inject(NULL, 0, &nk, &np);
  if (faults >= 0)
    ok(1, "opening the module: faults at %ld of its %ld allocations (each "
       "of the first %d, then every %d-th) gave a memory error, then it "
       "opened, and nothing leaked", np - 1, nk - 1, OPEN_ALL, OPEN_STRIDE);
  diag("%ld allocations refused at %ld fault points in require 'luaml'",
       faults, np - 1);
  return tap_end();
}
