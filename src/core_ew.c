/*
** core_ew.c -- views, broadcasting and elementwise kernels.
**
** Every kernel walks rows and columns through the strides, so transposes,
** slices and broadcast (stride 0) operands cost nothing.  When all operands
** are dense row-major the 2-D loop collapses to one flat loop; rows with
** unit column stride take unit-stride loops (and a broadcast operand a
** scalar one); other rows go element by element, or for the unary
** functions through a small buffer, so that every layout computes the same
** numbers.  The unit-stride loops are vectorised, each compiled for
** AVX-512, AVX2 and SSE2 and picked at run time (target_clones); exp, log,
** sigmoid and tanh use SLEEF's vector functions (core_simd.c).  Work of
** more than LM_PAR_MIN_* elements is split across threads (lm_parallel),
** in pieces that do not change any result.  The operations, their scalar
** definitions and their derivatives are the rows of core_ops.h, expanded
** here into the loops, the tables, the scalar fallbacks and the derivative
** kernels of ml.grad.
*/
#include <math.h>
#include <string.h>

#include "core.h"
#include "core_simd.h"

/* out = f(in) reads in[k] before writing out[k]: out may be in itself */
#if defined(__GNUC__) && !defined(__clang__)
#define IVDEP _Pragma("GCC ivdep")
#else
#define IVDEP
#endif

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

/* ---- helpers of core_ops.h's expressions ------------------------------ */

static inline double lm_fmod_floor(double x, double y) {
  double m = fmod(x, y);
  if (m != 0 && ((m < 0) != (y < 0))) m += y;
  return m;
}

static inline double lm_sign1(double x) {
  return (x > 0) ? 1.0 : (x < 0) ? -1.0 : x;  /* 0 stays 0, NaN stays NaN */
}

/* ---- binary kernels ------------------------------------------------- */

/* The loops of one op over n elements: both operands unit-stride (vv),
** the second (vs) or the first (sv) a broadcast scalar, any strides (st). */
typedef struct binloops {
  void (*vv)(const double *x, const double *y, double *z, size_t n);
  void (*vs)(const double *x, double t, double *z, size_t n);
  void (*sv)(double s, const double *y, double *z, size_t n);
  void (*st)(const double *x, ptrdiff_t sx, const double *y, ptrdiff_t sy,
             double *z, ptrdiff_t sz, size_t n);
} binloops;

#define BINLOOPS(E, name, lname, F, ...)                                     \
  static inline double bs_##name(double x, double y) { return F; }           \
  CLONES static void vv_##name(const double *x, const double *y, double *z, \
                               size_t n) {                                   \
    size_t k;                                                                \
    IVDEP for (k = 0; k < n; k++) z[k] = bs_##name(x[k], y[k]);              \
  }                                                                          \
  CLONES static void vs_##name(const double *x, double t, double *z,        \
                               size_t n) {                                   \
    size_t k;                                                                \
    IVDEP for (k = 0; k < n; k++) z[k] = bs_##name(x[k], t);                 \
  }                                                                          \
  CLONES static void sv_##name(double s, const double *y, double *z,        \
                               size_t n) {                                   \
    size_t k;                                                                \
    IVDEP for (k = 0; k < n; k++) z[k] = bs_##name(s, y[k]);                 \
  }                                                                          \
  static void st_##name(const double *x, ptrdiff_t sx, const double *y,     \
                        ptrdiff_t sy, double *z, ptrdiff_t sz, size_t n) {   \
    size_t k;                                                                \
    for (k = 0; k < n; k++)                                                  \
      z[(ptrdiff_t)k * sz] =                                                \
          bs_##name(x[(ptrdiff_t)k * sx], y[(ptrdiff_t)k * sy]);             \
  }                                                                          \
  static const binloops bl_##name = {vv_##name, vs_##name, sv_##name,       \
                                     st_##name};

LM_BINOPS(BINLOOPS)

