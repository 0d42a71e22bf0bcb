#!/bin/sh
# docsync.sh BUILD -- doc/reference.md is what tools/gendoc.lua makes from
# lua/help.lua (the one source of the docs).  TAP.
echo "1..1"
if lua5.4 tools/gendoc.lua | cmp -s - doc/reference.md; then
  echo "ok 1 - doc/reference.md is up to date with lua/help.lua"
else
  echo "not ok 1 - doc/reference.md is stale: run 'make doc'"
fi
