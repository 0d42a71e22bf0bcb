-- 20_planar_flower.lua -- DL week 3 programming assignment: "planar data
-- classification with one hidden layer".  The flower's two petal classes
-- cannot be split by a line: logistic regression scores under 50%; a network
-- with one hidden layer of 4 tanh units reaches 90% (the course's run: lr
-- 1.2, 10000 full-batch iterations, weights from randn * 0.01).  Then the
-- hidden layer's size, from 1 to 50 units.
--
--   luaml examples/20_planar_flower.lua [--fast] [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("Planar data classification with one hidden layer (DL week 3)")

-- numpy's generator where the library has it: then the data and the starting
-- weights are the notebook's own, draw for draw
local numpy = pcall(ml.seed, 0, "numpy") and
              math.abs(ml.randn(1, 1):get(1, 1) - 1.764052345967664) < 1e-15
local function seed(n)
  if numpy then ml.seed(n, "numpy") else ml.seed(n) end
end

lesson.section("the data: 400 points, two classes of petals, 0 and 1")
seed(1)
local X, y = ml.datasets.flower(400)   -- X (400, 2), y (400, 1)
print(string.format("X: %dx%d, y: %dx%d, %d points of class 1", X.rows, X.cols, y.rows,
                    y.cols, math.tointeger(y:sum())))
run.plot("scatter", "flower.svg", X, y, {title = "the planar flower data"})

lesson.section("logistic regression: a line cannot do it")
local logistic = ml.LogisticRegression{lr = 0.1, epochs = run.fast and 200 or 1000}
logistic:train(X, y)
print(string.format("logistic regression labels %d%% of the points correctly",
                    math.floor(100 * logistic:score(X, y))))
run.plot("scatter", "flower_logistic.svg", X, y,
         {predict = function(P) return logistic:predict(P) end, title = "logistic regression"})

lesson.section("one hidden layer of 4 tanh units, a sigmoid output")
-- layer sizes n_x = 2, n_h = 4, n_y = 1; W1 (4, 2) and W2 (1, 4) start at
-- randn * 0.01 (init = "normal"), b1 and b2 at zero
local iterations = run.fast and 2000 or 10000
seed(2)
local model = ml.MLP{layers = {2, 4, 1}, activation = "tanh", output = "sigmoid",
                     init = "normal", lr = 1.2, epochs = iterations, verbose = true,
                     print_every = 1000}
local W1, b1, W2, b2 = table.unpack(model:parameters())
print(string.format("W1 %dx%d, b1 %dx%d, W2 %dx%d, b2 %dx%d", W1.rows, W1.cols, b1.rows,
                    b1.cols, W2.rows, W2.cols, b2.rows, b2.cols))
model:train(X, y)
print(string.format("Accuracy: %d%%", math.floor(100 * model:score(X, y))))
run.plot("scatter", "flower_hidden4.svg", X, y,
         {predict = function(P) return model:predict(P) end,
          title = "4 tanh hidden units: the decision boundary"})
run.plot("line", "flower_cost.svg", model.cost_history,
         {title = "cost, learning rate 1.2", xlabel = "iterations", ylabel = "cost"})

lesson.section("the size of the hidden layer")
local sweep = run.fast and 500 or 5000
for _, n_h in ipairs{1, 2, 3, 4, 5, 20, 50} do
  seed(2)
  local m = ml.MLP{layers = {2, n_h, 1}, activation = "tanh", init = "normal", lr = 1.2,
                   epochs = sweep}
  m:train(X, y)
  print(string.format("%2d hidden units: accuracy %g %%", n_h, 100 * m:score(X, y)))
  run.plot("scatter", string.format("flower_hidden%d_sweep.svg", n_h), X, y,
           {predict = function(P) return m:predict(P) end,
            title = string.format("hidden layer of size %d", n_h)})
end
print()
print("Larger layers fit the petals more closely; past a few units they start to")
print("fit the noise too (regularisation would keep them smooth).")
