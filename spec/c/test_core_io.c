/*
** test_core_io.c -- the data-file readers and writers of the numeric core
** (core_io.c, core_h5.c) without Lua: good fixtures load with the right
** shape and values, malformed ones fail with the right code and message,
** save/load round trips are exact.  TAP output; exit status 1 on failure.
**
** Run from the repository root (fixtures in spec/fixtures, written by
** spec/fixtures/make_fixtures.py), or pass the fixtures folder as argv[1].
*/
#define _POSIX_C_SOURCE 200809L

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core_io.h"
#include "tap.h"

static const char *dir = "spec/fixtures";

enum { CSV, NPY, IDX, H5 };

/* an allocator with lua_Alloc's contract that checks the osize it is
** given and counts the bytes outstanding */
static long long outstanding = 0;
static int bad_osize = 0;

static void *counting(void *ud, void *p, size_t osize, size_t nsize) {
  size_t *h = p ? (size_t *)p - 2 : NULL;
  (void)ud;
  if (h != NULL) {
    if (h[0] != osize) bad_osize++;
    outstanding -= (long long)h[0];
  }
  if (nsize == 0) { free(h); return NULL; }
  h = (size_t *)realloc(h, nsize + 2 * sizeof(size_t));
  if (h == NULL) return NULL;
  h[0] = nsize;
  outstanding += (long long)nsize;
  return h + 2;
}

/* open (kind) + allocate + read; returns the status, *m receives a
** malloc'ed dense matrix on success (caller frees m->data) */
static int load(int kind, const char *rel, const char *ds,
                const lm_csv_opts *copts, lm_mat *m, char *err,
                lm_reader *keep) {
  char path[512];
  lm_reader r;
  lm_csv_opts o;
  int st;
  double *data;
  snprintf(path, sizeof path, "%s/%s", dir, rel);
  lm_reader_init(&r);
  r.alloc = counting;
  if (copts == NULL) { lm_csv_defaults(&o); copts = &o; }
  switch (kind) {
  case CSV: st = lm_csv_open(&r, path, copts, err); break;
  case NPY: st = lm_npy_open(&r, path, err); break;
  case IDX: st = lm_idx_open(&r, path, err); break;
  default: st = lm_h5_open(&r, path, ds, err); break;
  }
  if (st != LM_OK) { lm_reader_close(&r); return st; }
  data = (double *)malloc(((size_t)r.rows * (size_t)r.cols + 1) *
                          sizeof(double));
  m->data = data;
  m->rows = r.rows;
  m->cols = r.cols;
  m->rs = r.cols;
  m->cs = 1;
  st = lm_reader_read(&r, m, err);
  if (keep != NULL) {  /* hand the names over (copied to plain malloc) */
    *keep = r;
    keep->names = NULL;
    if (r.names != NULL) {
      keep->names = (char *)malloc(r.namescap);
      memcpy(keep->names, r.names, r.namescap);
    }
  }
  lm_reader_close(&r);
  if (st != LM_OK) { free(data); m->data = NULL; }
  return st;
}

/* compare with expected values (NaN equals NaN), exactly */
static int same(const lm_mat *m, int rows, int cols, const double *v) {
  int i;
  if (m->rows != rows || m->cols != cols) return 0;
  for (i = 0; i < rows * cols; i++) {
    double a = m->data[i], e = v[i];
    if (e != e ? a == a : memcmp(&a, &e, sizeof a) != 0) return 0;
  }
  return 1;
}

typedef struct good { int kind; const char *rel, *ds; int rows, cols;
                      double v[12]; } good;

