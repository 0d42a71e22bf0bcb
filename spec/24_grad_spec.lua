-- 24: ml.grad and ml.value_and_grad.  Every derivative rule is checked
-- against central finite differences, over shapes that broadcast, views
-- (transposed, strided) and empty matrices; the models' hand-written
-- gradients (_lossgrad) against ml.grad of the same costs; the course's
-- computation graph J = 3(a + bc); the errors; memory over many calls.
local ml = require "luaml"
local H = dofile("spec/helpers.lua")

-- a deterministic r x c matrix: scale * sin(1.3 k + shift) + offset
local function grid(r, c, scale, offset, shift)
  local m = ml.zeros(r, c)
  local k = 0
  for i = 1, r do
    for j = 1, c do
      k = k + 1
      m:set(i, j, (scale or 1) * math.sin(1.3 * k + (shift or 0)) + (offset or 0))
    end
  end
  return m
end

local function scalar(v)
  if ml.ismatrix(v) then return v:get(1, 1) end
  return v
end

-- the central difference of f with respect to argument k of args
local function numgrad(f, args, k)
  local a = args[k]
  local function at() return scalar(f(table.unpack(args, 1, args.n))) end
  if type(a) == "number" then
    local h = 1e-6 * math.max(1, math.abs(a))
    args[k] = a + h
    local fp = at()
    args[k] = a - h
    local fm = at()
    args[k] = a
    return (fp - fm) / (2 * h)
  end
  local G = ml.zeros(a.rows, a.cols)
  for i = 1, a.rows do
    for j = 1, a.cols do
      local x = a:get(i, j)
      local h = 1e-6 * math.max(1, math.abs(x))
      a:set(i, j, x + h)
      local fp = at()
      a:set(i, j, x - h)
      local fm = at()
      a:set(i, j, x)
      G:set(i, j, (fp - fm) / (2 * h))
    end
  end
  return G
end

-- ml.grad(f)(args) against finite differences, argument by argument; the
-- value of ml.value_and_grad against f's own
local function check(label, f, ...)
  local args = table.pack(...)
  local vg = table.pack(ml.value_and_grad(f)(...))
  local g = table.pack(ml.grad(f)(...))
  H.close(scalar(vg[1]), scalar(f(...)), 1e-12, label .. ": value")
  local n = 0
  for k = 1, args.n do
    local a = args[k]
    if type(a) == "number" or ml.ismatrix(a) then
      n = n + 1
      local num = numgrad(f, args, k)
      H.close(g[n], num, {rtol = 1e-5, atol = 1e-6}, label .. ": d/darg" .. k)
      H.close(vg[n + 1], g[n], 0, label .. ": value_and_grad's d/darg" .. k)
    end
  end
  assert.are.equal(n, g.n, label .. ": one gradient per number or matrix argument")
end

describe("ml.grad: the computation graph of the course", function()
  it("J = 3(a + bc) at a = 5, b = 3, c = 2: J = 33, dJ/da, db, dc = 3, 6, 9", function()
    local J = function(a, b, c) return 3 * (a + b * c) end
    local v, da, db, dc = ml.value_and_grad(J)(5, 3, 2)
    assert.are.equal(33, v)
    assert.are.equal(3, da)
    assert.are.equal(6, db)
    assert.are.equal(9, dc)
    assert.are.equal("number", type(da))
    local ga, gb, gc = ml.grad(J)(5, 3, 2)
    assert.are.same({3, 6, 9}, {ga, gb, gc})
  end)

  it("numbers in, numbers out; 1x1 matrices in, 1x1 matrices out", function()
    local g = ml.grad(function(x) return x * x * x end)
    assert.are.equal(12, g(2))
    local gm = ml.grad(function(x) return ml.sum(x * x * x) end)(ml.matrix{{2}})
    assert.is_true(ml.ismatrix(gm))
    H.close(gm, {{12}}, 0)
  end)

  it("arguments of other types pass through; a gradient with no path is zero", function()
    local seen
    local g1, g2 = ml.grad(function(opts, x, y)
      seen = opts.k
      return ml.sum(x * opts.k)
    end)({k = 2}, ml.ones(2, 2), 5)
    assert.are.equal(2, seen)
    H.close(g1, {{2, 2}, {2, 2}}, 0)
    assert.are.equal(0, g2)
    local c = ml.grad(function(x) return 7 end)(ml.ones(1, 3))
    H.close(c, {{0, 0, 0}}, 0)
  end)

  it("an argument used many times sums its gradients", function()
    check("x*x + sin(x)*x - x/3", function(x) return ml.sum(x * x + ml.sin(x) * x - x / 3) end,
          grid(2, 3))
  end)
end)

