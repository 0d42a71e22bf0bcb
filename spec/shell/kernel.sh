#!/bin/sh
# kernel.sh BUILD -- the Jupyter kernel with Jupyter's own tools (TAP):
# spec/shell/kernel_client.py drives one kernel through jupyter_client (every
# message type, signatures, interrupts, restart, malformed messages); the
# notebooks of examples/notebooks are in sync with their lessons and run in
# one `jupyter nbconvert --execute` (fast mode), with a showcase notebook (a
# matrix table, an inline plot) rendered to HTML and photographed by headless
# Chromium into BUILD/tests/kernel/ for a human to look at.
# The kernelspec is installed into a temporary JUPYTER_PATH, pointing at
# BUILD/luaml; nothing outside BUILD/tests/kernel is written.
build=${1:-build}
# (make sanitize preloads the ASan runtime into every child: its host needs
# none, being built with it, and Python and Chromium must not get it)
unset LD_PRELOAD
out=$build/tests/kernel
py=/usr/bin/python3
rm -rf "$out"; mkdir -p "$out/jupyter" "$out/run" "$out/src"
export JUPYTER_PATH="$PWD/$out/jupyter/share/jupyter" JUPYTER_DATA_DIR="$PWD/$out/jupyter/data"
export JUPYTER_RUNTIME_DIR="$PWD/$out/jupyter/runtime" JUPYTER_CONFIG_DIR="$PWD/$out/jupyter/config"
export PYDEVD_DISABLE_FILE_VALIDATION=1 LUAML_FAST=1
"$build/luaml" --install-kernel --prefix "$out/jupyter" > "$out/install.log" 2>&1

# the client checks print their own TAP plan; ours are numbered after them
$py spec/shell/kernel_client.py 2> "$out/client.log" > "$out/client.tap"
n=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$out/client.tap")
[ -n "$n" ] || { n=0; echo "not ok 0 - kernel_client.py printed no plan"; tail -20 "$out/client.log" | sed 's/^/#   /'; }
echo "1..$((n + 6))"
grep -v '^1\.\.' "$out/client.tap"
t=$n
ok() { t=$((t + 1)); echo "ok $t - $1"; }
notok() { t=$((t + 1)); echo "not ok $t - $1"; shift; for f in "$@"; do tail -15 "$f" | sed 's/^/#   /'; done; }

if grep -q '"argv": \[".*luaml", "--kernel", "{connection_file}"\]' \
     "$out/jupyter/share/jupyter/kernels/luaml/kernel.json" &&
   [ -s "$out/jupyter/share/jupyter/kernels/luaml/logo-64x64.png" ] &&
   jupyter kernelspec list 2>/dev/null | grep -q "^ *luaml "; then
  ok "--install-kernel: kernel.json and logos; jupyter kernelspec list shows luaml"
else notok "--install-kernel: kernelspec" "$out/install.log"; fi

if $py tools/mknotebooks.py --check > "$out/sync.log" 2>&1; then
  ok "examples/notebooks are in sync with their lessons"
else notok "examples/notebooks are out of date (python3 tools/mknotebooks.py)" "$out/sync.log"; fi

# a showcase notebook: a matrix (HTML table), a plot inline, print, display
$py - "$out/src/showcase.ipynb" <<'PY'
import json, sys
cells = ["A = ml.matrix{{56, 0, 4.4, 68}, {1.2, 104, 52, 8}, {1.8, 135, 99, 0.9}}\n100 * A / A:sum(1)",
         "ml.seed(1)\nlocal X, y = ml.datasets.xor(200)\nprint('points:', X.rows)\n"
         "ml.plot.scatter(nil, X, y, {title = 'XOR'})",
         "display(ml.arange(1, 2000):reshape(40, 50))"]
nb = {"cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None,
                 "outputs": [], "source": c} for i, c in enumerate(cells)],
      "metadata": {"kernelspec": {"name": "luaml", "display_name": "luaml", "language": "lua"}},
      "nbformat": 4, "nbformat_minor": 5}
json.dump(nb, open(sys.argv[1], "w"))
PY
# the notebooks run where they are meant to: examples/notebooks (their paths
# are relative to it); the executed copies go to $out/run
top=$PWD
if (cd examples/notebooks && jupyter nbconvert --execute --to notebook \
      --ExecutePreprocessor.timeout=300 --output-dir "$top/$out/run" \
      *.ipynb "$top/$out/src/showcase.ipynb") > "$out/nbconvert.log" 2>&1; then
  ok "jupyter nbconvert --execute runs every notebook ($(ls examples/notebooks/*.ipynb | wc -l) lessons and the showcase)"
else notok "jupyter nbconvert --execute" "$out/nbconvert.log"; fi

if $py - "$out/run" <<'PY' > "$out/outputs.log" 2>&1
import json, os, sys
d = sys.argv[1]
for n in sorted(os.listdir(d)):
    if not n.endswith(".ipynb"):
        continue
    nb = json.load(open(os.path.join(d, n)))
    outs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    errs = [o for o in outs if o["output_type"] == "error"]
    assert not errs, (n, errs)
    assert outs, (n, "no outputs: not executed")
    kinds = {k for o in outs for k in o.get("data", {})}
    print(n, len(outs), "outputs", sorted(kinds))
    if n in ("showcase.ipynb", "14_xor_donut.ipynb", "10_mnist_softmax.ipynb"):
        assert "image/svg+xml" in kinds, (n, "no inline plot")
    if n == "showcase.ipynb":
        assert "text/html" in kinds, (n, "no HTML table")
PY
then ok "the executed notebooks: outputs, no errors, inline SVG plots, HTML tables"
else notok "the executed notebooks' outputs" "$out/outputs.log"; fi

# The HTML page of the executed showcase, by nbconvert's HTML exporter.
# Debian's nbconvert 6.5 passes inline SVG through lxml's clean_html, which
# drops the drawing (its template looks for svg_filename, which nothing
# sets): the page keeps the plot's own SVG, as the notebook server shows it.
if $py - "$out/run/showcase.ipynb" "$out/showcase.html" > "$out/html.log" 2>&1 <<'PY' &&
import sys, nbformat
from nbconvert import HTMLExporter
exporter = HTMLExporter()
exporter.register_filter("clean_html", lambda s: s)
body, _ = exporter.from_notebook_node(nbformat.read(sys.argv[1], as_version=4))
open(sys.argv[2], "w", encoding="utf-8").write(body)
PY
   grep -q "<circle" "$out/showcase.html" && grep -q "<table" "$out/showcase.html"; then
  ok "the showcase renders to HTML with its table and plot ($out/showcase.html)"
else notok "nbconvert's HTML exporter" "$out/html.log"; fi

browser=$(command -v chromium || command -v chromium-browser)
profile=$(mktemp -d)
if [ -n "$browser" ] && timeout 60 "$browser" --headless --no-sandbox --disable-gpu \
     --disable-quic --no-first-run --disable-background-networking \
     --disable-component-update --disable-sync --user-data-dir="$profile" \
     --window-size=1000,1400 --screenshot="$PWD/$out/showcase.png" \
     "file://$PWD/$out/showcase.html" > "$out/chromium.log" 2>&1 &&
   [ -s "$out/showcase.png" ]; then
  ok "headless Chromium screenshot of the notebook: $out/showcase.png"
else notok "headless Chromium screenshot" "$out/chromium.log"; fi
rm -rf "$profile"
