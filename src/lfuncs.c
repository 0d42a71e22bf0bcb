/*
** lfuncs.c -- module functions and matrix methods over the numeric core:
** elementwise functions (and their in-place `_` variants), reductions,
** products and the ML builtins.  Every function is also a method, so
** ml.exp(m) == m:exp(); numbers in give a number out.
*/
#include <math.h>
#include <string.h>
#include <time.h>

#include "lbind.h"
#include "core_simd.h"

/* ---- helpers -------------------------------------------------------- */

/* the current function's registered name (upvalue 3) */
static const char *fname(lua_State *L) {
  return lua_tostring(L, lua_upvalueindex(3));
}

/* new result of shape (r, c), or the 'out' matrix at arg when given;
** either way it is pushed and returned.  Argument 1 is a checked matrix. */
static lm_mat *result(lua_State *L, int outarg, int r, int c, const char *fn) {
  lm_mat *o = outarg ? lmL_optout(L, outarg, r, c, fn) : NULL;
  if (o == NULL) return lmL_newmatlike(L, 1, r, c, fn);
  lua_pushvalue(L, outarg);
  return o;
}

/* When a partly overlaps o (say a:T() into a), push a copy of a, set
** *pushed and return the copy; else return a. */
static lm_mat *unalias(lua_State *L, lm_mat *a, const lm_mat *o,
                       const char *fn, int *pushed) {
  *pushed = 0;
  if (lmL_overlap(a, o) && !(a->data == o->data && a->rs == o->rs &&
                             a->cs == o->cs && a->rows == o->rows &&
                             a->cols == o->cols)) {
    lm_mat *t = lmL_newmat(L, a->rows, a->cols, fn);
    lm_copy(a, t);
    *pushed = 1;
    return t;
  }
  return a;
}

/* ---- unary elementwise ---------------------------------------------- */

#define UNNAME(E, name, lname, ...) {lname, LM_##E},
static const struct { const char *name; lm_unop op; } unops[] = {
  LM_UNOPS(UNNAME)
  {NULL, LM_NEG}
};

/* f(m [, out]) -> new matrix (or out); f(number) -> number.
** upvalues: the matrix metatable, op, name, in-place flag */
static int f_unary(lua_State *L) {
  lm_unop op = (lm_unop)lua_tointeger(L, lua_upvalueindex(2));
  int inplace = lua_toboolean(L, lua_upvalueindex(4)), pushed;
  lm_mat *a, *o;
  if (!inplace && lua_type(L, 1) == LUA_TNUMBER) {
    lua_pushnumber(L, lm_unop_scalar(op, lua_tonumber(L, 1)));
    return 1;
  }
  if (inplace) {
    a = lmL_checkmat(L, 1);
    lm_unary(op, a, a);
    lmL_endwork(L);
    lua_settop(L, 1);
    return 1;
  }
  a = lmL_checkmatlike(L, 1);
  o = result(L, 2, a->rows, a->cols, fname(L));
  a = unalias(L, a, o, fname(L), &pushed);
  lm_unary(op, a, o);
  lmL_endwork(L);
  if (pushed) lua_pop(L, 1);
  return 1;
}

/* clip(m, lo, hi [, out]); nil bounds are open */
static int clipgen(lua_State *L, int inplace) {
  double lo = luaL_optnumber(L, 2, -HUGE_VAL), hi = luaL_optnumber(L, 3, HUGE_VAL);
  lm_mat *a, *o;
  int pushed;
  if (lo > hi) lmL_error(L, "clip: lower bound %g is above upper bound %g", lo, hi);
  if (!inplace && lua_type(L, 1) == LUA_TNUMBER) {
    double v = lua_tonumber(L, 1);
    lua_pushnumber(L, v < lo ? lo : v > hi ? hi : v);
    return 1;
  }
  a = inplace ? lmL_checkmat(L, 1) : lmL_checkmatlike(L, 1);
  if (inplace) {
    lm_clip(a, lo, hi, a);
    lmL_endwork(L);
    lua_settop(L, 1);
    return 1;
  }
  o = result(L, 4, a->rows, a->cols, "clip");
  a = unalias(L, a, o, "clip", &pushed);
  lm_clip(a, lo, hi, o);
  lmL_endwork(L);
  if (pushed) lua_pop(L, 1);
  return 1;
}