#define BINTAB(E, name, ...) &bl_##name,
static const binloops *const binops[LM_NBINOP] = {LM_BINOPS(BINTAB)};

/* ---- streaming stores for large results ------------------------------- */

/* A result larger than the last-level caches is written with streaming
** (non-temporal) stores: a plain store first reads the line it writes
** into the cache, so z = x - y moved three bytes for every two; streamed,
** the line goes to memory whole, unread.  For +, -, *, / (the same IEEE
** operations as the scalar loops: the same bits), AVX-512 or AVX2, when
** the result overlaps neither operand (in place, its lines are read
** anyway).  z[k] = x[k*sx] OP y[k*sy] with sx, sy 1 (a vector) or 0 (a
** broadcast scalar). */
#define LM_NT_BYTES ((size_t)32 << 20)

typedef void (*ntloop)(const double *x, ptrdiff_t sx, const double *y,
                       ptrdiff_t sy, double *z, size_t n);

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_NT 1
#define NTLOOP(name, OP, TGT, V, W, LD, SET1, ST)                              \
  TGT static void name(const double *x, ptrdiff_t sx, const double *y,      \
                       ptrdiff_t sy, double *z, size_t n) {                 \
    size_t k = 0;                                                            \
    for (; k < n && ((size_t)(z + k) & (sizeof(V) - 1)); k++)               \
      z[k] = x[(ptrdiff_t)k * sx] OP y[(ptrdiff_t)k * sy];                  \
    if (sx && sy) {                                                          \
      for (; k + W <= n; k += W) ST(z + k, LD(x + k) OP LD(y + k));         \
    } else if (sx) {                                                         \
      V t = SET1(y[0]);                                                      \
      for (; k + W <= n; k += W) ST(z + k, LD(x + k) OP t);                 \
    } else {                                                                 \
      V s = SET1(x[0]);                                                      \
      for (; k + W <= n; k += W) ST(z + k, s OP LD(y + k));                 \
    }                                                                        \
    for (; k < n; k++) z[k] = x[(ptrdiff_t)k * sx] OP y[(ptrdiff_t)k * sy]; \
  }
#define NT4(OPNAME, OP)                                                      \
  NTLOOP(nt512_##OPNAME, OP, __attribute__((target("avx512f"))), __m512d, 8, \
         _mm512_loadu_pd, _mm512_set1_pd, _mm512_stream_pd)                  \
  NTLOOP(nt256_##OPNAME, OP, __attribute__((target("avx"))), __m256d, 4,     \
         _mm256_loadu_pd, _mm256_set1_pd, _mm256_stream_pd)
NT4(add, +)
NT4(sub, -)
NT4(mul, *)
NT4(div, /)
#endif

/* the streaming loop of op for a result of bytes, or NULL */
static ntloop ntfor(lm_binop op, size_t bytes) {
#ifdef HAVE_NT
  int isa = lm_isa_best(), wide = isa >= LM_ISA_AVX512;
  if (bytes < LM_NT_BYTES || isa < LM_ISA_AVX2) return NULL;
  switch (op) {
    case LM_ADD: return wide ? nt512_add : nt256_add;
    case LM_SUB: return wide ? nt512_sub : nt256_sub;
    case LM_MUL: return wide ? nt512_mul : nt256_mul;
    case LM_DIV: return wide ? nt512_div : nt256_div;
    default: return NULL;
  }
#else
  (void)op; (void)bytes;
  return NULL;
#endif
}

/* streamed stores reach memory in order with what follows */
static void ntfence(void) {
#ifdef HAVE_NT
  _mm_sfence();
#endif
}

/* A binary op over o: a op b (mode 0), a op s (1) or s op a (2); units
** are elements when every operand is dense (flat), else rows; nt the
** streaming loop for a large result, or NULL. */
typedef struct binjob {
  const binloops *f;
  const lm_mat *a, *b, *o;
  double s;
  int mode, flat;
  ntloop nt;
} binjob;

