#!/bin/sh
# run_examples.sh HOST [TIMEOUT] -- run every numbered examples/NN_*.lua
# (full size, not --fast) with the host executable HOST (make sanitize
# passes the instrumented one), each under a time limit of TIMEOUT seconds
# (default 900), from the repository root; plots go to HOST's folder.
# Prints one line per example and fails when any of them fails or when a
# sanitizer reports anything.
host=$1; limit=${2:-900}
# the user's cache of kernel choices is neither read nor written (each
# process measures its own: an instrumented host's timings are its own)
export LUAML_KERNEL_CACHE=off
dir=$(dirname "$host")/examples; mkdir -p "$dir"
n=0; bad=0
for f in examples/[0-9]*.lua; do
  [ -e "$f" ] || continue
  n=$((n + 1)); out=$dir/$(basename "$f" .lua).out
  start=$(date +%s)
  timeout "$limit" "$host" "$f" --out "$dir/out" > "$out" 2>&1 < /dev/null; rc=$?
  secs=$(( $(date +%s) - start ))
  if [ $rc -ne 0 ] || grep -qE 'Sanitizer|runtime error:' "$out"; then
    bad=$((bad + 1)); echo "not ok $f (status $rc, ${secs}s):"; tail -20 "$out" | sed 's/^/    /'
  else
    echo "ok $f (${secs}s)"
  fi
done
echo "examples: $n run, $bad failed"
[ "$bad" -eq 0 ]