static void test_good(void) {
  static const good cases[] = {
    {NPY, "npy/f8_le.npy", 0, 2, 3, {1.5, -2.25, 1e300, 3.141592653589793,
                                     -0.0, 5e-324}},
    {NPY, "npy/f8_be.npy", 0, 2, 3, {1.5, -2.25, 1e300, 3.141592653589793,
                                     -0.0, 5e-324}},
    {NPY, "npy/f8_le.npy.gz", 0, 2, 3, {1.5, -2.25, 1e300,
                                        3.141592653589793, -0.0, 5e-324}},
    {NPY, "npy/i8_be.npy", 0, 2, 3, {-9223372036854775808.0,
                                     9223372036854775807.0,
                                     9007199254740992.0, -1, 1,
                                     -9007199254740992.0}},
    {NPY, "npy/u8_le.npy", 0, 2, 3, {0, 18446744073709551615.0, 1, 2,
                                     9223372036854775808.0,
                                     9007199254740992.0}},
    {NPY, "npy/i1.npy", 0, 2, 3, {-128, 127, 0, -1, 1, 100}},
    {NPY, "npy/u2_be.npy", 0, 2, 3, {0, 65535, 1, 2, 32768, 7}},
    {NPY, "npy/i4_le.npy", 0, 2, 3, {-2147483648.0, 2147483647, 0, -1, 1,
                                     100000}},
    {NPY, "npy/f4_be.npy", 0, 2, 3, {1.5, -2.25, (float)3.4e38,
                                     (float)3.141592653589793,
                                     (float)0.1, -7}},
    {NPY, "npy/f2_le.npy", 0, 2, 3, {1.5, -2.25, 65504, 0.0999755859375,
                                     5.9604644775390625e-08, -7}},
    {NPY, "npy/b1.npy", 0, 2, 3, {1, 0, 1, 0, 0, 1}},
    {NPY, "npy/f8_fortran.npy", 0, 3, 4, {-1, -0.75, -0.5, -0.25, 0, 0.25,
                                          0.5, 0.75, 1, 1.25, 1.5, 1.75}},
    {NPY, "npy/vec.npy", 0, 1, 5, {1, 2, 3, 4, 5}},
    {NPY, "npy/scalar.npy", 0, 1, 1, {42.5}},
    {NPY, "npy/empty_0x3.npy", 0, 0, 3, {0}},
    {NPY, "npy/empty_vec.npy", 0, 1, 0, {0}},
    {NPY, "npy/f8_v2.npy", 0, 3, 4, {-1, -0.75, -0.5, -0.25, 0, 0.25,
                                     0.5, 0.75, 1, 1.25, 1.5, 1.75}},
    {NPY, "npy/f8_v3.npy", 0, 3, 4, {-1, -0.75, -0.5, -0.25, 0, 0.25,
                                     0.5, 0.75, 1, 1.25, 1.5, 1.75}},
    {NPY, "npy/keys_reordered.npy", 0, 2, 2, {1, 2, 3, 4}},
    {NPY, "npy/py2_longs.npy", 0, 2, 2, {1, 3, 2, 4}},
    {IDX, "idx/labels-idx1-ubyte", 0, 10, 1, {7, 2, 1, 0, 4, 1, 4, 9, 5, 9}},
    {IDX, "idx/labels-idx1-ubyte.gz", 0, 10, 1, {7, 2, 1, 0, 4, 1, 4, 9, 5,
                                                 9}},
    {IDX, "idx/labels_gz_no_suffix", 0, 10, 1, {7, 2, 1, 0, 4, 1, 4, 9, 5,
                                                9}},
    {IDX, "idx/i2.idx", 0, 2, 3, {-3, 0, 100, -128, 127, 5}},
    {IDX, "idx/f4.idx", 0, 2, 3, {-3.75, 0, 125, -160, 158.75, 6.25}},
    {IDX, "idx/f8.idx", 0, 2, 3, {-3.75, 0, 125, -160, 158.75, 6.25}},
    {IDX, "idx/i1.idx", 0, 2, 3, {-3, 0, 100, -128, 127, 5}},
    {CSV, "csv/header.csv", 0, 2, 3, {1, 2, 3, 4, 5, 6}},
    {CSV, "csv/header.csv.gz", 0, 2, 3, {1, 2, 3, 4, 5, 6}},
    {CSV, "csv/noheader.csv", 0, 2, 3, {1.5, 2, -300, 4, 5.25, 6}},
    {CSV, "csv/crlf.csv", 0, 2, 2, {1, 2, 3, 4}},
    {CSV, "csv/blank_lines.csv", 0, 2, 2, {1, 2, 3, 4}},
    {CSV, "csv/no_final_newline.csv", 0, 2, 2, {1, 2, 3, 4}},
    {CSV, "csv/naninf.csv", 0, 3, 3, {NAN, INFINITY, -INFINITY, NAN,
                                      INFINITY, -INFINITY, INFINITY,
                                      -INFINITY, 0}},
    {CSV, "csv/quoted_header.csv", 0, 1, 3, {1, 2, 3}},
    {CSV, "csv/quoted_numbers.csv", 0, 1, 2, {3, 4}},
    {CSV, "csv/bom.csv", 0, 1, 2, {1, 2}},
    {CSV, "csv/empty.csv", 0, 0, 0, {0}},
    {CSV, "csv/header_only.csv", 0, 0, 3, {0}},
    {CSV, "csv/numpy_savetxt.csv", 0, 2, 4, {0.1, 1.0 / 3, 2.0 / 3, 1e-310,
                                             -1e308, 123456789.12345679,
                                             3.141592653589793,
                                             2.718281828459045}},
    {H5, "h5/small.h5", "x", 2, 3, {1.5, -2, 3.25, 4, 5.5, -6.75}},
    {H5, "h5/small.h5", "labels", 4, 1, {1, 0, 1, 1}},
    {H5, "h5/small.h5", "scalar", 1, 1, {42}},
    {H5, "h5/small.h5", "/grp/inner", 1, 2, {9, 8}},
    {H5, "h5/small.h5", "bools", 3, 1, {1, 0, 1}},
    {H5, "h5/small.h5", "be_i2", 1, 2, {-2, 300}},
    {H5, "h5/small.h5", "empty", 0, 3, {0}},
  };
  size_t i;
  char err[LM_IO_ERRLEN];
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const good *c = &cases[i];
    lm_mat m;
    int st = load(c->kind, c->rel, c->ds, NULL, &m, err, NULL);
    char what[200];
    snprintf(what, sizeof what, "%s%s%s", c->rel, c->ds ? ":" : "",
             c->ds ? c->ds : "");
    if (st != LM_OK) {
      ok(0, "load %s: %s", what, err);
      continue;
    }
    ok(same(&m, c->rows, c->cols, c->v), "load %s%s", what,
       same(&m, c->rows, c->cols, c->v) ? "" : " (values differ)");
    free(m.data);
  }
}

