/*
** core_io.c -- luaml numeric core: CSV, NPY and IDX readers and writers.
** (HDF5 is in core_h5.c.)  See core_io.h for the contracts.
**
** Every file is read through zlib (gzdopen), which passes plain files
** through unchanged, so gzip input is recognised by its magic bytes and
** never by the file name.  Nothing here calls exit or abort; memory a
** reader holds is released by lm_reader_close, memory a function takes for
** itself is released before it returns.
*/
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "core_io.h"

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

/* element types of NPY and IDX bodies */
enum {
  LM_DT_F2, LM_DT_F4, LM_DT_F8,
  LM_DT_I1, LM_DT_I2, LM_DT_I4, LM_DT_I8,
  LM_DT_U1, LM_DT_U2, LM_DT_U4, LM_DT_U8,
  LM_DT_B1
};
static const unsigned char dtsize[] = {2, 4, 8, 1, 2, 4, 8, 1, 2, 4, 8, 1};

#define CHUNK 4096  /* elements converted per step */

/* ---- shared helpers ------------------------------------------------ */

int lm_io_fail(char *err, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, LM_IO_ERRLEN, fmt, ap);
  va_end(ap);
  return code;
}

void lm_io_fmtdims(char *buf, size_t n, const size_t *dims, int ndim) {
  size_t len = 0;
  int i;
  buf[0] = '\0';
  if (ndim == 0) { snprintf(buf, n, "a scalar"); return; }
  for (i = 0; i < ndim && len < n; i++) {
    int k = snprintf(buf + len, n - len, i ? "x%zu" : "%zu", dims[i]);
    if (k < 0) break;
    len += (size_t)k;
  }
}

int lm_io_shape(const size_t *dims, int ndim, int row1d, int *rows,
                int *cols, size_t *nelem, char *err) {
  size_t r = 1, c = 1;
  int i, big = 0;
  if (ndim == 1) {
    if (row1d) c = dims[0]; else r = dims[0];
  } else if (ndim > 1) {
    r = dims[0];
    for (i = 1; i < ndim; i++) {
      if (dims[i] != 0 && c > SIZE_MAX / dims[i]) big = 1;
      c *= dims[i];
    }
    for (i = 1; i < ndim; i++)  /* a zero dimension empties everything */
      if (dims[i] == 0) { big = 0; c = 0; }
  }
  if (big || r > INT_MAX || c > INT_MAX ||
      (c != 0 && r > SIZE_MAX / sizeof(double) / c)) {
    char d[200];
    lm_io_fmtdims(d, sizeof d, dims, ndim);
    return lm_io_fail(err, LM_EFORMAT,
                      "dimensions %s are too large (a matrix has at most "
                      "%d rows and %d columns)", d, INT_MAX, INT_MAX);
  }
  *rows = (int)r;
  *cols = (int)c;
  *nelem = r * c;
  return LM_OK;
}

void lm_reader_init(lm_reader *r) {
  memset(r, 0, sizeof *r);
  r->kind = LM_IO_NONE;
  r->h5file = r->h5dset = -1;
  r->alloc = NULL;
  r->alloc_ud = NULL;
}

/* the reader's allocator, with lua_Alloc's contract */
static void *ralloc(lm_reader *r, void *p, size_t osize, size_t nsize) {
  if (r->alloc != NULL) return r->alloc(r->alloc_ud, p, osize, nsize);
  if (nsize == 0) { free(p); return NULL; }
  return realloc(p, nsize);
}

void lm_reader_close(lm_reader *r) {
  lm_allocf alloc = r->alloc;
  void *ud = r->alloc_ud;
  if (r->gz != NULL) gzclose((gzFile)r->gz);
  if (r->h5file >= 0 || r->h5dset >= 0) lm_h5_close(r);
  if (r->vals != NULL) ralloc(r, r->vals, r->valscap * sizeof(double), 0);
  if (r->names != NULL) ralloc(r, r->names, r->namescap, 0);
  if (r->buf != NULL) ralloc(r, r->buf, r->bufcap, 0);
  lm_reader_init(r);
  r->alloc = alloc;
  r->alloc_ud = ud;
}

/* Open path for reading through zlib into r->gz.  *size receives the file
** size for a regular file, -1 otherwise.  Errors: strerror. */
static int open_gz(lm_reader *r, const char *path, long long *size,
                   char *err) {
  struct stat st;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return lm_io_fail(err, LM_EIO, "%s", strerror(errno));
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return lm_io_fail(err, LM_EIO, "%s", strerror(e));
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return lm_io_fail(err, LM_EIO, "%s", strerror(EISDIR));
  }
  *size = S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
  r->gz = gzdopen(fd, "rb");
  if (r->gz == NULL) {
    close(fd);
    return lm_io_fail(err, LM_ENOMEM, "not enough memory");
  }
  gzbuffer((gzFile)r->gz, 1u << 17);
  return LM_OK;
}

/* the error of a gzFile as a message */
static int gzfail(void *gz, char *err) {
  int e = Z_OK;
  const char *msg = gzerror((gzFile)gz, &e);
  if (e == Z_ERRNO) return lm_io_fail(err, LM_EIO, "%s", strerror(errno));
  if (e == Z_MEM_ERROR) return lm_io_fail(err, LM_ENOMEM, "not enough memory");
  if (msg[0] == '<') {  /* drop zlib's "<fd:3>: " prefix */
    const char *c = strstr(msg, ": ");
    if (c != NULL) msg = c + 2;
  }
  return lm_io_fail(err, LM_EFORMAT, "corrupt gzip data (%s)", msg);
}

