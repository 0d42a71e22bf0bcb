/*
** core_red.c -- reductions over strided views: sums, means, extremes and
** their positions, products, variances, norms, any/all, cumulative sums.
**
** Semantics are numpy's: NaN propagates through max/min and argmax/argmin
** give the first NaN, ties go to the first occurrence, the sum of nothing
** is 0, the product 1, the mean NaN, var divides by max(n - ddof, 0).
** Sums are pairwise with numpy's leaves (8 accumulators over at most 128
** elements), so the rounding error of a long sum grows like O(log n).
** numpy itself is pairwise only within its 8192-element buffers and adds
** those in order (and not at all along axis 0 of a C array), so results
** agree with numpy's to ~1e-15 relative, not bit for bit.
**
** A reduction along an axis is first normalised to "m outputs, output k
** reducing n inputs x[k*ks + r*rs], r < n".  When the kept dimension is
** the more contiguous one (axis 1 of a row-major matrix, axis 2 of a
** transposed view) the kernel walks whole input rows and accumulates up
** to CB outputs at a time in stack buffers ("vertical"); otherwise each
** output is a 1-D reduction along its own run ("horizontal").  Either way
** memory is read in its own order.  Nothing here allocates.
**
** Speed: the loops are vectorised, each compiled for AVX-512, AVX2 and
** SSE2 and chosen at run time (target_clones).  Large reductions run on
** threads (lm_parallel) without changing a bit of any result: an axis reduction
** splits its outputs (each computed whole by one thread), a sum of all
** elements computes the top subtrees of its pairwise tree on separate
** threads and adds them in the tree's order, and max/min/argmax combine
** per-piece results in position order.
*/
#include <math.h>
#include <stddef.h>

#include "core.h"
#include "core_simd.h"


#define PW_BLOCK 128  /* leaf size of the 1-D pairwise sum (numpy's) */
#define RB 128        /* input rows per leaf of a vertical pairwise sum */
#define CB 512        /* outputs per chunk of a vertical reduction */

#define ABSP(x) ((x) < 0 ? -(x) : (x))

/* the transforms the pairwise sums apply to each element v; m is the
** mean the deviation is taken from (var/std), unused by the others */
#define T_ID(v, m) (v)
#define T_NAN(v, m) ((v) != (v) ? 0.0 : (v))
#define T_SQ(v, m) ((v) * (v))
#define T_DEV(v, m) (((v) - (m)) * ((v) - (m)))

/* max/min that let a NaN in and never out (NaN-sticky, as numpy's):
** b = MAXN(v, b) over a run leaves the max, or NaN if any v was NaN.
** Written with | rather than || so that the loops stay branch-free. */
#define MAXN(v, b) ((((v) > (b)) | ((v) != (v))) ? (v) : (b))
#define MINN(v, b) ((((v) < (b)) | ((v) != (v))) ? (v) : (b))
/* "v replaces the best so far" for argmax/argmin: the first extreme,
** or the first NaN */
#define ARGMAXN(v, b) (((v) > (b)) | (((v) != (v)) & ((b) == (b))))
#define ARGMINN(v, b) (((v) < (b)) | (((v) != (v)) & ((b) == (b))))

/* ---- 1-D pairwise sums ---------------------------------------------- */

#define XU(i) x[i]
#define XS(i) x[(ptrdiff_t)(i) * s]
#define PWLEAF(F, X)                                                         \
  r0 = F(X(0), m); r1 = F(X(1), m); r2 = F(X(2), m); r3 = F(X(3), m);        \
  r4 = F(X(4), m); r5 = F(X(5), m); r6 = F(X(6), m); r7 = F(X(7), m);        \
  for (i = 8; i + 8 <= n; i += 8) {                                          \
    r0 += F(X(i), m); r1 += F(X(i + 1), m);                                  \
    r2 += F(X(i + 2), m); r3 += F(X(i + 3), m);                              \
    r4 += F(X(i + 4), m); r5 += F(X(i + 5), m);                              \
    r6 += F(X(i + 6), m); r7 += F(X(i + 7), m);                              \
  }                                                                          \
  res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));                   \
  for (; i < n; i++) res += F(X(i), m);

