-- 06_linear_regression_1d.lua -- "Linear regression" in one dimension: the
-- line of best fit y = m x + b by the closed-form formula that setting
-- dJ/dm = dJ/db = 0 gives for J = sum (y_i - (m x_i + b))^2, and R^2, how
-- much of the variation of y the line explains.
--
--   luaml examples/06_linear_regression_1d.lua [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("Linear regression in 1-D: the line of best fit by formula")

-- 100 points near the line y = 2x + 1, with Gaussian noise
ml.seed(6)
local X, Y = ml.datasets.line(100, {slope = 2, intercept = 1, noise = 1})
local N = X.rows

lesson.section("the formula")
-- m = (N sum(xy) - sum(x) sum(y)) / (N sum(x^2) - sum(x)^2), b = mean(y) - m mean(x)
local sx, sy = X:sum(), Y:sum()
local sxy, sxx = ml.inner(X, Y), ml.inner(X, X)
local m = (N * sxy - sx * sy) / (N * sxx - sx * sx)
local b = Y:mean() - m * X:mean()
print(string.format("m = %.6f, b = %.6f   (the data were made with m = 2, b = 1)", m, b))

lesson.section("how good is the fit?  R^2 = 1 - SS_res / SS_tot")
local Yhat = m * X + b
local d1, d2 = Y - Yhat, Y - Y:mean()
local r2 = 1 - ml.inner(d1, d1) / ml.inner(d2, d2)
print(string.format("R^2 = %.6f (ml.r2 says %.6f)", r2, ml.r2(Y, Yhat)))

lesson.section("the same line from ml.LinearRegression (least squares)")
local model = ml.LinearRegression():train(X, Y)
print(string.format("W = %.6f, b = %.6f, score (R^2) = %.6f", model.W:get(1, 1),
                    model.b:get(1, 1), model:score(X, Y)))
print("formula and model agree: " .. tostring(math.abs(model.W:get(1, 1) - m) < 1e-10
                                               and math.abs(model.b:get(1, 1) - b) < 1e-10))

-- the data as dots, the fitted line drawn through them
local xs = ml.matrix{{X:min()}, {X:max()}}
run.plot("scatter", "line_fit.svg", ml.hstack{X, Y}, nil,
         {line = ml.hstack{xs, model:predict(xs)}, line_label = "fitted line",
          title = "y = mx + b by the formula", xlabel = "x", ylabel = "y"})
