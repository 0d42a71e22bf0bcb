-- 11: data sets (generators and the bundled files), train_test_split and
-- standardize.  Run from the repository root (the loaders find
-- examples/data there).
local ml = require "luaml"
local H = dofile("spec/helpers.lua")
local ref = dofile("spec/ref/models_ref.lua")

describe("generated data sets", function()
  it("xor: n x 2 in [-1, 1]^2, label 1 where the signs differ", function()
    ml.seed(11)
    local X, y = ml.datasets.xor(500)
    assert.are.equal("500x2", H.shape(X))
    assert.are.equal("500x1", H.shape(y))
    assert.is_true(X:min() >= -1 and X:max() < 1)
    H.close(y, (X:col(1):gt(0) + X:col(2):gt(0)):eq(1), 0)
    local share = y:mean()
    assert.is_true(share > 0.4 and share < 0.6, "share of class 1: " .. share)
    ml.seed(11)
    local X2 = ml.datasets.xor(500)
    H.close(X2, X, 0)                             -- seeded: the same data
    assert.are.equal("200x2", H.shape((ml.datasets.xor())))
  end)

  it("donut: radius about 5 for class 0, 10 for class 1, half each", function()
    ml.seed(12)
    local X, y = ml.datasets.donut(1000)
    assert.are.equal("1000x2", H.shape(X))
    H.close(y:sum(), 500, 0)
    local r = (X:square():sum(2)):sqrt()
    local r0 = (r * (1 - y)):sum() / 500
    local r1 = (r * y):sum() / 500
    assert.is_true(math.abs(r0 - 5) < 0.2, "inner radius " .. r0)
    assert.is_true(math.abs(r1 - 10) < 0.2, "outer radius " .. r1)
    H.close(y:slice(1, 500), ml.zeros(500, 1), 0)
    local _, y7 = ml.datasets.donut(7)                -- odd n: 3 inner, 4 outer
    H.close(y7:T(), {{0, 0, 0, 1, 1, 1, 1}}, 0)
  end)

  it("blobs: k clusters labelled 0..k-1 around a circle of radius 4", function()
    ml.seed(13)
    local X, y = ml.datasets.blobs(600, 4, 0.5)
    assert.are.equal("600x2", H.shape(X))
    for c = 0, 3 do
      local mask = y:eq(c)
      assert.are.equal(150, mask:sum())
      local centre = (X * mask):sum(1) / 150
      local want = {4 * math.cos(c * math.pi / 2), 4 * math.sin(c * math.pi / 2)}
      H.close(centre, {want}, {rtol = 0, atol = 0.12}, "cluster " .. c)
    end
    local _, y3 = ml.datasets.blobs(9)
    H.close(y3:T(), {{0, 1, 2, 0, 1, 2, 0, 1, 2}}, 0)
  end)

  it("line: y = slope x + intercept + noise, recovered by least squares", function()
    ml.seed(14)
    local X, y = ml.datasets.line(2000, {slope = -3, intercept = 4, noise = 0.5})
    assert.are.equal("2000x1", H.shape(X))
    local m = ml.LinearRegression():train(X, y)
    H.close(m.W:get(1, 1), -3, {rtol = 0, atol = 0.03})
    H.close(m.b:get(1, 1), 4, {rtol = 0, atol = 0.1})
    local X0, y0 = ml.datasets.line(5, {noise = 0})
    H.close(y0, X0 * 2 + 1, 1e-15)
  end)

  it("reject bad sizes and options", function()
    H.raises(function() ml.datasets.xor(0) end, "datasets.xor: n must be a positive whole number")
    H.raises(function() ml.datasets.donut(2.5) end, "datasets.donut: n must be")
    H.raises(function() ml.datasets.blobs(10, 0) end, "k must be a positive whole number")
    H.raises(function() ml.datasets.blobs(10, 2, -1) end, "spread must be positive")
    H.raises(function() ml.datasets.line(10, {slop = 1}) end, "unknown option 'slop'")
  end)
end)

