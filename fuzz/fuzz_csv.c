/*
** fuzz_csv.c -- libFuzzer harness for the CSV loader (lm_csv_open).
** Byte 0 chooses the options: bits 0-1 the header mode (auto, no, yes),
** bits 2-4 the delimiter; the rest is the file (plain or gzip).
*/
#include "fuzz_loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char delims[] = ",;\t |:x\x01";
  char err[LM_IO_ERRLEN];
  lm_csv_opts o;
  lm_reader r;
  if (size < 1) return 0;
  lm_csv_defaults(&o);
  o.header = (data[0] & 3) == 1 ? 0 : (data[0] & 3) == 2 ? 1 : -1;
  o.delim = delims[(data[0] >> 2) & 7];
  fuzz_reader(&r);
  fuzz_finish(&r, lm_csv_open(&r, fuzz_file(data + 1, size - 1), &o, err), err);
  return 0;
}