/* Read up to n bytes; *got < n only at the end of the data. */
static int gzget(void *gz, unsigned char *dst, size_t n, size_t *got,
                 char *err) {
  size_t total = 0;
  int e = Z_OK;
  *got = 0;
  while (total < n) {
    size_t want = n - total;
    int k;
    if (want > (1u << 30)) want = 1u << 30;
    k = gzread((gzFile)gz, dst + total, (unsigned)want);
    if (k < 0) return gzfail(gz, err);
    if (k == 0) break;
    total += (size_t)k;
  }
  *got = total;
  gzerror((gzFile)gz, &e);  /* a truncated gzip stream ends "normally" */
  if (e != Z_OK) return gzfail(gz, err);
  return LM_OK;
}

/* Read the rest of r->gz into r->buf (r->buflen bytes and a NUL after
** them), stopping after limit bytes.  hint sizes the first buffer. */
static int read_rest(lm_reader *r, size_t limit, size_t hint, char *err) {
  size_t cap = 0;  /* usable bytes of r->buf (r->bufcap is cap + 1) */
  r->buflen = 0;
  for (;;) {
    size_t want, got;
    int st;
    if (r->buflen == cap) {
      size_t ncap;
      unsigned char *nb;
      if (r->buf != NULL && cap >= limit) break;
      ncap = cap ? cap * 2 : (hint > 65536 ? hint : 65536);
      if (ncap > limit || ncap < cap || ncap == SIZE_MAX) ncap = limit;
      if (ncap == SIZE_MAX) ncap--;
      nb = (unsigned char *)ralloc(r, r->buf, r->bufcap, ncap + 1);
      if (nb == NULL)
        return lm_io_fail(err, LM_ENOMEM, "not enough memory");
      r->buf = nb;
      r->bufcap = ncap + 1;
      cap = ncap;
      if (cap == r->buflen) break;  /* limit 0 */
    }
    want = cap - r->buflen;
    st = gzget(r->gz, r->buf + r->buflen, want, &got, err);
    if (st != LM_OK) return st;
    r->buflen += got;
    if (got < want) break;
  }
  r->buf[r->buflen] = '\0';
  return LM_OK;
}

/* 1 on a big-endian host */
static int host_big(void) {
  const uint16_t one = 1;
  unsigned char b;
  memcpy(&b, &one, 1);
  return b == 0;
}

/* ---- element decoding ---------------------------------------------- */

