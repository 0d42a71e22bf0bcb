-- train.lua -- run by spec/shell/mpi.sh alone and under mpirun -np 1, 2, 4:
-- trains each model with distributed = true on this rank's shard of one
-- data set and prints (rank 0 only) every weight, bias and final cost
-- with 17 digits, "case name value" per line.  Alone (no ml.mpi) it is
-- the one-process reference.
local ml = require "luaml"
local mpi = ml.mpi
ml.seed(7)
local N, D = 103, 5  -- four ranks get shards of 26, 26, 26 and 25 rows
local X = ml.randn(N, D)
local w = ml.randn(D, 1)
local ylin = X:dot(w) + 0.1 * ml.randn(N, 1)
local ybin = X:dot(w):gt(0)
local ycls = X:dot(ml.randn(D, 3)):argmax(2) - 1  -- classes 0..2

local cases = {
  {"linear", ylin, ml.LinearRegression{solver = "gd", lr = 0.1, epochs = 300}},
  {"linear_l2_noint", ylin, ml.LinearRegression{solver = "gd", lr = 0.1, epochs = 100,
                                                 l2 = 2, intercept = false}},
  {"logistic", ybin, ml.LogisticRegression{lr = 0.5, epochs = 300, l2 = 0.1}},
  {"softmax", ycls, ml.SoftmaxRegression{lr = 0.5, epochs = 300}},
  -- mini-batches of 16 rows, reshuffled each epoch: rank 0's permutation
  -- of all the rows decides every batch, as in one process
  {"softmax_batches", ycls, ml.SoftmaxRegression{lr = 0.2, epochs = 20, batch_size = 16,
                                                  optimizer = "momentum"}},
  {"linear_batches_adam", ylin, ml.LinearRegression{solver = "gd", lr = 0.05, epochs = 20,
                                                     batch_size = 10, shuffle = false,
                                                     optimizer = "adam"}},
}
local lead = mpi == nil or mpi.rank() == 0
for _, c in ipairs(cases) do
  local name, y, model = c[1], c[2], c[3]
  model.distributed = true
  model.progress = false  -- a slow run (4 ranks on 2 busy cores) would draw the bar
  local Xs, ys = X, y
  if mpi then Xs, ys = mpi.shard(X, y) end
  ml.seed(11)  -- the same shuffles in every run
  model:train(Xs, ys)
  if lead then
    for _, p in ipairs{{"W", model.W}, {"b", model.b}} do
      local m = p[2]
      for i = 1, m.rows do
        for j = 1, m.cols do
          io.write(string.format("%s %s%d,%d %.17g\n", name, p[1], i, j, m:get(i, j)))
        end
      end
    end
    io.write(string.format("%s cost %.17g\n", name,
                           model.cost_history:get(1, model.cost_history.cols)))
  end
end
