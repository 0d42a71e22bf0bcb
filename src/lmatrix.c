/*
** lmatrix.c -- the luaml.matrix userdata: storage, constructors, views,
** element access, arithmetic metamethods and printing.
**
** Storage.  A matrix is a Matrix header in a full userdata, followed in
** the same userdata by its doubles (64-byte aligned), as LPeg keeps its
** patterns: one allocation per matrix, made by the state's allocator (so a
** host's memory limit counts it) and counted by the collector, which then
** paces itself by every byte, in incremental and generational mode alike.
** Views are headers whose user value is the owner: they keep its storage
** alive and never copy.  `<close>` (or m:close()) ends a matrix's use at
** once; its bytes return at the collector's next step, as for any object.
*/
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#include "lbind.h"

#define ALIGN 64         /* storage alignment, in bytes */

typedef struct Matrix {
  lm_mat m;          /* the view; first, so &ud->m == ud */
  char isview;       /* 1: user value 1 is the owner */
  char closed;       /* 1 after __close */
} Matrix;

/* ---- errors and small helpers --------------------------------------- */

int lmL_error(lua_State *L, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return luaL_error(L, "%s", buf);
}

const char *lmL_shape(char *buf, const lm_mat *m) {
  snprintf(buf, LM_SHAPEBUF, "%dx%d", m->rows, m->cols);
  return buf;
}

int lmL_liberror(lua_State *L, const char *fname) {
  return lmL_error(L, "%s: %s", fname, lm_lib_error());
}

int lmL_checkdim(lua_State *L, int arg, const char *what) {
  lua_Integer n;
  int isint;
  if (lua_type(L, arg) != LUA_TNUMBER)
    return luaL_typeerror(L, arg, "number"), 0;
  n = lua_tointegerx(L, arg, &isint);
  if (!isint)
    return luaL_argerror(L, arg, lua_pushfstring(L,
             "%s must be a whole number, got %f", what, lua_tonumber(L, arg))), 0;
  if (n < 0)
    return luaL_argerror(L, arg, lua_pushfstring(L,
             "%s must not be negative, got %I", what, n)), 0;
  if (n > INT_MAX)
    return luaL_argerror(L, arg, lua_pushfstring(L,
             "%s %I is too large (at most %d)", what, n, INT_MAX)), 0;
  return (int)n;
}

int lmL_optaxis(lua_State *L, int arg, int def) {
  lua_Integer a;
  if (lua_isnoneornil(L, arg)) return def;
  a = luaL_checkinteger(L, arg);
  if (a != 1 && a != 2)
    luaL_argerror(L, arg, lua_pushfstring(L,
      "axis must be 1 (down the rows) or 2 (along the columns), got %I", a));
  return (int)a;
}

/* bytes of physical memory, or 0 when unknown */
static double physmem(void) {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  return (pages > 0 && size > 0) ? (double)pages * (double)size : 0;
}

static void fmtbytes(char *buf, size_t n, double bytes) {
  if (bytes >= 1e9) snprintf(buf, n, "%.1f GB", bytes / 1e9);
  else if (bytes >= 1e6) snprintf(buf, n, "%.1f MB", bytes / 1e6);
  else snprintf(buf, n, "%.0f bytes", bytes);
}

/* ---- creation ------------------------------------------------------- */

/* The metatable is also kept in the registry under the address of this
** variable: a light-userdata key is found without hashing or comparing a
** string, which luaL_testudata's name lookup costs on every operation. */
static const char mtkey = 'm';

static void pushmeta(lua_State *L) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &mtkey);
}

