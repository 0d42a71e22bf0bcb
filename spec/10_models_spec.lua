-- 10: LinearRegression, LogisticRegression, SoftmaxRegression.
-- Gradients are checked by finite differences; training runs are compared
-- with numpy re-implementations of the same loop (1e-9) and fitted models
-- with scikit-learn (spec/ref/gen_models.py -> spec/ref/models_ref.lua).
local ml = require "luaml"
local H = dofile("spec/helpers.lua")
local ref = dofile("spec/ref/models_ref.lua")

local Xd, yd = ml.datasets.diabetes()
local Xb, yb = ml.datasets.breast_cancer()
local Xi, yi = ml.datasets.iris()
local Zb, Zi, Zd = ml.standardize(Xb), ml.standardize(Xi), ml.standardize(Xd)

-- compare a trained model with a numpy run {cost_history, W, b}
local function same_run(m, r, label)
  H.close(m.cost_history, r.cost_history, 1e-9, label .. " cost_history")
  H.close(m.W, r.W, {rtol = 1e-9, atol = 1e-12}, label .. " W")
  H.close(m.b, r.b, {rtol = 1e-9, atol = 1e-12}, label .. " b")
end

describe("gradients (finite differences)", function()
  -- the model's batch gradient w.r.t. each parameter against central
  -- differences, at random parameters, with and without the L2 term
  local function check(make, X, y, label)
    for _, l2 in ipairs{0, 3.5} do
      local m = make{l2 = l2}
      m:_prepare(X, y, "test")
      for k, p in ipairs(m._params) do
        ml.seed(k)
        p:copy_(ml.randn(p.rows, p.cols) * 0.5)
      end
      for k, p in ipairs(m._params) do
        local err = ml.check_grad(function()
          local cost, grads = m:_lossgrad(X, y, X.rows)
          return cost, grads[k]
        end, p)
        assert.is_true(err < 1e-6, string.format("%s l2=%g parameter %d: relative error %g",
                                                 label, l2, k, err))
      end
    end
  end

  local Xs = Zb:slice(1, 40, 1, 5)
  it("linear regression (squared error / 2N, one and two outputs)", function()
    check(ml.LinearRegression, Xs, Xs:col(1) * 2 - Xs:col(3), "linear")
    check(ml.LinearRegression, Xs, ml.hstack{Xs:col(1), Xs:col(2) + 1}, "linear 2 outputs")
    check(function(o) o.intercept = false return ml.LinearRegression(o) end, Xs, Xs:col(2), "linear no b")
  end)
  it("logistic regression (cross-entropy through sigmoid_cross_entropy)", function()
    check(ml.LogisticRegression, Xs, yb:slice(1, 40), "logistic")
  end)
  it("softmax regression (softmax_cross_entropy)", function()
    check(ml.SoftmaxRegression, Zi:slice(1, 150, 1, 3), yi, "softmax")
  end)
end)

