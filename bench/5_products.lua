-- Workload 5: matrix products: 2000x2000 by 2000x2000 (dgemm), and the two
-- matrix-vector products of a gradient-descent step on 8000x784 data:
-- X w, and X^T d through a transposed view (784x8000 by 8000x1).
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".")
local B = dofile(dir .. "/util.lua")

local A = B.grid(2000, 2000, 1, 0)
local Bm = B.grid(2000, 2000, 1, 0.5)
local X = B.grid(8000, 784, 1, 0)
local w = B.grid(784, 1, 1, 0)
local d = B.grid(8000, 1, 1, 0)
local R

B.time("dgemm_2000", 3, function() R = A:dot(Bm) end)
B.check("dgemm_2000", R:sum())
B.time("X_w", 50, function() R = X:dot(w) end)
B.check("X_w", R:sum())
B.time("XT_d", 50, function() R = X:T():dot(d) end)
B.check("XT_d", R:sum())
B.kernels()
