# util.py: helpers shared by the numpy side of the benchmarks (bench/*.py);
# the same protocol as util.lua (lines "t NAME SECONDS" and "c NAME VALUE").
import sys
import time

import numpy as np


def bench(name, reps, fn):
    """Run fn reps times after one warm-up call; print its mean time."""
    fn()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    sys.stdout.write("t %s %.9f\n" % (name, (time.perf_counter() - t0) / reps))


def check(name, v):
    sys.stdout.write("c %s %.17g\n" % (name, v))


def grid(r, c, scale, shift):
    """r x c array with element k (row-major) = scale*sin(k+1) + shift."""
    m = np.sin(np.arange(1, r * c + 1, dtype=np.float64)).reshape(r, c)
    if scale != 1:
        m *= scale
    if shift != 0:
        m += shift
    return m
