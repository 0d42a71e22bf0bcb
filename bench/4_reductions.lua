-- Workload 4: reductions of a 1000x10000 matrix, whole and along each axis
-- (axis 1 collapses rows, numpy's axis=0; axis 2 collapses columns).
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".")
local B = dofile(dir .. "/util.lua")

local Z = B.grid(1000, 10000, 4, 0)
local r

B.time("sum", 10, function() r = Z:sum() end)
B.check("sum", r)
B.time("sum_axis1", 10, function() r = Z:sum(1) end)
B.check("sum_axis1", r:sum())
B.time("sum_axis2", 10, function() r = Z:sum(2) end)
B.check("sum_axis2", r:sum())
B.time("mean_axis2", 10, function() r = Z:mean(2) end)
B.check("mean_axis2", r:sum())
B.time("max_axis1", 10, function() r = Z:max(1) end)
B.check("max_axis1", r:sum())
B.time("max_axis2", 10, function() r = Z:max(2) end)
B.check("max_axis2", r:sum())
B.time("argmax_axis2", 10, function() r = Z:argmax(2) end)
B.check("argmax_axis2", r:sum() - Z.rows)  -- 0-based positions, as numpy's