describe("LinearRegression", function()
  local R = ref.diabetes

  it("closed form on diabetes: R^2 = 0.5177484222, scikit-learn's coefficients", function()
    local m = ml.LinearRegression():train(Xd, yd)
    H.close(m:score(Xd, yd), 0.5177484222, {rtol = 0, atol = 1e-10})
    H.close(m:score(Xd, yd), R.r2, 1e-12)
    H.close(m.W, R.W, 1e-9)
    H.close(m.b, R.b, 1e-9)
    H.close(m:predict(Xd), Xd:dot(m.W) + m.b, 1e-12)
    assert.are.equal("1x1", H.shape(m.cost_history))
    H.close(m.cost_history:get(1, 1), ml.mse(m:predict(Xd), yd) / 2, 1e-12)
  end)

  it("the course's normal equations (solver = 'solve'), ridge (l2) and no intercept", function()
    local s = ml.LinearRegression{solver = "solve"}:train(Xd, yd)
    H.close(s.W, R.W, 1e-8)
    local r = ml.LinearRegression{l2 = 10}:train(Xd, yd)
    H.close(r.W, R.ridge10_W, 1e-9)
    H.close(r.b, R.ridge10_b, 1e-9)
    H.close(r:score(Xd, yd), R.ridge10_r2, 1e-12)
    local n = ml.LinearRegression{intercept = false}:train(Xd, yd)
    H.close(n.W, R.noint_W, 1e-9)
    H.close(n.b, {{0}}, 0)
    H.close(n:score(Xd, yd), R.noint_r2, 1e-12)
  end)

  it("gradient descent follows numpy's loop exactly", function()
    local G = ref.diabetes_gd
    same_run(ml.LinearRegression{lr = 0.1, epochs = 100, l2 = 0.2}:fit(Zd, yd), G.gd, "gd")
    same_run(ml.LinearRegression{lr = 0.1, epochs = 30, intercept = false}:fit(Zd, yd),
             G.noint, "no intercept")
    same_run(ml.LinearRegression{lr = 0.05, epochs = 10, batch_size = 50, shuffle = false,
                                 optimizer = "momentum"}:fit(Zd, yd),
             G.momentum_minibatch, "momentum mini-batches")
  end)

  it("gradient descent converges to the closed form", function()
    local cf = ml.LinearRegression():train(Zd, yd)
    local gd = ml.LinearRegression{lr = 0.5, epochs = 20000, optimizer = "momentum"}:train(Zd, yd)
    H.close(gd.W, cf.W, 1e-7)
    H.close(gd.b, cf.b, 1e-9)
  end)

  it("fits several target columns at once", function()
    local Y = ml.hstack{yd, yd * 2 + 1}
    local m = ml.LinearRegression():train(Xd, Y)
    assert.are.equal("10x2", H.shape(m.W))
    H.close(m.W:col(2), m.W:col(1) * 2, 1e-9)
    H.close(m.b:get(1, 2), 2 * m.b:get(1, 1) + 1, 1e-9)
    H.close(m:score(Xd, Y), R.r2, 1e-10)
  end)

  it("picks gradient descent when lr or epochs is given", function()
    assert.are.equal("gd", ml.LinearRegression{epochs = 5}.solver)
    assert.are.equal("lstsq", ml.LinearRegression().solver)
    assert.are.equal("LinearRegression{solver=lstsq, l2=0} (not trained)",
                     tostring(ml.LinearRegression()))
  end)
end)

describe("LogisticRegression", function()
  local R = ref.breast_cancer

  it("follows numpy's loop: gd with l2, in-order mini-batches, momentum, adam", function()
    same_run(ml.LogisticRegression{lr = 0.1, epochs = 50, l2 = 0.5}:train(Zb, yb), R.gd, "gd")
    same_run(ml.LogisticRegression{lr = 0.05, epochs = 5, batch_size = 100, shuffle = false}
             :train(Zb, yb), R.minibatch, "mini-batch")
    same_run(ml.LogisticRegression{lr = 0.5, epochs = 20,
                                   optimizer = ml.optim.momentum{lr = 0.5, beta = 0.8}}
             :train(Zb, yb), R.momentum, "momentum")
    same_run(ml.LogisticRegression{lr = 0.01, epochs = 20, l2 = 2, optimizer = "adam"}
             :train(Zb, yb), R.adam, "adam")
  end)

  it("converges to scikit-learn's LogisticRegression(C = 1/l2)", function()
    local m = ml.LogisticRegression{lr = 0.3, epochs = 3500, l2 = 10}:train(Zb, yb)
    H.close(m.W, R.sk_l2_10_W, {rtol = 0, atol = 1e-7})
    H.close(m.b, R.sk_l2_10_b, {rtol = 0, atol = 1e-7})
    H.close(m:score(Zb, yb), R.sk_l2_10_acc, 0)
    local m1 = ml.LogisticRegression{lr = 3, epochs = 3000, l2 = 1, optimizer = "momentum"}
               :train(Zb, yb)
    H.close(m1.W, R.sk_l2_1_W, {rtol = 0, atol = 1e-7})
    H.close(m1.b, R.sk_l2_1_b, {rtol = 0, atol = 1e-7})
  end)

  it("predicts 0/1 where P(y = 1) > 0.5; scores accuracy", function()
    local m = ml.LogisticRegression{lr = 0.5, epochs = 200}:train(Zb, yb)
    local p = m:predict_proba(Zb)
    assert.are.equal("569x1", H.shape(p))
    H.close(p, ml.sigmoid(Zb:dot(m.W) + m.b), 1e-15)
    H.close(m:predict(Zb), p:gt(0.5), 0)
    H.close(m:score(Zb, yb), ml.accuracy(p:gt(0.5), yb), 0)
    assert.is_true(m:score(Zb, yb) > 0.98)
    assert.are.equal("200", tostring(m.cost_history.cols))
    assert.is_true(m.cost_history:get(1, 200) < m.cost_history:get(1, 1))
  end)

  it("reshuffles mini-batches with ml's generator: same seed, same model", function()
    local function fit(seed)
      ml.seed(seed)
      return ml.LogisticRegression{lr = 0.05, epochs = 3, batch_size = 64}:train(Zb, yb)
    end
    H.close(fit(7).W, fit(7).W, 0)
    local ordered = ml.LogisticRegression{lr = 0.05, epochs = 3, batch_size = 64, shuffle = false}
                    :train(Zb, yb)
    assert.is_false(fit(7).W == ordered.W)
  end)
end)