describe("ml.grad: elementwise functions (each derivative row of core_ops.h)", function()
  -- inputs inside each function's domain, away from its kinks
  local pos = grid(2, 3, 0.4, 1.2)        -- in (0.8, 1.6)
  local any = grid(2, 3, 1.5, 0)          -- in (-1.5, 1.5), no zeros
  local DOMAIN = {
    exp = any, log = pos, log1p = pos, expm1 = any, sqrt = pos, abs = any,
    tanh = any, sigmoid = any, relu = any, square = any, sin = any, cos = any,
    log2 = pos, log10 = pos, reciprocal = pos, neg = any, softplus = any,
  }
  for name, x in pairs(DOMAIN) do
    it(name .. " (function, method; a number; a transposed view)", function()
      check("ml." .. name, function(m) return ml.sum(ml[name](m)) end, x:copy())
      check("m:" .. name, function(m) return m[name](m):sum() end, x:copy())
      check("ml." .. name .. " of a number", function(v) return ml[name](v) end, x:get(1, 2))
      check("ml." .. name .. " of x:T()",
            function(m) return ml.sum(ml[name](m:T()) * grid(3, 2)) end, x:copy())
    end)
  end

  it("every other elementwise function of the library is a constant (so a new row of "
     .. "core_ops.h that ml.grad differentiates must be added to DOMAIN above)", function()
    local seen = 0
    for name, f in pairs(ml) do
      if ml[name .. "_"] and name ~= "clip" and not DOMAIN[name] then
        local unary, v = pcall(f, 0.7)
        local binary, w = pcall(f, 0.7, 0.4)
        if unary and type(v) == "number" then
          seen = seen + 1
          assert.are.equal(0, ml.grad(function(x) return f(x) end)(0.7), name)
        elseif binary and type(w) == "number" and not ({add = 1, sub = 1, mul = 1, div = 1,
            pow = 1, maximum = 1, minimum = 1, atan2 = 1, mod = 1})[name] then
          seen = seen + 1
          assert.are.same({0, 0}, {ml.grad(function(x, y) return f(x, y) end)(0.7, 0.4)}, name)
        end
      end
    end
    assert.are.equal(12, seen, "sign floor ceil round isnan isinf eq ne lt le gt ge")
  end)

  it("numbers inside f compare with < and <=; print shows the value", function()
    local g = ml.grad(function(x) if x < 1 and 0 <= x then return 2 * x end return x end)
    assert.are.equal(2, g(0.5))
    assert.are.equal(1, g(3))
    ml.grad(function(x) assert.are.equal("2.5", tostring(x)) return x end)(2.5)
  end)

  it("relu'(0) = 0; abs'(0) = 0", function()
    H.close(ml.grad(function(x) return ml.sum(ml.relu(x)) end)(ml.matrix{{-1, 0, 2}}),
            {{0, 0, 1}}, 0)
    H.close(ml.grad(function(x) return ml.sum(ml.abs(x)) end)(ml.matrix{{-1, 0, 2}}),
            {{-1, 0, 1}}, 0)
  end)

  it("sign, floor, ceil, round, isnan, isinf and comparisons are constants", function()
    for _, name in ipairs{"sign", "floor", "ceil", "round", "isnan", "isinf"} do
      local g = ml.grad(function(x) return ml.sum(ml[name](x) * x) end)(grid(2, 2))
      H.close(g, ml[name](grid(2, 2)), 0, name)
    end
    for _, name in ipairs{"eq", "ne", "lt", "le", "gt", "ge"} do
      local g = ml.grad(function(x) return ml.sum(x[name](x, 0.1) + x:argmax(1)) end)(grid(2, 2))
      H.close(g, ml.zeros(2, 2), 0, name)
    end
  end)
end)

