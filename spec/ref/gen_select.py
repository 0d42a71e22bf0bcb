#!/usr/bin/python3
"""Reference values for luaml's selection and ordering functions and for
ml.seed(n, "numpy"), computed with Debian's numpy.

Regenerate (from the repository root) with Debian's python:

    /usr/bin/python3 spec/ref/gen_select.py     # writes spec/ref/select_ref.lua

Conventions are gen_ref.py's (whose writer this script imports): matrices
as tables of rows, numpy 1-D results as 1 x n rows, luaml's axis 1 is
numpy's axis=0 and axis 2 numpy's axis=1 (keepdims), positions 1-based.
Sorting uses kind="stable" (luaml's sort and argsort are stable; numpy's
default quicksort is not).  The random section calls numpy's legacy
generator (np.random.seed, RandomState's draws): luaml must reproduce each
value to the last bit.
"""

import os
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from gen_ref import arr, write  # noqa: E402

nan, inf = np.nan, np.inf
ref = {}
I = {}

# ---------------------------------------------------------------- inputs

# ties (1 twice in row 1, 2 three times in row 3), NaN, infinities, -0.0
I["S"] = arr([[3.0, 1.0, 2.0, 1.0, 3.0],
              [0.5, -1.0, 0.5, nan, 2.0],
              [2.0, 2.0, 2.0, -inf, inf],
              [1e-3, 5.0, -7.0, 5.0, -0.0]])
# finite, ties, for median/quantile (even and odd counts both ways)
I["Q"] = arr([[4.0, -1.5, 2.0, 2.0, 9.25],
              [0.1, 0.2, 0.3, 0.4, 0.5],
              [-3.0, 7.0, 1.0, -3.0, 2.5],
              [1e10, -1e-10, 5.0, 3.0, 3.0]])
I["Qnan"] = arr([[1.0, nan, 3.0], [2.0, 4.0, 6.0]])
I["vrow"] = arr([[2.5, -1.0, 7.0, -1.0, 0.0, 3.0, 2.5]])
I["vcol"] = I["vrow"].T.copy()
I["P"] = arr([[1.5, -2.0, 0.5], [3.0, 0.25, -1.0], [2.0, 2.0, 4.0]])
I["cond"] = arr([[1.0], [0.0], [nan]])
I["wa"] = arr([[10.0, 20.0, 30.0, 40.0]])
I["wb"] = -1.0
I["mrow"] = arr([[1.0, 0.0, 1.0, 1.0]])           # a mask of Q's 4 rows
I["xs"] = arr([[1.0, 2.0, 3.0]])
I["ys"] = arr([[-1.0], [0.5]])
I["U"] = arr([[3.0, 1.0, 3.0], [2.0, 1.0, 3.0]])
I["tidx"] = arr([[3.0, 1.0, -1.0, 3.0]])           # take: -1 is the last
ref["inputs"] = I


def np_axis(axis):
    return 0 if axis == 1 else 1


def keep(x, axis):  # numpy's reduction along luaml's axis, kept 2-D
    return x.reshape(1, -1) if axis == 1 else x.reshape(-1, 1)


# ---------------------------------------------------------------- sorting

sort = {}
for name in ("S", "Q"):
    a = I[name]
    for axis in (1, 2):
        sort["%s_sort%d" % (name, axis)] = np.sort(a, axis=np_axis(axis), kind="stable")
        sort["%s_argsort%d" % (name, axis)] = (
            np.argsort(a, axis=np_axis(axis), kind="stable") + 1)
v = I["vrow"][0]
sort["vrow_sort"] = np.sort(v, kind="stable")
sort["vrow_argsort"] = np.argsort(v, kind="stable") + 1
ref["sort"] = sort

# ---------------------------------------------------------------- unique

uniq = {}
for name in ("S", "U", "vrow"):
    vals, counts = np.unique(I[name], return_counts=True)
    uniq[name] = {"values": vals, "counts": counts.astype(np.float64)}
ref["unique"] = uniq

# ---------------------------------------------------------------- median, quantile

qs = [0.0, 0.1, 0.25, 0.3, 1.0 / 3.0, 0.5, 0.75, 0.9, 0.999, 1.0]
quant = {"qs": qs}
for name in ("Q", "Qnan", "vrow", "P"):
    a = I[name]
    e = {"median": float(np.median(a)),
         "median1": keep(np.median(a, axis=0), 1),
         "median2": keep(np.median(a, axis=1), 2),
         "q": [float(np.quantile(a, q)) for q in qs],
         "q1": [keep(np.quantile(a, q, axis=0), 1) for q in qs],
         "q2": [keep(np.quantile(a, q, axis=1), 2) for q in qs]}
    quant[name] = e
ref["quantile"] = quant

# ---------------------------------------------------------------- the rest

