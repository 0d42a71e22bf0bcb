/*
** lselect.c -- selection and ordering, as numpy users reach for them:
** where, mask, sort, argsort, unique, diag, median, quantile, cumprod,
** allclose, meshgrid.  Each is a module function and a matrix method
** (meshgrid only a function); the numeric work is core_sel.c's.  Also the
** errors that point numpy habits to these: X > 0.5 (__lt, __le) and
** (A == B):mean() (an __index for booleans).
*/
#include <limits.h>
#include <math.h>
#include <string.h>

#include "lbind.h"

/* Push a new full userdata of n elements of size sz (scratch that the
** collector frees, also when an error is raised) and return it. */
static void *scratch(lua_State *L, size_t n, size_t sz, const char *fn) {
  if (n > ((size_t)-1) / 4 / sz) lmL_error(L, "%s: too many elements", fn);
  return lua_newuserdatauv(L, n * sz + 1, 0);
}

/* the axis argument at arg for work along lines: nil gives the vector's
** own direction for a vector, else def */
static int lineaxis(lua_State *L, int arg, const lm_mat *a, int def) {
  if (lua_isnoneornil(L, arg)) {
    if (a->rows == 1 && a->cols != 1) return 2;
    if (a->cols == 1 && a->rows != 1) return 1;
    return def;
  }
  return lmL_optaxis(L, arg, def);
}

/* where(cond, a, b): a where cond is nonzero, else b, broadcast over the
** three (numbers are scalars).  Raises on shapes that do not broadcast. */
static int s_where(lua_State *L) {
  lm_mat *c, *a, *b, *o, vc, va, vb;
  int r, k, rr, cc;
  char s1[LM_SHAPEBUF], s2[LM_SHAPEBUF], s3[LM_SHAPEBUF];
  if (lua_gettop(L) < 3)
    return lmL_error(L, "where: expected where(cond, a, b) (a where cond is "
                     "nonzero, else b); for the rows where cond holds use "
                     "X:mask(cond)");
  c = lmL_checkmatlike(L, 1);
  a = lmL_checkmatlike(L, 2);
  b = lmL_checkmatlike(L, 3);
  if (!lm_broadcast_shape(c->rows, c->cols, a->rows, a->cols, &r, &k) ||
      !lm_broadcast_shape(r, k, b->rows, b->cols, &rr, &cc))
    return lmL_error(L, "where: cannot broadcast cond %s, a %s and b %s",
                     lmL_shape(s1, c), lmL_shape(s2, a), lmL_shape(s3, b));
  o = lmL_newmat(L, rr, cc, "where");
  vc = lm_broadcast_to(c, rr, cc);
  va = lm_broadcast_to(a, rr, cc);
  vb = lm_broadcast_to(b, rr, cc);
  lm_where(&vc, &va, &vb, o);
  return 1;
}

/* mask(X, m [, axis]): numpy's X[m] for a 0/1 mask m.  A vector m of
** X.rows entries selects rows (k x cols); of X.cols entries (X a row, or
** axis 2) columns (rows x k); an m of X's shape (X not a vector) the
** elements, 1 x k in row-major order.  axis 1 or 2 forces rows or columns. */
static int s_mask(lua_State *L) {
  lm_mat *a = lmL_checkmat(L, 1), *m = lmL_checkmatlike(L, 2), *o;
  int isvec = m->rows == 1 || m->cols == 1, axis = 0;
  size_t nm = lm_size(m), k;
  char s1[LM_SHAPEBUF], s2[LM_SHAPEBUF];
  if (!lua_isnoneornil(L, 3)) {
    axis = lmL_optaxis(L, 3, 1);
    if (!isvec || nm != (size_t)(axis == 1 ? a->rows : a->cols))
      return lmL_error(L, "mask: the mask is %s; selecting %s of a %s matrix "
                       "needs a vector of %d entries", lmL_shape(s1, m),
                       axis == 1 ? "rows" : "columns", lmL_shape(s2, a),
                       axis == 1 ? a->rows : a->cols);
  } else if (m->rows == a->rows && m->cols == a->cols && a->rows > 1 &&
             a->cols > 1) {
    axis = 0;  /* elements */
  } else if (isvec && nm == (size_t)a->rows && a->rows != 1) {
    axis = 1;
  } else if (isvec && nm == (size_t)a->cols) {
    axis = 2;
  } else {
    return lmL_error(L, "mask: the mask is %s but the matrix is %s (expected "
                     "a vector of %d entries to select rows, or a %s mask "
                     "to select elements)", lmL_shape(s1, m), lmL_shape(s2, a),
                     a->rows, lmL_shape(s2, a));
  }
  k = lm_count_nonzero(m);
  if (axis == 0) {
    o = lmL_newmat(L, 1, (lua_Integer)k, "mask");
    lm_mask_elems(a, m, o->data);
  } else {
    o = axis == 1 ? lmL_newmat(L, (lua_Integer)k, a->cols, "mask")
                  : lmL_newmat(L, a->rows, (lua_Integer)k, "mask");
    lm_mask_lines(a, m, axis, o);
  }
  return 1;
}

