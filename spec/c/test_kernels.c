/*
** test_kernels.c -- the choice between our skinny-product loops and BLAS
** (core_simd.c: lm_kernel_*), and the values both paths give.  Prints
** TAP; exits 1 on failure.
**
** Asserted: lm_kernel_choose on made-up times (the faster best time wins,
** ours on a tie, failed measurements skipped); the measuring sequence
** through lm_kernel_path / lm_kernel_note with fake times (warm-up calls
** untimed, ours and BLAS alternating, then the choice held, per kind and
** size class); LUAML_KERNEL=own|blas forcing a path; lm_gemm on X W and
** X^T G shapes (transposed views, alpha and beta, n = 1 .. 16) giving the
** same numbers on both paths within rounding, and within rounding of a
** long-double reference; and every small and skinny kernel giving the
** in-order fma chain where a plain sum overflows in an intermediate
** (1e308 * 1.5 + 1e308 * -2 = -5e307, not -inf).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "core_simd.h"
#include "tap.h"

/* ---- the choice on made-up times ---------------------------------------- */

static void test_choose(void) {
  double fast[3] = {2e-10, 1e-10, 3e-10}, slow[3] = {2e-10, 1.5e-10, 9e-10};
  double none[3] = {0, NAN, -1}, one[3] = {0, 5e-10, 0};
  ok(lm_kernel_choose(fast, slow, 3) == LM_KPATH_OWN, "ours faster: ours");
  ok(lm_kernel_choose(slow, fast, 3) == LM_KPATH_BLAS, "BLAS faster: BLAS");
  ok(lm_kernel_choose(fast, fast, 3) == LM_KPATH_OWN, "a tie: ours");
  ok(lm_kernel_choose(none, fast, 3) == LM_KPATH_BLAS,
     "no valid time of ours: BLAS");
  ok(lm_kernel_choose(fast, none, 3) == LM_KPATH_OWN,
     "no valid time of BLAS: ours");
  ok(lm_kernel_choose(none, none, 3) == LM_KPATH_OWN, "none at all: ours");
  ok(lm_kernel_choose(one, slow, 3) == LM_KPATH_BLAS,
     "failed samples skipped: best 5e-10 against 1.5e-10");
}

/* ---- the measuring sequence with fake times ------------------------------ */

/* run one kind and class through its measurement, noting own_t for our
** calls and blas_t for BLAS's; 1 when the sequence was the documented one */
static int measure(int kind, int cls, double own_t, double blas_t) {
  int k, timed, path, good = 1;
  for (k = 0; k < 2 * (LM_KSAMPLES + 1); k++) {
    path = lm_kernel_path(kind, cls, &timed);
    if (path != (k % 2 == 0 ? LM_KPATH_OWN : LM_KPATH_BLAS)) good = 0;
    if (timed != (k >= 2)) good = 0;
    if (timed)
      lm_kernel_note(kind, cls, path, path == LM_KPATH_OWN ? own_t : blas_t,
                     1e6);
  }
  return good;
}

static void test_sequence(void) {
  int path, timed, c;
  double own, blas;
  const char *how;
  unsetenv("LUAML_KERNEL");
  lm_kernel_reset();
  how = lm_kernel_state(LM_K_XTG, 1, &path, &own, &blas);
  ok(strcmp(how, "not yet used") == 0 && path == -1, "fresh: %s", how);
  ok(measure(LM_K_XTG, 1, 3e-3, 1e-3),
     "X^T G: two warm-up calls, then ours and BLAS alternate, timed");
  how = lm_kernel_state(LM_K_XTG, 1, &path, &own, &blas);
  ok(path == LM_KPATH_BLAS && strcmp(how, "measured") == 0,
     "BLAS measured faster is chosen (%s)", how);
  ok(fabs(own - 3e-9) < 1e-21 && fabs(blas - 1e-9) < 1e-21,
     "times per multiply-add kept: %g %g", own, blas);
  path = lm_kernel_path(LM_K_XTG, 1, &timed);
  ok(path == LM_KPATH_BLAS && !timed, "the choice holds, untimed");
  how = lm_kernel_state(LM_K_XTG, 2, &path, &own, &blas);
  ok(path == -1 && own == 0, "another size class is measured apart");
  ok(measure(LM_K_XW, 2, 1e-3, 2e-3), "X W: the same sequence");
  how = lm_kernel_state(LM_K_XW, 2, &path, &own, &blas);
  ok(path == LM_KPATH_OWN, "ours measured faster is chosen");
  /* half a measurement: still undecided, still alternating */
  path = lm_kernel_path(LM_K_XW, 0, &timed);
  path = lm_kernel_path(LM_K_XW, 0, &timed);
  how = lm_kernel_state(LM_K_XW, 0, &path, &own, &blas);
  ok(path == -1 && strcmp(how, "measuring") == 0, "measuring: %s", how);
  lm_kernel_reset();
  for (c = 0; c < LM_KCLASSES; c++) {
    lm_kernel_state(LM_K_XTG, c, &path, &own, &blas);
    if (path != -1) break;
  }
  ok(c == LM_KCLASSES, "reset forgets every choice");

  setenv("LUAML_KERNEL", "blas", 1);
  lm_kernel_reset();
  path = lm_kernel_path(LM_K_XW, 1, &timed);
  how = lm_kernel_state(LM_K_XW, 1, &path, &own, &blas);
  ok(path == LM_KPATH_BLAS && !timed && strcmp(how, "forced") == 0,
     "LUAML_KERNEL=blas forces BLAS, untimed");
  setenv("LUAML_KERNEL", "own", 1);
  lm_kernel_reset();
  path = lm_kernel_path(LM_K_XTG, 0, &timed);
  ok(path == LM_KPATH_OWN && !timed, "LUAML_KERNEL=own forces ours");
  setenv("LUAML_KERNEL", "fast", 1);
  lm_kernel_reset();
  path = lm_kernel_path(LM_K_XTG, 0, &timed);
  ok(path == LM_KPATH_OWN && timed == 0, "an unknown value measures");
  unsetenv("LUAML_KERNEL");
  lm_kernel_reset();
}

