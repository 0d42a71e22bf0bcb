-- mpi.lua -- the measurements of bench/mpi.md, run by bench/mpi.sh as
--   mpirun -np P luaml bench/mpi.lua EPOCHS REPS
-- (alone too: one process, no MPI).  Prints one line from rank 0:
--   ranks P epoch_ms E step_allreduce_us A allreduce_us R latency_us L cost C
-- E: wall time per epoch (the whole run / EPOCHS) of full-batch softmax
--    regression on the bundled MNIST (8000 x 784, 10 classes,
--    distributed = true), the slowest rank's;
-- A: the part of an epoch spent in ml.mpi.average (the check of the shapes,
--    then one allreduce of the 7,852 gradient values, cost and count;
--    waiting for a slower rank included);
-- R: ml.mpi.allreduce of 7,852 doubles (62.8 kB) alone, median of REPS;
-- L: ml.mpi.allreduce of 1 double, median of REPS.  Every ml.mpi.allreduce
--    is two MPI_Allreduce: the check (4 doubles) and the data.
local ml = require "luaml"
local mpi = ml.mpi
local epochs, reps = tonumber(arg[1]) or 30, tonumber(arg[2]) or 2000
local rank, size = mpi and mpi.rank() or 0, mpi and mpi.size() or 1

local function median(t)
  table.sort(t)
  local n = #t
  return n % 2 == 1 and t[(n + 1) // 2] or (t[n // 2] + t[n // 2 + 1]) / 2
end
-- the slowest rank's value decides (every rank waits for it)
local function slowest(x) return mpi and mpi.allreduce(x, "max") or x end

local X, y = ml.datasets.mnist()
if mpi then X, y = mpi.shard(X, y) end

-- time each epoch and the allreduce inside it: wrap ml.mpi.average
local in_avg = 0
if mpi then
  local average = mpi.average
  mpi.average = function(...)
    local t = ml.clock()
    local c, n = average(...)
    in_avg = in_avg + (ml.clock() - t)
    return c, n
  end
end
local model = ml.SoftmaxRegression{lr = 0.5, epochs = epochs, distributed = true,
                                   progress = false}
if mpi then mpi.barrier() end
local t0 = ml.clock()
model:train(X, y)
local total = ml.clock() - t0
local epoch_ms = slowest(1000 * total / epochs)
local avg_us = slowest(1e6 * in_avg / epochs)

-- the collectives alone
local function timeit(buf)
  local t = {}
  for i = 1, reps do
    local s = ml.clock()
    mpi.allreduce(buf)
    t[i] = ml.clock() - s
  end
  return slowest(1e6 * median(t))
end
local big, small = ml.ones(1, 784 * 10 + 10 + 2), ml.ones(1, 1)
local allred_us = mpi and timeit(big) or 0
local lat_us = mpi and timeit(small) or 0
if rank == 0 then
  print(string.format("ranks %d epoch_ms %.2f step_allreduce_us %.1f allreduce_us %.1f "
                      .. "latency_us %.2f cost %.15f", size, epoch_ms, avg_us, allred_us,
                      lat_us, model.cost_history:get(1, epochs)))
end
