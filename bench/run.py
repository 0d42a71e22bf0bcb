#!/usr/bin/python3
"""run.py -- luaml against numpy on the same workloads, side by side.

Runs each pair of scripts (bench/N_name.lua with luaml, bench/N_name.py
with Debian's numpy) alternately, --runs times each, and writes the
medians, the luaml/numpy ratios against the targets of issues 5, 12 and 14
(workload 8 also runs PyTorch: bench/8_mlp_torch.py),
the peak resident memory of every process and a description of the
machine to bench/results/<cpu>.md (or --out), one file per CPU model, so
that each machine's figures stay; the report lists the measures whose
ratio got worse than in the file it replaces.  The workloads with skinny
products (1, 2, 5) also run luaml with LUAML_KERNEL=own and =blas, both
paths forced, and every luaml script reports which path each kind of
skinny product took ("k" lines, from ml.kernels()).

Whole-script workloads are timed from outside (process start to exit);
the kernels inside a script time themselves and print "t NAME SECONDS"
lines (see util.lua / util.py).  Both sides print "c NAME VALUE"
checksums, which must agree: the two sides did the same work.

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the environment
of the benchmarked processes only (they pin an old, slower OpenBLAS
kernel on some machines); the kernel then chosen is reported.

The choice between luaml's skinny loops and BLAS is made once per machine
and kept in a cache file (see ml.kernels); the benchmark gives luaml a
new, empty cache file of its own (--user-cache: the user's), so the first
luaml run that needs a choice measures it and every later run reads it,
as on a machine where luaml runs for the first time.  The report gives
the file's lines.

usage: /usr/bin/python3 bench/run.py [--runs N] [--luaml PATH] [--out FILE]
                                     [--only 1,3,...] [--user-cache]
"""
import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"  # Debian's, the one with numpy

# (id, script stem or None, title, kind, target ratio for each measure)
# (targets: issue 5; X^T d at <= 1.0 and small dot at <= 0.5 by issue 14)
WORKLOADS = [
    ("1", "1_logistic", "logistic regression, MNIST 8000x784, 200 GD iterations",
     "script", 0.8),
    ("2", "2_softmax", "softmax regression, MNIST, 10 classes, 100 GD iterations",
     "script", 0.8),
    ("3", "3_elementwise", "elementwise, 1000x10000 (calories: 4000x4000)",
     "kernels", 0.5),
    ("4", "4_reductions", "reductions of 1000x10000", "kernels", 0.8),
    ("5", "5_products", "matrix products", "kernels", 1.05),
    ("6", "6_smallops", "10^5 operations on 10x10 matrices", "kernels", 0.5),
    ("7", None, "start-up: `luaml -e ''` vs `python3 -c 'import numpy'`",
     "startup", 0.1),
    ("7g", "7_grad", "784-128-10 ReLU network, SGD, batch 64, 2 epochs of "
     "MNIST 8000x784: by hand and with ml.grad (numpy: by hand)", "kernels", 1.0),
    ("8", "8_mlp", "MLP 784-128-10, MNIST 8000, batches of 64, SGD, 5 epochs: "
     "ml.MLP vs numpy by hand", "kernels", 0.9),
]
# (id, luaml measure, luaml measure it is compared with, target ratio):
# the cost of ml.grad over the same network written by hand in luaml
WITHIN = [("7g", "grad", "hand", 1.15)]
# A third side for some workloads: the script, the luaml measure it is
# compared with, and {its measure: target ratio luaml / it (None: shown only)}
THIRD = {"8": ("8_mlp_torch", "train", {"torch64": 0.6, "torch32": None})}
NO_TARGET = {"copy", "copy_into"}  # yardsticks, not targets
TARGET = {("5", "XT_d"): 1.0}        # tighter than the workload's
# luaml again with one path of the skinny products forced (LUAML_KERNEL)
VARIANTS = {"1": ("own", "blas"), "2": ("own", "blas"), "5": ("own", "blas")}


def bench_env():
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    return env


