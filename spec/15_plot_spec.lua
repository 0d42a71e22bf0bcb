-- 15: ml.plot -- SVG files (line, scatter, image) and text plots.
-- The SVG is parsed here by a small XML checker (balanced tags, one <svg>
-- root, quoted attributes, escaped text), then its elements are counted and
-- their numbers read back. Run from the repository root.
local ml = require "luaml"
local H = dofile("spec/helpers.lua")

---------------------------------------------------------------- helpers

-- parse SVG text into a list of elements {name, attrs, text, parent};
-- raises an error on anything that is not well-formed
local function parse(s)
  local body = s:gsub("^<%?xml[^>]*%?>%s*", "", 1)
  local elems, stack, roots, pos = {}, {}, 0, 1
  local function check_text(t)
    assert(not t:find("<", 1, true), "raw '<' in text")
    for ent in t:gmatch("&([^;]*);?") do
      assert(ent == "amp" or ent == "lt" or ent == "gt" or ent == "quot" or ent:match("^#%d+$"),
        "bad entity &" .. ent)
    end
  end
  while true do
    local a, b, close, name, attrs, selfclose = body:find("<(/?)([%a_][%w_:%-]*)(.-)(/?)>", pos)
    local text = body:sub(pos, (a or #body + 1) - 1)
    check_text(text)
    if #stack > 0 then
      local top = stack[#stack]
      top.text = top.text .. text
    else
      assert(not text:find("%S"), "text outside the root: " .. text:sub(1, 40))
    end
    if not a then break end
    if close == "/" then
      local top = table.remove(stack)
      assert(top and top.name == name, "unbalanced </" .. name .. ">")
    else
      local e = { name = name, attrs = {}, text = "", parent = stack[#stack] }
      local rest = attrs:gsub('%s*([%w_:%-]+)="([^"]*)"', function(k, v)
        assert(e.attrs[k] == nil, "attribute " .. k .. " twice")
        check_text(v)
        e.attrs[k] = v
        return ""
      end)
      assert(not rest:find("%S"), "bad attribute text '" .. rest .. "' in <" .. name .. ">")
      if #stack == 0 then
        roots = roots + 1
        assert(name == "svg", "the root is <" .. name .. ">, not <svg>")
      end
      elems[#elems + 1] = e
      if selfclose ~= "/" then stack[#stack + 1] = e end
    end
    pos = b + 1
  end
  assert(#stack == 0, "unclosed <" .. (stack[1] and stack[#stack].name or "?") .. ">")
  assert(roots == 1, roots .. " root elements")
  return elems
end

-- the elements named `name` (inside an element of class `class` when given)
local function find(elems, name, class)
  local out = {}
  for _, e in ipairs(elems) do
    if e.name == name then
      local p = e
      while class and p and p.attrs.class ~= class do p = p.parent end
      if p then out[#out + 1] = e end
    end
  end
  return out
end

-- the texts of the <text> elements of a class (e.g. "ticklabels")
local function texts(elems, class)
  local out = {}
  for _, e in ipairs(find(elems, "text", class)) do out[#out + 1] = e.text end
  return out
end

local base = os.tmpname()
os.remove(base)
local count = 0

-- call f(path, ...) with a fresh temporary path; returns the parsed file,
-- its text and the value f returned; removes the file
local function svg(f, ...)
  count = count + 1
  local path = base .. "-" .. count .. ".svg"
  local ret = f(path, ...)
  local fh = assert(io.open(path, "r"), "no file written at " .. path)
  local s = fh:read("a")
  fh:close()
  os.remove(path)
  assert.are.equal(path, ret)
  return parse(s), s
end

-- the commands of SVG path data as a list of {letter, numbers...}
local function commands(d)
  local out = {}
  for cmd, args in d:gmatch("([MLHVhvz])([^MLHVhvz]*)") do
    local t = { cmd }
    for v in args:gmatch("%-?[%d.]+") do t[#t + 1] = tonumber(v) end
    out[#out + 1] = t
  end
  return out
end

local function count_cmds(d, letter)
  local n = 0
  for _, cmd in ipairs(commands(d)) do if cmd[1] == letter then n = n + 1 end end
  return n
end

-- assert that tick labels are evenly spaced by 1, 2 or 5 times a power of ten
local function assert_nice(labels)
  assert.is_true(#labels >= 2, "fewer than 2 ticks")
  local v = {}
  for i, s in ipairs(labels) do v[i] = assert(tonumber(s), "tick label " .. s) end
  local step = v[2] - v[1]
  for i = 3, #v do
    assert.is_true(math.abs(v[i] - v[i - 1] - step) <= 1e-9 * math.abs(step), "uneven ticks " .. table.concat(labels, " "))
  end
  local m = step / 10 ^ math.floor(math.log(step, 10) + 1e-9)
  assert.is_true(math.abs(m - 1) < 1e-9 or math.abs(m - 2) < 1e-9 or math.abs(m - 5) < 1e-9,
    "step " .. step .. " is not 1, 2 or 5 x 10^k")
  for i = 1, #v do
    assert.is_true(math.abs(v[i] / step - math.floor(v[i] / step + 0.5)) < 1e-6, labels[i] .. " is not a multiple of the step")
  end
end

-- x and y tick labels of a figure (x labels are centred, y labels right-aligned)
local function ticks(elems)
  local xs, ys = {}, {}
  for _, e in ipairs(find(elems, "text", "ticklabels")) do
    if e.attrs["text-anchor"] == "middle" then xs[#xs + 1] = e.text else ys[#ys + 1] = e.text end
  end
  return xs, ys
end

local function series_paths(elems)
  local out = {}
  for _, e in ipairs(find(elems, "path")) do
    if e.attrs.class == "series" then out[#out + 1] = e end
  end
  return out
end

describe("the XML checker of this spec", function()
  it("accepts a small SVG and rejects broken ones", function()
    assert.are.equal(2, #parse('<?xml version="1.0"?>\n<svg a="1"><text>x &amp; y</text></svg>'))
    H.raises(function() parse("<svg><g></svg>") end, "unbalanced")
    H.raises(function() parse("<svg><g>") end, "unclosed")
    H.raises(function() parse("<svg a=1/>") end, "bad attribute")
    H.raises(function() parse("<svg>a & b</svg>") end, "bad entity")
    H.raises(function() parse("<g/>") end, "not <svg>")
  end)
end)

---------------------------------------------------------------- line

describe("plot.line", function()
  it("writes an SVG file and returns its path", function()
    local e, s = svg(ml.plot.line, { 3, 1, 2 })
    assert.are.equal("svg", e[1].name)
    assert.are.equal("http://www.w3.org/2000/svg", e[1].attrs.xmlns)
    assert.are.equal("640", e[1].attrs.width)
    assert.are.equal("400", e[1].attrs.height)
    assert.is_truthy(s:find("^<%?xml"))
  end)

  it("draws one point per value: one M and n - 1 L", function()
    local e = svg(ml.plot.line, ml.matrix { { 5, 4, 3, 2.5, 2.2 } })
    local p = series_paths(e)
    assert.are.equal(1, #p)
    assert.are.equal(1, count_cmds(p[1].attrs.d, "M"))
    assert.are.equal(4, count_cmds(p[1].attrs.d, "L"))
  end)

  it("reads a column, a row and a table alike", function()
    local function d(ys) return series_paths(svg(ml.plot.line, ys))[1].attrs.d end
    local ref = d { 1, 4, 2, 8 }
    assert.are.equal(ref, d(ml.matrix { { 1, 4, 2, 8 } }))
    assert.are.equal(ref, d(ml.matrix { { 1 }, { 4 }, { 2 }, { 8 } }))
    assert.are.equal(ref, d(ml.matrix { { 1, 0 }, { 4, 0 }, { 2, 0 }, { 8, 0 } }:col(1)))
  end)

  it("puts the points where the ticks say", function()
    -- values 0..10 at x 1..11: y ticks 0, 2, ..., 10; the line spans the axes
    local ys = {}
    for i = 1, 11 do ys[i] = i - 1 end
    local e = svg(ml.plot.line, ys, { title = "t" })
    local frame = find(e, "rect", "frame")[1].attrs
    local x0, y0 = tonumber(frame.x), tonumber(frame.y)
    local x1, y1 = x0 + tonumber(frame.width), y0 + tonumber(frame.height)
    local xt, yt = ticks(e)
    assert.are.same({ "0", "2", "4", "6", "8", "10" }, yt)
    assert.are.same({ "0", "2", "4", "6", "8", "10", "12" }, xt)
    local cmds = commands(series_paths(e)[1].attrs.d)
    for i = 1, 11 do
      H.close(cmds[i][2], x0 + i / 12 * (x1 - x0), { atol = 0.05 }, "x of point " .. i)
      H.close(cmds[i][3], y1 - (i - 1) / 10 * (y1 - y0), { atol = 0.05 }, "y of point " .. i)
    end
  end)

  it("has nice round tick values covering the data", function()
    local cases = {
      { 0.693147, 0.5, 0.3, 0.140872 },
      { 1234, 5678, 91011 },
      { -3.7, 2.2, 0.01 },
      { 1e-6, 3e-6, 2.5e-6 },
      { 7, 7, 7 },
      { 3.3e7, 1.1e7 },
    }
    for _, ys in ipairs(cases) do
      local xt, yt = ticks(svg(ml.plot.line, ys))
      assert_nice(xt)
      assert_nice(yt)
      local lo, hi = math.huge, -math.huge
      for _, v in ipairs(ys) do lo, hi = math.min(lo, v), math.max(hi, v) end
      assert.is_true(tonumber(yt[1]) <= lo and tonumber(yt[#yt]) >= hi, table.concat(yt, " "))
    end
    local _, yt = ticks(svg(ml.plot.line, { 0.693147, 0.5, 0.3, 0.140872 }))
    assert.are.same({ "0", "0.2", "0.4", "0.6", "0.8" }, yt)
  end)

  it("logy: ticks on powers of ten, values <= 0 skipped", function()
    local e = svg(ml.plot.line, { 1000, 10, 0.5, 0, -1, 0.001 }, { logy = true })
    local _, yt = ticks(e)
    assert.are.same({ "0.001", "0.01", "0.1", "1", "10", "100", "1000" }, yt)
    local d = series_paths(e)[1].attrs.d
    assert.are.equal(2, count_cmds(d, "M"))     -- broken at 0 and -1
    assert.are.equal(2, count_cmds(d, "L"))
    local _, narrow = ticks(svg(ml.plot.line, { 0.69, 0.14 }, { logy = true }))
    assert.are.same({ "0.1", "0.2", "0.5", "1" }, narrow)
  end)

  it("skips NaN and inf: the line is broken there", function()
    local e, s = svg(ml.plot.line, { 1, 2, 0 / 0, 4, 5, math.huge, 7, -math.huge })
    local d = series_paths(e)[1].attrs.d
    assert.are.equal(3, count_cmds(d, "M"))
    assert.are.equal(2, count_cmds(d, "L"))
    assert.is_nil(s:lower():find("nan"))
    assert.is_nil(s:lower():find("inf"))
    -- a lone point between gaps is drawn as a dot
    assert.are.equal(1, #find(e, "circle", "markers"))
  end)

  it("draws several series with a legend", function()
    local h1, h2 = ml.linspace(1, 0.1, 50), ml.linspace(1, 0.5, 50)
    local function check(ys)
      local e = svg(ml.plot.line, ys, { labels = { "lr = 0.1", "lr = 0.01" }, xlabel = "iteration",
        ylabel = "cost", title = "Cost & <iterations>" })
      local p = series_paths(e)
      assert.are.equal(2, #p)
      assert.are_not.equal(p[1].attrs.stroke, p[2].attrs.stroke)
      assert.are.same({ "lr = 0.1", "lr = 0.01" }, texts(e, "legend"))
      assert.are.same({ "Cost &amp; &lt;iterations&gt;" }, texts(e, "title"))
      assert.are.same({ "iteration" }, texts(e, "xlabel"))
      assert.are.same({ "cost" }, texts(e, "ylabel"))
      assert.are.equal(49, count_cmds(p[2].attrs.d, "L"))
    end
    check { h1, h2 }
    check { h1:totable()[1], h2:T() }
    check(ml.vstack { h1, h2 })                  -- one series per row
  end)

  it("opts.x gives the x values; markers draws a dot per point", function()
    local e = svg(ml.plot.line, { 0.69, 0.5, 0.3 }, { x = ml.matrix { { 0, 100, 200 } }, markers = true })
    local xt = ticks(e)
    assert_nice(xt)
    assert.are.equal("0", xt[1])
    assert.are.equal("200", xt[#xt])
    assert.are.equal(3, #find(e, "circle", "markers"))
  end)

  it("keeps long curves small and their extremes exact", function()
    local n = 100000
    local ys = ml.rand(1, n)
    ys:set(1, 54321, 10)                          -- one spike at the top of the axis
    local e, s = svg(ml.plot.line, ys)
    local frame = find(e, "rect", "frame")[1].attrs
    local width = tonumber(frame.width)
    local cmds = commands(series_paths(e)[1].attrs.d)
    assert.is_true(#cmds <= 4 * width + 1, #cmds .. " points")
    local top = math.huge
    for _, cmd in ipairs(cmds) do top = math.min(top, cmd[3]) end
    assert.are.equal(tonumber(frame.y), top)
    assert.is_true(#s < 200000)
  end)

  it("returns a plot object for a nil path", function()
    local p = ml.plot.line(nil, { 1, 2, 3 })
    assert.is_true(ml.plot.isplot(p))
    assert.are.equal("line", p.kind)
    assert.are.equal("string", type(p.svg))
    assert.are.equal(p.svg, tostring(p))
    assert.are.equal(#p.svg, #p)
    assert.are.equal(1, #series_paths(parse(p.svg)))
    assert.are.equal("scatter", ml.plot.scatter(nil, ml.matrix{{0, 0}, {1, 1}}).kind)
    assert.are.equal("image", ml.plot.image(nil, ml.eye(3)).kind)
    assert.is_false(ml.plot.isplot(p.svg))
  end)

  it("raises clear errors", function()
    H.raises(function() ml.plot.line(nil, {}) end, "plot.line", "empty")
    H.raises(function() ml.plot.line(nil, ml.zeros(1, 0)) end, "plot.line", "empty")
    H.raises(function() ml.plot.line(nil, { { 1, 2 }, {} }) end, "series 2", "empty")
    H.raises(function() ml.plot.line(nil, { 0 / 0, math.huge }) end, "nothing to plot", "NaN")
    H.raises(function() ml.plot.line(nil, { -1, 0 }, { logy = true }) end, "nothing to plot", "log axis")
    H.raises(function() ml.plot.line(nil, "abc") end, "plot.line", "ys must be", "string")
    H.raises(function() ml.plot.line(nil, { 1, "x" }) end, "ys[2] must be a number")
    H.raises(function() ml.plot.line(nil, { 1, 2 }, { tittle = "x" }) end, "unknown option 'tittle'")
    H.raises(function() ml.plot.line(nil, { 1, 2 }, { labels = { "a", "b" } }) end, "2 names for 1 series")
    H.raises(function() ml.plot.line(nil, { 1, 2 }, { width = -5 }) end, "opts.width must be")
    H.raises(function() ml.plot.line(nil, { 1, 2, 3 }, { x = { 1, 2 } }) end, "opts.x has 2 values")
    H.raises(function() ml.plot.line(ml.matrix { { 1, 2 } }) end, "argument #1 must be a file path")
    H.raises(function() ml.plot.line("/nonexistent-dir/cost.svg", { 1, 2 }) end,
      "plot.line: cannot write", "/nonexistent-dir/cost.svg")
  end)
end)

---------------------------------------------------------------- scatter

-- a donut made with ml functions: class 0 around radius 5, class 1 around 10
local function donut(n)
  ml.seed(7)
  local r = ml.vstack { ml.full(n / 2, 1, 5), ml.full(n / 2, 1, 10) } + ml.randn(n, 1)
  local th = ml.rand(n, 1) * (2 * math.pi)
  return ml.hstack { r * th:cos(), r * th:sin() }, ml.vstack { ml.zeros(n / 2, 1), ml.ones(n / 2, 1) }
end

-- the cells covered by the region paths (each "Mj ih<w>v1h-<w>z" is w cells)
local function region_cells(e)
  local cells, fills = 0, {}
  for _, p in ipairs(find(e, "path", "regions")) do
    fills[#fills + 1] = p.attrs.fill
    for w in p.attrs.d:gmatch("h(%d+)v1") do cells = cells + tonumber(w) end
  end
  return cells, fills
end

describe("plot.scatter", function()
  it("draws one dot per point, coloured by class, with a legend", function()
    local X, y = donut(200)
    local e = svg(ml.plot.scatter, X, y, { labels = { "inner", "outer" }, title = "donut" })
    local groups = find(e, "g", "points")
    assert.are.equal(200, #find(e, "circle", "points"))
    local fills = {}
    for _, g in ipairs(groups) do
      if g.attrs.class == "points" then fills[#fills + 1] = g.attrs.fill end
    end
    assert.are.equal(2, #fills)
    assert.are_not.equal(fills[1], fills[2])
    assert.are.same({ "inner", "outer" }, texts(e, "legend"))
    local xt, yt = ticks(e)
    assert_nice(xt)
    assert_nice(yt)
    assert.are.equal(1, #find(svg(ml.plot.scatter, X, nil), "g", "points"))
  end)

  it("draws opts.line through its points in order, over the dots, with a legend entry", function()
    local X = ml.matrix { { 0, 1 }, { 1, 2.5 }, { 2, 2.9 }, { 3, 4.2 } }
    local e, s = svg(ml.plot.scatter, X, nil,
      { line = ml.matrix { { -1, 0 }, { 5, 6 } }, line_label = "fitted line" })
    local fit = find(e, "path", "fit")
    assert.are.equal(1, #fit)
    local cmds = commands(fit[1].attrs.d)
    assert.are.equal(2, #cmds)
    assert.are.equal("M", cmds[1][1])
    assert.are.equal("L", cmds[2][1])
    assert.is_true(cmds[2][2] > cmds[1][2] and cmds[2][3] < cmds[1][3])  -- up and right
    assert.is_true(s:find('class="fit"', 1, true) > s:find('class="points"', 1, true))
    assert.are.same({ "fitted line" }, texts(e, "legend"))
    -- the axes take in the line's ends (x from -1 to 5, the dots only to 3)
    local xt, yt = ticks(e)
    assert.is_true(tonumber(xt[#xt]) >= 4 and tonumber(yt[#yt]) >= 6)
    H.raises(function() ml.plot.scatter(nil, X, nil, { line = ml.ones(3, 3) }) end,
      "plot.scatter: opts.line must be an m x 2 matrix of points (m >= 2), got 3x3")
    H.raises(function() ml.plot.scatter(nil, X, nil, { line = {1, 2} }) end,
      "opts.line must be an m x 2 matrix")
  end)

  it("skips points with a NaN or infinite coordinate", function()
    local X = ml.matrix { { 0, 0 }, { 1, 0 / 0 }, { math.huge, 1 }, { 2, 2 } }
    local e, s = svg(ml.plot.scatter, X, ml.matrix { { 0, 1, 0, 1 } })
    assert.are.equal(2, #find(e, "circle", "points"))
    assert.is_nil(s:lower():find("nan"))
  end)

  it("calls predict once on a grid of cell centres and shades every cell", function()
    local X, y = donut(100)
    local calls, G = 0, nil
    local function predict(Xg)
      calls, G = calls + 1, Xg
      return (Xg:square():sum(2):sqrt() - 7.5):gt(0)
    end
    local e = svg(ml.plot.scatter, X, y, { predict = predict, grid = 20 })
    assert.are.equal(1, calls)
    assert.are.equal("400x2", H.shape(G))
    assert.is_true(G:get(1, 1) < G:get(2, 1))           -- x grows along a row
    assert.is_true(G:get(1, 2) > G:get(400, 2))         -- the first row is the top
    H.close(G:get(3, 1) - G:get(2, 1), G:get(2, 1) - G:get(1, 1), 1e-12)  -- even steps
    assert.are.equal(G:get(1, 2), G:get(20, 2))                            -- a row: one y
    H.close(G:get(21, 2) - G:get(1, 2), G:get(41, 2) - G:get(21, 2), 1e-12)
    -- the grid spans the points with half a cell to spare on each side
    assert.is_true(G:col(1):min() < X:col(1):min() and G:col(1):max() > X:col(1):max())
    assert.is_true(G:col(2):min() < X:col(2):min() and G:col(2):max() > X:col(2):max())
    local cells, fills = region_cells(e)
    assert.are.equal(400, cells)
    assert.are.equal(2, #fills)
    assert.are.equal(1, #find(e, "path", "boundary"))
    -- a 100 x 100 default grid; {columns, rows} for another shape
    svg(ml.plot.scatter, X, y, { predict = predict })
    assert.are.equal("10000x2", H.shape(G))
    svg(ml.plot.scatter, X, y, { predict = predict, grid = { 30, 10 } })
    assert.are.equal("300x2", H.shape(G))
    assert.is_true(G:get(30, 2) == G:get(1, 2) and G:get(31, 2) < G:get(1, 2))
  end)

  it("draws the boundary where the prediction changes", function()
    -- class 1 right of x = 0: the boundary is the vertical line at tick "0"
    local X = ml.matrix { { -4, -3 }, { -1, 2 }, { 3, 4 }, { 4, -2 } }
    local y = ml.matrix { { 0 }, { 0 }, { 1 }, { 1 } }
    local function predict(G) return G:col(1):gt(0) end
    local e = svg(ml.plot.scatter, X, y, { predict = predict, grid = 50 })
    local zero
    for _, t in ipairs(find(e, "text", "ticklabels")) do
      if t.text == "0" and t.attrs["text-anchor"] == "middle" then zero = tonumber(t.attrs.x) end
    end
    local frame = find(e, "rect", "frame")[1].attrs
    local cell = tonumber(frame.width) / 50
    local b = find(e, "path", "boundary")[1]
    local n = 0
    for _, cmd in ipairs(commands(b.attrs.d)) do
      assert.is_true(math.abs(cmd[2] - zero) <= cell / 2 + 0.1, "boundary at x " .. cmd[2] .. ", tick 0 at " .. zero)
      n = n + 1
    end
    assert.is_true(n >= 2 * 49)
  end)

  it("shades probabilities by confidence and takes N x k class probabilities", function()
    local X, y = donut(100)
    local function proba(G) return ml.sigmoid(G:square():sum(2):sqrt() - 7.5) end
    local cells, fills = region_cells(svg(ml.plot.scatter, X, y, { predict = proba, grid = 40 }))
    assert.are.equal(1600, cells)
    assert.is_true(#fills > 4)                           -- several confidence levels
    local function two(G) local p = proba(G) return ml.hstack { 1 - p, p } end
    local e = svg(ml.plot.scatter, X, y, { predict = two, grid = 40 })
    cells, fills = region_cells(e)
    assert.are.equal(1600, cells)
    assert.are.equal(2, #fills)
    -- three classes from labels
    local function three(G) return G:col(1):gt(0) + G:col(2):gt(0) end
    e = svg(ml.plot.scatter, X, y, { predict = three, grid = 40 })
    cells, fills = region_cells(e)
    assert.are.equal(1600, cells)
    assert.are.equal(3, #fills)
  end)

  it("raises clear errors", function()
    local X, y = donut(20)
    H.raises(function() ml.plot.scatter(nil, ml.zeros(5, 3)) end, "plot.scatter", "n x 2", "5x3")
    H.raises(function() ml.plot.scatter(nil, ml.zeros(0, 2)) end, "plot.scatter", "0x2")
    H.raises(function() ml.plot.scatter(nil, { { 1, 2 } }) end, "X must be an n x 2 matrix", "table")
    H.raises(function() ml.plot.scatter(nil, X, ml.zeros(19, 1)) end, "19 labels for 20 points", "19x1")
    H.raises(function() ml.plot.scatter(nil, X, ml.full(20, 1, 0.5)) end, "y[1] is 0.5", "class labels")
    H.raises(function() ml.plot.scatter(nil, X, y, { predict = 3 }) end, "opts.predict must be a function")
    H.raises(function() ml.plot.scatter(nil, X, y, { predict = function() return ml.zeros(5, 1) end }) end,
      "returned a 5x1 matrix for a 10000x2 grid")
    H.raises(function() ml.plot.scatter(nil, X, y, { predict = function(G) return G:col(1) * 10 end }) end,
      "class labels 0, 1, 2, ... or probabilities in [0, 1]")
    H.raises(function() ml.plot.scatter(nil, X, y, { predict = function(G) return G:col(1) * (0 / 0) end }) end,
      "NaN")
    H.raises(function() ml.plot.scatter(nil, X, y, { predict = function() return 1 end }) end,
      "must return a matrix, got a number")
    H.raises(function() ml.plot.scatter(nil, X, y, { grid = 1 }) end, "opts.grid must be an integer")
    H.raises(function() ml.plot.scatter(nil, X, y, { grid = { 30 } }) end, "{columns, rows}")
    H.raises(function() ml.plot.scatter(nil, ml.matrix { { 0 / 0, 1 } }) end, "nothing to plot")
    H.raises(function() ml.plot.scatter("/nonexistent-dir/s.svg", X, y) end, "/nonexistent-dir/s.svg")
  end)
end)

---------------------------------------------------------------- image

-- the grey fills of the pixel paths of each image, and their pixel counts
local function pixels_of(e)
  local out = {}
  for _, p in ipairs(find(e, "path", "image")) do
    local n = 0
    for w in p.attrs.d:gmatch("h(%d+)v1") do n = n + tonumber(w) end
    out[p.attrs.fill] = (out[p.attrs.fill] or 0) + n
  end
  return out
end

describe("plot.image", function()
  it("scales min..max to black..white", function()
    local e = svg(ml.plot.image, ml.matrix { { 0, 1 }, { 2, 3 } })
    assert.are.equal(1, #find(e, "g", "image"))
    assert.are.same({ ["#555555"] = 1, ["#aaaaaa"] = 1, ["#ffffff"] = 1 }, pixels_of(e))  -- black is the background
    assert.are.equal("#000000", find(e, "rect", "image")[1].attrs.fill)
    e = svg(ml.plot.image, ml.matrix { { 0, 1 }, { 2, 3 } }, { range = { 0, 6 }, invert = true })
    assert.are.same({ ["#d5d5d5"] = 1, ["#aaaaaa"] = 1, ["#7f7f7f"] = 1 }, pixels_of(e))  -- 3 -> 128 -> 255 - 128
  end)

  it("merges equal pixels of a row into one rectangle", function()
    local img = ml.zeros(4, 4)
    img:row(2):fill_(5)
    local e = svg(ml.plot.image, img)
    local p = find(e, "path", "image")
    assert.are.equal(1, #p)
    assert.are.equal("M0 1h4v1h-4z", p[1].attrs.d)
  end)

  it("reads one image from a row or a matrix, a grid from rows", function()
    local X = ml.load_idx("examples/data/mnist/t10k-images-idx3-ubyte.gz")
    local y = ml.load_idx("examples/data/mnist/t10k-labels-idx1-ubyte.gz")
    local one = pixels_of(svg(ml.plot.image, X:row(1)))
    assert.are.same(one, pixels_of(svg(ml.plot.image, X:row(1):reshape(28, 28))))
    local e = svg(ml.plot.image, X:slice(1, 20), { cols = 10, labels = y:slice(1, 20), title = "digits" })
    assert.are.equal(20, #find(e, "g", "image"))
    local caps = texts(e, "caption")
    assert.are.equal(20, #caps)
    for i = 1, 20 do assert.are.equal(tostring(math.floor(y:get(i, 1))), caps[i]) end
    -- 10 per row at scale 2: 10 * (56 + 8) + 8 wide, 2 rows of 56 + 8 + 18 below a title
    assert.are.equal("648", e[1].attrs.width)
    assert.are.equal(tostring(34 + 2 * 82), e[1].attrs.height)
    -- the first digit drawn in the grid is the one drawn alone
    local first = {}
    for _, g in ipairs(find(e, "g", "image")) do
      if g.attrs.class == "image" then first = g break end
    end
    local n = 0
    for _, p in ipairs(find(e, "path")) do
      if p.parent == first then n = n + 1 end
    end
    local m = 0
    for _ in pairs(one) do m = m + 1 end
    assert.are.equal(m, n)
  end)

  it("opts.shape; a square matrix is one image", function()
    local e = svg(ml.plot.image, ml.rand(16, 16))
    assert.are.equal(1, #find(e, "g", "image"))
    e = svg(ml.plot.image, ml.rand(3, 16))                -- three 4 x 4 images
    assert.are.equal(3, #find(e, "g", "image"))
    e = svg(ml.plot.image, ml.rand(1, 6), { shape = { 2, 3 } })
    assert.are.equal("3", find(e, "rect", "image")[1].attrs.width)
    e = svg(ml.plot.image, ml.rand(2, 3))                 -- 3 is not square: one 2 x 3 image
    assert.are.equal(1, #find(e, "g", "image"))
  end)

  it("leaves NaN and inf pixels undrawn, out of the range", function()
    local e, s = svg(ml.plot.image, ml.matrix { { 0 / 0, 1 }, { 2, math.huge } })
    assert.are.same({ ["#ffffff"] = 1 }, pixels_of(e))
    assert.is_nil(s:lower():find("nan"))
  end)

  it("raises clear errors", function()
    H.raises(function() ml.plot.image(nil, { 1, 2 }) end, "plot.image", "pixels must be a matrix")
    H.raises(function() ml.plot.image(nil, ml.zeros(0, 4)) end, "empty")
    H.raises(function() ml.plot.image(nil, ml.zeros(2, 5), { shape = { 2, 2 } }) end, "opts.shape {2, 2}", "2x5")
    H.raises(function() ml.plot.image(nil, ml.zeros(2, 2), { range = { 1, 0 } }) end, "opts.range")
    H.raises(function() ml.plot.image(nil, ml.full(2, 2, 0 / 0)) end, "nothing to plot")
    H.raises(function() ml.plot.image("/nonexistent-dir/i.svg", ml.zeros(2, 2)) end, "/nonexistent-dir/i.svg")
  end)
end)

---------------------------------------------------------------- text

describe("plot.text", function()
  it("a sparkline from the smallest to the largest value", function()
    assert.are.equal("▁▂▃▄▅▆▇█", ml.plot.text { 1, 2, 3, 4, 5, 6, 7, 8 })
    assert.are.equal("█▇▆▅▄▃▂▁", ml.plot.text(ml.matrix { { 8, 7, 6, 5, 4, 3, 2, 1 } }))
    assert.are.equal("▁█▁", ml.plot.text(ml.matrix { { -1 }, { 1 }, { -1 } }))
    assert.are.equal("▁▅ █", ml.plot.text { 0, 0.5, 0 / 0, 0.9 })
    assert.are.equal("▄▄▄", ml.plot.text { 3, 3, 3 })
  end)

  it("averages long input down to the width", function()
    assert.are.equal("▁▂▃▄▅▆▇█", ml.plot.text({ 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8 }, { width = 8 }))
    assert.are.equal(60, utf8.len(ml.plot.text(ml.rand(1, 1000))))
  end)

  it("a braille chart with min and max labels", function()
    local s = ml.plot.text({ 0, 1 }, { height = 2 })
    assert.are.equal("1 ┤" .. utf8.char(0x28B8) .. "\n0 ┤" .. utf8.char(0x2878) .. "\n   1 2", s)
    local h = ml.linspace(0.693147, 0.140872, 200)
    local lines = {}
    for l in ml.plot.text(h, { height = 4 }):gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.are.equal(5, #lines)
    assert.is_truthy(lines[1]:find("^0%.6931 ┤"))
    assert.is_truthy(lines[4]:find("^0%.1409 ┤"))
    assert.is_truthy(lines[5]:find("1%s+200$"))
    assert.are.equal(utf8.len(lines[1]), utf8.len(lines[2]))
    assert.are.equal(8 + 60, utf8.len(lines[1]))
  end)

  it("raises clear errors", function()
    H.raises(function() ml.plot.text {} end, "plot.text", "empty")
    H.raises(function() ml.plot.text { 0 / 0 } end, "nothing to plot")
    H.raises(function() ml.plot.text(ml.zeros(2, 2)) end, "values must be a vector", "2x2")
    H.raises(function() ml.plot.text({ 1, 2 }, { height = 0 }) end, "opts.height must be an integer")
  end)
end)
