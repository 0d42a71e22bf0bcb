/*
** core_simd.c -- vectorised exp, log, sigmoid and tanh over contiguous
** arrays, dispatched at run time to SSE2, AVX2+FMA or AVX-512F (the binary
** still runs on any x86-64), and the thread helpers of the kernels.
**
** The vector functions are SLEEF's (Debian's libsleef), accuracy class
** u10: at most 1.0 ulp from the exact result; for AVX2 and AVX-512 its
** "finz" variants, which skip the handling of non-finite and subnormal
** values (those never reach them here, see below).  Measured against glibc's
** libm over sweeps of 10^6 arguments per function (spec/c/test_simd.c,
** which asserts these bounds): exp and log differ from libm by at most
** 1 ulp, sigmoid (built on exp) and tanh by at most 2 ulp (glibc's tanh is
** not correctly rounded either).  SLEEF runs only
** where the result is finite and normal; every other argument (NaN, +-inf,
** -0 where it matters, overflow, underflow into subnormals, log of 0 or of
** a negative) goes to libm, so special values are libm's exactly.
**
** Set LUAML_SIMD=scalar|sse2|avx2|avx512 in the environment to cap the
** level (to compare, or to rule the vector code out); the default is the
** best the CPU has.
*/
#define _GNU_SOURCE  /* sched_getaffinity */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#endif

#include "core.h"
#include "core_simd.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(LUAML_NO_SLEEF)
#define HAVE_SLEEF 1
#include <sleef.h>
/* sleef.h declares the AVX2 and AVX-512 functions only when the whole file
** is compiled for them; these are the library's own, for the functions
** below that are (target attributes) */
__m256d Sleef_finz_expd4_u10avx2(__m256d);
__m256d Sleef_finz_logd4_u10avx2(__m256d);
__m256d Sleef_finz_tanhd4_u10avx2(__m256d);
__m512d Sleef_finz_expd8_u10avx512f(__m512d);
__m512d Sleef_finz_logd8_u10avx512f(__m512d);
__m512d Sleef_finz_tanhd8_u10avx512f(__m512d);
#endif

/* fast ranges: exp's result is normal and finite on [EXP_LO, EXP_HI];
** sigmoid needs exp(-|x|) normal; tanh(x) rounds to x below TANH_LO and to
** +-1 above TANH_HI, where libm is exact anyway */
#define EXP_LO (-708.39)
#define EXP_HI 709.78
#define SIG_HI 708.0
#define TANH_LO 0x1p-27
#define TANH_HI 19.0

/* the logistic function, stable for either sign (exp never overflows) */
double lm_sigmoid1(double x) {
  if (x >= 0) return 1.0 / (1.0 + exp(-x));
  {
    double e = exp(x);
    return e / (1.0 + e);
  }
}

/* ---- the instruction sets ----------------------------------------------- */

#ifdef HAVE_SLEEF

/* AVX-512F */
#define SFX avx512
#define TGT __attribute__((target("avx512f")))
#define V __m512d
#define W 8
#define LD _mm512_loadu_pd
#define ST _mm512_storeu_pd
#define SET1 _mm512_set1_pd
#define ADD _mm512_add_pd
#define DIV _mm512_div_pd
#define NEG(v) _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(v), \
                 _mm512_castpd_si512(_mm512_set1_pd(-0.0))))
#define ABS(v) _mm512_castsi512_pd(_mm512_andnot_si512(                     \
                 _mm512_castpd_si512(_mm512_set1_pd(-0.0)), _mm512_castpd_si512(v)))
#define INRANGE(v, lo, hi) ((_mm512_cmp_pd_mask(v, lo, _CMP_GE_OQ) &         \
                             _mm512_cmp_pd_mask(v, hi, _CMP_LE_OQ)) == 0xff)
#define GE0SEL(x, a, b) _mm512_mask_blend_pd(                                 \
                 _mm512_cmp_pd_mask(x, _mm512_setzero_pd(), _CMP_GE_OQ), b, a)
#define VEXP Sleef_finz_expd8_u10avx512f
#define VLOG Sleef_finz_logd8_u10avx512f
#define VTANH Sleef_finz_tanhd8_u10avx512f
#include "core_simd_isa.h"

/* AVX2 with FMA */
#define SFX avx2
#define TGT __attribute__((target("avx2,fma")))
#define V __m256d
#define W 4
#define LD _mm256_loadu_pd
#define ST _mm256_storeu_pd
#define SET1 _mm256_set1_pd
#define ADD _mm256_add_pd
#define DIV _mm256_div_pd
#define NEG(v) _mm256_xor_pd(v, _mm256_set1_pd(-0.0))
#define ABS(v) _mm256_andnot_pd(_mm256_set1_pd(-0.0), v)
#define INRANGE(v, lo, hi) (_mm256_movemask_pd(_mm256_and_pd(                \
                 _mm256_cmp_pd(v, lo, _CMP_GE_OQ),                           \
                 _mm256_cmp_pd(v, hi, _CMP_LE_OQ))) == 0xf)
#define GE0SEL(x, a, b) _mm256_blendv_pd(b, a,                                \
                 _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_GE_OQ))
#define VEXP Sleef_finz_expd4_u10avx2
#define VLOG Sleef_finz_logd4_u10avx2
#define VTANH Sleef_finz_tanhd4_u10avx2
#include "core_simd_isa.h"

/* SSE2, which every x86-64 has */
#define SFX sse2
#define TGT
#define V __m128d
#define W 2
#define LD _mm_loadu_pd
#define ST _mm_storeu_pd
#define SET1 _mm_set1_pd
#define ADD _mm_add_pd
#define DIV _mm_div_pd
#define NEG(v) _mm_xor_pd(v, _mm_set1_pd(-0.0))
#define ABS(v) _mm_andnot_pd(_mm_set1_pd(-0.0), v)
#define INRANGE(v, lo, hi) (_mm_movemask_pd(_mm_and_pd(_mm_cmpge_pd(v, lo), \
                 _mm_cmple_pd(v, hi))) == 0x3)
#define GE0SEL(x, a, b) sse2_sel(_mm_cmpge_pd(x, _mm_setzero_pd()), a, b)
#define VEXP Sleef_expd2_u10sse2
#define VLOG Sleef_logd2_u10sse2
#define VTANH Sleef_tanhd2_u10sse2
static __m128d sse2_sel(__m128d m, __m128d a, __m128d b) {
  return _mm_or_pd(_mm_and_pd(m, a), _mm_andnot_pd(m, b));
}
#include "core_simd_isa.h"

#endif /* HAVE_SLEEF */

/* ---- dispatch ------------------------------------------------------------ */

static const char *const isanames[LM_NISA] = {"scalar", "sse2", "avx2", "avx512"};

const char *lm_isa_name(int isa) {
  return (isa >= 0 && isa < LM_NISA) ? isanames[isa] : "?";
}

/* the CPU's level, capped by LUAML_SIMD */
static int detect(void) {
  int best = LM_ISA_SCALAR, k;
  const char *cap = getenv("LUAML_SIMD");
#ifdef HAVE_SLEEF
  __builtin_cpu_init();
  best = LM_ISA_SSE2;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    best = LM_ISA_AVX2;
  if (__builtin_cpu_supports("avx512f")) best = LM_ISA_AVX512;
#endif
  if (cap != NULL)
    for (k = 0; k < LM_NISA; k++)
      if (strcmp(cap, isanames[k]) == 0 && k < best) best = k;
  return best;
}

int lm_isa_best(void) {
  /* computed once; a race only computes the same value twice */
  static int best = -1;
  int b = __atomic_load_n(&best, __ATOMIC_RELAXED);
  if (b < 0) {
    b = detect();
    __atomic_store_n(&best, b, __ATOMIC_RELAXED);
  }
  return b;
}

void lm_vmath(lm_vfn f, int isa, const double *x, double *z, size_t n) {
  size_t i;
  if (isa < 0 || isa > lm_isa_best()) isa = lm_isa_best();
  switch (isa) {
#ifdef HAVE_SLEEF
    case LM_ISA_AVX512: vrun_avx512(f, x, z, n); return;
    case LM_ISA_AVX2: vrun_avx2(f, x, z, n); return;
    case LM_ISA_SSE2: vrun_sse2(f, x, z, n); return;
#endif
    default: break;
  }
  switch (f) {
    case LM_VEXP: for (i = 0; i < n; i++) z[i] = exp(x[i]); break;
    case LM_VLOG: for (i = 0; i < n; i++) z[i] = log(x[i]); break;
    case LM_VSIGMOID: for (i = 0; i < n; i++) z[i] = lm_sigmoid1(x[i]); break;
    case LM_VTANH: for (i = 0; i < n; i++) z[i] = tanh(x[i]); break;
    default: break;
  }
}

/* ---- small products --------------------------------------------------------- */


