/*
** core_blasdl.c -- OpenBLAS and LAPACKE loaded at the first product or
** factorisation instead of at start-up.  Linked at start-up they brought
** eight libraries (libgfortran, the reference-LAPACK shims ...) and some
** 20,000 relocations, about half of the time of `luaml -e ''`, and
** OpenBLAS started its threads in every process, used or not.
**
** The functions below have the names and prototypes (from <cblas.h> and
** <lapacke.h>) of the few that core_la.c calls, so core_la.c is written
** as against the libraries themselves.  They are hidden: not exported
** from libluaml.so or the executable, so no other library of the process
** ever binds to them.  The libraries are the ones luaml was built against
** (LM_OPENBLAS_SONAME, LM_LAPACKE_SONAME, from the Makefile), or those
** named by the environment variables LUAML_BLAS and LUAML_LAPACKE (a
** soname or a path: another CBLAS, a debug build).
**
** core_la.c asks lm_blas_ready / lm_lapacke_ready before the first call
** into each library and returns LM_ENOLIB when it cannot be loaded; the
** binding then raises a Lua error that says why (lm_lib_error).  A
** stand-in called without that question and without its library ends the
** process with the same message, as the dynamic loader did.
*/
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <cblas.h>
#include <lapacke.h>

#include "core.h"

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
  X(LAPACKE_dgelsd_work) X(LAPACKE_dgecon_work)

static struct {
#define LM_BLAS_FIELD(f) __typeof__(f) *f;
  LM_CBLAS_FUNCS(LM_BLAS_FIELD)
  LM_LAPACKE_FUNCS(LM_BLAS_FIELD)
#undef LM_BLAS_FIELD
} api;

#define STR_(x) #x
#define STR(x) STR_(x)  /* the name after macro expansion */

static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static pthread_once_t lapacke_once = PTHREAD_ONCE_INIT;
static int blas_ok, lapacke_ok;  /* set once by the loaders */
static char blas_why[512], lapacke_why[512];  /* why not, when not */
static char blas_id[512];  /* the library loaded, for lm_blas_id */

/* dlopen the library named by the environment variable env, else soname;
** NULL with the reason in why */
static void *open_lib(const char *env, const char *soname, char *why,
                      size_t len) {
  const char *name = getenv(env);
  void *h;
  if (name == NULL || name[0] == '\0') name = soname;
  h = dlopen(name, RTLD_LAZY | RTLD_LOCAL);
  if (h == NULL) {
    const char *e = dlerror();
    snprintf(why, len, "cannot load %s (%s)", name, e ? e : "unknown error");
  }
  return h;
}

/* the address of name in h, or NULL with the reason in why */
static void *sym(void *h, const char *name, char *why, size_t len) {
  void *p = dlsym(h, name);
  if (p == NULL)
    snprintf(why, len, "the BLAS/LAPACK library loaded has no %s", name);
  return p;
}

/* the loaders, run once each: fill the table or say why not */
static void load_blas(void) {
  void *h = open_lib("LUAML_BLAS", LM_OPENBLAS_SONAME, blas_why,
                     sizeof blas_why);
  if (h == NULL) return;
#define LM_BLAS_SYM(f)                                                       \
  if ((*(void **)&api.f = sym(h, STR(f), blas_why, sizeof blas_why)) == NULL) \
    return;
  LM_CBLAS_FUNCS(LM_BLAS_SYM)
#undef LM_BLAS_SYM
  {  /* OpenBLAS says its version, build and the core it runs; another
     ** CBLAS is known by its name */
    const char *(*config)(void), *(*core)(void), *name = getenv("LUAML_BLAS");
    *(void **)&config = dlsym(h, "openblas_get_config");
    *(void **)&core = dlsym(h, "openblas_get_corename");
    if (name == NULL || name[0] == '\0') name = LM_OPENBLAS_SONAME;
    snprintf(blas_id, sizeof blas_id, "%s: %s; core %s", name,
             config ? config() : "?", core ? core() : "?");
  }
  blas_ok = 1;
}

static void load_lapacke(void) {
  void *h = open_lib("LUAML_LAPACKE", LM_LAPACKE_SONAME, lapacke_why,
                     sizeof lapacke_why);
  if (h == NULL) return;
#define LM_LAPACKE_SYM(f)                                                    \
  if ((*(void **)&api.f = sym(h, STR(f), lapacke_why,                        \
                              sizeof lapacke_why)) == NULL)                  \
    return;
  LM_LAPACKE_FUNCS(LM_LAPACKE_SYM)
#undef LM_LAPACKE_SYM
  lapacke_ok = 1;
}

