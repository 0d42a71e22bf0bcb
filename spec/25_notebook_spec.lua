-- 25: what the prompt and the notebook share (lua/notebook.lua): top-level
-- locals that persist between chunks, a cell's trailing expression, rich
-- displays, errors; and the prompt itself keeping its locals (the README's
-- tour typed line by line).  The kernel's protocol is checked with Jupyter's
-- own client by spec/shell/kernel.sh.
local H = dofile("spec/helpers.lua")
local ml = require "luaml"
local nb = require "luaml.notebook"

local BUILD = os.getenv("LUAML_BUILD") or "build"

-- the prompt (build/luaml -i, with empty prompts: no echo of the lines)
-- fed lines through a pipe; its output
local function prompt(lines)
  local input = os.tmpname()
  local f = assert(io.open(input, "w"))
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
  local p = assert(io.popen(("./%s/luaml -e \"_PROMPT='' _PROMPT2=''\" -i < %s 2>&1"):format(BUILD, input)))
  local out = p:read("a")
  p:close()
  os.remove(input)
  return out
end

local function has(out, text)
  assert.is_truthy(out:find(text, 1, true), "missing '" .. text .. "' in:\n" .. out)
end

describe("top-level locals: the rewrite", function()
  local cases = {
    {"local x = 1", "      x = 1", {"x"}},
    {"local a, b", "      a, b = nil", {"a", "b"}},
    {"local function f(n) return n end", "      function f(n) return n end", {"f"}},
    {"local c <const>, d = 3, 4", "      c        , d = 3, 4", {"c", "d"}},
    {"local e <close> = nil", "local e <close> = nil", {}},
    {"do local y = 2 end local z = 'local w' -- local q",
     "do local y = 2 end       z = 'local w' -- local q", {"z"}},
    {"for i = 1, 2 do local k = i end local m = [==[ local ]==]",
     "for i = 1, 2 do local k = i end       m = [==[ local ]==]", {"m"}},
    {"local t = {f = function() local u = 1 end}\nlocal v",
     "      t = {f = function() local u = 1 end}\n      v = nil", {"t", "v"}},
    {"if x then local p = 1 end\nrepeat local r = 1 until r\nlocal s = \"local\\\"\"",
     "if x then local p = 1 end\nrepeat local r = 1 until r\n      s = \"local\\\"\"", {"s"}},
    {"--[[ local a = 1 ]] local b = 2", "--[[ local a = 1 ]]       b = 2", {"b"}},
  }
  for _, c in ipairs(cases) do
    it(("%q"):format(c[1]), function()
      local code, names = nb.rewrite(c[1])
      assert.are.equal(c[2], code)
      assert.are.same(c[3], names)
    end)
  end

  it("keeps every line where it was (error positions do not move)", function()
    local src = "local a = 1\nlocal b, c\nlocal function f()\n  return nil + 1\nend\nf()"
    local code = nb.rewrite(src)
    local _, n1 = src:gsub("\n", "")
    local _, n2 = code:gsub("\n", "")
    assert.are.equal(n1, n2)
    local f = nb.load(code, "=cell")
    local ok, err = pcall(f)
    assert.is_false(ok)
    assert.is_truthy(err:find("^cell:4: attempt to perform arithmetic"), err)
  end)
end)

describe("top-level locals: the session", function()
  it("persist from one chunk to the next, shadow globals, leave _G alone", function()
    assert(nb.load("local nb_a = 20\nlocal function nb_twice(x) return 2 * x end", "=1"))()
    assert.are.equal(40, assert(nb.load("return nb_twice(nb_a)", "=2"))())
    assert.is_nil(rawget(_G, "nb_a"))
    assert(nb.load("local string = 'shadowed'", "=3"))()
    assert.are.equal("shadowed", assert(nb.load("return string", "=4"))())
    assert.are.equal("table", type(string))
  end)

  it("a later chunk's plain assignment updates the local; undeclared names are globals", function()
    assert(nb.load("local nb_b = 1", "=1"))()
    assert(nb.load("nb_b = nb_b + 1\nnb_global = 5", "=2"))()
    assert.are.equal(2, assert(nb.load("return nb_b", "=3"))())
    assert.is_nil(rawget(_G, "nb_b"))
    assert.are.equal(5, rawget(_G, "nb_global"))
    _G.nb_global = nil
  end)

  it("local x <close> stays a real local, closed at the end of its chunk", function()
    local closed = 0
    _G.nb_closer = setmetatable({}, {__close = function() closed = closed + 1 end})
    assert(nb.load("local c <close> = nb_closer\nnb_seen = closed", "=1"))()
    assert.are.equal(1, closed)
    assert.is_nil(assert(nb.load("return c", "=2"))())
    _G.nb_closer, _G.nb_seen = nil, nil
  end)

  it("re-declaring a local in a later chunk is shadowing by the new value", function()
    assert(nb.load("local nb_s = 1", "=1"))()
    assert(nb.load("local nb_s = nb_s + 10", "=2"))()
    assert.are.equal(11, assert(nb.load("return nb_s", "=3"))())
  end)
end)

