-- 16: the fast paths (vectorised loops, SLEEF's exp/log/sigmoid/tanh,
-- threads for large matrices, the small and skinny product loops) give the numbers of
-- the plain ones: the scalar functions (libm, numbers in and out), an
-- element-by-element Lua loop, and each other in every layout (dense,
-- a block of a larger matrix, transposed, a block of a transposed one,
-- broadcast).  Matrices of 520x520 (300x300 for exp, log ...) are above
-- the size from which kernels split their work across threads.  No
-- timings here: see bench/.
local ml = require "luaml"
local H = dofile("spec/helpers.lua")

-- the 64 bits of a double as an integer ordered like the reals
local function ord(x)
  local i = string.unpack("<i8", string.pack("<d", x))
  if i < 0 then i = math.mininteger - i end
  return i
end

local function samebits(a, b)
  if a ~= a or b ~= b then return a ~= a and b ~= b end
  return string.pack("<d", a) == string.pack("<d", b)
end

-- distance in ulps (NaN against NaN is 0, NaN against a number huge)
local function ulps(a, b)
  if a ~= a or b ~= b then return (a ~= a and b ~= b) and 0 or math.huge end
  return math.abs(ord(a) - ord(b))
end

-- the values of every step-th row of m, row by row, in a flat list
local function values(m, step)
  local t, k = {}, 0
  local rows = (step and step > 1) and m:take(ml.arange(1, m.rows, step)) or m
  for _, row in ipairs(rows:totable()) do
    for _, v in ipairs(row) do k = k + 1; t[k] = v end
  end
  return t
end

-- 1 where a and b hold the same value (NaN matching NaN), else 0
local function same(a, b)
  return a:eq(b):add_(a:isnan():mul_(b:isnan()))
end

-- the first (row-major) position where two matrices differ in a bit
-- (zeros by their sign too: 1/x tells -0 from +0), or nil
local function firstdiff(a, b)
  assert(a.rows == b.rows and a.cols == b.cols, "shapes differ")
  local n = a.rows * a.cols
  local eq = same(a, b)
  if a:eq(0):sum() > 0 then eq:mul_(same(a:reciprocal(), b:reciprocal())) end
  if n == 0 or eq:sum() == n then return nil end
  local k = eq:argmin() - 1
  local i, j = k // a.cols + 1, k % a.cols + 1
  return k + 1, a:get(i, j), b:get(i, j)
end

-- the same r x c values laid out four ways
local function layouts(m)
  local r, c = m:shape()
  local big = ml.full(r + 3, c + 5, 7.5)
  big:slice(2, r + 1, 3, c + 2):copy_(m)
  local tbig = ml.full(c + 4, r + 2, -7.5)
  tbig:slice(3, c + 2, 2, r + 1):copy_(m:T())
  return {
    dense = m,
    block = big:slice(2, r + 1, 3, c + 2),
    transposed = m:T():copy():T(),
    tblock = tbig:T():slice(2, r + 1, 3, c + 2),
  }
end

local SPECIAL = {0 / 0, math.huge, -math.huge, 0.0, -0.0, 1e308, -1e308,
                 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, -1e-300,
                 709.78, 709.79, 710, -708.39, -708.4, -745.2, -746, 708.5,
                 -708.5, 19, 19.5, -19.5, 0x1p-27, -0x1p-28, 1, -1, 0.5}

