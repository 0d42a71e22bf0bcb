-- notebook.lua: what the prompt and the Jupyter kernel share, in Lua --
-- top-level locals that persist from one chunk to the next, a cell's trailing
-- expression, rich displays (matrices as HTML tables, plots as SVG) and errors
-- shown as a notebook shows them.  Internal: require "luaml.notebook" (the
-- library registers it in package.preload: it is loaded on first use, not
-- at every start).
--
-- Persistent locals.  A chunk typed at the prompt or run in a cell is its own
-- function, so a plain `local x = 1` would be gone at the next line.  Before
-- compiling, the chunk's top-level `local` statements are rewritten into
-- assignments to the session's table of locals, and the chunk runs with that
-- table as its _ENV:
--   local x, y = 1, 2        ->  x, y = 1, 2        (x, y declared locals)
--   local function f() end   ->  function f() end
--   local a <const> = 3      ->  a = 3
--   local z                  ->  z = nil
-- Only the word `local` (and a `<const>` attribute) is blanked out and
-- ` = nil` appended, so line numbers in error messages do not move.  The
-- table's metatable reads missing names from _G (locals shadow globals, as
-- they would in one script) and sends writes of undeclared names to _G, so
-- `x = 1` still makes a global.  `local x <close>` is left a real local: it is
-- closed at the end of its chunk, as in a script.  Locals inside blocks and
-- functions are untouched.  What differs from one long script: a function
-- that used a top-level local sees the newest value of that name, also when
-- a later chunk declares it again (the slot is shared).
local ml = ...

local nb = {}

local fmt, concat = string.format, table.concat

---------------------------------------------------------------- the session

local session_env   -- the table of top-level locals, created on first use
local declared = {} -- names declared by a top-level `local`

local function env()
  if session_env == nil then
    session_env = setmetatable({}, {
      __index = _G,
      __newindex = function(t, k, v)
        if declared[k] then rawset(t, k, v) else _G[k] = v end
      end,
    })
  end
  return session_env
end
nb.env = env

