/*
** lio.c -- luaml's data files in Lua: load_csv, save_csv, load_npy,
** save_npy, load_idx, load_h5 (the parsers are in core_io.c / core_h5.c).
**
**   X [, names] = ml.load_csv(path [, {delimiter = ",", header = nil}])
**   ml.save_csv(m, path [, {delimiter = ",", header = {names...}}])
**   X = ml.load_npy(path)          ml.save_npy(m, path)
**   X = ml.load_idx(path)          X = ml.load_h5(path, dataset)
**   m:save_csv(path [, opts]), m:save_npy(path) as methods.
**
** What users can rely on (the docs repeat it):
** - Shapes.  Everything loads as a 2-D matrix of doubles; an N-d array
**   becomes d1 x (d2*...*dN) in C order.  A 1-D numpy array loads as a
**   1 x n row (numpy's 1-D arrays behave as rows, like ml.matrix{1,2,3});
**   a 1-D dataset in a data file of samples (IDX, HDF5) holds one value per
**   sample, so it loads as an n x 1 column, as labels are in luaml.  A
**   scalar is 1x1.  IDX pixels keep their raw values (0..255, no /255).
** - Gzip input (CSV, NPY, IDX) is recognised by its magic bytes, not the
**   file name.
** - CSV: a first row is a header when one of its cells is quoted or is
**   text that is not a number (header = true/false forces the choice); its
**   names come back as a second value, a table of strings (nothing when
**   there is no header).  Quoted fields with "" escapes, CRLF, a UTF-8 BOM,
**   blank lines, and spaces around numbers are accepted; nan, inf and
**   infinity (any case, signed) are numbers; a number beyond the double
**   range reads as +-inf, a tiny one as 0 or a subnormal.  A row with
**   another number of fields, an empty cell, or a cell that is not a
**   number is an error naming the line and the 1-based column.  '.' is the
**   decimal point whatever the C locale.  save_csv writes 15 significant
**   digits when they read back exactly (0.1 stays 0.1), else 17, so a
**   save_csv/load_csv round trip is bit-exact (nan and +-inf included).
** - NPY: versions 1.0-3.0, dtypes f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1 of
**   either byte order, C or Fortran order; save_npy writes version 1.0
**   '<f8' C order (r, c), the bytes numpy.save writes, from any view.
** - HDF5: any integer or float dataset (and h5py's bool enums); a missing
**   dataset's error lists the names in the file's root group.
**
** A load makes a reader userdata (metatable "luaml.reader", whose __gc and
** __close release it) and marks it to-be-closed BEFORE it opens the file,
** as liolib makes its file object first: whatever raises afterwards (the
** parser, the allocation of the matrix, a string of the header), the file,
** HDF5 ids and buffers are released at once.  The reader's buffers come
** from the state's allocator, so a memory limit covers them.
**
** Errors name the function and the path: "load_idx: t10k.gz: bad magic ...";
** for unreadable paths the message is strerror's ("No such file or
** directory").
*/
#include <string.h>

#include "lua.h"
#include "lauxlib.h"

#include "core_io.h"
#include "lbind.h"

#define LM_READER "luaml.reader"

/* __gc and __close of a reader: release it (idempotent) */
static int reader_close(lua_State *L) {
  lm_reader *r = (lm_reader *)luaL_checkudata(L, 1, LM_READER);
  lm_reader_close(r);
  return 0;
}

/* Push a new closed reader, marked to-be-closed; returns it. */
static lm_reader *newreader(lua_State *L) {
  lm_reader *r = (lm_reader *)lua_newuserdatauv(L, sizeof(lm_reader), 0);
  lm_reader_init(r);
  r->alloc = lua_getallocf(L, &r->alloc_ud);
  luaL_setmetatable(L, LM_READER);
  lua_toclose(L, -1);
  return r;
}

/* Close r (when not NULL) and raise "fname: path: err". */
static int ioerror(lua_State *L, lm_reader *r, const char *fname,
                   const char *path, const char *err) {
  if (r != NULL) lm_reader_close(r);
  return lmL_error(L, "%s: %s: %s", fname, path, err);
}

/* Push the matrix of an opened reader r: allocate it, read the body.
** The reader stays open (the caller closes it). */
static void pushbody(lua_State *L, lm_reader *r, const char *fname,
                     const char *path) {
  char err[LM_IO_ERRLEN];
  lm_mat *m = lmL_newmat(L, r->rows, r->cols, fname);
  if (lm_reader_read(r, m, err) != LM_OK) ioerror(L, r, fname, path, err);
}