describe("ml.grad: arithmetic with broadcasting", function()
  local SHAPES = {
    {"2x3 with 2x3", function() return grid(2, 3, 1, 2), grid(2, 3, 0.5, 1.5, 1) end},
    {"1x3 with 2x3", function() return grid(1, 3, 1, 2), grid(2, 3, 0.5, 1.5, 1) end},
    {"2x3 with 1x3", function() return grid(2, 3, 1, 2), grid(1, 3, 0.5, 1.5, 1) end},
    {"2x1 with 1x3", function() return grid(2, 1, 1, 2), grid(1, 3, 0.5, 1.5, 1) end},
    {"1x1 with 2x3", function() return grid(1, 1, 1, 2), grid(2, 3, 0.5, 1.5, 1) end},
    {"2x3 with a number", function() return grid(2, 3, 1, 2), 1.7 end},
    {"a number with 2x3", function() return 1.3, grid(2, 3, 0.5, 1.5, 1) end},
    {"numbers", function() return 1.3, 1.7 end},
    {"a transposed view with a strided slice", function()
      return grid(3, 2, 1, 2):T(), grid(4, 6, 0.5, 1.5, 1):slice(2, 3, 2, 4)
    end},
  }
  local OPS = {
    ["+"] = function(a, b) return a + b end, ["-"] = function(a, b) return a - b end,
    ["*"] = function(a, b) return a * b end, ["/"] = function(a, b) return a / b end,
    ["^"] = function(a, b) return a ^ b end,
    add = ml.add, sub = ml.sub, mul = ml.mul, div = ml.div, pow = ml.pow,
    maximum = ml.maximum, minimum = ml.minimum, atan2 = ml.atan2, mod = ml.mod,
  }
  local W = grid(2, 3, 1, 0, 2)  -- weights: a non-trivial scalar of the result
  for _, s in ipairs(SHAPES) do
    for name, op in pairs(OPS) do
      it(name .. ": " .. s[1], function()
        local a, b = s[2]()
        check(name .. " " .. s[1], function(x, y)
          local z = op(x, y)
          if not ml.ismatrix(z) then return z * 0.7 end
          return ml.sum(z * W:slice(1, z.rows, 1, z.cols))
        end, a, b)
      end)
    end
  end

  it("unary minus and the method forms a:add(b)", function()
    check("-x", function(x) return ml.sum(-x * grid(2, 3)) end, grid(2, 3))
    check("a:mul(b)", function(x, y) return x:mul(y):sum() end, grid(2, 3), grid(1, 3))
    check("2 - x, 2 / x, 2 ^ x", function(x) return ml.sum(2 - x + 2 / x + 2 ^ x) end,
          grid(2, 2, 0.3, 1))
  end)

  it("maximum/minimum share the gradient of a tie equally (as PyTorch)", function()
    local ga, gb = ml.grad(function(a, b) return ml.sum(ml.maximum(a, b)) end)(
      ml.matrix{{1, 2, 3}}, ml.matrix{{3, 2, 1}})
    H.close(ga, {{0, 0.5, 1}}, 0)
    H.close(gb, {{1, 0.5, 0}}, 0)
  end)

  it("a plain matrix on the left of a traced one (the matrices' own metamethods)", function()
    local A = grid(2, 3)
    check("A + x, A * x, A / x, A - x, A ^ x", function(x)
      return ml.sum(A + x) + ml.sum(A * x) + ml.sum(A / x) + ml.sum(A - x) + ml.sum(ml.abs(A) ^ x)
    end, grid(2, 3, 0.3, 1, 2))
  end)
end)

