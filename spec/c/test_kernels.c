/*
** test_kernels.c -- the choice between our skinny-product loops and BLAS
** (core_simd.c: lm_kernel_*), and the values both paths give.  Prints
** TAP; exits 1 on failure.
**
** Asserted: lm_kernel_choose on made-up times (ours only when its median
** is LM_KMARGIN faster, failed measurements skipped); the measuring
** sequence through lm_kernel_path on a made-up clock (ours and BLAS
** alternating, the periods timed, then the choice held, per kind and size
** class, one kind at a time, a stale one giving way); the cache file
** (written with its directories, read back by the next process, other
** machines' lines kept, a cache that cannot be written, its location);
** LUAML_KERNEL=own|blas forcing a path; lm_gemm on X W and
** X^T G shapes (transposed views, alpha and beta, n = 1 .. 16) giving the
** same numbers on both paths within rounding, and within rounding of a
** long-double reference; and every small and skinny kernel giving the
** in-order fma chain where a plain sum overflows in an intermediate
** (1e308 * 1.5 + 1e308 * -2 = -5e307, not -inf); the tiny products' kernel
** of each instruction set this CPU runs (lm_gemm_tiny) giving the in-order
** sum bit for bit on every shape up to 16 x 64 x 16, layouts, alpha and
** beta, with NaN, inf and such overflows.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "core_simd.h"
#include "tap.h"

/* ---- the choice on made-up times ---------------------------------------- */

static void test_choose(void) {
  double fast[5] = {2e-10, 1e-10, 3e-10, 9e-10, 1e-10};   /* median 2e-10 */
  double slow[5] = {2.2e-10, 1.5e-10, 9e-10, 2.5e-10, 2.4e-10};  /* 2.4e-10 */
  double near[5] = {2e-10, 2e-10, 2e-10, 1e-12, 9e-9};  /* median 2e-10 */
  double none[5] = {0, NAN, -1, 0, 0}, one[5] = {0, 5e-10, 0, 0, 0};
  ok(lm_kernel_choose(fast, slow, 5) == LM_KPATH_OWN,
     "ours faster by 17%% (medians): ours");
  ok(lm_kernel_choose(slow, fast, 5) == LM_KPATH_BLAS, "BLAS faster: BLAS");
  ok(lm_kernel_choose(fast, fast, 5) == LM_KPATH_BLAS, "a tie: BLAS");
  ok(lm_kernel_choose(fast, near, 5) == LM_KPATH_BLAS,
     "equal medians, ours with the best single time: BLAS");
  {
    double by4[5], by6[5];
    int i;
    for (i = 0; i < 5; i++) { by4[i] = fast[i] * 0.96; by6[i] = fast[i] * 0.94; }
    ok(lm_kernel_choose(by4, fast, 5) == LM_KPATH_BLAS,
       "ours faster by 4%% (< LM_KMARGIN): BLAS");
    ok(lm_kernel_choose(by6, fast, 5) == LM_KPATH_OWN,
       "ours faster by 6%% (> LM_KMARGIN): ours");
  }
  ok(lm_kernel_choose(none, fast, 5) == LM_KPATH_BLAS,
     "no valid time of ours: BLAS");
  ok(lm_kernel_choose(fast, none, 5) == LM_KPATH_OWN,
     "no valid time of BLAS: ours");
  ok(lm_kernel_choose(none, none, 5) == LM_KPATH_BLAS, "none at all: BLAS");
  ok(lm_kernel_choose(one, slow, 5) == LM_KPATH_BLAS,
     "failed samples skipped: median 5e-10 against 2.4e-10");
}

/* ---- the measuring sequence on a made-up clock --------------------------- */

static double fake_now;
static double fake_clock(void) { return fake_now; }

/* one call of kind and class: its path, the clock then moved on by the
** period of that path (own_t or blas_t seconds) */
static int call(int kind, int cls, double own_t, double blas_t) {
  int path = lm_kernel_path(kind, cls, 1e6);
  fake_now += path == LM_KPATH_OWN ? own_t : blas_t;
  return path;
}

