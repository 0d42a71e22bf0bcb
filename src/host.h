/*
** host.h -- what the files of the luaml executable share (not part of the
** library): the completion candidates and session chunks of session.c, the
** Jupyter kernel of kernel.c.
*/
#ifndef LUAML_HOST_H
#define LUAML_HOST_H

#include <stddef.h>
#include "lua.h"

/* lua_CFunction: the completions of the word given as a light userdata (a
** C string such as "ml.sof" or "x:resh"), as an array of strings */
int luaml_completions(lua_State *L);

/* Push the notebook module (require "luaml.notebook"), or nil when the
** state has none; returns 1 for the module.  Stack: [-0, +1]. */
int luaml_pushnotebook(lua_State *L);

/* Compile s (l bytes, named name) as a chunk of the session: top-level
** locals persist from one chunk to the next (lua/notebook.lua).  Like
** luaL_loadbuffer: the function or the message on the stack, the status. */
int luaml_loadsession(lua_State *L, const char *s, size_t l, const char *name);

/* luaml --kernel FILE: serve the Jupyter kernel of the connection file until
** shut down.  Runs inside a protected call; returns 0 on success, else
** prints why and returns 1. */
int luaml_kernel(lua_State *L, const char *connection_file);

/* luaml --install-kernel [--user | --prefix P]: write the kernelspec.
** argv are the words after --install-kernel.  Returns 0 on success. */
int luaml_install_kernel(const char *self, char **argv);

#endif
