-- Workload 1: logistic regression ("is it a zero?") on 8000 MNIST digits,
-- full-batch gradient descent, 200 iterations, the whole script: load the
-- data, train, report.  Written with matrix operations, as the numpy side.
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".")
local B = dofile(dir .. "/util.lua")
local data = dir .. "/../examples/data/mnist/"

local X = ml.load_idx(data .. "train-images-idx3-ubyte.gz"):div_(255)  -- (N, D)
local labels = ml.load_idx(data .. "train-labels-idx1-ubyte.gz")   -- (N, 1)
local Y = labels:eq(0)                                             -- (N, 1)
local N, D = X:shape()
local w, b, lr = ml.zeros(D, 1), 0.0, 0.5
local cost
for _ = 1, 200 do
  local A = ml.sigmoid(X:dot(w) + b)      -- (N, 1)
  cost = ml.binary_cross_entropy(A, Y)
  local dZ = A - Y                        -- (N, 1)
  w:add_(X:T():dot(dZ), -lr / N)          -- w -= lr * X^T dZ / N
  b = b - lr * dZ:sum() / N
end
local acc = ml.mean((X:dot(w) + b):gt(0):eq(Y))
B.check("cost", cost)
B.check("accuracy", acc)
B.kernels()
