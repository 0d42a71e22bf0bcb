# Workload 1: logistic regression ("is it a zero?") on 8000 MNIST digits,
# full-batch gradient descent, 200 iterations, the whole script, written
# the way the course writes numpy.
import os

import numpy as np

from util import check, load_idx


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "examples", "data", "mnist")
X = load_idx(os.path.join(data, "train-images-idx3-ubyte.gz"))
X = X.reshape(X.shape[0], -1) / 255.0                         # (N, D)
labels = load_idx(os.path.join(data, "train-labels-idx1-ubyte.gz"))
Y = (labels == 0).astype(np.float64).reshape(-1, 1)          # (N, 1)
N, D = X.shape
w, b, lr = np.zeros((D, 1)), 0.0, 0.5
for i in range(200):
    A = sigmoid(X.dot(w) + b)                                 # (N, 1)
    cost = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dZ = A - Y
    dw = X.T.dot(dZ) / N
    db = np.sum(dZ) / N
    w -= lr * dw
    b -= lr * db
acc = np.mean(((X.dot(w) + b) > 0) == Y)
check("cost", cost)
check("accuracy", acc)
