-- 24_mpi_softmax.lua -- softmax regression on MNIST trained by several
-- processes at once with Open MPI: each process (rank) takes its share of
-- the training digits, and at every step the ranks add up their gradients
-- (an allreduce), so they all take the step one process would take on
-- all the digits.  Their weights equal one process's up to rounding.
--
--   mpirun -np 2 luaml examples/24_mpi_softmax.lua [--fast] [--out DIR] [EPOCHS]
--   mpirun -np 4 --oversubscribe luaml examples/24_mpi_softmax.lua
--   luaml examples/24_mpi_softmax.lua          (alone: one process)
-- EPOCHS: the epochs to train (default 100; 40 with --fast).
--
-- As root, Open MPI also wants --allow-run-as-root.  In a container,
-- add --mca btl self,vader --mca btl_vader_single_copy_mechanism none
-- (shared memory only, no single-copy transfers, which need ptrace rights).
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local mpi = ml.mpi  -- present only when mpirun started this process
local rank, size = mpi and mpi.rank() or 0, mpi and mpi.size() or 1
if rank > 0 then print = function() end end  -- only rank 0 talks
local run = lesson.start("Softmax regression on MNIST, data-parallel over MPI")

-- every rank loads the data set and keeps its own block of the rows:
-- ml.mpi.shard cuts them in contiguous blocks, sizes differing by at most 1
local Xtr, ytr, Xte, yte = ml.datasets.mnist()
local Xs, ys = Xtr, ytr
if mpi then Xs, ys = mpi.shard(Xtr, ytr) end
local counts = ml.zeros(1, size)
counts:set(1, rank + 1, Xs.rows)
if mpi then mpi.allreduce(counts) end  -- each rank's row count, everywhere
local per = {}
for r = 1, size do per[r] = string.format("%d", counts:get(1, r)) end
print(string.format("%d rank%s; training digits per rank: %s (of %d)", size,
                    size == 1 and "" or "s", table.concat(per, ", "), Xtr.rows))
if not mpi then print("(started without mpirun: one process trains on all the digits)") end

lesson.section("training: distributed = true")
-- each rank computes the cost and gradients on its rows; the model sums
-- them over the ranks (weighted by the rows) before every update, so the
-- result does not depend on the number of ranks
local epochs = math.tointeger(tonumber(run.args[1] or "")) or (run.fast and 40 or 100)
local model = ml.SoftmaxRegression{lr = 0.5, epochs = epochs, distributed = true,
                                   verbose = true, print_every = 10}
local t0 = ml.clock()
model:train(Xs, ys)
local secs = ml.clock() - t0
print(string.format("%d epochs in %.2f s: %.1f ms per epoch on %d rank%s", epochs, secs,
                    1000 * secs / epochs, size, size == 1 and "" or "s"))

lesson.section("the result is one process's")
-- the same sums at any -np (up to rounding in the last digits)
print(string.format("sum of |weights|: %.12f, final cost: %.12f", model.W:abs():sum(),
                    model.cost_history:get(1, epochs)))
print(string.format("test accuracy: %.2f%% (%d epochs, learning rate 0.5)",
                    100 * model:score(Xte, yte), epochs))
