#!/usr/bin/python3
"""Reference values for luaml's busted specs, computed with numpy / scipy /
scikit-learn.

Regenerate (from the repository root) with Debian's python, which has numpy
1.24, scipy and scikit-learn 1.2 (the `python3` first on some PATHs is another
interpreter without numpy):

    /usr/bin/python3 spec/ref/gen_ref.py          # writes spec/ref/numpy_ref.lua

The output is deterministic: every input is a literal below (never numpy's
RNG, which luaml does not share), and every float is written with repr(),
the shortest string that round-trips, so Lua reads back exactly the double
numpy computed.  NaN is written (0/0), infinities math.huge / -math.huge.

Conventions of the written table (see spec/helpers.lua):
  * a matrix is a table of rows: {{1, 2}, {3, 4}}; numpy 1-D results are
    written as 1 x n rows unless said otherwise;
  * luaml's axis 1 is numpy's axis=0 (result 1 x c) and luaml's axis 2 is
    numpy's axis=1 with keepdims (result r x 1);
  * argmax/argmin are 1-based (numpy index + 1); with no axis, the flat
    row-major position + 1.
"""

import math
import os
import sys
import warnings

import numpy as np
import scipy.special
from sklearn.metrics import r2_score

np.seterr(all="ignore")
# var/std with ddof=1 over one element is NaN, as numpy says: keep it quiet
warnings.simplefilter("ignore", RuntimeWarning)


def arr(x):
    return np.array(x, dtype=np.float64)


# ---------------------------------------------------------------- output


def fnum(x):
    x = float(x)
    if math.isnan(x):
        return "(0/0)"
    if math.isinf(x):
        return "math.huge" if x > 0 else "-math.huge"
    return repr(x)


IDENT_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789")
LUA_KEYWORDS = {"and", "break", "do", "else", "elseif", "end", "false", "for",
                "function", "goto", "if", "in", "local", "nil", "not", "or",
                "repeat", "return", "then", "true", "until", "while"}


def lkey(k):
    if isinstance(k, int):
        return "[%d]" % k
    if (k and set(k) <= IDENT_OK and not k[0].isdigit()
            and k not in LUA_KEYWORDS):
        return k
    return "[%s]" % lstr(k)


def lstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_lua(v, ind=0):
    pad = "  " * ind
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return "%d" % int(v)
    if isinstance(v, (float, np.floating)):
        return fnum(v)
    if isinstance(v, str):
        return lstr(v)
    if isinstance(v, np.ndarray):
        if v.ndim == 0:
            return fnum(v)
        if v.ndim == 1:
            v = v.reshape(1, -1)
        assert v.ndim == 2 and v.size > 0, v.shape
        isint = np.issubdtype(v.dtype, np.integer)
        rows = []
        for r in v:
            cells = ["%d" % int(x) if isint else fnum(x) for x in r]
            rows.append("{" + ", ".join(cells) + "}")
        return "{" + ", ".join(rows) + "}"
    if isinstance(v, (list, tuple)):
        return "{" + ", ".join(to_lua(x, ind + 1) for x in v) + "}"
    if isinstance(v, dict):
        items = []
        for k in v:  # insertion order: deterministic
            items.append("%s  %s = %s" % (pad, lkey(k), to_lua(v[k], ind + 1)))
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    raise TypeError(type(v))


# ---------------------------------------------------------------- inputs

