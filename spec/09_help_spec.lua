-- 09: the docs (lua/help.lua) cover every public function, name only
-- functions that exist, and ml.help finds them by value and by name
-- without running user code.  (Their examples run through the REPL in
-- spec/shell/doctest.sh.)
local ml = require "luaml"

local methods = rawget(getmetatable(ml.ones(1, 1)), "__methods")

-- every documented name, from the sections
local documented = {}
for _, s in ipairs(ml._docs()) do
  for _, d in ipairs(s.docs) do
    for _, n in ipairs(d.names) do documented[n] = d end
  end
end

-- Each help text below is printed by ml.help; capture what it prints.
local function helpout(x)
  local saved, out = _G.print, {}
  _G.print = function(...) out[#out + 1] = table.concat({...}, "\t") end
  local ok, err = pcall(ml.help, x)
  _G.print = saved
  assert(ok, err)
  return table.concat(out, "\n")
end

describe("the docs", function()
  -- the names in t (functions only, with want_functions) that have no doc
  -- as ml.name or m:name, formatted prefix..name
  local function undocumented(t, prefix, want_functions)
    local missing = {}
    for k, v in pairs(t) do
      if (not want_functions or type(v) == "function") and k:sub(1, 1) ~= "_" and
         not documented["ml." .. k] and not documented["m:" .. k] then
        missing[#missing + 1] = prefix .. k
      end
    end
    table.sort(missing)
    return missing
  end

  it("document every function of ml (as ml.f or m:f)", function()
    assert.are.same({}, undocumented(ml, "ml.", true))
  end)

  it("document every matrix method", function()
    assert.are.same({}, undocumented(methods, "m:", false))
  end)

  it("document every function of ml's tables (ml.plot.line ...)", function()
    local missing = {}
    for k, t in pairs(ml) do
      if type(t) == "table" and t ~= ml and k:sub(1, 1) ~= "_" then
        for k2, f in pairs(t) do
          local name = "ml." .. k .. "." .. k2
          if type(f) == "function" and not documented[name] then
            missing[#missing + 1] = name
          end
        end
      end
    end
    table.sort(missing)
    assert.are.same({}, missing)
  end)

  it("name nothing that does not exist", function()
    local phantom = {}
    for n in pairs(documented) do
      local f, k = n:match("^(%a+)[.:]([%w_.]+)$")
      local exists = n == "matrix"
      if f == "ml" or f == "m" then
        local v = f == "ml" and ml or methods
        for part in k:gmatch("[^.]+") do v = type(v) == "table" and v[part] or nil end
        exists = v ~= nil
      elseif f then  -- model:train, opt:step: a method of a sample object
        for _, obj in ipairs(ml._samples(f)) do
          exists = exists or type(obj[k]) == "function"
        end
      end
      -- ml.mpi exists only under mpirun (spec/shell/mpi.sh checks it there)
      if n:find("^ml%.mpi%.") and ml.mpi == nil then exists = true end
      if not exists then phantom[#phantom + 1] = n end
    end
    table.sort(phantom)
    assert.are.same({}, phantom)
  end)

  it("give every doc a description and an example", function()
    for n, d in pairs(documented) do
      assert.is_true(#d.text > 10, n .. " has no description")
      assert.is_truthy(d.example, n .. " has no example")
    end
  end)
end)

describe("ml.help", function()
  it("finds a function by value: help(ml.softmax)", function()
    local t = helpout(ml.softmax)
    assert.are.equal("ml.softmax(m [, axis=2 [, out]]) -> matrix", t:match("^[^\n]+"))
    assert.is_truthy(t:find("Example:\n    > ml.softmax(ml.matrix{{1, 2, 3}})\n" ..
                            "    matrix 1x3\n     0.09003057 0.24472847 0.66524096", 1, true))
  end)

  it("finds a method by value (m.sum) and in-place variants by name", function()
    local m = ml.ones(2, 2)
    assert.are.equal("ml.sum(m [, axis]) -> number or matrix", helpout(m.sum):match("^[^\n]+"))
    assert.are.equal("ml.exp(m [, out]) -> matrix", helpout("m:exp_"):match("^[^\n]+"))
    assert.are.equal("ml.exp(m [, out]) -> matrix", helpout("x:exp"):match("^[^\n]+"))
    assert.are.equal("m:reshape(r [, c]) -> matrix", helpout("reshape"):match("^[^\n]+"))
    assert.are.equal("ml.dot(a, b [, out [, alpha [, beta]]]) -> matrix", helpout(methods.matmul):match("^[^\n]+"))
  end)

  it("finds the methods of models and optimisers, and their classes", function()
    local model = ml.LogisticRegression()
    assert.are.equal("model:train(X, y) -> model", helpout(model.train):match("^[^\n]+"))
    assert.are.equal("model:train(X, y) -> model", helpout("fit"):match("^[^\n]+"))
    assert.are.equal("ml.LogisticRegression([opts]) -> model", helpout(model):match("^[^\n]+"))
    assert.are.equal("model:predict(X) -> matrix", helpout("m2:predict_proba"):match("^[^\n]+"))
    local opt = ml.optim.adam()
    assert.are.equal("opt:step(params, grads)", helpout(opt.step):match("^[^\n]+"))
    assert.are.equal("ml.optim.gd([opts]) -> optimizer", helpout(opt):match("^[^\n]+"))
    assert.are.equal("ml.datasets.xor([n=200]) -> X, y", helpout(ml.datasets.xor):match("^[^\n]+"))
  end)

  it("shows the matrix topic and every method for a matrix", function()
    local t = helpout(ml.zeros(1, 1))
    assert.are.equal("matrix", t:match("^[^\n]+"))
    assert.is_truthy(t:find("Methods:", 1, true))
    for _, k in ipairs{"reshape", "slice", "softmax", "sum", "add_"} do
      assert.is_truthy(t:find("%f[%w_]" .. k .. "%f[^%w_]"), k)
    end
  end)

  it("lists every section with no argument", function()
    local t = helpout()
    for _, s in ipairs(ml._docs()) do
      assert.is_truthy(t:find(s.title .. ": ", 1, true), s.title)
    end
    assert.is_truthy(t:find("softmax_cross_entropy", 1, true))
  end)

  it("says when there is no help, with suggestions", function()
    assert.are.equal("no help for 'frobnicate'", helpout("frobnicate"))
    assert.are.equal("no help for this function", helpout(print))
    local t = helpout("softm")
    assert.is_truthy(t:find("^no help for 'softm'; try: .*ml%.softmax"))
  end)

  it("suggests the nearest names for a misspelt one", function()
    assert.are.equal("no help for 'ml.sofmax'; did you mean ml.softmax?", helpout("ml.sofmax"))
    assert.are.equal("no help for 'ml.softamx'; did you mean ml.softmax?", helpout("ml.softamx"))
    assert.are.equal("no help for 'ml.lienspace'; did you mean ml.linspace?",
                     helpout("ml.lienspace"))
    assert.are.equal("no help for 'qqqq'", helpout("qqqq"))
  end)

  it("follows a global variable's name by raw access, running no code", function()
    _G.helpprobe = setmetatable({}, {__index = function() error("ran user code") end})
    _G.helpmat = ml.ones(1, 1)
    assert.are.equal("no help for 'helpprobe.x'", helpout("helpprobe.x"))
    assert.are.equal("matrix", helpout("helpmat"):match("^[^\n]+"))
    _G.helpprobe, _G.helpmat = nil, nil
  end)
end)

describe("tools/gendoc.lua", function()
  it("prints the Markdown reference: a heading and the example of each doc", function()
    local p = assert(io.popen("lua5.4 tools/gendoc.lua"))
    local md = p:read("a")
    assert.is_true(p:close())
    local ndocs, nheads = 0, select(2, md:gsub("\n#### ", ""))
    for _, s in ipairs(ml._docs()) do
      ndocs = ndocs + #s.docs
      assert.is_truthy(md:find("\n### " .. s.title .. "\n", 1, true), s.title)
    end
    assert.are.equal(ndocs, nheads)
    assert.is_truthy(md:find("#### `ml.softmax`\n\n```\nml.softmax(m [, axis=2 [, out]]) -> matrix\n```", 1, true))
    assert.is_truthy(md:find("```lua\n> ml.softmax(ml.matrix{{1, 2, 3}})\nmatrix 1x3\n", 1, true))
  end)
end)
