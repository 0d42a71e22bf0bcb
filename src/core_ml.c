/*
** core_ml.c -- ML kernels: softmax and log-softmax, binary and categorical
** cross-entropy (from probabilities, or fused from logits with the
** gradient), mean squared error, R^2, one-hot encoding.
**
** Samples and classes: with axis 2 a sample is a row and its classes are
** the columns (N x K data, one sample per row); with axis 1 a sample is a
** column (the K x N convention of the course).  Like the reductions, a
** kernel walks whole rows of the input ("vertical", CB samples at a time in
** stack buffers) when the sample dimension is the contiguous one, and one
** sample at a time otherwise.  Logs of probabilities are clamped below at
** DBL_MIN, so p = 0 costs -log(DBL_MIN) ~ 708.4 instead of inf; a term
** whose coefficient is exactly 0 is skipped, so 0*log(0) never makes NaN.
** Losses are accumulated with Neumaier's compensated sum, squared errors
** with numpy's pairwise sum.  Nothing here allocates.
*/
#include <float.h>
#include <math.h>
#include <stddef.h>

#include "core.h"

#define CB 128         /* samples per chunk of a vertical kernel */
#define PW_BLOCK 128   /* leaf size of pairwise sums */

#define ABSP(x) ((x) < 0 ? -(x) : (x))

/* log clamped below at DBL_MIN (NaN stays NaN) */
static double safelog(double p) {
  return log(p < DBL_MIN ? DBL_MIN : p);
}

/* step between the elements of a 1-D view (1 x n or n x 1) */
static ptrdiff_t vstep(const lm_mat *v) {
  return (v->rows == 1) ? v->cs : v->rs;
}

/* 1 when v is a class value 0..k-1 (an integer; NaN is not) */
static int goodlabel(double v, size_t k) {
  return v >= 0 && v < (double)k && v == floor(v);
}

/* ---- Neumaier compensated sum ---------------------------------------- */

typedef struct ksum { double s, c; } ksum;

static void kadd(ksum *k, double v) {
  double t = k->s + v;
  if (fabs(k->s) >= fabs(v)) k->c += (k->s - t) + v;
  else k->c += (v - t) + k->s;
  k->s = t;
}

/* the total; once the plain sum is inf or NaN it is the answer */
static double kget(const ksum *k) {
  return isfinite(k->s) ? k->s + k->c : k->s;
}

/* ---- pairwise sums over two strided arrays ----------------------------- */

#define F_SQDIFF(u, v, m) (((u) - (v)) * ((u) - (v)))
#define F_ID(u, v, m) (u)
#define F_DEV(u, v, m) (((u) - (m)) * ((u) - (m)))
#define UV(F, i) F(x[(ptrdiff_t)(i) * sx], y[(ptrdiff_t)(i) * sy], m)

/* sum of F(x[i*sx], y[i*sy]) for i < n, numpy's pairwise scheme */
#define PWSUM2(name, F)                                                      \
  static double name(const double *x, ptrdiff_t sx, const double *y,        \
                     ptrdiff_t sy, size_t n, double m) {                    \
    size_t i;                                                                \
    (void)m; (void)y; (void)sy;                                              \
    if (n < 8) {                                                             \
      double res = 0.0;                                                      \
      for (i = 0; i < n; i++) res += UV(F, i);                               \
      return res;                                                            \
    } else if (n <= PW_BLOCK) {                                              \
      double r[8], res;                                                      \
      int j;                                                                 \
      for (j = 0; j < 8; j++) r[j] = UV(F, j);                               \
      for (i = 8; i + 8 <= n; i += 8)                                        \
        for (j = 0; j < 8; j++) r[j] += UV(F, i + j);                        \
      res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7])); \
      for (; i < n; i++) res += UV(F, i);                                    \
      return res;                                                            \
    } else {                                                                 \
      size_t n2 = n / 2;                                                     \
      n2 -= n2 % 8;                                                          \
      return name(x, sx, y, sy, n2, m) +                                     \
             name(x + (ptrdiff_t)n2 * sx, sx, y + (ptrdiff_t)n2 * sy, sy,    \
                  n - n2, m);                                                \
    }                                                                        \
  }

PWSUM2(pw_sqdiff, F_SQDIFF)
PWSUM2(pw_id, F_ID)
PWSUM2(pw_dev, F_DEV)

