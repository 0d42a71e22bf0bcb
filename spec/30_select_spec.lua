-- 30: selection and ordering against numpy (spec/ref/gen_select.py):
-- where, mask, take, sort/argsort, unique, diag, median/quantile, cumprod,
-- allclose, meshgrid; on views and empty matrices too.
local ml = require "luaml"
local H = dofile("spec/helpers.lua")
local ref = dofile("spec/ref/select_ref.lua")
local I = ref.inputs
local EXACT = {rtol = 0, atol = 0}

local function M(name) return H.M(I[name]) end

-- the same values as a strided view: the transpose of a dense copy of the
-- transpose, so neither stride is 1 along a row
local function view(name)
  return H.M(H.transpose(I[name])):T()
end

describe("sort and argsort", function()
  for _, name in ipairs{"S", "Q"} do
    for _, axis in ipairs{1, 2} do
      it(name .. " by axis " .. axis .. ", stable, NaN last (dense and view)", function()
        for _, X in ipairs{M(name), view(name)} do
          H.close(X:sort(axis), ref.sort[name .. "_sort" .. axis], EXACT)
          H.close(ml.argsort(X, axis), ref.sort[name .. "_argsort" .. axis], EXACT)
        end
      end)
    end
  end
  it("a matrix sorts each row by default (numpy's axis=-1)", function()
    H.close(M("S"):sort(), ref.sort.S_sort2, EXACT)
  end)
  it("a vector sorts along itself, row or column", function()
    H.close(M("vrow"):sort(), ref.sort.vrow_sort, EXACT)
    H.close(M("vrow"):argsort(), ref.sort.vrow_argsort, EXACT)
    H.close(M("vcol"):sort(), H.transpose(ref.sort.vrow_sort), EXACT)
    H.close(M("vcol"):argsort(), H.transpose(ref.sort.vrow_argsort), EXACT)
  end)
  it("ties keep their order over a long run (stability across merges)", function()
    local x = ml.zeros(1, 100)
    for j = 1, 100 do x[j] = j % 3 end
    local p = x:argsort()
    for j = 2, 100 do
      local a, b = p[j - 1], p[j]
      assert.is_true(x[a] < x[b] or (x[a] == x[b] and a < b))
    end
  end)
  it("empty matrices give empty results", function()
    assert.are.same({0, 3}, {ml.zeros(0, 3):sort(1):shape()})
    assert.are.same({2, 0}, {ml.zeros(2, 0):argsort():shape()})
  end)
end)

describe("unique", function()
  for _, name in ipairs{"S", "U", "vrow"} do
    it(name .. ": sorted values and counts", function()
      local v, c = ml.unique(M(name))
      H.close(v, ref.unique[name].values, EXACT)
      H.close(c, ref.unique[name].counts, EXACT)
      local v2, c2 = view(name):unique()
      H.close(v2, ref.unique[name].values, EXACT)
      H.close(c2, ref.unique[name].counts, EXACT)
    end)
  end
  it("of nothing is 1x0", function()
    local v, c = ml.unique(ml.zeros(0, 4))
    assert.are.same({1, 0, 1, 0}, {v.rows, v.cols, c.rows, c.cols})
  end)
end)

