-- 23: OpenBLAS and LAPACKE are loaded at the first product or factorisation
-- that needs them (src/core_blasdl.c), not at start-up.  When one cannot be
-- loaded (here: LUAML_BLAS / LUAML_LAPACKE name a missing library, or one
-- without the functions), that operation raises a Lua error naming the
-- library and the reason, the process goes on, and everything that does
-- not need the library still works.  Each case runs in a fresh host
-- (build/luaml, or make sanitize's build through LUAML_BUILD), since a
-- process loads the libraries once.
local H = dofile("spec/helpers.lua")

-- the script the host runs: each line one result, "name<TAB>ok<TAB>value"
local SCRIPT = [[
local function try(name, f)
  local ok, v = pcall(f)
  print(name .. "\t" .. tostring(ok) .. "\t" .. tostring(v))
end
local A, B = ml.ones(100, 100), ml.ones(100, 100)
try("dot", function() return A:dot(B):sum() end)
try("tiny", function() return ml.ones(10, 10):dot(ml.ones(10, 10)):sum() end)
try("skinny", function() return ml.ones(8000, 784):T():dot(ml.ones(8000, 1)):sum() end)
try("inner", function() return ml.inner(A, B) end)
try("inv", function() return ml.inv(ml.eye(3) * 2):sum() end)
try("solve", function() return ml.solve(ml.eye(2), ml.ones(2, 1)):sum() end)
try("svd", function() local _, s = ml.svd(ml.eye(3)); return s:sum() end)
print("end")
]]

-- run SCRIPT in a host with the environment assignments env; the results
-- by name ({ok = boolean, value = string}) and the whole output
local function run(env)
  local out = H.host(SCRIPT, env)
  assert.is_truthy(out:find("\nend\n", 1, true) or out:find("^end\n"), out)
  local r = {}
  for name, okv, value in out:gmatch("(%w+)\t(%a+)\t([^\n]*)") do
    r[name] = {ok = okv == "true", value = value}
  end
  return r, out
end

local function fails(r, name, text)
  assert.is_false(r[name].ok, name .. " should fail")
  assert.is_truthy(r[name].value:find(text, 1, true),
                   name .. ": '" .. r[name].value .. "' lacks '" .. text .. "'")
end

local function gives(r, name, value)
  assert.is_true(r[name].ok, name .. " failed: " .. r[name].value)
  assert.are.equal(value, tonumber(r[name].value))
end

describe("BLAS and LAPACKE loaded at first use", function()
  it("with both present, everything computes", function()
    local r = run("LUAML_BLAS= LUAML_LAPACKE=")
    gives(r, "dot", 1e6)
    gives(r, "tiny", 1000)
    gives(r, "skinny", 784 * 8000)
    gives(r, "inner", 1e4)
    gives(r, "inv", 1.5)
    gives(r, "solve", 2)
    gives(r, "svd", 3)
  end)

  it("a missing BLAS is a Lua error naming it; our own kernels still work", function()
    local r = run("LUAML_BLAS=/nonexistent/libnoblas.so.0")
    fails(r, "dot", "dot: cannot load /nonexistent/libnoblas.so.0")
    fails(r, "inner", "inner: cannot load /nonexistent/libnoblas.so.0")
    fails(r, "inv", "inv: cannot load /nonexistent/libnoblas.so.0")
    fails(r, "solve", "solve: cannot load /nonexistent/libnoblas.so.0")
    fails(r, "svd", "svd: cannot load /nonexistent/libnoblas.so.0")
    gives(r, "tiny", 1000)                -- the small-product kernel
    gives(r, "skinny", 784 * 8000)        -- the X^T G loop
    local k = H.host("ml.ones(8000, 784):T():dot(ml.ones(8000, 1))\n" ..
                     "for _, k in ipairs(ml.kernels()) do\n" ..
                     "  if k.how ~= 'not yet used' then print(k.product, k.path, k.how) end\n" ..
                     "end", "-u LUAML_KERNEL LUAML_BLAS=/nonexistent/libnoblas.so.0")
    assert.are.equal("X^T d\town\tno BLAS\n", k)
  end)

  it("a library without the functions is named with the missing one", function()
    local r = run("LUAML_BLAS=libz.so.1")
    fails(r, "dot", "dot: the BLAS/LAPACK library loaded has no cblas_")
  end)

  it("a missing LAPACKE fails the factorisations only", function()
    local r = run("LUAML_LAPACKE=/nonexistent/libnolapacke.so.3")
    gives(r, "dot", 1e6)
    gives(r, "inner", 1e4)
    fails(r, "inv", "inv: cannot load /nonexistent/libnolapacke.so.3")
    fails(r, "svd", "svd: cannot load /nonexistent/libnolapacke.so.3")
  end)
end)
