#!/usr/bin/python3
"""mknotebooks.py -- the lessons of examples/ as Jupyter notebooks for the
luaml kernel, made from the scripts so that the two never drift apart.

    python3 tools/mknotebooks.py                  # the default lessons
    python3 tools/mknotebooks.py examples/15_x.lua ...   # more lessons
    python3 tools/mknotebooks.py --check          # every notebook up to date?

A lesson examples/NN_name.lua becomes examples/notebooks/NN_name.ipynb:
its opening comment is a Markdown cell; a first code cell points `arg` at
the script (lesson.lua and the data are found from there, as when the script
runs); then the script itself, cut into cells before each top-level
`lesson.section(...)` (with the comment lines just above it).  Top-level
locals persist between cells, so the cells are the script's own lines.
Plots (run.plot) show inline in a notebook.  The notebooks are saved without
outputs; `make test` runs them with `jupyter nbconvert --execute` (fast mode).
--check regenerates each notebook of examples/notebooks from the script it
names and fails when one differs (run this tool to update them).
"""
import json
import os
import re
import sys

OUT = "examples/notebooks"
DEFAULT = ["examples/01_vectorization.lua", "examples/02_broadcasting.lua",
           "examples/05_logistic_regression_nn.lua", "examples/10_mnist_softmax.lua",
           "examples/14_xor_donut.lua", "examples/15_autograd.lua",
           "examples/20_planar_flower.lua", "examples/22_xor_donut_mlp.lua"]


def cell(kind, lines):
    text = "\n".join(lines).strip("\n")
    src = [line + "\n" for line in text.split("\n")]
    src[-1] = src[-1].rstrip("\n")
    c = {"cell_type": kind, "metadata": {}, "source": src}
    if kind == "code":
        c["execution_count"] = None
        c["outputs"] = []
    return c


def notebook(script):
    """the notebook (a dict) of a lesson script"""
    with open(script, encoding="utf-8") as f:
        lines = f.read().rstrip("\n").split("\n")
    # the opening comment: the Markdown introduction
    head = []
    while lines and lines[0].startswith("--"):
        head.append(lines.pop(0)[2:].strip())
    if head:  # "NN_name.lua -- what it is about"
        head[0] = re.sub(r"^\S+\.lua\s+--\s+", "", head[0])
    paras, cur = [], []
    for line in head + [""]:
        if line:
            cur.append(line)
        elif cur:
            paras.append(cur)
            cur = []
    intro = ["# " + os.path.basename(script)]
    for p in paras:
        if p[0].startswith("luaml "):  # the command line: as code
            intro += ["", "As a script: `" + p[0] + "`" + (" " + " ".join(p[1:]) if p[1:] else "")]
        else:
            intro += ["", " ".join(p)]
    intro += ["", "Run with the **luaml** kernel (fast mode: `LUAML_FAST=1`). This notebook "
              "is made from the script by `tools/mknotebooks.py`."]
    cells = [cell("markdown", intro),
             cell("code", ["-- the lesson's script and the data are one folder up: lesson.lua",
                           "-- is found from the script's path, the data sets from ml.datadir",
                           'arg = {[0] = "../%s"}' % os.path.basename(script),
                           'ml.datadir = "../data"'])]
    # the code, cut before each top-level lesson.section (and its comments)
    chunks, cur = [], []
    for line in lines:
        if line.startswith("lesson.section(") and any(x.strip() for x in cur):
            comments = []
            while cur and cur[-1].startswith("--"):
                comments.insert(0, cur.pop())
            chunks.append(cur)
            cur = comments
        cur.append(line)
    chunks.append(cur)
    for ch in chunks:
        if any(x.strip() for x in ch):
            cells.append(cell("code", ch))
    for i, c in enumerate(cells):
        c["id"] = "cell-%d" % (i + 1)
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "luaml", "language": "lua", "name": "luaml"},
            "language_info": {"name": "lua", "file_extension": ".lua",
                              "mimetype": "text/x-lua", "codemirror_mode": "lua"},
            "luaml": {"source": "examples/" + os.path.basename(script)},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def text(nb):
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def target(script):
    return os.path.join(OUT, os.path.splitext(os.path.basename(script))[0] + ".ipynb")


def main(argv):
    if argv and argv[0] == "--check":
        bad = 0
        names = sorted(n for n in os.listdir(OUT) if n.endswith(".ipynb"))
        for n in names:
            path = os.path.join(OUT, n)
            with open(path, encoding="utf-8") as f:
                src = json.load(f)["metadata"]["luaml"]["source"]
            if not os.path.exists(src):
                print(f"{path}: its lesson {src} is gone")
                bad += 1
                continue
            with open(path, encoding="utf-8") as f:
                if f.read() != text(notebook(src)):
                    print(f"{path} differs from {src}: run python3 tools/mknotebooks.py {src}")
                    bad += 1
        print(f"{len(names)} notebooks checked, {bad} out of date")
        return 1 if bad or not names else 0
    os.makedirs(OUT, exist_ok=True)
    for script in argv or DEFAULT:
        with open(target(script), "w", encoding="utf-8") as f:
            f.write(text(notebook(script)))
        print("wrote", target(script))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
