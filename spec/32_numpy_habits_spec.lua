-- 32: numpy habits either work or get an error that says what to write:
-- comparisons with < and ==, A.dot(B), A * B for a product, ml.matrix's
-- arguments, the D x N layout in fit, accuracy's labels; and the defects
-- found against numpy: arange past b, nearly singular inv/solve,
-- minimize's 1x1 cost.
local ml = require "luaml"
local H = dofile("spec/helpers.lua")

describe("comparisons that Lua cannot make", function()
  local P, Y = ml.matrix{{0.2, 0.7}}, ml.matrix{{0, 1}}
  it("X > v and v < X name X:gt(v)", function()
    H.raises(function() return P > 0.5 end, "X > 0.5 on a matrix", "X:gt(0.5)")
    H.raises(function() return 0.5 < P end, "X:gt(0.5)")
  end)
  it("<, <=, >= and two matrices name lt, le, ge", function()
    H.raises(function() return P < 0.5 end, "X:lt(0.5)")
    H.raises(function() return P <= Y end, "X <= Y", "X:le(Y)")
    H.raises(function() return P >= 1 end, "X:ge(1)")
  end)
  it("the methods they name give the 0/1 matrices", function()
    H.close(P:gt(0.5), {{0, 1}})
    H.close(P:le(Y), {{0, 1}})
  end)
  it("(A == B):mean() explains == and names A:eq(B)", function()
    H.raises(function() return (P == Y):mean() end,
             "method 'mean' of a boolean value", "A == B compares whole matrices",
             "A:eq(B)")
    H.close(P:eq(Y):mean(), 0)
  end)
  it("indexing another boolean stays Lua's error", function()
    local b = true
    H.raises(function() return b.rows end, "attempt to index a boolean value (field 'rows')")
    assert.is_nil(getmetatable(true).__name)
  end)
end)

describe("method calls and products", function()
  local A, B = ml.ones(2, 3), ml.ones(3, 4)
  it("A.dot(B) points to the colon", function()
    local msg = H.raises(function() return A.dot(B) end,
                         "bad argument #2", "a method call takes a colon")
    assert.truthy(msg:find("X:dot(Y), not X.dot(Y)", 1, true))
  end)
  it("A * B of shapes that fit a product points to A:dot(B)", function()
    H.raises(function() return A * B end,
             "cannot broadcast 2x3 with 3x4", "for the matrix product write A:dot(B)")
    local msg = H.raises(function() return A * ml.ones(4, 5) end,
                         "cannot broadcast 2x3 with 4x5")
    assert.falsy(msg:find("dot", 1, true))
  end)
end)

describe("ml.matrix's arguments", function()
  it("rows as separate tables are an error showing the one-table form", function()
    H.raises(function() return ml.matrix({1, 2}, {3, 4}) end,
             "matrix: got 2 tables", "ml.matrix{{1, 2}, {3, 4}}")
  end)
  it("a shape is an error pointing to zeros and full", function()
    H.raises(function() return ml.matrix(3, 4) end,
             "matrix(3, 4)", "ml.zeros(r, c)", "ml.full(r, c, v)")
  end)
  it("one number is still a 1x1 matrix; a trailing nil is no argument", function()
    H.close(ml.matrix(3), {{3}})
    H.close(ml.matrix({1, 2}, nil), {{1, 2}})
  end)
end)

describe("models blame X for the course's D x N layout", function()
  local X = ml.matrix{{0, 0}, {1, 1}, {2, 0}, {0, 2}, {3, 3}, {1, 0}}
  local y = ml.matrix{{0}, {1}, {0}, {1}, {1}, {0}}
  it("fit(X:T(), y) says to pass X:T()", function()
    local m = ml.LogisticRegression{epochs = 2}
    H.raises(function() m:fit(X:T(), y) end,
             "X is 2x6 but y has 6 targets", "one sample per row", "pass X:T()")
    H.raises(function() m:fit(X:T(), y:T()) end, "pass X:T() and y:T()")
    m:fit(X, y)  -- the N x D layout trains
  end)
  it("a y that fits neither layout keeps the message about y", function()
    H.raises(function() ml.LinearRegression():fit(X, ml.ones(4, 1)) end,
             "y must be a 6x1 column")
  end)
end)

