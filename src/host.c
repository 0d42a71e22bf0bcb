/*
** host.c -- the luaml executable: runs a script, a -e chunk or standard
** input, and the interactive prompt (REPL), with the library loaded as the
** global `ml`.
**   luaml [options] [script [args]]
**
** The command line is lua.c's: LUA_INIT_5_4 / LUA_INIT, -e -l -i -v -E -W
** -- -, standard input run as one chunk when it is not a terminal (the
** prompt only on a terminal or with -i); luaml adds -h/--help, --version.
** The structure is lua.c's: main runs pmain protected; a message handler
** adds tracebacks (luaml_pcall); Ctrl-C while Lua runs sets a hook that
** raises "interrupted!"; the REPL tries each line as `return <line>`
** first, and reads continuation lines while the chunk ends in <eof>.
** As lua.c's, the REPL takes `=expr`, _PROMPT/_PROMPT2 and prints through
** the global print.  It adds: values printed readably (tables shown,
** matrices by their tostring), a trailing `;` that silences a line, `_` for
** the last value, `?name` and help(), `%time`, `%timeit`, `%who` (the last
** two in lua/prompt.lua), and, on a terminal with GNU readline, line
** editing, a history file and tab completion that runs no user code.
*/
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/select.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

#include "luaml.h"
#include "host.h"
#include "core.h"
#include "core_simd.h"  /* lm_kernel_cache_allow */

#if defined(LUAML_USE_READLINE)
#include <readline/readline.h>
#include <readline/history.h>
#endif

#define PROMPT    "> "
#define PROMPT2   ">> "
#define EOFMARK   "<eof>"
#define MAXINPUT  512    /* fgets buffer; longer lines are read in pieces */
#define HISTSIZE  1000   /* lines kept in the history file */
#define LUA_INIT_VAR        "LUA_INIT"    /* lua.c's names */
#define LUA_INITVARVERSION  LUA_INIT_VAR LUA_VERSUFFIX
#define DISPLAYKEY "luaml.display"  /* registry: the REPL's value printer */

static const char *progname = "luaml";

/* The state, for the signal handlers and the completion function (the
** only globals: signal handlers and readline callbacks take no user data). */
static lua_State *globalL = NULL;
/* set by the SIGINT handler while the REPL waits for input */
static volatile sig_atomic_t promptint = 0;
/* the SIGINT handler when no Lua code runs: SIG_DFL, or onprompt */
static void (*idlesig)(int) = SIG_DFL;

/* ---- signals and protected calls (lua.c) ---------------------------- */

/* Install handler for sig without SA_RESTART, so that a Ctrl-C at the
** prompt makes the pending read return (EINTR). */
static void setsignal(int sig, void (*handler)(int)) {
  struct sigaction sa;
  sa.sa_handler = handler;
  sa.sa_flags = 0;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

/* the hook set by laction: raise the error at the next Lua event */
static void lstop(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted!");
}

/* SIGINT while Lua runs: stop at the next instruction, call or return;
** a second Ctrl-C (C code that does not return) ends the process. */
static void laction(int i) {
  int flag = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
  setsignal(i, SIG_DFL);
  lua_sethook(globalL, lstop, flag, 1);
}

/* SIGINT while the REPL waits for input: drop the line being typed */
static void onprompt(int i) {
  (void)i;
  promptint = 1;
}

static void l_message(const char *pname, const char *msg) {
  if (pname) fprintf(stderr, "%s: ", pname);
  fprintf(stderr, "%s\n", msg);
  fflush(stderr);
}

/* Print the error message on the top of the stack when status is not OK,
** and pop it.  Returns status. */
static int report(lua_State *L, int status) {
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    l_message(progname, msg ? msg : "(error object is not a string)");
    lua_pop(L, 1);
  }
  return status;
}

/* Call the function below its narg arguments with a traceback on error
** (luaml_pcall) and Ctrl-C turned into a Lua error meanwhile.
** Stack: [-(narg+1), +(nres or 1)]. */
static int docall(lua_State *L, int narg, int nres) {
  int status;
  globalL = L;
  setsignal(SIGINT, laction);
  status = luaml_pcall(L, narg, nres);
  setsignal(SIGINT, idlesig);
  return status;
}

/* ---- command line ---------------------------------------------------- */

