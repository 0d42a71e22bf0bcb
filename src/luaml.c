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
#include <time.h>

#include "lualib.h"

#include "lbind.h"
#include "core_simd.h"  /* lm_kernel_cache_allow, the deadline */

#define SANDBOXKEY "luaml.sandbox"  /* registry: true in a sandboxed state */
#define EMBEDKEY "luaml.newstate"   /* registry: true in luaml_newstate's states */

/* the Lua library, compiled to bytecode from lua/ by tools/embed.lua */
struct luaml_chunk { const char *name; const unsigned char *code; size_t len; };
extern const struct luaml_chunk luaml_chunks[];

/* Chunks that are modules of their own, loaded by require on first use
** (package.preload) instead of at every start: what only the prompt and
** the notebook need. */
static const struct { const char *file, *module; } lazychunks[] = {
  {"lua/notebook.lua", "luaml.notebook"},
  {NULL, NULL}
};

/* Load chunk c (its function on the stack).  The chunks are bytecode,
** which only the Lua build that wrote it accepts: a Lua other than the one
** luaml was built for (or a broken build) raises an error that says so. */
static void loadchunk(lua_State *L, const struct luaml_chunk *c) {
  char name[256];
  snprintf(name, sizeof name, "@%s", c->name);
  if (luaL_loadbufferx(L, (const char *)c->code, c->len, name, "b") != LUA_OK)
    luaL_error(L, "luaml: cannot load its Lua library (%s); "
               "rebuild luaml for this Lua (" LUA_RELEASE ")", lua_tostring(L, -1));
}

/* package.preload's loader of a lazy chunk (upvalues: the chunk as a light
** userdata, the module table): runs it with the module table, returns
** what it returns */
static int lazyload(lua_State *L) {
  loadchunk(L, (const struct luaml_chunk *)lua_touserdata(L, lua_upvalueindex(1)));
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_call(L, 1, 1);
  return 1;
}

