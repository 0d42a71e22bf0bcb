#!/bin/sh
# lua_testes.sh LUAML DIR -- run Lua's own test suite (DIR: the testes/
# folder of the Lua 5.4.4 source release) under LUAML, file by file, and
# under lua5.4 when it is installed, and print one line per file:
#   file.lua   luaml: ok   lua5.4: ok
# then all.lua (the whole suite in one state) under luaml.  A copy of DIR
# in a temporary folder is used (the tests write files next to
# themselves); its libs/ are built against Lua's headers for attrib.lua's
# C-library tests.  One check of main.lua is left out: `lua -h` must fail
# there, while -h is luaml's help.
# With LUA_TESTES_LIMITED set (make lua-testes sets it to build/tests/
# limited), pm.lua and strings.lua also run in a state with limits, whose
# string.find/match/gmatch/gsub are luaml's counted matcher (lpattern.c).
# Exit status 1 when a file fails under luaml that passes under lua5.4
# (or, without lua5.4, fails at all).  DIR missing: a message, status 0.
luaml=$1 dir=$2
TIMEOUT=${TIMEOUT:-600}
if [ ! -f "$dir/all.lua" ]; then
  echo "lua-testes: no Lua test suite in '$dir' (give LUA_TESTES=DIR, the testes/"
  echo "folder of Lua 5.4.4's source release, www.lua.org/tests); skipped"
  exit 0
fi
luaml=$(cd "$(dirname "$luaml")" && pwd)/$(basename "$luaml")
tmp=$(mktemp -d /tmp/luaml-testes-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp -R "$dir"/. "$tmp/luaml"
sed -i "s/^NoRun(\"unrecognized option '-h'\", \"lua -h\")/-- (left out: -h is luaml's help)/" \
  "$tmp/luaml/main.lua"
inc=$(pkg-config --cflags-only-I lua5.4 2>/dev/null | sed 's/^ *-I//; s/ .*//')
make -s -C "$tmp/luaml/libs" LUA_DIR="${inc:-/usr/include/lua5.4}" > "$tmp/libs.log" 2>&1 ||
  { echo "lua-testes: cannot build $dir/libs (attrib.lua will fail):"; cat "$tmp/libs.log"; }
ref=$(command -v lua5.4)
[ -n "$ref" ] && cp -R "$tmp/luaml" "$tmp/ref"
# main.lua's Ctrl-C check starts `interpreter -e ... & echo $!` and reads
# the pid, then the interpreter's "12"; on a busy machine the "12" often
# comes first, whatever the interpreter.  Each interpreter is run through
# a wrapper that starts it 50 ms late (with its own name as argv[0], as
# main.lua's messages expect), so the shell's echo comes first.
mkdir "$tmp/bin"
wrap() {
  printf '#!/bin/bash
sleep 0.05
exec -a "$0" %s "$@"
' "'$2'" > "$tmp/bin/$1"
  chmod +x "$tmp/bin/$1"
  echo "$tmp/bin/$1"
}
luaml=$(wrap luaml "$luaml")
[ -n "$ref" ] && ref=$(wrap lua5.4 "$ref")
# the files all.lua runs, in its order (big.lua runs only inside all.lua:
# it yields to it)
files=$(grep -o "\(dofile\|loadfile\)('[a-z0-9]*\.lua'" "$dir/all.lua" |
        sed "s/.*('//; s/'\$//" | sed '/^main.lua$/d; /^big.lua$/d')
bad=0
# runone LABEL FOLDER INTERPRETER FILE: the file's status, its log kept.
# It runs in a session of its own, ended afterwards (a failed main.lua
# can leave the interpreters it started in the background still running),
# with a pipe as standard input (files.lua checks that seeking it fails).
runone() {
  if (cd "$2" && : | setsid sh -c 'echo $$ > "$0"; exec timeout "$1" "$2" "$3"' \
        "$tmp/pgid" "$TIMEOUT" "$3" "$4" > "$tmp/$1-$4.log" 2>&1); then
    echo ok
  else
    echo FAILED
  fi
  kill -KILL -- -"$(cat "$tmp/pgid")" 2> /dev/null
}
# Should the race above still be lost, a failed main.lua (or all.lua,
# which runs it) gets a second run, and says so.
retry() {
  r=$(runone "$@")
  if [ "$r" = FAILED ] && { [ "$4" = main.lua ] || [ "$4" = all.lua ]; }; then
    r=$(runone "$@")
    [ "$r" = ok ] && r="ok(2nd)"
  fi
  echo "$r"
}
for f in main.lua $files; do
  a=$(retry luaml "$tmp/luaml" "$luaml" "$f")
  line=$(printf '%-15s luaml: %-7s' "$f" "$a")
  if [ -n "$ref" ]; then
    b=$(retry ref "$tmp/ref" "$ref" "$f")
    line="$line lua5.4: $b"
    [ "$a" = FAILED ] && [ "$b" != FAILED ] && bad=1
  elif [ "$a" = FAILED ]; then
    bad=1
  fi
  echo "$line"
  [ "$a" = FAILED ] && tail -5 "$tmp/luaml-$f.log" | sed 's/^/    /'
done
if [ -n "$LUA_TESTES_LIMITED" ]; then
  lim=$(cd "$(dirname "$LUA_TESTES_LIMITED")" && pwd)/$(basename "$LUA_TESTES_LIMITED")
  for f in pm.lua strings.lua; do
    a=$(runone limited "$tmp/luaml" "$lim" "$f")
    printf '%-15s luaml with limits (its own pattern matcher): %s\n' "$f" "$a"
    [ "$a" = FAILED ] && { tail -5 "$tmp/limited-$f.log" | sed 's/^/    /'; bad=1; }
  done
fi
a=$(retry luaml "$tmp/luaml" "$luaml" all.lua)
echo "all.lua         luaml: $a"
[ "$a" = FAILED ] && { tail -5 "$tmp/luaml-all.lua.log" | sed 's/^/    /'; bad=1; }
exit $bad