/* binrange with streaming stores: unit-stride rows (or the flat run) of
** any operands that are vectors or broadcast scalars; others as binrange */
static void ntrange(const binjob *j, size_t lo, size_t hi) {
  const lm_mat *a = j->a, *b = j->b, *o = j->o;
  const double *s = &j->s;
  size_t i, c = (size_t)o->cols;
  if (j->flat) {
    const double *x = a->data + lo;
    double *z = o->data + lo;
    if (j->mode == 0) j->nt(x, 1, b->data + lo, 1, z, hi - lo);
    else if (j->mode == 1) j->nt(x, 1, s, 0, z, hi - lo);
    else j->nt(s, 0, x, 1, z, hi - lo);
  } else {
    for (i = lo; i < hi; i++) {
      const double *x = a->data + (ptrdiff_t)i * a->rs;
      double *z = o->data + (ptrdiff_t)i * o->rs;
      ptrdiff_t ca = a->cs;
      const double *y = j->mode == 0 ? b->data + (ptrdiff_t)i * b->rs : s;
      ptrdiff_t cb = j->mode == 0 ? b->cs : 0;
      if (j->mode == 2) { const double *t = x; x = y; y = t; cb = ca; ca = 0; }
      if (o->cs == 1 && (ca == 0 || ca == 1) && (cb == 0 || cb == 1) &&
          (ca || cb))
        j->nt(x, ca, y, cb, z, c);
      else
        j->f->st(x, ca, y, cb, z, o->cs, c);
    }
  }
  ntfence();
}

static void binrange(void *ctx, size_t lo, size_t hi) {
  const binjob *j = (const binjob *)ctx;
  const lm_mat *a = j->a, *b = j->b, *o = j->o;
  const binloops *f = j->f;
  size_t i, c = (size_t)o->cols;
  if (j->nt != NULL) {
    ntrange(j, lo, hi);
    return;
  }
  if (j->flat) {
    const double *x = a->data + lo;
    double *z = o->data + lo;
    if (j->mode == 0) f->vv(x, b->data + lo, z, hi - lo);
    else if (j->mode == 1) f->vs(x, j->s, z, hi - lo);
    else f->sv(j->s, x, z, hi - lo);
    return;
  }
  for (i = lo; i < hi; i++) {
    const double *x = a->data + (ptrdiff_t)i * a->rs;
    double *z = o->data + (ptrdiff_t)i * o->rs;
    ptrdiff_t ca = a->cs, co = o->cs;
    if (j->mode == 0) {
      const double *y = b->data + (ptrdiff_t)i * b->rs;
      ptrdiff_t cb = b->cs;
      if (co == 1 && ca == 1 && cb == 1) f->vv(x, y, z, c);
      else if (co == 1 && ca == 1 && cb == 0) f->vs(x, y[0], z, c);
      else if (co == 1 && ca == 0 && cb == 1) f->sv(x[0], y, z, c);
      else f->st(x, ca, y, cb, z, co, c);
    } else if (ca == 1 && co == 1) {
      if (j->mode == 1) f->vs(x, j->s, z, c); else f->sv(j->s, x, z, c);
    } else if (j->mode == 1) {
      f->st(x, ca, &j->s, 0, z, co, c);
    } else {
      f->st(&j->s, 0, x, ca, z, co, c);
    }
  }
}

static void binrun(binjob *j) {
  const lm_mat *o = j->o;
  if (o->rows == 0 || o->cols == 0) return;
  if (j->flat)
    lm_parallel(lm_size(o), 1, LM_PAR_MIN_MEM, 8, binrange, j);
  else
    lm_parallel((size_t)o->rows, (size_t)o->cols, LM_PAR_MIN_MEM, 1,
                binrange, j);
}