/* sum of (a - b)^2 over rows lo..lo+cnt-1 (or columns, when !byrow) of
** two views of one shape, pairwise within and across the runs */
static double sqdiff_runs(const lm_mat *a, const lm_mat *b, int byrow,
                          int lo, int cnt) {
  if (cnt == 1) {
    if (byrow)
      return pw_sqdiff(a->data + lo * a->rs, a->cs, b->data + lo * b->rs,
                       b->cs, (size_t)a->cols, 0.0);
    return pw_sqdiff(a->data + lo * a->cs, a->rs, b->data + lo * b->cs,
                     b->rs, (size_t)a->rows, 0.0);
  } else {
    int h = cnt / 2;
    return sqdiff_runs(a, b, byrow, lo, h) +
           sqdiff_runs(a, b, byrow, lo + h, cnt - h);
  }
}

/* ---- softmax --------------------------------------------------------- */

/* The axis normalised: m groups (samples) of n elements (classes); the
** element j of group k of matrix a is a->data[k*ak + j*aj]. */
typedef struct groups {
  size_t n;
  int m;
  int vertical;  /* the group dimension is the more contiguous one */
} groups;

static groups getgroups(const lm_mat *a, int axis) {
  groups g;
  ptrdiff_t along, across;
  if (axis == 2) {
    g.n = (size_t)(a->cols > 0 ? a->cols : 0); g.m = a->rows;
    along = a->cs; across = a->rs;
  } else {
    g.n = (size_t)(a->rows > 0 ? a->rows : 0); g.m = a->cols;
    along = a->rs; across = a->cs;
  }
  g.vertical = g.m > 1 && ABSP(across) < ABSP(along);
  return g;
}

/* stride of a along the groups' elements (classes) and across groups */
static ptrdiff_t along(const lm_mat *a, int axis) {
  return (axis == 2) ? a->cs : a->rs;
}
static ptrdiff_t across(const lm_mat *a, int axis) {
  return (axis == 2) ? a->rs : a->cs;
}

/* the shift of a stable log-softmax: the max, or 0 when the max is not
** finite, as scipy.special.log_softmax (a row with +inf then gets -inf
** for its finite entries); softmax shifts by the max itself, as
** scipy.special.softmax, so such rows are NaN */
static double shift(double mx) {
  return isfinite(mx) ? mx : 0.0;
}

/* softmax of one group of n elements: x (step xs) -> y (step ys) */
static void softmax1(const double *x, ptrdiff_t xs, double *y, ptrdiff_t ys,
                     size_t n, int log_) {
  double mx = x[0], s = 0.0;
  size_t j;
  for (j = 1; j < n; j++) {
    double v = x[(ptrdiff_t)j * xs];
    mx = (v > mx) ? v : mx;
  }
  if (log_) mx = shift(mx);
  if (log_) {
    for (j = 0; j < n; j++) s += exp(x[(ptrdiff_t)j * xs] - mx);
    s = log(s);
    for (j = 0; j < n; j++)
      y[(ptrdiff_t)j * ys] = (x[(ptrdiff_t)j * xs] - mx) - s;
  } else {
    for (j = 0; j < n; j++) {
      double e = exp(x[(ptrdiff_t)j * xs] - mx);
      y[(ptrdiff_t)j * ys] = e;
      s += e;
    }
    for (j = 0; j < n; j++) y[(ptrdiff_t)j * ys] /= s;
  }
}

/* softmax of w <= CB groups side by side: element j of group k is
** x[j*xs + k*xk]; each pass walks whole rows */
static void softmaxv(const double *x, ptrdiff_t xs, ptrdiff_t xk, double *y,
                     ptrdiff_t ys, ptrdiff_t yk, size_t n, int w, int log_) {
  double mx[CB], s[CB];  /* (w) shifts and sums of exponentials */
  size_t j;
  int k;
  for (k = 0; k < w; k++) { mx[k] = x[k * xk]; s[k] = 0.0; }
  for (j = 1; j < n; j++) {
    const double *p = x + (ptrdiff_t)j * xs;
    for (k = 0; k < w; k++) {
      double v = p[k * xk];
      mx[k] = (v > mx[k]) ? v : mx[k];
    }
  }
  if (log_) for (k = 0; k < w; k++) mx[k] = shift(mx[k]);
  for (j = 0; j < n; j++) {
    const double *p = x + (ptrdiff_t)j * xs;
    double *q = y + (ptrdiff_t)j * ys;
    for (k = 0; k < w; k++) {
      double e = exp(p[k * xk] - mx[k]);
      if (!log_) q[k * yk] = e;
      s[k] += e;
    }
  }
  if (log_) for (k = 0; k < w; k++) s[k] = log(s[k]);
  for (j = 0; j < n; j++) {
    const double *p = x + (ptrdiff_t)j * xs;
    double *q = y + (ptrdiff_t)j * ys;
    if (log_) for (k = 0; k < w; k++) q[k * yk] = (p[k * xk] - mx[k]) - s[k];
    else for (k = 0; k < w; k++) q[k * yk] /= s[k];
  }
}

