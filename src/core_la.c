/*
** core_la.c -- matrix products (BLAS) and dense linear algebra (LAPACK).
**
** Products.  A view goes to BLAS as it is when it is row-major (unit column
** stride, rows at least cols apart: a dense matrix or a slice of one, lda =
** rs) or column-major (a transposed view, lda = cs); the order and the
** transpose flags absorb the difference, so m:T() costs nothing.  Any other
** layout (arbitrary or negative strides, stride 0 from broadcasting) is
** packed into caller-provided scratch first.  One column or one row in the
** result makes the product a matrix-vector one (dgemv).
**
** Linear algebra.  A dense row-major n x m buffer is, to LAPACK, the
** column-major m x n matrix of its transpose.  Every routine below is
** written on that identity and calls LAPACK through LAPACKE's column-major
** "_work" layer, which passes straight through to LAPACK.  So no transposed
** copies are made (except for lstsq, whose problem is not symmetric in A and
** A^T), and every workspace is allocated here, through the caller's
** allocator (a Lua state's, so that memory_limit covers it).  LAPACKE's
** row-major wrappers are avoided on purpose: on a failed allocation they
** printf() to stdout (LAPACKE_xerbla) before returning, and the core never
** prints.
**
** Non-finite input: every linear-algebra function checks the entries that
** LAPACK would read and returns LM_EARG (computing nothing) when one is NaN
** or +-inf.  LAPACK's behaviour on such input is undefined (it may loop,
** return garbage or report a bogus error).
*/
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>
#include <lapacke.h>

#include "core.h"
#include "core_simd.h"

/* ipiv is declared int * in core.h and handed to LAPACK as lapack_int *:
** they must agree (an ILP64 LAPACK would need a different build). */
typedef char lm_check_lapack_int[sizeof(lapack_int) == sizeof(int) ? 1 : -1];

/* ====================================================================== */
/* ---- products --------------------------------------------------------- */
/* ====================================================================== */

/* The leading dimension with which x goes to BLAS as a row-major matrix
** (unit column stride, rows at least max(1, cols) apart), or 0 when it
** cannot.  The stride of a dimension of extent <= 1 is never used. */
static int ld_row(const lm_mat *x) {
  int c1 = x->cols > 1 ? x->cols : 1;
  if (x->cols > 1 && x->cs != 1) return 0;
  if (x->rows <= 1) return c1;
  if (x->rs < c1 || x->rs > INT_MAX) return 0;
  return (int)x->rs;
}

/* the same for a column-major matrix (a transposed view) */
static int ld_col(const lm_mat *x) {
  int r1 = x->rows > 1 ? x->rows : 1;
  if (x->rows > 1 && x->rs != 1) return 0;
  if (x->cols <= 1) return r1;
  if (x->cs < r1 || x->cs > INT_MAX) return 0;
  return (int)x->cs;
}

static int blasable(const lm_mat *x) {
  return ld_row(x) != 0 || ld_col(x) != 0;
}

/* BLAS increment of a vector of len elements with stride s (s >= 1 when
** len > 1: guaranteed by blasable()) */
static int vinc(ptrdiff_t s, int len) {
  return len <= 1 ? 1 : (int)s;
}

/* Scratch doubles each operand needs: 0 when it goes to BLAS as it is.
** lm_gemm_scratch and lm_gemm share this, so they always agree. */
typedef struct gemm_plan {
  size_t na;  /* m*k to pack a, or 0 */
  size_t nb;  /* k*n to pack b, or 0 */
  size_t no;  /* m*n to compute out in, or 0 */
} gemm_plan;

static gemm_plan plan_gemm(const lm_mat *a, const lm_mat *b, const lm_mat *o) {
  gemm_plan p = {0, 0, 0};
  int m = o->rows, n = o->cols, k = a->cols;
  if (m == 0 || n == 0 || k == 0) return p;  /* no BLAS call at all */
  if (!blasable(a)) p.na = (size_t)m * (size_t)k;
  if (!blasable(b)) p.nb = (size_t)k * (size_t)n;
  if (!blasable(o)) p.no = (size_t)m * (size_t)n;
  return p;
}

size_t lm_gemm_scratch(const lm_mat *a, const lm_mat *b, const lm_mat *out) {
  gemm_plan p;
  if (LM_GEMM_IS_SMALL(a, out)) return 0;  /* lm_gemm_small: no BLAS call */
  p = plan_gemm(a, b, out);
  return p.na + p.nb + p.no;
}

