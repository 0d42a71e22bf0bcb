/*
** core_h5.c -- luaml numeric core: the HDF5 reader (libhdf5's C API).
** See lm_h5_open in core_io.h.  Built as stubs that report "built without
** HDF5" when LUAML_NO_HDF5 is defined.
**
** HDF5 prints its error stack to stderr by default; every entry point here
** turns that off for the duration of the call (and restores the caller's
** setting), and turns the stack into one of our messages instead.
**
** Malformed files and memory.  Every identifier opened here is closed on
** every path (lm_h5_close closes the file and the dataset; the rest is
** closed where it is opened): after any load, good or failed, the process
** holds no HDF5 object.  libhdf5 itself does not give everything back on a
** malformed file.  Measured with 1.10.8 (Debian 12) on 335 damaged copies
** of spec/fixtures/h5/small.h5, with a plain program that opens, does one
** call and closes (so not luaml's doing):
**   - each time it fails to decode a damaged object header (opening the
**     object, or the root group in H5Fopen) it loses the 424-byte header
**     struct it was filling (valgrind: "definitely lost", allocated under
**     H5C_protect from H5O_protect): this is the 424 bytes per malformed
**     file;
**   - a failed H5Dopen2 on some files leaves ~5 KB that stays reachable
**     inside the library until it closes (H5close, at process exit);
**   - its free lists keep ~1 KB per such load (bounded by HDF5's own
**     free-list limits, 1-16 MB per kind).
** So a loader here reads each object header once (H5Oopen, then the
** object's type, not H5Gopen2 and then H5Dopen2), the names listed in an
** error (list_names) stop at about 300 characters, and lm_h5_close gives
** the free lists back (H5garbage_collect).  What remains is libhdf5's, and
** only for a file that fails to load: 424 bytes per damaged object header
** read, and on some damaged files the ~5 KB above; a valid file loads and
** closes with no growth.  A sandboxed state has no file loaders; a host
** that loads many untrusted HDF5 files in one long-lived process should
** load them in a child process.
*/
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_io.h"

#ifdef LUAML_NO_HDF5

int lm_h5_open(lm_reader *r, const char *path, const char *dataset,
               char *err) {
  (void)path; (void)dataset;
  lm_reader_close(r);
  return lm_io_fail(err, LM_EARG, "luaml was built without HDF5 support");
}

int lm_h5_read(lm_reader *r, const lm_mat *out, char *err) {
  (void)r; (void)out;
  return lm_io_fail(err, LM_EARG, "luaml was built without HDF5 support");
}

void lm_h5_close(lm_reader *r) { r->h5file = r->h5dset = -1; }

#else

#include <hdf5.h>

#include "core_h5dl.h"  /* libhdf5 loaded at the first call */

/* the reader keeps hid_t values in int64_t fields */
typedef char lm_hid_fits[sizeof(hid_t) == sizeof(int64_t) ? 1 : -1];

/* HDF5's automatic error printing, saved while we run silent */
typedef struct quiet { H5E_auto2_t fn; void *data; } quiet;

static void hush(quiet *q) {
  q->fn = NULL;
  q->data = NULL;
  H5Eget_auto2(H5E_DEFAULT, &q->fn, &q->data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void unhush(const quiet *q) {
  H5Eset_auto2(H5E_DEFAULT, q->fn, q->data);
}

/* the outermost description on HDF5's error stack */
static herr_t walk1(unsigned n, const H5E_error2_t *e, void *ud) {
  if (n == 0 && e->desc != NULL) {
    strncpy((char *)ud, e->desc, 200);
    ((char *)ud)[199] = '\0';
  }
  return 0;
}

static const char *h5msg(char *buf /* [200] */) {
  strcpy(buf, "unknown HDF5 error");
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk1, buf);
  return buf;
}

/* names of a group's members, "a, b/, c" (groups marked with '/') */
typedef struct names { char *buf; size_t len, cap; int n; hid_t loc; } names;

static herr_t add_name(hid_t g, const char *name, const H5L_info_t *info,
                       void *ud) {
  names *nm = (names *)ud;
  size_t k = strlen(name);
  int isgroup = 0;
  (void)info;
  if (nm->len + k + 8 >= nm->cap) {
    if (nm->len + 6 <= nm->cap) strcpy(nm->buf + nm->len, ", ...");
    nm->len = nm->cap;
    return 1;  /* stop */
  }
  {
    hid_t sub = H5Gopen2(g, name, H5P_DEFAULT);
    if (sub >= 0) { isgroup = 1; H5Gclose(sub); }
  }
  nm->len += (size_t)sprintf(nm->buf + nm->len, "%s%s%s", nm->n ? ", " : "",
                             name, isgroup ? "/" : "");
  nm->n++;
  return 0;
}

static void list_names(hid_t g, char *buf, size_t cap) {
  names nm;
  nm.buf = buf;
  nm.len = 0;
  nm.cap = cap;
  nm.n = 0;
  nm.loc = g;
  buf[0] = '\0';
  H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, add_name, &nm);
  if (nm.n == 0 && buf[0] == '\0') strcpy(buf, "nothing");
}

