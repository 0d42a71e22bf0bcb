/*
** luaml.c -- the module entry point (luaopen_luaml), which assembles the
** C functions and runs the Lua library compiled into the binary, and the
** embedding API of luaml.h: luaml_newstate with its options (sandbox,
** memory limit through the allocator, instruction limit through a count
** hook) and luaml_pcall.
*/
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lualib.h"

#include "lbind.h"

#define SANDBOXKEY "luaml.sandbox"  /* registry: true in a sandboxed state */

/* the Lua library, compiled to bytecode from lua/ by tools/embed.lua */
struct luaml_chunk { const char *name; const unsigned char *code; size_t len; };
extern const struct luaml_chunk luaml_chunks[];

/* Run each library chunk with the module table as its argument; chunks
** add their functions to it.  The chunks are bytecode, which only the Lua
** build that wrote it accepts: a Lua other than the one luaml was built
** for (or a broken build) raises an error that says so. */
static void loadlib(lua_State *L, int mod) {
  const struct luaml_chunk *c;
  char name[256];
  for (c = luaml_chunks; c->name != NULL; c++) {
    snprintf(name, sizeof name, "@%s", c->name);
    if (luaL_loadbufferx(L, (const char *)c->code, c->len, name, "b") != LUA_OK)
      luaL_error(L, "luaml: cannot load its Lua library (%s); "
                 "rebuild luaml for this Lua (" LUA_RELEASE ")", lua_tostring(L, -1));
    lua_pushvalue(L, mod);
    lua_call(L, 1, 0);
  }
}

/* Remove the fields named load_* and save_* (the functions that read and
** write files) from the table at idx.  Stack: [-0, +0]. */
static void dropfiles(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
    lua_pop(L, 1);  /* value */
    if (strncmp(k, "load_", 5) == 0 || strncmp(k, "save_", 5) == 0) {
      lua_pushvalue(L, -1);
      lua_pushnil(L);
      lua_rawset(L, idx);  /* clearing a field during traversal is allowed */
    }
  }
}

int luaopen_luaml(lua_State *L) {
  int mod;
  lmL_cacheinstall(L);
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
#if defined(LUAML_DATADIR)
  lua_pushliteral(L, LUAML_DATADIR);  /* the installed data sets */
  lua_setfield(L, mod, "datadir");
#endif
  if (lua_getfield(L, LUA_REGISTRYINDEX, SANDBOXKEY) != LUA_TNIL) {
    dropfiles(L, mod);  /* before the Lua library can keep a reference */
    luaL_getmetatable(L, LM_MATRIX);
    lua_getfield(L, -1, "__methods");
    dropfiles(L, -1);
  }
  lua_settop(L, mod);
  loadlib(L, mod);
  lua_settop(L, mod);
  return 1;
}

/* ---- per-state data of luaml_newstate -------------------------------- */

/* Small blocks (Lua's objects, and matrices of up to ~100 elements) that
** the collector frees are kept for reuse, in lists by size class of 16
** bytes (see sizeclass), up to SMALL_KEEP bytes in all.  A collection frees them by the
** hundred, more than glibc's per-thread cache keeps (7 of a size), and the
** rest went through its slower bins: a fifth of the time of an operation
** on 10x10 matrices.  A small block is allocated at its class's size, so
** any block of a class serves any request of it.  Not under AddressSanitizer,
** which must see every free to find uses after it. */
#define SMALL_MAX 1024                 /* largest small block, in bytes */
#define SMALL_NCLASS (SMALL_MAX / 16)
#ifdef LM_ASAN
#define SMALL_KEEP 0
#else
#define SMALL_KEEP ((size_t)1 << 20)   /* bytes kept at most */
#endif

/* What the allocator and the hooks of a luaml_newstate state keep.  It is
** the allocator's user data, found again with lua_getallocf.  Lua's first
** allocation is the state's main block and freeing that block is the last
** thing lua_close does, so the allocator frees this struct then: hosts
** close the state with plain lua_close. */
typedef struct Ctl {
  size_t used;       /* bytes allocated now (kept blocks not counted) */
  size_t limit;      /* memory_limit, 0 = none */
  void *mainblock;   /* the state's first allocation */
  int live;          /* 1 once the state exists: freeing mainblock frees this */
  int ilimit;        /* instruction_limit, 0 = none */
  int warn;          /* warnings: 0 off, 1 on, 2 on inside a message */
  size_t kept;       /* bytes in the lists of small blocks */
  void *small[SMALL_NCLASS + 1];  /* by class: a list linked by 1st word */
} Ctl;

