# Workload 3: elementwise kernels (see 3_elementwise.lua), the course's way.
import numpy as np

from util import grid, measure


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


Z = grid(1000, 10000, 4, 0)
P = grid(1000, 10000, 1, 1.5)
C = grid(4000, 4000, 1, 1.5)
O = np.zeros((1000, 10000))
measure("copy_into", 10, lambda: np.copyto(O, Z) or O)
measure("copy", 10, lambda: Z.copy())
measure("sigmoid", 10, lambda: sigmoid(Z))
measure("exp", 10, lambda: np.exp(Z))
measure("log", 10, lambda: np.log(P))
measure("center", 10, lambda: Z - Z.mean(axis=0), np.linalg.norm)
measure("calories", 10, lambda: 100 * C / C.sum(axis=0))
