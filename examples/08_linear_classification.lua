-- 08_linear_classification.lua -- "Linear classification": a line
-- h(x) = w0 + w1 x1 + w2 x2 splits the plane; h > 0 is one class, h < 0
-- the other.  First a line drawn by hand, then one learned from the data.
-- The chapter's exercise is to get MNIST: it is bundled, and shown here.
--
--   luaml examples/08_linear_classification.lua [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("Linear classification: which side of the line?")

-- two clouds of 200 points around (4, 0) (class 0) and (-4, 0) (class 1)
ml.seed(8)
local X, Y = ml.datasets.blobs(400, 2, 1.5)

lesson.section("a line by hand: h(x) = 0 - 1 x1 + 0 x2 (the vertical axis)")
local w0, w = 0, ml.matrix{{-1}, {0}}
local function h(P) return P:dot(w) + w0 end           -- one value per row
local pred = h(X):gt(0)                                  -- class 1 where h > 0
print(string.format("classification rate of the hand-made line: %.2f%%",
                    100 * ml.accuracy(pred, Y)))
for _, p in ipairs{{-3, 1}, {2.5, -1}, {0, 5}} do
  local v = h(ml.matrix{p}):get(1, 1)
  print(string.format("new point (%4.1f, %4.1f): h = %5.2f -> %s", p[1], p[2], v,
                      v > 0 and "class 1" or v < 0 and "class 0" or "on the line: either"))
end

lesson.section("a line learned from the data (logistic regression, chapter 5)")
local model = ml.LogisticRegression{lr = 0.1, epochs = 500}:train(X, Y)
print(string.format("learned h(x) = %.3f %+.3f x1 %+.3f x2, classification rate %.2f%%",
                    model.b:get(1, 1), model.W:get(1, 1), model.W:get(2, 1),
                    100 * model:score(X, Y)))
run.plot("scatter", "linear_classification.svg", X, Y,
         {predict = function(G) return model:predict(G) end,
          title = "two classes split by a line", labels = {"class 0", "class 1"},
          xlabel = "x1", ylabel = "x2"})

lesson.section("the exercise: get MNIST (bundled with luaml)")
local Xtr, ytr = ml.datasets.mnist()
print(string.format("training images: %dx%d (28x28 = 784 pixels per row), labels %dx%d",
                    Xtr.rows, Xtr.cols, ytr.rows, ytr.cols))
local labels = {}
for i = 1, 20 do labels[i] = tostring(math.tointeger(ytr:get(i, 1))) end
print("first 20 labels: " .. table.concat(labels, " "))
run.plot("image", "mnist_digits.svg", Xtr:slice(1, 20),
         {labels = labels, cols = 10, title = "the first 20 training digits"})
