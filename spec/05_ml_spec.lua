-- 05: ML builtins against numpy / scipy / scikit-learn, and gradient checks.
local ml = require "luaml"
local ref = dofile("spec/ref/numpy_ref.lua")
local H = dofile("spec/helpers.lua")

local I = ref.inputs
local R = ref.ml
local TOL = 1e-9

describe("sigmoid", function()
  it("numbers in, number out", function()
    assert.are.equal(0.5, ml.sigmoid(0))
    assert.are.equal(1, ml.exp(0))
    assert.are.equal("number", type(ml.sigmoid(2)))
  end)
  it("matches scipy.special.expit, stable at +-40 and +-1000", function()
    for _, c in ipairs(ref.unary) do
      if c.fn == "sigmoid" then
        H.close(ml.sigmoid(H.M(I[c.input])), c.out, TOL, "sigmoid(" .. c.input .. ")")
      end
    end
    local s = ml.sigmoid(ml.matrix{{-1000, 1000}})
    assert.are.equal(0, s:get(1, 1))
    assert.are.equal(1, s:get(1, 2))
  end)
end)

describe("softmax / log_softmax", function()
  it("rows (default axis 2) sum to 1, stable for large logits", function()
    local p = ml.softmax(H.M(I.Z))
    H.close(p, R.softmax_Z, TOL)
    H.close(p:sum(2), ml.ones(4, 1), 1e-12)
    H.close(ml.softmax(H.M(I.Z), 2), R.softmax_Z, TOL)
    H.close(H.M(I.Z):softmax(), R.softmax_Z, TOL)
  end)
  it("axis 1: columns sum to 1", function()
    local p = ml.softmax(H.M(I.Z), 1)
    H.close(p, R.softmax_Z_axis1, TOL)
    H.close(p:sum(1), ml.ones(1, 3), 1e-12)
  end)
  it("on a transposed view (the course's D x N convention)", function()
    local Zt = H.M(H.transpose(I.Z))          -- 3 x 4, one sample per column
    H.close(ml.softmax(Zt, 1):T(), R.softmax_Z, TOL)
    H.close(ml.softmax(Zt:T()), R.softmax_Z, TOL)
  end)
  it("log_softmax", function()
    H.close(ml.log_softmax(H.M(I.Z)), R.log_softmax_Z, TOL)
    H.close(ml.log_softmax(H.M(I.Z), 1), R.log_softmax_Z_axis1, TOL)
    -- no -inf / NaN for large spreads
    local l = ml.log_softmax(ml.matrix{{0, 1000}})
    H.close(l, {{-1000, 0}}, 1e-12)
  end)
end)

describe("one_hot", function()
  it("labels 0..k-1 in an N x 1 column give N x k", function()
    H.close(ml.one_hot(H.M(I.labels), 3), R.one_hot, 0)
  end)
  it("a 1 x N row of labels gives the same N x k", function()
    H.close(ml.one_hot(H.M(H.transpose(I.labels)), 3), R.one_hot, 0)
  end)
  it("k larger than any label adds zero columns", function()
    local o = ml.one_hot(ml.matrix{{0}, {1}}, 4)
    H.close(o, {{1, 0, 0, 0}, {0, 1, 0, 0}}, 0)
  end)
end)

