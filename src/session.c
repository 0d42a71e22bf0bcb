/*
** session.c -- what the prompt and the notebook share: the completion
** candidates (the names a partial word such as "ml.sof", "x:resh" or "pri"
** may become, found by raw access only, so completing never runs user code)
** and session chunks, whose top-level locals persist (lua/notebook.lua).
** Part of the host (the luaml executable), not of the library.
*/
#include <string.h>

#include "lua.h"
#include "lauxlib.h"

#include "luaml.h"
#include "host.h"

/* Push the notebook module (require "luaml.notebook", lua/notebook.lua),
** or nil when the state has none.  Returns 1 for the module.
** Stack: [-0, +1]. */
int luaml_pushnotebook(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  if (lua_getfield(L, -1, "luaml.notebook") == LUA_TTABLE) {
    lua_remove(L, -2);
    return 1;
  }
  lua_pop(L, 2);
  if (lua_getglobal(L, "require") == LUA_TFUNCTION) {
    lua_pushliteral(L, "luaml.notebook");
    if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TTABLE) return 1;
  }
  lua_pop(L, 1);
  lua_pushnil(L);
  return 0;
}

/* Push the table names are completed from: the session's locals (whose
** __index is the global table, see lua/notebook.lua), or the global table.
** Stack: [-0, +1]. */
static void pushscope(lua_State *L) {
  int top = lua_gettop(L);
  if (luaml_pushnotebook(L) && lua_getfield(L, -1, "env") == LUA_TFUNCTION &&
      lua_pcall(L, 0, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TTABLE)
    lua_replace(L, top + 1);
  else {
    lua_pushglobaltable(L);
    lua_replace(L, top + 1);
  }
  lua_settop(L, top + 1);
}

static const char *const keywords[] = {
  "and", "break", "do", "else", "elseif", "end", "false", "for", "function",
  "goto", "if", "in", "local", "nil", "not", "or", "repeat", "return",
  "then", "true", "until", "while", NULL
};

static int iskeyword(const char *s) {
  const char *const *k;
  for (k = keywords; *k; k++)
    if (strcmp(s, *k) == 0) return 1;
  return 0;
}

/* a Lua name that may follow '.' or ':' */
static int isname(const char *s) {
  const char *p = s;
  if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
    return 0;
  for (p++; *p; p++)
    if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
          (*p >= '0' && *p <= '9')))
      return 0;
  return !iskeyword(s);
}

/* Push the table of fields that value idx has without running Lua code,
** or nil: for a table, the table; else its metatable's __methods (the
** matrix methods) or __index, when that is a table.  Only raw access: no
** metamethod is called.  Stack: [-0, +1]. */
static void rawfields(lua_State *L, int idx) {
  if (lua_type(L, idx) == LUA_TTABLE) {
    lua_pushvalue(L, idx);
    return;
  }
  if (lua_getmetatable(L, idx)) {
    lua_pushliteral(L, "__methods");
    if (lua_rawget(L, -2) != LUA_TTABLE) {
      lua_pop(L, 1);
      lua_pushliteral(L, "__index");
      lua_rawget(L, -2);
    }
    lua_remove(L, -2);  /* metatable */
    if (lua_type(L, -1) == LUA_TTABLE) return;
    lua_pop(L, 1);
  }
  lua_pushnil(L);
}

/* Push t[key] for the value at idx by raw access, following tables in
** __index (at most depth of them), or nil.  Stack: [-0, +1]. */
static void rawfield(lua_State *L, int idx, const char *key, int depth) {
  idx = lua_absindex(L, idx);
  rawfields(L, idx);
  if (lua_type(L, -1) == LUA_TTABLE) {
    lua_pushstring(L, key);
    if (lua_rawget(L, -2) != LUA_TNIL || depth == 0) {
      lua_remove(L, -2);
      return;
    }
    lua_pop(L, 1);
    if (lua_type(L, idx) == LUA_TTABLE && lua_getmetatable(L, idx)) {
      lua_pushliteral(L, "__index");  /* a class: follow its __index table */
      lua_rawget(L, -2);
      lua_remove(L, -2);
      lua_remove(L, -2);
      if (lua_type(L, -1) == LUA_TTABLE) {
        rawfield(L, -1, key, depth - 1);
        lua_remove(L, -2);
        return;
      }
    }
  }
  lua_pop(L, 1);
  lua_pushnil(L);
}

