/*
** core_ew.c -- views, broadcasting and elementwise kernels.
**
** Every kernel walks rows and columns through the strides, so transposes,
** slices and broadcast (stride 0) operands cost nothing.  When all operands
** are dense row-major the 2-D loop collapses to one flat loop the compiler
** vectorises; rows with unit column stride take a unit-stride inner loop.
*/
#include <math.h>
#include <string.h>

#include "core.h"

lm_mat lm_dense(double *data, int rows, int cols) {
  lm_mat m;
  m.data = data; m.rows = rows; m.cols = cols;
  m.rs = cols; m.cs = 1;
  return m;
}

int lm_is_rowmajor(const lm_mat *m) {
  return (m->cs == 1 || m->cols <= 1) && (m->rs == m->cols || m->rows <= 1);
}

int lm_is_colmajor(const lm_mat *m) {
  return (m->rs == 1 || m->rows <= 1) && (m->cs == m->rows || m->cols <= 1);
}

size_t lm_size(const lm_mat *m) {
  return (size_t)m->rows * (size_t)m->cols;
}

int lm_broadcast_shape(int ar, int ac, int br, int bc, int *r, int *c) {
  if (ar != br && ar != 1 && br != 1) return 0;
  if (ac != bc && ac != 1 && bc != 1) return 0;
  *r = (ar == 1) ? br : ar;
  *c = (ac == 1) ? bc : ac;
  return 1;
}

lm_mat lm_broadcast_to(const lm_mat *a, int r, int c) {
  lm_mat v = *a;
  if (a->rows != r) { v.rows = r; v.rs = 0; }  /* a->rows == 1 */
  if (a->cols != c) { v.cols = c; v.cs = 0; }  /* a->cols == 1 */
  return v;
}

/* 1 when m can be walked as one flat unit-stride run of rows*cols */
static int flat(const lm_mat *m) {
  return lm_is_rowmajor(m);
}

/* ---- scalar definitions of every op --------------------------------- */

static inline double fmod_floor(double x, double y) {
  /* numpy's and Lua's %: the result takes the sign of the divisor */
  double m = fmod(x, y);
  if (m != 0 && ((m < 0) != (y < 0))) m += y;
  return m;
}

#define B_ADD(x, y) ((x) + (y))
#define B_SUB(x, y) ((x) - (y))
#define B_MUL(x, y) ((x) * (y))
#define B_DIV(x, y) ((x) / (y))
#define B_POW(x, y) pow((x), (y))
#define B_MOD(x, y) fmod_floor((x), (y))
/* maximum/minimum propagate NaN, as numpy's do */
#define B_MAXIMUM(x, y) (((x) > (y) || (x) != (x)) ? (x) : (y))
#define B_MINIMUM(x, y) (((x) < (y) || (x) != (x)) ? (x) : (y))
#define B_EQ(x, y) ((double)((x) == (y)))
#define B_NE(x, y) ((double)((x) != (y)))
#define B_LT(x, y) ((double)((x) < (y)))
#define B_LE(x, y) ((double)((x) <= (y)))
#define B_GT(x, y) ((double)((x) > (y)))
#define B_GE(x, y) ((double)((x) >= (y)))
#define B_ATAN2(x, y) atan2((x), (y))

static inline double sigmoid1(double x) {
  if (x >= 0) return 1.0 / (1.0 + exp(-x));
  double e = exp(x);
  return e / (1.0 + e);
}

static inline double sign1(double x) {
  return (x > 0) ? 1.0 : (x < 0) ? -1.0 : x;  /* 0 stays 0, NaN stays NaN */
}

#define U_NEG(x) (-(x))
#define U_EXP(x) exp(x)
#define U_LOG(x) log(x)
#define U_LOG1P(x) log1p(x)
#define U_EXPM1(x) expm1(x)
#define U_SQRT(x) sqrt(x)
#define U_ABS(x) fabs(x)
#define U_SIGN(x) sign1(x)
#define U_TANH(x) tanh(x)
#define U_SIGMOID(x) sigmoid1(x)
#define U_RELU(x) (((x) > 0 || (x) != (x)) ? (x) : 0.0)
#define U_SQUARE(x) ((x) * (x))
#define U_FLOOR(x) floor(x)
#define U_CEIL(x) ceil(x)
#define U_ROUND(x) nearbyint(x)  /* half to even, as numpy's round */
#define U_ISNAN(x) ((double)(isnan(x) != 0))  /* C gives any nonzero */
#define U_ISINF(x) ((double)(isinf(x) != 0))  /* glibc: -1 for -inf */
#define U_SIN(x) sin(x)
#define U_COS(x) cos(x)
#define U_LOG2(x) log2(x)
#define U_LOG10(x) log10(x)
#define U_RECIP(x) (1.0 / (x))

