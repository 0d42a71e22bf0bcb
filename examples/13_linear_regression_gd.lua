-- 13_linear_regression_gd.lua -- the chapter 7 exercise "linear regression
-- with gradient descent": J = |Xw - y|^2 / 2N, dJ/dw = X'(Xw - y) / N, then
-- w <- w - lr * dJ/dw until it reaches what the closed form gives in one
-- solve.  Features on very different scales make gradient descent blow up;
-- standardising them fixes it.
--
--   luaml examples/13_linear_regression_gd.lua [--fast] [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("Linear regression by gradient descent")

local X, y = ml.datasets.diabetes()
local N = X.rows
local closed = ml.LinearRegression():train(X, y)
print(string.format("closed form (least squares): R^2 = %.6f", closed:score(X, y)))

lesson.section("on the raw features the steps overshoot")
local ok, err = pcall(function()
  return ml.LinearRegression{lr = 0.1, epochs = 100}:train(X, y)
end)
print(ok, err)

lesson.section("standardised features, the loop written out (lr = 0.1)")
local Z, mean, std = ml.standardize(X)
local Z1 = ml.hstack{ml.ones(N, 1), Z}               -- x0 = 1 for the intercept
local w = ml.zeros(Z1.cols, 1)
local epochs = run.fast and 1000 or 3000
local costs = ml.zeros(1, epochs)
for i = 1, epochs do
  local r = Z1:dot(w) - y                              -- residuals, N x 1
  costs:set(1, i, ml.inner(r, r) / (2 * N))
  w = w - 0.1 * Z1:T():dot(r) / N
  if i == 1 or i % (epochs // 5) == 0 then
    print(string.format("epoch %5d: J = %10.4f, R^2 = %.6f", i, costs:get(1, i),
                        ml.r2(y, Z1:dot(w))))
  end
end

lesson.section("ml.LinearRegression{lr, epochs}: the same descent")
local gd = ml.LinearRegression{lr = 0.1, epochs = epochs}:train(Z, y)
print(string.format("R^2 after %d epochs: %.6f (closed form %.6f)", epochs, gd:score(Z, y),
                    closed:score(X, y)))
print(string.format("its costs equal the loop's: %s",
                    tostring((gd.cost_history - costs):abs():max() < 1e-9)))
-- the weights of standardised features, mapped back to the raw ones
local W_raw = gd.W / std:T()
print(string.format("weight of bmi: %.4f by descent, %.4f by least squares",
                    W_raw:get(3, 1), closed.W:get(3, 1)))
local mom = ml.LinearRegression{lr = 0.3, epochs = 1000, optimizer = "momentum"}:train(Z, y)
print(string.format("with momentum (lr 0.3): R^2 = %.6f after 1000 epochs", mom:score(Z, y)))
-- how far the cost is above the closed form's, on a log scale: a straight
-- line means a constant rate of convergence
run.plot("line", "linear_gd_cost.svg", costs - closed.cost_history:get(1, 1),
         {title = "gradient descent: J minus the least-squares J", xlabel = "epoch",
          ylabel = "J - J_min", logy = true})