/* the size class of an n-byte block (n > 0), 0 when it is not small.
** Class k holds blocks of CLASSBYTES(k) = 16k - 8 bytes: the sizes whose
** malloc chunk (a 16-byte multiple with an 8-byte header, on glibc) has
** no unused tail, so rounding a request up to its class costs no memory
** there (rounding to multiples of 16 cost a chunk in two: +35% on small
** tables). */
#define CLASSBYTES(k) (((k) << 4) - 8)
static size_t sizeclass(size_t n) {
  return n <= CLASSBYTES(SMALL_NCLASS) ? (n + 23) >> 4 : 0;
}

/* free c and every block it keeps */
static void freectl(Ctl *c) {
  size_t k;
  for (k = 1; k <= SMALL_NCLASS; k++)
    while (c->small[k] != NULL) {
      void *b = c->small[k];
      c->small[k] = *(void **)b;
      free(b);
    }
  free(c);
}

/* The allocator (lua_Alloc): realloc/free that counts bytes and refuses
** to grow beyond the limit.  Lua then collects garbage and retries once
** before raising "not enough memory".  Shrinking never fails. */
static void *lalloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  Ctl *c = (Ctl *)ud;
  void *p;
  size_t k;
  if (ptr == NULL) osize = 0;  /* osize was a type tag, not a size */
  if (nsize == 0) {
    if (ptr == NULL) return NULL;
    c->used -= osize;
    k = sizeclass(osize);
    if (ptr == c->mainblock && c->live) {  /* lua_close is done */
      free(ptr);
      freectl(c);
    } else if (k != 0 && c->kept + CLASSBYTES(k) <= SMALL_KEEP) {
      *(void **)ptr = c->small[k];
      c->small[k] = ptr;
      c->kept += CLASSBYTES(k);
    } else {
      free(ptr);
    }
    return NULL;
  }
  if (c->limit > 0 && nsize > osize &&
      (c->used > c->limit || nsize - osize > c->limit - c->used))
    return NULL;
  k = sizeclass(nsize);
  if (ptr == NULL && k != 0 && c->small[k] != NULL) {  /* a kept block */
    p = c->small[k];
    c->small[k] = *(void **)p;
    c->kept -= CLASSBYTES(k);
  } else {
    p = realloc(ptr, k != 0 ? CLASSBYTES(k) : nsize);
    if (p == NULL) return NULL;
    if (c->mainblock == NULL) c->mainblock = p;
  }
  c->used = c->used - osize + nsize;
  return p;
}

/* the Ctl of a luaml_newstate state, NULL for any other state */
static Ctl *getctl(lua_State *L) {
  void *ud;
  return lmL_getallocf(L, &ud) == lalloc ? (Ctl *)ud : NULL;
}

/* The count hook of instruction_limit, called when a call has used its
** budget: raise an error, and fire again at each further instruction so
** that a pcall in the script cannot catch it and go on. */
static void counthook(lua_State *L, lua_Debug *ar) {
  Ctl *c = getctl(L);
  (void)ar;
  lua_sethook(L, counthook, LUA_MASKCOUNT, 1);
  luaL_where(L, 0);  /* level 0 is the Lua function that ran out */
  lua_pushfstring(L, "instruction limit exceeded (%d instructions)",
                  c ? c->ilimit : 0);
  lua_concat(L, 2);
  lua_error(L);
}

/* The warning function (lua_WarnFunction): off until "@on", "@off" turns
** it off again; a message may come in pieces (tocont). */
static void warnf(void *ud, const char *msg, int tocont) {
  Ctl *c = (Ctl *)ud;
  if (c->warn != 2 && !tocont && msg[0] == '@') {  /* a control message */
    if (strcmp(msg, "@on") == 0) c->warn = 1;
    else if (strcmp(msg, "@off") == 0) c->warn = 0;
    return;
  }
  if (c->warn == 0) return;
  if (c->warn == 1) fputs("Lua warning: ", stderr);
  fputs(msg, stderr);
  if (tocont) {
    c->warn = 2;
  } else {
    fputs("\n", stderr);
    fflush(stderr);
    c->warn = 1;
  }
}

/* An error outside any protected call: say so; Lua then aborts. */
static int panic(lua_State *L) {
  const char *msg = lua_tostring(L, -1);
  fprintf(stderr, "luaml: unprotected error in call to Lua API (%s)\n",
          msg ? msg : "error object is not a string");
  fflush(stderr);
  return 0;
}

/* ---- sandbox --------------------------------------------------------- */