static uint64_t ld(const unsigned char *p, int n, int big) {
  uint64_t v = 0;
  int i;
  if (big) for (i = 0; i < n; i++) v = (v << 8) | p[i];
  else for (i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

static double half(unsigned h) {
  int e = (int)((h >> 10) & 31);
  unsigned m = h & 1023;
  double v;
  if (e == 0) v = ldexp((double)m, -24);
  else if (e == 31) v = m ? (double)NAN : (double)INFINITY;
  else v = ldexp((double)(m + 1024), e - 25);
  return (h & 0x8000) ? -v : v;
}

/* d[0..n-1] = the n elements of type dt at s, of byte order big */
static void decode(const unsigned char *s, size_t n, int dt, int big,
                   double *d) {
  size_t i, sz = dtsize[dt];
  switch (dt) {
  case LM_DT_U1: for (i = 0; i < n; i++) d[i] = s[i]; break;
  case LM_DT_I1:
    for (i = 0; i < n; i++) d[i] = s[i] < 128 ? s[i] : (double)s[i] - 256.0;
    break;
  case LM_DT_B1: for (i = 0; i < n; i++) d[i] = s[i] != 0; break;
  case LM_DT_F2:
    for (i = 0; i < n; i++) d[i] = half((unsigned)ld(s + 2 * i, 2, big));
    break;
  case LM_DT_U2: case LM_DT_U4:
    for (i = 0; i < n; i++) {
      uint64_t v = ld(s + sz * i, (int)sz, big);
      d[i] = (double)v;
    }
    break;
  case LM_DT_I2: case LM_DT_I4: {
    double wrap = ldexp(1.0, (int)(8 * sz));
    uint64_t sign = (uint64_t)1 << (8 * sz - 1);
    for (i = 0; i < n; i++) {
      uint64_t v = ld(s + sz * i, (int)sz, big);
      d[i] = (v & sign) ? (double)v - wrap : (double)v;
    }
    break;
  }
  case LM_DT_U8:
    for (i = 0; i < n; i++) {
      uint64_t v = ld(s + 8 * i, 8, big);
      d[i] = (double)v;
    }
    break;
  case LM_DT_I8:
    for (i = 0; i < n; i++) {
      uint64_t v = ld(s + 8 * i, 8, big);
      d[i] = (v >> 63) ? -(double)(~v + 1) : (double)v;
    }
    break;
  case LM_DT_F4:
    for (i = 0; i < n; i++) {
      uint32_t u = (uint32_t)ld(s + 4 * i, 4, big);
      float f;
      memcpy(&f, &u, 4);
      d[i] = (double)f;
    }
    break;
  case LM_DT_F8:
    if (big == host_big()) memcpy(d, s, n * 8);
    else for (i = 0; i < n; i++) {
      uint64_t u = ld(s + 8 * i, 8, big);
      memcpy(&d[i], &u, 8);
    }
    break;
  }
}

/* Store n decoded elements that start at element pos of the body into the
** dense (rows, cols) buffer dst: in place for C order, scattered for
** Fortran order (the first axis varies fastest in the file). */
static void place(const lm_reader *r, const unsigned char *src, size_t pos,
                  size_t n, double *dst, double *tmp /* (CHUNK) */) {
  size_t k, q, stride = 1;
  size_t cstr[LM_IO_MAXDIM];  /* C-order stride of each axis */
  int a;
  if (!r->fortran || r->ndim < 2) {
    decode(src, n, r->dtype, r->bigend, dst + pos);
    return;
  }
  decode(src, n, r->dtype, r->bigend, tmp);
  for (a = r->ndim - 1; a >= 0; a--) {
    cstr[a] = stride;
    stride *= r->dims[a];
  }
  for (k = 0; k < n; k++) {
    size_t rem = pos + k, off = 0;
    for (a = 0; a < r->ndim; a++) {
      q = rem % r->dims[a];
      rem /= r->dims[a];
      off += q * cstr[a];
    }
    dst[off] = tmp[k];
  }
}

/* Body of an NPY/IDX reader into dst (nelem doubles). */
static int read_binary(lm_reader *r, double *dst, char *err) {
  unsigned char chunk[CHUNK * 8];
  double tmp[CHUNK];
  size_t es = dtsize[r->dtype], done = 0;
  while (done < r->nelem) {
    size_t k = r->nelem - done;
    const unsigned char *src;
    if (k > CHUNK) k = CHUNK;
    if (r->buf != NULL) {
      src = r->buf + done * es;
    } else {
      size_t got;
      int st = gzget(r->gz, chunk, k * es, &got, err);
      if (st != LM_OK) return st;
      if (got < k * es)
        return lm_io_fail(err, LM_EFORMAT,
                          "the file ended after %zu of %zu bytes of data "
                          "(was it changed while being read?)",
                          done * es + got, r->nelem * es);
      src = chunk;
    }
    place(r, src, done, k, dst, tmp);
    done += k;
  }
  return LM_OK;
}

/* After the header (hdrbytes long, described as what): make sure the body
** holds nelem elements.  A plain regular file is checked by its size and
** streamed later; other input is read into r->buf now (growing only as the
** data arrives, so a lying header cannot make it allocate much).  strict:
** extra bytes are an error too. */
static int body_prepare(lm_reader *r, long long fsize, size_t hdrbytes,
                        int strict, const char *what, char *err) {
  size_t need = r->nelem * dtsize[r->dtype], avail;
  int more = 0;
  if (gzdirect((gzFile)r->gz) && fsize >= 0) {
    avail = (unsigned long long)fsize > hdrbytes
                ? (size_t)((unsigned long long)fsize - hdrbytes) : 0;
    more = avail > need;
  } else {
    int st = read_rest(r, strict ? need + 1 : need, 0, err);
    if (st != LM_OK) return st;
    avail = r->buflen;
    more = avail > need;
    gzclose((gzFile)r->gz);
    r->gz = NULL;
  }
  if (avail < need)
    return lm_io_fail(err, LM_EFORMAT,
                      "header says %s (%zu bytes of data) but the file "
                      "holds %zu bytes of data", what, need, avail);
  if (strict && more) {
    if (r->buf != NULL)
      return lm_io_fail(err, LM_EFORMAT,
                        "header says %s (%zu bytes of data) but the file "
                        "holds more data", what, need);
    return lm_io_fail(err, LM_EFORMAT,
                      "header says %s (%zu bytes of data) but the file "
                      "holds %zu bytes of data", what, need, avail);
  }
  return LM_OK;
}

int lm_reader_read(lm_reader *r, const lm_mat *out, char *err) {
  size_t n = (size_t)r->rows * (size_t)r->cols;
  if (r->kind == LM_IO_NONE)
    return lm_io_fail(err, LM_EARG, "the reader is not open");
  if (out->rows != r->rows || out->cols != r->cols ||
      (n != 0 && !(out->cs == 1 && (out->rows == 1 ||
                                    out->rs == (ptrdiff_t)out->cols))))
    return lm_io_fail(err, LM_EARG,
                      "the destination is not a dense %dx%d matrix",
                      r->rows, r->cols);
  switch (r->kind) {
  case LM_IO_CSV:
    if (n != 0) memcpy(out->data, r->vals, n * sizeof(double));
    return LM_OK;
  case LM_IO_NPY: case LM_IO_IDX:
    return read_binary(r, out->data, err);
  case LM_IO_H5:
    return lm_h5_read(r, out, err);
  default:
    return lm_io_fail(err, LM_EARG, "the reader is not open");
  }
}

/* ---- NPY ----------------------------------------------------------- */

typedef struct pscan { const char *p, *e; } pscan;

static void skipws(pscan *s) {
  while (s->p < s->e && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' ||
                         *s->p == '\r'))
    s->p++;
}

/* a quoted Python string literal (no escapes) into out[n]; 0 when bad */
static int pstring(pscan *s, char *out, size_t n) {
  char q;
  size_t len = 0;
  skipws(s);
  if (s->p >= s->e || (*s->p != '\'' && *s->p != '"')) return 0;
  q = *s->p++;
  while (s->p < s->e && *s->p != q) {
    if (*s->p == '\\' || len + 1 >= n) return 0;
    out[len++] = *s->p++;
  }
  if (s->p >= s->e) return 0;
  s->p++;
  out[len] = '\0';
  return 1;
}

static int pchar(pscan *s, char c) {
  skipws(s);
  if (s->p < s->e && *s->p == c) { s->p++; return 1; }
  return 0;
}

/* up to 20 bytes of the header at s->p (never past its end) for a
** message, with control bytes shown as '?'; out has room for 21 */
static const char *near(const pscan *s, char *out) {
  const char *p = s->p;
  size_t n = 0;
  for (; p < s->e && n < 20; p++)
    out[n++] = ((unsigned char)*p < 32 || *p == 127) ? '?' : *p;
  out[n] = '\0';
  return out;
}

/* a copy of the NUL-terminated s (at most n - 1 bytes) for a message,
** with control bytes shown as '?' */
static const char *shown(const char *s, char *out, size_t n) {
  size_t k = 0;
  for (; s[k] != '\0' && k + 1 < n; k++)
    out[k] = ((unsigned char)s[k] < 32 || s[k] == 127) ? '?' : s[k];
  out[k] = '\0';
  return out;
}

static int pword(pscan *s, const char *w) {
  size_t n = strlen(w);
  skipws(s);
  if ((size_t)(s->e - s->p) >= n && memcmp(s->p, w, n) == 0) {
    s->p += n;
    return 1;
  }
  return 0;
}

/* dtype of an NPY descr string such as '<f8' */
static int npy_dtype(lm_reader *r, const char *d, char *err) {
  static const struct { const char *name; int dt; } tab[] = {
    {"f2", LM_DT_F2}, {"f4", LM_DT_F4}, {"f8", LM_DT_F8},
    {"i1", LM_DT_I1}, {"i2", LM_DT_I2}, {"i4", LM_DT_I4}, {"i8", LM_DT_I8},
    {"u1", LM_DT_U1}, {"u2", LM_DT_U2}, {"u4", LM_DT_U4}, {"u8", LM_DT_U8},
    {"b1", LM_DT_B1}, {"?", LM_DT_B1}
  };
  const char *t = d;
  char sd[64];
  size_t i;
  r->bigend = host_big();
  if (*t == '<') { r->bigend = 0; t++; }
  else if (*t == '>') { r->bigend = 1; t++; }
  else if (*t == '|' || *t == '=') t++;
  for (i = 0; i < sizeof tab / sizeof tab[0]; i++)
    if (strcmp(t, tab[i].name) == 0) { r->dtype = tab[i].dt; return LM_OK; }
  switch (*t) {
  case 'O':
    return lm_io_fail(err, LM_EFORMAT,
                      "dtype '%s' holds Python objects, which cannot be "
                      "loaded (save numbers instead)", shown(d, sd, sizeof sd));
  case 'c':
    return lm_io_fail(err, LM_EFORMAT, "complex dtype '%s' is not supported",
                      shown(d, sd, sizeof sd));
  case 'U': case 'S': case 'a':
    return lm_io_fail(err, LM_EFORMAT, "dtype '%s' holds strings, not numbers",
                      shown(d, sd, sizeof sd));
  default:
    return lm_io_fail(err, LM_EFORMAT,
                      "unsupported dtype '%s' (luaml reads f2 f4 f8, i1 i2 "
                      "i4 i8, u1 u2 u4 u8 and b1)", shown(d, sd, sizeof sd));
  }
}

/* Parse the header dict of an NPY file, e.g.
**   {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
** keys in any order, any spacing. */
static int npy_header(lm_reader *r, const char *h, size_t len,
                      char *descr /* [64] */, char *err) {
  pscan s;
  char key[32], nb[24];
  int have_descr = 0, have_fo = 0, have_shape = 0;
  s.p = h;
  s.e = h + len;
  if (!pchar(&s, '{'))
    return lm_io_fail(err, LM_EFORMAT, "the header is not a dictionary");
  for (;;) {
    if (pchar(&s, '}')) break;
    if (!pstring(&s, key, sizeof key) || !pchar(&s, ':'))
      return lm_io_fail(err, LM_EFORMAT, "cannot parse the header near "
                        "'%s'", near(&s, nb));
    if (strcmp(key, "descr") == 0) {
      skipws(&s);
      if (s.p < s.e && *s.p == '[')
        return lm_io_fail(err, LM_EFORMAT,
                          "structured dtypes (records) are not supported");
      if (!pstring(&s, descr, 64))
        return lm_io_fail(err, LM_EFORMAT, "bad 'descr' in the header");
      have_descr = 1;
    } else if (strcmp(key, "fortran_order") == 0) {
      if (pword(&s, "True")) r->fortran = 1;
      else if (pword(&s, "False")) r->fortran = 0;
      else return lm_io_fail(err, LM_EFORMAT, "bad 'fortran_order' in the "
                             "header");
      have_fo = 1;
    } else if (strcmp(key, "shape") == 0) {
      r->ndim = 0;
      if (!pchar(&s, '('))
        return lm_io_fail(err, LM_EFORMAT, "bad 'shape' in the header");
      for (;;) {
        size_t v = 0;
        int digits = 0;
        if (pchar(&s, ')')) break;
        skipws(&s);
        while (s.p < s.e && *s.p >= '0' && *s.p <= '9') {
          unsigned dg = (unsigned)(*s.p++ - '0');
          if (v > (SIZE_MAX - dg) / 10)
            return lm_io_fail(err, LM_EFORMAT,
                              "a dimension in the header is too large");
          v = v * 10 + dg;
          digits++;
        }
        if (digits == 0)
          return lm_io_fail(err, LM_EFORMAT, "bad 'shape' in the header "
                            "near '%s'", near(&s, nb));
        if (s.p < s.e && *s.p == 'L') s.p++;  /* Python 2 long */
        if (r->ndim == LM_IO_MAXDIM)
          return lm_io_fail(err, LM_EFORMAT, "more than %d dimensions",
                            LM_IO_MAXDIM);
        r->dims[r->ndim++] = v;
        if (pchar(&s, ')')) break;
        if (!pchar(&s, ','))
          return lm_io_fail(err, LM_EFORMAT, "bad 'shape' in the header "
                            "near '%s'", near(&s, nb));
      }
      have_shape = 1;
    } else {
      return lm_io_fail(err, LM_EFORMAT, "unexpected key '%s' in the header",
                        shown(key, nb, sizeof nb));
    }
    if (pchar(&s, '}')) break;
    if (!pchar(&s, ','))
      return lm_io_fail(err, LM_EFORMAT, "cannot parse the header near "
                        "'%s'", near(&s, nb));
  }
  if (!have_descr || !have_fo || !have_shape)
    return lm_io_fail(err, LM_EFORMAT, "the header lacks '%s'",
                      !have_descr ? "descr" : !have_fo ? "fortran_order"
                                                       : "shape");
  return npy_dtype(r, descr, err);
}

int lm_npy_open(lm_reader *r, const char *path, char *err) {
  unsigned char pre[12];
  size_t got, hoff, hlen;
  long long fsize;
  char *hdr, what[300], descr[64];
  int st;
  lm_reader_close(r);
  r->kind = LM_IO_NPY;
  if ((st = open_gz(r, path, &fsize, err)) != LM_OK) return st;
  if ((st = gzget(r->gz, pre, 10, &got, err)) != LM_OK) return st;
  if (got < 6 || memcmp(pre, "\x93NUMPY", 6) != 0)
    return lm_io_fail(err, LM_EFORMAT,
                      "not an NPY file (it does not start with \\x93NUMPY)");
  if (got < 10)
    return lm_io_fail(err, LM_EFORMAT, "truncated header (the file is %zu "
                      "bytes long)", got);
  if (pre[6] == 1) {
    hlen = (size_t)ld(pre + 8, 2, 0);
    hoff = 10;
  } else if (pre[6] == 2 || pre[6] == 3) {
    if ((st = gzget(r->gz, pre + 10, 2, &got, err)) != LM_OK) return st;
    if (got < 2)
      return lm_io_fail(err, LM_EFORMAT, "truncated header");
    hlen = (size_t)ld(pre + 8, 4, 0);
    hoff = 12;
  } else {
    return lm_io_fail(err, LM_EFORMAT, "unsupported NPY format version %d.%d "
                      "(luaml reads 1.0, 2.0 and 3.0)", pre[6], pre[7]);
  }
  if (hlen > 1000000)
    return lm_io_fail(err, LM_EFORMAT, "a header of %zu bytes is too large",
                      hlen);
  hdr = (char *)ralloc(r, NULL, 0, hlen + 1);
  if (hdr == NULL) return lm_io_fail(err, LM_ENOMEM, "not enough memory");
  hdr[hlen] = '\0';
  st = gzget(r->gz, (unsigned char *)hdr, hlen, &got, err);
  if (st == LM_OK && got < hlen)
    st = lm_io_fail(err, LM_EFORMAT, "truncated header (%zu of %zu bytes)",
                    got, hlen);
  if (st == LM_OK) st = npy_header(r, hdr, hlen, descr, err);
  ralloc(r, hdr, hlen + 1, 0);
  if (st != LM_OK) return st;
  if ((st = lm_io_shape(r->dims, r->ndim, 1, &r->rows, &r->cols, &r->nelem,
                        err)) != LM_OK)
    return st;
  {  /* "shape (3, 4) of '<f8'" for messages */
    size_t w = 0;
    int i;
    w += (size_t)snprintf(what, sizeof what, "shape (");
    for (i = 0; i < r->ndim && w < 200; i++)
      w += (size_t)snprintf(what + w, sizeof what - w, "%s%zu",
                            i ? ", " : "", r->dims[i]);
    snprintf(what + w, sizeof what - w, "%s) of '%s'",
             r->ndim == 1 ? "," : "", descr);
  }
  return body_prepare(r, fsize, hoff + hlen, 0, what, err);
}

/* ---- IDX ----------------------------------------------------------- */

int lm_idx_open(lm_reader *r, const char *path, char *err) {
  unsigned char pre[4 + 4 * 255];
  size_t got;
  long long fsize;
  unsigned long magic;
  char d[300];
  int st, nd, i;
  lm_reader_close(r);
  r->kind = LM_IO_IDX;
  if ((st = open_gz(r, path, &fsize, err)) != LM_OK) return st;
  if ((st = gzget(r->gz, pre, 4, &got, err)) != LM_OK) return st;
  if (got < 4)
    return lm_io_fail(err, LM_EFORMAT, "not an IDX file (only %zu bytes "
                      "long)", got);
  magic = (unsigned long)ld(pre, 4, 1);
  nd = pre[3];
  switch (pre[2]) {
  case 0x08: r->dtype = LM_DT_U1; break;
  case 0x09: r->dtype = LM_DT_I1; break;
  case 0x0B: r->dtype = LM_DT_I2; break;
  case 0x0C: r->dtype = LM_DT_I4; break;
  case 0x0D: r->dtype = LM_DT_F4; break;
  case 0x0E: r->dtype = LM_DT_F8; break;
  default: nd = 0; break;
  }
  if (pre[0] != 0 || pre[1] != 0 || nd == 0)
    return lm_io_fail(err, LM_EFORMAT,
                      "bad magic 0x%08lx (an IDX file starts with 0x0000, a "
                      "type code 08 09 0B 0C 0D or 0E and the number of "
                      "dimensions: 0x00000801 for labels, 0x00000803 for "
                      "images)", magic);
  if (nd > LM_IO_MAXDIM)
    return lm_io_fail(err, LM_EFORMAT, "%d dimensions (luaml reads at most "
                      "%d)", nd, LM_IO_MAXDIM);
  r->bigend = 1;
  r->ndim = nd;
  if ((st = gzget(r->gz, pre + 4, 4 * (size_t)nd, &got, err)) != LM_OK)
    return st;
  if (got < 4 * (size_t)nd)
    return lm_io_fail(err, LM_EFORMAT, "truncated header (%d dimensions "
                      "need %d bytes, the file has %zu)", nd, 4 + 4 * nd,
                      4 + got);
  for (i = 0; i < nd; i++) r->dims[i] = (size_t)ld(pre + 4 + 4 * i, 4, 1);
  if ((st = lm_io_shape(r->dims, nd, 0, &r->rows, &r->cols, &r->nelem,
                        err)) != LM_OK)
    return st;
  lm_io_fmtdims(d, sizeof d, r->dims, nd);
  return body_prepare(r, fsize, 4 + 4 * (size_t)nd, 1, d, err);
}

/* ---- CSV reading --------------------------------------------------- */

typedef struct csvp {
  const char *p, *end;  /* unread text */
  long line;            /* line number of p, 1-based */
  char delim;
  char dp;              /* the locale's decimal point */
} csvp;

/* a field: raw text [s, e) (for a quoted field the inside of the quotes,
** "" not yet unescaped) */
typedef struct field { const char *s, *e; int quoted; long line; } field;

static int blankc(int c, char delim) {
  return (c == ' ' || c == '\t' || c == '\r') && c != delim;
}

/* Skip blank lines; 1 when a record starts at c->p, 0 at the end. */
static int skip_blank(csvp *c) {
  for (;;) {
    const char *q = c->p;
    while (q < c->end && blankc(*q, c->delim)) q++;
    if (q == c->end) { c->p = q; return 0; }
    if (*q != '\n') return 1;
    c->p = q + 1;
    c->line++;
  }
}

/* Scan one field at c->p; on return c->p is at the delimiter, the line end
** or the end of the text.  col is for messages. */
static int next_field(csvp *c, field *f, int col, char *err) {
  const char *p = c->p, *q = p;
  f->line = c->line;
  while (q < c->end && blankc(*q, c->delim)) q++;
  if (q < c->end && *q == '"') {
    f->s = ++q;
    for (;;) {
      if (q >= c->end)
        return lm_io_fail(err, LM_EFORMAT, "line %ld, column %d: a quoted "
                          "field is not closed", f->line, col);
      if (*q == '"') {
        if (q + 1 < c->end && q[1] == '"') { q += 2; continue; }
        break;
      }
      if (*q == '\n') c->line++;
      q++;
    }
    f->e = q++;
    f->quoted = 1;
    while (q < c->end && blankc(*q, c->delim)) q++;
    if (q < c->end && *q != c->delim && *q != '\n')
      return lm_io_fail(err, LM_EFORMAT, "line %ld, column %d: text after "
                        "the closing quote of a field", c->line, col);
    c->p = q;
  } else {
    while (p < c->end && *p != c->delim && *p != '\n') p++;
    f->s = c->p;
    f->e = p;
    f->quoted = 0;
    c->p = p;
  }
  return LM_OK;
}

/* Copy field f into out (unescaping "" and trimming an unquoted field);
** returns the length.  out has room for f->e - f->s + 1 bytes. */
static size_t field_text(const field *f, char delim, char *out) {
  const char *s = f->s, *e = f->e;
  size_t n = 0;
  if (!f->quoted) {
    while (s < e && blankc(*s, delim)) s++;
    while (e > s && blankc(e[-1], delim)) e--;
  }
  while (s < e) {
    if (f->quoted && *s == '"') s++;  /* the first of "" */
    out[n++] = *s++;
  }
  out[n] = '\0';
  return n;
}

/* the decimal point of the C library's current locale: numbers in files
** always use '.', whatever the locale (as Lua's own tonumber does) */
static char decpoint(void) {
  const char *d = localeconv()->decimal_point;
  return d != NULL && d[0] != '\0' ? d[0] : '.';
}

/* 0: f is a number (in *v); 1: f is empty; 2: f is something else.
** dp is decpoint(). */
static int field_num(const field *f, char delim, char dp, double *v) {
  char buf[512];
  char *endp;
  size_t n;
  if ((size_t)(f->e - f->s) >= sizeof buf) return 2;
  n = field_text(f, delim, buf);
  if (f->quoted) {  /* trim a quoted number too */
    size_t a = 0;
    while (a < n && blankc(buf[a], delim)) a++;
    while (n > a && blankc(buf[n - 1], delim)) n--;
    memmove(buf, buf + a, n - a);
    n -= a;
    buf[n] = '\0';
  }
  if (n == 0) return 1;
  if (strpbrk(buf, "xX") != NULL) return 2;  /* no hexadecimal */
  if (dp != '.') {  /* a locale with another decimal point */
    char *q;
    if (strchr(buf, dp) != NULL) return 2;
    for (q = buf; *q; q++) if (*q == '.') *q = dp;
  }
  /* overflow gives +-HUGE_VAL (inf), underflow the nearest tiny value;
  ** both are accepted, so errno (ERANGE) is not consulted */
  *v = strtod(buf, &endp);
  return endp == buf + n ? 0 : 2;
}

/* Parse one record of ncols numbers into dst; c->p is at its start and
** ends after its line end. */
static int parse_row(csvp *c, int ncols, double *dst, char *err) {
  long line0 = c->line;
  int col = 0, bad = 0;
  for (;;) {
    field f;
    int st = next_field(c, &f, col + 1, err);
    if (st != LM_OK) return st;
    if (col < ncols && !bad) {
      int k = field_num(&f, c->delim, c->dp, &dst[col]);
      if (k == 1) {
        lm_io_fail(err, LM_EFORMAT, "line %ld, column %d: empty cell (a "
                   "missing value)", f.line, col + 1);
        bad = 1;
      } else if (k == 2) {
        char txt[96];  /* the cell's first 40 bytes, line breaks escaped */
        const char *q, *more = "";
        size_t n = 0;
        for (q = f.s; q < f.e && n < 80; q++) {
          unsigned char ch = (unsigned char)*q;
          if (ch == '\n' || ch == '\r' || ch == '\t') {
            txt[n++] = '\\';
            txt[n++] = ch == '\n' ? 'n' : ch == '\r' ? 'r' : 't';
          } else {
            txt[n++] = (ch < 32 || ch == 127) ? '?' : (char)ch;
          }
          if (q - f.s == 39 && q + 1 < f.e) { more = "..."; break; }
        }
        txt[n] = '\0';
        lm_io_fail(err, LM_EFORMAT, "line %ld, column %d: '%s%s' is not a "
                   "number", f.line, col + 1, txt, more);
        bad = 1;
      }
    }
    if (col == INT_MAX)
      return lm_io_fail(err, LM_EFORMAT, "line %ld: too many fields", line0);
    col++;
    if (c->p < c->end && *c->p == c->delim) { c->p++; continue; }
    break;
  }
  if (c->p < c->end) { c->p++; c->line++; }  /* the '\n' */
  if (col != ncols)
    return lm_io_fail(err, LM_EFORMAT, "line %ld has %d field%s, expected %d "
                      "like the first row", line0, col, col == 1 ? "" : "s",
                      ncols);
  return bad ? LM_EFORMAT : LM_OK;
}

void lm_csv_defaults(lm_csv_opts *o) {
  o->delim = ',';
  o->header = -1;
}

int lm_csv_open(lm_reader *r, const char *path, const lm_csv_opts *o,
                char *err) {
  long long fsize;
  unsigned char *text;
  size_t len, nrows = 0, cap, reclen;
  csvp c;
  const char *rec0;
  long line0;
  int st, ncols = 0, textual = 0, header;
  lm_reader_close(r);
  r->kind = LM_IO_CSV;
  if (o->delim == '"' || o->delim == '\r' || o->delim == '\n' ||
      o->delim == '\0')
    return lm_io_fail(err, LM_EARG, "the delimiter cannot be a quote, a "
                      "line break or NUL");
  if ((st = open_gz(r, path, &fsize, err)) != LM_OK) return st;
  st = read_rest(r, SIZE_MAX - 1,
                 fsize > 0 && (unsigned long long)fsize < SIZE_MAX / 2
                     ? (size_t)fsize + 1 : 0,
                 err);
  if (st != LM_OK) return st;
  gzclose((gzFile)r->gz);
  r->gz = NULL;
  text = r->buf;
  len = r->buflen;
  c.p = (const char *)text;
  c.end = c.p + len;
  c.line = 1;
  c.delim = o->delim;
  c.dp = decpoint();
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) c.p += 3;  /* BOM */
  if (!skip_blank(&c)) goto done;  /* empty: 0x0 */
  /* first record: count its fields and see whether it is text */
  rec0 = c.p;
  line0 = c.line;
  for (;;) {
    field f;
    double v;
    if ((st = next_field(&c, &f, ncols + 1, err)) != LM_OK) return st;
    if (f.quoted || field_num(&f, c.delim, c.dp, &v) == 2) textual = 1;
    if (ncols == INT_MAX)
      return lm_io_fail(err, LM_EFORMAT, "line %ld: too many fields", line0);
    ncols++;
    if (c.p < c.end && *c.p == c.delim) { c.p++; continue; }
    break;
  }
  reclen = (size_t)(c.p - rec0) + 1;
  c.p = rec0;
  c.line = line0;
  header = o->header < 0 ? textual : o->header;
  if (header) {  /* copy the names */
    char *w;
    r->names = (char *)ralloc(r, NULL, 0, reclen + (size_t)ncols);
    if (r->names == NULL)
      return lm_io_fail(err, LM_ENOMEM, "not enough memory");
    r->namescap = reclen + (size_t)ncols;
    w = r->names;
    for (;;) {
      field f;
      if ((st = next_field(&c, &f, r->nnames + 1, err)) != LM_OK) return st;
      w += field_text(&f, c.delim, w) + 1;
      r->nnames++;
      if (c.p < c.end && *c.p == c.delim) { c.p++; continue; }
      break;
    }
    if (c.p < c.end) { c.p++; c.line++; }
  }
  /* the numbers: room for the rows the first record's length suggests,
  ** but never more than the text can hold (a row of ncols numbers takes
  ** at least 2 * ncols - 1 bytes), so a long first line does not reserve
  ** more than the data; more rows (empty fields) grow the buffer */
  {
    size_t guess = len / reclen + 16, most = (len + 1) / (2 * (size_t)ncols);
    if (guess > most) guess = most;
    if (guess < 1) guess = 1;
    cap = (size_t)ncols * guess;
    if (cap / (size_t)ncols != guess || cap > SIZE_MAX / 8) cap = (size_t)ncols;
  }
  while (skip_blank(&c)) {
    if ((nrows + 1) * (size_t)ncols > cap || r->vals == NULL) {
      size_t ncap = r->vals == NULL ? cap : cap * 2;
      double *nv;
      if (ncap < (nrows + 1) * (size_t)ncols || ncap > SIZE_MAX / 8)
        return lm_io_fail(err, LM_ENOMEM, "not enough memory");
      nv = (double *)ralloc(r, r->vals, r->valscap * sizeof(double),
                            ncap * sizeof(double));
      if (nv == NULL) return lm_io_fail(err, LM_ENOMEM, "not enough memory");
      r->vals = nv;
      r->valscap = cap = ncap;
    }
    if ((st = parse_row(&c, ncols, r->vals + nrows * (size_t)ncols, err))
        != LM_OK)
      return st;
    if (++nrows > INT_MAX)
      return lm_io_fail(err, LM_EFORMAT, "more than %d rows", INT_MAX);
  }
done:
  r->rows = (int)nrows;
  r->cols = ncols;
  ralloc(r, r->buf, r->bufcap, 0);  /* the text is no longer needed */
  r->buf = NULL;
  r->buflen = r->bufcap = 0;
  return LM_OK;
}