describe("SoftmaxRegression", function()
  local R = ref.iris

  it("follows numpy's loop: gd with l2, in-order mini-batches with adam", function()
    same_run(ml.SoftmaxRegression{lr = 0.2, epochs = 50, l2 = 0.3}:train(Zi, yi), R.gd, "gd")
    same_run(ml.SoftmaxRegression{lr = 0.05, epochs = 10, batch_size = 32, shuffle = false,
                                  optimizer = "adam"}:train(Zi, yi), R.minibatch_adam, "adam")
  end)

  it("converges to scikit-learn's multinomial LogisticRegression(C = 1/l2)", function()
    local m = ml.SoftmaxRegression{lr = 3, epochs = 1000, l2 = 1}:train(Zi, yi)
    H.close(m.W, R.sk_l2_1_W, {rtol = 0, atol = 1e-7})
    H.close(m.b, R.sk_l2_1_b, {rtol = 0, atol = 1e-7})
    H.close(m:score(Zi, yi), R.sk_l2_1_acc, 0)
  end)

  it("predicts class values 0..K-1 and row-stochastic probabilities", function()
    local m = ml.SoftmaxRegression{lr = 1, epochs = 200}:train(Zi, yi)
    local P = m:predict_proba(Zi)
    assert.are.equal("150x3", H.shape(P))
    H.close(P:sum(2), ml.ones(150, 1), 1e-12)
    H.close(m:predict(Zi), P:argmax(2) - 1, 0)
    assert.is_true(m:score(Zi, yi) > 0.95)
  end)

  it("takes the number of classes, for labels that miss some", function()
    local m = ml.SoftmaxRegression{classes = 5, epochs = 3}:train(Zi, yi)
    assert.are.equal("4x5", H.shape(m.W))
    H.raises(function() ml.SoftmaxRegression{classes = 2, epochs = 1}:train(Zi, yi) end,
             "label 2 is not a class value in 0..1")
  end)
end)