/* images: check a few pixels of the 3x4x5 ramp (value (k*7) % 256) */
static void test_images(void) {
  static const char *files[] = {"idx/images-idx3-ubyte",
                                "idx/images-idx3-ubyte.gz"};
  char err[LM_IO_ERRLEN];
  int f, k, good1;
  for (f = 0; f < 2; f++) {
    lm_mat m;
    int st = load(IDX, files[f], 0, NULL, &m, err, NULL);
    good1 = st == LM_OK && m.rows == 3 && m.cols == 20;
    for (k = 0; good1 && k < 60; k++) good1 = m.data[k] == (k * 7) % 256;
    ok(good1, "%s is 3x20 with raw pixel values%s", files[f],
       st == LM_OK ? "" : err);
    if (st == LM_OK) free(m.data);
  }
  {  /* Fortran order in 3 and 4 dimensions */
    lm_mat m, n;
    int st = load(NPY, "npy/i2_3d_c.npy", 0, NULL, &m, err, NULL);
    int st2 = load(NPY, "npy/i2_3d_fortran_be.npy", 0, NULL, &n, err, NULL);
    good1 = st == LM_OK && st2 == LM_OK && m.rows == 2 && m.cols == 12 &&
            n.rows == 2 && n.cols == 12;
    for (k = 0; good1 && k < 24; k++)
      good1 = m.data[k] == k - 5 && n.data[k] == k - 5;
    ok(good1, "3-D i2 C order and big-endian Fortran order load as 2x12");
    if (st == LM_OK) free(m.data);
    if (st2 == LM_OK) free(n.data);
    st = load(NPY, "npy/f4_4d_fortran.npy", 0, NULL, &m, err, NULL);
    good1 = st == LM_OK && m.rows == 2 && m.cols == 12;
    for (k = 0; good1 && k < 24; k++) good1 = m.data[k] == k;
    ok(good1, "4-D f4 Fortran order loads as 2x12 in C order");
    if (st == LM_OK) free(m.data);
  }
}

