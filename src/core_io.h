/*
** core_io.h -- luaml numeric core: data-file readers and writers.
**
** Formats: CSV, numpy's NPY, the IDX format of MNIST, HDF5.  No Lua here:
** every fallible function returns LM_OK or an LM_E* code of core.h and, on
** failure, writes a one-line description of the problem into err (a buffer
** of at least LM_IO_ERRLEN bytes the caller provides), e.g.
**   "line 12, column 3: 'abc' is not a number"
**   "bad magic 0x00000905 (expected 0x000008TD: ...)"
**   "No such file or directory"
** The path is not part of the message: callers prefix it.
**
** Loading is two-phase, so that a binding can allocate the result matrix
** (for instance as a garbage-collected object) between the phases:
**
**   lm_reader r;  lm_reader_init(&r);            -- no resources yet
**   lm_*_open(&r, path, ..., err)                 -- header -> r.rows, r.cols
**   ... allocate a dense row-major r.rows x r.cols matrix m ...
**   lm_reader_read(&r, &m, err)                   -- body -> m
**   lm_reader_close(&r);                          -- always; idempotent
**
** An open function that fails leaves r closed or closeable; lm_reader_close
** releases whatever the reader holds (file handles, HDF5 ids, buffers) and
** may be called any number of times, so it can serve as __gc and __close.
**
** Shape rules (one value per sample is a column, as labels are in luaml):
**   NPY  ()  -> 1x1, (n,) -> 1xn (numpy's 1-D arrays behave as rows),
**        (r, c) -> rxc, (d0, d1, ...) -> d0 x (d1*...), C or Fortran order.
**   IDX  (n) -> nx1 column (labels), (n, h, w, ...) -> n x (h*w*...).
**   HDF5 scalar -> 1x1, (n) -> nx1 column, (d0, d1, ...) -> d0 x (d1*...).
**   A 1-D dataset in a data file of samples (IDX, HDF5) holds one value per
**   sample, so it loads as a column; a 1-D numpy array loads as a row.
** Values are converted to double as stored (IDX pixels stay 0..255).
*/
#ifndef LUAML_CORE_IO_H
#define LUAML_CORE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

#define LM_IO_ERRLEN 512   /* minimum size of an err buffer */
#define LM_IO_MAXDIM 32    /* most dimensions an NPY/IDX/HDF5 array may have */

/* what a reader is reading (LM_IO_NONE: closed) */
enum { LM_IO_NONE, LM_IO_CSV, LM_IO_NPY, LM_IO_IDX, LM_IO_H5 };

/* A file being loaded.  Fields other than rows, cols, names, nnames, alloc
** and alloc_ud are private to core_io.c / core_h5.c. */
typedef struct lm_reader {
  int kind;                /* LM_IO_*; LM_IO_NONE when closed */
  int rows, cols;          /* shape of the result, set by lm_*_open */
  /* CSV header (NULL / 0 when the file has none) */
  char *names;             /* nnames NUL-terminated names, one after another */
  int nnames;
  /* the allocator of the reader's buffers: NULL for malloc/realloc/free;
  ** set after lm_reader_init, kept by lm_reader_close (a binding passes
  ** the Lua state's, so a memory limit covers the temporaries too) */
  lm_allocf alloc;
  void *alloc_ud;
  /* private */
  void *gz;                /* gzFile of an NPY/IDX/CSV file, or NULL */
  double *vals;            /* CSV: (rows, cols) parsed values, or NULL */
  size_t valscap;          /* doubles allocated at vals */
  size_t namescap;         /* bytes allocated at names */
  unsigned char *buf;      /* NPY/IDX body read into memory (gzip), or NULL */
  size_t buflen, bufcap;   /* bytes used, bytes allocated */
  size_t nelem;            /* NPY/IDX: number of elements in the body */
  int dtype;               /* NPY/IDX element type (LM_DT_* in core_io.c) */
  int bigend, fortran;     /* byte order and Fortran order of the body */
  int ndim;
  size_t dims[LM_IO_MAXDIM];
  int64_t h5file, h5dset;  /* HDF5 ids (hid_t), -1 when not open */
} lm_reader;

/* ---- reading ---------------------------------------------------------- */

/* a closed reader holding nothing */
void lm_reader_init(lm_reader *r);
/* release everything r holds; r is closed afterwards (idempotent) */
void lm_reader_close(lm_reader *r);

/* Read the body of an opened reader into out, a dense row-major view of
** r->rows x r->cols (else LM_EARG).  Returns LM_OK, LM_EIO or LM_EFORMAT
** (e.g. a gzip stream that is corrupt past the header). */
int lm_reader_read(lm_reader *r, const lm_mat *out, char *err);

