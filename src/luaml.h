/*
** luaml.h -- embedding luaml in a C program.
**
** luaml is Lua 5.4 with a matrix type and machine-learning builtins.  A host
** creates a state with luaml_newstate, hands its data to Lua as matrices
** with luaml_pushmatrix, runs scripts with luaml_pcall, reads results back
** with luaml_checkmatrix / luaml_tomatrix, and closes the state with
** lua_close.  Build with `pkg-config --cflags --libs luaml`.
**
**   luaml_options o = {0};
**   o.sandbox = 1;  o.memory_limit = 64 << 20;  o.instruction_limit = 10000000;
**   lua_State *L = luaml_newstate(&o);         // NULL: out of memory
**   if (luaL_loadfilex(L, "score.lua", "t") != LUA_OK) ...   // message at -1
**   double *x = luaml_pushmatrix(L, n, 3);     // argument: n x 3, zeroed
**   for (i = 0; i < 3 * n; i++) x[i] = data[i];  // row-major
**   if (luaml_pcall(L, 1, 1) != LUA_OK) ...    // message at -1, with traceback
**   luaml_matrix *s = luaml_tomatrix(L, -1);   // NULL: not a matrix
**   for (i = 0; i < s->rows; i++) use(s->data[i * s->rs]);  // column 0
**   lua_pop(L, 1);                             // s is invalid from here on
**   lua_close(L);
**
** Errors.  Functions documented as "may raise" report errors the Lua way:
** they longjmp to the innermost protected call (lua_pcall, luaml_pcall).
** Outside any protected call an error calls the panic function, which
** prints the message and aborts: call raising functions from C code that
** runs inside lua_pcall/luaml_pcall (or a lua_CFunction called so), or
** accept that "not enough memory" there aborts.  The memory errors come
** from the state's allocator (see memory_limit below).
**
** This header is self-contained: it needs lua.h (pkg-config adds its path)
** and no other luaml header.
*/
#ifndef LUAML_H
#define LUAML_H

#include <stddef.h>

#include "lua.h"

#define LUAML_VERSION "0.1.0"

#ifndef LUAML_MATRIX_STRUCT
#define LUAML_MATRIX_STRUCT
/* A matrix as C sees it: a 2-D strided view of doubles.  Element (i, j),
** 0-based, is data[i*rs + j*cs].  Strides are in elements, not bytes; they
** are rs == cols, cs == 1 for a new matrix, and anything (including 0 for
** a broadcast row or column, or cs > 1 for a transposed view) for a view
** that a script returns, so always index through them. */
typedef struct luaml_matrix {
  double *data;      /* first element */
  int rows, cols;    /* shape */
  ptrdiff_t rs, cs;  /* row and column strides, in elements */
} luaml_matrix;
#endif

