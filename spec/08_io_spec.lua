-- 08: data files: load_csv / save_csv, load_npy / save_npy, load_idx, load_h5.
-- Fixtures and their expected values are written by numpy and h5py
-- (spec/fixtures/make_fixtures.py -> spec/fixtures/expected.lua).
-- Run from the repository root.
local ml = require "luaml"
local H = dofile("spec/helpers.lua")

local FIX = "spec/fixtures/"
local expected = dofile(FIX .. "expected.lua")

-- bit-exact equality of two numbers (NaN equals NaN, -0 differs from 0)
local function same(a, b)
  if a ~= a then return b ~= b end
  return string.pack("<d", a) == string.pack("<d", b)
end

-- assert m has shape rows x cols and the row-major values vals, bit-exact
local function check(m, rows, cols, vals, label)
  assert.is_true(H.is_matrix(m), label .. ": not a matrix")
  assert.are.equal(rows .. "x" .. cols, m.rows .. "x" .. m.cols, label .. ": shape")
  local k = 0
  for i = 1, rows do
    for j = 1, cols do
      k = k + 1
      local a = m:get(i, j)
      assert.is_true(same(a, vals[k]), string.format("%s: (%d,%d) is %s, expected %s",
        label, i, j, H.fmt(a), H.fmt(vals[k])))
    end
  end
end

local function load_fixture(key)
  local file, ds = key:match("^(.-):(.*)$")
  if file then return ml.load_h5(FIX .. file, ds) end
  if key:find("^npy/") then return ml.load_npy(FIX .. key) end
  if key:find("^idx/") then return ml.load_idx(FIX .. key) end
  local opts
  if key:find("semicolon") then opts = {delimiter = ";"} end
  if key:find("%.tsv$") then opts = {delimiter = "\t"} end
  return (ml.load_csv(FIX .. key, opts))
end

local function tmpname(ext)
  local p = os.tmpname()
  os.remove(p)
  return p .. ext
end

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks)
  return ks
end

describe("loading what numpy wrote", function()
  for _, key in ipairs(sorted_keys(expected)) do
    local e = expected[key]
    it(key, function()
      check(load_fixture(key), e.rows, e.cols, e, key)
    end)
  end
end)

describe("shapes of 1-D data", function()
  it("a 1-D npy array is a 1 x n row", function()
    local m = ml.load_npy(FIX .. "npy/vec.npy")
    assert.are.equal("1x5", H.shape(m))
  end)
  it("1-D IDX labels are an n x 1 column", function()
    assert.are.equal("10x1", H.shape(ml.load_idx(FIX .. "idx/labels-idx1-ubyte")))
  end)
  it("a 1-D HDF5 dataset is an n x 1 column", function()
    assert.are.equal("4x1", H.shape(ml.load_h5(FIX .. "h5/small.h5", "labels")))
  end)
  it("images flatten to one row per sample, raw pixel values", function()
    local m = ml.load_idx(FIX .. "idx/images-idx3-ubyte.gz")
    assert.are.equal("3x20", H.shape(m))
    assert.are.equal(7 * 21 % 256, m:get(2, 2))
    local x = ml.load_h5(FIX .. "h5/small.h5", "images")
    assert.are.equal("3x12", H.shape(x))
  end)
  it("a scalar is 1x1, empty arrays keep their shape", function()
    assert.are.equal("1x1", H.shape(ml.load_npy(FIX .. "npy/scalar.npy")))
    assert.are.equal("1x1", H.shape(ml.load_h5(FIX .. "h5/small.h5", "scalar")))
    assert.are.equal("0x3", H.shape(ml.load_npy(FIX .. "npy/empty_0x3.npy")))
    assert.are.equal("1x0", H.shape(ml.load_npy(FIX .. "npy/empty_vec.npy")))
    assert.are.equal("0x3", H.shape(ml.load_h5(FIX .. "h5/small.h5", "empty")))
  end)
  it("loaded matrices are ordinary matrices", function()
    local m = ml.load_npy(FIX .. "npy/f8_fortran.npy")
    H.close(m:T():slice(1, 1), {{-1, 0, 1}}, 0)
    H.close(m:sum(), 4.5, 0)
  end)
end)

