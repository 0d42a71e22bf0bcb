/*
** test_core_la.c -- checks of the numeric core's products (core_la.c: gemm
** on every layout against a naive loop, inner), linear algebra (against
** numpy) and random generator (core_rng.c: pinned first outputs, moments).
** Prints TAP; exits 1 when any check fails.
**
**   gcc -std=c99 -O2 -Wall -Wextra -Wpedantic -Wshadow -I src \
**       spec/c/test_core_la.c src/core_la.c src/core_rng.c src/core_ew.c \
**       -lopenblas -llapacke -lm && ./a.out
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "core.h"
#include "tap.h"

/* ---- helpers ---------------------------------------------------------- */

/* |x - y| <= tol * (1 + |y|), and both NaN or neither */
static int close1(double x, double y, double tol) {
  if (isnan(x) || isnan(y)) return isnan(x) && isnan(y);
  return fabs(x - y) <= tol * (1 + fabs(y));
}

static int close_n(const double *x, const double *y, size_t n, double tol) {
  size_t i;
  for (i = 0; i < n; i++)
    if (!close1(x[i], y[i], tol)) {
      diag("  element %zu: got %.17g want %.17g", i, x[i], y[i]);
      return 0;
    }
  return 1;
}

/* a malloc'ed copy of x (n doubles), or n zeros when x is NULL */
static double *dup(const double *x, size_t n) {
  double *y = calloc(n ? n : 1, sizeof(double));
  if (y == NULL) { printf("Bail out! out of memory\n"); exit(1); }
  if (x != NULL && n) memcpy(y, x, n * sizeof(double));
  return y;
}

static double get(const lm_mat *m, int i, int j) {
  return m->data[i * m->rs + j * m->cs];
}

/* ====================================================================== */
/* ---- gemm on every layout --------------------------------------------- */
/* ====================================================================== */

enum {
  L_DENSE,    /* row-major dense */
  L_SLICE,    /* rows/cols slice of a bigger dense matrix: rs = c + 3 */
  L_TRANS,    /* transposed dense: rs = 1, cs = r */
  L_TSLICE,   /* transposed slice: rs = 1, cs = r + 3 */
  L_STRIDED,  /* every third column: rs = 3c + 1, cs = 3 */
  L_NEG,      /* both reversed: rs = -c, cs = -1 */
  L_NEGROW,   /* rows reversed (flipud): rs = -c, cs = 1 */
  L_BROW,     /* a row broadcast down: rs = 0, cs = 1 */
  L_BCOL,     /* a column broadcast across: rs = 1, cs = 0 */
  L_BSCALAR,  /* a scalar broadcast: rs = cs = 0 */
  L_NKIND
};
#define L_NOUT (L_NEGROW + 1)  /* kinds an output may have */

static const char *const kindname[L_NKIND] = {
  "dense", "slice", "trans", "tslice", "strided", "neg", "negrow",
  "bcastrow", "bcastcol", "bcastscalar"
};

/* a view of kind over its own storage */
typedef struct tview {
  lm_mat m;
  double *store;  /* the whole storage */
  size_t span;    /* its length */
} tview;

static tview mkview(int kind, int r, int c) {
  tview v;
  ptrdiff_t off = 0;
  size_t rc = (size_t)r * (size_t)c;
  v.m.rows = r; v.m.cols = c;
  switch (kind) {
    case L_DENSE: v.m.rs = c; v.m.cs = 1; v.span = rc; break;
    case L_SLICE:
      v.m.rs = c + 3; v.m.cs = 1; off = (c + 3) + 2;
      v.span = (size_t)(r + 2) * (size_t)(c + 3); break;
    case L_TRANS: v.m.rs = 1; v.m.cs = r; v.span = rc; break;
    case L_TSLICE:
      v.m.rs = 1; v.m.cs = r + 3; off = (r + 3) + 1;
      v.span = (size_t)(c + 2) * (size_t)(r + 3); break;
    case L_STRIDED:
      v.m.rs = 3 * c + 1; v.m.cs = 3;
      v.span = (size_t)r * (size_t)(3 * c + 1) + 1; break;
    case L_NEG:
      v.m.rs = -c; v.m.cs = -1; v.span = rc;
      off = rc ? (ptrdiff_t)rc - 1 : 0; break;
    case L_NEGROW:
      v.m.rs = -c; v.m.cs = 1; v.span = rc;
      off = rc ? (ptrdiff_t)(r - 1) * c : 0; break;
    case L_BROW: v.m.rs = 0; v.m.cs = 1; v.span = (size_t)c; break;
    case L_BCOL: v.m.rs = 1; v.m.cs = 0; v.span = (size_t)r; break;
    default: v.m.rs = 0; v.m.cs = 0; v.span = 1; break;
  }
  if (v.span == 0) v.span = 1;
  v.store = malloc(v.span * sizeof(double));
  if (v.store == NULL) { printf("Bail out! out of memory\n"); exit(1); }
  v.m.data = v.store + off;
  return v;
}

/* small integers, so every product and sum below is exact */
static double small_int(lm_rng *r) {
  return (double)lm_rng_below(r, 9) - 4.0;
}

static void fill_store(tview *v, lm_rng *r) {
  size_t i;
  for (i = 0; i < v->span; i++) v->store[i] = small_int(r);
}

/* One gemm case; returns 1 when it passes.  Checks the result against a
** naive loop, that the inputs are untouched and that the output's storage
** outside the view is untouched.  With beta == 0 out starts as NaN. */
static int gemm_case(int m, int k, int n, int ka, int kb, int ko,
                     double alpha, double beta, lm_rng *rng, int verbose) {
  tview a = mkview(ka, m, k), b = mkview(kb, k, n), o = mkview(ko, m, n);
  double *a0, *b0, *o0, *ref, *scratch;
  char *inview;
  size_t ns, i;
  int r, c, l, pass = 1;
  fill_store(&a, rng);
  fill_store(&b, rng);
  for (i = 0; i < o.span; i++) o.store[i] = 1000.0 + (double)i;  /* canary */
  for (r = 0; r < m; r++)
    for (c = 0; c < n; c++)
      o.m.data[r * o.m.rs + c * o.m.cs] = beta == 0 ? NAN : small_int(rng);
  a0 = dup(a.store, a.span);
  b0 = dup(b.store, b.span);
  o0 = dup(o.store, o.span);
  ref = dup(NULL, (size_t)m * (size_t)n);
  inview = calloc(o.span, 1);
  for (r = 0; r < m; r++)
    for (c = 0; c < n; c++) {
      double s = 0, old = get(&o.m, r, c);
      for (l = 0; l < k; l++) s += get(&a.m, r, l) * get(&b.m, l, c);
      ref[(size_t)r * n + c] = (alpha == 0 ? 0.0 : alpha * s) +
                               (beta == 0 ? 0.0 : beta * old);
      inview[(o.m.data - o.store) + r * o.m.rs + c * o.m.cs] = 1;
    }
  ns = lm_gemm_scratch(&a.m, &b.m, &o.m);
  scratch = ns ? malloc(ns * sizeof(double)) : NULL;  /* exactly ns */
  lm_gemm(alpha, &a.m, &b.m, beta, &o.m, scratch);
  for (r = 0; r < m && pass; r++)
    for (c = 0; c < n && pass; c++) {
      double got = get(&o.m, r, c), want = ref[(size_t)r * n + c];
      if (!close1(got, want, 1e-13)) {
        pass = 0;
        if (verbose)
          diag("  (%d,%d,%d) a=%s b=%s out=%s alpha=%g beta=%g: "
               "out[%d][%d] = %.17g, want %.17g", m, k, n, kindname[ka],
               kindname[kb], kindname[ko], alpha, beta, r, c, got, want);
      }
    }
  if (memcmp(a0, a.store, a.span * sizeof(double)) != 0 ||
      memcmp(b0, b.store, b.span * sizeof(double)) != 0) {
    if (verbose && pass)
      diag("  (%d,%d,%d) a=%s b=%s out=%s: an input was modified", m, k, n,
           kindname[ka], kindname[kb], kindname[ko]);
    pass = 0;
  }
  for (i = 0; i < o.span; i++)
    if (!inview[i] && o.store[i] != o0[i]) {
      if (verbose && pass)
        diag("  (%d,%d,%d) a=%s b=%s out=%s: wrote outside out", m, k, n,
             kindname[ka], kindname[kb], kindname[ko]);
      pass = 0;
      break;
    }
  free(a.store); free(b.store); free(o.store);
  free(a0); free(b0); free(o0); free(ref); free(inview); free(scratch);
  return pass;
}

