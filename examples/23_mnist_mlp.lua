-- 23_mnist_mlp.lua -- a neural network on MNIST: 784-128-10 with a ReLU
-- hidden layer and a softmax output, trained in mini-batches of 64 with
-- Adam.  Softmax regression (example 10) stops near 90% on the test digits;
-- one hidden layer reaches about 94% in 10 epochs on these 8000 digits.
--
--   luaml examples/23_mnist_mlp.lua [--fast] [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("MNIST with a multi-layer perceptron, mini-batches and Adam")

local Xtr, ytr, Xte, yte = ml.datasets.mnist()
if run.fast then  -- a quarter of the training digits
  Xtr, ytr = Xtr:slice(1, 2000), ytr:slice(1, 2000)
end
print(string.format("train: %dx%d, test: %dx%d (pixels scaled to 0..1)", Xtr.rows, Xtr.cols,
                    Xte.rows, Xte.cols))

lesson.section("the network")
ml.seed(0)
local epochs = run.fast and 3 or 10
local model = ml.MLP{layers = {784, 128, 10}, activation = "relu", output = "softmax",
                     optimizer = "adam", lr = 0.001, batch_size = 64, epochs = epochs,
                     verbose = true, print_every = 1}
print(model)
print(model.net)

lesson.section("training: " .. epochs .. " epochs of " .. math.ceil(Xtr.rows / 64)
               .. " mini-batches, reshuffled every epoch")
local t0 = ml.clock()
model:train(Xtr, ytr)
local seconds = ml.clock() - t0
print(string.format("%.1f s, %.2f ms per mini-batch step", seconds,
                    1000 * seconds / (epochs * math.ceil(Xtr.rows / 64))))
print(string.format("train accuracy: %.2f%%", 100 * model:score(Xtr, ytr)))
print(string.format("test accuracy: %.2f%% (%d epochs)", 100 * model:score(Xte, yte), epochs))
run.plot("line", "mnist_mlp_cost.svg", model.cost_history,
         {title = "MLP 784-128-10 on MNIST: cost per epoch", xlabel = "epoch",
          ylabel = "cross-entropy"})

lesson.section("the test digits it gets wrong")
local pred = model:predict(Xte)
local wrong = pred:ne(yte)
print(string.format("%d of %d test digits are misclassified", math.tointeger(wrong:sum()),
                    Xte.rows))
local idx = {}
for i = 1, Xte.rows do
  if wrong:get(i, 1) ~= 0 and #idx < 20 then idx[#idx + 1] = i end
end
if #idx > 0 then
  local positions = ml.matrix(idx)
  local captions = {}
  for k, i in ipairs(idx) do
    captions[k] = string.format("%d (is %d)", math.tointeger(pred:get(i, 1)),
                                math.tointeger(yte:get(i, 1)))
  end
  run.plot("image", "mnist_mlp_errors.svg", Xte:take(positions),
           {labels = captions, cols = 10, title = "misclassified test digits"})
end
