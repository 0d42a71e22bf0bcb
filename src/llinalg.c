/*
** llinalg.c -- linear algebra for Lua through LAPACKE (core_la.c):
** solve, inv, det, lstsq, cholesky, eigh, svd, pinv.  Inputs are copied
** into new dense matrices that LAPACK may overwrite; pivots and scratch
** live in userdata, so an error never leaks.  LAPACK's workspace comes
** from the state's allocator (laalloc), so memory_limit covers it too; the
** core frees it before it returns, and raises nothing in between.
*/
#include <float.h>
#include <math.h>
#include <string.h>

#include "lbind.h"
#include "core_simd.h"

/* a dense copy of m, pushed */
static lm_mat *densecopy(lua_State *L, const lm_mat *m, const char *fn) {
  lm_mat *o = lmL_newmat(L, m->rows, m->cols, fn);
  lm_copy(m, o);
  return o;
}

/* Charge a routine of about flops floating-point operations to the
** call's budget (lmL_charge), before any of its work: with an instruction
** limit, a routine the budget cannot pay is refused, not started, since a
** LAPACK call cannot be interrupted. */
static void cost(lua_State *L, double flops) {
  lmL_charge(L, flops / LM_FLOPS_PER_INSTR);
}

/* The state's allocator for the core's workspace (ud: the lua_State).  A
** refused request is retried once after a full collection, as Lua does
** for its own: matrices that are garbage but not yet collected must not
** make a workspace fail.  Finalizers may run then; the caller's matrices
** are on its stack. */
static void *laalloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  lua_State *L = (lua_State *)ud;
  void *aud, *p;
  lua_Alloc f = lua_getallocf(L, &aud);
  p = f(aud, ptr, osize, nsize);
  if (p == NULL && nsize > 0) {
    lua_gc(L, LUA_GCCOLLECT);
    p = f(aud, ptr, osize, nsize);
  }
  return p;
}

/* the allocator to pass to the core (held by the caller's frame) */
static const lm_alloc *stalloc(lua_State *L, lm_alloc *al) {
  al->f = laalloc;
  al->ud = L;
  return al;
}

static int *intbuf(lua_State *L, int n) {
  return (int *)lua_newuserdatauv(L, sizeof(int) * (size_t)(n > 0 ? n : 1), 0);
}

static void checksquare(lua_State *L, const lm_mat *a, const char *fn) {
  char sb[LM_SHAPEBUF];
  if (a->rows != a->cols)
    lmL_error(L, "%s: the matrix must be square, got %s", fn, lmL_shape(sb, a));
}

/* raise the error for a core status */
static void check(lua_State *L, int st, const char *fn) {
  switch (st) {
    case LM_OK: return;
    case LM_ESINGULAR:
      lmL_error(L, "%s: the matrix is singular (not invertible to double "
                "precision); for least squares use ml.lstsq or ml.pinv", fn);
      break;
    case LM_ENOTPD:
      lmL_error(L, "%s: the matrix is not positive definite", fn); break;
    case LM_ENOCONV:
      lmL_error(L, "%s: the computation did not converge", fn); break;
    case LM_ENOMEM:
      lmL_error(L, "%s: not enough memory for LAPACK's workspace", fn); break;
    case LM_ETOOBIG:
      lmL_error(L, "%s: the matrix is too large for LAPACK, whose sizes and "
                "workspace are 32-bit counts (at most 2147483647 elements)", fn);
      break;
    case LM_EARG:
      lmL_error(L, "%s: the matrix contains NaN or infinite values", fn); break;
    case LM_ENOLIB:
      lmL_liberror(L, fn); break;
    default:
      lmL_error(L, "%s: LAPACK failed (status %d)", fn, st);
  }
}

/* solve(A, B): X with A X = B; A n x n, B n x k */
static int l_solve(lua_State *L) {
  lua_settop(L, 2);  /* fixed stack slots below: drop extra arguments */
  lm_mat *a = lmL_checkmatlike(L, 1), *b = lmL_checkmatlike(L, 2), *ac, *x;
  char s1[LM_SHAPEBUF], s2[LM_SHAPEBUF];
  lm_alloc al;
  checksquare(L, a, "solve");
  if (b->rows != a->rows)
    lmL_error(L, "solve: A is %s, B is %s (B needs %d rows%s)", lmL_shape(s1, a),
              lmL_shape(s2, b), a->rows,
              (b->rows == 1 && b->cols == a->rows) ? "; for a row vector b use b:T()" : "");
  cost(L, (2.0 / 3.0) * a->rows * (double)a->rows * a->rows +
          2.0 * a->rows * (double)a->rows * b->cols);
  ac = densecopy(L, a, "solve");
  x = densecopy(L, b, "solve");
  if (a->rows > 0 && b->cols > 0)
    check(L, lm_solve(ac->data, a->rows, x->data, b->cols, intbuf(L, a->rows),
                      stalloc(L, &al)), "solve");
  lua_settop(L, 4);  /* A, B, copy of A, X */
  return 1;
}