/* Check the options table at arg (nil or absent: none): every key must be
** one of the NULL-terminated names. */
static void checkopts(lua_State *L, int arg, const char *fname,
                      const char *const *names) {
  if (lua_isnoneornil(L, arg)) return;
  luaL_checktype(L, arg, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, arg) != 0) {
    int i, found = 0;
    lua_pop(L, 1);  /* the value */
    if (lua_type(L, -1) == LUA_TSTRING) {
      const char *k = lua_tostring(L, -1);
      for (i = 0; names[i] != NULL; i++)
        if (strcmp(k, names[i]) == 0) found = 1;
      if (!found)
        lmL_error(L, "%s: unknown option '%s' (the options are %s%s%s)",
                  fname, k, names[0], names[1] ? " and " : "",
                  names[1] ? names[1] : "");
    } else {
      lmL_error(L, "%s: the options table has a key of type %s (options "
                "are named: %s%s%s)", fname, luaL_typename(L, -1), names[0],
                names[1] ? ", " : "", names[1] ? names[1] : "");
    }
  }
}

/* the 'delimiter' option of the options table at arg into o */
static void optdelim(lua_State *L, int arg, const char *fname,
                     lm_csv_opts *o) {
  size_t n;
  const char *d;
  if (lua_isnoneornil(L, arg)) return;
  if (lua_getfield(L, arg, "delimiter") != LUA_TNIL) {
    /* the type first: lua_tolstring would turn a number into a string */
    const char *tn = luaL_typename(L, -1);
    int isstr = lua_type(L, -1) == LUA_TSTRING;
    d = lua_tolstring(L, -1, &n);
    if (!isstr || n != 1)
      lmL_error(L, "%s: option 'delimiter' must be a one-character string "
                "such as \",\", \";\" or \"\\t\", got %s", fname,
                isstr ? d : tn);
    if (d[0] == '"' || d[0] == '\n' || d[0] == '\r' || d[0] == '\0')
      lmL_error(L, "%s: option 'delimiter' cannot be a quote, a line break "
                "or NUL", fname);
    o->delim = d[0];
  }
  lua_pop(L, 1);
}

/* ml.load_csv(path [, {delimiter = ",", header = nil|true|false}])
** -> matrix [, names]: names (a table of strings) when there is a header */
static int l_load_csv(lua_State *L) {
  static const char *const opts[] = {"delimiter", "header", NULL};
  const char *path = luaL_checkstring(L, 1);
  char err[LM_IO_ERRLEN];
  lm_csv_opts o;
  lm_reader *r;
  int i;
  lm_csv_defaults(&o);
  checkopts(L, 2, "load_csv", opts);
  optdelim(L, 2, "load_csv", &o);
  if (!lua_isnoneornil(L, 2)) {
    int t = lua_getfield(L, 2, "header");
    if (t == LUA_TBOOLEAN) o.header = lua_toboolean(L, -1);
    else if (t != LUA_TNIL)
      lmL_error(L, "load_csv: option 'header' must be true or false (or nil "
                "to decide from the first row), got %s", luaL_typename(L, -1));
    lua_pop(L, 1);
  }
  lua_settop(L, 2);
  r = newreader(L);                              /* 3 */
  if (lm_csv_open(r, path, &o, err) != LM_OK)
    return ioerror(L, r, "load_csv", path, err);
  pushbody(L, r, "load_csv", path);              /* 4: the matrix */
  if (r->names == NULL) {
    lm_reader_close(r);
    return 1;
  }
  lua_createtable(L, r->nnames, 0);              /* 5: the names */
  {
    const char *p = r->names;
    for (i = 1; i <= r->nnames; i++) {
      size_t n = strlen(p);
      lua_pushlstring(L, p, n);
      lua_rawseti(L, -2, i);
      p += n + 1;
    }
  }
  lm_reader_close(r);
  return 2;
}