static void test_gemm(lm_rng *rng) {
  static const int shapes[][3] = {  /* m, k, n */
    {2, 3, 4}, {4, 3, 2}, {1, 3, 4}, {4, 3, 1}, {1, 3, 1}, {1, 1, 1},
    {3, 1, 4}, {5, 6, 7}, {7, 5, 1}, {1, 5, 7}, {6, 6, 6}, {2, 2, 2},
    {13, 17, 11}, {3, 1, 1}, {1, 1, 3}, {33, 40, 35},
    {0, 3, 4}, {3, 0, 4}, {3, 4, 0}, {0, 0, 0}, {1, 0, 1}, {0, 2, 1}
  };
  static const double ab[][2] = {  /* alpha, beta */
    {1, 0}, {2.5, -0.5}, {0, 1.5}, {1, 1}, {-1, 0}, {0, 0}
  };
  size_t s, t;
  int ka, kb, ko;
  for (s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    int m = shapes[s][0], k = shapes[s][1], n = shapes[s][2];
    int fails = 0, cases = 0;
    for (ka = 0; ka < L_NKIND; ka++)
      for (kb = 0; kb < L_NKIND; kb++)
        for (ko = 0; ko < L_NOUT; ko++)
          for (t = 0; t < sizeof ab / sizeof ab[0]; t++) {
            cases++;
            if (!gemm_case(m, k, n, ka, kb, ko, ab[t][0], ab[t][1], rng,
                           fails < 5))
              fails++;
          }
    ok(fails == 0, "gemm (%d,%d)@(%d,%d): %d layout x alpha/beta cases "
       "match a naive loop (%d failed)", m, k, k, n, cases, fails);
  }
}

/* The products small enough to skip BLAS (core_simd.c: up to 16 columns
** in vector registers, b read in place or packed): every element is the
** in-order sum over k, bit for bit, for all column counts 1..16 and the
** layouts that pick either path; and close to OpenBLAS's dgemm (which
** sums in another order, with FMA: the last bits may differ). */
static void test_gemm_tiny(lm_rng *rng) {
  static const int kinds[] = {L_DENSE, L_SLICE, L_TRANS, L_NEG};
  static const double ab[][2] = {{1, 0}, {-0.75, 0}, {2, 0.5}};
  static const int ms[] = {1, 9, 10};  /* rows go by 5, 2 and 1 */
  int mi, m, k, n, ka, kb, ko, t, cases = 0, exact = 0;
  double worst = 0;
  for (n = 1; n <= 16; n++)
    for (mi = 0; mi < 3; mi++)
      for (k = 1, m = ms[mi]; k <= 12; k += 11)
        for (ka = 0; ka < 4; ka++)
          for (kb = 0; kb < 4; kb++)
            for (ko = 0; ko < 4; ko++)
              for (t = 0; t < 3; t++) {
                tview a = mkview(kinds[ka], m, k), b = mkview(kinds[kb], k, n);
                tview o = mkview(kinds[ko], m, n);
                double *bl = dup(NULL, (size_t)m * (size_t)n);
                int r, c, l, same = 1;
                size_t i;
                for (i = 0; i < a.span; i++) a.store[i] = lm_rng_uniform(rng) - 0.3;
                for (i = 0; i < b.span; i++) b.store[i] = 2 * lm_rng_normal(rng);
                for (i = 0; i < o.span; i++) o.store[i] = lm_rng_normal(rng);
                for (r = 0; r < m; r++)  /* BLAS on dense copies; beta 0 */
                  for (c = 0; c < n; c++)
                    bl[(size_t)r * n + c] = get(&o.m, r, c);
                {
                  double *ad = dup(NULL, (size_t)m * k), *bd = dup(NULL, (size_t)k * n);
                  for (r = 0; r < m; r++)
                    for (l = 0; l < k; l++) ad[(size_t)r * k + l] = get(&a.m, r, l);
                  for (l = 0; l < k; l++)
                    for (c = 0; c < n; c++) bd[(size_t)l * n + c] = get(&b.m, l, c);
                  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k,
                              ab[t][0], ad, k, bd, n, ab[t][1], bl, n);
                  free(ad); free(bd);
                }
                {
                  double *want = dup(NULL, (size_t)m * (size_t)n);
                  for (r = 0; r < m; r++)
                    for (c = 0; c < n; c++) {
                      double s = 0.0, old = get(&o.m, r, c);
                      for (l = 0; l < k; l++) s += get(&a.m, r, l) * get(&b.m, l, c);
                      want[(size_t)r * n + c] = ab[t][1] == 0 ? ab[t][0] * s
                                              : ab[t][0] * s + ab[t][1] * old;
                    }
                  lm_gemm(ab[t][0], &a.m, &b.m, ab[t][1], &o.m, NULL);
                  for (r = 0; r < m; r++)
                    for (c = 0; c < n; c++) {
                      double got = get(&o.m, r, c), w = want[(size_t)r * n + c];
                      double d = fabs(got - bl[(size_t)r * n + c]) / (1 + fabs(w));
                      if (got != w) {
                        if (same)
                          diag("  (%d,%d,%d) a=%s b=%s out=%s: [%d][%d] = %.17g, "
                               "in-order sum %.17g", m, k, n, kindname[kinds[ka]],
                               kindname[kinds[kb]], kindname[kinds[ko]], r, c, got, w);
                        same = 0;
                      }
                      if (d > worst) worst = d;
                    }
                  free(want);
                }
                cases++;
                exact += same;
                free(a.store); free(b.store); free(o.store); free(bl);
              }
  ok(exact == cases, "tiny gemm (m = 1, 9, 10, n = 1..16, 4 layouts each, "
     "alpha/beta): %d of %d cases equal the in-order sum bit for bit", exact,
     cases);
  ok(worst <= 1e-13, "tiny gemm: within %g of OpenBLAS's dgemm "
     "(|difference| / (1 + |value|))", worst);
}

