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
#define LM_HAVE_CLONES 1  /* and target attributes, __builtin_cpu_supports */
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
/* lm_gemm_small for n <= 16 and k <= 64 with the kernel of instruction
** set isa (LM_ISA_AVX512, LM_ISA_AVX2; any other: SSE2, or plain vectors
** elsewhere; LM_ISA_BEST: the best this CPU runs, as lm_gemm_small), for
** the tests: the same numbers on every one.  Returns 0 (touching nothing)
** when the product is not that small or this CPU lacks isa. */
int lm_gemm_tiny(int isa, double alpha, const lm_mat *a, const lm_mat *b,
                 double beta, const lm_mat *out);
/* 1 when lm_gemm_small computes a (m,k) @ b (k,n) into out (m,n) */
#define LM_GEMM_IS_SMALL(a, out)                                             \
  ((double)(out)->rows * (out)->cols * (a)->cols <= LM_GEMM_SMALL &&         \
   (out)->cols <= LM_GEMM_SMALLN)

/* out (m,n) = alpha * a (m,k) @ b (k,n) + beta * out for the skinny
** products of gradient descent on N x D data, n <= LM_SKINNY_N columns:
**  - X v (one column, two rows or more): a with unit column stride; eight
**    rows of X at a time, each read once, in order, each load of v
**    serving the eight; the sums as in X W below, so the bits do not
**    depend on the grouping (dgemv in BLAS);
**  - X W: a with unit column stride and n >= 4 (2 and 3 columns go to
**    BLAS's dgemm): each output row the dot products of a row of X
**    (read once, in order) with the packed columns of b, in eight lanes
**    added in a fixed tree; where b's columns are rows in memory already
**    (unit row stride: b = W^T of a layer's row-major weights) they are
**    read in place, with no limit on k and up to 32 columns (the input
**    layer of a network on images: X (N, 12288) W^T);
**  - X^T G: a with unit row stride (a transposed view of X) and b with
**    unit column stride: X is read once, in order, in blocks of its rows;
**    each block's partial X_blk^T G_blk (one thread's, in order over the
**    block's rows) goes to its own buffer, and the partials are added in
**    block order.  The blocks depend on N alone, never on the threads.
**    X^T d (one column) runs its own loop, with the same sums: eight rows
**    at a time over their whole length, the block's partial in the
**    first-level cache.
** So the numbers do not depend on the threads, and the design does not
** depend on one cache hierarchy (no slices of rows, no tiles to fit).
** Same contract as lm_gemm_small; returns 0 (touching nothing) for other
** shapes, layouts or sizes, or when the partials cannot be allocated. */
#define LM_SKINNY_N 16
int lm_gemm_skinny(double alpha, const lm_mat *a, const lm_mat *b,
                   double beta, const lm_mat *out);

/* ---- which kernel: ours or the library's ---------------------------- */

