#!/bin/sh
# runtests.sh BUILD C_TEST... -- run every suite (C tests, the TAP shell
# tests spec/shell/*.sh, busted specs), print each suite's result and one
# closing line "N passed, N failed".  The specs load $build/luaml.so.
# Optional wrappers (make sanitize and make valgrind set them): TEST_WRAP
# prefixes each C test, BUSTED_WRAP prefixes the busted command, BUSTED
# replaces it; SKIP_SUITES names shell tests to leave out.
#
# On a machine of two cores or more (and with no wrapper), the longest
# suites -- the course's networks (spec 34) and the notebook kernel -- run
# in a second lane beside the others, with one BLAS thread and one luaml
# thread (their numbers do not depend on the threads); TEST_LANES=1 runs
# everything in one lane.
build=$1; shift
passed=0; failed=0; log=$build/test.log
export LUAML_BUILD="$build"  # specs that start the host find it here
# the tests neither read nor write the user's cache of kernel choices
# (src/core_simd.c): each process measures its own
export LUAML_KERNEL_CACHE=off
: > "$log"
now() { date +%s%N; }
# busted starts with "#!/usr/bin/env lua", and `lua` may be another version
# (installing luarocks switches it to lua5.1): run it with lua5.4 explicitly
run_busted() {
  $BUSTED_WRAP ${BUSTED:-lua5.4 $(command -v busted)} -o TAP --cpath="./$build/?.so" "$@"
}
# run NAME COMMAND...: its output to BUILD/tests/NAME.out, its status and
# start and end times to NAME.out.rc
run() {
  name=$1; shift
  t0=$(now); "$@" > "$build/tests/$name.out" 2>&1
  echo "$? $t0 $(now)" > "$build/tests/$name.out.rc"
}
# report NAME [busted]: count a suite's TAP lines, show its failures
report() {
  out=$build/tests/$1.out
  read -r rc t0 t1 < "$out.rc"
  cat "$out" >> "$log"
  p=$(grep -c '^ok ' "$out"); f=$(grep -c '^not ok ' "$out")
  passed=$((passed + p)); failed=$((failed + f))
  grep '^not ok ' "$out" | sed 's/^/  /'
  [ "$2" = busted ] && grep -A3 '^not ok ' "$out" | grep -v '^not ok' |
    grep -v '^--' | head -40 | sed 's/^/    /'
  t=$(( (t1 - t0) / 100000000 ))
  echo "$1: $p passed, $f failed ($((t / 10)).$((t % 10)) s)"
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "  $1 exited with status $rc"; tail -15 "$out"; failed=$((failed + 1))
  fi
}
shells=""
for t in spec/shell/*.sh; do
  n=$(basename "$t" .sh)
  case " $SKIP_SUITES " in *" $n "*) continue ;; esac
  [ -f "$t" ] && shells="$shells $n"
done
lanes=${TEST_LANES:-$(nproc 2>/dev/null || echo 1)}
[ -n "$TEST_WRAP$BUSTED_WRAP$BUSTED" ] && lanes=1
heavy=""; heavy_sh=""
if [ "$lanes" -ge 2 ]; then
  heavy="34_course"
  case " $shells " in *" kernel "*) heavy_sh=kernel ;; esac
  (
    export OPENBLAS_NUM_THREADS=1 LUAML_THREADS=1
    run "busted-$heavy" run_busted --pattern="$heavy"
    [ -n "$heavy_sh" ] && run "$heavy_sh" sh "spec/shell/$heavy_sh.sh" "$build"
  ) &
  lane=$!
fi
for t in "$@"; do
  n=$(basename "$t"); run "$n" $TEST_WRAP "$t"; report "$n"
done
for n in $shells; do
  [ "$n" = "$heavy_sh" ] && continue
  run "$n" sh "spec/shell/$n.sh" "$build"; report "$n"
done
if [ -n "$heavy" ]; then
  run busted run_busted --exclude-pattern="$heavy"; report busted busted
  wait "$lane"
  report "busted-$heavy" busted
  [ -n "$heavy_sh" ] && report "$heavy_sh"
else
  run busted run_busted; report busted busted
fi
echo "(full output: $log)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
