/*
** sensors.c -- a small host embedding luaml: it reads sensor readings
** (CSV rows of temperature, vibration, current; an optional header row),
** hands them to a Lua scoring script as an N x 3 matrix, and prints each
** reading's score, flagging those above a threshold.  The script runs in a
** sandboxed state with memory and instruction limits: it may be written by
** someone else.
**
**   cc sensors.c $(pkg-config --cflags --libs luaml) -o sensors
**   ./sensors score.lua readings.csv        (standard input without a file)
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"
#include "luaml.h"

#define NCOLS 3          /* temperature, vibration, current */
#define THRESHOLD 3.0    /* scores above it are flagged */

/* the readings, row-major */
typedef struct Readings {
  double *v;        /* (n, NCOLS) */
  size_t n, cap;    /* rows used, rows allocated */
} Readings;

/* Parse one CSV line of NCOLS numbers into row; 1 on success. */
static int parseline(const char *line, double *row) {
  int k;
  char *end;
  for (k = 0; k < NCOLS; k++) {
    row[k] = strtod(line, &end);
    if (end == line) return 0;
    line = end + strspn(end, " \t");
    if (k < NCOLS - 1) {
      if (*line != ',') return 0;
      line++;
    }
  }
  return line[strspn(line, " \t\r\n")] == '\0';
}

/* Read every row of f into r.  A first line that is not numbers is a
** header.  Returns 0, or the number of a malformed line. */
static size_t readcsv(FILE *f, Readings *r) {
  char line[1024];
  size_t lineno = 0;
  while (fgets(line, sizeof line, f) != NULL) {
    double row[NCOLS];
    lineno++;
    if (line[strspn(line, " \t\r\n")] == '\0') continue;  /* blank */
    if (!parseline(line, row)) {
      if (lineno == 1) continue;  /* the header */
      return lineno;
    }
    if (r->n == r->cap) {
      size_t cap = r->cap ? 2 * r->cap : 64;
      double *v = (double *)realloc(r->v, cap * NCOLS * sizeof *v);
      if (v == NULL) return lineno;
      r->v = v;
      r->cap = cap;
    }
    memcpy(r->v + r->n * NCOLS, row, sizeof row);
    r->n++;
  }
  return 0;
}

/* lua_CFunction: push the readings (light userdata 1) as an n x NCOLS
** matrix.  Called through luaml_pcall, since luaml_pushmatrix raises when
** memory is short. */
static int pushreadings(lua_State *L) {
  const Readings *r = (const Readings *)lua_touserdata(L, 1);
  double *x = luaml_pushmatrix(L, (int)r->n, NCOLS);
  memcpy(x, r->v, r->n * NCOLS * sizeof *x);
  return 1;
}

/* Run the script, call its function with the readings and print the
** scores.  Returns 0, or 1 after printing an error. */
static int score(lua_State *L, const char *script, const Readings *r) {
  const luaml_matrix *s;
  size_t k, flagged = 0;
  if (luaL_loadfilex(L, script, "t") != LUA_OK ||  /* the script... */
      luaml_pcall(L, 0, 1) != LUA_OK) {            /* ...returns score(X) */
    fprintf(stderr, "sensors: %s\n", lua_tostring(L, -1));
    return 1;
  }
  lua_pushcfunction(L, pushreadings);
  lua_pushlightuserdata(L, (void *)r);
  if (luaml_pcall(L, 1, 1) != LUA_OK ||  /* X */
      luaml_pcall(L, 1, 1) != LUA_OK) {  /* score(X) */
    fprintf(stderr, "sensors: %s\n", lua_tostring(L, -1));
    return 1;
  }
  s = luaml_tomatrix(L, -1);
  if (s == NULL || (s->rows != 1 && s->cols != 1) ||
      (size_t)s->rows * (size_t)s->cols != r->n) {
    fprintf(stderr, "sensors: %s must return %zu scores (a vector)\n", script, r->n);
    return 1;
  }
  printf("reading    score\n");
  for (k = 0; k < r->n; k++) {  /* element k of a vector, by its strides */
    double v = s->rows == 1 ? s->data[(ptrdiff_t)k * s->cs]
                            : s->data[(ptrdiff_t)k * s->rs];
    printf("%7zu %8.3f%s\n", k + 1, v, v > THRESHOLD ? "  ALERT" : "");
    if (v > THRESHOLD) flagged++;
  }
  printf("%zu of %zu readings above %.1f\n", flagged, r->n, THRESHOLD);
  lua_pop(L, 1);  /* s is not used after this */
  return 0;
}

int main(int argc, char **argv) {
  luaml_options opts = {0};
  Readings r = {NULL, 0, 0};
  FILE *f = stdin;
  lua_State *L;
  size_t bad;
  int status;
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: sensors script.lua [readings.csv]\n");
    return 2;
  }
  if (argc == 3 && (f = fopen(argv[2], "r")) == NULL) {
    perror(argv[2]);
    return 1;
  }
  bad = readcsv(f, &r);
  if (f != stdin) fclose(f);
  if (bad != 0) {
    fprintf(stderr, "sensors: %s:%zu: expected %d numbers separated by commas\n",
            argc == 3 ? argv[2] : "stdin", bad, NCOLS);
    free(r.v);
    return 1;
  }
  opts.sandbox = 1;                      /* the script may not touch files */
  opts.memory_limit = (size_t)64 << 20;  /* 64 MB */
  opts.instruction_limit = 10000000;     /* per call */
  L = luaml_newstate(&opts);
  if (L == NULL) {
    fprintf(stderr, "sensors: cannot create the Lua state\n");
    free(r.v);
    return 1;
  }
  status = score(L, argv[1], &r);
  lua_close(L);
  free(r.v);
  return status;
}