/* sum of F(x[i*s]) for i < n: numpy's pairwise scheme, leaves of at most
** PW_BLOCK elements summed with 8 accumulators */
#define PWSUM(name, F)                                                       \
  CLONES static double name(const double *x, size_t n, ptrdiff_t s, double m) {    \
    (void)m;                                                                 \
    if (n < 8) {                                                             \
      double res = 0.0;                                                      \
      size_t i;                                                              \
      for (i = 0; i < n; i++) res += F(XS(i), m);                            \
      return res;                                                            \
    } else if (n <= PW_BLOCK) {                                              \
      double r0, r1, r2, r3, r4, r5, r6, r7, res;                            \
      size_t i;                                                              \
      if (s == 1) { PWLEAF(F, XU) } else { PWLEAF(F, XS) }                   \
      return res;                                                            \
    } else {                                                                 \
      size_t n2 = n / 2;                                                     \
      n2 -= n2 % 8;                                                          \
      return name(x, n2, s, m) + name(x + (ptrdiff_t)n2 * s, n - n2, s, m);  \
    }                                                                        \
  }

PWSUM(pw_id, T_ID)
PWSUM(pw_nan, T_NAN)
PWSUM(pw_sq, T_SQ)
PWSUM(pw_dev, T_DEV)

/* ---- a long flat pairwise sum on threads ------------------------------ */

/* The pairwise tree of pw_* over n elements, cut PW_DEPTH levels down: its
** PW_TOP subtrees are summed on threads (each by pw_* as the serial sum
** does it), then added in the tree's order, so the bits are the serial
** sum's whatever the threads. */
#define PW_DEPTH 4
#define PW_TOP (1 << PW_DEPTH)
#define PW_PAR ((size_t)1 << 18)  /* elements from which it pays */

enum { S_ID, S_NAN, S_SQ, S_DEV };  /* the transforms, by number */

typedef struct pwjob {
  const double *x;
  double m;
  int t;                           /* S_ID, S_NAN, S_SQ, S_DEV */
  size_t off[PW_TOP], len[PW_TOP]; /* the subtrees */
  double sum[PW_TOP];
  int nt;                          /* subtrees */
} pwjob;

/* the subtrees of [off, off+n) at depth d, in order (pw_*'s split rule;
** a run of PW_BLOCK or fewer is a leaf, not split further) */
static void pw_cut(pwjob *j, size_t off, size_t n, int d) {
  size_t n2;
  if (d == 0 || n <= PW_BLOCK) {
    j->off[j->nt] = off; j->len[j->nt] = n; j->nt++;
    return;
  }
  n2 = n / 2;
  n2 -= n2 % 8;
  pw_cut(j, off, n2, d - 1);
  pw_cut(j, off + n2, n - n2, d - 1);
}

/* their sums added as the tree adds them; *k the next subtree */
static double pw_join(const pwjob *j, size_t n, int d, int *k) {
  size_t n2;
  double a;
  if (d == 0 || n <= PW_BLOCK) return j->sum[(*k)++];
  n2 = n / 2;
  n2 -= n2 % 8;
  a = pw_join(j, n2, d - 1, k);
  return a + pw_join(j, n - n2, d - 1, k);
}

/* pw_*(x, n, s, m) of the transform t, on the calling thread */
static double pw_one(int t, const double *x, size_t n, ptrdiff_t s,
                     double m) {
  switch (t) {
    case S_NAN: return pw_nan(x, n, s, m);
    case S_SQ: return pw_sq(x, n, s, m);
    case S_DEV: return pw_dev(x, n, s, m);
    default: return pw_id(x, n, s, m);
  }
}

static void pw_range(void *ctx, size_t lo, size_t hi) {
  pwjob *j = (pwjob *)ctx;
  size_t k;
  for (k = lo; k < hi; k++)
    j->sum[k] = pw_one(j->t, j->x + j->off[k], j->len[k], 1, j->m);
}

/* pw_*(x, n, s, m) of the transform t: on threads when long and unit
** stride (inside another threaded kernel lm_parallel runs it on its
** caller) */
static double pw_sum(int t, const double *x, size_t n, ptrdiff_t s,
                     double m) {
  pwjob j;
  int k = 0;
  if (n < PW_PAR || s != 1) return pw_one(t, x, n, s, m);
  j.x = x; j.m = m; j.t = t; j.nt = 0;
  pw_cut(&j, 0, n, PW_DEPTH);
  lm_parallel((size_t)j.nt, n / (size_t)j.nt, LM_PAR_MIN_MEM, 1, pw_range, &j);
  return pw_join(&j, n, PW_DEPTH, &k);
}

