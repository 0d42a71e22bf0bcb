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
**  shuffle   the rows of a matrix, swapped as permutation swaps.
**
** numpy's legacy generator (lm_rng_seed_numpy; numpy 1.17 to 1.26 and
** later keep RandomState's stream frozen), as numpy's C code does it:
**  seed      init_genrand: mt[0] = seed, mt[i] = 1812433253 * (mt[i-1] ^
**            (mt[i-1] >> 30)) + i (mod 2^32); the cached normal cleared.
**  next32    MT19937 (Matsumoto & Nishimura, 1998) with its tempering.
**  uniform   a = next32 >> 5, b = next32 >> 6: (a * 2^26 + b) * 2^-53.
**  below(n)  random_interval(n - 1): mask = the smallest 2^k - 1 >= n - 1,
**            draw next32 & mask (n - 1 >= 2^32: the 64-bit word next32 <<
**            32 | next32, & mask) until it is <= n - 1.  This is also
**            numpy's randint(0, n) (its masked, legacy method).
**  normal    legacy_gauss: the polar method as above, with libm's log
**            (numpy's: its last bit is the C library's), returning f * v
**            and keeping f * u.
**  permutation, fills: as above, with these draws (numpy's shuffle is the
**            same Fisher-Yates, j = random_interval(i) for i = n-1 .. 1).
**  choice    with replacement randint(0, n, k); without, permutation(n)
**            and its first k, as numpy's choice(n, k, replace=False).
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
  r->kind = LM_RNG_XOSHIRO;
  r->s[0] = splitmix64(&x);
  r->s[1] = splitmix64(&x);
  r->s[2] = splitmix64(&x);
  r->s[3] = splitmix64(&x);
  r->spare = 0.0;
  r->has_spare = 0;
}

/* ---- MT19937, numpy's legacy seeding and draws ---------------------- */

void lm_rng_seed_numpy(lm_rng *r, uint32_t seed) {
  int i;
  r->kind = LM_RNG_NUMPY;
  r->mt[0] = seed;
  for (i = 1; i < LM_MT_N; i++)
    r->mt[i] = (uint32_t)(UINT32_C(1812433253) *
                          (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i);
  r->mtpos = LM_MT_N;
  r->spare = 0.0;
  r->has_spare = 0;
}

/* the next block of 624 words */
static void mt_generate(uint32_t *mt) {
  int i;
  for (i = 0; i < LM_MT_N; i++) {
    uint32_t y = (mt[i] & UINT32_C(0x80000000)) |
                 (mt[(i + 1) % LM_MT_N] & UINT32_C(0x7fffffff));
    mt[i] = mt[(i + 397) % LM_MT_N] ^ (y >> 1) ^
            ((y & 1) ? UINT32_C(0x9908b0df) : 0);
  }
}

static uint32_t mt_next32(lm_rng *r) {
  uint32_t y;
  if (r->mtpos >= LM_MT_N) {
    mt_generate(r->mt);
    r->mtpos = 0;
  }
  y = r->mt[r->mtpos++];
  y ^= y >> 11;
  y ^= (y << 7) & UINT32_C(0x9d2c5680);
  y ^= (y << 15) & UINT32_C(0xefc60000);
  y ^= y >> 18;
  return y;
}

static uint64_t mt_next64(lm_rng *r) {
  uint64_t hi = mt_next32(r);
  return (hi << 32) | mt_next32(r);
}

/* numpy's random_interval(max): uniform in [0, max], masked rejection */
static uint64_t mt_interval(lm_rng *r, uint64_t max) {
  uint64_t mask = max, v;
  if (max == 0) return 0;
  mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4;
  mask |= mask >> 8; mask |= mask >> 16; mask |= mask >> 32;
  if (max <= UINT64_C(0xffffffff)) {
    while ((v = (mt_next32(r) & mask)) > max) {}
  } else {
    while ((v = (mt_next64(r) & mask)) > max) {}
  }
  return v;
}

/* ---- the default generator, and the dispatch ------------------------- */

uint64_t lm_rng_next(lm_rng *r) {
  uint64_t *s = r->s, result, t;
  if (r->kind == LM_RNG_NUMPY) return mt_next64(r);
  result = rotl(s[1] * 5, 7) * 9;
  t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double lm_rng_uniform(lm_rng *r) {
  if (r->kind == LM_RNG_NUMPY) {
    uint32_t a = mt_next32(r) >> 5, b = mt_next32(r) >> 6;
    return ((double)a * 67108864.0 + (double)b) * 0x1.0p-53;
  }
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
  if (r->kind == LM_RNG_NUMPY) return mt_interval(r, n - 1);
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
  if (r->kind == LM_RNG_NUMPY) {  /* legacy_gauss: libm's log, v's first */
    f = sqrt(-2 * log(s) / s);
    s = u; u = v; v = s;
  } else {
    f = sqrt(-2 * detlog(s) / s);
  }
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

/* Shuffle the rows of m in place: Fisher-Yates from the top, for i = rows
** down to 2 swap row i - 1 with row below(i) (numpy's shuffle of an
** array's first axis, with the same draws) */
void lm_rng_shuffle_rows(lm_rng *r, const lm_mat *m) {
  int i, k;
  for (i = m->rows; i > 1; i--) {
    int j = (int)lm_rng_below(r, (uint64_t)i);
    double *x = m->data + (ptrdiff_t)(i - 1) * m->rs, *y = m->data + (ptrdiff_t)j * m->rs;
    if (j == i - 1) continue;
    for (k = 0; k < m->cols; k++) {
      double t = x[(ptrdiff_t)k * m->cs];
      x[(ptrdiff_t)k * m->cs] = y[(ptrdiff_t)k * m->cs];
      y[(ptrdiff_t)k * m->cs] = t;
    }
  }
}

/* perm[0..n-1] = a uniform permutation of 1..n: 1..n shuffled; exact as
** doubles (n fits in an int) */
void lm_rng_permutation(lm_rng *r, double *perm, size_t n) {
  size_t i;
  lm_mat v;
  for (i = 0; i < n; i++) perm[i] = (double)(i + 1);
  v = lm_dense(perm, (int)n, 1);
  lm_rng_shuffle_rows(r, &v);
}

void lm_rng_choice(lm_rng *r, size_t n, size_t k, int replace,
                   double *out, double *perm) {
  size_t i;
  if (replace) {
    for (i = 0; i < k; i++) out[i] = (double)(lm_rng_below(r, n) + 1);
    return;
  }
  lm_rng_permutation(r, perm, n);
  if (out != perm)
    for (i = 0; i < k; i++) out[i] = perm[i];
}