/* run one kind and class through its measurement: 1 when the paths were
** the documented sequence (ours, BLAS, BLAS, ours, ours, BLAS ...) */
static int measure(int kind, int cls, double own_t, double blas_t) {
  static const int order[4] = {LM_KPATH_OWN, LM_KPATH_BLAS, LM_KPATH_BLAS,
                               LM_KPATH_OWN};
  int k, good = 1;
  for (k = 0; k < 2 * (LM_KSAMPLES + 1); k++)
    if (call(kind, cls, own_t, blas_t) != order[k % 4]) good = 0;
  return good;
}

/* a cache file's text ("" when there is none) */
static void slurp(const char *path, char *buf, size_t len) {
  FILE *f = fopen(path, "r");
  size_t n = 0;
  if (f != NULL) { n = fread(buf, 1, len - 1, f); fclose(f); }
  buf[n] = '\0';
}

static int count(const char *s, const char *what) {
  int n = 0;
  for (; (s = strstr(s, what)) != NULL; s++) n++;
  return n;
}

static void test_sequence(void) {
  int path, c, cls;
  double own, blas;
  const char *how;
  char cache[256], text[8192];
  snprintf(cache, sizeof cache, "/tmp/luaml-test-kernels-%ld/sub/kernels",
           (long)getpid());
  setenv("LUAML_KERNEL_CACHE", cache, 1);
  unsetenv("LUAML_KERNEL");
  lm_kernel_setclock(fake_clock);
  lm_kernel_reset();
  how = lm_kernel_state(LM_K_XTG, 1, &path, &own, &blas);
  ok(strcmp(how, "not yet used") == 0 && path == -1, "fresh: %s", how);
  ok(measure(LM_K_XTG, 1, 3e-3, 1e-3),
     "X^T G: ours, BLAS, BLAS, ours ... (the first of each untimed)");
  how = lm_kernel_state(LM_K_XTG, 1, &path, &own, &blas);
  ok(path == -1 && strcmp(how, "measuring") == 0,
     "undecided until the next call closes the last period (%s)", how);
  ok(call(LM_K_XTG, 1, 0, 0) == LM_KPATH_BLAS, "then decided");
  how = lm_kernel_state(LM_K_XTG, 1, &path, &own, &blas);
  ok(path == LM_KPATH_BLAS && strcmp(how, "measured") == 0,
     "BLAS measured faster is chosen (%s)", how);
  ok(fabs(own - 3e-9) < 1e-21 && fabs(blas - 1e-9) < 1e-21,
     "the periods per multiply-add kept: %g %g", own, blas);
  ok(call(LM_K_XTG, 1, 0, 0) == LM_KPATH_BLAS, "the choice holds");
  how = lm_kernel_state(LM_K_XTG, 2, &path, &own, &blas);
  ok(path == -1 && own == 0, "another size class is measured apart");
  ok(measure(LM_K_XW, 2, 1e-3, 2e-3), "X W: the same sequence");
  how = lm_kernel_state(LM_K_XW, 2, &path, &own, &blas);
  ok(path == -1 && strcmp(how, "measuring") == 0, "X W: %s", how);
  ok(call(LM_K_XW, 2, 0, 0) == LM_KPATH_OWN, "ours measured faster is chosen");
  slurp(cache, text, sizeof text);
  if (!ok(count(text, "\tX^T G\t1\tblas\t3\t1\n") == 1 &&
     count(text, "\tX W\t2\town\t1\t2\n") == 1 && count(text, "\n") == 2,
     "both choices written to the cache, made with its directories"))
    diag("%s", text);
  {
    char rev[64];
    snprintf(rev, sizeof rev, "luaml kernels rev %d", LM_KCACHE_REV);
    ok(strncmp(text, rev, strlen(rev)) == 0 && count(text, rev) == 2 &&
       count(text, " threads; ") == 2 && count(text, lm_blas_id()) == 2,
       "under a key of the kernels' revision, the CPU, the threads, the BLAS");
  }

  /* one kind and class measures at a time; the others, undecided, run
  ** the path of its current step (ours with ours, BLAS with BLAS) */
  path = call(LM_K_XTD, 0, 1e-3, 2e-3);
  ok(path == LM_KPATH_OWN, "X^T d begins measuring");
  for (c = 0; c < 2 * LM_KWAITS; c++)
    if (call(LM_K_XW, 0, 1e-3, 1e-3) != LM_KPATH_OWN) break;
  ok(c == 2 * LM_KWAITS &&
     strcmp(lm_kernel_state(LM_K_XW, 0, &path, &own, &blas), "default") == 0,
     "meanwhile X W runs ours, as X^T d's step does (%d calls in %gs)", c,
     c * 1e-3);
  fake_now += 2 * LM_KSTALE;  /* a step longer than LM_KSTALE */
  ok(call(LM_K_XTD, 0, 1e-3, 2e-3) == LM_KPATH_BLAS &&
     strcmp(lm_kernel_state(LM_K_XTD, 0, &path, &own, &blas), "measuring") == 0,
     "X^T d called again, after a long step: still measuring");
  fake_now += 2 * LM_KSTALE;
  for (c = 0; c < LM_KWAITS - 1; c++)
    if (call(LM_K_XW, 0, 1e-3, 1e-3) != LM_KPATH_BLAS) break;
  ok(c == LM_KWAITS - 1, "%d calls of another kind, on BLAS as X^T d's "
     "step now: still X^T d's turn", c);
  ok(measure(LM_K_XW, 0, 1e-3, 1e-3) &&
     strcmp(lm_kernel_state(LM_K_XTD, 0, &path, &own, &blas), "default") == 0,
     "X^T d left for %gs and %d calls of others gives way", 2 * LM_KSTALE,
     LM_KWAITS);
  ok(call(LM_K_XW, 0, 0, 0) == LM_KPATH_BLAS, "a tie: BLAS");

  /* another process: the choices read back, nothing measured */
  lm_kernel_reset();
  ok(call(LM_K_XTG, 1, 0, 0) == LM_KPATH_BLAS && call(LM_K_XW, 2, 0, 0) == LM_KPATH_OWN,
     "the next process reads both choices from the cache");
  how = lm_kernel_state(LM_K_XW, 2, &path, &own, &blas);
  ok(strcmp(how, "cached") == 0 && fabs(own - 1e-9) < 1e-15 && fabs(blas - 2e-9) < 1e-15,
     "how: %s, with the times measured (%g %g)", how, own, blas);
  ok(measure(LM_K_XTG, 2, 1e-3, 3e-3), "a class not in the cache is measured");
  call(LM_K_XTG, 2, 0, 0);
  slurp(cache, text, sizeof text);
  if (!ok(count(text, "\n") == 4 && count(text, "\tX^T G\t1\tblas") == 1,
          "its line added, the others kept"))
    diag("%s", text);
  /* a line of another machine is kept and not used */
  {
    FILE *f = fopen(cache, "a");
    fputs("luaml kernels rev 0; another CPU\tX^T d\t1\town\t1\t2\n", f);
    fputs("junk\n", f);
    fclose(f);
  }
  lm_kernel_reset();
  how = lm_kernel_state(LM_K_XTD, 1, &path, &own, &blas);
  ok(call(LM_K_XTD, 1, 1e-3, 1e-3) == LM_KPATH_OWN &&
     strcmp(lm_kernel_state(LM_K_XTD, 1, &path, &own, &blas), "measuring") == 0,
     "another machine's line is not this one's");
  lm_kernel_reset();
  ok(measure(LM_K_XTD, 1, 2e-3, 1e-3), "measured");
  call(LM_K_XTD, 1, 0, 0);
  slurp(cache, text, sizeof text);
  if (!ok(count(text, "another CPU") == 1 && count(text, "junk\n") == 1 &&
          count(text, "\n") == 7, "the others' lines kept"))
    diag("%s", text);
  remove(cache);
  *strrchr(cache, '/') = '\0';
  rmdir(cache);
  *strrchr(cache, '/') = '\0';
  rmdir(cache);

  /* no cache, or one that cannot be written: each process measures */
  setenv("LUAML_KERNEL_CACHE", "/proc/no/such/kernels", 1);
  lm_kernel_reset();
  ok(measure(LM_K_XW, 1, 1e-3, 3e-3) && call(LM_K_XW, 1, 0, 0) == LM_KPATH_OWN,
     "a cache that cannot be written: measured all the same");
  setenv("LUAML_KERNEL_CACHE", "off", 1);
  lm_kernel_reset();
  ok(lm_kernel_cache() == NULL, "LUAML_KERNEL_CACHE=off: no cache");
  unsetenv("LUAML_KERNEL_CACHE");
  setenv("XDG_CACHE_HOME", "/x/y", 1);
  lm_kernel_reset();
  ok(lm_kernel_cache() == NULL, "the default path only once allowed (a C host)");
  lm_kernel_cache_allow(1);
  lm_kernel_reset();
  ok(lm_kernel_cache() && strcmp(lm_kernel_cache(), "/x/y/luaml/kernels") == 0,
     "XDG_CACHE_HOME/luaml/kernels");
  unsetenv("XDG_CACHE_HOME");
  setenv("HOME", "/h", 1);
  lm_kernel_reset();
  ok(lm_kernel_cache() && strcmp(lm_kernel_cache(), "/h/.cache/luaml/kernels") == 0,
     "else HOME/.cache/luaml/kernels");
  unsetenv("HOME");
  lm_kernel_reset();
  ok(lm_kernel_cache() == NULL, "neither: no cache");
  setenv("LUAML_KERNEL_CACHE", "off", 1);
  lm_kernel_reset();
  for (c = 0; c < LM_KCLASSES; c++) {
    lm_kernel_state(LM_K_XTG, c, &path, &own, &blas);
    if (path != -1) break;
  }
  ok(c == LM_KCLASSES, "reset forgets every choice");

  setenv("LUAML_KERNEL", "blas", 1);
  lm_kernel_reset();
  ok(call(LM_K_XW, 1, 0, 0) == LM_KPATH_BLAS && call(LM_K_XW, 1, 0, 0) == LM_KPATH_BLAS,
     "LUAML_KERNEL=blas forces BLAS");
  how = lm_kernel_state(LM_K_XW, 1, &path, &own, &blas);
  ok(path == LM_KPATH_BLAS && strcmp(how, "forced") == 0, "how: %s", how);
  setenv("LUAML_KERNEL", "own", 1);
  lm_kernel_reset();
  ok(call(LM_K_XTG, 0, 0, 0) == LM_KPATH_OWN && call(LM_K_XTG, 0, 0, 0) == LM_KPATH_OWN,
     "LUAML_KERNEL=own forces ours");
  setenv("LUAML_KERNEL", "fast", 1);
  lm_kernel_reset();
  ok(measure(LM_K_XTG, 0, 1e-3, 1e-3), "an unknown value measures");
  (void)cls;
  unsetenv("LUAML_KERNEL");
  lm_kernel_setclock(NULL);
  lm_kernel_reset();
}

