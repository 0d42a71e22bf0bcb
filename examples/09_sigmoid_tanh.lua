-- 09_sigmoid_tanh.lua -- "Logistic regression": the sigmoid squashes any
-- activation a = w'x into (0, 1), read as P(y = 1 | x); tanh has the same
-- shape on (-1, 1) and is not a probability.  Written out from their
-- definitions and compared with the builtins, which stay finite where the
-- formulas overflow.
--
--   luaml examples/09_sigmoid_tanh.lua [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("The sigmoid and tanh")

local a = ml.linspace(-6, 6, 121)                     -- 1 x 121 activations

lesson.section("from the definitions")
-- sigmoid(a) = 1 / (1 + exp(-a)); tanh(a) = (exp(a) - exp(-a)) / (exp(a) + exp(-a))
local s = 1 / (1 + ml.exp(-a))
local t = (ml.exp(a) - ml.exp(-a)) / (ml.exp(a) + ml.exp(-a))
print(string.format("largest difference from ml.sigmoid: %.1e, from ml.tanh: %.1e",
                    (s - ml.sigmoid(a)):abs():max(), (t - ml.tanh(a)):abs():max()))

lesson.section("a few values")
print("     a   sigmoid(a)   tanh(a)")
for _, v in ipairs{-6, -2, -1, 0, 1, 2, 6} do
  print(string.format("%6.1f   %10.6f  %9.6f", v, ml.sigmoid(v), ml.tanh(v)))
end
print("sigmoid(0) = " .. ml.sigmoid(0) .. ": on the boundary w'x = 0 either class is as likely")

lesson.section("the same curve, rescaled: tanh(a) = 2 sigmoid(2a) - 1")
print(string.format("largest difference: %.1e", (ml.tanh(a) - (2 * ml.sigmoid(2 * a) - 1)):abs():max()))

lesson.section("why the builtins: the formula overflows for large |a|")
print(string.format("formula tanh(800) = %s, ml.tanh(800) = %s; ml.sigmoid(-800) = %s",
                    tostring((math.exp(800) - math.exp(-800)) / (math.exp(800) + math.exp(-800))),
                    tostring(ml.tanh(800)), tostring(ml.sigmoid(-800))))

if ml.plot then print("sigmoid: " .. ml.plot.text(s)) end
run.plot("line", "sigmoid_tanh.svg", ml.vstack{s, t},
         {x = a, labels = {"sigmoid(a)", "tanh(a)"}, title = "sigmoid and tanh",
          xlabel = "a"})