/* a (r, c) -> out (r, c): softmax (or log_softmax) of each row (axis 2) or
** column (axis 1).  out may be a itself. */
void lm_softmax(const lm_mat *a, int axis, int log, const lm_mat *out) {
  groups g = getgroups(a, axis);
  ptrdiff_t xs = along(a, axis), xk = across(a, axis);
  ptrdiff_t ys = along(out, axis), yk = across(out, axis);
  int k;
  if (g.n == 0 || g.m <= 0) return;
  if (g.vertical) {
    for (k = 0; k < g.m; k += CB)
      softmaxv(a->data + k * xk, xs, xk, out->data + k * yk, ys, yk, g.n,
               (g.m - k < CB) ? g.m - k : CB, log);
  } else {
    for (k = 0; k < g.m; k++)
      softmax1(a->data + k * xk, xs, out->data + k * yk, ys, g.n, log);
  }
}

/* ---- losses ----------------------------------------------------------- */

/* the binary cross-entropy of one probability a against target y */
static double bce1(double a, double y) {
  double t = 0.0;
  if (y != 0) t += y * safelog(a);
  if (1.0 - y != 0) t += (1.0 - y) * safelog(1.0 - a);
  return -t;
}

/* mean over all elements of bce1; a and y of one shape (NaN when empty) */
double lm_bce(const lm_mat *a, const lm_mat *y) {
  ksum acc = {0.0, 0.0};
  int i, j;
  if (a->rows <= 0 || a->cols <= 0) return NAN;
  for (i = 0; i < a->rows; i++) {
    const double *p = a->data + i * a->rs, *q = y->data + i * y->rs;
    for (j = 0; j < a->cols; j++) kadd(&acc, bce1(p[j * a->cs], q[j * y->cs]));
  }
  return kget(&acc) / (double)lm_size(a);
}

/* p (N, K) probabilities for axis 2 ((K, N) for axis 1); t of p's shape
** (one-hot or soft targets) or, when labels != 0, N class values in a
** 1-D view.  Mean over the N samples of -sum t*log(p).  NaN when a label
** is not an integer 0..K-1, and when N or K is 0. */
double lm_cross_entropy(const lm_mat *p, const lm_mat *t, int labels,
                        int axis) {
  groups g = getgroups(p, axis);
  ksum acc = {0.0, 0.0};
  int i, j;
  if (g.n == 0 || g.m <= 0) return NAN;
  if (labels) {
    ptrdiff_t ts = vstep(t), ps = along(p, axis), pk = across(p, axis);
    for (i = 0; i < g.m; i++) {
      double c = t->data[i * ts];
      if (!goodlabel(c, g.n)) return NAN;
      kadd(&acc, -safelog(p->data[i * pk + (ptrdiff_t)c * ps]));
    }
  } else {
    /* the sum over samples and classes is a sum over all elements */
    for (i = 0; i < p->rows; i++) {
      const double *x = p->data + i * p->rs, *y = t->data + i * t->rs;
      for (j = 0; j < p->cols; j++) {
        double tv = y[j * t->cs];
        if (tv != 0) kadd(&acc, -tv * safelog(x[j * p->cs]));
      }
    }
  }
  return kget(&acc) / (double)g.m;
}