static int l_inv(lua_State *L) {
  lua_settop(L, 1);  /* fixed stack slots below: drop extra arguments */
  lm_mat *a = lmL_checkmatlike(L, 1), *o;
  lm_alloc al;
  checksquare(L, a, "inv");
  cost(L, 2.0 * a->rows * (double)a->rows * a->rows);
  o = densecopy(L, a, "inv");
  if (a->rows > 0)
    check(L, lm_inv(o->data, a->rows, intbuf(L, a->rows), stalloc(L, &al)), "inv");
  lua_settop(L, 2);
  return 1;
}

static int l_det(lua_State *L) {
  lua_settop(L, 1);  /* fixed stack slots below: drop extra arguments */
  lm_mat *a = lmL_checkmatlike(L, 1), *o;
  double d = 1.0;
  checksquare(L, a, "det");
  cost(L, (2.0 / 3.0) * a->rows * (double)a->rows * a->rows);
  o = densecopy(L, a, "det");
  if (a->rows > 0) {
    int st = lm_det(o->data, a->rows, intbuf(L, a->rows), &d);
    if (st == LM_ESINGULAR) d = 0.0;
    else check(L, st, "det");
  }
  lua_pushnumber(L, d);
  return 1;
}

static int l_cholesky(lua_State *L) {
  lua_settop(L, 1);  /* fixed stack slots below: drop extra arguments */
  lm_mat *a = lmL_checkmatlike(L, 1), *o;
  checksquare(L, a, "cholesky");
  cost(L, (1.0 / 3.0) * a->rows * (double)a->rows * a->rows);
  o = densecopy(L, a, "cholesky");
  if (a->rows > 0) check(L, lm_cholesky(o->data, a->rows), "cholesky");
  return 1;
}

/* eigh(A): eigenvalues (1 x n, ascending), eigenvectors (columns of n x n);
** A symmetric (only its lower triangle is read) */
static int l_eigh(lua_State *L) {
  lua_settop(L, 1);  /* fixed stack slots below: drop extra arguments */
  lm_mat *a = lmL_checkmatlike(L, 1), *w, *v;
  lm_alloc al;
  checksquare(L, a, "eigh");
  cost(L, 9.0 * a->rows * (double)a->rows * a->rows);
  w = lmL_newmat(L, 1, a->rows, "eigh");
  v = densecopy(L, a, "eigh");
  if (a->rows > 0) check(L, lm_eigh(v->data, a->rows, w->data, stalloc(L, &al)), "eigh");
  return 2;
}

/* The thin SVD of the matrix at arg: pushes a scratch copy, U (m x p),
** s (1 x p, descending) and Vt (p x n), p = min(m, n), and returns them. */
static void pushsvd(lua_State *L, int arg, const char *fn, lm_mat **u,
                    lm_mat **s, lm_mat **vt) {
  lm_mat *a = lmL_checkmatlike(L, arg), *ac;
  int m = a->rows, n = a->cols, p = m < n ? m : n;
  lm_alloc al;
  cost(L, 22.0 * (m > n ? m : n) * (double)p * p);  /* gesdd, with vectors */
  ac = densecopy(L, a, fn);
  *u = lmL_newmat(L, m, p, fn);
  *s = lmL_newmat(L, 1, p, fn);
  *vt = lmL_newmat(L, p, n, fn);
  if (p > 0)
    check(L, lm_svd(ac->data, m, n, (*u)->data, (*s)->data, (*vt)->data, NULL,
                    stalloc(L, &al)), fn);
}

/* svd(A): U (m x p), s (1 x p, descending), Vt (p x n), p = min(m, n) */
static int l_svd(lua_State *L) {
  lm_mat *u, *s, *vt;
  lua_settop(L, 1);  /* fixed stack slots below: drop extra arguments */
  pushsvd(L, 1, "svd", &u, &s, &vt);
  return 3;
}

