/*
** limited.c -- run a Lua script in a luaml_newstate state with limits:
**   limited [-i INSTRUCTIONS] [-t SECONDS] [-s] [-S] script.lua [args]
** -i instruction_limit, -t time_limit (default 3600: a state with limits
** and no instruction budget), -s the sandbox, -S Lua's own string library
** as the global `stockstring` too (to compare the matchers in one state).  The script runs through
** luaml_pcall with `arg` set as lua.c sets it; an error prints its message
** and exits with status 1.  `make lua-testes` runs Lua's own pm.lua and
** strings.lua with it: a state with limits has lpattern.c's counted
** string.find/match/gmatch/gsub in place of the stock ones.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

#include "luaml.h"

int main(int argc, char **argv) {
  luaml_options o = {0};
  lua_State *L;
  int i = 1, k, stock = 0;
  o.time_limit = 3600;
  for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
    if (strcmp(argv[i], "-i") == 0) o.instruction_limit = atol(argv[i + 1]);
    else if (strcmp(argv[i], "-t") == 0) o.time_limit = atof(argv[i + 1]);
    else if (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "-S") == 0) {
      if (argv[i][1] == 's') o.sandbox = 1;
      else stock = 1;
      i--;
    } else break;
  }
  if (i >= argc) {
    fprintf(stderr, "usage: limited [-i INSTRUCTIONS] [-t SECONDS] [-s] [-S] script.lua [args]\n");
    return 2;
  }
  L = luaml_newstate(&o);
  if (L == NULL) {
    fprintf(stderr, "limited: cannot create the state\n");
    return 1;
  }
  if (stock) {  /* luaopen_string replaces the strings' metatable: put it back */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    luaopen_string(L);
    lua_setglobal(L, "stockstring");
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
  }
  lua_createtable(L, argc - i, i + 1);  /* arg: script at 0, interpreter below */
  for (k = 0; k < argc; k++) {
    lua_pushstring(L, argv[k]);
    lua_rawseti(L, -2, k - i);
  }
  lua_setglobal(L, "arg");
  if (luaL_loadfilex(L, argv[i], "t") != LUA_OK) {
    fprintf(stderr, "limited: %s\n", lua_tostring(L, -1));
    lua_close(L);
    return 1;
  }
  for (k = i + 1; k < argc; k++) lua_pushstring(L, argv[k]);
  if (luaml_pcall(L, argc - i - 1, 0) != LUA_OK) {
    fprintf(stderr, "limited: %s\n", lua_tostring(L, -1));
    lua_close(L);
    return 1;
  }
  lua_close(L);
  return 0;
}
