/*
** procinfo.h -- what tests that measure their own process need to know:
** whether AddressSanitizer is compiled in (ASAN defined: its quarantine
** keeps freed memory resident) and whether valgrind runs the process.
** Used by spec/c/test_hostile.c and spec/c/test_la_limit.c.
*/
#ifndef LUAML_PROCINFO_H
#define LUAML_PROCINFO_H

#include <stdio.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN 1
#endif
#endif

/* 1 when running under valgrind (its preload library is mapped) */
static int invalgrind(void) {
  char line[512];
  int found = 0;
  FILE *f = fopen("/proc/self/maps", "r");
  if (f == NULL) return 0;
  while (!found && fgets(line, sizeof line, f) != NULL)
    found = strstr(line, "vgpreload") != NULL;
  fclose(f);
  return found;
}

#endif
