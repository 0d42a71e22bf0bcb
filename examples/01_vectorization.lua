-- 01_vectorization.lua -- "Python and vectorization": why we avoid explicit
-- loops.  The dot product of two vectors of a million random numbers,
-- once with a Lua `for` loop and once with one call into BLAS (`dot`).
--
--   luaml examples/01_vectorization.lua [--fast] [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("Vectorization: a for loop against one vectorized call")

local n = run.fast and 100000 or 1000000
ml.seed(1)
local a = ml.rand(1, n)           -- two rows of n random numbers in [0, 1)
local b = ml.rand(1, n)

-- time f over enough repetitions to measure; returns its result and the
-- milliseconds one call takes
local function timed(f)
  local reps, t0, r = 0, os.clock(), nil
  repeat
    r = f()
    reps = reps + 1
  until os.clock() - t0 > 0.2
  return r, 1000 * (os.clock() - t0) / reps
end

lesson.section("c = a . b over " .. n .. " elements")
-- vectorized: a (1 x n) times b transposed (n x 1) is a 1 x 1 matrix
local c_vec, t_vec = timed(function() return a:dot(b:T()):get(1, 1) end)
print(string.format("%-22s c = %.6f %10.3f ms", "Vectorized version:", c_vec, t_vec))

-- the explicit loop, one element of each matrix at a time
local c_loop, t_loop = timed(function()
  local c = 0
  for i = 1, n do c = c + a:get(1, i) * b:get(1, i) end
  return c
end)
print(string.format("%-22s c = %.6f %10.3f ms", "For loop:", c_loop, t_loop))

-- even a loop over plain Lua arrays, the fastest loop Lua has, is slower
local at, bt = a:totable()[1], b:totable()[1]
local c_tab, t_tab = timed(function()
  local c = 0
  for i = 1, n do c = c + at[i] * bt[i] end
  return c
end)
print(string.format("%-22s c = %.6f %10.3f ms", "Loop over Lua arrays:", c_tab, t_tab))
print(string.format("speed-up of dot over the loop: %.0fx (over Lua arrays: %.0fx)",
                    t_loop / t_vec, t_tab / t_vec))
print(string.format("same result: %s (relative difference %.1e)",
                    tostring(math.abs(c_vec - c_loop) <= 1e-9 * c_vec),
                    math.abs(c_vec - c_loop) / c_vec))

lesson.section("more vectorization: u = exp(v) for every element")
local v = ml.rand(1, n)
local u_vec, te_vec = timed(function() return ml.exp(v) end)
local u_loop, te_loop = timed(function()
  local u = ml.zeros(1, n)
  for i = 1, n do u:set(1, i, math.exp(v:get(1, i))) end
  return u
end)
print(string.format("ml.exp(v): %.3f ms   loop: %.3f ms   speed-up %.0fx", te_vec, te_loop,
                    te_loop / te_vec))
print(string.format("largest difference: %g", (u_vec - u_loop):abs():max()))
print("Rule of thumb: whenever possible, avoid explicit for loops.")