/* ---- both paths on real products ---------------------------------------- */

/* x[i] = sin(i + seed) * scale: no RNG */
static double *grid(size_t n, double seed, double scale) {
  double *x = malloc(n * sizeof *x);
  size_t i;
  for (i = 0; i < n; i++) x[i] = sin((double)i + seed) * scale;
  return x;
}

/* out = alpha a b + beta out0 in long double, and the bound of rounding:
** 64 * eps * (|alpha| sum |a||b| + |beta out0|) per element */
static void reference(double alpha, const lm_mat *a, const lm_mat *b,
                      double beta, const double *out0, int m, int n,
                      double *ref, double *tol) {
  int i, j, k;
  for (i = 0; i < m; i++)
    for (j = 0; j < n; j++) {
      long double s = 0, t = 0;
      for (k = 0; k < a->cols; k++) {
        double x = a->data[i * a->rs + k * a->cs];
        double y = b->data[k * b->rs + j * b->cs];
        s += (long double)x * y;
        t += fabsl((long double)x * y);
      }
      ref[i * n + j] = (double)(alpha * s + beta * out0[i * n + j]);
      tol[i * n + j] = 64 * 2.2e-16 *
                       (double)(fabs(alpha) * t + fabs(beta * out0[i * n + j]));
    }
}

/* the product with LUAML_KERNEL set to path ("own", "blas"), into a fresh
** copy of out0 */
static double *product(const char *path, double alpha, const lm_mat *a,
                       const lm_mat *b, double beta, const double *out0,
                       int m, int n) {
  double *o = malloc((size_t)m * n * sizeof *o);
  lm_mat om = lm_dense(o, m, n);
  setenv("LUAML_KERNEL", path, 1);
  lm_kernel_reset();
  memcpy(o, out0, (size_t)m * n * sizeof *o);
  if (lm_gemm(alpha, a, b, beta, &om, NULL) != LM_OK) o[0] = NAN;
  return o;
}

/* a (m,k) @ b (k,n) on both paths; X^T G when xt (a a transposed view);
** b a transposed view of a row-major (n,k) W when bt (X W^T, a layer's
** forward product) */
static void both_paths(int xt, int bt, int m, int k, int n, double alpha,
                       double beta) {
  double *x = grid((size_t)m * k, 0.5, 1), *y = grid((size_t)k * n, 1.5, 2);
  double *out0 = grid((size_t)m * n, 2.5, 3);
  double *ref = malloc((size_t)m * n * sizeof *ref);
  double *tol = malloc((size_t)m * n * sizeof *tol);
  double *own, *blas, worst = 0;
  lm_mat a, b = lm_dense(y, k, n), probe = lm_dense(out0, m, n);
  int i, cls, bad = 0;
  if (xt) {  /* X (k, m) stored row-major, a = X^T */
    a.data = x; a.rows = m; a.cols = k; a.rs = 1; a.cs = m;
  } else {
    a = lm_dense(x, m, k);
  }
  if (bt) { b.rs = 1; b.cs = k; }
  ok(lm_kernel_kind(&a, &b, &probe, &cls) == (xt ? LM_K_XTG : LM_K_XW),
     "%s %dx%d @ %dx%d is a skinny product", xt ? "X^T G" : bt ? "X W^T" : "X W",
     m, k, k, n);
  reference(alpha, &a, &b, beta, out0, m, n, ref, tol);
  own = product("own", alpha, &a, &b, beta, out0, m, n);
  blas = product("blas", alpha, &a, &b, beta, out0, m, n);
  for (i = 0; i < m * n; i++) {
    double d = fabs(own[i] - ref[i]), e = fabs(blas[i] - ref[i]);
    if (!(d <= tol[i]) || !(e <= tol[i])) bad++;
    if (tol[i] > 0 && d / tol[i] > worst) worst = d / tol[i];
  }
  ok(bad == 0, "ours and BLAS within rounding of the exact product "
     "(alpha %g, beta %g; ours at %.3f of the bound)", alpha, beta, worst);
  free(x); free(y); free(out0); free(ref); free(tol); free(own); free(blas);
}

