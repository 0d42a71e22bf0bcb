/*
** test_simd.c -- the vectorised exp, log, sigmoid and tanh (core_simd.c)
** against the plain libm loop, at every instruction-set level this CPU
** runs.  Prints TAP; exits 1 on failure.
**
** For each function and level: a sweep of 10^6+ arguments over the whole
** useful range (and past it, into overflow and underflow) and a table of
** special values (NaN, +-inf, +-0, huge, tiny, subnormal, the edges of the
** fast range).  Asserted: special values are bitwise libm's; every other
** result is within the documented ulp bound of libm's (the maximum seen is
** printed as a TAP comment); a result does not depend on the position of
** its argument (tails, offsets) nor on computing in place.  And the
** thread pool's lm_parallel runs every unit of work exactly once.
*/
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "core_simd.h"
#include "tap.h"

/* doubles mapped to integers in the order of the reals (-0 == +0) */
static int64_t ord(double x) {
  int64_t i;
  memcpy(&i, &x, sizeof i);
  return i < 0 ? INT64_MIN - i : i;
}

/* distance in ulps; "infinite" when exactly one is NaN */
static double ulps(double a, double b) {
  if (isnan(a) || isnan(b)) return (isnan(a) && isnan(b)) ? 0 : HUGE_VAL;
  return fabs((double)(ord(a) - ord(b)));
}

static int samebits(double a, double b) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  return memcmp(&a, &b, sizeof a) == 0;
}

static double plain(lm_vfn f, double x) {
  double z;
  lm_vmath(f, LM_ISA_SCALAR, &x, &z, 1);
  return z;
}

static const char *const fnames[LM_NVFN] = {"exp", "log", "sigmoid", "tanh"};
/* documented bounds (core_simd.c), ulps from libm */
static const double bound[LM_NVFN] = {1, 1, 2, 2};

#define NSWEEP 1000000

/* arguments of f's sweep: a uniform grid over [lo, hi], then random bit
** patterns with exponents in range, both signs (xorshift: reproducible) */
static double *sweep(lm_vfn f, size_t *n) {
  static const double lo[LM_NVFN] = {-760, 0, -800, -30};
  static const double hi[LM_NVFN] = {720, 0, 800, 30};
  double *x = malloc(NSWEEP * sizeof *x);
  uint64_t s = 0x9e3779b97f4a7c15u;
  size_t i, half = NSWEEP / 2;
  for (i = 0; i < half; i++) {
    if (f == LM_VLOG)  /* log-uniform from subnormals to DBL_MAX */
      x[i] = exp2(-1074.0 + 2098.0 * (double)i / (double)half);
    else
      x[i] = lo[f] + (hi[f] - lo[f]) * (double)i / (double)(half - 1);
  }
  for (; i < NSWEEP; i++) {
    uint64_t b;
    double v;
    s ^= s << 13; s ^= s >> 7; s ^= s << 17;
    b = s;
    if (f == LM_VLOG) {
      b &= 0x7fffffffffffffffu;  /* any positive double */
      memcpy(&v, &b, sizeof v);
      if (isnan(v)) v = 1.5;
    } else {  /* mantissa random, magnitude up to hi */
      double m = (double)(b >> 11) / 9007199254740992.0;  /* [0, 1) */
      int e = (int)((b >> 3) % 60) - 50;                   /* 2^-50 .. 2^9 */
      v = ldexp(m, e + 1);
      if (v > hi[f]) v = fmod(v, hi[f]);
      if (b & 1) v = -v;
    }
    x[i] = v;
  }
  *n = NSWEEP;
  return x;
}

static const double specials[] = {
  0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1e-300, -1e-300, 5e-324, -5e-324,
  DBL_MIN, -DBL_MIN, DBL_MAX, -DBL_MAX, 1e308, -1e308, 0x1p-27, -0x1p-27,
  0x1p-28, 1e-10, 19.0, 19.5, -19.5, 25.0, 708.0, -708.0, 708.5, -708.5,
  -708.39, -708.4, 709.78, 709.79, 709.8, 710.0, -745.0, -745.2, -746.0,
  1000.0, -1000.0, 2.2250738585072014e-308, 4.9e-324, 1e-310,
};