/* ---- CSV writing --------------------------------------------------- */

/* v with 15 significant digits when they read back exactly (0.1 stays
** 0.1), else with 17, which always do; a '.' whatever the locale's
** decimal point dp */
static void fmtnum(double v, char *buf, size_t n, char dp) {
  char *q;
  if (v != v) { snprintf(buf, n, "nan"); return; }
  if (isinf(v)) { snprintf(buf, n, v > 0 ? "inf" : "-inf"); return; }
  snprintf(buf, n, "%.15g", v);
  if (strtod(buf, NULL) != v) snprintf(buf, n, "%.17g", v);
  if (dp != '.' && (q = strchr(buf, dp)) != NULL) *q = '.';
}

/* does name need quotes to read back as itself (and as a header)? */
static int needs_quotes(const char *s, char delim, char dp) {
  double v;
  field f;
  if (*s == '\0') return 0;
  if (strchr(s, delim) || strchr(s, '"') || strchr(s, '\n') ||
      strchr(s, '\r'))
    return 1;
  if (blankc(s[0], delim) || blankc(s[strlen(s) - 1], delim)) return 1;
  f.s = s;
  f.e = s + strlen(s);
  f.quoted = 0;
  return field_num(&f, delim, dp, &v) != 2;  /* numeric-looking names */
}