/* scratch: none for dense, sliced and transposed views; exactly the
** documented counts for the others (products beyond the small ones:
** those run in lm_gemm_small and need none, packed or not) */
static void test_gemm_scratch(void) {
  int ka, kb, ko, bad = 0, small = 0;
  for (ka = 0; ka < L_NKIND; ka++)
    for (kb = 0; kb < L_NKIND; kb++)
      for (ko = 0; ko < L_NOUT; ko++) {
        tview sa = mkview(ka, 4, 5), sb = mkview(kb, 5, 3), so = mkview(ko, 4, 3);
        if (lm_gemm_scratch(&sa.m, &sb.m, &so.m) != 0) small++;
        free(sa.store); free(sb.store); free(so.store);
      }
  ok(small == 0, "gemm_scratch: 0 for a small product (4x5 by 5x3) in any "
     "layout (%d not)", small);
  for (ka = 0; ka < L_NKIND; ka++)
    for (kb = 0; kb < L_NKIND; kb++)
      for (ko = 0; ko < L_NOUT; ko++) {
        int m = 40, k = 50, n = 30;
        tview a = mkview(ka, m, k), b = mkview(kb, k, n), o = mkview(ko, m, n);
        size_t want = (ka > L_TSLICE ? (size_t)m * k : 0) +
                      (kb > L_TSLICE ? (size_t)k * n : 0) +
                      (ko > L_TSLICE ? (size_t)m * n : 0);
        size_t got = lm_gemm_scratch(&a.m, &b.m, &o.m);
        if (got != want) {
          if (bad++ < 5)
            diag("  a=%s b=%s out=%s: scratch %zu, want %zu", kindname[ka],
                 kindname[kb], kindname[ko], got, want);
        }
        free(a.store); free(b.store); free(o.store);
      }
  ok(bad == 0, "gemm_scratch: 0 for dense/slice/transposed views, m*k + "
     "k*n + m*n for packed ones");
  {
    lm_mat a = {NULL, 3, 0, 0, 1}, b = {NULL, 0, 4, 4, 1}, o = {NULL, 3, 4, 0, 0};
    ok(lm_gemm_scratch(&a, &b, &o) == 0, "gemm_scratch: 0 when k = 0");
  }
}

