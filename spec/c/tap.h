/*
** tap.h -- TAP output for luaml's C test programs (header-only: one
** test program per executable).
**   ok(cond, fmt, ...)   print "ok N - ..." or "not ok N - ..."; returns cond
**   tap_diag             when set, called after each failure (diagnostics)
**   tap_end()            print the plan; the exit status for main
*/
#ifndef LUAML_TAP_H
#define LUAML_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n = 0, tap_failed = 0;
static void (*tap_diag)(void) = NULL;

static int ok(int cond, const char *fmt, ...) {
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

static int tap_end(void) {
  printf("1..%d\n", tap_n);
  return tap_failed > 0;
}

#endif
