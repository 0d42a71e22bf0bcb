-- 20: bad input never crashes.  Every public function -- the module's
-- (ml.*, and the functions of its sub-tables), the matrix methods, the
-- matrix metamethods and the methods of the objects the module makes
-- (models, optimisers; names starting with "_" are internal and left out)
-- -- is found by walking the tables, and must appear in
-- SIG below, so a new function cannot be forgotten: the coverage test
-- fails and names it.  SIG gives one valid call per function (argument
-- kinds); the battery then replaces each argument in turn by every value
-- of BAD (wrong types, NaN and +-inf, negative, fractional and overflowing
-- numbers, empty 0xn matrices, closed matrices, views, ragged tables ...),
-- drops trailing arguments and adds a stray one.  Each call must return or
-- raise a Lua error whose message is a clear string (never Lua's own
-- "attempt to index a nil value" from an unchecked argument).  A crash
-- takes busted down with it, so surviving is the first assertion.
-- The sections after the battery check specific messages and documented
-- results: sizes, indices, axes, shapes, empty matrices, NaN/inf, LAPACK
-- failures, malformed files and unwritable paths.
local ml = require "luaml"
local H = dofile("spec/helpers.lua")

local TMP = os.tmpname()  -- a scratch file for the writers
local tried = 0           -- bad inputs tried, reported at the end

-- ---- argument kinds -------------------------------------------------------
-- Each kind makes a fresh valid value (in-place ops and close mutate).
local KIND = {
  M = function() return ml.matrix{{1, 2}, {3, 4}, {5, 6}} end,      -- 3x2
  M2 = function() return ml.matrix{{1, 0, 2}, {0, 1, 3}} end,        -- 2x3
  S = function() return ml.matrix{{4, 1, 0}, {1, 3, 1}, {0, 1, 2}} end, -- SPD
  V = function() return ml.matrix{1, 2, 3} end,                      -- 1x3
  C = function() return ml.matrix{{0}, {1}, {1}} end,                -- labels
  P = function() return ml.matrix{{0.2, 0.8}, {0.6, 0.4}, {0.5, 0.5}} end,
  N = function() return 0.5 end,
  K = function() return 2 end,
  D = function() return 3 end,
  I = function() return 1 end,
  X = function() return 1 end,
  B = function() return true end,
  T = function() return {{1, 2}, {3, 4}} end,
  J = function() return {1, 2} end,
  L = function() return {ml.ones(2, 2), ml.zeros(2, 2)} end,
  O = function() return {} end,
  Fcsv = function() return "spec/fixtures/csv/header.csv" end,
  Fnpy = function() return "spec/fixtures/npy/f8_le.npy" end,
  Fidx = function() return "spec/fixtures/idx/i1.idx" end,
  Fh5 = function() return "spec/fixtures/h5/small.h5" end,
  Hds = function() return "x" end,
  W = function() return TMP end,   -- a path written to
  Dir = function() return "examples/data" end,
  Fn = function()  -- cost and gradient of x^2, for a matrix or a number
    return function(x)
      if type(x) == "number" then return x * x, 2 * x end
      return (x * x):sum(), x * 2
    end
  end,
  Omin = function() return {lr = 0.1, iters = 5} end,
  -- data for the models: 6 samples of 2 features
  Xd = function() return ml.matrix{{0, 0}, {1, 1}, {2, 0}, {0, 2}, {3, 3}, {1, 0}} end,
  yb = function() return ml.matrix{{0}, {1}, {0}, {1}, {1}, {0}} end,
  yk = function() return ml.matrix{{0}, {1}, {2}, {1}, {2}, {0}} end,
  yr = function() return ml.matrix{{0.5}, {1}, {2.5}, {1}, {3}, {0}} end,
  Params = function() return {ml.ones(2, 1), ml.zeros(1, 1)} end,
  -- networks: options, layers, gradients of 6 x 3 and 6 x 2 outputs
  Omlp = function() return {layers = {2, 3, 1}, epochs = 3} end,
  Layers = function() return {ml.nn.Linear(2, 3), ml.nn.ReLU()} end,
  G63 = function() return ml.ones(6, 3) end,
  G62 = function() return ml.ones(6, 2) end,
}

-- Objects whose methods are public too: a fresh (trained) instance each
-- time, as kind SELF of "Name:method" entries.
local INSTANCES = {
  LinearRegression = function()
    return ml.LinearRegression():train(KIND.Xd(), KIND.yr())
  end,
  LogisticRegression = function()
    return ml.LogisticRegression{epochs = 3}:train(KIND.Xd(), KIND.yb())
  end,
  SoftmaxRegression = function()
    return ml.SoftmaxRegression{epochs = 3}:train(KIND.Xd(), KIND.yk())
  end,
  MLP = function()
    return ml.MLP{layers = {2, 3, 1}, epochs = 3}:train(KIND.Xd(), KIND.yb())
  end,
  ["nn.Linear"] = function()
    local l = ml.nn.Linear(2, 3)
    l:forward(KIND.Xd())
    l:backward(ml.ones(6, 3))
    return l
  end,
  ["nn.ReLU"] = function()
    local l = ml.nn.ReLU()
    l:forward(KIND.Xd())
    return l
  end,
  ["nn.Sequential"] = function()
    local net = ml.nn.Sequential{ml.nn.Linear(2, 3), ml.nn.Tanh(), ml.nn.Linear(3, 2)}
    net:forward(KIND.Xd())
    net:backward(ml.ones(6, 2))
    return net
  end,
  ["optim.gd"] = function() return ml.optim.gd{lr = 0.1} end,
  ["optim.momentum"] = function() return ml.optim.momentum{lr = 0.1} end,
  ["optim.adam"] = function() return ml.optim.adam{lr = 0.1} end,
}

-- Functions the battery leaves out (they must still be in SIG): each call
-- would be too slow for a test suite; other specs cover them.
local NOBATTERY = {
  ["datasets.mnist"] = "loads 70,000 images per call",
  ["help"] = "prints to standard output; spec/09_help_spec.lua covers it",
}

-- Functions that raise on every call by design (Lua's < and <= cannot
-- give a matrix: they name X:lt(v) ...): no valid call, only the battery.
local ALWAYSRAISES = {["__lt"] = true, ["__le"] = true}

-- One valid call per function: the kinds of its arguments.
local SIG = {}
local function sig(names, args)
  for name in names:gmatch("%S+") do SIG[name] = args end
end
local unops = "exp log log1p expm1 sqrt abs sign tanh sigmoid relu square " ..
  "floor ceil round isnan isinf sin cos log2 log10 neg reciprocal softplus"
local binops = "add sub mul div pow mod maximum minimum eq ne lt le gt ge atan2"
for name in unops:gmatch("%S+") do
  SIG[name] = {"M", "M"}             -- f(m [, out])
  SIG[name .. "_"] = {"M"}
