/*
** host.c -- the luaml executable: runs a script, a -e chunk, standard
** input, or an interactive prompt, with the library preloaded as `ml`.
**   luaml [options] [script [args]]
*/
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

#include "luaml.h"

static const char *progname = "luaml";

static void usage(void) {
  fprintf(stderr,
    "usage: %s [options] [script [args]]\n"
    "  -e code   run code\n"
    "  -i        interactive prompt after the script\n"
    "  -v        show version\n"
    "  -         run standard input\n"
    "  --        stop handling options\n"
    "With no script, an interactive prompt.\n", progname);
}

/* message handler: add a traceback to the error */
static int msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

static int report(lua_State *L, int status) {
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "%s: %s\n", progname, msg ? msg : "(error)");
    fflush(stderr);
    lua_pop(L, 1);
  }
  return status;
}

static int docall(lua_State *L, int narg, int nres) {
  int status, base = lua_gettop(L) - narg;
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  status = lua_pcall(L, narg, nres, base);
  lua_remove(L, base);
  return status;
}

/* the global 'arg': script at 0, its arguments at 1.., options below 0 */
static void createargtable(lua_State *L, char **argv, int argc, int script) {
  int i;
  lua_createtable(L, argc - script - 1, script + 1);
  for (i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - script);
  }
  lua_setglobal(L, "arg");
}

static int dochunk(lua_State *L, int status) {
  if (status == LUA_OK) status = docall(L, 0, 0);
  return report(L, status);
}

static int dostring(lua_State *L, const char *s, const char *name) {
  return dochunk(L, luaL_loadbuffer(L, s, strlen(s), name));
}

static int runscript(lua_State *L, const char *fname, char **argv, int argc, int script) {
  int status, n, i;
  if (strcmp(fname, "-") == 0) fname = NULL;  /* stdin */
  status = luaL_loadfile(L, fname);
  if (status == LUA_OK) {
    n = argc - script - 1;
    luaL_checkstack(L, n + 3, "too many arguments to script");
    for (i = 1; i <= n; i++) lua_pushstring(L, argv[script + i]);
    status = docall(L, n, 0);
  }
  return report(L, status);
}

/* a plain prompt: each line is run; expressions print their values */
static void repl(lua_State *L) {
  char line[8192];
  const char *prompt = "> ";
  luaL_Buffer *unused = NULL;
  (void)unused;
  for (;;) {
    int status, n;
    fputs(prompt, stdout);
    fflush(stdout);
    if (fgets(line, sizeof line, stdin) == NULL) break;
    lua_pushfstring(L, "return %s", line);
    status = luaL_loadbuffer(L, lua_tostring(L, -1), lua_rawlen(L, -1), "=stdin");
    lua_remove(L, -2);
    if (status != LUA_OK) {
      lua_pop(L, 1);
      status = luaL_loadbuffer(L, line, strlen(line), "=stdin");
    }
    if (status == LUA_OK) {
      int base = lua_gettop(L);
      status = docall(L, 0, LUA_MULTRET);
      n = lua_gettop(L) - base + 1;
      if (status == LUA_OK && n > 0) {
        lua_getglobal(L, "print");
        lua_insert(L, -n - 1);
        status = lua_pcall(L, n, 0, 0);
      }
    }
    report(L, status);
  }
  fputs("\n", stdout);
}

int main(int argc, char **argv) {
  lua_State *L;
  int i, script = 0, interactive = 0, status = LUA_OK, ran = 0;
  if (argv[0] && argv[0][0]) progname = argv[0];
  L = luaml_newstate(NULL);
  if (L == NULL) {
    fprintf(stderr, "%s: cannot create state: not enough memory\n", progname);
    return EXIT_FAILURE;
  }
  for (i = 1; i < argc; i++) {  /* options */
    const char *a = argv[i];
    if (a[0] != '-' || strcmp(a, "-") == 0) { script = i; break; }
    if (strcmp(a, "--") == 0) { if (i + 1 < argc) script = i + 1; break; }
    if (strcmp(a, "-v") == 0) {
      printf("luaml %s (%s)\n", LUAML_VERSION, LUA_RELEASE);
      ran = 1;
    } else if (strcmp(a, "-i") == 0) {
      interactive = 1;
    } else if (strcmp(a, "-e") == 0) {
      if (++i >= argc) { usage(); lua_close(L); return EXIT_FAILURE; }
      createargtable(L, argv, argc, 0);
      if ((status = dostring(L, argv[i], "=(command line)")) != LUA_OK) break;
      ran = 1;
    } else {
      fprintf(stderr, "%s: unrecognized option '%s'\n", progname, a);
      usage();
      lua_close(L);
      return EXIT_FAILURE;
    }
  }
  if (status == LUA_OK && script > 0) {
    createargtable(L, argv, argc, script);
    status = runscript(L, argv[script], argv, argc, script);
    ran = 1;
  }
  if (status == LUA_OK && (interactive || !ran)) repl(L);
  lua_close(L);
  return status == LUA_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}
