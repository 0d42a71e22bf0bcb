# Workload 5: matrix products (see 5_products.lua).
from util import grid, measure

A = grid(2000, 2000, 1, 0)
Bm = grid(2000, 2000, 1, 0.5)
X = grid(8000, 784, 1, 0)
w = grid(784, 1, 1, 0)
d = grid(8000, 1, 1, 0)
measure("dgemm_2000", 3, lambda: A.dot(Bm))
measure("X_w", 50, lambda: X.dot(w))
measure("XT_d", 50, lambda: X.T.dot(d))