static int f_clip(lua_State *L) { return clipgen(L, 0); }
static int f_clip_(lua_State *L) { return clipgen(L, 1); }

/* ---- binary elementwise --------------------------------------------- */

#define BINNAME(E, name, lname, ...) {lname, LM_##E},
static const struct { const char *name; lm_binop op; } binops[] = {
  LM_BINOPS(BINNAME)
  {NULL, LM_ADD}
};

/* f(a, b [, out]) */
static int f_binary(lua_State *L) {
  lm_binop op = (lm_binop)lua_tointeger(L, lua_upvalueindex(2));
  return lmL_arith(L, op, fname(L), 3);
}

/* a:f_(b): a = a op b in place; b must broadcast to a's shape.
** add_ and sub_ take an optional scale: w:add_(g, -lr) is w += -lr*g. */
static int f_binary_(lua_State *L) {
  lm_binop op = (lm_binop)lua_tointeger(L, lua_upvalueindex(2));
  const char *fn = fname(L);
  lm_mat *a = lmL_checkmat(L, 1), *b;
  int r, c;
  char s1[LM_SHAPEBUF], s2[LM_SHAPEBUF];
  if ((op == LM_ADD || op == LM_SUB) && !lua_isnoneornil(L, 3)) {
    double alpha = luaL_checknumber(L, 3);
    lm_mat vb;
    if (op == LM_SUB) alpha = -alpha;
    if (lua_type(L, 2) == LUA_TNUMBER) {
      lm_binary_scalar(LM_ADD, a, alpha * lua_tonumber(L, 2), 0, a);
      lmL_endwork(L);
      lua_settop(L, 1);
      return 1;
    }
    b = lmL_checkmatlike(L, 2);
    if (!lm_broadcast_shape(b->rows, b->cols, a->rows, a->cols, &r, &c) ||
        r != a->rows || c != a->cols)
      lmL_error(L, "%s: cannot broadcast %s into %s", fn, lmL_shape(s1, b),
                lmL_shape(s2, a));
    vb = lm_broadcast_to(b, r, c);
    if (lmL_overlap(&vb, a) && !(vb.data == a->data && vb.rs == a->rs && vb.cs == a->cs)) {
      lm_mat *t = lmL_newmat(L, b->rows, b->cols, fn);
      lm_copy(b, t);
      vb = lm_broadcast_to(t, r, c);
    }
    lm_axpy(alpha, &vb, a);
    lmL_endwork(L);
    lua_settop(L, 1);
    return 1;
  }
  if (lua_type(L, 2) != LUA_TNUMBER) {
    b = lmL_checkmatlike(L, 2);
    if (!lm_broadcast_shape(b->rows, b->cols, a->rows, a->cols, &r, &c) ||
        r != a->rows || c != a->cols)
      lmL_error(L, "%s: cannot broadcast %s into %s", fn, lmL_shape(s1, b),
                lmL_shape(s2, a));
  }
  lua_settop(L, 2);
  lua_pushvalue(L, 1);  /* out = the receiver */
  lmL_arith(L, op, fn, 3);
  lua_settop(L, 1);
  return 1;
}

/* ---- reductions ----------------------------------------------------- */

#define REDNAME(E, lname, ...) {lname, LM_##E},
static const struct { const char *name; lm_redop op; } redops[] = {
  LM_REDOPS(REDNAME)
  {NULL, LM_SUM}
};

