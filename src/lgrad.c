/*
** lgrad.c -- the C side of ml.grad (lua/grad.lua): the derivative kernels
** of core_ops.h's rows, the names and kinds of the operations, and the
** hand-over of a C function that meets a traced value.
**
** ml.grad runs f in a coroutine, with its arguments wrapped in traced
** values (tables whose metatable lua/grad.lua registers here).  The
** library's C functions do not know them: a traced value fails their
** matrix check, and only on that failure path (lmL_traced) does anything
** happen, so a call on plain matrices costs what it cost before.  There,
** inside ml.grad's coroutine, the C function yields (marker, itself, its
** arguments) to ml.grad, which computes the
** operation on the values, records its derivative rule and resumes the
** coroutine with the traced result: Lua returns it as the C function's
** result.  A traced value met anywhere else (kept after ml.grad returned)
** stands for its value.
*/
#include <string.h>

#include "lbind.h"

static const char tracekey = 't';  /* registry: the traced values' metatable */

/* When the value at idx is a traced value, push its metatable and return
** 1; else push nothing and return 0. */
static int traced_meta(lua_State *L, int idx) {
  if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx)) return 0;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &tracekey);
  if (!lua_rawequal(L, -1, -2)) {
    lua_pop(L, 2);
    return 0;
  }
  lua_pop(L, 1);
  return 1;
}

int lmL_traced(lua_State *L, int idx) {
  int same;
  lua_Debug ar;
  idx = lua_absindex(L, idx);
  if (!traced_meta(L, idx)) return 0;
  lua_getfield(L, -1, "__thread");  /* the coroutine of the running ml.grad */
  lua_pushthread(L);
  same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);  /* metatable on top */
  if (!same) {  /* a traced value outside its ml.grad: its value */
    lua_pop(L, 1);
    lua_getfield(L, idx, "_v");
    lua_replace(L, idx);
    return 1;
  }
  if (!lua_isyieldable(L))
    return luaL_error(L, "a value that ml.grad differentiates reached a "
                      "library function from a callback that cannot hand it "
                      "back (table.sort's comparison, string.gsub's "
                      "replacement, a metamethod such as __tostring)");
  /* stack: arguments..., metatable -> metatable, function, args... (the
  ** caller's position is asked for, by where(), only when the rule fails) */
  lua_insert(L, 1);
  if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "f", &ar)) lua_insert(L, 2);
  else { lua_pushnil(L); lua_insert(L, 2); }
  return lua_yield(L, lua_gettop(L));  /* does not return here */
}

/* where(co): "file:line: " of the code that called the library function
** co is suspended in (as luaL_where(co, 1) says it), or "" */
static int g_where(lua_State *L) {
  lua_State *co = lua_tothread(L, 1);
  luaL_argexpected(L, co != NULL, 1, "coroutine");
  if (!lua_checkstack(co, 2)) {
    lua_pushliteral(L, "");
    return 1;
  }
  luaL_where(co, 1);
  lua_xmove(co, L, 1);
  return 1;
}

/* settraced(mt): the metatable of traced values */
static int g_settraced(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &tracekey);
  return 0;
}

/* a matrix at arg (a number becomes a 1x1 matrix); *num is set when it
** was a number */
static lm_mat *operand(lua_State *L, int arg, int *num) {
  *num = lua_type(L, arg) == LUA_TNUMBER;
  return lmL_checkmatlike(L, arg);
}

/* the result pushed last: a number when numbers came in */
static int result(lua_State *L, int num) {
  if (num) lua_pushnumber(L, lmL_tomat(L, -1)->data[0]);
  return 1;
}