describe("ml.grad: products, views, stacking", function()
  it("dot (function, method, matmul), with transposed and strided operands", function()
    check("A:dot(B)", function(A, B) return ml.sum(A:dot(B) * grid(2, 4)) end, grid(2, 3), grid(3, 4, 1, 0, 1))
    check("ml.matmul", function(A, B) return ml.sum(ml.matmul(A, B) * grid(2, 4)) end, grid(2, 3), grid(3, 4))
    check("X W^T (a layer)", function(X, W) return ml.sum(ml.tanh(X:dot(W:T()))) end,
          grid(4, 3), grid(2, 3, 1, 0, 1))
    check("A^T B", function(A, B) return ml.sum(ml.dot(A:T(), B) * grid(3, 2)) end, grid(4, 3), grid(4, 2, 1, 0, 1))
    check("strided", function(A, B) return ml.sum(A:col(2):T():dot(B:slice(1, 3, 2, 3))) end,
          grid(3, 3), grid(4, 4, 1, 0, 2))
    check("number * matrix", function(a, B) return ml.sum(ml.dot(a, B)) end, 1.5, grid(2, 2))
    check("a plain matrix on the left", function(B) return ml.sum(grid(2, 3):dot(B)) end, grid(3, 2))
  end)

  it("T, slice, row, col, reshape, copy, get, v[i], m(i, j)", function()
    local X = grid(3, 4)
    check("T", function(x) return ml.sum(x:T() * grid(4, 3)) end, X:copy())
    check("slice", function(x) return ml.sum(ml.exp(x:slice(2, 3, 2, 4))) end, X:copy())
    check("row, col", function(x) return ml.sum(x:row(2) * x:col(3):T():slice(1, 1, 1, 3):sum()) end, X:copy())
    check("reshape", function(x) return ml.sum(x:reshape(2, 6) * grid(2, 6)) + ml.sum(ml.reshape(x:T(), 6, 2) * grid(6, 2)) end, X:copy())
    check("copy, contiguous", function(x) return ml.sum(ml.copy(x) * x:T():contiguous():T()) end, X:copy())
    check("get, (i, j), [i]", function(x) return x:get(2, 3) * x(1, 1) + x:row(1)[2] ^ 2 end, X:copy())
  end)

  it("hstack and vstack, with numbers and plain matrices among them", function()
    check("hstack", function(a, b) return ml.sum(ml.hstack{a, ml.ones(2, 1), b, a} * grid(2, 8)) end,
          grid(2, 2), grid(2, 3, 1, 0, 1))
    check("vstack", function(a, s) return ml.sum(ml.vstack{a, s * ml.ones(1, 2), a:T()} * grid(5, 2)) end,
          grid(2, 2), 0.7)
    check("hstack of numbers", function(a, b) return ml.sum(ml.hstack{a, b} * ml.matrix{{2, 3}}) end, 0.5, 1.5)
  end)

  it("empty matrices give empty gradients", function()
    local g = ml.grad(function(x) return ml.sum(ml.exp(x)) end)(ml.zeros(0, 3))
    assert.are.same({0, 3}, {g.rows, g.cols})
    local ga, gb = ml.grad(function(a, b) return ml.sum(a:dot(b)) + 1 end)(ml.zeros(2, 0), ml.zeros(0, 3))
    assert.are.same({2, 0, 0, 3}, {ga.rows, ga.cols, gb.rows, gb.cols})
    local gs = ml.grad(function(a, b) return ml.sum(ml.hstack{a, b}) end)(ml.zeros(2, 0), ml.ones(2, 2))
    assert.are.same({2, 0}, {gs.rows, gs.cols})
  end)
end)

