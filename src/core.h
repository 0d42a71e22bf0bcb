/*
** core.h -- luaml numeric core: strided 2-D views and the kernels over them.
**
** This layer knows nothing of Lua.  Kernels never allocate and never abort:
** callers (the Lua binding, or an embedding host) own every buffer, check
** shapes with the predicates below, and then call the kernel, which may
** assume its contract holds.  Functions that can fail return an LM_E* code.
*/
#ifndef LUAML_CORE_H
#define LUAML_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "core_ops.h"

/* A 2-D strided view over doubles: element (i, j), 0-based, is
** data[i*rs + j*cs].  Strides are in elements and may be 0 (broadcast)
** or negative.  The same struct is the public luaml_matrix of luaml.h. */
#ifndef LUAML_MATRIX_STRUCT
#define LUAML_MATRIX_STRUCT
typedef struct luaml_matrix {
  double *data;      /* first element */
  int rows, cols;    /* shape */
  ptrdiff_t rs, cs;  /* row and column strides, in elements */
} luaml_matrix;
#endif

typedef luaml_matrix lm_mat;

/* status codes of fallible core functions */
enum {
  LM_OK = 0,
  LM_ESHAPE = -1,     /* shapes do not fit */
  LM_ESINGULAR = -2,  /* singular matrix */
  LM_ENOTPD = -3,     /* not positive definite */
  LM_ENOCONV = -4,    /* iterative method did not converge */
  LM_ENOMEM = -5,     /* allocation failed */
  LM_EARG = -6,       /* invalid argument value */
  LM_EIO = -7,        /* I/O error (errno is set) */
  LM_EFORMAT = -8,    /* malformed file */
  LM_ENOLIB = -9,     /* BLAS or LAPACKE cannot be loaded (lm_lib_error) */
  LM_ETOOBIG = -10    /* sizes beyond what LAPACK's 32-bit integers index */
};

/* an allocator with lua_Alloc's contract: realloc when nsize > 0, free
** (returning NULL) when nsize == 0; osize is the block's size, or anything
** when ptr is NULL */
typedef void *(*lm_allocf)(void *ud, void *ptr, size_t osize, size_t nsize);

/* an allocator and its user data, for the core functions that allocate
** (a binding passes its Lua state's, so a memory limit covers them); a
** NULL lm_alloc * means malloc/free */
typedef struct lm_alloc {
  lm_allocf f;
  void *ud;
} lm_alloc;

/* ---- views ---------------------------------------------------------- */

/* a contiguous row-major view of a buffer of rows*cols doubles */
lm_mat lm_dense(double *data, int rows, int cols);
/* 1 when the view is contiguous row-major (rs == cols, cs == 1 or trivial) */
int lm_is_rowmajor(const lm_mat *m);
/* 1 when the view is contiguous column-major (a transposed dense view) */
int lm_is_colmajor(const lm_mat *m);
/* total element count, or 0 for empty */
size_t lm_size(const lm_mat *m);

/* ---- broadcasting --------------------------------------------------- */

/* numpy's rule in 2-D: per dimension equal, or one of them 1.
** Sets *r, *c to the result shape; returns 1 when compatible, 0 when not. */
int lm_broadcast_shape(int ar, int ac, int br, int bc, int *r, int *c);
/* a view of a with shape (r, c), size-1 dimensions given stride 0;
** the shape must be broadcast-compatible (kernel contract). */
lm_mat lm_broadcast_to(const lm_mat *a, int r, int c);

/* ---- elementwise ---------------------------------------------------- */

/* the operations, in the order of core_ops.h's rows */
#define LM_ENUM_(E, ...) LM_##E,
typedef enum { LM_BINOPS(LM_ENUM_) LM_NBINOP } lm_binop;
typedef enum { LM_UNOPS(LM_ENUM_) LM_NUNOP } lm_unop;

/* out = a op b, all three views of out's shape (broadcast views allowed for
** a and b).  out may be a or b itself (same data and strides), not a
** partially overlapping view. */
void lm_binary(lm_binop op, const lm_mat *a, const lm_mat *b, const lm_mat *out);
/* out = a op s (s_left == 0) or s op a (s_left != 0) */
void lm_binary_scalar(lm_binop op, const lm_mat *a, double s, int s_left,
                      const lm_mat *out);