static void test_paths(void) {
  static const int ns[] = {1, 3, 4, 10, 16};
  size_t i;
  if (!lm_blas_ready()) {
    tap_skip(2 * 15, "no BLAS");
    return;
  }
  for (i = 0; i < sizeof ns / sizeof ns[0]; i++) {
    both_paths(1, 0, 300, 2003, ns[i], 1.0, 0.0);       /* X^T G */
    if (ns[i] >= 4) both_paths(0, 0, 2003, 300, ns[i], 1.0, 0.0);  /* X W */
  }
  both_paths(1, 0, 257, 4099, 10, -0.5, 2.0);
  both_paths(0, 0, 4099, 257, 7, -0.5, 2.0);
  both_paths(1, 0, 1, 70000, 1, 2.0, 0.5);  /* a 1-row result */
  both_paths(1, 0, 1100, 1501, 3, 1.0, 0.0);  /* X rows wider than a pass */
  /* X W^T with W's rows longer than the stack's copy holds, up to 32 of
  ** them: the input layers of the course's cat classifiers (12288 by 7
  ** and by 20), smaller */
  both_paths(0, 1, 209, 3001, 7, 1.0, 0.0);
  both_paths(0, 1, 130, 2501, 20, -0.5, 2.0);
  both_paths(0, 1, 65, 1025, 32, 1.0, 0.0);
  unsetenv("LUAML_KERNEL");
  lm_kernel_reset();
}

/* ---- an intermediate that overflows -------------------------------------- */

/* a (m,k) all 1e308 but for zeros, b (k,n) with rows 1.5, -2, then zeros:
** every element of a b is 1e308 * 1.5 + 1e308 * -2 = -5e307 exactly when
** each product is fused with its sum, -inf when the products round first */
static void overflow(const char *what, int m, int k, int n, int xt,
                     int bt, double beta) {
  double *x = malloc((size_t)m * k * sizeof *x), *y = calloc((size_t)k * n, sizeof *y);
  double *o = malloc((size_t)m * n * sizeof *o);
  lm_mat a, b, om = lm_dense(o, m, n);
  int i, j, bad = 0;
  for (i = 0; i < m * k; i++) x[i] = 1e308;
  for (j = 0; j < n; j++) {  /* rows 0 and 1 of b */
    y[bt ? j * k : j] = 1.5;
    y[bt ? j * k + 1 : n + j] = -2;
  }
  if (xt) { a.data = x; a.rows = m; a.cols = k; a.rs = 1; a.cs = m; }
  else a = lm_dense(x, m, k);
  if (bt) { b.data = y; b.rows = k; b.cols = n; b.rs = 1; b.cs = k; }
  else b = lm_dense(y, k, n);
  for (i = 0; i < m * n; i++) o[i] = 1e307;
  setenv("LUAML_KERNEL", "own", 1);
  lm_kernel_reset();
  lm_gemm(1.0, &a, &b, beta, &om, NULL);
  for (i = 0; i < m * n; i++)
    if (o[i] != -5e307 + beta * 1e307) bad++;
  ok(bad == 0, "%s %dx%d @ %dx%d%s: -5e307 everywhere (%d wrong; o[0] %g)",
     what, m, k, k, n, beta != 0 ? ", beta 1" : "", bad, o[0]);
  free(x); free(y); free(o);
}

static void test_overflow(void) {
  overflow("tiny", 1, 2, 1, 0, 0, 0);
  overflow("tiny", 10, 10, 10, 0, 0, 0);
  overflow("tiny (b transposed)", 7, 12, 9, 0, 1, 0);
  overflow("tiny", 6, 20, 3, 0, 0, 1);
  overflow("small", 20, 30, 20, 0, 0, 0);
  overflow("small", 5, 100, 25, 0, 1, 1);
  overflow("skinny X W", 3000, 330, 5, 0, 0, 0);
  overflow("skinny X W^T", 300, 3300, 20, 0, 1, 0);
  overflow("skinny X^T G", 330, 3000, 1, 1, 0, 0);
  overflow("skinny X^T G", 330, 3000, 10, 1, 0, 1);
  unsetenv("LUAML_KERNEL");
  lm_kernel_reset();
}

int main(void) {
  test_choose();
  test_sequence();
  test_paths();
  test_overflow();
  return tap_end();
}