def run_proc(cmd, env, cwd):
    """Run cmd; return (wall seconds, peak RSS in KiB, stdout text)."""
    with tempfile.TemporaryFile(mode="w+") as out, \
            tempfile.TemporaryFile(mode="w+") as errf:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=errf, env=env, cwd=cwd)
        _, status, ru = os.wait4(p.pid, 0)  # this child's own peak RSS
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
        errf.seek(0)
        err = errf.read()
    if p.returncode != 0:
        sys.exit("bench: %s failed (exit %d):\n%s" % (" ".join(cmd), p.returncode,
                                                      err))
    return wall, ru.ru_maxrss, text


def parse(text):
    """'t NAME S', 'c NAME V' and 'k PRODUCT PATH' lines ->
    ({name: s}, {name: v}, {product: path})."""
    times, checks, kernels = {}, {}, {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] in ("t", "c"):
            (times if parts[0] == "t" else checks)[parts[1]] = float(parts[2])
        elif len(parts) == 3 and parts[0] == "k":
            kernels[parts[1]] = parts[2]
        elif len(parts) == 2 and parts[0] == "kc":
            kernels["cache"] = parts[1]
    return times, checks, kernels


def agree(a, b):
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


class Side:
    """The measurements of one side (luaml or numpy) of one workload."""

    def __init__(self):
        self.times = {}   # name -> [seconds per run]
        self.rss = []     # KiB per run
        self.checks = None
        self.kernels = {}  # product|size -> {path(how): runs}
        self.mem = {}     # "m NAME KB" lines of the last run
        self.cache = None  # luaml's cache of kernel choices ("kc" line)

    def add(self, wall, rss, text, kind):
        times, checks, kernels = parse(text)
        self.cache = kernels.pop("cache", None) or self.cache
        for k, v in kernels.items():
            self.kernels.setdefault(k, {}).setdefault(v, 0)
            self.kernels[k][v] += 1
        if kind in ("script", "startup"):
            times = {"total": wall}
        for k, v in times.items():
            self.times.setdefault(k, []).append(v)
        self.rss.append(rss)
        self.checks = checks
        self.mem = {p[1]: float(p[2]) for p in (line.split() for line in text.splitlines())
                    if len(p) == 3 and p[0] == "m"}


def commands(w, luaml):
    stem = w[1]
    if stem is None:
        return [luaml, "-e", ""], [PYTHON, "-c", "import numpy"]
    return ([luaml, os.path.join(HERE, stem + ".lua")],
            [PYTHON, os.path.join(HERE, stem + ".py")])


def measure(workloads, runs, luaml, env, log):
    """{workload id: {side: Side}}, sides "luaml", "numpy", the VARIANTS
    ("own", "blas": luaml with LUAML_KERNEL set) and, for the workloads of
    THIRD, "third" (its script: PyTorch)."""
    res = {}
    for w in workloads:
        res[w[0]] = {s: Side() for s in ("luaml", "numpy") + VARIANTS.get(w[0], ())
                     + (("third",) if w[0] in THIRD else ())}
    for r in range(runs):
        for w in workloads:
            lcmd, pcmd = commands(w, luaml)
            reps = 4 if w[3] == "startup" else 1  # start-up is short: more
            for k in range(reps):
                order = [("luaml", lcmd, env), ("numpy", pcmd, env)]
                for v in VARIANTS.get(w[0], ()):
                    order.append((v, lcmd, dict(env, LUAML_KERNEL=v)))
                if w[0] in THIRD:
                    order.append(("third", [PYTHON, os.path.join(HERE, THIRD[w[0]][0] + ".py")],
                                  env))
                if (r + k) % 2:  # alternate which side goes first
                    order.reverse()
                for side, cmd, e in order:
                    wall, rss, text = run_proc(cmd, e, ROOT)
                    res[w[0]][side].add(wall, rss, text, w[3])
            log("run %d/%d: workload %s done" % (r + 1, runs, w[0]))
    return res


# ---- the machine --------------------------------------------------------

def sh(cmd, env=None):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, env=env,
                              timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def cpu_slug(model):
    """'Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz' -> 'intel-xeon-gold-6248'"""
    m = model.lower().replace("(r)", "").replace("(tm)", "")
    m = m.split("@")[0].replace(" cpu ", " ").strip()
    slug = "".join(c if c.isalnum() else "-" for c in m)
    while "--" in slug:
        slug = slug.replace("--", "-")
    return slug.strip("-") or "unknown"


