/*
** test_core_sel.c -- the selection kernels of core_sel.c on inputs chosen
** to break them: median and quantile (selection, not a sort) against the
** sorted line on orders that defeat a median-of-3 quickselect (organ
** pipe, sawtooth, all equal, many ties, sorted, reversed, and a long
** interleaved run, two of which reach the heapsort fallback); the stable sort
** on runs longer than its insertion blocks; unique with NaN.  The numpy
** agreement of each function is spec/30_select_spec.lua's.  Prints TAP.
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "tap.h"

#define N 4099

static double x[N], xs[N], work[N];
static size_t idx[2 * N];

/* the q-quantile of the sorted s[0..n-1] by numpy's linear method */
static double ref_quantile(const double *s, size_t n, double q) {
  double vi = (double)(n - 1) * q, prev = floor(vi), a, b, t, d;
  size_t lo, hi;
  if (vi >= (double)(n - 1)) { prev = -1; lo = hi = n - 1; }
  else { lo = (size_t)prev; hi = lo + 1; }
  a = s[lo]; b = s[hi]; t = vi - prev; d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

static double ref_median(const double *s, size_t n) {
  return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
}

/* fill x[0..n-1] with pattern p */
static void pattern(int p, size_t n, uint64_t *seed) {
  size_t i;
  for (i = 0; i < n; i++) {
    *seed = *seed * 6364136223846793005u + 1442695040888963407u;
    switch (p) {
      case 0: x[i] = (double)(*seed >> 11); break;                  /* random */
      case 1: x[i] = (double)(i < n / 2 ? i : n - i); break;        /* organ pipe */
      case 2: x[i] = (double)(i % 17); break;                       /* sawtooth */
      case 3: x[i] = 1.5; break;                                    /* all equal */
      case 4: x[i] = (double)((*seed >> 40) % 3); break;            /* 3 values */
      case 5: x[i] = (double)i; break;                              /* sorted */
      case 6: x[i] = (double)(n - i); break;                        /* reversed */
      default: x[i] = (i % 2) ? (double)i : (double)(n - i); break; /* interleaved */
    }
  }
}

static int cmp(const void *a, const void *b) {
  double u = *(const double *)a, v = *(const double *)b;
  return (u > v) - (u < v);
}

int main(void) {
  static const size_t sizes[] = {1, 2, 3, 7, 8, 9, 16, 17, 100, 1000, N};
  static const double qs[] = {0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999, 1};
  uint64_t seed = 42;
  size_t si, i;
  int p, k;
  for (p = 0; p < 8; p++) {
    int good = 1;
    for (si = 0; si < sizeof sizes / sizeof *sizes; si++) {
      size_t n = sizes[si];
      lm_mat line, one;
      double r;
      pattern(p, n, &seed);
      memcpy(xs, x, n * sizeof *x);
      qsort(xs, n, sizeof *xs, cmp);
      line = lm_dense(x, 1, (int)n);
      one = lm_dense(&r, 1, 1);
      lm_quantile(&line, 2, 0.5, 1, &one, work);
      good &= r == ref_median(xs, n);
      for (k = 0; k < (int)(sizeof qs / sizeof *qs); k++) {
        lm_quantile(&line, 2, qs[k], 0, &one, work);
        good &= r == ref_quantile(xs, n, qs[k]);
      }
    }
    ok(good, "median and quantiles equal the sorted line's, pattern %d", p);
  }
  {  /* the stable sort: ties keep their order over many merge passes */
    lm_mat in, out;
    int good = 1;
    pattern(4, N, &seed);
    in = lm_dense(x, 1, N);
    out = lm_dense(xs, 1, N);
    lm_sort(&in, 2, 1, &out, idx);
    for (i = 1; i < N; i++) {
      size_t a = (size_t)xs[i - 1] - 1, b = (size_t)xs[i] - 1;
      good &= x[a] < x[b] || (x[a] == x[b] && a < b);
    }
    ok(good, "argsort of %d values in 3 classes is stable", N);
  }
  {  /* unique: NaNs are one value, last; counts add up */
    double v[] = {2, NAN, 1, 2, NAN, -0.0, 0.0}, c[7];
    size_t u = lm_unique(v, 7, c, idx);
    ok(u == 4 && v[0] == 0 && v[1] == 1 && v[2] == 2 && isnan(v[3]) &&
       c[0] == 2 && c[1] == 1 && c[2] == 2 && c[3] == 2,
       "unique of {2, NaN, 1, 2, NaN, -0, 0}: 0 1 2 NaN with counts 2 1 2 2");
  }
  return tap_end();
}
