#!/usr/bin/python3
"""Reference values for luaml's models, optimisers and data preparation
(spec/09_optim_spec.lua, 10_models_spec.lua, 11_data_spec.lua).

Regenerate from the repository root with Debian's python (numpy 1.24,
scikit-learn 1.2):

    /usr/bin/python3 spec/ref/gen_models.py     # writes spec/ref/models_ref.lua

Two kinds of reference:
  * scikit-learn's fitted models on the bundled data (examples/data/uci):
    LinearRegression, Ridge, and LogisticRegression with solver newton-cg
    (lbfgs stops too early to be a 1e-7 reference).  luaml's l2 = lambda
    adds lambda/(2N) ||W||^2 to the mean loss, which is LogisticRegression
    with C = 1/lambda and Ridge with alpha = lambda.
  * numpy re-implementations of luaml's training loop (zero start, the same
    learning rate, epochs, mini-batches taken in order, gd / momentum /
    adam), whose cost histories and parameters luaml must match to 1e-9.
Every float is written with repr(), so Lua reads back numpy's double.
"""

import math
import os
import sys
import warnings

import numpy as np
from scipy.special import expit, logsumexp
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

# newton-cg warns that it cannot reach tol=1e-12; check_optimum below
# verifies that the gradient at its solution is at rounding level instead
warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
UCI = os.path.join(HERE, "..", "..", "examples", "data", "uci")


def load(name):
    """features, target (N x 1) of a bundled CSV (target in the last column)"""
    d = np.loadtxt(os.path.join(UCI, name), delimiter=",", skiprows=1)
    return d[:, :-1], d[:, -1:]


def std(X):
    """luaml's ml.standardize: population std, constant columns only centred"""
    s = X.std(axis=0)
    s[s == 0] = 1.0
    return (X - X.mean(axis=0)) / s


# ---------------------------------------------------------------- training


def batch_loss(kind, Xb, yb, W, b, K):
    """cost and gradient w.r.t. the scores of one batch"""
    n = Xb.shape[0]
    z = Xb @ W + b
    if kind == "logistic":
        return np.mean(np.logaddexp(0, z) - z * yb), (expit(z) - yb) / n
    if kind == "softmax":
        logp = z - logsumexp(z, axis=1, keepdims=True)
        T = np.eye(K)[yb.ravel().astype(int)]
        return -(T * logp).sum() / n, (np.exp(logp) - T) / n
    r = z - yb
    return (r * r).sum() / (2 * n), r / n


def train(kind, X, y, lr, epochs, l2=0.0, batch=None, opt="gd", beta=0.9,
          b1=0.9, b2=0.999, eps=1e-8, intercept=True):
    """luaml's Model:train with shuffle = false: cost history, W, b"""
    N, D = X.shape
    K = {"logistic": 1, "softmax": int(y.max()) + 1}.get(kind, y.shape[1])
    W, b = np.zeros((D, K)), np.zeros((1, K))
    params = [W, b] if intercept else [W]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    bs = min(batch or N, N)
    hist, t = [], 0
    for _ in range(epochs):
        total = 0.0
        for s in range(0, N, bs):
            Xb, yb = X[s:s + bs], y[s:s + bs]
            cost, G = batch_loss(kind, Xb, yb, W, b, K)
            dW = Xb.T @ G
            if l2:
                dW += l2 / N * W
                cost += l2 / (2 * N) * (W * W).sum()
            grads = [dW, G.sum(axis=0, keepdims=True)][:len(params)]
            total += cost * Xb.shape[0]
            t += 1
            for i, (p, g) in enumerate(zip(params, grads)):
                if opt == "gd":
                    p -= lr * g
                elif opt == "momentum":
                    v[i] = beta * v[i] + (1 - beta) * g
                    p -= lr * v[i]
                else:
                    m[i] = b1 * m[i] + (1 - b1) * g
                    v[i] = b2 * v[i] + (1 - b2) * g * g
                    p -= lr * (m[i] / (1 - b1 ** t)) / (np.sqrt(v[i] / (1 - b2 ** t)) + eps)
        hist.append(total / N)
    return {"cost_history": np.array([hist]), "W": W, "b": b}


def check_optimum(sk, Z, y, lam):
    """assert that sk's coefficients zero the gradient of luaml's cost"""
    K = sk.coef_.shape[0]
    kind = "logistic" if K == 1 else "softmax"
    N = Z.shape[0]
    _, G = batch_loss(kind, Z, y, sk.coef_.T, sk.intercept_.reshape(1, -1),
                      K if K > 1 else None)
    worst = max(np.abs(Z.T @ G + lam / N * sk.coef_.T).max(), np.abs(G.sum(axis=0)).max())
    assert worst < 1e-9, worst
    return sk


# ---------------------------------------------------------------- references

ref = {}