/* sort(X [, axis]) and argsort: stable, NaN last; a vector along itself,
** a matrix along each row (axis 2, numpy's default axis=-1) */
static int sortgen(lua_State *L, int arg) {
  const char *fn = arg ? "argsort" : "sort";
  lm_mat *a = lmL_checkmatlike(L, 1), *o;
  int axis = lineaxis(L, 2, a, 2);
  size_t n = (size_t)(axis == 1 ? a->rows : a->cols);
  size_t *sc = (size_t *)scratch(L, 2 * n, sizeof(size_t), fn);
  o = lmL_newmat(L, a->rows, a->cols, fn);
  lm_sort(a, axis, arg, o, sc);
  return 1;
}

static int s_sort(lua_State *L) { return sortgen(L, 0); }
static int s_argsort(lua_State *L) { return sortgen(L, 1); }

/* unique(X) -> values, counts: the sorted distinct values of X (1 x u)
** and how often each occurs (1 x u) */
static int s_unique(lua_State *L) {
  lm_mat *a = lmL_checkmatlike(L, 1), *v, *c, dense;
  size_t n = lm_size(a), u;
  double *x = (double *)scratch(L, n, sizeof(double), "unique");
  double *cnt = (double *)scratch(L, n, sizeof(double), "unique");
  size_t *sc = (size_t *)scratch(L, 2 * n, sizeof(size_t), "unique");
  if (n > 0) {
    dense = lm_dense(x, a->rows, a->cols);
    lm_copy(a, &dense);
  }
  u = lm_unique(x, n, cnt, sc);
  v = lmL_newmat(L, 1, (lua_Integer)u, "unique");
  if (u) memcpy(v->data, x, u * sizeof(double));
  c = lmL_newmat(L, 1, (lua_Integer)u, "unique");
  if (u) memcpy(c->data, cnt, u * sizeof(double));
  return 2;
}

/* diag(X [, k]): numpy's diag.  A vector gives the square matrix with it
** on diagonal k (0: the main one, k > 0 above, k < 0 below); a matrix
** gives its diagonal k as a 1 x n row (a copy). */
static int s_diag(lua_State *L) {
  lm_mat *a = lmL_checkmatlike(L, 1), *o, v;
  lua_Integer k = luaL_optinteger(L, 2, 0), ak;
  if (k < -((lua_Integer)1 << 30) || k > (lua_Integer)1 << 30)
    return luaL_argerror(L, 2, "the diagonal's offset is too large");
  ak = k < 0 ? -k : k;
  if (a->rows == 1 || a->cols == 1) {
    size_t n = lm_size(a), i;
    lua_Integer d;
    d = (lua_Integer)n + ak;
    o = lmL_zeros(L, d, d, "diag");
    for (i = 0; i < n; i++) {
      size_t r = k < 0 ? i + (size_t)ak : i, c = k > 0 ? i + (size_t)ak : i;
      o->data[r * (size_t)d + c] = a->rows == 1 ? a->data[(ptrdiff_t)i * a->cs]
                                                : a->data[(ptrdiff_t)i * a->rs];
    }
    return 1;
  }
  v = *a;
  if (k >= 0) {
    v.data += (k < a->cols ? k : 0) * a->cs;
    v.cols = k < a->cols ? (a->cols - (int)k < a->rows ? a->cols - (int)k : a->rows) : 0;
  } else {
    v.data += (ak < a->rows ? ak : 0) * a->rs;
    v.cols = ak < a->rows ? (a->rows - (int)ak < a->cols ? a->rows - (int)ak : a->cols) : 0;
  }
  v.rows = 1;
  v.cs = a->rs + a->cs;
  o = lmL_newmat(L, 1, v.cols, "diag");
  lm_copy(&v, o);
  return 1;
}

