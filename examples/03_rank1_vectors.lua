-- 03_rank1_vectors.lua -- "A note on python/numpy vectors": numpy's rank-1
-- arrays (shape (5,)) behave neither as rows nor as columns, a source of
-- subtle bugs.  luaml has no rank-1 arrays: every vector is 1xn or nx1, and
-- every result is 2-D, so the pitfalls below cannot happen.
--
--   luaml examples/03_rank1_vectors.lua [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
lesson.start("Rank-1 arrays: why luaml has none")

local function shape(m) return m.rows .. "x" .. m.cols end

lesson.section("numpy: a = np.random.randn(5) has shape (5,); a.T is the same thing")
print("In numpy, np.dot(a, a.T) is then a number, not the outer product you")
print("might expect, and a + a.T silently stays a rank-1 array.")

lesson.section("luaml: say which vector you mean")
ml.seed(3)
local a = ml.randn(5, 1)          -- a column: 5x1
print("a = ml.randn(5, 1)      ", shape(a))
print("a:T()                   ", shape(a:T()), "(a view: no copy)")
print("a:dot(a:T())  (outer)   ", shape(a:dot(a:T())))
print("a:T():dot(a)  (inner)   ", shape(a:T():dot(a)), string.format("= %.6f", a:T():dot(a):get(1, 1)))
print("ml.matrix{1, 2, 3}      ", shape(ml.matrix{1, 2, 3}), "(a row)")

lesson.section("reductions keep two dimensions (numpy's keepdims=True)")
local M = ml.randn(5, 3)
print("M:sum(1)                ", shape(M:sum(1)))
print("M:sum(2)                ", shape(M:sum(2)))
print("M / M:sum(2)            ", shape(M / M:sum(2)), "(each row divided by its sum)")

lesson.section("the pitfall that remains in any broadcasting language")
-- a column plus a row is not an error: it broadcasts to a matrix
local row = ml.matrix{{1, 2, 3}}
local col = ml.matrix{{10}, {20}, {30}}
print("(3x1) + (1x3) =", shape(col + row))
print(col + row)
print("So check the shapes you expect, as the course advises with assert:")
local ok, err = pcall(function()
  local s = col + row
  assert(s.rows == 3 and s.cols == 1, "expected a 3x1 column, got " .. shape(s))
end)
print(ok, err)

lesson.section("reshape makes a row a column, and back")
local r = ml.arange(1, 6)                 -- 1x6
print("ml.arange(1, 6)         ", shape(r))
print("r:reshape(6, 1)         ", shape(r:reshape(6, 1)))
print("r:reshape(2, -1)        ", shape(r:reshape(2, -1)))
