-- 12_gradient_descent.lua -- "Gradient descent": step against the gradient,
-- w <- w - learning_rate * dJ/dw.  The chapter's warm-up: minimise
-- J = x^2 + x, whose gradient is 2x + 1 and whose minimum is at x = -1/2.
-- Then what the learning rate does: too small crawls, too large bounces
-- across the valley or flies out of it.
--
--   luaml examples/12_gradient_descent.lua [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("Gradient descent on J = x^2 + x")

local function J(x) return x * x + x end
local function dJ(x) return 2 * x + 1 end

lesson.section("by hand: x <- x - lr * (2x + 1), from x = 3, lr = 0.1")
local x = 3
for i = 1, 30 do
  x = x - 0.1 * dJ(x)
  if i % 5 == 0 then print(string.format("step %2d: x = %.6f, J = %.6f", i, x, J(x))) end
end

lesson.section("ml.minimize(f, x0, {lr, iters}), f returning the cost and gradient")
local xmin = ml.minimize(function(v) return J(v), dJ(v) end, 3, {lr = 0.1, iters = 200})
print(string.format("minimum found at x = %.10f, J = %.10f", xmin, J(xmin)))

lesson.section("the learning rate")
local rates = {0.01, 0.1, 0.5, 0.95, 1.05}
local curves = {}
for k, lr in ipairs(rates) do
  local xe, costs = ml.minimize(function(v) return J(v), dJ(v) end, 3, {lr = lr, iters = 30})
  curves[k] = costs
  local gap = math.abs(xe + 0.5)
  local verdict = gap < 1e-3 and "converged" or gap > 3.5 and "diverged: each step overshoots"
                  or lr > 0.5 and "bouncing across the minimum" or "creeping towards it"
  print(string.format("lr = %-5g after 30 steps: x = %12.6f  (%s)", lr, xe, verdict))
end
print("With J = x^2 + x, every step multiplies x + 1/2 by (1 - 2 lr): lr = 0.5")
print("lands on the minimum at once, 0.5 < lr < 1 bounces around it, lr > 1 diverges.")

lesson.section("the same valley with momentum and Adam")
for _, o in ipairs{"momentum", "adam"} do
  local xo = ml.minimize(function(v) return J(v), dJ(v) end, 3,
                         {lr = 0.1, iters = 300, optimizer = o})
  print(string.format("%-8s: x = %.6f after 300 steps", o, xo))
end

-- the cost curves of the rates that stay in the valley
run.plot("line", "learning_rates.svg", ml.vstack{curves[1], curves[2], curves[3], curves[4]},
         {labels = {"lr 0.01", "lr 0.1", "lr 0.5", "lr 0.95"}, x = ml.arange(0, 29),
          title = "J = x^2 + x: cost against steps", xlabel = "step", ylabel = "J"})