describe("bundled data sets", function()
  it("breast_cancer, iris, digits, diabetes, wine: X, y, feature names, target", function()
    local cases = {
      {"breast_cancer", 569, 30, "malignant", "mean_radius", 1},
      {"iris", 150, 4, "species", nil, 2},
      {"digits", 1797, 64, "digit", nil, 9},
      {"diabetes", 442, 10, "progression", nil, nil},
      {"wine", 178, 13, "class", nil, 2},
    }
    for _, c in ipairs(cases) do
      local X, y, names, target = ml.datasets[c[1]]()
      assert.are.equal(c[2] .. "x" .. c[3], H.shape(X), c[1])
      assert.are.equal(c[2] .. "x1", H.shape(y), c[1])
      assert.are.equal(c[3], #names, c[1])
      assert.are.equal(c[4], target, c[1])
      if c[5] then assert.are.equal(c[5], names[1]) end
      if c[6] then
        assert.are.equal(0, y:min(), c[1])
        assert.are.equal(c[6], y:max(), c[1])
      end
    end
    local D = ml.datasets.digits()
    assert.are.equal(0, D:min())
    assert.are.equal(16, D:max())                 -- raw 8x8 pixel values
  end)

  it("mnist: 8000 + 2000 digits, pixels scaled to 0..1, labels 0..9", function()
    local Xtr, ytr, Xte, yte = ml.datasets.mnist()
    assert.are.equal("8000x784", H.shape(Xtr))
    assert.are.equal("8000x1", H.shape(ytr))
    assert.are.equal("2000x784", H.shape(Xte))
    assert.are.equal("2000x1", H.shape(yte))
    assert.are.equal(0, Xtr:min())
    assert.are.equal(1, Xtr:max())
    H.close(Xtr:slice(1, 1), ml.load_idx("examples/data/mnist/train-images-idx3-ubyte.gz")
                               :slice(1, 1) / 255, 0)
    assert.are.equal(9, yte:max())
  end)

  it("take a data folder, or the set's own folder", function()
    local X = ml.datasets.iris("examples/data")
    local X2 = ml.datasets.iris("examples/data/uci")
    H.close(X2, X, 0)
  end)

  it("look in LUAML_DATA and ml.datadir, and say where they looked", function()
    local root = io.popen("pwd"):read("l")
    local luaml = root .. "/" .. (os.getenv("LUAML_BUILD") or "build") .. "/luaml"
    local cmd = "cd /tmp && LUAML_DATA=%s/examples/data %s -e %s 2>&1"
    local out = io.popen(string.format(cmd, root, luaml,
      "'print(ml.datasets.wine().rows)'")):read("a")
    assert.are.equal("178\n", out)
    out = io.popen(string.format("cd /tmp && %s -e %s 2>&1", luaml,
      string.format("'ml.datadir = %q; print(ml.datasets.wine().rows)'", root .. "/examples/data"))):read("a")
    assert.are.equal("178\n", out)
    out = io.popen(string.format("cd /tmp && LUAML_DATA= %s -e %s 2>&1", luaml,
      "'ml.datasets.wine(\"/nonexistent\")'")):read("a")
    assert.is_truthy(out:find("datasets.wine: cannot find uci/wine.csv in /nonexistent, examples/data", 1, true), out)
    H.raises(function() ml.datasets.iris(42) end, "the data folder must be a string")
  end)
end)

describe("train_test_split", function()
  local X = ml.arange(1, 20):T() * ml.matrix{{1, 10}}        -- row i is (i, 10 i)
  local y = ml.arange(1, 20):T()

  it("shuffles rows, keeps X and y aligned, puts ceil(N f) in the test part", function()
    local Xtr, Xte, ytr, yte = ml.train_test_split(X, y, 0.33, 5)
    assert.are.equal("13x2", H.shape(Xtr))
    assert.are.equal("7x2", H.shape(Xte))
    H.close(Xtr:col(1), ytr, 0)
    H.close(Xte:col(2), yte * 10, 0)
    local seen = {}
    for _, v in ipairs(ml.vstack{ytr, yte}:T():totable()[1]) do seen[v] = (seen[v] or 0) + 1 end
    for i = 1, 20 do assert.are.equal(1, seen[i], "row " .. i) end
    assert.is_false(ytr == y:slice(1, 13))          -- shuffled
  end)

  it("is reproducible with a seed; defaults to a quarter; y may be left out", function()
    local _, _, a = ml.train_test_split(X, y, 0.5, 9)
    local _, _, b = ml.train_test_split(X, y, 0.5, 9)
    H.close(a, b, 0)
    local tr, te = ml.train_test_split(X, nil)
    assert.are.equal(15, tr.rows)
    assert.are.equal(5, te.rows)
  end)

  it("rejects bad fractions and mismatched y", function()
    H.raises(function() ml.train_test_split(X, y, 1) end, "test_fraction must be a number between 0 and 1")
    H.raises(function() ml.train_test_split(X, y, 0.99) end, "20 rows leave no training data")
    H.raises(function() ml.train_test_split(X, y:slice(1, 5)) end, "one row per row of X (20), got 5x1")
    H.raises(function() ml.train_test_split({}, y) end, "X must be a matrix")
  end)
end)

describe("standardize", function()
  local R = ref.wine

  it("matches scikit-learn's StandardScaler (population std)", function()
    local X = ml.datasets.wine()
    local Z, mean, std = ml.standardize(X)
    H.close(mean, R.mean, 1e-13)
    H.close(std, R.std, 1e-13)
    H.close(Z:slice(1, 3), R.Z_first3, 1e-12)
    H.close(Z:mean(1), ml.zeros(1, 13), {rtol = 0, atol = 1e-13})
    H.close(Z:std(1), ml.ones(1, 13), 1e-12)
  end)

  it("only centres a constant column and reports its std as 1", function()
    local Z, _, std = ml.standardize(H.M(R.const_X))
    H.close(Z, R.const_Z, 1e-12)
    assert.are.equal(1, std:get(1, 4))
  end)

  it("applies given statistics (a test set scaled like the training set)", function()
    local X = ml.datasets.wine()
    local _, mean, std = ml.standardize(X:slice(1, 100))
    local Zte = ml.standardize(X:slice(101, 178), mean, std)
    H.close(Zte, (X:slice(101, 178) - mean) / std, 0)
    H.raises(function() ml.standardize(X, mean) end, "pass both mean and std")
    H.raises(function() ml.standardize(X, mean:T(), std) end, "mean must be a 1x13 row, got 13x1")
    H.raises(function() ml.standardize(7) end, "X must be a matrix")
  end)
end)