ref["cumprod"] = {"Q1": np.cumprod(I["Q"], axis=0), "Q2": np.cumprod(I["Q"], axis=1),
                  "vrow": np.cumprod(I["vrow"]).reshape(1, -1),
                  "vcol": np.cumprod(I["vcol"]).reshape(-1, 1)}

diag = {}
for k in range(-3, 5):
    d = np.diag(I["Q"], k)
    diag["Q_%d" % (k + 3)] = d if d.size else "empty"
for k in (-1, 0, 2):
    diag["v_%d" % (k + 1)] = np.diag(I["xs"][0], k)
ref["diag"] = diag

ref["where"] = np.where(I["cond"] != 0, I["wa"], I["wb"])
ref["mask"] = {"rows": I["Q"][I["mrow"][0] != 0],
               "elems": I["Q"][I["Q"] > 2.0],
               "cols": I["Q"][:, np.array([0, 1, 1, 0, 1]) != 0]}
X, Y = np.meshgrid(I["xs"][0], I["ys"][:, 0])
ref["meshgrid"] = {"X": X, "Y": Y}
ti = I["tidx"][0].astype(int)
ref["take"] = {"rows": np.take(I["Q"], np.where(ti > 0, ti - 1, ti), axis=0),
               "cols": np.take(I["Q"], np.where(ti > 0, ti - 1, ti), axis=1)}

close = []
for a, b, rtol, atol in [
        (1.0, 1.0 + 1e-6, 1e-5, 1e-8), (1.0, 1.0 + 1e-4, 1e-5, 1e-8),
        (0.0, 1e-9, 1e-5, 1e-8), (0.0, 1e-7, 1e-5, 1e-8),
        (1e10, 1.00001e10, 1e-5, 1e-8), (1e-10, 2e-10, 0.0, 0.0),
        (inf, inf, 1e-5, 1e-8), (inf, -inf, 1e-5, 1e-8), (nan, nan, 1e-5, 1e-8),
        (inf, 1e308, 1e-5, 1e-8), (1.0, 1.1, 0.1, 0.0), (1.0, 1.1, 0.05, 0.05)]:
    close.append({"a": a, "b": b, "rtol": rtol, "atol": atol,
                  "close": bool(np.allclose(a, b, rtol=rtol, atol=atol))})
ref["allclose"] = close

# linspace: numpy's values to the bit (i * step + start, stop last)
ref["linspace"] = [{"a": a, "b": b, "n": n, "values": np.linspace(a, b, n)}
                   for a, b, n in [(0.0, 1.0, 5), (0.0, 1.0, 50), (-3.7, 2.1, 17),
                                   (0.0, 3.12, 200), (3.12, 6.24, 200),
                                   (1e-300, 3e-300, 7), (5.0, -5.0, 11),
                                   (0.1, 0.7, 3), (2.0, 2.0, 4), (0.0, 1e-320, 3),
                                   (-1.0, 1.0, 1)]]

# ---------------------------------------------------------------- numpy's generator

rng = []
for seed in (0, 1, 2, 3, 7, 42, 123, 2024, 2**31, 2**32 - 1):
    np.random.seed(seed)
    e = {"seed": seed}
    # one stream, in this order (the spec draws the same sequence)
    e["randn_2x3"] = np.random.randn(2, 3)
    e["rand_3x2"] = np.random.rand(3, 2)
    e["randn_5"] = np.random.randn(5)          # odd: a cached normal is left
    e["rand_1"] = np.random.rand(1)            # the cache survives rand
    e["randn_1x2"] = np.random.randn(1, 2)     # the cached one first
    e["perm_10"] = np.random.permutation(10) + 1
    e["choice_10_6"] = np.random.choice(10, 6) + 1
    e["choice_20_5_noreplace"] = np.random.choice(20, 5, replace=False) + 1
    e["choice_big"] = np.random.choice(2**31 - 1, 4) + 1
    e["perm_1"] = np.random.permutation(1) + 1
    e["randn_3x1"] = np.random.randn(3, 1)
    a = np.arange(1.0, 15.0).reshape(7, 2)
    np.random.shuffle(a)                       # rows, in place
    e["shuffle_7x2"] = a
    a = np.arange(1.0, 10.0)
    np.random.shuffle(a)                       # a vector: its elements
    e["shuffle_9"] = a
    rng.append(e)
ref["numpy_rng"] = rng
# long streams: several 624-word blocks of MT19937
long = []
for seed in (1, 99):
    np.random.seed(seed)
    long.append({"seed": seed, "randn_40x30": np.random.randn(40, 30),
                 "perm_500": np.random.permutation(500) + 1,
                 "rand_7x50": np.random.rand(7, 50)})
ref["numpy_rng_long"] = long

write(ref, "select_ref.lua", "gen_select.py")