describe("ml.grad: reductions", function()
  local X = grid(3, 4, 1, 0.2)
  for _, name in ipairs{"sum", "mean", "max", "min", "prod", "var", "std", "norm", "nansum"} do
    it(name .. " whole, by axis 1 and 2", function()
      check(name, function(x) return ml[name](x) end, X:copy())
      check(name .. " axis 1", function(x) return ml.sum(ml[name](x, 1) * grid(1, 4)) end, X:copy())
      check(name .. " axis 2", function(x) return ml.sum(x[name](x, 2) * grid(3, 1)) end, X:copy())
      check(name .. " of x:T()", function(x) return ml.sum(ml[name](x:T(), 1) * grid(1, 3)) end, X:copy())
    end)
  end

  it("var and std with ddof = 1, and the {axis =, ddof =} form", function()
    check("var ddof 1", function(x) return ml.var(x, nil, 1) end, X:copy())
    check("std axis 1 ddof 1", function(x) return ml.sum(ml.std(x, {axis = 1, ddof = 1})) end, X:copy())
  end)

  it("prod with a zero; max with a tie shared equally; nansum skips NaN", function()
    check("prod with a zero", function(x) return ml.sum(ml.prod(x, 1)) + ml.prod(x) end,
          ml.matrix{{1, 0, 3}, {2, 5, 0}, {4, 2, 1}})
    H.close(ml.grad(function(x) return ml.max(x) end)(ml.matrix{{1, 3, 3}}), {{0, 0.5, 0.5}}, 0)
    H.close(ml.grad(function(x) return ml.nansum(x * 2) end)(ml.matrix{{1, 0 / 0, 3}}), {{2, 0, 2}}, 0)
  end)

  it("cumsum down the rows and along the columns", function()
    check("cumsum 1", function(x) return ml.sum(ml.cumsum(x, 1) * grid(3, 4)) end, X:copy())
    check("cumsum 2", function(x) return ml.sum(ml.cumsum(x, 2) * grid(3, 4)) end, X:copy())
    check("cumsum of a row", function(x) return ml.sum(ml.cumsum(x) * grid(1, 4)) end, grid(1, 4))
  end)
end)

describe("ml.grad: softmax, losses, clip", function()
  local Z = grid(4, 3, 2)
  local onehot = ml.matrix{{1, 0, 0}, {0, 0, 1}, {0, 1, 0}, {0, 0, 1}}
  local labels = ml.matrix{{0}, {2}, {1}, {2}}

  it("softmax and log_softmax by rows and by columns", function()
    for _, axis in ipairs{1, 2} do
      check("softmax " .. axis, function(z) return ml.sum(ml.softmax(z, axis) * grid(4, 3)) end, Z:copy())
      check("log_softmax " .. axis, function(z) return ml.sum(ml.log_softmax(z, axis) * grid(4, 3)) end, Z:copy())
    end
  end)

  it("softmax_cross_entropy (fused) with one-hot targets and labels", function()
    check("sxent one-hot", function(z, t) return ml.softmax_cross_entropy(z, t) end, Z:copy(), onehot * 0.8 + 0.05)
    check("sxent labels", function(z) return ml.softmax_cross_entropy(z, labels) end, Z:copy())
    check("sxent through a layer", function(W, b)
      return ml.softmax_cross_entropy(grid(4, 2):dot(W) + b, labels)
    end, grid(2, 3), grid(1, 3))
  end)

  it("cross_entropy, binary_cross_entropy, sigmoid_cross_entropy, mse", function()
    local P = ml.softmax(Z)
    check("cross_entropy one-hot", function(p, t) return ml.cross_entropy(p, t) end, P, onehot * 0.8 + 0.05)
    check("cross_entropy labels", function(p) return ml.cross_entropy(p, labels) end, P)
    local A, Y = ml.sigmoid(grid(3, 2)), ml.matrix{{1, 0}, {0, 1}, {1, 1}} * 0.9 + 0.05
    check("binary_cross_entropy", function(a, y) return ml.binary_cross_entropy(a, y) end, A, Y)
    check("sigmoid_cross_entropy", function(z, y) return ml.sigmoid_cross_entropy(z, y) end, grid(3, 2), Y)
    check("mse", function(a, b) return ml.mse(a, b) end, grid(3, 2), grid(3, 2, 1, 0, 1))
  end)

  it("binary_cross_entropy of a saturated sigmoid: a finite gradient, not 0/0", function()
    local g = ml.grad(function(z)
      return ml.binary_cross_entropy(ml.sigmoid(z), ml.matrix{{1}, {0}, {1}})
    end)(ml.matrix{{40}, {-40}, {0}})
    H.close(g, {{0}, {0}, {-0.5 / 3}}, 1e-15)
  end)

  it("clip passes the gradient inside its bounds only", function()
    check("clip", function(x) return ml.sum(ml.clip(x, -0.5, 0.6) * grid(3, 4)) end, grid(3, 4, 1, 0, 0.3))
    check("clip open above", function(x) return ml.sum(x:clip(-0.5) * grid(3, 4)) end, grid(3, 4, 1, 0, 0.3))
  end)
end)