describe("losses and metrics", function()
  it("binary_cross_entropy (N x 1 and 1 x N)", function()
    local a, y = H.M(I.a_bce), H.M(I.y_bce)
    H.close(ml.binary_cross_entropy(a, y), R.bce, TOL)
    H.close(ml.binary_cross_entropy(a:T(), y:T()), R.bce, TOL)
  end)
  it("binary_cross_entropy is safe at 0 and 1", function()
    -- perfect predictions: loss 0 (0 * log 0 counts as 0)
    local l = ml.binary_cross_entropy(ml.matrix{{0}, {1}}, ml.matrix{{0}, {1}})
    assert.is_true(l == l and math.abs(l) < 1e-12, "loss of perfect predictions: " .. H.fmt(l))
    -- confidently wrong: a large finite loss, not inf/NaN
    local w = ml.binary_cross_entropy(ml.matrix{{0}, {1}}, ml.matrix{{1}, {0}})
    assert.is_true(w == w and w > 10 and w < math.huge, "loss of wrong predictions: " .. H.fmt(w))
  end)
  it("cross_entropy with one-hot targets and with an N x 1 column of labels", function()
    local P = H.M(I.P3)
    H.close(ml.cross_entropy(P, H.M(R.one_hot)), R.cross_entropy, TOL)
    H.close(ml.cross_entropy(P, H.M(I.labels)), R.cross_entropy, TOL)
  end)
  it("cross_entropy is safe at probability 0", function()
    local l = ml.cross_entropy(ml.matrix{{1, 0}}, ml.matrix{{0, 1}})
    assert.is_true(l == l and l < math.huge, "got " .. H.fmt(l))
  end)
  it("softmax_cross_entropy (fused) with one-hot targets and labels", function()
    local Zc = H.M(I.Zc)
    H.close(ml.softmax_cross_entropy(Zc, H.M(R.one_hot)), R.softmax_cross_entropy, TOL)
    H.close(ml.softmax_cross_entropy(Zc, H.M(I.labels)), R.softmax_cross_entropy, TOL)
    -- stable for large logits
    H.close(ml.softmax_cross_entropy(H.M(I.Z), H.M(I.labels)), R.softmax_cross_entropy_Z, TOL)
    -- equals cross_entropy(softmax(z))
    H.close(ml.cross_entropy(ml.softmax(Zc), H.M(I.labels)), R.softmax_cross_entropy, TOL)
  end)
  it("mse", function()
    H.close(ml.mse(H.M(I.mse_a), H.M(I.mse_b)), R.mse, 1e-12)
  end)
  it("accuracy of N x 1 predicted labels", function()
    H.close(ml.accuracy(H.M(I.acc_pred), H.M(I.acc_y)), R.accuracy, 1e-15)
  end)
  it("r2 matches sklearn.metrics.r2_score", function()
    H.close(ml.r2(H.M(I.r2_y), H.M(I.r2_yhat)), R.r2, 1e-12)
    assert.are.equal(1, ml.r2(H.M(I.r2_y), H.M(I.r2_y)))
  end)
end)

describe("gradients by finite differences", function()
  local h = 1e-5
  local GTOL = 1e-7

  it("d softmax_cross_entropy / d logits = (softmax(z) - one_hot(y, k)) / N", function()
    local z = H.M(I.Zc)
    local y = H.M(I.labels)
    local N, K = z.rows, z.cols
    local analytic = (ml.softmax(z) - ml.one_hot(y, K)) / N
    H.close(analytic, R.softmax_cross_entropy_grad, 1e-12, "analytic gradient vs numpy")
    for i = 1, N do
      for j = 1, K do
        local v = z:get(i, j)
        z:set(i, j, v + h); local fp = ml.softmax_cross_entropy(z, y)
        z:set(i, j, v - h); local fm = ml.softmax_cross_entropy(z, y)
        z:set(i, j, v)
        local num = (fp - fm) / (2 * h)
        assert.is_true(H.num_close(num, analytic:get(i, j), 1e-6, GTOL),
          ("(%d,%d): numeric %s, analytic %s"):format(i, j, H.fmt(num), H.fmt(analytic:get(i, j))))
      end
    end
  end)

  it("d binary_cross_entropy(sigmoid(z), y) / dz = (sigmoid(z) - y) / N", function()
    local z = ml.matrix{{0.3}, {-1.2}, {2.0}, {0.0}, {-0.7}}
    local y = ml.matrix{{1}, {0}, {1}, {1}, {0}}
    local N = z.rows
    local analytic = (ml.sigmoid(z) - y) / N
    for i = 1, N do
      local v = z:get(i, 1)
      z:set(i, 1, v + h); local fp = ml.binary_cross_entropy(ml.sigmoid(z), y)
      z:set(i, 1, v - h); local fm = ml.binary_cross_entropy(ml.sigmoid(z), y)
      z:set(i, 1, v)
      local num = (fp - fm) / (2 * h)
      assert.is_true(H.num_close(num, analytic:get(i, 1), 1e-6, GTOL),
        ("(%d): numeric %s, analytic %s"):format(i, H.fmt(num), H.fmt(analytic:get(i, 1))))
    end
  end)
end)