end
for name in binops:gmatch("%S+") do
  SIG[name] = {"M", "M", "M"}        -- f(a, b [, out])
  SIG[name .. "_"] = {"M", "M"}
end
sig("add_ sub_", {"M", "M", "N"})
sig("sum mean max min argmax argmin prod norm nansum any all", {"M", "X"})
sig("var std", {"M", "X", "N"})
sig("cumsum softmax", {"M", "X"})
sig("log_softmax", {"M", "X", "M"})
sig("clip clip_", {"M", "N", "N"})
sig("dot matmul", {"M", "M2", "S"})
sig("outer inner", {"V", "V"})
sig("one_hot", {"C", "K"})
sig("binary_cross_entropy", {"P", "P"})
sig("cross_entropy", {"P", "C"})
sig("softmax_cross_entropy", {"M", "C", "B"})
sig("mse r2 accuracy", {"M", "M"})
sig("solve", {"S", "S"})
sig("inv det cholesky eigh", {"S"})
sig("svd", {"M"})
sig("lstsq", {"M", "M", "N"})
sig("pinv", {"M", "N"})
sig("zeros ones rand randn eye", {"D", "D"})
sig("full", {"D", "D", "N"})
sig("arange", {"N", "D", "N"})
sig("linspace", {"N", "N", "D"})
sig("matrix", {"T"})
sig("hstack vstack", {"L"})
sig("ismatrix", {"M"})
sig("permutation", {"D"})
sig("seed", {"K"})
-- selection and ordering, numpy's generator (lselect.c, lrandom.c)
sig("where", {"C", "M", "N"})
sig("mask", {"M", "C", "X"})
sig("sort argsort cumprod median", {"M", "X"})
sig("quantile", {"M", "N", "X"})
sig("unique", {"M"})
sig("diag", {"M", "I"})
sig("allclose", {"M", "M", "N", "N"})
sig("meshgrid", {"V", "V"})
sig("random.seed", {"K"})
sig("random.rand random.randn", {"D", "D"})
sig("random.permutation", {"D"})
sig("random.choice", {"D", "K", "B"})
sig("random.shuffle", {"M"})
sig("T t transpose shape size copy contiguous totable close", {"M"})
sig("get", {"M", "I", "I"})
sig("set", {"M", "I", "I", "N"})
sig("row col", {"M", "I"})
sig("slice", {"M", "I", "I", "I", "I"})
sig("reshape", {"M", "D", "K"})
sig("take", {"M", "J", "X"})
sig("fill_", {"M", "N"})
sig("copy_", {"M", "M"})
sig("load_csv", {"Fcsv", "O"})
sig("load_npy", {"Fnpy"})
sig("load_idx", {"Fidx"})
sig("load_h5", {"Fh5", "Hds"})
sig("save_csv", {"M", "W", "O"})
sig("save_npy", {"M", "W"})
-- metamethods
sig("__add __sub __mul __div __pow __mod __idiv __eq __concat", {"M", "M"})
sig("__unm __len __tostring __close", {"M"})
sig("__lt __le", {"M", "N"})  -- errors that name X:lt(v) ...; lselect.c
sig("__call", {"M", "I", "I"})
sig("__index", {"V", "I"})
sig("__newindex", {"V", "I", "N"})
-- training builtins (loptim.c)
sig("sigmoid_cross_entropy", {"M", "M", "B"})
sig("momentum_step_", {"M", "M", "M", "N", "N"})
sig("adam_step_", {"M", "M", "M", "M", "N", "N", "N", "N", "K"})
sig("isatty", {"K"})
sig("clock", {})
sig("kernels", {})
sig("help", {"K"})
-- models, optimisers, data (lua/)
sig("LinearRegression LogisticRegression SoftmaxRegression", {"O"})
sig("LinearRegression:train LinearRegression:fit LinearRegression:score", {"SELF", "Xd", "yr"})
sig("LogisticRegression:train LogisticRegression:fit LogisticRegression:score", {"SELF", "Xd", "yb"})
sig("SoftmaxRegression:train SoftmaxRegression:fit SoftmaxRegression:score", {"SELF", "Xd", "yk"})
sig("LinearRegression:predict LogisticRegression:predict LogisticRegression:predict_proba " ..
    "SoftmaxRegression:predict SoftmaxRegression:predict_proba", {"SELF", "Xd"})
sig("MLP", {"Omlp"})
sig("MLP:train MLP:fit MLP:score", {"SELF", "Xd", "yb"})
sig("MLP:predict MLP:predict_proba", {"SELF", "Xd"})
sig("MLP:parameters", {"SELF"})
sig("nn.Linear", {"K", "D", "O"})
sig("nn.ReLU nn.Tanh nn.Sigmoid nn.Softmax", {})
sig("nn.Sequential", {"Layers"})
sig("nn.Linear:forward nn.ReLU:forward nn.Sequential:forward", {"SELF", "Xd"})
sig("nn.Linear:backward", {"SELF", "G63", "B"})
sig("nn.ReLU:backward", {"SELF", "G62"})
sig("nn.Sequential:backward", {"SELF", "G62", "B"})
sig("nn.Linear:parameters nn.ReLU:parameters nn.Sequential:parameters " ..
    "nn.Linear:gradients nn.ReLU:gradients nn.Sequential:gradients", {"SELF"})
sig("datasets.flower", {"D"})
sig("optim.gd optim.momentum optim.adam", {"O"})
sig("optim.gd:step optim.momentum:step optim.adam:step", {"SELF", "Params", "Params"})
sig("minimize", {"Fn", "M", "Omin"})
sig("check_grad", {"Fn", "M", "N"})
sig("grad value_and_grad", {"Fn"})
sig("datasets.xor datasets.donut", {"D"})
sig("datasets.blobs", {"D", "K", "N"})
sig("datasets.line", {"D", "O"})
sig("datasets.mnist datasets.breast_cancer datasets.iris datasets.digits " ..
    "datasets.diabetes datasets.wine", {"Dir"})
sig("train_test_split", {"M", "C", "N", "K"})
sig("standardize", {"M"})
-- plots (lua/plot.lua): the path comes first
sig("plot.line", {"W", "V", "O"})
sig("plot.scatter", {"W", "M", "C", "O"})
sig("plot.image", {"W", "M", "O"})
sig("plot.text", {"V", "O"})
sig("plot.isplot", {"M"})

-- ---- bad values -------------------------------------------------------------
local function closed()
  local m = ml.ones(2, 2)
  m:close()
  return m