void lm_binary(lm_binop op, const lm_mat *a, const lm_mat *b,
               const lm_mat *out) {
  binjob j;
  int r = out->rows, c = out->cols;
  j.f = binops[op]; j.a = a; j.b = b; j.o = out; j.s = 0; j.mode = 0;
  j.flat = flat(a) && flat(b) && flat(out) && a->rows == r &&
           a->cols == c && b->rows == r && b->cols == c;
  j.nt = (out->data != a->data && out->data != b->data)
             ? ntfor(op, lm_size(out) * sizeof(double)) : NULL;
  binrun(&j);
}

void lm_binary_scalar(lm_binop op, const lm_mat *a, double s, int s_left,
                      const lm_mat *out) {
  binjob j;
  j.f = binops[op]; j.a = a; j.b = NULL; j.o = out; j.s = s;
  j.mode = s_left ? 2 : 1;
  j.flat = flat(a) && flat(out);
  j.nt = out->data != a->data ? ntfor(op, lm_size(out) * sizeof(double)) : NULL;
  binrun(&j);
}

double lm_binop_scalar(lm_binop op, double x, double y) {
#define BINCASE(E, name, ...) case LM_##E: return bs_##name(x, y);
  switch (op) {
    LM_BINOPS(BINCASE)
    default: return NAN;
  }
}

/* ---- unary kernels -------------------------------------------------- */

/* z[k] = f(x[k]), k < n; z may be x */
typedef void (*unloop)(const double *x, double *z, size_t n);

/* the scalar function of each op, and its loop over n elements: a loop
** the compiler vectorises (PLAIN), or SLEEF's (core_simd.c) */
#define UNLOOP_PLAIN(name)                                                   \
  CLONES static void u_##name(const double *x, double *z, size_t n) {       \
    size_t k;                                                                \
    IVDEP for (k = 0; k < n; k++) z[k] = us_##name(x[k]);                    \
  }
#define VMATHLOOP(name, F)                                                   \
  static void u_##name(const double *x, double *z, size_t n) {              \
    lm_vmath(F, LM_ISA_BEST, x, z, n);                                       \
  }
#define UNLOOP_VEXP(name) VMATHLOOP(name, LM_VEXP)
#define UNLOOP_VLOG(name) VMATHLOOP(name, LM_VLOG)
#define UNLOOP_VTANH(name) VMATHLOOP(name, LM_VTANH)
#define UNLOOP_VSIGMOID(name) VMATHLOOP(name, LM_VSIGMOID)
#define UNLOOPS(E, name, lname, F, loop, ...)                                \
  static inline double us_##name(double x) { return F; }                    \
  UNLOOP_##loop(name)

LM_UNOPS(UNLOOPS)

#define UNTAB(E, name, ...) u_##name,
static const unloop unops[LM_NUNOP] = {LM_UNOPS(UNTAB)};

/* the parallel threshold of each op: its cost per element */
#define UNCOST(E, name, lname, F, loop, cost, ...) LM_PAR_MIN_##cost,
static const size_t unmin[LM_NUNOP] = {LM_UNOPS(UNCOST)};

#define UBUF 256  /* doubles of the buffer of a strided unary row */

typedef struct unjob { unloop f; const lm_mat *a, *o; int flat; } unjob;

/* units lo..hi-1 of o = f(a): elements when flat, else rows; unit-stride
** rows directly, others through a buffer, so that f sees the same
** contiguous runs in every layout */
static void unrange(void *ctx, size_t lo, size_t hi) {
  const unjob *j = (const unjob *)ctx;
  const lm_mat *a = j->a, *o = j->o;
  double buf[UBUF];
  size_t i, c = (size_t)o->cols, k, m, q;
  if (j->flat) { j->f(a->data + lo, o->data + lo, hi - lo); return; }
  for (i = lo; i < hi; i++) {
    const double *x = a->data + (ptrdiff_t)i * a->rs;
    double *z = o->data + (ptrdiff_t)i * o->rs;
    if (a->cs == 1 && o->cs == 1) { j->f(x, z, c); continue; }
    for (q = 0; q < c; q += m) {
      m = (c - q < UBUF) ? c - q : UBUF;
      for (k = 0; k < m; k++) buf[k] = x[(ptrdiff_t)(q + k) * a->cs];
      j->f(buf, buf, m);
      for (k = 0; k < m; k++) z[(ptrdiff_t)(q + k) * o->cs] = buf[k];
    }
  }
}