/* load(chunk [, name [, mode [, env]]]) with the mode forced to "t": no
** binary chunks.  Upvalue 1 is the real load.  The number of arguments is
** kept, since load treats a missing env differently from a nil one. */
static int textload(lua_State *L) {
  int n = lua_gettop(L);
  if (n < 3) lua_settop(L, n = 3);
  lua_pushliteral(L, "t");
  lua_replace(L, 3);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

/* Strip the opened standard libraries down to what an untrusted script
** may use (luaml.h, luaml_options.sandbox, lists it).  Stack: [-0, +0]. */
static void confine(lua_State *L) {
  static const char *const gone[] = {"io", "debug", "dofile", "loadfile", NULL};
  static const char *const oskeep[] = {"clock", "date", "time", "difftime", NULL};
  const char *const *p;
  lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  for (p = gone; *p; p++) {
    lua_pushnil(L);
    lua_setglobal(L, *p);
    lua_pushnil(L);
    lua_setfield(L, -2, *p);  /* package.loaded */
  }
  lua_getglobal(L, "os");
  lua_createtable(L, 0, 4);  /* the new os */
  for (p = oskeep; *p; p++) {
    lua_getfield(L, -2, *p);
    lua_setfield(L, -2, *p);
  }
  lua_pushvalue(L, -1);
  lua_setglobal(L, "os");
  lua_setfield(L, -3, "os");  /* package.loaded.os */
  lua_pop(L, 2);  /* old os, package.loaded */
  lua_getglobal(L, "load");
  lua_pushcclosure(L, textload, 1);
  lua_setglobal(L, "load");
  lua_getglobal(L, "package");
  lua_pushnil(L);
  lua_setfield(L, -2, "loadlib");
  lua_pushliteral(L, "");
  lua_setfield(L, -2, "path");
  lua_pushliteral(L, "");
  lua_setfield(L, -2, "cpath");
  lua_getfield(L, -1, "searchers");
  lua_createtable(L, 1, 0);
  lua_rawgeti(L, -2, 1);  /* the preload searcher */
  lua_rawseti(L, -2, 1);
  lua_setfield(L, -3, "searchers");
  lua_pop(L, 2);  /* old searchers, package */
}

/* The protected part of luaml_newstate: open the libraries, restrict them
** when argument 1 is true, require luaml into the global `ml`. */
static int openall(lua_State *L) {
  int sandboxed = lua_toboolean(L, 1);
  luaL_openlibs(L);
  if (sandboxed) {
    confine(L);
    lua_pushboolean(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, SANDBOXKEY);
  }
  luaL_requiref(L, "luaml", luaopen_luaml, 0);
  lua_setglobal(L, "ml");
  return 0;
}

lua_State *luaml_newstate(const luaml_options *opts) {
  static const luaml_options none = {0, 0, 0};
  lua_State *L;
  Ctl *c = (Ctl *)calloc(1, sizeof *c);
  if (c == NULL) return NULL;
  if (opts == NULL) opts = &none;
  c->limit = opts->memory_limit;
  c->ilimit = opts->instruction_limit <= 0 ? 0
            : opts->instruction_limit > INT_MAX ? INT_MAX
            : (int)opts->instruction_limit;
  L = lua_newstate(lalloc, c);
  if (L == NULL) {  /* c->live is 0: the allocator left c to us */
    freectl(c);
    return NULL;
  }
  c->live = 1;
  lua_atpanic(L, panic);
  lua_setwarnf(L, warnf, c);
  lua_pushcfunction(L, openall);
  lua_pushboolean(L, opts->sandbox);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
    lua_close(L);
    return NULL;
  }
  if (c->ilimit > 0) lua_sethook(L, counthook, LUA_MASKCOUNT, c->ilimit);
  return L;
}

void luaml_trim(lua_State *L) {
  lmL_cachetrim(L);
}

/* ---- protected calls -------------------------------------------------- */

/* Message handler of luaml_pcall (lua.c's): append a traceback to the
** error message; an error object that is not a string is described by
** its __tostring or its type.  Stack: [-0, +1]. */
static int msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)",
                          luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int luaml_pcall(lua_State *L, int nargs, int nresults) {
  Ctl *c = getctl(L);
  int status, base = lua_gettop(L) - nargs;  /* the function's index */
  if (c != NULL && c->ilimit > 0)  /* a new budget for this call */
    lua_sethook(L, counthook, LUA_MASKCOUNT, c->ilimit);
  if (!lua_checkstack(L, 1))  /* no room for the handler */
    return lua_pcall(L, nargs, nresults, 0);
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  status = lua_pcall(L, nargs, nresults, base);
  lua_remove(L, base);
  return status;
}
