/*
** fuzz_loader.h -- the body shared by the file-loader harnesses: run one
** opened (or failed) lm_reader to the end and check the core_io contract.
**   - a failure leaves a one-line, NUL-terminated, non-empty message
**     without control bytes;
**   - a success gives a sane shape, and reading the body into a dense
**     matrix of that shape works or fails with a message;
**   - lm_reader_close releases every byte the reader allocated (its
**     allocator is the checking one, so a wrong osize aborts too) and may
**     be called again.
** Bodies above FUZZ_MAXELEM elements are not read: a tiny file may declare
** a large but valid array (HDF5 fill values, gzip), whose allocation is the
** binding's business (lmL_newmat checks it), not the parser's.
*/
#ifndef LUAML_FUZZ_LOADER_H
#define LUAML_FUZZ_LOADER_H

#include "fuzz_common.h"
#include "core_io.h"

#define FUZZ_MAXELEM (1u << 22)

static fuzz_heap fuzz_rheap = {0, 0, 0, 0, 0, 0, 1};  /* strict */

/* a message is one line of text: no control bytes (file bytes that it
** quotes must be escaped) */
static void fuzz_check_msg(const char *err) {
  size_t n = strnlen(err, LM_IO_ERRLEN), i, ctl = 0;
  for (i = 0; i < n; i++)
    if ((unsigned char)err[i] < 32 || err[i] == 127) ctl = 1;
  if (n == 0 || n == LM_IO_ERRLEN || ctl) {
    fprintf(stderr, "bad error message: '%.*s'\n", (int)n, err);
    abort();
  }
}

/* a new reader whose buffers come from the checking allocator */
static void fuzz_reader(lm_reader *r) {
  lm_reader_init(r);
  r->alloc = fuzz_alloc;
  r->alloc_ud = &fuzz_rheap;
}

/* finish a reader after its open call returned st */
static void fuzz_finish(lm_reader *r, int st, char *err) {
  if (st != LM_OK) {
    fuzz_check_msg(err);
  } else {
    size_t n = (size_t)r->rows * (size_t)r->cols;
    if (r->rows < 0 || r->cols < 0) abort();
    if (n <= FUZZ_MAXELEM) {
      double *d = (double *)malloc(n ? n * sizeof(double) : 1);
      lm_mat m;
      if (d == NULL) abort();
      m = lm_dense(d, r->rows, r->cols);
      if (lm_reader_read(r, &m, err) != LM_OK) fuzz_check_msg(err);
      free(d);
    }
  }
  lm_reader_close(r);
  lm_reader_close(r);  /* idempotent */
  if (fuzz_rheap.live != 0) {
    fprintf(stderr, "reader leaked %zu bytes\n", fuzz_rheap.live);
    abort();
  }
}

#endif
