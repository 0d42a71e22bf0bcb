# Workload 7g: the 784-128-10 ReLU network of 7_grad.lua, trained by SGD on
# mini-batches of 64 for 2 epochs over 8000 MNIST digits, written by hand
# in numpy as the course writes it (its time stands for both luaml
# measures: "hand" and "grad" are each compared with it).
import os
import sys
import time

import numpy as np

from util import check, grid, load_idx

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "examples", "data", "mnist")
X = load_idx(os.path.join(data, "train-images-idx3-ubyte.gz"))
X = X.reshape(X.shape[0], -1) / 255.0                          # (N, 784)
labels = load_idx(os.path.join(data, "train-labels-idx1-ubyte.gz")).reshape(-1)
N = X.shape[0]
BATCH, EPOCHS, LR = 64, 2, 0.1


def train():
    W1, b1 = grid(128, 784, 0.05, 0), np.zeros(128)
    W2, b2 = grid(10, 128, 0.1, 0), np.zeros(10)
    loss = None
    for _ in range(EPOCHS):
        for s in range(0, N, BATCH):
            Xb, yb = X[s:s + BATCH], labels[s:s + BATCH]
            n = Xb.shape[0]
            Z1 = Xb.dot(W1.T) + b1                             # (n, 128)
            H = np.maximum(Z1, 0)
            Z2 = H.dot(W2.T) + b2                              # (n, 10)
            Z2 = Z2 - Z2.max(axis=1, keepdims=True)
            E = np.exp(Z2)
            P = E / E.sum(axis=1, keepdims=True)
            loss = -np.log(P[np.arange(n), yb]).mean()
            G2 = P
            G2[np.arange(n), yb] -= 1
            G2 /= n                                            # dloss/dZ2
            dH = G2.dot(W2) * (Z1 > 0)                         # (n, 128)
            W2 -= LR * G2.T.dot(H)
            b2 -= LR * G2.sum(axis=0)
            W1 -= LR * dH.T.dot(Xb)
            b1 -= LR * dH.sum(axis=0)
    return loss


# 5 runs, the median (as the luaml side measures)
times, loss = [], None
for _ in range(5):
    t0 = time.perf_counter()
    loss = train()
    times.append(time.perf_counter() - t0)
t = sorted(times)[2]
for name in ("hand", "grad"):
    sys.stdout.write("t %s %.9f\n" % (name, t))
    check(name, loss)
