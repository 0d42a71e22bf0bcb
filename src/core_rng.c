/*
** core_rng.c -- the seeded random generator.
**
** The same seed gives the same numbers on every machine: this block is the
** contract (specs pin the first outputs of seed 42), so change nothing in
** it without bumping the version and the pinned values.
**
**  seed      splitmix64 (Steele, Lea & Flood; Vigna's constants) with state
**            x = seed; the four words of xoshiro's state are its first four
**            outputs s[0], s[1], s[2], s[3], in that order:
**              x += 0x9e3779b97f4a7c15;  z = x;
**              z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
**              z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
**              output z ^ (z >> 31).
**            (Four consecutive outputs of a bijection are never all zero.)
**            Seeding clears the cached normal.
**  next      xoshiro256** 1.0 (Blackman & Vigna, 2018):
**              result = rotl(s[1] * 5, 7) * 9;  t = s[1] << 17;
**              s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
**              s[2] ^= t; s[3] = rotl(s[3], 45).
**  uniform   (next >> 11) * 2^-53: a multiple of 2^-53 in [0, 1).
**  below(n)  Lemire's multiply-shift with rejection (unbiased): x = next,
**            (hi, lo) = the 128-bit x * n; while lo < (2^64 - n) mod n
**            draw again; result hi.  Only lo < n ever computes the mod.
**            n == 0 gives 0 and draws nothing.
**  normal    Marsaglia's polar method: u = 2*uniform - 1, then v likewise;
**            redraw both while s = u*u + v*v is >= 1 or 0; f =
**            sqrt(-2 log(s) / s); return u*f and keep v*f as the spare,
**            which the next normal returns without drawing.  log is the
**            function detlog below (only +, -, *, / and exact scaling), not
**            libm's, whose last bit varies between C libraries.
**  fills     element by element in row-major order of the view (row 0 left
**            to right, then row 1 ...), whatever its strides: lo + (hi -
**            lo) * uniform (rounding can give hi itself, as in numpy) and
**            mean + sd * normal.
**  permutation(n)  perm[i] = i + 1, then for i = n - 1 down to 1:
**            j = below(i + 1), swap perm[i] and perm[j] (Fisher-Yates).
**
** Bit-identical results need IEEE-754 doubles evaluated without excess
** precision (FLT_EVAL_METHOD 0: any x86-64 or ARM64 build) and without
** fusing a*b + c into one rounding: the pragmas below forbid that for this
** file whatever the build flags (-march=native, gnu modes, clang's default
** contraction, FMA-native ARM64), and the spec pins results to the bit.
** Only an explicit clang -ffp-contract=fast or -ffast-math overrides them:
** never build luaml with those.
*/
#include <math.h>

#include "core.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize ("fp-contract=off")
#endif

static uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

void lm_rng_seed(lm_rng *r, uint64_t seed) {
  uint64_t x = seed;
  r->s[0] = splitmix64(&x);
  r->s[1] = splitmix64(&x);
  r->s[2] = splitmix64(&x);
  r->s[3] = splitmix64(&x);
  r->spare = 0.0;
  r->has_spare = 0;
}

uint64_t lm_rng_next(lm_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double lm_rng_uniform(lm_rng *r) {
  return (double)(lm_rng_next(r) >> 11) * 0x1.0p-53;
}

/* (hi, lo) = the 128-bit product a * b, from 32-bit halves (portable C99) */
static void mul128(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo) {
  uint64_t a0 = a & 0xffffffffu, a1 = a >> 32;
  uint64_t b0 = b & 0xffffffffu, b1 = b >> 32;
  uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
  *lo = (mid << 32) | (p00 & 0xffffffffu);
  *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

uint64_t lm_rng_below(lm_rng *r, uint64_t n) {
  uint64_t hi, lo;
  if (n == 0) return 0;
  mul128(lm_rng_next(r), n, &hi, &lo);
  if (lo < n) {
    uint64_t t = (0 - n) % n;  /* 2^64 mod n: the biased low products */
    while (lo < t) mul128(lm_rng_next(r), n, &hi, &lo);
  }
  return hi;
}

/* log(x) for 0 < x < 1 from exactly rounded operations only, so that it
** is bit-identical everywhere: x = m 2^e with m in [sqrt(1/2), sqrt(2)),
** log m = 2 atanh(t), t = (m - 1)/(m + 1), |t| < 0.1716, by its series
** to t^25 (the next term is below 2^-60 relative); e log 2 is split in
** fdlibm's two parts, the first exact for any e here.  Within 2 ulp. */
static double detlog(double x) {
  static const double ln2_hi = 6.93147180369123816490e-01;
  static const double ln2_lo = 1.90821492927058770002e-10;
  int e, k;
  double m = frexp(x, &e), t, t2, p;  /* m in [0.5, 1) */
  if (m < 0.70710678118654752440) { m *= 2; e--; }
  t = (m - 1) / (m + 1);
  t2 = t * t;
  p = 1.0 / 25;
  for (k = 23; k >= 1; k -= 2) p = p * t2 + 1.0 / k;
  return e * ln2_hi + (e * ln2_lo + 2 * t * p);
}

double lm_rng_normal(lm_rng *r) {
  double u, v, s, f;
  if (r->has_spare) {
    r->has_spare = 0;
    return r->spare;
  }
  do {
    u = 2 * lm_rng_uniform(r) - 1;
    v = 2 * lm_rng_uniform(r) - 1;
    s = u * u + v * v;
  } while (s >= 1 || s == 0);
  f = sqrt(-2 * detlog(s) / s);
  r->spare = v * f;
  r->has_spare = 1;
  return u * f;
}

/* out = lo + (hi - lo) * uniform, row-major order of the view */
void lm_rng_fill_uniform(lm_rng *r, const lm_mat *out, double lo, double hi) {
  int i, j;
  double w = hi - lo;
  if (out->cols == 0) return;  /* no empty loop over 1500000000 rows */
  for (i = 0; i < out->rows; i++) {
    double *z = out->data + i * out->rs;
    for (j = 0; j < out->cols; j++)
      z[j * out->cs] = lo + w * lm_rng_uniform(r);
  }
}

/* out = mean + sd * normal, row-major order of the view */
void lm_rng_fill_normal(lm_rng *r, const lm_mat *out, double mean, double sd) {
  int i, j;
  if (out->cols == 0) return;  /* no empty loop over 1500000000 rows */
  for (i = 0; i < out->rows; i++) {
    double *z = out->data + i * out->rs;
    for (j = 0; j < out->cols; j++)
      z[j * out->cs] = mean + sd * lm_rng_normal(r);
  }
}

/* perm[0..n-1] = a uniform permutation of 1..n (Fisher-Yates, from the
** top); exact as doubles up to 2^53 */
void lm_rng_permutation(lm_rng *r, double *perm, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) perm[i] = (double)(i + 1);
  for (i = n; i > 1; i--) {
    size_t j = (size_t)lm_rng_below(r, (uint64_t)i);
    double t = perm[i - 1];
    perm[i - 1] = perm[j];
    perm[j] = t;
  }
}