static void test_header_names(void) {
  char err[LM_IO_ERRLEN];
  lm_reader keep;
  lm_mat m;
  lm_csv_opts o;
  int st = load(CSV, "csv/quoted_header.csv", 0, NULL, &m, err, &keep);
  const char *p = keep.names;
  ok(st == LM_OK && keep.nnames == 3 && p != NULL &&
     strcmp(p, "name, with comma") == 0 &&
     strcmp(p + strlen(p) + 1, "say \"hi\"") == 0 &&
     strcmp(p + 17 + 9, "plain") == 0,
     "quoted header names are unescaped");
  if (st == LM_OK) free(m.data);
  free(keep.names);
  lm_csv_defaults(&o);
  o.delim = ';';
  st = load(CSV, "csv/semicolon_ok.csv", 0, &o, &m, err, NULL);
  ok(st == LM_OK && m.rows == 2 && m.cols == 2 && m.data[0] == 1.5,
     "delimiter ';'");
  if (st == LM_OK) free(m.data);
  o.delim = '\t';
  st = load(CSV, "csv/tab.tsv", 0, &o, &m, err, NULL);
  ok(st == LM_OK && m.rows == 2 && m.cols == 2 && m.data[3] == 4,
     "delimiter tab");
  if (st == LM_OK) free(m.data);
  o.delim = ',';
  o.header = 1;
  st = load(CSV, "csv/noheader.csv", 0, &o, &m, err, NULL);
  ok(st == LM_OK && m.rows == 1 && m.cols == 3 && m.data[0] == 4,
     "header = 1 forces a header");
  if (st == LM_OK) free(m.data);
  o.header = 0;
  st = load(CSV, "csv/quoted_numbers.csv", 0, &o, &m, err, NULL);
  ok(st == LM_OK && m.rows == 2 && m.cols == 2 && m.data[0] == 1,
     "header = 0 reads quoted numbers as data");
  if (st == LM_OK) free(m.data);
  st = load(CSV, "csv/header.csv", 0, &o, &m, err, NULL);
  ok(st == LM_EFORMAT && strstr(err, "line 1, column 1: 'a' is not a number"),
     "header = 0 on a header: %s", err);
}

typedef struct bad { int kind; const char *rel, *ds; int code;
                     const char *needle; char delim; } bad;