/* the element (i, j) of a b as the in-order chain s = fma(a_ik, b_kj, s):
** where the plain sum of a kernel overflows in an intermediate (a product
** beyond the doubles, cancelled later), this is the value the BLAS path
** and numpy give.  libm's fma is exact on any CPU. */
static double fma_dot(const lm_mat *a, const lm_mat *b, ptrdiff_t i,
                      ptrdiff_t j) {
  const double *x = a->data + i * a->rs, *y = b->data + j * b->cs;
  double s = 0.0;
  int k;
  for (k = 0; k < a->cols; k++)
    s = fma(x[(ptrdiff_t)k * a->cs], y[(ptrdiff_t)k * b->rs], s);
  return s;
}

/* the product of lm_gemm_small, checked; one function per instruction
** set, so that the row loops are inlined and vectorised in each */
CLONES static void gemm_small(double alpha, const lm_mat *a, const lm_mat *b,
                              double beta, const lm_mat *o) {
  double t[LM_GEMM_SMALLN], y[LM_GEMM_SMALLN];  /* a row of out; of b */
  int m = o->rows, n = o->cols, kk = a->cols, i, j, k;
  for (i = 0; i < m; i++) {
    const double *x = a->data + (ptrdiff_t)i * a->rs;
    double *z = o->data + (ptrdiff_t)i * o->rs;
    for (j = 0; j < n; j++) t[j] = 0.0;
    for (k = 0; k < kk; k++) {
      const double *p = b->data + (ptrdiff_t)k * b->rs;
      double s = x[(ptrdiff_t)k * a->cs];
      if (b->cs != 1) {  /* gather a row of b */
        for (j = 0; j < n; j++) y[j] = p[(ptrdiff_t)j * b->cs];
        p = y;
      }
      for (j = 0; j < n; j++) t[j] += s * p[j];
    }
    for (j = 0; j < n; j++) {
      double *w = z + (ptrdiff_t)j * o->cs;
      if (!isfinite(t[j])) t[j] = fma_dot(a, b, i, j);
      *w = (beta == 0) ? alpha * t[j] : alpha * t[j] + beta * *w;
    }
  }
}

#define TINY_N 16     /* columns of a tiny product's padded rows */
#define TINY_K 64     /* rows of b it packs */

/* A tiny product (n <= TINY_N) keeps each row of out in registers: NH
** vectors of the widest kind the instruction set has that fits in the row
** (AVX-512: 8 doubles, AVX2: 4, SSE2: 2; GCC's vector extension) over
** columns [0, NH*HW), and one of W <= HW lanes over the last W computed
** columns, W the least of 2, 4, 8 that reaches them; the two overlap when
** the columns are fewer, and the shared ones are summed twice, alike.  So the loop over k has no
** remainder and no memory traffic for the sums, which are those of
** gemm_small, in the same order.  Up to TINY_R rows go at once, as many
** as the registers hold: their sums are independent, so the additions
** overlap instead of waiting for each other.  (A vector wider than the
** registers, 8 doubles in AVX2, GCC moves through memory: 6x slower.) */
typedef double lm_v8d __attribute__((vector_size(64)));
typedef double lm_v4d __attribute__((vector_size(32)));
typedef double lm_v2d __attribute__((vector_size(16)));
#define TINY_R 5

/* the helpers below are inlined into each kernel of an instruction set:
** called out of line they would run for the default one */
#define ALWAYS __attribute__((always_inline))

/* rows i .. i+R-1 of out from sums v (rows TINY_N apart), the general
** way: any alpha, beta and column stride; a sum not finite redone */
static void tiny_put(double alpha, const lm_mat *a, const lm_mat *b,
                     double beta, const lm_mat *o, int i, int R,
                     double v[][TINY_N]) {
  int r, j;
  for (r = 0; r < R; r++) {
    double *z = o->data + (ptrdiff_t)(i + r) * o->rs;
    for (j = 0; j < o->cols; j++) {
      double *w = z + (ptrdiff_t)j * o->cs, s = v[r][j];
      if (!isfinite(s)) s = fma_dot(a, b, i + r, j);
      *w = (beta == 0) ? alpha * s : alpha * s + beta * *w;
    }
  }
}

/* TINY_ROWS(name, HV, NH, TV) defines name(alpha, a, b, p, prs, nc, beta,
** o, i, R, whole, sumh, sumt): rows i .. i+R-1 (R <= TINY_R) of out, NH
** vectors HV and one TV each, from b's rows at p (prs apart, nc >= W
** contiguous columns computed, NH*HW < nc; those past out's n are
** dropped).  With whole (a plain product, out's rows contiguous, nc <= n)
** the vectors are stored whole and added to *sumh, *sumt: a lane there
** that is not finite tells the caller that a sum stored may not be;
** otherwise tiny_put stores them.  The loops over rows and vectors are
** unrolled, so the sums never leave the registers. */
#define TINY_ROWS(name, HV, NH, TV)                                           \
  static inline ALWAYS void name(double alpha, const lm_mat *a,              \
                                 const lm_mat *b, const double *p,           \
                                 ptrdiff_t prs, int nc, double beta,         \
                                 const lm_mat *o, int i, int R, int whole,   \
                                 HV *sumh, TV *sumt) {                       \
    enum { HW = sizeof(HV) / sizeof(double), W = sizeof(TV) / sizeof(double), \
           NV = (NH) > 0 ? (NH) : 1 };                                       \
    HV h[TINY_R][NV] = {{{0}}};                                              \
    TV t[TINY_R] = {{0}};                                                    \
    int k, r, q;                                                             \
    for (k = 0; k < a->cols; k++, p += prs) {                                \
      const double *x = a->data + (ptrdiff_t)i * a->rs + (ptrdiff_t)k * a->cs; \
      HV bh[NV];                                                             \
      TV bt;                                                                 \
      _Pragma("GCC unroll 8")                                                \
      for (q = 0; q < (NH); q++) memcpy(&bh[q], p + q * HW, sizeof bh[q]);   \
      memcpy(&bt, p + nc - W, sizeof bt);                                    \
      _Pragma("GCC unroll 5")  /* TINY_R */                                  \
      for (r = 0; r < R; r++) {                                              \
        double s = x[(ptrdiff_t)r * a->rs];                                  \
        _Pragma("GCC unroll 8")                                              \
        for (q = 0; q < (NH); q++) h[r][q] += s * bh[q];                     \
        t[r] += s * bt;                                                      \
      }                                                                      \
    }                                                                        \
    if (whole) {                                                             \
      HV sh = *sumh;                                                         \
      TV st = *sumt;                                                         \
      _Pragma("GCC unroll 5")                                                \
      for (r = 0; r < R; r++) {                                              \
        double *z = o->data + (ptrdiff_t)(i + r) * o->rs;                    \
        memcpy(z + nc - W, &t[r], sizeof t[r]);                              \
        st += t[r];                                                          \
        _Pragma("GCC unroll 8")                                              \
        for (q = 0; q < (NH); q++) {                                         \
          memcpy(z + q * HW, &h[r][q], sizeof h[r][q]);                      \
          sh += h[r][q];                                                     \
        }                                                                    \
      }                                                                      \
      *sumh = sh;                                                            \
      *sumt = st;                                                            \
    } else {                                                                 \
      double v[TINY_R][TINY_N];                                              \
      _Pragma("GCC unroll 5")                                                \
      for (r = 0; r < R; r++) {                                              \
        memcpy(v[r] + nc - W, &t[r], sizeof t[r]);                           \
        _Pragma("GCC unroll 8")                                              \
        for (q = 0; q < (NH); q++)                                           \
          memcpy(v[r] + q * HW, &h[r][q], sizeof h[r][q]);                   \
      }                                                                      \
      tiny_put(alpha, a, b, beta, o, i, R, v);                               \
    }                                                                        \
  }

