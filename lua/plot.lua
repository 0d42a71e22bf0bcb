-- plot.lua: ml.plot -- plots as SVG files a browser opens, and text plots for
-- terminals.
--
--   ml.plot.line(path, ys [, opts])       curves, e.g. a model's cost_history
--   ml.plot.scatter(path, X, y [, opts])  2-D points coloured by class, with the
--                                         decision regions of a predict function
--   ml.plot.image(path, pixels [, opts])  one grey-scale image or a grid of them
--   ml.plot.text(values [, opts])         a sparkline or a braille chart (a string)
--
-- The SVG functions write `path` and return it; with path == nil they return
-- a plot object instead (p.svg is the SVG text, tostring(p) too): a notebook
-- shows it inline, and states without the io library can still plot.
-- Non-finite values (NaN, +inf, -inf) are skipped everywhere: a curve is broken
-- where they occur, such a point or pixel is not drawn, and they take no part in
-- the axis ranges. Empty input or input with nothing finite is an error.
-- Colours are the Okabe-Ito palette, which colour-blind readers can tell apart.
local ml = ...

local plot = {}
ml.plot = plot

local floor, ceil, abs, max, min = math.floor, math.ceil, math.abs, math.max, math.min
local fmt, concat = string.format, table.concat
local HUGE = math.huge

local PALETTE = { "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7",
                  "#56B4E9", "#000000", "#F0E442" }

