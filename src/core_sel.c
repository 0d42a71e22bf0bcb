/*
** core_sel.c -- selection and ordering over strided views: where, masks,
** stable sort and argsort, unique, median and quantiles, cumulative
** products, closeness.
**
** No Lua, no allocation: the caller gives every output and any scratch.
** Orders put NaN after every number (numpy's sort order); results follow
** numpy 1.24's definitions to the last bit where numpy's are exact
** (sorting, unique, median's mean of the middle pair, quantile's linear
** interpolation written as numpy's _lerp).
*/
#include <math.h>

#include "core.h"

#define AT(m, i, j) ((m)->data[(ptrdiff_t)(i) * (m)->rs + (ptrdiff_t)(j) * (m)->cs])

/* element k (0-based) of a vector view (1 x n or n x 1) */
static double vecat(const lm_mat *v, size_t k) {
  return v->rows == 1 ? v->data[(ptrdiff_t)k * v->cs]
                      : v->data[(ptrdiff_t)k * v->rs];
}

/* ---- where, masks ---------------------------------------------------- */

/* out = cond != 0 ? a : b, elementwise; cond, a, b are views of out's shape
** (broadcast views allowed).  NaN in cond counts as true, as in numpy.
** out may be a or b itself. */
void lm_where(const lm_mat *cond, const lm_mat *a, const lm_mat *b,
              const lm_mat *out) {
  int i, j;
  for (i = 0; i < out->rows; i++)
    for (j = 0; j < out->cols; j++)
      AT(out, i, j) = AT(cond, i, j) != 0 ? AT(a, i, j) : AT(b, i, j);
}

/* the number of nonzero elements of m (NaN counts) */
size_t lm_count_nonzero(const lm_mat *m) {
  size_t n = 0;
  int i, j;
  for (i = 0; i < m->rows; i++)
    for (j = 0; j < m->cols; j++) n += AT(m, i, j) != 0;
  return n;
}

/* The rows (axis 1) or columns (axis 2) of a whose entry in the vector
** mask is nonzero, in order, into out: mask has a->rows (axis 1) or
** a->cols (axis 2) entries and out room for the count of its nonzeros.
** out must not overlap a. */
void lm_mask_lines(const lm_mat *a, const lm_mat *mask, int axis,
                   const lm_mat *out) {
  int n = axis == 1 ? a->rows : a->cols, k, t = 0, i;
  for (k = 0; k < n; k++) {
    if (vecat(mask, (size_t)k) == 0) continue;
    if (axis == 1)
      for (i = 0; i < a->cols; i++) AT(out, t, i) = AT(a, k, i);
    else
      for (i = 0; i < a->rows; i++) AT(out, i, t) = AT(a, i, k);
    t++;
  }
}

/* out[0..] = the elements of a whose element of mask (a's shape) is
** nonzero, in row-major order */
void lm_mask_elems(const lm_mat *a, const lm_mat *mask, double *out) {
  int i, j;
  for (i = 0; i < a->rows; i++)
    for (j = 0; j < a->cols; j++)
      if (AT(mask, i, j) != 0) *out++ = AT(a, i, j);
}

/* ---- sorting --------------------------------------------------------- */

/* x before y in numpy's order: numbers ascending, NaN last */
static int before(double x, double y) {
  return x < y || (y != y && x == x);
}

/* Sort idx[0..n-1] (positions into x, stride st) stably by x's values:
** bottom-up merge sort through tmp (n entries); the result ends in idx. */
static void msort(size_t *idx, size_t *tmp, size_t n, const double *x,
                  ptrdiff_t st) {
  size_t w, lo, *src = idx, *dst = tmp, *t;
  /* runs of 8 by insertion sort first: fewer merge passes */
  for (lo = 0; lo < n; lo += 8) {
    size_t hi = lo + 8 < n ? lo + 8 : n, i, j;
    for (i = lo + 1; i < hi; i++) {
      size_t v = idx[i];
      double xv = x[(ptrdiff_t)v * st];
      for (j = i; j > lo && before(xv, x[(ptrdiff_t)idx[j - 1] * st]); j--)
        idx[j] = idx[j - 1];
      idx[j] = v;
    }
  }
  for (w = 8; w < n; w *= 2) {
    for (lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)  /* ties take the left run's: stable */
        dst[k++] = before(x[(ptrdiff_t)src[j] * st], x[(ptrdiff_t)src[i] * st])
                   ? src[j++] : src[i++];
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    t = src; src = dst; dst = t;
  }
  if (src != idx)
    for (lo = 0; lo < n; lo++) idx[lo] = src[lo];
}