void lm_unary(lm_unop op, const lm_mat *a, const lm_mat *out) {
  unjob j;
  size_t min;
  if (out->rows == 0 || out->cols == 0) return;
  j.f = unops[op]; j.a = a; j.o = out; j.flat = flat(a) && flat(out);
  min = unmin[op];
  if (j.flat)
    lm_parallel(lm_size(out), 1, min, 8, unrange, &j);
  else
    lm_parallel((size_t)out->rows, (size_t)out->cols, min, 1, unrange, &j);
}

double lm_unop_scalar(lm_unop op, double x) {
#define UNCASE(E, name, ...) case LM_##E: return us_##name(x);
  switch (op) {
    LM_UNOPS(UNCASE)
    default: return NAN;
  }
}

/* ---- fills, copies, clip, axpy -------------------------------------- */

/* z = clamp(x) (NaN stays NaN); y += alpha x; z = v; z = x */
CLONES static void clip_loop(const double *x, double *z, size_t n, double lo,
                             double hi) {
  size_t k;
  IVDEP for (k = 0; k < n; k++) {
    double v = x[k];
    v = (v < lo) ? lo : v;
    z[k] = (v > hi) ? hi : v;
  }
}

CLONES static void axpy_loop(double alpha, const double *x, double *y,
                             size_t n) {
  size_t k;
  IVDEP for (k = 0; k < n; k++) y[k] += alpha * x[k];
}

static void fill_loop(double *z, size_t n, double v) {
  size_t k;
  for (k = 0; k < n; k++) z[k] = v;
}

/* The 2-D walk shared by the four: rows lo..hi-1 of o, with a (and x for
** axpy) of o's shape; op 0 clip, 1 axpy, 2 fill, 3 copy. */
typedef struct ewjob {
  int op, flat;
  const lm_mat *a, *o;
  double p, q;
} ewjob;

static void ewrows(const ewjob *j, int lo, int hi) {
  const lm_mat *a = j->a, *o = j->o;
  int i;
  size_t c = (size_t)o->cols, k;
  for (i = lo; i < hi; i++) {
    double *z = o->data + i * o->rs;
    const double *x = a ? a->data + i * a->rs : NULL;
    ptrdiff_t cs = o->cs, ca = a ? a->cs : 0;
    if (j->op == 2) {
      if (cs == 1) fill_loop(z, c, j->p);
      else for (k = 0; k < c; k++) z[(ptrdiff_t)k * cs] = j->p;
    } else if (cs == 1 && ca == 1) {
      if (j->op == 0) clip_loop(x, z, c, j->p, j->q);
      else if (j->op == 1) axpy_loop(j->p, x, z, c);
      else memmove(z, x, c * sizeof(double));
    } else {
      for (k = 0; k < c; k++) {
        double v = x[(ptrdiff_t)k * ca], *w = z + (ptrdiff_t)k * cs;
        if (j->op == 0) *w = (v < j->p) ? j->p : (v > j->q) ? j->q : v;
        else if (j->op == 1) *w += j->p * v;
        else *w = v;
      }
    }
  }
}

/* units lo..hi-1 of a job: elements when flat, else rows */
static void ewrange(void *ctx, size_t lo, size_t hi) {
  const ewjob *j = (const ewjob *)ctx;
  double *z;
  const double *x;
  if (!j->flat) { ewrows(j, (int)lo, (int)hi); return; }
  z = j->o->data + lo;
  x = j->a ? j->a->data + lo : NULL;
  switch (j->op) {
    case 0: clip_loop(x, z, hi - lo, j->p, j->q); break;
    case 1: axpy_loop(j->p, x, z, hi - lo); break;
    case 2: fill_loop(z, hi - lo, j->p); break;
    default: memmove(z, x, (hi - lo) * sizeof(double)); break;
  }
}

