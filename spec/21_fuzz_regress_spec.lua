-- 21: regressions for what the fuzzers of fuzz/ found.  Each case is the
-- (minimised) input of one find; `make sanitize` runs this file with ASan,
-- which is what turns an over-read back into a failure.
local ml = require "luaml"
local H = dofile("spec/helpers.lua")

local tmpfile, npy = H.tmpfile, H.npy

-- f must raise; its message is one line of printable text naming fname
local function clean_error(f, fname, ...)
  local msg = H.raises(f, fname, ...)
  assert.is_nil(msg:find("[%c]"), "control byte in the message: " .. ("%q"):format(msg))
  return msg
end

describe("fuzz finds: NPY headers", function()
  it("an error near the end of the header reads nothing past it (heap over-read)", function()
    local p = tmpfile(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,3) xxxxxxx"))
    local msg = clean_error(function() return ml.load_npy(p) end, "load_npy", "cannot parse the header near")
    assert.truthy(msg:find("near 'xxxxxxx'$"), msg)
    os.remove(p)
  end)

  it("bytes of the file quoted in a message are shown as '?' (no raw newlines)", function()
    local p = tmpfile(npy("{'descr': '<f8', '" .. ("\n\0"):rep(10) .. "\n"))
    clean_error(function() return ml.load_npy(p) end, "load_npy", "header")
    os.remove(p)
    p = tmpfile(npy("{'descr': '<f\1', 'fortran_order': False, 'shape': (1,), }"))
    clean_error(function() return ml.load_npy(p) end, "load_npy", "unsupported dtype '<f?'")
    os.remove(p)
    p = tmpfile(npy("{'a\tb': 1}"))
    clean_error(function() return ml.load_npy(p) end, "load_npy", "unexpected key 'a?b'")
    os.remove(p)
  end)
end)

describe("fuzz finds: CSV cells", function()
  it("a DEL byte in a bad cell is shown as '?'", function()
    local p = tmpfile("\0\0\0\127\253\211\162\244\192")
    clean_error(function() return ml.load_csv(p, {header = false, delimiter = "|"}) end,
      "load_csv", "line 1, column 1", "is not a number")
    os.remove(p)
  end)
end)

describe("fuzz finds: the Lua API", function()
  it("take with an index beyond the integers (UB: double to long long cast)", function()
    -- V[4] = V[1]:take({math.maxinteger, -1}, 1)
    local m = ml.ones(2, 3)
    for _, v in ipairs{math.maxinteger, 2 ^ 63, -2 ^ 63, 1e300, math.huge, -math.huge} do
      H.raises(function() return m:take({v, -1}, 1) end, "take: index", "position 1 out of range for 2x3 matrix (1..2)")
      H.raises(function() return m:take({1, v}, 2) end, "position 2 out of range for 2x3 matrix (1..3)")
    end
    H.raises(function() return m:take({0 / 0}) end, "take: index", "not a whole number")
  end)

  it("hstack/vstack of empty matrices whose sizes add up past an int (UB: int overflow)", function()
    -- seen while triaging a slow fuzz input that doubled a matrix with hstack
    local E, F = ml.zeros(0, 1500000000), ml.zeros(1500000000, 0)
    H.raises(function() return ml.hstack{E, E, E} end, "hstack", "dimension too large", "0x4500000000")
    H.raises(function() return ml.vstack{F, F} end, "vstack", "dimension too large", "3000000000x0")
    assert.are.equal(1500000000, ml.hstack{E}.cols)
  end)

  it("save_csv of a matrix without columns writes no lines (it wrote 1.5 GB of blank ones)", function()
    -- V[6] = ml.randn(1500000000, 0); ml.save_csv(V[6], P) took 80 s
    local p = os.tmpname()
    ml.save_csv(ml.zeros(1500000000, 0), p)
    local f = assert(io.open(p, "rb"))
    assert.are.equal(0, #f:read("a"))
    f:close()
    assert.are.equal("0x0", H.shape(ml.load_csv(p)))
    os.remove(p)
  end)
end)
