/*
** lmpi.c -- ml.mpi: data-parallel training over Open MPI.
**
** ml.mpi exists only when the program was started by an MPI launcher
** (mpirun / mpiexec of Open MPI, or a PMIx launcher such as srun), which it
** tells from the environment the launcher sets (OMPI_COMM_WORLD_SIZE,
** PMIX_RANK).  Only then is libmpi loaded and MPI initialised; otherwise
** this file costs one getenv at start-up and luaml links nothing of MPI.
**
** No MPI header is needed to build it: the few functions and objects used
** are declared here for Open MPI's ABI (libmpi.so.40, Open MPI 3.0 to 5.x),
** in which every handle (MPI_Comm, MPI_Datatype, MPI_Op) is a pointer to an
** object libmpi exports (MPI_COMM_WORLD is &ompi_mpi_comm_world, MPI_DOUBLE
** &ompi_mpi_double ...) and MPI_IN_PLACE is (void *)1.  So a machine
** without libopenmpi-dev builds the same luaml, and one with Open MPI
** installed later runs it under mpirun.  MPICH's ABI (integer handles) is
** another one: not supported.  LUAML_MPI names another libmpi (a soname or
** a path) of Open MPI's ABI.
**
** MPI is initialised once per process (MPI_Init may be called only once),
** so its state is the process's, not a Lua state's: every luaml state of
** the process shares rank and size.  At exit (on_exit, which sees the
** status) MPI is finalised when the process ends with status 0.  Any
** other status must end every rank of the job: an error on one rank has
** been printed by then (by luaml or lua5.4), and the other ranks, perhaps
** waiting for it in a collective, must end too instead of hanging.  Under
** Open MPI's mpirun the rank just ends, unfinalised, with its status:
** mpirun ends the whole job for it (its default; it prints so and exits
** with that status), and it does so only after it has forwarded all the
** rank's output.  MPI_Abort would not wait for that: its message can
** overtake the rank's last lines on stderr, and the learner would see the
** job end without the error that ended it (spec/shell/mpi.sh saw that,
** rarely, on a loaded machine).  Under other launchers MPI_Abort stays the
** way to end the job.  The MPI
** calls' return codes are not checked: MPI_COMM_WORLD keeps MPI's default
** handler, MPI_ERRORS_ARE_FATAL, which aborts the job with Open MPI's
** message on any failure; misuse a learner can make (shapes, operations,
** roots that differ between ranks) is checked first and raised as a Lua
** error on every rank.
*/
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lbind.h"

#ifndef LM_MPI_SONAME
#define LM_MPI_SONAME "libmpi.so.40"  /* Open MPI 3.0 .. 5.x */
#endif

typedef void *lm_mpih;  /* any Open MPI handle: a pointer to its object */
#define LM_MPI_IN_PLACE ((void *)1)

/* the functions used: X(name, parameters) (all return an MPI error code) */
#define LM_MPI_FUNCS(X)                                                      \
  X(MPI_Initialized, (int *))                                                \
  X(MPI_Finalized, (int *))                                                  \
  X(MPI_Init, (int *, char ***))                                             \
  X(MPI_Finalize, (void))                                                    \
  X(MPI_Abort, (lm_mpih, int))                                               \
  X(MPI_Comm_rank, (lm_mpih, int *))                                         \
  X(MPI_Comm_size, (lm_mpih, int *))                                         \
  X(MPI_Barrier, (lm_mpih))                                                  \
  X(MPI_Bcast, (void *, int, lm_mpih, int, lm_mpih))                         \
  X(MPI_Allreduce, (const void *, void *, int, lm_mpih, lm_mpih, lm_mpih))
/* the predefined objects used (their addresses are the handles) */
#define LM_MPI_OBJS(X)                                                       \
  X(ompi_mpi_comm_world) X(ompi_mpi_double) X(ompi_mpi_op_sum)               \
  X(ompi_mpi_op_max) X(ompi_mpi_op_min)

/* The process's MPI (see above: one per process, shared by its states) */
static struct {
#define LM_MPI_FIELD(f, args) int (*f) args;
  LM_MPI_FUNCS(LM_MPI_FIELD)
#undef LM_MPI_FIELD
#define LM_MPI_FIELD(o) lm_mpih o;
  LM_MPI_OBJS(LM_MPI_FIELD)
#undef LM_MPI_FIELD
  int state;       /* 0 not tried, 1 ready, -1 failed (why says why) */
  int mpirun;      /* started by Open MPI's mpirun (see atend) */
  int rank, size;  /* in MPI_COMM_WORLD */
  char why[512];
} mpi;

#define STR_(x) #x
#define STR(x) STR_(x)