static void print_usage(FILE *f, const char *badoption) {
  if (badoption != NULL) {
    if (badoption[1] == 'e' || badoption[1] == 'l')
      fprintf(f, "%s: '%s' needs argument\n", progname, badoption);
    else
      fprintf(f, "%s: unrecognized option '%s'\n", progname, badoption);
  }
  fprintf(f,
    "usage: %s [options] [script [args]]\n"
    "  -e code   run the Lua code\n"
    "  -l mod    require module mod into the global mod (-l g=mod: into g)\n"
    "  -i        open the interactive prompt after the script\n"
    "  -v        print the version\n"
    "  -E        ignore the environment (LUA_INIT, LUA_PATH, LUA_CPATH)\n"
    "  -W        turn warnings on\n"
    "  -h        print this help\n"
    "  --        stop handling options\n"
    "  -         run standard input as a script\n"
    "  --kernel FILE  serve a Jupyter notebook (FILE: its connection file)\n"
    "  --install-kernel [--user | --prefix P]  write the Jupyter kernelspec\n"
    "With no script and no -e or -v: the interactive prompt on a terminal,\n"
    "else standard input runs as one script.  Before the options run,\n"
    "LUA_INIT_5_4 or LUA_INIT (code, or @file) runs, unless -E.\n",
    progname);
  fflush(f);
}

static void print_version(void) {
  printf("luaml %s -- %s\n", LUAML_VERSION, LUA_COPYRIGHT);
  fflush(stdout);
}