-- an n x n sweep of [lo, hi] with the special values spread through it
local function sweep(lo, hi, n)
  local m = ml.linspace(lo, hi, n * n):reshape(n, n):copy()
  for k, v in ipairs(SPECIAL) do
    local p = (k * 9973) % (n * n)
    m:set(p // n + 1, p % n + 1, v)
  end
  return m
end

local FUNCS = {  -- name, documented bound in ulps (core_simd.c), range
  {"exp", 1, -760, 720}, {"log", 1, 1e-12, 1e12}, {"sigmoid", 2, -800, 800},
  {"tanh", 2, -25, 25},
}

describe("fast elementwise functions", function()
  for _, f in ipairs(FUNCS) do
    local name, bound = f[1], f[2]
    local m = sweep(f[3], f[4], 300)
    if name == "log" then m:set(1, 1, -1.0); m:set(1, 2, -0.0) end
    local fast = m[name](m)

    it(name .. " is within " .. bound .. " ulp of libm, special values exactly", function()
      local worst, bad = 0, nil
      local x, z = values(m, 13), values(fast, 13)  -- spec/c/test_simd.c: 10^6
      for k = 1, #x do
        local p = ml[name](x[k])  -- a number: the plain libm path
        local special = x[k] ~= x[k] or x[k] == 0 or math.abs(x[k]) == math.huge
          or p ~= p or p == 0 or math.abs(p) == math.huge or math.abs(p) < 2.3e-308
          or math.abs(x[k]) < 2.3e-308
        if special then
          if not samebits(z[k], p) and not bad then
            bad = string.format("%s(%.17g) = %.17g, libm %.17g", name, x[k], z[k], p)
          end
        else
          worst = math.max(worst, ulps(z[k], p))
        end
      end
      assert.is_nil(bad)
      assert.is_true(worst <= bound, name .. ": " .. worst .. " ulp")
    end)

    it(name .. " gives the same bits in every layout and in place", function()
      for lname, v in pairs(layouts(m)) do
        local k, a, b = firstdiff(v[name](v), fast)
        assert.is_nil(k, lname .. ": element " .. tostring(k) .. ": " ..
                      tostring(a) .. " vs " .. tostring(b))
      end
      local c = m:copy()
      c[name .. "_"](c)
      assert.is_nil((firstdiff(c, fast)))
      local out = ml.zeros(m:shape())
      m[name](m, out)
      assert.is_nil((firstdiff(out, fast)))
    end)

    it(name .. " of each row alone (one thread) equals the whole (threads)", function()
      for i = 1, m.rows, 37 do
        assert.is_nil((firstdiff(m:row(i)[name](m:row(i)), fast:row(i))))
      end
    end)
  end
end)

-- the plain result of a op b, element by element in Lua
local SCALAR = {
  add = function(x, y) return x + y end, sub = function(x, y) return x - y end,
  mul = function(x, y) return x * y end, div = function(x, y) return x / y end,
  maximum = function(x, y) return ml.maximum(x, y) end,
  minimum = function(x, y) return ml.minimum(x, y) end,
  lt = function(x, y) return x < y and 1.0 or 0.0 end,
}

local LAYOUT_OPS = {add = true, div = true, maximum = true, lt = true}

describe("fast binary operations", function()
  local a = sweep(-3, 3, 520)
  local b = ml.linspace(5, -4, 520 * 520):reshape(520, 520):copy()
  b:set(3, 3, 0 / 0); b:set(4, 4, 0.0); b:set(5, 5, -0.0)
  local row, col = b:row(7):copy(), b:col(9):copy()
  local la, lb = layouts(a), layouts(b)
  local rows, cols = ml.ones(520, 1):dot(row), col:dot(ml.ones(1, 520))
  local quarter = ml.full(520, 520, 0.25)

  for op, f in pairs(SCALAR) do
    it(op .. " equals the scalar operation in every layout and broadcast", function()
      local want
      local x, y = values(a, 23), values(b, 23)
      local got = ml[op](a, b)
      local g = values(got, 23)
      for k = 1, #x do
        assert.is_true(samebits(g[k], f(x[k], y[k])), op .. " at " .. k)
      end
      if not LAYOUT_OPS[op] then return end  -- the loops are one template
      for lname, v in pairs(la) do
        assert.is_nil((firstdiff(ml[op](v, lb[lname]), got)), lname)
      end
      -- broadcast a row, a column, a number: against the expanded operand
      want = ml[op](a, rows)
      assert.is_nil((firstdiff(ml[op](a, row), want)), "row")
      want = ml[op](a, cols)
      assert.is_nil((firstdiff(ml[op](a, col), want)), "column")
      want = ml[op](a, quarter)
      assert.is_nil((firstdiff(ml[op](a, 0.25), want)), "number right")
      want = ml[op](quarter, a)
      assert.is_nil((firstdiff(ml[op](0.25, a), want)), "number left")
    end)
  end

  it("the optimiser step w:add_(g, -lr) is w - lr*g without fused rounding", function()
    local w, g = a:copy(), b
    w:add_(g, -0.1)
    local x, y, z = values(a, 23), values(g, 23), values(w, 23)
    for k = 1, #x do
      assert.is_true(samebits(z[k], x[k] + (-0.1) * y[k]), "at " .. k)
    end
    local v = la.tblock:copy()
    v:add_(lb.transposed, -0.1)
    assert.is_nil((firstdiff(v, w)))
  end)

  it("results of 32 MB and more (streamed to memory) hold the same bits", function()
    -- 2050 x 2047: 33.6 MB, odd rows (rows start at every alignment)
    local r, c = 2050, 2047
    local x = ml.linspace(-3, 7, r * c):reshape(r, c):copy()
    local y = ml.linspace(2, -5, r * c):reshape(r, c):copy()
    y:set(4, 4, 0.0); y:set(5, 5, -0.0); y:set(6, 6, 1e-310)
    local row, col = y:row(9):copy(), y:col(11):copy()
    local xs = ml.zeros(r + 1, c + 3):slice(2, r + 1, 2, c + 1)  -- rows misaligned
    xs:copy_(x)
    for _, op in ipairs({"sub", "div"}) do  -- (+ and * are the same template)
      -- against the same operation in place (plain stores): equal everywhere
      local function check(got, want, what)
        assert.are.equal(0, got:ne(want):sum(), op .. " " .. what)
      end
      local inplace = x:copy()[op .. "_"]
      check(ml[op](x, y), inplace(x:copy(), y), "matrix")
      check(ml[op](xs, y), inplace(x:copy(), y), "view")
      check(ml[op](x, row), inplace(x:copy(), row), "row")
      check(ml[op](x, col), inplace(x:copy(), col), "column")
      check(ml[op](x, 0.3), inplace(x:copy(), 0.3), "number")
      check(ml[op](0.3, x), inplace(ml.full(r, c, 0.3), x), "number left")
      local o = ml.zeros(r, c + 3):slice(1, r, 4, c + 3)  -- a misaligned out
      ml[op](x:T():copy():T(), y, o)
      check(o, inplace(x:copy(), y), "out view")
      local z = ml[op](x, y)  -- and the scalar operation, with 0, -0, subnormal
      for _, ij in ipairs({{1, 1}, {4, 4}, {5, 5}, {6, 6}, {7, 1000}, {r, c}}) do
        local i, j = ij[1], ij[2]
        assert.is_true(samebits(z:get(i, j), SCALAR[op](x:get(i, j), y:get(i, j))),
                       op .. " at " .. i .. ", " .. j)
      end
    end
  end)

  it("clip, fill_ and copy_ over threads keep NaN and every value", function()
    local c = a:clip(-1, 1)
    local x, z = values(a, 13), values(c, 13)
    for k = 1, #x do
      local v = x[k]
      local want = v ~= v and v or math.max(-1, math.min(1, v))
      assert.is_true(samebits(z[k], want), "clip at " .. k)
    end
    local o = ml.zeros(520, 520)
    o:copy_(la.tblock)
    assert.is_nil((firstdiff(o, a)))
    o:fill_(2.5)
    assert.are.equal(2.5 * 520 * 520, o:sum())
  end)
end)

describe("threaded reductions", function()
  local n = 600
  -- integers: every sum is exact, whatever the order
  local m = ml.arange(1, n * n):reshape(n, n):copy():mod_(1000):sub_(500)
  it("sums are exact on integers, by each axis and in every layout", function()
    local x, total = values(m, 1), 0
    for k = 1, #x do total = total + x[k] end
    for lname, v in pairs(layouts(m)) do
      assert.are.equal(total, v:sum(), lname)
      assert.are.equal(total, v:sum(1):sum(), lname)
      assert.are.equal(total, v:sum(2):sum(), lname)
      assert.are.equal(m:get(17, 1) + m:get(17, 2), v:slice(17, 17, 1, 2):sum())
    end
  end)

  it("max, min and argmax find the first extreme and the first NaN", function()
    local v = m:copy()
    v:set(401, 77, 1e9); v:set(500, 3, 1e9)
    assert.are.equal(1e9, v:max())
    assert.are.equal(400 * n + 77, v:argmax())
    assert.are.equal(1e9, v:max(1):get(1, 77))
    assert.are.equal(77, v:argmax(2):get(401, 1))
    v:set(300, 5, 0 / 0); v:set(450, 1, 0 / 0)
    assert.is_true(v:max() ~= v:max())
    assert.are.equal(299 * n + 5, v:argmax())
    assert.is_true(v:min(1):get(1, 5) ~= v:min(1):get(1, 5))
    local lo = math.huge
    for i = 1, n do lo = math.min(lo, v:get(i, 6)) end
    assert.are.equal(lo, v:min(1):get(1, 6))
    assert.are.equal(lo, v:col(6):min())
  end)

  it("a long whole sum on threads gives the bits of the one-thread pairwise sum", function()
    -- numpy's pairwise scheme in Lua: leaves of at most 128 elements
    -- summed with 8 accumulators, longer runs halved (a multiple of 8)
    local function pw(x, lo, cnt, f)
      if cnt < 8 then
        local r = 0.0
        for i = lo, lo + cnt - 1 do r = r + f(x[i]) end
        return r
      elseif cnt <= 128 then
        local r = {}
        for k = 0, 7 do r[k] = f(x[lo + k]) end
        local i = 8
        while i + 8 <= cnt do
          for k = 0, 7 do r[k] = r[k] + f(x[lo + i + k]) end
          i = i + 8
        end
        local res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for q = i, cnt - 1 do res = res + f(x[lo + q]) end
        return res
      end
      local h = cnt // 2
      h = h - h % 8
      return pw(x, lo, h, f) + pw(x, lo + h, cnt - h, f)
    end
    -- (values whose 16 top subtrees, added in a row, give other bits)
    local z = ml.linspace(0, 5000, 700 * 531):reshape(700, 531):copy():sin_():mul_(1e3):add_(0.1)
    local x = values(z, 1)
    local id, sq = function(v) return v end, function(v) return v * v end
    local n = #x
    local s = pw(x, 1, n, id)
    assert.are.equal(s, z:sum())
    assert.are.equal(s / n, z:mean())
    assert.are.equal(math.sqrt(pw(x, 1, n, sq)), z:norm())
    local mu = s / n
    assert.are.equal(pw(x, 1, n, function(v) return (v - mu) * (v - mu) end) / n, z:var())
    z:set(3, 4, 0 / 0)
    x[3 * 531 + 4 - 531] = 0
    assert.are.equal(pw(x, 1, n, id), ml.nansum(z))
  end)

  it("an output reduced on a thread equals it reduced alone", function()
    local z = ml.linspace(0, 1, n * n):reshape(n, n):copy():exp_()
    assert.is_true(math.abs(z:sum() - layouts(z).transposed:sum()) <= 1e-12 * z:sum())
    local s2, s1 = z:sum(2), z:sum(1)
    local m2, m1 = z:max(2), z:argmax(1)
    for i = 1, n, 61 do
      assert.are.equal(z:row(i):sum(), s2:get(i, 1))
      assert.are.equal(z:row(i):max(), m2:get(i, 1))
    end
    for j = 1, n - 3, 59 do  -- four columns alone: below the thread size
      local part = z:slice(1, n, j, j + 3)
      assert.is_nil((firstdiff(part:sum(1), s1:slice(1, 1, j, j + 3))))
      assert.is_nil((firstdiff(part:argmax(1), m1:slice(1, 1, j, j + 3))))
    end
  end)
end)

describe("small products without BLAS", function()
  -- each element summed over k in order, as the small-product loop does
  local function naive(a, b)
    local r, k = a:shape()
    local c = b.cols
    local o = ml.zeros(r, c)
    for i = 1, r do
      for j = 1, c do
        local s = 0.0
        for q = 1, k do s = s + a:get(i, q) * b:get(q, j) end
        o:set(i, j, s)
      end
    end
    return o
  end

  it("equal the in-order sum in every layout", function()
    local a = ml.linspace(-1, 2, 70):reshape(7, 10):copy()
    local b = ml.linspace(3, -2, 90):reshape(10, 9):copy()
    local want = naive(a, b)
    for ln, va in pairs(layouts(a)) do
      for lm, vb in pairs(layouts(b)) do
        assert.is_nil((firstdiff(va:dot(vb), want)), ln .. " . " .. lm)
      end
    end
  end)

  it("are one path for a:dot(b), ml.dot, ml.matmul, tables, nil and given outs", function()
    local a = ml.linspace(-1, 2, 100):reshape(10, 10):copy()
    local b = ml.linspace(3, -2, 100):reshape(10, 10):copy():sin_()
    local want, out = naive(a, b), ml.full(10, 10, 0 / 0)
    for name, p in pairs{["a:dot(b)"] = a:dot(b), ["ml.dot(a, b)"] = ml.dot(a, b),
                         ["ml.matmul(a, b)"] = ml.matmul(a, b),
                         ["ml.dot(a, b, nil)"] = ml.dot(a, b, nil),
                         ["ml.dot(a, b, nil, 1, 0)"] = ml.dot(a, b, nil, 1, 0),
                         ["a:dot(table)"] = a:dot(b:totable()),
                         ["ml.dot(table, b)"] = ml.dot(a:totable(), b)} do
      assert.is_nil((firstdiff(p, want)), name)
    end
    assert.are.equal(out, a:dot(b, out))
    assert.is_nil((firstdiff(out, want)))
    assert.is_nil((firstdiff(ml.dot(2, b), b * 2)))
    assert.is_nil((firstdiff(a:dot(-3), a * -3)))
  end)

  it("say which operand is closed, missing or not a matrix", function()
    local a, c = ml.ones(2, 2), ml.ones(2, 2)
    c:close()
    H.raises(function() return a:dot(c) end, "bad argument #1 to 'dot' (matrix has been closed)")
    H.raises(function() return ml.dot(a, c) end, "bad argument #2 to 'dot' (matrix has been closed)")
    H.raises(function() return ml.dot(c, a) end, "bad argument #1 to 'dot' (matrix has been closed)")
    H.raises(function() return ml.dot(c, 2) end, "bad argument #1 to 'dot' (matrix has been closed)")
    H.raises(function() return a:dot("x") end, "bad argument #1 to 'dot' (matrix expected, got string)")
    H.raises(function() return a.dot(a) end, "a method call takes a colon: X:dot(Y), not X.dot(Y)")
    H.raises(function() return ml.dot(a, a, nil, "q") end, "bad argument #4 to 'dot' (number expected")
  end)

  it("overwrite an 'out' holding NaN, and keep NaN and inf of the inputs", function()
    local a, b = ml.ones(3, 4), ml.ones(4, 2)
    local out = ml.full(3, 2, 0 / 0)
    a:dot(b, out)
    assert.are.equal(4 * 6, out:sum())
    a:set(2, 3, math.huge); b:set(1, 1, 0 / 0)
    local p = a:dot(b)
    assert.is_true(p:get(1, 1) ~= p:get(1, 1))
    assert.are.equal(math.huge, p:get(2, 2))
  end)
end)

describe("skinny products of gradient descent without BLAS", function()
  -- X (200x330) W (330x3) and X^T G: above the size of the skinny loops
  local X = ml.linspace(0.5, 2, 200 * 330):reshape(200, 330):copy():sin_():add_(1.5)
  local W = ml.linspace(1, 3, 330 * 3):reshape(330, 3):copy()
  local G = ml.linspace(-1, 1, 200 * 3):reshape(200, 3):copy():exp_()

  -- the product in order, in Lua
  local function naive(a, b)
    local at, bt = a:totable(), b:totable()
    local o = ml.zeros(#at, #bt[1])
    for i = 1, #at do
      for j = 1, #bt[1] do
        local s = 0.0
        for q = 1, #bt do s = s + at[i][q] * bt[q][j] end
        o:set(i, j, s)
      end
    end
    return o
  end

  local function close(a, b)
    local d = (a - b):abs():max()
    return d <= 1e-13 * b:abs():max(), d
  end

  it("X W and X^T G match the in-order sums", function()
    local ok, d = close(X:dot(W), naive(X, W))
    assert.is_true(ok, "X W: " .. d)
    ok, d = close(X:T():dot(G), naive(X:T():copy(), G))
    assert.is_true(ok, "X^T G: " .. d)
    ok, d = close(X:T():copy():dot(G:copy()), X:T():dot(G))
    assert.is_true(ok, "dense X^T: " .. d)
  end)

  it("write into 'out' (NaN there is ignored) and keep NaN of the inputs", function()
    local out = ml.full(200, 3, 0 / 0)
    X:dot(W, out)
    assert.is_nil((firstdiff(out, X:dot(W))))
    local Xn = X:copy()
    Xn:set(17, 5, 0 / 0)
    local P = Xn:dot(W)
    assert.is_true(P:get(17, 2) ~= P:get(17, 2))
    assert.is_true(P:get(18, 2) == P:get(18, 2))
    local Q = Xn:T():dot(G)
    assert.is_true(Q:get(5, 1) ~= Q:get(5, 1))
    assert.is_true(Q:get(6, 1) == Q:get(6, 1))
  end)
end)

describe("products whose plain sum overflows in an intermediate", function()
  -- 1e308 * 1.5 overflows alone, 1e308 * 1.5 + 1e308 * -2 = -5e307 does
  -- not: the small and skinny loops redo such a sum as the in-order fma
  -- chain, the value of a BLAS that fuses (numpy on an Intel Xeon)
  it("give -5e307, not -inf, in the tiny, small and skinny loops", function()
    assert.are.equal(-5e307, ml.dot(ml.matrix{{1e308, 1e308}}, ml.matrix{{1.5}, {-2}}):get(1, 1))
    local function b(k, n)
      local m = ml.zeros(k, n)
      for j = 1, n do m:set(1, j, 1.5); m:set(2, j, -2) end
      return m
    end
    for _, s in ipairs({{10, 10, 10}, {7, 12, 9}, {20, 30, 20}}) do
      local p = ml.full(s[1], s[2], 1e308):dot(b(s[2], s[3]))
      assert.are.equal(-5e307, p:max(), table.concat(s, "x"))
      assert.are.equal(-5e307, p:min(), table.concat(s, "x"))
    end
    -- the skinny loops (X W, X^T G, X^T d), in a host where they run
    local out = H.host([[
local function b(k, n)
  local m = ml.zeros(k, n)
  for j = 1, n do m:set(1, j, 1.5); m:set(2, j, -2) end
  return m
end
for _, p in ipairs({ml.full(3000, 330, 1e308):dot(b(330, 5)),
                    ml.full(3000, 330, 1e308):T():dot(b(3000, 10)),
                    ml.full(3000, 330, 1e308):T():dot(b(3000, 1))}) do
  print(p:max(), p:min())
end
print(ml.kernels()[2].how, ml.kernels()[8].how, ml.kernels()[4].how)
]], "LUAML_KERNEL=own")
    assert.are.equal(string.rep("-5e+307\t-5e+307\n", 3) .. "forced\tforced\tforced\n", out)
    -- true overflow stays inf, NaN stays NaN
    assert.are.equal(math.huge, ml.full(3, 3, 1e308):dot(ml.full(3, 3, 2)):get(2, 2))
    local q = ml.dot(ml.matrix{{0 / 0, 1}}, ml.matrix{{1}, {1}}):get(1, 1)
    assert.is_true(q ~= q)
  end)
end)

describe("our skinny loops or BLAS: LUAML_KERNEL, the cache of choices", function()
  -- X^T d, X^T G and X W for 3000x330 data (as in a training loop: 60
  -- steps, enough for each kind to be measured in turn), printed in full,
  -- and the kernels' report, in a host with the environment assignment env
  local SCRIPT = [[
local X = ml.linspace(0.5, 2, 3000 * 330):reshape(3000, 330):copy():sin_()
local d = ml.linspace(-1, 1, 3000):reshape(3000, 1):copy()
local G = ml.linspace(-1, 1, 3000 * 10):reshape(3000, 10):copy():exp_()
local W = ml.linspace(1, 3, 330 * 6):reshape(330, 6):copy()
for _ = 1, tonumber(os.getenv("STEPS") or 60) do X:T():dot(d); X:T():dot(G); X:dot(W) end
for _, m in ipairs({X:T():dot(d), X:T():dot(G), X:dot(W)}) do
  for _, row in ipairs(m:totable()) do
    for _, v in ipairs(row) do io.write(string.format("%.17g\n", v)) end
  end
end
local k = ml.kernels()
print("cache", k.cache)
for _, k in ipairs(k) do
  if k.how ~= "not yet used" then
    print(k.product, k.size, k.path, k.how, k.own_ns > 0, k.blas_ns > 0)
  end
end
]]
  local function run(env)
    local out = H.host(SCRIPT, env)
    local v, report = {}, {}
    for line in out:gmatch("[^\n]+") do
      local x = tonumber(line)
      if x then v[#v + 1] = x else report[#report + 1] = line end
    end
    return v, table.concat(report, "\n")
  end
  local KINDS = {"X^T d\t< 2^21", "X^T G\t2^21 .. 2^24", "X W\t2^21 .. 2^24"}
  local function line(r, what)
    return r:match(what:gsub("%^", "%%^"):gsub("%.", "%%.") .. "[^\n]*")
  end

  it("own and blas give the same numbers within rounding, and say so", function()
    local own, rown = run("LUAML_KERNEL=own STEPS=2")
    local blas, rblas = run("LUAML_KERNEL=blas STEPS=2")
    assert.are.equal(330 + 3300 + 3000 * 6, #own)
    assert.are.equal(#own, #blas)
    local worst, scale = 0, 0
    for i = 1, #own do
      worst = math.max(worst, math.abs(own[i] - blas[i]))
      scale = math.max(scale, math.abs(blas[i]))
    end
    assert.is_true(worst <= 1e-13 * scale, "differ by " .. worst)
    assert.is_truthy(rown:find("X^T G\t2^21 .. 2^24\town\tforced", 1, true), rown)
    assert.is_truthy(rown:find("X W\t2^21 .. 2^24\town\tforced", 1, true), rown)
    assert.is_truthy(rblas:find("X^T G\t2^21 .. 2^24\tblas\tforced", 1, true), rblas)
    assert.is_truthy(rblas:find("X^T d\t< 2^21\tblas\tforced", 1, true), rblas)
  end)

  it("unset, each kind is measured once, written to the cache, read back after", function()
    local dir = os.tmpname()
    os.remove(dir)
    local cache = dir .. "/c/kernels"
    local v, r = run("-u LUAML_KERNEL LUAML_KERNEL_CACHE=" .. cache)
    assert.are.equal(330 + 3300 + 3000 * 6, #v)
    assert.is_truthy(r:find("cache\t" .. cache, 1, true), r)
    local paths = {}
    for _, what in ipairs(KINDS) do
      local l = line(r, what)
      assert.is_truthy(l, what .. " missing in:\n" .. r)
      paths[what] = l:match("\t(%a+)\tmeasured\ttrue\ttrue$")
      assert.is_truthy(paths[what] == "own" or paths[what] == "blas", l)
    end
    local f = assert(io.open(cache))
    local text = f:read("a")
    f:close()
    local n = select(2, text:gsub("\n", ""))
    assert.are.equal(3, n, text)
    -- the next process reads the choices: the same paths, none measured
    local v2, r2 = run("-u LUAML_KERNEL LUAML_KERNEL_CACHE=" .. cache)
    assert.are.equal(#v, #v2)
    for _, what in ipairs(KINDS) do
      local l = line(r2, what)
      assert.are.equal(paths[what], l:match("\t(%a+)\tcached\ttrue\ttrue$"), l)
    end
    -- forced, it neither reads nor writes the cache
    local _, r3 = run("LUAML_KERNEL=blas STEPS=2 LUAML_KERNEL_CACHE=" .. cache)
    assert.is_truthy(r3:find("X W\t2^21 .. 2^24\tblas\tforced", 1, true), r3)
    os.remove(cache)
    os.remove(dir .. "/c")
    os.remove(dir)
  end)

  it("the module in a stock lua5.4 keeps the user's cache too", function()
    local p = io.popen("env -u LUAML_KERNEL_CACHE -u XDG_CACHE_HOME HOME=/proc/none lua5.4 -e "
                       .. "\"package.cpath = './" .. (os.getenv("LUAML_BUILD") or "build")
                       .. "/?.so;' .. package.cpath; print(require('luaml').kernels().cache)\"")
    local out = p:read("a")
    p:close()
    assert.are.equal("/proc/none/.cache/luaml/kernels\n", out)
  end)

  it("a home that cannot be written, or none, still measures and works", function()
    for _, env in ipairs({"-u LUAML_KERNEL -u LUAML_KERNEL_CACHE -u XDG_CACHE_HOME HOME=/proc/none",
                          "-u LUAML_KERNEL -u LUAML_KERNEL_CACHE -u XDG_CACHE_HOME -u HOME",
                          "-u LUAML_KERNEL LUAML_KERNEL_CACHE=off"}) do
      local v, r = run(env .. " STEPS=20")  -- X^T d, measured first
      assert.are.equal(330 + 3300 + 3000 * 6, #v)
      local l = line(r, KINDS[1])
      assert.is_truthy(l and l:find("\t(%a+)\tmeasured\ttrue\ttrue$"), env .. ":\n" .. r)
      if env:find("HOME=/proc") then
        assert.is_truthy(r:find("cache\t/proc/none/.cache/luaml/kernels", 1, true), r)
      else
        assert.is_truthy(r:find("cache\tnil", 1, true), r)
      end
    end
  end)
end)

describe("ml.clock", function()
  it("is a monotonic wall clock in seconds", function()
    local t0 = ml.clock()
    local t1 = ml.clock()
    assert.is_true(type(t0) == "number" and t1 >= t0)
    assert.is_true(t1 - t0 < 1)
  end)
end)