I = {}
# signed operands for + - * / % comparisons maximum minimum
# (no zeros in any operand, so each may be a divisor)
I["A"] = arr([[1.5, -2.0, 3.25, 4.0], [0.5, 6.0, -7.5, 8.0], [9.0, -1.25, 2.0, 0.75]])
I["B"] = arr([[2.0, 3.0, -0.5, 4.0], [-1.5, 6.0, 2.5, -3.0], [4.5, 0.25, -2.0, 1.75]])
I["R"] = arr([[2.0, -3.0, 0.5, 4.0]])          # 1 x 4 row
I["C"] = arr([[1.5], [-2.5], [3.0]])           # 3 x 1 column
I["S"] = arr([[-1.75]])                        # 1 x 1
I["s"] = 2.5                                   # Lua number
I["t"] = 2.0                                   # Lua number for comparisons (A holds 2.0)
# positive operands for ^ (fractional powers of negatives would be NaN)
I["P"] = arr([[1.5, 2.0, 0.5, 4.0], [0.25, 3.0, 1.25, 2.5], [9.0, 0.75, 2.0, 1.0]])
I["Q"] = arr([[2.0, 1.0, 0.5, 3.0], [1.5, 0.5, 2.0, 0.0], [0.5, 4.0, 1.25, 7.0]])
I["Rp"] = arr([[0.5, 2.0, 1.5, 3.0]])
I["Cp"] = arr([[2.0], [0.5], [1.5]])
I["Sp"] = arr([[1.25]])
I["sp"] = 1.5
# elementwise function inputs
I["X"] = arr([[-3.5, -1.0, -0.25, 0.0], [0.25, 0.5, 1.0, 2.5], [3.0, 7.25, -20.0, 20.0]])
I["Xp"] = arr([[0.25, 0.5, 1.0, 2.0], [3.0, 7.25, 10.0, 1e-08], [100.0, 1e10, 0.001, 42.0]])
I["Xsmall"] = arr([[1e-10, -1e-10, 1e-300, -0.5]])
I["Xr"] = arr([[-2.5, -1.5, -0.5, 0.5], [1.5, 2.5, 3.5, 0.49999999999999994],
               [-3.7, 2.675, 4503599627370495.5, -0.0]])
I["Xext"] = arr([[-1000.0, -40.0, 0.0, 40.0, 1000.0]])
I["Xedge"] = arr([[0.0, -1.0, 1000.0, -1000.0]])
# reductions (ties: 9.0 twice in column 2, 4.0 twice in row 1)
I["M"] = arr([[3.0, -1.0, 4.0, 4.0], [-5.0, 9.0, 2.0, 6.0], [5.0, 9.0, -2.0, 0.5]])
I["Mrow"] = arr([[2.0, -7.0, 3.5, 1.0, 8.0]])
I["Mcol"] = arr([[2.0], [-7.0], [3.5], [1.0], [8.0]])
# products
I["D1"] = arr([[1.0, 2.0, -1.0, 0.5], [3.0, -2.0, 4.0, 1.0], [0.0, 1.5, 2.0, -3.0]])  # 3x4
I["D2"] = arr([[2.0, -1.0], [0.5, 3.0], [-4.0, 1.0], [1.0, 2.5]])                      # 4x2
I["D3"] = arr([[1.0, -2.0, 0.5], [2.0, 1.0, -1.5], [0.0, 3.0, 2.0], [-1.0, 0.5, 1.0]])  # 4x3
I["D4"] = arr([[0.5, 1.0, -2.0, 3.0], [2.0, -1.0, 0.0, 1.5]])                          # 2x4
I["v4"] = arr([[1.0], [-2.0], [0.5], [3.0]])      # 4 x 1
I["u3"] = arr([[2.0, -1.0, 0.5]])                  # 1 x 3
I["w4"] = arr([[0.5, 1.5, -2.0, 4.0]])             # 1 x 4
I["x3"] = arr([[3.0, 0.25, -4.0]])                 # 1 x 3
# linear algebra
I["Spd"] = arr([[4.0, -2.0, 1.0], [-2.0, 4.0, -2.0], [1.0, -2.0, 4.0]])
I["G"] = arr([[2.0, 1.0, -1.0], [-3.0, -1.0, 2.0], [-2.0, 1.0, 2.0]])
I["b"] = arr([[8.0], [-11.0], [-3.0]])
I["Bm"] = arr([[8.0, 1.0], [-11.0, 0.0], [-3.0, 2.5]])
I["G4"] = arr([[2.0, -1.0, 0.0, 3.0], [1.0, 4.0, -2.0, 0.5], [0.0, 1.0, 5.0, -1.0],
               [3.0, 0.5, -1.0, 2.0]])