/* the global 'arg': script at 0, its arguments at 1.., the rest below 0 */
static void createargtable(lua_State *L, char **argv, int argc, int script) {
  int i, narg;
  if (script == argc) script = 0;  /* no script: all in negative indices */
  narg = argc - (script + 1);
  lua_createtable(L, narg, script + 1);
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

/* run the file name (standard input when NULL) as a chunk */
static int dofile(lua_State *L, const char *name) {
  return dochunk(L, luaL_loadfile(L, name));
}

/* LUA_INIT_5_4, else LUA_INIT: Lua code, or "@file" to run that file.
** Errors are reported as lua.c reports them ("LUA_INIT:1: ..."). */
static int handle_luainit(lua_State *L) {
  const char *name = "=" LUA_INITVARVERSION;
  const char *init = getenv(name + 1);
  if (init == NULL) {
    name = "=" LUA_INIT_VAR;
    init = getenv(name + 1);
  }
  if (init == NULL) return LUA_OK;
  if (init[0] == '@') return dofile(L, init + 1);
  return dostring(L, init, name);
}

/* -E: package.path and package.cpath back to Lua's defaults (the state
** was opened before the options were read, so LUA_PATH may be in them);
** LUA_NOENV tells libraries opened later to ignore the environment too. */
static void ignoreenv(lua_State *L) {
  lua_pushboolean(L, 1);
  lua_setfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
  if (lua_getglobal(L, "package") == LUA_TTABLE) {
    lua_pushliteral(L, LUA_PATH_DEFAULT);
    lua_setfield(L, -2, "path");
    lua_pushliteral(L, LUA_CPATH_DEFAULT);
    lua_setfield(L, -2, "cpath");
  }
  lua_pop(L, 1);
}

/* -l: global g = require(mod), for "mod" or "g=mod" */
static int dolibrary(lua_State *L, char *globname) {
  int status;
  char *mod = strchr(globname, '=');
  if (mod == NULL) {
    mod = globname;
  } else {
    *mod = '\0';
    mod++;
  }
  lua_getglobal(L, "require");
  lua_pushstring(L, mod);
  status = docall(L, 1, 1);
  if (status == LUA_OK) lua_setglobal(L, globname);
  return report(L, status);
}

/* the script's arguments, pushed; returns their count */
static int pushargs(lua_State *L) {
  int i, n;
  if (lua_getglobal(L, "arg") != LUA_TTABLE)
    luaL_error(L, "'arg' is not a table");
  n = (int)luaL_len(L, -1);
  luaL_checkstack(L, n + 3, "too many arguments to script");
  for (i = 1; i <= n; i++) lua_rawgeti(L, -i, i);
  lua_remove(L, -i);  /* the table */
  return n;
}

static int handle_script(lua_State *L, char **argv) {
  int status;
  const char *fname = argv[0];
  if (strcmp(fname, "-") == 0 && strcmp(argv[-1], "--") != 0)
    fname = NULL;  /* standard input */
  status = luaL_loadfile(L, fname);
  if (status == LUA_OK) {
    int n = pushargs(L);
    status = docall(L, n, LUA_MULTRET);
  }
  return report(L, status);
}

/* bits of collectargs' result */
#define has_error  1  /* bad option */
#define has_i      2  /* -i */
#define has_v      4  /* -v */
#define has_e      8  /* -e (-l alone still runs standard input) */
#define has_h     16  /* -h */
#define has_E     32  /* -E */

/* Scan the options; *first becomes the index of the script (argc when
** there is none, or the bad option when has_error). */
static int collectargs(char **argv, int *first) {
  int args = 0, i;
  for (i = 1; argv[i] != NULL; i++) {
    *first = i;
    if (argv[i][0] != '-') return args;  /* the script */
    switch (argv[i][1]) {
      case '-':
        if (strcmp(argv[i], "--help") == 0) { args |= has_h; break; }
        if (strcmp(argv[i], "--version") == 0) { args |= has_v; break; }
        if (argv[i][2] != '\0') return has_error;
        *first = i + 1;
        return args;
      case '\0':  /* '-': standard input is the script */
        return args;
      case 'i': case 'v': case 'h': case 'E': case 'W':
        if (argv[i][2] != '\0') return has_error;
        switch (argv[i][1]) {
          case 'i': args |= has_i; break;
          case 'v': args |= has_v; break;
          case 'h': args |= has_h; break;
          case 'E': args |= has_E; break;
          default: break;  /* -W: runargs */
        }
        break;
      case 'e': case 'l':
        if (argv[i][1] == 'e') args |= has_e;
        if (argv[i][2] == '\0') {  /* the argument is the next word */
          i++;
          if (argv[i] == NULL || argv[i][0] == '-') {
            *first = i - 1;
            return has_error;
          }
        }
        break;
      default:
        return has_error;
    }
  }
  *first = i;
  return args;
}

/* Run -e and -l in order, and turn warnings on at -W.  Returns 0 when
** one of them failed. */
static int runargs(lua_State *L, char **argv, int n) {
  int i;
  for (i = 1; i < n; i++) {
    int option = argv[i][1];
    if (argv[i][0] == '-' && option == 'W' && argv[i][2] == '\0')
      lua_warning(L, "@on", 0);
    if (argv[i][0] != '-' || (option != 'e' && option != 'l')) continue;
    {
      char *extra = argv[i] + 2;  /* -ecode or -e code */
      if (*extra == '\0') extra = argv[++i];
      if ((option == 'e' ? dostring(L, extra, "=(command line)")
                         : dolibrary(L, extra)) != LUA_OK)
        return 0;
    }
  }
  return 1;
}

/* ---- reading lines ---------------------------------------------------- */

static int interactive = 0;  /* stdin is a terminal: readline, history */
static int prompted = 0;     /* the last prompt shown was not empty */
static int timing = 0;       /* %time is on */

#if defined(LUAML_USE_READLINE)

static char histfile[4096];  /* empty: no history file */
static char *rl_got;         /* the line the readline callback received */
static int rl_status;        /* 0 reading, 1 a line, 2 end of input */

static void initcompletion(void);

/* The history file: $LUAML_HISTORY (empty: none), else ~/.luaml_history.
** Created 0600 when missing; any failure (no HOME, a read-only one) only
** means the history stays in memory. */
static void inithistory(void) {
  const char *path = getenv("LUAML_HISTORY"), *home = getenv("HOME");
  int fd;
  using_history();
  stifle_history(HISTSIZE);
  histfile[0] = '\0';
  if (path == NULL && home != NULL && home[0] != '\0') {
    if ((size_t)snprintf(histfile, sizeof histfile, "%s/.luaml_history",
                         home) >= sizeof histfile)
      histfile[0] = '\0';
  } else if (path != NULL && strlen(path) < sizeof histfile) {
    strcpy(histfile, path);
  }
  if (histfile[0] == '\0') return;
  if (read_history(histfile) == 0) return;
  fd = open(histfile, O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0) histfile[0] = '\0';
  else close(fd);
}

/* Add a chunk to the history, and to the file at once (a crash keeps it). */
static void saveline(const char *line) {
  if (!interactive || line[0] == '\0') return;
  add_history(line);
  if (histfile[0] != '\0' && append_history(1, histfile) != 0)
    histfile[0] = '\0';  /* unwritable: keep it in memory */
}

static void closehistory(void) {
  if (interactive && histfile[0] != '\0')
    history_truncate_file(histfile, HISTSIZE);
}

static void online(char *line) {
  rl_got = line;
  rl_status = line != NULL ? 1 : 2;
  rl_callback_handler_remove();
}

/* Read a line with readline's callback interface, so that a Ctrl-C (which
** only sets promptint) can end the wait.  SIGINT stays blocked except
** inside pselect, so none can slip in between the test and the wait. */
static int rlreadline(lua_State *L, const char *prompt) {
  sigset_t block, orig;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigprocmask(SIG_BLOCK, &block, &orig);
  rl_status = 0;
  promptint = 0;
  rl_callback_handler_install(prompt, online);
  while (rl_status == 0) {
    fd_set fds;
    if (promptint) {  /* drop the line */
      rl_free_line_state();
      rl_callback_sigcleanup();
      rl_callback_handler_remove();
      fputs("\n", stdout);
      fflush(stdout);
      break;
    }
    FD_ZERO(&fds);
    FD_SET(STDIN_FILENO, &fds);
    if (pselect(STDIN_FILENO + 1, &fds, NULL, NULL, NULL, &orig) < 0) {
      if (errno == EINTR) continue;
      rl_callback_handler_remove();
      rl_status = 2;
      break;
    }
    rl_callback_read_char();
  }
  sigprocmask(SIG_SETMASK, &orig, NULL);
  if (rl_status != 1) return rl_status == 2 ? 0 : -1;
  lua_pushstring(L, rl_got);
  free(rl_got);
  return 1;
}

static void initreadline(lua_State *L) {
  (void)L;
  if (!interactive) return;
  rl_readline_name = "luaml";
  rl_catch_signals = 0;  /* SIGINT is ours: see onprompt */
  initcompletion();
  inithistory();
}

#define lm_initreadline(L)      initreadline(L)
#define lm_readline(L, p)       (interactive ? rlreadline(L, p) : fgetsline(L, p))
#define lm_saveline(line)       saveline(line)
#define lm_closereadline()      closehistory()

#else  /* no readline */

#define lm_initreadline(L)      ((void)(L))
#define lm_readline(L, p)       fgetsline(L, p)
#define lm_saveline(line)       ((void)(line))
#define lm_closereadline()      ((void)0)

#endif

/* Read a line with fgets (the fallback), pushing it without its newline.
** Returns 1, 0 at end of input, or -1 when a Ctrl-C interrupted it. */
static int fgetsline(lua_State *L, const char *prompt) {
  char buf[MAXINPUT];
  luaL_Buffer b;
  int got = 0;
  promptint = 0;
  fputs(prompt, stdout);
  fflush(stdout);
  prompted = prompt[0] != '\0';
  luaL_buffinit(L, &b);
  for (;;) {
    size_t l;
    if (fgets(buf, sizeof buf, stdin) == NULL) {
      if (promptint || (ferror(stdin) && errno == EINTR)) {
        clearerr(stdin);
        luaL_pushresult(&b);
        lua_pop(L, 1);
        if (interactive) fputs("\n", stdout);
        return -1;
      }
      if (!got) {
        luaL_pushresult(&b);
        lua_pop(L, 1);
        return 0;
      }
      break;
    }
    got = 1;
    l = strlen(buf);
    if (l > 0 && buf[l - 1] == '\n') {
      luaL_addlstring(&b, buf, l - 1);
      break;
    }
    luaL_addlstring(&b, buf, l);
  }
  luaL_pushresult(&b);
  if (!interactive && prompted) {  /* echo it after the prompt, as readline
                                      does: the output reads as a session */
    fwrite(lua_tostring(L, -1), 1, lua_rawlen(L, -1), stdout);
    fputs("\n", stdout);
    fflush(stdout);
  }
  return 1;
}

/* ---- completion ----------------------------------------------------- */
#if defined(LUAML_USE_READLINE)

/* readline's completion entry: matches[0] is the common prefix of the
** matches, then the matches, then NULL (or NULL for no match). */
static char **complete(const char *text, int start, int end) {
  lua_State *L = globalL;
  char **m = NULL;
  int n, i, top = lua_gettop(L);
  (void)start; (void)end;
  rl_attempted_completion_over = 1;  /* never file names */
  rl_completion_append_character = '\0';
  if (L == NULL || !lua_checkstack(L, 4)) return NULL;
  lua_pushcfunction(L, luaml_completions);
  lua_pushlightuserdata(L, (void *)text);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK || (n = (int)lua_rawlen(L, -1)) == 0) {
    lua_settop(L, top);
    return NULL;
  }
  m = (char **)calloc((size_t)n + 2, sizeof *m);
  for (i = 0; m != NULL && i < n; i++) {
    lua_rawgeti(L, -1, i + 1);
    m[i + 1] = strdup(lua_tostring(L, -1));
    lua_pop(L, 1);
    if (m[i + 1] == NULL) break;
  }
  lua_settop(L, top);
  if (m == NULL || i < n) {  /* out of memory */
    while (m != NULL && i > 0) free(m[i--]);
    free(m);
    return NULL;
  }
  if (n == 1) {  /* the one match is the substitution */
    m[0] = m[1];
    m[1] = NULL;
    return m;
  }
  {
    size_t l = strlen(m[1]);
    for (i = 2; i <= n; i++) {
      size_t j = 0;
      while (j < l && m[i][j] == m[1][j]) j++;
      l = j;
    }
    m[0] = (char *)malloc(l + 1);
    if (m[0] == NULL) {
      for (i = 1; i <= n; i++) free(m[i]);
      free(m);
      return NULL;
    }
    memcpy(m[0], m[1], l);
    m[0][l] = '\0';
  }
  return m;
}