/* ugrad(op, x, y, g) -> g * f'(x) (y = f(x); a number for numbers) */
static int g_ugrad(lua_State *L) {
  lua_Integer op = luaL_checkinteger(L, 1);
  int num, n2, n3;
  lm_mat *x, *y, *g, *o;
  luaL_argcheck(L, op >= 0 && op < LM_NUNOP, 1, "not an operation");
  x = operand(L, 2, &num);
  y = operand(L, 3, &n2);
  g = operand(L, 4, &n3);
  luaL_argcheck(L, y->rows == x->rows && y->cols == x->cols, 3, "shape");
  luaL_argcheck(L, g->rows == x->rows && g->cols == x->cols, 4, "shape");
  o = lmL_newmat(L, x->rows, x->cols, "grad");
  lm_unary_grad((lm_unop)op, x, y, g, o);
  lmL_endwork(L);
  return result(L, num && n3);
}

/* bgrad(op, side, a, b, z, g) -> g * d(a op b)/da (side 0) or /db (1), of
** z's shape (a number for numbers) */
static int g_bgrad(lua_State *L) {
  lua_Integer op = luaL_checkinteger(L, 1);
  int side = (int)luaL_checkinteger(L, 2), na, nb, nz, ng, r, c;
  lm_mat *a, *b, *z, *g, *o, va, vb;
  luaL_argcheck(L, op >= 0 && op < LM_NBINOP, 1, "not an operation");
  a = operand(L, 3, &na);
  b = operand(L, 4, &nb);
  z = operand(L, 5, &nz);
  g = operand(L, 6, &ng);
  if (!lm_broadcast_shape(a->rows, a->cols, b->rows, b->cols, &r, &c) ||
      r != z->rows || c != z->cols || r != g->rows || c != g->cols)
    return luaL_error(L, "grad: operand shapes do not fit");
  va = lm_broadcast_to(a, r, c);
  vb = lm_broadcast_to(b, r, c);
  o = lmL_newmat(L, r, c, "grad");
  lm_binary_grad((lm_binop)op, side != 0, &va, &vb, z, g, o);
  lmL_endwork(L);
  return result(L, na && nb);
}

/* ops(): {unary = {name = {op, differentiable}}, binary = {...},
** reduce = {name = differentiable}} from core_ops.h */
static void opentry(lua_State *L, const char *name, int op, int diff) {
  lua_createtable(L, 2, 0);
  lua_pushinteger(L, op);
  lua_rawseti(L, -2, 1);
  lua_pushboolean(L, diff);
  lua_rawseti(L, -2, 2);
  lua_setfield(L, -2, name);
}

static int g_ops(lua_State *L) {
#define UNENTRY(E, name, lname, ...) \
  opentry(L, lname, LM_##E, lm_unop_differentiable(LM_##E));
#define BINENTRY(E, name, lname, ...) \
  opentry(L, lname, LM_##E, lm_binop_differentiable(LM_##E));
#define REDENTRY(E, lname, kind) \
  lua_pushboolean(L, strcmp(#kind, "D") == 0); lua_setfield(L, -2, lname);
  lua_createtable(L, 0, 3);
  lua_newtable(L);
  LM_UNOPS(UNENTRY)
  lua_setfield(L, -2, "unary");
  lua_newtable(L);
  LM_BINOPS(BINENTRY)
  lua_setfield(L, -2, "binary");
  lua_newtable(L);
  LM_REDOPS(REDENTRY)
  lua_setfield(L, -2, "reduce");
  return 1;
}

static const luaL_Reg gradcore[] = {
  {"settraced", g_settraced}, {"ugrad", g_ugrad}, {"bgrad", g_bgrad},
  {"ops", g_ops}, {"where", g_where},
  {NULL, NULL}
};

/* ml._gradcore, which lua/grad.lua takes and removes from the module */
void lmopen_grad(lua_State *L) {
  luaL_getmetatable(L, LM_MATRIX);
  lua_newtable(L);
  lua_pushvalue(L, -2);
  luaL_setfuncs(L, gradcore, 1);  /* the metatable as upvalue 1 */
  lua_setfield(L, -3, "_gradcore");
  lua_pop(L, 1);
}
