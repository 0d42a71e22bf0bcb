-- 09: optimisation: the fused builtins (sigmoid_cross_entropy, the momentum
-- and Adam steps, isatty), ml.optim, ml.minimize and ml.check_grad.
-- References: spec/ref/models_ref.lua (spec/ref/gen_models.py) and scalar
-- re-computations of the update rules in plain Lua.
local ml = require "luaml"
local H = dofile("spec/helpers.lua")
local ref = dofile("spec/ref/models_ref.lua")

describe("sigmoid_cross_entropy", function()
  local R = ref.sigmoid_xent

  it("matches numpy's logaddexp form, finite at logits of +-800", function()
    local loss, g = ml.sigmoid_cross_entropy(H.M(R.z), H.M(R.y), true)
    H.close(loss, R.loss, 1e-14)
    H.close(g, R.grad, 1e-14)
    H.close(ml.sigmoid_cross_entropy(H.M(R.z), H.M(R.y)), R.loss, 1e-14)
  end)

  it("equals binary_cross_entropy of the sigmoid where that is accurate", function()
    local z = ml.matrix{{-3, 0.5}, {2, -0.25}}
    local y = ml.matrix{{0, 1}, {1, 1}}
    H.close(ml.sigmoid_cross_entropy(z, y), ml.binary_cross_entropy(ml.sigmoid(z), y), 1e-14)
    H.close(ml.sigmoid_cross_entropy(ml.zeros(5, 1), ml.ones(5, 1)), math.log(2), 1e-15)
  end)

  it("its gradient passes a finite-difference check", function()
    ml.seed(3)
    local y = ml.rand(6, 2):gt(0.5)
    local err = ml.check_grad(function(z) return ml.sigmoid_cross_entropy(z, y, true) end,
                              ml.randn(6, 2) * 3)
    assert.is_true(err < 1e-7, "relative error " .. err)
  end)

  it("writes the gradient into a given matrix, or into the logits", function()
    local z, y = H.M(R.z), H.M(R.y)
    local out = ml.zeros(8, 1)
    local loss, g = ml.sigmoid_cross_entropy(z, y, out)
    assert.are.equal(out, g)
    H.close(out, R.grad, 1e-14)
    H.close(loss, R.loss, 1e-14)
    local loss2, g2 = ml.sigmoid_cross_entropy(z, y, z)
    H.close(loss2, R.loss, 1e-14)
    H.close(z, R.grad, 1e-14)
    assert.are.equal(z, g2)
  end)

  it("works on strided views (the course's 1 x m row of a transposed column)", function()
    local z, y = H.M(R.z), H.M(R.y)
    local loss, g = ml.sigmoid_cross_entropy(z:T(), y:T(), true)
    H.close(loss, R.loss, 1e-14)
    H.close(g:T(), R.grad, 1e-14)
  end)

  it("rejects mismatched shapes and overlapping outputs", function()
    H.raises(function() ml.sigmoid_cross_entropy(ml.zeros(3, 1), ml.zeros(1, 3)) end,
             "sigmoid_cross_entropy", "3x1", "1x3")
    local y = ml.zeros(3, 1)
    H.raises(function() ml.sigmoid_cross_entropy(ml.zeros(3, 1), y, y) end, "overlaps")
    H.raises(function() ml.sigmoid_cross_entropy(ml.zeros(3, 1), y, ml.zeros(2, 1)) end, "'out'")
  end)
end)

-- the update rules in scalar Lua, independent of the C kernels
local function momentum_ref(p, gs, lr, beta)
  local v = 0
  for _, g in ipairs(gs) do
    v = beta * v + (1 - beta) * g
    p = p - lr * v
  end
  return p
end

local function adam_ref(p, gs, lr, b1, b2, eps)
  local m, v = 0, 0
  for t, g in ipairs(gs) do
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    p = p - lr * (m / (1 - b1 ^ t)) / (math.sqrt(v / (1 - b2 ^ t)) + eps)
  end
  return p
end