static int save_fail(FILE *f, char *err) {
  int e = errno;
  fclose(f);
  return lm_io_fail(err, LM_EIO, "%s", strerror(e ? e : EIO));
}

int lm_csv_save(const lm_mat *m, const char *path, const lm_csv_opts *o,
                const char *const *names, int nnames, char *err) {
  FILE *f;
  char num[40], dp = decpoint();
  int i, j;
  if (names != NULL && nnames != m->cols)
    return lm_io_fail(err, LM_EARG, "the header has %d names for %d columns",
                      nnames, m->cols);
  if (o->delim == '"' || o->delim == '\r' || o->delim == '\n' ||
      o->delim == '\0')
    return lm_io_fail(err, LM_EARG, "the delimiter cannot be a quote, a "
                      "line break or NUL");
  errno = 0;
  f = fopen(path, "w");
  if (f == NULL) return lm_io_fail(err, LM_EIO, "%s", strerror(errno));
  if (names != NULL) {
    for (j = 0; j < nnames; j++) {
      const char *s = names[j];
      if (j > 0) putc(o->delim, f);
      if (needs_quotes(s, o->delim, dp)) {
        putc('"', f);
        for (; *s; s++) {
          if (*s == '"') putc('"', f);
          putc(*s, f);
        }
        putc('"', f);
      } else {
        fputs(s, f);
      }
    }
    putc('\n', f);
  }
  /* no columns, no lines: blank lines would read back as nothing anyway
  ** (and a 1500000000x0 matrix would write 1.5 GB of them) */
  for (i = 0; i < m->rows && m->cols > 0; i++) {
    const double *row = m->data + i * m->rs;
    for (j = 0; j < m->cols; j++) {
      fmtnum(row[j * m->cs], num, sizeof num, dp);
      if (j > 0) putc(o->delim, f);
      fputs(num, f);
    }
    putc('\n', f);
    if (ferror(f)) return save_fail(f, err);
  }
  if (fflush(f) != 0 || ferror(f)) return save_fail(f, err);
  errno = 0;
  if (fclose(f) != 0)
    return lm_io_fail(err, LM_EIO, "%s", strerror(errno ? errno : EIO));
  return LM_OK;
}

