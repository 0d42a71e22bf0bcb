# Workload 4: reductions (see 4_reductions.lua).
import numpy as np

from util import bench, check, grid

Z = grid(1000, 10000, 4, 0)
R = None


def run(name, fn, summary=np.sum):
    def step():
        global R
        R = fn()
    bench(name, 10, step)
    check(name, summary(R))


run("sum", lambda: Z.sum())
run("sum_axis1", lambda: Z.sum(axis=0))
run("sum_axis2", lambda: Z.sum(axis=1, keepdims=True))
run("mean_axis2", lambda: Z.mean(axis=1, keepdims=True))
run("max_axis1", lambda: Z.max(axis=0))
run("max_axis2", lambda: Z.max(axis=1, keepdims=True))
run("argmax_axis2", lambda: Z.argmax(axis=1))
