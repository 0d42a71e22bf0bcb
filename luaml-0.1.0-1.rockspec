-- luarocks --lua-version=5.4 make: builds the luaml module for stock Lua
-- 5.4 with the repository's Makefile (the Lua part of the library is
-- compiled into the module).
-- System libraries needed: OpenBLAS, LAPACKE, HDF5, zlib (Debian:
-- libopenblas-dev liblapacke-dev libhdf5-dev zlib1g-dev; `make deps`).
rockspec_format = "3.0"
package = "luaml"
version = "0.1.0-1"
source = {
  -- luarocks make builds the working copy; set the published repository
  -- here before `luarocks pack` or `upload`
  url = "git+https://example.invalid/luaml.git",
  tag = "v0.1.0",
}
description = {
  summary = "Lua 5.4 with a fast matrix type and machine-learning builtins",
  detailed = [[
Matrices with numpy's broadcasting over strided views, OpenBLAS products,
LAPACK linear algebra, and the building blocks of introductory machine
learning (sigmoid, softmax, cross-entropy, optimisers, models, data files).
`local ml = require "luaml"`.]],
}
dependencies = {
  "lua >= 5.4, < 5.5",
}
build = {
  type = "make",
  build_target = "module",
  build_variables = {
    CFLAGS = "$(CFLAGS)",
    LUA_CFLAGS = "-I$(LUA_INCDIR)",
    LUA = "$(LUA)",  -- compiles the embedded Lua library to its bytecode
  },
  install_target = "install-module",
  install_variables = {
    INST_LIBDIR = "$(LIBDIR)",
  },
}