/* ewrun's work: flat when every operand is dense with o's shape, on
** threads when large (a copy between overlapping buffers stays on one) */
static void ewsplit(ewjob *j) {
  const lm_mat *a = j->a, *o = j->o;
  size_t n = lm_size(o), min = LM_PAR_MIN_MEM;
  if (n == 0) return;
  if (j->op == 3 && (a->data == o->data ||
                     (a->data < o->data + n && o->data < a->data + n)))
    min = n;  /* (never splits) */
  j->flat = flat(o) &&
            (a == NULL || (flat(a) && a->rows == o->rows && a->cols == o->cols));
  if (j->flat && j->op == 3 && a->data == o->data) return;
  if (j->flat) lm_parallel(n, 1, min, 8, ewrange, j);
  else lm_parallel((size_t)o->rows, (size_t)o->cols, min, 1, ewrange, j);
}

/* run a job (ewsplit).  Copies and fills run whole whatever this
** thread's deadline (core_simd.h): they are steps of larger operations (a
** product computed aside, the input of a LAPACK routine) that must not go
** on from half a copy, and a copy between overlapping buffers must not be
** split at all. */
static void ewrun(ewjob *j) {
  double deadline = lm_deadline();
  int cancelled = lm_cancelled();
  if (j->op >= 2 && deadline > 0) {
    lm_set_deadline(0);
    ewsplit(j);
    lm_set_deadline(deadline);
    if (cancelled) (void)lm_past_deadline();  /* (it has passed) */
  } else {
    ewsplit(j);
  }
}

void lm_clip(const lm_mat *a, double lo, double hi, const lm_mat *o) {
  ewjob j;
  j.op = 0; j.a = a; j.o = o; j.p = lo; j.q = hi;
  ewrun(&j);
}

void lm_axpy(double alpha, const lm_mat *x, const lm_mat *y) {
  ewjob j;
  j.op = 1; j.a = x; j.o = y; j.p = alpha; j.q = 0;
  ewrun(&j);
}

void lm_fill(const lm_mat *o, double v) {
  ewjob j;
  j.op = 2; j.a = NULL; j.o = o; j.p = v; j.q = 0;
  ewrun(&j);
}

void lm_copy(const lm_mat *a, const lm_mat *o) {
  ewjob j;
  j.op = 3; j.a = a; j.o = o; j.p = j.q = 0;
  ewrun(&j);
}

/* ---- derivatives (ml.grad's backward pass) -------------------------- */

/* out = g * f'(x), y = f(x): one loop per op, flat (and vectorised, for
** the derivatives that allow it: relu's mask, tanh's 1 - y^2 ...) when
** every view is dense, else row by row through the strides.  out is a new
** matrix (lgrad.c), never one of the operands. */
#define UNGRAD(E, name, lname, F, loop, cost, kind, DF)                      \
  static inline double ud_##name(double x, double y) {                       \
    (void)x; (void)y;                                                        \
    return DF;                                                               \
  }                                                                          \
  CLONES static void ugf_##name(const double *x, const double *y,            \
                                const double *g, double *o, size_t n) {      \
    size_t k;                                                                \
    IVDEP for (k = 0; k < n; k++) o[k] = g[k] * ud_##name(x[k], y[k]);       \
  }                                                                          \
  static void ug_##name(const lm_mat *px, const lm_mat *py, const lm_mat *pg, \
                        const lm_mat *po) {                                  \
    size_t n = lm_size(po);                                                  \
    int i, j;                                                                \
    if (flat(px) && flat(py) && flat(pg) && flat(po)) {                      \
      ugf_##name(px->data, py->data, pg->data, po->data, n);                 \
      return;                                                                \
    }                                                                        \
    for (i = 0; i < po->rows; i++)                                           \
      for (j = 0; j < po->cols; j++) {                                       \
        ptrdiff_t a = (ptrdiff_t)i * px->rs + (ptrdiff_t)j * px->cs;         \
        ptrdiff_t b = (ptrdiff_t)i * py->rs + (ptrdiff_t)j * py->cs;         \
        ptrdiff_t c = (ptrdiff_t)i * pg->rs + (ptrdiff_t)j * pg->cs;         \
        ptrdiff_t d = (ptrdiff_t)i * po->rs + (ptrdiff_t)j * po->cs;         \
        po->data[d] = pg->data[c] * ud_##name(px->data[a], py->data[b]);     \
      }                                                                      \
  }