/* ---- vertical pairwise sums ------------------------------------------ */

/* one leaf of a vertical sum over w (a constant when w == CB, so that the
** compiler can vectorise) unit-stride outputs: four rows per step */
#define VLEAF(F, W)                                                          \
  for (; r + 4 <= n; r += 4) {                                               \
    const double *p0 = x + (ptrdiff_t)r * rs, *p1 = p0 + rs;                 \
    const double *p2 = p1 + rs, *p3 = p2 + rs;                               \
    for (k = 0; k < (W); k++)                                                \
      acc[k] += (F(p0[k], m[k]) + F(p1[k], m[k])) +                          \
                (F(p2[k], m[k]) + F(p3[k], m[k]));                           \
  }                                                                          \
  for (; r < n; r++) {                                                       \
    const double *p0 = x + (ptrdiff_t)r * rs;                                \
    for (k = 0; k < (W); k++) acc[k] += F(p0[k], m[k]);                      \
  }

/* acc[k] = sum over r < n of F(x[r*rs + k*ks], m[k]), k < w (w <= CB).
** Leaves of at most RB rows are walked a few rows at a time; the row range
** is halved recursively, one CB buffer per level. */
#define VSUM(name, F)                                                        \
  CLONES static void name(const double *x, size_t n, ptrdiff_t rs, int w,          \
                   ptrdiff_t ks, const double *m, double *restrict acc) {   \
    int k;                                                                   \
    (void)m;                                                                 \
    if (n <= RB) {                                                           \
      size_t r = 0;                                                          \
      for (k = 0; k < w; k++) acc[k] = 0.0;                                  \
      if (ks == 1 && w == CB) { VLEAF(F, CB) }                               \
      else if (ks == 1) { VLEAF(F, w) }                                      \
      else {                                                                 \
        for (; r < n; r++) {                                                 \
          const double *p = x + (ptrdiff_t)r * rs;                           \
          for (k = 0; k < w; k++) acc[k] += F(p[k * ks], m[k]);              \
        }                                                                    \
      }                                                                      \
    } else {                                                                 \
      double tmp[CB];  /* (w) sums of the second half */                     \
      size_t h = n / 2;                                                      \
      name(x, h, rs, w, ks, m, acc);                                         \
      name(x + (ptrdiff_t)h * rs, n - h, rs, w, ks, m, tmp);                 \
      for (k = 0; k < w; k++) acc[k] += tmp[k];                              \
    }                                                                        \
  }

VSUM(vs_id, T_ID)
VSUM(vs_nan, T_NAN)
VSUM(vs_sq, T_SQ)
VSUM(vs_dev, T_DEV)

/* ---- 1-D reductions --------------------------------------------------- */

/* numpy's divisor of var: max(n - ddof, 0) (a zero gives inf or NaN) */
static double dof(size_t n, double ddof) {
  double d = (double)n - ddof;
  return d > 0 ? d : 0.0;
}

/* Max and min the fast way, for long runs and the vertical kernels: plain
** compares (one maxpd/minpd each), which may let a NaN slip through, plus a check
** z += v - v that stays 0 for finite values and turns NaN once a NaN or an
** infinity was seen.  A nonzero check sends the output to the exact
** NaN-sticky loop (rare: only for data holding NaN or inf). */
#define PMAX(v, b) ((v) > (b) ? (v) : (b))
#define PMIN(v, b) ((v) < (b) ? (v) : (b))
#define FINITE0(v) ((v) - (v))

/* the fast max (min) of a unit-stride run of n >= 8 in eight independent
** lanes (one vector); returns 0 when the check failed */
#define LANES(P)                                                             \
  for (i = 0; i + 8 <= n; i += 8)                                            \
    for (l = 0; l < 8; l++) {                                                \
      b[l] = P(x[i + l], b[l]);                                              \
      z[l] += FINITE0(x[i + l]);                                             \
    }                                                                        \
  for (; i < n; i++) { b[0] = P(x[i], b[0]); z[0] += FINITE0(x[i]); }       \
  for (l = 1; l < 8; l++) { b[0] = P(b[l], b[0]); z[0] += z[l]; }