/* out = f(a); out may be a itself */
void lm_unary(lm_unop op, const lm_mat *a, const lm_mat *out);
/* out = min(max(a, lo), hi) */
void lm_clip(const lm_mat *a, double lo, double hi, const lm_mat *out);
/* y += alpha * x (x broadcast to y's shape) */
void lm_axpy(double alpha, const lm_mat *x, const lm_mat *y);
/* out = v */
void lm_fill(const lm_mat *out, double v);
/* out = a (a broadcast to out's shape) */
void lm_copy(const lm_mat *a, const lm_mat *out);
/* the scalar function behind each op (used for numbers in, number out) */
double lm_binop_scalar(lm_binop op, double x, double y);
double lm_unop_scalar(lm_unop op, double x);
/* the derivative kernels (ml.grad's backward pass), from core_ops.h's
** rows: out = g * f'(x) where y = f(x) (x, y, g, out of one shape);
** out = g * d(a op b)/da (side 0) or d(a op b)/db (side 1) where z =
** a op b (a, b broadcast views of out's shape, z, g and out of that
** shape).  out may be g itself.  A constant op gives zeros. */
void lm_unary_grad(lm_unop op, const lm_mat *x, const lm_mat *y,
                   const lm_mat *g, const lm_mat *out);
void lm_binary_grad(lm_binop op, int side, const lm_mat *a, const lm_mat *b,
                    const lm_mat *z, const lm_mat *g, const lm_mat *out);
/* 1 when ml.grad differentiates op (kind D of core_ops.h), 0 when its
** result is a constant */
int lm_unop_differentiable(lm_unop op);
int lm_binop_differentiable(lm_binop op);

/* ---- reductions ----------------------------------------------------- */

typedef enum { LM_REDOPS(LM_ENUM_) LM_NREDOP } lm_redop;

/* reduce all elements.  argmax/argmin give the 1-based row-major position
** (0 for an empty matrix: callers reject empty input for max/min/arg*);
** var/std use ddof (population statistics when 0); mean of nothing is NaN. */
double lm_reduce_all(lm_redop op, const lm_mat *a, double ddof);
/* axis 1 collapses rows (out is 1 x cols), axis 2 collapses columns
** (out is rows x 1).  out must not overlap a. */
void lm_reduce_axis(lm_redop op, const lm_mat *a, int axis, double ddof,
                    const lm_mat *out);
/* cumulative sum along axis (1: down the rows, 2: along the columns);
** out may be a itself */
void lm_cumsum(const lm_mat *a, int axis, const lm_mat *out);

/* ---- products (BLAS) ------------------------------------------------ */

/* out = alpha * a @ b + beta * out; a (m,k), b (k,n), out (m,n).
** Views that are row- or column-major (rs >= cols with cs == 1, or the
** transpose; slices of dense matrices qualify) go to BLAS as they are, with
** transpose flags; others (arbitrary, negative or 0 strides) are packed into
** scratch, and an out that BLAS cannot write is computed in scratch and
** copied back.  lm_gemm_scratch() gives the doubles needed: m*k for a, k*n
** for b, m*n for out, each only when packed; scratch may be NULL when it
** returns 0.  k == 0 or alpha == 0 give out = beta * out; beta == 0 ignores
** out's old contents (NaN included), as in BLAS.  out must not overlap a
** or b.  Returns LM_OK, or LM_ENOLIB when the product needs BLAS and it
** cannot be loaded (small and skinny products never do). */
size_t lm_gemm_scratch(const lm_mat *a, const lm_mat *b, const lm_mat *out);
int lm_gemm(double alpha, const lm_mat *a, const lm_mat *b, double beta,
            const lm_mat *out, double *scratch);
/* *sum = sum of a .* b over all elements (a and b of one shape); LM_OK,
** or LM_ENOLIB when BLAS cannot be loaded */
int lm_inner(const lm_mat *a, const lm_mat *b, double *sum);

/* BLAS and LAPACKE are loaded at their first use (core_blasdl.c): these
** load them once and say whether they are there; lm_lib_error tells why
** one is not ("" when both are). */
int lm_blas_ready(void);
int lm_lapacke_ready(void);
const char *lm_lib_error(void);
/* the BLAS loaded: its name, and for OpenBLAS its version, build and core
** ("" when none can be loaded) */
const char *lm_blas_id(void);

/* ---- ML kernels ----------------------------------------------------- */