/* the row kernels each instruction set uses, for 2 .. 16 columns */
TINY_ROWS(tiny2_0_2, lm_v2d, 0, lm_v2d)  /* all: 2 */
TINY_ROWS(tiny2_1_2, lm_v2d, 1, lm_v2d)  /* 3 (SSE2: 3, 4) */
TINY_ROWS(tiny4_0_4, lm_v4d, 0, lm_v4d)  /* AVX: 4 */
TINY_ROWS(tiny8_0_8, lm_v8d, 0, lm_v8d)  /* AVX-512: 8 */
TINY_ROWS(tiny8_1_2, lm_v8d, 1, lm_v2d)  /* 9, 10 */
TINY_ROWS(tiny8_1_4, lm_v8d, 1, lm_v4d)  /* 11, 12 */
TINY_ROWS(tiny8_1_8, lm_v8d, 1, lm_v8d)  /* 13 .. 16 */
TINY_ROWS(tiny4_1_4, lm_v4d, 1, lm_v4d)  /* AVX: 5 .. 7 (AVX2: 8) */
TINY_ROWS(tiny4_2_2, lm_v4d, 2, lm_v2d)  /* 9, 10 */
TINY_ROWS(tiny4_2_4, lm_v4d, 2, lm_v4d)  /* 11, 12 */
TINY_ROWS(tiny4_3_2, lm_v4d, 3, lm_v2d)  /* 13, 14 */
TINY_ROWS(tiny4_3_4, lm_v4d, 3, lm_v4d)  /* 15, 16 */
TINY_ROWS(tiny2_2_2, lm_v2d, 2, lm_v2d)  /* SSE2: 5, 6 */
TINY_ROWS(tiny2_3_2, lm_v2d, 3, lm_v2d)  /* 7, 8 */
TINY_ROWS(tiny2_4_2, lm_v2d, 4, lm_v2d)  /* 9, 10 */
TINY_ROWS(tiny2_5_2, lm_v2d, 5, lm_v2d)  /* 11, 12 */
TINY_ROWS(tiny2_6_2, lm_v2d, 6, lm_v2d)  /* 13, 14 */
TINY_ROWS(tiny2_7_2, lm_v2d, 7, lm_v2d)  /* 15, 16 */

/* every row of out with the row kernel rows (NH vectors HV and one TV per
** row): as many rows at once as ACC registers of sums hold (at most
** TINY_R), then pairs, then one; bad set when a sum stored whole may not
** be finite (the sums of the vectors stored whole are not when one of
** them is not) */
#define TINY_ALL(rows, HV, NH, TV, ACC)                                       \
  do {                                                                        \
    enum { R = (ACC) / ((NH) + 1) > TINY_R ? TINY_R                           \
             : (ACC) / ((NH) + 1) < 1 ? 1 : (ACC) / ((NH) + 1) };             \
    HV sh = {0};                                                              \
    TV st = {0};                                                              \
    double l[8];                                                              \
    for (i = 0; i + R <= m; i += R)                                           \
      rows(alpha, a, b, p, prs, nc, beta, o, i, R, whole, &sh, &st);          \
    if (R > 2)                                                                \
      for (; i + 2 <= m; i += 2)                                              \
        rows(alpha, a, b, p, prs, nc, beta, o, i, 2, whole, &sh, &st);        \
    if (R > 1 && i < m)                                                       \
      rows(alpha, a, b, p, prs, nc, beta, o, i, 1, whole, &sh, &st);          \
    memcpy(l, &sh, sizeof sh);                                                \
    for (j = 0; j < (int)(sizeof sh / sizeof(double)); j++) u += l[j];       \
    memcpy(l, &st, sizeof st);                                                \
    for (j = 0; j < (int)(sizeof st / sizeof(double)); j++) u += l[j];       \
  } while (0)

/* TINY_KERNEL(name, TGT, SELECT) defines the tiny kernel name of one
** instruction set (target attribute TGT): gemm_small for n <= TINY_N, k
** <= TINY_K.  With 2 or more columns and b's rows contiguous, b is read
** where it lies; otherwise it is packed first into rows of TINY_N, a
** single column padded with a zero (element by element: the vector loads
** come after all of it).  SELECT runs TINY_ALL with the row kernel for nc
** columns. */
#define TINY_KERNEL(name, TGT, SELECT)                                        \
  TGT static void name(double alpha, const lm_mat *a, const lm_mat *b,       \
                       double beta, const lm_mat *o) {                       \
    double bp[TINY_K * TINY_N] __attribute__((aligned(64)));                 \
    const double *p = b->data;                                               \
    ptrdiff_t prs = b->rs;                                                   \
    int m = o->rows, n = o->cols, nc = n, i = 0, j, k, whole;                \
    double u = 0.0;                                                          \
    if (b->cs != 1 || n < 2) {                                               \
      nc = n < 2 ? 2 : n;                                                    \
      for (k = 0; k < a->cols; k++) {                                        \
        const double *q = b->data + (ptrdiff_t)k * b->rs;                    \
        for (j = 0; j < n; j++) bp[k * TINY_N + j] = q[(ptrdiff_t)j * b->cs]; \
        for (; j < nc; j++) bp[k * TINY_N + j] = 0.0;                        \
      }                                                                      \
      p = bp;                                                                \
      prs = TINY_N;                                                          \
    }                                                                        \
    whole = alpha == 1 && beta == 0 && o->cs == 1 && nc <= n;                \
    SELECT                                                                   \
    if (!isfinite(u))  /* rows stored whole (out = a b): sums redone */      \
      for (i = 0; i < m; i++)                                                \
        for (j = 0; j < n; j++) {                                            \
          double *z = o->data + (ptrdiff_t)i * o->rs + j;                    \
          if (!isfinite(*z)) *z = fma_dot(a, b, i, j);                       \
        }                                                                    \
  }

#ifdef LM_HAVE_CLONES
/* 2 .. 7 columns: 2-double vectors, then 4-double ones (AVX) */
#define TINY_NARROW(ACC)                                                      \
  if (nc == 2) TINY_ALL(tiny2_0_2, lm_v2d, 0, lm_v2d, ACC);                   \
  else if (nc == 3) TINY_ALL(tiny2_1_2, lm_v2d, 1, lm_v2d, ACC);              \
  else if (nc == 4) TINY_ALL(tiny4_0_4, lm_v4d, 0, lm_v4d, ACC);              \
  else if (nc < 8) TINY_ALL(tiny4_1_4, lm_v4d, 1, lm_v4d, ACC);

TINY_KERNEL(tiny_avx512, __attribute__((target("arch=x86-64-v4"))),
  TINY_NARROW(28)
  else if (nc == 8) TINY_ALL(tiny8_0_8, lm_v8d, 0, lm_v8d, 28);
  else if (nc <= 10) TINY_ALL(tiny8_1_2, lm_v8d, 1, lm_v2d, 28);
  else if (nc <= 12) TINY_ALL(tiny8_1_4, lm_v8d, 1, lm_v4d, 28);
  else TINY_ALL(tiny8_1_8, lm_v8d, 1, lm_v8d, 28);)
TINY_KERNEL(tiny_avx2, __attribute__((target("arch=x86-64-v3"))),
  TINY_NARROW(13)
  else if (nc == 8) TINY_ALL(tiny4_1_4, lm_v4d, 1, lm_v4d, 13);
  else if (nc <= 10) TINY_ALL(tiny4_2_2, lm_v4d, 2, lm_v2d, 13);
  else if (nc <= 12) TINY_ALL(tiny4_2_4, lm_v4d, 2, lm_v4d, 13);
  else if (nc <= 14) TINY_ALL(tiny4_3_2, lm_v4d, 3, lm_v2d, 13);
  else TINY_ALL(tiny4_3_4, lm_v4d, 3, lm_v4d, 13);)
#endif
TINY_KERNEL(tiny_sse2, ,
  if (nc == 2) TINY_ALL(tiny2_0_2, lm_v2d, 0, lm_v2d, 8);
  else if (nc <= 4) TINY_ALL(tiny2_1_2, lm_v2d, 1, lm_v2d, 8);
  else if (nc <= 6) TINY_ALL(tiny2_2_2, lm_v2d, 2, lm_v2d, 8);
  else if (nc <= 8) TINY_ALL(tiny2_3_2, lm_v2d, 3, lm_v2d, 8);
  else if (nc <= 10) TINY_ALL(tiny2_4_2, lm_v2d, 4, lm_v2d, 8);
  else if (nc <= 12) TINY_ALL(tiny2_5_2, lm_v2d, 5, lm_v2d, 8);
  else if (nc <= 14) TINY_ALL(tiny2_6_2, lm_v2d, 6, lm_v2d, 8);
  else TINY_ALL(tiny2_7_2, lm_v2d, 7, lm_v2d, 8);)

typedef void (*tiny_fn)(double, const lm_mat *, const lm_mat *, double,
                        const lm_mat *);

/* the tiny kernel of instruction set isa (LM_ISA_*), or NULL when this CPU
** (or this build) lacks it; LM_ISA_BEST: the best this CPU runs, chosen
** once (a race only chooses the same twice) */
static tiny_fn tiny_kernel(int isa) {
  static tiny_fn best = NULL;
  tiny_fn f;
  if (isa == LM_ISA_BEST) {
    f = __atomic_load_n(&best, __ATOMIC_RELAXED);
    if (f == NULL) {
      f = tiny_kernel(LM_ISA_AVX512);
      if (f == NULL) f = tiny_kernel(LM_ISA_AVX2);
      if (f == NULL) f = tiny_sse2;
      __atomic_store_n(&best, f, __ATOMIC_RELAXED);
    }
    return f;
  }
#ifdef LM_HAVE_CLONES
  __builtin_cpu_init();
  if (isa == LM_ISA_AVX512)
    return __builtin_cpu_supports("x86-64-v4") ? tiny_avx512 : NULL;
  if (isa == LM_ISA_AVX2)
    return __builtin_cpu_supports("x86-64-v3") ? tiny_avx2 : NULL;
#else
  if (isa == LM_ISA_AVX512 || isa == LM_ISA_AVX2) return NULL;
#endif
  return tiny_sse2;
}