CLONES static int fastext(const double *x, size_t n, int want_max,
                          double *res) {
  double b[8], z[8];
  size_t i;
  int l;
  for (l = 0; l < 8; l++) { b[l] = x[0]; z[l] = 0.0; }
  if (want_max) { LANES(PMAX) } else { LANES(PMIN) }
  *res = b[0];
  return z[0] == 0;
}

/* max (min) of x[i*s], i < n (n >= 1), NaN if any is NaN.  The exact loop
** has four independent NaN-sticky accumulators, so that it is not one
** long chain of dependent compares. */
#define EXTLOOP(EXT, X)                                                      \
  for (i = 0; i + 4 <= n; i += 4) {                                          \
    b0 = EXT(X(i), b0); b1 = EXT(X(i + 1), b1);                              \
    b2 = EXT(X(i + 2), b2); b3 = EXT(X(i + 3), b3);                          \
  }                                                                          \
  for (; i < n; i++) b0 = EXT(X(i), b0);                                     \
  b0 = EXT(b1, b0); b2 = EXT(b3, b2); b0 = EXT(b2, b0);

CLONES static double ext1(const double *x, size_t n, ptrdiff_t s,
                          int want_max) {
  double b0 = x[0], b1 = b0, b2 = b0, b3 = b0;
  size_t i;
  if (s == 1 && n >= 64 && fastext(x, n, want_max, &b0)) return b0;
  b0 = x[0];
  if (want_max) {
    if (s == 1) { EXTLOOP(MAXN, XU) } else { EXTLOOP(MAXN, XS) }
  } else {
    if (s == 1) { EXTLOOP(MINN, XU) } else { EXTLOOP(MINN, XS) }
  }
  return b0;
}

/* 0-based position of the first maximum (minimum) of x[i*s], i < n
** (n >= 1), or of the first NaN when there is one.  Blocks of 8 are
** reduced branch-free; only a block that beats the best so far (or holds
** a NaN) is searched, element by element. */
#define ARGLOOP(EXT, BETTER, X)                                              \
  for (i = 0; i + 8 <= n; i += 8) {                                          \
    double m0 = EXT(X(i + 1), X(i)), m1 = EXT(X(i + 3), X(i + 2));           \
    double m2 = EXT(X(i + 5), X(i + 4)), m3 = EXT(X(i + 7), X(i + 6));       \
    m0 = EXT(m1, m0); m2 = EXT(m3, m2); m0 = EXT(m2, m0);                    \
    if (BETTER(m0, b) | (m0 != m0)) {                                        \
      for (j = i; j < i + 8; j++) {                                          \
        double v = X(j);                                                     \
        if (v != v) return j;                                                \
        if (BETTER(v, b)) { b = v; bi = j; }                                 \
      }                                                                      \
    }                                                                        \
  }                                                                          \
  for (; i < n; i++) {                                                       \
    double v = X(i);                                                         \
    if (v != v) return i;                                                    \
    if (BETTER(v, b)) { b = v; bi = i; }                                     \
  }

#define GT(v, b) ((v) > (b))
#define LT(v, b) ((v) < (b))

/* the position of the first x[i] == v in a unit-stride run that holds
** one: eight compares OR-ed per block (one vector), then the block */
CLONES static size_t find1(const double *x, size_t n, double v) {
  size_t i = 0, l;
  for (; i + 8 <= n; i += 8) {
    int any = 0;
    for (l = 0; l < 8; l++) any |= (x[i + l] == v);
    if (any) break;
  }
  for (; i < n; i++)
    if (x[i] == v) return i;
  return 0;
}

CLONES static size_t arg1(const double *x, size_t n, ptrdiff_t s,
                          int want_max) {
  double b = x[0];
  size_t i, j, bi = 0;
  if (b != b) return 0;
  /* a long unit-stride run: the extreme by the fast vector pass, then its
  ** first position (the first maximum is the first element equal to it);
  ** NaN or inf in the run: the exact loop below */
  if (s == 1 && n >= 64 && fastext(x, n, want_max, &b)) return find1(x, n, b);
  b = x[0];
  if (want_max) {
    if (s == 1) { ARGLOOP(MAXN, GT, XU) } else { ARGLOOP(MAXN, GT, XS) }
  } else {
    if (s == 1) { ARGLOOP(MINN, LT, XU) } else { ARGLOOP(MINN, LT, XS) }
  }
  return bi;
}