/* CSV options: delim is the field separator (default ','; not '"', CR, LF
** or NUL); header: -1 decides from the first row (it is a header when one
** of its cells is quoted or is text that is not a number; empty cells do
** not count), 0 no header, 1 the first row is the header. */
typedef struct lm_csv_opts { char delim; int header; } lm_csv_opts;
void lm_csv_defaults(lm_csv_opts *o);

/* Open and parse a CSV file (plain or gzip, detected by magic bytes): the
** whole file is parsed here, so every data error is reported by this call.
** Accepted: CRLF or LF line ends, a UTF-8 BOM, blank lines (skipped),
** spaces and tabs around numbers, quoted fields with "" escapes (also
** around numbers, and spanning lines), numbers as strtod reads them in the
** C locale (with '.' whatever the current locale) but not hexadecimal,
** including nan and inf/infinity (any case, with a sign); a value beyond
** the double range reads as +-inf, a tiny one as the nearest subnormal or
** 0 (ERANGE is not an error).  Errors name the line and
** the 1-based column: a row with another number of fields than the first,
** an empty cell, a cell that is not a number.  An empty file is 0x0; a file
** with only a header is 0 x (number of names). */
int lm_csv_open(lm_reader *r, const char *path, const lm_csv_opts *o,
                char *err);

/* Open an NPY file (versions 1.0, 2.0, 3.0; may be gzipped): dtypes f2 f4
** f8, i1 i2 i4 i8, u1 u2 u4 u8 of either byte order and b1; C or Fortran
** order.  Rejects object, structured, string and complex dtypes, shapes
** whose size overflows, and files holding fewer data bytes than the header
** announces (extra bytes after the data are ignored, as numpy does). */
int lm_npy_open(lm_reader *r, const char *path, char *err);

/* Open an IDX file (MNIST; plain or gzip, detected by magic bytes): type
** codes 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64, all
** big-endian, 1..LM_IO_MAXDIM dimensions.  The data must be exactly as
** long as the dimensions say. */
int lm_idx_open(lm_reader *r, const char *path, char *err);

/* Open dataset (a name or a path such as "group/x") of an HDF5 file.  Any
** integer or float dataset (and enums of integers, such as h5py's bools)
** is accepted and converted to double.  A missing dataset gives an error
** listing the names in the file's root group.  HDF5's own error printing
** is silenced during the call.  Returns LM_EARG when luaml was built
** without HDF5 (LUAML_NO_HDF5). */
int lm_h5_open(lm_reader *r, const char *path, const char *dataset,
               char *err);

/* ---- writing ---------------------------------------------------------- */

/* Write m (any strided view) as CSV: an optional header of m->cols names
** (quoted when they hold the delimiter, a quote, a line break, surrounding
** spaces, or look like a number, so that they read back as a header),
** then one line per row (none when m has no columns).  Each value is written with 15 significant digits
** when they read back as the same double (0.1 stays 0.1), else with 17
** (%.17g), so a save/load round trip is exact; nan and +-inf as nan, inf,
** -inf; '.' as the decimal point whatever the locale.  LF line ends.
** Errors: LM_EIO with strerror in err, LM_EARG for a header of another
** length than m->cols. */
int lm_csv_save(const lm_mat *m, const char *path, const lm_csv_opts *o,
                const char *const *names, int nnames, char *err);

/* Write m (any strided view) as an NPY file numpy reads: version 1.0,
** '<f8', C order, shape (rows, cols), header padded as numpy 1.24 pads it
** (the same bytes as numpy.save of the same array). */
int lm_npy_save(const lm_mat *m, const char *path, char *err);

/* ---- shared with core_h5.c --------------------------------------------- */

#if defined(__GNUC__)
#define LM_IO_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define LM_IO_PRINTF(f, a)
#endif
/* format a message into err (at most LM_IO_ERRLEN bytes); returns code */
int lm_io_fail(char *err, int code, const char *fmt, ...) LM_IO_PRINTF(3, 4);
/* rows and cols from a shape: 1-D gives 1xn (row != 0) or nx1; d0 x rest
** otherwise; LM_EFORMAT when a count overflows.  nelem receives the total. */
int lm_io_shape(const size_t *dims, int ndim, int row1d, int *rows,
                int *cols, size_t *nelem, char *err);
/* "60000x28x28" into buf of size n */
void lm_io_fmtdims(char *buf, size_t n, const size_t *dims, int ndim);
/* the HDF5 halves of lm_reader_read and lm_reader_close (core_h5.c) */
int lm_h5_read(lm_reader *r, const lm_mat *out, char *err);
void lm_h5_close(lm_reader *r);

#endif