describe("load_csv", function()
  it("returns the header names as a second value", function()
    local m, names = ml.load_csv(FIX .. "csv/header.csv")
    H.close(m, {{1, 2, 3}, {4, 5, 6}}, 0)
    assert.are.same({"a", "b", "c"}, names)
  end)
  it("returns one value when there is no header", function()
    assert.are.equal(1, select("#", ml.load_csv(FIX .. "csv/noheader.csv")))
  end)
  it("unescapes quoted names", function()
    local _, names = ml.load_csv(FIX .. "csv/quoted_header.csv")
    assert.are.same({"name, with comma", 'say "hi"', "plain"}, names)
  end)
  it("reads gzip by its magic bytes", function()
    local m, names = ml.load_csv(FIX .. "csv/header.csv.gz")
    H.close(m, {{1, 2, 3}, {4, 5, 6}}, 0)
    assert.are.same({"a", "b", "c"}, names)
  end)
  it("header = true / false forces the choice", function()
    local m, names = ml.load_csv(FIX .. "csv/noheader.csv", {header = true})
    H.close(m, {{4, 5.25, 6}}, 0)
    assert.are.same({"1.5", "2", "-3e2"}, names)
    local q = ml.load_csv(FIX .. "csv/quoted_numbers.csv", {header = false})
    H.close(q, {{1, 2}, {3, 4}}, 0)
    H.raises(function() ml.load_csv(FIX .. "csv/header.csv", {header = false}) end,
      "line 1, column 1: 'a' is not a number")
  end)
  it("a header-only file is 0 x n, an empty file 0x0", function()
    local m, names = ml.load_csv(FIX .. "csv/header_only.csv")
    assert.are.equal("0x3", H.shape(m))
    assert.are.same({"a", "b", "c"}, names)
    assert.are.equal("0x0", H.shape(ml.load_csv(FIX .. "csv/empty.csv")))
  end)
  it("nan and inf are numbers; overflow is inf", function()
    local m = ml.load_csv(FIX .. "csv/naninf.csv")
    assert.is_true(m:get(1, 1) ~= m:get(1, 1))
    assert.are.equal(math.huge, m:get(3, 1))
    assert.are.equal(-math.huge, m:get(3, 2))
  end)
  it("the real data sets", function()
    local f = io.open("../shared/data/uci/digits.csv.gz", "rb")
    if not f then return end
    f:close()
    local d, names = ml.load_csv("../shared/data/uci/digits.csv.gz")
    assert.are.equal("1797x65", H.shape(d))
    assert.are.equal("digit", names[65])
    assert.are.equal(9, d:col(65):max())
  end)
end)