/* 1 when a launcher started this process: Open MPI's mpirun sets
** OMPI_COMM_WORLD_SIZE, PMIx launchers PMIX_RANK */
static int launched(void) {
  return getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMIX_RANK") != NULL;
}

/* on_exit: finalise after a clean exit, else end every rank (see above) */
static void atend(int status, void *arg) {
  int done = 0;
  (void)arg;
  if (mpi.MPI_Finalized(&done) != 0 || done) return;
  if (status != 0) {
    fflush(NULL);  /* every output stream: _exit and MPI_Abort skip stdio */
    if (mpi.mpirun) _exit(status);
    mpi.MPI_Abort(mpi.ompi_mpi_comm_world, status);
  }
  mpi.MPI_Finalize();
}

/* Load libmpi (RTLD_GLOBAL: Open MPI's plugins, loaded by MPI_Init, need
** its symbols) and initialise MPI unless the host already did (it then
** finalises too).  Sets mpi.state; the reason of a failure in mpi.why. */
static void load(void) {
  const char *name = getenv("LUAML_MPI");
  const char *miss = NULL;
  int inited = 0;
  void *h;
  if (name == NULL || name[0] == '\0') name = LM_MPI_SONAME;
  mpi.state = -1;
  /* mpirun sets it before the rank starts (read before MPI_Init, which
  ** may set variables of its own) */
  mpi.mpirun = getenv("OMPI_COMM_WORLD_SIZE") != NULL;
  h = dlopen(name, RTLD_NOW | RTLD_GLOBAL);
  if (h == NULL) {
    const char *e = dlerror();
    snprintf(mpi.why, sizeof mpi.why, "cannot load the MPI library %s (%s); "
             "install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev)",
             name, e ? e : "unknown error");
    return;
  }
#define LM_MPI_SYM(f, args)                                                  \
  if ((*(void **)&mpi.f = dlsym(h, STR(f))) == NULL && miss == NULL) miss = STR(f);
  LM_MPI_FUNCS(LM_MPI_SYM)
#undef LM_MPI_SYM
#define LM_MPI_SYM(o)                                                        \
  if ((mpi.o = dlsym(h, STR(o))) == NULL && miss == NULL) miss = STR(o);
  LM_MPI_OBJS(LM_MPI_SYM)
#undef LM_MPI_SYM
  if (miss != NULL) {
    snprintf(mpi.why, sizeof mpi.why, "the MPI library %s has no %s (luaml "
             "needs Open MPI's libmpi)", name, miss);
    return;
  }
  mpi.MPI_Initialized(&inited);
  if (!inited) {
    if (mpi.MPI_Init(NULL, NULL) != 0) {
      snprintf(mpi.why, sizeof mpi.why, "MPI_Init failed");
      return;
    }
    on_exit(atend, NULL);
  }
  mpi.MPI_Comm_rank(mpi.ompi_mpi_comm_world, &mpi.rank);
  mpi.MPI_Comm_size(mpi.ompi_mpi_comm_world, &mpi.size);
  mpi.state = 1;
}

/* ---- the functions ------------------------------------------------------ */

static const char *const opnames[] = {"sum", "max", "min", NULL};

/* the operation named at arg (default "sum"): 0 sum, 1 max, 2 min */
static int checkop(lua_State *L, int arg, const char *fn) {
  const char *name = luaL_optstring(L, arg, "sum");
  int k;
  for (k = 0; opnames[k] != NULL; k++)
    if (strcmp(name, opnames[k]) == 0) return k;
  return lmL_error(L, "bad argument #%d to '%s' (the operation must be \"sum\", "
                   "\"max\" or \"min\", got \"%s\")", arg, fn, name);
}

static lm_mpih opof(int k) {
  return k == 0 ? mpi.ompi_mpi_op_sum : k == 1 ? mpi.ompi_mpi_op_max : mpi.ompi_mpi_op_min;
}

static int l_rank(lua_State *L) {
  lua_pushinteger(L, mpi.rank);
  return 1;
}

static int l_size(lua_State *L) {
  lua_pushinteger(L, mpi.size);
  return 1;
}

static int l_barrier(lua_State *L) {
  mpi.MPI_Barrier(mpi.ompi_mpi_comm_world);
  return 0;
}

/* Check that every rank passes n elements and the same `what` (the op of
** allreduce, the root of bcast), in one small allreduce: mismatched
** collectives would otherwise truncate, or wait for ever.  Every rank
** raises the same error. */
static void agree(lua_State *L, const char *fn, const char *arg, double n,
                  const char *shape, double what, const char *whatname) {
  double v[4] = {n, -n, what, -what};
  mpi.MPI_Allreduce(LM_MPI_IN_PLACE, v, 4, mpi.ompi_mpi_double,
                    mpi.ompi_mpi_op_max, mpi.ompi_mpi_comm_world);
  if (v[0] != n || -v[1] != n)
    lmL_error(L, "%s: %s has %.0f elements (%s) on rank %d, but the ranks pass "
              "from %.0f to %.0f elements; every rank must pass the same shape",
              fn, arg, n, shape, mpi.rank, -v[1], v[0]);
  if (v[2] != what || -v[3] != what)
    lmL_error(L, "%s: the ranks pass different %s (every rank must pass the "
              "same one)", fn, whatname);
}