/* ml.save_csv(m, path [, {delimiter = ",", header = {names...}}]) */
static int l_save_csv(lua_State *L) {
  static const char *const opts[] = {"delimiter", "header", NULL};
  lm_mat *m = lmL_checkmat(L, 1);
  const char *path = luaL_checkstring(L, 2);
  const char **names = NULL;
  char err[LM_IO_ERRLEN];
  lm_csv_opts o;
  lua_Integer n = 0, i;
  lm_csv_defaults(&o);
  checkopts(L, 3, "save_csv", opts);
  optdelim(L, 3, "save_csv", &o);
  lua_settop(L, 3);
  if (!lua_isnil(L, 3) && lua_getfield(L, 3, "header") != LUA_TNIL) {  /* 4 */
    if (!lua_istable(L, 4))
      lmL_error(L, "save_csv: option 'header' must be a table of column "
                "names, got %s", luaL_typename(L, 4));
    n = luaL_len(L, 4);
    if (n != m->cols)
      lmL_error(L, "save_csv: the header has %lld names for %d columns",
                (long long)n, m->cols);
    /* the array of names lives in a userdata: no malloc to leak; the
    ** strings it points to are anchored in a table of our own, since the
    ** header's __index may make fresh ones, or drop them from the header
    ** while later names are read */
    lua_createtable(L, (int)n, 0);  /* 5: anchors */
    names = (const char **)lua_newuserdatauv(
        L, (size_t)(n > 0 ? n : 1) * sizeof(char *), 0);  /* 6 */
    for (i = 1; i <= n; i++) {
      if (lua_geti(L, 4, i) != LUA_TSTRING)
        lmL_error(L, "save_csv: header name %lld must be a string, got %s",
                  (long long)i, luaL_typename(L, -1));
      names[i - 1] = lua_tostring(L, -1);
      lua_rawseti(L, 5, i);  /* anchored: names[i - 1] stays valid */
    }
  }
  if (lm_csv_save(m, path, &o, names, (int)n, err) != LM_OK)
    return ioerror(L, NULL, "save_csv", path, err);
  return 0;
}

/* ml.load_npy(path) -> matrix */
static int l_load_npy(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  char err[LM_IO_ERRLEN];
  lm_reader *r;
  lua_settop(L, 1);
  r = newreader(L);
  if (lm_npy_open(r, path, err) != LM_OK)
    return ioerror(L, r, "load_npy", path, err);
  pushbody(L, r, "load_npy", path);
  lm_reader_close(r);
  return 1;
}

/* ml.save_npy(m, path) */
static int l_save_npy(lua_State *L) {
  lm_mat *m = lmL_checkmat(L, 1);
  const char *path = luaL_checkstring(L, 2);
  char err[LM_IO_ERRLEN];
  if (lm_npy_save(m, path, err) != LM_OK)
    return ioerror(L, NULL, "save_npy", path, err);
  return 0;
}

/* ml.load_idx(path) -> matrix */
static int l_load_idx(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  char err[LM_IO_ERRLEN];
  lm_reader *r;
  lua_settop(L, 1);
  r = newreader(L);
  if (lm_idx_open(r, path, err) != LM_OK)
    return ioerror(L, r, "load_idx", path, err);
  pushbody(L, r, "load_idx", path);
  lm_reader_close(r);
  return 1;
}

/* ml.load_h5(path, dataset) -> matrix */
static int l_load_h5(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  const char *ds = luaL_checkstring(L, 2);
  char err[LM_IO_ERRLEN];
  lm_reader *r;
  lua_settop(L, 2);
  r = newreader(L);
  if (lm_h5_open(r, path, ds, err) != LM_OK)
    return ioerror(L, r, "load_h5", path, err);
  pushbody(L, r, "load_h5", path);
  lm_reader_close(r);
  return 1;
}

void lmopen_io(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"load_csv", l_load_csv}, {"save_csv", l_save_csv},
    {"load_npy", l_load_npy}, {"save_npy", l_save_npy},
    {"load_idx", l_load_idx}, {"load_h5", l_load_h5},
    {NULL, NULL}
  };
  static const luaL_Reg methods[] = {  /* m:save_csv(path), m:save_npy(path) */
    {"save_csv", l_save_csv}, {"save_npy", l_save_npy},
    {NULL, NULL}
  };
  luaL_newmetatable(L, LM_READER);  /* filled in even when it exists: an */
  lua_pushcfunction(L, reader_close);  /* opening that ran out of memory */
  lua_setfield(L, -2, "__gc");         /* may have left it incomplete */
  lua_pushcfunction(L, reader_close);
  lua_setfield(L, -2, "__close");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");  /* hidden from getmetatable */
  lua_pop(L, 1);
  luaL_setfuncs(L, funcs, 0);
  lmL_addmethods(L, methods);
}