/* Options of luaml_newstate.  Zero-initialise the struct (`= {0}`) and set
** what you need: future versions may add fields whose zero value keeps the
** current behaviour.
**
** The guarantee: whatever a script does, a luaml_pcall on a state with
** sandbox, memory_limit, instruction_limit and time_limit set returns
** within twice time_limit seconds (its own time, and as much again for
** the finalizers it runs) plus at most one piece of C work that does
** not watch the clock (a LAPACK routine, or a pass over at most
** memory_limit bytes: a copy, a sort, a loader), having allocated at most
** memory_limit bytes, without touching files, the environment or the
** host's streams, and the state runs the next call normally -- also when
** the host runs scripts with plain lua_pcall or luaL_dostring (those are
** bounded by the instruction budget alone, see time_limit).
** The exceptions, precisely: a LAPACK routine (ml.solve, inv, det,
** cholesky, eigh, svd, lstsq, pinv) is refused before it starts when the
** instruction budget cannot pay for it but is not interrupted once
** running, so with time_limit alone (no instruction_limit) one routine
** runs to its end (one svd of the largest matrix 64 MB holds: seconds);
** copies, slices, concatenations, sorting and the loaders are charged
** but not interrupted (linear in the bytes they touch, or n log n);
** the kernel's zeroing of the pages of a fresh matrix is no one's to
** interrupt. */
typedef struct luaml_options {
  /* Nonzero: run untrusted scripts.  The state has exactly this of the
  ** standard libraries (luaml.c's `allowed`): the base functions but
  ** dofile and loadfile; coroutine, math, string, table and utf8;
  ** os.clock, date, difftime and time; package.loaded, preload, config,
  ** path and cpath (both "") and searchers (the preload searcher alone,
  ** so `require` finds loaded modules and nothing on disk).  No io, no
  ** debug, no package.loadlib or package.searchpath.  `load` refuses
  ** binary chunks (it always uses mode "t").  The luaml functions that
  ** read or write files (ml.load_*, ml.save_* and the matrix methods of
  ** those names) are removed before the Lua part of the library loads.
  ** The matrix metatable is protected (getmetatable gives its name).
  ** `print` stays (it writes to the host's stdout); warnings go to the
  ** `warn` function below, or nowhere.  The host itself may still load
  ** scripts with luaL_loadfilex(L, path, "t"). */
  int sandbox;
  /* Bytes the state may allocate, 0 = no limit.  Everything counts:
  ** Lua objects, every matrix's storage (it lives in a userdata) and the
  ** workspace of the linear-algebra functions (LAPACK's).  An
  ** allocation beyond the limit first triggers a full garbage collection,
  ** then fails with the Lua error "not enough memory" (status LUA_ERRMEM,
  ** raised in the script, catchable by pcall).  The state stays usable:
  ** what the failed code made becomes garbage and is collected.  Creating
  ** the state and loading the library take a few hundred KB (190 KB
  ** now); a limit below that makes luaml_newstate return NULL. */
  size_t memory_limit;
  /* VM instructions one call may run, 0 (or negative) = no limit; values
  ** above INT_MAX count as INT_MAX.  The budget is the call's, shared by
  ** all its coroutines; work done in C is charged to it
  ** (one instruction per 16 matrix elements read or written, per 64
  ** floating-point operations of a product or a LAPACK routine, per 16
  ** copies of string.rep, per element of table.move, per 128 bytes in use
  ** for a collectgarbage("collect") or ("step"), per 2 steps of the
  ** pattern matcher of string.find, match, gmatch and gsub, charged as it
  ** goes), and a C routine whose cost exceeds what is left is refused
  ** before it starts.
  ** Exceeding it raises the Lua error "instruction limit exceeded" in the
  ** script; pcall, xpcall and coroutine.resume in the script pass it on,
  ** and handlers that run while it unwinds (__close, __gc) stop at their
  ** first instruction, so the error always reaches the host.  luaml_pcall
  ** renews the budget for each call; calls made with plain lua_pcall
  ** (luaL_dostring) share the budget of the last luaml_pcall, and after a
  ** limit's error the next call gets a full budget whichever way it is
  ** made.  Finalizers (__gc) run in whichever call completes a
  ** collection cycle, often not the call that set them, so they are not
  ** charged to the call: each call has a second budget of the same
  ** instruction_limit (and time_limit, from the call's deadline) for the
  ** finalizers it runs.  A finalizer that exhausts it is cut off (its
  ** error becomes the "error in __gc" warning) and the call runs no more
  ** finalizers; the call itself goes on.  A call that hit a limit runs
  ** none.  So a call runs at most twice the limits, and a script's
  ** finalizers never fail the host's next call. */
  long instruction_limit;
  /* Seconds of wall time one luaml_pcall may take, 0 = no limit.  Checked
  ** every 1000 instructions, at each charge of C work (see above), every
  ** 4096 steps of pattern matching, and inside long C work: elementwise
  ** operations and reductions (between pieces of at most 2^20 elements,
  ** the thread pool's jobs included; copies and fills run whole) and
  ** products (in panels of 2^31 floating-point operations, which cost
  ** such products some 5-10% more time).  Exceeding it raises "time
  ** limit exceeded", which behaves as the instruction limit's error; a
  ** computation stopped at the deadline raises it from the function that
  ** ran it and leaves the matrix it was writing valid with unspecified
  ** contents (an `out` argument or the operand of an in-place function
  ** too).  It counts inside luaml_pcall and in finalizers run by
  ** lua_close, not in calls the host makes with plain lua_pcall: nothing
  ** in the state marks when such a call starts (the count hook fires
  ** every 1000 instructions whoever runs them, and cannot tell the host's
  ** idle time between two calls from a long call), so there is no start
  ** to count from.  Hosts that need the wall-clock bound call luaml_pcall
  ** (it is lua_pcall with a traceback). */
  double time_limit;
  /* Where Lua's warnings (`warn`, errors in finalizers) go once a script
  ** turned them on with warn("@on"): warn(warn_ud, msg, tocont) as a
  ** lua_WarnFunction.  NULL: to stderr, or nowhere in a sandbox. */
  lua_WarnFunction warn;
  void *warn_ud;
} luaml_options;