/* ---- binary kernels ------------------------------------------------- */

/* One kernel per op: a flat loop when everything is dense, otherwise rows
** with specialised inner loops for the unit-stride and broadcast cases. */
#define BINKERNEL(name, OP)                                                  \
  static void bin_##name(const lm_mat *a, const lm_mat *b, const lm_mat *o) { \
    int i, j, r = o->rows, c = o->cols;                                      \
    if (flat(a) && flat(b) && flat(o) && a->rows == r && a->cols == c &&     \
        b->rows == r && b->cols == c) {                                      \
      size_t k, n = (size_t)r * c;                                           \
      const double *x = a->data, *y = b->data;                               \
      double *z = o->data;                                                   \
      for (k = 0; k < n; k++) z[k] = OP(x[k], y[k]);                         \
      return;                                                                \
    }                                                                        \
    for (i = 0; i < r; i++) {                                                \
      const double *x = a->data + i * a->rs, *y = b->data + i * b->rs;       \
      double *z = o->data + i * o->rs;                                       \
      ptrdiff_t ca = a->cs, cb = b->cs, co = o->cs;                          \
      if (co == 1 && ca == 1 && cb == 1) {                                   \
        for (j = 0; j < c; j++) z[j] = OP(x[j], y[j]);                       \
      } else if (co == 1 && ca == 1 && cb == 0) {                            \
        double t = y[0];                                                     \
        for (j = 0; j < c; j++) z[j] = OP(x[j], t);                          \
      } else if (co == 1 && ca == 0 && cb == 1) {                            \
        double s = x[0];                                                     \
        for (j = 0; j < c; j++) z[j] = OP(s, y[j]);                          \
      } else {                                                               \
        for (j = 0; j < c; j++) z[j * co] = OP(x[j * ca], y[j * cb]);        \
      }                                                                      \
    }                                                                        \
  }                                                                          \
  static void bins_##name(const lm_mat *a, double s, int left,               \
                          const lm_mat *o) {                                 \
    int i, j, r = o->rows, c = o->cols;                                      \
    if (flat(a) && flat(o)) {                                                \
      size_t k, n = (size_t)r * c;                                           \
      const double *x = a->data;                                             \
      double *z = o->data;                                                   \
      if (left) for (k = 0; k < n; k++) z[k] = OP(s, x[k]);                  \
      else for (k = 0; k < n; k++) z[k] = OP(x[k], s);                       \
      return;                                                                \
    }                                                                        \
    for (i = 0; i < r; i++) {                                                \
      const double *x = a->data + i * a->rs;                                 \
      double *z = o->data + i * o->rs;                                       \
      ptrdiff_t ca = a->cs, co = o->cs;                                      \
      if (left) for (j = 0; j < c; j++) z[j * co] = OP(s, x[j * ca]);        \
      else for (j = 0; j < c; j++) z[j * co] = OP(x[j * ca], s);             \
    }                                                                        \
  }

BINKERNEL(add, B_ADD)
BINKERNEL(sub, B_SUB)
BINKERNEL(mul, B_MUL)
BINKERNEL(div, B_DIV)
BINKERNEL(pow, B_POW)
BINKERNEL(mod, B_MOD)
BINKERNEL(maximum, B_MAXIMUM)
BINKERNEL(minimum, B_MINIMUM)
BINKERNEL(eq, B_EQ)
BINKERNEL(ne, B_NE)
BINKERNEL(lt, B_LT)
BINKERNEL(le, B_LE)
BINKERNEL(gt, B_GT)
BINKERNEL(ge, B_GE)
BINKERNEL(atan2, B_ATAN2)

typedef void (*binfn)(const lm_mat *, const lm_mat *, const lm_mat *);
typedef void (*binsfn)(const lm_mat *, double, int, const lm_mat *);