def cpu_model():
    model, flags = "unknown", ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                k, _, v = line.partition(":")
                k = k.strip()
                if k == "model name" and model == "unknown":
                    model = v.strip()
                elif k == "flags" and not flags:
                    flags = v.split()
    except OSError:
        pass
    simd = [f for f in ("sse4_2", "avx", "avx2", "fma", "avx512f") if f in flags]
    return model, " ".join(simd)


def openblas_info(env):
    """numpy's BLAS as threadpoolctl sees it under the benchmark's
    environment, and the core OpenBLAS picks in a luaml process."""
    code = ("import numpy, threadpoolctl\n"
            "for i in threadpoolctl.threadpool_info():\n"
            "    print('%s %s %s kernel %s, %s threads (%s)' % (i.get('internal_api'),"
            " i.get('version'), i.get('filepath'), i.get('architecture'),"
            " i.get('num_threads'), i.get('threading_layer')))\n")
    return sh([PYTHON, "-c", code], env) or "threadpoolctl not available"


def luaml_blas(luaml, env):
    """The OpenBLAS library luaml loads and the core it picks there.
    luaml loads it at the first product (src/core_blasdl.c), not at start:
    a luaml process makes one and reads its own memory map."""
    code = ("ml.ones(64, 64):dot(ml.ones(64, 64))\n"
            "for l in io.lines('/proc/self/maps') do\n"
            "  local p = l:match('%s(/%S*blas%S*)$')\n"
            "  if p then print(p) break end\n"
            "end\n")
    lib = sh([luaml, "-e", code], env).split("\n")[0].strip()
    if not lib:
        return "?"
    code = ("import ctypes, sys\n"
            "l = ctypes.CDLL(sys.argv[1])\n"
            "l.openblas_get_corename.restype = ctypes.c_char_p\n"
            "l.openblas_get_config.restype = ctypes.c_char_p\n"
            "print(l.openblas_get_config().decode() + ';', 'kernel',"
            " l.openblas_get_corename().decode())\n")
    return "%s: %s" % (os.path.realpath(lib),
                       sh([PYTHON, "-c", code, lib], env) or "?")


def machine(luaml, env):
    model, simd = cpu_model()
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = "%.1f GiB" % (int(f.readline().split()[1]) / 2**20)
    except (OSError, ValueError, IndexError):
        pass
    thp = ""
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            thp = f.read().strip()
    except OSError:
        pass
    numpy_v = sh([PYTHON, "-c", "import numpy; print(numpy.__version__)"])
    return [
        ("CPU", "%s (%s)" % (model, simd)),
        ("results file", "bench/results/%s.md" % cpu_slug(model)),
        ("cores", str(os.cpu_count())),
        ("memory", mem),
        ("kernel", platform.release() + ("; THP " + thp if thp else "")),
        ("OpenBLAS in luaml", luaml_blas(luaml, env)),
        ("BLAS in numpy", openblas_info(env)),
        ("numpy", numpy_v + " (" + sh([PYTHON, "--version"]) + ")"),
        ("luaml", sh([luaml, "-v"]) + ", " + sh(["cc", "--version"]).split("\n")[0]),
        ("commit", sh(["git", "-C", ROOT, "log", "-1", "--format=%h %s"])),
        ("date", datetime.datetime.now().strftime("%Y-%m-%d %H:%M")),
        ("load average at start", loadavg()),
    ]


def loadavg():
    """1, 5 and 15 minute load averages (processes wanting a CPU)"""
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


# ---- the report ---------------------------------------------------------

def fmt_time(s):
    if s >= 1:
        return "%.3f s" % s
    if s >= 1e-3:
        return "%.2f ms" % (s * 1e3)
    return "%.1f us" % (s * 1e6)


# bytes a kernel moves per call (read + write), for GB/s
MOVED = {
    "3": {"copy": 16e7, "copy_into": 16e7, "sigmoid": 16e7, "exp": 16e7, "log": 16e7,
          "center": 16e7, "calories": 2.56e8},
    "4": {k: 8e7 for k in ("sum", "sum_axis1", "sum_axis2", "mean_axis2",
                           "max_axis1", "max_axis2", "argmax_axis2")},
    "5": {"X_w": 8000 * 784 * 8, "XT_d": 8000 * 784 * 8},
}