-- The positions of the tokens of src that matter to the rewrite: names
-- (keywords included) and single characters, with strings, comments and
-- numbers skipped.  Returns a list of {text, start, stop}.
local function tokens(src)
  local out, i, n = {}, 1, #src
  while i <= n do
    local c = src:sub(i, i)
    if c:match("%s") then
      i = i + 1
    elseif src:sub(i, i + 1) == "--" then
      local eq = src:match("^%[(=*)%[", i + 2)
      if eq then
        local _, e = src:find("]" .. eq .. "]", i + 4 + #eq, true)
        i = (e or n) + 1
      else
        i = (src:find("\n", i, true) or n) + 1
      end
    elseif c == "[" and src:match("^%[=*%[", i) then
      local eq = src:match("^%[(=*)%[", i)
      local _, e = src:find("]" .. eq .. "]", i + 2 + #eq, true)
      i = (e or n) + 1
    elseif c == '"' or c == "'" then
      local j = i + 1
      while j <= n do
        local d = src:sub(j, j)
        if d == "\\" then j = j + 2
        elseif d == c or d == "\n" then break
        else j = j + 1 end
      end
      i = j + 1
    elseif c:match("[%a_]") then
      local s, e = src:find("^[%w_]+", i)
      out[#out + 1] = {src:sub(s, e), s, e}
      i = e + 1
    elseif c:match("%d") or (c == "." and src:match("^%.%d", i)) then
      local _, e = src:find("^[%w_%.]+", i)  -- 0x1p-3, 1e-5: the sign is
      i = e + 1                              -- a token of its own, harmless
    else
      out[#out + 1] = {c, i, i}
      i = i + 1
    end
  end
  return out
end

local OPEN = {["do"] = true, ["if"] = true, ["function"] = true, ["repeat"] = true}
local CLOSE = {["end"] = true, ["until"] = true}

-- src with its top-level locals rewritten (see above), and the list of the
-- names it declares
function nb.rewrite(src)
  local toks, edits, names = tokens(src), {}, {}
  local depth, k = 0, 1
  while k <= #toks do
    local t = toks[k][1]
    if OPEN[t] then depth = depth + 1
    elseif CLOSE[t] then depth = math.max(0, depth - 1)
    elseif t == "local" and depth == 0 then
      local nxt = toks[k + 1]
      if nxt and nxt[1] == "function" then
        if toks[k + 2] then
          edits[#edits + 1] = {toks[k][2], toks[k][3], ""}
          names[#names + 1] = toks[k + 2][1]
        end
      else
        -- NAME [<attr>] {, NAME [<attr>]}
        local j, list, attrs, close = k + 1, {}, {}, false
        while toks[j] and toks[j][1]:match("^[%a_]") do
          list[#list + 1] = toks[j][1]
          local last = toks[j]
          j = j + 1
          if toks[j] and toks[j][1] == "<" and toks[j + 1] and toks[j + 2]
             and toks[j + 2][1] == ">" then
            if toks[j + 1][1] == "close" then close = true end
            attrs[#attrs + 1] = {toks[j][2], toks[j + 2][3], ""}
            last = toks[j + 2]
            j = j + 3
          end
          if not (toks[j] and toks[j][1] == ",") then
            if #list > 0 and not close then
              edits[#edits + 1] = {toks[k][2], toks[k][3], ""}
              for _, a in ipairs(attrs) do edits[#edits + 1] = a end
              if not (toks[j] and toks[j][1] == "=") then
                edits[#edits + 1] = {last[3] + 1, last[3], " = nil"}
              end
              for _, nm in ipairs(list) do names[#names + 1] = nm end
            end
            break
          end
          j = j + 1
        end
        k = j - 1
      end
    end
    k = k + 1
  end
  -- apply the edits back to front; blanked text becomes spaces
  table.sort(edits, function(a, b) return a[1] > b[1] end)
  for _, e in ipairs(edits) do
    local s, stop, repl = e[1], e[2], e[3]
    if repl == "" then repl = string.rep(" ", stop - s + 1) end
    src = src:sub(1, s - 1) .. repl .. src:sub(stop + 1)
  end
  return src, names
end

-- Compile src (text) as a chunk of the session: its top-level locals
-- persist.  Returns the function, or nil and the message, like load.
function nb.load(src, chunkname)
  local code, names = nb.rewrite(src)
  local f, err = load(code, chunkname, "t", env())
  if f then
    for _, n in ipairs(names) do declared[n] = true end
  end
  return f, err
end

-- 1 when the syntax error message err says the chunk ended too early
local function incomplete(err)
  return err:sub(-5) == "<eof>"
end

-- The chunk of a cell: when its last lines are an expression, they become
-- `return <expression>` (the cell's result; a trailing ';' silences it).
-- Returns the function and quiet, or nil and the message.  The function
-- takes one argument, nb.pass (see the comment inside).
function nb.cell(src, chunkname)
  local body = src:gsub("%s+$", "")
  local quiet = body:sub(-1) == ";"
  if quiet then body = body:sub(1, -2) end
  local lines = {}
  for line in (body .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
  -- the shortest tail of lines that is an expression, after a prefix that
  -- compiles on its own
  for k = #lines, math.max(1, #lines - 30), -1 do
    if lines[k]:match("%S") then
      local head = concat(lines, "\n", 1, k - 1)
      local tail = concat(lines, "\n", k)
      if load("return " .. tail, "=tail", "t", {}) and
         (k == 1 or load(head, "=head", "t", {})) then
        -- `return (...)(tail)` and not `return tail`: a call there would be
        -- a tail call, which leaves its function out of tracebacks
        local f = nb.load((k > 1 and head .. "\n" or "") .. "return (...)(" .. tail .. "\n)",
                          chunkname)
        if f then return f, quiet end
      end
    end
  end
  local f, err = nb.load(src, chunkname)
  if not f then return nil, err end
  return f, true
end

-- the argument of a cell's function: its values, unchanged
function nb.pass(...) return ... end

-- "complete", "incomplete" or "invalid" for a cell (Jupyter's is_complete)
function nb.is_complete(src)
  if src:match("^%s*$") then return "complete" end
  local f, err = load(src, "=cell", "t", {})
  if f then return "complete" end
  if incomplete(err) then return "incomplete" end
  f, err = load("return " .. src, "=cell", "t", {})
  if f then return "complete" end
  return incomplete(err) and "incomplete" or "invalid"
end

---------------------------------------------------------------- displays

local function esc(s)
  return (tostring(s):gsub("[&<>\"]", {["&"] = "&amp;", ["<"] = "&lt;",
                                       [">"] = "&gt;", ['"'] = "&quot;"}))
end

-- a matrix as an HTML table: the cells of its text form (same format, same
-- elision with ...), under its shape
local function matrix_html(m)
  local text = tostring(m)
  local head, rest = text:match("^([^\n]*)\n?(.*)$")
  local lines, width = {}, 0
  for line in rest:gmatch("[^\n]+") do
    local cells = {}
    for v in line:gmatch("%S+") do cells[#cells + 1] = "<td>" .. esc(v) .. "</td>" end
    lines[#lines + 1] = cells
    width = math.max(width, #cells)
  end
  local rows = {}
  for i, cells in ipairs(lines) do
    if #cells == 1 and width > 1 then  -- the row of ... between elided rows
      for j = 2, width do cells[j] = cells[1] end
    end
    rows[i] = "<tr>" .. concat(cells) .. "</tr>"
  end
  return fmt('<div class="luaml-matrix"><small>%s</small>' ..
             '<table style="font-family: monospace; text-align: right">%s</table></div>',
             esc(head), concat(rows))
end

-- a model (a table whose class has a name) as an HTML summary: its kind,
-- its settings and its state
local function model_html(x)
  local mt = getmetatable(x)
  local keys = {}
  for k, v in pairs(x) do
    if type(k) == "string" and type(v) ~= "function" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  local rows = {}
  for _, k in ipairs(keys) do
    local v = x[k]
    local s = ml.ismatrix(v) and fmt("matrix %dx%d", v.rows, v.cols) or
              type(v) == "table" and "{...}" or tostring(v)
    rows[#rows + 1] = fmt("<tr><th style=\"text-align: left\">%s</th><td>%s</td></tr>",
                          esc(k), esc(s))
  end
  return fmt("<div><b>%s</b><table>%s</table></div>", esc(rawget(mt, "name")), concat(rows))
end

-- The MIME bundle of a value: a table of MIME type -> text.  Matrices add
-- text/html, plots image/svg+xml, models an HTML summary; text/plain is what
-- the prompt prints.
function nb.bundle(v, text)
  local b = {["text/plain"] = text}
  if ml.ismatrix(v) then
    b["text/html"] = matrix_html(v)
  elseif ml.plot and ml.plot.isplot and ml.plot.isplot(v) then
    -- without the XML declaration, as Jupyter keeps SVG (an HTML page
    -- that inlines it could not parse it)
    b["image/svg+xml"] = (v.svg:gsub("^<%?xml[^>]*%?>%s*", ""))
    b["text/plain"] = fmt("<%s plot>", v.kind)
  elseif type(v) == "table" and type(getmetatable(v)) == "table" and
         type(rawget(getmetatable(v), "name")) == "string" then
    b["text/html"] = model_html(v)
  end
  return b
end

---------------------------------------------------------------- errors

-- Split a message with its traceback (luaml_pcall's) into the message and
-- the frames of the user's code: the kernel's own frames and the C
-- boundary are left out.  Returns the message and a list of lines.
function nb.error(msg)
  msg = tostring(msg)
  local text, tb = msg:match("^(.-)\nstack traceback:\n(.*)$")
  if not text then return msg, {msg} end
  local lines = {text, "stack traceback:"}
  for line in tb:gmatch("[^\n]+") do
    if not line:find("[C]: in ?", 1, true) and not line:find("in function 'error'", 1, true) then
      lines[#lines + 1] = line
    end
  end
  return text, lines
end

---------------------------------------------------------------- the printer

-- The prompt's printer: the text of values, separated by tabs (newlines
-- when one spans lines).  Tables without __tostring/__name show their
-- contents (raw access, at most 10 items, two levels); strings inside tables
-- are quoted; everything else is tostring.
local show
local function order(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end
local function key(k)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") then return k end
  return "[" .. show(k, 1) .. "]"
end
function show(v, depth)
  local t = type(v)
  if t == "string" then return depth > 0 and fmt("%q", v) or v end
  if depth > 0 and ml.ismatrix(v) then
    return fmt("matrix %dx%d", v.rows, v.cols)
  end
  local mt = getmetatable(v)
  if t ~= "table" or (type(mt) == "table" and
     (rawget(mt, "__tostring") or rawget(mt, "__name"))) then
    return tostring(v)
  end
  if depth >= 2 then return "{...}" end
  local parts, n = {}, rawlen(v)
  for i = 1, math.min(n, 10) do parts[i] = show(rawget(v, i), depth + 1) end
  local keys = {}
  for k in next, v do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then
      keys[#keys + 1] = k
    end
  end
  table.sort(keys, order)
  for _, k in ipairs(keys) do
    if #parts >= 10 then break end
    parts[#parts + 1] = key(k) .. " = " .. show(rawget(v, k), depth + 1)
  end
  if n + #keys > #parts then parts[#parts + 1] = "..." end
  return "{" .. concat(parts, ", ") .. "}"
end

function nb.show(...)
  local out, sep = {}, "\t"
  for i = 1, select("#", ...) do
    out[i] = show((select(i, ...)), 0)
    if out[i]:find("\n") then sep = "\n" end
  end
  return concat(out, sep)
end

-- The MIME bundle of a cell's results: rich for one value, the printer's
-- text for several.
function nb.result(...)
  if select("#", ...) == 1 then return nb.bundle((...), nb.show(...)) end
  return {["text/plain"] = nb.show(...)}
end

---------------------------------------------------------------- the kernel

-- The kernel's display(...): shows each value now, below the cell, with
-- send(bundle) (the kernel's display_data).
function nb.displayer(send)
  return function(...)
    for i = 1, select("#", ...) do
      local v = (select(i, ...))
      send(nb.bundle(v, nb.show(v)))
    end
  end
end

-- the text io.write writes for its arguments (numbers as io.write formats
-- them)
local function wtext(F, ...)
  local t = {}
  for i = 1, select("#", ...) do
    local v = (select(i, ...))
    if math.type(v) == "integer" then t[i] = fmt("%d", v)
    elseif type(v) == "number" then t[i] = fmt("%.14g", v)
    elseif type(v) == "string" then t[i] = v
    else error(fmt("bad argument #%d to '%s' (string expected, got %s)", i, F, type(v)), 3) end
  end
  return concat(t)
end

-- io.read's formats on lines got from input(): "l" (default), "L", "n",
-- "a" and a byte count read one line each
local function readfmt(input, ...)
  local n = select("#", ...)
  local out = {}
  for i = 1, math.max(n, 1) do
    local f = n == 0 and "l" or (select(i, ...))
    local line = input("")
    if type(f) == "string" then f = f:gsub("^%*", ""):sub(1, 1) end
    if f == "n" then out[i] = tonumber(line)
    elseif f == "L" then out[i] = line .. "\n"
    elseif math.type(f) == "integer" then out[i] = line:sub(1, f)
    else out[i] = line end
  end
  return table.unpack(out, 1, math.max(n, 1))
end

-- Send what the cell writes to standard output and error to the notebook
-- (send(name, text): a stream message) and read standard input from it
-- (input(prompt): an input request): print, io.write, io.read and the
-- methods of io.stdout, io.stderr and io.stdin.  Other files are untouched.
function nb.redirect(send, input)
  local stdout, stderr, stdin = io.stdout, io.stderr, io.stdin
  local write, read = io.write, io.read
  print = function(...)
    local t = {}
    for i = 1, select("#", ...) do t[i] = tostring((select(i, ...))) end
    send("stdout", concat(t, "\t") .. "\n")
  end
  io.write = function(...)
    if io.output() ~= stdout then return write(...) end
    send("stdout", wtext("write", ...))
    return stdout
  end
  io.read = function(...)
    if io.input() ~= stdin then return read(...) end
    return readfmt(input, ...)
  end
  local methods = getmetatable(stdout).__index
  local fwrite, fread = methods.write, methods.read
  methods.write = function(f, ...)
    if f == stdout or f == stderr then
      send(f == stdout and "stdout" or "stderr", wtext("write", ...))
      return f
    end
    return fwrite(f, ...)
  end
  methods.read = function(f, ...)
    if f == stdin then return readfmt(input, ...) end
    return fread(f, ...)
  end
end

-- the byte position in s of the character at 0-based code point cursor
local function bytepos(s, cursor)
  return utf8.offset(s, cursor + 1) or #s + 1
end

-- Jupyter's complete: the completions (complete(word), the prompt's) of the
-- word that ends at cursor (code points, 0-based); returns the matches and
-- the code points where the replaced word starts and ends.
function nb.complete(code, cursor, complete)
  local stop = bytepos(code, cursor)
  local start = stop
  while start > 1 and code:sub(start - 1, start - 1):match("[%w_%.:]") do
    start = start - 1
  end
  local word = code:sub(start, stop - 1)
  local matches = complete(word)
  table.sort(matches)
  return matches, utf8.len(code:sub(1, start - 1)) or cursor, cursor
end

-- Jupyter's inspect: the help text (ml.help's) of the name around cursor,
-- or nil
function nb.inspect(code, cursor)
  local pos = bytepos(code, cursor)
  local start, stop = pos, pos
  while start > 1 and code:sub(start - 1, start - 1):match("[%w_%.:]") do start = start - 1 end
  while stop <= #code and code:sub(stop, stop):match("[%w_]") do stop = stop + 1 end
  local word = code:sub(start, stop - 1):gsub("[%.:]+$", "")
  if word == "" or not ml._helptext then return nil end
  local v, first = nil, true  -- the value, by raw access (no user code runs)
  for part in word:gmatch("[^.:]+") do
    if first then
      v = rawget(env(), part)
      if v == nil then v = rawget(_G, part) end
      first = false
    elseif type(v) == "table" then v = rawget(v, part)
    else v = nil break end
  end
  local text = ml._helptext(word)
  if text:find("^no help for") and v ~= nil then text = ml._helptext(v) end
  if text:find("^no help for") then return nil end
  return text
end

return nb
