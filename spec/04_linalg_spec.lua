-- 04: products and linear algebra against numpy.
local ml = require "luaml"
local ref = dofile("spec/ref/numpy_ref.lua")
local H = dofile("spec/helpers.lua")

local I = ref.inputs
local LA = ref.linalg
local PROD_TOL = 1e-12   -- small integer-ish products: BLAS may reorder the sums
local LA_TOL = 1e-9      -- LAPACK results

-- plain Lua product of two matrices given as tables of rows (independent of ml.dot)
local function matmul(a, b)
  local r = {}
  for i = 1, #a do
    r[i] = {}
    for j = 1, #b[1] do
      local s = 0
      for k = 1, #b do s = s + a[i][k] * b[k][j] end
      r[i][j] = s
    end
  end
  return r
end

describe("dot", function()
  local D1, D2, D3, D4 = H.M(I.D1), H.M(I.D2), H.M(I.D3), H.M(I.D4)

  it("plain 3x4 . 4x2, as method and module function", function()
    H.close(D1:dot(D2), ref.dot["D1.D2"], PROD_TOL)
    H.close(ml.dot(D1, D2), ref.dot["D1.D2"], PROD_TOL)
  end)
  it("transposed left operand X:T():dot(Y)", function()
    H.close(D3:T():dot(D2), ref.dot["D3T.D2"], PROD_TOL)
  end)
  it("transposed right operand X:dot(Y:T())", function()
    H.close(D1:dot(D4:T()), ref.dot["D1.D4T"], PROD_TOL)
  end)
  it("both transposed", function()
    H.close(D3:T():dot(D4:T()), ref.dot["D3T.D4T"], PROD_TOL)
  end)
  it("matrix . column vector and row vector . matrix", function()
    H.close(D1:dot(H.M(I.v4)), ref.dot["D1.v4"], PROD_TOL)
    H.close(H.M(I.u3):dot(D1), ref.dot["u3.D1"], PROD_TOL)
    -- the vector as a transposed view
    H.close(D1:dot(H.M(H.transpose(I.v4)):T()), ref.dot["D1.v4"], PROD_TOL)
    H.close(H.M(H.transpose(I.u3)):T():dot(D1), ref.dot["u3.D1"], PROD_TOL)
  end)
  it("row . column is a 1x1 matrix, column . row is the outer product", function()
    H.close(H.M(I.w4):dot(H.M(I.v4)), ref.dot["w4.v4"], PROD_TOL)
    H.close(H.M(I.v4):dot(H.M(I.w4)), ref.dot["v4.w4"], PROD_TOL)
  end)
  it("strided slices and column views", function()
    H.close(D1:slice(1, 3, 2, 4):dot(D2:slice(1, 3)), ref.dot["D1s.D2s"], PROD_TOL)
    H.close(D1:col(2):dot(H.M(I.u3)), ref.dot["D1col2.u3"], PROD_TOL)
    -- a view whose strides are neither row- nor column-major contiguous
    local big = ml.zeros(8, 10)
    big:slice(2, 4, 3, 6):copy_(D1)
    H.close(big:slice(2, 4, 3, 6):dot(D2), ref.dot["D1.D2"], PROD_TOL)
    H.close(big:slice(2, 4, 3, 6):T():T():dot(D2), ref.dot["D1.D2"], PROD_TOL)
  end)
  it("X:T():dot(X) is symmetric and matches plain Lua", function()
    local g = D3:T():dot(D3)
    H.close(g, matmul(H.transpose(I.D3), I.D3), PROD_TOL)
  end)
  it("dot does not modify its operands", function()
    D1:dot(D2)
    H.close(D1, I.D1, 0)
    H.close(D2, I.D2, 0)
  end)
  it("larger product matches plain Lua", function()
    local n = 37
    local a, b = ml.zeros(n, n + 3), ml.zeros(n + 3, n - 5)
    local ta, tb = {}, {}
    for i = 1, n do ta[i] = {} for j = 1, n + 3 do ta[i][j] = ((i * 7 + j * 3) % 11) - 5; a:set(i, j, ta[i][j]) end end
    for i = 1, n + 3 do tb[i] = {} for j = 1, n - 5 do tb[i][j] = ((i * 5 + j) % 7) - 3; b:set(i, j, tb[i][j]) end end
    H.close(a:dot(b), matmul(ta, tb), 0)           -- small integers: exact
    H.close(b:T():dot(a:T()), H.transpose(matmul(ta, tb)), 0)
  end)
end)

