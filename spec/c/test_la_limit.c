/*
** test_la_limit.c -- LAPACK's workspace inside memory_limit.
**
** The linear-algebra functions take their workspace from the state's
** allocator, so a sandboxed state's memory_limit covers it (it was malloc'd
** behind the limit: an svd of 1300 x 1300 peaked at 111 MB in a 64 MB
** state).  Here, in 64 MB states without an instruction limit (so LAPACK
** really runs):
**   - ml.svd of a 1300 x 1300 matrix fails with "svd: not enough memory
**     for LAPACK's workspace", and the process's peak resident memory
**     (VmHWM, reset first) grows by at most the limit plus PEAK_SLACK;
**   - each of svd, eigh, inv, solve, lstsq, pinv, cholesky and det runs
**     in an 8 MB state squeezed by a ballast matrix that leaves d bytes
**     free, at and below the least d it needs: at every d the call either
**     gives the right values (those of the unsqueezed call) or fails with a
**     "not enough memory" message; the functions that take workspace meet
**     the workspace's own message at some d (the copies fit, the workspace
**     does not); the state works afterwards.
** Prints TAP.  Resident memory is not checked under ASan or valgrind.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"

#include "luaml.h"
#include "procinfo.h"
#include "tap.h"


#define MEMLIMIT ((size_t)64 << 20)
#define PEAK_SLACK 8192  /* KB above the limit the process may peak at */

/* VmHWM or VmRSS of this process, in KB */
static long statuskb(const char *field) {
  char line[256];
  long kb = -1;
  size_t n = strlen(field);
  FILE *f = fopen("/proc/self/status", "r");
  if (f == NULL) return -1;
  while (fgets(line, sizeof line, f) != NULL)
    if (strncmp(line, field, n) == 0) kb = atol(line + n);
  fclose(f);
  return kb;
}

/* reset VmHWM to the current resident size (Linux 4.0+); 0 on failure */
static int resetpeak(void) {
  FILE *f = fopen("/proc/self/clear_refs", "w");
  int good;
  if (f == NULL) return 0;
  good = fputs("5", f) >= 0;
  return fclose(f) == 0 && good;
}

static lua_State *newstate(size_t limit) {
  luaml_options o = {0};
  o.sandbox = 1;
  o.memory_limit = limit;
  return luaml_newstate(&o);
}

/* run code (luaml_pcall, one result); returns the status, leaves the
** result or the message on the stack */
static int run(lua_State *L, const char *code) {
  int st = luaL_loadstring(L, code);
  if (st == LUA_OK) st = luaml_pcall(L, 0, 1);
  return st;
}

static void usable(lua_State *L, const char *name) {
  int good = run(L, "return ml.inv(ml.matrix{{2, 0}, {0, 4}}):sum()") == LUA_OK &&
             lua_tonumber(L, -1) == 0.75;
  lua_settop(L, 0);
  ok(good, "%s: the state works afterwards", name);
}

/* The squeeze, in a state of SQLIMIT bytes: f(what) computes the call on
** fixed inputs and returns a number summarising its results.  The chunk
** runs it unsqueezed, then with a ballast matrix that leaves about free
** bytes, for STEPS + 1 values of free from 0 to TOP (more than any of the
** calls takes; Lua's count of its memory is close to, not exactly, the
** allocator's, so the points are not exact byte counts).  Returns "ok GOOD WS" (points that succeeded, points that met the
** workspace's own message) or what went wrong. */
#define SQLIMIT ((size_t)8 << 20)
static const char squeeze[] =
  "local what, LIMIT, STEPS = ...\n"
  "local TOP = 1600000\n"
  "ml.seed(5)\n"
  "local A = ml.rand(160, 160) + ml.eye(160) * 160\n"
  "local S = A:T():dot(A)\n"
  "local B = ml.rand(200, 3)\n"
  "local R = ml.rand(200, 120)\n"
  "local calls = {\n"
  "  svd = function() local u, s, vt = ml.svd(R) return s:sum() end,\n"
  "  eigh = function() local w = ml.eigh(S) return w:sum() end,\n"
  "  inv = function() return ml.inv(A):sum() end,\n"
  "  solve = function() return ml.solve(A, B:slice(1, 160)):sum() end,\n"
  "  lstsq = function() local x = ml.lstsq(R, B) return x:sum() end,\n"
  "  pinv = function() return ml.pinv(R):sum() end,\n"
  "  cholesky = function() return ml.cholesky(S):sum() end,\n"
  "  det = function() return ml.det(A / 160) end,\n"
  "}\n"
  "local f = calls[what]\n"
  "local want = f()\n"
  "local function try(free)\n"
  "  collectgarbage()\n"
  "  local n = (LIMIT - collectgarbage('count') * 1024 - free) // 8\n"
  "  return pcall(function()\n"
  "    local ballast = n > 0 and ml.zeros(1, n) or nil\n"
  "    local r = f()  -- not a tail call: ballast stays alive\n"
  "    return r\n"
  "  end)\n"
  "end\n"
  "local good, ws, points = 0, 0, {}\n"
  "for k = 0, STEPS do points[#points + 1] = TOP * k // STEPS end\n"
  "for _, free in ipairs(points) do\n"
  "  local st, r = try(free)\n"
  "  if st then\n"
  "    if math.abs(r - want) > 1e-9 * math.max(1, math.abs(want)) then\n"
  "      return string.format('free %d: %.17g, unsqueezed %.17g', free, r, want)\n"
  "    end\n"
  "    good = good + 1\n"
  "  elseif not tostring(r):find('not enough memory', 1, true) then\n"
  "    return string.format('free %d: %s', free, tostring(r))\n"
  "  elseif tostring(r):find(what .. ': not enough memory for LAPACK', 1, true) then\n"
  "    ws = ws + 1\n"
  "  end\n"
  "end\n"
  "return string.format('ok %d %d', good, ws)\n";