LM_UNOPS(UNGRAD)

typedef void (*ungrad)(const lm_mat *x, const lm_mat *y, const lm_mat *g,
                       const lm_mat *out);
#define UGTAB(E, name, ...) ug_##name,
static const ungrad ungrads[LM_NUNOP] = {LM_UNOPS(UGTAB)};

void lm_unary_grad(lm_unop op, const lm_mat *x, const lm_mat *y,
                   const lm_mat *g, const lm_mat *out) {
  ungrads[op](x, y, g, out);
}

/* out = g * d(a op b)/da (side 0) or /db (side 1), z = a op b */
#define BINGRAD(E, name, lname, F, kind, DX, DY)                             \
  static double bdx_##name(double x, double y, double z) {                   \
    (void)x; (void)y; (void)z;                                               \
    return DX;                                                               \
  }                                                                          \
  static double bdy_##name(double x, double y, double z) {                   \
    (void)x; (void)y; (void)z;                                               \
    return DY;                                                               \
  }                                                                          \
  static void bg_##name(int side, const lm_mat *pa, const lm_mat *pb,        \
                        const lm_mat *pz, const lm_mat *pg,                  \
                        const lm_mat *po) {                                  \
    int i, j;                                                                \
    for (i = 0; i < po->rows; i++)                                           \
      for (j = 0; j < po->cols; j++) {                                       \
        double x = pa->data[(ptrdiff_t)i * pa->rs + (ptrdiff_t)j * pa->cs];  \
        double y = pb->data[(ptrdiff_t)i * pb->rs + (ptrdiff_t)j * pb->cs];  \
        double z = pz->data[(ptrdiff_t)i * pz->rs + (ptrdiff_t)j * pz->cs];  \
        double g = pg->data[(ptrdiff_t)i * pg->rs + (ptrdiff_t)j * pg->cs];  \
        po->data[(ptrdiff_t)i * po->rs + (ptrdiff_t)j * po->cs] =            \
            g * (side ? bdy_##name(x, y, z) : bdx_##name(x, y, z));          \
      }                                                                      \
  }

LM_BINOPS(BINGRAD)

typedef void (*bingrad)(int side, const lm_mat *a, const lm_mat *b,
                        const lm_mat *z, const lm_mat *g, const lm_mat *out);
#define BGTAB(E, name, ...) bg_##name,
static const bingrad bingrads[LM_NBINOP] = {LM_BINOPS(BGTAB)};

void lm_binary_grad(lm_binop op, int side, const lm_mat *a, const lm_mat *b,
                    const lm_mat *z, const lm_mat *g, const lm_mat *out) {
  bingrads[op](side, a, b, z, g, out);
}

#define KIND_D 1
#define KIND_C 0
#define UNKIND(E, name, lname, F, loop, cost, kind, ...) KIND_##kind,
#define BINKIND(E, name, lname, F, kind, ...) KIND_##kind,
static const unsigned char unkind[LM_NUNOP] = {LM_UNOPS(UNKIND)};
static const unsigned char binkind[LM_NBINOP] = {LM_BINOPS(BINKIND)};

int lm_unop_differentiable(lm_unop op) { return unkind[op]; }
int lm_binop_differentiable(lm_binop op) { return binkind[op]; }