/* Run each library chunk with the module table as its argument; chunks
** add their functions to it.  Lazy chunks go to package.preload (when the
** state has a package library). */
static void loadlib(lua_State *L, int mod) {
  const struct luaml_chunk *c;
  for (c = luaml_chunks; c->name != NULL; c++) {
    int k;
    for (k = 0; lazychunks[k].file && strcmp(lazychunks[k].file, c->name) != 0; k++) {}
    if (lazychunks[k].file != NULL) {
      if (lua_getglobal(L, "package") == LUA_TTABLE &&
          lua_getfield(L, -1, "preload") == LUA_TTABLE) {
        lua_pushlightuserdata(L, (void *)c);
        lua_pushvalue(L, mod);
        lua_pushcclosure(L, lazyload, 2);
        lua_setfield(L, -2, lazychunks[k].module);
      }
      lua_settop(L, mod);
      continue;
    }
    loadchunk(L, c);
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
  /* loaded by a stock interpreter (not luaml_newstate): the user's own
  ** cache of kernel choices may be kept */
  if (lua_getfield(L, LUA_REGISTRYINDEX, EMBEDKEY) == LUA_TNIL)
    lm_kernel_cache_allow(1);
  lua_pop(L, 1);
  lmL_cacheinstall(L);
  lua_newtable(L);
  mod = lua_gettop(L);
  lmopen_matrix(L);
  lmopen_funcs(L);
  lmopen_linalg(L);
  lmopen_random(L);
  lmopen_io(L);
  lmopen_optim(L);
  lmopen_mpi(L);
  lmopen_grad(L);
  lmopen_select(L);
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
  double tlimit;     /* time_limit in seconds, 0 = none */
  /* the running call's budget (see counthook) */
  int period;        /* instructions between two calls of the count hook */
  double ileft;      /* instructions left (charges of C work included) */
  double deadline;   /* monotonic time the call must end by, 0 = none */
  int tripped;       /* a limit was hit: Lua code raises until a new call */
  int inhandler;     /* guarded handlers running (__close, __gc, msgh) */
  int pending;       /* tripped in a handler: the call must still fail */
  /* the finalizers' budget, the call's second one (see guardgc) */
  double gcleft;     /* instructions left for the call's finalizers */
  double gcdeadline; /* monotonic time they must end by, 0 = none */
  int gccut;         /* a finalizer hit a limit: the call runs no more */
  char msg[96];      /* the limit's error message */
  int sandbox;       /* luaml_options.sandbox */
  int depth;         /* luaml_pcall calls running */
  int warn;          /* warnings: 0 off, 1 on, 2 on inside a message */
  lua_WarnFunction warnf;  /* the host's warning function, or NULL */
  void *warnud;
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

/* ---- limits: instruction_limit and time_limit ------------------------ */
/* A call's budget is shared by everything the call runs: the count hook
** fires every `period` instructions in every coroutine (a coroutine
** inherits the hook of the one that created it) and takes them from
** c->ileft; work done in C is charged to it by lmL_charge, creating a
** coroutine costs a period (so coroutines that end between two hooks are
** paid for), and the hook and lmL_charge check the deadline.  When a
** limit is hit, the call is `tripped`: the error is raised, and raised
** again at every instruction of any Lua code that runs while it unwinds
** (a pcall's handler, __close, xpcall's handler, __gc), and pcall, xpcall
** and coroutine.resume/close pass it on instead of returning it.  So the
** error always reaches the host; the first hook that fires outside a
** guarded handler after that belongs to the host's next call, which gets
** a new budget (luaml_pcall also renews it).  Finalizers (__gc) run with
** hooks off in Lua, so in a state with limits they run in a coroutine of
** their own, under the budget (see guardgc). */

#define PERIOD 1000  /* instructions between two calls of the count hook */

static void counthook(lua_State *L, lua_Debug *ar);

/* time_limit counts inside luaml_pcall, and in a finalizer (which gets a
** time_limit of its own when it runs outside luaml_pcall: lua_close) */
static int pastdeadline(Ctl *c) {
  return c->deadline > 0 && (c->depth > 0 || c->inhandler > 0) &&
         lm_now() > c->deadline;
}

/* a full budget for a new call, and one for the finalizers it runs */
static void renew(Ctl *c) {
  c->tripped = 0;
  c->pending = 0;
  c->ileft = c->ilimit;
  c->deadline = c->tlimit > 0 ? lm_now() + c->tlimit : 0;
  c->gcleft = c->ilimit;
  c->gcdeadline = c->tlimit > 0 ? c->deadline + c->tlimit : 0;
  c->gccut = 0;
}

/* raise the limit's error (c->msg), with the position of the Lua code
** running at level 0 */
static int raiselimit(lua_State *L, Ctl *c) {
  lua_sethook(L, counthook, LUA_MASKCOUNT, 1);  /* raise at every instruction */
  luaL_where(L, 0);
  lua_pushstring(L, c->msg);
  lua_concat(L, 2);
  return lua_error(L);
}

/* trip the call: a limit was hit */
static int trip(lua_State *L, Ctl *c, int bytime) {
  c->tripped = 1;
  c->pending = c->inhandler > 0;  /* a finalizer cannot pass the error on */
  if (bytime)
    snprintf(c->msg, sizeof c->msg, "time limit exceeded (%g s)", c->tlimit);
  else
    snprintf(c->msg, sizeof c->msg, "instruction limit exceeded (%d instructions)",
             c->ilimit);
  return raiselimit(L, c);
}

/* The count hook of the limits (see above). */
static void counthook(lua_State *L, lua_Debug *ar) {
  Ctl *c = getctl(L);
  int n = lua_gethookcount(L);
  (void)ar;
  if (c == NULL) return;
  if (c->tripped) {
    if (c->inhandler > 0) raiselimit(L, c);  /* still unwinding the fault */
    if (c->pending) {  /* the call that tripped in a finalizer goes on */
      c->pending = 0;
      raiselimit(L, c);
    }
    renew(c);  /* the host's next call (plain lua_pcall): a new budget */
    n = 0;
  }
  if (n != c->period) lua_sethook(L, counthook, LUA_MASKCOUNT, c->period);
  if (c->ilimit > 0 && (c->ileft -= n) < 0) trip(L, c, 0);
  if (pastdeadline(c)) trip(L, c, 1);
}

/* Also sets the deadline of the C work that follows on this thread
** (lm_set_deadline: the kernels stop early once it passed, see
** lmL_endwork): the call's, when time_limit counts now, else none.  The
** work that follows belongs to this state, since every binding function
** charges (for its result, lmL_newmat, or for reading its arguments,
** lmL_checkmat) before it computes. */
void lmL_charge(lua_State *L, double cost) {
  Ctl *c = getctl(L);
  if (c == NULL || c->period == 0) {  /* no limits */
    lm_set_deadline(0);
    return;
  }
  if (c->tripped) {
    if (c->inhandler > 0) raiselimit(L, c);
    if (c->pending) {
      c->pending = 0;
      raiselimit(L, c);
    }
    lm_set_deadline(0);
    return;  /* a host's call before the first hook: no charge */
  }
  if (c->ilimit > 0 && (c->ileft -= cost) < 0) trip(L, c, 0);
  if (pastdeadline(c)) trip(L, c, 1);
  lm_set_deadline(c->deadline > 0 && (c->depth > 0 || c->inhandler > 0) ? c->deadline : 0);
}

void lmL_chargecount(lua_State *L, double cost) {
  Ctl *c = getctl(L);
  if (c == NULL || c->period == 0) return;  /* no limits */
  if (c->tripped) lmL_charge(L, cost);  /* raises in a handler */
  else if (c->ilimit > 0 && (c->ileft -= cost) < 0) trip(L, c, 0);
}

void lmL_endwork(lua_State *L) {
  if (lm_cancelled()) lmL_charge(L, 0);  /* past the deadline: raises */
}

/* __close and xpcall's message handler, guarded: upvalue 1 is the
** function; it runs counted as a handler (the limit's error is raised at
** its first instruction while the call is tripped). */
static int guardcall(lua_State *L) {
  Ctl *c = getctl(L);
  int st, n = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  c->inhandler++;
  st = lua_pcall(L, n, LUA_MULTRET, 0);
  c->inhandler--;
  if (st != LUA_OK) {
    if (c->tripped) c->pending = 0;  /* passed on from here */
    return lua_error(L);
  }
  return lua_gettop(L);
}

/* Run the function in upvalue 1 with the value at index 1 as argument
** in a new coroutine (pushed, returned) whose count hook fires every
** `period` instructions, counted as a handler; *st and *nres as
** lua_resume gives them. */
static lua_State *runhandler(lua_State *L, Ctl *c, int period, int *st,
                             int *nres) {
  lua_State *co = lua_newthread(L);
  lua_sethook(co, counthook, LUA_MASKCOUNT, period);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_xmove(L, co, 2);
  c->inhandler++;
  *st = lua_resume(co, L, 1, nres);
  c->inhandler--;
  return co;
}

/* __gc, guarded: upvalue 1 is the finalizer.  Lua runs finalizers with
** hooks off, so it runs in a new coroutine, whose hook counts it.  A
** finalizer runs in whichever call completes a collection cycle, often
** not the one that set it, so finalizers are not charged to the call's
** budget: each call has a second one, as large, for the finalizers it
** runs (from the deadline, another time_limit).  A finalizer that
** exhausts it is cut off -- its error, the limit's, becomes Lua's "error
** in __gc" warning -- and the call's later finalizers do not run; the
** call itself goes on untouched.  So a call takes at most twice its
** limits, and a script's finalizers never fail the host's next call.  A
** tripped call runs no finalizer at all. */
static int guardgc(lua_State *L) {
  Ctl *c = getctl(L);
  lua_State *co;
  int st, nres, cut;
  double ileft = c->ileft, deadline = c->deadline;
  if (c->tripped || !lua_isfunction(L, lua_upvalueindex(1))) return 0;
  if (c->depth == 0 && c->inhandler == 0 && c->tlimit > 0 && !c->gccut &&
      lm_now() > c->gcdeadline)
    c->gcdeadline = lm_now() + c->tlimit;  /* outside luaml_pcall: its own time */
  if (c->gccut) return 0;  /* the call's finalizers used their budget */
  c->ileft = c->gcleft;
  c->deadline = c->gcdeadline;
  co = runhandler(L, c, c->period, &st, &nres);
  cut = c->tripped;  /* the finalizer hit a limit of its own budget */
  c->gcleft = c->ileft;
  c->gccut = cut;
  c->ileft = ileft;
  c->deadline = deadline;
  if (cut) {  /* the call was not tripped: it goes on */
    c->tripped = 0;
    c->pending = 0;
    lua_sethook(L, counthook, LUA_MASKCOUNT, c->period);
  }
  if (st != LUA_OK && st != LUA_YIELD) {
    lua_xmove(co, L, 1);  /* the error */
    lua_resetthread(co);
    return lua_error(L);
  }
  lua_resetthread(co);  /* a yield ends it too */
  return 0;
}

/* setmetatable(t, mt), guarded: a metatable with __gc or __close is
** replaced by a private copy whose handlers are guarded (guardgc,
** guardcall) and whose __metatable gives mt back, so getmetatable(t) is
** still mt; mt's later changes are not seen by t.  The copies are keys of
** COPIESKEY (weak), valued true when mt itself was protected. */
#define COPIESKEY "luaml.gccopies"
static int lsetmetatable(lua_State *L) {
  int t = lua_type(L, 2), prot = 0;
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
  lua_settop(L, 2);
  lua_getfield(L, LUA_REGISTRYINDEX, COPIESKEY);  /* 3 */
  if (lua_getmetatable(L, 1)) {  /* 4: protected? */
    if (lua_rawget(L, 3) == LUA_TNIL)
      prot = luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL;
    else
      prot = lua_toboolean(L, -1);
  }
  if (prot) return luaL_error(L, "cannot change a protected metatable");
  lua_settop(L, 3);
  if (t == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");  /* raw, as Lua looks them up */
    lua_rawget(L, 2);
    lua_pushliteral(L, "__close");
    lua_rawget(L, 2);
    if (!lua_isnil(L, -1) || !lua_isnil(L, -2)) {
      int isprot;
      lua_pop(L, 2);
      lua_newtable(L);  /* 4: the copy */
      lua_pushnil(L);
      while (lua_next(L, 2) != 0) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, 4);
      }
      if (lua_getfield(L, 4, "__gc") != LUA_TNIL) {
        lua_pushcclosure(L, guardgc, 1);
        lua_setfield(L, 4, "__gc");
      } else lua_pop(L, 1);
      if (lua_getfield(L, 4, "__close") != LUA_TNIL) {
        lua_pushcclosure(L, guardcall, 1);
        lua_setfield(L, 4, "__close");
      } else lua_pop(L, 1);
      isprot = lua_getfield(L, 4, "__metatable") != LUA_TNIL;
      lua_pop(L, 1);
      if (!isprot) {
        lua_pushvalue(L, 2);
        lua_setfield(L, 4, "__metatable");
      }
      lua_pushvalue(L, 4);
      lua_pushboolean(L, isprot);
      lua_rawset(L, 3);
      lua_replace(L, 2);
    } else {
      lua_pop(L, 2);
    }
  }
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

/* xpcall's message handler, guarded: upvalue 1 is the handler.  An
** error raised by the count hook leaves hooks off until a pcall catches
** it, and the handler runs before that: so it runs in a coroutine of its
** own, whose hook counts it; its error becomes its result (raising it
** would call the handler again). */
static int guardmsgh(lua_State *L) {
  Ctl *c = getctl(L);
  lua_State *co;
  int st, nres;
  lua_settop(L, 1);
  co = runhandler(L, c, c->tripped ? 1 : c->period, &st, &nres);  /* 2 */
  if (st == LUA_OK && nres >= 1) lua_xmove(co, L, 1);  /* the result */
  else if (st != LUA_OK && st != LUA_YIELD) lua_xmove(co, L, 1);  /* its error */
  else lua_pushnil(L);
  lua_resetthread(co);
  return 1;
}

/* the end of pcall and xpcall: a limit's error passes on */
static int finishpcall(lua_State *L, int status, lua_KContext extra) {
  if (status != LUA_OK && status != LUA_YIELD) {
    Ctl *c = getctl(L);
    if (c->tripped) return raiselimit(L, c);
    lua_pushboolean(L, 0);
    lua_pushvalue(L, -2);
    return 2;
  }
  return lua_gettop(L) - (int)extra;
}

static int lpcall(lua_State *L) {
  int status;
  luaL_checkany(L, 1);
  lua_pushboolean(L, 1);  /* the first result if no errors */
  lua_insert(L, 1);
  status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, finishpcall);
  return finishpcall(L, status, 0);
}