def rate(wid, name, t):
    """GFLOP/s of dgemm, GB/s of memory-bound kernels, or ''."""
    if name == "dgemm_2000":
        return "%.0f GFLOP/s" % (2 * 2000.0 ** 3 / t / 1e9)
    moved = MOVED.get(wid, {}).get(name)
    return "%.1f GB/s" % (moved / t / 1e9) if moved else ""


def accuracy(luaml):
    """The ulp errors of the vector functions against libm, as measured by
    the C test of the fast paths (if built)."""
    test = os.path.join(os.path.dirname(luaml), "tests", "test_simd")
    if not os.access(test, os.X_OK):
        return []
    return [line[2:] for line in sh([test]).splitlines()
            if line.startswith("# ") and "ulp" in line]


def previous_ratios(path):
    """{(workload, measure): ratio} from the Times table of an earlier
    report at path (none when there is none)."""
    out = {}
    try:
        with open(path) as f:
            for line in f:
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if len(cells) >= 5 and cells[0][:1].isdigit():
                    try:
                        out[(cells[0], cells[1])] = float(cells[4])
                    except ValueError:
                        pass
    except OSError:
        pass
    return out


def cache_lines(path):
    """The lines of the cache of kernel choices at path, key shortened"""
    out = []
    try:
        with open(path) as f:
            for line in f:
                cells = line.rstrip("\n").split("\t")
                if len(cells) == 6:
                    out.append(cells)
    except (OSError, TypeError):
        pass
    return out


