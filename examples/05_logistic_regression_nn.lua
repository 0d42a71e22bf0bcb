-- 05_logistic_regression_nn.lua -- the course's programming assignment,
-- "logistic regression with a neural network mindset": initialise, then
-- propagate (forward: cost; backward: gradients), optimize (gradient
-- descent), predict -- written out as in the course, on the cat pictures
-- when you have them, and always on the breast-cancer data bundled here.
--
--   luaml examples/05_logistic_regression_nn.lua [CATDIR] [--fast] [--out DIR]
--
-- CATDIR holds train_catvnoncat.h5 and test_catvnoncat.h5 (the course's
-- files, not distributed with luaml); without it the script looks in
-- examples/data/catvnoncat and ../shared/data/catvnoncat.
--
-- The course keeps one example per COLUMN: X is n_x x m.  luaml's data are
-- one example per row (m x n_x), and X:T() is the course's matrix as a view
-- -- nothing is copied, and the code below is the course's line by line.
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("Logistic regression as a neural network (the course's assignment)")

-- sigmoid(z) = 1 / (1 + exp(-z)), for numbers and matrices
local function sigmoid(z)
  return 1 / (1 + ml.exp(-z))
end

-- w: a dim x 1 column of zeros, b = 0
local function initialize_with_zeros(dim)
  return ml.zeros(dim, 1), 0
end

-- Forward and backward pass over all m examples at once.
-- w (n_x, 1), b a number, X (n_x, m), Y (1, m) -> grads {dw, db}, cost
local function propagate(w, b, X, Y)
  local m = X.cols
  local A = sigmoid(w:T():dot(X) + b)                                  -- (1, m)
  -- cost = -(Y * ml.log(A) + (1 - Y) * ml.log(1 - A)):sum() / m, which
  -- binary_cross_entropy computes without the NaN of 0 * log(0) that the
  -- formula gives once some A rounds to exactly 1 (confident models do)
  local cost = ml.binary_cross_entropy(A, Y)
  local dw = X:dot((A - Y):T()) / m                                    -- (n_x, 1)
  local db = (A - Y):sum() / m
  return {dw = dw, db = db}, cost
end

-- num_iterations steps of gradient descent; the cost every 100 steps
local function optimize(w, b, X, Y, num_iterations, learning_rate, print_cost)
  local costs, grads = {}, nil
  for i = 0, num_iterations - 1 do
    local cost
    grads, cost = propagate(w, b, X, Y)
    w = w - learning_rate * grads.dw
    b = b - learning_rate * grads.db
    if i % 100 == 0 then
      costs[#costs + 1] = cost
      if print_cost then print(string.format("Cost after iteration %d: %f", i, cost)) end
    end
  end
  return {w = w, b = b}, grads, costs
end

-- 1 where the probability of class 1 is above 0.5, as a (1, m) row
local function predict(w, b, X)
  local A = sigmoid(w:T():dot(X) + b)
  return A:gt(0.5)
end

-- accuracy in percent, as the course prints it: 100 - mean(|pred - Y|) * 100
local function accuracy(pred, Y)
  return 100 - (pred - Y):abs():mean() * 100
end

-- the whole model on (n_x, m) training and test matrices
local function model(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate, print_cost)
  local w, b = initialize_with_zeros(X_train.rows)
  local params, _, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
  local train_acc = accuracy(predict(params.w, params.b, X_train), Y_train)
  local test_acc = accuracy(predict(params.w, params.b, X_test), Y_test)
  print("train accuracy: " .. lesson.num(train_acc) .. " %")
  print("test accuracy: " .. lesson.num(test_acc) .. " %")
  return {costs = costs, w = params.w, b = params.b, train = train_acc, test = test_acc}
end

lesson.section("the course's checks on a tiny example")
local w, b = ml.matrix{{1}, {2}}, 2
local X = ml.matrix{{1, 2, -1}, {3, 4, -3.2}}
local Y = ml.matrix{{1, 0, 1}}
local grads, cost = propagate(w, b, X, Y)
print("dw =", grads.dw:T())
print("db = " .. lesson.num(grads.db))
print("cost = " .. lesson.num(cost))
local params
params, grads = optimize(w, b, X, Y, 100, 0.009, false)
print("after optimize(100 iterations, learning rate 0.009):")
print("w =", params.w:T(), "b = " .. lesson.num(params.b))
print("dw =", grads.dw:T(), "db = " .. lesson.num(grads.db))
print("predict(w = [0.1124579, 0.23106775], b = -0.3, X = [1 -1.1 -3.2; 1.2 2 0.1]):")
print(predict(ml.matrix{{0.1124579}, {0.23106775}}, -0.3,
              ml.matrix{{1, -1.1, -3.2}, {1.2, 2, 0.1}}))

lesson.section("cat vs non-cat: 209 training pictures of 64x64x3 pixels")
local dir = lesson.catdir(run, "05_logistic_regression_nn.lua")
if dir == nil then
  print("Skipping the cat model; the breast-cancer model follows.")
else
  local train, test = dir .. "/train_catvnoncat.h5", dir .. "/test_catvnoncat.h5"
  -- load_h5 flattens each 64x64x3 picture into a row of 12288 values
  -- scaled in place (div_): "/ 255" would hold a second copy while both live
  local train_x = ml.load_h5(train, "train_set_x"):div_(255)  -- (209, 12288)
  local train_y = ml.load_h5(train, "train_set_y")            -- (209, 1)
  local test_x = ml.load_h5(test, "test_set_x"):div_(255)     -- (50, 12288)
  local test_y = ml.load_h5(test, "test_set_y")
  print(string.format("train_set_x: %dx%d, test_set_x: %dx%d (one picture per row)",
                      train_x.rows, train_x.cols, test_x.rows, test_x.cols))
  -- the course's (12288, 209) matrix is the transposed view
  local d = model(train_x:T(), train_y:T(), test_x:T(), test_y:T(), 2000, 0.005, true)
  run.plot("line", "cat_costs.svg", ml.matrix(d.costs),
           {x = ml.arange(0, 1900, 100), title = "cat vs non-cat, learning rate 0.005",
            xlabel = "iterations", ylabel = "cost"})
end

lesson.section("breast cancer (Wisconsin): malignant (1) or benign (0)")
local Xall, yall = ml.datasets.breast_cancer()
local Xtr, Xte, ytr, yte = ml.train_test_split(Xall, yall, 0.2, 0)
-- the 30 features have very different scales: standardise them with the
-- training set's statistics
local Ztr, mean, std = ml.standardize(Xtr)
local Zte = ml.standardize(Xte, mean, std)
print(string.format("%d training and %d test examples, %d features", Ztr.rows, Zte.rows, Ztr.cols))
local iterations = run.fast and 300 or 2000
local bc = model(Ztr:T(), ytr:T(), Zte:T(), yte:T(), iterations, 0.05, true)

-- the library's LogisticRegression is this very loop (fused in C)
local lib = ml.LogisticRegression{lr = 0.05, epochs = iterations}:train(Ztr, ytr)
local last = 100 * (#bc.costs - 1)
print(string.format("ml.LogisticRegression: test accuracy %.2f %%, cost after iteration "
                    .. "%d: %.6f (the loop above: %.6f)", 100 * lib:score(Zte, yte), last,
                    lib.cost_history:get(1, last + 1), bc.costs[#bc.costs]))
run.plot("line", "breast_cancer_costs.svg", lib.cost_history,
         {title = "breast cancer, learning rate 0.05", xlabel = "iterations", ylabel = "cost"})