static void test_bad(void) {
  static const bad cases[] = {
    {NPY, "bad/npy_truncated.npy", 0, LM_EFORMAT,
     "header says shape (2, 3) of '<f8' (48 bytes of data) but the file "
     "holds 43 bytes of data", 0},
    {NPY, "bad/npy_lying_header.npy", 0, LM_EFORMAT,
     "(8000000 bytes of data) but the file holds 48 bytes", 0},
    {NPY, "bad/npy_lying_header.npy.gz", 0, LM_EFORMAT,
     "(8000000 bytes of data) but the file holds 48 bytes", 0},
    {NPY, "bad/npy_huge_shape.npy", 0, LM_EFORMAT,
     "dimensions 4294967296x4294967296x4294967296 are too large", 0},
    {NPY, "bad/npy_negative_shape.npy", 0, LM_EFORMAT, "bad 'shape'", 0},
    {NPY, "bad/npy_object.npy", 0, LM_EFORMAT, "'|O' holds Python objects",
     0},
    {NPY, "bad/npy_structured.npy", 0, LM_EFORMAT, "structured dtypes", 0},
    {NPY, "bad/npy_complex.npy", 0, LM_EFORMAT, "complex dtype '<c16'", 0},
    {NPY, "bad/npy_unicode.npy", 0, LM_EFORMAT, "'<U3' holds strings", 0},
    {NPY, "bad/npy_missing_key.npy", 0, LM_EFORMAT,
     "lacks 'fortran_order'", 0},
    {NPY, "bad/npy_unknown_key.npy", 0, LM_EFORMAT, "unexpected key 'extra'",
     0},
    {NPY, "bad/npy_version4.npy", 0, LM_EFORMAT, "version 4.0", 0},
    {NPY, "bad/npy_bad_magic.npy", 0, LM_EFORMAT, "not an NPY file", 0},
    {NPY, "bad/npy_short_header.npy", 0, LM_EFORMAT, "truncated header", 0},
    {NPY, "bad/npy_header_cut.npy", 0, LM_EFORMAT, "truncated header", 0},
    {NPY, "bad/npy_garbage_header.npy", 0, LM_EFORMAT, "not a dictionary",
     0},
    {NPY, "csv/header.csv", 0, LM_EFORMAT, "not an NPY file", 0},
    {NPY, "no/such/file.npy", 0, LM_EIO, "No such file or directory", 0},
    {NPY, "npy", 0, LM_EIO, "Is a directory", 0},
    {IDX, "bad/idx_bad_magic", 0, LM_EFORMAT, "bad magic 0x00000701", 0},
    {IDX, "bad/idx_bad_magic_npy", 0, LM_EFORMAT, "bad magic 0x934e554d", 0},
    {IDX, "bad/idx_lying_header", 0, LM_EFORMAT,
     "header says 60000x28x28 (47040000 bytes of data) but the file holds "
     "1024 bytes of data", 0},
    {IDX, "bad/idx_lying_header.gz", 0, LM_EFORMAT,
     "header says 60000x28x28 (47040000 bytes of data) but the file holds "
     "1024 bytes of data", 0},
    {IDX, "bad/idx_extra_data", 0, LM_EFORMAT,
     "header says 10 (10 bytes of data) but the file holds 12 bytes", 0},
    {IDX, "bad/idx_extra_data.gz", 0, LM_EFORMAT,
     "header says 10 (10 bytes of data) but the file holds more data", 0},
    {IDX, "bad/idx_huge_dims", 0, LM_EFORMAT, "are too large", 0},
    {IDX, "bad/idx_header_cut", 0, LM_EFORMAT, "truncated header", 0},
    {IDX, "bad/idx_tiny", 0, LM_EFORMAT, "not an IDX file (only 2 bytes", 0},
    {IDX, "bad/idx_empty", 0, LM_EFORMAT, "not an IDX file (only 0 bytes", 0},
    {IDX, "bad/idx_truncated.gz", 0, LM_EFORMAT,
     "corrupt gzip data (unexpected end of file)", 0},
    {IDX, "no_such_file", 0, LM_EIO, "No such file or directory", 0},
    {CSV, "csv/ragged.csv", 0, LM_EFORMAT,
     "line 3 has 2 fields, expected 3", 0},
    {CSV, "csv/ragged_long.csv", 0, LM_EFORMAT,
     "line 2 has 3 fields, expected 2", 0},
    {CSV, "csv/nonnumeric.csv", 0, LM_EFORMAT,
     "line 3, column 2: 'abc' is not a number", 0},
    {CSV, "csv/missing_cell.csv", 0, LM_EFORMAT,
     "line 3, column 2: empty cell", 0},
    {CSV, "csv/missing_last.csv", 0, LM_EFORMAT,
     "line 2, column 3: empty cell", 0},
    {CSV, "csv/hex.csv", 0, LM_EFORMAT,
     "line 2, column 1: '0x10' is not a number", 0},
    {CSV, "csv/unterminated.csv", 0, LM_EFORMAT,
     "line 1, column 1: a quoted field is not closed", 0},
    {CSV, "csv/text_after_quote.csv", 0, LM_EFORMAT,
     "line 1, column 1: text after the closing quote", 0},
    {CSV, "csv/na.csv", 0, LM_EFORMAT, "line 2, column 2: 'NA' is not a "
     "number", 0},
    {CSV, "csv/semicolon.csv", 0, LM_EFORMAT,
     "line 2, column 1: '1,5' is not a number", ';'},
    {CSV, "csv/header.csv", 0, LM_EARG, "delimiter", '"'},
    {CSV, "missing.csv", 0, LM_EIO, "No such file or directory", 0},
    {H5, "h5/small.h5", "nope", LM_EARG,
     "no dataset 'nope' in the file (its root group holds: be_i2, bools, "
     "empty, f4, grp/, images, labels, names, records, scalar, x)", 0},
    {H5, "h5/small.h5", "grp/nope", LM_EARG, "no dataset 'grp/nope'", 0},
    {H5, "h5/small.h5", "nope/deeper", LM_EARG, "no dataset 'nope/deeper'",
     0},
    {H5, "h5/small.h5", "grp", LM_EARG,
     "'grp' is a group, not a dataset (it holds: inner)", 0},
    {H5, "h5/small.h5", "names", LM_EFORMAT,
     "dataset 'names' holds strings, not numbers", 0},
    {H5, "h5/small.h5", "records", LM_EFORMAT, "compound records", 0},
    {H5, "bad/not_h5.h5", "x", LM_EFORMAT, "not an HDF5 file", 0},
    {H5, "no_such.h5", "x", LM_EIO, "No such file or directory", 0},
  };
  size_t i;
  char err[LM_IO_ERRLEN];
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const bad *c = &cases[i];
    lm_mat m;
    lm_csv_opts o;
    int st;
    lm_csv_defaults(&o);
    if (c->delim) o.delim = c->delim;
    strcpy(err, "(none)");
    st = load(c->kind, c->rel, c->ds, &o, &m, err, NULL);
    if (st == LM_OK) free(m.data);
    ok(st == c->code && strstr(err, c->needle) != NULL, "%s fails: %s",
       c->rel, err);
  }
}

