-- util.lua: helpers shared by the luaml side of the benchmarks (bench/*.lua).
-- A benchmark prints one line per measurement for bench/run.py to collect:
--   t NAME SECONDS   time of one repetition of NAME (the mean over reps)
--   c NAME VALUE     a checksum, compared with the numpy side's
local B = {}

-- the directory of the running script, to find the data and this file
B.dir = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."

-- run fn reps times after one warm-up call; print its mean time
function B.time(name, reps, fn)
  fn()
  local t0 = ml.clock()
  for _ = 1, reps do fn() end
  io.write(string.format("t %s %.9f\n", name, (ml.clock() - t0) / reps))
end

function B.check(name, v)
  io.write(string.format("c %s %.17g\n", name, v))
end

-- which loop computed each kind of skinny product this run, one line each,
-- and why (measured, cached, forced, default: see ml.kernels):
--   k PRODUCT|SIZE PATH(HOW)   e.g. "k X^TG|2^21..2^24 own(measured)"
--   kc PATH                    the cache of choices read and written
function B.kernels()
  local ks = ml.kernels()
  io.write(string.format("kc %s\n", ks.cache or "none"))
  for _, k in ipairs(ks) do
    if k.how ~= "not yet used" then
      io.write(string.format("k %s|%s %s(%s)\n", (k.product:gsub(" ", "")),
                             (k.size:gsub(" ", "")), k.path, k.how))
    end
  end
end

-- an r x c matrix with element k (0-based, row-major) = scale*sin(k+1) + shift:
-- the same numbers as util.py's grid, without depending on either RNG
function B.grid(r, c, scale, shift)
  local m = ml.arange(1, r * c):reshape(r, c)
  m:sin_()
  if scale ~= 1 then m:mul_(scale) end
  if shift ~= 0 then m:add_(shift) end
  return m
end

return B
