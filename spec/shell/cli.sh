#!/bin/sh
# cli.sh BUILD -- luaml's command line as lua.c's: LUA_INIT, -E, -W, -l,
# standard input as one chunk, -i on a pipe (=expr, _PROMPT, print), the
# options' errors; the prompt's %who, %timeit, help's suggestions and its
# wrapping; every example's --help.  Real exit codes, stdout and stderr
# text.  TAP.
build=${1:-build}
luaml=$build/luaml
[ -x "$luaml" ] || { echo "1..0 # skip: $luaml not built"; exit 0; }
luaml=$(cd "$(dirname "$luaml")" && pwd)/luaml
repo=$(pwd)
tmp=$(mktemp -d /tmp/luaml-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0
# run CMD...: run it with stdin from $tmp/in; sets $rc, $out, $err
run() {
  "$@" < "$tmp/in" > "$tmp/out" 2> "$tmp/err"; rc=$?
  out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
}
# check DESCRIPTION TEST...: one TAP line; on failure show what ran
check() {
  d=$1; shift; n=$((n + 1))
  if "$@"; then echo "ok $n - $d"; else
    echo "not ok $n - $d"
    printf '# rc=%s\n# stdout: %s\n# stderr: %s\n' "$rc" "$out" "$err" | head -20
  fi
}
has() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }
is() { [ "$1" = "$2" ]; }
fails_with() { [ "$rc" = 1 ] && has "$err" "$1"; }  # status 1, stderr says $1
input() { printf "$@" > "$tmp/in"; }

# ---- standard input ------------------------------------------------------
input 'local x = 41\nprint(x + 1)\nerror("stop here")\nprint("not reached")\n'
run env -u LUA_INIT "$luaml"
check "stdin (not a terminal) runs as one chunk: locals kept" has "$out" "42"
check "... the first error stops it: exit status 1" is "$rc" 1
check "... with lua's message on stderr" has "$err" "stdin:3: stop here"
check "... and nothing after it runs, no prompt shown" is "$out" "42"
input 'print(...)\n'
run "$luaml" - a b
check "'-' runs stdin with the arguments" is "$out" "a	b"
input 'print(ml ~= nil, string.format("%%d", 7))\n'
run "$luaml" -l string
check "-l mod alone still runs stdin" is "$out" "true	7"
input 'print(S.upper("x"))\n'
run "$luaml" -l S=string
check "-l g=mod: the module in global g, then stdin" is "$out" "X"
input 'print("stdin ran")\n'
run "$luaml" -e 'print(1)'
check "-e: stdin is not run" is "$out" "1"

# ---- LUA_INIT ------------------------------------------------------------
input ''
run env LUA_INIT='X = 3' "$luaml" -e 'print(X)'
check "LUA_INIT runs before -e" is "$out" "3"
run env LUA_INIT_5_4='X = 10' LUA_INIT='X = 3' "$luaml" -e 'print(X)'
check "LUA_INIT_5_4 wins over LUA_INIT" is "$out" "10"
printf 'Y = (Y or 0) + 5\n' > "$tmp/init.lua"
run env LUA_INIT="@$tmp/init.lua" "$luaml" -e 'print(Y)'
check "LUA_INIT=@file runs the file" is "$out" "5"
printf 'print(X)\n' > "$tmp/x.lua"
run env LUA_INIT='X = tonumber(arg[1])' "$luaml" "$tmp/x.lua" 2.5
check "LUA_INIT sees the arg table" is "$out" "2.5"
run env LUA_INIT="error('msg')" "$luaml" -e 'print("ran")'
check "an error in LUA_INIT: status 1, nothing else runs" \
  eval '[ "$rc" = 1 ] && [ -z "$out" ]'
check "... reported as lua.c does (LUA_INIT:1: msg)" has "$err" "LUA_INIT:1: msg"
run env LUA_INIT="@$tmp/missing.lua" "$luaml" -e ''
check "LUA_INIT=@missing file: status 1, the file named" \
  fails_with "cannot open $tmp/missing.lua"