/* lstsq(A, B [, rcond]): X minimising ||A X - B||, rank, singular values */
static int l_lstsq(lua_State *L) {
  lua_settop(L, 3);  /* fixed stack slots below: drop extra arguments */
  lm_mat *a = lmL_checkmatlike(L, 1), *b = lmL_checkmatlike(L, 2), *ac, *bb, *x, *s, src;
  int m = a->rows, n = a->cols, k = b->cols, rank = 0;
  /* numpy's default cut-off: machine epsilon times the larger dimension */
  double rcond = luaL_optnumber(L, 3, DBL_EPSILON * (m > n ? m : n));
  char s1[LM_SHAPEBUF], s2[LM_SHAPEBUF];
  lm_alloc al;
  if (rcond != rcond)
    luaL_argerror(L, 3, "rcond is NaN (a cut-off such as 1e-15, or nil for the default)");
  if (b->rows != m)
    lmL_error(L, "lstsq: A is %s, B is %s (B needs %d rows)", lmL_shape(s1, a),
              lmL_shape(s2, b), m);
  cost(L, 22.0 * (m > n ? m : n) * (double)(m < n ? m : n) * (m < n ? m : n) +
          4.0 * m * (double)n * k);
  ac = densecopy(L, a, "lstsq");                              /* 4 */
  bb = lmL_zeros(L, m > n ? m : n, k, "lstsq");               /* 5 */
  src = lm_dense(bb->data, m, k);
  lm_copy(b, &src);
  s = lmL_newmat(L, 1, m < n ? m : n, "lstsq");               /* 6 */
  x = lmL_newmat(L, n, k, "lstsq");                           /* 7 */
  if (m > 0 && n > 0 && k > 0) {
    lm_mat top;
    check(L, lm_lstsq(ac->data, m, n, bb->data, k, rcond, s->data, &rank,
                      stalloc(L, &al)), "lstsq");
    top = lm_dense(bb->data, n, k);
    lm_copy(&top, x);
  } else {
    lm_fill(x, 0.0);
  }
  lua_pushinteger(L, rank);
  lua_pushvalue(L, 6);
  return 3;
}

/* pinv(A [, rcond=1e-15]): Moore-Penrose pseudo-inverse through the SVD,
** singular values below rcond * largest treated as zero */
static int l_pinv(lua_State *L) {
  lm_mat *u, *s, *vt, *o;
  int m, n, p, i, j, k;
  double rcond, cut;
  lua_settop(L, 2);  /* fixed stack slots below: drop extra arguments */
  rcond = luaL_optnumber(L, 2, 1e-15);
  pushsvd(L, 1, "pinv", &u, &s, &vt);
  m = u->rows; n = vt->cols; p = s->cols;
  o = lmL_zeros(L, n, m, "pinv");
  if (p == 0) return 1;
  cut = rcond * s->data[0];
  for (k = 0; k < p; k++) {
    double inv;
    if (!(s->data[k] > cut)) continue;
    inv = 1.0 / s->data[k];
    for (i = 0; i < n; i++) {
      double vik = vt->data[(size_t)k * n + i] * inv;
      for (j = 0; j < m; j++) o->data[(size_t)i * m + j] += vik * u->data[(size_t)j * p + k];
    }
  }
  return 1;
}

/* kernels(): the instruction set of the vector functions, the cache of
** choices and, per kind and size of skinny product, which loop computes it
** (ours or BLAS), how that was decided, and the median time per
** multiply-add each path was measured at */
static int l_kernels(lua_State *L) {
  static const char *const sizes[LM_KCLASSES] = {"< 2^21", "2^21 .. 2^24",
                                                 ">= 2^24"};
  int k, c, path, i = 0;
  double own, blas;
  lua_settop(L, 0);
  lua_newtable(L);
  lua_pushstring(L, lm_isa_name(lm_isa_best()));
  lua_setfield(L, 1, "simd");
  if (lm_kernel_cache() != NULL) {
    lua_pushstring(L, lm_kernel_cache());
    lua_setfield(L, 1, "cache");
  }
  for (k = 0; k < LM_NKERN; k++)
    for (c = 0; c < LM_KCLASSES; c++) {
      const char *how = lm_kernel_state(k, c, &path, &own, &blas);
      lua_createtable(L, 0, 6);
      lua_pushstring(L, lm_kernel_name(k));
      lua_setfield(L, -2, "product");
      lua_pushstring(L, sizes[c]);
      lua_setfield(L, -2, "size");
      lua_pushstring(L, path == LM_KPATH_OWN ? "own"
                        : path == LM_KPATH_BLAS ? "blas" : "undecided");
      lua_setfield(L, -2, "path");
      lua_pushstring(L, how);
      lua_setfield(L, -2, "how");
      lua_pushnumber(L, own * 1e9);
      lua_setfield(L, -2, "own_ns");
      lua_pushnumber(L, blas * 1e9);
      lua_setfield(L, -2, "blas_ns");
      lua_rawseti(L, 1, ++i);
    }
  return 1;
}

static const luaL_Reg funcs[] = {
  {"solve", l_solve}, {"inv", l_inv}, {"det", l_det}, {"cholesky", l_cholesky},
  {"eigh", l_eigh}, {"svd", l_svd}, {"lstsq", l_lstsq}, {"pinv", l_pinv},
  {NULL, NULL}
};

void lmopen_linalg(lua_State *L) {
  luaL_setfuncs(L, funcs, 0);
  lmL_addmethods(L, funcs);
  lua_pushcfunction(L, l_kernels);  /* a function of ml, not a method */
  lua_setfield(L, -2, "kernels");
}
