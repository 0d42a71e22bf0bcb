-- spec/helpers.lua -- small shared helpers for luaml's busted specs.
-- Load with:  local H = dofile("spec/helpers.lua")
--
--   H.close(actual, expected [, tol [, label]])
--       actual: a luaml matrix or a number; expected: a table of rows
--       ({{1, 2}, {3, 4}}), a luaml matrix, or a number.  Shapes must match
--       exactly (a number is not a 1x1 matrix); values must satisfy
--       |a - e| <= atol + rtol * |e|, NaN equals NaN, inf equals inf of
--       the same sign.  tol is a number (rtol = atol = tol, default 1e-12)
--       or {rtol = ..., atol = ...}.  Fails with a readable message.
--   H.raises(f, needle ...)  f must raise; the message must contain each
--       needle (plain text; a needle may be a list of alternatives, any of
--       which is enough).  Returns the message.
--   H.M(rows)               ml.matrix(rows) (rows deep-copied first)
--   H.transpose(rows)       transpose a table of rows
--   H.rows(m)               a matrix's values as a table of rows (via get)
--   H.is_matrix(x)          true for a luaml matrix
--   H.shape(x)              "RxC" for a matrix, type name otherwise
--   H.fmt(x)                a number printed exactly (%.17g, nan, inf)
--   H.tmpfile(bytes)        write bytes to a new temporary file; its path
--   H.npy(header [, body])  the bytes of an NPY 1.0 file with that header
--   H.host(script, env)     run the Lua script in a fresh host (build/luaml,
--                           or $LUAML_BUILD/luaml) under the environment
--                           assignments env (as for env(1)); its output
--                           (stderr too); fails when the host fails

local luassert = require "luassert"
local ml = require "luaml"

local H = {}

local function is_matrix(x)
  if type(x) ~= "userdata" then return false end
  local ok, r = pcall(function() return x.rows end)
  return ok and math.type(r) ~= nil
end
H.is_matrix = is_matrix

function H.fmt(x)
  if type(x) ~= "number" then return tostring(x) end
  if x ~= x then return "nan" end
  if x == math.huge then return "inf" end
  if x == -math.huge then return "-inf" end
  if math.type(x) == "integer" then return tostring(x) end
  return string.format("%.17g", x)
end

function H.shape(x)
  if is_matrix(x) then return x.rows .. "x" .. x.cols end
  if type(x) == "table" then
    return #x .. "x" .. (x[1] and #x[1] or 0) .. " (table)"
  end
  return type(x)
end

function H.rows(m)
  local t = {}
  for i = 1, m.rows do
    local r = {}
    for j = 1, m.cols do r[j] = m:get(i, j) end
    t[i] = r
  end
  return t
end

function H.transpose(t)
  local r = {}
  local nc = t[1] and #t[1] or 0
  for j = 1, nc do
    r[j] = {}
    for i = 1, #t do r[j][i] = t[i][j] end
  end
  return r
end

local function deepcopy(t)
  if type(t) ~= "table" then return t end
  local r = {}
  for k, v in pairs(t) do r[k] = deepcopy(v) end
  return r
end

function H.M(t)
  return ml.matrix(deepcopy(t))
end

local function tols(tol)
  if tol == nil then return 1e-12, 1e-12 end
  if type(tol) == "number" then return tol, tol end
  return tol.rtol or 1e-12, tol.atol or tol.rtol or 1e-12
end

local function num_close(a, e, rtol, atol)
  if type(a) ~= "number" then return false end
  if e ~= e then return a ~= a end
  if e == math.huge or e == -math.huge then return a == e end
  if a ~= a or a == math.huge or a == -math.huge then return false end
  return math.abs(a - e) <= atol + rtol * math.abs(e)
end
H.num_close = num_close

local function short_tostring(m)
  local ok, s = pcall(tostring, m)
  if not ok then return "<tostring failed: " .. tostring(s) .. ">" end
  if #s > 800 then s = s:sub(1, 800) .. " ..." end
  return s
end

