#!/bin/sh
# mpi.sh BUILD -- ml.mpi under Open MPI's mpirun on this machine: the
# collectives' values at 1 and 4 ranks (spec/mpi/collectives.lua),
# the weights of every model trained with distributed = true at 1, 2 and
# 4 ranks against one process (spec/mpi/train.lua, within 1e-12
# relative), an error on one rank ending every rank with its message and
# a non-zero status within seconds (spec/mpi/fail.lua), example 15 under
# mpirun -np 2 printing one process's result once, and libmpi loaded
# only under the launcher.  TAP.  Skipped only when mpirun is absent
# (make deps installs openmpi-bin).
build=${1:-build}
luaml=$build/luaml
if ! command -v mpirun > /dev/null 2>&1; then
  echo "1..0 # skip: mpirun not found (Open MPI: apt-get install openmpi-bin libopenmpi-dev)"
  exit 0
fi
# Open MPI refuses root unless told; one node, shared memory only (no
# network transports to probe), no single-copy (CMA needs ptrace rights
# that containers often lack), more ranks than cores
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPIRUN="mpirun --oversubscribe --mca btl self,vader --mca btl_vader_single_copy_mechanism none"
lua_preload=
case "${LD_PRELOAD:-}" in
  *asan*)  # make sanitize: mpirun runs without the preloaded ASan runtime;
           # the ranks (the instrumented host) keep ASan's and UBSan's checks
           # but not the leak report: Open MPI's plugins, unloaded by
           # MPI_Finalize, leave blocks LeakSanitizer cannot attribute
           # (everything of ml.mpi is allocated by Lua, and the runs without
           # mpirun keep the leak check)
    lua_preload="-x LD_PRELOAD=$LD_PRELOAD"
    MPIRUN="env -u LD_PRELOAD $MPIRUN -x UBSAN_OPTIONS \
      -x ASAN_OPTIONS=detect_leaks=0:detect_stack_use_after_return=0" ;;
esac
LIMIT=60  # seconds any one run may take (a hang fails, it does not block)
n=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

ok() {  # ok STATUS DESCRIPTION
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
show() { sed 's/^/# /' "$1" | head -20; }  # a failed run's output, as comments

# --- the collectives' values: TAP lines printed by rank 0 -----------------
for p in 1 4; do
  timeout $LIMIT $MPIRUN -np $p "$luaml" spec/mpi/collectives.lua $p "$tmp" \
    > "$tmp/coll" 2>&1
  rc=$?
  while IFS= read -r line; do
    case $line in
      "ok "*) n=$((n + 1)); echo "ok $n - ${line#ok * - }" ;;
      "not ok "*) n=$((n + 1)); echo "not ok $n - ${line#not ok * - }" ;;
    esac
  done < "$tmp/coll"
  grep -q '^ok ' "$tmp/coll" && ! grep -q '^not ok ' "$tmp/coll"
  [ $rc -eq 0 ] && [ $? -eq 0 ]; ok $? "collectives at $p ranks: the run ends cleanly"
  [ $rc -eq 0 ] || show "$tmp/coll"
  rm -f "$tmp/barrier"
done

# --- distributed training: N ranks reach one process's weights -------------
"$luaml" -e 'assert(ml.mpi == nil, "ml.mpi without a launcher")' 2> "$tmp/err" \
  && "$luaml" spec/mpi/train.lua > "$tmp/w0" 2>> "$tmp/err"
ok $? "one process (no launcher: ml.mpi is nil) trains every model"
for p in 1 2 4; do
  timeout $LIMIT $MPIRUN -np $p "$luaml" spec/mpi/train.lua > "$tmp/w$p" 2> "$tmp/err"
  rc=$?
  ok $rc "training at $p ranks ends cleanly"
  [ $rc -eq 0 ] || show "$tmp/err"
  # per model: max |w - w1| / max |w1| over its weights, biases and cost
  awk 'NR == FNR { ref[$1 " " $2] = $3; a = $3 < 0 ? -$3 : $3
                   if (a > scale[$1]) scale[$1] = a; next }
       { d = $3 - ref[$1 " " $2]; if (d < 0) d = -d; if (d > diff[$1]) diff[$1] = d
         seen[$1] = 1 }
       END { bad = 0
             for (c in scale) { if (!(c in seen) || diff[c] > 1e-12 * scale[c]) {
                 printf "# %s: relative difference %g\n", c, (c in seen) ? diff[c] / scale[c] : 1; bad = 1 } }
             exit bad }' "$tmp/w0" "$tmp/w$p" > "$tmp/cmp"
  rcmp=$?
  [ $rcmp -eq 0 ] && [ "$(wc -l < "$tmp/w$p")" -eq "$(wc -l < "$tmp/w0")" ] \
    && [ "$(wc -l < "$tmp/w0")" -gt 60 ]
  rc=$?
  ok $rc "$p ranks: the weights of the 6 models (full batch and mini-batches) equal one process's within 1e-12"
  cat "$tmp/cmp"
  if [ $rc -ne 0 ]; then  # what differs besides the numbers
    echo "# lines: $(wc -l < "$tmp/w$p") at $p ranks, $(wc -l < "$tmp/w0") in one process"
    diff "$tmp/w0" "$tmp/w$p" | grep -v '^[<>] [a-z_0-9]* [a-z_0-9]* -\{0,1\}[0-9]' | head -8 | sed 's/^/# /'
    show "$tmp/err"
  fi
