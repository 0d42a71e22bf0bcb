# util.py: helpers shared by the numpy side of the benchmarks (bench/*.py);
# the same protocol as util.lua (lines "t NAME SECONDS" and "c NAME VALUE").
import gzip
import struct
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


def measure(name, reps, fn, summary=np.sum):
    """bench() of R = fn(), then the checksum summary(R) of its result."""
    out = []

    def step():
        out[:] = [fn()]
    bench(name, reps, step)
    check(name, summary(out[0]))


def load_idx(path):
    """An IDX file (MNIST's format, gzip) as an array of its shape."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