/* o *= beta, with beta == 0 storing zeros (NaN and inf in o do not
** survive), as BLAS defines it */
static void scale(const lm_mat *o, double beta) {
  int i, j;
  if (beta == 1) return;
  for (i = 0; i < o->rows; i++) {
    double *z = o->data + i * o->rs;
    if (beta == 0)
      for (j = 0; j < o->cols; j++) z[j * o->cs] = 0.0;
    else
      for (j = 0; j < o->cols; j++) z[j * o->cs] *= beta;
  }
}

/* y (len, stride inc) = 0.  dgemv is called with beta == 0 on a zeroed y:
** some OpenBLAS versions scale y by beta and so keep a NaN already there. */
static void zero_vec(double *y, int len, int inc) {
  int i;
  for (i = 0; i < len; i++) y[(ptrdiff_t)i * inc] = 0.0;
}

/* The BLAS transpose flag and leading dimension of x for a product in the
** given order: NoTrans when x is laid out in that order, Trans otherwise.
** x must be blasable. */
static enum CBLAS_TRANSPOSE operand(const lm_mat *x, int colmajor, int *ld) {
  int l = colmajor ? ld_col(x) : ld_row(x);
  if (l != 0) { *ld = l; return CblasNoTrans; }
  *ld = colmajor ? ld_row(x) : ld_col(x);
  return CblasTrans;
}

/* out (m,1) = alpha * a (m,k) @ b (k,1) + beta * out; all blasable */
static void gemv_col(double alpha, const lm_mat *a, const lm_mat *b,
                     double beta, const lm_mat *o) {
  int m = a->rows, k = a->cols, lda;
  int incx = vinc(b->rs, k), incy = vinc(o->rs, m);
  if (beta == 0) zero_vec(o->data, m, incy);
  if ((lda = ld_row(a)) != 0)
    cblas_dgemv(CblasRowMajor, CblasNoTrans, m, k, alpha, a->data, lda,
                b->data, incx, beta, o->data, incy);
  else
    cblas_dgemv(CblasColMajor, CblasNoTrans, m, k, alpha, a->data, ld_col(a),
                b->data, incx, beta, o->data, incy);
}

/* out (1,n) = alpha * a (1,k) @ b (k,n) + beta * out, computed as
** out^T = b^T a^T: a row-major b is a column-major b^T and vice versa */
static void gemv_row(double alpha, const lm_mat *a, const lm_mat *b,
                     double beta, const lm_mat *o) {
  int k = b->rows, n = b->cols, ldb;
  int incx = vinc(a->cs, k), incy = vinc(o->cs, n);
  if (beta == 0) zero_vec(o->data, n, incy);
  if ((ldb = ld_row(b)) != 0)
    cblas_dgemv(CblasColMajor, CblasNoTrans, n, k, alpha, b->data, ldb,
                a->data, incx, beta, o->data, incy);
  else
    cblas_dgemv(CblasRowMajor, CblasNoTrans, n, k, alpha, b->data, ld_col(b),
                a->data, incx, beta, o->data, incy);
}

/* out (m,n) = alpha * a (m,k) @ b (k,n) + beta * out; all blasable.  The
** order is out's own, so out is never transposed. */
static void gemm_mat(double alpha, const lm_mat *a, const lm_mat *b,
                     double beta, const lm_mat *o) {
  int m = o->rows, n = o->cols, k = a->cols, lda, ldb;
  int ldc = ld_row(o), colmajor = 0;
  enum CBLAS_TRANSPOSE ta, tb;
  if (ldc == 0) { ldc = ld_col(o); colmajor = 1; }
  ta = operand(a, colmajor, &lda);
  tb = operand(b, colmajor, &ldb);
  cblas_dgemm(colmajor ? CblasColMajor : CblasRowMajor, ta, tb, m, n, k,
              alpha, a->data, lda, b->data, ldb, beta, o->data, ldc);
}

/* A skinny product in our own loop when that is the path chosen for its
** kind and size (lm_kernel_path: measured on this machine, read from the
** cache of choices, or forced by LUAML_KERNEL), or when no BLAS can be
** loaded.  0: the product goes to BLAS. */
static int skinny(double alpha, const lm_mat *a, const lm_mat *b,
                  double beta, const lm_mat *out) {
  int cls, kind = lm_kernel_kind(a, b, out, &cls);
  if (kind < 0) return 0;
  if (lm_kernel_path(kind, cls, (double)out->rows * out->cols * a->cols) ==
          LM_KPATH_BLAS && lm_blas_ready())
    return 0;
  return lm_gemm_skinny(alpha, a, b, beta, out);
}

