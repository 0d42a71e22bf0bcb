# Workload 4: reductions (see 4_reductions.lua).
from util import grid, measure

Z = grid(1000, 10000, 4, 0)
measure("sum", 10, lambda: Z.sum())
measure("sum_axis1", 10, lambda: Z.sum(axis=0))
measure("sum_axis2", 10, lambda: Z.sum(axis=1, keepdims=True))
measure("mean_axis2", 10, lambda: Z.mean(axis=1, keepdims=True))
measure("max_axis1", 10, lambda: Z.max(axis=0))
measure("max_axis2", 10, lambda: Z.max(axis=1, keepdims=True))
measure("argmax_axis2", 10, lambda: Z.argmax(axis=1))