describe("cells", function()
  it("the trailing expression is the result; ';' silences it", function()
    local f, quiet = nb.cell("local q = 6\nq * 7")
    assert.is_false(quiet)
    assert.are.equal(42, f(nb.pass))
    f, quiet = nb.cell("q * 7;")
    assert.is_true(quiet)
    f, quiet = nb.cell("local r = {\n  1,\n  2}\n#r")
    assert.are.equal(2, f(nb.pass))
    f, quiet = nb.cell("for i = 1, 2 do end")
    assert.is_true(quiet)
    assert.are.equal(0, select("#", f(nb.pass)))
  end)

  it("a trailing call keeps its frame in tracebacks (no tail call)", function()
    local f = nb.cell("local function inner() error('x') end\ninner()", "=cell")
    local _, tb = xpcall(f, debug.traceback, nb.pass)
    assert.is_truthy(tb:find("cell:1: in %a+ 'inner'"), tb)
  end)

  it("is_complete", function()
    assert.are.equal("incomplete", nb.is_complete("for i = 1, 3 do"))
    assert.are.equal("incomplete", nb.is_complete("f(1,"))
    assert.are.equal("complete", nb.is_complete("x = 1"))
    assert.are.equal("complete", nb.is_complete("x + 1"))
    assert.are.equal("invalid", nb.is_complete("x = )"))
  end)

  it("syntax errors come back as load's", function()
    local f, err = nb.cell("x = = 1", "=cell")
    assert.is_nil(f)
    assert.is_truthy(err:find("^cell:1:"), err)
  end)
end)

describe("displays", function()
  it("a matrix: its text, and an HTML table of the same cells", function()
    local A = ml.matrix{{1.5, -2}, {3, 4}}
    local b = nb.bundle(A, tostring(A))
    assert.are.equal(tostring(A), b["text/plain"])
    local cells = {}
    for v in b["text/html"]:gmatch("<td>(.-)</td>") do cells[#cells + 1] = v end
    assert.are.same({"1.5", "-2.0", "3.0", "4.0"}, cells)
    assert.is_truthy(b["text/html"]:find("matrix 2x2", 1, true))
  end)

  it("a large matrix is elided in the table as in its text", function()
    local b = nb.bundle(ml.arange(1, 2000):reshape(40, 50))
    local _, rows = b["text/html"]:gsub("<tr>", "")
    assert.are.equal(7, rows)
    local _, dots = b["text/html"]:gsub("<td>%.%.%.</td>", "")
    assert.are.equal(6 + 7, dots)  -- one per shown row, a full row between
  end)

  it("a plot: SVG without the XML declaration", function()
    local b = nb.bundle(ml.plot.line(nil, {1, 2, 3}), "")
    assert.is_truthy(b["image/svg+xml"]:find("^<svg"))
    assert.are.equal("<line plot>", b["text/plain"])
  end)

  it("a model: an HTML summary; other values: text only", function()
    local m = ml.LinearRegression()
    local b = nb.bundle(m, tostring(m))
    assert.is_truthy(b["text/html"]:find("LinearRegression", 1, true))
    assert.are.same({["text/plain"] = "x"}, nb.bundle("s", "x"))
    assert.are.same({["text/plain"] = "1\t2"}, nb.result(1, 2))
  end)

  it("HTML is escaped", function()
    local m = setmetatable({["<i>"] = "&"}, {name = "X<"})
    local html = nb.bundle(m, "")["text/html"]
    assert.is_nil(html:find("<i>", 1, true))
    assert.is_truthy(html:find("&lt;i&gt;", 1, true) and html:find("&amp;", 1, true)
                     and html:find("X&lt;", 1, true))
  end)
end)

describe("help", function()
  it("help 'notebook' and help 'display' give the notebook's section", function()
    for _, name in ipairs{"notebook", "Notebook", "display"} do
      local t = ml._helptext(name)
      assert.is_truthy(t:find("^Notebook\n"), t)
      assert.is_truthy(t:find("display(x", 1, true), t)
    end
    assert.is_truthy(nb.inspect("display(A)", 2):find("^Notebook"))
  end)
end)

describe("errors", function()
  it("the message and the user's frames, without the C boundary", function()
    local text, lines = nb.error("c:2: boom\nstack traceback:\n\t[C]: in function 'error'\n"
                                 .. "\tc:2: in local 'f'\n\tc:3: in main chunk\n\t[C]: in ?")
    assert.are.equal("c:2: boom", text)
    assert.are.same({"c:2: boom", "stack traceback:", "\tc:2: in local 'f'", "\tc:3: in main chunk"},
                    lines)
    text, lines = nb.error("plain")
    assert.are.equal("plain", text)
    assert.are.same({"plain"}, lines)
  end)
end)

describe("the prompt keeps its locals", function()
  it("runs the README's tour typed line by line", function()
    local f = assert(io.open("README.md"))
    local readme = f:read("a")
    f:close()
    local tour = readme:match("## A five%-minute tour of the matrix%s+```lua\n(.-)```")
    assert(tour, "no tour in README.md")
    local lines = {}
    for line in tour:gmatch("([^\n]*)\n") do
      if not line:match("^%-%->") then lines[#lines + 1] = line end
    end
    local out = prompt(lines)
    assert.is_nil(out:find("attempt to", 1, true), out)
    has(out, " 94.91525424  0.00000000  2.83140283 88.42652796")
    has(out, "cannot broadcast 3x2 with 4x1")
    local _, errors = out:gsub("stdin:%d+:", "")
    assert.are.equal(1, errors, out)  -- the broadcasting error the tour shows
  end)

  it("local function, <close>, shadowing and error lines at the prompt", function()
    local out = prompt{
      "local function fact(n) if n < 2 then return 1 end return n * fact(n - 1) end",
      "fact(5)",
      "local c <close> = setmetatable({}, {__close = function() print('closed') end})",
      "c == nil",
      "local math = 'shadow'",
      "math, type(_G.math)",
      "do",
      "  error('third line')",
      "end",
    }
    has(out, "120\n")
    has(out, "closed\ntrue\n")
    has(out, "shadow\ttable\n")
    has(out, "stdin:2: third line")
  end)
end)
