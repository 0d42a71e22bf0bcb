-- 04_derivatives.lua -- "Derivatives" and "the computation graph": the
-- forward pass computes the cost step by step, the backward pass applies
-- the chain rule from the end.  Every derivative worked out by hand here is
-- checked numerically with ml.check_grad (central differences).
--
--   luaml examples/04_derivatives.lua [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("Derivatives, the computation graph, and logistic regression's gradients")

lesson.section("a derivative is a slope: nudge a by 0.001")
for _, f in ipairs{{"f(a) = 3a", function(a) return 3 * a end},
                   {"f(a) = a^2", function(a) return a * a end}} do
  local a = 2
  local slope = (f[2](a + 0.001) - f[2](a)) / 0.001
  print(string.format("%-11s at a = 2: f grows by %.6f, slope %.3f", f[1],
                      f[2](a + 0.001) - f[2](a), slope))
end

lesson.section("the computation graph of J(a, b, c) = 3(a + bc)")
-- forward: u = bc, v = a + u, J = 3v
local a, b, c = 5, 3, 2
local u = b * c
local v = a + u
local J = 3 * v
print(string.format("forward:  u = bc = %g,  v = a + u = %g,  J = 3v = %g", u, v, J))
-- backward: dJ/dv = 3; dJ/da = dJ/dv * dv/da = 3; dJ/du = 3;
-- dJ/db = dJ/du * du/db = 3c; dJ/dc = dJ/du * du/dc = 3b
local dv = 3
local da, du = dv, dv
local db, dc = du * c, du * b
print(string.format("backward: dJ/dv = %g, dJ/da = %g, dJ/db = %g, dJ/dc = %g", dv, da, db, dc))
local function graph(x)   -- x = [a b c] as a 1x3 row; returns J and its gradient
  local xa, xb, xc = x:get(1, 1), x:get(1, 2), x:get(1, 3)
  return 3 * (xa + xb * xc), ml.matrix{{3, 3 * xc, 3 * xb}}
end
local err = ml.check_grad(graph, ml.matrix{{a, b, c}})
print(string.format("check_grad of (dJ/da, dJ/db, dJ/dc): relative error %.1e", err))

lesson.section("logistic regression on one example: dz = a - y")
-- z = w1 x1 + w2 x2 + b, a = sigmoid(z), L = -(y log a + (1-y) log(1-a))
local x1, x2, y = 1.5, -0.5, 1
local function loss(p)    -- p = [w1 w2 b]
  local z = p:get(1, 1) * x1 + p:get(1, 2) * x2 + p:get(1, 3)
  local act = ml.sigmoid(z)
  local dz = act - y                      -- dL/da * da/dz = a - y
  return -(y * math.log(act) + (1 - y) * math.log(1 - act)),
         ml.matrix{{x1 * dz, x2 * dz, dz}}  -- dw1 = x1 dz, dw2 = x2 dz, db = dz
end
local p = ml.matrix{{0.3, -0.2, 0.1}}
local L, grad = loss(p)
print(string.format("L = %.6f, dw1 = %.6f, dw2 = %.6f, db = %.6f", L, grad:get(1, 1),
                    grad:get(1, 2), grad:get(1, 3)))
print(string.format("check_grad: relative error %.1e", ml.check_grad(loss, p)))

lesson.section("on m examples at once (vectorized): dw = X'(A - Y)/m, db = mean(A - Y)")
ml.seed(4)
local m, D = 50, 3
local X = ml.randn(m, D)                   -- one example per row
local Y = ml.rand(m, 1):gt(0.5)
local function cost(w)                      -- w: D x 1, the bias fixed at 0.2
  local A = ml.sigmoid(X:dot(w) + 0.2)
  local Jm = -(Y * ml.log(A) + (1 - Y) * ml.log(1 - A)):sum() / m
  return Jm, X:T():dot(A - Y) / m
end
local w = ml.randn(D, 1)
local errm = ml.check_grad(cost, w)
print(string.format("J = %.6f; check_grad of dw over %d examples: relative error %.1e",
                    cost(w), m, errm))
print("all gradients agree with central differences: " ..
      tostring(math.max(err, ml.check_grad(loss, p), errm) < 1e-7))
run.plot("line", "slope_a_squared.svg", ml.linspace(0, 4, 41):square(),
         {x = ml.linspace(0, 4, 41), title = "f(a) = a^2: the slope at a is 2a",
          xlabel = "a", ylabel = "f(a)"})