/* op over the n values x[i*s]; arg* give the 1-based position.
** n may be 0 (x is then never read): the value of an empty reduction. */
static double red1(lm_redop op, const double *x, size_t n, ptrdiff_t s,
                   double ddof) {
  size_t i;
  double v, mu;
  switch (op) {
    case LM_SUM: return pw_sum(S_ID, x, n, s, 0.0);
    case LM_MEAN: return pw_sum(S_ID, x, n, s, 0.0) / (double)n;
    case LM_NANSUM: return pw_sum(S_NAN, x, n, s, 0.0);
    case LM_NORM: return sqrt(pw_sum(S_SQ, x, n, s, 0.0));
    case LM_VAR: case LM_STD:
      mu = pw_sum(S_ID, x, n, s, 0.0) / (double)n;
      v = pw_sum(S_DEV, x, n, s, mu) / dof(n, ddof);
      return (op == LM_STD) ? sqrt(v) : v;
    case LM_MAX: case LM_MIN:
      return (n == 0) ? (double)NAN : ext1(x, n, s, op == LM_MAX);
    case LM_ARGMAX: case LM_ARGMIN:
      return (n == 0) ? 0.0 : (double)(arg1(x, n, s, op == LM_ARGMAX) + 1);
    case LM_PROD:
      v = 1.0;
      for (i = 0; i < n; i++) v *= XS(i);
      return v;
    case LM_ANY:
      for (i = 0; i < n; i++) if (XS(i) != 0) return 1.0;
      return 0.0;
    case LM_ALL:
      for (i = 0; i < n; i++) if (XS(i) == 0) return 0.0;
      return 1.0;
    default: return NAN;
  }
}

/* ---- vertical reductions ---------------------------------------------- */

