-- collectives.lua P DIR -- run by spec/shell/mpi.sh under mpirun -np P
-- (DIR: a writable folder): every rank checks each value of ml.mpi's
-- functions, the checks' results are combined over the ranks (min), and
-- rank 0 prints one TAP line per check ("ok"/"not ok", numbered from 1).
local ml = require "luaml"
local P = tonumber(arg[1])
local mpi = ml.mpi
local results = {}
local function check(cond, desc) results[#results + 1] = {cond and 1 or 0, desc} end
local function close(a, b)
  return a.rows == b.rows and a.cols == b.cols and (a.rows * a.cols == 0 or (a - b):abs():max() == 0)
end

local r, p = mpi.rank(), mpi.size()
check(p == P, "size() is the -np given")
check(r >= 0 and r < p and mpi.allreduce(2 ^ r) == 2 ^ p - 1,
      "rank() is 0..size-1, each rank once")

-- libmpi is loaded (without a launcher it is not: mpi.sh checks that)
local loaded = false
for line in io.lines("/proc/self/maps") do
  loaded = loaded or line:find("libmpi.so", 1, true) ~= nil
end
check(loaded, "libmpi is loaded under the launcher")

-- allreduce: sum, max and min of a matrix filled with rank + 1, in place
local m = ml.full(2, 3, r + 1)
check(mpi.allreduce(m) == m and close(m, ml.full(2, 3, p * (p + 1) / 2)), "allreduce sums in place")
local v = ml.matrix{{r, -r, r * r}}
mpi.allreduce(v, "max")
check(close(v, ml.matrix{{p - 1, 0, (p - 1) ^ 2}}), "allreduce max")
v = ml.matrix{{r, -r}}
mpi.allreduce(v, "min")
check(close(v, ml.matrix{{0, -(p - 1)}}), "allreduce min")
check(mpi.allreduce(r + 0.5) == p * p / 2 and mpi.allreduce(r, "max") == p - 1
      and mpi.allreduce(r, "min") == 0, "allreduce of numbers")
-- a view that is not contiguous (a column of a matrix) is reduced in place
local A = ml.full(3, 2, 1)
mpi.allreduce(A:slice(1, 3, 2, 2))
check(close(A, ml.matrix{{1, p}, {1, p}, {1, p}}), "allreduce of a strided view writes through")

-- bcast from the last rank, matrix and number; the default root is 0
local B = ml.full(2, 2, r)
check(mpi.bcast(B, p - 1) == B and close(B, ml.full(2, 2, p - 1)), "bcast a matrix from a root")
check(mpi.bcast(10 * r + 1, p - 1) == 10 * (p - 1) + 1, "bcast a number")
check(mpi.bcast(r + 7) == 7, "bcast's root is 0 by default")
local C = ml.full(2, 4, r)
mpi.bcast(C:T(), p - 1)
check(close(C, ml.full(2, 4, p - 1)), "bcast into a transposed view writes through")

-- shard(X, y): contiguous blocks in rank order, sizes differing by <= 1
for _, N in ipairs{10, 11, 3} do
  local X = ml.arange(1, N):reshape(N, 1)  -- 1..N
  local Xs, ys = mpi.shard(X, X * 2)
  local counts = ml.zeros(1, p)
  counts:set(1, r + 1, Xs.rows)
  mpi.allreduce(counts)
  local before = 0
  for k = 1, r do before = before + counts:get(1, k) end
  local want = Xs.rows == 0 and Xs
               or ml.arange(before + 1, before + Xs.rows):reshape(Xs.rows, 1)
  check(counts:sum() == N and counts:max() - counts:min() <= 1 and ys.rows == Xs.rows
        and counts:get(1, 1) == counts:max() and close(Xs, want) and close(ys, want * 2),
        ("shard of %d rows: blocks in rank order, sizes differ by at most one"):format(N))
end

-- average: rank r passes means over r + 1 samples; the result weighs them
local g1, g2 = ml.full(2, 2, r + 1), ml.full(1, 3, -(r + 1))
local cost, n = mpi.average({g1, g2}, 10 * r, r + 1)
local S, S2, Sc = 0, 0, 0
for k = 0, p - 1 do S, S2, Sc = S + (k + 1), S2 + (k + 1) ^ 2, Sc + (k + 1) * 10 * k end
check(n == S and math.abs(cost - Sc / S) < 1e-12 * Sc / S + 1e-300
      and (g1 - S2 / S):abs():max() < 1e-12 * S2 / S and (g2 + S2 / S):abs():max() < 1e-12 * S2 / S,
      "average weighs each rank's means by its samples")
local h = ml.full(1, 2, r == 0 and 0/0 or 5)
cost, n = mpi.average({h}, r == 0 and 0/0 or 1, r == 0 and 0 or 2)
check(p == 1 and n == 0 or (n == 2 * (p - 1) and close(h, ml.full(1, 2, 5)) and cost == 1),
      "average: a rank with no samples adds nothing")

-- misuse: the same error on every rank, and the ranks go on
local ok, err = pcall(mpi.allreduce, ml.ones(2, r + 1))
check(p == 1 and ok or (not ok and err:find("allreduce: the matrix has " .. 2 * (r + 1)
                                            .. " elements", 1, true)
                        and err:find("every rank must pass the same shape", 1, true)),
      "allreduce of different shapes: an error on every rank")
ok, err = pcall(mpi.bcast, 1, r)
check(p == 1 and ok or (not ok and err:find("bcast: the ranks pass different roots", 1, true)),
      "bcast from different roots: an error")
ok, err = pcall(mpi.bcast, 1, p)
check(not ok and err:find("root must be a rank from 0 to " .. (p - 1), 1, true), "bcast: root out of range")
ok, err = pcall(mpi.allreduce, ml.ones(2, 2), "prod")
check(not ok and err:find([[operation must be "sum", "max" or "min", got "prod"]], 1, true),
      "allreduce: unknown operation")
ok, err = pcall(mpi.allreduce, "x")
check(not ok and err:find("matrix or number expected, got string", 1, true), "allreduce: not a matrix")
ok, err = pcall(mpi.shard, ml.ones(4, 2), ml.ones(3, 1))
check(not ok and err:find("shard: argument #2 is 3x1 but argument #1 is 4x2", 1, true),
      "shard: arguments of different rows")
ok, err = pcall(mpi.average, {ml.ones(2, 2), "g"}, 1, 1)
check(not ok and err:find("average: grads[2] must be a matrix, got string", 1, true),
      "average: a list element that is not a matrix")
-- barrier: rank 0 writes a file late; after the barrier every rank sees it
local flag = arg[2] .. "/barrier"
if r == 0 then
  local t0 = os.clock()
  while os.clock() - t0 < 0.2 do end
  local f = assert(io.open(flag, "w"))
  f:close()
end
mpi.barrier()
local f = io.open(flag)
check(f ~= nil, "barrier: no rank passes it before rank 0 reaches it")
if f then f:close() end

-- the docs (lua/help.lua) cover ml.mpi and name only what exists here
local documented, missing, phantom = {}, {}, {}
for _, sec in ipairs(ml._docs()) do
  for _, d in ipairs(sec.docs) do
    for _, name in ipairs(d.names) do documented[name] = true end
  end
end
for k, f in pairs(mpi) do
  if type(f) == "function" and not documented["ml.mpi." .. k] then missing[#missing + 1] = k end
end
for name in pairs(documented) do
  local k = name:match("^ml%.mpi%.(.+)$")
  if k and type(mpi[k]) ~= "function" then phantom[#phantom + 1] = k end
end
check(#missing == 0 and #phantom == 0 and ml._helptext(mpi.shard):find("^ml%.mpi%.shard"),
      "help documents every ml.mpi function and nothing else under ml.mpi ("
      .. table.concat(missing, " ") .. "/" .. table.concat(phantom, " ") .. ")")

-- combine over the ranks: a check passes when it passed everywhere
local res = ml.zeros(1, #results)
for k, c in ipairs(results) do res:set(1, k, c[1]) end
mpi.allreduce(res, "min")
if r == 0 then
  for k, c in ipairs(results) do
    print(string.format("%s %d - %d ranks: %s", res:get(1, k) == 1 and "ok" or "not ok", k, p, c[2]))
  end
end
