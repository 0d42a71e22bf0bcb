# Workload 2: softmax regression, 10 classes, on 8000 MNIST digits,
# full-batch gradient descent, 100 iterations, the whole script, written
# the way the course writes numpy.
import os

import numpy as np

from util import check, load_idx


def softmax(a):
    expA = np.exp(a)
    return expA / expA.sum(axis=1, keepdims=True)


here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "examples", "data", "mnist")
X = load_idx(os.path.join(data, "train-images-idx3-ubyte.gz"))
X = X.reshape(X.shape[0], -1) / 255.0                         # (N, D)
labels = load_idx(os.path.join(data, "train-labels-idx1-ubyte.gz"))
N, D = X.shape
K = 10
T = np.zeros((N, K))
T[np.arange(N), labels] = 1                                   # (N, K)
W, b, lr = np.zeros((D, K)), np.zeros(K), 0.5
for i in range(100):
    P = softmax(X.dot(W) + b)                                 # (N, K)
    cost = -(T * np.log(P)).sum() / N
    G = P - T
    W -= lr * X.T.dot(G) / N
    b -= lr * G.sum(axis=0) / N
acc = np.mean(np.argmax(X.dot(W) + b, axis=1) == labels)
check("cost", cost)
check("accuracy", acc)