/* f(m [, axis [, ddof]]) or f(m, {axis=, ddof=}): no axis -> number;
** axis 1 -> 1 x cols; axis 2 -> rows x 1 */
static int f_reduce(lua_State *L) {
  lm_redop op = (lm_redop)lua_tointeger(L, lua_upvalueindex(2));
  const char *fn = fname(L);
  lm_mat *a, *o;
  int axis;
  double ddof = 0;
  int needsone = (op == LM_MAX || op == LM_MIN || op == LM_ARGMAX || op == LM_ARGMIN);
  char sb[LM_SHAPEBUF];
  if (lua_type(L, 1) == LUA_TNUMBER && lua_isnoneornil(L, 2)) {
    lua_Number v = lua_tonumber(L, 1);
    if (op == LM_ARGMAX || op == LM_ARGMIN) { lua_pushinteger(L, 1); return 1; }
    lua_pushnumber(L, (op == LM_ARGMAX || op == LM_ARGMIN) ? 1 :
                   (op == LM_VAR || op == LM_STD) ? 0 :
                   (op == LM_NORM) ? fabs(v) :
                   (op == LM_ANY || op == LM_ALL) ? (v != 0) : v);
    return 1;
  }
  a = lmL_checkmatlike(L, 1);
  if (lua_type(L, 2) == LUA_TTABLE) {
    lua_getfield(L, 2, "axis");
    lua_getfield(L, 2, "ddof");
    ddof = luaL_optnumber(L, -1, 0);
    lua_pop(L, 1);
    lua_replace(L, 2);
    lua_settop(L, 2);
  } else if (lmL_tomat(L, 2) != NULL) {
    return lmL_error(L, "%s: the second argument is an axis (1 or 2); for the "
                     "elementwise %s of two matrices use ml.%s(a, b)", fn, fn,
                     op == LM_MIN ? "minimum" : "maximum");
  } else {
    ddof = luaL_optnumber(L, 3, 0);
  }
  axis = lmL_optaxis(L, 2, 0);
  if (ddof < 0) lmL_error(L, "%s: ddof must not be negative, got %g", fn, ddof);
  if (axis == 0) {
    if (needsone && lm_size(a) == 0)
      lmL_error(L, "%s: the %s matrix is empty: it has no %s", fn,
                lmL_shape(sb, a), (op == LM_MAX || op == LM_ARGMAX) ? "maximum" : "minimum");
    if (op == LM_ARGMAX || op == LM_ARGMIN)  /* a position: an integer */
      lua_pushinteger(L, (lua_Integer)lm_reduce_all(op, a, ddof));
    else
      lua_pushnumber(L, lm_reduce_all(op, a, ddof));
    return 1;
  }
  if (needsone && (axis == 1 ? a->rows : a->cols) == 0)
    lmL_error(L, "%s: cannot reduce the empty axis %d of a %s matrix", fn, axis,
              lmL_shape(sb, a));
  o = (axis == 1) ? lmL_newmat(L, 1, a->cols, fn) : lmL_newmat(L, a->rows, 1, fn);
  lm_reduce_axis(op, a, axis, ddof, o);
  lmL_endwork(L);
  return 1;
}

/* cumsum(m [, axis]): default along a vector, else down the rows */
static int f_cumsum(lua_State *L) {
  lm_mat *a = lmL_checkmatlike(L, 1), *o;
  int axis = lmL_optaxis(L, 2, a->rows == 1 ? 2 : 1);
  o = lmL_newmat(L, a->rows, a->cols, "cumsum");
  lm_cumsum(a, axis, o);
  return 1;
}

/* ---- products ------------------------------------------------------- */

/* Floating-point operations of one panel of a product that must stop
** at a deadline: 2^31, 40 ms on one core of an AVX-512 machine (a
** product of 2000 x 2000 took 4-11% more CPU time in such panels than in
** one call; smaller panels cost more) */
#define PANEL_FLOPS 2147483648.0

/* tgt = alpha a @ b + beta tgt (lm_gemm, scratch as lm_gemm_scratch(a, b,
** tgt) asks).  With a deadline (time_limit) and more than two panels of
** work, in panels of columns of b and tgt (strided views BLAS takes as
** they are), the deadline checked before each; the plain path is one
** lm_gemm call, as fast as before. */
static int gemm(double alpha, const lm_mat *a, const lm_mat *b, double beta,
                const lm_mat *tgt, double *scratch) {
  double flops = 2.0 * a->rows * (double)a->cols * b->cols;
  int j, w, st = LM_OK;
  if (flops < 2 * PANEL_FLOPS || lm_deadline() == 0)
    return lm_gemm(alpha, a, b, beta, tgt, scratch);
  w = (int)(PANEL_FLOPS / (2.0 * a->rows * (double)a->cols));
  if (w < 32) w = 32;
  for (j = 0; j < b->cols && st == LM_OK && !lm_past_deadline(); j += w) {
    lm_mat pb = *b, pt = *tgt;
    pb.cols = pt.cols = b->cols - j < w ? b->cols - j : w;
    pb.data += (ptrdiff_t)j * b->cs;
    pt.data += (ptrdiff_t)j * tgt->cs;
    st = lm_gemm(alpha, a, &pb, beta, &pt, scratch);
  }
  return st;
}