/* out (m,n) = alpha * a (m,k) @ b (k,n) + beta * out.
** k == 0 or alpha == 0 make it out = beta * out without reading a or b;
** beta == 0 ignores out's previous contents (NaN included), as in BLAS. */
int lm_gemm(double alpha, const lm_mat *a, const lm_mat *b, double beta,
            const lm_mat *out, double *scratch) {
  int m = out->rows, n = out->cols, k = a->cols;
  lm_mat A = *a, B = *b, C = *out;
  gemm_plan p;
  if (m == 0 || n == 0) return LM_OK;
  if (k == 0 || alpha == 0) { scale(out, beta); return LM_OK; }
  if (lm_gemm_small(alpha, a, b, beta, out)) return LM_OK;  /* no BLAS call */
  if (skinny(alpha, a, b, beta, out)) return LM_OK;
  if (!lm_blas_ready()) return LM_ENOLIB;
  p = plan_gemm(a, b, out);
  if (p.na != 0) {  /* pack a: (m,k) dense */
    A = lm_dense(scratch, m, k);
    lm_copy(a, &A);
    scratch += p.na;
  }
  if (p.nb != 0) {  /* pack b: (k,n) dense */
    B = lm_dense(scratch, k, n);
    lm_copy(b, &B);
    scratch += p.nb;
  }
  if (p.no != 0) {  /* compute into (m,n) dense, copied to out below */
    C = lm_dense(scratch, m, n);
    if (beta != 0) lm_copy(out, &C);
  }
  if (n == 1) gemv_col(alpha, &A, &B, beta, &C);
  else if (m == 1) gemv_row(alpha, &A, &B, beta, &C);
  else gemm_mat(alpha, &A, &B, beta, &C);
  if (p.no != 0) lm_copy(&C, out);
  return LM_OK;
}

/* dot product of n elements with BLAS (n may exceed an int) */
static double ddot_long(size_t n, const double *x, ptrdiff_t incx,
                        const double *y, ptrdiff_t incy) {
  double s = 0;
  while (n > 0) {
    int c = n > (size_t)INT_MAX ? INT_MAX : (int)n;
    s += cblas_ddot(c, x, (int)incx, y, (int)incy);
    x += (ptrdiff_t)c * incx;
    y += (ptrdiff_t)c * incy;
    n -= (size_t)c;
  }
  return s;
}

/* *sum = sum of a .* b; a and b of one shape.  ddot when both are laid
** out alike (dense row-major or dense column-major), per line otherwise. */
int lm_inner(const lm_mat *a, const lm_mat *b, double *sum) {
  int i, j, r = a->rows, c = a->cols, lines, len;
  ptrdiff_t la, lb, sa, sb;  /* between lines, along a line */
  double s = 0;
  *sum = 0.0;
  if (r == 0 || c == 0) return LM_OK;
  if (!lm_blas_ready()) return LM_ENOLIB;
  if ((lm_is_rowmajor(a) && lm_is_rowmajor(b)) ||
      (lm_is_colmajor(a) && lm_is_colmajor(b))) {
    *sum = ddot_long(lm_size(a), a->data, 1, b->data, 1);
    return LM_OK;
  }
  /* walk along the longer dimension */
  if (c >= r) {
    lines = r; len = c; la = a->rs; lb = b->rs; sa = a->cs; sb = b->cs;
  } else {
    lines = c; len = r; la = a->cs; lb = b->cs; sa = a->rs; sb = b->rs;
  }
  for (i = 0; i < lines; i++) {
    const double *x = a->data + i * la, *y = b->data + i * lb;
    if (sa >= 1 && sb >= 1 && sa <= INT_MAX && sb <= INT_MAX) {
      s += cblas_ddot(len, x, (int)sa, y, (int)sb);
    } else {
      for (j = 0; j < len; j++) s += x[j * sa] * y[j * sb];
    }
  }
  *sum = s;
  return LM_OK;
}

/* ====================================================================== */
/* ---- linear algebra --------------------------------------------------- */
/* ====================================================================== */

/* status of a LAPACK info: info > 0 is the routine's own failure (pos).
** The arguments are checked here before every call, so an argument LAPACK
** refuses (info < 0) can only be a size its 32-bit integers cannot hold. */
static int status(lapack_int info, int pos) {
  if (info == 0) return LM_OK;
  if (info == LAPACK_WORK_MEMORY_ERROR || info == LAPACK_TRANSPOSE_MEMORY_ERROR)
    return LM_ENOMEM;
  return info < 0 ? LM_ETOOBIG : pos;
}