/* Sort each line of a: the columns (axis 1, down the rows) or the rows
** (axis 2), stably, NaN last.  out (a's shape) receives the sorted values,
** or with arg != 0 the 1-based positions that sort each line (numpy's
** argsort + 1).  scratch holds 2 * (the line length) entries.  out must
** not overlap a. */
void lm_sort(const lm_mat *a, int axis, int arg, const lm_mat *out,
             size_t *scratch) {
  int nl = axis == 1 ? a->cols : a->rows, l;
  size_t n = (size_t)(axis == 1 ? a->rows : a->cols), k;
  ptrdiff_t st = axis == 1 ? a->rs : a->cs, ost = axis == 1 ? out->rs : out->cs;
  for (l = 0; l < nl; l++) {
    const double *x = axis == 1 ? a->data + (ptrdiff_t)l * a->cs
                                : a->data + (ptrdiff_t)l * a->rs;
    double *o = axis == 1 ? out->data + (ptrdiff_t)l * out->cs
                          : out->data + (ptrdiff_t)l * out->rs;
    for (k = 0; k < n; k++) scratch[k] = k;
    msort(scratch, scratch + n, n, x, st);
    for (k = 0; k < n; k++)
      o[(ptrdiff_t)k * ost] = arg ? (double)(scratch[k] + 1)
                                  : x[(ptrdiff_t)scratch[k] * st];
  }
}

/* The sorted distinct values of x[0..n-1] (contiguous; overwritten) into
** x[0..u-1] and how often each occurs into counts[0..u-1]; returns u.
** NaNs count as one value, last (numpy's equal_nan).  counts has n
** entries, scratch 2 * n. */
size_t lm_unique(double *x, size_t n, double *counts, size_t *scratch) {
  size_t k, u = 0;
  double c = 1;
  if (n == 0) return 0;
  for (k = 0; k < n; k++) scratch[k] = k;
  msort(scratch, scratch + n, n, x, 1);
  for (k = 0; k < n; k++) counts[k] = x[scratch[k]];  /* sorted */
  x[0] = counts[0];
  for (k = 1; k < n; k++) {  /* u < k: counts[u] was read already */
    double v = counts[k];
    if (v == x[u] || (v != v && x[u] != x[u])) {
      c++;
    } else {
      counts[u++] = c;
      x[u] = v;
      c = 1;
    }
  }
  counts[u] = c;
  return u + 1;
}

/* ---- median, quantiles ----------------------------------------------- */

static void swapd(double *x, size_t i, size_t j) {
  double t = x[i];
  x[i] = x[j];
  x[j] = t;
}

/* sift x[i] down the max-heap x[0..n-1] */
static void siftdown(double *x, size_t i, size_t n) {
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) return;
    if (c + 1 < n && x[c + 1] > x[c]) c++;
    if (!(x[c] > x[i])) return;
    swapd(x, i, c);
    i = c;
  }
}

/* Rearrange x[0..n-1] (no NaN) so that x[k] is the value a sort would put
** there, with nothing larger before it and nothing smaller after it:
** quickselect (median-of-3 pivot, Hoare partition), and a heapsort of
** what is left when it has not converged after 2 log2(n) + 8 rounds, so
** no input costs more than O(n log n). */
static void select_kth(double *x, size_t n, size_t k) {
  ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k, l, r;
  size_t i, budget = 8;
  for (i = n; i > 1; i >>= 1) budget += 2;
  while (hi > lo) {
    ptrdiff_t mid = lo + (hi - lo) / 2;
    double p;
    if (budget-- == 0) {  /* heapsort x[lo..hi] */
      size_t m = (size_t)(hi - lo + 1);
      double *y = x + lo;
      for (i = m / 2; i-- > 0;) siftdown(y, i, m);
      for (i = m - 1; i > 0; i--) { swapd(y, 0, i); siftdown(y, 0, i); }
      return;
    }
    if (x[mid] < x[lo]) swapd(x, (size_t)mid, (size_t)lo);
    if (x[hi] < x[lo]) swapd(x, (size_t)hi, (size_t)lo);
    if (x[hi] < x[mid]) swapd(x, (size_t)hi, (size_t)mid);
    p = x[mid];
    l = lo; r = hi;
    while (l <= r) {  /* then x[lo..r] <= p <= x[l..hi] */
      while (x[l] < p) l++;
      while (x[r] > p) r--;
      if (l <= r) { swapd(x, (size_t)l, (size_t)r); l++; r--; }
    }
    if (kk <= r) hi = r;
    else if (kk >= l) lo = l;
    else return;  /* r < k < l: x[k] == p, in place */
  }
}