/* f at level isa over x (n), against ref (n), libm's results */
static void test_function(lm_vfn f, int isa, const double *x, const double *ref,
                          size_t n) {
  size_t i, ns = sizeof specials / sizeof specials[0] + 3;
  double *z = malloc(n * sizeof *z), worst = 0, wx = 0;
  double sp[64], zs[64];
  int bad = 0;
  lm_vmath(f, isa, x, z, n);
  for (i = 0; i < n; i++) {
    double u = ulps(z[i], ref[i]);
    if (u > worst) { worst = u; wx = x[i]; }
  }
  printf("# %s %s: max %.0f ulp from libm over %zu arguments (at %.17g)\n",
         fnames[f], lm_isa_name(isa), worst, n, wx);
  ok(worst <= bound[f], "%s %s: within %.0f ulp of libm over the sweep",
     fnames[f], lm_isa_name(isa), bound[f]);
  memcpy(sp, specials, sizeof specials);
  sp[ns - 3] = NAN; sp[ns - 2] = HUGE_VAL; sp[ns - 1] = -HUGE_VAL;
  lm_vmath(f, isa, sp, zs, ns);
  for (i = 0; i < ns; i++) {
    double p = plain(f, sp[i]);
    int special = !isfinite(sp[i]) || sp[i] == 0 || !isfinite(p) || p == 0 ||
                  fabs(p) < DBL_MIN || fabs(sp[i]) < DBL_MIN ||
                  (f == LM_VLOG && sp[i] < 0);
    if (special ? !samebits(zs[i], p) : ulps(zs[i], p) > bound[f]) {
      if (!bad) printf("# %s(%.17g) = %.17g, libm %.17g\n", fnames[f], sp[i],
                       zs[i], p);
      bad++;
    }
  }
  ok(bad == 0, "%s %s: special values as libm (%d differ)", fnames[f],
     lm_isa_name(isa), bad);
  /* the same arguments at other offsets, lengths and in place */
  bad = 0;
  for (i = 1; i < 12; i++) {
    size_t m = 37 + i, k;
    double *y = malloc((m + i) * sizeof *y);
    memcpy(y + i, x + 1000 * i, m * sizeof *y);
    lm_vmath(f, isa, y + i, y + i, m);  /* in place, shifted */
    for (k = 0; k < m; k++)
      if (!samebits(y[i + k], z[1000 * i + k])) bad++;
    free(y);
  }
  ok(bad == 0, "%s %s: results independent of position and aliasing",
     fnames[f], lm_isa_name(isa));
  free(z);
}

/* lm_parallel hands every unit to exactly one piece, in whole pieces */
static void mark(void *ctx, size_t lo, size_t hi) {
  unsigned char *seen = (unsigned char *)ctx;
  size_t k;
  for (k = lo; k < hi; k++) __atomic_add_fetch(&seen[k], 1, __ATOMIC_RELAXED);
}

static void test_parallel(void) {
  static const size_t ns[] = {0, 1, 2, 7, 1000, 262144, 300001, 1 << 20};
  size_t i, k;
  for (i = 0; i < sizeof ns / sizeof ns[0]; i++) {
    size_t n = ns[i];
    unsigned char *seen = calloc(n + 1, 1);
    int bad = 0;
    lm_parallel(n, 1, LM_PAR_MIN_MEM, 8, mark, seen);
    lm_parallel(n, 3, LM_PAR_MIN_MATH, 1, mark, seen);
    for (k = 0; k < n; k++) bad += seen[k] != 2;
    ok(bad == 0 && seen[n] == 0, "lm_parallel covers %zu units once per call",
       n);
    free(seen);
  }
}

int main(void) {
  int f, isa;
  printf("# best instruction set here: %s\n", lm_isa_name(lm_isa_best()));
  for (f = 0; f < LM_NVFN; f++) {
    size_t n;
    double *x = sweep((lm_vfn)f, &n), *ref = malloc(n * sizeof *ref);
    lm_vmath((lm_vfn)f, LM_ISA_SCALAR, x, ref, n);
    for (isa = LM_ISA_SCALAR + 1; isa <= lm_isa_best(); isa++)
      test_function((lm_vfn)f, isa, x, ref, n);
    free(x);
    free(ref);
  }
  ok(lm_isa_best() >= LM_ISA_SCALAR, "a level was chosen");
  test_parallel();
  return tap_end();
}
