/*
** core_opt.c -- fused kernels for training loops (see core_opt.h): one
** pass over the data, no temporaries.  Each walks a contiguous row-major
** fast path when every operand is dense, and the strided views otherwise.
*/
#include <math.h>
#include <stddef.h>

#include "core_opt.h"

/* 1 when all views in v[0..n-1] are dense row-major (one flat loop) */
static int alldense(const lm_mat *const *v, int n) {
  int k;
  for (k = 0; k < n; k++)
    if (!lm_is_rowmajor(v[k])) return 0;
  return 1;
}

/* address of element (i, j) of m */
#define AT(m, i, j) ((m)->data + (ptrdiff_t)(i) * (m)->rs + (ptrdiff_t)(j) * (m)->cs)

/* loss of one logit z against target y, and sigmoid(z) in *s */
static double xent1(double z, double y, double *s) {
  double e = exp(-fabs(z));                  /* in (0, 1]: never overflows */
  *s = z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  return (z > 0 ? z : 0.0) - z * y + log1p(e);
}

/* z (n,c), y (n,c), grad (n,c) or NULL -> mean loss; Neumaier-compensated */
double lm_sigmoid_xent(const lm_mat *z, const lm_mat *y, const lm_mat *grad) {
  size_t n = lm_size(z);
  double sum = 0.0, comp = 0.0, inv;
  int i, j;
  if (n == 0) return NAN;
  inv = 1.0 / (double)n;
  for (i = 0; i < z->rows; i++)
    for (j = 0; j < z->cols; j++) {
      double s, l = xent1(*AT(z, i, j), *AT(y, i, j), &s), t = sum + l;
      comp += fabs(sum) >= fabs(l) ? (sum - t) + l : (l - t) + sum;
      sum = t;
      if (grad != NULL) *AT(grad, i, j) = (s - *AT(y, i, j)) * inv;
    }
  return (sum + comp) * inv;
}

/* p, g, v (n,c): v = beta v + (1-beta) g; p -= lr v */
void lm_momentum_step(const lm_mat *p, const lm_mat *g, const lm_mat *v,
                      double lr, double beta) {
  const lm_mat *all[3];
  int i, j;
  all[0] = p; all[1] = g; all[2] = v;
  if (alldense(all, 3)) {
    size_t k, n = lm_size(p);
    double *pp = p->data, *vv = v->data;
    const double *gg = g->data;
    for (k = 0; k < n; k++) {
      vv[k] = beta * vv[k] + (1.0 - beta) * gg[k];
      pp[k] -= lr * vv[k];
    }
    return;
  }
  for (i = 0; i < p->rows; i++)
    for (j = 0; j < p->cols; j++) {
      double *vij = AT(v, i, j);
      *vij = beta * *vij + (1.0 - beta) * *AT(g, i, j);
      *AT(p, i, j) -= lr * *vij;
    }
}

/* p, g, m, v (n,c): the Adam update of step t with bias correction */
void lm_adam_step(const lm_mat *p, const lm_mat *g, const lm_mat *m,
                  const lm_mat *v, double lr, double b1, double b2,
                  double eps, long t) {
  const lm_mat *all[4];
  double c1 = 1.0 - pow(b1, (double)t), c2 = 1.0 - pow(b2, (double)t);
  int i, j;
  all[0] = p; all[1] = g; all[2] = m; all[3] = v;
  if (alldense(all, 4)) {
    size_t k, n = lm_size(p);
    double *pp = p->data, *mm = m->data, *vv = v->data;
    const double *gg = g->data;
    for (k = 0; k < n; k++) {
      mm[k] = b1 * mm[k] + (1.0 - b1) * gg[k];
      vv[k] = b2 * vv[k] + (1.0 - b2) * gg[k] * gg[k];
      pp[k] -= lr * (mm[k] / c1) / (sqrt(vv[k] / c2) + eps);
    }
    return;
  }
  for (i = 0; i < p->rows; i++)
    for (j = 0; j < p->cols; j++) {
      double gij = *AT(g, i, j), *mij = AT(m, i, j), *vij = AT(v, i, j);
      *mij = b1 * *mij + (1.0 - b1) * gij;
      *vij = b2 * *vij + (1.0 - b2) * gij * gij;
      *AT(p, i, j) -= lr * (*mij / c1) / (sqrt(*vij / c2) + eps);
    }
}
