-- Workload 2: softmax regression, 10 classes, on 8000 MNIST digits,
-- full-batch gradient descent, 100 iterations, the whole script.
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".")
local B = dofile(dir .. "/util.lua")
local data = dir .. "/../examples/data/mnist/"

local X = ml.load_idx(data .. "train-images-idx3-ubyte.gz"):div_(255)  -- (N, D)
local labels = ml.load_idx(data .. "train-labels-idx1-ubyte.gz")       -- (N, 1)
local K = 10
local T = ml.one_hot(labels, K)                                        -- (N, K)
local N, D = X:shape()
local W, b, lr = ml.zeros(D, K), ml.zeros(1, K), 0.5
local cost
for _ = 1, 100 do
  local P = ml.softmax(X:dot(W) + b)      -- (N, K)
  cost = ml.cross_entropy(P, T)
  local G = P - T                         -- (N, K)
  W:add_(X:T():dot(G), -lr / N)           -- W -= lr * X^T G / N
  b:add_(G:sum(1), -lr / N)
end
local acc = ml.mean((X:dot(W) + b):argmax(2):sub_(1):eq(labels))
B.check("cost", cost)
B.check("accuracy", acc)
B.kernels()