/* o[k*os] = op over x[r*rs + k*ks], r < n (n >= 1), for k < w <= CB */
CLONES static void vred(lm_redop op, const double *x, size_t n,
                        ptrdiff_t rs, int w, ptrdiff_t ks, double ddof,
                        double *o, ptrdiff_t os) {
  double acc[CB];  /* (w) running results */
  double aux[CB];  /* (w) means for var/std, positions for arg* */
  size_t r;
  int k;
/* BODY for each element v of rows r..n-1 */
#define ROWS(BODY)                                                           \
  for (; r < n; r++) {                                                       \
    const double *p = x + (ptrdiff_t)r * rs;                                 \
    if (ks == 1 && w == CB)                                                  \
      for (k = 0; k < CB; k++) { double v = p[k]; BODY }                     \
    else if (ks == 1)                                                        \
      for (k = 0; k < w; k++) { double v = p[k]; BODY }                      \
    else                                                                     \
      for (k = 0; k < w; k++) { double v = p[k * ks]; BODY }                 \
  }
/* BODY for the elements p0[k]..p3[k] of four rows at a time from row r,
** while four remain (unit stride only: ROWS finishes) */
#define ROWS4(BODY)                                                          \
  if (ks == 1)                                                               \
    for (; r + 4 <= n; r += 4) {                                             \
      const double *p0 = x + (ptrdiff_t)r * rs, *p1 = p0 + rs;               \
      const double *p2 = p1 + rs, *p3 = p2 + rs;                             \
      if (w == CB) for (k = 0; k < CB; k++) { BODY }                         \
      else for (k = 0; k < w; k++) { BODY }                                  \
    }
  r = 1;
  switch (op) {
    case LM_SUM: case LM_MEAN:
      vs_id(x, n, rs, w, ks, NULL, acc);
      if (op == LM_MEAN) for (k = 0; k < w; k++) acc[k] /= (double)n;
      break;
    case LM_NANSUM:
      vs_nan(x, n, rs, w, ks, NULL, acc);
      break;
    case LM_NORM:
      vs_sq(x, n, rs, w, ks, NULL, acc);
      for (k = 0; k < w; k++) acc[k] = sqrt(acc[k]);
      break;
    case LM_VAR: case LM_STD: {
      double d = dof(n, ddof);
      vs_id(x, n, rs, w, ks, NULL, acc);
      for (k = 0; k < w; k++) aux[k] = acc[k] / (double)n;
      vs_dev(x, n, rs, w, ks, aux, acc);
      for (k = 0; k < w; k++) acc[k] /= d;
      if (op == LM_STD) for (k = 0; k < w; k++) acc[k] = sqrt(acc[k]);
      break;
    }
    case LM_MAX: case LM_MIN:  /* the fast way, see PMAX */
      for (k = 0; k < w; k++) { acc[k] = x[k * ks]; aux[k] = FINITE0(acc[k]); }
      if (op == LM_MAX) {
        ROWS4(acc[k] = PMAX(PMAX(PMAX(p0[k], p1[k]), PMAX(p2[k], p3[k])), acc[k]);
              aux[k] += (FINITE0(p0[k]) + FINITE0(p1[k])) +
                        (FINITE0(p2[k]) + FINITE0(p3[k]));)
        ROWS(acc[k] = PMAX(v, acc[k]); aux[k] += FINITE0(v);)
      } else {
        ROWS4(acc[k] = PMIN(PMIN(PMIN(p0[k], p1[k]), PMIN(p2[k], p3[k])), acc[k]);
              aux[k] += (FINITE0(p0[k]) + FINITE0(p1[k])) +
                        (FINITE0(p2[k]) + FINITE0(p3[k]));)
        ROWS(acc[k] = PMIN(v, acc[k]); aux[k] += FINITE0(v);)
      }
      for (k = 0; k < w; k++)  /* NaN or inf in output k: exactly */
        if (aux[k] != 0) acc[k] = ext1(x + k * ks, n, rs, op == LM_MAX);
      break;
    case LM_ARGMAX:
      for (k = 0; k < w; k++) { acc[k] = x[k * ks]; aux[k] = 1.0; }
      ROWS(int c = ARGMAXN(v, acc[k]);
           acc[k] = c ? v : acc[k]; aux[k] = c ? (double)(r + 1) : aux[k];)
      for (k = 0; k < w; k++) acc[k] = aux[k];
      break;
    case LM_ARGMIN:
      for (k = 0; k < w; k++) { acc[k] = x[k * ks]; aux[k] = 1.0; }
      ROWS(int c = ARGMINN(v, acc[k]);
           acc[k] = c ? v : acc[k]; aux[k] = c ? (double)(r + 1) : aux[k];)
      for (k = 0; k < w; k++) acc[k] = aux[k];
      break;
    case LM_PROD:
      for (k = 0; k < w; k++) acc[k] = x[k * ks];
      ROWS4(acc[k] = ((acc[k] * p0[k]) * p1[k]) * p2[k] * p3[k];)
      ROWS(acc[k] *= v;)
      break;
    case LM_ANY:  /* count the nonzeros (NaN is nonzero, as in numpy) */
      for (k = 0; k < w; k++) acc[k] = (x[k * ks] != 0);
      ROWS4(acc[k] += (double)((p0[k] != 0) + (p1[k] != 0) + (p2[k] != 0) +
                               (p3[k] != 0));)
      ROWS(acc[k] += (v != 0);)
      for (k = 0; k < w; k++) acc[k] = (acc[k] > 0);
      break;
    case LM_ALL:  /* count the zeros */
      for (k = 0; k < w; k++) acc[k] = (x[k * ks] == 0);
      ROWS4(acc[k] += (double)((p0[k] == 0) + (p1[k] == 0) + (p2[k] == 0) +
                               (p3[k] == 0));)
      ROWS(acc[k] += (v == 0);)
      for (k = 0; k < w; k++) acc[k] = (acc[k] == 0);
      break;
    default:
      for (k = 0; k < w; k++) acc[k] = NAN;
      break;
  }
#undef ROWS
#undef ROWS4
  for (k = 0; k < w; k++) o[k * os] = acc[k];
}

/* ---- entry points ------------------------------------------------------ */

/* An axis reduction normalised (see lm_reduce_axis); units of work are
** chunks of CB outputs (vertical) or single outputs (horizontal). */
typedef struct axisjob {
  lm_redop op;
  const double *x;
  size_t n;
  int m;
  ptrdiff_t rs, ks, os;
  double ddof, *o;
} axisjob;