/* dot(a, b [, out [, alpha [, beta]]]): out = alpha * a @ b + beta * out,
** BLAS's gemm (alpha 1, beta 0 by default: the plain product).  beta other
** than 0 reads out, so it needs one; a number on either side scales (alpha
** and beta then have nothing to fold into).  The plain a:dot(b) of two
** matrices reads no more arguments than it has: on 10x10 matrices the
** checks cost a tenth of the product. */
static int f_dot(lua_State *L) {
  lm_mat *a, *b, *o, tgt;
  size_t ns;
  double *scratch = NULL, alpha = 1.0, beta = 0.0;
  int tmp = 0, top = lua_gettop(L), given = top >= 3 && !lua_isnil(L, 3);
  char s1[LM_SHAPEBUF], s2[LM_SHAPEBUF];
  if (top >= 4) {
    alpha = luaL_optnumber(L, 4, 1.0);
    beta = luaL_optnumber(L, 5, 0.0);
  }
  a = lmL_tomat(L, 1);
  b = a != NULL ? lmL_tomat(L, 2) : NULL;
  if (b == NULL) {  /* a number, a table, a closed matrix, a mistake */
    if (lua_type(L, 1) == LUA_TNUMBER || lua_type(L, 2) == LUA_TNUMBER) {
      if (!lua_isnoneornil(L, 4) || !lua_isnoneornil(L, 5)) {
        lmL_checkmatlike(L, 1);  /* a closed matrix, a string: say that first */
        lmL_checkmatlike(L, 2);
        lmL_error(L, "dot: alpha and beta go with a product of two matrices; "
                  "to scale by a number write x * m");
      }
      return lmL_arith(L, LM_MUL, "dot", 3);
    }
    a = lmL_checkmatlike(L, 1);
    b = lmL_checkmatlike(L, 2);
  }
  if (a->cols != b->rows)
    lmL_error(L, "dot: shapes %s and %s not aligned (%d columns vs %d rows)",
              lmL_shape(s1, a), lmL_shape(s2, b), a->cols, b->rows);
  if (beta != 0 && !given)
    lmL_error(L, "dot: beta = %g adds beta * out to the product, so it needs "
              "out: ml.dot(a, b, out, alpha, beta) (argument 3)", beta);
  lmL_charge(L, 2.0 * a->rows * (double)a->cols * b->cols / LM_FLOPS_PER_INSTR);
  o = result(L, given ? 3 : 0, a->rows, b->cols, "dot");
  tgt = *o;
  if (given &&  /* a new result (pushed at 3 by result) overlaps nothing */
      (lmL_overlap(o, a) || lmL_overlap(o, b))) {  /* compute aside */
    tgt = *lmL_newmat(L, a->rows, b->cols, "dot");
    if (beta != 0) lm_copy(o, &tgt);
    tmp = 1;
  }
  ns = lm_gemm_scratch(a, b, &tgt);
  if (ns > 0) scratch = lmL_newmat(L, 1, (lua_Integer)ns, "dot")->data;
  if (gemm(alpha, a, b, beta, &tgt, scratch) == LM_ENOLIB)
    lmL_liberror(L, "dot");
  if (ns > 0) lua_pop(L, 1);
  lmL_endwork(L);
  if (tmp) {
    lm_copy(&tgt, o);
    lua_pop(L, 1);
  }
  return 1;
}

/* the k-th element of a vector view */
static double vat(const lm_mat *v, int k) {
  return v->rows == 1 ? v->data[(ptrdiff_t)k * v->cs] : v->data[(ptrdiff_t)k * v->rs];
}

static void checkvector(lua_State *L, const lm_mat *v, const char *fn, const char *what) {
  char sb[LM_SHAPEBUF];
  if (v->rows != 1 && v->cols != 1)
    lmL_error(L, "%s: %s must be a vector (1xn or nx1), got %s", fn, what,
              lmL_shape(sb, v));
}