static int steps = 32;  /* 8 under valgrind, where the windows are not checked */

static void squeezeone(const char *what, int hasws) {
  lua_State *L = newstate(SQLIMIT);
  int st, good = 0, ws = 0;
  const char *r;
  if (L == NULL) { ok(0, "%s: no state", what); return; }
  st = luaL_loadstring(L, squeeze);
  if (st == LUA_OK) {
    lua_pushstring(L, what);
    lua_pushinteger(L, (lua_Integer)SQLIMIT);
    lua_pushinteger(L, steps);
    st = luaml_pcall(L, 3, 1);
  }
  r = lua_tostring(L, -1);
  ok(st == LUA_OK && r != NULL && sscanf(r, "ok %d %d", &good, &ws) == 2,
     "%s squeezed: every point gives the right values or 'not enough memory' (%s)",
     what, r ? r : "?");
  lua_settop(L, 0);
  ok(good > 0, "%s squeezed: succeeds once the memory is there (%d points)", what, good);
  if (hasws && steps >= 32)
    ok(ws > 0, "%s squeezed: a refused workspace is '%s: not enough memory for "
       "LAPACK's workspace' (%d points)", what, what, ws);
  usable(L, what);
  lua_close(L);
}

int main(void) {
  lua_State *L;
  long peak0, peak;
  int st, measure = !invalgrind();
  if (!measure) steps = 8;
#ifdef ASAN
  measure = 0;
#endif
  L = newstate(MEMLIMIT);
  ok(L != NULL, "a sandboxed state of 64 MB");
  if (L == NULL) return tap_end();
  /* BLAS's and LAPACK's own buffers (per thread, made at first use) are
  ** the process's, not the state's: make them before measuring */
  st = run(L, "local a = ml.rand(300, 300) local u, s, vt = ml.svd(a) "
              "return a:dot(a):sum() + ml.eigh(a:T():dot(a)):sum()");
  ok(st == LUA_OK, "a first svd, eigh and product");
  lua_settop(L, 0);
  run(L, "collectgarbage() return 0");
  lua_settop(L, 0);
  peak0 = statuskb("VmRSS:");
  if (measure && !resetpeak()) measure = 0;
  st = run(L, "local u, s, vt = ml.svd(ml.rand(1300, 1300)) return s");
  ok(st != LUA_OK && lua_tostring(L, -1) != NULL &&
     strstr(lua_tostring(L, -1), "svd: not enough memory for LAPACK's workspace") != NULL,
     "an svd of 1300 x 1300 in 64 MB: the workspace is refused (%.100s)",
     lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
  lua_settop(L, 0);
  peak = statuskb("VmHWM:");
  if (measure)
    ok(peak - peak0 <= (long)(MEMLIMIT >> 10) + PEAK_SLACK,
       "its peak resident memory: %ld KB above the start (limit %ld KB + %d)",
       peak - peak0, (long)(MEMLIMIT >> 10), PEAK_SLACK);
  else
    ok(1, "# SKIP peak resident memory (ASan, valgrind or no clear_refs)");
  usable(L, "svd 1300");
  lua_close(L);

  squeezeone("svd", 1);
  squeezeone("eigh", 1);
  squeezeone("inv", 1);
  squeezeone("solve", 0);  /* 6 KB of workspace, from inv's code (dgecon) */
  squeezeone("lstsq", 1);
  squeezeone("pinv", 1);
  squeezeone("cholesky", 0);
  squeezeone("det", 0);
  return tap_end();
}
