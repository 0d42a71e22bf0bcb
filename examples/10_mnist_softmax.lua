-- 10_mnist_softmax.lua -- "Softmax" and the chapter 5 and 7 exercises on
-- MNIST: targets as an indicator matrix, a prediction from random weights,
-- then softmax regression trained by full-batch gradient descent.  This is
-- the first half of `make demo` (example 23, a neural network, is the second).
--
--   luaml examples/10_mnist_softmax.lua [--fast] [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("Softmax regression on MNIST")

-- 8000 training and 2000 test digits; each row is 28x28 = 784 pixels,
-- scaled from 0..255 to 0..1 by the loader
local Xtr, ytr, Xte, yte = ml.datasets.mnist()
local N, D, K = Xtr.rows, Xtr.cols, 10
print(string.format("X: %dx%d, labels: %dx%d (values 0..9), test: %d digits", N, D,
                    ytr.rows, ytr.cols, Xte.rows))

lesson.section("targets as an N x K indicator matrix")
local T = ml.one_hot(ytr, K)           -- T[i][k] = 1 when sample i is digit k - 1
print("labels of the first 3 samples:", ytr:slice(1, 3):T())
print(T:slice(1, 3))

lesson.section("a prediction from random weights")
-- softmax(A) = exp(A) / (row sums of exp(A)), A = X W + b
local function softmax(A)
  local expA = ml.exp(A)
  return expA / expA:sum(2)
end
local function predict(X, W, b) return softmax(X:dot(W) + b) end
ml.seed(10)
local W0, b0 = ml.randn(D, K), ml.randn(1, K)
local P0 = predict(Xtr, W0, b0)
print(string.format("rows sum to 1: %s; accuracy of random weights: %.1f%% (chance is 10%%)",
                    tostring((P0:sum(2) - 1):abs():max() < 1e-9), 100 * ml.accuracy(P0, ytr)))

lesson.section("gradient descent written out: W -= lr * X'(Y - T) / N")
local lr = 0.5
local W, b = ml.zeros(D, K), ml.zeros(1, K)
local costs = {}
for i = 1, 3 do
  local Y = predict(Xtr, W, b)
  costs[i] = -(T * ml.log(Y)):sum() / N          -- the cross-entropy, per sample
  W = W - lr * Xtr:T():dot(Y - T) / N
  b = b - lr * (Y - T):sum(1) / N
  print(string.format("iteration %d: cost %.6f", i - 1, costs[i]))
end

lesson.section("ml.SoftmaxRegression: the same loop, fused, with a progress bar")
local epochs = run.fast and 40 or 100
local model = ml.SoftmaxRegression{lr = lr, epochs = epochs, verbose = true, print_every = 10}
model:train(Xtr, ytr)
local agree = true
for i = 1, 3 do agree = agree and math.abs(model.cost_history:get(1, i) - costs[i]) < 1e-12 end
print("its first costs equal the written-out loop's: " .. tostring(agree))
print(string.format("train accuracy: %.2f%%", 100 * model:score(Xtr, ytr)))
print(string.format("test accuracy: %.2f%% (%d epochs, learning rate %g)",
                    100 * model:score(Xte, yte), epochs, lr))

if ml.plot then print("cost: " .. ml.plot.text(model.cost_history)) end
run.plot("line", "mnist_cost.svg", model.cost_history,
         {title = "softmax regression on MNIST: cost per epoch", xlabel = "epoch",
          ylabel = "cross-entropy"})
local pred = model:predict(Xte:slice(1, 30))
local captions = {}
for i = 1, 30 do
  local p, y = math.tointeger(pred:get(i, 1)), math.tointeger(yte:get(i, 1))
  captions[i] = p == y and tostring(p) or string.format("%d (is %d)", p, y)
end
run.plot("image", "mnist_predictions.svg", Xte:slice(1, 30),
         {labels = captions, cols = 10, title = "test digits and their predicted labels"})