static const binfn binfns[LM_NBINOP] = {
  bin_add, bin_sub, bin_mul, bin_div, bin_pow, bin_mod, bin_maximum,
  bin_minimum, bin_eq, bin_ne, bin_lt, bin_le, bin_gt, bin_ge, bin_atan2
};
static const binsfn binsfns[LM_NBINOP] = {
  bins_add, bins_sub, bins_mul, bins_div, bins_pow, bins_mod, bins_maximum,
  bins_minimum, bins_eq, bins_ne, bins_lt, bins_le, bins_gt, bins_ge,
  bins_atan2
};

void lm_binary(lm_binop op, const lm_mat *a, const lm_mat *b,
               const lm_mat *out) {
  if (out->rows == 0 || out->cols == 0) return;
  binfns[op](a, b, out);
}

void lm_binary_scalar(lm_binop op, const lm_mat *a, double s, int s_left,
                      const lm_mat *out) {
  if (out->rows == 0 || out->cols == 0) return;
  binsfns[op](a, s, s_left, out);
}

double lm_binop_scalar(lm_binop op, double x, double y) {
  switch (op) {
    case LM_ADD: return B_ADD(x, y);
    case LM_SUB: return B_SUB(x, y);
    case LM_MUL: return B_MUL(x, y);
    case LM_DIV: return B_DIV(x, y);
    case LM_POW: return B_POW(x, y);
    case LM_MOD: return B_MOD(x, y);
    case LM_MAXIMUM: return B_MAXIMUM(x, y);
    case LM_MINIMUM: return B_MINIMUM(x, y);
    case LM_EQ: return B_EQ(x, y);
    case LM_NE: return B_NE(x, y);
    case LM_LT: return B_LT(x, y);
    case LM_LE: return B_LE(x, y);
    case LM_GT: return B_GT(x, y);
    case LM_GE: return B_GE(x, y);
    case LM_ATAN2: return B_ATAN2(x, y);
    default: return NAN;
  }
}

/* ---- unary kernels -------------------------------------------------- */

#define UNKERNEL(name, OP)                                                   \
  static void un_##name(const lm_mat *a, const lm_mat *o) {                  \
    int i, j, r = o->rows, c = o->cols;                                      \
    if (flat(a) && flat(o)) {                                                \
      size_t k, n = (size_t)r * c;                                           \
      const double *x = a->data;                                             \
      double *z = o->data;                                                   \
      for (k = 0; k < n; k++) z[k] = OP(x[k]);                               \
      return;                                                                \
    }                                                                        \
    for (i = 0; i < r; i++) {                                                \
      const double *x = a->data + i * a->rs;                                 \
      double *z = o->data + i * o->rs;                                       \
      ptrdiff_t ca = a->cs, co = o->cs;                                      \
      if (ca == 1 && co == 1) for (j = 0; j < c; j++) z[j] = OP(x[j]);       \
      else for (j = 0; j < c; j++) z[j * co] = OP(x[j * ca]);                \
    }                                                                        \
  }

UNKERNEL(neg, U_NEG)
UNKERNEL(exp, U_EXP)
UNKERNEL(log, U_LOG)
UNKERNEL(log1p, U_LOG1P)
UNKERNEL(expm1, U_EXPM1)
UNKERNEL(sqrt, U_SQRT)
UNKERNEL(abs, U_ABS)
UNKERNEL(sign, U_SIGN)
UNKERNEL(tanh, U_TANH)
UNKERNEL(sigmoid, U_SIGMOID)
UNKERNEL(relu, U_RELU)
UNKERNEL(square, U_SQUARE)
UNKERNEL(floor, U_FLOOR)
UNKERNEL(ceil, U_CEIL)
UNKERNEL(round, U_ROUND)
UNKERNEL(isnan, U_ISNAN)
UNKERNEL(isinf, U_ISINF)
UNKERNEL(sin, U_SIN)
UNKERNEL(cos, U_COS)
UNKERNEL(log2, U_LOG2)
UNKERNEL(log10, U_LOG10)
UNKERNEL(recip, U_RECIP)

