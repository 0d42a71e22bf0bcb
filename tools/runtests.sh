#!/bin/sh
# runtests.sh BUILD C_TEST... -- run every suite (C tests, the TAP shell
# tests spec/shell/*.sh, busted specs), print each suite's result and one
# closing line "N passed, N failed".  The specs load $build/luaml.so.
# Optional wrappers (make sanitize and make valgrind set them): TEST_WRAP
# prefixes each C test, BUSTED_WRAP prefixes the busted command, BUSTED
# replaces it; SKIP_SUITES names shell tests to leave out.
build=$1; shift
passed=0; failed=0; log=$build/test.log
export LUAML_BUILD="$build"  # specs that start the host find it here
# the tests neither read nor write the user's cache of kernel choices
# (src/core_simd.c): each process measures its own
export LUAML_KERNEL_CACHE=off
: > "$log"
count() {  # count TAP lines of the output file $1
  p=$(grep -c '^ok ' "$1"); f=$(grep -c '^not ok ' "$1")
  passed=$((passed + p)); failed=$((failed + f))
  grep '^not ok ' "$1" | sed 's/^/  /'
  echo "$2: $p passed, $f failed"
}
suite() {  # run a TAP-producing program: suite NAME COMMAND...
  name=$1; shift
  out=$build/tests/$name.out
  "$@" > "$out" 2>&1; rc=$?
  cat "$out" >> "$log"
  count "$out" "$name"
  if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out"; then
    echo "  $name exited with status $rc"; tail -5 "$out"; failed=$((failed + 1))
  fi
}
for t in "$@"; do
  suite "$(basename "$t")" $TEST_WRAP "$t"
done
for t in spec/shell/*.sh; do  # shell tests: sh spec/shell/x.sh BUILD
  case " $SKIP_SUITES " in *" $(basename "$t" .sh) "*) continue ;; esac
  [ -f "$t" ] && suite "$(basename "$t" .sh)" sh "$t" "$build"
done
out=$build/tests/busted.out
# busted starts with "#!/usr/bin/env lua", and `lua` may be another version
# (installing luarocks switches it to lua5.1): run it with lua5.4 explicitly
$BUSTED_WRAP ${BUSTED:-lua5.4 $(command -v busted)} -o TAP --cpath="./$build/?.so" > "$out" 2>&1; rc=$?
cat "$out" >> "$log"
count "$out" "busted specs"
grep -A3 '^not ok ' "$out" | grep -v '^not ok' | grep -v '^--' | head -40 | sed 's/^/    /'
if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out"; then
  echo "  busted exited with status $rc:"; tail -15 "$out"; failed=$((failed + 1))
fi
echo "(full output: $log)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