int lm_gemm_tiny(int isa, double alpha, const lm_mat *a, const lm_mat *b,
                 double beta, const lm_mat *o) {
  tiny_fn f;
  if (o->cols > TINY_N || a->cols > TINY_K || !LM_GEMM_IS_SMALL(a, o))
    return 0;
  f = tiny_kernel(isa);
  if (f == NULL) return 0;
  f(alpha, a, b, beta, o);
  return 1;
}

int lm_gemm_small(double alpha, const lm_mat *a, const lm_mat *b, double beta,
                  const lm_mat *o) {
  if (!LM_GEMM_IS_SMALL(a, o)) return 0;
  if (o->cols <= TINY_N && a->cols <= TINY_K)
    tiny_kernel(LM_ISA_BEST)(alpha, a, b, beta, o);
  else
    gemm_small(alpha, a, b, beta, o);
  return 1;
}

/* ---- skinny products --------------------------------------------------------- */

#define SK_PACK 8192   /* doubles of b^T packed on the stack (X W) */
#define SK_XV_R 8      /* rows of X at a time (X v) */
#define SK_XW_N 32     /* columns of X W at most, from W's own rows */
#define SK_MIN ((size_t)1 << 16)  /* m*k from which the skinny loops pay */
#define SK_RB 64       /* rows of X per block at least (X^T G) */
#define SK_NB 8        /* blocks at most (X^T G) */
#define SK_JC 512      /* output rows per pass over a block's rows */
#define SK_PART ((size_t)1 << 20)  /* doubles of partials at most (8 MB) */

typedef struct skjob {
  double alpha, beta;
  const lm_mat *a, *b, *o;
  const double *bt;  /* (n, k) b^T, for X W: packed, or b's own rows */
  size_t bts;        /* doubles from one row of bt to the next */
  double *part;      /* (nb, n, m) partial sums, for X^T G */
  size_t rb, nb;     /* rows of X per block, blocks */
} skjob;

/* out[i, j] = alpha * s + beta * out[i, j], s the kernel's sum, replaced by
** fma_dot when it is not finite */
static inline void put(const skjob *j, ptrdiff_t i, ptrdiff_t c, double s) {
  double *w = j->o->data + i * j->o->rs + c * j->o->cs;
  if (!isfinite(s)) s = fma_dot(j->a, j->b, i, c);
  *w = (j->beta == 0) ? j->alpha * s : j->alpha * s + j->beta * *w;
}

/* a dot product's lanes added in a fixed tree */
static double sk_sum8(const double *acc) {
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) +
         ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* lanes l of the 8-lane sums acc plus the tail products x[q..kk) w[q..kk),
** added in the fixed tree of sk_sum8 */
static inline ALWAYS double sk_finish(lm_v8d acc, const double *x,
                                      const double *w, size_t q, size_t kk) {
  double t[8];
  size_t l;
  memcpy(t, &acc, sizeof t);
  for (l = 0; q + l < kk; l++) t[l] += x[q + l] * w[q + l];
  return sk_sum8(t);
}

/* X W: rows lo..hi-1 of out = alpha a b + beta out, a = X with unit column
** stride, b packed as b^T.  Two rows of X by four columns at a time: each
** load of w serves two rows, each load of x four columns, and the eight
** sums (8 lanes each, in registers) are independent chains.  A lone last
** row runs the same code with its pair's sums dropped (it reads its own
** row twice), so every sum has the same lanes and order, whatever the
** grouping: the bits do not depend on the threads. */
CLONES static void sk_xw(void *ctx, size_t lo, size_t hi) {
  const skjob *j = (const skjob *)ctx;
  const lm_mat *a = j->a;
  size_t i, q, c, u, kk = (size_t)a->cols, n = (size_t)j->o->cols;
  size_t k8 = kk & ~(size_t)7;
  for (i = lo; i < hi; i += 2) {
    const double *x0 = a->data + (ptrdiff_t)i * a->rs;
    const double *x1 = (i + 1 < hi) ? x0 + a->rs : x0;
    double s0[SK_XW_N], s1[SK_XW_N];
    for (c = 0; c < n; c += 4) {
      size_t m = (n - c < 4) ? n - c : 4;
      const double *w0 = j->bt + c * j->bts;  /* unused columns: column c */
      const double *w1 = m > 1 ? w0 + j->bts : w0;
      const double *w2 = m > 2 ? w0 + 2 * j->bts : w0;
      const double *w3 = m > 3 ? w0 + 3 * j->bts : w0;
      lm_v8d a00 = {0}, a01 = {0}, a02 = {0}, a03 = {0};
      lm_v8d a10 = {0}, a11 = {0}, a12 = {0}, a13 = {0};
      for (q = 0; q < k8; q += 8) {
        lm_v8d y0, y1, v;
        memcpy(&y0, x0 + q, sizeof y0);
        memcpy(&y1, x1 + q, sizeof y1);
        memcpy(&v, w0 + q, sizeof v); a00 += y0 * v; a10 += y1 * v;
        memcpy(&v, w1 + q, sizeof v); a01 += y0 * v; a11 += y1 * v;
        memcpy(&v, w2 + q, sizeof v); a02 += y0 * v; a12 += y1 * v;
        memcpy(&v, w3 + q, sizeof v); a03 += y0 * v; a13 += y1 * v;
      }
      {
        lm_v8d r0[4], r1[4];
        const double *w[4];
        r0[0] = a00; r0[1] = a01; r0[2] = a02; r0[3] = a03;
        r1[0] = a10; r1[1] = a11; r1[2] = a12; r1[3] = a13;
        w[0] = w0; w[1] = w1; w[2] = w2; w[3] = w3;
        for (u = 0; u < m; u++) {
          s0[c + u] = sk_finish(r0[u], x0, w[u], q, kk);
          s1[c + u] = sk_finish(r1[u], x1, w[u], q, kk);
        }
      }
    }
    for (c = 0; c < n; c++) {
      put(j, (ptrdiff_t)i, (ptrdiff_t)c, s0[c]);
      if (i + 1 < hi) put(j, (ptrdiff_t)i + 1, (ptrdiff_t)c, s1[c]);
    }
  }
}

/* X v (one column): rows lo..hi-1 of out, SK_XV_R rows of X at a time,
** each load of v serving them all.  (Eight rows: 8% faster than four, on
** the EPYC of bench/results, 8000 x 784, medians of 300 calls of each,
** interleaved; twelve: 3% more, with twice the registers.)  Each row's sum has the lanes and order of
** sk_xw's (eight lanes, added in sk_finish's tree): the bits do not depend
** on the grouping, nor on the threads. */
CLONES static void sk_xv(void *ctx, size_t lo, size_t hi) {
  const skjob *j = (const skjob *)ctx;
  const lm_mat *a = j->a;
  const double *w = j->bt;
  size_t i, q, kk = (size_t)a->cols, k8 = kk & ~(size_t)7;
  for (i = lo; i < hi; i += SK_XV_R) {
    size_t r, nr = hi - i < SK_XV_R ? hi - i : SK_XV_R;
    const double *x[SK_XV_R];
    lm_v8d acc[SK_XV_R] = {{0}};
    for (r = 0; r < SK_XV_R; r++)  /* past the last row: the last row again */
      x[r] = a->data + (ptrdiff_t)(i + (r < nr ? r : nr - 1)) * a->rs;
    for (q = 0; q < k8; q += 8) {
      lm_v8d v, y;
      memcpy(&v, w + q, sizeof v);
      _Pragma("GCC unroll 8")
      for (r = 0; r < SK_XV_R; r++) {
        memcpy(&y, x[r] + q, sizeof y);
        acc[r] += y * v;
      }
    }
    for (r = 0; r < nr; r++)
      put(j, (ptrdiff_t)(i + r), 0, sk_finish(acc[r], x[r], w, q, kk));
  }
}