/* 1 when the rows x cols row-major block at a (row stride ld) is finite */
static int finite_block(const double *a, int rows, int cols, size_t ld) {
  int i, j;
  if (rows == 0 || cols == 0) return 1;  /* a may be NULL */
  for (i = 0; i < rows; i++) {
    const double *x = a + (size_t)i * ld;
    for (j = 0; j < cols; j++)
      if (!isfinite(x[j])) return 0;
  }
  return 1;
}

/* 1 when the lower triangle (diagonal included) of a (n,n) is finite */
static int finite_lower(const double *a, int n) {
  int i, j;
  for (i = 0; i < n; i++)
    for (j = 0; j <= i; j++)
      if (!isfinite(a[(size_t)i * n + j])) return 0;
  return 1;
}

/* 1 when a count LAPACK computes (in double here) fits its 32-bit
** integers.  Each routine checks, before any LAPACK call, that its
** documented minimal workspace and the products of its sizes that LAPACK
** forms internally (m*n, n*n: they choose its code paths) fit: a product
** that wrapped around inside LAPACK would make it believe that a small
** workspace suffices and write past it. */
static int fits(double count) {
  return count <= (double)INT_MAX;
}

/* A workspace size returned by a LAPACK query (a double), at least
** minimum (the documented one: a query is only advice); -1 when it does
** not fit in a lapack_int. */
static lapack_int wsize(double q, lapack_int minimum) {
  if (q != q) return -1;  /* NaN */
  if (q < (double)minimum) return minimum;
  if (!(q < (double)INT_MAX)) return -1;
  return (lapack_int)q;
}

/* LAPACK's workspace: nd doubles then ni lapack_ints (each count at least
** 1) in one block from al, so that a memory limit covers it.  wsfree
** accepts an empty one (d == NULL). */
typedef struct lawork {
  double *d;          /* (nd) */
  lapack_int *i;      /* (ni) */
  size_t bytes;       /* of the block at d */
  const lm_alloc *al;
} lawork;

/* 1 and ws filled, or 0 (a negative count, or al refused) with ws empty */
static int wsalloc(lawork *ws, const lm_alloc *al, lapack_int nd, lapack_int ni) {
  size_t dbytes;
  ws->d = NULL;
  ws->i = NULL;
  ws->bytes = 0;
  ws->al = al;
  if (nd < 0 || ni < 0) return 0;
  dbytes = (size_t)(nd > 0 ? nd : 1) * sizeof(double);
  ws->bytes = dbytes + (size_t)(ni > 0 ? ni : 1) * sizeof(lapack_int);
  ws->d = (al == NULL || al->f == NULL) ? (double *)malloc(ws->bytes)
                                        : (double *)al->f(al->ud, NULL, 0, ws->bytes);
  if (ws->d == NULL) { ws->bytes = 0; return 0; }
  ws->i = (lapack_int *)(void *)((char *)ws->d + dbytes);
  return 1;
}

static void wsfree(lawork *ws) {
  if (ws->d == NULL) return;
  if (ws->al == NULL || ws->al->f == NULL) free(ws->d);
  else ws->al->f(ws->al->ud, ws->d, ws->bytes, 0);
  ws->d = NULL;
  ws->i = NULL;
  ws->bytes = 0;
}

/* the status of a failed wsalloc: a size that does not fit, or memory */
static int wsfail(lapack_int nd, lapack_int ni) {
  return (nd < 0 || ni < 0) ? LM_ETOOBIG : LM_ENOMEM;
}

/* in-place transpose of a square (n,n) */
static void transpose_sq(double *a, int n) {
  int i, j;
  for (i = 0; i < n; i++)
    for (j = i + 1; j < n; j++) {
      double t = a[(size_t)i * n + j];
      a[(size_t)i * n + j] = a[(size_t)j * n + i];
      a[(size_t)j * n + i] = t;
    }
}

/* LU of the row-major a (n,n): factorises its column-major reading A^T =
** P L U, so that, read row-major, a holds U^T in its lower triangle and
** the unit L^T above it, and A = U^T L^T P^T.  Returns LAPACK's info. */
static lapack_int lu_t(double *a, int n, int *ipiv) {
  return LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, n, n, a, n, ipiv);
}

/* The 1-norm of the column-major (n,n) matrix that the row-major a holds
** (A^T): its largest column sum, the largest row sum of a. */
static double norm1_t(const double *a, int n) {
  double best = 0;
  int i, j;
  for (i = 0; i < n; i++) {
    double s = 0;
    for (j = 0; j < n; j++) s += fabs(a[(size_t)i * n + j]);
    if (s > best) best = s;
  }
  return best;
}