/* A product that lm_gemm_skinny could compute may also go to BLAS; which
** of the two runs is chosen per kind of product (LM_K_XW: X W; LM_K_XTD:
** X^T d, one column, dgemv in BLAS; LM_K_XTG: X^T G, 2 to 16 columns,
** dgemm in BLAS; LM_K_XV: X v, one column, dgemv in BLAS) and size class
** (of m*n*k), once per machine:
**
** - A kind and class with no choice yet is measured on the caller's own
**   products, one kind and class at a time (the other undecided ones
**   meanwhile run the path of its current step, so that a step is ours
**   alone or BLAS alone: OpenBLAS's threads spin for a while after each
**   call, and our pool's threads working beside them on 2 cores ran
**   X^T d up to 1.5 times slower than alone).  Those that followed it
**   through its whole measurement (at least LM_KSAMPLES - 1 periods of
**   each path) keep its choice with it: what was timed was their steps
**   too.  The others are measured afterwards, in turn, beside the choices
**   made:
**   2 + 2 * LM_KSAMPLES calls run ours and BLAS in the order ours,
**   BLAS, BLAS, ours, ours, BLAS ..., the first of each path untimed (it
**   starts threads, loads the library).
**   What is timed is the period from the start of a call to the start of
**   the next call of the same kind and class: in a training loop, one
**   step, so that what a path costs the work around it (another pool of
**   threads still spinning, caches) counts too.  lm_kernel_choose keeps
**   ours only when its median beats BLAS's by LM_KMARGIN.  A measurement
**   whose calls stop (none for LM_KSTALE seconds, while other kinds made
**   LM_KWAITS calls) gives way to another kind.
** - The choice is written to a small cache file, one line per kind and
**   class under a key of the CPU model, the BLAS (version and core for
**   OpenBLAS), the threads and the revision of our kernels (LM_KCACHE_REV,
**   counted up with every change to them), and later processes on the machine read it
**   there instead of measuring.  The file: LUAML_KERNEL_CACHE if set
**   ("off" or "": none), else $XDG_CACHE_HOME/luaml/kernels, else
**   $HOME/.cache/luaml/kernels.  A file that cannot be read or written
**   only means measuring in each process.
** - Until a choice is made (and with no cache) BLAS runs: a kernel of ours
**   replaces a library call only where it was measured faster.
** - LUAML_KERNEL=own|blas in the environment forces one path (to compare
**   them, or in tests); it neither reads nor writes the cache.
** Thread-safe. */
enum { LM_K_XW, LM_K_XTD, LM_K_XTG, LM_K_XV, LM_NKERN };
#define LM_KCLASSES 3    /* m*n*k below 2^21, below 2^24, above */
#define LM_KSAMPLES 7    /* calls timed per path */
#define LM_KMARGIN 0.05  /* ours must be this much faster (median) */
#define LM_KSTALE 1.0    /* seconds without a call: a measurement gives way */
#define LM_KWAITS 8      /* ... and calls of other kinds meanwhile */
#define LM_KCACHE_REV 3  /* the kernels' revision, in the cache's key */
enum { LM_KPATH_BLAS = 0, LM_KPATH_OWN = 1 };

/* LM_KPATH_OWN when our kernel is to be kept, from n periods (seconds per
** multiply-add) of each path: the median of ours at least LM_KMARGIN
** below BLAS's.  Non-positive and NaN times are failed measurements and
** are skipped; a path with none loses, BLAS when neither has any. */
int lm_kernel_choose(const double *own, const double *blas, int n);

/* The kind (LM_K_*) and size class of a product lm_gemm_skinny computes,
** or -1 when it does not (then BLAS, or the small kernel, runs). */
int lm_kernel_kind(const lm_mat *a, const lm_mat *b, const lm_mat *out,
                   int *cls);
/* the path (LM_KPATH_*) of the next product of that kind and class, of
** madds multiply-adds; called at the start of the product */
int lm_kernel_path(int kind, int cls, double madds);

/* The state of one kind and class, for reports: *path the choice
** (LM_KPATH_*) or -1 while undecided; the median seconds per multiply-add
** each path was measured at (0: not measured); how the choice was made:
** "measured", "cached" (read from the cache), "forced", "measuring",
** "default" (BLAS while another kind measures), "no BLAS" (none can be
** loaded: ours, always), "not yet used".
** lm_kernel_reset forgets every choice and reads the environment and the
** cache again (tests). */
const char *lm_kernel_state(int kind, int cls, int *path, double *own,
                            double *blas);
void lm_kernel_reset(void);
const char *lm_kernel_name(int kind);
/* the cache file in use, NULL for none (LUAML_KERNEL_CACHE=off, no home,
** or the default path not allowed) */
const char *lm_kernel_cache(void);
/* The default path ($XDG_CACHE_HOME/luaml/kernels, ~/.cache/luaml/kernels)
** is used only once allowed: the luaml program and the Lua module loaded
** by a stock interpreter allow it; a C host's states (luaml_newstate) do
** not, so an embedding writes no file unless LUAML_KERNEL_CACHE names one.
** Process-wide, like the choices themselves. */
void lm_kernel_cache_allow(int on);
/* the clock the measurement reads (seconds; NULL: the monotonic clock) */
void lm_kernel_setclock(double (*clock)(void));

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
