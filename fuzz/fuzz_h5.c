/*
** fuzz_h5.c -- libFuzzer harness for the HDF5 loader (lm_h5_open).
** Byte 0 picks the dataset name (those of spec/fixtures/h5/small.h5, the
** seed, plus a missing one and an empty one); the rest is the file.
** libhdf5 is not instrumented: its own faults on malformed files show as
** crashes inside it, which are reported, not chased.
*/
#include "fuzz_loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const names[] = {
    "x", "labels", "images", "f4", "be_i2", "bools", "empty", "scalar",
    "grp/inner", "grp", "missing", ""
  };
  char err[LM_IO_ERRLEN];
  lm_reader r;
  if (size < 1) return 0;
  fuzz_reader(&r);
  fuzz_finish(&r, lm_h5_open(&r, fuzz_file(data + 1, size - 1),
                             names[data[0] % 12], err), err);
  return 0;
}
