-- 15_autograd.lua -- "the computation graph", done by the machine: write
-- the forward pass, and ml.grad gives the backward pass.  The derivatives
-- that 04_derivatives.lua and 05_logistic_regression_nn.lua work out by
-- hand come out of ml.grad / ml.value_and_grad, and are compared with them.
--
--   luaml examples/15_autograd.lua [--fast] [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("Automatic gradients: the computation graph done by ml.grad")

lesson.section("J(a, b, c) = 3(a + bc): write the forward pass only")
-- ml.grad(J) is a function of J's arguments that returns dJ/da, dJ/db,
-- dJ/dc; ml.value_and_grad(J) returns J's value first
local function J(a, b, c)
  local u = b * c
  local v = a + u
  return 3 * v
end
local value, da, db, dc = ml.value_and_grad(J)(5, 3, 2)
print(string.format("J = %g;  dJ/da = %g, dJ/db = %g, dJ/dc = %g", value, da, db, dc))
print(string.format("by hand (04_derivatives): dJ/da = 3, dJ/db = 3c = %g, dJ/dc = 3b = %g",
                    3 * 2, 3 * 3))

lesson.section("the assignment's propagate(): cost, dw, db of logistic regression")
-- the course's check: w = [1; 2], b = 2, X = [1 2 -1; 3 4 -3.2] (one
-- example per column), Y = [1 0 1]; the cost is the mean cross-entropy
local w, b = ml.matrix{{1}, {2}}, 2
local X = ml.matrix{{1, 2, -1}, {3, 4, -3.2}}
local Y = ml.matrix{{1, 0, 1}}
local m = X.cols
local function cost(w, b)
  local A = ml.sigmoid(w:T():dot(X) + b)                   -- 1 x m
  return -(Y * ml.log(A) + (1 - Y) * ml.log(1 - A)):sum() / m
end
local c, dw, dbias = ml.value_and_grad(cost)(w, b)
print(string.format("cost = %.16g", c))
print("dw = " .. string.format("%.8f %.8f", dw:get(1, 1), dw:get(2, 1)) ..
      string.format("   db = %.16g", dbias))
-- the hand-derived gradients of 05: dw = X (A - Y)' / m, db = mean(A - Y)
local A = ml.sigmoid(w:T():dot(X) + b)
local dw_hand, db_hand = X:dot((A - Y):T()) / m, (A - Y):mean()
print(string.format("largest difference from X(A - Y)'/m and mean(A - Y): %.1e",
                    math.max(ml.abs(dw - dw_hand):max(), math.abs(dbias - db_hand))))

lesson.section("on m examples (one per row): ml.grad against dw = X'(A - Y)/m")
ml.seed(4)
local n, D = 200, 3
local Xr = ml.randn(n, D)
local Yr = (Xr:dot(ml.matrix{{1.5}, {-2}, {0.5}}) + 0.3 * ml.randn(n, 1)):gt(0)
local function loss(w, b)
  return ml.binary_cross_entropy(ml.sigmoid(Xr:dot(w) + b), Yr)
end
local wr, br = ml.randn(D, 1), 0.1
local _, gw, gb = ml.value_and_grad(loss)(wr, br)
local Ar = ml.sigmoid(Xr:dot(wr) + br)
print(string.format("largest difference from the hand-derived gradient: %.1e",
                    math.max(ml.abs(gw - Xr:T():dot(Ar - Yr) / n):max(),
                             math.abs(gb - (Ar - Yr):mean()))))
-- the same against central differences
local err = ml.check_grad(function(v) return loss(v, br), (ml.grad(loss)(v, br)) end, wr)
print(string.format("check_grad of ml.grad's dw: relative error %.1e", err))

lesson.section("gradient descent with ml.value_and_grad")
local step = ml.value_and_grad(loss)
local iters = run.fast and 50 or 500
local costs = ml.zeros(1, iters)
wr, br = ml.zeros(D, 1), 0
for i = 1, iters do
  local ci, gwi, gbi = step(wr, br)
  costs:set(1, i, ci)
  wr:add_(gwi, -0.5)
  br = br - 0.5 * gbi
  if (i - 1) % (iters // 5) == 0 then
    print(string.format("Cost after iteration %d: %f", i - 1, ci))
  end
end
local acc = ml.mean((Xr:dot(wr) + br):gt(0):eq(Yr))
print(string.format("training accuracy: %.1f%%", 100 * acc))
run.plot("line", "autograd_cost.svg", costs,
         {title = "logistic regression trained with ml.value_and_grad",
          xlabel = "iteration", ylabel = "cost"})
