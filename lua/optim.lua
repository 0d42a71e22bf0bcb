-- optim.lua: gradient-based optimisation.
--
--   opt = ml.optim.gd{lr = 0.1}
--   opt = ml.optim.momentum{lr = 0.1, beta = 0.9}
--   opt = ml.optim.adam{lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-8}
--   opt:step(params, grads)   -- lists of matrices (or one matrix each),
--                             -- params updated in place
--   x, costs = ml.minimize(f, x0, {lr = 0.1, iters = 100, optimizer = ...})
--   err, numeric = ml.check_grad(f, x [, eps])
--
-- f(x) returns the cost and its gradient (a number for a number x, else a
-- matrix of x's shape).  Momentum keeps an exponential average of the
-- gradients, v = beta*v + (1-beta)*g, and steps p -= lr*v (the form of the
-- deeplearning.ai course); Adam is Kingma & Ba's, with bias correction.
-- An optimiser's state (velocities, moments) is kept per parameter matrix,
-- so pass the same matrices at every step.
local ml = ...

-- Raise string.format(fmt, ...) at the user's code: the first caller that
-- is not a library chunk (source "@lua/...") nor a C function, so a
-- learner sees "script.lua:12: LogisticRegression: ..." and not a line of
-- the library.  Without the debug library, at the immediate caller.
function ml._error(fmt, ...)
  local msg = select("#", ...) > 0 and string.format(fmt, ...) or fmt
  local level = 2
  if debug and debug.getinfo then
    while true do
      local info = debug.getinfo(level, "S")
      if info == nil or (info.what ~= "C" and info.source:sub(1, 5) ~= "@lua/") then
        break
      end
      level = level + 1
    end
  end
  error(msg, level)
end

-- Check the options table opts of function `who` against spec, a table
-- name -> {type, default} (type "number", "integer", "boolean", "string",
-- "table", "function" or "any"; several may be joined by "|"); returns a
-- new table with the defaults filled in.  Unknown names and wrong types are
-- errors naming the option, so a typo never passes silently.
function ml._options(opts, spec, who)
  if opts ~= nil and type(opts) ~= "table" then
    ml._error("%s: options must be a table, got %s", who, type(opts))
  end
  local out = {}
  for k, v in pairs(opts or {}) do
    local s = spec[k]
    if s == nil then
      local known = {}
      for name in pairs(spec) do known[#known + 1] = name end
      table.sort(known)
      ml._error("%s: unknown option '%s' (options: %s)", who,
              tostring(k), table.concat(known, ", "))
    end
    local ok = s[1] == "any"
    for t in s[1]:gmatch("[^|]+") do
      if t == "integer" then ok = ok or math.type(v) == "integer"
      else ok = ok or type(v) == t end
    end
    if not ok then
      ml._error("%s: option '%s' must be %s, got %s", who, k,
              (s[1]:gsub("|", " or ")), type(v))
    end
    out[k] = v
  end
  for k, s in pairs(spec) do
    if out[k] == nil then out[k] = s[2] end
  end
  return out
end

-- Raise "who: name must be positive, got v" unless v > 0.
function ml._positive(v, name, who)
  if type(v) ~= "number" or not (v > 0) then
    ml._error("%s: %s must be positive, got %s", who, name, tostring(v))
  end
end

local optim = {}
ml.optim = optim

-- Normalise (params, grads): a matrix each, or two lists of matrices of
-- equal length with matching shapes.
local function checkpairs(params, grads, who)
  if ml.ismatrix(params) then params, grads = {params}, {grads} end
  if type(params) ~= "table" or type(grads) ~= "table" then
    ml._error("%s: params and grads must be matrices or lists of matrices", who)
  end
  if #params ~= #grads then
    ml._error("%s: %d parameters but %d gradients", who, #params, #grads)
  end
  for i = 1, #params do
    local p, g = params[i], grads[i]
    if not ml.ismatrix(p) or not ml.ismatrix(g) then
      ml._error("%s: parameter %d and its gradient must be matrices", who, i)
    end
    if p.rows ~= g.rows or p.cols ~= g.cols then
      ml._error("%s: parameter %d is %dx%d but its gradient is %dx%d",
              who, i, p.rows, p.cols, g.rows, g.cols)
    end
  end
  return params, grads
end

-- the state matrix of this optimiser for parameter p, created at zero
local function slot(store, p)
  local s = store[p]
  if s == nil then
    s = ml.zeros(p.rows, p.cols)
    store[p] = s
  end
  return s
end

local Optimizer = {}
Optimizer.__index = Optimizer

function Optimizer:__tostring()
  local parts = {}
  for _, k in ipairs(self._shown) do
    parts[#parts + 1] = string.format("%s=%g", k, self[k])
  end
  return string.format("optim.%s{%s}", self.kind, table.concat(parts, ", "))
end

-- opt:step(params, grads): one update of every parameter, in place
function Optimizer:step(params, grads)
  if getmetatable(self) ~= Optimizer then
    ml._error("step: call it on an optimiser with a colon, opt:step(params, grads)")
  end
  params, grads = checkpairs(params, grads, "optim." .. self.kind .. ":step")
  self.t = self.t + 1
  for i = 1, #params do self:_update(params[i], grads[i]) end
end

-- Make an optimiser of the given kind from opts and spec; `update` is its
-- per-parameter rule.
local function newoptimizer(kind, opts, spec, shown, update)
  local who = "optim." .. kind
  local o = ml._options(opts, spec, who)
  ml._positive(o.lr, "lr", who)
  for _, k in ipairs(shown) do
    if k ~= "lr" and k ~= "eps" and not (o[k] >= 0 and o[k] < 1) then
      ml._error("%s: %s must be in [0, 1), got %g", who, k, o[k])
    end
  end
  o.kind, o.t, o._shown, o._update = kind, 0, shown, update
  o._m = setmetatable({}, {__mode = "k"})
  o._v = setmetatable({}, {__mode = "k"})
  return setmetatable(o, Optimizer)
end

-- plain gradient descent: p -= lr * g
local function gdupdate(self, p, g) p:add_(g, -self.lr) end
function optim.gd(opts)
  return newoptimizer("gd", opts, {lr = {"number", 0.01}}, {"lr"}, gdupdate)
end

-- The learning rate of opt when it is the library's own gd, untouched
-- (its step is p:add_(g, -lr): a model may fold that into the products
-- that make g, and then calls ml._gdstepped instead of step); else nil.
function ml._gdrate(opt)
  if getmetatable(opt) == Optimizer and opt.kind == "gd" and rawget(opt, "step") == nil
     and opt._update == gdupdate then
    return opt.lr
  end
  return nil
end

-- count a step a model made itself (opt.t, as step counts them)
function ml._gdstepped(opt) opt.t = opt.t + 1 end

function optim.momentum(opts)
  return newoptimizer("momentum", opts,
    {lr = {"number", 0.01}, beta = {"number", 0.9}}, {"lr", "beta"},
    function(self, p, g)
      ml.momentum_step_(p, g, slot(self._v, p), self.lr, self.beta)
    end)
end

function optim.adam(opts)
  return newoptimizer("adam", opts,
    {lr = {"number", 0.001}, beta1 = {"number", 0.9},
     beta2 = {"number", 0.999}, eps = {"number", 1e-8}},
    {"lr", "beta1", "beta2", "eps"},
    function(self, p, g)
      ml.adam_step_(p, g, slot(self._m, p), slot(self._v, p), self.lr,
                    self.beta1, self.beta2, self.eps, self.t)
    end)
end

-- An optimiser from a model's or minimize's `optimizer` option: a name
-- ("gd", "momentum", "adam") made with learning rate lr, or an object
-- with a step method, used as it is.
function ml._optimizer(spec, lr, who)
  if type(spec) == "table" and type(spec.step) == "function" then return spec end
  local make = type(spec) == "string" and optim[spec]
  if not make then
    ml._error("%s: optimizer must be \"gd\", \"momentum\", \"adam\" or "
              .. "an ml.optim object, got %s", who, tostring(spec))
  end
  return make{lr = lr}
end

-- Call f at x (a matrix; unwrapped to a number when scalar is true) and
-- return the cost and the gradient as a matrix of x's shape.
local function evaluate(f, x, scalar, who)
  local cost, g
  if scalar then
    cost, g = f(x:get(1, 1))
    if type(g) == "number" then g = ml.full(1, 1, g) end
  else
    cost, g = f(x)
  end
  if ml.ismatrix(cost) then  -- x * x + x with a 1x1 x: a 1x1 cost
    if cost.rows ~= 1 or cost.cols ~= 1 then
      ml._error("%s: f's cost must be a number or a 1x1 matrix, got a %dx%d " ..
                "matrix (return cost:sum() or cost:mean())", who, cost.rows, cost.cols)
    end
    cost = cost:get(1, 1)
  end
  if type(cost) ~= "number" then
    ml._error("%s: f must return the cost (a number) and the gradient, got %s",
              who, type(cost))
  end
  if scalar and not ml.ismatrix(g) then
    ml._error("%s: f's gradient must be a number, got %s", who, type(g))
  elseif not ml.ismatrix(g) or g.rows ~= x.rows or g.cols ~= x.cols then
    ml._error("%s: f's gradient must be a matrix of x's shape %dx%d, got %s", who,
              x.rows, x.cols, ml.ismatrix(g) and (g.rows .. "x" .. g.cols) or type(g))
  end
  return cost, g
end

-- the checks minimize and check_grad share: f is a function, x (named
-- xname) a number or a matrix; returns whether x is a number
local function checkfx(who, f, x, xname)
  if type(f) ~= "function" then
    ml._error("%s: argument 1 must be a function returning cost, gradient", who)
  end
  local scalar = type(x) == "number"
  if not scalar and not ml.ismatrix(x) then
    ml._error("%s: %s must be a number or a matrix, got %s", who, xname, type(x))
  end
  return scalar
end

-- minimize(f, x0 [, opts]): `iters` optimiser steps from x0 (a number or a
-- matrix, which is not modified).  Returns the final x (a number when x0
-- is) and the 1 x iters costs seen before each step.
function ml.minimize(f, x0, opts)
  local who = "minimize"
  local scalar = checkfx(who, f, x0, "x0")
  local o = ml._options(opts, {lr = {"number", 0.1}, iters = {"integer", 100},
                               optimizer = {"string|table", "gd"}}, who)
  ml._positive(o.lr, "lr", who)
  if o.iters < 0 then ml._error("minimize: iters must not be negative") end
  local x = scalar and ml.full(1, 1, x0) or x0:copy()
  local opt = ml._optimizer(o.optimizer, o.lr, who)
  local costs = ml.zeros(1, o.iters)
  for i = 1, o.iters do
    local cost, g = evaluate(f, x, scalar, who)
    costs:set(1, i, cost)
    opt:step({x}, {g})
  end
  if scalar then return x:get(1, 1), costs end
  return x, costs
end

-- check_grad(f, x [, eps]): compare f's gradient at x with central
-- differences (f(x+eps) - f(x-eps)) / 2eps, one element at a time (x is
-- restored afterwards).  Returns the largest relative error
-- |analytic - numeric| / max(|analytic| + |numeric|, 1e-8) and the numeric
-- gradient.  Errors around 1e-7 or below mean the gradient is right.
function ml.check_grad(f, x, eps)
  local who = "check_grad"
  local scalar = checkfx(who, f, x, "x")
  eps = eps or 1e-6
  ml._positive(eps, "eps", who)
  local xm = scalar and ml.full(1, 1, x) or x
  local _, g = evaluate(f, xm, scalar, who)
  g = g:copy()  -- f may hand back a buffer it reuses
  local num = ml.zeros(xm.rows, xm.cols)
  local worst = 0
  for i = 1, xm.rows do
    for j = 1, xm.cols do
      local old = xm:get(i, j)
      xm:set(i, j, old + eps)
      local fp = evaluate(f, xm, scalar, who)
      xm:set(i, j, old - eps)
      local fm = evaluate(f, xm, scalar, who)
      xm:set(i, j, old)
      local n, a = (fp - fm) / (2 * eps), g:get(i, j)
      num:set(i, j, n)
      local err = math.abs(a - n) / math.max(math.abs(a) + math.abs(n), 1e-8)
      if err > worst or err ~= err then worst = err end
    end
  end
  if scalar then return worst, num:get(1, 1) end
  return worst, num
end