/* After lu_t: LM_ESINGULAR when the reciprocal condition number (dgecon,
** 1-norm, from anorm = norm1_t before the factorisation) is below the
** machine epsilon: the matrix is singular to working precision, and an
** inverse or solution would be rounding noise (entries ~1e15 for a 3x3
** whose third row is twice its first).  LM_ENOMEM without workspace. */
static int wellposed(const double *lu, int n, double anorm,
                     const lm_alloc *al) {
  double rcond = 0;
  lapack_int info;
  lawork ws;
  if (!fits(4.0 * n)) return LM_ETOOBIG;
  if (!wsalloc(&ws, al, 4 * n, n)) return LM_ENOMEM;
  info = LAPACKE_dgecon_work(LAPACK_COL_MAJOR, '1', n, lu, n, anorm, &rcond,
                             ws.d, ws.i);
  wsfree(&ws);
  if (info != 0) return status(info, LM_ESINGULAR);
  return rcond < DBL_EPSILON ? LM_ESINGULAR : LM_OK;
}

/* both libraries: LAPACK works on BLAS, and solve calls dtrsm itself */
static int lapack_ready(void) {
  return lm_blas_ready() && lm_lapacke_ready();
}

/* x = A^{-1} b by dgetrf, then (A = U^T L^T P^T):
**   U^T w = b (lower, non-unit), L^T v = w (upper, unit), x = P v,
** the last applying ipiv's interchanges in reverse order to b's rows. */
int lm_solve(double *a /* (n,n) */, int n, double *b /* (n,nrhs) */, int nrhs,
             int *ipiv /* (n) */, const lm_alloc *al) {
  lapack_int info;
  int i, j, st;
  double anorm;
  if (n == 0) return LM_OK;
  if (!lapack_ready()) return LM_ENOLIB;
  if (!finite_block(a, n, n, (size_t)n) ||
      !finite_block(b, n, nrhs, (size_t)nrhs))
    return LM_EARG;
  anorm = norm1_t(a, n);
  info = lu_t(a, n, ipiv);
  if (info != 0) return status(info, LM_ESINGULAR);
  if ((st = wellposed(a, n, anorm, al)) != LM_OK) return st;
  if (nrhs == 0) return LM_OK;
  cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans,
              CblasNonUnit, n, nrhs, 1.0, a, n, b, nrhs);
  cblas_dtrsm(CblasRowMajor, CblasLeft, CblasUpper, CblasNoTrans,
              CblasUnit, n, nrhs, 1.0, a, n, b, nrhs);
  for (i = n - 1; i >= 0; i--) {
    int p = ipiv[i] - 1;
    if (p != i) {
      double *x = b + (size_t)i * nrhs, *y = b + (size_t)p * nrhs;
      for (j = 0; j < nrhs; j++) { double t = x[j]; x[j] = y[j]; y[j] = t; }
    }
  }
  return LM_OK;
}

/* a = a^{-1}: dgetri inverts the column-major A^T, giving (A^T)^{-1} =
** (A^{-1})^T column-major, which is A^{-1} row-major. */
int lm_inv(double *a /* (n,n) */, int n, int *ipiv /* (n) */,
           const lm_alloc *al) {
  lapack_int info, lwork;
  double q, anorm;
  int st;
  lawork ws;
  if (n == 0) return LM_OK;
  if (!lapack_ready()) return LM_ENOLIB;
  if (!finite_block(a, n, n, (size_t)n)) return LM_EARG;
  anorm = norm1_t(a, n);
  info = lu_t(a, n, ipiv);
  if (info != 0) return status(info, LM_ESINGULAR);
  if ((st = wellposed(a, n, anorm, al)) != LM_OK) return st;
  info = LAPACKE_dgetri_work(LAPACK_COL_MAJOR, n, a, n, ipiv, &q, -1);
  if (info != 0) return status(info, LM_ESINGULAR);
  lwork = wsize(q, n);
  if (!wsalloc(&ws, al, lwork, 0)) return wsfail(lwork, 0);
  info = LAPACKE_dgetri_work(LAPACK_COL_MAJOR, n, a, n, ipiv, ws.d, lwork);
  wsfree(&ws);
  return status(info, LM_ESINGULAR);
}