end
local BAD = {
  {"nil", function() return nil end},
  {"false", function() return false end},
  {"true", function() return true end},
  {"a string", function() return "abc" end},
  {"an empty string", function() return "" end},
  {"a numeric string", function() return "3" end},
  {"an empty table", function() return {} end},
  {"a ragged table", function() return {{1, 2}, {3}} end},
  {"a table with text", function() return {1, "x"} end},
  {"a table of tables of text", function() return {{"a"}} end},
  {"a function", function() return print end},
  {"a coroutine", function() return coroutine.create(print) end},
  {"NaN", function() return 0 / 0 end},
  {"inf", function() return math.huge end},
  {"-inf", function() return -math.huge end},
  {"-1", function() return -1 end},
  {"0", function() return 0 end},
  {"0.5", function() return 0.5 end},
  {"-2.5", function() return -2.5 end},
  {"2^31", function() return 2 ^ 31 end},
  -- (no integer just above an int: donut(1 << 31) rightly allocates 8 GB)
  {"2^53", function() return 2 ^ 53 end},
  {"maxinteger", function() return math.maxinteger end},
  {"mininteger", function() return math.mininteger end},
  {"1e12", function() return 1e12 end},
  {"1e308", function() return 1e308 end},
  {"a closed matrix", closed},
  {"0x3", function() return ml.zeros(0, 3) end},
  {"3x0", function() return ml.zeros(3, 0) end},
  {"0x0", function() return ml.zeros(0, 0) end},
  {"a NaN matrix", function() return ml.full(2, 2, 0 / 0) end},
  {"an inf matrix", function() return ml.full(3, 3, math.huge) end},
  {"1x1", function() return ml.matrix{{7}} end},
  {"5x7", function() return ml.ones(5, 7) end},
  {"a transposed view", function() return ml.matrix{{1, 2}, {3, 4}, {5, 6}}:T() end},
  {"a column view", function() return ml.ones(4, 4):col(2) end},
  {"a row vector", function() return ml.matrix{0, 1, 5, -1} end},
  {"a column of labels", function() return ml.matrix{{0}, {3}, {1}} end},
}

-- writers get no strings or numbers as paths here (they would create
-- files named "abc" or "-1"): unwritable paths have their own section
local function skip_value(kind, v)
  return kind == "W" and (type(v) == "string" or type(v) == "number")
end