describe("accuracy with N x K scores", function()
  local S = ml.matrix{{0.1, 0.9}, {0.8, 0.2}, {0.3, 0.7}}
  it("a label outside 0..K-1 is an error naming it", function()
    H.raises(function() return ml.accuracy(S, ml.matrix{{1}, {0}, {2}}) end,
             "accuracy: label 2 of sample 3", "2 score columns", "0..1")
    H.raises(function() return ml.accuracy(S, ml.matrix{{-1}, {0}, {1}}) end, "label -1")
    H.raises(function() return ml.accuracy(S, ml.matrix{{0.5}, {0}, {1}}) end, "label 0.5")
  end)
  it("labels in range count as before", function()
    H.close(ml.accuracy(S, ml.matrix{{1}, {0}, {0}}), 2 / 3)
  end)
end)

describe("arange never passes b", function()
  it("the cases found against numpy", function()
    H.close(ml.arange(1, 1.9999999995), {{1}})
    local r = ml.arange(0, 0.9999999999, 0.1)
    assert.are.equal(10, r.cols)
    assert.is_true(r:get(1, 10) <= 0.9999999999)
  end)
  it("b is included when reached up to rounding, and is then b itself", function()
    local r = ml.arange(0, 0.3, 0.1)
    assert.are.equal(4, r.cols)
    assert.are.equal(0.3, r:get(1, 4))
    assert.are.equal(11, ml.arange(0, 1, 0.1).cols)
    assert.are.equal(1, ml.arange(0, 1, 0.1):get(1, 11))
    H.close(ml.arange(5, 1, -1.5), {{5, 3.5, 2}})
  end)
  it("huge ranges: nothing when b is below a, too many is an error", function()
    assert.are.same({1, 0}, {ml.arange(1e308, -1e308, 1e-300):shape()})
    H.raises(function() return ml.arange(-1e308, 1e308, 1e-300) end,
             "arange", "too many")
  end)
  it("over 2000 random ranges: last <= b, and b - last < step", function()
    ml.seed(11)
    for _ = 1, 2000 do
      local a = (ml.rand() - 0.5) * 10 ^ math.floor(ml.rand() * 8 - 2)
      local step = 10 ^ math.floor(ml.rand() * 4 - 3) * (1 + ml.rand())
      local b = a + step * (ml.rand() * 50)
      local r = ml.arange(a, b, step)
      local last = r:get(1, r.cols)
      assert.is_true(last <= b, ("arange(%.17g, %.17g, %.17g) ends at %.17g"):format(a, b, step, last))
      assert.is_true(b - last < step * (1 + 1e-9), ("arange(%.17g, %.17g, %.17g) stops early"):format(a, b, step))
    end
  end)
end)

describe("matrices singular to working precision", function()
  -- row 3 is twice row 1 up to rounding: LU finds no exact zero pivot
  local A = ml.matrix{{0.3, 0.7, 1.1}, {1, 2, 3}, {0.6, 1.4, 2.2}}
  it("inv and solve raise the singular error (numpy: Singular matrix)", function()
    H.raises(function() return ml.inv(A) end, "inv: the matrix is singular",
             "ml.lstsq")
    H.raises(function() return ml.solve(A, ml.ones(3, 1)) end,
             "solve: the matrix is singular")
  end)
  it("det returns its tiny value, as numpy's", function()
    assert.is_true(math.abs(ml.det(A)) < 1e-15)
  end)
  it("ill-conditioned but invertible matrices still invert (Hilbert 8)", function()
    local Hm = ml.zeros(8, 8)
    for i = 1, 8 do for j = 1, 8 do Hm:set(i, j, 1 / (i + j - 1)) end end
    local E = Hm:dot(ml.inv(Hm)) - ml.eye(8)
    assert.is_true(E:abs():max() < 1e-5)
  end)
end)

describe("minimize with a 1x1 matrix cost", function()
  it("J = x^2 + x computed on a 1x1 x reaches -0.5", function()
    local x = ml.minimize(function(x) return x * x + x, 2 * x + 1 end,
                          ml.full(1, 1, 3), {lr = 0.1, iters = 200})
    H.close(x, {{-0.5}}, 1e-9)
  end)
  it("a cost of another shape names the fix", function()
    H.raises(function()
      return ml.minimize(function(x) return x * x, 2 * x end, ml.ones(2, 1))
    end, "minimize: f's cost must be a number or a 1x1 matrix, got a 2x1", "cost:sum()")
  end)
end)