/* Run MPI_Allreduce (root < 0) or MPI_Bcast (from root) in place on the
** matrix at index 1: directly on its data when it is contiguous, else
** through a contiguous copy (a Lua-owned matrix, so no C memory is live if
** an error is raised).  Stack: [-0, +0] */
static void collective(lua_State *L, lm_mat *m, int op, int root) {
  size_t n = lm_size(m);
  double *buf = m->data;
  lm_mat tmp;
  int contiguous = lm_is_rowmajor(m);
  if (n == 0) return;
  if (!contiguous) {
    lm_mat *t = lmL_newmat(L, m->rows, m->cols, root < 0 ? "allreduce" : "bcast");
    tmp = *t;
    lm_copy(m, &tmp);
    buf = tmp.data;
  }
  if (root < 0)
    mpi.MPI_Allreduce(LM_MPI_IN_PLACE, buf, (int)n, mpi.ompi_mpi_double,
                      opof(op), mpi.ompi_mpi_comm_world);
  else
    mpi.MPI_Bcast(buf, (int)n, mpi.ompi_mpi_double, root, mpi.ompi_mpi_comm_world);
  if (!contiguous) {
    lm_copy(&tmp, m);
    lua_pop(L, 1);
  }
}

/* the count of a matrix argument, checked to fit MPI's int counts */
static double count(lua_State *L, const lm_mat *m, const char *fn) {
  size_t n = lm_size(m);
  if (n > 0x7fffffff)
    lmL_error(L, "%s: %zu elements are more than one MPI message carries "
              "(2^31 - 1); reduce the matrix in parts", fn, n);
  return (double)n;
}

/* The collective of allreduce (op, root < 0) or bcast (from root) on the
** argument 1 of fn: a matrix, changed in place and returned, or a number,
** whose result is returned. */
static int onevalue(lua_State *L, const char *fn, int op, int root) {
  double what = root < 0 ? op : root;  /* must agree over the ranks */
  const char *whatname = root < 0 ? "operations" : "roots";
  char sb[LM_SHAPEBUF];
  lm_mat *m;
  if (lua_type(L, 1) == LUA_TNUMBER) {
    lm_mat one;
    double x = lua_tonumber(L, 1);
    agree(L, fn, "the value", 1, "a number", what, whatname);
    one = lm_dense(&x, 1, 1);
    collective(L, &one, op, root);
    lua_pushnumber(L, x);
    return 1;
  }
  if ((m = lmL_tomat(L, 1)) == NULL)
    return lmL_error(L, "bad argument #1 to '%s' (matrix or number expected, "
                     "got %s)", fn, luaL_typename(L, 1));
  agree(L, fn, "the matrix", count(L, m, fn), lmL_shape(sb, m), what, whatname);
  collective(L, m, op, root);
  lua_settop(L, 1);
  return 1;
}

/* allreduce(m [, "sum"|"max"|"min"]) -> m, reduced in place over the
** ranks; allreduce(x [, op]) -> the reduced number */
static int l_allreduce(lua_State *L) {
  return onevalue(L, "allreduce", checkop(L, 2, "allreduce"), -1);
}

/* bcast(m [, root=0]) -> m, overwritten with root's; bcast(x [, root])
** -> root's number */
static int l_bcast(lua_State *L) {
  lua_Integer root = luaL_optinteger(L, 2, 0);
  if (root < 0 || root >= mpi.size)
    lmL_error(L, "bad argument #2 to 'bcast' (root must be a rank from 0 to %d, "
              "got %lld)", mpi.size - 1, (long long)root);
  return onevalue(L, "bcast", 0, (int)root);
}

