-- Workload 6: the cost of one operation on small (10x10) matrices, as in a
-- loop over samples: 10^5 additions, 10^5 products, 10^5 sigmoids.
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".")
local B = dofile(dir .. "/util.lua")

local a = B.grid(10, 10, 1, 0)
local b = B.grid(10, 10, 1, 0.5)
local n = 100000
local r

B.time("add", 1, function() for _ = 1, n do r = a + b end end)
B.check("add", r:sum())
B.time("dot", 1, function() for _ = 1, n do r = a:dot(b) end end)
B.check("dot", r:sum())
B.time("sigmoid", 1, function() for _ = 1, n do r = ml.sigmoid(a) end end)
B.check("sigmoid", r:sum())
