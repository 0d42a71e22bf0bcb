-- 14_xor_donut.lua -- "The XOR and donut problems": no line separates the
-- classes, so logistic regression on the raw coordinates does little
-- better than guessing.  A hand-made feature -- x1*x2 for XOR, the radius
-- sqrt(x1^2 + x2^2) for the donut -- makes them separable by a plane.
-- (Neural networks learn such features themselves.)
--
--   luaml examples/14_xor_donut.lua [--fast] [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("XOR and donut: logistic regression with and without features")

local epochs = run.fast and 1000 or 3000

-- Train logistic regression on features(X) and report the classification
-- rate; plot the decision regions over the original plane.
local function experiment(name, X, y, features, file)
  local model = ml.LogisticRegression{lr = 0.5, epochs = epochs, optimizer = "adam"}
  model:train(features(X), y)
  local rate = model:score(features(X), y)
  print(string.format("%-40s classification rate %.2f%%", name, 100 * rate))
  run.plot("scatter", file, X, y,
           {predict = function(G) return model:predict(features(G)) end, title = name,
            xlabel = "x1", ylabel = "x2"})
  return rate
end

local function raw(X) return X end

lesson.section("XOR: label 1 where x1 and x2 have opposite signs")
ml.seed(14)
local X, y = ml.datasets.xor(400)
experiment("XOR, raw (x1, x2)", X, y, raw, "xor_raw.svg")
-- the product x1*x2 is negative exactly for class 1
experiment("XOR, with x3 = x1*x2", X, y,
           function(P) return ml.hstack{P, P:col(1) * P:col(2)} end, "xor_features.svg")

lesson.section("donut: an inner ring (radius 5) and an outer ring (radius 10)")
local Xd, yd = ml.datasets.donut(1000)
experiment("donut, raw (x1, x2)", Xd, yd, raw, "donut_raw.svg")
experiment("donut, with x3 = sqrt(x1^2 + x2^2)", Xd, yd,
           function(P) return ml.hstack{P, P:square():sum(2):sqrt()} end, "donut_features.svg")

print()
print("The catch: the features had to be invented by hand.  With D inputs there")
print("are D^2 products to consider -- and that is what neural networks automate.")