/* numpy's _lerp(a, b, t): a + (b - a) t, or b - (b - a)(1 - t) when
** t >= 0.5 */
static double lerp(double a, double b, double t) {
  double d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/* The value a sort of x[0..n-1] would put at k + 1, once select_kth(x,
** n, k) has run: the smallest of x[k+1..] (k + 1 < n) */
static double next_after_kth(const double *x, size_t n, size_t k) {
  double m = x[k + 1];
  size_t i;
  for (i = k + 2; i < n; i++)
    if (x[i] < m) m = x[i];
  return m;
}

/* The median (median != 0: numpy's median, the mean of the middle pair
** for an even count) or the q-quantile (numpy's default "linear" method)
** of each line of a: of each column (axis 1, out 1 x cols) or each row
** (axis 2, out rows x 1).  A line holding NaN gives NaN; an empty line's
** median is NaN (callers reject the quantile of nothing).  The lines are
** selected in scratch (line length doubles), not sorted: O(n) each. */
void lm_quantile(const lm_mat *a, int axis, double q, int median,
                 const lm_mat *out, double *scratch) {
  int nl = axis == 1 ? a->cols : a->rows, l;
  size_t n = (size_t)(axis == 1 ? a->rows : a->cols), k;
  ptrdiff_t st = axis == 1 ? a->rs : a->cs;
  for (l = 0; l < nl; l++) {
    const double *x = axis == 1 ? a->data + (ptrdiff_t)l * a->cs
                                : a->data + (ptrdiff_t)l * a->rs;
    double *o = axis == 1 ? &AT(out, 0, l) : &AT(out, l, 0), r;
    int hasnan = 0;
    for (k = 0; k < n; k++) {
      scratch[k] = x[(ptrdiff_t)k * st];
      hasnan |= scratch[k] != scratch[k];
    }
    if (n == 0 || hasnan) {
      r = NAN;
    } else if (median) {
      size_t h = n / 2;
      if (n % 2) {
        select_kth(scratch, n, h);
        r = scratch[h] / 1.0;
      } else {
        select_kth(scratch, n, h - 1);
        r = (scratch[h - 1] + next_after_kth(scratch, n, h - 1)) / 2.0;
      }
    } else {
      double vi = (double)(n - 1) * q, prev = floor(vi), lov, hiv;
      size_t lo;
      if (vi >= (double)(n - 1)) { prev = -1; lo = n - 1; }
      else lo = (size_t)prev;
      select_kth(scratch, n, lo);
      lov = scratch[lo];
      hiv = prev < 0 ? lov : next_after_kth(scratch, n, lo);
      r = lerp(lov, hiv, vi - prev);
    }
    *o = r;
  }
}

/* ---- cumulative product, closeness ----------------------------------- */

/* out = cumulative products of a along axis (1: down each column, 2:
** along each row), multiplied in order as numpy's cumprod.  out has a's
** shape and may be a itself. */
void lm_cumprod(const lm_mat *a, int axis, const lm_mat *out) {
  int i, j;
  if (axis == 1) {
    for (i = 0; i < a->rows; i++)
      for (j = 0; j < a->cols; j++)
        AT(out, i, j) = i == 0 ? AT(a, i, j) : AT(out, i - 1, j) * AT(a, i, j);
  } else {
    for (i = 0; i < a->rows; i++)
      for (j = 0; j < a->cols; j++)
        AT(out, i, j) = j == 0 ? AT(a, i, j) : AT(out, i, j - 1) * AT(a, i, j);
  }
}

/* 1 when every |a - b| <= atol + rtol |b| (numpy's allclose; a and b are
** views of one shape, broadcast allowed): infinities must be equal, NaN is
** never close */
int lm_allclose(const lm_mat *a, const lm_mat *b, double rtol, double atol) {
  int i, j;
  for (i = 0; i < a->rows; i++)
    for (j = 0; j < a->cols; j++) {
      double x = AT(a, i, j), y = AT(b, i, j);
      if (isfinite(x) && isfinite(y)) {
        if (!(fabs(x - y) <= atol + rtol * fabs(y))) return 0;
      } else if (!(x == y)) {
        return 0;
      }
    }
  return 1;
}