run env LUA_INIT="error('x')" LUA_INIT_5_4="error('y')" "$luaml" -E -e 'print("ran")'
check "-E ignores LUA_INIT and LUA_INIT_5_4" is "$out" "ran"

# ---- -E, -W --------------------------------------------------------------
run env -i "$luaml" -e 'print(package.path) print(package.cpath)'
default=$out
run env LUA_PATH=xxx LUA_CPATH=yyy "$luaml" -e 'print(package.path) print(package.cpath)'
check "LUA_PATH and LUA_CPATH set package.path and cpath" is "$out" "xxx
yyy"
run env LUA_PATH=xxx LUA_CPATH=yyy LUA_PATH_5_4=zzz "$luaml" -E -e 'print(package.path) print(package.cpath)'
check "-E: Lua's default paths, as with an empty environment" \
  eval '[ "$out" = "$default" ] && ! has "$out" xxx && has "$out" "/lua/5.4/"'
run "$luaml" -e 'warn("hidden")' -W -e 'warn("shown") warn("@off") warn("not shown")'
check "-W turns warnings on where it stands" is "$err" "Lua warning: shown"
run "$luaml" -e 'warn("@on") warn("a", "b")'
check "warn works without -W once @on" is "$err" "Lua warning: ab"

# ---- the prompt on a pipe: -i ----------------------------------------------
input 'x = 6\n=x * 7\nlocal y = 1\n'
run "$luaml" -i
check "-i on a pipe: prompts, each line echoed, =expr prints" \
  is "$out" "> x = 6
> =x * 7
42
> local y = 1
> "
check "... end of input: status 0" is "$rc" 0
input 'a =\n10\na\n'
run "$luaml" -e "_PROMPT='P1 ' _PROMPT2='P2 '" -i
check "_PROMPT and _PROMPT2 set the prompts" is "$out" "P1 a =
P2 10
P1 a
10
P1 "
input '1\n2\n'
run "$luaml" -e "local c = 0 _PROMPT = setmetatable({}, {__tostring = function() c = c + 1 return '[' .. c .. ']' end})" -i
check "a _PROMPT that is not a string goes through tostring" has "$out" "[1]1
1
[2]2
2
[3]"
input '1 + 1\n'
run "$luaml" -e "_PROMPT = setmetatable({}, {__tostring = function() error('no') end})" -i
check "a _PROMPT whose tostring fails: the default prompt" has "$out" "> 1 + 1
2"
input '10\n'
run "$luaml" -e 'print = nil' -i
check "print = nil: the value cannot be shown, said as lua.c says it" \
  has "$err" "error calling 'print'"
input '"x", 2\n'
run "$luaml" -e 'function print(...) io.write("<", table.concat({...}, ","), ">\\n") end' -i
check "the prompt shows values through the global print" has "$out" "<x	2>"
input '%%who\nX = ml.zeros(3, 2)\nn = 4\ns = "hi"\n%%who\n'
run "$luaml" -i
check "%%who: nothing before the first global" has "$out" "no globals of yours yet"
check "%%who: the user's globals with type and shape" has "$out" "X  matrix 3x2
n  integer 4
s  string \"hi\""
input '%%timeit -n 20 -r 3 ml.ones(8, 8):sum()\n%%timeit\n'
run "$luaml" -i
check "%%timeit -n 20 -r 3: best and median per call" \
  grep -Eq '^[0-9.]+ [nu]s best, [0-9.]+ [nu]s median per call \(3 runs, 20 calls each\)$' "$tmp/out"
check "%%timeit without code says how to use it" has "$err" "%timeit: give code"
input '?ml.sofmax\nhelp(ml.sofmax)\n?ml.softmax\n'
run "$luaml" -i
check "?ml.sofmax suggests the nearest name" has "$out" "no help for 'ml.sofmax'; did you mean ml.softmax?"
check "help(ml.sofmax) (a nil) suggests it too" \
  [ "$(printf '%s\n' "$out" | grep -c 'did you mean ml.softmax?')" = 2 ]
check "a correct name still shows its doc" has "$out" "ml.softmax(m [, axis=2"