/* 1 when every component of path exists as a link */
static int link_exists(hid_t file, const char *path) {
  size_t n = strlen(path), i;
  char *tmp = (char *)malloc(n + 1);
  int ok = 1;
  if (tmp == NULL) return 0;
  memcpy(tmp, path, n + 1);
  for (i = 1; i <= n && ok; i++) {
    if (i == n || (tmp[i] == '/' && tmp[i - 1] != '/')) {
      char c = tmp[i];
      tmp[i] = '\0';
      if (strspn(tmp, "/") != i) ok = H5Lexists(file, tmp, H5P_DEFAULT) > 0;
      tmp[i] = c;
    }
  }
  free(tmp);
  return ok;
}

static const char *class_name(H5T_class_t c) {
  switch (c) {
  case H5T_STRING: return "strings";
  case H5T_COMPOUND: return "compound records";
  case H5T_ARRAY: return "array elements";
  case H5T_VLEN: return "variable-length sequences";
  case H5T_REFERENCE: return "references";
  case H5T_OPAQUE: return "opaque data";
  case H5T_BITFIELD: return "bit fields";
  case H5T_TIME: return "time values";
  default: return "non-numeric data";
  }
}

static int open_body(lm_reader *r, const char *path, const char *ds,
                     char *err) {
  char msg[200], list[300];
  hid_t type, space;
  H5T_class_t cls;
  int st = LM_OK, fd, nd, i;
  struct stat sb;
  /* a clear strerror for unreadable paths, before HDF5 sees them */
  fd = open(path, O_RDONLY);
  if (fd < 0) return lm_io_fail(err, LM_EIO, "%s", strerror(errno));
  if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    close(fd);
    return lm_io_fail(err, LM_EIO, "%s", strerror(EISDIR));
  }
  close(fd);
#if H5_VERSION_GE(1, 12, 0)
  if (H5Fis_accessible(path, H5P_DEFAULT) <= 0)
#else
  if (H5Fis_hdf5(path) <= 0)
#endif
    return lm_io_fail(err, LM_EFORMAT, "not an HDF5 file");
  r->h5file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (r->h5file < 0)
    return lm_io_fail(err, LM_EFORMAT, "cannot open: %s", h5msg(msg));
  if (ds[0] == '\0' || !link_exists(r->h5file, ds)) {
    list_names(r->h5file, list, sizeof list);
    return lm_io_fail(err, LM_EARG, "no dataset '%s' in the file (its root "
                      "group holds: %s)", ds, list);
  }
  {  /* the object's header is read once: see the top of this file */
    hid_t obj = H5Oopen(r->h5file, ds, H5P_DEFAULT);
    H5I_type_t t;
    if (obj < 0)
      return lm_io_fail(err, LM_EFORMAT, "cannot open dataset '%s': %s", ds,
                        h5msg(msg));
    t = H5Iget_type(obj);
    if (t == H5I_GROUP) {
      list_names(obj, list, sizeof list);
      H5Oclose(obj);
      return lm_io_fail(err, LM_EARG, "'%s' is a group, not a dataset (it "
                        "holds: %s)", ds, list);
    }
    if (t != H5I_DATASET) {
      H5Oclose(obj);
      return lm_io_fail(err, LM_EARG, "'%s' is a named datatype, not a "
                        "dataset", ds);
    }
    r->h5dset = obj;  /* closed by H5Dclose in lm_h5_close */
  }
  /* the element type */
  type = H5Dget_type(r->h5dset);
  if (type < 0)
    return lm_io_fail(err, LM_EFORMAT, "dataset '%s': %s", ds, h5msg(msg));
  cls = H5Tget_class(type);
  r->dtype = 0;
  if (cls == H5T_ENUM) {  /* h5py's bools: enums over an integer type */
    hid_t super = H5Tget_super(type);
    if (super < 0 || H5Tget_class(super) != H5T_INTEGER ||
        H5Tget_size(super) > 8)
      st = lm_io_fail(err, LM_EFORMAT, "dataset '%s' holds an enum that is "
                      "not over integers", ds);
    else
      r->dtype = 1;
    if (super >= 0) H5Tclose(super);
  } else if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
    st = lm_io_fail(err, LM_EFORMAT, "dataset '%s' holds %s, not numbers", ds,
                    class_name(cls));
  }
  H5Tclose(type);
  if (st != LM_OK) return st;
  /* the shape */
  space = H5Dget_space(r->h5dset);
  if (space < 0)
    return lm_io_fail(err, LM_EFORMAT, "dataset '%s': %s", ds, h5msg(msg));
  switch (H5Sget_simple_extent_type(space)) {
  case H5S_SCALAR:
    r->ndim = 0;
    break;
  case H5S_SIMPLE:
    nd = H5Sget_simple_extent_ndims(space);
    if (nd < 0 || nd > LM_IO_MAXDIM) {
      st = lm_io_fail(err, LM_EFORMAT, "dataset '%s' has %d dimensions (luaml "
                      "reads at most %d)", ds, nd, LM_IO_MAXDIM);
    } else {
      hsize_t hd[LM_IO_MAXDIM];
      H5Sget_simple_extent_dims(space, hd, NULL);
      r->ndim = nd;
      for (i = 0; i < nd; i++) {
        if (hd[i] > (hsize_t)SIZE_MAX) {
          st = lm_io_fail(err, LM_EFORMAT, "dataset '%s' is too large", ds);
          break;
        }
        r->dims[i] = (size_t)hd[i];
      }
    }
    break;
  default:
    st = lm_io_fail(err, LM_EFORMAT, "dataset '%s' has no data (a null "
                    "dataspace)", ds);
    break;
  }
  H5Sclose(space);
  if (st != LM_OK) return st;
  return lm_io_shape(r->dims, r->ndim, 0, &r->rows, &r->cols, &r->nelem,
                     err);
}