I["Sym4"] = arr([[4.0, 1.0, -2.0, 2.0], [1.0, 2.0, 0.0, 1.0], [-2.0, 0.0, 3.0, -2.0],
                 [2.0, 1.0, -2.0, -1.0]])
I["Sing"] = arr([[1.0, 2.0], [2.0, 4.0]])
I["NotPD"] = arr([[1.0, 2.0], [2.0, 1.0]])
I["Ltall"] = arr([[1.0, 1.0], [1.0, 2.0], [1.0, 3.0], [1.0, 4.0], [1.0, 5.0]])   # 5x2
I["ytall"] = arr([[1.1], [1.9], [3.2], [3.9], [5.05]])
I["Lwide"] = arr([[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]])                               # 2x3
I["ywide"] = arr([[1.0], [2.0]])
I["Ldef"] = arr([[1.0, 0.0, 2.0], [3.0, 0.0, 4.0], [5.0, 0.0, 6.0], [7.0, 0.0, 8.0]])  # rank 2
I["ydef"] = arr([[1.0], [2.0], [2.5], [4.0]])
I["Sv"] = arr([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0], [-1.0, 0.0, 2.0]])  # 4x3
# ML
I["Z"] = arr([[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0], [-5.0, 0.0, 5.0], [0.5, 0.5, 0.5]])
I["Zc"] = arr([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0], [-0.5, 2.0, 1.5], [0.25, 1.0, 4.0]])
I["labels"] = np.array([[2], [0], [1], [1]])
I["P3"] = arr([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.25, 0.25, 0.5], [0.05, 0.9, 0.05]])
I["a_bce"] = arr([[0.9], [0.2], [0.6], [0.01], [0.99]])
I["y_bce"] = arr([[1.0], [0.0], [1.0], [0.0], [1.0]])
I["mse_a"] = arr([[1.0, -2.0, 3.5], [0.0, 4.0, -1.25]])
I["mse_b"] = arr([[1.5, -2.0, 2.0], [0.5, 3.0, -1.0]])
I["acc_pred"] = np.array([[0], [2], [1], [1], [0]])
I["acc_y"] = np.array([[0], [2], [2], [1], [1]])
I["r2_y"] = arr([[3.0], [-0.5], [2.0], [7.0]])
I["r2_yhat"] = arr([[2.5], [0.0], [2.0], [8.0]])
# the course's broadcasting example: calories from carbs, protein, fats
I["calories"] = arr([[56.0, 0.0, 4.4, 68.0], [1.2, 104.0, 52.0, 8.0], [1.8, 135.0, 99.0, 0.9]])

ref = {"inputs": I}

# ---------------------------------------------------------------- broadcasting

PAIRS = ["A,B", "B,A", "A,R", "R,A", "A,C", "C,A", "A,S", "S,A", "R,C", "C,R",
         "A,s", "s,A", "R,S", "S,R", "C,s", "s,C", "S,S", "R,R", "C,C"]
POW_PAIRS = ["P,Q", "Q,P", "P,Rp", "Rp,P", "P,Cp", "Cp,P", "P,Sp", "Sp,P",
             "Rp,Cp", "Cp,Rp", "P,sp", "sp,P"]
ref["binop_pairs"] = PAIRS
ref["pow_pairs"] = POW_PAIRS


def operand(name):
    return I[name]


BINOPS = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply,
    "div": np.divide, "mod": np.mod, "pow": np.power,
}
binop = {}
for op, f in BINOPS.items():
    d = {}
    for p in (POW_PAIRS if op == "pow" else PAIRS):
        a, b = p.split(",")
        d[p] = np.asarray(f(operand(a), operand(b)), dtype=np.float64)
    binop[op] = d