int lm_blas_ready(void) {
  pthread_once(&blas_once, load_blas);
  return blas_ok;
}

int lm_lapacke_ready(void) {
  pthread_once(&lapacke_once, load_lapacke);
  return lapacke_ok;
}

const char *lm_blas_id(void) {
  return lm_blas_ready() ? blas_id : "";
}

const char *lm_lib_error(void) {
  if (!lm_blas_ready()) return blas_why;
  if (!lm_lapacke_ready()) return lapacke_why;
  return "";
}

/* a stand-in called with its library missing: say why, end the process */
static void unloadable(const char *why) {
  fprintf(stderr, "luaml: %s\n", why);
  abort();
}

/* The stand-ins: ret f params { load once; return the real f args }. */
#define LM_HIDDEN __attribute__((visibility("hidden")))
#define LM_FORWARD(ret, f, params, args, ready, why)                          \
  LM_HIDDEN ret f params {                                                   \
    if (!ready()) unloadable(why);                                           \
    return api.f args;                                                       \
  }
#define LM_FORWARD_VOID(f, params, args)                                     \
  LM_HIDDEN void f params {                                                  \
    if (!lm_blas_ready()) unloadable(blas_why);                              \
    api.f args;                                                              \
  }

typedef const enum CBLAS_ORDER Ord;
typedef const enum CBLAS_TRANSPOSE Tr;
typedef const blasint Bi;

LM_FORWARD(double, cblas_ddot,
  (Bi n, const double *x, Bi incx, const double *y, Bi incy),
  (n, x, incx, y, incy),
  lm_blas_ready, blas_why)

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
  (layout, m, n, a, lda, ipiv),
  lm_lapacke_ready, lapacke_why)

LM_FORWARD(lapack_int, LAPACKE_dgetri_work,
  (int layout, lapack_int n, double *a, lapack_int lda,
   const lapack_int *ipiv, double *work, lapack_int lwork),
  (layout, n, a, lda, ipiv, work, lwork),
  lm_lapacke_ready, lapacke_why)

LM_FORWARD(lapack_int, LAPACKE_dpotrf_work,
  (int layout, char uplo, lapack_int n, double *a, lapack_int lda),
  (layout, uplo, n, a, lda),
  lm_lapacke_ready, lapacke_why)

LM_FORWARD(lapack_int, LAPACKE_dsyevd_work,
  (int layout, char jobz, char uplo, lapack_int n, double *a,
   lapack_int lda, double *w, double *work, lapack_int lwork,
   lapack_int *iwork, lapack_int liwork),
  (layout, jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork),
  lm_lapacke_ready, lapacke_why)

LM_FORWARD(lapack_int, LAPACKE_dgesdd_work,
  (int layout, char jobz, lapack_int m, lapack_int n, double *a,
   lapack_int lda, double *s, double *u, lapack_int ldu, double *vt,
   lapack_int ldvt, double *work, lapack_int lwork, lapack_int *iwork),
  (layout, jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork),
  lm_lapacke_ready, lapacke_why)

LM_FORWARD(lapack_int, LAPACKE_dgesvd_work,
  (int layout, char jobu, char jobvt, lapack_int m, lapack_int n,
   double *a, lapack_int lda, double *s, double *u, lapack_int ldu,
   double *vt, lapack_int ldvt, double *work, lapack_int lwork),
  (layout, jobu, jobvt, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork),
  lm_lapacke_ready, lapacke_why)

LM_FORWARD(lapack_int, LAPACKE_dgelsd_work,
  (int layout, lapack_int m, lapack_int n, lapack_int nrhs, double *a,
   lapack_int lda, double *b, lapack_int ldb, double *s, double rcond,
   lapack_int *rank, double *work, lapack_int lwork, lapack_int *iwork),
  (layout, m, n, nrhs, a, lda, b, ldb, s, rcond, rank, work, lwork, iwork),
  lm_lapacke_ready, lapacke_why)

LM_FORWARD(lapack_int, LAPACKE_dgecon_work,
  (int layout, char norm, lapack_int n, const double *a, lapack_int lda,
   double anorm, double *rcond, double *work, lapack_int *iwork),
  (layout, norm, n, a, lda, anorm, rcond, work, iwork),
  lm_lapacke_ready, lapacke_why)
