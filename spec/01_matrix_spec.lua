-- 01: the matrix type: constructors, shape, indexing, views, printing.
local ml = require "luaml"
local H = dofile("spec/helpers.lua")

describe("constructors", function()
  it("ml.matrix from a table of rows", function()
    local m = ml.matrix{{1, 2, 3}, {4, 5, 6}}
    assert.are.equal(2, m.rows)
    assert.are.equal(3, m.cols)
    H.close(m, {{1, 2, 3}, {4, 5, 6}}, 0)
  end)

  it("ml.matrix from a flat table is a 1xn row", function()
    local m = ml.matrix{1, 2, 3}
    H.close(m, {{1, 2, 3}}, 0)
  end)

  it("ml.matrix keeps floats exactly", function()
    local m = ml.matrix{{0.1, -1e300}, {1/3, 5e-324}}
    H.close(m, {{0.1, -1e300}, {1/3, 5e-324}}, 0)
  end)

  it("zeros, ones, full", function()
    H.close(ml.zeros(2, 3), {{0, 0, 0}, {0, 0, 0}}, 0)
    H.close(ml.ones(3, 2), {{1, 1}, {1, 1}, {1, 1}}, 0)
    H.close(ml.full(2, 2, -7.5), {{-7.5, -7.5}, {-7.5, -7.5}}, 0)
  end)

  it("eye", function()
    H.close(ml.eye(3), {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, 0)
    H.close(ml.eye(1), {{1}}, 0)
  end)

  it("arange counts like Lua's numeric for (end included when reached)", function()
    local a = ml.arange(1, 12)
    assert.are.equal(1, a.rows)
    assert.are.equal(12, a.cols)
    for j = 1, 12 do assert.are.equal(j, a:get(1, j)) end
    H.close(ml.arange(0, 1, 0.25), {{0, 0.25, 0.5, 0.75, 1}}, 0)
    H.close(ml.arange(5, 1, -1), {{5, 4, 3, 2, 1}}, 0)
    H.close(ml.arange(1, 10, 3), {{1, 4, 7, 10}}, 0)
    H.close(ml.arange(1, 9, 3), {{1, 4, 7}}, 0)
  end)

  it("arange with no iterations is an empty 1x0 row (as the for loop runs 0 times)", function()
    local a = ml.arange(1, 0)
    assert.are.equal(1, a.rows)
    assert.are.equal(0, a.cols)
  end)

  it("linspace (row, both ends included)", function()
    H.close(ml.linspace(0, 1, 5), {{0, 0.25, 0.5, 0.75, 1}}, 1e-15)
    local l = ml.linspace(-1, 2, 7)
    assert.are.equal(1, l.rows)
    assert.are.equal(7, l.cols)
    assert.are.equal(-1, l:get(1, 1))
    assert.are.equal(2, l:get(1, 7))
    H.close(l, {{-1, -0.5, 0, 0.5, 1, 1.5, 2}}, 1e-15)
    local t = ml.linspace(0, 1, 11)
    assert.are.equal(1, t:get(1, 11))        -- the endpoint is exact, as in numpy
  end)

  it("rand and randn have the requested shapes; rand is in [0, 1)", function()
    local r = ml.rand(4, 7)
    assert.are.equal(4, r.rows)
    assert.are.equal(7, r.cols)
    for i = 1, 4 do
      for j = 1, 7 do
        local v = r:get(i, j)
        assert.is_true(v >= 0 and v < 1, "rand value out of [0,1): " .. H.fmt(v))
      end
    end
    local n = ml.randn(3, 5)
    assert.are.equal(3, n.rows)
    assert.are.equal(5, n.cols)
    for i = 1, 3 do
      for j = 1, 5 do
        local v = n:get(i, j)
        assert.is_true(v == v and math.abs(v) < 20, "randn value not finite/plausible: " .. H.fmt(v))
      end
    end
  end)

  it("hstack and vstack", function()
    local a = ml.matrix{{1, 2}, {3, 4}}
    local b = ml.matrix{{5}, {6}}
    local c = ml.matrix{{7, 8}}
    H.close(ml.hstack{a, b}, {{1, 2, 5}, {3, 4, 6}}, 0)
    H.close(ml.vstack{a, c}, {{1, 2}, {3, 4}, {7, 8}}, 0)
    H.close(ml.hstack{a, b, a}, {{1, 2, 5, 1, 2}, {3, 4, 6, 3, 4}}, 0)
    H.close(ml.vstack{c, c, c}, {{7, 8}, {7, 8}, {7, 8}}, 0)
    -- views are accepted and copied in logical order
    H.close(ml.hstack{a:T(), b}, {{1, 3, 5}, {2, 4, 6}}, 0)
    H.close(ml.vstack{a:col(2):T(), c}, {{2, 4}, {7, 8}}, 0)
  end)

  it("totable gives a table of rows and round-trips", function()
    local t = ml.matrix{{1, 2}, {3, 4}}:totable()
    assert.are.same({{1, 2}, {3, 4}}, t)
    local r = ml.matrix{1.5, 2.5, 3.5}
    assert.is_true(ml.matrix(r:totable()) == r)
    local tt = ml.matrix{{1, 2, 3}, {4, 5, 6}}:T():totable()
    assert.are.same({{1, 4}, {2, 5}, {3, 6}}, tt)
  end)
end)

describe("shape", function()
  local m = ml.zeros(3, 5)
  it("rows and cols fields", function()
    assert.are.equal(3, m.rows)
    assert.are.equal(5, m.cols)
  end)
  it("m:shape() returns rows, cols", function()
    local r, c = m:shape()
    assert.are.equal(3, r)
    assert.are.equal(5, c)
  end)
  it("#m is rows, m:size() is rows*cols", function()
    assert.are.equal(3, #m)
    assert.are.equal(15, m:size())
  end)
  it("shape of views", function()
    local t = m:T()
    assert.are.equal(5, t.rows)
    assert.are.equal(3, t.cols)
    assert.are.equal(5, #t)
    assert.are.equal(15, t:size())
  end)
end)

describe("empty matrices", function()
  it("0xn and nx0 are valid values", function()
    local z = ml.zeros(0, 3)
    assert.are.equal(0, z.rows)
    assert.are.equal(3, z.cols)
    assert.are.equal(0, #z)
    assert.are.equal(0, z:size())
    local w = ml.zeros(2, 0)
    assert.are.equal(2, w.rows)
    assert.are.equal(0, w.cols)
    assert.is_string(tostring(z))
    assert.is_true(tostring(z):find("0x3", 1, true) ~= nil, "tostring of a 0x3 matrix: " .. tostring(z))
  end)

  it("elementwise work gives empty results", function()
    local z = ml.zeros(0, 3)
    local e = z + 1
    assert.are.equal(0, e.rows); assert.are.equal(3, e.cols)
    local x = ml.exp(z)
    assert.are.equal(0, x.rows); assert.are.equal(3, x.cols)
    local s = z * ml.ones(1, 3)
    assert.are.equal(0, s.rows); assert.are.equal(3, s.cols)
    local t = z:T()
    assert.are.equal(3, t.rows); assert.are.equal(0, t.cols)
  end)

  it("sum is 0, mean is NaN", function()
    local z = ml.zeros(0, 3)
    assert.are.equal(0, ml.sum(z))
    assert.are.equal(0, z:sum())
    local mean = ml.mean(z)
    assert.is_true(mean ~= mean, "mean of empty should be NaN, got " .. H.fmt(mean))
    -- summing away the empty dimension gives zeros, as numpy does
    H.close(ml.sum(z, 1), {{0, 0, 0}}, 0)
    local s2 = ml.sum(z, 2)
    assert.are.equal(0, s2.rows); assert.are.equal(1, s2.cols)
  end)

  it("max, min, argmax, argmin of nothing raise an error", function()
    local z = ml.zeros(0, 3)
    H.raises(function() return ml.max(z) end, "max")
    H.raises(function() return ml.min(z) end, "min")
    H.raises(function() return ml.argmax(z) end, "argmax")
    H.raises(function() return ml.argmin(z) end, "argmin")
    H.raises(function() return z:max() end)
  end)

  it("an empty matrix product has the right shape", function()
    local a, b = ml.zeros(2, 0), ml.zeros(0, 3)
    H.close(a:dot(b), {{0, 0, 0}, {0, 0, 0}}, 0)
    local c = ml.zeros(0, 2):dot(ml.ones(2, 3))
    assert.are.equal(0, c.rows); assert.are.equal(3, c.cols)
  end)
end)

describe("get / set / call", function()
  it("1-based indices, m(i, j) is get", function()
    local m = ml.matrix{{1, 2, 3}, {4, 5, 6}}
    assert.are.equal(1, m:get(1, 1))
    assert.are.equal(6, m:get(2, 3))
    assert.are.equal(4, m(2, 1))
    assert.are.equal(3, m(1, 3))
  end)

  it("negative indices count from the end", function()
    local m = ml.matrix{{1, 2, 3}, {4, 5, 6}}
    assert.are.equal(6, m:get(-1, -1))
    assert.are.equal(4, m:get(-1, 1))
    assert.are.equal(1, m:get(-2, -3))
    assert.are.equal(2, m(-2, -2))
  end)

  it("set writes, with negative indices too", function()
    local m = ml.zeros(2, 3)
    m:set(1, 2, 7.5)
    m:set(-1, -1, -3)
    H.close(m, {{0, 7.5, 0}, {0, 0, -3}}, 0)
  end)
end)

describe("views share storage", function()
  local function base() return ml.matrix{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {10, 11, 12}} end

  it("T() is a view: writing through it changes the base", function()
    local m = base()
    local t = m:T()
    H.close(t, {{1, 4, 7, 10}, {2, 5, 8, 11}, {3, 6, 9, 12}}, 0)
    t:set(1, 2, 99)
    assert.are.equal(99, m:get(2, 1))
    m:set(4, 3, -1)
    assert.are.equal(-1, t:get(3, 4))
    H.close(t:T(), m, 0)
  end)

  it("row(i) and col(j) are views (negative indices allowed)", function()
    local m = base()
    H.close(m:row(2), {{4, 5, 6}}, 0)
    H.close(m:col(3), {{3}, {6}, {9}, {12}}, 0)
    H.close(m:row(-1), {{10, 11, 12}}, 0)
    H.close(m:col(-1), {{3}, {6}, {9}, {12}}, 0)
    m:row(2):set(1, 3, 60)
    assert.are.equal(60, m:get(2, 3))
    m:col(1):set(4, 1, 100)
    assert.are.equal(100, m:get(4, 1))
    m:row(-1):fill_(0)
    H.close(m:row(4), {{0, 0, 0}}, 0)
  end)

  it("slice(i1, i2) takes inclusive rows, all columns", function()
    local m = base()
    local s = m:slice(2, 3)
    H.close(s, {{4, 5, 6}, {7, 8, 9}}, 0)
    s:set(1, 1, -4)
    assert.are.equal(-4, m:get(2, 1))
  end)

  it("slice(i1, i2, j1, j2) takes a block, negatives count from the end", function()
    local m = base()
    H.close(m:slice(2, 4, 2, 3), {{5, 6}, {8, 9}, {11, 12}}, 0)
    H.close(m:slice(-2, -1), {{7, 8, 9}, {10, 11, 12}}, 0)
    H.close(m:slice(1, -1, -2, -1), {{2, 3}, {5, 6}, {8, 9}, {11, 12}}, 0)
    H.close(m:slice(3, 3, 2, 2), {{8}}, 0)
    local s = m:slice(1, 2, 2, 3)
    s:set(2, 2, 0.5)
    assert.are.equal(0.5, m:get(2, 3))
  end)

  it("a mini-batch slice X:slice(k, k + 63)", function()
    local X = ml.zeros(200, 3)
    for i = 1, 200 do X:set(i, 1, i) end
    local b = X:slice(65, 65 + 63)
    assert.are.equal(64, b.rows)
    assert.are.equal(3, b.cols)
    assert.are.equal(65, b:get(1, 1))
    assert.are.equal(128, b:get(64, 1))
  end)

  it("a view of a view", function()
    local m = base()
    local v = m:slice(2, 4, 1, 2):T()      -- {{4,7,10},{5,8,11}}
    H.close(v, {{4, 7, 10}, {5, 8, 11}}, 0)
    local r = v:row(2)                     -- {{5,8,11}}
    H.close(r, {{5, 8, 11}}, 0)
    r:set(1, 3, 111)
    assert.are.equal(111, m:get(4, 2))
    local c = v:slice(1, 2, 2, 3):col(1)   -- {{7},{8}}
    H.close(c, {{7}, {8}}, 0)
    c:set(2, 1, 88)
    assert.are.equal(88, m:get(3, 2))
  end)

  it("reshape of a contiguous matrix is a view; -1 infers a dimension", function()
    local m = base()
    local r = m:reshape(2, 6)
    H.close(r, {{1, 2, 3, 4, 5, 6}, {7, 8, 9, 10, 11, 12}}, 0)
    r:set(2, 1, 70)
    assert.are.equal(70, m:get(3, 1))
    H.close(m:reshape(-1, 1), {{1}, {2}, {3}, {4}, {5}, {6}, {70}, {8}, {9}, {10}, {11}, {12}}, 0)
    H.close(m:reshape(1, -1), {{1, 2, 3, 4, 5, 6, 70, 8, 9, 10, 11, 12}}, 0)
    local r3 = m:reshape(-1, 4)
    assert.are.equal(3, r3.rows)
    assert.are.equal(4, r3.cols)
  end)

  it("reshape of a non-contiguous view copies, in row-major order of the view", function()
    local m = ml.matrix{{1, 2, 3}, {4, 5, 6}}
    local r = m:T():reshape(1, 6)          -- numpy: m.T.reshape(1, 6)
    H.close(r, {{1, 4, 2, 5, 3, 6}}, 0)
    r:set(1, 2, -100)
    H.close(m, {{1, 2, 3}, {4, 5, 6}}, 0)  -- the base is untouched
    local c = m:col(2):reshape(1, 2)
    H.close(c, {{2, 5}}, 0)
  end)

  it("copy and contiguous materialise", function()
    local m = base()
    local c = m:copy()
    c:set(1, 1, -1)
    assert.are.equal(1, m:get(1, 1))
    local t = m:T():contiguous()
    H.close(t, {{1, 4, 7, 10}, {2, 5, 8, 11}, {3, 6, 9, 12}}, 0)
    t:set(1, 2, -5)
    assert.are.equal(4, m:get(2, 1))
    local tc = m:T():copy()
    tc:set(1, 1, 0)
    assert.are.equal(1, m:get(1, 1))
    H.close(m:slice(2, 3, 2, 3):copy(), {{5, 6}, {8, 9}}, 0)
  end)

  it("views keep their storage alive after the base is collected", function()
    local v
    do
      local m = ml.matrix{{1, 2}, {3, 4}}
      v = m:T():row(2)
    end
    collectgarbage(); collectgarbage()
    H.close(v, {{2, 4}}, 0)
  end)
end)

describe("tostring", function()
  it("shows the shape and the values", function()
    local s = tostring(ml.matrix{{1, 2.5, 3}, {-4, 5, 6}})
    assert.is_true(s:find("2x3", 1, true) ~= nil, "no shape in: " .. s)
    for _, v in ipairs{"2.5", "-4", "6"} do
      assert.is_true(s:find(v, 1, true) ~= nil, "value " .. v .. " missing in: " .. s)
    end
  end)

  it("elides large matrices with ...", function()
    local m = ml.zeros(100, 100)
    m:set(1, 1, 1234.5)
    local s = tostring(m)
    assert.is_true(s:find("100x100", 1, true) ~= nil, "no shape in: " .. s:sub(1, 200))
    assert.is_true(s:find("...", 1, true) ~= nil, "no '...' in tostring of a 100x100 matrix")
    assert.is_true(#s < 5000, "tostring of a 100x100 matrix is " .. #s .. " characters long")
    assert.is_true(s:find("1234.5", 1, true) ~= nil, "first value not shown: " .. s:sub(1, 300))
  end)

  it("prints NaN and infinities", function()
    local s = tostring(ml.matrix{{0/0, math.huge, -math.huge}})
    assert.is_true(s:lower():find("nan", 1, true) ~= nil, s)
    assert.is_true(s:lower():find("inf", 1, true) ~= nil, s)
  end)
end)

describe("__close", function()
  it("local m <close> = ml.zeros(10, 10) works", function()
    local ok, err = pcall(function()
      local m <close> = ml.zeros(10, 10)
      m:set(1, 1, 1)
      return m:sum()
    end)
    assert.is_true(ok, tostring(err))
    assert.are.equal(1, err)
  end)

  it("a closed matrix can be collected and closing twice is harmless", function()
    local keep
    do
      local m <close> = ml.ones(3, 3)
      keep = m
    end
    local mt = getmetatable(keep)
    assert.is_not_nil(mt and mt.__close)
    assert.is_true(pcall(mt.__close, keep))
    collectgarbage()
  end)
end)

-- These measure the process's resident memory (Linux /proc/self/statm):
-- what a user sees, whatever the collector's own count says.
local function rss_mb()
  local f = io.open("/proc/self/statm")
  if not f then return nil end
  local _, res = f:read("*l"):match("^(%d+)%s+(%d+)")
  f:close()
  return tonumber(res) * 4096 / 2^20
end

describe("memory is bounded and promptly released", function()
  it("a loop making temporaries runs in bounded memory without collectgarbage()", function()
    if not rss_mb() then pending("no /proc/self/statm") return end
    collectgarbage(); collectgarbage()
    local base, peak = rss_mb(), 0
    local w = ml.zeros(500, 200)
    for _ = 1, 400 do                    -- 400 * 3 temporaries of 800 KB: ~940 MB if never freed
      local g = (w + 1) * 2 - w
      w:add_(g, -1e-3)
      local c = rss_mb()
      if c > peak then peak = c end
    end
    assert.is_true(peak - base < 300, ("resident memory grew by %.0f MB"):format(peak - base))
  end)

  -- Storage lives in the userdata, so the collector counts every byte (in
  -- generational and incremental mode alike); <close> ends a matrix's use at
  -- once and the collector returns its bytes at its next steps.
  it("<close> ends use at once; closed 16 MB matrices never pile up", function()
    if not rss_mb() then pending("no /proc/self/statm") return end
    collectgarbage(); collectgarbage()
    local before, peak, kept = rss_mb(), 0, nil
    for _ = 1, 50 do                     -- 800 MB if closed storage were kept
      local m <close> = ml.zeros(2000, 1000)
      m:set(1, 1, 1)
      kept = m
      local c = rss_mb()
      if c > peak then peak = c end
    end
    assert.is_true(peak - before > 12, ("the 16 MB matrix shows as %.1f MB"):format(peak - before))
    assert.is_true(peak - before < 200, ("closed matrices piled up to %.1f MB"):format(peak - before))
    local ok, err = pcall(function() return kept:get(1, 1) end)
    assert.is_false(ok)
    assert.is_truthy(tostring(err):find("closed", 1, true))
  end)
end)

describe("== is whole-matrix equality", function()
  it("returns booleans", function()
    local a = ml.matrix{{1, 2}, {3, 4}}
    local b = ml.matrix{{1, 2}, {3, 4}}
    local c = ml.matrix{{1, 2}, {3, 5}}
    assert.is_true(a == b)
    assert.is_false(a == c)
    assert.is_true(a ~= c)
    assert.are.equal("boolean", type(a == b))
  end)
  it("different shapes are unequal (not an error)", function()
    assert.is_false(ml.matrix{{1, 2}} == ml.matrix{{1}, {2}})
    assert.is_false(ml.zeros(2, 2) == ml.zeros(2, 3))
  end)
  it("compares views by value", function()
    local a = ml.matrix{{1, 2}, {3, 4}}
    assert.is_true(a:T() == ml.matrix{{1, 3}, {2, 4}})
    assert.is_true(a:row(2) == ml.matrix{3, 4})
  end)
end)

describe("random helpers", function()
  it("seed makes rand reproducible", function()
    ml.seed(1); local a = ml.rand(3, 3)
    ml.seed(1); local b = ml.rand(3, 3)
    assert.is_true(a == b)
    ml.seed(2); local c = ml.rand(3, 3)
    assert.is_false(a == c)
  end)
  it("permutation(n) is a 1xn permutation of 1..n", function()
    local p = ml.permutation(10)
    assert.are.equal(1, p.rows)
    assert.are.equal(10, p.cols)
    local seen = {}
    for j = 1, 10 do
      local v = p:get(1, j)
      assert.is_true(v >= 1 and v <= 10 and v == math.floor(v), "bad value " .. H.fmt(v))
      assert.is_nil(seen[v], "repeated value " .. H.fmt(v))
      seen[v] = true
    end
  end)
end)
