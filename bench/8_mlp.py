# Workload 8: a multi-layer perceptron, 784-128-10 (ReLU, softmax
# cross-entropy), on 8000 MNIST digits: mini-batches of 64 in a fixed order,
# plain SGD at lr 0.1, 5 epochs; numpy written by hand, as the course writes
# its networks (forward, cost, backward, update).  util's grid starts it.
import os
import time

import numpy as np

from util import check, grid, load_idx

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "examples", "data", "mnist")
X = load_idx(os.path.join(data, "train-images-idx3-ubyte.gz"))
X = X.reshape(X.shape[0], -1) / 255.0                          # (N, 784)
labels = load_idx(os.path.join(data, "train-labels-idx1-ubyte.gz")).astype(np.int64)
N = X.shape[0]
W1, b1 = grid(128, 784, 0.05, 0), np.zeros(128)
W2, b2 = grid(10, 128, 0.1, 0), np.zeros(10)
lr, bs, epochs = 0.1, 64, 5

t0 = time.perf_counter()
costs = []
for e in range(epochs):
    total = 0.0
    for s in range(0, N, bs):
        Xb, yb = X[s:s + bs], labels[s:s + bs]
        n = Xb.shape[0]
        Z1 = Xb @ W1.T + b1                                   # (n, 128)
        A1 = np.maximum(Z1, 0)
        Z2 = A1 @ W2.T + b2                                   # (n, 10)
        Z2 = Z2 - Z2.max(axis=1, keepdims=True)
        P = np.exp(Z2)
        P /= P.sum(axis=1, keepdims=True)
        total += -np.log(P[np.arange(n), yb]).sum()
        dZ2 = P
        dZ2[np.arange(n), yb] -= 1
        dZ2 /= n
        dW2 = dZ2.T @ A1
        db2 = dZ2.sum(axis=0)
        dZ1 = (dZ2 @ W2) * (Z1 > 0)
        dW1 = dZ1.T @ Xb
        db1 = dZ1.sum(axis=0)
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
    costs.append(total / N)
seconds = time.perf_counter() - t0
print("t train %.9f" % seconds)
print("t step %.9f" % (seconds / (epochs * -(-N // bs))))
check("cost_epoch_1", costs[0])
check("cost_epoch_5", costs[-1])
Z = np.maximum(X @ W1.T + b1, 0) @ W2.T + b2
check("accuracy", np.mean(np.argmax(Z, axis=1) == labels))