/* outer(u, v): u (n elements) x v (m elements) -> n x m */
static int f_outer(lua_State *L) {
  lm_mat *u = lmL_checkmatlike(L, 1), *v = lmL_checkmatlike(L, 2), *o;
  int n, m, i, j;
  checkvector(L, u, "outer", "argument 1");
  checkvector(L, v, "outer", "argument 2");
  n = (int)lm_size(u); m = (int)lm_size(v);
  o = lmL_newmat(L, n, m, "outer");
  for (i = 0; i < n; i++) {
    double x = vat(u, i);
    for (j = 0; j < m; j++) o->data[(size_t)i * m + j] = x * vat(v, j);
  }
  return 1;
}

/* inner(a, b): sum of products of two vectors of equal length (any
** orientation) or of two matrices of one shape -> number */
static int f_inner(lua_State *L) {
  lm_mat *a = lmL_checkmatlike(L, 1), *b = lmL_checkmatlike(L, 2);
  char s1[LM_SHAPEBUF], s2[LM_SHAPEBUF];
  lm_mat bt = *b;  /* b, or b viewed in a's orientation */
  double sum;
  if (a->rows != b->rows || a->cols != b->cols) {
    if ((a->rows != 1 && a->cols != 1) || (b->rows != 1 && b->cols != 1) ||
        lm_size(a) != lm_size(b))
      return lmL_error(L, "inner: shapes %s and %s do not match",
                       lmL_shape(s1, a), lmL_shape(s2, b));
    bt.rows = b->cols; bt.cols = b->rows; bt.rs = b->cs; bt.cs = b->rs;
  }
  if (lm_inner(a, &bt, &sum) == LM_ENOLIB) lmL_liberror(L, "inner");
  lua_pushnumber(L, sum);
  return 1;
}

/* ---- ML ------------------------------------------------------------- */

static int softmaxgen(lua_State *L, int log) {
  const char *fn = log ? "log_softmax" : "softmax";
  lm_mat *a, *o;
  int axis, pushed;
  if (lua_type(L, 1) == LUA_TNUMBER) {
    lua_pushnumber(L, log ? 0.0 : 1.0);
    return 1;
  }
  a = lmL_checkmatlike(L, 1);
  axis = lmL_optaxis(L, 2, 2);
  o = result(L, 3, a->rows, a->cols, fn);
  a = unalias(L, a, o, fn, &pushed);
  lm_softmax(a, axis, log, o);
  if (pushed) lua_pop(L, 1);
  return 1;
}

static int f_softmax(lua_State *L) { return softmaxgen(L, 0); }
static int f_log_softmax(lua_State *L) { return softmaxgen(L, 1); }

/* Check that v (a vector of n elements) holds class values 0..k-1. */
static void checklabels(lua_State *L, const lm_mat *v, int k, const char *fn) {
  int i, n = (int)lm_size(v);
  for (i = 0; i < n; i++) {
    double x = vat(v, i);
    if (!(x >= 0 && x < k && x == floor(x)))
      lmL_error(L, "%s: label %g at position %d is not a class value in 0..%d",
                fn, x, i + 1, k - 1);
  }
}

/* one_hot(labels [, k]): n labels (values 0..k-1) -> n x k;
** k defaults to the largest label + 1 */
static int f_one_hot(lua_State *L) {
  lm_mat *v = lmL_checkmatlike(L, 1), *o;
  int k, i, n;
  checkvector(L, v, "one_hot", "labels");
  n = (int)lm_size(v);
  if (lua_isnoneornil(L, 2)) {
    double mx = -1;
    for (i = 0; i < n; i++) {
      double x = vat(v, i);
      if (x != x)
        lmL_error(L, "one_hot: label %d is NaN, not a class value 0..k-1", i + 1);
      if (x > mx) mx = x;
    }
    if (!(mx < 1e7))
      lmL_error(L, "one_hot: largest label %g is not a class value (pass k)", mx);
    k = (int)mx + 1;
  } else {
    k = lmL_checkdim(L, 2, "number of classes");
  }
  checklabels(L, v, k, "one_hot");
  o = lmL_newmat(L, n, k, "one_hot");
  lm_one_hot(v, k, o);
  return 1;
}