describe("ml.grad against the models' hand-written gradients", function()
  local X = grid(20, 3, 1.5)
  local function same(model, y, loss)
    model:_prepare(X, y, "spec")
    for k, p in ipairs(model._params) do p:copy_(grid(p.rows, p.cols, 0.3, 0, k)) end
    local cost, grads = model:_lossgrad(X, y, X.rows)
    local v, gW, gb = ml.value_and_grad(loss)(model.W:copy(), model.b:copy())
    H.close(v, cost, 1e-12, "cost")
    H.close(gW, grads[1], 1e-12, "dW")
    H.close(gb, grads[2], 1e-12, "db")
  end

  it("LogisticRegression", function()
    local y = X:col(1):gt(0)
    same(ml.LogisticRegression{}, y, function(W, b)
      return ml.binary_cross_entropy(ml.sigmoid(X:dot(W) + b), y)
    end)
  end)

  it("SoftmaxRegression", function()
    local y = ml.argmax(X, 2) - 1
    same(ml.SoftmaxRegression{}, y, function(W, b)
      return ml.softmax_cross_entropy(X:dot(W) + b, y)
    end)
  end)

  it("LinearRegression (gradient descent)", function()
    local y = X:dot(ml.matrix{{1}, {-2}, {0.5}}) + 0.3 + grid(20, 1, 0.1)
    same(ml.LinearRegression{solver = "gd"}, y, function(W, b)
      return ml.mse(X:dot(W) + b, y) / 2
    end)
  end)
end)

describe("ml.grad: errors", function()
  it("in-place operations and out arguments on traced values", function()
    H.raises(function() ml.grad(function(x) x:exp_() return ml.sum(x) end)(ml.ones(2, 2)) end,
             "exp_", "in place", "inside ml.grad")
    H.raises(function() ml.grad(function(x) ml.ones(2, 2):add_(x) return ml.sum(x) end)(ml.ones(2, 2)) end,
             "add_", "in place")
    H.raises(function() ml.grad(function(x) return ml.sum(ml.exp(x, ml.zeros(2, 2))) end)(ml.ones(2, 2)) end,
             "exp", "out argument")
    H.raises(function() ml.grad(function(x) x[1] = 2 return ml.sum(x) end)(ml.ones(1, 2)) end,
             "cannot set element 1")
  end)

  it("f must return a number or a 1x1 matrix: the error names the shape", function()
    H.raises(function() ml.grad(function(x) return x * 2 end)(ml.ones(2, 3)) end,
             "grad: f must return a number or a 1x1 matrix, got a 2x3 matrix")
    H.raises(function() ml.value_and_grad(function(x) return "a" end)(1) end,
             "value_and_grad: f must return", "got a string")
  end)

  it("ml.grad of a non-function; an operation without a derivative rule", function()
    H.raises(function() ml.grad(42) end, "grad: argument 1 must be a function", "number")
    H.raises(function() ml.grad(function(x) return ml.sum(ml.outer(x, x)) end)(ml.ones(1, 2)) end,
             "outer: ml.grad has no derivative rule")
  end)

  it("an error of an operation names the line of f that called it", function()
    local ok, msg = pcall(ml.grad(function(x)
      return ml.sum(x:dot(ml.ones(3, 1)))  -- 2x2 @ 3x1
    end), ml.ones(2, 2))
    assert.is_false(ok)
    assert.is_truthy(msg:find("24_grad_spec.lua:%d+: dot: shapes 2x2 and 3x1 not aligned"), msg)
    local ok2, msg2 = pcall(ml.grad(function(x) return ml.sum(ml.exp(x) + ml.ones(3, 3)) end), ml.ones(2, 2))
    assert.is_false(ok2)
    assert.is_truthy(msg2:find("24_grad_spec.lua:%d+: add: cannot broadcast 2x2 with 3x3"), msg2)
    -- the exact line, for a method of a traced value and for a library
    -- function that hands its call over (ml.dot(plain, traced))
    local line
    local ok3, msg3 = pcall(ml.grad(function(x)
      line = debug.getinfo(1, "l").currentline + 1
      return ml.sum(x:dot(ml.ones(3, 1)))
    end), ml.ones(2, 2))
    assert.is_false(ok3)
    assert.is_truthy(msg3:find("24_grad_spec.lua:" .. line .. ": dot: shapes 2x2 and 3x1", 1, true), msg3)
    local ok4, msg4 = pcall(ml.grad(function(x)
      line = debug.getinfo(1, "l").currentline + 1
      return ml.sum(ml.dot(ml.ones(3, 3), x))
    end), ml.ones(2, 2))
    assert.is_false(ok4)
    assert.is_truthy(msg4:find("24_grad_spec.lua:" .. line .. ": dot: shapes 3x3 and 2x2", 1, true), msg4)
  end)
end)

