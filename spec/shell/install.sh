#!/bin/sh
# install.sh BUILD -- `make install` into a temporary DESTDIR (with the
# default PREFIX, /usr/local, which the build compiled in), then use the installed copy the three ways users do: a C
# program built with nothing but `pkg-config --cflags --libs luaml`
# (spec/embed/test_embed.c, shared and static), `require "luaml"` from
# stock lua5.4, the installed luaml; build and run the example host
# (examples/embed) against it; `make uninstall` removes everything.  TAP.
build=${1:-build}
case "${LD_PRELOAD:-}" in
  *asan*)  # make sanitize: every tool it runs (make, mktemp, cc) would be
           # leak-checked by the preloaded ASan; make test covers install
    echo "1..0 # skip: not under the sanitizer build"; exit 0 ;;
esac
n=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
prefix=/usr/local
root=$dest$prefix
log=$tmp/log

ok() {  # ok STATUS DESCRIPTION
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
  return "$1"
}

# the TAP lines of a test program's output, renumbered into ours
subtap() {  # subtap FILE PREFIX
  while IFS= read -r line; do
    case $line in
      "ok "*) n=$((n + 1)); echo "ok $n - $2${line#ok * - }" ;;
      "not ok "*) n=$((n + 1)); echo "not ok $n - $2${line#not ok * - }" ;;
      "1.."*) ;;
      *) echo "$line" ;;
    esac
  done < "$1"
}

MAKEFLAGS= make -s install DESTDIR="$dest" PREFIX=$prefix BUILD="$build" > "$log" 2>&1
ok $? "make install DESTDIR=... PREFIX=$prefix" || cat "$log"
for f in bin/luaml lib/libluaml.a lib/libluaml.so.0.1.0 lib/lua/5.4/luaml.so \
         include/luaml.h lib/pkgconfig/luaml.pc share/man/man1/luaml.1 \
         share/luaml/data/mnist; do
  [ -e "$root/$f" ]
  ok $? "installs $f"
done
[ "$(readlink "$root/lib/libluaml.so")" = libluaml.so.0 ] &&
  [ "$(readlink "$root/lib/libluaml.so.0")" = libluaml.so.0.1.0 ]
ok $? "links libluaml.so -> libluaml.so.0 -> libluaml.so.0.1.0"
readelf -d "$root/lib/libluaml.so.0.1.0" | grep -q 'SONAME.*\[libluaml\.so\.0\]'
ok $? "the shared library's soname is libluaml.so.0"

export PKG_CONFIG_PATH="$root/lib/pkgconfig"
cflags=$(pkg-config --define-prefix --cflags luaml)
libs=$(pkg-config --define-prefix --libs luaml)
case "$cflags $libs" in
  *"-I$root/include"*"-L$root/lib -lluaml"*) ok 0 "pkg-config luaml points into the installed copy" ;;
  *) ok 1 "pkg-config luaml points into the installed copy: $cflags $libs" ;;
esac

# shellcheck disable=SC2086
cc -std=c99 -Wall -Wextra -Werror spec/embed/test_embed.c $cflags $libs \
   -o "$tmp/test_embed" > "$log" 2>&1
ok $? "a C program builds with only pkg-config --cflags --libs luaml" || cat "$log"
LD_LIBRARY_PATH="$root/lib" ldd "$tmp/test_embed" | grep -q "libluaml.so.0 => $root/lib/"
ok $? "... and links the installed libluaml.so.0"
LD_LIBRARY_PATH="$root/lib" "$tmp/test_embed" > "$tmp/embed.out" 2>&1
ok $? "... and runs (shared library)"
subtap "$tmp/embed.out" "embed: "

# shellcheck disable=SC2086
cc -std=c99 spec/embed/test_embed.c $cflags "$root/lib/libluaml.a" \
   $(pkg-config --define-prefix --static --libs luaml | sed 's/-lluaml//') \
   -o "$tmp/test_static" > "$log" 2>&1 && "$tmp/test_static" > "$tmp/static.out" 2>&1
ok $? "the same program linked with libluaml.a (pkg-config --static) runs" || cat "$log"
[ "$(grep -c '^ok ' "$tmp/static.out")" -eq "$(grep -c '^ok ' "$tmp/embed.out")" ] &&
  ! grep -q '^not ok' "$tmp/static.out"