/* The standard module entry: pushes the module table (1 result), as
** `require "luaml"` does.  Loads the matrix type into L if needed.
** The first call in a state also puts a cache of large freed blocks in
** front of the state's allocator (lua_setallocf): blocks of 1 MB or more
** that Lua frees are kept for the next request of the same size, and all
** go back to the allocator before it is asked for more than 1 MB of fresh
** memory (new or growing blocks), before a refused request is retried,
** and when lua_close runs.  The allocator still sees every block it hands out
** come back; do not replace it with lua_setallocf after this call.
** Stack: [-0, +1].  May raise (memory). */
int luaopen_luaml(lua_State *L);

/* Give the blocks of that cache back to the allocator now: after a batch
** of work, before a state sits idle (the REPL does it after each line).
** The cache also empties itself once 1 MB of other memory is taken.
** Stack: [-0, +0].  Never raises. */
void luaml_trim(lua_State *L);

/* A new state with the standard libraries opened, `require "luaml"` done
** and the module in the global `ml`, configured by opts (NULL = all zero:
** no sandbox, no limits).  Returns NULL when the state cannot be created
** (not enough memory, or memory_limit too small).  Never raises.  Close
** it with lua_close, which also frees the accounting data of the limits.
** The state uses its own allocator (do not replace it with lua_setallocf)
** and, with instruction_limit or time_limit, the count hook (do not
** replace it with lua_sethook), guarded versions of pcall, xpcall,
** setmetatable, coroutine.resume/close/create/wrap, string.rep and
** table.move, and luaml's own string.find, match, gmatch and gsub (Lua
** 5.4's pattern matching and error messages, with its steps counted:
** src/lpattern.c) (a metatable with __gc or __close is then a private copy:
** getmetatable gives the original back, whose later changes are not
** seen).  Warnings (`warn`) are off until a script sends "@on". */
lua_State *luaml_newstate(const luaml_options *opts);

/* Call a function like lua_pcall(L, nargs, nresults, msgh): the function
** and its nargs arguments are on the top of the stack.  Differences: a
** runtime error's message gets a stack traceback appended (memory errors
** keep the plain "not enough memory"), and with instruction_limit the
** budget (instructions and time) is renewed first.  Returns LUA_OK (the results are pushed) or an
** error status (LUA_ERRRUN, LUA_ERRMEM, LUA_ERRERR) with the error message
** pushed.  Stack: [-(nargs+1), +(nresults or 1)].  Never raises.  Works
** with any state, also one not made by luaml_newstate.  A luaml_pcall
** made while another runs (from a C function it called) shares its
** budget. */
int luaml_pcall(lua_State *L, int nargs, int nresults);

/* Push a new rows x cols matrix of zeros, contiguous and row-major
** (rs == cols, cs == 1), and return its storage: the host fills element
** (i, j) at data[i*cols + j].  The pointer stays valid while the matrix is
** reachable from Lua (on the stack, in a variable or a table): pop it and
** it may be collected.  Scripts cannot resize it; m:close() in a script
** releases it.  Stack: [-0, +1].  May raise: negative or too large sizes
** (an error naming luaml_pushmatrix), memory (LUA_ERRMEM, or a message
** "...: not enough memory for a RxC matrix ..." when the size exceeds the
** machine's memory).  For an empty matrix (0 rows or columns) the pointer
** is not NULL but there is nothing to write. */
double *luaml_pushmatrix(lua_State *L, int rows, int cols);

/* The matrix at stack index idx (the view of its struct), or a Lua type
** error "bad argument #idx (matrix expected, got ...)" naming the
** function that is running, as luaL_checkudata does; an error also when
** the matrix has been closed.  The returned struct and its data pointer
** are owned by Lua: valid while the value is reachable from Lua, never to
** be freed by the host.  Read and write through data[i*rs + j*cs]; a view
** shares storage with the matrix it came from, so writes show in both.
** Stack: [-0, +0].  May raise (the type error). */
luaml_matrix *luaml_checkmatrix(lua_State *L, int idx);

/* The same as luaml_checkmatrix, but NULL instead of an error when the
** value is not a matrix (or a closed one).  Stack: [-0, +0].  Never raises. */
luaml_matrix *luaml_tomatrix(lua_State *L, int idx);

#endif