/* blocks lo..hi-1 of rows of X: part[blk] (n, m) = X_blk^T G_blk, a = X^T
** (unit row stride: row i of X is a->data + i*a->cs), b = G (unit column
** stride).  Eight rows of X at a time (eight sequential streams), in
** passes over SK_JC of their columns, so that the eight slices stay in
** the first-level cache while every column of G uses them, and each
** partial sum is loaded and stored once per eight rows. */
CLONES static void sk_xtg(void *ctx, size_t lo, size_t hi) {
  const skjob *j = (const skjob *)ctx;
  const lm_mat *a = j->a, *b = j->b;
  size_t blk, i, c, jj, j0, m = (size_t)j->o->rows, n = (size_t)j->o->cols;
  for (blk = lo; blk < hi; blk++) {
    double *acc = j->part + blk * n * m;
    size_t r0 = blk * j->rb, r1 = r0 + j->rb;
    if (r1 > (size_t)a->cols) r1 = (size_t)a->cols;
    memset(acc, 0, n * m * sizeof(double));
    for (i = r0; i + 8 <= r1; i += 8) {
      const double *x[8], *g[8];
      int r;
      for (r = 0; r < 8; r++) {
        x[r] = a->data + (ptrdiff_t)(i + r) * a->cs;
        g[r] = b->data + (ptrdiff_t)(i + r) * b->rs;
      }
      for (j0 = 0; j0 < m; j0 += SK_JC) {
        size_t je = j0 + SK_JC < m ? j0 + SK_JC : m;
        for (c = 0; c < n; c++) {
          double h0 = g[0][c], h1 = g[1][c], h2 = g[2][c], h3 = g[3][c];
          double h4 = g[4][c], h5 = g[5][c], h6 = g[6][c], h7 = g[7][c];
          const double *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3];
          const double *x4 = x[4], *x5 = x[5], *x6 = x[6], *x7 = x[7];
          double *restrict p = acc + c * m;
          for (jj = j0; jj < je; jj++)
            p[jj] += ((h0 * x0[jj] + h1 * x1[jj]) + (h2 * x2[jj] + h3 * x3[jj])) +
                     ((h4 * x4[jj] + h5 * x5[jj]) + (h6 * x6[jj] + h7 * x7[jj]));
        }
      }
    }
    for (; i < r1; i++) {
      const double *x = a->data + (ptrdiff_t)i * a->cs;
      const double *g = b->data + (ptrdiff_t)i * b->rs;
      for (c = 0; c < n; c++) {
        double gc = g[c], *p = acc + c * m;
        for (jj = 0; jj < m; jj++) p[jj] += gc * x[jj];
      }
    }
  }
}

/* X^T d (one column): blocks lo..hi-1 of rows of X, part[blk] (m) =
** X_blk^T d_blk.  Eight rows at a time, each over its whole length (m
** doubles of partial sum stay in the first-level cache): eight sequential
** streams, and each partial is loaded and stored once per eight rows; the
** sums those of sk_xtg for one column.  (Four rows at a time: 10% slower,
** and sk_xtg, in passes of SK_JC columns, 4%, on the EPYC of
** bench/results: medians of 300 calls of each, interleaved.) */
CLONES static void sk_xtd(void *ctx, size_t lo, size_t hi) {
  const skjob *j = (const skjob *)ctx;
  const lm_mat *a = j->a, *b = j->b;
  size_t blk, i, jj, m = (size_t)j->o->rows;
  ptrdiff_t xs = a->cs, gs = b->rs;
  for (blk = lo; blk < hi; blk++) {
    double *restrict p = j->part + blk * m;
    size_t r0 = blk * j->rb, r1 = r0 + j->rb;
    if (r1 > (size_t)a->cols) r1 = (size_t)a->cols;
    memset(p, 0, m * sizeof(double));
    for (i = r0; i + 8 <= r1; i += 8) {
      const double *x0 = a->data + (ptrdiff_t)i * xs, *x1 = x0 + xs;
      const double *x2 = x1 + xs, *x3 = x2 + xs, *x4 = x3 + xs;
      const double *x5 = x4 + xs, *x6 = x5 + xs, *x7 = x6 + xs;
      const double *g = b->data + (ptrdiff_t)i * gs;
      double h0 = g[0], h1 = g[gs], h2 = g[2 * gs], h3 = g[3 * gs];
      double h4 = g[4 * gs], h5 = g[5 * gs], h6 = g[6 * gs], h7 = g[7 * gs];
      for (jj = 0; jj < m; jj++)
        p[jj] += ((h0 * x0[jj] + h1 * x1[jj]) + (h2 * x2[jj] + h3 * x3[jj])) +
                 ((h4 * x4[jj] + h5 * x5[jj]) + (h6 * x6[jj] + h7 * x7[jj]));
    }
    for (; i < r1; i++) {
      const double *x = a->data + (ptrdiff_t)i * xs;
      double h = b->data[(ptrdiff_t)i * gs];
      for (jj = 0; jj < m; jj++) p[jj] += h * x[jj];
    }
  }
}

/* output rows lo..hi-1 of X^T G: the partials added in block order */
CLONES static void sk_xtg_sum(void *ctx, size_t lo, size_t hi) {
  const skjob *j = (const skjob *)ctx;
  size_t jj, c, k, m = (size_t)j->o->rows, n = (size_t)j->o->cols;
  for (jj = lo; jj < hi; jj++)
    for (c = 0; c < n; c++) {
      const double *p = j->part + c * m + jj;
      double s = p[0];
      for (k = 1; k < j->nb; k++) s += p[k * n * m];
      put(j, (ptrdiff_t)jj, (ptrdiff_t)c, s);
    }
}

/* the blocks of rows of X for X^T G: at least SK_RB rows each, SK_NB at
** most, fewer when their partials would pass SK_PART doubles; 0 when one
** block's partial alone is too large */
static size_t xtg_blocks(size_t kk, size_t mn) {
  size_t nb = kk / SK_RB;
  if (nb > SK_NB) nb = SK_NB;
  if (nb < 1) nb = 1;
  while (nb > 1 && nb * mn > SK_PART) nb--;
  return mn <= SK_PART ? nb : 0;
}

/* 1 for X W, 2 for X^T G, 3 for X v, 0 for none (see lm_gemm_skinny).  X W
** takes W's columns from a copy on the stack, or where they are rows in
** memory already (W = V^T of a row-major V, a layer's weights), from W
** itself, whatever their length (the input layer of the course's cat
** classifier: 12288 by 7, or by 20 for its four-layer form) */
static int skinny_kind(const lm_mat *a, const lm_mat *b, const lm_mat *o) {
  size_t m = (size_t)o->rows, n = (size_t)o->cols, kk = (size_t)a->cols;
  if (n == 0 || m * kk < SK_MIN) return 0;
  if (n == 1 && m > 1 && kk > 1 && a->cs == 1 &&
      (b->rs == 1 || kk <= SK_PACK))
    return 3;  /* X v (one row: X^T d below, whose blocks run in parallel) */
  if ((a->cs == 1 || kk == 1) && n >= 4 &&
      ((n <= LM_SKINNY_N && n * kk <= SK_PACK) ||
       (b->rs == 1 && kk > 1 && n <= SK_XW_N)))
    return 1;
  if (n > LM_SKINNY_N) return 0;
  if ((a->rs == 1 || m == 1) && (b->cs == 1 || n == 1) &&
      xtg_blocks(kk, m * n) > 0)
    return 2;
  return 0;
}

int lm_gemm_skinny(double alpha, const lm_mat *a, const lm_mat *b,
                   double beta, const lm_mat *o) {
  skjob j;
  size_t m = (size_t)o->rows, n = (size_t)o->cols, kk = (size_t)a->cols;
  int kind = skinny_kind(a, b, o);
  double bt[SK_PACK];  /* b^T packed (X W), or v (X v) */
  if (kind == 0) return 0;
  j.alpha = alpha; j.beta = beta; j.a = a; j.b = b; j.o = o; j.bt = NULL;
  j.part = NULL;
  if (kind == 3) {  /* X v: v where it lies, or packed */
    size_t q;
    j.bt = b->data;
    if (b->rs != 1) {
      for (q = 0; q < kk; q++) bt[q] = b->data[(ptrdiff_t)q * b->rs];
      j.bt = bt;
    }
    lm_parallel(m, kk, LM_PAR_MIN_MEM, 1, sk_xv, &j);
    return 1;
  }
  if (kind == 1) {  /* X W */
    size_t q, c;
    if (b->rs == 1 && kk > 1) {  /* W's columns are rows in memory */
      j.bt = b->data; j.bts = (size_t)b->cs;
      lm_parallel(m, kk * n, LM_PAR_MIN_MEM, 1, sk_xw, &j);
      return 1;
    }
    for (c = 0; c < n; c++)
      for (q = 0; q < kk; q++)
        bt[c * kk + q] = b->data[(ptrdiff_t)q * b->rs + (ptrdiff_t)c * b->cs];
    j.bt = bt; j.bts = kk;
    lm_parallel(m, kk * n, LM_PAR_MIN_MEM, 1, sk_xw, &j);
    return 1;
  }
  /* X^T G: the blocks of rows of X, and one partial (n, m) each */
  j.nb = xtg_blocks(kk, m * n);
  j.rb = (kk + j.nb - 1) / j.nb;
  j.part = (double *)malloc(j.nb * m * n * sizeof(double));
  if (j.part == NULL) return 0;
  lm_parallel(j.nb, j.rb * m * n, LM_PAR_MIN_MEM, 1,
              n == 1 ? sk_xtd : sk_xtg, &j);
  lm_parallel(m, j.nb * n, LM_PAR_MIN_MEM, 1, sk_xtg_sum, &j);
  free(j.part);
  return 1;
}