static int lxpcall(lua_State *L) {
  int status, n = lua_gettop(L);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, guardmsgh, 1);  /* the handler, guarded */
  lua_replace(L, 2);
  lua_pushboolean(L, 1);  /* the first result */
  lua_pushvalue(L, 1);    /* the function */
  lua_rotate(L, 3, 2);    /* both below the arguments */
  status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finishpcall);
  return finishpcall(L, status, 2);
}

/* coroutine.resume and coroutine.close (upvalue 1): a limit's error,
** which they return as (false, message), passes on */
static int lresume(lua_State *L) {
  Ctl *c = getctl(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  if (c->tripped) return raiselimit(L, c);
  return lua_gettop(L);
}

/* coroutine.create and coroutine.wrap (upvalue 1): a new coroutine costs
** a period of the budget */
static int lcocreate(lua_State *L) {
  Ctl *c = getctl(L);
  lmL_charge(L, c->period);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

/* string.rep(s, n [, sep]) (upvalue 1): its n copies are charged first,
** so that string.rep("", math.maxinteger) is not a long C loop */
static int lstrrep(lua_State *L) {
  lua_Integer n = luaL_checkinteger(L, 2);
  if (n > 0) lmL_charge(L, (double)n / LM_ELEMS_PER_INSTR);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

/* table.move(a1, f, e, t [, a2]) (upvalue 1): its e - f + 1 moves (each a
** table access, maybe a metamethod) are charged first */
static int ltabmove(lua_State *L) {
  lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
  if (e >= f) lmL_charge(L, (double)e - (double)f + 1);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

/* replace field name of the table at -1 by f with the old value as
** upvalue 1 (or none: nup 0) */
/* collectgarbage, guarded: a full collection (or a step, which may end
** a cycle) visits the whole heap, so it is charged as C work over the
** bytes in use; the rest is the standard function's */
static int lcollect(lua_State *L) {
  const char *opt = luaL_optstring(L, 1, "collect");
  Ctl *c = getctl(L);
  if (c != NULL && (strcmp(opt, "collect") == 0 || strcmp(opt, "step") == 0))
    lmL_charge(L, (double)c->used / (sizeof(double) * LM_ELEMS_PER_INSTR));
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

static void wrapfield(lua_State *L, const char *name, lua_CFunction f, int nup) {
  if (nup) lua_getfield(L, -1, name);
  lua_pushcclosure(L, f, nup);
  lua_setfield(L, -2, name);
}

/* In a state with limits: the functions above in place of the standard
** ones.  Before luaml loads, so that its Lua library sees them too.
** Stack: [-0, +0]. */
static void guardlimits(lua_State *L) {
  lua_newtable(L);  /* the copies of metatables, weak keys */
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, COPIESKEY);
  lua_pushglobaltable(L);
  wrapfield(L, "pcall", lpcall, 0);
  wrapfield(L, "xpcall", lxpcall, 0);
  wrapfield(L, "setmetatable", lsetmetatable, 0);
  wrapfield(L, "collectgarbage", lcollect, 1);
  lua_getfield(L, -1, "coroutine");
  wrapfield(L, "resume", lresume, 1);
  wrapfield(L, "close", lresume, 1);
  wrapfield(L, "create", lcocreate, 1);
  wrapfield(L, "wrap", lcocreate, 1);
  lua_getfield(L, -2, "string");
  wrapfield(L, "rep", lstrrep, 1);
  lmL_openpattern(L);  /* find, gmatch, gsub, match: counted */
  lua_getfield(L, -3, "table");
  wrapfield(L, "move", ltabmove, 1);
  lua_pop(L, 4);
}

/* The warning function (lua_WarnFunction): off until "@on", "@off" turns
** it off again; a message may come in pieces (tocont).  Messages go to
** the host's function (luaml_options.warn) when it gave one, else to
** stderr, except in a sandbox, where they are dropped. */
static void warnf(void *ud, const char *msg, int tocont) {
  Ctl *c = (Ctl *)ud;
  if (c->warn != 2 && !tocont && msg[0] == '@') {  /* a control message */
    if (strcmp(msg, "@on") == 0) c->warn = 1;
    else if (strcmp(msg, "@off") == 0) c->warn = 0;
    return;
  }
  if (c->warn == 0) return;
  if (c->warnf != NULL) {
    c->warnf(c->warnud, msg, tocont);
  } else if (!c->sandbox) {
    if (c->warn == 1) fputs("Lua warning: ", stderr);
    fputs(msg, stderr);
    if (!tocont) {
      fputs("\n", stderr);
      fflush(stderr);
    }
  }
  c->warn = tocont ? 2 : 1;
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

/* What a sandboxed state has of the standard libraries, all of it:
** "name" a global, "lib.*" the whole of a library, "lib.name" one of its
** fields.  Everything else is removed (io, debug, dofile, loadfile,
** package.loadlib, package.searchpath, and os but for its clock).  load
** is replaced by textload, package.searchers by the preload searcher
** alone, package.path and cpath by "". */
static const char *const allowed[] = {
  "_G", "_VERSION", "assert", "collectgarbage", "error", "getmetatable",
  "ipairs", "load", "next", "pairs", "pcall", "print", "rawequal", "rawget",
  "rawlen", "rawset", "require", "select", "setmetatable", "tonumber",
  "tostring", "type", "warn", "xpcall",
  "coroutine.*", "math.*", "table.*", "utf8.*",
  "string.*",  /* string.dump too: load refuses what it makes */
  "os.clock", "os.date", "os.difftime", "os.time",
  "package.config", "package.cpath", "package.loaded", "package.path",
  "package.preload", "package.searchers",  /* path and cpath made "" */
  NULL
};

/* 1 when lib.name is in allowed (lib "" for a global) */
static int isallowed(const char *lib, const char *name) {
  const char *const *p;
  size_t n = strlen(lib);
  for (p = allowed; *p != NULL; p++) {
    if (n == 0) {
      if (strcmp(*p, name) == 0 || (strncmp(*p, name, strlen(name)) == 0 &&
                                    (*p)[strlen(name)] == '.'))
        return 1;
    } else if (strncmp(*p, lib, n) == 0 && (*p)[n] == '.' &&
               (strcmp(*p + n + 1, "*") == 0 || strcmp(*p + n + 1, name) == 0)) {
      return 1;
    }
  }
  return 0;
}

/* Remove from the table at idx every field that lib.name does not allow
** (non-string keys too).  Stack: [-0, +0]. */
static void keeponly(lua_State *L, int idx, const char *lib) {
  idx = lua_absindex(L, idx);
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    lua_pop(L, 1);  /* the value */
    if (lua_type(L, -1) != LUA_TSTRING || !isallowed(lib, lua_tostring(L, -1))) {
      lua_pushvalue(L, -1);
      lua_pushnil(L);
      lua_rawset(L, idx);  /* clearing a field during traversal is allowed */
    }
  }
}

/* Cut the opened standard libraries down to `allowed`, in place (the
** string library is also the strings' metatable's __index).
** Stack: [-0, +0]. */
static void confine(lua_State *L) {
  static const char *const libs[] = {"coroutine", "math", "table", "utf8",
                                     "string", "os", "package", NULL};
  const char *const *p;
  lua_pushglobaltable(L);
  keeponly(L, -1, "");
  lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {  /* package.loaded: the allowed libraries */
    const char *k;
    lua_pop(L, 1);
    k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
    if (!isallowed("", k)) {
      lua_pushvalue(L, -1);
      lua_pushnil(L);
      lua_rawset(L, -4);
    }
  }
  for (p = libs; *p != NULL; p++) {
    lua_getfield(L, -2, *p);
    keeponly(L, -1, *p);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);  /* package.loaded */
  lua_getfield(L, -1, "load");
  lua_pushcclosure(L, textload, 1);
  lua_setfield(L, -2, "load");
  lua_getfield(L, -1, "package");
  lua_pushliteral(L, "");
  lua_setfield(L, -2, "path");
  lua_pushliteral(L, "");
  lua_setfield(L, -2, "cpath");
  lua_getfield(L, -1, "searchers");
  lua_createtable(L, 1, 0);
  lua_rawgeti(L, -2, 1);  /* the preload searcher */
  lua_rawseti(L, -2, 1);
  lua_setfield(L, -3, "searchers");
  lua_pop(L, 3);  /* old searchers, package, _G */
}

/* The protected part of luaml_newstate: open the libraries, guard them
** when the state has limits, restrict them in a sandbox, require luaml
** into the global `ml`.  Argument 1 is the Ctl. */
static int openall(lua_State *L) {
  Ctl *c = (Ctl *)lua_touserdata(L, 1);
  luaL_openlibs(L);
  if (c->period > 0) guardlimits(L);
  if (c->sandbox) {
    confine(L);
    lua_pushboolean(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, SANDBOXKEY);
  }
  lua_pushboolean(L, 1);  /* a C host's state: see lm_kernel_cache_allow */
  lua_setfield(L, LUA_REGISTRYINDEX, EMBEDKEY);
  luaL_requiref(L, "luaml", luaopen_luaml, 0);
  lua_setglobal(L, "ml");
  if (c->sandbox) {  /* the matrix metatable: not the script's to change */
    luaL_getmetatable(L, LM_MATRIX);
    lua_pushliteral(L, LM_MATRIX);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
  }
  return 0;
}

lua_State *luaml_newstate(const luaml_options *opts) {
  static const luaml_options none = {0};
  lua_State *L;
  Ctl *c = (Ctl *)calloc(1, sizeof *c);
  if (c == NULL) return NULL;
  if (opts == NULL) opts = &none;
  c->limit = opts->memory_limit;
  c->ilimit = opts->instruction_limit <= 0 ? 0
            : opts->instruction_limit > INT_MAX ? INT_MAX
            : (int)opts->instruction_limit;
  c->tlimit = opts->time_limit > 0 ? opts->time_limit : 0;
  c->period = c->ilimit > 0 && c->ilimit < PERIOD ? c->ilimit
            : (c->ilimit > 0 || c->tlimit > 0) ? PERIOD : 0;
  c->sandbox = opts->sandbox != 0;
  c->warnf = opts->warn;
  c->warnud = opts->warn_ud;
  L = lua_newstate(lalloc, c);
  if (L == NULL) {  /* c->live is 0: the allocator left c to us */
    freectl(c);
    return NULL;
  }
  c->live = 1;
  lua_atpanic(L, panic);
  lua_setwarnf(L, warnf, c);
  lua_pushcfunction(L, openall);
  lua_pushlightuserdata(L, c);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
    lua_close(L);
    return NULL;
  }
  renew(c);
  if (c->period > 0) lua_sethook(L, counthook, LUA_MASKCOUNT, c->period);
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
  if (c != NULL && c->period > 0 && c->depth == 0) {  /* a new budget */
    renew(c);
    lua_sethook(L, counthook, LUA_MASKCOUNT, c->period);
  }
  if (c != NULL) c->depth++;
  if (!lua_checkstack(L, 1)) {  /* no room for the handler */
    status = lua_pcall(L, nargs, nresults, 0);
  } else {
    lua_pushcfunction(L, msghandler);
    lua_insert(L, base);
    status = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
  }
  if (c != NULL) c->depth--;
  if (c != NULL && c->depth == 0 && c->pending) {
    /* a finalizer hit a limit after the call's last instruction */
    c->pending = 0;
    if (status == LUA_OK) lua_pop(L, nresults == LUA_MULTRET ? lua_gettop(L) - base + 1 : nresults);
    lua_pushstring(L, c->msg);
    status = LUA_ERRRUN;
  }
  return status;
}
