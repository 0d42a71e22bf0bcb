/*
** luaml.c -- the module entry point (luaopen_luaml), which assembles the
** C functions and runs the Lua library compiled into the binary, and the
** embedding API's state constructor (luaml_newstate).
*/
#include <stdlib.h>
#include <string.h>

#include "lualib.h"

#include "lbind.h"

/* the Lua library, generated from lua/ by tools/embed.c */
struct luaml_chunk { const char *name; const unsigned char *src; size_t len; };
extern const struct luaml_chunk luaml_chunks[];

/* Run each library chunk with the module table as its argument; chunks
** add their functions to it.  Raises on a broken chunk (a build bug). */
static void loadlib(lua_State *L, int mod) {
  const struct luaml_chunk *c;
  char name[256];
  for (c = luaml_chunks; c->name != NULL; c++) {
    snprintf(name, sizeof name, "@%s", c->name);
    if (luaL_loadbufferx(L, (const char *)c->src, c->len, name, "t") != LUA_OK)
      lua_error(L);
    lua_pushvalue(L, mod);
    lua_call(L, 1, 0);
  }
}

int luaopen_luaml(lua_State *L) {
  int mod;
  lua_newtable(L);
  mod = lua_gettop(L);
  lmopen_matrix(L);
  lmopen_funcs(L);
  lmopen_linalg(L);
  lmopen_random(L);
  lmopen_io(L);
  lmopen_optim(L);
  lua_pushliteral(L, LUAML_VERSION);
  lua_setfield(L, mod, "version");
  loadlib(L, mod);
  lua_settop(L, mod);
  return 1;
}

/* package.loaded.luaml = ml; _G.ml = ml */
static int openall(lua_State *L) {
  luaL_openlibs(L);
  luaL_requiref(L, "luaml", luaopen_luaml, 0);
  lua_setglobal(L, "ml");
  return 0;
}

lua_State *luaml_newstate(const luaml_options *opts) {
  lua_State *L = luaL_newstate();
  (void)opts;
  if (L == NULL) return NULL;
  lua_pushcfunction(L, openall);
  if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
    lua_close(L);
    return NULL;
  }
  return L;
}