/* a training step of two kinds, X v then X^T d: the first measures, the
** second follows it on the same path, and both keep its choice.  On the
** made-up clock X v costs 1 ms on either path; X^T d 1 ms ours, 3 ms
** BLAS: the whole step is faster ours. */
static void test_group(void) {
  int k, path, good = 1;
  double own, blas;
  const char *how;
  setenv("LUAML_KERNEL_CACHE", "off", 1);
  unsetenv("LUAML_KERNEL");
  lm_kernel_setclock(fake_clock);
  lm_kernel_reset();
  for (k = 0; k < 2 * (LM_KSAMPLES + 1); k++) {
    int p = call(LM_K_XV, 1, 1e-3, 1e-3);
    if (call(LM_K_XTD, 1, 1e-3, 3e-3) != p) good = 0;
  }
  ok(good, "X^T d runs the path of X v's step, every step");
  ok(call(LM_K_XV, 1, 0, 0) == LM_KPATH_OWN, "X v: ours");
  how = lm_kernel_state(LM_K_XV, 1, &path, &own, &blas);
  ok(strcmp(how, "measured") == 0 && fabs(own - 2e-9) < 1e-21 &&
     fabs(blas - 4e-9) < 1e-21, "X v measured, its periods the whole steps: "
     "%s %g %g", how, own, blas);
  how = lm_kernel_state(LM_K_XTD, 1, &path, &own, &blas);
  ok(path == LM_KPATH_OWN && strcmp(how, "measured") == 0 && own > 0 &&
     blas > 0, "X^T d keeps the same choice, measured with it (%s)", how);
  ok(call(LM_K_XTD, 1, 0, 0) == LM_KPATH_OWN, "and runs it");
  /* a kind that came in late did not follow the whole measurement */
  lm_kernel_reset();
  for (k = 0; k < 2 * (LM_KSAMPLES + 1); k++) {
    call(LM_K_XV, 1, 1e-3, 1e-3);
    if (k >= LM_KSAMPLES) call(LM_K_XTD, 1, 1e-3, 3e-3);
  }
  call(LM_K_XV, 1, 0, 0);
  how = lm_kernel_state(LM_K_XTD, 1, &path, &own, &blas);
  ok(path == -1 && strcmp(how, "default") == 0,
     "a kind that followed half the steps stays undecided (%s)", how);
  ok(measure(LM_K_XTD, 1, 1e-3, 3e-3), "and is measured next");
  lm_kernel_setclock(NULL);
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
  ok(lm_kernel_kind(&a, &b, &probe, &cls) ==
         (xt ? (n == 1 ? LM_K_XTD : LM_K_XTG) : n == 1 ? LM_K_XV : LM_K_XW),
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

/* X v with v a column of a wider matrix (row stride 3, packed first)
** and with v dense: the same bits, on our path */
static void xv_strided(void) {
  enum { M = 5003, K = 301 };
  double *x = grid((size_t)M * K, 0.5, 1), *y = grid((size_t)K * 3, 1.5, 2);
  double *v = malloc(K * sizeof *v), *o1 = malloc(M * sizeof *o1);
  double *o2 = malloc(M * sizeof *o2);
  lm_mat a = lm_dense(x, M, K), vs = lm_dense(y + 1, K, 1);
  lm_mat vd = lm_dense(v, K, 1), m1 = lm_dense(o1, M, 1), m2 = lm_dense(o2, M, 1);
  int i, cls;
  vs.rs = 3;
  for (i = 0; i < K; i++) v[i] = y[3 * i + 1];
  setenv("LUAML_KERNEL", "own", 1);
  lm_kernel_reset();
  ok(lm_kernel_kind(&a, &vs, &m1, &cls) == LM_K_XV &&
     lm_gemm(1.0, &a, &vs, 0.0, &m1, NULL) == LM_OK &&
     lm_gemm(1.0, &a, &vd, 0.0, &m2, NULL) == LM_OK &&
     memcmp(o1, o2, M * sizeof *o1) == 0,
     "X v with v strided (packed) and dense: the same bits");
  free(x); free(y); free(v); free(o1); free(o2);
}

static void test_paths(void) {
  static const int ns[] = {1, 3, 4, 10, 16};
  size_t i;
  if (!lm_blas_ready()) {
    tap_skip(2 * 18 + 1, "no BLAS");
    return;
  }
  for (i = 0; i < sizeof ns / sizeof ns[0]; i++) {
    both_paths(1, 0, 300, 2003, ns[i], 1.0, 0.0);       /* X^T G */
    if (ns[i] != 3) both_paths(0, 0, 2003, 300, ns[i], 1.0, 0.0);  /* X W */
  }
  both_paths(0, 0, 4099, 257, 1, -0.5, 2.0);  /* X v */
  both_paths(0, 0, 10001, 7, 1, 1.0, 0.0);    /* rows shorter than a vector */
  both_paths(0, 1, 3001, 209, 1, 1.0, 0.0);   /* v a transposed row */
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
  xv_strided();
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
  overflow("skinny X v", 3000, 330, 1, 0, 0, 0);
  overflow("skinny X v", 3001, 330, 1, 0, 0, 1);
  overflow("skinny X^T G", 330, 3000, 1, 1, 0, 0);
  overflow("skinny X^T G", 330, 3000, 10, 1, 0, 1);
  unsetenv("LUAML_KERNEL");
  lm_kernel_reset();
}

/* ---- the tiny kernel of every instruction set ---------------------------- */

/* a view (r, c) of layout kind over its own zeroed storage of *span
** doubles, exactly those it covers (a read beyond them is the sanitizer's
** error): 0 dense, 1 transposed (rs 1), 2 rows 3 apart beyond the row (a
** slice), 3 rows reversed (rs -c), 4 columns 2 apart (cs 2) */
static lm_mat tiny_view(int kind, int r, int c, double **store, size_t *span) {
  lm_mat v;
  *span = kind == 2 ? (size_t)(r - 1) * (c + 3) + c
        : kind == 4 ? (size_t)(r - 1) * 2 * c + 2 * (size_t)c - 1
        : (size_t)r * c;
  *store = calloc(*span, sizeof(double));
  v.data = *store;
  v.rows = r;
  v.cols = c;
  switch (kind) {
    case 1: v.rs = 1; v.cs = r; break;
    case 2: v.rs = c + 3; v.cs = 1; break;
    case 3: v.rs = -c; v.cs = 1; v.data += (ptrdiff_t)(r - 1) * c; break;
    case 4: v.rs = 2 * c; v.cs = 2; break;
    default: v.rs = c; v.cs = 1; break;
  }
  return v;
}

#define TV_AT(v, i, j) ((v).data[(ptrdiff_t)(i) * (v).rs + (ptrdiff_t)(j) * (v).cs])

/* lm_gemm_small's definition: out[i][j] = alpha s + beta out[i][j] (beta
** 0: out ignored), s the in-order sum over k, redone as the in-order fma
** chain where it is not finite */
static double tiny_ref(double alpha, const lm_mat *a, const lm_mat *b,
                       double beta, double old, int i, int j) {
  double s = 0.0;
  int k;
  for (k = 0; k < a->cols; k++) s += TV_AT(*a, i, k) * TV_AT(*b, k, j);
  if (!isfinite(s))
    for (s = 0.0, k = 0; k < a->cols; k++)
      s = fma(TV_AT(*a, i, k), TV_AT(*b, k, j), s);
  return beta == 0 ? alpha * s : alpha * s + beta * old;
}

/* equal bits, or both NaN */
static int same_bits(double x, double y) {
  return (isnan(x) && isnan(y)) || memcmp(&x, &y, sizeof x) == 0;
}

/* Every m, n in 1..16 and k in {1, 3, 10, 64} (every grouping of rows and
** width of vectors each kernel has), with layouts of a, b and out, alpha
** and beta drawn at random (seeded), on each instruction set this CPU
** runs: bit for bit the definition, nothing written around out's view.
** Half the cases hold a NaN, an inf or a sum that overflows in an
** intermediate (which the fma chain redoes). */
static void test_tiny_isas(void) {
  static const int isas[] = {LM_ISA_AVX512, LM_ISA_AVX2, LM_ISA_SSE2};
  static const int ks[] = {1, 3, 10, 64};
  static const double ab[][2] = {{1, 0}, {1, 0}, {-0.75, 0}, {2, 0.5}, {1, 1}};
  static const double odd[] = {NAN, INFINITY, -INFINITY, 1e308, 1e308};
  size_t s;
  for (s = 0; s < sizeof isas / sizeof isas[0]; s++) {
    int isa = isas[s], m, n, ki, cases = 0, bad = 0, outside = 0;
    double one = 1.0, z = 0.0;
    lm_mat p1 = lm_dense(&one, 1, 1), p0 = lm_dense(&z, 1, 1);
    lm_rng rng;
    lm_rng_seed(&rng, 14);
    if (!lm_gemm_tiny(isa, 1.0, &p1, &p1, 0.0, &p0)) {
      tap_skip(1, "this CPU lacks the instruction set");
      continue;
    }
    for (m = 1; m <= 16; m++)
      for (n = 1; n <= 16; n++)
        for (ki = 0; ki < 4; ki++) {
          int k = ks[ki], i, j, la = (int)lm_rng_below(&rng, 3);
          int lb = (int)lm_rng_below(&rng, 5), lo = (int)lm_rng_below(&rng, 5);
          int t = (int)lm_rng_below(&rng, 5), sp = (int)lm_rng_below(&rng, 10);
          double alpha = ab[t][0], beta = ab[t][1];
          double *sa, *sb, *so, *o0;
          lm_mat a, b, o;
          size_t span, span_a, span_b, q;
          if ((double)m * n * k > LM_GEMM_SMALL) continue;  /* not small */
          a = tiny_view(la == 2 ? 3 : la, m, k, &sa, &span_a);
          b = tiny_view(lb, k, n, &sb, &span_b);
          o = tiny_view(lo, m, n, &so, &span);
          for (i = 0; i < m; i++)
            for (j = 0; j < k; j++) TV_AT(a, i, j) = sin(1.0 + i * 17 + j) - 0.25;
          for (i = 0; i < k; i++)
            for (j = 0; j < n; j++) TV_AT(b, i, j) = 0.25 * cos(3.0 + i * 5 + j * 11);
          for (q = 0; q < span; q++) so[q] = 0.5 + (double)q;
          if (sp < 5) {  /* a special value in a (and b), or overflow */
            double v = odd[sp];
            int r = (int)lm_rng_below(&rng, (uint64_t)m);
            if (v == 1e308 && k > 1) {  /* 1e308 * 1.5 + 1e308 * -2: -5e307 */
              j = (int)lm_rng_below(&rng, (uint64_t)n);  /* in the fma */
              TV_AT(b, 0, j) = 1.5;                      /* chain; -inf */
              TV_AT(b, 1, j) = -2;                       /* plainly */
              for (j = 0; j < k; j++) TV_AT(a, r, j) = 1e308;
            } else if (v != 1e308) {
              TV_AT(a, r, (int)lm_rng_below(&rng, (uint64_t)k)) = v;
              if (sp == 0)
                TV_AT(b, (int)lm_rng_below(&rng, (uint64_t)k),
                      (int)lm_rng_below(&rng, (uint64_t)n)) = -INFINITY;
            }
          }
          o0 = malloc(span * sizeof *o0);
          memcpy(o0, so, span * sizeof *o0);
          cases++;
          if (!lm_gemm_tiny(isa, alpha, &a, &b, beta, &o)) { bad++; goto next; }
          for (i = 0; i < m; i++)
            for (j = 0; j < n; j++) {
              ptrdiff_t at = &TV_AT(o, i, j) - so;
              double want = tiny_ref(alpha, &a, &b, beta, o0[at], i, j);
              if (!same_bits(so[at], want) && bad++ < 3)
                diag("  %s (%d,%d,%d) layouts %d %d %d: [%d][%d] = %.17g, "
                     "want %.17g", lm_isa_name(isa), m, k, n, la, lb, lo, i, j,
                     so[at], want);
              o0[at] = so[at];
            }
          for (q = 0; q < span; q++)  /* the view's elements now agree */
            if (!same_bits(so[q], o0[q])) outside++;
        next:
          free(sa); free(sb); free(so); free(o0);
        }
    ok(bad == 0 && outside == 0, "tiny kernel, %s: %d products (m, n 1..16, "
       "k 1..64, layouts, alpha/beta, NaN, inf, overflow) equal the "
       "in-order sum bit for bit (%d wrong, %d written outside out)",
       lm_isa_name(isa), cases, bad, outside);
  }
  {
    double x[17 * 65] = {0}, y[17 * 65] = {0}, w[17 * 17], w0[17 * 17];
    lm_mat a1 = lm_dense(x, 2, 65), b1 = lm_dense(y, 65, 2), o1 = lm_dense(w, 2, 2);
    lm_mat a2 = lm_dense(x, 2, 3), b2 = lm_dense(y, 3, 17), o2 = lm_dense(w, 2, 17);
    size_t q;
    for (q = 0; q < 17 * 17; q++) w[q] = w0[q] = (double)q;
    ok(!lm_gemm_tiny(LM_ISA_BEST, 1.0, &a1, &b1, 0.0, &o1) &&
       !lm_gemm_tiny(LM_ISA_BEST, 1.0, &a2, &b2, 0.0, &o2) &&
       memcmp(w, w0, sizeof w) == 0,
       "k = 65 or n = 17 is not tiny: out untouched");
  }
}

int main(void) {
  setenv("LUAML_KERNEL_CACHE", "off", 1);
  test_choose();
  test_sequence();
  test_group();
  test_paths();
  test_overflow();
  test_tiny_isas();
  return tap_end();
}