describe("median and quantile (numpy's linear interpolation)", function()
  for _, name in ipairs{"Q", "Qnan", "vrow", "P"} do
    local e = ref.quantile[name]
    it(name .. ": median, all and by axis", function()
      for _, X in ipairs{M(name), view(name)} do
        H.close(X:median(), e.median, EXACT)
        H.close(ml.median(X, 1), e.median1, EXACT)
        H.close(X:median(2), e.median2, EXACT)
      end
    end)
    it(name .. ": quantiles, all and by axis", function()
      for k, q in ipairs(ref.quantile.qs) do
        for _, X in ipairs{M(name), view(name)} do
          H.close(X:quantile(q), e.q[k], EXACT, "q=" .. q)
          H.close(ml.quantile(X, q, 1), e.q1[k], EXACT, "q=" .. q .. " axis 1")
          H.close(X:quantile(q, 2), e.q2[k], EXACT, "q=" .. q .. " axis 2")
        end
      end
    end)
  end
  it("the median of nothing is NaN; a quantile of nothing is an error", function()
    local m = ml.median(ml.zeros(0, 0))
    assert.is_true(m ~= m)
    H.raises(function() return ml.quantile(ml.zeros(0, 3), 0.5) end,
             "quantile", "empty")
    H.raises(function() return ml.quantile(ml.zeros(0, 3), 0.5, 1) end,
             "quantile", "empty axis 1", "0x3")
    assert.are.same({1, 3}, {ml.median(ml.zeros(0, 3), 1):shape()})
  end)
  it("q outside [0, 1] names the argument and percentiles", function()
    H.raises(function() return ml.quantile(M("Q"), 50) end,
             "bad argument #2 to 'quantile'", "between 0 and 1", "p / 100")
  end)
end)

describe("cumprod", function()
  it("by axis and along vectors, as numpy", function()
    H.close(M("Q"):cumprod(1), ref.cumprod.Q1, EXACT)
    H.close(ml.cumprod(view("Q"), 2), ref.cumprod.Q2, EXACT)
    H.close(M("vrow"):cumprod(), ref.cumprod.vrow, EXACT)
    H.close(M("vcol"):cumprod(), ref.cumprod.vcol, EXACT)
    assert.are.same({0, 2}, {ml.zeros(0, 2):cumprod():shape()})
  end)
end)

describe("diag", function()
  it("the diagonals of a matrix, k = -3 .. 4", function()
    for k = -3, 4 do
      local e = ref.diag["Q_" .. (k + 3)]
      local d = M("Q"):diag(k)
      if e == "empty" then
        assert.are.same({1, 0}, {d:shape()})
      else
        H.close(d, e, EXACT, "k=" .. k)
        H.close(ml.diag(view("Q"), k), e, EXACT, "view k=" .. k)
      end
    end
  end)
  it("a vector on diagonal k of a square matrix", function()
    for _, k in ipairs{-1, 0, 2} do
      H.close(ml.diag(M("xs"), k), ref.diag["v_" .. (k + 1)], EXACT)
      H.close(ml.diag(M("xs"):T(), k), ref.diag["v_" .. (k + 1)], EXACT)
    end
    H.close(ml.diag(M("xs")), H.rows(ml.matrix{{1, 0, 0}, {0, 2, 0}, {0, 0, 3}}), EXACT)
  end)
  it("diag returns a copy", function()
    local Q = M("Q")
    local d = Q:diag()
    d[1] = 99
    assert.are.equal(4, Q:get(1, 1))
  end)
end)

describe("where", function()
  it("broadcasts cond (3x1), a (1x4) and b (a number); NaN is true", function()
    H.close(ml.where(M("cond"), M("wa"), I.wb), ref.where, EXACT)
    H.close(M("cond"):where(M("wa"), I.wb), ref.where, EXACT)
  end)
  it("numbers and comparisons", function()
    local P = M("P")
    H.close(ml.where(P:gt(1), P, 0), {{1.5, 0, 0}, {3, 0, 0}, {2, 2, 4}}, EXACT)
  end)
  it("shapes that do not broadcast name all three", function()
    H.raises(function() return ml.where(ml.zeros(2, 3), ml.zeros(3, 2), 0) end,
             "where: cannot broadcast cond 2x3, a 3x2 and b 1x1")
  end)
  it("one argument points to the three-argument form and to mask", function()
    H.raises(function() return ml.where(ml.zeros(2, 3)) end,
             "where(cond, a, b)", "X:mask(cond)")
  end)
end)

