/*
** core_h5dl.h -- libhdf5 loaded on the first HDF5 call instead of at
** start-up.  libhdf5 brings some 35 libraries with it (curl, TLS,
** Kerberos ...) whose loading took two thirds of `luaml -e ''`; scripts
** that never read HDF5 no longer pay for it.  Included by core_h5.c after
** <hdf5.h>: the macros at the end send each HDF5 call it makes through the
** table of pointers that lm_h5_load fills with dlopen/dlsym.
*/
#ifndef LUAML_CORE_H5DL_H
#define LUAML_CORE_H5DL_H

#include <hdf5.h>

/* the HDF5 functions core_h5.c calls */
#define LM_H5_FUNCS(X)                                                       \
  X(H5open) X(H5check_version) X(H5Fopen) X(H5Fclose) X(H5Fis_hdf5)          \
  X(H5Dopen2) X(H5Dclose) X(H5Dget_space) X(H5Dget_type) X(H5Dread)          \
  X(H5Eget_auto2) X(H5Eset_auto2) X(H5Ewalk2) X(H5Gopen2) X(H5Gclose)        \
  X(H5Lexists) X(H5Literate) X(H5Sclose) X(H5Sget_simple_extent_dims)        \
  X(H5Sget_simple_extent_ndims) X(H5Sget_simple_extent_type) X(H5Tclose)     \
  X(H5Tget_class) X(H5Tget_native_type) X(H5Tget_sign) X(H5Tget_size)        \
  X(H5Tget_super) X(H5Oopen) X(H5Oclose) X(H5Iget_type)                     \
  X(H5garbage_collect) LM_H5_FUNCS_112(X)
#if H5_VERSION_GE(1, 12, 0)
#define LM_H5_FUNCS_112(X) X(H5Fis_accessible)
#else
#define LM_H5_FUNCS_112(X)
#endif

typedef struct lm_h5api {
#define LM_H5_FIELD(f) __typeof__(f) *f;
  LM_H5_FUNCS(LM_H5_FIELD)
#undef LM_H5_FIELD
  hid_t *native_double;  /* the library's H5T_NATIVE_DOUBLE_g */
} lm_h5api;

/* the table; valid once lm_h5_load has returned 1 */
extern lm_h5api lm_h5;

/* Load libhdf5 (once per process, thread-safe).  Returns 1 when it is
** loaded; else 0 with a message in err (LM_IO_ERRLEN bytes). */
int lm_h5_load(char *err);

#ifndef LM_H5DL_TABLE  /* core_h5.c: every call through the table */
#define LM_H5_REDIRECT(f) (lm_h5.f)
#define H5open LM_H5_REDIRECT(H5open)
#define H5check_version LM_H5_REDIRECT(H5check_version)
#define H5Fopen LM_H5_REDIRECT(H5Fopen)
#define H5Fclose LM_H5_REDIRECT(H5Fclose)
#define H5Fis_hdf5 LM_H5_REDIRECT(H5Fis_hdf5)
#define H5Fis_accessible LM_H5_REDIRECT(H5Fis_accessible)
#define H5Dopen2 LM_H5_REDIRECT(H5Dopen2)
#define H5Dclose LM_H5_REDIRECT(H5Dclose)
#define H5Dget_space LM_H5_REDIRECT(H5Dget_space)
#define H5Dget_type LM_H5_REDIRECT(H5Dget_type)
#define H5Dread LM_H5_REDIRECT(H5Dread)
#define H5Eget_auto2 LM_H5_REDIRECT(H5Eget_auto2)
#define H5Eset_auto2 LM_H5_REDIRECT(H5Eset_auto2)
#define H5Ewalk2 LM_H5_REDIRECT(H5Ewalk2)
#define H5Gopen2 LM_H5_REDIRECT(H5Gopen2)
#define H5Gclose LM_H5_REDIRECT(H5Gclose)
#define H5Lexists LM_H5_REDIRECT(H5Lexists)
#define H5Literate LM_H5_REDIRECT(H5Literate)
#define H5Sclose LM_H5_REDIRECT(H5Sclose)
#define H5Sget_simple_extent_dims LM_H5_REDIRECT(H5Sget_simple_extent_dims)
#define H5Sget_simple_extent_ndims LM_H5_REDIRECT(H5Sget_simple_extent_ndims)
#define H5Sget_simple_extent_type LM_H5_REDIRECT(H5Sget_simple_extent_type)
#define H5Tclose LM_H5_REDIRECT(H5Tclose)
#define H5Tget_class LM_H5_REDIRECT(H5Tget_class)
#define H5Tget_native_type LM_H5_REDIRECT(H5Tget_native_type)
#define H5Tget_sign LM_H5_REDIRECT(H5Tget_sign)
#define H5Tget_size LM_H5_REDIRECT(H5Tget_size)
#define H5Tget_super LM_H5_REDIRECT(H5Tget_super)
#define H5Oopen LM_H5_REDIRECT(H5Oopen)
#define H5Oclose LM_H5_REDIRECT(H5Oclose)
#define H5Iget_type LM_H5_REDIRECT(H5Iget_type)
#define H5garbage_collect LM_H5_REDIRECT(H5garbage_collect)
#undef H5T_NATIVE_DOUBLE_g
#define H5T_NATIVE_DOUBLE_g (*lm_h5.native_double)
#endif

#endif