/* Loss of one sample from its logits z (n classes, step zs): either the
** class c (tt == NULL) or targets tt (step ts).  When g is not NULL it
** receives the gradient (softmax*sum(t) - t) / N (step gs). */
static double xent1(const double *z, ptrdiff_t zs, size_t n,
                    const double *tt, ptrdiff_t ts, size_t c,
                    double *g, ptrdiff_t gs, double N) {
  double mx = z[0], s = 0.0, st = 0.0, tz = 0.0, ls;
  size_t j;
  for (j = 1; j < n; j++) {
    double v = z[(ptrdiff_t)j * zs];
    mx = (v > mx) ? v : mx;
  }
  mx = shift(mx);
  for (j = 0; j < n; j++) {
    double d = z[(ptrdiff_t)j * zs] - mx, e = exp(d);
    s += e;
    if (g) g[(ptrdiff_t)j * gs] = e;
    if (tt) {
      double tv = tt[(ptrdiff_t)j * ts];
      if (tv != 0) { st += tv; tz += tv * d; }
    }
  }
  if (!tt) { st = 1.0; tz = z[(ptrdiff_t)c * zs] - mx; }
  ls = log(s);  /* log-softmax_j = (z_j - mx) - ls */
  if (g) {
    for (j = 0; j < n; j++) {
      double *q = g + (ptrdiff_t)j * gs;
      double tv = tt ? tt[(ptrdiff_t)j * ts] : (double)(j == c);
      *q = (*q / s * st - tv) / N;
    }
  }
  return st * ls - tz;
}

/* The same for w <= CB samples side by side (sample k's class j at
** z[j*zs + k*zk]); cls[k] are the classes when tt is NULL. */
static void xentv(const double *z, ptrdiff_t zs, ptrdiff_t zk, size_t n,
                  int w, const double *tt, ptrdiff_t ts, ptrdiff_t tk,
                  const size_t *cls, double *g, ptrdiff_t gs, ptrdiff_t gk,
                  double N, ksum *acc) {
  double mx[CB], s[CB], st[CB], tz[CB];  /* (w) per-sample sums */
  size_t j;
  int k;
  for (k = 0; k < w; k++) {
    mx[k] = z[k * zk]; s[k] = 0.0; st[k] = 0.0; tz[k] = 0.0;
  }
  for (j = 1; j < n; j++) {
    const double *p = z + (ptrdiff_t)j * zs;
    for (k = 0; k < w; k++) {
      double v = p[k * zk];
      mx[k] = (v > mx[k]) ? v : mx[k];
    }
  }
  for (k = 0; k < w; k++) mx[k] = shift(mx[k]);
  for (j = 0; j < n; j++) {
    const double *p = z + (ptrdiff_t)j * zs;
    for (k = 0; k < w; k++) {
      double e = exp(p[k * zk] - mx[k]);
      s[k] += e;
      if (g) g[(ptrdiff_t)j * gs + k * gk] = e;
    }
    if (tt) {
      const double *q = tt + (ptrdiff_t)j * ts;
      for (k = 0; k < w; k++) {
        double tv = q[k * tk];
        if (tv != 0) { st[k] += tv; tz[k] += tv * (p[k * zk] - mx[k]); }
      }
    }
  }
  if (!tt)
    for (k = 0; k < w; k++) {
      st[k] = 1.0;
      tz[k] = z[(ptrdiff_t)cls[k] * zs + k * zk] - mx[k];
    }
  for (k = 0; k < w; k++) kadd(acc, st[k] * log(s[k]) - tz[k]);
  if (g) {
    for (j = 0; j < n; j++) {
      double *q = g + (ptrdiff_t)j * gs;
      if (tt) {
        const double *r = tt + (ptrdiff_t)j * ts;
        for (k = 0; k < w; k++)
          q[k * gk] = (q[k * gk] / s[k] * st[k] - r[k * tk]) / N;
      } else {
        for (k = 0; k < w; k++)
          q[k * gk] = (q[k * gk] / s[k] - (double)(cls[k] == j)) / N;
      }
    }
  }
}

/* z (N, K) logits for axis 2 ((K, N) for axis 1), t as for
** lm_cross_entropy.  Mean over samples of -sum t*log_softmax(z), the
** log-softmax fused and stable (exact even where the softmax underflows).
** grad (z's shape) may be NULL, else it receives (softmax*sum(t) - t)/N,
** which is (softmax - onehot)/N for one-hot targets and labels.
** NaN (grad untouched) for a bad label; NaN when N or K is 0. */
double lm_softmax_xent(const lm_mat *z, const lm_mat *t, int labels, int axis,
                       const lm_mat *grad) {
  groups g = getgroups(z, axis);
  ksum acc = {0.0, 0.0};
  ptrdiff_t zs = along(z, axis), zk = across(z, axis);
  ptrdiff_t ts = 0, tk = 0, gs = 0, gk = 0;
  double N = (double)g.m;
  int k;
  if (g.n == 0 || g.m <= 0) return NAN;
  if (labels) {
    tk = vstep(t);
    for (k = 0; k < g.m; k++)
      if (!goodlabel(t->data[k * tk], g.n)) return NAN;
  } else {
    ts = along(t, axis); tk = across(t, axis);
  }
  if (grad) { gs = along(grad, axis); gk = across(grad, axis); }
  if (g.vertical) {
    size_t cls[CB];  /* (w) classes of the chunk's samples */
    for (k = 0; k < g.m; k += CB) {
      int i, w = (g.m - k < CB) ? g.m - k : CB;
      if (labels)
        for (i = 0; i < w; i++) cls[i] = (size_t)t->data[(k + i) * tk];
      xentv(z->data + k * zk, zs, zk, g.n, w,
            labels ? NULL : t->data + k * tk, ts, tk, cls,
            grad ? grad->data + k * gk : NULL, gs, gk, N, &acc);
    }
  } else {
    for (k = 0; k < g.m; k++) {
      size_t c = labels ? (size_t)t->data[k * tk] : 0;
      kadd(&acc, xent1(z->data + k * zk, zs, g.n,
                       labels ? NULL : t->data + k * tk, ts, c,
                       grad ? grad->data + k * gk : NULL, gs, N));
    }
  }
  return kget(&acc) / N;
}