void lmL_sameshape(lua_State *L, const lm_mat *a, const lm_mat *b,
                   const char *fn, const char *na, const char *nb) {
  char s1[LM_SHAPEBUF], s2[LM_SHAPEBUF];
  if (a->rows != b->rows || a->cols != b->cols)
    lmL_error(L, "%s: %s are %s but %s are %s (shapes must match)", fn, na,
              lmL_shape(s1, a), nb, lmL_shape(s2, b));
}

static int f_bce(lua_State *L) {
  lm_mat *a = lmL_checkmatlike(L, 1), *y = lmL_checkmatlike(L, 2);
  lmL_sameshape(L, a, y, "binary_cross_entropy", "predictions", "targets");
  lua_pushnumber(L, lm_bce(a, y));
  return 1;
}

/* Decide whether t holds labels (one per row of the N x K matrix p) or a
** one-hot/probability matrix of p's shape; labels are validated. */
static int targetkind(lua_State *L, const lm_mat *p, const lm_mat *t, const char *fn) {
  char s1[LM_SHAPEBUF], s2[LM_SHAPEBUF];
  if (t->rows == p->rows && t->cols == p->cols) return 0;  /* one-hot */
  if ((t->cols == 1 && t->rows == p->rows) || (t->rows == 1 && t->cols == p->rows)) {
    checklabels(L, t, p->cols, fn);
    return 1;
  }
  return lmL_error(L, "%s: scores are %s, targets are %s (expected %dx%d one-hot "
                   "targets or %dx1 class labels)", fn, lmL_shape(s1, p),
                   lmL_shape(s2, t), p->rows, p->cols, p->rows);
}

static int f_cross_entropy(lua_State *L) {
  lm_mat *p = lmL_checkmatlike(L, 1), *t = lmL_checkmatlike(L, 2);
  int labels = targetkind(L, p, t, "cross_entropy");
  lua_pushnumber(L, lm_cross_entropy(p, t, labels, 2));
  return 1;
}

/* softmax_cross_entropy(logits, targets [, grad]): mean loss; with grad
** = true a new N x K gradient d loss / d logits is the second result, with
** a matrix it is filled */
static int f_softmax_xent(lua_State *L) {
  lm_mat *z = lmL_checkmatlike(L, 1), *t = lmL_checkmatlike(L, 2), *g = NULL;
  int labels = targetkind(L, z, t, "softmax_cross_entropy");
  double loss;
  if (lua_toboolean(L, 3)) {
    if (lua_type(L, 3) == LUA_TBOOLEAN) g = lmL_newmat(L, z->rows, z->cols, "softmax_cross_entropy");
    else { g = lmL_optout(L, 3, z->rows, z->cols, "softmax_cross_entropy"); lua_pushvalue(L, 3); }
  }
  loss = lm_softmax_xent(z, t, labels, 2, g);
  lua_pushnumber(L, loss);
  if (g) { lua_insert(L, -2); return 2; }
  return 1;
}

static int f_mse(lua_State *L) {
  lm_mat *a = lmL_checkmatlike(L, 1), *b = lmL_checkmatlike(L, 2);
  lmL_sameshape(L, a, b, "mse", "predictions", "targets");
  lua_pushnumber(L, lm_mse(a, b));
  return 1;
}

static int f_r2(lua_State *L) {
  lm_mat *y = lmL_checkmatlike(L, 1), *yh = lmL_checkmatlike(L, 2);
  lmL_sameshape(L, y, yh, "r2", "targets", "predictions");
  lua_pushnumber(L, lm_r2(y, yh));
  return 1;
}