describe("ml.grad: outside it nothing is recorded", function()
  it("a traced value kept after ml.grad returned stands for its value", function()
    local kept
    ml.grad(function(x) kept = x * 2 return ml.sum(kept) end)(ml.ones(1, 2))
    H.close(ml.exp(kept), ml.exp(ml.full(1, 2, 2)), 0)
    H.close(ml.ones(1, 2) + kept, {{3, 3}}, 0)
    assert.is_true(ml.ismatrix(kept))
  end)

  it("keeps no gradient once it returned: a minor collection frees it (generational mode)", function()
    -- a 16 MB data set makes the collections of mid-sized matrices minor
    -- ones; ml.grad's tape is old by its end and was written to, so the
    -- next minor collection traverses it, garbage or not: a gradient left
    -- in it lived on (and was promoted: 800 KB per step of bench/7_grad)
    local out = H.host([[
local old = collectgarbage("generational")
local ballast = ml.zeros(2000, 1000)
local X = ml.ones(64, 128)
local vg = ml.value_and_grad(function(W)
  local H = ml.relu(X:dot(W))
  return (H * 2 + 1):sum()
end)
local _, dW = vg(ml.ones(128, 128))
local weak = setmetatable({dW}, {__mode = "v"})
dW = nil
for _ = 1, 2 do local t = ml.zeros(64, 128) end
print(weak[1] == nil and "freed" or "kept")
]], "")
    assert.are.equal("freed\n", out)
  end)

  it("nested ml.grad: the inner one treats the outer's values as constants", function()
    local inner
    local g = ml.grad(function(x)
      inner = ml.grad(function(y) return ml.sum(y * x) end)(ml.ones(1, 2))
      return ml.sum(x * x)
    end)(ml.matrix{{1, 2}})
    H.close(g, {{2, 4}}, 0)
    H.close(inner, {{1, 2}}, 0)
  end)

  it("a training loop of many steps runs in bounded memory", function()
    local X, y = grid(32, 8), ml.argmax(grid(32, 3), 2) - 1
    local W1, b1, W2, b2 = grid(16, 8, 0.3), ml.zeros(1, 16), grid(3, 16, 0.3, 0, 1), ml.zeros(1, 3)
    local step = ml.value_and_grad(function(W1, b1, W2, b2)
      local h = ml.relu(X:dot(W1:T()) + b1)
      return ml.softmax_cross_entropy(h:dot(W2:T()) + b2, y)
    end)
    local function run(n)
      local cost
      for _ = 1, n do
        local c, g1, g2, g3, g4 = step(W1, b1, W2, b2)
        W1:add_(g1, -0.1); b1:add_(g2, -0.1); W2:add_(g3, -0.1); b2:add_(g4, -0.1)
        cost = c
      end
      return cost
    end
    local c0 = run(1)
    run(300)
    collectgarbage()
    local m1 = collectgarbage("count")
    local c1 = run(1500)
    collectgarbage()
    local m2 = collectgarbage("count")
    assert.is_true(c1 < c0 * 0.5, ("the loss falls: %g -> %g"):format(c0, c1))
    assert.is_true(m2 < m1 * 1.2 + 64, ("memory %.0f KiB after 300 steps, %.0f after 1800"):format(m1, m2))
  end)
end)