describe("dot with alpha and beta: out = alpha a b + beta out", function()
  local D1, D2, D3, D4 = H.M(I.D1), H.M(I.D2), H.M(I.D3), H.M(I.D4)
  local R = ref.dot_ab
  -- the formula of gen_ref.py's grid_int: ((a i + b j) mod m - m // 2) / 4
  local function grid_int(r, c, a, b, m)
    local x = ml.zeros(r, c)
    for i = 1, r do
      for j = 1, c do x:set(i, j, ((a * i + b * j) % m - m // 2) / 4) end
    end
    return x
  end

  it("into out, also a transposed view, a column and a row", function()
    local C = H.M(I.C32)
    assert.are.equal(C, ml.dot(D1, D2, C, -0.5, 2))  -- returns out
    H.close(C, R["D1.D2,-0.5,2"], PROD_TOL)
    local Ct = H.M(H.transpose(I.C32))
    H.close(D3:T():dot(D4:T(), Ct:T(), 3, -1), R["D3T.D4T,3,-1"], PROD_TOL)
    H.close(Ct, H.transpose(R["D3T.D4T,3,-1"]), PROD_TOL)
    local c = H.M(I.C32):col(1)
    H.close(ml.dot(D1, H.M(I.v4), c, 2, 0.5), R["D1.v4,2,0.5"], PROD_TOL)
    local row = D1:row(1):copy()
    H.close(H.M(I.u3):dot(D1, row, -1, 1), R["u3.D1,-1,1"], PROD_TOL)
  end)

  it("alpha alone scales a new product; beta 0 ignores out's NaN", function()
    H.close(ml.dot(D1, D2, nil, 2), R["D1.D2,2,0"], PROD_TOL)
    H.close(ml.dot(D1, D2, ml.full(3, 2, 0 / 0), 2, 0), R["D1.D2,2,0"], PROD_TOL)
    H.close(ml.dot(D1, D2, ml.full(3, 2, 0 / 0), 2), R["D1.D2,2,0"], PROD_TOL)
  end)

  it("out that is also an operand is read before it is written", function()
    local A = ml.matrix{{1, 2}, {3, 4}}
    H.close(ml.dot(A, ml.matrix{{1, 0}, {1, 1}}, A, 1, 1), {{4, 4}, {10, 8}})
  end)

  it("a product for BLAS", function()
    local G3 = grid_int(40, 20, 3, 1, 7)
    ml.dot(grid_int(40, 30, 7, 3, 11), grid_int(30, 20, 5, 2, 9), G3, -0.25, 1)
    H.close(G3, R["G1.G2,-0.25,1"], 1e-12)
  end)

  it("X^T G into W^T (a gradient-descent step), by our loop and by BLAS", function()
    local script = [[
local function grid_int(r, c, a, b, m)
  local x = ml.zeros(r, c)
  for i = 1, r do for j = 1, c do x:set(i, j, ((a * i + b * j) % m - m // 2) / 4) end end
  return x
end
local X, N, W = grid_int(200, 30, 3, 5, 13), grid_int(200, 5, 2, 7, 5), grid_int(5, 30, 1, 4, 7)
ml.dot(X:T(), N, W:T(), -0.1, 1)
for _, row in ipairs(W:totable()) do
  for _, v in ipairs(row) do io.write(string.format("%.17g\n", v)) end
end
]]
    for _, env in ipairs{"LUAML_KERNEL=own", "LUAML_KERNEL=blas"} do
      local got = {}
      for line in H.host(script, env):gmatch("[^\n]+") do got[#got + 1] = tonumber(line) end
      local want = R["X200T.N5,-0.1,1"]
      assert.are.equal(5 * 30, #got, env)
      for i = 1, 5 do
        for j = 1, 30 do H.close(got[(i - 1) * 30 + j], want[i][j], 1e-12, env) end
      end
    end
  end)

  it("says what is wrong", function()
    H.raises(function() ml.dot(D1, D2, nil, 1, 2) end,
             "dot: beta = 2 adds beta * out to the product, so it needs out",
             "ml.dot(a, b, out, alpha, beta)")
    H.raises(function() ml.dot(2, D2, nil, 3) end,
             "dot: alpha and beta go with a product of two matrices", "write x * m")
    H.raises(function() ml.dot(D1, D2, ml.zeros(3, 2), "x") end, "bad argument #4", "number expected")
    H.raises(function() ml.dot(D1, D2, ml.zeros(3, 2), 1, {}) end, "bad argument #5", "number expected")
    H.raises(function() ml.dot(D1, D2, ml.zeros(2, 3), 1, 1) end, "dot", "3x2")
    H.raises(function() ml.grad(function(x) return ml.dot(x, x, nil, 2):sum() end)(ml.eye(2)) end,
             "dot: inside ml.grad leave out alpha and beta")
  end)
end)

describe("outer and inner", function()
  it("outer of a row and a row, of a column and a row", function()
    H.close(ml.outer(H.M(I.u3), H.M(I.w4)), ref.outer["u3,w4"], 0)
    H.close(ml.outer(H.M(I.v4), H.M(I.x3)), ref.outer["v4,x3"], 0)
    H.close(ml.outer(H.M(I.u3):T(), H.M(I.w4)), ref.outer["u3,w4"], 0)
  end)
  it("inner of two vectors is a number", function()
    local r = ml.inner(H.M(I.u3), H.M(I.x3))
    assert.are.equal("number", type(r))
    H.close(r, ref.inner["u3,x3"], PROD_TOL)
    H.close(ml.inner(H.M(I.v4), H.M(I.v4)), ref.inner["v4,v4"], PROD_TOL)
  end)
end)

describe("solve / inv / det", function()
  it("solve(G, b) for a column and for several right-hand sides", function()
    H.close(ml.solve(H.M(I.G), H.M(I.b)), LA.solve_G_b, LA_TOL)
    H.close(ml.solve(H.M(I.G), H.M(I.Bm)), LA.solve_G_Bm, LA_TOL)
    H.close(ml.solve(H.M(I.Spd), H.M(I.b)), LA.solve_Spd_b, LA_TOL)
  end)
  it("solve with a transposed operand", function()
    -- solve(G^T, b) where G^T is given as a view
    local x = ml.solve(H.M(H.transpose(I.G)):T(), H.M(I.b))
    H.close(x, LA.solve_G_b, LA_TOL)
  end)
  it("solve does not modify its inputs", function()
    local G, b = H.M(I.G), H.M(I.b)
    ml.solve(G, b)
    H.close(G, I.G, 0)
    H.close(b, I.b, 0)
  end)
  it("inv", function()
    H.close(ml.inv(H.M(I.G)), LA.inv_G, LA_TOL)
    H.close(ml.inv(H.M(I.G4)), LA.inv_G4, LA_TOL)
    H.close(ml.inv(H.M(I.Spd)), LA.inv_Spd, LA_TOL)
    H.close(H.M(I.G):inv(), LA.inv_G, LA_TOL)
    H.close(ml.inv(H.M(I.G)):dot(H.M(I.G)), ml.eye(3), LA_TOL)
  end)
  it("det is a number", function()
    local d = ml.det(H.M(I.G))
    assert.are.equal("number", type(d))
    H.close(d, LA.det_G, LA_TOL)
    H.close(ml.det(H.M(I.G4)), LA.det_G4, LA_TOL)
    H.close(ml.det(H.M(I.Spd)), LA.det_Spd, LA_TOL)
    H.close(ml.det(H.M(I.G):T()), LA.det_GT, LA_TOL)
  end)
  it("det of a singular matrix is 0 (not an error)", function()
    H.close(ml.det(H.M(I.Sing)), 0, 1e-12)
  end)
  it("singular matrix: solve and inv raise an error that says 'singular'", function()
    H.raises(function() return ml.solve(H.M(I.Sing), ml.ones(2, 1)) end, "singular")
    H.raises(function() return ml.inv(H.M(I.Sing)) end, "singular")
    H.raises(function() return ml.inv(ml.zeros(3, 3)) end, "singular")
  end)
end)

describe("lstsq", function()
  it("overdetermined: least-squares line fit", function()
    H.close(ml.lstsq(H.M(I.Ltall), H.M(I.ytall)), LA.lstsq_tall, LA_TOL)
  end)
  it("underdetermined: minimum-norm solution", function()
    H.close(ml.lstsq(H.M(I.Lwide), H.M(I.ywide)), LA.lstsq_wide, LA_TOL)
  end)
  it("rank-deficient input is handled (minimum-norm solution)", function()
    H.close(ml.lstsq(H.M(I.Ldef), H.M(I.ydef)), LA.lstsq_def, LA_TOL)
  end)
  it("square nonsingular: same as solve", function()
    H.close(ml.lstsq(H.M(I.G), H.M(I.b)), LA.solve_G_b, LA_TOL)
  end)
end)

describe("cholesky", function()
  it("lower factor L with L L^T = A", function()
    local L = ml.cholesky(H.M(I.Spd))
    H.close(L, LA.cholesky_Spd, LA_TOL)
    H.close(L:dot(L:T()), I.Spd, LA_TOL)
  end)
  it("a non positive definite matrix raises an error", function()
    H.raises(function() return ml.cholesky(H.M(I.NotPD)) end, "positive")
  end)
end)

describe("eigh", function()
  local function check_eigh(name, wref)
    local A = H.M(I[name])
    local w, V = ml.eigh(A)
    H.close(w, wref, LA_TOL, "eigenvalues (1 x n, ascending)")
    local n = #I[name]
    local wt = w:totable()[1]
    for k = 2, n do assert.is_true(wt[k - 1] <= wt[k], "eigenvalues not ascending") end
    -- A v = lambda v for every column (eigenvector signs are arbitrary)
    local Vt = H.rows(V)
    local AV = matmul(I[name], Vt)
    local VL = {}
    for i = 1, n do
      VL[i] = {}
      for j = 1, n do VL[i][j] = Vt[i][j] * wt[j] end
    end
    H.close(H.M(AV), VL, LA_TOL, "A V = V diag(w)")
    -- orthonormal eigenvectors
    H.close(V:T():dot(V), ml.eye(n), LA_TOL, "V^T V = I")
  end
  it("3x3", function() check_eigh("Spd", LA.eigh_Spd_w) end)
  it("4x4 indefinite", function() check_eigh("Sym4", LA.eigh_Sym4_w) end)
end)

describe("svd", function()
  local function check_svd(name, sref)
    local A = I[name]
    local m, n = #A, #A[1]
    local p = math.min(m, n)
    local U, s, Vt = ml.svd(H.M(A))
    H.close(s, sref, LA_TOL, "singular values (1 x p, descending)")
    assert.are.equal(m, U.rows); assert.are.equal(p, U.cols)
    assert.are.equal(p, Vt.rows); assert.are.equal(n, Vt.cols)
    -- reconstruction U diag(s) Vt = A
    local Us = U * s                               -- scale column j by s_j (broadcast row)
    H.close(Us:dot(Vt), A, LA_TOL, "U diag(s) Vt")
    H.close(U:T():dot(U), ml.eye(p), LA_TOL, "U^T U = I")
    H.close(Vt:dot(Vt:T()), ml.eye(p), LA_TOL, "Vt Vt^T = I")
  end
  it("tall 4x3", function() check_svd("Sv", LA.svd_Sv_s) end)
  it("wide 2x3", function() check_svd("Lwide", LA.svd_Lwide_s) end)
end)

describe("pinv", function()
  it("matches numpy for tall, wide and rank-deficient matrices", function()
    H.close(ml.pinv(H.M(I.Sv)), LA.pinv_Sv, LA_TOL)
    H.close(ml.pinv(H.M(I.Lwide)), LA.pinv_Lwide, LA_TOL)
    H.close(ml.pinv(H.M(I.Ldef)), LA.pinv_Ldef, LA_TOL)
  end)
  it("pinv of an invertible matrix is its inverse", function()
    H.close(ml.pinv(H.M(I.G)), LA.inv_G, LA_TOL)
  end)
end)