static void test_inner(lm_rng *rng) {
  static const int shapes[][2] = {{3, 4}, {4, 3}, {1, 5}, {5, 1}, {1, 1},
                                  {0, 3}, {7, 7}};
  size_t s;
  int ka, kb, bad = 0, cases = 0;
  for (s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
    for (ka = 0; ka < L_NKIND; ka++)
      for (kb = 0; kb < L_NKIND; kb++) {
        int r = shapes[s][0], c = shapes[s][1], i, j;
        tview a = mkview(ka, r, c), b = mkview(kb, r, c);
        double want = 0, got;
        fill_store(&a, rng);
        fill_store(&b, rng);
        for (i = 0; i < r; i++)
          for (j = 0; j < c; j++) want += get(&a.m, i, j) * get(&b.m, i, j);
        lm_inner(&a.m, &b.m, &got);
        cases++;
        if (got != want && bad++ < 5)
          diag("  %dx%d a=%s b=%s: %g, want %g", r, c, kindname[ka],
               kindname[kb], got, want);
        free(a.store); free(b.store);
      }
  ok(bad == 0, "inner: %d layout cases match a naive loop", cases);
}

/* ====================================================================== */
/* ---- linear algebra against numpy ------------------------------------ */
/* ====================================================================== */

/* Inputs, and reference values made once with Debian's numpy 1.24.2
** (/usr/bin/python3, numpy.linalg over the system LAPACK) by this script,
** whose output is pasted below:
**
**   import numpy as np
**   def arr(name, x):
**       x = np.atleast_1d(np.asarray(x, dtype=float)).ravel()
**       print("static const double %s[%d] = {%s};" % (name, len(x),
**             ", ".join(repr(float(v)) for v in x)))
**   def signfix(u, vt=None):  # largest-magnitude entry of each column > 0
**       u = u.copy(); vt = None if vt is None else vt.copy()
**       for i in range(u.shape[1]):
**           if u[np.argmax(np.abs(u[:, i])), i] < 0:
**               u[:, i] *= -1
**               if vt is not None: vt[i, :] *= -1
**       return u, vt
**   (A3 ... y42 as the C arrays below)
**   arr("solve_A3_B32", np.linalg.solve(A3, B32))
**   arr("inv_A3", np.linalg.inv(A3)); arr("inv_A4", np.linalg.inv(A4))
**   det_A3, det_A4 = np.linalg.det(A3), np.linalg.det(A4)
**   arr("chol_S4", np.linalg.cholesky(S4))
**   for nm, M in (("S4", S4), ("E4", E4)):
**       w, v = np.linalg.eigh(M)
**       arr("eigh_w_" + nm, w); arr("eigh_v_" + nm, signfix(v)[0])
**   for nm, M in (("M43", M43), ("M35", M35)):
**       u, s, vt = np.linalg.svd(M, full_matrices=False)
**       u, vt = signfix(u, vt)
**       arr("svd_u_" + nm, u); arr("svd_s_" + nm, s); arr("svd_vt_" + nm, vt)
**   x, res, rk, s = np.linalg.lstsq(X53, Y52, rcond=None)   # rank 3
**   arr("lstsq_x_X53", x); arr("lstsq_s_X53", s)
**   x, res, rk, s = np.linalg.lstsq(A24, b21, rcond=None)   # rank 2
**   arr("lstsq_x_A24", x); arr("lstsq_s_A24", s)
**   x, res, rk, s = np.linalg.lstsq(R43, y42, rcond=1e-10)  # rank 2
**   arr("lstsq_x_R43", x); arr("lstsq_s_R43", s)
*/
static const double A3[9] = {4, -2, 1, 3, 6, -4, 2, 1, 8};
static const double B32[6] = {12, 1, -25, 2, 32, 3};
static const double A4[16] = {0, 2, 1, 3, 1, 1, 0, 2, 3, 0, 1, 1, 2, 5, 4, 0};
static const double S3[9] = {4, 12, -16, 12, 37, -43, -16, -43, 98};
static const double chol_S3[9] = {2, 0, 0, 6, 1, 0, -8, 5, 3};  /* exact */
static const double S4[16] = {10, 2, 3, 1, 2, 8, 1, 0, 3, 1, 9, 2, 1, 0, 2, 7};
static const double E4[16] = {2, -1, 0, 4, -1, 3, 2, 0, 0, 2, -1, 1,
                              4, 0, 1, 5};
static const double M43[12] = {1, 2, 3, 4, 5, 6, 7, 8, 10, 1, -1, 2};
static const double M35[15] = {2, 0, 1, 3, -1, 1, 4, 0, 2, 2, -3, 1, 5, 0, 1};
static const double X53[15] = {1, 0.5, 2, 1, 1.5, -1, 1, 3, 0.5, 1, -2, 1,
                               1, 0, 4};
static const double Y52[10] = {1, 2, 0.5, -1, 3, 0, -2, 1, 4, 4};
static const double A24[8] = {1, 2, -1, 0.5, 0, 1, 3, 2};
static const double b21[2] = {3, -1};
static const double R43[12] = {1, 2, 3, 2, -1, 1, 0, 3, 3, 4, 1, 5};
static const double y42[8] = {1, 0, 2, 1, -1, 3, 0.5, 2};

static const double solve_A3_B32[6] = {1.0, 0.34980988593155893, -2.0, 0.32319391634980993, 4.0, 0.24714828897338406};
static const double inv_A3[9] = {0.19771863117870722, 0.06463878326996197, 0.007604562737642592, -0.12167300380228137, 0.11406844106463877, 0.07224334600760458, -0.034220532319391636, -0.030418250950570346, 0.1140684410646388};
static const double inv_A4[16] = {-0.35, 0.45, 0.15, 0.049999999999999996, -0.40000000000000013, 0.8000000000000003, -0.4, 0.2, 0.675, -1.225, 0.425, -0.024999999999999994, 0.375, -0.12500000000000006, 0.125, -0.125};
static const double det_A3 = 262.99999999999983;
static const double det_A4 = 40.0;
static const double chol_S4[16] = {3.1622776601683795, 0.0, 0.0, 0.0, 0.6324555320336759, 2.756809750418044, 0.0, 0.0, 0.9486832980505138, 0.14509525002200235, 2.842348917430978, 0.0, 0.31622776601683794, -0.07254762501100118, 0.6018002593909236, 2.5558899213194373};
static const double eigh_w_S4[4] = {5.541288708391667, 6.386988426979843, 8.127251525727036, 13.944471338901455};
static const double eigh_v_S4[16] = {0.24590731599446017, -0.6347447529019156, 0.259393239812658, 0.6850867373868651, 0.06320070031159644, 0.6565712948014112, 0.6753197194014321, 0.32994406027460654, -0.6472069074825947, 0.21043240877632602, -0.4328510149779275, 0.5911695349694429, 0.7187895953109924, 0.3489003222166426, -0.5378646879649589, 0.2689082748264547};
static const double eigh_w_E4[4] = {-1.9685510938735118, -0.9304939727642452, 4.017509229984678, 7.881535836653079};
static const double eigh_v_E4[16] = {0.1063268983603767, 0.804206077418396, -0.13557120104433967, 0.5688300494662483, -0.34582245712730175, 0.25858114168570645, 0.897763189633754, -0.0869705504730236, 0.9122817230031288, -0.10607277072388553, 0.38895556537424436, 0.07214009529936943, -0.1919465464808881, -0.5245349802623197, 0.1560617600516725, 0.8146559426069651};
static const double svd_u_M43[12] = {0.2088170364036852, 0.06062701201556653, 0.9574360420861597, 0.5023410543800172, -0.11582446526455775, 0.06714483301656438, 0.8357081447625049, -0.034571894914130985, -0.2741741337807665, 0.0751053071997407, 0.9908147368414997, -0.06030208188059269};
static const double svd_s_M43[3] = {17.461124885049948, 2.0873690516404917, 0.8671840582845545};
static const double svd_vt_M43[9] = {0.466364202081459, 0.5463507797126934, 0.6957048630879736, 0.1658262697379181, -0.8265228408413451, 0.537923453506501, -0.8689108580756321, 0.13550209989105427, 0.4760599769392333};
static const double svd_u_M35[9] = {-0.024473827002887368, 0.4517837746085679, 0.891791709309, 0.23506618112112762, 0.8696483107290232, -0.43411485362664803, 0.9716712007078125, -0.19900561963570704, 0.12748270889985955};
static const double svd_s_M35[3] = {6.064332866577732, 5.2374140951745485, 3.4341462518378676};
static const double svd_vt_M35[15] = {-0.44999097758103035, 0.3152755574697337, 0.7971004037685795, 0.06541706894421646, 0.24178708890371575, 0.45255782257833616, 0.6261845184825099, -0.10372376781711438, 0.5908732609351972, 0.20783295103907465, 0.2815897656584216, -0.46852305860463817, 0.4452941551309604, 0.5262284387878253, -0.4753841531323084};
static const double lstsq_x_X53[6] = {-0.6935777037261422, -0.043774613753406987, 1.1192063011208717, -0.08845804301726767, 1.0169645561950917, 0.997576491972129};
static const double lstsq_s_X53[3] = {4.942168604792312, 4.030526545241407, 1.4421599252196642};
static const double lstsq_x_A24[4] = {0.4800000000000004, 0.8885714285714292, -0.6942857142857146, 0.09714285714285731};
static const double lstsq_s_A24[2] = {3.7416573867739413, 2.4999999999999996};
static const double lstsq_x_R43[6] = {0.346153846153846, 0.055741360089186356, -0.3076923076923076, 0.2564102564102562, 0.038461538461538325, 0.31215161649944256};
static const double lstsq_s_R43[3] = {8.155620587492145, 3.672308923943397, 2.563950248511419e-16};

/* the sign convention of the references: in each column of u (rows r,
** cols p, row-major) the largest-magnitude entry is positive; the matching
** row of vt (p, n) flips with it (vt may be NULL) */
static void signfix(double *u, int r, int p, double *vt, int n) {
  int i, j;
  for (j = 0; j < p; j++) {
    int best = 0;
    for (i = 1; i < r; i++)
      if (fabs(u[i * p + j]) > fabs(u[best * p + j])) best = i;
    if (u[best * p + j] < 0) {
      for (i = 0; i < r; i++) u[i * p + j] = -u[i * p + j];
      if (vt != NULL)
        for (i = 0; i < n; i++) vt[j * n + i] = -vt[j * n + i];
    }
  }
}

/* max |x y - z| for x (m,k), y (k,n) dense, relative to max |z| + 1 */
static double prod_err(const double *x, const double *y, const double *z,
                       int m, int k, int n) {
  int i, j, l;
  double e = 0, big = 1;
  for (i = 0; i < m; i++)
    for (j = 0; j < n; j++) {
      double s = 0;
      for (l = 0; l < k; l++) s += x[i * k + l] * y[l * n + j];
      if (fabs(s - z[i * n + j]) > e) e = fabs(s - z[i * n + j]);
      if (fabs(z[i * n + j]) > big) big = fabs(z[i * n + j]);
    }
  return e / big;
}

static void test_solve_inv_det(lm_rng *rng) {
  int ipiv[64], rc, i, j;
  double *a, *b, d;
  a = dup(A3, 9); b = dup(B32, 6);
  rc = lm_solve(a, 3, b, 2, ipiv, NULL);
  ok(rc == LM_OK && close_n(b, solve_A3_B32, 6, 1e-14), "solve 3x3, 2 rhs = numpy");
  free(a); free(b);
  a = dup(A4, 16); b = dup(A4, 16);  /* A4 x = A4 -> I (pivoting needed) */
  rc = lm_solve(a, 4, b, 4, ipiv, NULL);
  {
    static const double I4[16] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    ok(rc == LM_OK && close_n(b, I4, 16, 1e-14), "solve A4 x = A4 gives I (pivoted)");
  }
  free(a); free(b);
  a = dup(A3, 9);
  rc = lm_inv(a, 3, ipiv, NULL);
  ok(rc == LM_OK && close_n(a, inv_A3, 9, 1e-14), "inv 3x3 = numpy");
  free(a);
  a = dup(A4, 16);
  rc = lm_inv(a, 4, ipiv, NULL);
  ok(rc == LM_OK && close_n(a, inv_A4, 16, 1e-14), "inv 4x4 (pivoted) = numpy");
  free(a);
  a = dup(A3, 9);
  rc = lm_det(a, 3, ipiv, &d);
  ok(rc == LM_OK && close1(d, det_A3, 1e-14), "det 3x3 = numpy (%.17g)", d);
  free(a);
  a = dup(A4, 16);
  rc = lm_det(a, 4, ipiv, &d);
  ok(rc == LM_OK && close1(d, det_A4, 1e-14), "det 4x4 (pivoted) = numpy (%.17g)", d);
  free(a);
  {
    double p[4] = {0, 1, 1, 0};
    rc = lm_det(p, 2, ipiv, &d);
    ok(rc == LM_OK && d == -1.0, "det of a swap is -1");
  }
  {
    double g[16] = {1e200, 0, 0, 0, 0, 1e200, 0, 0, 0, 0, 1e-200, 0,
                    0, 0, 0, 1e-200};
    rc = lm_det(g, 4, ipiv, &d);
    ok(rc == LM_OK && close1(d, 1.0, 1e-14),
       "det diag(1e200,1e200,1e-200,1e-200) = 1 (no intermediate overflow)");
    for (i = 0; i < 16; i++) g[i] = (i % 5 == 0) ? 1e200 : 0;
    rc = lm_det(g, 4, ipiv, &d);
    ok(rc == LM_OK && isinf(d) && d > 0, "det overflowing gives +inf");
    memset(g, 0, sizeof g);
    /* a running product of 0.5 and this pivot would be subnormal and
    ** lose its last bit; the exact det is -(1 + 2^-52) 2^77 */
    g[0] = 0.5; g[5] = 0x1.0000000000001p-1022; g[10] = 0x1p1000;
    g[15] = -0x1p100;
    rc = lm_det(g, 4, ipiv, &d);
    ok(rc == LM_OK && d == -0x1.0000000000001p77,
       "det with a tiny pivot is exact (%a)", d);
  }
  /* larger random systems: residual and A inv(A) = I */
  {
    enum { N = 60, R = 3 };
    double *a0 = malloc(N * N * sizeof(double)), *x, *ai, *id;
    double *b0 = malloc(N * R * sizeof(double));
    lm_mat am = lm_dense(a0, N, N), bm = lm_dense(b0, N, R);
    lm_rng_fill_normal(rng, &am, 0, 1);
    lm_rng_fill_normal(rng, &bm, 0, 1);
    a = dup(a0, N * N); x = dup(b0, N * R);
    rc = lm_solve(a, N, x, R, ipiv, NULL);
    ok(rc == LM_OK && prod_err(a0, x, b0, N, N, R) < 1e-11,
       "solve 60x60 random: residual %.2g", prod_err(a0, x, b0, N, N, R));
    free(a); free(x);
    ai = dup(a0, N * N);
    id = calloc(N * N, sizeof(double));
    for (i = 0; i < N; i++) id[i * N + i] = 1;
    rc = lm_inv(ai, N, ipiv, NULL);
    ok(rc == LM_OK && prod_err(a0, ai, id, N, N, N) < 1e-11,
       "inv 60x60 random: |A inv(A) - I| %.2g", prod_err(a0, ai, id, N, N, N));
    free(ai); free(id); free(a0); free(b0);
  }
  /* errors and edge cases */
  {
    double s2[4] = {1, 2, 2, 4}, r2[4] = {1, 1, 1, 1};
    rc = lm_solve(s2, 2, r2, 2, ipiv, NULL);
    ok(rc == LM_ESINGULAR, "solve singular -> LM_ESINGULAR (%d)", rc);
    s2[0] = 1; s2[1] = 2; s2[2] = 2; s2[3] = 4;
    rc = lm_solve(s2, 2, NULL, 0, ipiv, NULL);
    ok(rc == LM_ESINGULAR, "solve singular with 0 rhs -> LM_ESINGULAR");
    s2[0] = 1; s2[1] = 2; s2[2] = 2; s2[3] = 4;
    rc = lm_inv(s2, 2, ipiv, NULL);
    ok(rc == LM_ESINGULAR, "inv singular -> LM_ESINGULAR (%d)", rc);
    s2[0] = 1; s2[1] = 2; s2[2] = 2; s2[3] = 4;
    rc = lm_det(s2, 2, ipiv, &d);
    ok(rc == LM_OK && d == 0, "det singular = 0");
    rc = lm_det(NULL, 0, ipiv, &d);
    ok(rc == LM_OK && d == 1, "det of 0x0 = 1");
    ok(lm_solve(NULL, 0, NULL, 3, ipiv, NULL) == LM_OK && lm_inv(NULL, 0, ipiv, NULL) == LM_OK,
       "solve and inv of 0x0 are LM_OK");
    for (j = 0; j < 2; j++) {
      double bad = j ? INFINITY : NAN;
      double m3[9], v3[3] = {1, 2, 3};
      int all = 1;
      memcpy(m3, A3, sizeof m3); m3[4] = bad;
      all &= lm_solve(m3, 3, v3, 1, ipiv, NULL) == LM_EARG;
      memcpy(m3, A3, sizeof m3); v3[1] = bad;
      all &= lm_solve(m3, 3, v3, 1, ipiv, NULL) == LM_EARG;
      memcpy(m3, A3, sizeof m3); m3[8] = bad;
      all &= lm_inv(m3, 3, ipiv, NULL) == LM_EARG;
      memcpy(m3, A3, sizeof m3); m3[0] = bad;
      all &= lm_det(m3, 3, ipiv, &d) == LM_EARG && isnan(d);
      ok(all, "solve/inv/det with %s input -> LM_EARG", j ? "inf" : "NaN");
    }
  }
}

static void test_cholesky_eigh(lm_rng *rng) {
  double *a, w[64];
  int rc, i, j;
  a = dup(S3, 9);
  rc = lm_cholesky(a, 3);
  ok(rc == LM_OK && close_n(a, chol_S3, 9, 1e-15), "cholesky 3x3 exact");
  free(a);
  a = dup(S4, 16);
  for (i = 0; i < 4; i++)  /* the strict upper triangle is never read */
    for (j = i + 1; j < 4; j++) a[i * 4 + j] = NAN;
  rc = lm_cholesky(a, 4);
  ok(rc == LM_OK && close_n(a, chol_S4, 16, 1e-14),
     "cholesky 4x4 = numpy, upper triangle ignored (NaN there) and zeroed");
  free(a);
  {
    double np[4] = {1, 2, 2, 1}, neg[1] = {-1}, nan4[4] = {4, 0, NAN, 4};
    ok(lm_cholesky(np, 2) == LM_ENOTPD, "cholesky indefinite -> LM_ENOTPD");
    ok(lm_cholesky(neg, 1) == LM_ENOTPD, "cholesky [-1] -> LM_ENOTPD");
    ok(lm_cholesky(nan4, 2) == LM_EARG, "cholesky NaN in lower -> LM_EARG");
    ok(lm_cholesky(NULL, 0) == LM_OK, "cholesky 0x0 is LM_OK");
  }
  a = dup(S4, 16);
  rc = lm_eigh(a, 4, w, NULL);
  signfix(a, 4, 4, NULL, 0);
  ok(rc == LM_OK && close_n(w, eigh_w_S4, 4, 1e-14) &&
     close_n(a, eigh_v_S4, 16, 1e-13), "eigh SPD 4x4 = numpy (vectors as columns)");
  free(a);
  a = dup(E4, 16);
  for (i = 0; i < 4; i++)  /* only the lower triangle is read */
    for (j = i + 1; j < 4; j++) a[i * 4 + j] = 1e300;
  rc = lm_eigh(a, 4, w, NULL);
  signfix(a, 4, 4, NULL, 0);
  ok(rc == LM_OK && close_n(w, eigh_w_E4, 4, 1e-14) &&
     close_n(a, eigh_v_E4, 16, 1e-13),
     "eigh indefinite 4x4 = numpy, upper triangle ignored");
  free(a);
  {  /* 40x40 random symmetric: A V = V diag(w), V^T V = I, ascending */
    enum { N = 40 };
    double *s = malloc(N * N * sizeof(double)), *v, *av, *vw, *vtv, *id;
    double ws[N], e1, e2;
    int asc = 1;
    lm_mat sm = lm_dense(s, N, N);
    lm_rng_fill_normal(rng, &sm, 0, 1);
    for (i = 0; i < N; i++)
      for (j = 0; j < i; j++) s[j * N + i] = s[i * N + j];
    v = dup(s, N * N);
    rc = lm_eigh(v, N, ws, NULL);
    av = calloc(N * N, sizeof(double)); vw = calloc(N * N, sizeof(double));
    vtv = calloc(N * N, sizeof(double)); id = calloc(N * N, sizeof(double));
    for (i = 0; i < N; i++) {
      id[i * N + i] = 1;
      if (i > 0 && ws[i] < ws[i - 1]) asc = 0;
      for (j = 0; j < N; j++) {
        int l;
        vw[i * N + j] = v[i * N + j] * ws[j];
        for (l = 0; l < N; l++) vtv[i * N + j] += v[l * N + i] * v[l * N + j];
      }
    }
    e1 = prod_err(s, v, vw, N, N, N);
    e2 = prod_err(id, vtv, id, N, N, N);
    ok(rc == LM_OK && asc && e1 < 1e-12 && e2 < 1e-12,
       "eigh 40x40 random: |AV - VW| %.2g, |V'V - I| %.2g, ascending", e1, e2);
    free(s); free(v); free(av); free(vw); free(vtv); free(id);
  }
  {
    double m2[4] = {1, 0, INFINITY, 1};
    ok(lm_eigh(m2, 2, w, NULL) == LM_EARG, "eigh inf in lower -> LM_EARG");
    ok(lm_eigh(NULL, 0, w, NULL) == LM_OK, "eigh 0x0 is LM_OK");
  }
}

/* u (m,p) diag(s) vt (p,n) vs a */
static double svd_err(const double *a, const double *u, const double *s,
                      const double *vt, int m, int n) {
  int p = m < n ? m : n, i, j;
  double *us = malloc((size_t)(m * p > 0 ? m * p : 1) * sizeof(double)), e;
  for (i = 0; i < m; i++)
    for (j = 0; j < p; j++) us[i * p + j] = u[i * p + j] * s[j];
  e = prod_err(us, vt, a, m, p, n);
  free(us);
  return e;
}

static void test_svd(lm_rng *rng) {
  double u[64], s[8], vt[64], sb[8], *a;
  int rc;
  a = dup(M43, 12);
  rc = lm_svd(a, 4, 3, u, s, vt, sb, NULL);
  signfix(u, 4, 3, vt, 3);
  ok(rc == LM_OK && close_n(s, svd_s_M43, 3, 1e-14) &&
     close_n(u, svd_u_M43, 12, 1e-13) && close_n(vt, svd_vt_M43, 9, 1e-13),
     "svd 4x3 (tall) = numpy");
  ok(memcmp(a, M43, sizeof M43) == 0, "svd: dgesdd works on a copy (a intact for the dgesvd fallback)");
  free(a);
  a = dup(M35, 15);
  rc = lm_svd(a, 3, 5, u, s, vt, sb, NULL);
  signfix(u, 3, 3, vt, 5);
  ok(rc == LM_OK && close_n(s, svd_s_M35, 3, 1e-14) &&
     close_n(u, svd_u_M35, 9, 1e-13) && close_n(vt, svd_vt_M35, 15, 1e-13),
     "svd 3x5 (wide) = numpy");
  free(a);
  {
    static const int sh[][2] = {{30, 20}, {20, 30}, {25, 25}, {1, 6}, {6, 1}};
    size_t t;
    for (t = 0; t < sizeof sh / sizeof sh[0]; t++) {
      int m = sh[t][0], n = sh[t][1], p = m < n ? m : n, i, desc = 1;
      double *x = malloc((size_t)m * n * sizeof(double)), *xu, *xs, *xvt, e;
      lm_mat xm = lm_dense(x, m, n);
      lm_rng_fill_normal(rng, &xm, 0, 1);
      a = dup(x, (size_t)m * n);
      xu = malloc((size_t)m * p * sizeof(double));
      xs = malloc((size_t)p * sizeof(double));
      xvt = malloc((size_t)p * n * sizeof(double));
      rc = lm_svd(a, m, n, xu, xs, xvt, NULL, NULL);
      for (i = 1; i < p; i++) if (xs[i] > xs[i - 1]) desc = 0;
      e = svd_err(x, xu, xs, xvt, m, n);
      ok(rc == LM_OK && desc && e < 1e-13,
         "svd %dx%d random: |U S Vt - A| %.2g, s descending", m, n, e);
      free(x); free(a); free(xu); free(xs); free(xvt);
    }
  }
  {
    double z[6] = {1, 2, 3, 4, 5, NAN};
    ok(lm_svd(z, 2, 3, u, s, vt, sb, NULL) == LM_EARG, "svd NaN -> LM_EARG");
    ok(lm_svd(NULL, 0, 3, u, s, vt, sb, NULL) == LM_OK, "svd 0x3 is LM_OK");
  }
}

static void test_lstsq(lm_rng *rng) {
  double b[64], s[8], *a;
  int rc, rank, i;
  a = dup(X53, 15);
  memcpy(b, Y52, sizeof Y52);
  rc = lm_lstsq(a, 5, 3, b, 2, -1, s, &rank, NULL);
  ok(rc == LM_OK && rank == 3 && close_n(b, lstsq_x_X53, 6, 1e-13) &&
     close_n(s, lstsq_s_X53, 3, 1e-14), "lstsq 5x3, 2 rhs (overdetermined) = numpy");
  free(a);
  a = dup(A24, 8);
  b[0] = b21[0]; b[1] = b21[1]; b[2] = NAN; b[3] = NAN;  /* rows 2..3 unset */
  rc = lm_lstsq(a, 2, 4, b, 1, -1, s, &rank, NULL);
  ok(rc == LM_OK && rank == 2 && close_n(b, lstsq_x_A24, 4, 1e-13) &&
     close_n(s, lstsq_s_A24, 2, 1e-14),
     "lstsq 2x4 (underdetermined, minimum norm) = numpy");
  free(a);
  a = dup(A24, 8);
  for (i = 0; i < 8; i++) b[i] = NAN;
  b[0] = b21[0]; b[2] = b21[1]; b[1] = b21[0]; b[3] = b21[1];  /* 2 rhs */
  rc = lm_lstsq(a, 2, 4, b, 2, -1, s, &rank, NULL);
  {
    double want[8];
    for (i = 0; i < 4; i++) want[2 * i] = want[2 * i + 1] = lstsq_x_A24[i];
    ok(rc == LM_OK && rank == 2 && close_n(b, want, 8, 1e-13),
       "lstsq 2x4 with 2 rhs (transposed copies) = numpy");
  }
  free(a);
  a = dup(R43, 12);
  memcpy(b, y42, sizeof y42);
  rc = lm_lstsq(a, 4, 3, b, 2, 1e-10, s, &rank, NULL);
  ok(rc == LM_OK && rank == 2 && close_n(b, lstsq_x_R43, 6, 1e-12) &&
     close_n(s, lstsq_s_R43, 2, 1e-14) && fabs(s[2]) < 1e-14,
     "lstsq rank-deficient 4x3 (rcond 1e-10) = numpy, rank 2");
  free(a);
  {  /* normal equations on a random 40x10: A^T (A x - b) = 0 */
    enum { M = 40, N = 10 };
    double x[M], a0[M * N], b0[M], r[M], g = 0, sv[N];
    lm_mat am = lm_dense(a0, M, N), bm = lm_dense(b0, M, 1);
    int j;
    lm_rng_fill_normal(rng, &am, 0, 1);
    lm_rng_fill_normal(rng, &bm, 0, 1);
    a = dup(a0, M * N);
    memcpy(x, b0, sizeof b0);
    rc = lm_lstsq(a, M, N, x, 1, -1, sv, &rank, NULL);
    for (i = 0; i < M; i++) {
      r[i] = -b0[i];
      for (j = 0; j < N; j++) r[i] += a0[i * N + j] * x[j];
    }
    for (j = 0; j < N; j++) {
      double t = 0;
      for (i = 0; i < M; i++) t += a0[i * N + j] * r[i];
      if (fabs(t) > g) g = fabs(t);
    }
    ok(rc == LM_OK && rank == N && g < 1e-12,
       "lstsq 40x10 random: |A'(Ax - b)| %.2g", g);
    free(a);
  }
  {
    double z[6] = {1, 2, 3, 4, 5, 6}, zb[3] = {1, INFINITY, 3};
    ok(lm_lstsq(z, 3, 2, zb, 1, -1, s, &rank, NULL) == LM_EARG, "lstsq inf in b -> LM_EARG");
    zb[1] = 2;
    ok(lm_lstsq(z, 3, 2, zb, 1, NAN, s, &rank, NULL) == LM_EARG, "lstsq rcond NaN -> LM_EARG");
    b[0] = b[1] = b[2] = b[3] = 7;
    rc = lm_lstsq(NULL, 0, 2, b, 2, -1, s, &rank, NULL);
    ok(rc == LM_OK && rank == 0 && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0,
       "lstsq with 0 equations: x = 0, rank 0");
  }
  {
    /* sizes whose workspace (or m n) a 32-bit LAPACK cannot count are
    ** refused before any element is read: one-element buffers stand in
    ** for the 10^9-element ones */
    double one[1] = {1}, o2[1], o3[1], o4[1];
    ok(lm_eigh(one, 40000, o2, NULL) == LM_ETOOBIG,
       "eigh 40000 x 40000 (2 n^2 doubles of workspace) -> LM_ETOOBIG");
    ok(lm_svd(one, 30000, 30000, o2, o3, o4, NULL, NULL) == LM_ETOOBIG,
       "svd 30000 x 30000 (5 p^2 doubles of workspace) -> LM_ETOOBIG");
    ok(lm_svd(one, 3, 800000000, o2, o3, o4, NULL, NULL) == LM_ETOOBIG,
       "svd 3 x 8e8 (m n > 2^31) -> LM_ETOOBIG");
    ok(lm_lstsq(one, 50000, 50000, o2, 1, -1, o3, &rank, NULL) == LM_ETOOBIG,
       "lstsq 50000 x 50000 -> LM_ETOOBIG");
    ok(lm_lstsq(one, 3, 3, o2, 800000000, -1, o3, &rank, NULL) == LM_ETOOBIG,
       "lstsq with 8e8 right-hand sides -> LM_ETOOBIG");
  }
}

/* ====================================================================== */
/* ---- random numbers --------------------------------------------------- */
/* ====================================================================== */

/* The cross-machine contract, pinned: first outputs for seed 42, computed
** independently by a pure-Python transcription of the algorithms in the
** comment at the top of core_rng.c (exact integers; Python floats for
** uniform, detlog and the polar method).  Using libm's log instead of
** detlog changes the third normal in its last bit: that is why the core
** does not use libm there. */
static const uint64_t seed42_next[8] = {
  UINT64_C(0x15780b2e0c2ec716), UINT64_C(0x6104d9866d113a7e),
  UINT64_C(0xae17533239e499a1), UINT64_C(0xecb8ad4703b360a1),
  UINT64_C(0xfde6dc7fe2ec5e64), UINT64_C(0xc50da53101795238),
  UINT64_C(0xb82154855a65ddb2), UINT64_C(0xd99a2743ebe60087)
};
static const double seed42_uniform[4] = {
  0.08386297105988216, 0.3789802506626686, 0.6800434110281394,
  0.9246929453253876
};
static const double seed42_normal[6] = {
  -0.7262191382447857, -0.21119691823195985, 0.22162270150359337,
  0.5227716877560146, 0.46417731016247366, 0.7409788916865562
};
static const uint64_t seed42_below10[12] = {0, 3, 6, 9, 9, 7, 7, 8, 7, 5, 6, 2};
static const double seed42_perm10[10] = {10, 2, 5, 3, 9, 8, 7, 6, 4, 1};

static void test_rng(void) {
  lm_rng r;
  int i, same;
  lm_rng_seed(&r, 42);
  for (same = 1, i = 0; i < 8; i++) same &= lm_rng_next(&r) == seed42_next[i];
  ok(same, "rng seed 42: first 8 xoshiro256** outputs pinned");
  lm_rng_seed(&r, 42);
  for (same = 1, i = 0; i < 4; i++) same &= lm_rng_uniform(&r) == seed42_uniform[i];
  ok(same, "rng seed 42: first 4 uniforms pinned (exact)");
  lm_rng_seed(&r, 42);
  for (same = 1, i = 0; i < 6; i++) {
    double z = lm_rng_normal(&r);
    if (z != seed42_normal[i]) {
      same = 0;
      diag("  normal %d: %.17g, pinned %.17g", i, z, seed42_normal[i]);
    }
  }
  ok(same, "rng seed 42: first 6 normals pinned (exact)");
  lm_rng_seed(&r, 42);
  for (same = 1, i = 0; i < 12; i++) same &= lm_rng_below(&r, 10) == seed42_below10[i];
  ok(same, "rng seed 42: first 12 below(10) pinned");
  {
    double p[10];
    lm_rng_seed(&r, 42);
    lm_rng_permutation(&r, p, 10);
    ok(memcmp(p, seed42_perm10, sizeof p) == 0, "rng seed 42: permutation(10) pinned");
  }
  {  /* reseeding restarts the stream and drops the cached normal */
    double z1, z2;
    lm_rng_seed(&r, 7);
    z1 = lm_rng_normal(&r);
    lm_rng_seed(&r, 7);
    z2 = lm_rng_normal(&r);
    ok(z1 == z2 && r.has_spare, "rng reseed: same first normal, spare cached");
    lm_rng_seed(&r, 7);
    ok(!r.has_spare, "rng reseed clears the spare");
  }
  {  /* uniform moments over 10^6 draws (tolerances ~5 sigma) */
    enum { N = 1000000 };
    double s = 0, s2 = 0, mean, var, mn = 1, mx = 0;
    lm_rng_seed(&r, 1);
    for (i = 0; i < N; i++) {
      double u = lm_rng_uniform(&r);
      s += u; s2 += u * u;
      if (u < mn) mn = u;
      if (u > mx) mx = u;
    }
    mean = s / N; var = s2 / N - mean * mean;
    ok(fabs(mean - 0.5) < 0.0015 && fabs(var - 1.0 / 12) < 0.0004 &&
       mn >= 0 && mx < 1, "uniform: mean %.5f, var %.5f (1/12 = 0.08333), in [0,1)",
       mean, var);
  }
  {  /* normal moments */
    enum { N = 1000000 };
    double s = 0, s2 = 0, mean, sd;
    long in1 = 0;
    lm_rng_seed(&r, 2);
    for (i = 0; i < N; i++) {
      double z = lm_rng_normal(&r);
      s += z; s2 += z * z;
      if (fabs(z) < 1) in1++;
    }
    mean = s / N; sd = sqrt(s2 / N - mean * mean);
    ok(fabs(mean) < 0.005 && fabs(sd - 1) < 0.004 &&
       fabs((double)in1 / N - 0.682689) < 0.003,
       "normal: mean %.5f, sd %.5f, P(|z|<1) %.5f", mean, sd, (double)in1 / N);
  }
  {  /* fills walk the view in row-major order, whatever its strides */
    double buf[30], want[6];
    lm_mat v = {buf + 13, 2, 3, -12, 4};  /* rows 12 apart going up, cols 4 */
    int j, pass = 1;
    for (i = 0; i < 30; i++) buf[i] = -99;
    lm_rng_seed(&r, 5);
    for (i = 0; i < 6; i++) {  /* volatile: no fused multiply-add here */
      volatile double t = 3 * lm_rng_uniform(&r);
      want[i] = 2 + t;
    }
    lm_rng_seed(&r, 5);
    lm_rng_fill_uniform(&r, &v, 2, 5);
    for (i = 0; i < 2; i++)
      for (j = 0; j < 3; j++) pass &= get(&v, i, j) == want[i * 3 + j];
    for (i = 0, j = 0; i < 30; i++) j += buf[i] != -99;
    ok(pass && j == 6, "fill_uniform: row-major order on a strided view, lo + (hi-lo) u");
    lm_rng_seed(&r, 5);
    for (i = 0; i < 6; i++) {
      volatile double t = 0.5 * lm_rng_normal(&r);
      want[i] = -1 + t;
    }
    lm_rng_seed(&r, 5);
    v.rs = 1; v.cs = 2; v.data = buf;  /* a transposed-like view */
    lm_rng_fill_normal(&r, &v, -1, 0.5);
    for (pass = 1, i = 0; i < 2; i++)
      for (j = 0; j < 3; j++) pass &= get(&v, i, j) == want[i * 3 + j];
    ok(pass, "fill_normal: row-major order on a column-major view, mean + sd z");
  }
  {  /* permutations */
    enum { N = 1000 };
    double p[N];
    char seen[N + 1];
    int good = 1, moved = 0;
    lm_rng_seed(&r, 3);
    lm_rng_permutation(&r, p, N);
    memset(seen, 0, sizeof seen);
    for (i = 0; i < N; i++) {
      int v = (int)p[i];
      if (p[i] != v || v < 1 || v > N || seen[v]) good = 0;
      else seen[v] = 1;
      moved += v != i + 1;
    }
    ok(good && moved > N / 2, "permutation(1000) is a permutation of 1..1000");
    p[0] = -5;
    lm_rng_permutation(&r, p, 1);
    lm_rng_permutation(&r, NULL, 0);
    ok(p[0] == 1, "permutation(1) = {1}, permutation(0) is a no-op");
  }
  {  /* all 3! orders of 1..3 equally likely (an off-by-one shows here) */
    enum { N = 60000 };
    long cnt[6] = {0};
    int fine = 1;
    lm_rng_seed(&r, 6);
    for (i = 0; i < N; i++) {
      double p[3];
      int code;
      lm_rng_permutation(&r, p, 3);
      code = (int)(p[0] * 100 + p[1] * 10 + p[2]);
      switch (code) {
        case 123: cnt[0]++; break;
        case 132: cnt[1]++; break;
        case 213: cnt[2]++; break;
        case 231: cnt[3]++; break;
        case 312: cnt[4]++; break;
        case 321: cnt[5]++; break;
        default: fine = 0;
      }
    }
    for (i = 0; i < 6; i++) fine &= labs(cnt[i] - N / 6) < 500;  /* 5 sigma */
    ok(fine, "permutation(3): the 6 orders %ld %ld %ld %ld %ld %ld (10000 +- 500)",
       cnt[0], cnt[1], cnt[2], cnt[3], cnt[4], cnt[5]);
  }
  {  /* below: unbiased */
    enum { N = 600000 };
    long cnt[6] = {0};
    int fine = 1;
    uint64_t big = UINT64_C(0xAAAAAAAAAAAAAAAA);  /* ~ 2/3 of 2^64 */
    long low = 0;
    lm_rng_seed(&r, 4);
    for (i = 0; i < N; i++) {
      uint64_t x = lm_rng_below(&r, 6);
      if (x >= 6) fine = 0;
      else cnt[x]++;
    }
    for (i = 0; i < 6; i++) fine &= labs(cnt[i] - N / 6) < 1500;  /* 5 sigma */
    ok(fine, "below(6): counts %ld %ld %ld %ld %ld %ld (100000 each +- 1500)",
       cnt[0], cnt[1], cnt[2], cnt[3], cnt[4], cnt[5]);
    for (i = 0; i < 100000; i++) {
      uint64_t x = lm_rng_below(&r, big);
      if (x >= big) fine = 0;
      low += x < big / 2;
    }
    /* x mod n would put 2/3 of the draws in the lower half here */
    ok(fine && fabs(low / 100000.0 - 0.5) < 0.008,
       "below(0xAAAA...AA): P(x < n/2) = %.4f (a modulo would give 0.667)",
       low / 100000.0);
    ok(lm_rng_below(&r, 0) == 0 && lm_rng_below(&r, 1) == 0 &&
       lm_rng_below(&r, UINT64_MAX) < UINT64_MAX, "below(0) = below(1) = 0, below(max) < max");
  }
}

int main(void) {
  lm_rng rng;
  lm_rng_seed(&rng, 12345);
  test_gemm(&rng);
  test_gemm_scratch();
  test_gemm_tiny(&rng);
  test_inner(&rng);
  test_solve_inv_det(&rng);
  test_cholesky_eigh(&rng);
  test_svd(&rng);
  test_lstsq(&rng);
  test_rng();
  return tap_end();
}
