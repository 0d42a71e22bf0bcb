/*
** test_pattern.c -- the counted pattern matcher of states with limits
** (src/lpattern.c) against Lua's own string library: the same results and
** the same error messages on generated subjects and patterns, for find
** (patterns and plain), match, gmatch (with init), gsub with a string, a
** function and a table as replacement (and a maximum count).  Two states
** run the same probe: luaL_newstate's stock library, and a luaml_newstate
** state with a time limit (which has lpattern.c's functions, through the
** strings' metatable too).  Prints TAP.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

#include "luaml.h"
#include "tap.h"

#define NCASES 20000

/* The probe: every function on (s, p, init, r), each result and error
** turned into one line of text.  `init` is also gsub's maximum count;
** `r` its replacement string. */
static const char probe[] =
  "local function ser(ok, ...)\n"
  "  local t = {tostring(ok)}\n"
  "  for i = 1, select('#', ...) do\n"
  "    local v = select(i, ...)\n"
  "    t[#t + 1] = type(v) .. ':' .. tostring(v)\n"
  "  end\n"
  "  return table.concat(t, '|')\n"
  "end\n"
  "local function each(s, p, init)\n"
  "  local t = {}\n"
  "  for a, b in s:gmatch(p, init) do\n"
  "    t[#t + 1] = tostring(a) .. ',' .. tostring(b)\n"
  "    if #t > 40 then break end\n"
  "  end\n"
  "  return table.concat(t, ';')\n"
  "end\n"
  "local map = {a = 'A', [1] = 'one', ['('] = false, b = 2.5}\n"
  "local function f(a, b)\n"
  "  if a == 'b' then return false end\n"
  "  if b then return a .. '<' .. tostring(b) .. '>' end\n"
  "  return #tostring(a)\n"
  "end\n"
  "return function(s, p, init, r)\n"
  "  return table.concat({\n"
  "    ser(pcall(string.find, s, p, init)),\n"
  "    ser(pcall(string.find, s, p, init, true)),\n"
  "    ser(pcall(string.match, s, p, init)),\n"
  "    ser(pcall(each, s, p, init)),\n"
  "    ser(pcall(string.gsub, s, p, r)),\n"
  "    ser(pcall(string.gsub, s, p, r, init)),\n"
  "    ser(pcall(string.gsub, s, p, f)),\n"
  "    ser(pcall(string.gsub, s, p, map)),\n"
  "    ser(pcall(function() return s:find(p) end)),\n"
  "  }, '\\n')\n"
  "end\n";

static unsigned long long seed = 0x9e3779b97f4a7c15ULL;
static unsigned rnd(unsigned n) {  /* xorshift64*: 0..n-1 */
  seed ^= seed >> 12;
  seed ^= seed << 25;
  seed ^= seed >> 27;
  return (unsigned)((seed * 2685821657736338717ULL) >> 33) % n;
}

/* pieces patterns are made of: items, classes, quantifiers, captures,
** anchors, %b, %f, back references, broken pieces */
static const char *const pieces[] = {
  "a", "b", "c", ".", "%a", "%d", "%s", "%w", "%A", "%S", "%%", "%.", "%(",
  "[ab]", "[^a]", "[a-c]", "[%a%d]", "[]]", "[^]a]", "[a-]", "[%]]",
  "*", "+", "-", "?", "*", "-",
  "(", ")", "()", "(", ")", "^", "$",
  "%b()", "%bab", "%f[%a]", "%f[%A]", "%f[a]", "%1", "%2", "%0",
  "%", "[", "[a", "%b", "%f", "%fa", "\0", "%z", "x", "1",
};
static const char subjchars[] = "aaabbc() [].%-1x\0";

int main(void) {
  lua_State *S = luaL_newstate(), *M;
  luaml_options o = {0};
  char s[24], p[40], r[16];
  int k, same = 0, differ = 0, errors = 0, matched = 0;
  o.time_limit = 3600;  /* limits: the counted matcher */
  M = luaml_newstate(&o);
  ok(S != NULL && M != NULL, "two states: stock Lua, luaml with a time limit");
  if (S == NULL || M == NULL) return tap_end();
  luaL_openlibs(S);
  ok(luaL_dostring(M, "return string.find ~= nil and ('x'):find('x') == 1") == LUA_OK &&
     lua_toboolean(M, -1), "the limited state has string.find, also as a method");
  lua_settop(M, 0);
  if (luaL_loadstring(S, probe) != LUA_OK || lua_pcall(S, 0, 1, 0) != LUA_OK ||
      luaL_loadstring(M, probe) != LUA_OK || lua_pcall(M, 0, 1, 0) != LUA_OK) {
    ok(0, "the probe loads: %s", lua_tostring(S, -1));
    return tap_end();
  }
  for (k = 0; k < NCASES; k++) {
    size_t ls = rnd(14), lp = 0, lr, i;
    int np = 1 + (int)rnd(5), init = (int)rnd(19) - 6;
    const char *a, *b;
    size_t la, lb;
    for (i = 0; i < ls; i++) s[i] = subjchars[rnd(sizeof subjchars - 1)];
    while (np-- > 0) {
      const char *q = pieces[rnd(sizeof pieces / sizeof *pieces)];
      size_t lq = q[0] == '\0' ? 1 : strlen(q);
      if (lp + lq > sizeof p) break;
      memcpy(p + lp, q, lq);
      lp += lq;
    }
    lr = rnd(3) == 0 ? 0 : rnd(6);
    for (i = 0; i < lr; i++) r[i] = "%0%1%2x%%"[rnd(9)];
    lua_pushvalue(S, 1);
    lua_pushvalue(M, 1);
    lua_pushlstring(S, s, ls);
    lua_pushlstring(M, s, ls);
    lua_pushlstring(S, p, lp);
    lua_pushlstring(M, p, lp);
    lua_pushinteger(S, init);
    lua_pushinteger(M, init);
    lua_pushlstring(S, r, lr);
    lua_pushlstring(M, r, lr);
    if (lua_pcall(S, 4, 1, 0) != LUA_OK || luaml_pcall(M, 4, 1) != LUA_OK) {
      ok(0, "case %d runs: %s / %s", k, lua_tostring(S, -1), lua_tostring(M, -1));
      return tap_end();
    }
    a = lua_tolstring(S, -1, &la);
    b = lua_tolstring(M, -1, &lb);
    if (la == lb && memcmp(a, b, la) == 0) {
      same++;
      if (strstr(a, "false|string:") != NULL) errors++;
      if (strstr(a, "true|number:") != NULL) matched++;
    } else if (differ++ < 5) {
      ok(0, "case %d: subject '%.*s' pattern '%.*s' init %d repl '%.*s':\n"
         "stock:\n%s\nluaml:\n%s", k, (int)ls, s, (int)lp, p, init, (int)lr, r, a, b);
    }
    lua_settop(S, 1);
    lua_settop(M, 1);
  }
  ok(differ == 0, "%d of %d generated cases give identical results and errors "
     "(%d with an error, %d with a match)", same, NCASES, errors, matched);
  ok(errors > NCASES / 10 && matched > NCASES / 10, "the cases cover errors and matches");
  lua_close(S);
  lua_close(M);
  return tap_end();
}
