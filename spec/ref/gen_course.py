#!/usr/bin/python3
"""Inputs and reference curves for the course's weeks 3 and 4 (spec/30_course_spec.lua).

Run once from the repository root with Debian's interpreter (numpy 1.24, h5py):

    /usr/bin/python3 spec/ref/gen_course.py

It writes, under spec/fixtures/course/ (float64 .npy files that ml.load_npy reads):
  planar_X.npy, planar_y.npy    week 3's planar "flower" data, 400 x 2 and 400 x 1
                                (numpy's legacy generator seeded with 1)
  w3_W1.npy, w3_W2.npy          week 3's initial weights, 2-4-1 network
                                (seed 2, randn * 0.01, biases zero)
  w4a_W1.npy, w4a_W2.npy        week 4's two-layer 12288-7-1 network
                                (seed 1, randn * 0.01)
  w4b_W1.npy ... w4b_W4.npy     week 4's four-layer 12288-20-7-5-1 network
                                (seed 1, randn / sqrt(n_prev))
and spec/ref/course_ref.lua: the costs this script's own numpy training computes
every 100 (week 4) or 1000 (week 3) iterations, at full precision, with the
accuracies.  That training is written here from the definitions (forward pass,
mean cross-entropy, backward pass, gradient step, on D x N data as in the course),
as a check that the published curves follow from these inputs; the spec compares
luaml's curves with both the published digits and these values.

The cat pictures are read from ../shared/data/catvnoncat (or the folder given as
the first argument); they are not part of the repository.
"""
import os
import sys

import numpy as np
import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIX = os.path.join(ROOT, "spec", "fixtures", "course")
CATS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "data",
                                                          "catvnoncat")


def save(name, a):
    os.makedirs(FIX, exist_ok=True)
    np.save(os.path.join(FIX, name), np.ascontiguousarray(a, dtype=np.float64))


# ---- week 3: the planar data ------------------------------------------------
# Two classes of n/2 points each.  For class j, the angle runs evenly from
# 3.12 j to 3.12 (j + 1) plus N(0, 0.2^2) noise, the radius is 4 sin(4 angle)
# plus N(0, 0.2^2) noise, and the point is (r sin(angle), r cos(angle)).
# Draws per class: the n/2 angle noises, then the n/2 radius noises.
def flower(n):
    half = n // 2
    X = np.zeros((n, 2))
    y = np.zeros((n, 1))
    start = 0
    for j, size in enumerate((half, n - half)):
        t = np.linspace(3.12 * j, 3.12 * (j + 1), size) + np.random.randn(size) * 0.2
        r = 4 * np.sin(4 * t) + np.random.randn(size) * 0.2
        X[start:start + size, 0] = r * np.sin(t)
        X[start:start + size, 1] = r * np.cos(t)
        y[start:start + size, 0] = j
        start += size
    return X, y


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def xent(A, Y):
    m = Y.shape[1]
    return float(np.squeeze(-(Y @ np.log(A).T + (1 - Y) @ np.log(1 - A).T) / m))


# Full-batch gradient descent on D x N data X, 1 x N labels Y: hidden layers
# with `act` ("tanh" or "relu"), a sigmoid output, the mean cross-entropy.
# Returns the weights and the cost of every iteration (before its update).
def train(X, Y, Ws, act, lr, iters):
    Ws = [W.copy() for W in Ws]
    bs = [np.zeros((W.shape[0], 1)) for W in Ws]
    m = X.shape[1]
    costs = []
    for _ in range(iters):
        As = [X]
        for l, (W, b) in enumerate(zip(Ws, bs)):
            Z = W @ As[-1] + b
            last = l == len(Ws) - 1
            As.append(sigmoid(Z) if last else (np.tanh(Z) if act == "tanh" else np.maximum(Z, 0)))
        costs.append(xent(As[-1], Y))
        dZ = As[-1] - Y
        for l in range(len(Ws) - 1, -1, -1):
            dW = dZ @ As[l].T / m
            db = np.sum(dZ, axis=1, keepdims=True) / m
            if l > 0:
                dA = Ws[l].T @ dZ
                dZ = dA * (1 - As[l] ** 2) if act == "tanh" else dA * (As[l] > 0)
            Ws[l] -= lr * dW
            bs[l] -= lr * db
        del As
    return Ws, bs, costs


def predict(X, Ws, bs, act):
    A = X
    for l, (W, b) in enumerate(zip(Ws, bs)):
        Z = W @ A + b
        A = sigmoid(Z) if l == len(Ws) - 1 else (np.tanh(Z) if act == "tanh" else np.maximum(Z, 0))
    return (A > 0.5).astype(float)


def lua(x):
    return repr(float(x))


def main():
    out = ["-- course_ref.lua: written by spec/ref/gen_course.py (numpy %s); do not edit."
           % np.__version__, "return {"]

    np.random.seed(1)
    X, y = flower(400)
    save("planar_X.npy", X)
    save("planar_y.npy", y)
    np.random.seed(2)
    w3 = [np.random.randn(4, 2) * 0.01, np.random.randn(1, 4) * 0.01]
    save("w3_W1.npy", w3[0])
    save("w3_W2.npy", w3[1])
    Ws, bs, costs = train(X.T, y.T, w3, "tanh", 1.2, 10000)
    acc = float(np.mean(predict(X.T, Ws, bs, "tanh") == y.T))
    out.append("  week3 = {accuracy = %s, costs = {%s}}," %
               (lua(acc), ", ".join(lua(costs[i]) for i in range(0, 10000, 1000))))
    print("week 3:", ["%f" % costs[i] for i in range(0, 10000, 1000)], "accuracy", acc)

    with h5py.File(os.path.join(CATS, "train_catvnoncat.h5"), "r") as f:
        Xtr = np.array(f["train_set_x"]).reshape(209, -1).T / 255
        ytr = np.array(f["train_set_y"]).reshape(1, -1).astype(float)
    with h5py.File(os.path.join(CATS, "test_catvnoncat.h5"), "r") as f:
        Xte = np.array(f["test_set_x"]).reshape(50, -1).T / 255
        yte = np.array(f["test_set_y"]).reshape(1, -1).astype(float)

    np.random.seed(1)
    w4a = [np.random.randn(7, 12288) * 0.01, np.random.randn(1, 7) * 0.01]
    save("w4a_W1.npy", w4a[0])
    save("w4a_W2.npy", w4a[1])
    dims = [12288, 20, 7, 5, 1]
    np.random.seed(1)
    w4b = [np.random.randn(dims[l], dims[l - 1]) / np.sqrt(dims[l - 1]) for l in range(1, 5)]
    for l, W in enumerate(w4b):
        save("w4b_W%d.npy" % (l + 1), W)

    for name, w in (("week4_2layer", w4a), ("week4_4layer", w4b)):
        Ws, bs, costs = train(Xtr, ytr, w, "relu", 0.0075, 2500)
        tr = float(np.mean(predict(Xtr, Ws, bs, "relu") == ytr))
        te = float(np.mean(predict(Xte, Ws, bs, "relu") == yte))
        out.append("  %s = {train = %s, test = %s, costs = {%s}}," %
                   (name, lua(tr), lua(te), ", ".join(lua(costs[i]) for i in range(0, 2500, 100))))
        print(name, repr(costs[0]), repr(costs[2400]), "train", tr, "test", te)
    out.append("}")
    with open(os.path.join(HERE, "course_ref.lua"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