/* Add to the set at res the names of fields of the value at idx (and of
** the tables its __index leads to, at most depth) starting with partial,
** as prefix..name; with onlyfuncs, only the fields holding functions.
** Private fields (a name starting with '_', as a model's _lossgrad) are
** left out after "x." and "x:" unless partial starts with '_' too. */
static void addnames(lua_State *L, int idx, int res, const char *prefix,
                     const char *partial, int onlyfuncs, int depth) {
  size_t plen = strlen(partial);
  idx = lua_absindex(L, idx);
  rawfields(L, idx);
  if (lua_type(L, -1) == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
      if (lua_type(L, -2) == LUA_TSTRING) {
        const char *k = lua_tostring(L, -2);
        if (strncmp(k, partial, plen) == 0 && isname(k) &&
            (k[0] != '_' || partial[0] == '_' || prefix[0] == '\0') &&
            (!onlyfuncs || lua_type(L, -1) == LUA_TFUNCTION)) {
          lua_pushfstring(L, "%s%s", prefix, k);
          lua_pushboolean(L, 1);
          lua_rawset(L, res);
        }
      }
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  if (depth > 0 && lua_type(L, idx) == LUA_TTABLE && lua_getmetatable(L, idx)) {
    lua_pushliteral(L, "__index");
    if (lua_rawget(L, -2) == LUA_TTABLE)
      addnames(L, -1, res, prefix, partial, onlyfuncs, depth - 1);
    lua_pop(L, 2);
  }
  if (!onlyfuncs && luaml_tomatrix(L, idx) != NULL) {  /* the shape fields */
    static const char *const shape[] = {"rows", "cols", NULL};
    const char *const *s;
    for (s = shape; *s; s++)
      if (strncmp(*s, partial, plen) == 0) {
        lua_pushfstring(L, "%s%s", prefix, *s);
        lua_pushboolean(L, 1);
        lua_rawset(L, res);
      }
  }
}

/* lua_CFunction: the completions of the word (light userdata 1, a C
** string such as "ml.sof", "x:resh" or "pri"), as an array.  The word is
** split at its last '.' or ':'; the part before is looked up from the
** session's locals and the globals by raw access only, so completion never
** runs user code. */
int luaml_completions(lua_State *L) {
  const char *text = (const char *)lua_touserdata(L, 1);
  const char *sep = strrchr(text, '.'), *colon = strrchr(text, ':');
  int res, n = 0;
  lua_newtable(L);  /* the set of completions */
  res = lua_gettop(L);
  if (colon > sep) sep = colon;
  if (sep == NULL) {  /* a global or a keyword */
    const char *const *k;
    pushscope(L);
    addnames(L, -1, res, "", text, 0, 4);
    lua_pop(L, 1);
    for (k = keywords; *k; k++)
      if (strncmp(*k, text, strlen(text)) == 0) {
        lua_pushboolean(L, 1);
        lua_setfield(L, res, *k);
      }
  } else {
    const char *p = text;
    pushscope(L);
    while (p < sep) {  /* walk "a.b:" from the globals */
      const char *q = p + strcspn(p, ".:");
      lua_pushlstring(L, p, (size_t)(q - p));
      rawfield(L, -2, lua_tostring(L, -1), 4);
      lua_remove(L, -2);  /* the key */
      lua_remove(L, -2);  /* the previous value */
      p = q + 1;
    }
    lua_pushlstring(L, text, (size_t)(sep + 1 - text));
    addnames(L, -2, res, lua_tostring(L, -1), sep + 1, *sep == ':', 4);
    lua_pop(L, 2);
  }
  lua_newtable(L);  /* the set as an array */
  lua_pushnil(L);
  while (lua_next(L, res) != 0) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, ++n);
  }
  return 1;
}

/* Compile s as a chunk of the session through lua/notebook.lua's load,
** which rewrites top-level locals; plain luaL_loadbuffer when that module
** is missing.  Stack: [-0, +1]; may raise a memory error. */
int luaml_loadsession(lua_State *L, const char *s, size_t l, const char *name) {
  int top = lua_gettop(L), status;
  if (!luaml_pushnotebook(L) || lua_getfield(L, -1, "load") != LUA_TFUNCTION) {
    lua_settop(L, top);
    return luaL_loadbuffer(L, s, l, name);
  }
  lua_pushlstring(L, s, l);
  lua_pushstring(L, name);
  status = lua_pcall(L, 2, 2, 0);  /* f or nil, message */
  if (status == LUA_OK) {
    if (lua_isnil(L, -2)) status = LUA_ERRSYNTAX;
    else lua_pop(L, 1);
  }
  lua_replace(L, top + 1);  /* the function or the message */
  lua_settop(L, top + 1);
  return status;
}
