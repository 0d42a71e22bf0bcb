#!/bin/sh
# doctest.sh BUILD -- every example in the docs (lua/help.lua) prints,
# through the REPL, what its doc shows.  TAP, one line per doc.
build=${1:-build}
exec "$build/luaml" tools/doctest.lua
