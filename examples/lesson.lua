-- lesson.lua: what the numbered examples share -- their command line, the
-- folder their plots go to, and headings.  Each example loads it with
--   local lesson = dofile(<the example's folder> .. "lesson.lua")
--   local run = lesson.start("Title")
--
-- Command line of every example:
--   luaml examples/NN_name.lua [--fast] [--out DIR] [other arguments]
--   --fast (or the environment variable LUAML_FAST=1): a quicker run with
--          fewer iterations, as the test suite uses;
--   --out DIR: where plots are written (default out/, created if missing);
--   --help (or -h): print the example's header comment and these options,
--          and exit without running it.
-- run.fast, run.outdir and run.args (the other arguments, in order) hold
-- the result.  Plots need ml.plot; without it they are skipped.
local ml = require "luaml"

local lesson = {}

-- The example's usage: its header comment (the comment lines it starts
-- with, read from arg[0]) and the shared options.
local function usage(title)
  local script = arg and arg[0] or "example.lua"
  print("usage: luaml " .. script .. " [--fast] [--out DIR] [--help]")
  print(title)
  local f = io.open(script, "r")
  if f then
    print()
    for line in f:lines() do
      if not line:match("^%-%-") then break end
      print((("  " .. line:gsub("^%-%- ?", "")):gsub("%s+$", "")))
    end
    f:close()
  end
  print()
  print("  --fast      a quicker run with fewer iterations (or LUAML_FAST=1)")
  print("  --out DIR   the folder the plots go to (default out/, made if missing)")
  print("  --help      this text")
end

-- Parse the global `arg`, make the output folder, print the title; returns
-- the run table described above.  --help prints the usage and exits.
function lesson.start(title)
  local run = {fast = os.getenv("LUAML_FAST") == "1", outdir = "out", args = {}}
  local i = 1
  while arg and arg[i] do
    local a = arg[i]
    if a == "--help" or a == "-h" then
      usage(title)
      os.exit(0)
    elseif a == "--fast" then
      run.fast = true
    elseif a == "--out" and arg[i + 1] then
      run.outdir = arg[i + 1]
      i = i + 1
    elseif a:match("^%-%-out=") then
      run.outdir = a:sub(7)
    else
      run.args[#run.args + 1] = a
    end
    i = i + 1
  end
  if not display then  -- in a notebook (the kernel's display) plots show inline
    os.execute(string.format("mkdir -p '%s'", (run.outdir:gsub("'", "'\\''"))))
  end

  -- the path of a file in the output folder
  function run.out(name) return run.outdir .. "/" .. name end

  -- ml.plot[kind](path, ...) when the plotting library is there; prints
  -- the path of the file written.  In a notebook (the kernel's display
  -- exists) the plot shows inline instead.
  function run.plot(kind, name, ...)
    if not ml.plot then return end
    if display then return display(ml.plot[kind](nil, ...)) end
    local path = ml.plot[kind](run.out(name), ...)
    print("  plot: " .. path)
  end

  print(string.rep("=", 72))
  print(title .. (run.fast and "   (fast mode)" or ""))
  print(string.rep("=", 72))
  return run
end

-- The folder with the course's cat pictures (train_catvnoncat.h5 and
-- test_catvnoncat.h5): the script's first argument, else the first usual
-- place that has them.  When there is none, says where to put them (for
-- the example `script`) and returns nil.
function lesson.catdir(run, script)
  local here = (arg and arg[0] or ""):match("^(.-)[^/]*$")
  local places = run.args[1] and {run.args[1]} or
                 {"examples/data/catvnoncat", here .. "data/catvnoncat", "../shared/data/catvnoncat"}
  for _, d in ipairs(places) do
    local f = io.open(d .. "/train_catvnoncat.h5", "rb")
    if f then f:close() return d end
  end
  print("The cat pictures are not " .. (run.args[1] and "in " .. run.args[1] or "here") ..
        ".  Put train_catvnoncat.h5 and test_catvnoncat.h5")
  print("(the course's files) in examples/data/catvnoncat/, or pass their folder:")
  print("  luaml examples/" .. script .. " path/to/catvnoncat")
end

-- a heading inside a lesson
function lesson.section(text)
  print()
  print("-- " .. text .. " " .. string.rep("-", math.max(0, 68 - #text)))
end

-- x with the fewest digits that read back as x, the way Python prints a
-- float (99.04306220095694, 70.0, 1e-05)
function lesson.num(x)
  if x ~= x or x == math.huge or x == -math.huge or x == 0 then
    return x == 0 and "0.0" or tostring(x)
  end
  local d = 1
  while d < 17 and tonumber(string.format("%." .. d .. "g", x)) ~= x do d = d + 1 end
  local mag = math.floor(math.log(math.abs(x), 10))
  if mag < -4 or mag >= 16 then return string.format("%." .. d .. "g", x) end
  local s = string.format("%." .. math.max(0, d - 1 - mag) .. "f", x)
  return s:find("%.") and s or s .. ".0"
end

return lesson
