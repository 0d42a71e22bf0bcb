/*
** core_h5dl.c -- loads libhdf5 at the first HDF5 call (see core_h5dl.h).
** The library is the one luaml was built against (LM_HDF5_SONAME, from the
** Makefile): a different major version would fail HDF5's own version
** check, which aborts the process.
*/
#ifndef LUAML_NO_HDF5

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define LM_H5DL_TABLE
#include "core_io.h"
#include "core_h5dl.h"

#ifndef LM_HDF5_SONAME
#define LM_HDF5_SONAME "libhdf5_serial.so.103"
#endif

lm_h5api lm_h5;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[LM_IO_ERRLEN];  /* empty when loaded */

#define STR_(x) #x
#define STR(x) STR_(x)  /* the name after macro expansion */

/* dlsym each function into the table; on failure set the message */
static void load(void) {
  void *h = dlopen(LM_HDF5_SONAME, RTLD_NOW | RTLD_LOCAL);
  const char *miss = NULL;
  if (h == NULL) {
    snprintf(failure, sizeof failure,
             "cannot load the HDF5 library %s (%s)", LM_HDF5_SONAME,
             dlerror());
    return;
  }
#define LM_H5_SYM(f)                                                         \
  if ((*(void **)&lm_h5.f = dlsym(h, STR(f))) == NULL && miss == NULL)       \
    miss = STR(f);
  LM_H5_FUNCS(LM_H5_SYM)
#undef LM_H5_SYM
  lm_h5.native_double = (hid_t *)dlsym(h, "H5T_NATIVE_DOUBLE_g");
  if (lm_h5.native_double == NULL && miss == NULL) miss = "H5T_NATIVE_DOUBLE_g";
  if (miss != NULL) {
    snprintf(failure, sizeof failure, "the HDF5 library %s has no %s",
             LM_HDF5_SONAME, miss);
    dlclose(h);
  }
}

int lm_h5_load(char *err) {
  pthread_once(&once, load);
  if (failure[0] != '\0') return lm_io_fail(err, LM_EARG, "%s", failure), 0;
  return 1;
}

#else
typedef int lm_h5dl_empty;  /* built without HDF5: nothing to load */
#endif