describe("ml.optim", function()
  local gs = {0.5, -1.25, 2.0, 0.75}   -- the gradient of every element at each step

  -- run opt for #gs steps on params (all elements start at p0)
  local function run(opt, params)
    for _, g in ipairs(gs) do
      local grads = {}
      for i, p in ipairs(params) do grads[i] = ml.full(p.rows, p.cols, g) end
      opt:step(params, grads)
    end
  end

  it("gd: p -= lr * g", function()
    local p = ml.full(2, 3, 1.5)
    run(ml.optim.gd{lr = 0.1}, {p})
    H.close(p, ml.full(2, 3, 1.5 - 0.1 * (0.5 - 1.25 + 2 + 0.75)), 1e-15)
  end)

  it("momentum: v = beta v + (1 - beta) g, p -= lr v", function()
    local p = ml.full(2, 3, 1.5)
    run(ml.optim.momentum{lr = 0.3, beta = 0.8}, {p})
    H.close(p, ml.full(2, 3, momentum_ref(1.5, gs, 0.3, 0.8)), 1e-15)
  end)

  it("adam: bias-corrected moments, defaults lr 0.001 beta1 0.9 beta2 0.999 eps 1e-8", function()
    local p = ml.full(2, 3, 1.5)
    run(ml.optim.adam{lr = 0.05}, {p})
    H.close(p, ml.full(2, 3, adam_ref(1.5, gs, 0.05, 0.9, 0.999, 1e-8)), 1e-15)
    local a = ml.optim.adam()
    assert.are.same({0.001, 0.9, 0.999, 1e-8}, {a.lr, a.beta1, a.beta2, a.eps})
    p = ml.full(1, 1, 1.5)
    run(ml.optim.adam{lr = 0.2, beta1 = 0.5, beta2 = 0.75, eps = 0.1}, {p})
    H.close(p, ml.full(1, 1, adam_ref(1.5, gs, 0.2, 0.5, 0.75, 0.1)), 1e-15)
  end)

  it("updates strided views (a transposed matrix, a column) like dense ones", function()
    for _, make in ipairs{ml.optim.momentum, ml.optim.adam} do
      local base = ml.full(4, 3, 1.5)
      local pT, pc = ml.full(3, 2, 1.5):T(), base:col(2)
      run(make{lr = 0.1}, {pT, pc})
      local want = make == ml.optim.adam and adam_ref(1.5, gs, 0.1, 0.9, 0.999, 1e-8)
                   or momentum_ref(1.5, gs, 0.1, 0.9)
      H.close(pT, ml.full(2, 3, want), 1e-15)
      H.close(pc, ml.full(4, 1, want), 1e-15)
      H.close(base:col(1), ml.full(4, 1, 1.5), 0)   -- the other columns untouched
    end
  end)

  it("keeps one state per parameter matrix, across calls with new lists", function()
    local opt = ml.optim.momentum{lr = 0.5, beta = 0.5}
    local a, b = ml.full(1, 2, 1), ml.full(3, 1, -1)
    opt:step({a, b}, {ml.full(1, 2, 1), ml.full(3, 1, 2)})
    opt:step({a, b}, {ml.full(1, 2, 1), ml.full(3, 1, 2)})
    H.close(a, ml.full(1, 2, momentum_ref(1, {1, 1}, 0.5, 0.5)), 1e-15)
    H.close(b, ml.full(3, 1, momentum_ref(-1, {2, 2}, 0.5, 0.5)), 1e-15)
    opt:step(a, ml.full(1, 2, 1))                 -- a single matrix is a list of one
    H.close(a, ml.full(1, 2, momentum_ref(1, {1, 1, 1}, 0.5, 0.5)), 1e-15)
  end)

  it("prints its settings", function()
    assert.are.equal("optim.momentum{lr=0.1, beta=0.9}", tostring(ml.optim.momentum{lr = 0.1}))
  end)

  it("rejects bad settings and mismatched parameters", function()
    H.raises(function() ml.optim.gd{lr = 0} end, "optim.gd", "lr must be positive")
    H.raises(function() ml.optim.gd{learning_rate = 1} end, "unknown option 'learning_rate'", "lr")
    H.raises(function() ml.optim.momentum{beta = 1} end, "beta must be in [0, 1)")
    H.raises(function() ml.optim.adam{lr = "big"} end, "option 'lr' must be number")
    local opt = ml.optim.gd{lr = 0.1}
    H.raises(function() opt:step({ml.zeros(2, 2)}, {ml.zeros(2, 1)}) end,
             "parameter 1 is 2x2 but its gradient is 2x1")
    H.raises(function() opt:step({ml.zeros(2, 2)}, {}) end, "1 parameters but 0 gradients")
    H.raises(function() opt:step({1}, {2}) end, "must be matrices")
    H.raises(function() ml.adam_step_(ml.zeros(1, 1), ml.zeros(1, 1), ml.zeros(1, 1),
                                      ml.zeros(1, 1), 0.1, 0.9, 0.999, 1e-8, 0) end, "t must be 1")
    H.raises(function() ml.momentum_step_(ml.zeros(1, 2), ml.zeros(1, 2), ml.zeros(2, 1), 0.1, 0.9) end,
             "velocities are 2x1")
    H.raises(function() ml.momentum_step_(ml.zeros(1, 1), ml.zeros(1, 1), ml.zeros(1, 1), 0 / 0, 0.9) end,
             "lr must be a finite number")
  end)
end)

