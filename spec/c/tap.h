/*
** tap.h -- TAP output for luaml's C test programs (header-only: one
** test program per executable).
**   ok(cond, fmt, ...)   print "ok N - ..." or "not ok N - ..."; returns cond
**   diag(fmt, ...)       print a "# ..." diagnostic line
**   tap_skip(n, why)     count n tests as skipped ("ok N - # SKIP why")
**   tap_diag             when set, called after each failure (diagnostics)
**   tap_end()            print the plan (and "# F of N failed" when any
**                        failed); the exit status for main
** The functions are static inline, so a program need not use them all.
*/
#ifndef LUAML_TAP_H
#define LUAML_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n = 0, tap_failed = 0;
static void (*tap_diag)(void) = NULL;

static inline int ok(int cond, const char *fmt, ...) {
  va_list ap;
  printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  if (!cond) {
    tap_failed++;
    if (tap_diag != NULL) tap_diag();
  }
  fflush(stdout);
  return cond;
}

static inline void diag(const char *fmt, ...) {
  va_list ap;
  printf("# ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

static inline void tap_skip(int n, const char *why) {
  while (n-- > 0) printf("ok %d - # SKIP %s\n", ++tap_n, why);
  fflush(stdout);
}

static inline int tap_end(void) {
  printf("1..%d\n", tap_n);
  if (tap_failed > 0) printf("# %d of %d failed\n", tap_failed, tap_n);
  return tap_failed > 0;
}

#endif
