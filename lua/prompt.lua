-- prompt.lua: the REPL's commands written in Lua, %timeit and %who.
-- The host (src/host.c) finds them in package.loaded["luaml.prompt"] and
-- calls them with the rest of the command line; they print their report.
local ml = ...
local M = {}

-- The globals every state starts with (the standard library, and ml and
-- help, which the host adds): %who lists the others.  Taken when the
-- library loads, before any user code has run.
local builtin = {ml = true, help = true, arg = true, _ = true,
                 _PROMPT = true, _PROMPT2 = true}
for k in pairs(_G) do builtin[k] = true end

-- seconds as IPython shows them: 3 significant digits, ns to s
local function duration(s)
  if s < 1e-6 then return string.format("%.3g ns", s * 1e9) end
  if s < 1e-3 then return string.format("%.3g us", s * 1e6) end
  if s < 1 then return string.format("%.3g ms", s * 1e3) end
  return string.format("%.3g s", s)
end

-- the chunk of code: an expression first (so that `m:sum()` is valid),
-- else statements; raises the syntax error
local function compile(code, who)
  local f = load("return " .. code, "=stdin", "t")
  if f then return f end
  local g, err = load(code, "=stdin", "t")
  if not g then error(who .. ": " .. err, 0) end
  return g
end

-- %timeit [-n calls] [-r runs] code: run code `calls` times per run, for
-- `runs` runs (default 7), and print the best and the median time per
-- call.  Without -n, calls is the first power of 10 that makes a run take
-- 0.2 s or more, as IPython chooses it.
function M.timeit(line)
  local usage = "%timeit: give code, as in %timeit A:dot(B) (options: -n calls, -r runs)"
  local calls, runs = nil, 7
  while true do
    local opt, v, rest = line:match("^%-([nr])%s*(%d+)%s*(.*)$")
    if not opt then break end
    if opt == "n" then calls = tonumber(v) else runs = tonumber(v) end
    line = rest
  end
  if line:match("^%s*$") or (calls and calls < 1) or runs < 1 then error(usage, 0) end
  local f, clock = compile(line, "%timeit"), ml.clock
  local function run(n)
    local t0 = clock()
    for _ = 1, n do f() end
    return clock() - t0
  end
  if not calls then
    calls = 1
    while run(calls) < 0.2 and calls < 1e9 do calls = calls * 10 end
  end
  local per = {}
  for i = 1, runs do per[i] = run(calls) / calls end
  table.sort(per)
  local median = runs % 2 == 1 and per[(runs + 1) // 2]
                 or (per[runs // 2] + per[runs // 2 + 1]) / 2
  print(string.format("%s best, %s median per call (%d run%s, %d call%s each)",
                      duration(per[1]), duration(median), runs, runs == 1 and "" or "s",
                      calls, calls == 1 and "" or "s"))
end

-- what %who says of a value: a matrix's shape, a model's class, a number
local function describe(v)
  if ml.ismatrix(v) then return string.format("matrix %dx%d", v.rows, v.cols) end
  local t = type(v)
  if t == "number" then return math.type(v) .. " " .. tostring(v) end
  if t == "string" then
    return string.format("string %q", #v > 40 and v:sub(1, 37) .. "..." or v)
  end
  if t == "table" then
    local mt = getmetatable(v)
    local name = type(mt) == "table" and rawget(mt, "name")
    if type(name) == "string" then return name end
    if type(rawget(v, "kind")) == "string" then return "optimizer " .. rawget(v, "kind") end
    local n = 0
    for _ in next, v do n = n + 1 end
    return string.format("table (%d entr%s)", n, n == 1 and "y" or "ies")
  end
  return t
end

-- %who: the globals the user made, sorted, each with its type and shape
-- (raw access only: no metamethod of _G runs).
function M.who(line)
  if not line:match("^%s*$") then error("%who takes no argument", 0) end
  local names = {}
  for k in next, _G do
    if type(k) == "string" and not builtin[k] then names[#names + 1] = k end
  end
  if #names == 0 then print("no globals of yours yet") return end
  table.sort(names)
  local width = 0
  for _, k in ipairs(names) do width = math.max(width, #k) end
  local out = {}
  for i, k in ipairs(names) do
    out[i] = string.format("%-" .. width .. "s  %s", k, describe(rawget(_G, k)))
  end
  print(table.concat(out, "\n"))
end

if package and package.loaded then package.loaded["luaml.prompt"] = M end
