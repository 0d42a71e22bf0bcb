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
** contents, as BLAS does.  Each element is summed over k in order; where
** that sum is not finite (an intermediate product overflowed, or the
** inputs hold inf or NaN), it is redone as the in-order chain
** s = fma(a_ik, b_kj, s), which the BLAS path and numpy give where their
** library fuses the multiply-add: 1e308 * 1.5 + 1e308 * -2 is -5e307 (the
** skinny kernels below do the same).  Returns 1 when it computed the
** product, 0 (touching nothing) when the product is not small: then call
** BLAS. */
#define LM_GEMM_SMALL 13824  /* 24^3 */
#define LM_GEMM_SMALLN 256
int lm_gemm_small(double alpha, const lm_mat *a, const lm_mat *b, double beta,
                  const lm_mat *out);

/* out (m,n) = alpha * a (m,k) @ b (k,n) + beta * out for the skinny
** products of gradient descent on N x D data, n <= LM_SKINNY_N columns:
**  - X W: a with unit column stride and n >= 4 (below 4 columns OpenBLAS's
**    dgemv is as fast): each output row the dot products of a row of X
**    (read once, in order) with the packed columns of b, in eight lanes
**    added in a fixed tree;
**  - X^T G: a with unit row stride (a transposed view of X) and b with
**    unit column stride: X is read once, in order, in blocks of its rows;
**    each block's partial X_blk^T G_blk (one thread's, in order over the
**    block's rows) goes to its own buffer, and the partials are added in
**    block order.  The blocks depend on N alone, never on the threads.
** So the numbers do not depend on the threads, and the design does not
** depend on one cache hierarchy (no slices of rows, no tiles to fit).
** Same contract as lm_gemm_small; returns 0 (touching nothing) for other
** shapes, layouts or sizes, or when the partials cannot be allocated. */
#define LM_SKINNY_N 16
int lm_gemm_skinny(double alpha, const lm_mat *a, const lm_mat *b,
                   double beta, const lm_mat *out);

/* ---- which kernel: ours or the library's ---------------------------- */

/* A product that lm_gemm_skinny could compute may also go to BLAS; which
** of the two runs is chosen per kind of product (LM_K_XW, LM_K_XTG) and
** size class (of m*n*k) by a measurement made in this process: the first
** 2 * (LM_KSAMPLES + 1) such products alternate between the two paths
** (each computes the caller's product: the measurement costs no extra
** work), the first of each path untimed (it starts threads, loads the
** library), the others' times per multiply-add kept, and lm_kernel_choose
** decides.  Until then the two paths' results may differ in rounding.
** The choice then holds for the process (no file is read or written: an
** embedded state must not touch files).  LUAML_KERNEL=own|blas in the
** environment forces one path (to compare them, or in tests);
** LUAML_KERNEL=auto (or unset) measures.  Thread-safe. */
enum { LM_K_XW, LM_K_XTG, LM_NKERN };
#define LM_KCLASSES 3    /* m*n*k below 2^21, below 2^24, above */
#define LM_KSAMPLES 5    /* calls timed per path */
enum { LM_KPATH_BLAS = 0, LM_KPATH_OWN = 1 };

/* 1 (LM_KPATH_OWN) when our kernel is to be kept, from the seconds per
** multiply-add of n timed calls of each path: the faster best time wins,
** ours on a tie (it needs no library).  A non-positive or NaN time is a
** failed measurement and is skipped; a path with none loses. */
int lm_kernel_choose(const double *own, const double *blas, int n);

/* The kind (LM_K_*) and size class of a product lm_gemm_skinny computes,
** or -1 when it does not (then BLAS, or the small kernel, runs). */
int lm_kernel_kind(const lm_mat *a, const lm_mat *b, const lm_mat *out,
                   int *cls);
/* the path for the next product of that kind and class; *timed set to 1
** when its time is to be reported with lm_kernel_note */
int lm_kernel_path(int kind, int cls, int *timed);
/* record the seconds a timed call took on path (madds: multiply-adds) */
void lm_kernel_note(int kind, int cls, int path, double seconds,
                    double madds);

/* The state of one kind and class, for reports: *path the choice
** (LM_KPATH_*) or -1 while measuring; best seconds per multiply-add seen
** on each path (0: none); how the choice was made ("forced", "measured",
** "measuring", "no library").  Resetting forgets every measurement (tests). */
const char *lm_kernel_state(int kind, int cls, int *path, double *own,
                            double *blas);
void lm_kernel_reset(void);
const char *lm_kernel_name(int kind);

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

/* ---- cancellation (time_limit) -------------------------------------------
** A deadline for the long work of the calling thread: lm_parallel, with
** a deadline set, hands its work out in pieces of at most LM_CANCEL_UNITS
** elements (also when it runs on the caller alone) and, once the deadline
** has passed, hands out no more: the kernel returns early with its output
** partly written, and lm_cancelled() is 1.  The binding sets the calling
** state's deadline before each piece of C work (lmL_charge) and raises
** the time-limit error when lm_cancelled() says so.  It is a thread-local
** value, not a pointer into the state: the core keeps no per-state data
** and needs no Lua, no kernel's signature changes, and a state closed or
** moved to another thread leaves nothing behind to dangle.  Pool threads
** get the deadline with the job. */
#define LM_CANCEL_UNITS ((size_t)1 << 20)  /* elements between two checks */
/* seconds of CLOCK_MONOTONIC */
double lm_now(void);
/* Set this thread's deadline (CLOCK_MONOTONIC seconds, 0 = none) and clear
** its cancelled flag. */
void lm_set_deadline(double t);
/* this thread's deadline, 0 = none */
double lm_deadline(void);
/* 1 when work of this thread stopped early since lm_set_deadline */
int lm_cancelled(void);
/* For long loops outside lm_parallel: 1 (and the cancelled flag set) when
** this thread's deadline has passed; 0 at once when it has none. */
int lm_past_deadline(void);

#endif
