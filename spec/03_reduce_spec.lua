-- 03: reductions against numpy: no axis (a Lua number), axis 1 (numpy
-- axis=0, result 1 x c), axis 2 (numpy axis=1 keepdims, result r x 1), on
-- plain matrices, transposed views and strided blocks.
local ml = require "luaml"
local ref = dofile("spec/ref/numpy_ref.lua")
local H = dofile("spec/helpers.lua")

local I = ref.inputs
local TOL = 1e-12

-- the same values in three layouts
local function layouts(name)
  local t = I[name]
  local r, c = #t, #t[1]
  local big = ml.full(r + 3, c + 4, 1e300)        -- sentinels around the block
  big:slice(2, r + 1, 3, c + 2):copy_(H.M(t))
  return {
    plain = function() return H.M(t) end,
    transposed = function() return H.M(H.transpose(t)):T() end,
    block = function() return big:slice(2, r + 1, 3, c + 2) end,
  }
end

-- name in luaml -> key in the reference file, ddof
local OPS = {
  {"sum", "sum"}, {"mean", "mean"}, {"max", "max"}, {"min", "min"},
  {"argmax", "argmax"}, {"argmin", "argmin"}, {"prod", "prod"}, {"norm", "norm"},
  {"var", "var0"}, {"std", "std0"},
  {"var", "var1", 1}, {"std", "std1", 1},
  {"var", "var0", 0}, {"std", "std0", 0},
}

for _, input in ipairs{"M", "Mrow", "Mcol"} do
  local R = ref.reduce[input]
  for lname, mk in pairs(layouts(input)) do
    describe(("reductions of %s (%s)"):format(input, lname), function()
      for _, op in ipairs(OPS) do
        local fname, key, ddof = op[1], op[2], op[3]
        local dd = ddof and (", ddof=" .. ddof) or ""
        it(("%s%s, all elements"):format(fname, dd), function()
          local m = mk()
          local got
          if ddof then got = ml[fname](m, nil, ddof) else got = ml[fname](m) end
          H.close(got, R[key].all, TOL, fname .. dd)
          if not ddof then H.close(m[fname](m), R[key].all, TOL, "m:" .. fname .. "()") end
        end)
        it(("%s%s, axis 1 (1 x c)"):format(fname, dd), function()
          local m = mk()
          local got
          if ddof then got = ml[fname](m, 1, ddof) else got = ml[fname](m, 1) end
          H.close(got, R[key].axis1, TOL, fname .. "(m, 1" .. dd .. ")")
        end)
        it(("%s%s, axis 2 (r x 1)"):format(fname, dd), function()
          local m = mk()
          local got
          if ddof then got = m[fname](m, 2, ddof) else got = m[fname](m, 2) end
          H.close(got, R[key].axis2, TOL, "m:" .. fname .. "(2" .. dd .. ")")
        end)
      end
    end)
  end
end

describe("reduction details", function()
  it("argmax/argmin return the first of tied positions, 1-based", function()
    local m = H.M(I.M)                   -- 9.0 at (2,2) and (3,2); 4.0 at (1,3), (1,4)
    assert.are.equal(6, ml.argmax(m))    -- flat row-major position of (2,2)
    H.close(ml.argmax(m, 2), {{3}, {2}, {2}}, 0)
    H.close(ml.argmax(m, 1), {{3, 2, 1, 2}}, 0)
  end)

  it("argmax with no axis on a transposed view counts in the view's row-major order", function()
    local m = ml.matrix{{1, 9}, {2, 3}, {4, 5}}:T()   -- {{1,2,4},{9,3,5}}
    assert.are.equal(4, ml.argmax(m))
    assert.are.equal(1, ml.argmin(m))
  end)

  it("no axis gives a Lua number", function()
    local m = H.M(I.M)
    for _, f in ipairs{"sum", "mean", "max", "min", "argmax", "argmin", "std", "var", "norm", "prod"} do
      assert.are.equal("number", type(ml[f](m)), f .. " should return a number")
    end
  end)

  it("argmax/argmin with no axis return an integer position (prints as 6, not 6.0)", function()
    local m = H.M(I.M)
    assert.are.equal("integer", math.type(ml.argmax(m)))
    assert.are.equal("integer", math.type(ml.argmin(m)))
  end)

  it("ddof as an option table", function()
    local m = H.M(I.M)
    H.close(ml.var(m, {ddof = 1}), ref.reduce.M.var1.all, TOL)
    H.close(ml.std(m, {axis = 1, ddof = 1}), ref.reduce.M.std1.axis1, TOL)
  end)

  it("sum of a 1x1 and of a large matrix", function()
    assert.are.equal(-2.5, ml.sum(ml.matrix{{-2.5}}))
    local n = 1000
    local o = ml.ones(n, n)
    assert.are.equal(n * n, ml.sum(o))
    H.close(ml.sum(o, 1), ml.full(1, n, n), 0)
    H.close(ml.mean(o:T(), 2), ml.ones(n, 1), 0)
  end)
end)