/* softmax (log_softmax when log != 0) along axis (2: each row sums to 1,
** 1: each column); max-subtracted, stable.  out may be a. */
void lm_softmax(const lm_mat *a, int axis, int log, const lm_mat *out);
/* mean binary cross-entropy of probabilities a against targets y (same
** shape); finite at a = 0 or 1 (log clamped at DBL_MIN). */
double lm_bce(const lm_mat *a, const lm_mat *y);
/* mean over samples (rows when axis 2) of -sum t*log(p); t is one-hot of
** p's shape (labels == 0) or, when labels != 0, holds class values 0..k-1,
** one per sample.  Returns NaN when a label is out of range (callers check). */
double lm_cross_entropy(const lm_mat *p, const lm_mat *t, int labels, int axis);
/* the same from logits through a fused stable log-softmax; when grad is not
** NULL it receives d(loss)/d(logits) = (softmax - onehot) / n. */
double lm_softmax_xent(const lm_mat *z, const lm_mat *t, int labels, int axis,
                       const lm_mat *grad);
/* mean squared error (shapes equal) */
double lm_mse(const lm_mat *a, const lm_mat *b);
/* R^2 = 1 - SS_res/SS_tot of prediction yhat against y */
double lm_r2(const lm_mat *y, const lm_mat *yhat);
/* one-hot: labels (n values 0..k-1 in any 1-D view), out n x k.
** Returns the 0-based position of the first bad label, or -1 when all ok. */
ptrdiff_t lm_one_hot(const lm_mat *labels, int k, const lm_mat *out);

/* ---- linear algebra (LAPACKE) --------------------------------------- */
/* Each takes contiguous row-major inputs the caller has copied (LAPACK
** overwrites them) and returns LM_OK or an LM_E* code.  Unlike the kernels
** above, solve, inv, eigh, svd and lstsq allocate LAPACK's workspace, all
** of it through al (NULL: malloc), and free it before they return
** (LM_ENOMEM when al refuses; they never print).  LM_ETOOBIG: a workspace
** or a size that LAPACK's 32-bit integers cannot express, found before
** LAPACK is called.  Input that would be read and is NaN or +-inf
** gives LM_EARG and nothing is computed.  cholesky and eigh read only the
** lower triangle.  det of a singular matrix is 0 with LM_OK; solve and
** inv give LM_ESINGULAR also for a matrix singular to working precision
** (reciprocal condition number, dgecon, below DBL_EPSILON).  LM_ENOLIB:
** BLAS or LAPACKE cannot be loaded. */
int lm_solve(double *a /* (n,n) overwritten */, int n,
             double *b /* (n,nrhs) overwritten with x */, int nrhs,
             int *ipiv /* (n) */, const lm_alloc *al);
int lm_inv(double *a /* (n,n) overwritten */, int n, int *ipiv,
           const lm_alloc *al);
int lm_det(double *a /* (n,n) overwritten */, int n, int *ipiv, double *det);
int lm_cholesky(double *a /* (n,n) overwritten with lower L */, int n);
int lm_eigh(double *a /* (n,n) overwritten with eigenvectors (columns) */, int n,
            double *w /* (n) eigenvalues ascending */, const lm_alloc *al);
/* thin SVD of a (m,n): u (m,p), s (p), vt (p,n), p = min(m,n), s
** descending.  dgesdd, then dgesvd if it does not converge; superb may be
** NULL, else it receives dgesvd's unconverged superdiagonal (p-1). */
int lm_svd(double *a /* (m,n) destroyed */, int m, int n, double *u, double *s,
           double *vt, double *superb /* (p) */, const lm_alloc *al);
/* least squares min ||a x - b|| via SVD (dgelsd); x is the top n rows of b
** (minimum-norm when rank deficient; rows m.. of b need not be set).
** rank receives the effective rank; rcond < 0 uses machine precision. */
int lm_lstsq(double *a /* (m,n) */, int m, int n, double *b /* (max(m,n),nrhs) */,
             int nrhs, double rcond, double *s /* (min(m,n)) */, int *rank,
             const lm_alloc *al);

/* ---- selection and ordering (core_sel.c) ---------------------------- */

/* out = cond != 0 ? a : b; cond, a, b views of out's shape (broadcast
** allowed); NaN in cond is true.  out may be a or b. */
void lm_where(const lm_mat *cond, const lm_mat *a, const lm_mat *b,
              const lm_mat *out);