done

# --- verbose output and the progress bar: rank 0 only ------------------------
timeout $LIMIT $MPIRUN -np 2 "$luaml" -e '
  local X, y = ml.mpi.shard(ml.matrix{{0}, {1}, {2}, {3}}, ml.matrix{{0}, {0}, {1}, {1}})
  ml.LogisticRegression{epochs = 3, verbose = true, print_every = 1, progress = true,
                        distributed = true}:train(X, y)' > "$tmp/verbose" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(grep -c 'Cost after iteration' "$tmp/verbose")" -eq 3 ] \
  && [ "$(grep -o 'epoch 3/3' "$tmp/verbose" | wc -l)" -eq 1 ]
r=$?
ok $r "2 ranks, verbose and progress = true: 3 cost lines and one bar, from rank 0"
[ $r -eq 0 ] || show "$tmp/verbose"

# --- the example: two ranks print one process's result --------------------
ex="examples/24_mpi_softmax.lua --fast --out $tmp/out 8"  # 8 epochs
LUAML_FAST=1 "$luaml" $ex > "$tmp/ex1" 2>&1
timeout $LIMIT $MPIRUN -np 2 "$luaml" $ex > "$tmp/ex2" 2>&1
rc=$?
# "sum of |weights|: S, final cost: C", alone and at two ranks: within 1e-10
awk '/^sum of \|weights\|/ { gsub(",", ""); v[++k] = $4; c[k] = $7 }
     END { d = v[1] - v[2]; e = c[1] - c[2]; if (d < 0) d = -d; if (e < 0) e = -e
           exit !(k == 2 && v[1] > 0 && d <= 1e-10 * v[1] && e <= 1e-10 * c[1]) }' \
  "$tmp/ex1" "$tmp/ex2"
r=$?
[ $rc -eq 0 ] && [ $r -eq 0 ] && grep -q "2 ranks; training digits per rank: 4000, 4000 (of 8000)" "$tmp/ex2" \
  && [ "$(grep -c 'Cost after iteration 0:' "$tmp/ex2")" -eq 1 ]
r=$?
ok $r "example 15 under mpirun -np 2: one process's weights and cost, printed once"
[ $r -eq 0 ] || { show "$tmp/ex1"; show "$tmp/ex2"; }

# --- an error on one rank ends every rank -----------------------------------
for how in error misuse exit; do
  t0=$(date +%s)
  timeout $LIMIT $MPIRUN -np 4 "$luaml" spec/mpi/fail.lua $how > "$tmp/fail" 2>&1
  rc=$?
  dt=$(( $(date +%s) - t0 ))
  case $how in
    error) msg="rank 3 failed on purpose"; want=1 ;;
    misuse) msg="bad argument #2 to 'allreduce' (the operation must be \"sum\", \"max\" or \"min\", got \"average\")"; want=1 ;;
    exit) msg="rank 3 exits with status 3"; want=3 ;;
  esac
  grep -qF "$msg" "$tmp/fail" && [ $rc -eq $want ] && [ $dt -le 30 ] \
    && ! grep -q "went on" "$tmp/fail"
  r=$?
  ok $r "$how on rank 3 of 4: every rank ends (status $rc, want $want) in ${dt} s, with the message"
  [ $r -eq 0 ] && continue; show "$tmp/fail"
done

# --- libmpi is not loaded without a launcher (collectives.lua checks that it
# is under one); stock lua5.4 gets ml.mpi too -------------------------------
maps='for l in io.lines("/proc/self/maps") do if l:find("libmpi", 1, true) then print("libmpi") return end end print("none")'
out=$("$luaml" -e "$maps")
[ "$out" = none ]; ok $? "without a launcher libmpi is not loaded (got: $out)"
out=$(timeout $LIMIT $MPIRUN $lua_preload -np 2 lua5.4 -e "package.cpath = '$build/?.so;' .. package.cpath
  local ml = require 'luaml'
  local s = ml.mpi.allreduce(ml.mpi.rank() + 1)
  if ml.mpi.rank() == 0 then print(s, ml.mpi.size()) end" 2>&1)
[ "$out" = "3.0	2" ]; ok $? "stock lua5.4 with luaml.so under mpirun -np 2: ml.mpi works (got: $out)"

echo "1..$n"