ok $? "... and passes the same $(grep -c '^ok ' "$tmp/embed.out") checks"

out=$(LUA_CPATH="$root/lib/lua/5.4/?.so" lua5.4 -e '
  local ml = require "luaml"
  print(ml.version, ml.ones(2, 2):sum(), ml.matrix{{1, 2}, {3, 4}}:dot(ml.eye(2)):get(2, 1))' 2>&1)
[ "$out" = "0.1.0	4.0	3.0" ]
ok $? "require \"luaml\" from stock lua5.4 with the installed module ($out)"

out=$("$root/bin/luaml" -e 'print(ml.eye(2):sum())' 2>&1)
[ "$out" = "2.0" ]
ok $? "the installed luaml runs -e ($out)"
out=$(printf 'y = 2\ny + 40\n' | "$root/bin/luaml" -e "_PROMPT=''" -i 2>&1)
[ "$out" = "42" ]
ok $? "the installed luaml's prompt through a pipe ($out)"
out=$("$root/bin/luaml" -e 'print(ml.datadir)' 2>&1)
[ "$out" = "$prefix/share/luaml/data" ]
ok $? "ml.datadir is the installed data folder ($out)"
out=$(cd / && LUAML_DATA="$root/share/luaml/data" "$root/bin/luaml" -e '
  local X = ml.datasets.iris() local Xtr = ml.datasets.mnist() print(X.rows, Xtr.rows)' 2>&1)
[ "$out" = "150	8000" ]
ok $? "the installed data sets load (iris, mnist: $out)"

if command -v groff > /dev/null; then
  out=$(groff -man -ww -z "$root/share/man/man1/luaml.1" 2>&1)
  [ -z "$out" ]
  ok $? "the man page formats without warnings"
fi

# shellcheck disable=SC2086
cc -std=c99 -Wall -Wextra -Werror examples/embed/sensors.c $cflags $libs \
   -o "$tmp/sensors" > "$log" 2>&1
ok $? "examples/embed/sensors.c builds against the installed copy" || cat "$log"
LD_LIBRARY_PATH="$root/lib" "$tmp/sensors" examples/embed/score.lua \
  examples/embed/readings.csv > "$tmp/sensors.out" 2>&1 &&
  diff "$tmp/sensors.out" spec/fixtures/embed/sensors.expected
ok $? "the example host prints numpy's scores (spec/fixtures/embed)"
LD_LIBRARY_PATH="$root/lib" "$tmp/sensors" examples/embed/score.lua \
  < examples/embed/readings.csv | diff - spec/fixtures/embed/sensors.expected
ok $? "... reading standard input too"
printf 'return function(X) return io.open("/etc/passwd") end\n' > "$tmp/evil.lua"
out=$(LD_LIBRARY_PATH="$root/lib" "$tmp/sensors" "$tmp/evil.lua" \
      examples/embed/readings.csv 2>&1)
case $out in
  *"global 'io'"*) ok 0 "... whose sandbox stops a script opening files" ;;
  *) ok 1 "... whose sandbox stops a script opening files: $out" ;;
esac

if command -v luarocks > /dev/null; then
  luarocks --lua-version=5.4 make --tree="$tmp/rocks" luaml-0.1.0-1.rockspec \
    > "$log" 2>&1 &&
    out=$(LUA_CPATH="$tmp/rocks/lib/lua/5.4/?.so" lua5.4 -e \
          'print(require("luaml").eye(3):sum())' 2>&1) && [ "$out" = "3.0" ]
  ok $? "luarocks make builds the module for stock lua5.4 (the rockspec)" || cat "$log"
else
  n=$((n + 1))
  echo "ok $n # skip luarocks is not installed (apt-get install luarocks)"
fi

MAKEFLAGS= make -s uninstall DESTDIR="$dest" PREFIX=$prefix BUILD="$build" > "$log" 2>&1
left=$(find "$dest" ! -type d)
[ -z "$left" ]
ok $? "make uninstall removes every installed file" || echo "# left: $left"
echo "1..$n"