static void initcompletion(void) {
  rl_attempted_completion_function = complete;
  /* word breaks: not '.', ':' or '_', so "ml.sof" is one word */
  rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{(+-*/%^~#,[)]}";
}

#endif

/* ---- the REPL ---------------------------------------------------------- */

/* Make the REPL's globals and printer: help = ml.help, the display
** function (lua/notebook.lua's show) in the registry.  Raises on a memory
** error. */
static void initrepl(lua_State *L) {
  if (lua_getglobal(L, "ml") == LUA_TTABLE) {
    lua_getfield(L, -1, "help");
    lua_setglobal(L, "help");
  }
  if (luaml_pushnotebook(L))
    lua_getfield(L, -1, "show");
  else
    lua_getglobal(L, "tostring");
  lua_setfield(L, LUA_REGISTRYINDEX, DISPLAYKEY);
  lua_pop(L, 2);  /* ml, the module */
}

/* lua_CFunction: push the prompt, tostring(_PROMPT) (argument 1 true)
** or tostring(_PROMPT2), or the default when the global is nil. */
static int getprompt(lua_State *L) {
  int first = lua_toboolean(L, 1);
  if (lua_getglobal(L, first ? "_PROMPT" : "_PROMPT2") == LUA_TNIL)
    lua_pushstring(L, first ? PROMPT : PROMPT2);
  else
    luaL_tolstring(L, -1, NULL);  /* may run __tostring */
  return 1;
}

/* Read a line after the prompt (_PROMPT for a new chunk, _PROMPT2 for a
** continuation line; a prompt that cannot be made is the default).
** Pushes the line; returns 1, 0 at the end of input, -1 on Ctrl-C. */
static int pushline(lua_State *L, int firstline) {
  int got;
  lua_pushcfunction(L, getprompt);
  lua_pushboolean(L, firstline);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    lua_pop(L, 1);
    lua_pushstring(L, firstline ? PROMPT : PROMPT2);
  }
  got = lm_readline(L, lua_tostring(L, -1));
  if (got > 0) lua_remove(L, -2);  /* the prompt */
  else lua_pop(L, 1);
  return got;
}

/* 1 when the syntax error on the top of the stack says the chunk ended
** too early (more lines may complete it); then pops the message. */
static int incomplete(lua_State *L, int status) {
  if (status == LUA_ERRSYNTAX) {
    size_t lmsg;
    const char *msg = lua_tolstring(L, -1, &lmsg);
    size_t marklen = sizeof(EOFMARK) - 1;
    if (lmsg >= marklen && strcmp(msg + lmsg - marklen, EOFMARK) == 0) {
      lua_pop(L, 1);
      return 1;
    }
  }
  return 0;
}

/* bits of a chunk's flags */
#define F_EXPR   1  /* an expression: print its values, set _ */
#define F_QUIET  2  /* a trailing ';': do not print */
#define F_TIME   4  /* %time for this chunk */
#define F_SAVED  8  /* the line is in the history already */

/* add the chunk to the history unless it is there */
static void save(const char *chunk, int flags) {
  if (!(flags & F_SAVED)) lm_saveline(chunk);
}

/* Try the chunk at the top of the stack as `return <chunk>` (without a
** trailing ';', which sets F_QUIET).  On success replace it by the
** compiled function and set F_EXPR; else leave the stack as it was. */
static int addreturn(lua_State *L, int *flags) {
  size_t l;
  const char *line = lua_tolstring(L, -1, &l);
  const char *retline;
  int status, quiet = 0;
  while (l > 0 && strchr(" \t\r\n", line[l - 1])) l--;
  if (l > 0 && line[l - 1] == ';') {
    quiet = 1;
    l--;
  }
  lua_pushliteral(L, "return ");
  lua_pushlstring(L, line, l);
  lua_concat(L, 2);
  retline = lua_tolstring(L, -1, &l);
  status = luaml_loadsession(L, retline, l, "=stdin");
  if (status == LUA_OK) {
    lua_remove(L, -2);  /* the modified chunk */
    lua_remove(L, -2);  /* the original chunk */
    *flags |= F_EXPR | (quiet ? F_QUIET : 0);
  } else {
    lua_pop(L, 2);  /* the error message and the modified chunk */
  }
  return status;
}

/* Compile the chunk at stack index 1, reading continuation lines while
** it is incomplete; each version is tried as an expression first.  Leaves
** the function (or the error message) on the top.  Returns the status, or
** -1 when a Ctrl-C abandoned the chunk. */
static int multiline(lua_State *L, int *flags) {
  for (;;) {
    size_t len;
    const char *chunk = lua_tolstring(L, 1, &len);
    int status, got;
    lua_pushvalue(L, 1);
    if (addreturn(L, flags) == LUA_OK) {
      save(chunk, *flags);
      return LUA_OK;
    }
    lua_pop(L, 1);
    status = luaml_loadsession(L, chunk, len, "=stdin");
    if (!incomplete(L, status)) {
      save(chunk, *flags);
      return status;
    }
    if ((got = pushline(L, 0)) <= 0) {  /* end of input, or Ctrl-C */
      save(chunk, *flags);
      return got < 0 ? -1 : luaml_loadsession(L, chunk, len, "=stdin");
    }
    lua_pushliteral(L, "\n");  /* join the two lines with a newline */
    lua_insert(L, -2);
    lua_concat(L, 2);
    lua_pushvalue(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
    lua_replace(L, 1);
  }
}

/* lua_CFunction: call upvalue 1 with upvalue 2 (a REPL command bound to
** its argument, run as the line's chunk). */
static int boundcall(lua_State *L) {
  lua_settop(L, 0);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_call(L, 1, LUA_MULTRET);
  return lua_gettop(L);
}

/* Push the function name of lua/prompt.lua (package.loaded["luaml.prompt"])
** bound to the string arg, as a chunk to run; raises when it is missing. */
static void pushcommand(lua_State *L, const char *name, const char *arg) {
  lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  if (lua_getfield(L, -1, "luaml.prompt") != LUA_TTABLE ||
      lua_getfield(L, -1, name) != LUA_TFUNCTION)
    luaL_error(L, "the REPL's commands are missing (luaml.prompt)");
  lua_replace(L, -3);
  lua_pop(L, 1);
  lua_pushstring(L, arg);
  lua_pushcclosure(L, boundcall, 2);
}

/* the word w (such as "%timeit") at the start of line, followed by a
** blank or the end; returns what follows it, blanks skipped, or NULL */
static const char *command(const char *line, const char *w) {
  size_t l = strlen(w);
  if (strncmp(line, w, l) != 0 || (line[l] != '\0' && !strchr(" \t", line[l])))
    return NULL;
  line += l;
  return line + strspn(line, " \t");
}

/* the length of the name at s (letters, digits, '_', '.', ':') */
static size_t namelen(const char *s) {
  return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789_.:");
}

/* Rewrite the REPL's own commands in the line at index 1: `?name` and
** `help(ml.name)` into help "name" (so that a misspelt name gets
** suggestions), `=expr` into `return expr`, `%time [code]`, `%timeit
** code`, `%who`.  Returns 0 when nothing is left to run, 2 when the chunk
** to run is on the top (a command), 1 to run the line. */
static int commands(lua_State *L, int *flags) {
  const char *line = lua_tostring(L, 1), *rest;
  size_t l;
  while (*line == ' ' || *line == '\t') line++;
  if (strncmp(line, "help", 4) == 0) {  /* help(ml.name) */
    const char *p = line + 4 + strspn(line + 4, " \t");
    if (*p == '(') {
      p += 1 + strspn(p + 1, " \t");
      l = namelen(p);
      rest = p + l + strspn(p + l, " \t");
      if (l > 3 && strncmp(p, "ml.", 3) == 0 && rest[0] == ')' &&
          rest[1 + strspn(rest + 1, " \t\r;")] == '\0') {
        lm_saveline(lua_tostring(L, 1));
        *flags |= F_SAVED;
        lua_pushfstring(L, "help \"%s\"", lua_pushlstring(L, p, l));
        lua_replace(L, 1);
        lua_settop(L, 1);
      }
    }
    return 1;
  }
  if (line[0] != '?' && line[0] != '%' && line[0] != '=') return 1;
  lm_saveline(lua_tostring(L, 1));
  *flags |= F_SAVED;
  if (line[0] == '?') {
    const char *name = line + 1;
    while (*name == ' ') name++;
    l = namelen(name);
    if (name[l + strspn(name + l, " \t\r")] != '\0') {
      l_message(NULL, "?: give a name, as in ?ml.softmax or ?m:sum");
      return 0;
    }
    if (l == 0) lua_pushliteral(L, "help()");
    else lua_pushfstring(L, "help \"%s\"", lua_pushlstring(L, name, l));
    lua_replace(L, 1);
    lua_settop(L, 1);
  } else if (line[0] == '=') {  /* =expr, as in Lua 5.1 */
    lua_pushfstring(L, "return %s", line + 1);
    lua_replace(L, 1);
  } else if ((rest = command(line, "%time")) != NULL) {
    if (*rest == '\0') {
      timing = !timing;
      printf("timing is %s\n", timing ? "on" : "off");
      fflush(stdout);
      return 0;
    }
    *flags |= F_TIME;
    lua_pushstring(L, rest);
    lua_replace(L, 1);
  } else if ((rest = command(line, "%timeit")) != NULL) {
    pushcommand(L, "timeit", rest);
    return 2;
  } else if ((rest = command(line, "%who")) != NULL) {
    pushcommand(L, "who", rest);
    return 2;
  } else {
    l_message(NULL, "unknown command (the REPL knows %time, %timeit code, "
                    "%who and ?name)");
    return 0;
  }
  return 1;
}

/* Read and compile the next chunk.  Returns its status (the function or
** the message on the stack), -1 at the end of input, -2 when there is
** nothing to run (a Ctrl-C, a REPL command). */
static int loadline(lua_State *L, int *flags) {
  int status, got;
  lua_settop(L, 0);
  *flags = 0;
  if ((got = pushline(L, 1)) <= 0) return got == 0 ? -1 : -2;
  if ((got = commands(L, flags)) != 1) {
    if (got == 0) return -2;
    lua_remove(L, 1);  /* the line: its command's chunk is on the top */
    return LUA_OK;
  }
  lua_pushvalue(L, 1);
  if ((status = addreturn(L, flags)) == LUA_OK) {
    save(lua_tostring(L, 1), *flags);
  } else {
    lua_pop(L, 1);
    if ((status = multiline(L, flags)) == -1) return -2;
  }
  lua_remove(L, 1);  /* the line */
  return status;
}

/* Print the values on the stack through the display function and set _ to
** the first; upvalue 1 true: only set _.  Runs __tostring metamethods, so
** it is called protected. */
static int l_print(lua_State *L) {
  int n = lua_gettop(L);
  if (n == 0) return 0;
  lua_pushvalue(L, 1);
  lua_setglobal(L, "_");
  if (lua_toboolean(L, lua_upvalueindex(1))) return 0;  /* quiet */
  luaL_checkstack(L, 2, "too many results to print");
  lua_getfield(L, LUA_REGISTRYINDEX, DISPLAYKEY);
  lua_insert(L, 1);
  lua_call(L, n, 1);
  lua_getglobal(L, "print");  /* through print, which a user may replace */
  lua_insert(L, -2);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK)
    luaL_error(L, "error calling 'print' (%s)", lua_tostring(L, -1));
  return 0;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void print_time(double s) {
  if (s < 1e-3) printf("time: %.1f us\n", s * 1e6);
  else if (s < 1) printf("time: %.2f ms\n", s * 1e3);
  else printf("time: %.3f s\n", s);
  fflush(stdout);
}

/* The read-eval-print loop: until the end of input (Ctrl-D). */
static void doREPL(lua_State *L) {
  int status, flags;
  const char *oldprogname = progname;
  progname = NULL;  /* no program name on errors at the prompt */
  globalL = L;
  initrepl(L);
  lm_initreadline(L);
  idlesig = onprompt;
  setsignal(SIGINT, idlesig);
  if (interactive) {
    printf("luaml %s (%s)  help() for help, Ctrl-D to quit\n",
           LUAML_VERSION, LUA_RELEASE);
    fflush(stdout);
  }
  while ((status = loadline(L, &flags)) != -1) {
    double t0 = now();
    if (status == -2) continue;
    if (status == LUA_OK) status = docall(L, 0, LUA_MULTRET);
    if (status == LUA_OK && lua_gettop(L) > 0) {
      lua_pushboolean(L, (flags & F_QUIET) != 0);
      lua_pushcclosure(L, l_print, 1);
      lua_insert(L, 1);
      status = lua_pcall(L, lua_gettop(L) - 1, 0, 0);
      const char *msg = lua_tostring(L, -1);
      if (status != LUA_OK && (msg == NULL || strstr(msg, "error calling 'print'") == NULL))
        lua_pushfstring(L, "error printing the result: %s", msg);
    }
    report(L, status);
    if (timing || (flags & F_TIME)) print_time(now() - t0);
    luaml_trim(L);  /* freed large matrices go back while the prompt waits */
  }
  lua_settop(L, 0);
  lm_closereadline();
  idlesig = SIG_DFL;
  setsignal(SIGINT, idlesig);
  if (interactive || prompted) {  /* end the last prompt's line */
    fputs("\n", stdout);
    fflush(stdout);
  }
  progname = oldprogname;
}

/* ---- main --------------------------------------------------------------- */

/* The main program, run protected: arguments 1 and 2 are argc and argv.
** Returns true when everything ran without error. */
static int pmain(lua_State *L) {
  int argc = (int)lua_tointeger(L, 1);
  char **argv = (char **)lua_touserdata(L, 2);
  int script, args;
  luaL_checkversion(L);
  if (argc > 1 && strcmp(argv[1], "--kernel") == 0) {  /* kernel.c */
    if (argc != 3) {
      l_message(progname, "usage: luaml --kernel CONNECTION_FILE");
      return 0;
    }
    lua_pushboolean(L, luaml_kernel(L, argv[2]) == 0);
    return 1;
  }
  args = collectargs(argv, &script);
  interactive = isatty(STDIN_FILENO);
  if (args == has_error) {
    print_usage(stderr, argv[script]);
    return 0;
  }
  if (args & has_h) {
    print_usage(stdout, NULL);
    lua_pushboolean(L, 1);
    return 1;
  }
  if (args & has_v) print_version();
  if (args & has_E) ignoreenv(L);
  createargtable(L, argv, argc, script);
  lua_gc(L, LUA_GCGEN, 0, 0);  /* generational, as lua.c runs scripts */
  if (!(args & has_E) && handle_luainit(L) != LUA_OK) return 0;
  if (!runargs(L, argv, script)) return 0;
  if (script < argc && handle_script(L, argv + script) != LUA_OK) return 0;
  if (args & has_i) {
    doREPL(L);
  } else if (script == argc && !(args & (has_e | has_v))) {
    if (interactive) doREPL(L);
    else if (dofile(L, NULL) != LUA_OK) return 0;  /* stdin: one chunk */
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* luaml_newstate failed, which it does without saying why: open the
** library again in a plain state to get the error, and print it. */
static void whyfailed(void) {
  lua_State *L = luaL_newstate();
  if (L == NULL) {
    l_message(progname, "cannot create the Lua state: not enough memory");
    return;
  }
  luaL_openlibs(L);
  lua_pushcfunction(L, luaopen_luaml);
  if (lua_pcall(L, 0, 1, 0) != LUA_OK && lua_type(L, -1) == LUA_TSTRING)
    l_message(progname, lua_tostring(L, -1));
  else
    l_message(progname, "cannot create the Lua state (not enough memory?)");
  lua_close(L);
}

int main(int argc, char **argv) {
  int status, result;
  lua_State *L;
  if (argc > 1 && strcmp(argv[1], "--install-kernel") == 0)  /* kernel.c */
    return luaml_install_kernel(argv[0], argv + 2) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
  L = luaml_newstate(NULL);
  lm_kernel_cache_allow(1);  /* the program keeps the user's cache of choices */
  if (argv[0] && argv[0][0]) progname = argv[0];
  if (L == NULL) {
    whyfailed();
    return EXIT_FAILURE;
  }
  lua_pushcfunction(L, pmain);
  lua_pushinteger(L, argc);
  lua_pushlightuserdata(L, argv);
  status = lua_pcall(L, 2, 1, 0);
  result = lua_toboolean(L, -1);
  report(L, status);
  lua_close(L);
  return (result && status == LUA_OK) ? EXIT_SUCCESS : EXIT_FAILURE;
}