int lm_h5_open(lm_reader *r, const char *path, const char *dataset,
               char *err) {
  quiet q;
  int st;
  lm_reader_close(r);
  if (!lm_h5_load(err)) return LM_EARG;
  r->kind = LM_IO_H5;
  hush(&q);
  st = open_body(r, path, dataset, err);
  if (r->h5file < 0) H5garbage_collect();  /* else lm_h5_close does it */
  unhush(&q);
  return st;
}

/* widen n native integers of size sz (signed or not) at the start of d
** into doubles, in place, from the last one down */
static void widen(double *d, size_t n, size_t sz, int sign) {
  const unsigned char *b = (const unsigned char *)d;
  while (n-- > 0) {
    double v;
    if (sz == 1) v = sign ? (double)(signed char)b[n] : (double)b[n];
    else if (sz == 2) {
      uint16_t u; int16_t s;
      memcpy(&u, b + 2 * n, 2); memcpy(&s, b + 2 * n, 2);
      v = sign ? (double)s : (double)u;
    } else if (sz == 4) {
      uint32_t u; int32_t s;
      memcpy(&u, b + 4 * n, 4); memcpy(&s, b + 4 * n, 4);
      v = sign ? (double)s : (double)u;
    } else {
      uint64_t u; int64_t s;
      memcpy(&u, b + 8 * n, 8); memcpy(&s, b + 8 * n, 8);
      v = sign ? (double)s : (double)u;
    }
    d[n] = v;
  }
}

static int read_body(lm_reader *r, const lm_mat *out, char *err) {
  char msg[200];
  herr_t rc;
  if (r->h5dset < 0)
    return lm_io_fail(err, LM_EARG, "the reader is not open");
  if (r->nelem == 0) return LM_OK;
  if (r->dtype == 1) {  /* enum: read its native integers, then widen */
    hid_t ft = H5Dget_type(r->h5dset), mt = -1, super = -1;
    size_t sz = 0;
    int sign = 0;
    rc = -1;
    if (ft >= 0) mt = H5Tget_native_type(ft, H5T_DIR_ASCEND);
    if (mt >= 0) super = H5Tget_super(mt);
    if (super >= 0) {
      sz = H5Tget_size(super);
      sign = H5Tget_sign(super) == H5T_SGN_2;
      if (sz == 1 || sz == 2 || sz == 4 || sz == 8)
        rc = H5Dread(r->h5dset, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                     out->data);
    }
    if (super >= 0) H5Tclose(super);
    if (mt >= 0) H5Tclose(mt);
    if (ft >= 0) H5Tclose(ft);
    if (rc >= 0) widen(out->data, r->nelem, sz, sign);
  } else {
    rc = H5Dread(r->h5dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                 out->data);
  }
  if (rc < 0)
    return lm_io_fail(err, LM_EFORMAT, "cannot read the data: %s",
                      h5msg(msg));
  return LM_OK;
}

int lm_h5_read(lm_reader *r, const lm_mat *out, char *err) {
  quiet q;
  int st;
  hush(&q);
  st = read_body(r, out, err);
  unhush(&q);
  return st;
}

void lm_h5_close(lm_reader *r) {
  quiet q;
  hush(&q);
  if (r->h5dset >= 0) H5Dclose(r->h5dset);
  if (r->h5file >= 0) {
    H5Fclose(r->h5file);
    H5garbage_collect();  /* the free lists back (see the top of the file) */
  }
  r->h5dset = r->h5file = -1;
  unhush(&q);
}

#endif