/* ---- which kernel: ours or the library's ------------------------------ */

/* The state of the choice, per process (see core_simd.h): the forced path
** (-1: none), read once from LUAML_KERNEL; per kind and class the calls
** begun, the periods noted and the decision; which kind and class is
** measuring (slot) and when its last call began.  Guarded by a mutex
** until a decision; a decision, once made, is read without it. */
static pthread_mutex_t kmu = PTHREAD_MUTEX_INITIALIZER;
static struct kstate {
  int used, begun, noted[2];
  int path;      /* 0 while undecided, else the choice + 1 */
  int cached;    /* the choice came from the cache */
  int last_path, last_timed;
  int gen;       /* the measurement (kgen) it last followed */
  double last_t, last_madds;  /* the previous call: start, size */
  double t[2][LM_KSAMPLES];   /* periods per multiply-add, per path */
  double med[2];              /* their medians (or the cache's) */
} K[LM_NKERN][LM_KCLASSES];
static int kforced = -2;  /* -2: LUAML_KERNEL not read yet */
static int kslot = -1;    /* kind * LM_KCLASSES + class measuring, or -1 */
static int kwaits;        /* calls of other kinds since its last call */
static int kgen;          /* measurements begun, for the followers */
static int kcache_read;   /* the cache file was read (or there is none) */
static int kcache_allow;  /* the default path may be used */
static char kcache[4096]; /* its path, "" for none */
static double (*kclock)(void);

static int wanted(void);

static double mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void lm_kernel_setclock(double (*clock)(void)) { kclock = clock; }

static int forced(void) {
  int f = __atomic_load_n(&kforced, __ATOMIC_RELAXED);
  if (f == -2) {
    const char *e = getenv("LUAML_KERNEL");
    f = -1;
    if (e != NULL && strcmp(e, "own") == 0) f = LM_KPATH_OWN;
    if (e != NULL && strcmp(e, "blas") == 0) f = LM_KPATH_BLAS;
    __atomic_store_n(&kforced, f, __ATOMIC_RELAXED);
  }
  return f;
}

void lm_kernel_reset(void) {
  int k, c;
  pthread_mutex_lock(&kmu);
  for (k = 0; k < LM_NKERN; k++)
    for (c = 0; c < LM_KCLASSES; c++) memset(&K[k][c], 0, sizeof K[k][c]);
  kslot = -1;
  kwaits = 0;
  kgen = 0;
  kcache_read = 0;
  kcache[0] = '\0';
  __atomic_store_n(&kforced, -2, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&kmu);
}

