-- Workload 8: a multi-layer perceptron, 784-128-10 (ReLU, softmax
-- cross-entropy), on 8000 MNIST digits: mini-batches of 64 in a fixed
-- order, plain SGD at lr 0.1, 5 epochs; ml.MLP.  The starting weights are
-- util's grid (no RNG), the same on every side, so the costs agree.
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".")
local B = dofile(dir .. "/util.lua")
local data = dir .. "/../examples/data/mnist/"

local X = ml.load_idx(data .. "train-images-idx3-ubyte.gz"):div_(255)  -- (N, 784)
local labels = ml.load_idx(data .. "train-labels-idx1-ubyte.gz")       -- (N, 1)
local EPOCHS = 5

local model = ml.MLP{layers = {784, 128, 10}, activation = "relu", output = "softmax",
                     lr = 0.1, epochs = 1, batch_size = 64, shuffle = false,
                     progress = false}
local W1, b1, W2, b2 = table.unpack(model:parameters())
W1:copy_(B.grid(128, 784, 0.05, 0))
W2:copy_(B.grid(10, 128, 0.1, 0))

-- numpy loads its BLAS at import, before its timer starts; luaml loads
-- OpenBLAS at the first product: load it here too, outside the timing
ml.dot(ml.ones(1, 1), ml.ones(1, 1))

-- one epoch per train call (plain SGD keeps no state, so this is 5 epochs);
-- the Lua heap after a full collection, after the first and the last
local costs, heap = {}, {}
local t0 = ml.clock()
for e = 1, EPOCHS do
  model:train(X, labels)
  costs[e] = model.cost_history:get(1, 1)
  if e == 1 or e == EPOCHS then
    local t = ml.clock()
    collectgarbage("collect")
    heap[#heap + 1] = collectgarbage("count")
    t0 = t0 + (ml.clock() - t)  -- not part of the training time
  end
end
local seconds = ml.clock() - t0
io.write(string.format("t train %.9f\n", seconds))
io.write(string.format("t step %.9f\n", seconds / (EPOCHS * math.ceil(X.rows / 64))))
io.write(string.format("m heap_after_epoch_1 %.0f\n", heap[1]))
io.write(string.format("m heap_after_epoch_%d %.0f\n", EPOCHS, heap[2]))
B.check("cost_epoch_1", costs[1])
B.check("cost_epoch_5", costs[EPOCHS])
B.check("accuracy", model:score(X, labels))