local function log10(x) return math.log(x, 10) end
local function finite(v) return v == v and v ~= HUGE and v ~= -HUGE end
local function colour(k) return PALETTE[(k - 1) % #PALETTE + 1] end

-- raise msg (formatted) without a position: the message names the function
local function fail(msg, ...) error(fmt(msg, ...), 0) end

-- a value described for an error message: "a 3x4 matrix", "a string"
local function what(x)
  if ml.ismatrix(x) then return fmt("a %dx%d matrix", x.rows, x.cols) end
  return "a " .. type(x)
end

-- a number as short text: 4 significant digits, short exponents ("1e-5")
local function num(v, digits)
  if v ~= v then return "nan" end
  if v == HUGE then return "inf" elseif v == -HUGE then return "-inf" end
  if v == 0 then return "0" end
  local s = fmt("%." .. (digits or 4) .. "g", v)
  return (s:gsub("e%+?(%-?)0*(%d)", "e%1%2"))
end

-- an SVG coordinate: one decimal, no trailing ".0"
local function c(v)
  local s = fmt("%.1f", v)
  if s:sub(-2) == ".0" then s = s:sub(1, -3) end
  if s == "-0" then s = "0" end
  return s
end

local ESC = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" }
local function esc(s) return (tostring(s):gsub('[&<>"]', ESC)) end

-- approximate width in pixels of text at the default 12 px font
local function textw(s, size)
  return utf8.len(tostring(s)) * 0.6 * (size or 12)
end

-- colour h mixed with white: t = 1 is h itself, t = 0 is white
local function tint(h, t)
  local out = "#"
  for k = 2, 6, 2 do
    local v = tonumber(h:sub(k, k + 1), 16)
    out = out .. fmt("%02x", floor(255 - (255 - v) * t + 0.5))
  end
  return out
end

---------------------------------------------------------------- arguments

-- the set of option names a function accepts
local function known(names)
  local set = { _list = concat(names, ", ") }
  for _, n in ipairs(names) do set[n] = true end
  return set
end

-- opts checked against the known names (a typo is an error); {} for nil
local function options(F, opts, allowed)
  if opts == nil then return {} end
  if type(opts) ~= "table" then fail("%s: opts must be a table, got %s", F, what(opts)) end
  for k in pairs(opts) do
    if not allowed[k] then
      fail("%s: unknown option '%s' (known: %s)", F, tostring(k), allowed._list)
    end
  end
  return opts
end

-- opts[name], a number in [lo, hi] (an integer when int), or the default
local function opt_num(F, opts, name, default, lo, hi, int)
  local v = opts[name]
  if v == nil then return default end
  if type(v) ~= "number" or v ~= v or v < lo or v > hi or (int and v ~= floor(v)) then
    fail("%s: opts.%s must be %s from %s to %s, got %s", F, name,
      int and "an integer" or "a number", num(lo), num(hi),
      type(v) == "number" and num(v) or what(v))
  end
  return v
end

-- opts[name] as a string (numbers are accepted), or nil
local function opt_str(F, opts, name)
  local v = opts[name]
  if v == nil or type(v) == "string" then return v end
  if type(v) == "number" then return num(v) end
  fail("%s: opts.%s must be a string, got %s", F, name, what(v))
end

-- the output path: a string, or nil to get the SVG text back
local function check_path(F, path)
  if path ~= nil and type(path) ~= "string" then
    fail("%s: argument #1 must be a file path (a string), got %s", F, what(path))
  end
end

-- the values of a vector (a 1 x n or n x 1 matrix, or a table of numbers)
-- as a Lua array
local function vector(F, name, v)
  if ml.ismatrix(v) then
    if v.rows ~= 1 and v.cols ~= 1 then
      fail("%s: %s must be a vector (1 x n or n x 1), got a %dx%d matrix", F, name, v.rows, v.cols)
    end
    if v.rows ~= 1 then v = v:T() end
    return v:totable()[1] or {}
  elseif type(v) == "table" then
    for i = 1, #v do
      if type(v[i]) ~= "number" then
        fail("%s: %s[%d] must be a number, got %s", F, name, i, what(v[i]))
      end
    end
    return v
  end
  fail("%s: %s must be a matrix or a table of numbers, got %s", F, name, what(v))
end

-- text labels from a table or a vector of numbers (class names, captions)
local function names(F, name, v)
  if v == nil then return nil end
  if type(v) == "string" then return { v } end
  if ml.ismatrix(v) then v = vector(F, name, v) end
  if type(v) ~= "table" then
    fail("%s: %s must be a table of strings, got %s", F, name, what(v))
  end
  local t = {}
  for i = 1, #v do
    if type(v[i]) == "number" then t[i] = num(v[i])
    elseif type(v[i]) == "string" then t[i] = v[i]
    else fail("%s: %s[%d] must be a string, got %s", F, name, i, what(v[i])) end
  end
  return t
end

-- A plot made without a file name: a table with the SVG text (p.svg) and
-- the kind of plot (p.kind, "line", "scatter" or "image").  tostring(p) is
-- the SVG text, so the prompt prints it and a script may write it anywhere;
-- a notebook shows it inline (image/svg+xml).
local Plot = { __name = "luaml.plot" }
Plot.__index = Plot
function Plot.__tostring(p) return p.svg end
function Plot.__len(p) return #p.svg end
function Plot.__concat(a, b) return tostring(a) .. tostring(b) end

-- true when x is a plot made without a file name
function plot.isplot(x) return getmetatable(x) == Plot end

-- write the SVG text to path (or return a plot object when path is nil)
local function finish(F, path, buf)
  local svg = concat(buf, "\n") .. "\n"
  if path == nil then return setmetatable({ svg = svg, kind = F:match("[%w_]+$") }, Plot) end
  if not io then fail("%s: cannot write %s: the io library is not available", F, path) end
  local f, err = io.open(path, "w")
  if not f then fail("%s: cannot write %s", F, err) end
  local ok, werr = f:write(svg)
  local cok, cerr = f:close()  -- a full disk shows here: write only buffers
  if not ok or not cok then fail("%s: cannot write %s: %s", F, path, tostring(werr or cerr)) end
  return path
end

---------------------------------------------------------------- axes

-- the nice step (1, 2 or 5 times a power of ten) at or above raw > 0
local function nice_step(raw)
  local p = 10 ^ floor(log10(raw))
  local f = raw / p
  for _, m in ipairs { 1, 2, 5 } do
    if f <= m * (1 + 1e-9) then return m * p end
  end
  return 10 * p
end

-- the text of tick value v on an axis with the given step: as many decimals
-- as the step needs, exponents for very large or small values
local function tick_text(v, step)
  if abs(v) < step * 1e-6 then return "0" end
  if abs(v) >= 1e6 or step < 1e-4 then return num(v, 6) end
  return fmt("%." .. max(0, -floor(log10(step) + 1e-9)) .. "f", v)
end

-- a linear axis over the data range [lo, hi], about one tick per `gap`
-- pixels of `len`. loose: the axis ends on ticks (cost curves); otherwise
-- it spans [lo, hi] exactly with the ticks inside (scatter plots).
local function linear_axis(lo, hi, len, gap, loose)
  if hi - lo <= 1e-12 * max(abs(lo), abs(hi)) then
    local d = lo == 0 and 1 or abs(lo) * 0.1
    lo, hi = lo - d, hi + d
  end
  local step = nice_step((hi - lo) / max(2, floor(len / gap + 0.5)))
  local a, b
  if loose then
    a, b = floor(lo / step + 1e-9), ceil(hi / step - 1e-9)
    lo, hi = a * step, b * step
  else
    a, b = ceil(lo / step - 1e-9), floor(hi / step + 1e-9)
  end
  local ax = { lo = lo, hi = hi, ticks = {}, labels = {} }
  for i = a, b do
    ax.ticks[#ax.ticks + 1] = i * step
    ax.labels[#ax.labels + 1] = tick_text(i * step, step)
  end
  return ax
end

-- a log axis over [lo, hi] (both > 0): from a power of ten to a power of
-- ten, ticks on powers of ten (every k-th one for wide ranges) and on 2 and
-- 5 times them when the range is narrow
local function log_axis(lo, hi, len)
  local a, b = floor(log10(lo) + 1e-9), ceil(log10(hi) - 1e-9)
  if a == b then b = a + 1 end
  local every = max(1, ceil((b - a) / max(2, floor(len / 50))))
  a, b = floor(a / every) * every, ceil(b / every) * every
  local ax = { lo = 10 ^ a, hi = 10 ^ b, log = true, ticks = {}, labels = {} }
  for e = a, b, every do
    for _, m in ipairs((b - a <= 2 and e < b) and { 1, 2, 5 } or { 1 }) do
      ax.ticks[#ax.ticks + 1] = m * 10 ^ e
      ax.labels[#ax.labels + 1] = num(m * 10 ^ e)
    end
  end
  return ax
end

-- the function from data values on axis ax to pixels p0..p1
local function scale(ax, p0, p1)
  if ax.log then
    local l0 = log10(ax.lo)
    local k = (p1 - p0) / (log10(ax.hi) - l0)
    return function(v) return p0 + (log10(v) - l0) * k end
  end
  local lo, k = ax.lo, (p1 - p0) / (ax.hi - ax.lo)
  return function(v) return p0 + (v - lo) * k end
end

---------------------------------------------------------------- figure

-- a new figure: the SVG buffer opened, with width, height and title
local function figure(W, H, title)
  local buf = {
    '<?xml version="1.0" encoding="UTF-8"?>',
    fmt('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
      .. 'font-family="Helvetica, Arial, sans-serif" font-size="12">', W, H, W, H),
  }
  if title then buf[#buf + 1] = "<title>" .. esc(title) .. "</title>" end
  buf[#buf + 1] = fmt('<rect width="%d" height="%d" fill="#ffffff"/>', W, H)
  return buf
end

-- the plot box of a W x H figure with axes xa and ya: room for the title,
-- axis labels, tick labels and a legend (a list of {text, colour, kind}) on
-- the right. Returns the box {x0, y0, x1, y1} and the scales.
local function layout(F, W, H, o, xa, ya, legend)
  local lw = 0
  for _, s in ipairs(ya.labels) do lw = max(lw, textw(s, 11)) end
  local right = 18
  if legend then
    local tw = 0
    for _, e in ipairs(legend) do tw = max(tw, textw(e[1])) end
    right = 16 + 26 + tw + 14
  end
  local box = {
    x0 = floor(14 + lw + (o.ylabel and 22 or 0)),
    y0 = o.title and 40 or 16,
    x1 = floor(W - right),
    y1 = H - 30 - (o.xlabel and 22 or 0),
  }
  if box.x1 - box.x0 < 60 or box.y1 - box.y0 < 60 then
    fail("%s: a %dx%d figure leaves no room for the plot (raise opts.width / opts.height)", F, W, H)
  end
  return box, scale(xa, box.x0, box.x1), scale(ya, box.y1, box.y0)
end

-- faint grid lines at the ticks, inside the box
local function draw_grid(buf, box, xa, ya, sx, sy)
  local d = {}
  for _, t in ipairs(xa.ticks) do
    d[#d + 1] = fmt("M%s %dV%d", c(sx(t)), box.y0, box.y1)
  end
  for _, t in ipairs(ya.ticks) do
    d[#d + 1] = fmt("M%d %sH%d", box.x0, c(sy(t)), box.x1)
  end
  buf[#buf + 1] = fmt('<path class="grid" d="%s" stroke="#000000" stroke-opacity="0.12" '
    .. 'fill="none" shape-rendering="crispEdges"/>', concat(d))
end

-- the frame, tick marks, tick labels, axis labels and title
local function draw_frame(buf, box, xa, ya, sx, sy, o)
  buf[#buf + 1] = fmt('<rect class="frame" x="%d" y="%d" width="%d" height="%d" fill="none" '
    .. 'stroke="#333333" shape-rendering="crispEdges"/>', box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0)
  local d, t = {}, {}
  for i, v in ipairs(xa.ticks) do
    local x = c(sx(v))
    d[#d + 1] = fmt("M%s %dv5", x, box.y1)
    t[#t + 1] = fmt('<text x="%s" y="%d" text-anchor="middle">%s</text>', x, box.y1 + 18, esc(xa.labels[i]))
  end
  for i, v in ipairs(ya.ticks) do
    local y = sy(v)
    d[#d + 1] = fmt("M%d %sh-5", box.x0, c(y))
    t[#t + 1] = fmt('<text x="%d" y="%s" text-anchor="end">%s</text>', box.x0 - 8, c(y + 4), esc(ya.labels[i]))
  end
  buf[#buf + 1] = fmt('<path class="ticks" d="%s" stroke="#333333" shape-rendering="crispEdges"/>', concat(d))
  buf[#buf + 1] = '<g class="ticklabels" font-size="11" fill="#333333">'
  buf[#buf + 1] = concat(t, "\n")
  buf[#buf + 1] = "</g>"
  local mx, my = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
  if o.title then
    buf[#buf + 1] = fmt('<text class="title" x="%s" y="26" text-anchor="middle" font-size="15" '
      .. 'font-weight="bold">%s</text>', c(mx), esc(o.title))
  end
  if o.xlabel then
    buf[#buf + 1] = fmt('<text class="xlabel" x="%s" y="%d" text-anchor="middle">%s</text>',
      c(mx), box.y1 + 42, esc(o.xlabel))
  end
  if o.ylabel then
    buf[#buf + 1] = fmt('<text class="ylabel" transform="translate(16 %s) rotate(-90)" '
      .. 'text-anchor="middle">%s</text>', c(my), esc(o.ylabel))
  end
end

-- the legend right of the box: entries {text, colour, kind} where kind is
-- "line" or "dot"
local function draw_legend(buf, box, legend)
  local x, y = box.x1 + 16, box.y0 + 4
  buf[#buf + 1] = '<g class="legend">'
  for i, e in ipairs(legend) do
    local cy = y + (i - 1) * 20 + 8
    if e[3] == "line" then
      buf[#buf + 1] = fmt('<path d="M%d %dh20" stroke="%s" stroke-width="2.5"/>', x, cy, e[2])
    else
      buf[#buf + 1] = fmt('<circle cx="%d" cy="%d" r="4.5" fill="%s" stroke="#ffffff"/>', x + 10, cy, e[2])
    end
    buf[#buf + 1] = fmt('<text x="%d" y="%d">%s</text>', x + 26, cy + 4, esc(e[1]))
  end
  buf[#buf + 1] = "</g>"
end

-- the text options and size of a figure with axes (default W x H pixels)
local function axes_options(F, opts, W, H)
  return opt_num(F, opts, "width", W, 100, 20000), opt_num(F, opts, "height", H, 100, 20000),
    { title = opt_str(F, opts, "title"), xlabel = opt_str(F, opts, "xlabel"),
      ylabel = opt_str(F, opts, "ylabel") }
end

-- draw the frame and legend over the data, close the SVG and write it
local function finish_axes(F, path, buf, box, xa, ya, sx, sy, o, legend)
  draw_frame(buf, box, xa, ya, sx, sy, o)
  if legend then draw_legend(buf, box, legend) end
  buf[#buf + 1] = "</svg>"
  return finish(F, path, buf)
end

---------------------------------------------------------------- line

local LINE_OPTS = known { "title", "xlabel", "ylabel", "labels", "logy", "width",
                          "height", "x", "markers" }

-- the series of ys as Lua arrays: a vector is one series, a matrix with
-- several rows and columns one series per row, a table of vectors one series
-- per entry
local function series_list(F, ys)
  local list = {}
  if ml.ismatrix(ys) then
    if ys.rows == 1 or ys.cols == 1 then list[1] = vector(F, "ys", ys)
    else list = ys:totable() end
  elseif type(ys) == "table" and type(ys[1]) == "number" then
    list[1] = vector(F, "ys", ys)
  elseif type(ys) == "table" then
    for i = 1, #ys do list[i] = vector(F, "ys[" .. i .. "]", ys[i]) end
  else
    fail("%s: ys must be a matrix, a table of numbers or a table of series, got %s", F, what(ys))
  end
  if #list == 0 then fail("%s: ys is empty (nothing to plot)", F) end
  for i, s in ipairs(list) do
    if #s == 0 then fail("%s: series %d of ys is empty (nothing to plot)", F, i) end
  end
  return list
end

-- path data for the points i0..i1 of (px, py), one run without gaps. When
-- there are more than 4 points per pixel column, each column keeps its first,
-- lowest, highest and last point: the drawing is the same, the file small.
local function run_path(d, px, py, i0, i1, width)
  d[#d + 1] = "M" .. c(px[i0]) .. " " .. c(py[i0])
  if i1 - i0 <= 4 * width then
    for i = i0 + 1, i1 do d[#d + 1] = "L" .. c(px[i]) .. " " .. c(py[i]) end
    return
  end
  local i = i0 + 1
  while i <= i1 do
    local col, first, lo, hi, last = floor(px[i]), i, i, i, i
    while i <= i1 and floor(px[i]) == col do
      if py[i] < py[lo] then lo = i end
      if py[i] > py[hi] then hi = i end
      last = i
      i = i + 1
    end
    local keep = { first, lo, hi, last }
    table.sort(keep)
    local prev
    for _, k in ipairs(keep) do
      if k ~= prev then d[#d + 1] = "L" .. c(px[k]) .. " " .. c(py[k]) end
      prev = k
    end
  end
end

-- Line plot: ys is one series (a 1 x n or n x 1 matrix or a table of
-- numbers), several (a table of such vectors, or a matrix with one series per
-- row, e.g. ml.vstack{h1, h2}). x values are 1..n, or opts.x. Options: title,
-- xlabel, ylabel, labels (legend names, one per series), logy (log y axis;
-- values <= 0 are skipped like NaN), markers (a dot on every point), width,
-- height (pixels, default 640 x 400).
function plot.line(path, ys, opts)
  local F = "plot.line"
  check_path(F, path)
  opts = options(F, opts, LINE_OPTS)
  local series = series_list(F, ys)
  local W, H, o = axes_options(F, opts, 640, 400)
  local labels = names(F, "opts.labels", opts.labels)
  if labels and #labels > #series then
    fail("%s: opts.labels has %d names for %d series", F, #labels, #series)
  end
  local logy = opts.logy and true or false
  local n = 0
  for _, s in ipairs(series) do n = max(n, #s) end
  local xs = opts.x and vector(F, "opts.x", opts.x)
  if xs and #xs < n then
    fail("%s: opts.x has %d values, but a series has %d", F, #xs, n)
  end
  local function ok(x, y) return finite(x) and finite(y) and (y > 0 or not logy) end

  local xlo, xhi, ylo, yhi = HUGE, -HUGE, HUGE, -HUGE
  for _, s in ipairs(series) do
    for i = 1, #s do
      local x, y = xs and xs[i] or i, s[i]
      if ok(x, y) then
        xlo, xhi, ylo, yhi = min(xlo, x), max(xhi, x), min(ylo, y), max(yhi, y)
      end
    end
  end
  if ylo == HUGE then
    fail("%s: nothing to plot: every value is NaN or infinite%s", F,
      logy and " or <= 0 (a log axis cannot show those)" or "")
  end

  local xa = linear_axis(xlo, xhi, W - 120, 90, true)
  local ya = logy and log_axis(ylo, yhi, H - 80) or linear_axis(ylo, yhi, H - 80, 60, true)
  local legend
  if labels then
    legend = {}
    for k = 1, #labels do legend[k] = { labels[k], colour(k), "line" } end
  end
  local box, sx, sy = layout(F, W, H, o, xa, ya, legend)
  local buf = figure(W, H, o.title)
  draw_grid(buf, box, xa, ya, sx, sy)

  for k, s in ipairs(series) do
    local px, py, d, dots = {}, {}, {}, {}
    local i = 1
    while i <= #s do
      while i <= #s and not ok(xs and xs[i] or i, s[i]) do i = i + 1 end
      local i0 = i
      while i <= #s and ok(xs and xs[i] or i, s[i]) do
        px[i], py[i] = sx(xs and xs[i] or i), sy(s[i])
        i = i + 1
      end
      if i > i0 then
        run_path(d, px, py, i0, i - 1, box.x1 - box.x0)
        if opts.markers or i - 1 == i0 then
          for j = i0, i - 1 do dots[#dots + 1] = fmt('<circle cx="%s" cy="%s" r="3"/>', c(px[j]), c(py[j])) end
        end
      end
    end
    buf[#buf + 1] = fmt('<path class="series" d="%s" fill="none" stroke="%s" stroke-width="2" '
      .. 'stroke-linejoin="round" stroke-linecap="round"/>', concat(d), colour(k))
    if #dots > 0 then
      buf[#buf + 1] = fmt('<g class="markers" fill="%s">%s</g>', colour(k), concat(dots))
    end
  end
  return finish_axes(F, path, buf, box, xa, ya, sx, sy, o, legend)
end

---------------------------------------------------------------- scatter

local SCATTER_OPTS = known { "title", "xlabel", "ylabel", "labels", "predict", "grid",
                             "width", "height", "radius", "line", "line_label" }

-- class labels y (a vector of n values 0, 1, 2, ...) as a Lua array
local function class_labels(F, y, n)
  local t = vector(F, "y", y)
  if #t ~= n then
    fail("%s: y has %d labels for %d points%s", F, #t, n,
      ml.ismatrix(y) and fmt(" (y is %dx%d)", y.rows, y.cols) or "")
  end
  for i = 1, n do
    local v = t[i]
    if v ~= floor(v) or v < 0 or v > 1000 then
      fail("%s: y[%d] is %s; class labels are 0, 1, 2, ...", F, i, num(v))
    end
  end
  return t
end

-- segments where the field f (rows of numbers on a grid) crosses `level`, by
-- marching squares with linear interpolation, appended to d as path data;
-- tx(u), ty(v) map 0-based grid positions (column u, row v) to pixels.
-- A saddle is split by the value at the centre of its square.
local function contour(d, f, level, tx, ty)
  local function seg(x1, y1, x2, y2)
    d[#d + 1] = "M" .. c(tx(x1)) .. " " .. c(ty(y1)) .. "L" .. c(tx(x2)) .. " " .. c(ty(y2))
  end
  for i = 1, #f - 1 do
    local r0, r1, v0 = f[i], f[i + 1], i - 1
    for j = 1, #r0 - 1 do
      local a, b = r0[j] - level, r0[j + 1] - level           -- top left, top right
      local cc, dd = r1[j + 1] - level, r1[j] - level         -- bottom right, bottom left
      local pa, pb, pc, pd = a > 0, b > 0, cc > 0, dd > 0
      if not (pa == pb and pb == pc and pc == pd) then
        local u0 = j - 1
        local p = {}                                          -- crossings: top, right, bottom, left
        if pa ~= pb then p[#p + 1] = { u0 + a / (a - b), v0 } end
        if pb ~= pc then p[#p + 1] = { u0 + 1, v0 + b / (b - cc) } end
        if pc ~= pd then p[#p + 1] = { u0 + dd / (dd - cc), v0 + 1 } end
        if pd ~= pa then p[#p + 1] = { u0, v0 + a / (a - dd) } end
        if #p == 2 then
          seg(p[1][1], p[1][2], p[2][1], p[2][2])
        elseif (a + b + cc + dd > 0) == pa then               -- saddle, centre on a's side
          seg(p[1][1], p[1][2], p[2][1], p[2][2])
          seg(p[3][1], p[3][2], p[4][1], p[4][2])
        else
          seg(p[4][1], p[4][2], p[1][1], p[1][2])
          seg(p[2][1], p[2][2], p[3][1], p[3][2])
        end
      end
    end
  end
end

-- The decision regions of predict over the plot box: one call on a grid of
-- gw x gh cell centres (a (gw*gh) x 2 matrix, built with matrix operations),
-- drawn as pale class colours (rows of equal cells merged into one
-- rectangle) and the boundary as a dark line. predict returns class labels
-- 0, 1, ... or probabilities of class 1 (shaded by confidence) as an N x 1 or
-- 1 x N matrix, or N x k class probabilities (the most probable class wins).
-- Returns the number of classes seen.
local BINS = 10
local function draw_regions(F, buf, predict, gw, gh, xa, ya, box)
  local dx, dy = (xa.hi - xa.lo) / gw, (ya.hi - ya.lo) / gh
  local gx = ml.linspace(xa.lo + dx / 2, xa.hi - dx / 2, gw)            -- 1 x gw
  local gy = ml.linspace(ya.hi - dy / 2, ya.lo + dy / 2, gh):T()        -- gh x 1, top row first
  local N = gw * gh
  local grid = ml.hstack { (gx + ml.zeros(gh, 1)):reshape(N, 1), (gy + ml.zeros(1, gw)):reshape(N, 1) }
  local P = predict(grid)
  if not ml.ismatrix(P) then
    fail("%s: opts.predict must return a matrix, got %s", F, what(P))
  end
  if P.rows == N and P.cols > 1 then P = P:argmax(2) - 1 end
  if P:size() ~= N or (P.rows ~= 1 and P.cols ~= 1) then
    fail("%s: opts.predict returned a %dx%d matrix for a %dx2 grid (expected %dx1)", F, P.rows, P.cols, N, N)
  end
  P = P:reshape(gh, gw)                                                 -- row 1 is the top of the plot
  if P:isnan():any() ~= 0 or P:isinf():any() ~= 0 then
    fail("%s: opts.predict returned NaN or infinite values (has the model diverged?)", F)
  end
  local labels = P:floor():eq(P):all() ~= 0
  local lo, hi = P:min(), P:max()
  if lo < 0 or (labels and hi > 1000) or (not labels and hi > 1) then
    fail("%s: opts.predict must return class labels 0, 1, 2, ... or probabilities in [0, 1], "
      .. "got values from %s to %s", F, num(lo), num(hi))
  end
  -- the fill of each level: a class colour, paler where a probability is unsure
  local Q, fill = P, {}
  if labels then
    for k = 0, hi do fill[k] = tint(colour(k + 1), 0.3) end
  else
    Q = (P * BINS):floor():clip(0, BINS - 1)
    for k = 0, BINS - 1 do
      local p = (k + 0.5) / BINS
      fill[k] = tint(colour(p < 0.5 and 1 or 2), 0.06 + 0.34 * abs(2 * p - 1))
    end
  end
  local q, runs = Q:totable(), {}
  for i, row in ipairs(q) do
    local j = 1
    while j <= gw do
      local v, j0 = row[j], j
      repeat j = j + 1 until j > gw or row[j] ~= v
      local r = runs[v] or {}
      runs[v] = r
      r[#r + 1] = fmt("M%d %dh%dv1h-%dz", j0 - 1, i - 1, j - j0, j - j0)
    end
  end
  buf[#buf + 1] = fmt('<g class="regions" transform="translate(%d %d) scale(%s %s)" shape-rendering="crispEdges">',
    box.x0, box.y0, num((box.x1 - box.x0) / gw, 8), num((box.y1 - box.y0) / gh, 8))
  for k = 0, #fill do
    if runs[k] then buf[#buf + 1] = fmt('<path fill="%s" d="%s"/>', fill[k], concat(runs[k])) end
  end
  buf[#buf + 1] = "</g>"
  -- the boundary: where the probability crosses 0.5, or each class's edge
  local d = {}
  local function tx(u) return box.x0 + (u + 0.5) * (box.x1 - box.x0) / gw end
  local function ty(v) return box.y0 + (v + 0.5) * (box.y1 - box.y0) / gh end
  if not labels or hi <= 1 then
    contour(d, P:totable(), 0.5, tx, ty)
  else
    for k = 0, hi do contour(d, P:eq(k):totable(), 0.5, tx, ty) end
  end
  if #d > 0 then
    buf[#buf + 1] = fmt('<path class="boundary" d="%s" fill="none" stroke="#222222" stroke-width="1.5" '
      .. 'stroke-opacity="0.8" stroke-linecap="round"/>', concat(d))
  end
  return labels and hi + 1 or 2
end

-- Scatter plot of the points X (n x 2), coloured by class y (labels 0, 1,
-- 2, ... in an n x 1 or 1 x n matrix or a table; nil: one colour). Options:
-- predict (a function from an N x 2 matrix to predictions, see draw_regions:
-- draws the decision regions and boundary behind the points), grid (cells
-- per side for predict, default 100, or {columns, rows}), labels (class
-- names, labels[1] for class 0), line (an m x 2 matrix of points joined
-- in order by a line over the dots: a fitted line or curve) and
-- line_label (its legend name, default "line"), title, xlabel, ylabel,
-- radius (of the dots), width, height (pixels, default 600 x 480).
function plot.scatter(path, X, y, opts)
  local F = "plot.scatter"
  check_path(F, path)
  opts = options(F, opts, SCATTER_OPTS)
  if not ml.ismatrix(X) then fail("%s: X must be an n x 2 matrix of points, got %s", F, what(X)) end
  if X.cols ~= 2 or X.rows == 0 then
    fail("%s: X must be an n x 2 matrix of points, got %dx%d", F, X.rows, X.cols)
  end
  local n = X.rows
  local cls = y ~= nil and class_labels(F, y, n) or nil
  local W, H, o = axes_options(F, opts, 600, 480)
  local r = opt_num(F, opts, "radius", n <= 300 and 4 or n <= 2000 and 3 or 2, 0.1, 100)
  local predict = opts.predict
  if predict ~= nil and type(predict) ~= "function" then
    fail("%s: opts.predict must be a function, got %s", F, what(predict))
  end
  local gw, gh
  if type(opts.grid) == "table" then
    gw = opt_num(F, { grid = opts.grid[1] }, "grid", nil, 2, 2000, true)
    gh = opt_num(F, { grid = opts.grid[2] }, "grid", nil, 2, 2000, true)
    if not (gw and gh) then fail("%s: opts.grid must be a number or {columns, rows}", F) end
  else
    gw = opt_num(F, opts, "grid", 100, 2, 2000, true)
    gh = gw
  end

  local line = opts.line
  if line ~= nil and not (ml.ismatrix(line) and line.cols == 2 and line.rows >= 2) then
    fail("%s: opts.line must be an m x 2 matrix of points (m >= 2), got %s", F,
      ml.ismatrix(line) and fmt("%dx%d", line.rows, line.cols) or what(line))
  end
  local line_label = opt_str(F, opts, "line_label") or "line"

  local pts = X:totable()
  local lpts = line and line:totable() or {}
  local xlo, xhi, ylo, yhi = HUGE, -HUGE, HUGE, -HUGE
  for _, set in ipairs { pts, lpts } do
    for i = 1, #set do
      local p = set[i]
      if finite(p[1]) and finite(p[2]) then
        xlo, xhi, ylo, yhi = min(xlo, p[1]), max(xhi, p[1]), min(ylo, p[2]), max(yhi, p[2])
      end
    end
  end
  if xlo == HUGE then fail("%s: nothing to plot: every point has a NaN or infinite coordinate", F) end
  local px, py = (xhi - xlo) * 0.05, (yhi - ylo) * 0.05
  local xa = linear_axis(xlo - px, xhi + px, W - 200, 80, false)
  local ya = linear_axis(ylo - py, yhi + py, H - 80, 60, false)

  local k = 0
  if cls then for i = 1, n do k = max(k, cls[i] + 1) end end
  local labels = names(F, "opts.labels", opts.labels)
  -- the legend needs the class count, which predict may raise: lay out
  -- for the classes of y and the named classes
  local legend
  if cls or labels then
    legend = {}
    for j = 1, max(k, labels and #labels or 0) do
      legend[j] = { labels and labels[j] or ("class " .. (j - 1)), colour(j), "dot" }
    end
  end
  if line then
    legend = legend or {}
    legend[#legend + 1] = { line_label, "#222222", "line" }
  end
  local box, sx, sy = layout(F, W, H, o, xa, ya, legend)
  local buf = figure(W, H, o.title)
  if predict then draw_regions(F, buf, predict, gw, gh, xa, ya, box) end
  draw_grid(buf, box, xa, ya, sx, sy)

  local groups = {}
  for i = 1, n do
    local p = pts[i]
    if finite(p[1]) and finite(p[2]) then
      local g = cls and cls[i] + 1 or 0
      groups[g] = groups[g] or {}
      local t = groups[g]
      t[#t + 1] = fmt('<circle cx="%s" cy="%s" r="%s"/>', c(sx(p[1])), c(sy(p[2])), num(r))
    end
  end
  for g = 0, k do
    if groups[g] then
      buf[#buf + 1] = fmt('<g class="points" fill="%s" stroke="#ffffff" stroke-width="0.7">',
        g == 0 and "#333333" or colour(g))
      buf[#buf + 1] = concat(groups[g], "\n")
      buf[#buf + 1] = "</g>"
    end
  end
  if line then  -- broken where a point is not finite
    local d, pen = {}, "M"
    for i = 1, #lpts do
      local p = lpts[i]
      if finite(p[1]) and finite(p[2]) then
        d[#d + 1] = fmt("%s%s %s", pen, c(sx(p[1])), c(sy(p[2])))
        pen = "L"
      else
        pen = "M"
      end
    end
    buf[#buf + 1] = fmt('<path class="fit" d="%s" fill="none" stroke="#222222" stroke-width="2" '
      .. 'stroke-linejoin="round"/>', concat(d, " "))
  end
  return finish_axes(F, path, buf, box, xa, ya, sx, sy, o, legend)
end

---------------------------------------------------------------- image

local IMAGE_OPTS = known { "title", "cols", "labels", "shape", "range", "scale", "invert" }

-- the number of images in pixels and their height and width:
-- opts.shape {h, w} given: each row of h*w values is an image (or the matrix
-- is one h x w image); otherwise a square matrix is one image, a matrix
-- whose columns are a square number s*s holds one s x s image per row
-- (a 1 x 784 row is one 28 x 28 digit), any other matrix is one image.
local function image_shape(F, P, shape)
  local R, C = P.rows, P.cols
  if shape ~= nil then
    if type(shape) ~= "table" then fail("%s: opts.shape must be {height, width}, got %s", F, what(shape)) end
    local h = opt_num(F, { shape = shape[1] }, "shape", nil, 1, 1e6, true)
    local w = opt_num(F, { shape = shape[2] }, "shape", nil, 1, 1e6, true)
    if not (h and w) then fail("%s: opts.shape must be {height, width}", F) end
    if C == h * w then return R, h, w end
    if R == h and C == w then return 1, h, w end
    fail("%s: opts.shape {%d, %d} needs %d columns (one image per row) or a %dx%d matrix, got %dx%d",
      F, h, w, h * w, h, w, R, C)
  end
  if R == C then return 1, R, C end
  local s = floor(math.sqrt(C) + 0.5)
  if s * s == C then return R, s, s end
  return 1, R, C
end

-- the smallest and largest finite values of matrix P
local function finite_range(F, P)
  if P:isnan():any() == 0 and P:isinf():any() == 0 then return P:min(), P:max() end
  local lo, hi = HUGE, -HUGE
  for _, row in ipairs(P:totable()) do
    for _, v in ipairs(row) do
      if finite(v) then lo, hi = min(lo, v), max(hi, v) end
    end
  end
  if lo == HUGE then fail("%s: nothing to plot: every pixel is NaN or infinite", F) end
  return lo, hi
end

-- Grey-scale images: one (a 1 x (h*w) row or an h x w matrix) or a grid of
-- them (one image per row of an n x (h*w) matrix; see image_shape). Values
-- are scaled from the smallest to the largest finite value of all images
-- (or opts.range = {lo, hi}) to black..white (white..black with
-- opts.invert). Non-finite pixels are not drawn (they show the background,
-- the colour of the lowest value). Options: cols (images per row, default
-- up to 10), labels (a caption under each image, e.g. the digit labels),
-- shape = {h, w}, scale (screen pixels per image pixel), title.
function plot.image(path, pixels, opts)
  local F = "plot.image"
  check_path(F, path)
  opts = options(F, opts, IMAGE_OPTS)
  if not ml.ismatrix(pixels) then fail("%s: pixels must be a matrix, got %s", F, what(pixels)) end
  if pixels:size() == 0 then fail("%s: pixels is empty (a %dx%d matrix)", F, pixels.rows, pixels.cols) end
  local n, h, w = image_shape(F, pixels, opts.shape)
  local P = pixels:reshape(n, h * w)                                    -- one image per row
  local lo, hi
  if opts.range ~= nil then
    local rg = opts.range
    if type(rg) ~= "table" or type(rg[1]) ~= "number" or type(rg[2]) ~= "number" or not (rg[1] < rg[2]) then
      fail("%s: opts.range must be {lo, hi} with lo < hi", F)
    end
    lo, hi = rg[1], rg[2]
  else
    lo, hi = finite_range(F, P)
    if hi == lo then hi = lo + 1 end
  end
  -- grey levels 0..255; non-finite values become NaN (x + (x - x)) and stay so
  local Q = ((P + (P - P) - lo) * (255 / (hi - lo))):clip(0, 255):round()
  if opts.invert then Q = 255 - Q end
  local bg = opts.invert and 255 or 0
  local cols = opt_num(F, opts, "cols", min(n, 10), 1, 10000, true)
  local s = opt_num(F, opts, "scale", max(1, floor((n == 1 and 280 or 56) / max(h, w))), 0.01, 1000)
  local captions = names(F, "opts.labels", opts.labels)
  local title = opt_str(F, opts, "title")
  local gap, caph = 8, captions and 18 or 0
  local top = title and 34 or gap
  local nrow = ceil(n / cols)
  local cw, ch = w * s + gap, h * s + gap + caph
  local W = max(ceil(min(n, cols) * cw + gap), title and ceil(textw(title, 15) + 2 * gap) or 0)
  local buf = figure(W, ceil(top + nrow * ch), title)
  if title then
    buf[#buf + 1] = fmt('<text class="title" x="%s" y="22" text-anchor="middle" font-size="15" '
      .. 'font-weight="bold">%s</text>', c(W / 2), esc(title))
  end
  local x0 = (W - min(n, cols) * cw + gap) / 2                          -- centre the grid
  local bgfill = fmt("#%02x%02x%02x", bg, bg, bg)
  for k, row in ipairs(Q:totable()) do
    local gx = x0 + ((k - 1) % cols) * cw
    local gy = top + floor((k - 1) / cols) * ch
    buf[#buf + 1] = fmt('<g class="image" transform="translate(%s %s) scale(%s)" shape-rendering="crispEdges">',
      c(gx), c(gy), num(s, 8))
    buf[#buf + 1] = fmt('<rect width="%d" height="%d" fill="%s"/>', w, h, bgfill)
    local runs = {}                                                     -- grey level -> path data
    for i = 0, h - 1 do
      local j = 1
      while j <= w do
        local v, j0 = row[i * w + j], j
        repeat j = j + 1 until j > w or row[i * w + j] ~= v           -- NaN: a run of one
        if v == v and v ~= bg then
          runs[v] = runs[v] or {}
          local r = runs[v]
          r[#r + 1] = fmt("M%d %dh%dv1h-%dz", j0 - 1, i, j - j0, j - j0)
        end
      end
    end
    for v = 0, 255 do
      if runs[v] then buf[#buf + 1] = fmt('<path fill="#%02x%02x%02x" d="%s"/>', v, v, v, concat(runs[v])) end
    end
    buf[#buf + 1] = "</g>"
    if opts.invert then                                                 -- a white image needs an edge
      buf[#buf + 1] = fmt('<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#bbbbbb"/>',
        c(gx - 0.5), c(gy - 0.5), c(w * s + 1), c(h * s + 1))
    end
    if captions and captions[k] then
      buf[#buf + 1] = fmt('<text class="caption" x="%s" y="%s" text-anchor="middle">%s</text>',
        c(gx + w * s / 2), c(gy + h * s + 14), esc(captions[k]))
    end
  end
  buf[#buf + 1] = "</svg>"
  return finish(F, path, buf)
end

---------------------------------------------------------------- text

local TEXT_OPTS = known { "width", "height" }
local BLOCKS = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" }
-- braille dot bits: [row 0..3][column 0..1]
local DOTS = { { 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 } }

-- v in at most m buckets of consecutive values: the mean, smallest and
-- largest finite value of each (NaN for a bucket with none)
local function buckets(v, m)
  if #v <= m then return v, v, v end
  local mean, lo, hi = {}, {}, {}
  for k = 1, m do
    local s, cnt, a, b = 0, 0, HUGE, -HUGE
    for i = floor((k - 1) * #v / m) + 1, floor(k * #v / m) do
      local x = v[i]
      if finite(x) then s, cnt, a, b = s + x, cnt + 1, min(a, x), max(b, x) end
    end
    if cnt == 0 then s, a, b = 0 / 0, 0 / 0, 0 / 0 end
    mean[k], lo[k], hi[k] = s / cnt, a, b
  end
  return mean, lo, hi
end

-- the smallest and largest finite values of the array v (HUGE, -HUGE: none)
local function array_range(v)
  local lo, hi = HUGE, -HUGE
  for _, x in ipairs(v) do
    if finite(x) then lo, hi = min(lo, x), max(hi, x) end
  end
  return lo, hi
end

-- a sparkline of v (one character per value)
local function sparkline(v)
  local lo, hi = array_range(v)
  local out = {}
  for i, x in ipairs(v) do
    if not finite(x) then out[i] = " "
    elseif hi == lo then out[i] = BLOCKS[4]
    else out[i] = BLOCKS[floor((x - lo) / (hi - lo) * 7 + 0.5) + 1] end
  end
  return concat(out)
end

-- a braille chart of the buckets blo..bhi (2 x 4 dots per character,
-- `height` lines) over the value range lo..hi: each bucket is a vertical
-- run of dots in its column, extended to meet the previous bucket's run.
-- Returns the lines of dots.
local function braille(blo, bhi, lo, hi, height)
  local rows, cols = 4 * height, ceil(#blo / 2)
  local bits = {}
  for i = 1, height * cols do bits[i] = 0 end
  local function y_of(x)                                                -- 0 = top dot row
    return hi == lo and floor(rows / 2) or floor((hi - x) / (hi - lo) * (rows - 1) + 0.5)
  end
  local ptop, pbot
  for i = 1, #blo do
    if finite(blo[i]) then
      local top, bot = y_of(bhi[i]), y_of(blo[i])
      if pbot and pbot < top then top = pbot + 1 end                    -- previous run above
      if ptop and ptop > bot then bot = ptop - 1 end                    -- previous run below
      local x = i - 1
      for y = top, bot do
        local k = floor(y / 4) * cols + floor(x / 2) + 1
        bits[k] = bits[k] | DOTS[y % 4 + 1][x % 2 + 1]
      end
      ptop, pbot = y_of(bhi[i]), y_of(blo[i])
    else
      ptop, pbot = nil, nil
    end
  end
  local lines = {}
  for r = 1, height do
    local chars = {}
    for k = 1, cols do chars[k] = utf8.char(0x2800 + bits[(r - 1) * cols + k]) end
    lines[r] = concat(chars)
  end
  return lines
end

-- Text plot of a vector (a matrix or a table of numbers) for a terminal.
-- Height 1 (default): a sparkline, one of ▁▂▃▄▅▆▇█ per value from the
-- smallest to the largest (▄ for all when they are equal, a space for a
-- non-finite value). opts.height > 1: a braille line chart that many lines
-- high, the largest and smallest values labelled on the left and the first
-- and last positions below. opts.width: characters of plot (default: one per
-- value, or per two values for a chart, at most 60). Longer input is cut
-- into buckets of consecutive values: a sparkline shows their means, a
-- chart their whole range.
function plot.text(values, opts)
  local F = "plot.text"
  opts = options(F, opts, TEXT_OPTS)
  local v = vector(F, "values", values)
  local n = #v
  if n == 0 then fail("%s: values is empty (nothing to plot)", F) end
  local height = opt_num(F, opts, "height", 1, 1, 100, true)
  local per = height == 1 and 1 or 2                                    -- values per character
  local width = opt_num(F, opts, "width", min(ceil(n / per), 60), 1, 1000, true)
  local lo, hi = array_range(v)
  if lo == HUGE then fail("%s: nothing to plot: every value is NaN or infinite", F) end
  local mean, blo, bhi = buckets(v, width * per)
  if height == 1 then return sparkline(mean) end

  local top, bottom = num(hi), num(lo)
  local lw = max(#top, #bottom)
  local lines = braille(blo, bhi, lo, hi, height)
  for r = 1, height do
    local label = r == 1 and top or r == height and bottom or ""
    lines[r] = string.rep(" ", lw - #label) .. label .. ((r == 1 or r == height) and " ┤" or " │") .. lines[r]
  end
  local first, last = "1", tostring(n)
  lines[#lines + 1] = string.rep(" ", lw + 2) .. first
    .. string.rep(" ", max(1, ceil(#blo / 2) - #first - #last)) .. last
  return concat(lines, "\n")
end