-- returns ok, message (no assertion): the core of H.close
function H.check_close(actual, expected, tol, label)
  local rtol, atol = tols(tol)
  local pre = label and (label .. ": ") or ""
  if type(expected) == "number" then
    if type(actual) ~= "number" then
      return false, pre .. "expected the number " .. H.fmt(expected) ..
        ", got " .. (is_matrix(actual) and ("a " .. H.shape(actual) .. " matrix") or type(actual))
    end
    if not num_close(actual, expected, rtol, atol) then
      return false, string.format("%sexpected %s, got %s (diff %.3g, rtol %g, atol %g)",
        pre, H.fmt(expected), H.fmt(actual), math.abs(actual - expected), rtol, atol)
    end
    return true
  end
  if is_matrix(expected) then expected = H.rows(expected) end
  if type(expected) ~= "table" then
    return false, pre .. "bad expected value of type " .. type(expected)
  end
  if not is_matrix(actual) then
    return false, pre .. "expected a " .. #expected .. "x" .. (expected[1] and #expected[1] or 0) ..
      " matrix, got " .. type(actual) .. (type(actual) == "number" and (" " .. H.fmt(actual)) or "")
  end
  local er, ec = #expected, (expected[1] and #expected[1] or 0)
  if actual.rows ~= er or actual.cols ~= ec then
    return false, string.format("%sshape: expected %dx%d, got %dx%d\n%s", pre, er, ec,
      actual.rows, actual.cols, short_tostring(actual))
  end
  local bad, nbad = {}, 0
  for i = 1, er do
    for j = 1, ec do
      local a, e = actual:get(i, j), expected[i][j]
      if not num_close(a, e, rtol, atol) then
        nbad = nbad + 1
        if nbad <= 6 then
          bad[#bad + 1] = string.format("  (%d,%d): expected %s, got %s", i, j, H.fmt(e), H.fmt(a))
        end
      end
    end
  end
  if nbad > 0 then
    return false, string.format("%s%d of %d elements differ (shape %dx%d, rtol %g, atol %g):\n%s%s\ngot:\n%s",
      pre, nbad, er * ec, er, ec, rtol, atol, table.concat(bad, "\n"),
      nbad > 6 and "\n  ..." or "", short_tostring(actual))
  end
  return true
end

function H.close(actual, expected, tol, label)
  local ok, msg = H.check_close(actual, expected, tol, label)
  luassert.is_true(ok, msg)
end

function H.tmpfile(bytes)
  local p = os.tmpname()
  local f = assert(io.open(p, "wb"))
  f:write(bytes)
  f:close()
  return p
end

function H.host(script, env)
  local path = H.tmpfile(script)
  local p = assert(io.popen(string.format("env %s ./%s/luaml %s 2>&1", env,
    os.getenv("LUAML_BUILD") or "build", path)))
  local out = p:read("a")
  local ok = p:close()
  os.remove(path)
  assert(ok, "the host failed:\n" .. out)
  return out
end

function H.npy(header, body)
  return "\x93NUMPY\1\0" .. string.pack("<I2", #header) .. header .. (body or "")
end

function H.raises(f, ...)
  local needles = { ... }
  local ok, err = pcall(f)
  local msg = tostring(err)
  luassert.is_false(ok, "expected an error, but the call succeeded" ..
    (#needles > 0 and (" (wanted a message containing " ..
      table.concat((function()
        local t = {}
        for _, n in ipairs(needles) do
          t[#t + 1] = type(n) == "table" and ("one of '" .. table.concat(n, "' / '") .. "'") or ("'" .. n .. "'")
        end
        return t
      end)(), ", ") .. ")") or "") .. "; it returned " .. tostring(err))
  for _, n in ipairs(needles) do
    local alts = type(n) == "table" and n or { n }
    local found = false
    for _, a in ipairs(alts) do
      if string.find(msg, a, 1, true) then found = true; break end
    end
    luassert.is_true(found, string.format("error message %q does not contain %s", msg,
      #alts == 1 and ("'" .. alts[1] .. "'") or ("any of '" .. table.concat(alts, "' / '") .. "'")))
  end
  return msg
end

return H