static void vrange(void *ctx, size_t lo, size_t hi) {
  const axisjob *j = (const axisjob *)ctx;
  size_t c;
  for (c = lo; c < hi; c++) {
    int k = (int)c * CB, w = (j->m - k < CB) ? j->m - k : CB;
    vred(j->op, j->x + (ptrdiff_t)k * j->ks, j->n, j->rs, w, j->ks, j->ddof,
         j->o + (ptrdiff_t)k * j->os, j->os);
  }
}

static void hrange(void *ctx, size_t lo, size_t hi) {
  const axisjob *j = (const axisjob *)ctx;
  size_t k;
  for (k = lo; k < hi; k++)
    j->o[(ptrdiff_t)k * j->os] = red1(j->op, j->x + (ptrdiff_t)k * j->ks,
                                      j->n, j->rs, j->ddof);
}

/* a (rows, cols) -> out (1, cols) for axis 1, (rows, 1) for axis 2 */
void lm_reduce_axis(lm_redop op, const lm_mat *a, int axis, double ddof,
                    const lm_mat *out) {
  axisjob j;
  int k;
  j.op = op; j.x = a->data; j.o = out->data; j.ddof = ddof;
  if (axis == 1) {   /* n inputs per output, m outputs */
    j.n = (size_t)(a->rows > 0 ? a->rows : 0); j.rs = a->rs;
    j.m = a->cols; j.ks = a->cs; j.os = out->cs;
  } else {
    j.n = (size_t)(a->cols > 0 ? a->cols : 0); j.rs = a->cs;
    j.m = a->rows; j.ks = a->rs; j.os = out->rs;
  }
  if (j.m <= 0) return;
  if (j.n == 0) {
    double v = red1(op, NULL, 0, 1, ddof);
    for (k = 0; k < j.m; k++) j.o[k * j.os] = v;
    return;
  }
  if (j.m > 1 && ABSP(j.ks) < ABSP(j.rs))  /* whole rows, CB outputs */
    lm_parallel((size_t)(j.m + CB - 1) / CB, j.n * CB, LM_PAR_MIN_MEM, 1,
                vrange, &j);
  else
    lm_parallel((size_t)j.m, j.n, LM_PAR_MIN_MEM, 1, hrange, &j);
}

/* The runs of a view for a reduction of all elements: on runs of in
** elements each, run r starting at x + r*ostep, elements istep apart.
** Contiguous views are one run when flat != 0. */
typedef struct runs {
  const double *x;
  size_t on, in;
  ptrdiff_t ostep, istep;
  int byrow;  /* runs are rows (else columns); meaningful when on > 1 */
} runs;

static runs getruns(const lm_mat *a, int flat) {
  runs u;
  u.x = a->data;
  u.byrow = 1;
  if (flat && (lm_is_rowmajor(a) || lm_is_colmajor(a))) {
    u.on = 1; u.in = lm_size(a); u.ostep = 0; u.istep = 1;
  } else if (ABSP(a->cs) <= ABSP(a->rs)) {
    u.on = (size_t)a->rows; u.ostep = a->rs;
    u.in = (size_t)a->cols; u.istep = a->cs;
  } else {
    u.on = (size_t)a->cols; u.ostep = a->cs;
    u.in = (size_t)a->rows; u.istep = a->rs;
    u.byrow = 0;
  }
  return u;
}

/* pairwise sum over runs lo..lo+cnt-1 (cnt >= 1) of the transform t */
static double sumruns(int t, const runs *u, size_t lo, size_t cnt, double m) {
  if (cnt == 1) {
    return pw_sum(t, u->x + (ptrdiff_t)lo * u->ostep, u->in, u->istep, m);
  } else {
    size_t h = cnt / 2;
    return sumruns(t, u, lo, h, m) + sumruns(t, u, lo + h, cnt - h, m);
  }
}

/* argmax/argmin of a non-contiguous view: the first extreme (or NaN) of
** each run, the runs compared by row-major position on ties */
static double argruns(const runs *u, int cols, int want_max) {
  size_t r, bpos = 0;
  double b = 0.0;
  for (r = 0; r < u->on; r++) {
    const double *x = u->x + (ptrdiff_t)r * u->ostep;
    size_t i = arg1(x, u->in, u->istep, want_max);
    double v = x[(ptrdiff_t)i * u->istep];
    size_t pos = u->byrow ? r * (size_t)cols + i : i * (size_t)cols + r;
    int better;
    if (r == 0) better = 1;
    else if (b != b) better = (v != v && pos < bpos);
    else if (v != v) better = 1;
    else if (v == b) better = pos < bpos;
    else better = want_max ? (v > b) : (v < b);
    if (better) { b = v; bpos = pos; }
  }
  return (double)(bpos + 1);
}