/* ---- NPY writing --------------------------------------------------- */

int lm_npy_save(const lm_mat *m, const char *path, char *err) {
  char hdr[256];
  unsigned char pre[10], out[CHUNK * 8];
  size_t hl, pad, k = 0;
  int n, rd, i, j, big = host_big();
  FILE *f;
  n = snprintf(hdr, sizeof hdr,
               "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }",
               m->rows, m->cols);
  rd = snprintf(NULL, 0, "%d", m->rows);
  hl = (size_t)n;
  for (i = rd; i < 21; i++) hdr[hl++] = ' ';  /* numpy's room to grow */
  pad = 64 - ((10 + hl + 1) % 64);
  memset(hdr + hl, ' ', pad);
  hl += pad;
  hdr[hl++] = '\n';
  memcpy(pre, "\x93NUMPY\x01\x00", 8);
  pre[8] = (unsigned char)(hl & 0xff);
  pre[9] = (unsigned char)(hl >> 8);
  errno = 0;
  f = fopen(path, "wb");
  if (f == NULL) return lm_io_fail(err, LM_EIO, "%s", strerror(errno));
  if (fwrite(pre, 1, 10, f) != 10 || fwrite(hdr, 1, hl, f) != hl)
    return save_fail(f, err);
  for (i = 0; i < m->rows; i++) {
    const double *row = m->data + i * m->rs;
    for (j = 0; j < m->cols; j++) {
      double v = row[j * m->cs];
      unsigned char *b = out + 8 * k;
      memcpy(b, &v, 8);
      if (big) {
        int t;
        for (t = 0; t < 4; t++) {
          unsigned char x = b[t];
          b[t] = b[7 - t];
          b[7 - t] = x;
        }
      }
      if (++k == CHUNK) {
        if (fwrite(out, 8, k, f) != k) return save_fail(f, err);
        k = 0;
      }
    }
  }
  if (k > 0 && fwrite(out, 8, k, f) != k) return save_fail(f, err);
  if (fflush(f) != 0 || ferror(f)) return save_fail(f, err);
  errno = 0;
  if (fclose(f) != 0)
    return lm_io_fail(err, LM_EIO, "%s", strerror(errno ? errno : EIO));
  return LM_OK;
}
