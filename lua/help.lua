-- help.lua: the documentation of every public function of luaml, the one
-- source for ml.help (the REPL's help() and ?name) and for the reference
-- section of the README (tools/gendoc.lua prints it as Markdown).
--
-- Each doc is a block of text (in [=[ ]=] since signatures hold "]]"):
--   signature lines, one per name it documents (ml.f(...) or m:f(...))
--   a blank line, then the description (plain text, may span paragraphs)
--   the example: lines starting with "> " are typed at the REPL, the
--   lines after each are what the REPL prints (spec/09_help_spec.lua runs
--   every example through build/luaml and compares).
-- Functions that are also matrix methods (ml.exp(m) == m:exp()) are
-- documented once, as ml.f; m:f finds that doc.
local ml = ...

-- The blocks are kept as written and parsed on first use, so that loading
-- the library stays fast.
local raw = {}        -- in order: {title =, intro =, blocks = {text...}}
local sections        -- parsed: {title =, intro =, docs = {doc...}}
local byname          -- "ml.exp", "m:exp_" -> doc

local function section(title, intro)
  raw[#raw + 1] = {title = title, intro = intro, blocks = {}}
end

local function doc(block)
  local b = raw[#raw].blocks
  b[#b + 1] = block
end

-- Parse one doc block into {names, sigs, text, example}, filed under its
-- names in byname.
local function parsedoc(block)
  local sigs, body = block:match("^(.-)\n\n(.*)$")
  assert(sigs, "a doc needs signature lines, a blank line, a description")
  local d = {sigs = {}, names = {}}
  for line in sigs:gmatch("[^\n]+") do
    local name = assert(line:match("^([%w_%.:]+)"), line)
    d.sigs[#d.sigs + 1] = line
    if byname[name] ~= d then d.names[#d.names + 1] = name end
    assert(byname[name] == nil or byname[name] == d, "two docs for " .. name)
    byname[name] = d
  end
  local text, example = body:match("^(.-)\n?(\n> .*)$")
  d.text = (text or body):gsub("%s+$", "")
  d.example = example and example:gsub("^\n", ""):gsub("%s+$", "") or nil
  return d
end

-- sections and byname from raw, once
local function parse()
  if sections then return end
  sections, byname = {}, {}
  for _, r in ipairs(raw) do
    local s = {title = r.title, intro = r.intro, docs = {}}
    for _, block in ipairs(r.blocks) do s.docs[#s.docs + 1] = parsedoc(block) end
    sections[#sections + 1] = s
  end
end

---------------------------------------------------------------------------
section("Creating matrices", [=[
A matrix is a 2-D array of doubles: a vector is 1 x n or n x 1. Indices
are 1-based; a negative index counts from the end (-1 is the last).]=])

doc [=[
ml.matrix(t) -> matrix

A matrix from a table of rows ({{1, 2}, {3, 4}} is 2x2), a flat table
(one row: {1, 2, 3} is 1x3), a number (1x1) or a matrix (a copy). The
rows go in one table: ml.matrix({1, 2}, {3, 4}) is an error, and so is
ml.matrix(3, 4) (for a shape, ml.zeros(3, 4)).

> ml.matrix{{1, 2, 3}, {4, 5, 6}}
matrix 2x3
 1 2 3
 4 5 6
> ml.matrix{1, 2, 3}
matrix 1x3
 1 2 3
]=]

doc [=[
ml.zeros(r, c) -> matrix
ml.zeros(n) -> matrix

An r x c matrix of zeros. With one size, a 1 x n row: numpy's zeros(n)
is a vector of n, and a vector here is a row (ml.zeros(n, 1) for a
column).

> ml.zeros(2, 3)
matrix 2x3
 0 0 0
 0 0 0
]=]

doc [=[
ml.ones(r, c) -> matrix
ml.ones(n) -> matrix

An r x c matrix of ones; with one size, a 1 x n row (as ml.zeros).

> ml.ones(2, 2)
matrix 2x2
 1 1
 1 1
> ml.ones(3)
matrix 1x3
 1 1 1
]=]

doc [=[
ml.full(r, c, v) -> matrix

An r x c matrix filled with v.

> ml.full(2, 2, 7)
matrix 2x2
 7 7
 7 7
]=]

doc [=[
ml.eye(n [, c]) -> matrix

The n x n identity matrix (n x c with ones on the diagonal).

> ml.eye(3)
matrix 3x3
 1 0 0
 0 1 0
 0 0 1
]=]

doc [=[
ml.arange(a, b [, step=1]) -> matrix
ml.arange(n) -> matrix

A row counting from a by step, like Lua's numeric for: b is included
when reached, up to rounding (0 to 0.3 by 0.1 ends at 0.3 itself), and
never passed. ml.arange(n) is 1..n.

> ml.arange(1, 5)
matrix 1x5
 1 2 3 4 5
> ml.arange(0, 1, 0.25)
matrix 1x5
 0.00 0.25 0.50 0.75 1.00
]=]

doc [=[
ml.linspace(a, b [, n=50]) -> matrix

A row of n evenly spaced values from a to b, both included: numpy's
linspace, to the last bit.

> ml.linspace(0, 1, 5)
matrix 1x5
 0.00 0.25 0.50 0.75 1.00
]=]

doc [=[
ml.rand([r [, c]]) -> matrix or number
ml.random.rand([r [, c]]) -> matrix or number

Uniform random numbers in [0, 1) from the module's generator (see
ml.seed); with no arguments, one number, with one size n a 1 x n row
(numpy's rand(n) gives n values). Filled in row-major (numpy's C)
order.

> ml.seed(42)
> ml.rand(2, 3)
matrix 2x3
 0.08386297 0.37898025 0.68004341
 0.92469295 0.99180391 0.76973946
]=]

doc [=[
ml.randn([r [, c]]) -> matrix or number
ml.random.randn([r [, c]]) -> matrix or number

Standard normal random numbers (mean 0, standard deviation 1); with no
arguments, one number, with one size n a 1 x n row.

> ml.seed(42)
> ml.randn(2, 3)
matrix 2x3
 -0.72621914 -0.21119692  0.22162270
  0.52277169  0.46417731  0.74097889
]=]

doc [=[
ml.seed(n [, "numpy"])
ml.random.seed(n [, "numpy"])

Restart the generator (xoshiro256**) of this Lua state: the same seed
gives the same numbers on every machine. Unseeded, each run differs.

ml.seed(n, "numpy") switches to numpy's legacy generator (MT19937 seeded
as np.random.seed(n), 0 <= n < 2^32, with numpy's algorithms for rand,
randn, permutation, choice and shuffle), so a course's np.random.seed(n) outputs
reproduce exactly: after ml.seed(1, "numpy"), ml.randn(2, 3) equals
np.random.seed(1); np.random.randn(2, 3) to the last bit (positions, as
from permutation and choice, are numpy's plus 1). ml.seed(n) switches
back to the default generator.

> ml.seed(1); a = ml.rand()
> ml.seed(1); b = ml.rand()
> a == b
true
> ml.seed(1, "numpy")
> ml.randn(1, 3)
matrix 1x3
  1.62434536 -0.61175641 -0.52817175
]=]

doc [=[
ml.permutation(n) -> matrix
ml.random.permutation(n) -> matrix

A 1 x n row holding 1..n in random order: shuffled row indices for
m:take.

> ml.seed(3)
> ml.permutation(5)
matrix 1x5
 5 2 1 3 4
]=]

doc [=[
ml.random.choice(n, k [, replace=true]) -> matrix

A 1 x k row of draws from 1..n: with replacement by default, else k
distinct values (k <= n). numpy's choice(n, k) plus 1, to the last draw
after ml.seed(s, "numpy").

> ml.seed(1, "numpy")
> ml.random.choice(10, 4, false)
matrix 1x4
  3 10  7  5
]=]

doc [=[
ml.random.shuffle(m) -> m

Shuffle the rows of m in place (a row vector: its elements), as numpy's
shuffle, with the draws of ml.permutation(m.rows); returns m.

> ml.seed(3, "numpy")
> ml.random.shuffle(ml.matrix{0, 1, 2, 3, 4, 5})
matrix 1x6
 3 5 4 1 0 2
]=]

doc [=[
ml.hstack{m1, m2, ...} -> matrix
ml.vstack{m1, m2, ...} -> matrix

Matrices side by side (hstack: equal row counts) or one above the other
(vstack: equal column counts). Numbers count as 1x1 matrices, tables as
ml.matrix would read them.

> ml.hstack{ml.ones(2, 1), ml.zeros(2, 2)}
matrix 2x3
 1 0 0
 1 0 0
> ml.vstack{ml.matrix{1, 2}, ml.matrix{3, 4}}
matrix 2x2
 1 2
 3 4
]=]

doc [=[
ml.ismatrix(v) -> boolean

True when v is a matrix.

> ml.ismatrix(ml.ones(1)), ml.ismatrix({1})
true	false
]=]

doc [=[
m:totable() -> table

The elements as a Lua table of rows.

> ml.matrix{{1, 2}, {3, 4}}:totable()
{{1.0, 2.0}, {3.0, 4.0}}
]=]

doc [=[
ml.version

The version of luaml, a string.

> ml.version
0.1.0
]=]

---------------------------------------------------------------------------
section("Shape, elements and views", [=[
Views share storage with the matrix they come from and never copy:
writing through a view changes the original.]=])

doc [=[
matrix

A matrix value: m.rows and m.cols are its shape, #m is m.rows, m(i, j)
is m:get(i, j), m[i] an element of a vector. Operators + - * / ^ % and
unary - work elementwise with broadcasting (numbers on either side);
a == b is true when both have one shape and equal elements; tostring(m)
prints like numpy (shape, aligned columns, ... for large matrices).
Methods: every ml function that takes a matrix first (m:sum(),
m:exp(), m:dot(b)) and the shape and view methods; help(m) lists them.

> m = ml.matrix{{1, 2, 3}, {4, 5, 6}}
> m.rows, m.cols, #m, m(2, 3)
2	3	2	6.0
> m * 10 + 1
matrix 2x3
 11 21 31
 41 51 61
]=]

doc [=[
m:shape() -> rows, cols

The shape as two numbers.

> ml.zeros(2, 3):shape()
2	3
]=]

doc [=[
m:size() -> number

The number of elements, rows * cols.

> ml.zeros(2, 3):size()
6
]=]

doc [=[
m:get(i, j) -> number
m:get(i) -> number

Element (i, j); for a vector, element i. Negative indices count from the
end. m(i, j) is the same.

> m = ml.matrix{{1, 2}, {3, 4}}
> m:get(2, 1), m:get(-1, -1)
3.0	4.0
]=]

doc [=[
m:set(i, j, v) -> m
m:set(i, v) -> m

Set element (i, j) (for a vector, element i) to v; returns m.

> m = ml.zeros(2, 2)
> m:set(1, 2, 5)
matrix 2x2
 0 5
 0 0
]=]

doc [=[
m:T() -> matrix
m:t() -> matrix
m:transpose() -> matrix
ml.transpose(m) -> matrix

The transpose, a view: no copy, and products with it use BLAS's
transpose flags.

> ml.matrix{{1, 2, 3}}:T()
matrix 3x1
 1
 2
 3
]=]

doc [=[
m:slice(i1, i2 [, j1, j2]) -> matrix

A view of rows i1..i2 and columns j1..j2 (all columns when omitted),
inclusive; negative indices count from the end. X:slice(k, k + 63) is a
mini-batch.

> m = ml.matrix{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
> m:slice(2, 3, 1, 2)
matrix 2x2
 4 5
 7 8
]=]

doc [=[
m:row(i) -> matrix
m:col(j) -> matrix

Row i (1 x cols) or column j (rows x 1) as a view.

> m = ml.matrix{{1, 2}, {3, 4}}
> m:row(2)
matrix 1x2
 3 4
> m:col(-1)
matrix 2x1
 2
 4
]=]

doc [=[
m:copy() -> matrix
ml.copy(m) -> matrix
m:contiguous() -> matrix

copy: a new dense matrix with the same values. contiguous: m itself when
it is already dense row-major, else a copy.

> v = ml.ones(2, 2):T()
> c = v:copy(); c:set(1, 1, 9)
> v(1, 1), c(1, 1)
1.0	9.0
]=]

doc [=[
m:reshape(r [, c]) -> matrix
ml.reshape(m, r [, c]) -> matrix

The same elements in row-major order as r x c: a view when m is dense,
a copy otherwise. One of r, c may be -1 to infer it; reshape(r) alone
means r x -1.

> ml.arange(1, 6):reshape(2, 3)
matrix 2x3
 1 2 3
 4 5 6
> ml.arange(1, 6):reshape(-1, 2)
matrix 3x2
 1 2
 3 4
 5 6
]=]

doc [=[
m:take(idx [, axis=1]) -> matrix
ml.take(m, idx [, axis=1]) -> matrix

Gather rows (axis 1) or columns (axis 2) at the 1-based positions in
idx (a matrix or table); always a copy. With ml.permutation it
shuffles the samples of a data set.

> m = ml.matrix{{1, 2}, {3, 4}, {5, 6}}
> m:take{3, 1}
matrix 2x2
 5 6
 1 2
> m:take({2}, 2)
matrix 3x1
 2
 4
 6
]=]

doc [=[
m:fill_(v) -> m

Set every element to v, in place; returns m.

> ml.zeros(2, 2):fill_(3)
matrix 2x2
 3 3
 3 3
]=]

doc [=[
m:copy_(src) -> m

Copy src (broadcast to m's shape) into m, in place; returns m.

> ml.zeros(2, 3):copy_(ml.matrix{1, 2, 3})
matrix 2x3
 1 2 3
 1 2 3
]=]

doc [=[
m:close()

End the use of m at once (also what `local m <close> = ...` does): m
can no longer be used, and its memory returns at the collector's next
step. Views made from m before stay valid.

> do local tmp <close> = ml.zeros(1000, 1000) end
]=]

---------------------------------------------------------------------------
section("Arithmetic and comparisons", [=[
Elementwise with numpy's broadcasting: per dimension the sizes are equal
or one of them is 1; numbers broadcast on either side. Each function is
also a method (ml.add(a, b) == a:add(b) == a + b). The optional 'out'
matrix receives the result instead of a new matrix. The _ variants work
in place on m (b must broadcast to m's shape) and return m.]=])

doc [=[
ml.add(a, b [, out]) -> matrix
m:add_(b [, scale]) -> m

a + b. m:add_(g, s) adds s * g in place: w:add_(g, -lr) is a gradient
step.

> ml.matrix{{1, 2}, {3, 4}} + ml.matrix{10, 20}
matrix 2x2
 11 22
 13 24
> w = ml.ones(1, 2)
> w:add_(ml.matrix{1, 2}, -0.5)
matrix 1x2
 0.5 0.0
]=]

doc [=[
ml.sub(a, b [, out]) -> matrix
m:sub_(b [, scale]) -> m

a - b. m:sub_(g, s) subtracts s * g in place.

> ml.matrix{{1, 2}, {3, 4}} - ml.matrix{{1}, {2}}
matrix 2x2
 0 1
 1 2
]=]

doc [=[
ml.mul(a, b [, out]) -> matrix
m:mul_(b) -> m

a * b elementwise (for the matrix product use ml.dot).

> ml.matrix{1, 2, 3} * 2
matrix 1x3
 2 4 6
]=]

doc [=[
ml.div(a, b [, out]) -> matrix
m:div_(b) -> m

a / b elementwise. Dividing by column sums is the calories example.

> cal = ml.matrix{{56, 0, 4.4, 68}, {1.2, 104, 52, 8}, {1.8, 135, 99, 0.9}}
> 100 * cal / cal:sum(1)
matrix 3x4
 94.91525424  0.00000000  2.83140283 88.42652796
  2.03389831 43.51464435 33.46203346 10.40312094
  3.05084746 56.48535565 63.70656371  1.17035111
]=]

doc [=[
ml.pow(a, b [, out]) -> matrix
m:pow_(b) -> m

a ^ b elementwise.

> ml.matrix{1, 2, 3} ^ 2
matrix 1x3
 1 4 9
]=]

doc [=[
ml.mod(a, b [, out]) -> matrix
m:mod_(b) -> m

a % b elementwise, with Lua's sign rule (the result has b's sign).

> ml.matrix{5, -5, 7} % 3
matrix 1x3
 2 1 1
]=]

doc [=[
ml.maximum(a, b [, out]) -> matrix
ml.minimum(a, b [, out]) -> matrix
m:maximum_(b) -> m
m:minimum_(b) -> m

The larger (smaller) of a and b for each element (not a reduction: for
the largest element use m:max()).

> ml.maximum(ml.matrix{-1, 0, 2}, 0)
matrix 1x3
 0 0 2
> ml.minimum(ml.matrix{-1, 0, 2}, 1)
matrix 1x3
 -1  0  1
]=]

doc [=[
ml.atan2(y, x [, out]) -> matrix
m:atan2_(x) -> m

The angle of the point (x, y), elementwise, in radians.

> ml.atan2(ml.matrix{1, -1}, ml.matrix{1, 1})
matrix 1x2
  0.78539816 -0.78539816
]=]

doc [=[
ml.eq(a, b [, out]) -> matrix
ml.ne(a, b [, out]) -> matrix
ml.lt(a, b [, out]) -> matrix
ml.le(a, b [, out]) -> matrix
ml.gt(a, b [, out]) -> matrix
ml.ge(a, b [, out]) -> matrix
m:eq_(b) -> m
m:ne_(b) -> m
m:lt_(b) -> m
m:le_(b) -> m
m:gt_(b) -> m
m:ge_(b) -> m

Comparisons, elementwise: 1 where true, 0 where false (a == b compares
whole matrices and gives a boolean). Lua's <, <=, >, >= must give a
boolean, so on a matrix they are an error that names the method: P >
0.5 is written P:gt(0.5).

> x = ml.matrix{1, 2, 3}
> x:gt(1), x:eq(2)
matrix 1x3
 0 1 1
matrix 1x3
 0 1 0
> (x:gt(1) * x):sum()
5.0
]=]

doc [=[
ml.neg(m [, out]) -> matrix
m:neg_() -> m

The negation, -x for each element (what unary - does).

> ml.neg(ml.matrix{1, -2})
matrix 1x2
 -1  2
]=]

---------------------------------------------------------------------------
section("Elementwise functions", [=[
Each applies to every element; a number gives a number (ml.exp(0) is
1.0). Each is also a method (m:exp()); the _ variant (m:exp_()) works in
place and returns m; 'out' receives the result instead of a new matrix.]=])

doc [=[
ml.exp(m [, out]) -> matrix
m:exp_() -> m

e^x, the exponential of each element.

> ml.exp(ml.matrix{0, 1})
matrix 1x2
 1.00000000 2.71828183
]=]

doc [=[
ml.log(m [, out]) -> matrix
m:log_() -> m

The natural logarithm (log(0) is -inf, a negative number gives nan).

> ml.log(ml.matrix{1, math.exp(2)})
matrix 1x2
 0 2
]=]

doc [=[
ml.log1p(m [, out]) -> matrix
m:log1p_() -> m

log(1 + x), accurate for small x.

> ml.log1p(ml.matrix{0, 1e-10})
matrix 1x2
 0e+00 1e-10
]=]

doc [=[
ml.expm1(m [, out]) -> matrix
m:expm1_() -> m

e^x - 1, accurate for small x.

> ml.expm1(ml.matrix{0, 1e-10})
matrix 1x2
 0e+00 1e-10
]=]

doc [=[
ml.softplus(m [, out]) -> matrix
m:softplus_() -> m

log(1 + e^x), a smooth relu, computed without overflow (numpy's
logaddexp(0, x)); its derivative is sigmoid(x).

> ml.softplus(ml.matrix{-1, 0, 1})
matrix 1x3
 0.31326169 0.69314718 1.31326169
]=]

doc [=[
ml.log2(m [, out]) -> matrix
ml.log10(m [, out]) -> matrix
m:log2_() -> m
m:log10_() -> m

Logarithms to base 2 and 10.

> ml.log2(ml.matrix{1, 8}), ml.log10(ml.matrix{1, 1000})
matrix 1x2
 0 3
matrix 1x2
 0 3
]=]

doc [=[
ml.sqrt(m [, out]) -> matrix
m:sqrt_() -> m

The square root of each element (a negative number gives nan).

> ml.sqrt(ml.matrix{1, 4, 9})
matrix 1x3
 1 2 3
]=]

doc [=[
ml.square(m [, out]) -> matrix
m:square_() -> m

x * x, the square of each element.

> ml.square(ml.matrix{-2, 3})
matrix 1x2
 4 9
]=]

doc [=[
ml.abs(m [, out]) -> matrix
m:abs_() -> m

The absolute value of each element.

> ml.abs(ml.matrix{-2, 3})
matrix 1x2
 2 3
]=]

doc [=[
ml.sign(m [, out]) -> matrix
m:sign_() -> m

-1, 0 or 1 by the sign of each element.

> ml.sign(ml.matrix{-2, 0, 3})
matrix 1x3
 -1  0  1
]=]

doc [=[
ml.reciprocal(m [, out]) -> matrix
m:reciprocal_() -> m

1 / x, the reciprocal of each element.

> ml.reciprocal(ml.matrix{2, 4})
matrix 1x2
 0.50 0.25
]=]

doc [=[
ml.floor(m [, out]) -> matrix
ml.ceil(m [, out]) -> matrix
ml.round(m [, out]) -> matrix
m:floor_() -> m
m:ceil_() -> m
m:round_() -> m

Round down, up, or to the nearest integer (halves to the even one, as
numpy does: 0.5 and -0.5 round to 0, 1.5 to 2).

> x = ml.matrix{-1.5, 0.5, 1.2}
> x:floor(), x:ceil(), x:round()
matrix 1x3
 -2  0  1
matrix 1x3
 -1  1  2
matrix 1x3
 -2  0  1
]=]

doc [=[
ml.clip(m, lo, hi [, out]) -> matrix
m:clip_(lo, hi) -> m

Limit each element to [lo, hi]; nil leaves that side open.

> ml.clip(ml.matrix{-2, 0.5, 3}, 0, 1)
matrix 1x3
 0.0 0.5 1.0
]=]

doc [=[
ml.sin(m [, out]) -> matrix
ml.cos(m [, out]) -> matrix
ml.tanh(m [, out]) -> matrix
m:sin_() -> m
m:cos_() -> m
m:tanh_() -> m

Sine and cosine (radians), and the hyperbolic tangent, an activation
with outputs in (-1, 1).

> ml.tanh(ml.matrix{-1, 0, 1})
matrix 1x3
 -0.76159416  0.00000000  0.76159416
]=]

doc [=[
ml.isnan(m [, out]) -> matrix
ml.isinf(m [, out]) -> matrix
m:isnan_() -> m
m:isinf_() -> m

1 where the element is NaN (or infinite), else 0.

> x = ml.matrix{1, 0/0, 1/0}
> x:isnan(), x:isinf()
matrix 1x3
 0 1 0
matrix 1x3
 0 0 1
]=]

---------------------------------------------------------------------------
section("Reductions", [=[
With no axis, a Lua number. Axis 1 collapses the rows (the result is
1 x cols, numpy's axis=0); axis 2 collapses the columns (rows x 1,
numpy's axis=1 with keepdims). Each is also a method (m:sum(1)).]=])

doc [=[
ml.sum(m [, axis]) -> number or matrix

The sum of the elements (0 for an empty matrix).

> m = ml.matrix{{1, 2}, {3, 4}}
> m:sum(), m:sum(1), m:sum(2)
10.0
matrix 1x2
 4 6
matrix 2x1
 3
 7
]=]

doc [=[
ml.mean(m [, axis]) -> number or matrix

The mean (NaN for an empty matrix).

> ml.matrix{{1, 2}, {3, 4}}:mean(1)
matrix 1x2
 2 3
]=]

doc [=[
ml.max(m [, axis]) -> number or matrix
ml.min(m [, axis]) -> number or matrix

The largest (smallest) element; an empty matrix is an error. For the
elementwise larger of two matrices use ml.maximum.

> m = ml.matrix{{1, 5}, {3, 2}}
> m:max(), m:min(2)
5.0
matrix 2x1
 1
 2
]=]

doc [=[
ml.argmax(m [, axis]) -> integer or matrix
ml.argmin(m [, axis]) -> integer or matrix

The 1-based position of the largest (smallest) element: with no axis,
in row-major order; by axis, a matrix of positions. A predicted class
value (0..k-1) is P:argmax(2) - 1.

> P = ml.matrix{{0.1, 0.7, 0.2}, {0.8, 0.1, 0.1}}
> P:argmax(2) - 1
matrix 2x1
 1
 0
> P:argmax()
4
]=]

doc [=[
ml.prod(m [, axis]) -> number or matrix

The product of the elements (1 for an empty matrix).

> ml.matrix{1, 2, 3, 4}:prod()
24.0
]=]

doc [=[
ml.var(m [, axis [, ddof=0]]) -> number or matrix
ml.std(m [, axis [, ddof=0]]) -> number or matrix

Variance and standard deviation: population statistics (ddof 0) like
numpy's; ddof = 1 gives the sample statistics. Options may also come
as a table: m:std{axis = 1, ddof = 1}.

> x = ml.matrix{2, 4, 4, 4, 5, 5, 7, 9}
> x:std(), x:var(nil, 1)
2.0	4.5714285714286
]=]

doc [=[
ml.norm(m [, axis]) -> number or matrix

The Euclidean (Frobenius) norm: the square root of the sum of squares.

> ml.matrix{3, 4}:norm()
5.0
]=]

doc [=[
ml.nansum(m [, axis]) -> number or matrix

The sum, skipping NaN elements.

> ml.matrix{1, 0/0, 2}:nansum()
3.0
]=]

doc [=[
ml.any(m [, axis]) -> number or matrix
ml.all(m [, axis]) -> number or matrix

1 when any (all) elements are nonzero, else 0.

> x = ml.matrix{0, 1, 2}
> x:any(), x:all()
1.0	0.0
]=]

doc [=[
ml.cumsum(m [, axis]) -> matrix

Running sums: along a row vector by default, else down the rows (axis
1); axis 2 runs along each row.

> ml.cumsum(ml.matrix{1, 2, 3, 4})
matrix 1x4
  1  3  6 10
]=]

---------------------------------------------------------------------------
section("Selection and ordering", [=[
What numpy users reach for: masks, where, sorting, unique values,
diagonals, medians and quantiles. Each is also a method (X:sort()).
Axis 1 works down each column, axis 2 along each row, as for the
reductions; positions are 1-based. Lua's < <= > >= cannot return a
matrix: write X:gt(0.5) (lt, le, ge, eq, ne) for a 0/1 mask.]=])

doc [=[
ml.where(cond, a, b) -> matrix

a where cond is nonzero, else b, elementwise (numpy's where(cond, a,
b)); cond, a and b broadcast, numbers are scalars. NaN in cond counts as
true.

> X = ml.matrix{{-1, 2}, {3, -4}}
> ml.where(X:gt(0), X, 0)
matrix 2x2
 0 2
 3 0
]=]

doc [=[
m:mask(mask [, axis]) -> matrix

numpy's X[mask] for a 0/1 mask: a vector of m.rows entries selects the
rows where it is nonzero; a mask of m's shape selects elements (a 1 x k
row, in row-major order); axis 2 (or a row m) selects columns. X[mask]
itself is an error that points here.

> X = ml.matrix{{1, 2}, {3, 4}, {5, 6}}
> X:mask(ml.matrix{{1}, {0}, {1}})
matrix 2x2
 1 2
 5 6
> X:mask(X:gt(2))
matrix 1x4
 3 4 5 6
]=]

doc [=[
ml.sort(m [, axis]) -> matrix
ml.argsort(m [, axis]) -> matrix

Sorted values (sort) or the 1-based positions that sort them (argsort),
ascending and stable: equal values keep their order; NaN goes last. A
vector is sorted along itself, a matrix along each row (axis 2, numpy's
default); axis 1 sorts each column.

> v = ml.matrix{3, 1, 2, 1}
> v:sort()
matrix 1x4
 1 1 2 3
> v:argsort()
matrix 1x4
 2 4 3 1
]=]

doc [=[
ml.unique(m) -> values, counts

The distinct values of m, sorted (a 1 x u row), and how often each
occurs (1 x u): numpy's unique(m, return_counts=True). NaNs count as one
value.

> ml.unique(ml.matrix{{3, 1}, {3, 2}})
matrix 1x3
 1 2 3
matrix 1x3
 1 1 2
]=]

doc [=[
ml.diag(m [, k=0]) -> matrix

numpy's diag: of a matrix, its diagonal as a 1 x n row (a copy); of a
vector, the square matrix with it on the diagonal. k > 0 is a diagonal
above the main one, k < 0 below.

> ml.diag(ml.matrix{{1, 2}, {3, 4}})
matrix 1x2
 1 4
> ml.diag(ml.matrix{5, 6})
matrix 2x2
 5 0
 0 6
]=]

doc [=[
ml.median(m [, axis]) -> number or matrix
ml.quantile(m, q [, axis]) -> number or matrix

The median, and the q-quantile (0 <= q <= 1; a percentile p is q = p /
100) with numpy's default linear interpolation: of all elements (a
number) or by axis (1: of each column, 1 x c; 2: of each row, r x 1).
NaN in the data gives NaN.

> x = ml.matrix{1, 2, 3, 4}
> x:median(), x:quantile(0.25)
2.5	1.75
]=]

doc [=[
ml.cumprod(m [, axis]) -> matrix

Running products, as ml.cumsum: along a vector, else down the rows
(axis 1); axis 2 runs along each row.

> ml.cumprod(ml.matrix{1, 2, 3, 4})
matrix 1x4
  1  2  6 24
]=]

doc [=[
ml.allclose(a, b [, rtol=1e-5 [, atol=1e-8]]) -> boolean

true when every |a - b| <= atol + rtol * |b| (numpy's allclose; a and b
broadcast). Infinities must be equal; NaN is never close.

> ml.allclose(ml.matrix{1, 2}, ml.matrix{1, 2 + 1e-9})
true
]=]

doc [=[
ml.meshgrid(xs, ys) -> X, Y

numpy's meshgrid (xy indexing): X and Y are #ys x #xs, each row of X is
xs and each column of Y is ys: the grid on which to evaluate a function
of two variables, as for a decision boundary.

> X, Y = ml.meshgrid(ml.matrix{1, 2, 3}, ml.matrix{10, 20})
> X + Y
matrix 2x3
 11 12 13
 21 22 23
]=]

---------------------------------------------------------------------------
section("Products", [=[
Matrix products go through BLAS (dgemm, dgemv); transposed views are
passed as transpose flags, never copied.]=])

doc [=[
ml.dot(a, b [, out [, alpha [, beta]]]) -> matrix
ml.matmul(a, b [, out [, alpha [, beta]]]) -> matrix

The matrix product: a (n x k) times b (k x m) is n x m. A number on
either side scales. With alpha and beta it is BLAS's gemm,
out = alpha * a b + beta * out (alpha 1 and beta 0 when left out; a
beta other than 0 needs out): a gradient-descent step
W -= lr * dY^T X is ml.dot(X:T(), dY, W:T(), -lr, 1), with no gradient
matrix written and read back.

> X = ml.matrix{{1, 2}, {3, 4}}
> X:dot(ml.matrix{{1}, {1}})
matrix 2x1
 3
 7
> X:T():dot(X)
matrix 2x2
 10 14
 14 20
> ml.dot(X, X, ml.ones(2, 2), 1, 10)   -- X X + 10 * ones
matrix 2x2
 17 20
 25 32
]=]

doc [=[
ml.outer(u, v) -> matrix

The outer product of two vectors (any orientation): n x m.

> ml.outer(ml.matrix{1, 2}, ml.matrix{1, 10, 100})
matrix 2x3
   1  10 100
   2  20 200
]=]

doc [=[
ml.inner(a, b) -> number

The sum of the products of two vectors of one length (any orientation)
or of two matrices of one shape.

> ml.inner(ml.matrix{1, 2, 3}, ml.matrix{{4}, {5}, {6}})
32.0
]=]

---------------------------------------------------------------------------
section("Machine learning", [=[
Samples are rows (N x D); labels are an N x 1 column of class values
0..k-1, as stored in the data files.]=])

doc [=[
ml.sigmoid(m [, out]) -> matrix
m:sigmoid_() -> m

1 / (1 + e^-x), computed stably for large |x|.

> ml.sigmoid(ml.matrix{-1, 0, 1})
matrix 1x3
 0.26894142 0.50000000 0.73105858
]=]

doc [=[
ml.relu(m [, out]) -> matrix
m:relu_() -> m

max(x, 0): the rectified linear unit, an activation.

> ml.relu(ml.matrix{-1, 0, 2})
matrix 1x3
 0 0 2
]=]

doc [=[
ml.softmax(m [, axis=2 [, out]]) -> matrix

Softmax along axis 2 (each row sums to 1: rows are samples) or axis 1
(each column), computed stably (the maximum is subtracted first).

> ml.softmax(ml.matrix{{1, 2, 3}})
matrix 1x3
 0.09003057 0.24472847 0.66524096
]=]

doc [=[
ml.log_softmax(m [, axis=2 [, out]]) -> matrix

log(softmax(m)), computed without overflow or log(0).

> ml.log_softmax(ml.matrix{{1, 2, 3}})
matrix 1x3
 -2.40760596 -1.40760596 -0.40760596
]=]

doc [=[
ml.one_hot(labels [, k]) -> matrix

An N x k indicator matrix from N class values 0..k-1 (k defaults to the
largest label + 1).

> ml.one_hot(ml.matrix{{0}, {2}, {1}}, 3)
matrix 3x3
 1 0 0
 0 0 1
 0 1 0
]=]

doc [=[
ml.binary_cross_entropy(a, y) -> number

The mean of -(y log a + (1 - y) log(1 - a)): the logistic regression
cost for predictions a in (0, 1) and 0/1 targets y of one shape; safe
at 0 and 1.

> ml.binary_cross_entropy(ml.matrix{{0.9}, {0.2}}, ml.matrix{{1}, {0}})
0.16425203348602
]=]

doc [=[
ml.cross_entropy(p, t) -> number

The mean over samples of -sum(t log p) for N x k probabilities p and
targets t: N x k one-hot, or N x 1 class values.

> p = ml.matrix{{0.7, 0.2, 0.1}, {0.1, 0.8, 0.1}}
> ml.cross_entropy(p, ml.matrix{{0}, {1}})
0.28990924762647
]=]

doc [=[
ml.softmax_cross_entropy(z, t [, grad]) -> number [, matrix]

cross_entropy(softmax(z), t) from the logits z in one stable pass.
With grad = true, also the gradient with respect to z,
(softmax(z) - onehot(t)) / N; with a matrix for grad, it is filled.

> z = ml.matrix{{2, 1, 0}, {0, 2, 1}}
> loss, g = ml.softmax_cross_entropy(z, ml.matrix{{0}, {1}}, true)
> loss
0.40760596444438
> g
matrix 2x3
 -0.16737952  0.12236424  0.04501529
  0.04501529 -0.16737952  0.12236424
]=]

doc [=[
ml.sigmoid_cross_entropy(z, y [, grad]) -> number [, matrix]

binary_cross_entropy(sigmoid(z), y) from the logits z in one stable
pass, for 0/1 targets y of z's shape. With grad = true, also the
gradient with respect to z, (sigmoid(z) - y) / N; a matrix for grad
receives it (it may be z itself).

> z = ml.matrix{{2}, {-1}}
> loss, g = ml.sigmoid_cross_entropy(z, ml.matrix{{1}, {0}}, true)
> loss
0.2200948492806
> g
matrix 2x1
 -0.05960146
  0.13447071
]=]

doc [=[
ml.mse(a, b) -> number

The mean squared error of two matrices of one shape.

> ml.mse(ml.matrix{1, 2, 3}, ml.matrix{1, 2, 5})
1.3333333333333
]=]

doc [=[
ml.r2(y, yhat) -> number

The coefficient of determination R^2 of predictions yhat for targets y:
1 is perfect, 0 is as good as predicting the mean.

> ml.r2(ml.matrix{{1}, {2}, {3}}, ml.matrix{{1.1}, {1.9}, {3.2}})
0.97
]=]

doc [=[
ml.accuracy(pred, labels) -> number

The fraction of predictions equal to the labels. pred may also be an
N x k matrix of scores: its row argmax, as a class value 0..k-1, is
compared with the N labels (a label outside 0..k-1 is an error).

> ml.accuracy(ml.matrix{{0}, {1}, {1}}, ml.matrix{{0}, {1}, {0}})
0.66666666666667
> ml.accuracy(ml.matrix{{0.9, 0.1}, {0.3, 0.7}}, ml.matrix{{0}, {1}})
1.0
]=]

---------------------------------------------------------------------------
section("Linear algebra", [=[
Through LAPACK. The inputs are not changed; singular or ill-posed input
is a clear error (lstsq and pinv handle it).]=])

doc [=[
ml.solve(A, B) -> matrix

X with A X = B, for a square A (n x n) and B (n x k). A matrix singular
to double precision (reciprocal condition number below 2.2e-16, LAPACK's
dgecon) is an error, as for inv: use ml.lstsq.

> A = ml.matrix{{3, 1}, {1, 2}}
> ml.solve(A, ml.matrix{{9}, {8}})
matrix 2x1
 2
 3
]=]

doc [=[
ml.inv(A) -> matrix

The inverse of a square matrix (prefer solve for A X = B).

> ml.inv(ml.matrix{{4, 7}, {2, 6}})
matrix 2x2
  0.6 -0.7
 -0.2  0.4
]=]

doc [=[
ml.det(A) -> number

The determinant of a square matrix (0 when singular).

> ml.det(ml.matrix{{4, 7}, {2, 6}})
10.0
]=]

doc [=[
ml.lstsq(A, B [, rcond]) -> X, rank, s

The least-squares solution X minimising ||A X - B|| (any A), the rank
of A and its singular values. Linear regression: w = ml.lstsq(X, y).

> X = ml.matrix{{1, 0}, {1, 1}, {1, 2}}
> w, rank = ml.lstsq(X, ml.matrix{{1}, {3}, {5}})
> w
matrix 2x1
 1
 2
> rank
2
]=]

doc [=[
ml.pinv(A [, rcond=1e-15]) -> matrix

The Moore-Penrose pseudo-inverse, through the SVD (singular values
below rcond times the largest count as zero).

> ml.pinv(ml.matrix{{1, 2}, {2, 4}})
matrix 2x2
 0.04 0.08
 0.08 0.16
]=]

doc [=[
ml.cholesky(A) -> matrix

The lower triangular L with L L^T = A, for a symmetric positive definite
A.

> ml.cholesky(ml.matrix{{4, 2}, {2, 3}})
matrix 2x2
 2.00000000 0.00000000
 1.00000000 1.41421356
]=]

doc [=[
ml.eigh(A) -> values, vectors

The eigenvalues (1 x n, ascending) and eigenvectors (the columns of an
n x n matrix) of a symmetric matrix (its lower triangle is read).

> vals, vecs = ml.eigh(ml.matrix{{2, 1}, {1, 2}})
> vals
matrix 1x2
 1 3
]=]

doc [=[
ml.svd(A) -> U, s, Vt

The singular value decomposition A = U diag(s) Vt: U is m x p, s a
1 x p row (descending), Vt p x n, with p = min(m, n).

> U, s, Vt = ml.svd(ml.matrix{{3, 0}, {0, 4}})
> s
matrix 1x2
 4 3
]=]

---------------------------------------------------------------------------
section("Data files", [=[
Every file loads as a 2-D matrix of doubles. Gzip input is recognised
by its content. (Sandboxed states have none of these functions.)]=])

doc [=[
ml.load_csv(path [, opts]) -> matrix [, names]
ml.save_csv(m, path [, opts])
m:save_csv(path [, opts])

Read (write) comma-separated values. A first row that is not numeric is
the header: its names come back as a table. opts: delimiter = ";",
header = true/false (load: force the choice; save: a table of names).
A missing or non-numeric cell is an error naming its line and column.

> p = os.tmpname()
> ml.matrix{{1, 2}, {3, 4}}:save_csv(p, {header = {"a", "b"}})
> ml.load_csv(p)
matrix 2x2
 1 2
 3 4
{"a", "b"}
> os.remove(p);
]=]

doc [=[
ml.load_npy(path) -> matrix
ml.save_npy(m, path)
m:save_npy(path)

numpy's .npy format: float, integer and bool dtypes in C or Fortran
order load (an N-d array as d1 x the rest); save writes float64 in C
order, which numpy.load reads back.

> p = os.tmpname()
> ml.eye(2):save_npy(p)
> ml.load_npy(p)
matrix 2x2
 1 0
 0 1
> os.remove(p);
]=]

doc [=[
ml.load_idx(path) -> matrix

The IDX format of MNIST (plain or gzip): n images of h x w pixels load
as n x (h*w), raw values 0..255; a label file loads as n x 1. Scale the
pixels in place, ml.load_idx(path):div_(255): X / 255 would make a
second matrix of the same size, doubling the memory while both live.

> X = ml.load_idx("examples/data/mnist/t10k-images-idx3-ubyte.gz")
> X:shape()
2000	784
]=]

doc [=[
ml.load_h5(path, dataset) -> matrix

A numeric dataset of an HDF5 file; an N-d dataset loads as d1 x (the
product of the others), C order (so 209 images of 64x64x3 arrive as
209 x 12288). A missing dataset's error lists the file's datasets.
Scale in place (ml.load_h5(path, name):div_(255)) rather than with /,
which makes a second matrix of the same size.

> -- X = ml.load_h5("train_catvnoncat.h5", "train_set_x")
]=]

---------------------------------------------------------------------------
section("Models", [=[
The course's models, with train(X, y) / predict(X) (fit is train):
X is N x D with one sample per row, y an N x 1 column (class values
0..k-1 for the classifiers). Options (a table, all optional): lr,
epochs, batch_size (mini-batches, reshuffled each epoch unless
shuffle = false), l2 (an L2 penalty), optimizer ("gd", "momentum",
"adam" or an ml.optim object), verbose (print "Cost after iteration
N" every print_every = 100 epochs), progress (a progress bar; by
default on a terminal, for training that lasts), distributed (under
mpirun: each rank trains on its own rows of X and y, and every step
combines the gradients over the ranks as one process would, mini-batches
included; gradient descent only; see ml.mpi). A trained model has W (D x k), b (1 x k) and
cost_history (1 x epochs).]=])

doc [=[
ml.LinearRegression([opts]) -> model

Least squares with an intercept. By default a closed form
(solver = "lstsq"; "solve" uses the normal equations X'X w = X'y, as
the course does); giving lr or epochs (or solver = "gd") trains by
gradient descent instead. Also: intercept = false, l2 (ridge). score is
R^2. y may have several columns.

> X = ml.matrix{{1}, {2}, {3}, {4}}
> model = ml.LinearRegression():train(X, X * 2 + 1)
> model
LinearRegression{solver=lstsq, l2=0} (W 1x1)
> model.W, model.b
matrix 1x1
 2
matrix 1x1
 1
> model:predict(ml.matrix{{5}, {6}})
matrix 2x1
 11
 13
]=]

doc [=[
ml.LogisticRegression([opts]) -> model

Binary classification: P(y = 1) = sigmoid(X W + b), trained by gradient
descent on the mean cross-entropy (defaults lr = 0.1, epochs = 1000).
Labels are 0 or 1; predict gives 1 where P(y = 1) > 0.5. score is the
accuracy.

> ml.seed(0)
> X, y = ml.datasets.blobs(100, 2)
> model = ml.LogisticRegression{lr = 0.1, epochs = 200}:train(X, y)
> model
LogisticRegression{lr=0.1, epochs=200, l2=0, optimizer=gd} (W 2x1)
> model:score(X, y)
1.0
]=]

doc [=[
ml.SoftmaxRegression([opts]) -> model

Classification into k classes: P = softmax(X W + b), trained on the mean
cross-entropy (defaults lr = 0.1, epochs = 1000). Labels are class
values 0..k-1 (classes = k fixes k); predict gives the most probable
class. score is the accuracy.

> ml.seed(0)
> X, y = ml.datasets.blobs(150, 3)
> model = ml.SoftmaxRegression{lr = 0.5, epochs = 100}:train(X, y)
> model:score(X, y)
1.0
]=]

doc [=[
model:train(X, y) -> model
model:fit(X, y) -> model

Fit the model to the samples X (N x D) and targets y (N x 1), starting
from zero parameters; returns the model. cost_history holds each
epoch's cost before its update. An exploding cost stops training with
an error suggesting a smaller lr or ml.standardize.

> ml.seed(0)
> X, y = ml.datasets.blobs(100, 2)
> model = ml.LogisticRegression{epochs = 201, verbose = true}
> model:train(X, y);
Cost after iteration 0: 0.693147
Cost after iteration 100: 0.011226
Cost after iteration 200: 0.006221
> model.cost_history:shape()
1	201
]=]

doc [=[
model:predict(X) -> matrix
model:predict_proba(X) -> matrix

predict: an N x 1 column of predictions (class values for the
classifiers). predict_proba (classifiers): N x 1 probabilities
P(y = 1) for logistic regression, N x k class probabilities for
softmax regression.

> ml.seed(0)
> X, y = ml.datasets.blobs(100, 2)
> model = ml.LogisticRegression{epochs = 200}:train(X, y)
> model:predict_proba(X:slice(1, 3))
matrix 3x1
 0.00074314
 0.99950720
 0.07589633
> model:predict(X:slice(1, 3)), y:slice(1, 3)
matrix 3x1
 0
 1
 0
matrix 3x1
 0
 1
 0
]=]

doc [=[
model:score(X, y) -> number

The accuracy of the predictions for a classifier, R^2 for linear
regression: score the test set to see how the model generalises.

> X = ml.matrix{{1}, {2}, {3}}
> ml.LinearRegression():train(X, X * 3):score(X, X * 3 + 0.1)
0.99833333333333
]=]

---------------------------------------------------------------------------
section("Neural networks", [=[
Layers (ml.nn) and the multi-layer perceptron (ml.MLP). Data are N x D,
one sample per row; a Linear layer's W is n_out x n_in, the course's and
PyTorch's layout. A layer's forward uses only the library's ordinary
operations; its backward is written by hand (Torch7's nn style: forward
keeps the input and output, backward reads them) and writes into
buffers the layer reuses, so copy what you keep.]=])

doc [=[
ml.nn.Linear(n_in, n_out [, opts]) -> layer

A fully connected layer: Y = X W^T + b for X of N x n_in, with W
(n_out x n_in) and b (1 x n_out). opts: init = "xavier" (default:
randn / sqrt(n_in)), "he" (randn * sqrt(2/n_in), for ReLU),
"normal" (randn * 0.01, the course's start) or "zeros"; bias = true.
W is drawn from ml.randn row by row, so ml.seed fixes it; b starts at
zero. layer.W and layer.b are the matrices themselves: copy_ into them
to set the weights.

> layer = ml.nn.Linear(3, 2, {init = "zeros"})
> layer.W:shape()
2	3
> layer.b:copy_(ml.matrix{1, -1});
> layer(ml.ones(4, 3))
matrix 4x2
  1 -1
  1 -1
  1 -1
  1 -1
]=]

doc [=[
ml.nn.ReLU() -> layer
ml.nn.Tanh() -> layer
ml.nn.Sigmoid() -> layer
ml.nn.Softmax() -> layer

Activation layers: ml.relu, ml.tanh, ml.sigmoid elementwise, ml.softmax
along each row. ReLU's derivative at 0 is 0, as in PyTorch.

> ml.nn.ReLU()(ml.matrix{-1, 0, 2})
matrix 1x3
 0 0 2
]=]

doc [=[
ml.nn.Sequential(layers) -> net

The layers in a list, applied in order: net(X) is
net[#net](...(net[1](X))). net[i] is the i-th layer; an input that does
not fit names the layer and its shape.

> ml.seed(0)
> net = ml.nn.Sequential{ml.nn.Linear(2, 4), ml.nn.Tanh(), ml.nn.Linear(4, 1)}
> #net, net[2]
3	Tanh()
> net(ml.ones(5, 2)):shape()
5	1
]=]

doc [=[
layer:forward(X) -> Y
layer:backward(dY [, needdx]) -> dX
layer:parameters() -> list
layer:gradients() -> list

forward: the output (also layer(X)); the layer keeps X and Y for
backward. backward: given dY = d loss / d Y (Y's shape), returns
d loss / d X and leaves each Linear's dW and db in layer.dW, layer.db
(needdx = false skips dX). parameters: the matrices W1, b1, W2, b2, ...
in layer order (the matrices themselves); gradients: their dW, db after
backward, in the same order. The results of backward are buffers the
layer reuses for the next call of the same shape.

> layer = ml.nn.Linear(2, 1, {init = "zeros"})
> Y = layer:forward(ml.matrix{{1, 2}, {3, 4}})
> dX = layer:backward(ml.matrix{{1}, {1}})
> layer.dW, layer.db
matrix 1x2
 4 6
matrix 1x1
 2
]=]

doc [=[
ml.MLP(opts) -> model

A multi-layer perceptron with the models' API (train/fit, predict,
predict_proba, score, cost_history, the progress bar and verbose).
opts.layers = {n_in, h1, ..., n_out} is required; activation = "relu"
(or "tanh", "sigmoid") for the hidden layers; output = "sigmoid" (0/1
labels, one output; the default for one output), "softmax" (classes
0..k-1; the default otherwise) or "linear" (real targets, squared
error ||Z - y||^2 / 2N, score R^2); init (default "he" for ReLU, else
"xavier"); seed (ml.seed before the weights are drawn); and lr = 0.01,
epochs = 1000, batch_size, optimizer, l2, verbose, print_every,
progress, shuffle as for the other models. Without batch_size an epoch
is one full-batch step, as in the course. model.net is the network
(an ml.nn.Sequential), built at construction.

> ml.seed(0)
> X, y = ml.datasets.xor(200)
> model = ml.MLP{layers = {2, 8, 1}, activation = "tanh", lr = 0.05, epochs = 300, optimizer = "adam"}
> model:train(X, y):score(X, y) > 0.95
true
]=]

doc [=[
model:parameters() -> list

An MLP's weights and biases W1, b1, W2, b2, ... (the matrices
themselves, readable and settable with copy_ before training: that is
how a network starts from given weights).

> model = ml.MLP{layers = {3, 2, 1}}
> p = model:parameters()
> #p, p[1]:shape()
4	2	3
> p[3]:shape()
1	2
]=]

---------------------------------------------------------------------------
section("Optimisation", [=[
Gradient-based optimisers update matrices in place. f(x) for minimize
and check_grad returns the cost and its gradient (a number for a
number x, else a matrix of x's shape).]=])

doc [=[
ml.optim.gd([opts]) -> optimizer
ml.optim.momentum([opts]) -> optimizer
ml.optim.adam([opts]) -> optimizer

Optimisers: plain gradient descent p -= lr * g (lr = 0.01); momentum,
v = beta * v + (1 - beta) * g, p -= lr * v (lr = 0.01, beta = 0.9);
Adam with bias correction (lr = 0.001, beta1 = 0.9, beta2 = 0.999,
eps = 1e-8). A model's optimizer option takes them.

> ml.optim.momentum{lr = 0.1}
optim.momentum{lr=0.1, beta=0.9}
> ml.optim.adam()
optim.adam{lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08}
]=]

doc [=[
opt:step(params, grads)

One update of each parameter matrix by its gradient, in place (a list
of matrices each, or one matrix each). The optimiser keeps its state
(velocities, moments) per parameter matrix: pass the same matrices at
every step.

> w = ml.matrix{{1, 2}}
> opt = ml.optim.gd{lr = 0.1}
> opt:step(w, ml.matrix{{1, 1}})
> w
matrix 1x2
 0.9 1.9
]=]

doc [=[
ml.minimize(f, x0 [, opts]) -> x, costs

iters optimiser steps from x0 (a number or a matrix, left unchanged):
the final x and a 1 x iters row of the costs before each step. opts:
lr = 0.1, iters = 100, optimizer. The cost may be a number or a 1x1
matrix. The course's exercise: minimise J = x^2 + x, whose gradient is
2x + 1.

> x = ml.minimize(function(x) return x^2 + x, 2 * x + 1 end, 0)
> string.format("%.6f", x)
-0.500000
]=]

doc [=[
ml.check_grad(f, x [, eps=1e-6]) -> error, numeric

Compare f's gradient at x with central differences (f(x + eps) -
f(x - eps)) / 2eps: the largest relative error, and the numeric
gradient. An error around 1e-7 or below means the gradient is right.

> f = function(w) return (w^2):sum(), 2 * w end
> err, num = ml.check_grad(f, ml.matrix{{1, -2, 3}})
> err < 1e-7
true
> num:round()
matrix 1x3
  2 -4  6
]=]

doc [=[
ml.grad(f) -> g
ml.value_and_grad(f) -> vg

Reverse-mode automatic differentiation: the course's computation graph,
built and walked backwards by the library. g(...) calls f(...) and
returns the derivative of its result (a number or a 1x1 matrix) with
respect to each argument that is a number or a matrix, in order, each
of its argument's shape; vg(...) returns f's value first. Arguments of
other types (tables, strings) are passed to f as they are, without a
gradient.

f is written with the library's ordinary operations: + - * / ^ and
unary - with broadcasting (a gradient is summed back to its operand's
shape) and numbers on either side, dot, T, slice, row, col, reshape,
copy, get, hstack, vstack, the reductions sum, mean, max, min, prod,
var, std, norm, nansum (whole or by axis), cumsum, every differentiable
elementwise function (exp, log, sigmoid, tanh, relu, softplus, ...),
maximum, minimum, clip, softmax, log_softmax, and the losses
binary_cross_entropy, cross_entropy, softmax_cross_entropy,
sigmoid_cross_entropy, mse. Comparisons, argmax, floor and the like
give constants (no gradient), as in PyTorch; relu'(0) is 0. In-place
operations (x:add_(...)) and 'out' arguments on values that ml.grad
follows are errors. Outside ml.grad nothing is recorded.

Inside f, numeric arguments and results are traced values: use the
library's functions on them (ml.exp(x), not math.exp(x)); print and
tostring show their values, and < and <= compare them. Data that are
not to be differentiated can be upvalues of f or sit in a table
argument.

> g = ml.grad(function(a, b, c) return 3 * (a + b * c) end)
> g(5, 3, 2)
3.0	6.0	9.0
> X, y = ml.matrix{{1, 2}, {3, 4}}, ml.matrix{{1}, {0}}
> loss = function(w, b) return ml.binary_cross_entropy(ml.sigmoid(X:dot(w) + b), y) end
> cost, dw, db = ml.value_and_grad(loss)(ml.zeros(2, 1), 0)
> dw
matrix 2x1
 0.5
 0.5
]=]

doc [=[
ml.momentum_step_(p, g, v, lr, beta) -> p
ml.adam_step_(p, g, m, v, lr, beta1, beta2, eps, t) -> p

The fused updates behind ml.optim.momentum and ml.optim.adam, in one
pass over p, its gradient g and the state matrices v (and m), all of
p's shape; t is the step number (from 1) for Adam's bias correction.

> p, v = ml.matrix{{1, 2}}, ml.zeros(1, 2)
> ml.momentum_step_(p, ml.matrix{{1, 1}}, v, 0.1, 0.9)
matrix 1x2
 0.99 1.99
> v
matrix 1x2
 0.1 0.1
]=]

---------------------------------------------------------------------------
section("Data sets", [=[
Generators draw from ml's generator (ml.seed first for the same data).
Labels are N x 1 columns of class values. The bundled files are looked
for in: the dir argument, $LUAML_DATA, examples/data under the current
directory, then ml.datadir (the installed copy).]=])

doc [=[
ml.datasets.xor([n=200]) -> X, y

n points in [-1, 1]^2 (n x 2); y = 1 where the signs of x1 and x2
differ: no line separates the classes, but the feature x1 * x2 does.

> ml.seed(1)
> X, y = ml.datasets.xor(4)
> X, y
matrix 4x2
  0.40584367  0.04087324
  0.14821140 -0.21734280
  0.39435683 -0.71285593
 -0.85790957 -0.23763111
matrix 4x1
 0
 1
 1
 0
]=]

doc [=[
ml.datasets.donut([n=200]) -> X, y

Two noisy rings around the origin (n x 2): radius 5 (y = 0) and radius
10 (y = 1), n/2 each; the radius is the feature that separates them.

> ml.seed(1)
> X, y = ml.datasets.donut(200)
> X.rows, X.cols, y:sum()
200	2	100.0
]=]

doc [=[
ml.datasets.flower([n=400]) -> X, y

The course's planar "flower" (week 3): two classes of n/2 points (n x 2)
on the petals of the curve r = 4 sin(4t), angles and radii with noise
0.2 N(0, 1); y is 0 or 1. No line separates the petals; one hidden layer
does. The draws come in numpy's order, so under ml.seed(1, "numpy")
flower(400) is the course's own data set.

> ml.seed(1)
> X, y = ml.datasets.flower(400)
> X.rows, X.cols, y:sum()
400	2	200.0
]=]

doc [=[
ml.datasets.blobs([n=300 [, k=3 [, spread=1]]]) -> X, y

k Gaussian clusters (standard deviation spread) on a circle of radius
4 (n x 2); y is the cluster, 0..k-1.

> ml.seed(1)
> X, y = ml.datasets.blobs(6, 3)
> y:T()
matrix 1x6
 0 1 2 0 1 2
]=]

doc [=[
ml.datasets.line([n=100 [, opts]]) -> X, y

X (n x 1) uniform in [0, 10), y = slope * x + intercept + noise *
N(0, 1); opts: slope = 2, intercept = 1, noise = 1.

> ml.seed(1)
> X, y = ml.datasets.line(50, {noise = 0})
> ml.LinearRegression():train(X, y).W
matrix 1x1
 2
]=]

doc [=[
ml.datasets.mnist([dir]) -> Xtr, ytr, Xte, yte

The bundled MNIST digits: 8000 training and 2000 test images of 28x28
pixels, one per row (784 columns), scaled to 0..1; labels 0..9.

> Xtr, ytr, Xte, yte = ml.datasets.mnist()
> Xtr.rows, Xtr.cols, Xte.rows, ytr:max()
8000	784	2000	9.0
]=]

doc [=[
ml.datasets.breast_cancer([dir]) -> X, y, names, target
ml.datasets.iris([dir]) -> X, y, names, target
ml.datasets.digits([dir]) -> X, y, names, target
ml.datasets.diabetes([dir]) -> X, y, names, target
ml.datasets.wine([dir]) -> X, y, names, target

The bundled UCI tables: the features (N x D), the target column, the
feature names and the target's name. breast_cancer: 569 x 30, malignant
(1) or not; iris: 150 x 4, three species; digits: 1797 8x8 images
(pixel values 0..16); diabetes: 442 x 10, a disease progression
measure (unscaled); wine: 178 x 13, three cultivars.

> X, y, names, target = ml.datasets.iris()
> X.rows, X.cols, target
150	4	species
> names
{"sepal_length", "sepal_width", "petal_length", "petal_width"}
]=]

doc [=[
ml.train_test_split(X, y, test_fraction [, seed]) -> Xtr, Xte, ytr, yte

Shuffle the rows (seed, when given, reseeds ml's generator first) and
put ceil(N * test_fraction) of them (default 0.25) in the test part.
y may be nil: then the result is Xtr, Xte.

> X = ml.arange(1, 8):T()
> Xtr, Xte = ml.train_test_split(X, nil, 0.25, 42)
> Xtr:T(), Xte:T()
matrix 1x6
 7 4 6 5 3 1
matrix 1x2
 8 2
]=]

doc [=[
ml.standardize(X [, mean, std]) -> Z, mean, std

Z = (X - mean) / std per column, with the mean and the population std
of X's columns unless given (scale a test set with the training set's
statistics). A constant column is only centred (its std is reported
as 1).

> Z, mu, sd = ml.standardize(ml.matrix{{1, 10}, {3, 30}})
> Z
matrix 2x2
 -1 -1
  1  1
> mu, sd
matrix 1x2
  2 20
matrix 1x2
  1 10
]=]

---------------------------------------------------------------------------
section("Plots", [=[
SVG files a browser opens, and text plots for the terminal. The SVG
functions write path and return it; with path nil they return a plot:
p.svg is the SVG text (tostring(p) too), p.kind "line", "scatter" or
"image"; a notebook cell shows a plot inline, and sandboxed states can
plot too. NaN and infinite values are skipped.]=])

doc [=[
ml.plot.line(path, ys [, opts]) -> path or plot

Curves: ys is one series (a vector or a table of numbers) or several (a
table of vectors, or a matrix with one series per row), against x =
1..n or opts.x. Options: title, xlabel, ylabel, labels (legend names),
logy (a log y axis), markers, width, height (default 640 x 400). A
model's cost_history is one series.

> p = ml.plot.line(nil, ml.matrix{3, 2, 1.5, 1.2}, {title = "cost"})
> p.svg:match("<svg[^>]*>")
<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400" viewBox="0 0 640 400" font-family="Helvetica, Arial, sans-serif" font-size="12">
]=]

doc [=[
ml.plot.scatter(path, X, y [, opts]) -> path or plot

The points of X (n x 2) coloured by their class y (labels 0, 1, ...;
nil: one colour). opts.predict, a function from an N x 2 matrix to
labels or probabilities, draws the model's decision regions and
boundary behind the points (opts.grid cells per side, default 100).
opts.line, an m x 2 matrix of points, is drawn over the dots as a line
through them in order (a fitted line; opts.line_label names it in the
legend). Other options: labels (class names), title, xlabel, ylabel,
radius, width, height.

> X = ml.matrix{{0, 0}, {1, 1}, {0, 1}, {1, 0}}
> p = os.tmpname()
> ml.plot.scatter(p, X, ml.matrix{{0}, {0}, {1}, {1}}) == p
true
> os.remove(p);
]=]

doc [=[
ml.plot.image(path, pixels [, opts]) -> path or plot

Grey-scale images: one (an h x w matrix, or a 1 x (h*w) row with a
square size) or a grid of them (one image per row, as MNIST loads).
Values run from black (the smallest) to white; opts.range = {lo, hi}
fixes the scale, opts.invert swaps it. Other options: cols (images per
row), labels (captions), shape = {h, w}, scale, title.

> p = ml.plot.image(nil, ml.eye(3))
> p.svg:match("<svg[^>]*>")
<svg xmlns="http://www.w3.org/2000/svg" width="295" height="295" viewBox="0 0 295 295" font-family="Helvetica, Arial, sans-serif" font-size="12">
]=]

doc [=[
ml.plot.isplot(x) -> boolean

True when x is a plot made without a file name (what ml.plot.line,
scatter and image return for a nil path).

> ml.plot.isplot(ml.plot.line(nil, {1, 2, 3}))
true
> ml.plot.isplot("<svg/>")
false
]=]

doc [=[
ml.plot.text(values [, opts]) -> string

A text plot of a vector for the terminal: a sparkline (one of eight
block heights per value), or with opts.height > 1 a braille line chart
that many lines high with its range labelled. opts.width sets the
number of characters (long input is bucketed).

> ml.plot.text(ml.matrix{1, 3, 2, 5, 4, 6})
▁▄▂▇▅█
> ml.plot.text(ml.matrix{1, 3, 2, 5, 4, 6, 8, 7}, {height = 3})
8 ┤⠀⠀⢀⠷
  │⠀⢰⠜⠀
1 ┤⡸⠊⠀⠀
   1  8
]=]

---------------------------------------------------------------------------
section("Many machines (ml.mpi)", [=[
Data-parallel training on Open MPI: `mpirun -np 4 luaml train.lua`
starts four processes (ranks) that each run the script. ml.mpi exists
only in a program started by an MPI launcher (mpirun, mpiexec, or a
PMIx launcher such as srun); libmpi is loaded then and never otherwise,
so a script written as `local mpi = ml.mpi` with a fallback for nil
runs alone too. The models take distributed = true: each rank trains on
its own rows (ml.mpi.shard) and every step combines the gradients as one
process would over all the rows, so any number of ranks reaches one
process's weights (up to rounding); only rank 0 prints. An error on one
rank prints its message and ends every rank (MPI_Abort); a clean exit
finalises MPI. Open MPI as root needs --allow-run-as-root; in a
container add --mca btl self,vader --mca btl_vader_single_copy_mechanism
none.]=])

doc [=[
ml.mpi.rank() -> integer
ml.mpi.size() -> integer

This process's rank, 0..size-1, and the number of ranks (mpirun -np).
Ranks count from 0 as MPI's do. Outside mpirun ml.mpi is nil: the
usual fallback makes a script run alone as rank 0 of 1.

> mpi = ml.mpi   -- nil: this REPL was not started by mpirun
> rank, size = mpi and mpi.rank() or 0, mpi and mpi.size() or 1
> rank, size
0	1
]=]

doc [=[
ml.mpi.allreduce(m [, op="sum"]) -> m
ml.mpi.allreduce(x [, op="sum"]) -> number

Combine a matrix over every rank, in place: afterwards each rank holds
the elementwise sum ("sum"), maximum ("max") or minimum ("min") of all
the ranks' m. A number gives back the combined number. Every rank must
call it with the same shape and op (else the same error on every rank).

> total = ml.matrix{{1, 2}}
> if ml.mpi then ml.mpi.allreduce(total) end   -- alone: unchanged
> total
matrix 1x2
 1 2
]=]

doc [=[
ml.mpi.bcast(m [, root=0]) -> m
ml.mpi.bcast(x [, root=0]) -> number

Overwrite m on every rank with rank root's m (same shape everywhere);
a number gives back root's number: one rank decides, all follow (a
seed, weights read from a file).

> seed = 42
> if ml.mpi then seed = ml.mpi.bcast(seed, 0) end
> seed
42
]=]

doc [=[
ml.mpi.barrier()

Wait until every rank has called it.

> if ml.mpi then ml.mpi.barrier() end
]=]

doc [=[
ml.mpi.shard(X [, y ...]) -> X_rank [, y_rank ...]

This rank's rows of X (and of y ..., which must have X's rows): views
of contiguous blocks in rank order whose sizes differ by at most one
(rows % size ranks get one more row). These are the rows a rank trains
on with distributed = true.

> X = ml.arange(1, 10):reshape(10, 1)
> Xs = ml.mpi and ml.mpi.shard(X) or X   -- at 3 ranks: 4, 3, 3 rows
> Xs.rows
10
]=]

doc [=[
ml.mpi.average(grads, cost, n) -> cost, N

The gradient step of data-parallel training, for a training loop of
one's own: each rank passes its gradients (a list of matrices) and
cost as means over its n samples; afterwards every rank holds the
means over all the ranks' samples (each rank weighted by n / N), the
matrices overwritten, and gets the mean cost and N, the total of n.
One allreduce for all of them. The models' distributed = true calls
it every step.

> g = {ml.matrix{{0.5, -1}}}
> cost, N = 0.25, 8
> if ml.mpi then cost, N = ml.mpi.average(g, cost, N) end
> cost, N
0.25	8
]=]

---------------------------------------------------------------------------
section("Utilities", [=[
Small helpers for scripts.]=])

doc [=[
ml.isatty([f]) -> boolean [, columns]

Whether f (a Lua file or a file descriptor number; default the
standard output) is a terminal: models draw their progress bar only
then. For a terminal, its width in columns follows when it is known
(help wraps its lines to it).

> ml.isatty(io.open("/dev/null"))
false
]=]

doc [=[
ml.kernels() -> table

Which code computes the products of gradient descent on this machine.
t.simd is the instruction set of the vector functions ("avx512" ...);
t.cache the file where the choices below are kept (nil: none);
t[1], t[2] ... describe each kind of skinny product (t.product: "X W",
"X^T d", "X^T G" (up to 16 columns) or "X v") and size (t.size, in
multiply-adds): t.path is "own" (luaml's loop), "blas" or "undecided",
t.how says why: "measured" (the first products of that kind and size
on this machine ran on both paths, alternating, each timed with the
work up to the next such product, and luaml's loop was kept only when
its median was 5% faster), "cached" (measured so before, read from
t.cache), "forced" (by LUAML_KERNEL=own or blas), "measuring",
"default" (undecided while another kind is measured: the path of
that kind's step, so that BLAS and luaml's threads never share a
step), "no BLAS" (none
could be loaded: luaml's loop), "not yet used";
t.own_ns and t.blas_ns the median nanoseconds per multiply-add each
path was measured at (0: not measured).  The cache is
$XDG_CACHE_HOME/luaml/kernels or ~/.cache/luaml/kernels, or the file
LUAML_KERNEL_CACHE names ("off": none; a file that cannot be written
only means measuring again in each process); delete it to measure
again.  States a C host makes with luaml_newstate keep no file (nil)
unless LUAML_KERNEL_CACHE names one.

> k = ml.kernels()
> #k, k[1].product, k[4].product, k[10].product, type(k.simd)
12	X W	X^T d	X v	string
]=]

doc [=[
ml.clock() -> number

Seconds of wall time from a monotonic clock (the origin is arbitrary):
the difference of two calls times a piece of code, threads included,
where os.clock() counts only this process's CPU time.

> t0 = ml.clock()
> ml.clock() >= t0
true
]=]

---------------------------------------------------------------------------
section("Notebook", [=[
luaml is a Jupyter kernel: `luaml --install-kernel --user` (or `make
install`) writes the kernelspec, then pick "luaml" in `jupyter notebook`.
In a cell, the value of a trailing expression is the cell's result (a
trailing ';' silences it): matrices show as text and as an HTML table
(elided like their text), models as a summary, plots made without a file
name (ml.plot.line(nil, ...)) inline as SVG. print and io.write stream
to the cell as it runs; io.read asks the notebook for a line. display(x,
...) shows values now, below the cell. Tab completes names (the prompt's
completion), Shift-Tab shows help. Interrupt stops a running cell, a
training loop too, and keeps the state. Top-level locals persist from
cell to cell, as they do from line to line at the prompt: `local x = 1`
in one cell, `x` in the next (a `local x <close>` is closed at the end of
its cell). The lessons of examples/ are notebooks in examples/notebooks
(python3 tools/mknotebooks.py makes them from the scripts).]=])

---------------------------------------------------------------------------
section("Help", [=[
In the REPL: help(x) or ?name; help() lists everything.]=])

doc [=[
ml.help([x])

Print the doc of x: a function (help(ml.softmax)), a matrix method
(help(m.sum)), a name ("softmax", "m:sum", "ml.dot"), a matrix (its
methods) or nothing (the list of all functions). In the REPL, `?name`
and help(ml.name) are help "name", so a misspelt name gets "did you
mean ...?" with the nearest documented names. Lines are wrapped
between words to the terminal's width (else COLUMNS, else 80).

> help "ml.ones"
ml.ones(r, c) -> matrix
ml.ones(n) -> matrix

  An r x c matrix of ones; with one size, a 1 x n row (as ml.zeros).

  Example:
    > ml.ones(2, 2)
    matrix 2x2
     1 1
     1 1
    > ml.ones(3)
    matrix 1x3
     1 1 1
]=]

---------------------------------------------------------------------------
-- lookup and printing

-- The doc for a name: exact ("ml.exp", "m:exp_", "plot.line"), else a
-- function and a method stand for each other (m:exp -> ml.exp), and a
-- bare or variable-qualified name (exp, x:exp, model:train) tries the
-- functions, then the methods of matrices, models, optimisers and layers.
local nearest  -- the documented names closest to a misspelt one (below)
local function lookup(name)
  if byname[name] or byname["ml." .. name] then
    return byname[name] or byname["ml." .. name]
  end
  local short = name:match("^ml%.([%w_]+)$") or name:match("^[%w_]+[:.]([%w_]+)$")
    or name:match("^([%w_]+)$")
  if short then
    return byname["ml." .. short] or byname["m:" .. short]
      or byname["model:" .. short] or byname["opt:" .. short]
      or byname["layer:" .. short] or nil
  end
end

-- Objects the library makes, by the prefix of their methods' doc names:
-- help finds their methods on sample objects made by these constructors.
local samples = {
  model = {"LinearRegression", "LogisticRegression", "SoftmaxRegression",
           {"MLP", {layers = {2, 1}}}},
  opt = {"optim.gd", "optim.momentum", "optim.adam"},
  layer = {"nn.ReLU", "nn.Sequential", {"nn.Linear", 1, 1}},
}

-- the value at a dotted path under ml ("optim.gd"), or nil
local function mlpath(path)
  local v = ml
  for part in path:gmatch("[^.]+") do
    if type(v) ~= "table" then return nil end
    v = v[part]
  end
  return v
end

-- the sample objects for prefix ("model"), made now
function ml._samples(prefix)
  local out = {}
  for _, path in ipairs(samples[prefix] or {}) do  -- a path, or {path, args...}
    local args = type(path) == "table" and path or {}
    local make = mlpath(args[1] or path)
    local ok, obj = pcall(make or error, table.unpack(args, 2))
    if ok and obj ~= nil then out[#out + 1] = obj end
  end
  return out
end

-- value -> public name, built on first use from ml, its tables of
-- functions (ml.plot) and the matrix methods
local names
local function nameof(v)
  if not names then
    names = {}
    for k, f in pairs(ml) do
      if type(k) == "string" and k:sub(1, 1) ~= "_" then
        names[f] = names[f] or "ml." .. k
        if type(f) == "table" and f ~= ml then
          for k2, f2 in pairs(f) do
            if type(k2) == "string" and type(f2) == "function" then
              names[f2] = names[f2] or "ml." .. k .. "." .. k2
            end
          end
        end
      end
    end
    local mt = getmetatable(ml.ones(1, 1))
    for k, f in pairs(rawget(mt, "__methods") or {}) do
      names[f] = names[f] or "m:" .. k
    end
    for n in pairs(byname) do  -- model:train, opt:step
      local prefix, k = n:match("^(%a+):([%w_]+)$")
      for _, obj in ipairs(prefix and ml._samples(prefix) or {}) do
        if type(obj[k]) == "function" then names[obj[k]] = names[obj[k]] or n end
      end
    end
  end
  return names[v]
end

-- text broken into lines of at most 76 characters, each after indent
local function wrap(text, indent)
  local lines, line = {}, indent
  for word in text:gmatch("%S+") do
    if #line + #word > 76 and line ~= indent then
      lines[#lines + 1] = line
      line = indent
    end
    line = line .. (line == indent and "" or " ") .. word
  end
  lines[#lines + 1] = line
  return table.concat(lines, "\n")
end

-- The text of one doc, as help prints it.
local function render(d)
  local out = {table.concat(d.sigs, "\n"), "", (d.text:gsub("\n", "\n  "):gsub("^", "  "))}
  if d.example then
    out[#out + 1] = ""
    out[#out + 1] = "  Example:"
    out[#out + 1] = (d.example:gsub("\n", "\n    "):gsub("^", "    "))
  end
  return table.concat(out, "\n")
end

-- The overview: each section with the names it documents.
local function overview()
  local out = {"luaml " .. tostring(ml.version) .. ": help(f) or ?name for one function."}
  for _, s in ipairs(sections) do
    local seen, list = {}, {}
    for _, d in ipairs(s.docs) do
      for _, n in ipairs(d.names) do
        local short = n:match("^ml%.(.+)$") or n   -- plot.line, m:T
        local key = short:match("[%w_]+$")           -- m:copy and ml.copy: once
        if not seen[key] and not key:match("_$") then
          seen[key] = true
          list[#list + 1] = short
        end
      end
    end
    if #list > 0 then out[#out + 1] = s.title .. ": " .. table.concat(list, ", ") end
  end
  out[#out + 1] = "REPL: a trailing ; prints nothing, _ is the last value, "
    .. "=expr prints it, %time times each line, %timeit code times a call, "
    .. "%who lists your globals, Tab completes, Ctrl-C interrupts, Ctrl-D quits; "
    .. "top-level locals persist from line to line."
  out[#out + 1] = "Notebook: luaml --install-kernel --user, then the luaml kernel in "
    .. "Jupyter; display(x) shows a value now, plots without a file name show inline."
  return table.concat(out, "\n")
end

-- Find a global by a dotted name with raw access only (help "x" for a
-- variable x must not run user code).
local function rawpath(name)
  local v = _G
  for part in name:gmatch("[^.:]+") do
    if type(v) ~= "table" then return nil end
    v = rawget(v, part)
  end
  return v
end

-- The edit distance of a and b (insertions, deletions, substitutions and
-- swaps of two neighbours, each 1), or limit + 1 when it exceeds limit.
local function distance(a, b, limit)
  if math.abs(#a - #b) > limit then return limit + 1 end
  local prev2, prev, cur = {}, {}, {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    cur = {[0] = i}
    local best = i
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      local d = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      if i > 1 and j > 1 and a:byte(i) == b:byte(j - 1) and a:byte(i - 1) == b:byte(j) then
        d = math.min(d, prev2[j - 2] + 1)
      end
      cur[j] = d
      best = math.min(best, d)
    end
    if best > limit then return limit + 1 end
    prev2, prev = prev, cur
  end
  return prev[#b]
end

-- The documented names closest to a misspelt word ("sofmax" ->
-- ml.softmax; words of 3 letters or more): at most 1 edit away for words
-- of up to 4 letters, 2 for longer ones, letter case aside; the nearest
-- first, at most 3; of names as near, those of the same case (ml.softmax
-- before the layer ml.nn.Softmax for "sofmax").
nearest = function(word)
  local limit = #word <= 4 and 1 or 2
  local found, best = {}, limit + 0.5
  for n in pairs(byname) do
    local last = n:match("[%w_]+$") or n
    local d = distance(word:lower(), last:lower(), limit)
    if d <= limit and distance(word, last, limit + 1) > d then d = d + 0.5 end
    if d < best then found, best = {n}, d
    elseif d == best then found[#found + 1] = n end
  end
  table.sort(found)
  return {table.unpack(found, 1, math.min(#found, 3))}
end

-- The help text for x (see the doc of ml.help above).
function ml._helptext(x)
  parse()
  if x == nil then return overview() end
  local d
  if type(x) == "string" then
    d = lookup(x)
    -- a section by its title ("notebook"); display, the notebook's own
    -- function, is described there
    local title = x == "display" and "notebook" or x:lower()
    for _, s in ipairs(sections) do
      if not d and s.title:lower() == title and s.intro then
        return s.title .. "\n\n" .. s.intro
      end
    end
    if not d then
      local v = rawpath(x)
      if v ~= nil and type(v) ~= "string" then return ml._helptext(v) end
      local similar, word = {}, x:match("[%w_]+$") or x
      for n in pairs(byname) do
        if #word >= 3 and n:find(word, 1, true) then similar[#similar + 1] = n end
      end
      table.sort(similar)
      if #similar == 0 and #word >= 3 then
        local near = nearest(word)
        if #near > 0 then
          return "no help for '" .. x .. "'; did you mean " ..
            table.concat(near, " or ") .. "?"
        end
      end
      return "no help for '" .. x .. "'" .. (#similar > 0 and
        "; try: " .. table.concat(similar, ", ", 1, math.min(#similar, 8)) or "")
    end
  elseif ml.ismatrix(x) then
    local list = {}
    for k in pairs(rawget(getmetatable(x), "__methods") or {}) do
      list[#list + 1] = k
    end
    table.sort(list)
    return render(byname.matrix) .. "\n\n  Methods:\n" ..
      wrap(table.concat(list, " "), "    ")
  elseif x == ml then
    return overview()
  elseif type(x) == "table" and (rawget(x, "kind") or
         type(getmetatable(x)) == "table" and rawget(getmetatable(x), "name")) then
    -- a model (its class has a name) or an optimiser (it has a kind)
    local kind = rawget(x, "kind")
    d = lookup(kind and "ml.optim." .. kind or "ml." .. rawget(getmetatable(x), "name"))
    if not d then return "no help for this table" end
  else
    local n = nameof(x)
    d = n and lookup(n)
    if not d then return "no help for this " .. type(x) end
  end
  return render(d)
end

-- text with each line longer than width broken at spaces, the pieces
-- indented two more than the line (a word longer than width stays whole)
local function fit(text, width)
  local out = {}
  for line in (text .. "\n"):gmatch("(.-)\n") do
    if #line <= width then
      out[#out + 1] = line
    else
      local indent = line:match("^%s*")
      local cur = ""
      for word in line:gmatch("%S+") do
        if cur == "" then
          cur = indent .. word
        elseif #cur + 1 + #word > width then
          out[#out + 1] = cur
          cur = indent .. "  " .. word
        else
          cur = cur .. " " .. word
        end
      end
      out[#out + 1] = cur
    end
  end
  return table.concat(out, "\n")
end

-- the width help wraps to: the terminal's, else $COLUMNS, else 80
local function textwidth()
  local _, cols = ml.isatty(io and io.output() or nil)
  return cols or tonumber(os and os.getenv and os.getenv("COLUMNS")) or 80
end

ml.help = function(x) print(fit(ml._helptext(x), textwidth())) end

-- the docs for tools/gendoc.lua, tools/doctest.lua and the specs: a list
-- of sections {title =, intro =, docs = {{names, sigs, text, example}...}}
function ml._docs()
  parse()
  return sections
end