# extras: integral powers of signed values, a negative power, unary minus
binop["pow_extra"] = {
    "A^2": np.power(I["A"], 2.0),
    "A^3": np.power(I["A"], 3.0),
    "P^-2": np.power(I["P"], -2.0),
    "2^A": np.power(2.0, I["A"]),
}
binop["neg"] = {"A": -I["A"]}
# division by zero is inf / nan as in IEEE
binop["divzero"] = {
    "num": arr([[1.0, -1.0, 0.0]]),
    "den": arr([[0.0, 0.0, 0.0]]),
    "res": np.divide(arr([[1.0, -1.0, 0.0]]), 0.0),
}
ref["binop"] = binop

CMP_PAIRS = ["A,B", "B,A", "A,R", "R,A", "A,C", "C,A", "A,S", "R,C", "A,t"]
ref["cmp_pairs"] = CMP_PAIRS
CMPS = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
        "gt": np.greater, "ge": np.greater_equal}
ref["cmp"] = {op: {p: f(operand(p.split(",")[0]), operand(p.split(",")[1])).astype(np.float64)
                   for p in CMP_PAIRS}
              for op, f in CMPS.items()}

MM_PAIRS = ["A,B", "A,R", "R,A", "A,C", "C,A", "A,S", "R,C", "A,t", "t,A"]
ref["mm_pairs"] = MM_PAIRS
ref["maximum"] = {p: np.maximum(operand(p.split(",")[0]), operand(p.split(",")[1])) for p in MM_PAIRS}
ref["minimum"] = {p: np.minimum(operand(p.split(",")[0]), operand(p.split(",")[1])) for p in MM_PAIRS}

# ---------------------------------------------------------------- elementwise


def sigmoid(x):
    return scipy.special.expit(x)


UNARY = [
    ("exp", "X", np.exp), ("log", "Xp", np.log), ("log1p", "Xp", np.log1p),
    ("log1p", "Xsmall", np.log1p), ("sqrt", "Xp", np.sqrt), ("abs", "X", np.abs),
    ("sign", "X", np.sign), ("tanh", "X", np.tanh), ("sigmoid", "X", sigmoid),
    ("sigmoid", "Xext", sigmoid), ("tanh", "Xext", np.tanh),
    ("relu", "X", lambda x: np.maximum(x, 0.0)), ("square", "X", np.square),
    ("floor", "X", np.floor), ("floor", "Xr", np.floor), ("round", "Xr", np.round),
    ("round", "X", np.round), ("exp", "Xedge", np.exp),
    ("softplus", "X", lambda x: np.logaddexp(0.0, x)),
    ("softplus", "Xext", lambda x: np.logaddexp(0.0, x)),
]
ref["unary"] = [{"fn": fn, "input": inp, "out": f(I[inp])} for fn, inp, f in UNARY]
ref["edge"] = {
    "log": {"in": arr([[0.0, -1.0, 1.0]]), "out": np.log(arr([[0.0, -1.0, 1.0]]))},
    "sqrt": {"in": arr([[-1.0, 0.0, 4.0]]), "out": np.sqrt(arr([[-1.0, 0.0, 4.0]]))},
}
ref["clip"] = {"lo": -1.0, "hi": 2.0, "out": np.clip(I["X"], -1.0, 2.0)}
ref["powfn"] = {
    "P,3": np.power(I["P"], 3.0),
    "P,0.5": np.power(I["P"], 0.5),
    "P,Rp": np.power(I["P"], I["Rp"]),
    "P,Q": np.power(I["P"], I["Q"]),
}

# ---------------------------------------------------------------- reductions