/* the median of the valid (positive) times among t[0..n), 0 for none */
static double median(const double *t, int n) {
  double v[LM_KSAMPLES > 64 ? LM_KSAMPLES : 64];
  int i, j, m = 0;
  for (i = 0; i < n && m < 64; i++)
    if (t[i] > 0) {  /* insertion sort: n is small */
      for (j = m++; j > 0 && v[j - 1] > t[i]; j--) v[j] = v[j - 1];
      v[j] = t[i];
    }
  if (m == 0) return 0;
  return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

int lm_kernel_choose(const double *own, const double *blas, int n) {
  double mo = median(own, n), mb = median(blas, n);
  if (mo == 0) return LM_KPATH_BLAS;
  if (mb == 0) return LM_KPATH_OWN;
  return mo <= mb * (1 - LM_KMARGIN) ? LM_KPATH_OWN : LM_KPATH_BLAS;
}

int lm_kernel_kind(const lm_mat *a, const lm_mat *b, const lm_mat *o,
                   int *cls) {
  double work = (double)o->rows * o->cols * a->cols;
  int kind = skinny_kind(a, b, o);
  *cls = work < (double)(1 << 21) ? 0 : work < (double)(1 << 24) ? 1 : 2;
  return kind == 1 ? LM_K_XW : kind == 2 ? (o->cols == 1 ? LM_K_XTD : LM_K_XTG)
       : kind == 3 ? LM_K_XV : -1;
}

static const char *const knames[LM_NKERN] = {"X W", "X^T d", "X^T G", "X v"};

const char *lm_kernel_name(int kind) {
  return kind >= 0 && kind < LM_NKERN ? knames[kind] : "?";
}

/* ---- the cache of choices ---- */

/* the CPU's name as it gives it (cpuid's brand string) */
static void cpu_name(char *out, size_t len) {
  snprintf(out, len, "unknown CPU");
#if defined(__x86_64__) && defined(__GNUC__)
  {
    unsigned int r[12], k;
    char *p;
    if (__get_cpuid_max(0x80000000, NULL) < 0x80000004) return;
    for (k = 0; k < 3; k++)
      __get_cpuid(0x80000002 + k, &r[4 * k], &r[4 * k + 1], &r[4 * k + 2],
                  &r[4 * k + 3]);
    memcpy(out, r, len < sizeof r ? len : sizeof r);
    out[(len <= sizeof r ? len : sizeof r + 1) - 1] = '\0';
    for (p = out; *p == ' '; p++) {}
    memmove(out, p, strlen(p) + 1);
  }
#endif
}

/* A build instrumented by AddressSanitizer times its own slower loops:
** its lines are kept apart from the plain build's. */
#if defined(__SANITIZE_ADDRESS__)
#define LM_KBUILD "; AddressSanitizer"
#else
#define LM_KBUILD ""
#endif

/* the key of this machine's lines: what a choice depends on, tabs and
** line ends made spaces */
static void cache_key(char *key, size_t len) {
  char cpu[64];
  const char *ct = getenv("OPENBLAS_CORETYPE"), *nt = getenv("OPENBLAS_NUM_THREADS");
  char *p;
  cpu_name(cpu, sizeof cpu);
  snprintf(key, len, "luaml kernels rev %d%s; %s; %d threads; %s%s%s%s%s",
           LM_KCACHE_REV, LM_KBUILD, cpu, wanted(), lm_blas_id(),
           ct ? "; OPENBLAS_CORETYPE=" : "", ct ? ct : "",
           nt ? "; OPENBLAS_NUM_THREADS=" : "", nt ? nt : "");
  for (p = key; *p; p++)
    if (*p == '\t' || *p == '\n' || *p == '\r') *p = ' ';
}

/* the cache's path into kcache ("" for none) */
static void cache_path(void) {
  const char *e = getenv("LUAML_KERNEL_CACHE"), *d;
  kcache[0] = '\0';
  if (e != NULL) {
    if (strcmp(e, "off") != 0 && strlen(e) < sizeof kcache)
      strcpy(kcache, e);
    return;
  }
  if (!kcache_allow) return;
  if ((d = getenv("XDG_CACHE_HOME")) != NULL && d[0] == '/')
    snprintf(kcache, sizeof kcache, "%s/luaml/kernels", d);
  else if ((d = getenv("HOME")) != NULL && d[0] == '/')
    snprintf(kcache, sizeof kcache, "%s/.cache/luaml/kernels", d);
  if (strlen(kcache) >= sizeof kcache - 1) kcache[0] = '\0';  /* cut short */
}

void lm_kernel_cache_allow(int on) {
  pthread_mutex_lock(&kmu);
  kcache_allow = on != 0;
  pthread_mutex_unlock(&kmu);
}

const char *lm_kernel_cache(void) {
  const char *p;
  pthread_mutex_lock(&kmu);
  if (!kcache_read && kcache[0] == '\0') cache_path();
  p = kcache[0] ? kcache : NULL;
  pthread_mutex_unlock(&kmu);
  return p;
}

/* A line of the cache: key TAB kind TAB class TAB path TAB own TAB blas
** (kind and path by name, the medians in ns per multiply-add).  Parses a
** line of this machine (key) into its fields; 0 for another's, or junk. */
static int cache_line(char *line, const char *key, int *kind, int *cls,
                      int *path, double *own, double *blas) {
  char *f[6], *p = line;
  int n = 0, k;
  while (n < 6) {
    f[n++] = p;
    p = strchr(p, '\t');
    if (p == NULL) break;
    *p++ = '\0';
  }
  if (n != 6 || strcmp(f[0], key) != 0) return 0;
  for (k = 0; k < LM_NKERN && strcmp(f[1], knames[k]) != 0; k++) {}
  *kind = k;
  *cls = (int)strtol(f[2], NULL, 10);
  *path = strcmp(f[3], "own") == 0 ? LM_KPATH_OWN
        : strcmp(f[3], "blas") == 0 ? LM_KPATH_BLAS : -1;
  *own = strtod(f[4], NULL) * 1e-9;
  *blas = strtod(f[5], NULL) * 1e-9;
  return k < LM_NKERN && *cls >= 0 && *cls < LM_KCLASSES && *path >= 0;
}

/* read this machine's choices from the cache (under kmu, once) */
static void cache_load(void) {
  char key[1024], line[2048];
  FILE *f;
  kcache_read = 1;
  cache_path();
  if (kcache[0] == '\0' || (f = fopen(kcache, "r")) == NULL) return;
  cache_key(key, sizeof key);
  while (fgets(line, sizeof line, f) != NULL) {
    int kind, cls, path;
    double own, blas;
    line[strcspn(line, "\n")] = '\0';
    if (cache_line(line, key, &kind, &cls, &path, &own, &blas) &&
        K[kind][cls].path == 0) {
      struct kstate *s = &K[kind][cls];
      s->med[LM_KPATH_OWN] = own;
      s->med[LM_KPATH_BLAS] = blas;
      s->cached = 1;
      __atomic_store_n(&s->path, path + 1, __ATOMIC_RELEASE);
    }
  }
  fclose(f);
}

/* mkdir -p of the directories of path */
static void make_dirs(const char *path) {
  char d[sizeof kcache];
  char *p;
  snprintf(d, sizeof d, "%s", path);
  for (p = d + 1; (p = strchr(p, '/')) != NULL; p++) {
    *p = '\0';
    mkdir(d, 0777);  /* exists already, or fails: fopen below tells */
    *p = '/';
  }
}

/* write the choice of kind and class to the cache (under kmu): the other
** lines kept, this one replaced, written to a new file renamed over the
** old one, so a reader never sees half a file.  Failures are silent: the
** choice holds for this process anyway. */
static void cache_store(int kind, int cls) {
  char key[1024], line[2048], copy[2048], tmp[sizeof kcache + 32];
  struct kstate *s = &K[kind][cls];
  FILE *in, *out;
  if (kcache[0] == '\0') return;
  cache_key(key, sizeof key);
  make_dirs(kcache);
  snprintf(tmp, sizeof tmp, "%s.%ld.tmp", kcache, (long)getpid());
  if ((out = fopen(tmp, "w")) == NULL) return;
  if ((in = fopen(kcache, "r")) != NULL) {
    while (fgets(line, sizeof line, in) != NULL) {
      int k, c, p;
      double o, b;
      if (strchr(line, '\n') == NULL) continue;  /* too long: junk */
      memcpy(copy, line, sizeof line);
      copy[strcspn(copy, "\n")] = '\0';
      if (cache_line(copy, key, &k, &c, &p, &o, &b) && k == kind && c == cls)
        continue;  /* this one is replaced */
      fputs(line, out);
    }
    fclose(in);
  }
  fprintf(out, "%s\t%s\t%d\t%s\t%.4g\t%.4g\n", key, knames[kind], cls,
          s->path - 1 == LM_KPATH_OWN ? "own" : "blas",
          s->med[LM_KPATH_OWN] * 1e9, s->med[LM_KPATH_BLAS] * 1e9);
  if (fclose(out) != 0 || rename(tmp, kcache) != 0) remove(tmp);
}

/* ---- the measurement ---- */

/* forget a measurement left unfinished (under kmu) */
static void abandon(int slot) {
  struct kstate *s = &K[slot / LM_KCLASSES][slot % LM_KCLASSES];
  s->begun = s->noted[0] = s->noted[1] = s->last_timed = 0;
}

/* s's call at t: the period of its previous call noted (under kmu) */
static void note(struct kstate *s, double t) {
  if (s->last_timed && s->noted[s->last_path] < LM_KSAMPLES)
    s->t[s->last_path][s->noted[s->last_path]++] =
        (t - s->last_t) / (s->last_madds > 0 ? s->last_madds : 1);
}

/* the measuring slot me chose p: it and every undecided slot that
** followed it through its measurement (its calls then part of the steps
** timed, on the same path) keep p, with the medians of their own periods
** (under kmu) */
static void decide(int me, int p) {
  int k;
  for (k = 0; k < LM_NKERN * LM_KCLASSES; k++) {
    struct kstate *f = &K[k / LM_KCLASSES][k % LM_KCLASSES];
    if (k != me && (f->path > 0 || f->gen != kgen ||
                    f->noted[0] < LM_KSAMPLES - 1 ||
                    f->noted[1] < LM_KSAMPLES - 1))
      continue;
    f->med[LM_KPATH_OWN] = median(f->t[1], f->noted[1]);
    f->med[LM_KPATH_BLAS] = median(f->t[0], f->noted[0]);
    __atomic_store_n(&f->path, p + 1, __ATOMIC_RELEASE);
    cache_store(k / LM_KCLASSES, k % LM_KCLASSES);
  }
}

int lm_kernel_path(int kind, int cls, double madds) {
  struct kstate *s = &K[kind][cls];
  int f = forced(), p, me = kind * LM_KCLASSES + cls;
  double t;
  if (!__atomic_load_n(&s->used, __ATOMIC_RELAXED))
    __atomic_store_n(&s->used, 1, __ATOMIC_RELAXED);
  if (f >= 0) return f;
  if ((p = __atomic_load_n(&s->path, __ATOMIC_ACQUIRE)) > 0) return p - 1;
  if (!lm_blas_ready()) return LM_KPATH_OWN;  /* no choice to make */
  pthread_mutex_lock(&kmu);
  if (!kcache_read) cache_load();
  if (s->path > 0) { p = s->path - 1; goto done; }
  t = kclock ? kclock() : mono();
  if (kslot >= 0 && kslot != me) {  /* another is measuring: still? */
    struct kstate *o = &K[kslot / LM_KCLASSES][kslot % LM_KCLASSES];
    if (++kwaits < LM_KWAITS || t - o->last_t <= LM_KSTALE) {
      /* it follows: the path of the measured one's step (both pools of
      ** threads never share a step), its own periods noted alike */
      if (s->gen != kgen) {
        abandon(me);
        s->gen = kgen;
      }
      note(s, t);
      p = o->last_path;
      s->last_timed = o->last_timed;
      s->last_path = p;
      s->last_t = t;
      s->last_madds = madds;
      goto done;
    }
    abandon(kslot);
  }
  if (kslot != me) {  /* a measurement begins */
    kgen++;
    abandon(me);
    s->gen = kgen;
  }
  kslot = me;
  kwaits = 0;
  note(s, t);
  if (s->noted[0] == LM_KSAMPLES && s->noted[1] == LM_KSAMPLES) {
    p = lm_kernel_choose(s->t[1], s->t[0], LM_KSAMPLES);
    kslot = -1;
    decide(me, p);
    goto done;
  }
  /* ours, BLAS, BLAS, ours, ours, BLAS ...: a program that alternates
  ** two products of one kind and class gives each path both */
  p = ((s->begun + 1) / 2 % 2 == 0) ? LM_KPATH_OWN : LM_KPATH_BLAS;
  s->last_timed = s->begun >= 2;  /* the first of each warms up */
  s->begun++;
  s->last_path = p;
  s->last_t = t;
  s->last_madds = madds;
done:
  pthread_mutex_unlock(&kmu);
  return p;
}

const char *lm_kernel_state(int kind, int cls, int *path, double *own,
                            double *blas) {
  struct kstate *s = &K[kind][cls];
  int f = forced();
  const char *how;
  pthread_mutex_lock(&kmu);
  *path = f >= 0 ? f : s->path - 1;
  *own = s->med[LM_KPATH_OWN];
  *blas = s->med[LM_KPATH_BLAS];
  how = !s->used ? "not yet used" : f >= 0 ? "forced"
      : !lm_blas_ready() ? "no BLAS"  /* loaded, or tried, at its use */
      : s->path > 0 ? (s->cached ? "cached" : "measured")
      : kslot == kind * LM_KCLASSES + cls ? "measuring" : "default";
  if (strcmp(how, "no BLAS") == 0) *path = LM_KPATH_OWN;
  pthread_mutex_unlock(&kmu);
  return how;
}

/* ---- threads --------------------------------------------------------------- */

/* A pool of worker threads that sleep (on a condition variable) between
** jobs and join a job when woken, taking pieces of it from a shared
** counter; the calling thread works on the job from the start.  Workers
** poll for the next job for LM_SPIN (50 microseconds) before they sleep,
** and the caller polls as long for the workers to finish: waking a
** sleeping thread takes tens of microseconds, more in a virtual machine
** (a job of 16 pieces of 10 microseconds took 109 microseconds instead of
** 80 without the polling, 84 with it, on the 2-core AMD EPYC of
** bench/results), and a training loop's next kernel comes within
** microseconds.  Past that the pool sleeps: an idle pool costs no CPU, so
** it does not compete with OpenBLAS's own threads (or other processes),
** and a worker the system is slow to wake only means the caller does more
** of the pieces.  (OpenMP's libgomp spins for milliseconds after each
** region, which on this 2-core machine doubled the CPU time of a
** kernel-heavy script and slowed the BLAS calls next to it.)  One job at a time: a kernel called
** while the pool is busy (from another Lua state's thread, or from inside
** a piece) runs on its caller alone.  LUAML_THREADS=n caps the threads
** (1: none); the default is the CPUs this process may run on. */

#define PIECES 8   /* pieces per thread: the slack left for a late thread */
#define MAXWORKERS 63

/* this thread's deadline and cancelled flag (see core_simd.h) */
static __thread double tl_deadline = 0;
static __thread int tl_cancelled = 0;

double lm_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void lm_set_deadline(double t) {
  tl_deadline = t;
  tl_cancelled = 0;
}

double lm_deadline(void) {
  return tl_deadline;
}

int lm_cancelled(void) {
  return tl_cancelled;
}

int lm_past_deadline(void) {
  if (tl_deadline == 0) return 0;
  if (!tl_cancelled && lm_now() > tl_deadline) tl_cancelled = 1;
  return tl_cancelled;
}

typedef struct pool {
  pthread_mutex_t mu;
  pthread_cond_t work, done;
  unsigned long gen;   /* job number: workers wake for a new one */
  int busy;            /* a job is being handed out */
  int active;          /* workers inside the current job */
  int nworkers;        /* threads besides the caller */
  lm_rangefn fn;       /* the current job */
  void *ctx;
  size_t n, piece, np, next;  /* units, units per piece, pieces, next piece */
  double deadline;     /* the job's deadline, 0 = none */
  int stopped;         /* the deadline passed: no more pieces */
} pool;

static pool P = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                 PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, NULL, NULL, 0, 0, 0, 0, 0, 0};
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

