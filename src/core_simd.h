/*
** core_simd.h -- luaml numeric core, internal: vectorised elementary
** functions over contiguous arrays, chosen at run time for the CPU, and
** the thread helpers of the elementwise and reduction kernels.  Not
** installed; used by core_ew.c, core_red.c and the C tests.
*/
#ifndef LUAML_CORE_SIMD_H
#define LUAML_CORE_SIMD_H

#include <stddef.h>

/* A function compiled for three instruction sets (x86-64-v4: AVX-512;
** v3: AVX2; the baseline: SSE2), the one for this CPU chosen when the
** program loads (an ifunc): loops written plainly are vectorised in each. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    defined(__linux__)
#define CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

/* Instruction-set levels of the vector functions. */
enum { LM_ISA_BEST = -1, LM_ISA_SCALAR = 0, LM_ISA_SSE2, LM_ISA_AVX2,
       LM_ISA_AVX512, LM_NISA };

/* the logistic function 1 / (1 + exp(-x)), stable for either sign */
double lm_sigmoid1(double x);

/* the vectorised functions */
typedef enum { LM_VEXP, LM_VLOG, LM_VSIGMOID, LM_VTANH, LM_NVFN } lm_vfn;

/* z[i] = f(x[i]) for i < n; z may be x (not a partial overlap).
** LM_ISA_SCALAR is the plain libm loop; the others use SLEEF's u10
** functions (max error 1.0 ulp of the exact result) for arguments where
** the result is finite and normal, and libm for all others (NaN, +-inf,
** overflow, underflow, 0, negatives of log, -0), so that every special
** value is exactly libm's.  A value's result does not depend on its
** position in x, so every layout of a matrix gives the same numbers. */
void lm_vmath(lm_vfn f, int isa, const double *x, double *z, size_t n);
/* the best level this CPU (and this build) runs */
int lm_isa_best(void);
/* its name, "avx512" ... "scalar" */
const char *lm_isa_name(int isa);

/* ---- small products ---------------------------------------------------- */

/* out (m,n) = alpha * a (m,k) @ b (k,n) + beta * out for products small
** enough (m*n*k <= LM_GEMM_SMALL, n <= LM_GEMM_SMALLN) that a BLAS call's
** fixed cost (argument checks, packing, locks) outweighs the arithmetic.
** Any strides; out must not overlap a or b; beta == 0 ignores out's old
** contents, as BLAS does.  Each element is summed over k in order.
** Returns 1 when it computed the product, 0 (touching nothing) when the
** product is not small: then call BLAS. */
#define LM_GEMM_SMALL 13824  /* 24^3 */
#define LM_GEMM_SMALLN 256
int lm_gemm_small(double alpha, const lm_mat *a, const lm_mat *b, double beta,
                  const lm_mat *out);

/* out (m,n) = alpha * a (m,k) @ b (k,n) + beta * out for the skinny
** products of gradient descent on N x D data, n <= LM_SKINNY_N columns:
** a with unit column stride and n >= 4 (X W: each output row the dot
** products of a row of X; below 4 columns OpenBLAS's dgemv is as fast),
** or a with unit row stride and b with unit column stride
** (X^T G through a transposed view: X is read row by row).  Each element
** is one thread's in-order sum over k (in eight lanes for X W), so the
** numbers do not depend on the threads.  Same contract as lm_gemm_small;
** returns 0 (touching nothing) for other shapes, layouts or sizes. */
#define LM_SKINNY_N 16
int lm_gemm_skinny(double alpha, const lm_mat *a, const lm_mat *b,
                   double beta, const lm_mat *out);

/* ---- threads ---------------------------------------------------------- */

/* Elements of work from which a kernel splits across threads: below it a
** kernel runs on the calling thread and never touches the thread pool. */
#define LM_PAR_MIN_MEM  ((size_t)1 << 17)  /* memory-bound (add, sum ...) */
#define LM_PAR_MIN_MATH ((size_t)1 << 14)  /* exp, log, sigmoid, tanh */

/* fn(ctx, lo, hi) does units lo..hi-1 of some work */
typedef void (*lm_rangefn)(void *ctx, size_t lo, size_t hi);

/* Run fn over [0, n) units of work of cost elements each: all on the
** calling thread when n * cost < 2 * min (or when the pool of threads is
** busy), else in pieces (multiples of align units) handed out to the
** caller and the pool's threads as they come free, so that a thread the
** system holds up delays the whole by one piece at most.  fn must compute
** the same numbers whichever thread runs which piece. */
void lm_parallel(size_t n, size_t cost, size_t min, size_t align,
                 lm_rangefn fn, void *ctx);

#endif