describe("round trips", function()
  local vals = {{0.1, -1e308, 5e-324, 0 / 0, math.huge, -math.huge},
                {-0.0, 1 / 3, 123456789.12345679, 2.5, 1e22, -7}}
  local flat = {}
  for _, r in ipairs(vals) do for _, v in ipairs(r) do flat[#flat + 1] = v end end
  local function transposed(t)
    local out = {}
    for j = 1, #t[1] do for i = 1, #t do out[#out + 1] = t[i][j] end end
    return out
  end

  it("save_csv -> load_csv is bit-exact, header names included", function()
    local p = tmpname(".csv")
    local m = H.M(vals)
    local names = {"a", "b, c", 'say "x"', " pad", "12", ""}
    ml.save_csv(m, p, {header = names})
    local back, bnames = ml.load_csv(p)
    os.remove(p)
    check(back, 2, 6, flat, "csv round trip")
    assert.are.same(names, bnames)
  end)
  it("save_csv of a strided view with a delimiter, as a method", function()
    local p = tmpname(".csv")
    H.M(vals):T():save_csv(p, {delimiter = ";"})
    local back = ml.load_csv(p, {delimiter = ";"})
    os.remove(p)
    check(back, 6, 2, transposed(vals), "csv view")
  end)
  it("save_npy -> load_npy is bit-exact, from a view", function()
    local p = tmpname(".npy")
    local m = H.M(vals)
    ml.save_npy(m, p)
    check(ml.load_npy(p), 2, 6, flat, "npy")
    m:T():save_npy(p)
    check(ml.load_npy(p), 6, 2, transposed(vals), "npy view")
    os.remove(p)
  end)
  it("save_npy writes the bytes numpy.save writes", function()
    local p = tmpname(".npy")
    ml.load_npy(FIX .. "npy/f8_le.npy"):save_npy(p)
    local a = assert(io.open(p, "rb")):read("a")
    local b = assert(io.open(FIX .. "npy/f8_le.npy", "rb")):read("a")
    os.remove(p)
    assert.are.equal(#b, #a)
    assert.is_true(a == b, "the files differ")
  end)
end)

-- numpy reads what luaml writes (CI installs python3-numpy)
local PY = "/usr/bin/python3"
local has_numpy = (function()
  local ok = os.execute(PY .. " -c 'import numpy' >/dev/null 2>&1")
  return ok == true or ok == 0
end)()

describe("numpy reads luaml's files", function()
  if not has_numpy then
    pending("needs " .. PY .. " with numpy")
    return
  end
  -- run python code on file p; returns its output lines
  local function py(code, p)
    local f = assert(io.popen(PY .. " -c '" .. code .. "' '" .. p .. "' 2>&1"))
    local out = f:read("a")
    f:close()
    return out
  end
  local function num(s)
    if s == "nan" then return 0 / 0 end
    if s == "inf" then return math.huge end
    if s == "-inf" then return -math.huge end
    return tonumber(s)
  end
  local m = H.M{{0.1, -1e308, 5e-324, 0 / 0}, {-0.0, 1 / 3, math.huge, -7}}
  local flat = {0.1, -1e308, 5e-324, 0 / 0, -0.0, 1 / 3, math.huge, -7}

  it("np.load of save_npy", function()
    local p = tmpname(".npy")
    m:save_npy(p)
    local out = py("import sys, numpy as np; a = np.load(sys.argv[1]); " ..
      "print(a.dtype, a.shape, a.flags.c_contiguous); " ..
      "[print(repr(float(v))) for v in a.ravel()]", p)
    os.remove(p)
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.are.equal("float64 (2, 4) True", lines[1], out)
    for k = 1, 8 do
      assert.is_true(same(num(lines[k + 1]), flat[k]), "value " .. k .. ": " .. tostring(lines[k + 1]))
    end
  end)
  it("np.load of a view saved with save_npy", function()
    local p = tmpname(".npy")
    m:T():save_npy(p)
    local out = py("import sys, numpy as np; a = np.load(sys.argv[1]); print(a.shape, a[3, 1], a[1, 0])", p)
    os.remove(p)
    assert.are.equal("(4, 2) -7.0 -1e+308", out:match("[^\n]+"), out)
  end)
  it("np.loadtxt of save_csv", function()
    local p = tmpname(".csv")
    m:save_csv(p, {header = {"a", "b", "c", "d"}})
    local out = py("import sys, numpy as np; a = np.loadtxt(sys.argv[1], delimiter=\",\", skiprows=1); " ..
      "[print(repr(float(v))) for v in a.ravel()]", p)
    os.remove(p)
    local k = 0
    for l in out:gmatch("[^\n]+") do
      k = k + 1
      assert.is_true(same(num(l), flat[k]), "value " .. k .. ": " .. l)
    end
    assert.are.equal(8, k, out)
  end)
end)

describe("malformed files raise errors naming the function and the path", function()
  local cases = {
    {"load_npy", "bad/npy_truncated.npy",
     "header says shape (2, 3) of '<f8' (48 bytes of data) but the file holds 43 bytes of data"},
    {"load_npy", "bad/npy_lying_header.npy", "(8000000 bytes of data) but the file holds 48"},
    {"load_npy", "bad/npy_lying_header.npy.gz", "(8000000 bytes of data) but the file holds 48"},
    {"load_npy", "bad/npy_huge_shape.npy", "dimensions 4294967296x4294967296x4294967296 are too large"},
    {"load_npy", "bad/npy_negative_shape.npy", "bad 'shape'"},
    {"load_npy", "bad/npy_object.npy", "'|O' holds Python objects"},
    {"load_npy", "bad/npy_structured.npy", "structured dtypes"},
    {"load_npy", "bad/npy_complex.npy", "complex dtype '<c16'"},
    {"load_npy", "bad/npy_unicode.npy", "holds strings"},
    {"load_npy", "bad/npy_missing_key.npy", "lacks 'fortran_order'"},
    {"load_npy", "bad/npy_unknown_key.npy", "unexpected key 'extra'"},
    {"load_npy", "bad/npy_version4.npy", "version 4.0"},
    {"load_npy", "bad/npy_bad_magic.npy", "not an NPY file"},
    {"load_npy", "bad/npy_short_header.npy", "truncated header"},
    {"load_npy", "bad/npy_header_cut.npy", "truncated header"},
    {"load_npy", "bad/npy_garbage_header.npy", "not a dictionary"},
    {"load_npy", "no_such_file.npy", "No such file or directory"},
    {"load_npy", "npy", "Is a directory"},
    {"load_idx", "bad/idx_bad_magic", "bad magic 0x00000701"},
    {"load_idx", "bad/idx_bad_magic_npy", "bad magic 0x934e554d"},
    {"load_idx", "bad/idx_lying_header",
     "header says 60000x28x28 (47040000 bytes of data) but the file holds 1024 bytes of data"},
    {"load_idx", "bad/idx_lying_header.gz",
     "header says 60000x28x28 (47040000 bytes of data) but the file holds 1024 bytes of data"},
    {"load_idx", "bad/idx_extra_data", "but the file holds 12 bytes"},
    {"load_idx", "bad/idx_extra_data.gz", "but the file holds more data"},
    {"load_idx", "bad/idx_huge_dims", "are too large"},
    {"load_idx", "bad/idx_header_cut", "truncated header"},
    {"load_idx", "bad/idx_empty", "not an IDX file"},
    {"load_idx", "bad/idx_truncated.gz", "corrupt gzip data (unexpected end of file)"},
    {"load_idx", "no_such_file", "No such file or directory"},
    {"load_csv", "csv/ragged.csv", "line 3 has 2 fields, expected 3"},
    {"load_csv", "csv/ragged_long.csv", "line 2 has 3 fields, expected 2"},
    {"load_csv", "csv/nonnumeric.csv", "line 3, column 2: 'abc' is not a number"},
    {"load_csv", "csv/missing_cell.csv", "line 3, column 2: empty cell"},
    {"load_csv", "csv/missing_last.csv", "line 2, column 3: empty cell"},
    {"load_csv", "csv/hex.csv", "line 2, column 1: '0x10' is not a number"},
    {"load_csv", "csv/unterminated.csv", "a quoted field is not closed"},
    {"load_csv", "csv/text_after_quote.csv", "text after the closing quote"},
    {"load_csv", "csv/na.csv", "line 2, column 2: 'NA' is not a number"},
    {"load_csv", "csv/semicolon.csv", "line 2, column 1: '1,5' is not a number", {delimiter = ";"}},
    {"load_csv", "no_such_file.csv", "No such file or directory"},
    {"load_h5", "h5/small.h5", "no dataset 'nope' in the file (its root group holds: " ..
     "be_i2, bools, empty, f4, grp/, images, labels, names, records, scalar, x)", "nope"},
    {"load_h5", "h5/small.h5", "'grp' is a group, not a dataset (it holds: inner)", "grp"},
    {"load_h5", "h5/small.h5", "dataset 'names' holds strings, not numbers", "names"},
    {"load_h5", "h5/small.h5", "dataset 'records' holds compound records", "records"},
    {"load_h5", "bad/not_h5.h5", "not an HDF5 file", "x"},
    {"load_h5", "no_such_file.h5", "No such file or directory", "x"},
  }
  for _, c in ipairs(cases) do
    local fn, file, needle, extra = c[1], c[2], c[3], c[4]
    it(fn .. " " .. file, function()
      H.raises(function() ml[fn](FIX .. file, extra) end,
        fn .. ": " .. FIX .. file .. ": " , needle)
    end)
  end

  it("load_* release their files at once on errors (no descriptor leak)", function()
    -- count this process's open descriptors through /proc (Linux), in
    -- process: a descriptor N is open when /proc/self/fd/N exists.  Opening
    -- it to look takes the lowest free number, never N, and is closed at
    -- once; a pipe or socket the kernel will not reopen answers with an
    -- error other than "No such file" (errno 2), and still counts.
    if not io.open("/proc/self/fd/0") and not io.open("/proc/self/fd/1") then return end
    local function nfd()
      local open = {}
      for fd = 0, 1023 do
        local f, _, errno = io.open("/proc/self/fd/" .. fd)
        if f then f:close() end
        if f or errno ~= 2 then open[#open + 1] = fd end
      end
      return table.concat(open, " ")
    end
    -- files other code left to the collector are closed first: the loaders'
    -- allocations may run a full collection even while it is stopped, and
    -- one closing then would look like a descriptor going away
    collectgarbage(); collectgarbage()
    local before = nfd()
    collectgarbage("stop")  -- so that only __close can release them
    for _ = 1, 50 do
      pcall(ml.load_idx, FIX .. "bad/idx_lying_header")
      pcall(ml.load_npy, FIX .. "bad/npy_truncated.npy")
      pcall(ml.load_csv, FIX .. "csv/ragged.csv")
      pcall(ml.load_h5, FIX .. "h5/small.h5", "names")
      pcall(ml.load_idx, FIX .. "idx/labels-idx1-ubyte")
    end
    local after = nfd()
    collectgarbage("restart")
    assert.are.equal(before, after)
  end)
end)

describe("argument and write errors", function()
  local m = ml.matrix{{1, 2}, {3, 4}}
  it("unknown options and bad option values", function()
    H.raises(function() ml.load_csv(FIX .. "csv/header.csv", {delim = ";"}) end,
      "load_csv: unknown option 'delim'")
    H.raises(function() ml.load_csv(FIX .. "csv/header.csv", {delimiter = ";;"}) end,
      "option 'delimiter' must be a one-character string")
    H.raises(function() ml.load_csv(FIX .. "csv/header.csv", {delimiter = '"'}) end,
      "cannot be a quote")
    H.raises(function() ml.load_csv(FIX .. "csv/header.csv", {header = 1}) end,
      "option 'header' must be true or false")
    H.raises(function() ml.save_csv(m, "/tmp/x.csv", {header = {"a"}}) end,
      "save_csv: the header has 1 names for 2 columns")
    H.raises(function() ml.save_csv(m, "/tmp/x.csv", {header = {"a", 2}}) end,
      "header name 2 must be a string")
    H.raises(function() ml.save_csv(m, "/tmp/x.csv", {header = "a,b"}) end,
      "option 'header' must be a table")
  end)
  it("bad arguments", function()
    H.raises(function() ml.load_csv() end, "bad argument #1 to 'load_csv'")
    H.raises(function() ml.load_h5(FIX .. "h5/small.h5") end, "bad argument #2 to 'load_h5'")
    H.raises(function() ml.save_npy({1, 2}, "/tmp/x.npy") end, "matrix expected")
    H.raises(function() ml.save_csv(m) end, "bad argument #2 to 'save_csv'")
  end)
  it("write errors carry the path and strerror", function()
    H.raises(function() ml.save_csv(m, "/dev/full") end,
      "save_csv: /dev/full: No space left on device")
    H.raises(function() m:save_npy("/dev/full") end,
      "save_npy: /dev/full: No space left on device")
    H.raises(function() m:save_csv("/nonexistent-dir/m.csv") end,
      "save_csv: /nonexistent-dir/m.csv: No such file or directory")
    H.raises(function() ml.save_npy(m, "/nonexistent-dir/m.npy") end,
      "save_npy: /nonexistent-dir/m.npy: No such file or directory")
  end)
end)

describe("the shared data sets", function()
  local DATA = "../shared/data/"
  local function have(p)
    local f = io.open(DATA .. p, "rb")
    if f then f:close() end
    return f ~= nil
  end
  it("MNIST t10k labels: a 2000x1 column of digits", function()
    if not have("mnist/t10k-labels-idx1-ubyte.gz") then return end
    local y = ml.load_idx(DATA .. "mnist/t10k-labels-idx1-ubyte.gz")
    assert.are.equal("2000x1", H.shape(y))
    assert.are.equal(0, y:min())
    assert.are.equal(9, y:max())
    assert.are.equal(8690, y:sum())
    H.close(y:slice(1, 10):T(), {{7, 0, 4, 9, 3, 1, 3, 4, 2, 7}}, 0)
  end)
  it("MNIST t10k images: 2000x784 raw pixels", function()
    if not have("mnist/t10k-images-idx3-ubyte.gz") then return end
    local x = ml.load_idx(DATA .. "mnist/t10k-images-idx3-ubyte.gz")
    assert.are.equal("2000x784", H.shape(x))
    assert.are.equal(0, x:min())
    assert.are.equal(255, x:max())
  end)
  it("cat images: train_set_x 209x12288, train_set_y 209x1", function()
    if not have("catvnoncat/train_catvnoncat.h5") then return end
    local f = DATA .. "catvnoncat/train_catvnoncat.h5"
    local x = ml.load_h5(f, "train_set_x")
    assert.are.equal("209x12288", H.shape(x))
    assert.are.equal(0, x:min())
    assert.are.equal(255, x:max())
    assert.are.equal(264542077, x:sum())
    assert.are.equal(17, x:get(1, 1))
    local y = ml.load_h5(f, "train_set_y")
    assert.are.equal("209x1", H.shape(y))
    assert.are.equal(72, y:sum())
    H.raises(function() ml.load_h5(f, "list_classes") end, "holds strings, not numbers")
  end)
end)
