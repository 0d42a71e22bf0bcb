-- doctest.lua: run every example of the docs (lua/help.lua) through the
-- REPL and compare what it prints with what the doc shows.
--   build/luaml tools/doctest.lua            TAP, one line per doc
--   build/luaml tools/doctest.lua --update   rewrite lua/help.lua's
--                                            outputs with what the REPL prints
-- Run from the repository root (examples read files under examples/).
-- The REPL is the luaml running this script (arg[-1]), fed one session
-- through a pipe (-i, with empty prompts: only what the lines print): a
-- marker line before each example line splits its output.
local update = arg[1] == "--update"
local luaml = arg[-1]
local MARK = "\1doctest"

-- the docs with examples: {name, d, lines = {{code =, expected = {...}}}}
local cases = {}
for _, s in ipairs(ml._docs()) do
  for _, d in ipairs(s.docs) do
    if d.example then
      local c = {name = d.names[1], doc = d, lines = {}}
      for line in (d.example .. "\n"):gmatch("(.-)\n") do
        if line:sub(1, 2) == "> " then
          c.lines[#c.lines + 1] = {code = line:sub(3), expected = {}}
        else
          local e = c.lines[#c.lines].expected
          e[#e + 1] = line
        end
      end
      cases[#cases + 1] = c
    end
  end
end

-- one session: a marker line, then the example line, for each line
local input = {}
for i, c in ipairs(cases) do
  for j, l in ipairs(c.lines) do
    input[#input + 1] = string.format("print(%q)", MARK .. " " .. i .. " " .. j)
    input[#input + 1] = l.code
  end
end
local tmp = os.tmpname()
local f = assert(io.open(tmp, "w"))
f:write(table.concat(input, "\n"), "\n")
f:close()
local p = assert(io.popen(string.format("%q -e \"_PROMPT='' _PROMPT2=''\" -i < %q 2>&1",
                                         luaml, tmp)))
local output = p:read("a")
p:close()
os.remove(tmp)

-- what each example line printed
local cur
for line in output:gmatch("(.-)\n") do
  local i, j = line:match("^" .. MARK .. " (%d+) (%d+)$")
  if i then
    cur = cases[tonumber(i)].lines[tonumber(j)]
    cur.actual = {}
  elseif cur then
    cur.actual[#cur.actual + 1] = line
  end
end

-- the example text with the actual outputs
local function transcript(c)
  local out = {}
  for _, l in ipairs(c.lines) do
    out[#out + 1] = "> " .. l.code
    for _, a in ipairs(l.actual or {}) do out[#out + 1] = a end
  end
  return table.concat(out, "\n")
end

if update then
  local path = "lua/help.lua"
  local fh = assert(io.open(path))
  local text = fh:read("a")
  fh:close()
  local changed = 0
  for _, c in ipairs(cases) do
    local new = transcript(c)
    if new ~= c.doc.example then
      local a, b = text:find(c.doc.example, 1, true)
      assert(a, "example of " .. c.name .. " not found in " .. path)
      text = text:sub(1, a - 1) .. new .. text:sub(b + 1)
      changed = changed + 1
    end
  end
  fh = assert(io.open(path, "w"))
  fh:write(text)
  fh:close()
  print(changed .. " examples updated in " .. path)
  return
end

local failed = 0
for i, c in ipairs(cases) do
  local bad
  for _, l in ipairs(c.lines) do
    if table.concat(l.actual or {"(no output: the session stopped)"}, "\n")
        ~= table.concat(l.expected, "\n") then
      bad = l
      break
    end
  end
  print(string.format("%sok %d - the example of %s prints what its doc shows",
                      bad and "not " or "", i, c.name))
  if bad then
    failed = failed + 1
    print("# > " .. bad.code)
    print("# expected:\n#   " .. table.concat(bad.expected, "\n#   "))
    print("# got:\n#   " .. table.concat(bad.actual or {}, "\n#   "))
  end
end
print("1.." .. #cases)
os.exit(failed == 0)