/* *det = det(a) = det(A^T) from the LU diagonal and the pivot parity.  The
** product is kept as mantissa and exponent, so no intermediate overflow or
** underflow changes the result.  A singular matrix gives 0 and LM_OK;
** non-finite input gives NaN and LM_EARG.  The 0 x 0 determinant is 1. */
int lm_det(double *a /* (n,n) */, int n, int *ipiv /* (n) */, double *det) {
  lapack_int info;
  double mant = 1.0;
  long ex = 0;
  int i, e, f;
  if (n == 0) { *det = 1.0; return LM_OK; }
  if (!lapack_ready()) { *det = NAN; return LM_ENOLIB; }
  if (!finite_block(a, n, n, (size_t)n)) { *det = NAN; return LM_EARG; }
  info = lu_t(a, n, ipiv);
  if (info < 0) { *det = NAN; return status(info, LM_EARG); }
  /* info > 0: an exact zero on the diagonal, the product below is 0 */
  for (i = 0; i < n; i++) {  /* mant in [0.5, 1), product in [0.25, 1) */
    mant = frexp(mant * frexp(a[(size_t)i * n + i], &e), &f);
    ex += (long)e + f;
    if (ipiv[i] != i + 1) mant = -mant;
  }
  if (mant == 0) { *det = mant; return LM_OK; }
  if (ex > 100000) ex = 100000;      /* ldexp overflows to inf */
  if (ex < -100000) ex = -100000;    /* and underflows to 0 */
  *det = ldexp(mant, (int)ex);
  return LM_OK;
}

/* a = L with A = L L^T, L lower; only the lower triangle of a is read (as
** numpy's cholesky).  That triangle is the upper one of the column-major
** reading, so dpotrf('U') gives A = U^T U with U column-major, i.e.
** L = U^T row-major.  The strict upper triangle is then zeroed. */
int lm_cholesky(double *a /* (n,n) */, int n) {
  lapack_int info;
  int i, j;
  if (n == 0) return LM_OK;
  if (!lapack_ready()) return LM_ENOLIB;
  if (!finite_lower(a, n)) return LM_EARG;
  info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', n, a, n);
  if (info != 0) return status(info, LM_ENOTPD);
  for (i = 0; i < n; i++)
    for (j = i + 1; j < n; j++) a[(size_t)i * n + j] = 0.0;
  return LM_OK;
}

/* Eigen-decomposition of the symmetric a (lower triangle read, as numpy's
** eigh) by divide and conquer (dsyevd, numpy's choice).  LAPACK returns the
** eigenvectors as columns of a column-major matrix, i.e. rows of the
** row-major buffer: one in-place transpose makes them columns. */
int lm_eigh(double *a /* (n,n) */, int n, double *w /* (n) */,
            const lm_alloc *al) {
  lapack_int info, lwork, liwork, iq;
  double q;
  lawork ws;
  if (n == 0) return LM_OK;
  if (!lapack_ready()) return LM_ENOLIB;
  /* dsyevd with vectors: at least 1 + 6n + 2n^2 doubles, 3 + 5n ints */
  if (!fits(1.0 + 6.0 * n + 2.0 * n * (double)n)) return LM_ETOOBIG;
  if (!finite_lower(a, n)) return LM_EARG;
  info = LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, 'V', 'U', n, a, n, w,
                             &q, -1, &iq, -1);
  if (info != 0) return status(info, LM_ENOCONV);
  lwork = wsize(q, 1 + 6 * n + 2 * n * n);
  liwork = iq > 3 + 5 * n ? iq : 3 + 5 * n;
  if (!wsalloc(&ws, al, lwork, liwork)) return wsfail(lwork, liwork);
  info = LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, 'V', 'U', n, a, n, w,
                             ws.d, lwork, ws.i, liwork);
  wsfree(&ws);
  if (info != 0) return status(info, LM_ENOCONV);
  transpose_sq(a, n);
  return LM_OK;
}

/* SVD through the transpose: the row-major a (m,n) is the column-major
** A' = A^T (n,m).  With A' = U' S V'^T we get A = V' S U'^T, so u = V' and
** vt = U'^T; and, read row-major, the column-major VT' (p,m) is V' (m,p)
** and the column-major U' (n,p) is U'^T (p,n).  LAPACK therefore writes
** straight into u (as its VT, ld p) and vt (as its U, ld n). */

/* dgesdd with jobz 'O' on x, the column-major A' (n,m): for n >= m the
** left vectors U' overwrite A' and VT' (p,p) goes to y (ld p); for n < m
** VT' overwrites A' and U' (p,p) goes to y (ld p).  lwork -1 queries. */
static lapack_int gesdd_o(int m, int n, double *x, double *y, double *s,
                          double *work, lapack_int lwork, lapack_int *iwork) {
  int p = m < n ? m : n;
  double dummy = 0;  /* the factor 'O' leaves in A' is not referenced */
  if (n >= m)
    return LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, 'O', n, m, x, n, s,
                               &dummy, 1, y, p, work, lwork, iwork);
  return LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, 'O', n, m, x, n, s,
                             y, p, &dummy, 1, work, lwork, iwork);
}