describe("mask", function()
  it("a vector of X.rows entries selects rows (numpy's X[m])", function()
    H.close(M("Q"):mask(M("mrow")), ref.mask.rows, EXACT)
    H.close(view("Q"):mask(M("mrow"):T()), ref.mask.rows, EXACT)
    H.close(ml.mask(M("Q"), {1, 0, 1, 1}), ref.mask.rows, EXACT)
  end)
  it("a mask of X's shape selects elements in row-major order", function()
    local Q = M("Q")
    H.close(Q:mask(Q:gt(2)), ref.mask.elems, EXACT)
    H.close(view("Q"):mask(view("Q"):gt(2)), ref.mask.elems, EXACT)
  end)
  it("axis 2 selects columns", function()
    assert.are.same({4, 2}, {M("Q"):mask({1, 0, 0, 1, 0}, 2):shape()})
    H.close(M("Q"):mask(ml.matrix{0, 1, 1, 0, 1}:ne(0), 2), ref.mask.cols, EXACT)
  end)
  it("nothing selected gives 0 rows; empty input gives empty output", function()
    assert.are.same({0, 5}, {M("Q"):mask(ml.zeros(4, 1)):shape()})
    assert.are.same({0, 3}, {ml.zeros(0, 3):mask(ml.zeros(0, 1)):shape()})
  end)
  it("a mask that fits nothing names both shapes", function()
    H.raises(function() return M("Q"):mask(ml.ones(3, 1)) end,
             "mask: the mask is 3x1 but the matrix is 4x5")
  end)
  it("X[m] with a matrix key is an error pointing to X:mask", function()
    local Q = M("Q")
    H.raises(function() return Q[Q:gt(2)] end, "X:mask(m)")
    H.raises(function() Q[Q:gt(2)] = 0 end, "ml.where")
  end)
end)

describe("take", function()
  it("rows and columns by 1-based positions, negative from the end", function()
    H.close(M("Q"):take(M("tidx")), ref.take.rows, EXACT)
    H.close(view("Q"):take(M("tidx"), 2), ref.take.cols, EXACT)
    assert.are.same({0, 5}, {M("Q"):take(ml.zeros(1, 0)):shape()})
  end)
end)

describe("allclose", function()
  it("numpy's |a - b| <= atol + rtol |b|, infinities equal, NaN never", function()
    for k, c in ipairs(ref.allclose) do
      assert.are.equal(c.close, ml.allclose(c.a, c.b, c.rtol, c.atol), "case " .. k)
    end
  end)
  it("matrices broadcast; the default tolerances are numpy's", function()
    local P = M("P")
    assert.is_true(ml.allclose(P, P + 1e-9))
    assert.is_false(P:allclose(P + 1e-3))
    assert.is_true(ml.allclose(ml.ones(2, 3), 1))
    H.raises(function() return ml.allclose(ml.ones(2, 3), ml.ones(3, 2)) end,
             "allclose: cannot broadcast 2x3 with 3x2")
  end)
end)

describe("meshgrid", function()
  it("numpy's xy indexing, rows or columns as input", function()
    local X, Y = ml.meshgrid(M("xs"), M("ys"))
    H.close(X, ref.meshgrid.X, EXACT)
    H.close(Y, ref.meshgrid.Y, EXACT)
    X, Y = ml.meshgrid(M("xs"):T(), M("ys"):T())
    H.close(X, ref.meshgrid.X, EXACT)
    H.close(Y, ref.meshgrid.Y, EXACT)
  end)
  it("a matrix is not a vector", function()
    H.raises(function() return ml.meshgrid(ml.ones(2, 2), M("ys")) end,
             "meshgrid: xs must be a vector, got a 2x2 matrix")
  end)
end)

describe("linspace", function()
  it("equals numpy's linspace to the bit", function()
    for _, c in ipairs(ref.linspace) do
      H.close(ml.linspace(c.a, c.b, c.n), c.values, EXACT,
              ("linspace(%.17g, %.17g, %d)"):format(c.a, c.b, c.n))
    end
  end)
end)