/* accuracy(pred, labels): fraction of equal entries; pred may be an
** N x K matrix of scores, whose row argmax (as a class value 0..K-1) is
** compared with N labels */
static int f_accuracy(lua_State *L) {
  lm_mat *p = lmL_checkmatlike(L, 1), *y = lmL_checkmatlike(L, 2);
  size_t hit = 0, n;
  int i, j;
  char s1[LM_SHAPEBUF], s2[LM_SHAPEBUF];
  if (p->cols > 1 && ((y->cols == 1 && y->rows == p->rows) ||
                      (y->rows == 1 && y->cols == p->rows && p->rows > 1))) {
    n = (size_t)p->rows;
    for (i = 0; i < p->rows; i++) {
      const double *r = p->data + (ptrdiff_t)i * p->rs;
      int best = 0;
      double lab = vat(y, i);
      if (!(lab >= 0 && lab < p->cols && lab == floor(lab)))
        return lmL_error(L, "accuracy: label %g of sample %d is not a class of "
                         "the %d score columns (labels are class values 0..%d)",
                         lab, i + 1, p->cols, p->cols - 1);
      for (j = 1; j < p->cols; j++)
        if (r[(ptrdiff_t)j * p->cs] > r[(ptrdiff_t)best * p->cs]) best = j;
      if ((double)best == lab) hit++;
    }
  } else if (p->rows == y->rows && p->cols == y->cols) {
    n = lm_size(p);
    for (i = 0; i < p->rows; i++)
      for (j = 0; j < p->cols; j++)
        if (p->data[(ptrdiff_t)i * p->rs + (ptrdiff_t)j * p->cs] ==
            y->data[(ptrdiff_t)i * y->rs + (ptrdiff_t)j * y->cs]) hit++;
  } else {
    return lmL_error(L, "accuracy: predictions are %s, labels are %s (expected "
                     "equal shapes, or N x K scores with N labels)",
                     lmL_shape(s1, p), lmL_shape(s2, y));
  }
  lua_pushnumber(L, n ? (double)hit / (double)n : NAN);
  return 1;
}

/* ---- timing --------------------------------------------------------- */

/* clock() -> seconds of wall time from a monotonic clock (an arbitrary
** origin): the difference of two calls times a piece of code, threads
** included, unlike os.clock() which counts this process's CPU time */
static int f_clock(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec);
  return 1;
}

/* ---- registration --------------------------------------------------- */

/* register f as ml.name and m:name with upvalues (the matrix metatable,
** op, name, flag): the metatable first, as for every function that takes
** matrices (lmatrix.c's tomatrix) */
static void addop(lua_State *L, lua_CFunction f, const char *name, int op, int flag) {
  /* stack: module table at -3, methods table at -2, metatable at -1 */
  int k;
  for (k = 0; k < 2; k++) {
    lua_pushvalue(L, -1);
    lua_pushinteger(L, op);
    lua_pushstring(L, name);
    lua_pushboolean(L, flag);
    lua_pushcclosure(L, f, 4);
    lua_setfield(L, -3 - k, name);
  }
}

static const luaL_Reg plain[] = {
  {"clip", f_clip}, {"clip_", f_clip_}, {"cumsum", f_cumsum},
  {"dot", f_dot}, {"matmul", f_dot}, {"outer", f_outer}, {"inner", f_inner},
  {"softmax", f_softmax}, {"log_softmax", f_log_softmax},
  {"one_hot", f_one_hot}, {"binary_cross_entropy", f_bce},
  {"cross_entropy", f_cross_entropy},
  {"softmax_cross_entropy", f_softmax_xent}, {"mse", f_mse}, {"r2", f_r2},
  {"accuracy", f_accuracy},
  {NULL, NULL}
};

void lmopen_funcs(lua_State *L) {
  int k;
  char buf[64];
  luaL_getmetatable(L, LM_MATRIX);
  lua_getfield(L, -1, "__methods");
  lua_insert(L, -2);  /* module, methods, metatable */
  for (k = 0; unops[k].name; k++) {
    addop(L, f_unary, unops[k].name, unops[k].op, 0);
    snprintf(buf, sizeof buf, "%s_", unops[k].name);
    addop(L, f_unary, buf, unops[k].op, 1);
  }
  for (k = 0; binops[k].name; k++) {
    addop(L, f_binary, binops[k].name, binops[k].op, 0);
    snprintf(buf, sizeof buf, "%s_", binops[k].name);
    addop(L, f_binary_, buf, binops[k].op, 1);
  }
  for (k = 0; redops[k].name; k++)
    addop(L, f_reduce, redops[k].name, redops[k].op, 0);
  for (k = 2; k <= 3; k++) {  /* plain functions into methods, module */
    lua_pushvalue(L, -k);
    lua_pushvalue(L, -2);
    luaL_setfuncs(L, plain, 1);
    lua_pop(L, 1);
  }
  lua_pop(L, 2);
  lua_pushcfunction(L, f_clock);  /* a module function, not a method */
  lua_setfield(L, -2, "clock");
}
