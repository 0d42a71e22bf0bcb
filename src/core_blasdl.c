/*
** core_blasdl.c -- OpenBLAS and LAPACKE loaded at the first product or
** factorisation instead of at start-up.  Linked at start-up they brought
** eight libraries (libgfortran, the reference-LAPACK shims ...) and some
** 20,000 relocations, about half of the time of `luaml -e ''`, and
** OpenBLAS started its threads in every process, used or not.
**
** The functions below have the names and prototypes (from <cblas.h> and
** <lapacke.h>) of the few that core_la.c calls, so core_la.c is written
** as against the libraries themselves.  Each loads the libraries once
** (pthread_once), then forwards to the real function.  They are hidden:
** not exported from libluaml.so or the executable, so no other library
** of the process ever binds to them.  The libraries are the ones luaml
** was built against (LM_OPENBLAS_SONAME, LM_LAPACKE_SONAME, from the
** Makefile).  Failing to load them ends the process with a message, as
** the dynamic loader did when they were linked.
*/
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <cblas.h>
#include <lapacke.h>

#ifndef LM_OPENBLAS_SONAME
#define LM_OPENBLAS_SONAME "libopenblas.so.0"
#endif
#ifndef LM_LAPACKE_SONAME
#define LM_LAPACKE_SONAME "liblapacke.so.3"
#endif

/* the functions core_la.c calls, by library */
#define LM_CBLAS_FUNCS(X) X(cblas_ddot) X(cblas_dgemv) X(cblas_dgemm) X(cblas_dtrsm)
#define LM_LAPACKE_FUNCS(X)                                                  \
  X(LAPACKE_dgetrf_work) X(LAPACKE_dgetri_work) X(LAPACKE_dpotrf_work)       \
  X(LAPACKE_dsyevd_work) X(LAPACKE_dgesdd_work) X(LAPACKE_dgesvd_work)       \
  X(LAPACKE_dgelsd_work)

static struct {
#define LM_BLAS_FIELD(f) __typeof__(f) *f;
  LM_CBLAS_FUNCS(LM_BLAS_FIELD)
  LM_LAPACKE_FUNCS(LM_BLAS_FIELD)
#undef LM_BLAS_FIELD
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;

#define STR_(x) #x
#define STR(x) STR_(x)  /* the name after macro expansion */

/* dlopen soname, or end the process saying why */
static void *open_or_die(const char *soname) {
  void *h = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
  if (h == NULL) {
    fprintf(stderr, "luaml: cannot load %s (%s)\n", soname, dlerror());
    abort();
  }
  return h;
}

/* the address of name in h, or end the process saying it is missing */
static void *sym_or_die(void *h, const char *soname, const char *name) {
  void *p = dlsym(h, name);
  if (p == NULL) {
    fprintf(stderr, "luaml: %s has no %s\n", soname, name);
    abort();
  }
  return p;
}

/* open both libraries and fill the table (run once) */
static void load(void) {
  void *blas = open_or_die(LM_OPENBLAS_SONAME);
  void *lapacke = open_or_die(LM_LAPACKE_SONAME);
#define LM_BLAS_SYM(f) *(void **)&api.f = sym_or_die(blas, LM_OPENBLAS_SONAME, STR(f));
  LM_CBLAS_FUNCS(LM_BLAS_SYM)
#undef LM_BLAS_SYM
#define LM_LAPACKE_SYM(f) *(void **)&api.f = sym_or_die(lapacke, LM_LAPACKE_SONAME, STR(f));
  LM_LAPACKE_FUNCS(LM_LAPACKE_SYM)
#undef LM_LAPACKE_SYM
}

/* The stand-ins: ret f params { load once; return the real f args }. */
#define LM_HIDDEN __attribute__((visibility("hidden")))
#define LM_FORWARD(ret, f, params, args)                                     \
  LM_HIDDEN ret f params {                                                   \
    pthread_once(&once, load);                                               \
    return api.f args;                                                       \
  }
#define LM_FORWARD_VOID(f, params, args)                                     \
  LM_HIDDEN void f params {                                                  \
    pthread_once(&once, load);                                               \
    api.f args;                                                              \
  }

typedef const enum CBLAS_ORDER Ord;
typedef const enum CBLAS_TRANSPOSE Tr;
typedef const blasint Bi;

LM_FORWARD(double, cblas_ddot,
  (Bi n, const double *x, Bi incx, const double *y, Bi incy),
  (n, x, incx, y, incy))

LM_FORWARD_VOID(cblas_dgemv,
  (Ord order, Tr trans, Bi m, Bi n, const double alpha, const double *a,
   Bi lda, const double *x, Bi incx, const double beta, double *y, Bi incy),
  (order, trans, m, n, alpha, a, lda, x, incx, beta, y, incy))

LM_FORWARD_VOID(cblas_dgemm,
  (Ord order, Tr ta, Tr tb, Bi m, Bi n, Bi k, const double alpha,
   const double *a, Bi lda, const double *b, Bi ldb, const double beta,
   double *c, Bi ldc),
  (order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc))

LM_FORWARD_VOID(cblas_dtrsm,
  (Ord order, const enum CBLAS_SIDE side, const enum CBLAS_UPLO uplo, Tr ta,
   const enum CBLAS_DIAG diag, Bi m, Bi n, const double alpha,
   const double *a, Bi lda, double *b, Bi ldb),
  (order, side, uplo, ta, diag, m, n, alpha, a, lda, b, ldb))

LM_FORWARD(lapack_int, LAPACKE_dgetrf_work,
  (int layout, lapack_int m, lapack_int n, double *a, lapack_int lda,
   lapack_int *ipiv),
  (layout, m, n, a, lda, ipiv))

LM_FORWARD(lapack_int, LAPACKE_dgetri_work,
  (int layout, lapack_int n, double *a, lapack_int lda,
   const lapack_int *ipiv, double *work, lapack_int lwork),
  (layout, n, a, lda, ipiv, work, lwork))

LM_FORWARD(lapack_int, LAPACKE_dpotrf_work,
  (int layout, char uplo, lapack_int n, double *a, lapack_int lda),
  (layout, uplo, n, a, lda))

LM_FORWARD(lapack_int, LAPACKE_dsyevd_work,
  (int layout, char jobz, char uplo, lapack_int n, double *a,
   lapack_int lda, double *w, double *work, lapack_int lwork,
   lapack_int *iwork, lapack_int liwork),
  (layout, jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork))

LM_FORWARD(lapack_int, LAPACKE_dgesdd_work,
  (int layout, char jobz, lapack_int m, lapack_int n, double *a,
   lapack_int lda, double *s, double *u, lapack_int ldu, double *vt,
   lapack_int ldvt, double *work, lapack_int lwork, lapack_int *iwork),
  (layout, jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork))

LM_FORWARD(lapack_int, LAPACKE_dgesvd_work,
  (int layout, char jobu, char jobvt, lapack_int m, lapack_int n,
   double *a, lapack_int lda, double *s, double *u, lapack_int ldu,
   double *vt, lapack_int ldvt, double *work, lapack_int lwork),
  (layout, jobu, jobvt, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork))

LM_FORWARD(lapack_int, LAPACKE_dgelsd_work,
  (int layout, lapack_int m, lapack_int n, lapack_int nrhs, double *a,
   lapack_int lda, double *b, lapack_int ldb, double *s, double rcond,
   lapack_int *rank, double *work, lapack_int lwork, lapack_int *iwork),
  (layout, m, n, nrhs, a, lda, b, ldb, s, rcond, rank, work, lwork, iwork))