-- ---- walking the tables ---------------------------------------------------
-- every function reachable from ml (sub-tables as "ml.sub.name"), the
-- methods and the metamethods: list of {label, name, f}
local function public()
  local list, seen = {}, {}
  local function walk(t, prefix, depth)
    local keys = {}
    for k in pairs(t) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(keys) do
      local v = t[k]
      if type(k) == "string" and k:sub(1, 1) == "_" then  -- internal
        v = nil
      end
      if type(k) == "string" and type(v) == "function" then
        list[#list + 1] = {prefix .. k, k, v}
      elseif type(k) == "string" and type(v) == "table" and not seen[v] and depth < 3 then
        seen[v] = true
        walk(v, prefix .. k .. ".", depth + 1)
      end
    end
  end
  seen[ml] = true
  walk(ml, "ml.", 1)
  local names = {}
  for name in pairs(INSTANCES) do names[#names + 1] = name end
  table.sort(names)
  for _, name in ipairs(names) do  -- the methods along the metatable chain
    local obj, methods = INSTANCES[name](), {}
    local mt = getmetatable(obj)
    while type(mt) == "table" and type(mt.__index) == "table" do
      for k, v in pairs(mt.__index) do
        if type(v) == "function" and k:sub(1, 1) ~= "_" and not methods[k] then
          methods[k] = v
        end
      end
      mt = getmetatable(mt.__index)
    end
    local ks = {}
    for k in pairs(methods) do ks[#ks + 1] = k end
    table.sort(ks)
    for _, k in ipairs(ks) do list[#list + 1] = {name .. ":" .. k, k, methods[k], name} end
  end
  local mt = getmetatable(ml.zeros(1, 1))
  local methods = {}
  for k, v in pairs(mt.__methods) do
    if type(v) == "function" then methods[#methods + 1] = k end
  end
  table.sort(methods)
  for _, k in ipairs(methods) do list[#list + 1] = {"m:" .. k, k, mt.__methods[k]} end
  local metas = {}
  for k, v in pairs(mt) do
    if type(v) == "function" then metas[#metas + 1] = k end
  end
  table.sort(metas)
  for _, k in ipairs(metas) do list[#list + 1] = {"metatable." .. k, k, mt[k]} end
  return list
end

-- the SIG entry of a function: by its name, or for a sub-table's function
-- by its dotted path without "ml." (e.g. SIG["optim.gd"]), for an
-- object's method by "Class:method"
local function sig_of(label, name)
  local key = label:gsub("^ml%.", "")
  if label:find(":", 1, true) and not label:find("^m:") then return SIG[key] end
  return SIG[key] or SIG[name]
end

-- fresh valid arguments for entry e ({label, name, f, class}) of kinds
local function valid_args(e, kinds)
  local a = {}
  for i, k in ipairs(kinds) do
    if k == "SELF" then a[i] = INSTANCES[e[4]]() else a[i] = KIND[k]() end
  end
  return a
end

-- a clear message: a non-empty string that is not Lua's complaint about
-- an unchecked value inside the library
local function clear_message(msg)
  if type(msg) ~= "string" or #msg == 0 then return false end
  if msg:find("attempt to ", 1, true) or msg:find("stack overflow", 1, true) then
    return false
  end
  return true
end

local function describe_args(args, n)
  local s = {}
  for i = 1, n do
    local v = args[i]
    s[i] = H.is_matrix(v) and ("matrix " .. (pcall(function() return v.rows end)
      and (v.rows .. "x" .. v.cols) or "(closed)")) or tostring(v)
  end
  return "(" .. table.concat(s, ", ") .. ")"
end

-- call f with the n arguments; a failure must be a clear message
local function try(label, f, args, n, what)
  tried = tried + 1
  local ok, err = pcall(f, table.unpack(args, 1, n))
  if not ok and not clear_message(err) then
    error(string.format("%s%s with %s: unclear error %s", label,
      describe_args(args, n), what, ("%q"):format(tostring(err))), 0)
  end
end

describe("bad input battery", function()
  local list = public()

  it("SIG covers every public function (add new functions to spec/20_badinput_spec.lua)", function()
    local missing = {}
    for _, e in ipairs(list) do
      if not sig_of(e[1], e[2]) then missing[#missing + 1] = e[1] end
    end
    assert.are.same({}, missing)
    assert.is_true(#list > 250, "only " .. #list .. " functions found")
  end)

  it("SIG names no function that does not exist", function()
    local exists = {}
    for _, e in ipairs(list) do
      exists[e[2]] = true
      exists[(e[1]:gsub("^ml%.", ""))] = true
    end
    local stale = {}
    for name in pairs(SIG) do
      if not exists[name] then stale[#stale + 1] = name end
    end
    table.sort(stale)
    assert.are.same({}, stale)
  end)

  it("the valid call of each SIG entry works", function()
    for _, e in ipairs(list) do
      local kinds = sig_of(e[1], e[2])
      if kinds and not NOBATTERY[(e[1]:gsub("^ml%.", ""))] and not ALWAYSRAISES[e[2]] then
        local args = valid_args(e, kinds)
        local ok, err = pcall(e[3], table.unpack(args, 1, #kinds))
        assert(ok, e[1] .. describe_args(args, #kinds) .. ": " .. tostring(err))
      end
    end
  end)

  for _, e in ipairs(list) do
    local label, name, f = e[1], e[2], e[3]
    it(label .. " survives every bad argument", function()
      local kinds = sig_of(label, name)
      if not kinds or NOBATTERY[(label:gsub("^ml%.", ""))] then return end
      local n = #kinds
      local function valid() return valid_args(e, kinds) end
      for pos = 1, n do
        for _, b in ipairs(BAD) do
          local args = valid()
          local v = b[2]()
          if not skip_value(kinds[pos], v) then
            args[pos] = v
            try(label, f, args, n, b[1] .. " as argument " .. pos)
          end
        end
        try(label, f, valid(), pos - 1, "only " .. (pos - 1) .. " arguments")
      end
      for _, b in ipairs(BAD) do  -- a stray extra argument
        local args = valid()
        local v = b[2]()
        if not (label:find("save") and (type(v) == "string" or type(v) == "number")) then
          args[n + 1] = v
          try(label, f, args, n + 1, b[1] .. " as an extra argument")
        end
      end
    end)
  end
end)

-- ---- sizes ----------------------------------------------------------------
describe("sizes", function()
  local ctors = {
    zeros = ml.zeros, ones = ml.ones, rand = ml.rand, randn = ml.randn, eye = ml.eye,
    full = function(r, c) return ml.full(r, c, 1) end,
  }
  for name, f in pairs(ctors) do
    it(name .. ": negative, fractional, NaN, inf and non-numbers", function()
      H.raises(function() return f(-1, 2) end, "must not be negative", "-1")
      H.raises(function() return f(2, -3) end, "must not be negative", "-3")
      H.raises(function() return f(2.5, 2) end, "whole number", "2.5")
      H.raises(function() return f(2, 0 / 0) end, "whole number")
      H.raises(function() return f(math.huge, 1) end, "whole number")
      H.raises(function() return f("3", 1) end, "number expected, got string")
      H.raises(function() return f({}, 1) end, "number expected, got table")
      tried = tried + 7
    end)
    it(name .. ": sizes beyond an int, rows*cols overflow, 10^12 elements", function()
      H.raises(function() return f(2 ^ 31, 1) end, "too large")
      H.raises(function() return f(1, math.maxinteger) end, "too large")
      -- each side fits an int, the product overflows 32 bits, the bytes do not fit
      H.raises(function() return f(2 ^ 31 - 1, 2 ^ 31 - 1) end, "2147483647x2147483647 matrix is too large")
      H.raises(function() return f(2 ^ 31 - 1, 2 ^ 20) end, "not enough memory", "2147483647x1048576")
      H.raises(function() return f(1e6, 1e6) end, "not enough memory", "1000000x1000000")
      tried = tried + 4
    end)
  end
  it("arange, linspace and permutation", function()
    H.raises(function() return ml.arange(0, 1e12) end, "too many")
    H.raises(function() return ml.arange(0, 1, 0) end, "step must not be zero")
    H.raises(function() return ml.arange(0, 0 / 0) end, "finite")
    H.raises(function() return ml.arange(0, math.huge) end, "finite")
    H.raises(function() return ml.linspace(0, 1, -2) end, "must not be negative")
    H.raises(function() return ml.linspace(0, 1, 2 ^ 40) end, "too large")
    H.raises(function() return ml.permutation(-1) end, "must not be negative")
    H.raises(function() return ml.permutation(0.5) end, "whole number")
    tried = tried + 8
    assert.are.equal(0, ml.arange(5, 1).cols)            -- counts like for: empty
    assert.are.equal(0, ml.permutation(0).cols)
    local l = ml.linspace(0 / 0, 1, 3)                    -- NaN bounds: NaN values
    assert.is_true(l:get(1) ~= l:get(1))
  end)
  it("reshape: bad targets, -1 twice, sizes that do not divide", function()
    local m = ml.ones(3, 4)
    H.raises(function() return m:reshape(5, -1) end, "reshape", "3x4", "12 elements")
    H.raises(function() return m:reshape(-1, -1) end, "reshape", "-1")
    H.raises(function() return m:reshape(-2, 6) end, "reshape")
    H.raises(function() return m:reshape(2 ^ 31, 1) end, "reshape")
    H.raises(function() return m:reshape(0, -1) end, "reshape")
    H.raises(function() return m:reshape(1.5, 8) end, "number has no integer representation")
    tried = tried + 6
    assert.are.equal("2x6", H.shape(m:reshape(2, -1)))
  end)
  it("matrix{}: ragged rows, text cells, nested junk", function()
    H.raises(function() return ml.matrix{{1, 2}, {3}} end, "row 2 has 1 values, row 1 has 2")
    H.raises(function() return ml.matrix{{1, "x"}} end, "element (1, 2) is a string")
    H.raises(function() return ml.matrix{1, {2}} end, "element 2 is a table")
    H.raises(function() return ml.matrix{{1}, 2} end, "row 2 is a number")
    H.raises(function() return ml.hstack{ml.ones(2, 1), ml.ones(3, 1)} end, "element 2 has 3 rows")
    H.raises(function() return ml.vstack{ml.ones(1, 2), "x"} end, "element 2 is a string")
    tried = tried + 6
  end)
end)

-- ---- indices and axes -------------------------------------------------------
describe("indices", function()
  local m = ml.matrix{{1, 2, 3}, {4, 5, 6}}
  local badrow = {0, 3, -3, 100, -100, math.maxinteger, math.mininteger}
  local badcol = {0, 4, -4, 100, -100, math.maxinteger, math.mininteger}
  it("get, set, row, col, m(i, j), m[i]: out of range", function()
    for k = 1, #badrow do
      local i, j = badrow[k], badcol[k]
      H.raises(function() return m:get(i, 1) end, "row index", "out of range", "2x3")
      H.raises(function() return m:set(i, 1, 0) end, "row index", "out of range")
      H.raises(function() return m:set(1, j, 0) end, "column index", "out of range")
      H.raises(function() return m:row(i) end, "row index", "out of range")
      H.raises(function() return m:col(j) end, "column index", "out of range")
      H.raises(function() return m(1, j) end, "column index", "out of range")
      H.raises(function() return ml.matrix{1, 2}[i] end, "out of range")
      H.raises(function() local v = ml.matrix{1, 2}; v[i] = 1 end, "out of range")
      tried = tried + 8
    end
    H.raises(function() return m:col(4) end, "column index 4 out of range for 2x3 matrix (1..3)")
    H.raises(function() return m:get(1.5, 1) end, "whole number")
    H.raises(function() return m:get(0 / 0, 1) end, "whole number")
    H.raises(function() return m:get("x", 1) end, "integer index expected, got string")
    assert.are.equal(1, m:get("1", 1))  -- numeric strings convert, as in Lua
    H.raises(function() return m:get(1) end, "needs two indices")
    H.raises(function() m[1] = 2 end, "vectors only")
    H.raises(function() m.rows = 2 end, "cannot set field 'rows'")
    tried = tried + 8
    assert.are.equal(6, m:get(-1, -1))  -- negative counts from the end
  end)
  it("slice: ranges out of range or reversed", function()
    H.raises(function() return m:slice(0, 1) end, "row range 0..1 out of range")
    H.raises(function() return m:slice(1, 3) end, "out of range for 2x3")
    H.raises(function() return m:slice(2, 0) end, "out of range")
    H.raises(function() return m:slice(1, 2, 2, 5) end, "column range 2..5")
    H.raises(function() return m:slice(math.mininteger, 1) end, "out of range")
    H.raises(function() return m:slice(1, math.maxinteger) end, "out of range")
    tried = tried + 6
    assert.are.equal("0x3", H.shape(m:slice(2, 1)))       -- empty range: documented
    assert.are.equal("2x0", H.shape(m:slice(1, 2, 3, 2)))
  end)
  it("take: indices out of range, fractional, NaN, not a vector", function()
    H.raises(function() return m:take({3}) end, "index 3 at position 1 out of range")
    H.raises(function() return m:take({1, 0}) end, "position 2 out of range")
    H.raises(function() return m:take({1.5}) end, "not a whole number")
    H.raises(function() return m:take({0 / 0}) end, "take")
    H.raises(function() return m:take({2 ^ 63}) end, "take")
    H.raises(function() return m:take({-1e300}) end, "take")
    H.raises(function() return m:take(ml.ones(2, 2)) end, "must be a vector")
    H.raises(function() return m:take({4}, 2) end, "out of range")
    tried = tried + 8
    H.close(m:take({-1}, 2), {{3}, {6}})
  end)
end)

describe("axes", function()
  local m = ml.ones(2, 3)
  local names = {"sum", "mean", "max", "min", "argmax", "argmin", "prod", "var", "std",
                 "norm", "nansum", "any", "all", "cumsum", "softmax", "log_softmax"}
  for _, name in ipairs(names) do
    it(name .. ": axis 0, 3, -1, 1.5, '1', {}", function()
      H.raises(function() return ml[name](m, 0) end, "axis must be 1", "got 0")
      H.raises(function() return ml[name](m, 3) end, "axis must be 1", "got 3")
      H.raises(function() return ml[name](m, -1) end, "axis must be 1", "got -1")
      H.raises(function() return ml[name](m, 1.5) end, "number has no integer representation")
      H.raises(function() return ml[name](m, "x") end, "number expected, got string")
      tried = tried + 5
    end)
  end
  it("reductions: a matrix where the axis goes is explained", function()
    H.raises(function() return ml.ones(2, 2):max(ml.ones(2, 2)) end, "ml.maximum(a, b)")
    H.raises(function() return ml.var(m, 1, -1) end, "ddof must not be negative")
    tried = tried + 2
  end)
end)

-- ---- shapes ---------------------------------------------------------------
describe("shapes", function()
  it("every binary function and its in-place form: shapes that do not broadcast", function()
    for name in binops:gmatch("%S+") do
      H.raises(function() return ml[name](ml.ones(2, 3), ml.ones(3, 2)) end, "2x3", "3x2")
      H.raises(function() return ml.ones(2, 3)[name .. "_"](ml.ones(2, 3), ml.ones(3, 3)) end,
        "cannot broadcast 3x3 into 2x3")
      -- the receiver of an in-place op cannot grow
      H.raises(function() return ml.ones(1, 3)[name .. "_"](ml.ones(1, 3), ml.ones(2, 3)) end,
        "2x3 into 1x3")
      H.raises(function() return ml[name](ml.ones(2, 3), 1, ml.ones(3, 2)) end, "'out' is 3x2")
      tried = tried + 4
    end
  end)
  it("products, linear algebra and losses name both shapes", function()
    local cases = {
      {function() return ml.dot(ml.ones(3, 2), ml.ones(3, 2)) end, "not aligned"},
      {function() return ml.dot(ml.ones(3, 2), ml.ones(2, 4), ml.ones(4, 3)) end, "'out' is 4x3"},
      {function() return ml.outer(ml.ones(2, 2), ml.ones(1, 3)) end, "must be a vector"},
      {function() return ml.inner(ml.ones(2, 2), ml.ones(1, 3)) end, "2x2", "1x3"},
      {function() return ml.solve(ml.ones(2, 3), ml.ones(2, 1)) end, "square", "2x3"},
      {function() return ml.solve(ml.eye(3), ml.ones(2, 1)) end, "B needs 3 rows"},
      {function() return ml.solve(ml.eye(3), ml.ones(1, 3)) end, "b:T()"},
      {function() return ml.lstsq(ml.ones(3, 2), ml.ones(2, 1)) end, "B needs 3 rows"},
      {function() return ml.inv(ml.ones(2, 3)) end, "square"},
      {function() return ml.det(ml.ones(3, 1)) end, "square"},
      {function() return ml.cholesky(ml.ones(1, 2)) end, "square"},
      {function() return ml.eigh(ml.ones(2, 1)) end, "square"},
      {function() return ml.mse(ml.ones(2, 1), ml.ones(1, 2)) end, "2x1", "1x2"},
      {function() return ml.r2(ml.ones(2, 1), ml.ones(3, 1)) end, "2x1", "3x1"},
      {function() return ml.binary_cross_entropy(ml.ones(2, 1), ml.ones(3, 1)) end, "2x1", "3x1"},
      {function() return ml.cross_entropy(ml.ones(2, 3), ml.ones(3, 1)) end, "2x3", "3x1"},
      {function() return ml.softmax_cross_entropy(ml.ones(2, 3), ml.ones(2, 2)) end, "2x3", "2x2"},
      {function() return ml.softmax_cross_entropy(ml.ones(2, 3), ml.matrix{{0}, {1}}, ml.ones(3, 2)) end, "'out' is 3x2"},
      {function() return ml.accuracy(ml.ones(2, 3), ml.ones(3, 1)) end, "2x3", "3x1"},
      {function() return ml.one_hot(ml.ones(2, 2), 3) end, "must be a vector"},
      {function() return ml.ones(2, 2):copy_(ml.ones(3, 2)) end, "3x2 into 2x2"},
      {function() return ml.exp(ml.ones(2, 2), ml.ones(2, 3)) end, "'out' is 2x3"},
    }
    for _, c in ipairs(cases) do
      H.raises(c[1], table.unpack(c, 2))
      tried = tried + 1
    end
  end)
  it("labels outside 0..k-1 (negative, fractional, NaN, too large)", function()
    for _, v in ipairs{-1, 0.5, 0 / 0, 3, math.huge, 1e300} do
      H.raises(function() return ml.one_hot(ml.matrix{{0}, {v}}, 3) end, "is not a class value in 0..2")
      H.raises(function() return ml.cross_entropy(ml.full(2, 3, 1 / 3), ml.matrix{{0}, {v}}) end, "not a class value")
      H.raises(function() return ml.softmax_cross_entropy(ml.zeros(2, 3), ml.matrix{{v}, {0}}) end, "not a class value")
      tried = tried + 3
    end
    H.raises(function() return ml.one_hot(ml.matrix{{1e9}}) end, "pass k")
    H.raises(function() return ml.one_hot(ml.matrix{{0}, {0 / 0}}) end, "label 2 is NaN")
    H.raises(function() return ml.one_hot(ml.matrix{{1}}, 2 ^ 31) end, "too large")
    tried = tried + 3
  end)
end)

-- ---- empty matrices -------------------------------------------------------
describe("empty matrices (0xn, nx0, 0x0) are values", function()
  local E = {ml.zeros(0, 3), ml.zeros(3, 0), ml.zeros(0, 0)}
  it("elementwise work gives empty results of the same shape", function()
    for _, e in ipairs(E) do
      local s = H.shape(e)
      for name in unops:gmatch("%S+") do
        assert.are.equal(s, H.shape(ml[name](e)), name)
        assert.are.equal(s, H.shape(ml[name .. "_"](e:copy())), name .. "_")
      end
      for name in binops:gmatch("%S+") do
        assert.are.equal(s, H.shape(ml[name](e, e)), name)
        assert.are.equal(s, H.shape(ml[name](e, 2)), name .. " with a number")
      end
      assert.are.equal(s, H.shape(e + 1))
      assert.are.equal(s, H.shape(-e))
      assert.are.equal(s, H.shape(ml.clip(e, 0, 1)))
      assert.are.equal(s, H.shape(ml.softmax(e)))
      assert.are.equal(s, H.shape(e:copy()))
      assert.are.equal(s, H.shape(e:T():T()))
      tried = tried + 70
    end
  end)
  it("reductions: sum 0, prod 1, mean NaN, max/min/argmax of nothing raise", function()
    for _, e in ipairs(E) do
      assert.are.equal(0, e:sum())
      assert.are.equal(1, e:prod())
      assert.is_true(e:mean() ~= e:mean())
      assert.are.equal(0, e:norm())
      for _, name in ipairs{"max", "min", "argmax", "argmin"} do
        H.raises(function() return e[name](e) end, name, "is empty")
      end
      tried = tried + 8
    end
    assert.are.equal("1x3", H.shape(ml.zeros(0, 3):sum(1)))
    assert.are.equal("0x1", H.shape(ml.zeros(0, 3):sum(2)))
    H.raises(function() return ml.zeros(0, 3):max(1) end, "empty axis 1")
    assert.are.equal("0x1", H.shape(ml.zeros(0, 3):max(2)))
  end)
  it("products and linear algebra", function()
    H.close(ml.zeros(3, 0):dot(ml.zeros(0, 2)), {{0, 0}, {0, 0}, {0, 0}})
    assert.are.equal("0x0", H.shape(ml.zeros(0, 3):dot(ml.zeros(3, 0))))
    assert.are.equal(0, ml.inner(ml.zeros(1, 0), ml.zeros(1, 0)))
    assert.are.equal("0x0", H.shape(ml.inv(ml.zeros(0, 0))))
    assert.are.equal(1, ml.det(ml.zeros(0, 0)))
    assert.are.equal("0x0", H.shape(ml.cholesky(ml.zeros(0, 0))))
    assert.are.equal("0x2", H.shape(ml.solve(ml.zeros(0, 0), ml.zeros(0, 2))))
    local u, s, vt = ml.svd(ml.zeros(0, 3))
    assert.are.equal("0x0 1x0 0x3", H.shape(u) .. " " .. H.shape(s) .. " " .. H.shape(vt))
    local x, rank = ml.lstsq(ml.zeros(0, 2), ml.zeros(0, 1))
    H.close(x, {{0}, {0}})
    assert.are.equal(0, rank)
    assert.are.equal("3x0", H.shape(ml.pinv(ml.zeros(0, 3))))
    local w, v = ml.eigh(ml.zeros(0, 0))
    assert.are.equal("1x0 0x0", H.shape(w) .. " " .. H.shape(v))
  end)
  it("constructors, stacking, printing, files", function()
    assert.are.equal("0x0", H.shape(ml.matrix{}))
    assert.are.equal("0x0", H.shape(ml.hstack{}))
    assert.are.equal("0x3", H.shape(ml.vstack{ml.zeros(0, 3), ml.zeros(0, 3)}))
    assert.are.equal("matrix 0x3 (empty)", tostring(ml.zeros(0, 3)))
    assert.are.same({}, ml.zeros(0, 3):totable())
    local p = os.tmpname()
    ml.save_npy(ml.zeros(0, 3), p)
    assert.are.equal("0x3", H.shape(ml.load_npy(p)))
    ml.save_csv(ml.zeros(0, 3), p)
    assert.are.equal("0x0", H.shape(ml.load_csv(p)))  -- an empty file: 0x0
    os.remove(p)
    assert.are.equal(0 / 0 ~= 0 / 0, ml.accuracy(ml.zeros(0, 1), ml.zeros(0, 1)) ~= ml.accuracy(ml.zeros(0, 1), ml.zeros(0, 1)))
  end)
end)

-- ---- NaN and infinities -----------------------------------------------------
describe("NaN and +-inf", function()
  local nan, inf = 0 / 0, math.huge
  local function isnan(x) return x ~= x end
  it("elementwise: IEEE results, documented", function()
    local m = ml.matrix{{nan, inf, -inf}}
    H.close(m:sigmoid(), {{nan, 1, 0}})
    H.close(m:exp(), {{nan, inf, 0}})
    H.close(m:relu(), {{nan, inf, 0}})
    H.close(ml.matrix{{0, -1}}:log(), {{-inf, nan}})
    H.close(m:clip(-1, 1), {{nan, 1, -1}})
    H.close(ml.matrix{{1, 0}} / 0, {{inf, nan}})
    H.close(m:isnan(), {{1, 0, 0}})
    H.close(m:isinf(), {{0, 1, 1}})
  end)
  it("reductions propagate NaN; nansum skips it", function()
    local m = ml.matrix{{1, nan}, {inf, 2}}
    assert.is_true(isnan(m:sum()))
    assert.are.equal(inf, m:nansum())
    assert.is_true(isnan(ml.matrix{{inf, -inf}}:sum()))
    local a = m:argmax()
    assert.is_true(math.type(a) == "integer" and a >= 1 and a <= 4, tostring(a))
  end)
  it("softmax and losses stay finite where the math allows", function()
    local s = ml.softmax(ml.matrix{{1000, 0}, {-1000, 0}})
    H.close(s, {{1, 0}, {0, 1}})
    local l = ml.binary_cross_entropy(ml.matrix{{0, 1}}, ml.matrix{{1, 0}})
    assert.is_true(l > 0 and l < inf)
    assert.is_true(isnan(ml.softmax(ml.matrix{{inf, 0}}):get(1, 1)))
  end)
  it("linear algebra refuses NaN and inf with a clear error", function()
    for _, v in ipairs{nan, inf, -inf} do
      local A = ml.matrix{{1, 0}, {0, v}}
      for _, name in ipairs{"solve", "inv", "det", "cholesky", "eigh", "svd", "lstsq", "pinv"} do
        local f, b = ml[name], (name == "solve" or name == "lstsq") and ml.ones(2, 1) or nil
        H.raises(function() return f(A, b) end, name .. ": the matrix contains NaN or infinite values")
        tried = tried + 1
      end
      -- a bad right-hand side too
      H.raises(function() return ml.solve(ml.eye(2), ml.matrix{{1}, {v}}) end, "NaN or infinite")
      H.raises(function() return ml.lstsq(ml.eye(2), ml.matrix{{1}, {v}}) end, "NaN or infinite")
      tried = tried + 2
    end
    -- a NaN cut-off is the argument's fault, not the matrix's
    H.raises(function() return ml.lstsq(ml.eye(2), ml.ones(2, 1), nan) end,
             "rcond is NaN (a cut-off such as 1e-15")
    tried = tried + 1
  end)
  it("printing", function()
    local s = tostring(ml.matrix{{nan, inf, -inf, 1e308}})
    assert.truthy(s:find("nan", 1, true) and s:find("-inf", 1, true), s)
  end)
  it("CSV and NPY round trips keep them", function()
    local p = os.tmpname()
    local m = ml.matrix{{nan, inf, -inf, -0.0}}
    ml.save_csv(m, p)
    H.close(ml.load_csv(p), {{nan, inf, -inf, 0}})
    ml.save_npy(m, p)
    H.close(ml.load_npy(p), {{nan, inf, -inf, 0}})
    os.remove(p)
  end)
end)

-- ---- LAPACK failures -------------------------------------------------------
describe("LAPACK failures are clear errors or documented results", function()
  local singular = ml.matrix{{1, 2}, {2, 4}}
  it("singular: solve and inv raise, det is 0, lstsq and pinv handle it", function()
    H.raises(function() return ml.solve(singular, ml.ones(2, 1)) end, "solve: the matrix is singular")
    H.raises(function() return ml.inv(singular) end, "inv: the matrix is singular")
    H.raises(function() return ml.inv(ml.zeros(3, 3)) end, "singular")
    tried = tried + 3
    assert.are.equal(0, ml.det(singular))
    local x, rank = ml.lstsq(singular, ml.matrix{{1}, {2}})
    assert.are.equal(1, rank)
    H.close(singular:dot(x), {{1}, {2}}, 1e-12)
    H.close(ml.pinv(singular), {{0.04, 0.08}, {0.08, 0.16}}, 1e-12)
  end)
  it("not positive definite: cholesky raises", function()
    H.raises(function() return ml.cholesky(ml.matrix{{1, 2}, {2, 1}}) end, "cholesky: the matrix is not positive definite")
    H.raises(function() return ml.cholesky(ml.matrix{{-1}}) end, "not positive definite")
    tried = tried + 2
  end)
  it("ill-conditioned but finite input gives finite answers", function()
    local A = ml.matrix{{1, 1}, {1, 1 + 1e-15}}
    local u, s = ml.svd(A)
    assert.is_true(s:get(1) > 0 and s:isnan():sum() == 0 and u:isnan():sum() == 0)
    local w = ml.eigh(ml.matrix{{1e300, 0}, {0, 1e-300}})
    assert.are.equal(0, w:isnan():sum())
  end)
end)

-- ---- files -----------------------------------------------------------------
describe("malformed files", function()
  local FIX = "spec/fixtures/bad/"
  local tmpfile, npy = H.tmpfile, H.npy
  local function idx(code, dims, body)
    local s = "\0\0" .. string.char(code, #dims)
    for _, d in ipairs(dims) do s = s .. string.pack(">I4", d) end
    return s .. (body or "")
  end
  local cases = {
    -- loader, bytes (or a fixture), words of the message
    {"load_npy", FIX .. "npy_bad_magic.npy", "not an NPY file"},
    {"load_npy", FIX .. "npy_truncated.npy", "header says", "holds"},
    {"load_npy", FIX .. "npy_lying_header.npy", "header says"},
    {"load_npy", FIX .. "npy_huge_shape.npy", "too large"},
    {"load_npy", FIX .. "npy_version4.npy", "unsupported NPY format version"},
    {"load_npy", FIX .. "npy_object.npy", "Python objects"},
    {"load_npy", FIX .. "npy_structured.npy", "structured"},
    {"load_npy", FIX .. "npy_complex.npy", "complex"},
    {"load_npy", FIX .. "npy_short_header.npy", "truncated header"},
    {"load_npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 100000000000), }"), "too large"},
    {"load_npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"), "too large"},
    {"load_npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (18446744073709551616,), }"), "too large"},
    {"load_npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2000000000,), }"), "header says", "holds 0 bytes"},
    {"load_npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-1, 2), }"), "shape"},
    {"load_npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", ("\0"):rep(47)), "header says", "47 bytes"},
    {"load_npy", npy("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,), }"), "fortran_order"},
    {"load_npy", npy("{'descr': '<f8'"), "header"},
    {"load_npy", npy(""), "not a dictionary"},
    {"load_npy", "\x93NUMPY\1\0\255\255{", "truncated header"},
    {"load_npy", "\x93NUMPY\2\0\255\255\255\127{", "too large"},
    {"load_npy", "", "not an NPY file"},
    {"load_idx", FIX .. "idx_bad_magic", "bad magic"},
    {"load_idx", FIX .. "idx_empty", "idx"},
    {"load_idx", FIX .. "idx_header_cut", "truncated header"},
    {"load_idx", FIX .. "idx_huge_dims", "too large"},
    {"load_idx", FIX .. "idx_lying_header", "header says"},
    {"load_idx", FIX .. "idx_lying_header.gz", "header says"},
    {"load_idx", FIX .. "idx_truncated.gz", "load_idx"},
    {"load_idx", FIX .. "idx_extra_data", "header says", "holds 12 bytes"},
    {"load_idx", FIX .. "idx_tiny", "load_idx"},
    {"load_idx", FIX .. "npy_bad_magic.npy", "bad magic"},
    {"load_idx", idx(0x08, {65536, 65536, 65536}), "too large"},
    {"load_idx", idx(0x08, {60000, 28, 28}), "header says", "holds 0 bytes"},
    {"load_idx", idx(0x0D, {3}, "\0\0\0\0"), "header says"},
    {"load_idx", idx(0x0A, {3}, "abc"), "bad magic"},
    {"load_idx", "\0\0\8\40", "dimensions"},
    {"load_h5", FIX .. "not_h5.h5", "not an HDF5 file"},
    {"load_h5", FIX .. "npy_bad_magic.npy", "not an HDF5 file"},
    {"load_csv", "spec/fixtures/csv/ragged.csv", "line 3 has", "expected"},
    {"load_csv", "spec/fixtures/csv/ragged_long.csv", "fields"},
    {"load_csv", "spec/fixtures/csv/nonnumeric.csv", "is not a number"},
    {"load_csv", "spec/fixtures/csv/missing_cell.csv", "empty cell"},
    {"load_csv", "spec/fixtures/csv/unterminated.csv", "not closed"},
    {"load_csv", "spec/fixtures/csv/text_after_quote.csv", "text after the closing quote"},
    {"load_csv", "spec/fixtures/csv/hex.csv", "is not a number"},
    {"load_csv", "1,2\n3,abc\n", "line 2, column 2: 'abc' is not a number"},
    {"load_csv", "1,2\n3\n", "line 2 has 1 field, expected 2"},
    {"load_csv", "1,2\n3,4,5\n", "line 2 has 3 fields"},
    {"load_csv", "a,b\n1,\n", "line 2, column 2: empty cell"},
    {"load_csv", "1,2\n\0,1\n", "line 2, column 1"},
    {"load_csv", "1\n" .. ("9"):rep(1000) .. "\n", "is not a number"},
    {"load_csv", "\"1\n", "not closed"},
    {"load_csv", "\31\139\8\0\0\0\0\0\0\3garbage", "corrupt gzip data"},
  }
  for _, c in ipairs(cases) do
    local loader, src = c[1], c[2]
    local label = src:find("^spec/") and src or ("%q"):format(src:sub(1, 40)):gsub("\n", "n")
    it(loader .. " " .. label, function()
      local path = src:find("^spec/") and src or tmpfile(src)
      local msg = H.raises(function()
        if loader == "load_h5" then return ml.load_h5(path, "x") end
        return ml[loader](path)
      end, loader, table.unpack(c, 3))
      assert.is_nil(msg:find("%c"), "control byte in: " .. ("%q"):format(msg))
      if path ~= src then os.remove(path) end
      tried = tried + 1
    end)
  end
  it("missing files, directories, empty paths, missing HDF5 datasets", function()
    for _, loader in ipairs{"load_csv", "load_npy", "load_idx"} do
      H.raises(function() return ml[loader]("no/such/file") end, loader, "No such file or directory")
      H.raises(function() return ml[loader]("spec") end, loader, "Is a directory")
      H.raises(function() return ml[loader]("") end, loader, "No such file or directory")
      tried = tried + 3
    end
    H.raises(function() return ml.load_h5("no/such.h5", "x") end, "No such file or directory")
    H.raises(function() return ml.load_h5("spec", "x") end, "Is a directory")
    H.raises(function() return ml.load_h5("spec/fixtures/h5/small.h5", "nope") end, "no dataset 'nope'", "x")
    H.raises(function() return ml.load_h5("spec/fixtures/h5/small.h5", "") end, "no dataset ''")
    H.raises(function() return ml.load_h5("spec/fixtures/h5/small.h5", "grp") end, "is a group")
    H.raises(function() return ml.load_h5("spec/fixtures/h5/small.h5", "x/y/z") end, "no dataset")
    tried = tried + 6
  end)
  it("bad options", function()
    local p = "spec/fixtures/csv/header.csv"
    H.raises(function() return ml.load_csv(p, {delim = ","}) end, "unknown option 'delim'")
    H.raises(function() return ml.load_csv(p, {delimiter = ",,"}) end, "one-character string")
    H.raises(function() return ml.load_csv(p, {delimiter = "\""}) end, "cannot be a quote")
    H.raises(function() return ml.load_csv(p, {delimiter = "\n"}) end, "line break")
    H.raises(function() return ml.load_csv(p, {delimiter = 1}) end, "one-character string")
    H.raises(function() return ml.load_csv(p, {header = "yes"}) end, "option 'header' must be true or false")
    H.raises(function() return ml.load_csv(p, {[1] = true}) end, "key of type number")
    H.raises(function() return ml.save_csv(ml.ones(1, 2), TMP, {header = {"a"}}) end, "1 names for 2 columns")
    H.raises(function() return ml.save_csv(ml.ones(1, 2), TMP, {header = {"a", 2}}) end, "must be a string")
    H.raises(function() return ml.save_csv(ml.ones(1, 2), TMP, {header = "a,b"}) end, "table of column names")
    tried = tried + 10
  end)
end)

describe("unwritable output paths", function()
  local paths = {
    {"/dev/full", "No space left on device"},
    {"no/such/dir/out", "No such file or directory"},
    {"spec", "Is a directory"},
    {"", "No such file or directory"},
  }
  for _, p in ipairs(paths) do
    it("save_csv, save_npy and plots to " .. (p[1] == "" and "''" or p[1]), function()
      local m = ml.ones(300, 40)  -- more than a stdio buffer
      H.raises(function() return ml.save_csv(m, p[1]) end, "save_csv", p[2])
      H.raises(function() return ml.save_npy(m, p[1]) end, "save_npy", p[2])
      H.raises(function() return m:save_csv(p[1]) end, "save_csv", p[2])
      H.raises(function() return ml.save_npy(ml.ones(1, 1), p[1]) end, "save_npy", p[2])
      H.raises(function() return ml.plot.line(p[1], {1, 2, 3}) end, "plot.line", p[2])
      H.raises(function() return ml.plot.image(p[1], ml.ones(8, 8)) end, "plot.image", p[2])
      tried = tried + 6
    end)
  end
end)

-- ---- lifetime --------------------------------------------------------------
describe("closed matrices", function()
  it("every method of a closed matrix raises 'matrix has been closed'", function()
    local mt = getmetatable(ml.zeros(1, 1))
    local skip = {close = true, ismatrix = true}
    for name, f in pairs(mt.__methods) do
      if not skip[name] and type(f) == "function" then
        local m = ml.ones(2, 2)
        m:close()
        H.raises(function() return f(m, 1, 1, 1) end, "matrix has been closed")
        tried = tried + 1
      end
    end
    local m = ml.ones(2, 2)
    do local c <close> = m end
    H.raises(function() return m + 1 end, "closed")
    H.raises(function() return 1 + m end, "closed")
    H.raises(function() return m(1, 1) end, "closed")
    H.raises(function() return #m end, "closed")
    H.raises(function() return ml.dot(ml.ones(2, 2), m) end, "closed")
    assert.are.equal("matrix (closed)", tostring(m))
    m:close()  -- idempotent
    tried = tried + 5
  end)
end)

describe("the count", function()
  it("bad inputs tried", function()
    os.remove(TMP)
    print(("# bad inputs tried: %d"):format(tried))
    assert.is_true(tried > 10000, tostring(tried))
  end)
end)