def reductions(M):
    out = {}
    simple = {
        "sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min, "prod": np.prod,
    }
    for name, f in simple.items():
        out[name] = {"all": f(M), "axis1": f(M, axis=0, keepdims=True),
                     "axis2": f(M, axis=1, keepdims=True)}
    for name, f in {"argmax": np.argmax, "argmin": np.argmin}.items():
        out[name] = {"all": int(f(M)) + 1,
                     "axis1": (f(M, axis=0) + 1).reshape(1, -1).astype(np.int64),
                     "axis2": (f(M, axis=1) + 1).reshape(-1, 1).astype(np.int64)}
    for name, f in {"var": np.var, "std": np.std}.items():
        for ddof in (0, 1):
            out["%s%d" % (name, ddof)] = {
                "all": f(M, ddof=ddof), "axis1": f(M, axis=0, ddof=ddof, keepdims=True),
                "axis2": f(M, axis=1, ddof=ddof, keepdims=True)}
    out["norm"] = {"all": np.linalg.norm(M),
                   "axis1": np.linalg.norm(M, axis=0).reshape(1, -1),
                   "axis2": np.linalg.norm(M, axis=1).reshape(-1, 1)}
    return out


ref["reduce"] = {"M": reductions(I["M"]), "Mrow": reductions(I["Mrow"]),
                 "Mcol": reductions(I["Mcol"])}

# ---------------------------------------------------------------- products