# ---- help wraps to the width ------------------------------------------------
input ''
longest() { printf '%s\n' "$1" | awk '{ if (length($0) > m) m = length($0) } END { print m }'; }
run env -u COLUMNS "$luaml" -e 'ml.help()'
check "help() on a pipe: lines of at most 80 columns" [ "$(longest "$out")" -le 80 ]
check "... broken between words (the overview's lists end in a name)" \
  has "$out" "Utilities:"
run env COLUMNS=50 "$luaml" -e 'ml.help()'
check "COLUMNS=50: at most 50 columns" [ "$(longest "$out")" -le 50 ]
words=$(env COLUMNS=1000 "$luaml" -e 'ml.help()' | tr -s ' \n' '\n\n' | sort | tr -d '\n')
check "... the same words as unwrapped (no word broken)" \
  [ "$(printf '%s\n' "$out" | tr -s ' \n' '\n\n' | sort | tr -d '\n')" = "$words" ]

# ---- options -------------------------------------------------------------
input ''
run "$luaml" -v
check "-v: luaml's version and Lua's copyright line" \
  has "$out" "Lua 5.4.4  Copyright (C) 1994-2022 Lua.org, PUC-Rio"
run "$luaml" -h
check "-h (and --help) still print the usage, status 0" \
  eval '[ "$rc" = 0 ] && has "$out" "-E        ignore the environment"'
for bad in -x -Ex -Wx -vv -iv ---; do
  run "$luaml" $bad
  check "$bad: unrecognized option, status 1" \
    fails_with "unrecognized option '$bad'"
done
run "$luaml" -e
check "-e without code: '-e' needs argument" \
  fails_with "'-e' needs argument"
run "$luaml" -l
check "-l without module: '-l' needs argument" \
  fails_with "'-l' needs argument"

# ---- examples answer --help ----------------------------------------------
for f in "$repo"/examples/[0-9]*.lua; do
  run "$luaml" "$f" --help
  check "examples/$(basename "$f") --help: usage, status 0, no work done" \
    eval '[ "$rc" = 0 ] && has "$out" "usage:" && ! has "$out" "===="'
done

# ---- the README's model example, from another folder, output to a file ----
awk '/^## Models, in the course/ { f = 1 } f && /^```lua/ { g = 1; next }
     g && /^```/ { exit } g' README.md > "$tmp/readme.lua"
input ''
run sh -c "cd '$tmp' && LUAML_DATA='$repo/examples/data' '$luaml' readme.lua"
check "README's model example runs from another folder" \
  eval '[ "$rc" = 0 ] && [ -s "$tmp/cost.svg" ]'
check "... and prints the course's lines on a pipe" \
  eval 'has "$out" "Cost after iteration 0: 2.302585" && has "$out" "Cost after iteration 90: "'
check "... with the accuracy it promises" grep -Eq '^0\.8[89][0-9]*$' "$tmp/out"

# ---- Ctrl-C during model:train ---------------------------------------------
cat > "$tmp/train.lua" <<'LUA'
local X, y = ml.datasets.xor(64)
local m = ml.LogisticRegression{lr = 0.1, epochs = 1000000, progress = true}
local ok, err = pcall(m.train, m, X, y)
print("error: " .. tostring(err))
local n = m.cost_history.cols
print("costs kept: " .. tostring(n > 0 and n < 1000000 and m.cost_history:get(1, n) > 0))
print("usable: " .. m:predict(X).rows .. " " .. tostring(m:score(X, y) >= 0))
LUA
"$luaml" "$tmp/train.lua" > "$tmp/out" 2> "$tmp/err" &
pid=$!
i=0
# Ctrl-C once the bar is drawn (an epoch has finished)
while [ $i -lt 400 ] && ! grep -q "LogisticRegression \[" "$tmp/out"; do
  sleep 0.05; i=$((i + 1))
done
kill -INT $pid
wait $pid; rc=$?
out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
check "Ctrl-C in train: the bar's line ends before the error" \
  grep -Eq '^error: .*interrupted!$' "$tmp/out"
check "... the bar was drawn first" has "$out" "LogisticRegression ["
check "... cost_history keeps the epochs done" has "$out" "costs kept: true"
check "... the model is usable" has "$out" "usable: 64 true"

echo "1..$n"
