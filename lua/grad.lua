-- grad.lua: ml.grad and ml.value_and_grad, reverse-mode differentiation
-- of a function written with the library's ordinary operations.
--
--   g = ml.grad(f)             g(...) -> df/darg for each number or matrix
--                              argument of f, in order, of its shape
--   vg = ml.value_and_grad(f)  vg(...) -> f(...), then those gradients
--
-- How it works.  g(...) wraps each number or matrix argument in a traced
-- value (a table {_v = value, _i = node, _t = tape} whose metatable TM
-- gives the arithmetic metamethods and the matrix methods) and runs f in
-- a coroutine.  The library's C functions do not know traced values: one
-- fails their matrix check, and on that failure path (src/lgrad.c) the C
-- function yields its call to run() below, which applies the operation's
-- rule and resumes f with the result.  A rule computes the value with the
-- ordinary function on the plain values and records on the tape a closure
-- that takes the gradient of the result to those of the traced operands
-- (each derivative formula of an elementwise op is its row of
-- src/core_ops.h).  When f has returned, the tape is walked backwards once
-- and dropped.  Outside ml.grad none of this runs.
local ml = ...
local core = ml._gradcore
ml._gradcore = nil
local pack, unpack = table.pack, table.unpack

-- The rules and the traced values are built at the first call of ml.grad
-- (setup returns evaluate), so that start-up does not pay for them.
local function setup()
  local resume, yield, status = coroutine.resume, coroutine.yield, coroutine.status
  local MT = getmetatable(ml.zeros(1))         -- the matrices' metatable
  local methods = MT.__methods
  local OPS = core.ops()
  local ugrad, bgrad = core.ugrad, core.bgrad
  local DBL_MIN = 2.2250738585072014e-308

  local TM = {__name = "luaml.traced"}          -- the traced values' metatable
  core.settraced(TM)
  local active                                  -- the tape being recorded

  local function ismat(x) return getmetatable(x) == MT end
  local function istr(x)
    return type(x) == "table" and getmetatable(x) == TM and x._t == active
  end
  -- the plain value of x (of a traced value of any tape)
  local function val(x)
    if type(x) == "table" and getmetatable(x) == TM then return x._v end
    return x
  end

  -- a new traced value v on the active tape, whose gradient g bw(g) passes
  -- on to its operands (bw false: an argument of f, a leaf)
  local function record(v, bw)
    local t = active
    local n = t.n + 1
    t.n = n
    t.bw[n] = bw
    return setmetatable({_v = v, _i = n, _t = t}, TM)
  end

  -- add g to the gradient of the traced value x (never in place: a gradient
  -- may be shared by several operands)
  local function acc(x, g)
    local gs, i = x._t.g, x._i
    local old = gs[i]
    if old == nil then gs[i] = g else gs[i] = old + g end
  end

  -- the gradient g of a broadcast result summed back to the shape of the
  -- operand like (a number or a matrix)
  local function unbroadcast(g, like)
    if type(like) == "number" then
      if type(g) == "number" then return g end
      return g:sum()
    end
    if type(g) == "number" then return ml.full(like.rows, like.cols, g) end
    if g.rows ~= like.rows then g = g:sum(1) end
    if g.cols ~= like.cols then g = g:sum(2) end
    return g
  end

  local function noout(name)
    ml._error("%s: inside ml.grad leave out the out argument (the result is "
              .. "a new value ml.grad follows)", name)
  end

  -- ---- the rules, by name ------------------------------------------------

  local R = {}

  -- elementwise functions: g * f'(x), the derivative of core_ops.h's row
  for name, e in pairs(OPS.unary) do
    local op, f = e[1], ml[name]
    if e[2] then
      R[name] = function(x, out)
        if out ~= nil then noout(name) end
        local xv = val(x)
        local y = f(xv)
        if not istr(x) then return y end
        return record(y, function(g) acc(x, ugrad(op, xv, y, g)) end)
      end
    end
  end

  function R.neg(x, out)
    if out ~= nil then noout("neg") end
    local y = -val(x)
    if not istr(x) then return y end
    return record(y, function(g) acc(x, -g) end)
  end

  -- binary operations with broadcasting: the common ones through the
  -- ordinary (vectorised) arithmetic, the others through lm_binary_grad
  local BINGRAD = {
    add = {function(g) return g end, function(g) return g end},
    sub = {function(g) return g end, function(g) return -g end},
    mul = {function(g, a, b) return g * b end, function(g, a) return g * a end},
    div = {function(g, a, b) return g / b end},
  }
  for name, e in pairs(OPS.binary) do
    local op, f = e[1], ml[name]
    local d = BINGRAD[name] or {}
    local da = d[1] or function(g, a, b, z) return bgrad(op, 0, a, b, z, g) end
    local db = d[2] or function(g, a, b, z) return bgrad(op, 1, a, b, z, g) end
    if e[2] then
      R[name] = function(a, b, out)
        if out ~= nil then noout(name) end
        local ta, tb, av, bv = istr(a), istr(b), val(a), val(b)
        local z = f(av, bv)
        if not (ta or tb) then return z end
        return record(z, function(g)
          if ta then acc(a, unbroadcast(da(g, av, bv, z), av)) end
          if tb then acc(b, unbroadcast(db(g, av, bv, z), bv)) end
        end)
      end
    end
  end

  -- matrix product: dA = G B^T, dB = A^T G, transposes as views (BLAS
  -- flags); an operand that is x:T() of a traced x gets x's gradient
  -- directly, in x's layout (G^T A rather than (A^T G)^T)
  function R.dot(a, b, out, alpha, beta)
    if out ~= nil then noout("dot") end
    if alpha ~= nil or beta ~= nil then
      ml._error("dot: inside ml.grad leave out alpha and beta (write alpha * "
                .. "ml.dot(a, b) + c: ml.grad follows those)")
    end
    local av, bv = val(a), val(b)
    if type(av) == "number" or type(bv) == "number" then return R.mul(a, b) end
    local ta, tb = istr(a), istr(b)
    local y = ml.dot(av, bv)
    if not (ta or tb) then return y end
    return record(y, function(g)
      if ta then
        local p = a._tof
        if p then acc(p, ml.dot(bv, g:T())) else acc(a, ml.dot(g, bv:T())) end
      end
      if tb then
        local p = b._tof
        if p then acc(p, ml.dot(g:T(), av)) else acc(b, ml.dot(av:T(), g)) end
      end
    end)
  end
  R.matmul = R.dot

  -- a function of two operands a, b whose gradients back(g, av, bv, ta,
  -- tb) gives (computed only for the traced ones: ta, tb)
  local function pairrule(f, back)
    return function(a, b)
      local av, bv = val(a), val(b)
      local y = f(av, bv)
      local ta, tb = istr(a), istr(b)
      if not (ta or tb) then return y end
      return record(y, function(g)
        local ga, gb = back(g, av, bv, ta, tb)
        if ta and ga then acc(a, ga) end
        if tb and gb then acc(b, gb) end
      end)
    end
  end

  -- vectors of one length may lie in different orientations
  local function oriented(v, shape)
    if v.rows ~= shape.rows then return v:T() end
    return v
  end
  R.inner = pairrule(ml.inner, function(g, av, bv)
    return oriented(bv, av) * g, oriented(av, bv) * g
  end)

  -- ---- views and copies ----------------------------------------------------

  function R.T(x)
    local xv = val(x)
    local y = xv:T()
    if not istr(x) then return y end
    local t = record(y, function(g) acc(x, g:T()) end)
    rawset(t, "_tof", x)
    return t
  end
  R.t, R.transpose = R.T, R.T

  -- a view rule: y = view(x, ...); the gradient lands in the same view of
  -- zeros of x's shape
  local function viewrule(name)
    return function(x, ...)
      local xv, args = val(x), pack(...)
      local y = xv[name](xv, ...)
      if not istr(x) then return y end
      return record(y, function(g)
        local G = ml.zeros(xv.rows, xv.cols)
        G[name](G, unpack(args, 1, args.n)):copy_(g)
        acc(x, G)
      end)
    end
  end
  R.slice, R.row, R.col = viewrule("slice"), viewrule("row"), viewrule("col")

  function R.reshape(x, r, c)
    local xv = val(x)
    local y = ml.reshape(xv, r, c)
    if not istr(x) then return y end
    return record(y, function(g) acc(x, g:reshape(xv.rows, xv.cols)) end)
  end

  local function identity(name)
    return function(x)
      local y = ml[name] and ml[name](val(x)) or methods[name](val(x))
      if not istr(x) then return y end
      return record(y, function(g) acc(x, g) end)
    end
  end
  R.copy, R.contiguous = identity("copy"), identity("contiguous")

  -- m:get(i [, j]), m(i, j) and v[i]: one element, a number
  function R.get(x, i, j)
    local xv = val(x)
    local y = xv:get(i, j)
    if not istr(x) then return y end
    return record(y, function(g)
      local G = ml.zeros(xv.rows, xv.cols)
      if j == nil then G:set(i, g) else G:set(i, j, g) end
      acc(x, G)
    end)
  end

  local function stackrule(name, horiz)
    local f = ml[name]
    return function(list, ...)
      if type(list) ~= "table" or getmetatable(list) ~= nil then return f(list) end
      local n, vals, traced, any = #list, {}, {}, false
      for k = 1, n do
        vals[k], traced[k] = val(list[k]), istr(list[k])
        any = any or traced[k]
      end
      local y = f(vals)  -- (converts numbers in vals to 1x1 matrices)
      if not any then return y end
      return record(y, function(g)
        local pos = 1
        for k = 1, n do
          local e, v = list[k], vals[k]
          local w = horiz and v.cols or v.rows
          if traced[k] then
            local p = horiz and g:slice(1, -1, pos, pos + w - 1)
                            or g:slice(pos, pos + w - 1, 1, -1)
            acc(e, type(e._v) == "number" and p:get(1, 1) or p)
          end
          pos = pos + w
        end
      end)
    end
  end
  R.hstack, R.vstack = stackrule("hstack", true), stackrule("vstack", false)

  -- ---- reductions ----------------------------------------------------------

  -- g (a number, or the reduced 1 x c or r x 1 matrix) spread over m's shape
  local function expand(g, m)
    if type(g) == "number" then return ml.full(m.rows, m.cols, g) end
    return ml.zeros(m.rows, m.cols):add_(g)
  end

  local function count(m, axis)
    if axis == 1 then return m.rows elseif axis == 2 then return m.cols end
    return m.rows * m.cols
  end

  -- the product of the other elements of each element's group (all, a
  -- column for axis 1, a row for axis 2): prefix and suffix products
  local function prod_others(m, axis)
    local r, c = m.rows, m.cols
    local out = ml.zeros(r, c)
    local groups = {}
    if axis == 1 then
      for j = 1, c do local gr = {} for i = 1, r do gr[i] = {i, j} end groups[j] = gr end
    elseif axis == 2 then
      for i = 1, r do local gr = {} for j = 1, c do gr[j] = {i, j} end groups[i] = gr end
    else
      local gr = {}
      for i = 1, r do for j = 1, c do gr[#gr + 1] = {i, j} end end
      groups[1] = gr
    end
    for _, gr in ipairs(groups) do
      local pre, p = {}, 1
      for k, ij in ipairs(gr) do pre[k] = p; p = p * m:get(ij[1], ij[2]) end
      local s = 1
      for k = #gr, 1, -1 do
        local ij = gr[k]
        out:set(ij[1], ij[2], pre[k] * s)
        s = s * m:get(ij[1], ij[2])
      end
    end
    return out
  end

  local REDBACK = {
    sum = function(m, y, g) return expand(g, m) end,
    nansum = function(m, y, g) return expand(g, m):mul_(m:eq(m)) end,
    mean = function(m, y, g, axis) return expand(g, m):div_(count(m, axis)) end,
    max = function(m, y, g, axis)  -- shared equally by the elements that tie
      local mask = m:eq(y)
      return mask:mul_(g / mask:sum(axis))
    end,
    var = function(m, y, g, axis, ddof)
      return (m - m:mean(axis)):mul_(g):mul_(2 / (count(m, axis) - ddof))
    end,
    std = function(m, y, g, axis, ddof)
      return (m - m:mean(axis)):mul_(g / y):div_(count(m, axis) - ddof)
    end,
    norm = function(m, y, g)  -- 0 where the norm is 0
      return m * (g / ml.maximum(y, DBL_MIN))
    end,
    prod = function(m, y, g, axis)
      if m:eq(0):any() == 0 then return expand(g, m):mul_(y):div_(m) end
      return prod_others(m, axis):mul_(g)
    end,
  }
  REDBACK.min = REDBACK.max

  for name, diff in pairs(OPS.reduce) do
    local f, back = ml[name], REDBACK[name]
    if diff then
      R[name] = function(x, axis, ddof)
        if type(axis) == "table" then axis, ddof = axis.axis, axis.ddof end
        local xv = val(x)
        local y = f(xv, axis, ddof)
        if not istr(x) then return y end
        return record(y, function(g)
          local num = type(xv) == "number"
          local m = num and ml.full(1, 1, xv) or xv
          local yy = num and ml.full(1, 1, y) or y
          if num then g = ml.full(1, 1, g) end
          local gx = back(m, yy, g, axis, ddof or 0)
          acc(x, num and gx:get(1, 1) or gx)
        end)
      end
    end
  end

  -- cumsum: the gradient of a running sum is the running sum from the end
  function R.cumsum(x, axis)
    local xv = val(x)
    local y = ml.cumsum(xv, axis)
    if not istr(x) then return y end
    axis = axis or (xv.rows == 1 and 2 or 1)
    return record(y, function(g)
      acc(x, g:sum(axis) - ml.cumsum(g, axis) + g)
    end)
  end

  -- ---- ML functions ------------------------------------------------------

  function R.clip(x, lo, hi, out)
    if out ~= nil then noout("clip") end
    local xv = val(x)
    local y = ml.clip(xv, lo, hi)
    if not istr(x) then return y end
    return record(y, function(g)
      local m = type(xv) == "number" and ml.full(1, 1, xv) or xv
      local mask = ml.ones(m.rows, m.cols)
      if lo ~= nil then mask:mul_(m:ge(lo)) end
      if hi ~= nil then mask:mul_(m:le(hi)) end
      mask:mul_(g)
      acc(x, type(xv) == "number" and mask:get(1, 1) or mask)
    end)
  end

  local function softmaxrule(log)
    local name = log and "log_softmax" or "softmax"
    return function(x, axis, out)
      if out ~= nil then noout(name) end
      local xv = val(x)
      local y = ml[name](xv, axis)
      if not istr(x) or type(xv) == "number" then return y end
      local ax = axis or 2
      return record(y, function(g)
        if log then
          acc(x, g - ml.exp(y):mul_(g:sum(ax)))
        else
          local gy = g * y
          acc(x, gy - y * gy:sum(ax))
        end
      end)
    end
  end
  R.softmax, R.log_softmax = softmaxrule(false), softmaxrule(true)

  local function size(v)
    if type(v) == "number" then return 1 end
    return v.rows * v.cols
  end

  R.binary_cross_entropy = pairrule(ml.binary_cross_entropy, function(g, av, tv, ta, tt)
    local s = g / size(av)
    -- (a - y) / (a (1 - a)), the denominator held at 1e-12 or above as
    -- PyTorch's is, so that a saturated sigmoid gives 0, not 0/0
    return ta and (av - tv) / ml.maximum(av * (1 - av), 1e-12) * s,
           tt and (ml.log(1 - av) - ml.log(av)) * s
  end)

  -- targets of p's shape (one-hot or probabilities), else class labels
  local function onehot(p, t)
    if t.rows == p.rows and t.cols == p.cols then return t, false end
    return ml.one_hot(t, p.cols), true
  end

  R.cross_entropy = pairrule(ml.cross_entropy, function(g, pv, tv, tp, tt)
    local T, labels = onehot(pv, tv)
    local s = g / pv.rows
    return tp and (T / ml.maximum(pv, DBL_MIN)):mul_(-s),
           tt and not labels and ml.log(ml.maximum(pv, DBL_MIN)):mul_(-s)
  end)

  -- the fused losses of logits z: their gradient comes with the value;
  -- dtarget(zv, tv, g) is the gradient of targets that ml.grad follows
  local function fused(name, dtarget)
    local f = ml[name]
    return function(z, t, grad)
      if grad ~= nil then
        ml._error("%s: inside ml.grad leave out the grad argument (ml.grad "
                  .. "computes it)", name)
      end
      local zv, tv = val(z), val(t)
      local tz, tt = istr(z), istr(t)
      if not (tz or tt) then return f(zv, tv) end
      local y, G = f(zv, tv, true)
      return record(y, function(g)
        if tz then acc(z, g == 1 and G or G * g) end
        if tt then
          local gt = dtarget(zv, tv, g)
          if gt then acc(t, gt) end
        end
      end)
    end
  end
  R.softmax_cross_entropy = fused("softmax_cross_entropy", function(zv, tv, g)
    if select(2, onehot(zv, tv)) then return nil end  -- labels: constants
    return ml.log_softmax(zv):mul_(-g / zv.rows)
  end)
  R.sigmoid_cross_entropy = fused("sigmoid_cross_entropy", function(zv, tv, g)
    return zv * (-g / size(zv))
  end)

  R.mse = pairrule(ml.mse, function(g, av, bv)
    local d = (av - bv) * (2 * g / size(av))
    return d, -d
  end)

  function R.ismatrix(x) return ismat(val(x)) end

  -- ---- functions without a derivative ------------------------------------

  -- their results are constants (no gradient flows through them), as in
  -- PyTorch: the comparisons, rounding and tests of core_ops.h (kind C),
  -- and these
  local CONST = {
    argmax = true, argmin = true, any = true, all = true, shape = true,
    size = true, totable = true, accuracy = true, one_hot = true,
    __eq = true, __len = true, __tostring = true, __concat = true,
    __idiv = true, close = true,
  }
  for _, kind in ipairs{"unary", "binary"} do
    for name, e in pairs(OPS[kind]) do if not e[2] then CONST[name] = true end end
  end
  for name, diff in pairs(OPS.reduce) do if not diff then CONST[name] = true end end

  local function constant(fn)
    return function(...)
      local a = pack(...)
      for i = 1, a.n do a[i] = val(a[i]) end
      return fn(unpack(a, 1, a.n))
    end
  end

  -- the rule of a function that has none: a constant, or an error that
  -- says why there is no gradient
  local function norule(name, fn)
    if name and CONST[name] then return constant(fn) end
    if name and name:sub(-1) == "_" then
      return function()
        ml._error("%s: cannot change a value in place inside ml.grad (write "
                  .. "y = %s(x, ...) with a new y, not x:%s(...))", name,
                  "ml." .. name:sub(1, -2), name)
      end
    end
    return function()
      ml._error("%s: ml.grad has no derivative rule for it; inside ml.grad "
                .. "use the operations listed in help(ml.grad)", name or "this function")
    end
  end

  -- rules by function value (what a C function hands over) and by method
  -- name (what a traced value's methods are)
  local byfn, names = {}, {}
  for _, t in ipairs{ml, methods} do
    for name, fn in pairs(t) do
      if type(fn) == "function" and names[fn] == nil then
        names[fn] = name
        byfn[fn] = R[name] or norule(name, fn)
      end
    end
  end
  local META = {__add = "add", __sub = "sub", __mul = "mul", __div = "div",
                __pow = "pow", __mod = "mod", __unm = "neg", __call = "get"}
  for mm, fn in pairs(MT) do
    if type(fn) == "function" and mm ~= "__index" then
      names[fn] = META[mm] or mm
      byfn[fn] = R[META[mm]] or norule(mm, fn)
    end
  end

  -- an error of a rule, raised at the position of the code in f that called
  -- the operation
  local function relocate(msg, where)
    if type(msg) ~= "string" or where == nil or where == "" then return msg end
    return where .. msg:gsub("^[^\n]-:%d+: ", "", 1)
  end

  -- ---- the traced values -------------------------------------------------

  -- rule, called from f directly (a method, a metamethod): its errors are
  -- raised at the line of f that called it.  (directly is tail-called, so
  -- f is level 2 from it as from the rule's wrapper; no table per call.)
  local function directly(ok, ...)
    if ok then return ... end
    local info = debug and debug.getinfo and debug.getinfo(2, "Sl")
    local where = (info and info.currentline > 0)
                  and (info.short_src .. ":" .. info.currentline .. ": ") or ""
    error(relocate((...), where), 0)
  end
  local function direct(rule)
    return function(...) return directly(pcall(rule, ...)) end
  end

  local TMETHODS = {}
  for name, fn in pairs(methods) do TMETHODS[name] = direct(R[name] or byfn[fn]) end

  TM.__add = direct(R.add)
  TM.__sub = direct(R.sub)
  TM.__mul = direct(R.mul)
  TM.__div = direct(R.div)
  TM.__pow = direct(R.pow)
  TM.__mod = direct(R.mod)
  TM.__unm = direct(function(a) return R.neg(a) end)  -- (Lua passes a twice)
  TM.__idiv = function(a, b) return val(a) // val(b) end
  TM.__len = function(a) return #val(a) end
  TM.__lt = function(a, b) return val(a) < val(b) end  -- (traced numbers)
  TM.__le = function(a, b) return val(a) <= val(b) end
  TM.__call = direct(R.get)
  TM.__tostring = function(a) return tostring(a._v) end
  TM.__concat = function(a, b) return tostring(val(a)) .. tostring(val(b)) end
  TM.__index = function(t, k)
    local m = TMETHODS[k]
    if m then return m end
    local v = rawget(t, "_v")
    if type(k) == "number" then return TM.__call(t, k) end
    if (k == "rows" or k == "cols") and ismat(v) then return v[k] end
    return nil
  end
  TM.__newindex = function(t, k)
    ml._error("cannot set element %s of a value inside ml.grad (values "
              .. "that ml.grad differentiates do not change in place)", tostring(k))
  end

  -- ---- running f -----------------------------------------------------------

  -- the results of a rule run for a C function of f suspended in co, or
  -- its error raised at the line of f that called that function
  local function dispatched(co, ok, ...)
    if ok then return ... end
    error(relocate((...), core.where(co)), 0)
  end

  -- the call a C function handed over: the function, its arguments
  local function dispatch(co, fn, ...)
    local rule = byfn[fn] or norule(names[fn], fn)
    return dispatched(co, pcall(rule, ...))
  end

  -- run the coroutine co to its end, serving the calls handed over (the
  -- marker TM first); f's own yields pass through to ml.grad's caller.
  -- Returns f's results.  Tail calls: no table, no stack per operation.
  local function served(co, ok, ...)
    if not ok then error((...), 0) end
    if status(co) == "dead" then return ... end
    if (...) == TM then return served(co, resume(co, dispatch(co, select(2, ...)))) end
    return served(co, resume(co, yield(...)))
  end
  local function run(co, ...) return served(co, resume(co, ...)) end

  local function describe(v)
    if ismat(v) then return ("a %dx%d matrix"):format(v.rows, v.cols) end
    return "a " .. type(v)
  end

  -- the value and the gradients of f at ...: (value, {grads...}, count)
  local function evaluate(who, f, ...)
    local n, args = select("#", ...), {...}
    local tape = {n = 0, bw = {}, g = {}}
    local leaves = {}
    local saved, savedco = active, TM.__thread
    active = tape
    for i = 1, n do
      local a = val(args[i])  -- (a value of another ml.grad: a constant here)
      if type(a) == "number" or ismat(a) then
        args[i] = record(a, false)
        leaves[#leaves + 1] = args[i]
      else
        args[i] = a
      end
    end
    local co = coroutine.create(f)
    TM.__thread = co
    local ok, out = pcall(run, co, unpack(args, 1, n))
    active, TM.__thread = saved, savedco
    if not ok then error(out, 0) end
    local v = val(out)
    if not (type(v) == "number" or (ismat(v) and v.rows == 1 and v.cols == 1)) then
      ml._error("%s: f must return a number or a 1x1 matrix, got %s", who, describe(v))
    end
    if type(out) == "table" and getmetatable(out) == TM and out._t == tape then
      local gs, bw = tape.g, tape.bw
      gs[out._i] = type(v) == "number" and 1.0 or ml.ones(1, 1)
      for k = out._i, 1, -1 do
        local g, f1 = gs[k], bw[k]
        bw[k] = nil
        if g ~= nil and f1 then
          gs[k] = nil
          f1(g)
        end
      end
    end
    -- each gradient is taken out of the tape: the tape is old by now (in
    -- generational mode it lived through the step's minor collections), and
    -- an old table that was written to is traversed at the next minor
    -- collection, dead or not: what it still held would be kept and
    -- promoted (the weights' gradients, a full collection's worth of
    -- garbage every few steps)
    local grads, gs = {}, tape.g
    for k, l in ipairs(leaves) do
      local g, lv = gs[l._i], l._v
      gs[l._i] = nil
      if type(lv) == "number" then
        if g == nil then g = 0.0 elseif type(g) ~= "number" then g = g:sum() end
      else
        if g == nil then g = ml.zeros(lv.rows, lv.cols)
        elseif type(g) == "number" then g = ml.full(lv.rows, lv.cols, g)
        else g = g:contiguous() end
      end
      grads[k] = g
    end
    return v, grads, #leaves
  end

  return evaluate
end

local evaluate

local function checkf(who, f)
  if type(f) == "function" then return f end
  local mt = getmetatable(f)
  if mt and mt.__call then return function(...) return f(...) end end
  ml._error("%s: argument 1 must be a function of the values to "
            .. "differentiate, got %s", who, type(f))
end

function ml.grad(f)
  f = checkf("grad", f)
  return function(...)
    evaluate = evaluate or setup()
    local _, grads, n = evaluate("grad", f, ...)
    return unpack(grads, 1, n)
  end
end

function ml.value_and_grad(f)
  f = checkf("value_and_grad", f)
  return function(...)
    evaluate = evaluate or setup()
    local v, grads, n = evaluate("value_and_grad", f, ...)
    return v, unpack(grads, 1, n)
  end
end