describe("training output", function()
  -- capture what print and io.write produce while f runs
  local function capture(f)
    local path = os.tmpname()
    local file = assert(io.open(path, "w"))
    local old_print, old_out = _G.print, io.output()
    local printed = {}
    _G.print = function(...) printed[#printed + 1] = table.concat({...}, "\t") end
    io.output(file)
    local ok, err = pcall(f)
    _G.print = old_print
    io.output(old_out)
    file:close()
    local f2 = assert(io.open(path, "rb"))
    local written = f2:read("a")
    f2:close()
    os.remove(path)
    assert(ok, err)
    return printed, written
  end

  local X, y = Zb:slice(1, 100), yb:slice(1, 100)

  it("verbose prints the course's 'Cost after iteration N' every print_every", function()
    local printed, written = capture(function()
      ml.LogisticRegression{epochs = 250, verbose = true}:train(X, y)
    end)
    assert.are.same({"Cost after iteration 0: 0.693147", printed[2], printed[3]}, printed)
    assert.is_truthy(printed[2]:match("^Cost after iteration 100: 0%.%d%d%d%d%d%d$"))
    assert.is_truthy(printed[3]:match("^Cost after iteration 200: "))
    assert.are.equal("", written)     -- no progress bar: the output is not a terminal
    printed = capture(function()
      ml.SoftmaxRegression{epochs = 30, verbose = true, print_every = 10}:train(X, y)
    end)
    assert.are.equal(3, #printed)
  end)

  it("draws a progress bar redrawn with \\r when asked (progress = true)", function()
    local printed, written = capture(function()
      ml.LogisticRegression{epochs = 50, progress = true, verbose = true, print_every = 25}
        :train(X, y)
    end)
    assert.are.same({}, printed)      -- the verbose lines go above the bar
    assert.is_truthy(written:find("Cost after iteration 25: ", 1, true))
    assert.is_truthy(written:find("\rLogisticRegression [" .. ("#"):rep(30) .. "] 100% epoch 50/50 cost ",
                                  1, true))
    assert.are.equal("\n", written:sub(-1))
    local _, none = capture(function()
      ml.LogisticRegression{epochs = 5, progress = false}:train(X, y)
    end)
    assert.are.equal("", none)
  end)
end)

describe("model errors", function()
  local X, y = Zb:slice(1, 50), yb:slice(1, 50)

  it("name the model, the method and the problem", function()
    local m = ml.LogisticRegression{epochs = 2}
    H.raises(function() m:predict(X) end, "LogisticRegression:predict", "not trained")
    m:train(X, y)
    H.raises(function() m:predict(X:slice(1, 5, 1, 3)) end, "X has 3 columns", "trained on 30 features")
    H.raises(function() m:train(X, y:T()) end, "y must be a 50x1 column", "got 1x50 (use y:T())")
    H.raises(function() m:train(X, y * 2) end, "labels must be 0 or 1")
    H.raises(function() m:train("X", y) end, "X must be an N x D matrix")
    H.raises(function() m:train(ml.zeros(0, 3), ml.zeros(0, 1)) end, "X is empty")
    H.raises(function() m:score(X, y:slice(1, 10)) end, "y must be a 50x1 column")
    H.raises(function() ml.SoftmaxRegression{epochs = 1}:train(X, y - 0.5) end,
             "labels must be class values", "(found -0.5)")
    H.raises(function() ml.SoftmaxRegression{epochs = 1}:train(X, y + y:eq(0) * 1.5) end,
             "(found 1.5)")
    H.raises(function() m:train(X / 0, y) end, "X contains NaN or infinite values")
    -- one bad element among finite ones, of each kind; finite values whose
    -- sum overflows are not bad
    for _, v in ipairs{0 / 0, math.huge, -math.huge} do
      local Xv = X:copy()
      Xv:set(37, 2, v)
      H.raises(function() m:train(Xv, y) end, "X contains NaN or infinite values")
    end
    local Xi = X:copy()
    Xi:set(1, 1, math.huge)
    Xi:set(2, 1, -math.huge)  -- inf - inf: a NaN sum
    H.raises(function() m:train(Xi, y) end, "X contains NaN or infinite values")
    local big = ml.LogisticRegression{epochs = 1}
    assert.has_no.errors(function() big:train(ml.full(4, 2, 1e308), ml.matrix{{0}, {1}, {0}, {1}}) end)
    H.raises(function() ml.LinearRegression():train(X, y / 0) end, "y contains NaN")
    H.raises(function() ml.LinearRegression{solver = "qr"} end, "solver must be")
    H.raises(function() ml.LogisticRegression{epochs = 2.5} end, "option 'epochs' must be integer")
    H.raises(function() ml.LogisticRegression{l2 = -1} end, "l2 must not be negative")
    H.raises(function() ml.LogisticRegression{optimizer = "sgd"} end, "optimizer must be")
  end)

  it("stop with advice when the cost blows up", function()
    local msg = H.raises(function()
      ml.LinearRegression{lr = 5, epochs = 200}:train(Xd, yd)
    end, "LinearRegression:train: the cost became", "learning rate (lr = 5)", "ml.standardize")
    assert.is_truthy(msg:find("10_models_spec.lua:%d+:"), msg)   -- reported at the caller
  end)
end)

describe("distributed = true without mpirun (ml.mpi is nil)", function()
  -- one process: the same weights as without the option, bit for bit
  -- (spec/shell/mpi.sh compares 1, 2 and 4 ranks against this)
  it("trains as one process, full batch and shuffled mini-batches", function()
    assert.is_nil(ml.mpi)
    ml.seed(3)
    local X, y = ml.datasets.blobs(90, 3)
    for _, o in ipairs{{lr = 0.5, epochs = 50}, {lr = 0.1, epochs = 5, batch_size = 16},
                       {lr = 0.1, epochs = 5, batch_size = 20, shuffle = false, l2 = 1}} do
      local a, b = ml.SoftmaxRegression(o), ml.SoftmaxRegression(o)
      b.distributed = true
      ml.seed(9); a:train(X, y)
      ml.seed(9); b:train(X, y)
      assert.are.equal(0, (a.W - b.W):abs():max())
      assert.are.equal(0, (a.b - b.b):abs():max())
      assert.are.equal(0, (a.cost_history - b.cost_history):abs():max())
    end
  end)

  it("is a boolean, and LinearRegression's closed forms refuse it", function()
    H.raises(function() ml.LogisticRegression{distributed = 1} end,
             "option 'distributed' must be boolean")
    H.raises(function() ml.LinearRegression{distributed = true} end,
             "LinearRegression: distributed = true trains by gradient descent",
             "give lr and epochs")
    H.raises(function() ml.LinearRegression{distributed = true, solver = "solve"} end,
             "distributed = true trains by gradient descent")
    assert.are.equal("gd", ml.LinearRegression{distributed = true, lr = 0.1}.solver)
  end)
end)