/* average(grads, cost, n) -> cost, N: the gradient step of data-parallel
** training.  Each rank passes the means over its n samples (grads, a list
** of matrices, and the cost); every rank gets back the means over all the
** ranks' samples, as one process computing them over all would (each
** rank's values weighted by n / N), the matrices overwritten in place, and
** N, the total of n.  One allreduce (after the check of the shapes): the
** matrices, the cost and n packed into one buffer.  A rank with n = 0
** contributes nothing (its matrices may hold anything finite or not). */
static int l_average(lua_State *L) {
  double cost = luaL_checknumber(L, 2);
  lua_Integer n = luaL_checkinteger(L, 3);
  lua_Integer k, ng;
  size_t total = 0, off = 0, i, j;
  double *buf, w, N;
  if (!lua_istable(L, 1))
    lmL_error(L, "bad argument #1 to 'average' (a list of gradient matrices "
              "expected, got %s)", luaL_typename(L, 1));
  if (n < 0)
    lmL_error(L, "bad argument #3 to 'average' (the sample count must not be "
              "negative, got %lld)", (long long)n);
  ng = (lua_Integer)lua_rawlen(L, 1);
  for (k = 1; k <= ng; k++) {
    lm_mat *g;
    lua_rawgeti(L, 1, k);
    g = lmL_tomat(L, -1);
    if (g == NULL)
      lmL_error(L, "average: grads[%lld] must be a matrix, got %s", (long long)k,
                luaL_typename(L, -1));
    total += lm_size(g);
    lua_pop(L, 1);
  }
  if (total + 2 > 0x7fffffff)
    lmL_error(L, "average: %zu elements are more than one MPI message carries", total);
  agree(L, "average", "the list of gradients", (double)total, "all matrices",
        (double)ng, "numbers of matrices");
  buf = lmL_newmat(L, 1, (lua_Integer)total + 2, "average")->data;
  w = (double)n;
  for (k = 1; k <= ng; k++) {  /* pack each matrix times n */
    lm_mat *g;
    lua_rawgeti(L, 1, k);
    g = lmL_tomat(L, -1);
    for (i = 0; i < (size_t)g->rows; i++)
      for (j = 0; j < (size_t)g->cols; j++)
        buf[off++] = n == 0 ? 0 : w * g->data[(ptrdiff_t)i * g->rs + (ptrdiff_t)j * g->cs];
    lua_pop(L, 1);
  }
  buf[off] = n == 0 ? 0 : w * cost;
  buf[off + 1] = w;
  mpi.MPI_Allreduce(LM_MPI_IN_PLACE, buf, (int)total + 2, mpi.ompi_mpi_double,
                    mpi.ompi_mpi_op_sum, mpi.ompi_mpi_comm_world);
  N = buf[off + 1];
  if (N == 0) N = 1;  /* no samples anywhere: sums of nothing, zeros */
  off = 0;
  for (k = 1; k <= ng; k++) {  /* unpack, divided by N */
    lm_mat *g;
    lua_rawgeti(L, 1, k);
    g = lmL_tomat(L, -1);
    for (i = 0; i < (size_t)g->rows; i++)
      for (j = 0; j < (size_t)g->cols; j++)
        g->data[(ptrdiff_t)i * g->rs + (ptrdiff_t)j * g->cs] = buf[off++] / N;
    lua_pop(L, 1);
  }
  lua_pushnumber(L, buf[off] / N);
  lua_pushinteger(L, (lua_Integer)buf[off + 1]);
  return 2;
}

/* shard(X, ...) -> this rank's rows of each argument (views, no copy):
** contiguous blocks in rank order whose sizes differ by at most one (the
** first rows % size ranks get one row more); every argument must have the
** rows of the first */
static int l_shard(lua_State *L) {
  int nargs = lua_gettop(L), a;
  lm_mat *X = lmL_checkmat(L, 1);
  int q = X->rows / mpi.size, extra = X->rows % mpi.size;
  int r0 = mpi.rank * q + (mpi.rank < extra ? mpi.rank : extra);
  int nr = q + (mpi.rank < extra);
  for (a = 1; a <= nargs; a++) {
    lm_mat *m = lmL_checkmat(L, a), g;
    if (m->rows != X->rows) {
      char s1[LM_SHAPEBUF], s2[LM_SHAPEBUF];
      lmL_error(L, "shard: argument #%d is %s but argument #1 is %s (every "
                "argument must have the rows of the first)", a, lmL_shape(s1, m),
                lmL_shape(s2, X));
    }
    g = *m;
    g.data += (ptrdiff_t)r0 * m->rs;
    g.rows = nr;
    lmL_newview(L, a, &g);
  }
  return nargs;
}

static const luaL_Reg funcs[] = {
  {"rank", l_rank}, {"size", l_size}, {"barrier", l_barrier},
  {"allreduce", l_allreduce}, {"bcast", l_bcast}, {"average", l_average},
  {"shard", l_shard}, {NULL, NULL}
};

/* Add ml.mpi to the module table on the top of the stack when a launcher
** started the process (else nothing: ml.mpi is nil).  A launched process
** whose libmpi cannot be loaded or initialised raises an error saying why.
** Stack: [-0, +0] */
void lmopen_mpi(lua_State *L) {
  if (!launched()) return;
  if (mpi.state == 0) load();
  if (mpi.state < 0) luaL_error(L, "ml.mpi: %s", mpi.why);
  luaL_newlib(L, funcs);
  lua_setfield(L, -2, "mpi");
}
