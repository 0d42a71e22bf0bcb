/* fuzz_idx.c -- libFuzzer harness for the IDX (MNIST) loader
** (lm_idx_open): the input is the file (plain or gzip). */
#include "fuzz_loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[LM_IO_ERRLEN];
  lm_reader r;
  fuzz_reader(&r);
  fuzz_finish(&r, lm_idx_open(&r, fuzz_file(data, size), err), err);
  return 0;
}
