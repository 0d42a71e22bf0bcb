-- 22_xor_donut_mlp.lua -- the XOR and donut problems again (example 14),
-- now learned from the raw coordinates: a hidden layer makes the features
-- that had to be invented by hand there (x1*x2, the radius).
--
--   luaml examples/22_xor_donut_mlp.lua [--fast] [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("XOR and donut: a neural network learns its own features")

local epochs = run.fast and 300 or 1000

-- logistic regression and an MLP on the same raw points; the MLP's decision
-- regions are plotted
local function experiment(name, X, y, hidden, file)
  local logistic = ml.LogisticRegression{lr = 0.5, epochs = epochs, optimizer = "adam"}
  logistic:train(X, y)
  local model = ml.MLP{layers = {2, hidden, 1}, activation = "tanh", output = "sigmoid",
                       lr = 0.05, epochs = epochs, optimizer = "adam"}
  model:train(X, y)
  print(string.format("%-8s logistic regression    classification rate %.2f%%", name,
                      100 * logistic:score(X, y)))
  print(string.format("%-8s MLP 2-%d-1 (tanh)       classification rate %.2f%%", name, hidden,
                      100 * model:score(X, y)))
  run.plot("scatter", file, X, y, {predict = function(P) return model:predict(P) end,
                                   title = name .. ": MLP with " .. hidden .. " hidden units"})
  run.plot("line", file:gsub("%.svg$", "_cost.svg"), model.cost_history,
           {title = name .. ": cost per epoch", xlabel = "epoch", ylabel = "cross-entropy"})
  return model
end

lesson.section("XOR: label 1 where x1 and x2 have opposite signs")
ml.seed(14)
local X, y = ml.datasets.xor(400)
local xor = experiment("XOR", X, y, 8, "xor_mlp.svg")

lesson.section("donut: an inner ring (radius 5) and an outer ring (radius 10)")
local Xd, yd = ml.datasets.donut(1000)
experiment("donut", Xd, yd, 8, "donut_mlp.svg")

lesson.section("what the hidden units of the XOR network compute")
-- each hidden unit is tanh(w . x + b): a soft half-plane; the output layer
-- combines them, as x1*x2 did by hand
local W1, b1 = xor:parameters()[1], xor:parameters()[2]
for j = 1, W1.rows do
  print(string.format("unit %d: tanh(%7.3f x1 %+7.3f x2 %+7.3f)", j, W1:get(j, 1),
                      W1:get(j, 2), b1:get(1, j)))
end