/* The matrix at idx, or NULL.  luaml's own functions hold the metatable
** as their upvalue 1: comparing with it costs no registry lookup (a hash
** of the key's address), which would otherwise be a good part of a small
** operation's time.  In any other function (an embedder's, or one with
** other upvalues) the comparison fails and the registry decides. */
static Matrix *tomatrix(lua_State *L, int idx) {
  void *p = lua_touserdata(L, idx);
  int same;
  if (p == NULL || !lua_getmetatable(L, idx)) return NULL;
  same = lua_rawequal(L, -1, lua_upvalueindex(1));
  if (!same) {
    pushmeta(L);
    same = lua_rawequal(L, -1, -2);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return same ? (Matrix *)p : NULL;
}

static double *alignup(void *p) {
  size_t a = ((size_t)p + ALIGN - 1) & ~(size_t)(ALIGN - 1);
  return (double *)a;
}

#define GC_BIG ((size_t)4 << 20)    /* a "large" matrix, in bytes */
#define GC_STEP ((size_t)32 << 10)  /* a "mid-sized" one */
#define HUGE_PAGE ((size_t)2 << 20)

/* Ask the kernel to back the 2 MB-aligned interior of a large, untouched
** buffer with transparent huge pages (as numpy does for large arrays):
** where THP is in "madvise" mode this turns thousands of page faults of
** the first writes into a few.  Then have it map (and zero) them at once
** (MADV_POPULATE_WRITE, Linux 5.14+): the kernels' threads then write
** without faulting, which two threads faulting side by side did slower
** than one.  Only hints: failures (older kernels) are ignored. */
static void hugepages(void *p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  size_t lo = ((size_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  size_t hi = ((size_t)p + bytes) & ~(HUGE_PAGE - 1);
  if (bytes >= GC_BIG && hi > lo) {
    madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
    madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
  }
#else
  (void)p; (void)bytes;
#endif
}

/* The registry holds, under this variable's address, the heap's size (in
** KB) after the last collection that midstep made. */
static const char gckey = 'g';

/* The collector's work before a mid-sized allocation: one basic step (see
** newmat), and a full collection once the heap has grown by an eighth
** since the last one made here.  In generational mode (stock lua5.4's, and
** luaml's host) a basic step is a minor collection, which never frees the
** temporaries that lived through two of them (they are old), and which
** leaves no debt for the major collections that would: the heap grew
** without bound (600 KB per iteration of a softmax regression on 8000
** samples).  The full collections bound it in either mode (their cost is
** that of one cycle per eighth of the heap allocated); in incremental
** mode the steps keep the heap below that bound anyway.  Stack: [-0, +0]. */
static void midstep(lua_State *L) {
  lua_Integer kb = lua_gc(L, LUA_GCCOUNT), base;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &gckey);
  base = lua_tointeger(L, -1);
  lua_pop(L, 1);
  if (base > 0 && kb <= base + base / 8) {
    lua_gc(L, LUA_GCSTEP, 0);
    return;
  }
  lua_gc(L, LUA_GCCOLLECT);
  lua_pushinteger(L, lua_gc(L, LUA_GCCOUNT));
  lua_rawsetp(L, LUA_REGISTRYINDEX, &gckey);
}

/* lmL_newmat and lmL_newmatlike: the metatable is that of the matrix at
** index like, or the registry's when like is 0 */
static lm_mat *newmat(lua_State *L, lua_Integer rows, lua_Integer cols,
                      const char *fname, int like) {
  size_t n, bytes;
  Matrix *x;
  if (rows < 0 || cols < 0)
    lmL_error(L, "%s: negative dimension in %lldx%lld", fname,
              (long long)rows, (long long)cols);
  if (rows > INT_MAX || cols > INT_MAX)
    lmL_error(L, "%s: dimension too large in %lldx%lld (at most %d)", fname,
              (long long)rows, (long long)cols, INT_MAX);
  n = (size_t)rows * (size_t)cols;
  if (n > (SIZE_MAX - 2 * ALIGN) / sizeof(double))
    lmL_error(L, "%s: %lldx%lld matrix is too large", fname,
              (long long)rows, (long long)cols);
  bytes = n * sizeof(double);
  if (bytes >= GC_BIG) {
    double mem = physmem();  /* a system call: only for large requests */
    if (mem > 0 && (double)bytes > mem) {
      char need[32], have[32];
      fmtbytes(need, sizeof need, (double)bytes);
      fmtbytes(have, sizeof have, mem);
      lmL_error(L, "%s: not enough memory for a %lldx%lld matrix (%s; "
                "this machine has %s)", fname, (long long)rows,
                (long long)cols, need, have);
    }
    /* Garbage matrices are freed only by the collector, which lets the
    ** heap grow to twice its live size between cycles: a loop making a
    ** few large temporaries per step (r = 100 * C / s) would then hold
    ** several dead ones at once.  Before a large allocation collect
    ** them, as numpy frees its arrays at once: the cycle costs little
    ** next to the work on so many elements. */
    if (lua_gc(L, LUA_GCISRUNNING)) lua_gc(L, LUA_GCCOLLECT);
  } else if (bytes >= GC_STEP) {
    /* A mid-sized matrix (a column of 8000 samples): one basic step of
    ** the collector, which starts a cycle even during its pause.  Without
    ** it a loop of such temporaries next to a 50 MB data set piles up
    ** another 50 MB of garbage before the collector wakes; with it dead
    ** temporaries go within a few iterations.  A step is a few
    ** microseconds; small matrices (10x10) never pay it.  A script that
    ** stopped the collector (collectgarbage "stop") is obeyed. */
    if (lua_gc(L, LUA_GCISRUNNING)) midstep(L);
  }
  x = (Matrix *)lua_newuserdatauv(L, sizeof(Matrix) + bytes + ALIGN, 1);
  memset(x, 0, sizeof(Matrix));
  if (like != 0) lua_getmetatable(L, like);
  else pushmeta(L);
  lua_setmetatable(L, -2);
  x->m.data = alignup(x + 1);
  hugepages(x->m.data, bytes);
  x->m.rows = (int)rows;
  x->m.cols = (int)cols;
  x->m.rs = cols;
  x->m.cs = 1;
  return &x->m;
}

/* the work of writing a rows x cols result, charged to the call's budget
** (instruction_limit) once it is allocated (so a size beyond the memory
** limit is reported as such), before it is written */
static void chargesize(lua_State *L, lua_Integer rows, lua_Integer cols) {
  if (rows > 0 && cols > 0) lmL_charge(L, (double)rows * (double)cols / LM_ELEMS_PER_INSTR);
}

lm_mat *lmL_newmat(lua_State *L, lua_Integer rows, lua_Integer cols,
                   const char *fname) {
  lm_mat *m = newmat(L, rows, cols, fname, 0);  /* a size error first */
  chargesize(L, rows, cols);
  return m;
}

lm_mat *lmL_newmatlike(lua_State *L, int like, lua_Integer rows,
                       lua_Integer cols, const char *fname) {
  lm_mat *m = newmat(L, rows, cols, fname, lua_absindex(L, like));
  chargesize(L, rows, cols);
  return m;
}

lm_mat *lmL_zeros(lua_State *L, lua_Integer rows, lua_Integer cols,
                  const char *fname) {
  lm_mat *m = lmL_newmat(L, rows, cols, fname);
  if (lm_size(m) > 0) memset(m->data, 0, lm_size(m) * sizeof(double));
  return m;
}

lm_mat *lmL_newview(lua_State *L, int owner, const lm_mat *geom) {
  Matrix *o, *v;
  int pushed = 0;
  owner = lua_absindex(L, owner);
  o = tomatrix(L, owner);
  if (o->isview) {  /* hang the view on the real owner */
    lua_getiuservalue(L, owner, 1);
    owner = lua_gettop(L);
    o = tomatrix(L, owner);
    pushed = 1;
  }
  v = (Matrix *)lua_newuserdatauv(L, sizeof(Matrix), 1);
  memset(v, 0, sizeof(Matrix));
  v->m = *geom;
  v->isview = 1;
  pushmeta(L);
  lua_setmetatable(L, -2);
  lua_pushvalue(L, owner);
  lua_setiuservalue(L, -2, 1);
  if (pushed) lua_remove(L, -2);  /* the owner temporary */
  return &v->m;
}

static lm_mat *checkopen(lua_State *L, int arg, Matrix *x) {
  if (x->closed)
    luaL_argerror(L, arg, "matrix has been closed");
  return &x->m;
}

/* The type error of a missing matrix argument.  When argument 1 is a
** matrix, the call was likely X.f(Y) for X:f(Y): the message says so. */
static int nomatrix(lua_State *L, int arg) {
  lua_Debug ar;
  const char *f = "f";
  if (arg > 1 && lua_isnone(L, arg) && tomatrix(L, 1) != NULL) {
    if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.name != NULL)
      f = ar.name;
    return luaL_argerror(L, arg, lua_pushfstring(L, "matrix expected, got no "
                         "value; a method call takes a colon: X:%s(Y), not "
                         "X.%s(Y)", f, f));
  }
  return luaL_typeerror(L, arg, "matrix");
}

lm_mat *lmL_checkmat(lua_State *L, int arg) {
  Matrix *x = tomatrix(L, arg);
  if (x == NULL) {
    if (lmL_traced(L, arg)) return lmL_checkmat(L, arg);  /* its value */
    nomatrix(L, arg);
  }
  checkopen(L, arg, x);
  lmL_charge(L, (double)lm_size(&x->m) / LM_ELEMS_PER_INSTR);  /* reading it */
  return &x->m;
}

lm_mat *lmL_tomat(lua_State *L, int arg) {
  Matrix *x = tomatrix(L, arg);
  return (x == NULL || x->closed) ? NULL : &x->m;
}

luaml_matrix *luaml_checkmatrix(lua_State *L, int idx) {
  Matrix *x = tomatrix(L, idx);  /* not lmL_checkmat: hosts are not charged */
  if (x == NULL) luaL_typeerror(L, idx, "matrix");
  return checkopen(L, idx, x);
}

luaml_matrix *luaml_tomatrix(lua_State *L, int idx) {
  return lmL_tomat(L, idx);
}

double *luaml_pushmatrix(lua_State *L, int rows, int cols) {
  lm_mat *m = newmat(L, rows, cols, "luaml_pushmatrix", 0);  /* not charged */
  if (lm_size(m) > 0) memset(m->data, 0, lm_size(m) * sizeof(double));
  return m->data;
}

/* Convert the Lua table at idx (nested rows, or a flat list = one row)
** into a new matrix pushed on the stack. */
static lm_mat *fromtable(lua_State *L, int idx, const char *fname) {
  lua_Integer r, c, i, j;
  lm_mat *m;
  idx = lua_absindex(L, idx);
  r = (lua_Integer)lua_rawlen(L, idx);
  if (r == 0) return lmL_newmat(L, 0, 0, fname);
  if (lua_rawgeti(L, idx, 1) == LUA_TTABLE) {  /* rows of a table */
    c = (lua_Integer)lua_rawlen(L, -1);
    lua_pop(L, 1);
    m = lmL_newmat(L, r, c, fname);
    for (i = 1; i <= r; i++) {
      if (lua_rawgeti(L, idx, i) != LUA_TTABLE)
        lmL_error(L, "%s: row %d is a %s, expected a table of numbers", fname,
                  (int)i, luaL_typename(L, -1));
      if ((lua_Integer)lua_rawlen(L, -1) != c)
        lmL_error(L, "%s: row %d has %d values, row 1 has %d (rows must have "
                  "equal length)", fname, (int)i, (int)lua_rawlen(L, -1), (int)c);
      for (j = 1; j <= c; j++) {
        int isnum;
        double v;
        lua_rawgeti(L, -1, j);
        v = lua_tonumberx(L, -1, &isnum);
        if (!isnum)
          lmL_error(L, "%s: element (%d, %d) is a %s, expected a number", fname,
                    (int)i, (int)j, luaL_typename(L, -1));
        m->data[(i - 1) * c + (j - 1)] = v;
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
    }
  } else {  /* a flat list: one row */
    lua_pop(L, 1);
    m = lmL_newmat(L, 1, r, fname);
    for (j = 1; j <= r; j++) {
      int isnum;
      double v;
      lua_rawgeti(L, idx, j);
      v = lua_tonumberx(L, -1, &isnum);
      if (!isnum)
        lmL_error(L, "%s: element %d is a %s, expected a number", fname,
                  (int)j, luaL_typename(L, -1));
      m->data[j - 1] = v;
      lua_pop(L, 1);
    }
  }
  return m;
}

lm_mat *lmL_checkmatlike(lua_State *L, int arg) {
  Matrix *x = tomatrix(L, arg);
  int t = lua_type(L, arg);
  if (x != NULL) return checkopen(L, arg, x);
  arg = lua_absindex(L, arg);
  if (t == LUA_TNUMBER) {
    double v = lua_tonumber(L, arg);
    lmL_newmat(L, 1, 1, "matrix")->data[0] = v;
  } else if (t == LUA_TTABLE) {
    if (lmL_traced(L, arg)) return lmL_checkmatlike(L, arg);  /* its value */
    fromtable(L, arg, "matrix");
  } else {
    nomatrix(L, arg);
  }
  lua_replace(L, arg);
  return &tomatrix(L, arg)->m;
}

int lmL_overlap(const lm_mat *a, const lm_mat *b) {
  const double *alo, *ahi, *blo, *bhi;
  if (lm_size(a) == 0 || lm_size(b) == 0) return 0;
  alo = ahi = a->data;
  blo = bhi = b->data;
  {
    ptrdiff_t dr = (ptrdiff_t)(a->rows - 1) * a->rs, dc = (ptrdiff_t)(a->cols - 1) * a->cs;
    if (dr < 0) alo += dr; else ahi += dr;
    if (dc < 0) alo += dc; else ahi += dc;
  }
  {
    ptrdiff_t dr = (ptrdiff_t)(b->rows - 1) * b->rs, dc = (ptrdiff_t)(b->cols - 1) * b->cs;
    if (dr < 0) blo += dr; else bhi += dr;
    if (dc < 0) blo += dc; else bhi += dc;
  }
  return !(ahi < blo || bhi < alo);
}

lm_mat *lmL_optout(lua_State *L, int arg, int r, int c, const char *fname) {
  lm_mat *o;
  char b1[LM_SHAPEBUF];
  if (lua_isnoneornil(L, arg)) return NULL;
  o = lmL_checkmat(L, arg);
  if (o->rows != r || o->cols != c)
    lmL_error(L, "%s: 'out' is %s, the result is %dx%d", fname,
              lmL_shape(b1, o), r, c);
  return o;
}

/* ---- lifetime ------------------------------------------------------- */

/* __close and m:close(): the matrix (a view, or an owner) may no longer
** be used; idempotent.  Views of a closed owner stay valid: they hold it. */
static int m_close(lua_State *L) {
  Matrix *x = tomatrix(L, 1);
  if (x != NULL) x->closed = 1;
  return 0;
}

/* ---- constructors --------------------------------------------------- */

/* matrix(t): a table of rows (or a flat row), a number (1x1) or a matrix
** (a copy).  A second argument is a mistake whose fix is named: rows
** written as separate tables, or a shape meant for zeros. */
static int l_matrix(lua_State *L) {
  lm_mat *a;
  int n = lua_gettop(L);
  while (n > 1 && lua_isnil(L, n)) n--;
  if (n > 1) {
    if (lua_type(L, 1) == LUA_TNUMBER && lua_type(L, 2) == LUA_TNUMBER)
      return lmL_error(L, "matrix(%s, %s): ml.matrix takes the values, not a "
                       "shape; for a matrix of that shape use ml.zeros(r, c) "
                       "or ml.full(r, c, v)", luaL_tolstring(L, 1, NULL),
                       luaL_tolstring(L, 2, NULL));
    if (lua_type(L, 1) == LUA_TTABLE && lua_type(L, 2) == LUA_TTABLE)
      return lmL_error(L, "matrix: got %d tables; the rows go in one table: "
                       "ml.matrix{{1, 2}, {3, 4}}", n);
    return lmL_error(L, "matrix: expected one argument (a table of rows, a "
                     "number or a matrix), got %d", n);
  }
  if ((a = lmL_tomat(L, 1)) != NULL) {  /* copy of a matrix */
    lm_mat *m = lmL_newmat(L, a->rows, a->cols, "matrix");
    lm_copy(a, m);
    return 1;
  }
  if (lua_type(L, 1) == LUA_TNUMBER) {  /* a 1x1 */
    lmL_newmat(L, 1, 1, "matrix")->data[0] = lua_tonumber(L, 1);
    return 1;
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  fromtable(L, 1, "matrix");
  return 1;
}

void lmL_checkshape(lua_State *L, int arg, int *r, int *c) {
  if (lua_isnoneornil(L, arg + 1)) {
    *r = 1;
    *c = lmL_checkdim(L, arg, "size");
  } else {
    *r = lmL_checkdim(L, arg, "rows");
    *c = lmL_checkdim(L, arg + 1, "cols");
  }
}

/* zeros(r, c) / ones / full(r, c, v); zeros(n) and ones(n) are 1 x n
** rows, as numpy's zeros(n) is a vector of n (a vector is a row here) */
static lm_mat *newshape(lua_State *L, const char *fname) {
  int r, c;
  lmL_checkshape(L, 1, &r, &c);
  return lmL_newmat(L, r, c, fname);
}

static int l_zeros(lua_State *L) {
  lm_fill(newshape(L, "zeros"), 0.0);
  return 1;
}

static int l_ones(lua_State *L) {
  lm_fill(newshape(L, "ones"), 1.0);
  return 1;
}

static int l_full(lua_State *L) {
  double v = luaL_checknumber(L, 3);
  lm_fill(newshape(L, "full"), v);
  return 1;
}

static int l_eye(lua_State *L) {
  int n = lmL_checkdim(L, 1, "size"), i;
  int c = lua_isnoneornil(L, 2) ? n : lmL_checkdim(L, 2, "cols");
  lm_mat *m = lmL_newmat(L, n, c, "eye");
  lm_fill(m, 0.0);
  for (i = 0; i < n && i < c; i++) m->data[(size_t)i * c + i] = 1.0;
  return 1;
}

/* arange(a, b [, step]) counts like a numeric for: b included when hit;
** arange(n) is 1..n */
static int l_arange(lua_State *L) {
  double a, b, step, cnt, q;
  lm_mat *m;
  size_t i, n;
  if (lua_isnoneornil(L, 2)) { a = 1; b = luaL_checknumber(L, 1); }
  else { a = luaL_checknumber(L, 1); b = luaL_checknumber(L, 2); }
  step = luaL_optnumber(L, 3, 1.0);
  if (step == 0) luaL_argerror(L, 3, "step must not be zero");
  if (isnan(a) || isnan(b) || isnan(step) || isinf(a) || isinf(b) || isinf(step))
    lmL_error(L, "arange: bounds and step must be finite numbers");
  /* b counts as reached when (b - a) / step falls short of a whole number
  ** by rounding only: a few ulps of the quotient and of a and b (0.3 / 0.1
  ** is 2.9999999999999996), never by more (1.9999999995 does not reach 2) */
  q = (b - a) / step;
  cnt = floor(q + 8 * DBL_EPSILON * (fabs(q) + (fabs(a) + fabs(b)) / fabs(step))) + 1;
  if (!(cnt >= 0)) cnt = 0;  /* below a, or NaN: q = -inf plus an inf tolerance */
  if (cnt > (double)INT_MAX)
    lmL_error(L, "arange: %.0f elements is too many", cnt);
  n = (size_t)cnt;
  m = lmL_newmat(L, 1, (lua_Integer)n, "arange");
  for (i = 0; i < n; i++) m->data[i] = a + (double)i * step;
  /* an element that rounding put past b is b (0 + 3 * 0.1 > 0.3) */
  if (n > 0 && (step > 0 ? m->data[n - 1] > b : m->data[n - 1] < b))
    m->data[n - 1] = b;
  return 1;
}

/* linspace(a, b [, n=50]): numpy's values to the bit: i * step + a with
** step = (b - a) / (n - 1) (i / (n - 1) * (b - a) + a when step underflows
** to 0), and b itself last */
static int l_linspace(lua_State *L) {
  double a = luaL_checknumber(L, 1), b = luaL_checknumber(L, 2), step;
  int n = lua_isnoneornil(L, 3) ? 50 : lmL_checkdim(L, 3, "count"), i;
  lm_mat *m = lmL_newmat(L, 1, n, "linspace");
  if (n == 1) m->data[0] = a;
  if (n <= 1) return 1;
  step = (b - a) / (double)(n - 1);
  for (i = 0; i < n; i++)
    m->data[i] = (step == 0 ? (double)i / (double)(n - 1) * (b - a)
                            : (double)i * step) + a;
  m->data[n - 1] = b;
  return 1;
}

/* hstack{...} / vstack{...}: matrices (or numbers, as 1x1) side by side.
** The table is read once: each element is checked, anchored in a table of
** our own and its matrix kept in parts[], and the result is built from
** those alone.  Allocating the result may run finalizers that change the
** caller's table; what was checked is what gets copied. */
static int stack(lua_State *L, int horiz) {
  const char *fname = horiz ? "hstack" : "vstack";
  int k, n, r = -1, c = -1, pos = 0;
  lua_Integer total = 0;  /* may pass INT_MAX: lmL_newmat rejects it */
  lm_mat *out, **parts;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  n = (int)lua_rawlen(L, 1);
  parts = (lm_mat **)lua_newuserdatauv(L, (size_t)n * sizeof *parts, 0);  /* 2 */
  lua_createtable(L, n, 0);  /* 3: anchors what parts[] points into */
  for (k = 1; k <= n; k++) {  /* check shapes, convert tables */
    lm_mat *a;
    lua_rawgeti(L, 1, k);
    a = lmL_tomat(L, -1);
    if (a == NULL && lmL_traced(L, -1)) a = lmL_tomat(L, -1);  /* its value */
    if (a == NULL) {
      if (lua_type(L, -1) == LUA_TNUMBER) {
        double v = lua_tonumber(L, -1);
        lua_pop(L, 1);
        lmL_newmat(L, 1, 1, fname)->data[0] = v;
      } else if (lua_type(L, -1) == LUA_TTABLE) {
        fromtable(L, -1, fname);
        lua_remove(L, -2);
      } else {
        lmL_error(L, "%s: element %d is a %s, expected a matrix", fname, k,
                  luaL_typename(L, -1));
      }
      lua_pushvalue(L, -1);
      lua_rawseti(L, 1, k);  /* the caller's table keeps the conversion */
      a = lmL_tomat(L, -1);
    }
    lua_rawseti(L, 3, k);  /* anchored: a stays valid */
    parts[k - 1] = a;
    if (horiz) {
      if (r < 0) r = a->rows;
      else if (a->rows != r)
        lmL_error(L, "hstack: element %d has %d rows, element 1 has %d", k,
                  a->rows, r);
      total += a->cols;
    } else {
      if (c < 0) c = a->cols;
      else if (a->cols != c)
        lmL_error(L, "vstack: element %d has %d columns, element 1 has %d", k,
                  a->cols, c);
      total += a->rows;
    }
  }
  if (n == 0) { lmL_newmat(L, 0, 0, fname); return 1; }
  out = horiz ? lmL_newmat(L, r, total, fname) : lmL_newmat(L, total, c, fname);
  for (k = 0; k < n; k++) {  /* from parts[] only: no Lua runs here */
    lm_mat *a = parts[k], dst = *out;
    if (horiz) { dst.data += pos; dst.cols = a->cols; pos += a->cols; }
    else { dst.data += (size_t)pos * out->cols; dst.rows = a->rows; pos += a->rows; }
    lm_copy(a, &dst);
  }
  return 1;
}

static int l_hstack(lua_State *L) { return stack(L, 1); }
static int l_vstack(lua_State *L) { return stack(L, 0); }

static int l_ismatrix(lua_State *L) {
  if (tomatrix(L, 1) == NULL) lmL_traced(L, 1);  /* (its value) */
  lua_pushboolean(L, tomatrix(L, 1) != NULL);
  return 1;
}

/* ---- shape and element access --------------------------------------- */

static int m_shape(lua_State *L) {
  lm_mat *m = lmL_checkmat(L, 1);
  lua_pushinteger(L, m->rows);
  lua_pushinteger(L, m->cols);
  return 2;
}

static int m_size(lua_State *L) {
  lm_mat *m = lmL_checkmat(L, 1);
  lua_pushinteger(L, (lua_Integer)lm_size(m));
  return 1;
}

static int m_len(lua_State *L) {
  lua_pushinteger(L, lmL_checkmat(L, 1)->rows);
  return 1;
}

/* resolve a 1-based (negative from the end) index into 0-based */
static int index0(lua_State *L, int arg, int n, const char *what,
                  const char *fname, const lm_mat *m) {
  lua_Integer i;
  int isint;
  char b[LM_SHAPEBUF];
  i = lua_tointegerx(L, arg, &isint);
  if (!isint) {
    if (lua_type(L, arg) == LUA_TNUMBER)
      lmL_error(L, "%s: %s index must be a whole number, got %s", fname, what,
                lua_tostring(L, arg));
    luaL_typeerror(L, arg, "integer index");
  }
  if (i < 0) i += (lua_Integer)n + 1;  /* n may be INT_MAX */
  if (i < 1 || i > n)
    lmL_error(L, "%s: %s index %s out of range for %s matrix (1..%d)", fname,
              what, lua_tostring(L, arg), lmL_shape(b, m), n);
  return (int)(i - 1);
}

static double *elem(lua_State *L, lm_mat *m, int argi, const char *fname) {
  int i, j;
  if (lua_isnoneornil(L, argi + 1)) {  /* one index: vectors only */
    size_t k;
    if (m->rows != 1 && m->cols != 1) {
      char b[LM_SHAPEBUF];
      lmL_error(L, "%s: a %s matrix needs two indices (row, column)", fname,
                lmL_shape(b, m));
    }
    k = (size_t)index0(L, argi, (int)lm_size(m), "element", fname, m);
    return (m->rows == 1) ? m->data + (ptrdiff_t)k * m->cs
                          : m->data + (ptrdiff_t)k * m->rs;
  }
  i = index0(L, argi, m->rows, "row", fname, m);
  j = index0(L, argi + 1, m->cols, "column", fname, m);
  return m->data + (ptrdiff_t)i * m->rs + (ptrdiff_t)j * m->cs;
}

static int m_get(lua_State *L) {
  lm_mat *m = lmL_checkmat(L, 1);
  lua_pushnumber(L, *elem(L, m, 2, "get"));
  return 1;
}

static int m_set(lua_State *L) {
  lm_mat *m = lmL_checkmat(L, 1);
  int vi = lua_isnoneornil(L, 4) ? 3 : 4;  /* set(i, v) on vectors */
  double v;
  double *p;
  if (vi == 3) {
    lua_pushnil(L);
    lua_insert(L, 3);  /* set(i, nil, v) */
    vi = 4;
  }
  v = luaL_checknumber(L, vi);
  p = elem(L, m, 2, "set");
  *p = v;
  lua_settop(L, 1);
  return 1;
}

static int m_call(lua_State *L) {  /* m(i, j) */
  return m_get(L);
}

/* ---- views ---------------------------------------------------------- */

static int m_T(lua_State *L) {
  lm_mat *m = lmL_checkmat(L, 1), g;
  g.data = m->data;
  g.rows = m->cols; g.cols = m->rows;
  g.rs = m->cs; g.cs = m->rs;
  lmL_newview(L, 1, &g);
  return 1;
}

/* resolve an inclusive 1-based range [lo, hi] (negatives from the end) */
static void range0(lua_State *L, int arg, int n, const char *what,
                   const char *fname, const lm_mat *m, int *lo, int *len) {
  lua_Integer a = luaL_optinteger(L, arg, 1), b = luaL_optinteger(L, arg + 1, -1);
  char sb[LM_SHAPEBUF];
  if (a < 0) a += (lua_Integer)n + 1;  /* n may be INT_MAX */
  if (b < 0) b += (lua_Integer)n + 1;
  if (a < 1 || a > (lua_Integer)n + 1 || b < a - 1 || b > n)
    lmL_error(L, "%s: %s range %s..%s out of range for %s matrix (1..%d)", fname,
              what, lua_isnoneornil(L, arg) ? "1" : lua_tostring(L, arg),
              lua_isnoneornil(L, arg + 1) ? "-1" : lua_tostring(L, arg + 1),
              lmL_shape(sb, m), n);
  *lo = (int)(a - 1);
  *len = (int)(b - a + 1);
}

static int m_slice(lua_State *L) {
  lm_mat *m = lmL_checkmat(L, 1), g = *m;
  int r0, nr, c0, nc;
  range0(L, 2, m->rows, "row", "slice", m, &r0, &nr);
  range0(L, 4, m->cols, "column", "slice", m, &c0, &nc);
  g.data = m->data + (ptrdiff_t)r0 * m->rs + (ptrdiff_t)c0 * m->cs;
  g.rows = nr; g.cols = nc;
  lmL_newview(L, 1, &g);
  return 1;
}

static int m_row(lua_State *L) {
  lm_mat *m = lmL_checkmat(L, 1), g = *m;
  int i = index0(L, 2, m->rows, "row", "row", m);
  g.data = m->data + (ptrdiff_t)i * m->rs;
  g.rows = 1;
  lmL_newview(L, 1, &g);
  return 1;
}

static int m_col(lua_State *L) {
  lm_mat *m = lmL_checkmat(L, 1), g = *m;
  int j = index0(L, 2, m->cols, "column", "col", m);
  g.data = m->data + (ptrdiff_t)j * m->cs;
  g.cols = 1;
  lmL_newview(L, 1, &g);
  return 1;
}

static int m_copy(lua_State *L) {
  lm_mat *m = lmL_checkmat(L, 1);
  lm_mat *o = lmL_newmat(L, m->rows, m->cols, "copy");
  lm_copy(m, o);
  return 1;
}

/* contiguous(): the matrix itself when row-major dense, else a copy */
static int m_contiguous(lua_State *L) {
  if (lm_is_rowmajor(lmL_checkmat(L, 1))) {
    lua_settop(L, 1);
    return 1;
  }
  return m_copy(L);
}

/* reshape(r, c): a view when the data are row-major contiguous, else a
** copy; one of r, c may be -1 to infer it */
static int m_reshape(lua_State *L) {
  lm_mat *m = lmL_checkmat(L, 1), g;
  lua_Integer r = luaL_checkinteger(L, 2), c = luaL_optinteger(L, 3, -1);
  size_t n = lm_size(m);
  char sb[LM_SHAPEBUF];
  if (lua_isnoneornil(L, 3) && r != -1) c = -1;
  if ((r == -1 && c == -1) || r < -1 || c < -1)
    lmL_error(L, "reshape: bad target shape %lldx%lld (use -1 for at most one "
              "dimension)", (long long)r, (long long)c);
  if (r == -1) {
    if (c == 0 || n % (size_t)c != 0)
      lmL_error(L, "reshape: cannot reshape %s (%zu elements) into %lld columns",
                lmL_shape(sb, m), n, (long long)c);
    r = (lua_Integer)(n / (size_t)c);
  } else if (c == -1) {
    if (r == 0 || n % (size_t)r != 0)
      lmL_error(L, "reshape: cannot reshape %s (%zu elements) into %lld rows",
                lmL_shape(sb, m), n, (long long)r);
    c = (lua_Integer)(n / (size_t)r);
  }
  if (r > INT_MAX || c > INT_MAX || (size_t)r * (size_t)c != n)
    lmL_error(L, "reshape: cannot reshape %s (%zu elements) into %lldx%lld",
              lmL_shape(sb, m), n, (long long)r, (long long)c);
  if (lm_is_rowmajor(m)) {
    g = lm_dense(m->data, (int)r, (int)c);
    lmL_newview(L, 1, &g);
  } else {
    lm_mat *o = lmL_newmat(L, r, c, "reshape"), src = lm_dense(o->data, m->rows, m->cols);
    lm_copy(m, &src);
  }
  return 1;
}

/* take(idx [, axis=1]): rows (axis 1) or columns (axis 2) at the 1-based
** positions held by idx (a matrix or table of indices); always a copy */
static int m_take(lua_State *L) {
  lm_mat *m = lmL_checkmat(L, 1), *ix;
  int axis, k, n, lim;
  lm_mat *o;
  ix = lmL_checkmatlike(L, 2);
  axis = lmL_optaxis(L, 3, 1);
  if (ix->rows != 1 && ix->cols != 1 && lm_size(ix) != 0) {
    char sb[LM_SHAPEBUF];
    lmL_error(L, "take: indices must be a vector, got a %s matrix", lmL_shape(sb, ix));
  }
  n = (int)lm_size(ix);
  lim = axis == 1 ? m->rows : m->cols;
  o = axis == 1 ? lmL_newmat(L, n, m->cols, "take") : lmL_newmat(L, m->rows, n, "take");
  for (k = 0; k < n; k++) {
    double v = (ix->rows == 1) ? ix->data[(ptrdiff_t)k * ix->cs] : ix->data[(ptrdiff_t)k * ix->rs];
    lm_mat src = *m, dst = *o;
    long long p;
    if (v != floor(v)) lmL_error(L, "take: index %g at position %d is not a whole number", v, k + 1);
    p = (v >= -(double)lim && v <= (double)lim) ? (long long)v : 0;  /* no UB cast */
    if (p < 0) p += (long long)lim + 1;
    if (p < 1 || p > lim) {
      char sb[LM_SHAPEBUF];
      lmL_error(L, "take: index %g at position %d out of range for %s matrix (1..%d)",
                v, k + 1, lmL_shape(sb, m), lim);
    }
    if (axis == 1) {
      src.data += (ptrdiff_t)(p - 1) * m->rs; src.rows = 1;
      dst.data += (ptrdiff_t)k * o->rs; dst.rows = 1;
    } else {
      src.data += (ptrdiff_t)(p - 1) * m->cs; src.cols = 1;
      dst.data += (ptrdiff_t)k * o->cs; dst.cols = 1;
    }
    lm_copy(&src, &dst);
  }
  return 1;
}

static int m_totable(lua_State *L) {
  lm_mat *m = lmL_checkmat(L, 1);
  int i, j;
  lua_createtable(L, m->rows, 0);
  for (i = 0; i < m->rows; i++) {
    lua_createtable(L, m->cols, 0);
    for (j = 0; j < m->cols; j++) {
      lua_pushnumber(L, m->data[(ptrdiff_t)i * m->rs + (ptrdiff_t)j * m->cs]);
      lua_rawseti(L, -2, j + 1);
    }
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* fill_(v): every element = v; returns the receiver */
static int m_fill_(lua_State *L) {
  lm_fill(lmL_checkmat(L, 1), luaL_checknumber(L, 2));
  lua_settop(L, 1);
  return 1;
}

/* copy_(src): receiver = src (broadcast); returns the receiver */
static int m_copy_(lua_State *L) {
  lm_mat *o = lmL_checkmat(L, 1), *a, b;
  int r, c;
  char s1[LM_SHAPEBUF], s2[LM_SHAPEBUF];
  if (lua_type(L, 2) == LUA_TNUMBER) return m_fill_(L);
  a = lmL_checkmatlike(L, 2);
  if (!lm_broadcast_shape(a->rows, a->cols, o->rows, o->cols, &r, &c) ||
      r != o->rows || c != o->cols)
    lmL_error(L, "copy_: cannot broadcast %s into %s", lmL_shape(s1, a),
              lmL_shape(s2, o));
  b = lm_broadcast_to(a, r, c);
  if (lmL_overlap(&b, o) && (b.data != o->data || b.rs != o->rs || b.cs != o->cs)) {
    lm_mat *t = lmL_newmat(L, a->rows, a->cols, "copy_");
    lm_copy(a, t);
    b = lm_broadcast_to(t, r, c);
  }
  lm_copy(&b, o);
  lua_settop(L, 1);
  return 1;
}

/* ---- arithmetic metamethods ----------------------------------------- */

/* Binary op on (arg 1, arg 2), either of which may be a number; the
** result is a new matrix, or written into out when given (arg outarg). */
int lmL_arith(lua_State *L, lm_binop op, const char *fname, int outarg) {
  lm_mat *a = NULL, *b = NULL, *o = NULL, va, vb;
  int r, c;
  char s1[LM_SHAPEBUF], s2[LM_SHAPEBUF];
  if (lua_type(L, 1) == LUA_TNUMBER && lua_type(L, 2) == LUA_TNUMBER) {
    lua_pushnumber(L, lm_binop_scalar(op, lua_tonumber(L, 1), lua_tonumber(L, 2)));
    return 1;
  }
  if (lua_type(L, 2) == LUA_TNUMBER) {  /* matrix op number */
    a = lmL_checkmatlike(L, 1);
    if (outarg) o = lmL_optout(L, outarg, a->rows, a->cols, fname);
    if (o == NULL) o = lmL_newmatlike(L, 1, a->rows, a->cols, fname);
    else lua_pushvalue(L, outarg);
    lm_binary_scalar(op, a, lua_tonumber(L, 2), 0, o);
    lmL_endwork(L);
    return 1;
  }
  if (lua_type(L, 1) == LUA_TNUMBER) {  /* number op matrix */
    b = lmL_checkmatlike(L, 2);
    if (outarg) o = lmL_optout(L, outarg, b->rows, b->cols, fname);
    if (o == NULL) o = lmL_newmatlike(L, 2, b->rows, b->cols, fname);
    else lua_pushvalue(L, outarg);
    lm_binary_scalar(op, b, lua_tonumber(L, 1), 1, o);
    lmL_endwork(L);
    return 1;
  }
  a = lmL_checkmatlike(L, 1);
  b = lmL_checkmatlike(L, 2);
  if (!lm_broadcast_shape(a->rows, a->cols, b->rows, b->cols, &r, &c))
    lmL_error(L, "%s: cannot broadcast %s with %s%s", fname, lmL_shape(s1, a),
              lmL_shape(s2, b), op == LM_MUL && a->cols == b->rows
              ? " (* is elementwise; for the matrix product write A:dot(B))" : "");
  if (outarg) o = lmL_optout(L, outarg, r, c, fname);
  if (o == NULL) o = lmL_newmatlike(L, 1, r, c, fname);
  else {
    /* an operand that partly overlaps out must be copied first */
    lm_mat *ops[2];
    int k;
    ops[0] = a; ops[1] = b;
    for (k = 0; k < 2; k++) {
      lm_mat *p = ops[k];
      if (lmL_overlap(p, o) && !(p->data == o->data && p->rs == o->rs &&
                                 p->cs == o->cs && p->rows == r && p->cols == c)) {
        lm_mat *t = lmL_newmat(L, p->rows, p->cols, fname);
        lm_copy(p, t);
        lua_replace(L, k + 1);
        if (k == 0) a = t; else b = t;
      }
    }
    lua_pushvalue(L, outarg);
  }
  /* operands of the result's shape as they are: lm_broadcast_to's
  ** returned copy, read back at once, would wait for its stores to reach
  ** the cache, a visible part of an operation on small matrices */
  va = *a;
  vb = *b;
  if (a->rows != r || a->cols != c) va = lm_broadcast_to(a, r, c);
  if (b->rows != r || b->cols != c) vb = lm_broadcast_to(b, r, c);
  lm_binary(op, &va, &vb, o);
  lmL_endwork(L);
  return 1;
}

static int m_add(lua_State *L) { return lmL_arith(L, LM_ADD, "+", 0); }
static int m_sub(lua_State *L) { return lmL_arith(L, LM_SUB, "-", 0); }
static int m_mul(lua_State *L) { return lmL_arith(L, LM_MUL, "*", 0); }
static int m_div(lua_State *L) { return lmL_arith(L, LM_DIV, "/", 0); }
static int m_pow(lua_State *L) { return lmL_arith(L, LM_POW, "^", 0); }
static int m_mod(lua_State *L) { return lmL_arith(L, LM_MOD, "%", 0); }

static int m_unm(lua_State *L) {
  lm_mat *a = lmL_checkmat(L, 1);
  lm_mat *o = lmL_newmat(L, a->rows, a->cols, "unary -");
  lm_unary(LM_NEG, a, o);
  lmL_endwork(L);
  return 1;
}

static int m_idiv(lua_State *L) {
  lmL_arith(L, LM_DIV, "//", 0);
  if (lmL_tomat(L, -1)) lm_unary(LM_FLOOR, lmL_tomat(L, -1), lmL_tomat(L, -1));
  else lua_pushnumber(L, floor(lua_tonumber(L, -1)));
  return 1;
}

/* a == b: same shape and all elements equal (NaN is unequal, as in IEEE) */
static int m_eq(lua_State *L) {
  lm_mat *a = lmL_tomat(L, 1), *b = lmL_tomat(L, 2);
  int i, j, eq = 1;
  if (a == NULL || b == NULL || a->rows != b->rows || a->cols != b->cols) eq = 0;
  for (i = 0; eq && i < a->rows; i++)
    for (j = 0; j < a->cols; j++)
      if (a->data[(ptrdiff_t)i * a->rs + (ptrdiff_t)j * a->cs] !=
          b->data[(ptrdiff_t)i * b->rs + (ptrdiff_t)j * b->cs]) { eq = 0; break; }
  lua_pushboolean(L, eq);
  return 1;
}

static int m_concat(lua_State *L) {
  luaL_tolstring(L, 1, NULL);
  luaL_tolstring(L, 2, NULL);
  lua_concat(L, 2);
  return 1;
}

/* ---- printing ------------------------------------------------------- */

#define EDGE 3          /* rows/columns shown at each end when eliding */
#define THRESHOLD 1000  /* elide when the matrix has more elements */

static double at(const lm_mat *m, int i, int j) {
  return m->data[(ptrdiff_t)i * m->rs + (ptrdiff_t)j * m->cs];
}

/* how many rows (or columns) of n are shown */
static int nshown(int n, int elide) {
  return (elide && n > 2 * EDGE) ? 2 * EDGE + 1 : n;
}

/* the k-th shown position of n: all of them, or EDGE at each end with -1
** (the ... marker) between */
static int shownat(int k, int n, int elide) {
  if (!elide || n <= 2 * EDGE || k < EDGE) return k;
  if (k == EDGE) return -1;
  return n - (2 * EDGE + 1) + k;
}

/* decimals needed to show v with 8 significant decimals, trailing zeros cut */
static int decimals(double v, int sci) {
  char b[64];
  char *p, *e;
  int d;
  snprintf(b, sizeof b, sci ? "%.8e" : "%.8f", v);
  p = strchr(b, '.');
  if (p == NULL) return 0;
  e = sci ? strchr(b, 'e') : b + strlen(b);
  d = (int)(e - p - 1);
  while (d > 0 && p[d] == '0') d--;
  return d;
}

static void fmtnum(char *b, size_t n, double v, int sci, int dec) {
  if (isnan(v)) snprintf(b, n, "nan");
  else if (isinf(v)) snprintf(b, n, v > 0 ? "inf" : "-inf");
  else snprintf(b, n, sci ? "%.*e" : "%.*f", dec, v);
}

/* The value shown at display cell (i, j) into *v; 0 for an elision
** marker cell. */
static int cell(const lm_mat *m, int elide, int i, int j, double *v) {
  int r = shownat(i, m->rows, elide), c = shownat(j, m->cols, elide);
  if (r < 0 || c < 0) return 0;
  *v = at(m, r, c);
  return 1;
}

/* tostring(m): "matrix RxC" then aligned rows in one common format (fixed,
** or scientific when magnitudes call for it, as numpy decides), elided
** to EDGE rows/columns at each end past THRESHOLD elements */
static int m_tostring(lua_State *L) {
  Matrix *x = tomatrix(L, 1);
  lm_mat *m;
  luaL_Buffer B;
  int nr, nc, i, j, elide, sci = 0, dec = 0, width = 1;
  double v, maxabs = 0, minabs = HUGE_VAL;
  char b[64];
  if (x == NULL) return luaL_typeerror(L, 1, "matrix");
  if (x->closed) { lua_pushliteral(L, "matrix (closed)"); return 1; }
  m = &x->m;
  luaL_buffinit(L, &B);
  snprintf(b, sizeof b, "matrix %dx%d", m->rows, m->cols);
  luaL_addstring(&B, b);
  if (lm_size(m) == 0) {
    luaL_addstring(&B, " (empty)");
    luaL_pushresult(&B);
    return 1;
  }
  elide = lm_size(m) > THRESHOLD;
  nr = nshown(m->rows, elide);
  nc = nshown(m->cols, elide);
  for (i = 0; i < nr; i++)  /* magnitudes decide fixed or scientific */
    for (j = 0; j < nc; j++)
      if (cell(m, elide, i, j, &v) && isfinite(v)) {
        v = fabs(v);
        if (v > maxabs) maxabs = v;
        if (v != 0 && v < minabs) minabs = v;
      }
  if (maxabs >= 1e8 || (minabs != HUGE_VAL && minabs < 1e-4))
    sci = 1;
  for (i = 0; i < nr; i++)  /* decimals: enough for every shown value */
    for (j = 0; j < nc; j++)
      if (cell(m, elide, i, j, &v) && isfinite(v)) {
        int d = decimals(v, sci);
        if (d > dec) dec = d;
      }
  for (i = 0; i < nr; i++)  /* the common width */
    for (j = 0; j < nc; j++)
      if (cell(m, elide, i, j, &v)) {
        int w;
        fmtnum(b, sizeof b, v, sci, dec);
        w = (int)strlen(b);
        if (w > width) width = w;
      }
  for (i = 0; i < nr; i++) {
    char out[96];
    luaL_addchar(&B, '\n');
    if (shownat(i, m->rows, elide) < 0) {
      snprintf(out, sizeof out, " %*s", width, "...");
      luaL_addstring(&B, out);
      continue;
    }
    for (j = 0; j < nc; j++) {
      if (cell(m, elide, i, j, &v)) {
        fmtnum(b, sizeof b, v, sci, dec);
        snprintf(out, sizeof out, " %*s", width, b);
      } else {
        snprintf(out, sizeof out, " ...");
      }
      luaL_addstring(&B, out);
    }
  }
  luaL_pushresult(&B);
  return 1;
}

/* ---- indexing ------------------------------------------------------- */

/* m.rows, m.cols, methods, and m[i] for vectors (element i) */
static int m_index(lua_State *L) {
  if (lua_type(L, 2) == LUA_TSTRING) {
    const char *k;
    Matrix *x;
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)  /* a method */
      return 1;
    if ((x = tomatrix(L, 1)) == NULL)  /* called directly: __index(t, k) */
      return luaL_typeerror(L, 1, "matrix");
    k = lua_tostring(L, 2);
    if (strcmp(k, "rows") == 0) { lua_pushinteger(L, x->m.rows); return 1; }
    if (strcmp(k, "cols") == 0) { lua_pushinteger(L, x->m.cols); return 1; }
    return 1;  /* nil */
  }
  if (lua_type(L, 2) == LUA_TNUMBER) {
    lm_mat *m = lmL_checkmat(L, 1);
    if (m->rows != 1 && m->cols != 1) {
      char b[LM_SHAPEBUF];
      lmL_error(L, "m[i] works on vectors only; for a %s matrix use m:get(i, j) "
                "or m:row(i)", lmL_shape(b, m));
    }
    lua_settop(L, 2);
    return m_get(L);
  }
  if (lmL_tomat(L, 2) != NULL)  /* numpy's X[mask]: never a silent nil */
    return lmL_error(L, "X[m] with a matrix m: use X:mask(m) for the rows (or "
                     "elements) where m is nonzero, X:take(idx) for rows at "
                     "positions");
  if (lua_type(L, 2) == LUA_TTABLE)
    return lmL_error(L, "X[t] with a table t: use X:take(t) for the rows at "
                     "positions t, X:mask(t) for a 0/1 mask");
  return 0;
}

static int m_newindex(lua_State *L) {
  lm_mat *m = lmL_checkmat(L, 1);
  if (lua_type(L, 2) == LUA_TNUMBER) {
    double *p;
    double v = luaL_checknumber(L, 3);
    if (m->rows != 1 && m->cols != 1) {
      char b[LM_SHAPEBUF];
      lmL_error(L, "m[i] = v works on vectors only; for a %s matrix use "
                "m:set(i, j, v)", lmL_shape(b, m));
    }
    lua_settop(L, 2);
    p = elem(L, m, 2, "set");
    *p = v;
    return 0;
  }
  if (lmL_tomat(L, 2) != NULL)
    return lmL_error(L, "X[m] = v with a matrix m: write X = ml.where(m, v, X) "
                     "(or X:copy_(ml.where(m, v, X)) to change X in place)");
  return lmL_error(L, "cannot set field '%s' of a matrix",
                   luaL_tolstring(L, 2, NULL));
}

/* ---- registration --------------------------------------------------- */

static const luaL_Reg methods[] = {
  {"shape", m_shape}, {"size", m_size}, {"get", m_get}, {"set", m_set},
  {"T", m_T}, {"t", m_T}, {"transpose", m_T}, {"slice", m_slice},
  {"row", m_row}, {"col", m_col}, {"copy", m_copy},
  {"contiguous", m_contiguous}, {"reshape", m_reshape}, {"take", m_take},
  {"totable", m_totable}, {"fill_", m_fill_}, {"copy_", m_copy_},
  {"close", m_close},
  {NULL, NULL}
};

static const luaL_Reg metamethods[] = {
  {"__add", m_add}, {"__sub", m_sub}, {"__mul", m_mul}, {"__div", m_div},
  {"__pow", m_pow}, {"__mod", m_mod}, {"__unm", m_unm}, {"__idiv", m_idiv},
  {"__eq", m_eq}, {"__len", m_len}, {"__call", m_call},
  {"__tostring", m_tostring}, {"__concat", m_concat},
  {"__close", m_close}, {"__newindex", m_newindex},
  {"__index", NULL},  /* placeholder */
  {"__name", NULL},
  {NULL, NULL}
};

static const luaL_Reg funcs[] = {
  {"matrix", l_matrix}, {"zeros", l_zeros}, {"ones", l_ones}, {"full", l_full},
  {"eye", l_eye}, {"arange", l_arange}, {"linspace", l_linspace},
  {"hstack", l_hstack}, {"vstack", l_vstack}, {"ismatrix", l_ismatrix},
  {"take", m_take}, {"copy", m_copy}, {"reshape", m_reshape},
  {"transpose", m_T},
  {NULL, NULL}
};

void lmL_addmethods(lua_State *L, const luaL_Reg *l) {
  luaL_getmetatable(L, LM_MATRIX);
  lua_getfield(L, -1, "__methods");
  luaL_setfuncs(L, l, 0);
  lua_pop(L, 2);
}

/* The metatable is filled in every time, not only when luaL_newmetatable
** creates it: an earlier opening that ran out of memory half-way may have
** left it registered but incomplete.  Every function gets the metatable
** as upvalue 1 (see tomatrix), but __index, whose upvalue is the methods. */
void lmopen_matrix(lua_State *L) {
  luaL_newmetatable(L, LM_MATRIX);
  lua_pushvalue(L, -1);
  luaL_setfuncs(L, metamethods, 1);
  lua_newtable(L);  /* methods */
  lua_pushvalue(L, -2);
  luaL_setfuncs(L, methods, 1);
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "__methods");
  lua_pushcclosure(L, m_index, 1);
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, LM_MATRIX);
  lua_setfield(L, -2, "__name");
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &mtkey);
  luaL_setfuncs(L, funcs, 1);  /* into the module table */
}
