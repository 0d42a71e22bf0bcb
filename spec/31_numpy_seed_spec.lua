-- 31: ml.seed(n, "numpy") reproduces numpy's legacy generator
-- (np.random.seed(n); rand, randn, permutation, choice) to the last bit.
-- Reference streams: spec/ref/gen_select.py.
local ml = require "luaml"
local H = dofile("spec/helpers.lua")
local ref = dofile("spec/ref/select_ref.lua")
local EXACT = {rtol = 0, atol = 0}

-- every element equal as a double, bit for bit (-0.0 vs 0.0 included)
local function same_bits(m, rows, label)
  H.close(m, rows, EXACT, label)
  for i = 1, m.rows do
    for j = 1, m.cols do
      assert.are.equal(string.pack("<d", rows[i][j]), string.pack("<d", m:get(i, j)),
                       label .. " (" .. i .. "," .. j .. ")")
    end
  end
end

describe("ml.seed(n, 'numpy')", function()
  for _, e in ipairs(ref.numpy_rng) do
    it("seed " .. e.seed .. ": one stream of randn, rand, permutation, choice", function()
      ml.seed(e.seed, "numpy")
      same_bits(ml.randn(2, 3), e.randn_2x3, "randn(2, 3)")
      same_bits(ml.rand(3, 2), e.rand_3x2, "rand(3, 2)")
      same_bits(ml.randn(5), e.randn_5, "randn(5)")
      same_bits(ml.random.rand(1), e.rand_1, "rand(1)")
      same_bits(ml.randn(1, 2), e.randn_1x2, "randn(1, 2)")
      same_bits(ml.permutation(10), e.perm_10, "permutation(10)")
      same_bits(ml.random.choice(10, 6), e.choice_10_6, "choice(10, 6)")
      same_bits(ml.random.choice(20, 5, false), e.choice_20_5_noreplace,
                "choice(20, 5, false)")
      same_bits(ml.random.choice(2^31 - 1, 4), e.choice_big, "choice(2^31 - 1, 4)")
      same_bits(ml.random.permutation(1), e.perm_1, "permutation(1)")
      same_bits(ml.random.randn(3, 1), e.randn_3x1, "randn(3, 1)")
      local a = ml.arange(1, 14):reshape(7, 2)
      assert.are.equal(a, ml.random.shuffle(a))  -- in place, returns it
      same_bits(a, e.shuffle_7x2, "shuffle(7x2)")
      same_bits(ml.random.shuffle(ml.arange(1, 9)), e.shuffle_9, "shuffle(1x9)")
    end)
  end
  for _, e in ipairs(ref.numpy_rng_long) do
    it("seed " .. e.seed .. ": long streams over many MT19937 blocks", function()
      ml.random.seed(e.seed, "numpy")
      same_bits(ml.randn(40, 30), e.randn_40x30, "randn(40, 30)")
      same_bits(ml.permutation(500), e.perm_500, "permutation(500)")
      same_bits(ml.rand(7, 50), e.rand_7x50, "rand(7, 50)")
    end)
  end
  it("fills views in row-major (numpy's C) order", function()
    local e = ref.numpy_rng[2]
    ml.seed(e.seed, "numpy")
    local m = ml.zeros(3, 2):T()  -- a 2x3 view with strides (1, 2)
    m:copy_(ml.randn(2, 3))
    same_bits(m, e.randn_2x3, "randn into a view")
  end)
  it("reseeding restarts the stream and drops the cached normal", function()
    ml.seed(5, "numpy"); local a = ml.randn(1, 3)
    ml.seed(5, "numpy"); local b = ml.randn(1, 3)
    assert.is_true(a == b)
  end)
  it("ml.seed(n) switches back to the default generator", function()
    ml.seed(42); local a = ml.rand(2, 2)
    ml.seed(1, "numpy"); ml.rand(2, 2)
    ml.seed(42); local b = ml.rand(2, 2)
    assert.is_true(a == b)
    ml.seed(42, "luaml"); local c = ml.rand(2, 2)
    assert.is_true(a == c)
  end)
  it("the default generator's streams are unchanged (pinned in spec 07)", function()
    local e = dofile("spec/ref/numpy_ref.lua").rng.seed42
    ml.seed(1, "numpy"); ml.randn(3, 3)
    ml.seed(42)
    H.close(ml.rand(2, 3), e.rand_2x3, EXACT)
  end)
  it("numpy's seed range and a bad generator name are clear errors", function()
    H.raises(function() ml.seed(-1, "numpy") end,
             "bad argument #1 to 'seed'", "between 0 and 2^32 - 1")
    H.raises(function() ml.seed(2^32, "numpy") end, "between 0 and 2^32 - 1")
    H.raises(function() ml.seed(1, "torch") end, "bad argument #2 to 'seed'",
             "invalid option 'torch'")
  end)
end)

describe("ml.random.choice", function()
  it("draws 1..n, distinct without replacement (default generator too)", function()
    ml.seed(3)
    local c = ml.random.choice(50, 50, false)
    local seen = {}
    for j = 1, 50 do
      local v = c[j]
      assert.is_true(v >= 1 and v <= 50 and v == math.floor(v) and not seen[v])
      seen[v] = true
    end
    local r = ml.random.choice(3, 200)
    assert.are.equal(0, r:lt(1):sum() + r:gt(3):sum())
    assert.are.same({1, 0}, {ml.random.choice(5, 0):shape()})
  end)
  it("more than n without replacement, or from nothing, is an error", function()
    H.raises(function() return ml.random.choice(3, 5, false) end,
             "choice: cannot draw 5 distinct values from 1..3", "replace = true")
    H.raises(function() return ml.random.choice(0, 2) end, "choice", "n is 0")
  end)
end)

describe("rand, randn, zeros, ones with one size", function()
  it("give a 1 x n row, as numpy's rand(n) gives n values", function()
    assert.are.same({1, 4}, {ml.rand(4):shape()})
    assert.are.same({1, 4}, {ml.randn(4):shape()})
    assert.are.same({1, 3}, {ml.zeros(3):shape()})
    assert.are.same({1, 3}, {ml.ones(3):shape()})
  end)
end)
