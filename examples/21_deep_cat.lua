-- 21_deep_cat.lua -- DL week 4 programming assignment: "deep neural network
-- for image classification".  The cat pictures of week 2 again, now with a
-- two-layer network (12288-7-1) and a four-layer one (12288-20-7-5-1), ReLU
-- hidden layers and a sigmoid output, 2500 full-batch iterations at learning
-- rate 0.0075.  The course reaches 100% / 72% (train / test) with two layers
-- and 98.56% / 80% with four, where logistic regression had 99% / 70%.
--
--   luaml examples/21_deep_cat.lua [--fast] [--out DIR] [CATDIR]
-- CATDIR holds train_catvnoncat.h5 and test_catvnoncat.h5 (the course's
-- files, not part of luaml); without it the script looks in
-- examples/data/catvnoncat and ../shared/data/catvnoncat.
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("Deep neural network for image classification (DL week 4)")

local dir = lesson.catdir(run, "21_deep_cat.lua")
if dir == nil then return end

lesson.section("the data: 209 + 50 pictures of 64x64x3 pixels, one per row")
local train, test = dir .. "/train_catvnoncat.h5", dir .. "/test_catvnoncat.h5"
local train_x = ml.load_h5(train, "train_set_x"):div_(255)    -- (209, 12288)
local train_y = ml.load_h5(train, "train_set_y"):reshape(-1, 1) -- (209, 1)
local test_x = ml.load_h5(test, "test_set_x"):div_(255)       -- (50, 12288)
local test_y = ml.load_h5(test, "test_set_y"):reshape(-1, 1)
print(string.format("train_x: %dx%d, test_x: %dx%d", train_x.rows, train_x.cols,
                    test_x.rows, test_x.cols))

-- The starting weights.  The course draws them with numpy seeded by 1, layer
-- after layer: randn * 0.01 for two layers, randn / sqrt(n_prev) for four.
-- ml.MLP draws its layers in the same order, so with numpy's generator
-- (ml.seed(1, "numpy"), where the library has it) and init "normal" and
-- "xavier" they are the course's own.  Otherwise the copies that the test
-- suite keeps (spec/fixtures/course) are loaded when present.
local numpy = pcall(ml.seed, 0, "numpy") and
              math.abs(ml.randn(1, 1):get(1, 1) - 1.764052345967664) < 1e-15
local function network(layers, init, fixture)
  if numpy then ml.seed(1, "numpy") else ml.seed(1) end
  local iterations = run.fast and 50 or 2500
  local model = ml.MLP{layers = layers, activation = "relu", output = "sigmoid",
                       init = init, lr = 0.0075, epochs = iterations}
  local first = "spec/fixtures/course/" .. fixture .. "_W1.npy"
  local f = not numpy and io.open(first, "rb")
  if f then
    f:close()
    local p = model:parameters()
    for l = 1, #layers - 1 do
      p[2 * l - 1]:copy_(ml.load_npy(first:gsub("W1", "W" .. l)))
    end
    print("(the course's starting weights, from spec/fixtures/course)")
  end
  return model
end

-- train, print the costs as the notebook does, the accuracies, the plot
local function lesson_run(name, model, file)
  local t0 = ml.clock()
  model:train(train_x, train_y)
  local seconds = ml.clock() - t0
  local h = model.cost_history
  for i = 0, h.cols - 1, 100 do
    print(string.format("Cost after iteration %d: %s", i, lesson.num(h:get(1, i + 1))))
  end
  print(string.format("train accuracy: %s %%", lesson.num(100 * model:score(train_x, train_y))))
  print(string.format("test accuracy: %s %%", lesson.num(100 * model:score(test_x, test_y))))
  print(string.format("(%d iterations in %.1f s)", h.cols, seconds))
  run.plot("line", file, h, {title = name .. ", learning rate 0.0075",
                             xlabel = "iterations", ylabel = "cost"})
end

lesson.section("two layers: LINEAR -> RELU -> LINEAR -> SIGMOID (12288-7-1)")
lesson_run("two layers", network({12288, 7, 1}, "normal", "w4a"), "cat_2layer_cost.svg")

lesson.section("four layers: [LINEAR -> RELU] x 3 -> LINEAR -> SIGMOID (12288-20-7-5-1)")
lesson_run("four layers", network({12288, 20, 7, 5, 1}, "xavier", "w4b"), "cat_4layer_cost.svg")
print()
print("The deeper network generalises better: 80% of the test pictures, against 72%")
print("for two layers and 70% for logistic regression (week 2).")