/* dgesdd on a copy of a, so that a stays intact for the fallback: the copy
** goes into whichever of u, vt has a's size, which is where 'O' leaves
** the factor that overwrites A'.  Returns an LM_* status for a failure
** before LAPACK ran, else LAPACK's info in *info. */
static int svd_gesdd(const double *a, int m, int n, double *u, double *s,
                     double *vt, const lm_alloc *al, lapack_int *info) {
  int p = m < n ? m : n, mx = m > n ? m : n;
  double *x = (n >= m) ? vt : u;  /* A', then U' (n >= m) or VT' (n < m) */
  double *y = (n >= m) ? u : vt;  /* the other factor */
  double q;
  lapack_int lwork, iq = 0;
  lawork ws;
  memcpy(x, a, (size_t)m * (size_t)n * sizeof(double));
  *info = gesdd_o(m, n, x, y, s, &q, -1, &iq);  /* iwork unused by a query */
  if (*info != 0) return LM_OK;
  /* jobz 'O': at least 3p + max(mx, 5p^2 + 4p) doubles, 8p ints */
  lwork = wsize(q, 3 * p + (mx > 5 * p * p + 4 * p ? mx : 5 * p * p + 4 * p));
  if (!wsalloc(&ws, al, lwork, 8 * p)) return wsfail(lwork, 0);
  *info = gesdd_o(m, n, x, y, s, ws.d, lwork, ws.i);
  wsfree(&ws);
  return LM_OK;
}

/* dgesvd (QR iteration): slower than dgesdd but it converges where
** dgesdd's divide and conquer occasionally does not.  a is destroyed.
** Returns a status as svd_gesdd. */
static int svd_gesvd(double *a, int m, int n, double *u, double *s,
                     double *vt, double *superb, const lm_alloc *al,
                     lapack_int *info) {
  int i, p = m < n ? m : n, mx = m > n ? m : n;
  double q;
  lapack_int lwork;
  lawork ws;
  *info = LAPACKE_dgesvd_work(LAPACK_COL_MAJOR, 'S', 'S', n, m, a, n, s,
                              vt, n, u, p, &q, -1);
  if (*info != 0) return LM_OK;
  /* at least max(3p + mx, 5p) doubles */
  lwork = wsize(q, 3 * p + mx > 5 * p ? 3 * p + mx : 5 * p);
  if (!wsalloc(&ws, al, lwork, 0)) return wsfail(lwork, 0);
  *info = LAPACKE_dgesvd_work(LAPACK_COL_MAJOR, 'S', 'S', n, m, a, n, s,
                              vt, n, u, p, ws.d, lwork);
  if (superb != NULL)  /* the unconverged superdiagonal, as LAPACKE does */
    for (i = 0; i + 1 < p; i++) superb[i] = ws.d[i + 1];
  wsfree(&ws);
  return LM_OK;
}

/* Thin SVD: a (m,n) = u (m,p) diag(s) vt (p,n), s descending.  dgesdd
** first (numpy's driver, much faster on large matrices); if it reports no
** convergence, dgesvd on the untouched a.  superb (p, may be NULL) receives
** dgesvd's unconverged superdiagonal then. */
int lm_svd(double *a /* (m,n) */, int m, int n, double *u /* (m,p) */,
           double *s /* (p) */, double *vt /* (p,n) */,
           double *superb /* (p) */, const lm_alloc *al) {
  lapack_int info = 0;
  int st, p = m < n ? m : n, mx = m > n ? m : n;
  if (m == 0 || n == 0) return LM_OK;
  if (!lapack_ready()) return LM_ENOLIB;
  /* m n, older LAPACKs' 3p^2 + 5p^2 + 4p for jobz 'O', the 8p ints */
  if (!fits((double)m * n + 8.0 * p * (double)p + 4.0 * p + mx + 8.0 * p))
    return LM_ETOOBIG;
  if (!finite_block(a, m, n, (size_t)n)) return LM_EARG;
  if ((st = svd_gesdd(a, m, n, u, s, vt, al, &info)) != LM_OK) return st;
  if (info > 0 &&
      (st = svd_gesvd(a, m, n, u, s, vt, superb, al, &info)) != LM_OK)
    return st;
  return status(info, LM_ENOCONV);
}

/* copy the rows x cols block of the row-major rm (row stride ldr) into the
** column-major cm (leading dimension ldc), or cm back into rm when back */
static void colmajor_copy(double *rm, size_t ldr, double *cm, size_t ldc,
                          int rows, int cols, int back) {
  int i, j;
  for (i = 0; i < rows; i++)
    for (j = 0; j < cols; j++) {
      if (back) rm[i * ldr + j] = cm[i + j * ldc];
      else cm[i + j * ldc] = rm[i * ldr + j];
    }
}

