-- Workload 7g: the cost of ml.grad.  A 784-128-10 ReLU network with a
-- softmax cross-entropy, trained by SGD on mini-batches of 64 for 2 epochs
-- over 8000 MNIST digits, written twice in luaml: by hand (the backward
-- pass derived on paper) and with ml.grad (the forward pass only).  The
-- numpy side (7_grad.py) is the hand-written network.  Both start from the
-- same weights (util's grid) and take the batches in order, so the final
-- losses agree.  Memory: the heap after each epoch is printed and must not
-- grow from epoch to epoch.  Each variant runs 5 times, alternating; the
-- medians are reported.
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".")
local B = dofile(dir .. "/util.lua")
local data = dir .. "/../examples/data/mnist/"

local X = ml.load_idx(data .. "train-images-idx3-ubyte.gz"):div_(255)  -- (N, 784)
local labels = ml.load_idx(data .. "train-labels-idx1-ubyte.gz")       -- (N, 1)
local N = X.rows
local BATCH, EPOCHS, LR = 64, 2, 0.1

local function init()
  return B.grid(128, 784, 0.05, 0), ml.zeros(1, 128),  -- W1 (128, 784), b1
         B.grid(10, 128, 0.1, 0), ml.zeros(1, 10)      -- W2 (10, 128), b2
end

-- train(step): step(W1, b1, W2, b2, Xb, yb) updates the weights in place
-- and returns the batch's loss; returns the last loss and the heap (KiB)
-- after each epoch
local function train(step)
  local W1, b1, W2, b2 = init()
  local loss, heap = nil, {}
  for e = 1, EPOCHS do
    for s = 1, N, BATCH do
      local t = math.min(s + BATCH - 1, N)
      loss = step(W1, b1, W2, b2, X:slice(s, t), labels:slice(s, t))
    end
    collectgarbage()
    heap[e] = collectgarbage("count")
  end
  return loss, heap
end

-- by hand: the backward pass written out
local function hand(W1, b1, W2, b2, Xb, yb)
  local Z1 = Xb:dot(W1:T()):add_(b1)                       -- (n, 128)
  local H = ml.relu(Z1)
  local Z2 = H:dot(W2:T()):add_(b2)                        -- (n, 10)
  local loss, G2 = ml.softmax_cross_entropy(Z2, yb, true)  -- dloss/dZ2
  local dH = G2:dot(W2):mul_(Z1:gt(0))                     -- (n, 128)
  W2:add_(G2:T():dot(H), -LR)
  b2:add_(G2:sum(1), -LR)
  W1:add_(dH:T():dot(Xb), -LR)
  b1:add_(dH:sum(1), -LR)
  return loss
end

-- with ml.grad: the forward pass only (the batch is an upvalue, so that
-- ml.grad differentiates the weights alone)
local Xb, yb
local vg = ml.value_and_grad(function(W1, b1, W2, b2)
  local H = ml.relu(Xb:dot(W1:T()) + b1)
  return ml.softmax_cross_entropy(H:dot(W2:T()) + b2, yb)
end)
local function auto(W1, b1, W2, b2, xb, y)
  Xb, yb = xb, y
  local loss, dW1, db1, dW2, db2 = vg(W1, b1, W2, b2)
  W1:add_(dW1, -LR)
  b1:add_(db1, -LR)
  W2:add_(dW2, -LR)
  b2:add_(db2, -LR)
  return loss
end

-- the two alternate, 5 times each (the machine's other work shows up as
-- noise that the medians leave out)
local VARIANTS = {hand = hand, grad = auto}
local times, losses, heaps = {hand = {}, grad = {}}, {}, {}
for r = 1, 5 do
  for _, name in ipairs(r % 2 == 1 and {"hand", "grad"} or {"grad", "hand"}) do
    local t0 = ml.clock()
    losses[name], heaps[name] = train(VARIANTS[name])
    times[name][r] = ml.clock() - t0
  end
end
for _, name in ipairs{"hand", "grad"} do
  local t = times[name]
  table.sort(t)
  io.write(string.format("t %s %.9f\n", name, t[3]))
  B.check(name, losses[name])
  local heap = heaps[name]
  io.write(string.format("# %s: heap after each epoch %s KiB\n", name,
                         table.concat(heap, ", ")))
  if heap[#heap] > heap[1] * 1.05 + 256 then
    error(string.format("%s: the heap grew from %.0f to %.0f KiB", name, heap[1],
                        heap[#heap]))
  end
end