static int read_file(const char *path, unsigned char **buf, size_t *len) {
  FILE *f = fopen(path, "rb");
  long n;
  if (f == NULL) return 0;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  *buf = (unsigned char *)malloc((size_t)n + 1);
  *len = fread(*buf, 1, (size_t)n, f);
  fclose(f);
  return 1;
}

static void test_save(void) {
  char err[LM_IO_ERRLEN], tmp[64], npy[512];
  double vals[] = {0.1, -1e308, 5e-324, NAN, INFINITY, -INFINITY, -0.0,
                   1.0 / 3, 123456789.12345679, 2.5, 1e22, -7};
  lm_mat m, back = {0}, t;
  lm_csv_opts o;
  const char *names[] = {"a", "b, c", "say \"x\"", " pad", "12", ""};
  lm_reader keep;
  int fd, st, i, k, good1;
  unsigned char *b1, *b2;
  size_t l1, l2;
  strcpy(tmp, "/tmp/luaml_test_io_XXXXXX");
  fd = mkstemp(tmp);
  if (fd >= 0) close(fd);
  m.data = vals;
  m.rows = 2;
  m.cols = 6;
  m.rs = 6;
  m.cs = 1;
  lm_csv_defaults(&o);
  st = lm_csv_save(&m, tmp, &o, names, 6, err);
  ok(st == LM_OK, "save_csv %s", st == LM_OK ? "" : err);
  {  /* load it back by absolute path */
    const char *save = dir;
    dir = "";
    st = load(CSV, tmp, 0, NULL, &back, err, &keep);
    dir = save;
  }
  ok(st == LM_OK && same(&back, 2, 6, vals), "save_csv -> load_csv is exact");
  good1 = st == LM_OK && keep.nnames == 6;
  if (good1) {
    const char *p = keep.names;
    for (k = 0; k < 6 && good1; k++) {
      good1 = strcmp(p, names[k]) == 0;
      p += strlen(p) + 1;
    }
  }
  ok(good1, "header names round trip (quotes, delimiter, spaces, numeric "
     "name, empty name)");
  free(keep.names);
  if (st == LM_OK) free(back.data);
  /* a transposed strided view, semicolons, no header */
  t.data = vals;
  t.rows = 6;
  t.cols = 2;
  t.rs = 1;
  t.cs = 6;
  o.delim = ';';
  st = lm_csv_save(&t, tmp, &o, NULL, 0, err);
  {
    const char *save = dir;
    dir = "";
    st = st == LM_OK ? load(CSV, tmp, 0, &o, &back, err, NULL) : st;
    dir = save;
  }
  good1 = st == LM_OK && back.rows == 6 && back.cols == 2;
  for (i = 0; good1 && i < 6; i++)
    for (k = 0; good1 && k < 2; k++) {
      double a = back.data[i * 2 + k], e = vals[k * 6 + i];
      good1 = e != e ? a != a : a == e;
    }
  ok(good1, "save_csv of a transposed view with ';'");
  if (st == LM_OK) free(back.data);
  /* npy: the same bytes numpy wrote */
  snprintf(npy, sizeof npy, "%s/npy/f8_le.npy", dir);
  st = load(NPY, "npy/f8_le.npy", 0, NULL, &back, err, NULL);
  if (st == LM_OK) st = lm_npy_save(&back, tmp, err);
  good1 = st == LM_OK && read_file(npy, &b1, &l1);
  if (good1) {
    good1 = read_file(tmp, &b2, &l2) && l1 == l2 && memcmp(b1, b2, l1) == 0;
    free(b1);
    if (l2) free(b2);
  }
  ok(good1, "save_npy writes the bytes numpy.save writes");
  if (back.data) free(back.data);
  st = lm_npy_save(&t, tmp, err);
  {
    const char *save = dir;
    dir = "";
    st = st == LM_OK ? load(NPY, tmp, 0, NULL, &back, err, NULL) : st;
    dir = save;
  }
  good1 = st == LM_OK && back.rows == 6 && back.cols == 2;
  for (i = 0; good1 && i < 6; i++)
    for (k = 0; good1 && k < 2; k++) {
      double a = back.data[i * 2 + k], e = vals[k * 6 + i];
      good1 = e != e ? a != a : memcmp(&a, &e, 8) == 0;
    }
  ok(good1, "save_npy of a transposed view -> load_npy is bit-exact");
  if (st == LM_OK) free(back.data);
  /* write errors */
  lm_csv_defaults(&o);
  st = lm_csv_save(&m, "/dev/full", &o, NULL, 0, err);
  ok(st == LM_EIO && strstr(err, "No space left on device"),
     "save_csv to /dev/full: %s", err);
  st = lm_npy_save(&m, "/dev/full", err);
  ok(st == LM_EIO && strstr(err, "No space left on device"),
     "save_npy to /dev/full: %s", err);
  st = lm_csv_save(&m, "/nonexistent-dir/x.csv", &o, NULL, 0, err);
  ok(st == LM_EIO && strstr(err, "No such file or directory"),
     "save_csv to a missing directory: %s", err);
  st = lm_npy_save(&m, "/nonexistent-dir/x.npy", err);
  ok(st == LM_EIO && strstr(err, "No such file or directory"),
     "save_npy to a missing directory: %s", err);
  st = lm_csv_save(&m, tmp, &o, names, 5, err);
  ok(st == LM_EARG && strstr(err, "5 names for 6 columns"),
     "save_csv with a short header: %s", err);
  remove(tmp);
}