/* median(X [, axis]) and quantile(X, q [, axis]): numpy's (linear
** interpolation); no axis: over all elements, a number */
static int quantgen(lua_State *L, int median) {
  const char *fn = median ? "median" : "quantile";
  lm_mat *a = lmL_checkmatlike(L, 1), *o;
  double q = 0.5;
  int axarg = median ? 2 : 3, axis;
  size_t n;
  if (!median) {
    q = luaL_checknumber(L, 2);
    if (!(q >= 0 && q <= 1))
      return luaL_argerror(L, 2, lua_pushfstring(L, "q must be between 0 and "
                           "1, got %f (for a percentile p use q = p / 100)", q));
  }
  if (lua_isnoneornil(L, axarg)) {  /* all elements, as one row */
    lm_mat row, res;
    double r;
    n = lm_size(a);
    if (n == 0 && !median)
      return lmL_error(L, "quantile: the matrix is empty (a quantile of "
                       "nothing is not defined)");
    if (n > (size_t)INT_MAX)
      return lmL_error(L, "%s: %d x %d is too many elements for one %s; take "
                       "it by axis", fn, a->rows, a->cols, fn);
    row = lm_dense((double *)scratch(L, n, sizeof(double), fn), 1, (int)n);
    if (n > 0) {
      lm_mat dense = lm_dense(row.data, a->rows, a->cols);
      lm_copy(a, &dense);
    }
    res = lm_dense(&r, 1, 1);
    lm_quantile(&row, 2, q, median, &res, row.data);
    lua_pushnumber(L, r);
    return 1;
  }
  axis = lmL_optaxis(L, axarg, 1);
  n = (size_t)(axis == 1 ? a->rows : a->cols);
  if (n == 0 && !median) {
    char sb[LM_SHAPEBUF];
    return lmL_error(L, "quantile: cannot take a quantile along the empty axis "
                     "%d of a %s matrix", axis, lmL_shape(sb, a));
  }
  {
    double *sc = (double *)scratch(L, n, sizeof(double), fn);
    o = axis == 1 ? lmL_newmat(L, 1, a->cols, fn) : lmL_newmat(L, a->rows, 1, fn);
    lm_quantile(a, axis, q, median, o, sc);
  }
  return 1;
}

static int s_median(lua_State *L) { return quantgen(L, 1); }
static int s_quantile(lua_State *L) { return quantgen(L, 0); }

/* cumprod(X [, axis]): as cumsum, along a vector, else down the rows */
static int s_cumprod(lua_State *L) {
  lm_mat *a = lmL_checkmatlike(L, 1), *o;
  int axis = lineaxis(L, 2, a, 1);
  o = lmL_newmat(L, a->rows, a->cols, "cumprod");
  lm_cumprod(a, axis, o);
  return 1;
}

/* allclose(a, b [, rtol=1e-5 [, atol=1e-8]]) -> boolean: numpy's */
static int s_allclose(lua_State *L) {
  lm_mat *a = lmL_checkmatlike(L, 1), *b = lmL_checkmatlike(L, 2), va, vb;
  double rtol = luaL_optnumber(L, 3, 1e-5), atol = luaL_optnumber(L, 4, 1e-8);
  int r, c;
  char s1[LM_SHAPEBUF], s2[LM_SHAPEBUF];
  if (!lm_broadcast_shape(a->rows, a->cols, b->rows, b->cols, &r, &c))
    return lmL_error(L, "allclose: cannot broadcast %s with %s",
                     lmL_shape(s1, a), lmL_shape(s2, b));
  va = lm_broadcast_to(a, r, c);
  vb = lm_broadcast_to(b, r, c);
  lua_pushboolean(L, lm_allclose(&va, &vb, rtol, atol));
  return 1;
}

/* meshgrid(xs, ys) -> X, Y: numpy's (indexing "xy"): both #ys x #xs, each
** row of X is xs, each column of Y is ys */
static int s_meshgrid(lua_State *L) {
  lm_mat *x = lmL_checkmatlike(L, 1), *y = lmL_checkmatlike(L, 2), *o, v;
  int nx = (int)lm_size(x), ny = (int)lm_size(y);
  char sb[LM_SHAPEBUF];
  if (x->rows != 1 && x->cols != 1 && nx != 0)
    return lmL_error(L, "meshgrid: xs must be a vector, got a %s matrix "
                     "(use xs:reshape(1, -1))", lmL_shape(sb, x));
  if (y->rows != 1 && y->cols != 1 && ny != 0)
    return lmL_error(L, "meshgrid: ys must be a vector, got a %s matrix "
                     "(use ys:reshape(1, -1))", lmL_shape(sb, y));
  v = *x;  /* xs as a row, repeated down */
  if (x->rows != 1) { v.cs = x->rs; }
  v.rows = ny; v.cols = nx; v.rs = 0;
  o = lmL_newmat(L, ny, nx, "meshgrid");
  lm_copy(&v, o);
  v = *y;  /* ys as a column, repeated across */
  if (y->rows == 1) { v.rs = y->cs; }
  v.rows = ny; v.cols = nx; v.cs = 0;
  o = lmL_newmat(L, ny, nx, "meshgrid");
  lm_copy(&v, o);
  return 2;
}