double lm_reduce_all(lm_redop op, const lm_mat *a, double ddof) {
  size_t n = lm_size(a), r;
  runs u;
  double v, mu;
  if (a->rows <= 0 || a->cols <= 0) return red1(op, NULL, 0, 1, ddof);
  if (lm_is_rowmajor(a) ||
      (lm_is_colmajor(a) && op != LM_ARGMAX && op != LM_ARGMIN))
    return red1(op, a->data, n, 1, ddof);  /* one flat run */
  u = getruns(a, op != LM_ARGMAX && op != LM_ARGMIN);
  switch (op) {
    case LM_SUM: return sumruns(S_ID, &u, 0, u.on, 0.0);
    case LM_MEAN: return sumruns(S_ID, &u, 0, u.on, 0.0) / (double)n;
    case LM_NANSUM: return sumruns(S_NAN, &u, 0, u.on, 0.0);
    case LM_NORM: return sqrt(sumruns(S_SQ, &u, 0, u.on, 0.0));
    case LM_VAR: case LM_STD:
      mu = sumruns(S_ID, &u, 0, u.on, 0.0) / (double)n;
      v = sumruns(S_DEV, &u, 0, u.on, mu) / dof(n, ddof);
      return (op == LM_STD) ? sqrt(v) : v;
    case LM_ARGMAX: case LM_ARGMIN:
      return argruns(&u, a->cols, op == LM_ARGMAX);
    default: break;
  }
  /* max, min, prod, any, all: combine the runs' results in order */
  v = red1(op, u.x, u.in, u.istep, ddof);
  for (r = 1; r < u.on; r++) {
    double w = red1(op, u.x + (ptrdiff_t)r * u.ostep, u.in, u.istep, ddof);
    switch (op) {
      case LM_MAX: v = MAXN(w, v); break;
      case LM_MIN: v = MINN(w, v); break;
      case LM_PROD: v *= w; break;
      case LM_ANY: if (w != 0) return 1.0; break;
      case LM_ALL: if (w == 0) return 0.0; break;
      default: return NAN;
    }
  }
  return v;
}

/* out = cumulative sums of a along axis (1: down each column, 2: along
** each row), summed in order as numpy's cumsum.  out has a's shape and may
** be a itself. */
void lm_cumsum(const lm_mat *a, int axis, const lm_mat *out) {
  size_t n, r;               /* steps along the axis */
  int m, k;                  /* independent sums */
  ptrdiff_t as, ak, os, ok;  /* strides of a and out along n and m */
  const double *x = a->data;
  double *o = out->data;
  if (a->rows <= 0 || a->cols <= 0) return;
  if (axis == 1) {
    n = (size_t)a->rows; as = a->rs; os = out->rs;
    m = a->cols; ak = a->cs; ok = out->cs;
  } else {
    n = (size_t)a->cols; as = a->cs; os = out->cs;
    m = a->rows; ak = a->rs; ok = out->rs;
  }
  if (m > 1 && ABSP(ak) < ABSP(as)) {
    /* whole input rows: out row r = out row r-1 + a row r */
    for (k = 0; k < m; k++) o[k * ok] = x[k * ak];
    for (r = 1; r < n; r++) {
      const double *p = x + (ptrdiff_t)r * as;
      double *q = o + (ptrdiff_t)r * os, *q0 = q - os;
      if (ak == 1 && ok == 1)
        for (k = 0; k < m; k++) q[k] = q0[k] + p[k];
      else
        for (k = 0; k < m; k++) q[k * ok] = q0[k * ok] + p[k * ak];
    }
  } else {
    for (k = 0; k < m; k++) {
      const double *p = x + k * ak;
      double *q = o + k * ok, s = p[0];
      q[0] = s;
      for (r = 1; r < n; r++) {
        s += p[(ptrdiff_t)r * as];
        q[(ptrdiff_t)r * os] = s;
      }
    }
  }
}