D1, D2, D3, D4 = I["D1"], I["D2"], I["D3"], I["D4"]
ref["dot"] = {
    "D1.D2": D1 @ D2,                    # 3x4 . 4x2
    "D3T.D2": D3.T @ D2,                 # (4x3)^T . 4x2   -> X:T():dot(Y)
    "D1.D4T": D1 @ D4.T,                 # 3x4 . (2x4)^T
    "D3T.D4T": D3.T @ D4.T,              # (4x3)^T . (2x4)^T -> 3x2
    "D1.v4": D1 @ I["v4"],               # matrix . column
    "u3.D1": I["u3"] @ D1,               # row . matrix
    "w4.v4": I["w4"] @ I["v4"],          # row . column -> 1x1
    "v4.w4": I["v4"] @ I["w4"],          # column . row -> 4x4
    "D1s.D2s": D1[:, 1:4] @ D2[0:3, :],  # strided slices
    "D1col2.u3": D1[:, 1:2] @ I["u3"],   # a column view (stride 4) . row
}
# ml.dot(a, b, out, alpha, beta): out = alpha a b + beta out (BLAS's gemm).
# The small cases use the inputs above; "big" ones are made by a formula that
# luaml's spec repeats exactly (small integers over 4: every value exact),
# large enough that the product goes to BLAS, and a narrow one (an X^T G with
# 5 columns: the library's own skinny loop) written through a transposed out.
def grid_int(r, c, a, b, m):
    """(r, c): ((a i + b j) mod m - m // 2) / 4 for 1-based i, j"""
    i = np.arange(1, r + 1).reshape(-1, 1)
    j = np.arange(1, c + 1).reshape(1, -1)
    return arr(((a * i + b * j) % m - m // 2) / 4.0)


C32 = arr([[1.0, -2.0], [0.5, 3.0], [-4.0, 0.25]])
G1, G2, G3 = grid_int(40, 30, 7, 3, 11), grid_int(30, 20, 5, 2, 9), grid_int(40, 20, 3, 1, 7)
X200, N5, W5 = grid_int(200, 30, 3, 5, 13), grid_int(200, 5, 2, 7, 5), grid_int(5, 30, 1, 4, 7)
I["C32"] = C32
ref["dot_ab"] = {
    "D1.D2,-0.5,2": -0.5 * (D1 @ D2) + 2.0 * C32,
    "D3T.D4T,3,-1": 3.0 * (D3.T @ D4.T) - 1.0 * C32,   # out = C32^T viewed as its T
    "D1.v4,2,0.5": 2.0 * (D1 @ I["v4"]) + 0.5 * C32[:, 0:1],
    "u3.D1,-1,1": -1.0 * (I["u3"] @ D1) + 1.0 * D1[0:1, :],
    "D1.D2,2,0": 2.0 * (D1 @ D2),
    "G1.G2,-0.25,1": -0.25 * (G1 @ G2) + G3,
    "X200T.N5,-0.1,1": (W5.T - 0.1 * (X200.T @ N5)).T,  # into W5 through W5^T
}

ref["outer"] = {
    "u3,w4": np.outer(I["u3"], I["w4"]),
    "v4,x3": np.outer(I["v4"], I["x3"]),
}
ref["inner"] = {
    "u3,x3": float(np.inner(I["u3"].ravel(), I["x3"].ravel())),
    "v4,v4": float(np.inner(I["v4"].ravel(), I["v4"].ravel())),
}

# ---------------------------------------------------------------- linear algebra

la = {}
la["solve_G_b"] = np.linalg.solve(I["G"], I["b"])
la["solve_G_Bm"] = np.linalg.solve(I["G"], I["Bm"])
la["solve_Spd_b"] = np.linalg.solve(I["Spd"], I["b"])
la["inv_G"] = np.linalg.inv(I["G"])
la["inv_G4"] = np.linalg.inv(I["G4"])
la["inv_Spd"] = np.linalg.inv(I["Spd"])
la["det_G"] = float(np.linalg.det(I["G"]))
la["det_G4"] = float(np.linalg.det(I["G4"]))
la["det_Spd"] = float(np.linalg.det(I["Spd"]))
la["det_GT"] = float(np.linalg.det(I["G"].T))
la["lstsq_tall"] = np.linalg.lstsq(I["Ltall"], I["ytall"], rcond=None)[0]
la["lstsq_wide"] = np.linalg.lstsq(I["Lwide"], I["ywide"], rcond=None)[0]
la["lstsq_def"] = np.linalg.lstsq(I["Ldef"], I["ydef"], rcond=None)[0]
la["cholesky_Spd"] = np.linalg.cholesky(I["Spd"])
la["eigh_Spd_w"] = np.linalg.eigh(I["Spd"])[0]
la["eigh_Sym4_w"] = np.linalg.eigh(I["Sym4"])[0]
la["svd_Sv_s"] = np.linalg.svd(I["Sv"], compute_uv=False)
la["svd_Lwide_s"] = np.linalg.svd(I["Lwide"], compute_uv=False)
la["pinv_Sv"] = np.linalg.pinv(I["Sv"])
la["pinv_Lwide"] = np.linalg.pinv(I["Lwide"])
la["pinv_Ldef"] = np.linalg.pinv(I["Ldef"])
ref["linalg"] = la

# ---------------------------------------------------------------- ML

Z, Zc, lab = I["Z"], I["Zc"], I["labels"]
K = 3
onehot = np.eye(K)[lab.ravel()]
ml = {}
ml["softmax_Z"] = scipy.special.softmax(Z, axis=1)
ml["softmax_Z_axis1"] = scipy.special.softmax(Z, axis=0)
ml["log_softmax_Z"] = scipy.special.log_softmax(Z, axis=1)
ml["log_softmax_Z_axis1"] = scipy.special.log_softmax(Z, axis=0)
ml["softmax_Zc"] = scipy.special.softmax(Zc, axis=1)
ml["one_hot"] = onehot
ml["cross_entropy"] = float(np.mean(-np.sum(onehot * np.log(I["P3"]), axis=1)))
ml["softmax_cross_entropy"] = float(np.mean(-np.sum(onehot * scipy.special.log_softmax(Zc, axis=1), axis=1)))
ml["softmax_cross_entropy_Z"] = float(np.mean(-np.sum(onehot * scipy.special.log_softmax(Z, axis=1), axis=1)))
ml["softmax_cross_entropy_grad"] = (scipy.special.softmax(Zc, axis=1) - onehot) / Zc.shape[0]
a, y = I["a_bce"], I["y_bce"]
ml["bce"] = float(np.mean(-(y * np.log(a) + (1 - y) * np.log(1 - a))))
ml["mse"] = float(np.mean((I["mse_a"] - I["mse_b"]) ** 2))
ml["accuracy"] = float(np.mean(I["acc_pred"] == I["acc_y"]))
ml["r2"] = float(r2_score(I["r2_y"].ravel(), I["r2_yhat"].ravel()))
ref["ml"] = ml

# ---------------------------------------------------------------- calories

A = I["calories"]
cal = A.sum(axis=0)
percentage = 100 * A / cal.reshape(1, 4)
ref["calories"] = {"cal": cal.reshape(1, 4), "percentage": percentage}

# ---------------------------------------------------------------- random stream
# Not numpy: an independent Python model of the generator documented in
# src/core_rng.c (splitmix64 seeding, xoshiro256** 1.0, 53-bit uniforms,
# Lemire's unbiased below(n), Marsaglia's polar normals with the
# deterministic log, Fisher-Yates from the top), so the specs pin "same
# seed, same numbers on every machine".  Python floats are IEEE doubles
# without fused multiply-add, so these values are bit-exact.

MASK = (1 << 64) - 1


class Rng:
    def __init__(self, seed):
        x = seed & MASK
        s = []
        for _ in range(4):
            x = (x + 0x9e3779b97f4a7c15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & MASK
            z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & MASK
            s.append(z ^ (z >> 31))
        self.s = s
        self.spare = None

    @staticmethod
    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK

    def next(self):
        s = self.s
        result = (self.rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self.rotl(s[3], 45)
        return result

    def uniform(self):
        return float(self.next() >> 11) * 2.0 ** -53

    def below(self, n):
        if n == 0:
            return 0
        p = self.next() * n
        hi, lo = p >> 64, p & MASK
        if lo < n:
            t = ((1 << 64) - n) % n
            while lo < t:
                p = self.next() * n
                hi, lo = p >> 64, p & MASK
        return hi

    @staticmethod
    def detlog(x):
        ln2_hi = 6.93147180369123816490e-01
        ln2_lo = 1.90821492927058770002e-10
        m, e = math.frexp(x)
        if m < 0.70710678118654752440:
            m *= 2
            e -= 1
        t = (m - 1) / (m + 1)
        t2 = t * t
        p = 1.0 / 25
        for k in range(23, 0, -2):
            p = p * t2 + 1.0 / k
        return e * ln2_hi + (e * ln2_lo + 2 * t * p)

    def normal(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        while True:
            u = 2 * self.uniform() - 1
            v = 2 * self.uniform() - 1
            s = u * u + v * v
            if not (s >= 1 or s == 0):
                break
        f = math.sqrt(-2 * self.detlog(s) / s)
        self.spare = v * f
        return u * f

    def fill(self, r, c, f):
        return np.array([[f() for _ in range(c)] for _ in range(r)], dtype=np.float64)

    def permutation(self, n):
        perm = list(range(1, n + 1))
        for i in range(n, 1, -1):
            j = self.below(i)
            perm[i - 1], perm[j] = perm[j], perm[i - 1]
        return np.array([perm], dtype=np.int64)


rng = {}
for seed in (42, 1, 0, -1):
    g = Rng(seed)
    rng["seed%d" % seed if seed >= 0 else "seed_minus%d" % -seed] = {
        "seed": seed,
        "rand_2x3": g.fill(2, 3, g.uniform),       # seed(n); rand(2, 3)
        "randn_3x3": g.fill(3, 3, g.normal),       # then randn(3, 3) (a spare is left)
        "perm_10": g.permutation(10),              # then permutation(10)
        "randn_1x2": g.fill(1, 2, g.normal),       # then randn(1, 2): the spare first
    }
ref["rng"] = rng

# ---------------------------------------------------------------- write

def write(table, name, script):
    """Write `return <table>` to spec/ref/<name> with the generated-by header."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    header = ("-- Generated by spec/ref/%s with numpy %s (do not edit by hand).\n"
              "-- Regenerate: /usr/bin/python3 spec/ref/%s\n" % (script, np.__version__, script))
    text = header + "return " + to_lua(table) + "\n"
    with open(path, "w") as f:
        f.write(text)
    sys.stderr.write("wrote %s (%d bytes)\n" % (path, len(text)))


# (gen_select.py imports the helpers above: write only when run)
if __name__ == "__main__":
    write(ref, "numpy_ref.lua", "gen_ref.py")