/* ---- comparisons that Lua cannot make ------------------------------- */

/* __lt and __le: Lua's <, <=, >, >= must give a boolean, never a matrix
** (a > b is b < a), so on a matrix they raise an error naming the method
** that gives the elementwise 0/1 matrix.  The message is written with the
** matrix on the left: P > 0.5 and 0.5 < P both say P:gt(0.5). */
static int cmperror(lua_State *L, int le) {
  int left = lmL_tomat(L, 1) != NULL;  /* the matrix is a in a < b */
  const char *m = left ? (le ? "le" : "lt") : (le ? "ge" : "gt");
  const char *op = left ? (le ? "<=" : "<") : (le ? ">=" : ">");
  const char *other = lmL_tomat(L, left ? 2 : 1) != NULL ? "Y"
                      : luaL_tolstring(L, left ? 2 : 1, NULL);
  return lmL_error(L, "X %s %s on a matrix: Lua's <, <=, >, >= must give a "
                   "boolean; for the elementwise 0/1 matrix write X:%s(%s)",
                   op, other, m, other);
}

static int s_lt(lua_State *L) { return cmperror(L, 0); }
static int s_le(lua_State *L) { return cmperror(L, 1); }

/* __index of booleans (installed when booleans have no metatable):
** indexing a boolean stays an error, but one that names the likely cause
** when the key is a matrix method: (A == B):mean(), where == compared the
** whole matrices.  Upvalue 1: the matrix methods. */
static int boolindex(lua_State *L) {
  if (lua_type(L, 2) == LUA_TSTRING) {
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
      return lmL_error(L, "attempt to call method '%s' of a boolean value: "
                       "A == B compares whole matrices (true or false); for "
                       "the elementwise 0/1 matrix write A:eq(B) (A:ne(B) "
                       "for ~=)", lua_tostring(L, 2));
    return lmL_error(L, "attempt to index a boolean value (field '%s')",
                     lua_tostring(L, 2));
  }
  return lmL_error(L, "attempt to index a boolean value");
}

static const luaL_Reg funcs[] = {
  {"where", s_where}, {"mask", s_mask}, {"sort", s_sort},
  {"argsort", s_argsort}, {"unique", s_unique}, {"diag", s_diag},
  {"median", s_median}, {"quantile", s_quantile}, {"cumprod", s_cumprod},
  {"allclose", s_allclose},
  {NULL, NULL}
};

/* Stack: module table on top; adds funcs and meshgrid to it and funcs to
** the matrix methods, each with the matrix metatable as upvalue 1. */
void lmopen_select(lua_State *L) {
  luaL_getmetatable(L, LM_MATRIX);
  luaL_setfuncs(L, funcs, 1);  /* pops the metatable */
  luaL_getmetatable(L, LM_MATRIX);
  lua_getfield(L, -1, "__methods");
  lua_insert(L, -2);
  luaL_setfuncs(L, funcs, 1);
  lua_pop(L, 1);
  luaL_getmetatable(L, LM_MATRIX);
  lua_pushcclosure(L, s_meshgrid, 1);
  lua_setfield(L, -2, "meshgrid");
  luaL_getmetatable(L, LM_MATRIX);
  lua_pushvalue(L, -1);
  lua_pushcclosure(L, s_lt, 1);
  lua_setfield(L, -2, "__lt");
  lua_pushvalue(L, -1);
  lua_pushcclosure(L, s_le, 1);
  lua_setfield(L, -2, "__le");
  lua_pushboolean(L, 0);
  if (!lua_getmetatable(L, -1)) {  /* no one else's: ours */
    lua_createtable(L, 0, 1);
    lua_getfield(L, -3, "__methods");
    lua_pushcclosure(L, boolindex, 1);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_pop(L, 1);  /* false */
  } else {
    lua_pop(L, 2);  /* its metatable, false */
  }
  lua_pop(L, 1);  /* the matrix metatable */
}