describe("ml.minimize", function()
  local function J(x) return x * x + x, 2 * x + 1 end   -- the course's J = x^2 + x

  it("finds -0.5 for x^2 + x from a number, returning a number and the costs", function()
    local x, costs = ml.minimize(J, 3, {lr = 0.1, iters = 200})
    assert.are.equal("number", type(x))
    H.close(x, -0.5, 1e-12)
    assert.are.equal(200, costs.cols)
    H.close(costs:get(1, 1), 12, 0)                        -- J(3) before the first step
    H.close(costs:get(1, 200), -0.25, 1e-12)
    -- gradient descent on this quadratic: x_k + 0.5 = 3.5 * (1 - 2 lr)^k
    local x5 = ml.minimize(J, 3, {lr = 0.1, iters = 5})
    H.close(x5 + 0.5, 3.5 * 0.8 ^ 5, 1e-14)
  end)

  it("works on matrices with every optimiser and leaves x0 alone", function()
    local target = ml.matrix{{1, -2}, {3, 0.5}}
    local function f(x) local d = x - target return ml.inner(d, d), 2 * d end
    for _, o in ipairs{"gd", "momentum", "adam"} do
      local x0 = ml.zeros(2, 2)
      local x = ml.minimize(f, x0, {lr = o == "adam" and 0.05 or 0.1, iters = 2000, optimizer = o})
      H.close(x, target, 1e-6, o)
      H.close(x0, ml.zeros(2, 2), 0)
    end
    local x = ml.minimize(f, ml.zeros(2, 2), {optimizer = ml.optim.momentum{lr = 0.2}, iters = 500})
    H.close(x, target, 1e-9)
  end)

  it("shows the learning rate's effect: too large diverges", function()
    local _, costs = ml.minimize(J, 3, {lr = 1.05, iters = 50})
    assert.is_true(costs:get(1, 50) > costs:get(1, 1))
  end)

  it("explains misuse", function()
    H.raises(function() ml.minimize(3, 1) end, "minimize: argument 1 must be a function")
    H.raises(function() ml.minimize(J, "x") end, "x0 must be a number or a matrix")
    H.raises(function() ml.minimize(function(x) return x end, 1) end, "gradient must be a number, got nil")
    H.raises(function() ml.minimize(function(x) return 1, ml.zeros(3, 1) end, ml.zeros(2, 1)) end,
             "gradient must be a matrix of x's shape 2x1, got 3x1")
    H.raises(function() ml.minimize(J, 1, {lr = -1}) end, "lr must be positive")
    H.raises(function() ml.minimize(J, 1, {optimizer = "sgd"}) end, "optimizer must be")
    H.raises(function() ml.minimize(J, 1, {steps = 3}) end, "unknown option 'steps'")
  end)
end)

describe("ml.check_grad", function()
  it("is tiny for a right gradient, large for a wrong one; x is restored", function()
    ml.seed(5)
    local A = ml.randn(4, 3)
    local x = ml.randn(3, 2)
    local keep = x:copy()
    local function f(w) local r = A:dot(w) return 0.5 * ml.inner(r, r), A:T():dot(r) end
    local err, num = ml.check_grad(f, x)
    assert.is_true(err < 1e-7, "error " .. err)
    H.close(num, A:T():dot(A:dot(x)), 1e-6)
    H.close(x, keep, 0)
    local function wrong(w) local c, g = f(w) return c, g * 1.01 end
    local err2 = ml.check_grad(wrong, x)
    assert.is_true(err2 > 1e-3, "error " .. err2)
  end)

  it("takes numbers, and a step size", function()
    local err, num = ml.check_grad(function(x) return x ^ 3, 3 * x ^ 2 end, 2, 1e-4)
    assert.is_true(err < 1e-8)
    H.close(num, 12, 1e-7)
    H.raises(function() ml.check_grad(function(x) return x, 1 end, 1, 0) end, "eps must be positive")
    H.raises(function() ml.check_grad(function(x) return x, 1 end, {}) end, "x must be a number or a matrix")
  end)
end)

describe("ml.isatty", function()
  it("is false for a file and a closed file, a boolean for stdout", function()
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    assert.is_false(ml.isatty(f))
    f:close()
    assert.is_false(ml.isatty(f))
    os.remove(path)
    assert.are.equal("boolean", type(ml.isatty()))
    assert.is_false(ml.isatty(-1))
    H.raises(function() ml.isatty("stdout") end, "FILE*")
  end)
end)