/* mean of (a - b)^2 over all elements; a and b of one shape (NaN when
** empty) */
double lm_mse(const lm_mat *a, const lm_mat *b) {
  size_t n = lm_size(a);
  double s;
  if (a->rows <= 0 || a->cols <= 0) return NAN;
  if (lm_is_rowmajor(a) && lm_is_rowmajor(b))
    s = pw_sqdiff(a->data, 1, b->data, 1, n, 0.0);
  else if (ABSP(a->cs) <= ABSP(a->rs))
    s = sqdiff_runs(a, b, 1, 0, a->rows);
  else
    s = sqdiff_runs(a, b, 0, 0, a->cols);
  return s / (double)n;
}

/* R^2 of n values y[i*ys] predicted by yh[i*hs], as scikit-learn's
** r2_score (force_finite): 1 - SS_res/SS_tot, and when SS_tot == 0 (a
** constant y) 1.0 for a perfect prediction, else 0.0 */
static double r2_1(const double *y, ptrdiff_t ys, const double *yh,
                   ptrdiff_t hs, size_t n) {
  double mu = pw_id(y, ys, y, ys, n, 0.0) / (double)n;
  double tot = pw_dev(y, ys, y, ys, n, mu);
  double res = pw_sqdiff(y, ys, yh, hs, n, 0.0);
  if (res == 0) return 1.0;
  if (tot == 0) return 0.0;
  return 1.0 - res / tot;
}

/* R^2 of yhat against y.  Vectors (1 x n or n x 1, in any mix) give one
** score; an N x D matrix (D > 1) gives the mean of its D columns' scores
** (scikit-learn's multioutput='uniform_average'), yhat of the same shape.
** Fewer than 2 samples: NaN, as scikit-learn. */
double lm_r2(const lm_mat *y, const lm_mat *yhat) {
  size_t n;
  int j;
  double s = 0.0;
  if (y->rows == 1 || y->cols == 1) {
    n = lm_size(y);
    if (y->rows <= 0 || y->cols <= 0 || n < 2) return NAN;
    return r2_1(y->data, vstep(y), yhat->data, vstep(yhat), n);
  }
  if (y->rows < 2 || y->cols <= 0) return NAN;
  n = (size_t)y->rows;
  for (j = 0; j < y->cols; j++)
    s += r2_1(y->data + j * y->cs, y->rs, yhat->data + j * yhat->cs,
              yhat->rs, n);
  return s / y->cols;
}

/* ---- one-hot ---------------------------------------------------------- */

/* labels (n values in a 1-D view) -> out (n, k): zero-filled, then
** out[i, labels[i]] = 1.  Stops at the first label that is not an integer
** 0..k-1 and returns its 0-based position; -1 when all are good. */
ptrdiff_t lm_one_hot(const lm_mat *labels, int k, const lm_mat *out) {
  size_t i, n = (labels->rows > 0 && labels->cols > 0) ? lm_size(labels) : 0;
  ptrdiff_t ls = vstep(labels);
  lm_fill(out, 0.0);
  for (i = 0; i < n; i++) {
    double v = labels->data[(ptrdiff_t)i * ls];
    if (k <= 0 || !goodlabel(v, (size_t)k)) return (ptrdiff_t)i;
    out->data[(ptrdiff_t)i * out->rs + (ptrdiff_t)v * out->cs] = 1.0;
  }
  return -1;
}
