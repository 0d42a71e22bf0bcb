-- 07_multiple_regression.lua -- "Extending linear regression to multiple
-- dimensions": y = w0 + w'x with a dummy feature x0 = 1, solved in closed
-- form from the normal equations (X'X) w = X'y with solve -- never with an
-- explicit inverse.  The data: progression of diabetes a year after 10
-- baseline measurements of 442 patients (the course's exercise suggests
-- census data; any real table works).
--
--   luaml examples/07_multiple_regression.lua [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("Multiple linear regression: w = solve(X'X, X'y), and R^2")

local X, Y, names, target = ml.datasets.diabetes()
print(string.format("%d patients, %d features (%s), target: %s", X.rows, X.cols,
                    table.concat(names, ", "), target))

lesson.section("w = solve(X'X, X'Y) with a column of ones for w0")
local X1 = ml.hstack{ml.ones(X.rows, 1), X}          -- N x (D + 1)
local w = ml.solve(X1:T():dot(X1), X1:T():dot(Y))      -- (D + 1) x 1
print("w0 (the intercept) = " .. string.format("%.6f", w:get(1, 1)))
for j = 1, X.cols do
  print(string.format("  w_%-11s = %12.6f", names[j], w:get(j + 1, 1)))
end

lesson.section("R^2 = 1 - SS_res / SS_tot")
local Yhat = X1:dot(w)
local res, tot = Y - Yhat, Y - Y:mean()
local r2 = 1 - ml.inner(res, res) / ml.inner(tot, tot)
print(string.format("R^2 = %.10f", r2))

lesson.section("the course's class: train(X, Y) and predict(X)")
local model = ml.LinearRegression():train(X, Y)        -- least squares, intercept
print(string.format("ml.LinearRegression score: R^2 = %.10f", model:score(X, Y)))
print("first five predictions next to the targets:")
print(ml.hstack{model:predict(X:slice(1, 5)), Y:slice(1, 5)})
print(string.format("largest difference from the normal equations' w: %.2e",
                    (ml.vstack{model.b, model.W} - w):abs():max()))

run.plot("scatter", "diabetes_fit.svg", ml.hstack{Y, model:predict(X)}, nil,
         {title = string.format("diabetes: prediction against target, R^2 = %.3f", r2),
          xlabel = "target", ylabel = "prediction"})
