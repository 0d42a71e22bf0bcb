#!/bin/sh
# mpi.sh [RUNS] -- the numbers of bench/mpi.md: bench/mpi.lua alone (with
# the default threads, and with one thread) and under mpirun -np 1, 2, 4
# (one thread per rank: OPENBLAS_NUM_THREADS=1 LUAML_THREADS=1), RUNS
# times each (default 5), interleaved; prints every run's line, then the
# medians (and minima: on a shared machine, the quietest run).  Needs
# build/luaml and Open MPI.
runs=${1:-5}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPIRUN="mpirun --oversubscribe --mca btl self,vader --mca btl_vader_single_copy_mechanism none"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for i in $(seq "$runs"); do
  echo "alone-threads $(build/luaml bench/mpi.lua 30 2000)" | tee -a "$out"
  echo "alone-1thread $(OPENBLAS_NUM_THREADS=1 LUAML_THREADS=1 build/luaml bench/mpi.lua 30 2000)" | tee -a "$out"
  for p in 1 2 4; do
    echo "np$p-1thread $(OPENBLAS_NUM_THREADS=1 LUAML_THREADS=1 $MPIRUN -x OPENBLAS_NUM_THREADS -x LUAML_THREADS -np $p build/luaml bench/mpi.lua 30 2000)" | tee -a "$out"
  done
done
echo "medians (minima) of $runs runs:"
for c in alone-threads alone-1thread np1-1thread np2-1thread np4-1thread; do
  grep "^$c " "$out" | awk -v c="$c" '
    { for (k = 2; k < NF; k += 2) v[k, NR] = $(k + 1); n = NR; nf = NF }
    END { line = c
          for (k = 4; k <= 10; k += 2) {
            m = 0; for (i = 1; i <= n; i++) a[i] = v[k, i]
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            med = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
            line = line sprintf("  %s %s (min %s)", $k, med, a[1]) }
          print line }'
done