/* Least squares min ||a x - b|| (minimum-norm x when rank deficient) by
** dgelsd on column-major copies of a and b (none when the layouts already
** agree: a vector a, a single right-hand side).  Rows m.. of b need not be
** set on entry.  Singular values up to rcond * s[0] count as zero; rcond
** <= 0 or >= 1 means machine precision (LAPACK's rule); NaN is LM_EARG.
** m == 0 gives x = 0 and rank 0. */
int lm_lstsq(double *a /* (m,n) */, int m, int n,
             double *b /* (max(m,n),nrhs) */, int nrhs, double rcond,
             double *s /* (min(m,n)) */, int *rank, const lm_alloc *al) {
  int mx = m > n ? m : n, mn = m < n ? m : n, i, j;
  int ta = (m > 1 && n > 1), tb = (nrhs > 1);  /* need a transposed copy */
  lapack_int info, lwork, liwork, iq, rk = 0, lmin, limin, nlvl;
  double q, *at = a, *bt = b;
  lawork ws, copies;  /* LAPACK's workspace; the transposed copies */
  size_t lda = (size_t)(m > 1 ? m : 1), ldb = (size_t)(mx > 1 ? mx : 1);
  *rank = 0;
  if (isnan(rcond)) return LM_EARG;
  if (n == 0) return LM_OK;
  for (i = m; i < mx; i++)  /* rows m..n-1 of b (x's tail): defined zeros */
    for (j = 0; j < nrhs; j++) b[(size_t)i * nrhs + j] = 0.0;
  if (m == 0) return LM_OK;  /* x = 0 (zeroed above), rank 0 */
  if (!lapack_ready()) return LM_ENOLIB;
  /* dgelsd: at least 12 mn + 2 mn 25 + 8 mn nlvl + mn nrhs + 26^2 doubles
  ** and 3 mn nlvl + 11 mn ints (smlsiz 25, nlvl = log2(mn / 26) + 1), and
  ** it forms products of the sizes (m n, mx nrhs) */
  nlvl = mn > 26 ? (lapack_int)(log((double)mn / 26.0) / log(2.0)) + 1 : 1;
  if (!fits((double)mx * ((double)n + nrhs) + (62.0 + 8.0 * nlvl + nrhs) * mn +
            676.0 + 2.0 * mx) || !fits((3.0 * nlvl + 11.0) * mn))
    return LM_ETOOBIG;
  lmin = (62 + 8 * nlvl + nrhs) * mn + 676;
  limin = (3 * nlvl + 11) * mn;
  if (!finite_block(a, m, n, (size_t)n) ||
      !finite_block(b, m, nrhs, (size_t)nrhs))
    return LM_EARG;
  copies.d = NULL;
  copies.al = al;
  if ((ta || tb) &&
      !wsalloc(&copies, al, (lapack_int)((ta ? lda * (size_t)n : 0) +
                                         (tb ? ldb * (size_t)nrhs : 0)), 0))
    return LM_ENOMEM;
  if (ta) { at = copies.d; colmajor_copy(a, (size_t)n, at, lda, m, n, 0); }
  if (tb) {
    bt = copies.d + (ta ? lda * (size_t)n : 0);
    colmajor_copy(b, (size_t)nrhs, bt, ldb, mx, nrhs, 0);
  }
  info = LAPACKE_dgelsd_work(LAPACK_COL_MAJOR, m, n, nrhs, at, (lapack_int)lda,
                             bt, (lapack_int)ldb, s, rcond, &rk, &q, -1, &iq);
  if (info != 0) { wsfree(&copies); return status(info, LM_ENOCONV); }
  lwork = wsize(q, lmin);
  liwork = iq > limin ? iq : limin;
  if (!wsalloc(&ws, al, lwork, liwork)) {
    wsfree(&copies);
    return wsfail(lwork, liwork);
  }
  info = LAPACKE_dgelsd_work(LAPACK_COL_MAJOR, m, n, nrhs, at, (lapack_int)lda,
                             bt, (lapack_int)ldb, s, rcond, &rk, ws.d, lwork,
                             ws.i);
  wsfree(&ws);
  if (tb) colmajor_copy(b, (size_t)nrhs, bt, ldb, mx, nrhs, 1);
  wsfree(&copies);
  if (info != 0) return status(info, LM_ENOCONV);
  *rank = rk;
  return LM_OK;
}
