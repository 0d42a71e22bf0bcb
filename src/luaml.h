/*
** luaml.h -- embedding luaml in a C program.
** (See the full documentation further down; filled in by the embedding work.)
*/
#ifndef LUAML_H
#define LUAML_H

#include <stddef.h>

#include "lua.h"

#define LUAML_VERSION "0.1.0"

#ifndef LUAML_MATRIX_STRUCT
#define LUAML_MATRIX_STRUCT
/* A matrix as C sees it: element (i, j), 0-based, is data[i*rs + j*cs]. */
typedef struct luaml_matrix {
  double *data;      /* first element */
  int rows, cols;    /* shape */
  ptrdiff_t rs, cs;  /* row and column strides, in elements */
} luaml_matrix;
#endif

typedef struct luaml_options {
  int sandbox;              /* nonzero: no io, os.execute..., package loaders, debug, binary chunks */
  size_t memory_limit;      /* bytes, 0 = none */
  long instruction_limit;   /* VM instructions per protected call, 0 = none */
} luaml_options;

int luaopen_luaml(lua_State *L);
lua_State *luaml_newstate(const luaml_options *opts);
double *luaml_pushmatrix(lua_State *L, int rows, int cols);
luaml_matrix *luaml_checkmatrix(lua_State *L, int idx);
luaml_matrix *luaml_tomatrix(lua_State *L, int idx);

#endif