/* nonzero elements of m (NaN counts) */
size_t lm_count_nonzero(const lm_mat *m);
/* rows (axis 1) or columns (axis 2) of a whose entry of the vector mask
** (a->rows or a->cols entries) is nonzero, in order, into out */
void lm_mask_lines(const lm_mat *a, const lm_mat *mask, int axis,
                   const lm_mat *out);
/* out[0..] = elements of a where mask (a's shape) is nonzero, row-major */
void lm_mask_elems(const lm_mat *a, const lm_mat *mask, double *out);
/* stable sort of each column (axis 1) or row (axis 2), NaN last: out
** (a's shape, not overlapping a) gets the values, or with arg the 1-based
** positions; scratch (2 * line length) */
void lm_sort(const lm_mat *a, int axis, int arg, const lm_mat *out,
             size_t *scratch);
/* x[0..n-1] (overwritten) -> its u sorted distinct values in x[0..u-1],
** their counts in counts[0..u-1] (n entries); NaNs are one value, last;
** scratch (2n).  Returns u. */
size_t lm_unique(double *x, size_t n, double *counts, size_t *scratch);
/* numpy's median (median != 0) or linear q-quantile of each column (axis
** 1, out 1 x cols) or row (axis 2, out rows x 1); NaN in a line gives NaN,
** an empty line NaN; scratch (line length), by selection, O(n) a line */
void lm_quantile(const lm_mat *a, int axis, double q, int median,
                 const lm_mat *out, double *scratch);
/* cumulative product along axis (1: down the rows, 2: along the columns);
** out may be a itself */
void lm_cumprod(const lm_mat *a, int axis, const lm_mat *out);
/* numpy's allclose over a and b (one shape, broadcast views allowed) */
int lm_allclose(const lm_mat *a, const lm_mat *b, double rtol, double atol);

/* ---- random numbers ------------------------------------------------- */

/* Two generators behind one handle: xoshiro256** seeded through
** splitmix64 (the default: the same seed gives the same stream on every
** machine), or numpy's legacy RandomState (MT19937 seeded as
** np.random.seed(n), with numpy's algorithms for each draw, so the values
** equal numpy's to the last bit on the same C library).  The functions
** below follow the generator last seeded. */
enum { LM_RNG_XOSHIRO = 0, LM_RNG_NUMPY = 1 };
#define LM_MT_N 624
typedef struct lm_rng {
  uint64_t s[4];            /* xoshiro256** state */
  double spare;             /* the cached second normal of a pair */
  int has_spare;
  int kind;                 /* LM_RNG_XOSHIRO or LM_RNG_NUMPY */
  int mtpos;                /* next word of mt (LM_MT_N: regenerate) */
  uint32_t mt[LM_MT_N];     /* MT19937 state */
} lm_rng;
void lm_rng_seed(lm_rng *r, uint64_t seed);
/* numpy's np.random.seed(seed) for 0 <= seed < 2^32 (init_genrand) */
void lm_rng_seed_numpy(lm_rng *r, uint32_t seed);
uint64_t lm_rng_next(lm_rng *r);
double lm_rng_uniform(lm_rng *r);       /* [0, 1) with 53 random bits */
double lm_rng_normal(lm_rng *r);        /* standard normal (Marsaglia polar) */
uint64_t lm_rng_below(lm_rng *r, uint64_t n);  /* uniform in [0, n), unbiased */
void lm_rng_fill_uniform(lm_rng *r, const lm_mat *out, double lo, double hi);
void lm_rng_fill_normal(lm_rng *r, const lm_mat *out, double mean, double sd);
/* perm[0..n-1] = a uniform random permutation of 1..n (Fisher-Yates;
** n <= INT_MAX) */
void lm_rng_permutation(lm_rng *r, double *perm, size_t n);
/* shuffle m's rows in place, with the draws of permutation(m->rows) */
void lm_rng_shuffle_rows(lm_rng *r, const lm_mat *m);
/* out[0..k-1] = k draws from 1..n: with replacement, k draws of below(n)
** + 1 (numpy's randint(0, n, k)); without (k <= n), the first k of a
** permutation of 1..n written into perm (n doubles of scratch), as
** numpy's choice(n, k, replace=False) does.  out may be perm. */
void lm_rng_choice(lm_rng *r, size_t n, size_t k, int replace,
                   double *out, double *perm);

#endif
