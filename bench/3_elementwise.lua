-- Workload 3: elementwise kernels over large matrices: sigmoid, exp and log
-- of 1000x10000, subtracting the mean row (a broadcast), the course's
-- calories normalisation (divide by the column sums) at 4000x4000, and
-- plain copies of 1000x10000 as yardsticks: into an existing matrix (the
-- memory bandwidth) and into a new one (numpy: bandwidth plus the kernel's
-- zeroing of fresh pages, which its every new result pays; luaml: a freed
-- block of the same size from its cache, as for its every new result).
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".")
local B = dofile(dir .. "/util.lua")

local Z = B.grid(1000, 10000, 4, 0)      -- values in [-4, 4]
local P = B.grid(1000, 10000, 1, 1.5)    -- values in [0.5, 2.5]
local C = B.grid(4000, 4000, 1, 1.5)
local R

local O = ml.zeros(1000, 10000)
B.time("copy_into", 10, function() O:copy_(Z) end)
B.check("copy_into", O:sum())
B.time("copy", 10, function() R = Z:copy() end)
B.check("copy", R:sum())
B.time("sigmoid", 10, function() R = ml.sigmoid(Z) end)
B.check("sigmoid", R:sum())
B.time("exp", 10, function() R = Z:exp() end)
B.check("exp", R:sum())
B.time("log", 10, function() R = P:log() end)
B.check("log", R:sum())
B.time("center", 10, function() R = Z - Z:mean(1) end)
B.check("center", R:norm())
B.time("calories", 10, function() R = 100 * C / C:sum(1) end)
B.check("calories", R:sum())