def report(workloads, res, runs, info, path, acc, load_end, kcache=None):
    before = previous_ratios(path)
    lines = ["# luaml vs numpy: benchmark results", "",
             "Written by `make bench` (bench/run.py): every pair of scripts ran "
             "%d times, alternating luaml and numpy; the figures are medians. "
             "ratio = luaml / numpy (below 1: luaml is faster). "
             "Rates: GFLOP/s for dgemm; for memory-bound kernels, GB/s of bytes "
             "read + written (compare with `copy`, a plain copy of the same "
             "bytes: `copy_into` writes an existing matrix, `copy` a new one: "
             "in numpy fresh pages, which the kernel zeroes first, as for "
             "every new result; in luaml a block of the same size freed "
             "before, from its cache of large blocks). Rows marked [own] and "
             "[blas] ran luaml with the skinny products forced to its own "
             "loops or to BLAS (LUAML_KERNEL); the plain luaml rows let it "
             "choose (see \"Which loop ran\")." % runs, "",
             "## Machine", "", "| | |", "| --- | --- |"]
    lines += ["| %s | %s |" % kv for kv in info]
    lines.append("| load average at end | %s |" % load_end)
    lines += ["", "## Times", "",
              "| workload | measure | luaml | numpy | ratio | target | met | "
              "luaml rate | numpy rate |",
              "| --- | --- | ---: | ---: | ---: | ---: | :---: | ---: | ---: |"]
    misses, worse = [], []
    for w in workloads:
        sides = res[w[0]]
        lua, npy = sides["luaml"], sides["numpy"]
        wname = w[1] or "7_startup"
        for name in lua.times:
            nt = statistics.median(npy.times.get(name, [float("nan")]))
            for side in ("luaml",) + VARIANTS.get(w[0], ()):
                lt = statistics.median(sides[side].times[name])
                ratio = lt / nt
                label = name if side == "luaml" else "%s [%s]" % (name, side)
                goal = TARGET.get((w[0], name), w[4])
                if name in NO_TARGET or side != "luaml":
                    target, met = "", ""
                else:
                    target = "<= %g" % goal
                    met = "yes" if ratio <= goal else "**no**"
                    if ratio > goal:
                        misses.append("%s %s" % (w[0], name))
                old = before.get((wname, label))
                if old is not None and ratio > old * 1.10 and ratio > 0.2:
                    worse.append("%s %s: %.2f, was %.2f" % (wname, label, ratio, old))
                lines.append("| %s | %s | %s | %s | %.2f | %s | %s | %s | %s |" % (
                    wname, label, fmt_time(lt), fmt_time(nt), ratio,
                    target, met, rate(w[0], name, lt), rate(w[0], name, nt)))
    for wid, name, base, target in WITHIN:
        if wid not in res or name not in res[wid]["luaml"].times:
            continue
        lua = res[wid]["luaml"]
        lt = statistics.median(lua.times[name])
        bt = statistics.median(lua.times[base])
        # the ratio of each run's pair, whose two measures ran back to back
        per = statistics.median(a / b for a, b in zip(lua.times[name],
                                                       lua.times[base]))
        met = per <= target
        if not met:
            misses.append("%s %s/%s" % (wid, name, base))
        lines.append("| %s | %s / %s (both luaml) | %s | %s | %.2f | <= %g | %s | | |" % (
            [w for w in workloads if w[0] == wid][0][1], name, base,
            fmt_time(lt), fmt_time(bt), per, target, "yes" if met else "**no**"))
    for w in workloads:
        if w[0] not in THIRD:
            continue
        stem, mine, targets = THIRD[w[0]]
        other = res[w[0]]["third"]
        lt = statistics.median(res[w[0]]["luaml"].times[mine])
        lines += ["", "%s against %s.py (median of its best of 1 and 2 threads):"
                  % (w[1], stem), "",
                  "| workload | measure | luaml | other | ratio | target | met |",
                  "| --- | --- | ---: | ---: | ---: | ---: | :---: |"]
        for name, target in targets.items():
            ot = statistics.median(other.times[name])
            met = ""
            if target is not None:
                met = "yes" if lt / ot <= target else "**no**"
                if lt / ot > target:
                    misses.append("%s %s vs %s" % (w[0], mine, name))
            lines.append("| %s | %s vs %s | %s | %s | %.2f | %s | %s |" % (
                w[1], mine, name, fmt_time(lt), fmt_time(ot), lt / ot,
                "<= %g" % target if target is not None else "", met))
        mem = res[w[0]]["luaml"].mem
        if mem:
            lines += ["", "luaml's Lua heap after a full collection (KB): " +
                      ", ".join("%s %.0f" % kv for kv in sorted(mem.items()))]
    lines += ["", "## Peak resident memory (max RSS of the process, median)", "",
              "| workload | luaml | numpy | ratio | <= numpy |",
              "| --- | ---: | ---: | ---: | :---: |"]
    for w in workloads:
        lua, npy = res[w[0]]["luaml"], res[w[0]]["numpy"]
        lr, nr = statistics.median(lua.rss), statistics.median(npy.rss)
        ok = lr <= nr
        if not ok:
            misses.append("%s rss" % w[0])
        lines.append("| %s | %.1f MB | %.1f MB | %.2f | %s |" % (
            w[1] or "7_startup", lr / 1024, nr / 1024, lr / nr,
            "yes" if ok else "**no**"))
    caches = sorted({sd.cache for w in workloads for sd in res[w[0]].values()
                     if getattr(sd, "cache", None)})
    lines += ["", "## Which loop ran", "",
              "The skinny products (`X v`, `X^T d`, and `X W`, `X^T G` with "
              "up to 16 columns) run in luaml's own loops or in BLAS, chosen "
              "per kind and size once per machine (`ml.kernels()`): the first "
              "products of a kind and size run on both paths in turn, each "
              "timed with the work up to the next such product (the other "
              "undecided kinds of the step run the same path, and keep the "
              "same choice), and luaml's loop is "
              "kept only when its median is 5%% faster; the choice is written "
              "to a cache file and read by every later process. How: "
              "`measured` (in that run), `cached` (read from the cache), "
              "`forced` (LUAML_KERNEL), `default` (undecided, on the path of "
              "the kind being measured). The cache: %s." % (
                  ("a new file for this benchmark (%s), so the first luaml "
                   "run measured and the later runs read it" % kcache)
                  if kcache else
                  ("the user's, " + ", ".join(caches) if caches else "none")),
              "", "path(how) of every luaml run, with the number of runs:", "",
              "| workload | side | product, size (multiply-adds) | path (runs) |",
              "| --- | --- | --- | --- |"]
    for w in workloads:
        for side, sd in res[w[0]].items():
            for k, paths in sorted(sd.kernels.items()):
                lines.append("| %s | %s | %s | %s |" % (
                    w[1], side, k.replace("|", ", "),
                    ", ".join("%s (%d)" % pv for pv in sorted(paths.items()))))
    kl = cache_lines(kcache or (caches[0] if len(caches) == 1 else None))
    if kl:
        lines += ["", "The cache's lines at the end (key: %s):" % kl[0][0], "",
                  "| product | size class | path | own ns/madd | BLAS ns/madd |",
                  "| --- | --- | --- | ---: | ---: |"]
        size = {"0": "< 2^21", "1": "2^21 .. 2^24", "2": ">= 2^24"}
        lines += ["| %s | %s | %s | %s | %s |" % (c[1], size.get(c[2], c[2]),
                                                   c[3], c[4], c[5]) for c in kl]
    lines += ["", "## Checksums", ""]
    bad = []
    for w in workloads:
        npy = res[w[0]]["numpy"]
        for side in ("luaml",) + VARIANTS.get(w[0], ()):
            for name, v in (res[w[0]][side].checks or {}).items():
                u = (npy.checks or {}).get(name)
                if u is None or not agree(v, u):
                    bad.append("%s %s [%s]: luaml %.17g, numpy %s" % (
                        w[0], name, side, v, u))
                if side == "luaml" and w[0] in THIRD:
                    u = (res[w[0]]["third"].checks or {}).get(name)
                    if u is None or not agree(v, u):
                        bad.append("%s %s: luaml %.17g, %s %s" % (
                            w[0], name, v, THIRD[w[0]][0], u))
    if bad:
        lines += ["Checksums that differ (the two sides did not compute the "
                  "same thing):", ""] + ["- " + b for b in bad]
    else:
        lines.append("Every checksum of luaml agrees with numpy's (relative "
                     "difference below 1e-6).")
    if acc:
        lines += ["", "## Accuracy of the vector functions", "",
                  "SLEEF's exp, log, tanh (and sigmoid built on exp) against "
                  "glibc's libm, per instruction set this CPU runs (from "
                  "spec/c/test_simd.c, which asserts these bounds; special "
                  "values, overflow and underflow are libm's exactly):", ""]
        lines += ["- " + a for a in acc]
    lines += ["", "Targets missed: " + (", ".join(misses) if misses else "none"),
              "", "Ratios more than 10% worse than in the file this one "
              "replaced: " + ("; ".join(worse) if worse else "none"), ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--luaml", default=os.path.join(ROOT, "build", "luaml"))
    ap.add_argument("--out", default="",
                    help="default: bench/results/<cpu>.md")
    ap.add_argument("--only", default="", help="workload ids, e.g. 1,3")
    ap.add_argument("--user-cache", action="store_true",
                    help="luaml reads and writes the user's cache of kernel "
                    "choices, not a new one")
    a = ap.parse_args()
    only = set(a.only.split(",")) if a.only else None
    workloads = [w for w in WORKLOADS if only is None or w[0] in only]
    luaml = os.path.abspath(a.luaml)
    env = bench_env()

    def log(msg):
        sys.stderr.write("bench: " + msg + "\n")

    tmp = None
    if not a.user_cache:  # a new cache of kernel choices, for this run only
        tmp = tempfile.TemporaryDirectory(prefix="luaml-bench-")
        env["LUAML_KERNEL_CACHE"] = os.path.join(tmp.name, "kernels")
    info = machine(luaml, env)
    if not a.out:
        os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
        a.out = os.path.join(HERE, "results", cpu_slug(cpu_model()[0]) + ".md")
    res = measure(workloads, a.runs, luaml, env, log)
    bad = report(workloads, res, a.runs, info, a.out, accuracy(luaml),
                 loadavg(), env.get("LUAML_KERNEL_CACHE"))
    if tmp is not None:
        tmp.cleanup()
    with open(a.out) as f:
        sys.stdout.write(f.read())
    if bad:
        sys.exit("bench: checksums differ")


if __name__ == "__main__":
    main()