/* take pieces of the current job until none is left (or, with a
** deadline, until it has passed) */
static void pieces(lm_rangefn fn, void *ctx, size_t n, size_t piece,
                   size_t np, double deadline) {
  size_t k;
  while ((k = __atomic_fetch_add(&P.next, 1, __ATOMIC_RELAXED)) < np) {
    size_t lo = k * piece, hi = lo + piece;
    if (deadline > 0 && (__atomic_load_n(&P.stopped, __ATOMIC_RELAXED) ||
                         lm_now() > deadline)) {
      __atomic_store_n(&P.stopped, 1, __ATOMIC_RELAXED);
      break;
    }
    fn(ctx, lo, hi < n ? hi : n);
  }
}

/* fn over [0, n) on the calling thread, in pieces of `piece` units with
** the deadline checked before each (lm_parallel with a deadline) */
static void serial(lm_rangefn fn, void *ctx, size_t n, size_t piece) {
  size_t lo;
  for (lo = 0; lo < n; lo += piece) {
    if (lm_past_deadline()) return;
    fn(ctx, lo, n - lo > piece ? lo + piece : n);
  }
}

/* Polling for at most LM_SPIN seconds before sleeping on the condition
** variable: waking a sleeping thread costs tens of microseconds (more in
** a virtual machine), a large share of a millisecond's kernel, and a
** training loop calls the next kernel within microseconds. */
#define LM_SPIN 50e-6
#if defined(__x86_64__) || defined(__i386__)
#define relax() __builtin_ia32_pause()
#else
#define relax() ((void)0)
#endif
/* poll done(arg) for at most LM_SPIN seconds: 1 when it came true */
static int spin(int (*done)(const void *), const void *arg) {
  double t0 = lm_now();
  int k;
  for (;;) {
    for (k = 0; k < 64; k++) {
      if (done(arg)) return 1;
      relax();
    }
    if (lm_now() - t0 > LM_SPIN) return 0;
  }
}

/* a new job was handed out (P.gen moved past *seen) */
static int new_job(const void *seen) {
  return __atomic_load_n(&P.gen, __ATOMIC_ACQUIRE) !=
         *(const unsigned long *)seen;
}

/* the current job's pieces are all taken and done */
static int job_done(const void *unused) {
  (void)unused;
  return __atomic_load_n(&P.active, __ATOMIC_ACQUIRE) == 0 &&
         __atomic_load_n(&P.next, __ATOMIC_RELAXED) >= P.np;
}

static void *worker(void *arg) {
  unsigned long seen = 0;
  (void)arg;
  pthread_mutex_lock(&P.mu);
  for (;;) {
    lm_rangefn fn;
    void *ctx;
    size_t n, piece, np;
    double deadline;
    if (P.gen == seen) {  /* a moment's polling, then sleep */
      pthread_mutex_unlock(&P.mu);
      spin(new_job, &seen);
      pthread_mutex_lock(&P.mu);
    }
    while (P.gen == seen) pthread_cond_wait(&P.work, &P.mu);
    seen = P.gen;
    if (!P.busy) continue;  /* that job is over already */
    __atomic_add_fetch(&P.active, 1, __ATOMIC_RELAXED);  /* polled */
    fn = P.fn; ctx = P.ctx; n = P.n; piece = P.piece; np = P.np;
    deadline = P.deadline;
    pthread_mutex_unlock(&P.mu);
    pieces(fn, ctx, n, piece, np, deadline);
    pthread_mutex_lock(&P.mu);
    if (__atomic_sub_fetch(&P.active, 1, __ATOMIC_RELEASE) == 0)
      pthread_cond_signal(&P.done);
  }
  return NULL;
}

/* threads for the pool: LUAML_THREADS, else the CPUs we may run on */
static int wanted(void) {
  const char *e = getenv("LUAML_THREADS");
  long n = 0;
  if (e != NULL) n = strtol(e, NULL, 10);
#ifdef CPU_COUNT
  if (n <= 0) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
  }
#endif
  if (n <= 0) n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) n = 1;
  return n > MAXWORKERS + 1 ? MAXWORKERS + 1 : (int)n;
}

/* a child of fork has no workers: start again, empty */
static void atfork_child(void) {
  pool fresh = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, NULL, NULL, 0, 0, 0, 0, 0, 0};
  pthread_once_t o = PTHREAD_ONCE_INIT;
  P = fresh;
  pool_once = o;
}

static void pool_start(void) {
  int k, n = wanted() - 1;
  pthread_attr_t at;
  pthread_attr_init(&at);
  pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
  for (k = 0; k < n; k++) {
    pthread_t t;
    if (pthread_create(&t, &at, worker, NULL) != 0) break;
    P.nworkers++;
  }
  pthread_attr_destroy(&at);
  pthread_atfork(NULL, NULL, atfork_child);
}

void lm_parallel(size_t n, size_t cost, size_t min, size_t align,
                 lm_rangefn fn, void *ctx) {
  size_t work = n * (cost ? cost : 1), piece, np, least, most = n;
  int nt;
  if (tl_deadline > 0) {  /* pieces small enough to stop in time */
    most = LM_CANCEL_UNITS / (cost ? cost : 1);
    if (align > 1) most = (most + align - 1) / align * align;
    if (most < 1) most = 1;
  }
  if (n < 2 || work < 2 * min) {
    if (n > most) serial(fn, ctx, n, most);
    else fn(ctx, 0, n);
    return;
  }
  pthread_once(&pool_once, pool_start);
  nt = P.nworkers + 1;
  if ((size_t)nt > work / min) nt = (int)(work / min);
  if (nt <= 1) { serial(fn, ctx, n, most); return; }
  piece = (n + (size_t)nt * PIECES - 1) / ((size_t)nt * PIECES);
  least = (min / 2 + (cost ? cost : 1) - 1) / (cost ? cost : 1);
  if (piece < least) piece = least;  /* pieces of at least min/2 elements */
  if (align > 1) piece = (piece + align - 1) / align * align;
  if (piece > most) piece = most;
  np = (n + piece - 1) / piece;
  pthread_mutex_lock(&P.mu);
  if (P.busy) {  /* the pool is at work for someone else */
    pthread_mutex_unlock(&P.mu);
    serial(fn, ctx, n, most);
    return;
  }
  P.busy = 1;
  P.fn = fn; P.ctx = ctx; P.n = n; P.piece = piece; P.np = np; P.next = 0;
  P.deadline = tl_deadline;
  P.stopped = 0;
  __atomic_add_fetch(&P.gen, 1, __ATOMIC_RELEASE);  /* polled */
  pthread_cond_broadcast(&P.work);
  pthread_mutex_unlock(&P.mu);
  pieces(fn, ctx, n, piece, np, P.deadline);
  spin(job_done, NULL);
  pthread_mutex_lock(&P.mu);
  P.busy = 0;  /* workers waking from now on stay out */
  while (P.active > 0) pthread_cond_wait(&P.done, &P.mu);
  if (P.stopped) tl_cancelled = 1;
  pthread_mutex_unlock(&P.mu);
}