/* the close is idempotent and a reader can be reused */
static void test_reader(void) {
  char err[LM_IO_ERRLEN], path[512];
  lm_reader r;
  lm_mat m;
  double d[4];
  int st;
  lm_reader_init(&r);
  lm_reader_close(&r);
  lm_reader_close(&r);
  snprintf(path, sizeof path, "%s/h5/small.h5", dir);
  st = lm_h5_open(&r, path, "x", err);
  snprintf(path, sizeof path, "%s/npy/keys_reordered.npy", dir);
  st = st == LM_OK ? lm_npy_open(&r, path, err) : st;
  m.data = d;
  m.rows = 2;
  m.cols = 2;
  m.rs = 2;
  m.cs = 1;
  st = st == LM_OK ? lm_reader_read(&r, &m, err) : st;
  ok(st == LM_OK && d[3] == 4, "a reader reopened on another file");
  m.rows = 3;
  st = lm_reader_read(&r, &m, err);
  ok(st == LM_EARG, "reading into a wrongly shaped matrix: %s", err);
  lm_reader_close(&r);
  lm_reader_close(&r);
  st = lm_reader_read(&r, &m, err);
  ok(st == LM_EARG, "reading a closed reader: %s", err);
}

/* numbers in files use '.' even when the locale's decimal point is ','
** (skipped where no such locale is installed; LOCPATH may point to one) */
static void test_locale(void) {
  static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8",
                                      "fr_FR.UTF-8", "fr_FR.utf8"};
  char err[LM_IO_ERRLEN], tmp[64];
  double vals[] = {1.5, -0.25, 1e-300, 0.1};
  lm_mat m, back;
  lm_csv_opts o;
  const char *hdr[] = {"1.5", "b", "c", "d"};
  lm_reader keep;
  size_t i;
  int st, fd, good1;
  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    if (setlocale(LC_NUMERIC, names[i]) != NULL &&
        localeconv()->decimal_point[0] == ',')
      break;
  if (i == sizeof names / sizeof names[0]) {
    tap_skip(3, "no locale with a decimal comma");
    setlocale(LC_NUMERIC, "C");
    return;
  }
  st = load(CSV, "csv/noheader.csv", 0, NULL, &back, err, NULL);
  ok(st == LM_OK && back.rows == 2 && back.data[0] == 1.5 &&
     back.data[4] == 5.25, "load_csv reads '.' under a decimal-comma locale"
     "%s%s", st == LM_OK ? "" : ": ", st == LM_OK ? "" : err);
  if (st == LM_OK) free(back.data);
  lm_csv_defaults(&o);
  o.delim = ';';
  st = load(CSV, "csv/semicolon.csv", 0, &o, &back, err, NULL);
  ok(st == LM_EFORMAT && strstr(err, "'1,5' is not a number"),
     "'1,5' stays text under a decimal-comma locale: %s", err);
  if (st == LM_OK) free(back.data);
  strcpy(tmp, "/tmp/luaml_test_loc_XXXXXX");
  fd = mkstemp(tmp);
  if (fd >= 0) close(fd);
  m.data = vals;
  m.rows = 1;
  m.cols = 4;
  m.rs = 4;
  m.cs = 1;
  lm_csv_defaults(&o);
  st = lm_csv_save(&m, tmp, &o, hdr, 4, err);
  {
    const char *save = dir;
    dir = "";
    st = st == LM_OK ? load(CSV, tmp, 0, NULL, &back, err, &keep) : st;
    dir = save;
  }
  good1 = st == LM_OK && same(&back, 1, 4, vals) && keep.nnames == 4 &&
          strcmp(keep.names, "1.5") == 0;
  ok(good1, "save_csv -> load_csv under a decimal-comma locale");
  if (st == LM_OK) { free(back.data); free(keep.names); }
  remove(tmp);
  setlocale(LC_NUMERIC, "C");
}

int main(int argc, char **argv) {
  if (argc > 1) dir = argv[1];
  test_good();
  test_images();
  test_header_names();
  test_bad();
  test_save();
  test_reader();
  test_locale();
  ok(outstanding == 0 && bad_osize == 0, "the readers' allocator: %lld bytes "
     "left, %d wrong sizes", outstanding, bad_osize);
  return tap_end();
}
