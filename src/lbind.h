/*
** lbind.h -- internal helpers shared by the Lua binding files (lmatrix.c,
** lfuncs.c, llinalg.c, lio.c, lrandom.c, lselect.c, luaml.c).  Not
** installed.
*/
#ifndef LUAML_LBIND_H
#define LUAML_LBIND_H

#include "lua.h"
#include "lauxlib.h"

#include "core.h"
#include "luaml.h"

#define LM_MATRIX "luaml.matrix"  /* metatable name: luaL_typeerror prints it */

/* Raise an error prefixed with the position of the Lua code that called
** the current C function ("script.lua:12: "), like luaL_error.  Never
** returns.  No malloc'ed memory may be live when it is called. */
int lmL_error(lua_State *L, const char *fmt, ...);

/* Format m's shape as "RxC" into buf (at least LM_SHAPEBUF bytes). */
#define LM_SHAPEBUF 48
const char *lmL_shape(char *buf, const lm_mat *m);

/* Push a new dense row-major matrix of rows x cols with UNINITIALISED
** contents and return it.  fname names the function for error messages
** ("zeros"); negative sizes, rows*cols overflow and sizes beyond the
** machine's memory raise a clear error, a failed allocation raises
** "not enough memory".  The storage is counted by the state's allocator. */
lm_mat *lmL_newmat(lua_State *L, lua_Integer rows, lua_Integer cols,
                   const char *fname);
/* lmL_newmat for a result of the matrix at index like (an operand
** already checked): its metatable is taken from there, without a lookup */
lm_mat *lmL_newmatlike(lua_State *L, int like, lua_Integer rows,
                       lua_Integer cols, const char *fname);
/* lmL_newmat, filled with zeros */
lm_mat *lmL_zeros(lua_State *L, lua_Integer rows, lua_Integer cols,
                  const char *fname);
/* Push a new view of the matrix at index owner (which must be a matrix)
** with the given geometry; it keeps owner's storage alive. */
lm_mat *lmL_newview(lua_State *L, int owner, const lm_mat *geom);

/* the matrix at arg, or a type error ("matrix expected, got nil") */
lm_mat *lmL_checkmat(lua_State *L, int arg);
/* the matrix at arg, or NULL when it is not a matrix */
lm_mat *lmL_tomat(lua_State *L, int arg);
/* A matrix argument that may also be a number (a 1x1 matrix) or a table
** of numbers: the conversion replaces the argument on the stack. */
lm_mat *lmL_checkmatlike(lua_State *L, int arg);

/* The failure path of the matrix checks (lgrad.c): when the value at idx
** is a traced value of ml.grad, either hand the running C function over
** to ml.grad (inside the coroutine ml.grad runs f in: this yields and does
** not return) or replace the value at idx with its plain value and return
** 1.  Returns 0 when the value is not a traced value. */
int lmL_traced(lua_State *L, int idx);

/* Raise "fn: <na> are RxC but <nb> are RxC (shapes must match)" unless a
** and b have one shape; na, nb name them ("predictions", "targets"). */
void lmL_sameshape(lua_State *L, const lm_mat *a, const lm_mat *b,
                   const char *fn, const char *na, const char *nb);

/* 1 when matrices a and b may share memory (same underlying storage) */
int lmL_overlap(const lm_mat *a, const lm_mat *b);

/* Check an axis argument at arg: nil gives def; 1 or 2, else an error. */
int lmL_optaxis(lua_State *L, int arg, int def);
/* Binary elementwise op on args 1 and 2 (matrices, numbers or tables,
** broadcast); pushes the result (a number when both are numbers).  With
** outarg != 0, an optional 'out' matrix at that argument receives it. */
int lmL_arith(lua_State *L, lm_binop op, const char *fname, int outarg);
/* Check an optional 'out' matrix of shape (r, c) at arg; NULL when absent.
** fname is used in the error message. */
lm_mat *lmL_optout(lua_State *L, int arg, int r, int c, const char *fname);
/* checked size argument: an integer >= 0 that fits in an int */
int lmL_checkdim(lua_State *L, int arg, const char *what);
/* the sizes at arg, arg + 1 of a new matrix: (r, c), or one size n for a
** 1 x n row (numpy's zeros(n), rand(n) are vectors of n) */
void lmL_checkshape(lua_State *L, int arg, int *r, int *c);

/* Raise "fname: cannot load ..." for a core LM_ENOLIB (BLAS or LAPACKE
** missing: lm_lib_error says which and why). */
int lmL_liberror(lua_State *L, const char *fname);

/* The per-state random generator (created on first use). */
lm_rng *lmL_rng(lua_State *L);

/* Add the functions of l to the matrix methods (they take the matrix as
** argument 1).  The matrix metatable must exist (lmopen_matrix first). */
void lmL_addmethods(lua_State *L, const luaL_Reg *l);

/* LM_ASAN: built with AddressSanitizer, which must see every free to find
** uses after it: the allocators then keep no freed blocks. */
#if defined(__SANITIZE_ADDRESS__)  /* GCC */
#define LM_ASAN 1
#elif defined(__has_feature)  /* clang */
#if __has_feature(address_sanitizer)
#define LM_ASAN 1
#endif
#endif

/* The cache of large freed blocks (lmem.c): put it in front of L's
** allocator (once per state; luaopen_luaml does it), and the allocator
** underneath it, as lua_getallocf would give without the cache. */
void lmL_cacheinstall(lua_State *L);
/* hand every held block back (luaml_trim) */
void lmL_cachetrim(lua_State *L);
lua_Alloc lmL_getallocf(lua_State *L, void **ud);

/* Charge cost instructions to the running call's instruction budget
** (luaml_newstate's instruction_limit; also checks its time_limit), so
** that work done in C counts like work done in Lua: one instruction per
** LM_ELEMS_PER_INSTR elements read or written, per LM_FLOPS_PER_INSTR
** floating-point operations of a product or factorization.  Raises the
** limit's error, before the work starts, when the budget cannot pay; a
** no-op in a state without limits.  Defined in luaml.c. */
#define LM_ELEMS_PER_INSTR 16.0
#define LM_FLOPS_PER_INSTR 64.0
void lmL_charge(lua_State *L, double cost);
/* lmL_charge without a look at the clock (a system call on some
** machines), for many small charges: the pattern matcher's at the end of
** each call.  The time limit is checked by the next count hook or
** lmL_charge. */
void lmL_chargecount(lua_State *L, double cost);
/* After C work that stops early at the call's deadline (lm_parallel and
** the products, with time_limit; see core_simd.h): raise the time-limit
** error when it did.  The output it was writing is a valid matrix with
** unspecified contents.  lmL_charge set the deadline for the work. */
void lmL_endwork(lua_State *L);

/* Set find, gmatch, gsub and match in the table on the top of the stack
** (the string library) to lpattern.c's: Lua's pattern matching, whose
** steps are charged with lmL_charge.  Stack: [-0, +0]. */
void lmL_openpattern(lua_State *L);

/* Openers: each is called with the module table on the top of the stack,
** adds its functions to it (and to the matrix methods), leaves the stack as
** it found it. */
void lmopen_matrix(lua_State *L);
void lmopen_funcs(lua_State *L);
void lmopen_linalg(lua_State *L);
void lmopen_random(lua_State *L);
void lmopen_io(lua_State *L);
void lmopen_optim(lua_State *L);
/* ml.mpi (lmpi.c): only when an MPI launcher started the process */
void lmopen_mpi(lua_State *L);
void lmopen_grad(lua_State *L);
void lmopen_select(lua_State *L);

#endif
