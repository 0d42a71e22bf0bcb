# Workload 6: operations on small (10x10) matrices (see 6_smallops.lua).
import numpy as np

from util import bench, check, grid


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


a = grid(10, 10, 1, 0)
b = grid(10, 10, 1, 0.5)
n = 100000
R = None


def loop(fn):
    def step():
        global R
        for _ in range(n):
            R = fn()
    return step


bench("add", 1, loop(lambda: a + b))
check("add", R.sum())
bench("dot", 1, loop(lambda: a.dot(b)))
check("dot", R.sum())
bench("sigmoid", 1, loop(lambda: sigmoid(a)))
check("sigmoid", R.sum())