Xd, yd = load("diabetes.csv")
lin = LinearRegression().fit(Xd, yd)
ridge = Ridge(alpha=10.0).fit(Xd, yd)
noint = LinearRegression(fit_intercept=False).fit(Xd, yd)
ref["diabetes"] = {
    "r2": lin.score(Xd, yd), "W": lin.coef_.T, "b": lin.intercept_.reshape(1, 1),
    "ridge10_W": ridge.coef_.T, "ridge10_b": ridge.intercept_.reshape(1, 1),
    "ridge10_r2": ridge.score(Xd, yd),
    "noint_W": noint.coef_.T, "noint_r2": noint.score(Xd, yd),
}

Xb, yb = load("breast_cancer.csv")
Zb = std(Xb)
skb10 = check_optimum(LogisticRegression(C=0.1, tol=1e-12, max_iter=100000, solver="newton-cg")
                      .fit(Zb, yb.ravel()), Zb, yb, 10.0)
skb1 = check_optimum(LogisticRegression(C=1.0, tol=1e-12, max_iter=100000, solver="newton-cg")
                     .fit(Zb, yb.ravel()), Zb, yb, 1.0)
ref["breast_cancer"] = {
    "sk_l2_10_W": skb10.coef_.T, "sk_l2_10_b": skb10.intercept_.reshape(1, 1),
    "sk_l2_10_acc": skb10.score(Zb, yb.ravel()),
    "sk_l2_1_W": skb1.coef_.T, "sk_l2_1_b": skb1.intercept_.reshape(1, 1),
    "gd": train("logistic", Zb, yb, 0.1, 50, l2=0.5),
    "minibatch": train("logistic", Zb, yb, 0.05, 5, batch=100),
    "momentum": train("logistic", Zb, yb, 0.5, 20, opt="momentum", beta=0.8),
    "adam": train("logistic", Zb, yb, 0.01, 20, opt="adam", l2=2.0),
}

Xi, yi = load("iris.csv")
Zi = std(Xi)
ski = check_optimum(LogisticRegression(C=1.0, tol=1e-12, max_iter=100000, solver="newton-cg")
                    .fit(Zi, yi.ravel()), Zi, yi, 1.0)
ref["iris"] = {
    "sk_l2_1_W": ski.coef_.T, "sk_l2_1_b": ski.intercept_.reshape(1, -1),
    "sk_l2_1_acc": ski.score(Zi, yi.ravel()),
    "gd": train("softmax", Zi, yi, 0.2, 50, l2=0.3),
    "minibatch_adam": train("softmax", Zi, yi, 0.05, 10, batch=32, opt="adam"),
}

Zd = std(Xd)
ref["diabetes_gd"] = {
    "gd": train("linear", Zd, yd, 0.1, 100, l2=0.2),
    "noint": train("linear", Zd, yd, 0.1, 30, intercept=False),
    "momentum_minibatch": train("linear", Zd, yd, 0.05, 10, batch=50, opt="momentum"),
}

Xw, _ = load("wine.csv")
sc = StandardScaler().fit(Xw)
Xc = np.hstack([Xw[:6, :3], np.full((6, 1), 7.0)])   # a constant 4th column
ref["wine"] = {"mean": sc.mean_.reshape(1, -1), "std": sc.scale_.reshape(1, -1),
               "Z_first3": sc.transform(Xw)[:3],
               "const_X": Xc, "const_Z": StandardScaler().fit_transform(Xc)}

z = np.array([[-800.0], [-40.0], [-2.5], [0.0], [0.75], [3.0], [40.0], [800.0]])
t = np.array([[0.0], [1.0], [1.0], [0.0], [1.0], [0.0], [0.0], [1.0]])
ref["sigmoid_xent"] = {"z": z, "y": t, "loss": np.mean(np.logaddexp(0, z) - z * t),
                       "grad": (expit(z) - t) / z.size}


# ---------------------------------------------------------------- output


def fnum(x):
    x = float(x)
    if math.isnan(x):
        return "(0/0)"
    return repr(x) if not math.isinf(x) else ("math.huge" if x > 0 else "-math.huge")


def to_lua(v, pad=""):
    """a Lua literal: dicts as tables, 2-D arrays as tables of rows"""
    if isinstance(v, dict):
        items = ["%s  %s = %s" % (pad, k, to_lua(v[k], pad + "  ")) for k in v]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(v, np.ndarray):
        assert v.ndim == 2, v.shape
        return "{" + ", ".join("{" + ", ".join(fnum(x) for x in r) + "}" for r in v) + "}"
    return fnum(v)


path = os.path.join(HERE, "models_ref.lua")
text = ("-- Generated by spec/ref/gen_models.py with numpy %s, scikit-learn %s "
        "(do not edit by hand).\n-- Regenerate: /usr/bin/python3 spec/ref/gen_models.py\n"
        % (np.__version__, __import__("sklearn").__version__)) + "return " + to_lua(ref) + "\n"
with open(path, "w") as f:
    f.write(text)
sys.stderr.write("wrote %s (%d bytes)\n" % (path, len(text)))