typedef void (*unfn)(const lm_mat *, const lm_mat *);
static const unfn unfns[LM_NUNOP] = {
  un_neg, un_exp, un_log, un_log1p, un_expm1, un_sqrt, un_abs, un_sign,
  un_tanh, un_sigmoid, un_relu, un_square, un_floor, un_ceil, un_round,
  un_isnan, un_isinf, un_sin, un_cos, un_log2, un_log10, un_recip
};

void lm_unary(lm_unop op, const lm_mat *a, const lm_mat *out) {
  if (out->rows == 0 || out->cols == 0) return;
  unfns[op](a, out);
}

double lm_unop_scalar(lm_unop op, double x) {
  switch (op) {
    case LM_NEG: return U_NEG(x);
    case LM_EXP: return U_EXP(x);
    case LM_LOG: return U_LOG(x);
    case LM_LOG1P: return U_LOG1P(x);
    case LM_EXPM1: return U_EXPM1(x);
    case LM_SQRT: return U_SQRT(x);
    case LM_ABS: return U_ABS(x);
    case LM_SIGN: return U_SIGN(x);
    case LM_TANH: return U_TANH(x);
    case LM_SIGMOID: return U_SIGMOID(x);
    case LM_RELU: return U_RELU(x);
    case LM_SQUARE: return U_SQUARE(x);
    case LM_FLOOR: return U_FLOOR(x);
    case LM_CEIL: return U_CEIL(x);
    case LM_ROUND: return U_ROUND(x);
    case LM_ISNAN: return U_ISNAN(x);
    case LM_ISINF: return U_ISINF(x);
    case LM_SIN: return U_SIN(x);
    case LM_COS: return U_COS(x);
    case LM_LOG2: return U_LOG2(x);
    case LM_LOG10: return U_LOG10(x);
    case LM_RECIP: return U_RECIP(x);
    default: return NAN;
  }
}

/* ---- fills, copies, clip, axpy -------------------------------------- */

void lm_clip(const lm_mat *a, double lo, double hi, const lm_mat *o) {
  int i, j;
  for (i = 0; i < o->rows; i++) {
    const double *x = a->data + i * a->rs;
    double *z = o->data + i * o->rs;
    for (j = 0; j < o->cols; j++) {
      double v = x[j * a->cs];
      if (v < lo) v = lo;
      if (v > hi) v = hi;
      z[j * o->cs] = v;
    }
  }
}

void lm_axpy(double alpha, const lm_mat *x, const lm_mat *y) {
  int i, j, r = y->rows, c = y->cols;
  if (r == 0 || c == 0) return;
  if (flat(x) && flat(y) && x->rows == r && x->cols == c) {
    size_t k, n = (size_t)r * c;
    for (k = 0; k < n; k++) y->data[k] += alpha * x->data[k];
    return;
  }
  for (i = 0; i < r; i++) {
    const double *p = x->data + i * x->rs;
    double *q = y->data + i * y->rs;
    if (x->cs == 1 && y->cs == 1)
      for (j = 0; j < c; j++) q[j] += alpha * p[j];
    else
      for (j = 0; j < c; j++) q[j * y->cs] += alpha * p[j * x->cs];
  }
}

void lm_fill(const lm_mat *o, double v) {
  int i, j;
  if (o->rows == 0 || o->cols == 0) return;
  if (flat(o)) {
    size_t k, n = lm_size(o);
    for (k = 0; k < n; k++) o->data[k] = v;
    return;
  }
  for (i = 0; i < o->rows; i++) {
    double *z = o->data + i * o->rs;
    for (j = 0; j < o->cols; j++) z[j * o->cs] = v;
  }
}

void lm_copy(const lm_mat *a, const lm_mat *o) {
  int i, j;
  if (o->rows == 0 || o->cols == 0) return;
  if (flat(a) && flat(o) && a->rows == o->rows && a->cols == o->cols) {
    if (a->data != o->data)
      memmove(o->data, a->data, lm_size(o) * sizeof(double));
    return;
  }
  for (i = 0; i < o->rows; i++) {
    const double *x = a->data + i * a->rs;
    double *z = o->data + i * o->rs;
    if (a->cs == 1 && o->cs == 1)
      for (j = 0; j < o->cols; j++) z[j] = x[j];
    else
      for (j = 0; j < o->cols; j++) z[j * o->cs] = x[j * a->cs];
  }
}
