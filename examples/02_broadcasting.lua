-- 02_broadcasting.lua -- "Broadcasting in Python": the course's calories
-- table.  What share of each food's calories comes from carbohydrates,
-- proteins and fats -- without a loop, by dividing a 3x4 matrix by a 1x4
-- row of totals.
--
--   luaml examples/02_broadcasting.lua [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
lesson.start("Broadcasting: percentages of calories from a 3x4 table")

-- calories per 100 g; columns: apples, beef, eggs, potatoes
local A = ml.matrix{{56.0,   0.0,  4.4, 68.0},    -- carbohydrates
                    { 1.2, 104.0, 52.0,  8.0},    -- proteins
                    { 1.8, 135.0, 99.0,  0.9}}    -- fats
print("A (calories from carbs, proteins, fats; columns: apples, beef, eggs, potatoes):")
print(A)

lesson.section("total calories per food: sum down the rows (axis 1)")
local cal = A:sum(1)                -- 1x4, numpy's A.sum(axis=0)
print(cal)

lesson.section("percentage = 100 * A / cal")
-- A is 3x4, cal is 1x4: the row is stretched down the 3 rows
local percentage = 100 * A / cal
print(percentage)
print(string.format("apples get %.8f%% of their calories from carbohydrates",
                    percentage:get(1, 1)))
-- no reshape is needed: cal already is a 1x4 row, never a rank-1 array
print("each column sums to 100:", tostring(((percentage:sum(1) - 100):abs():max()) < 1e-12))

lesson.section("the general rule: (m,n) op (1,n) or (m,1) -> (m,n)")
local M = ml.matrix{{1, 2, 3}, {4, 5, 6}}
print("(2x3) + (1x3) row:")
print(M + ml.matrix{{100, 200, 300}})
print("(2x3) + (2x1) column:")
print(M + ml.matrix{{100}, {200}})
print("(4x1) + a number:")
print(ml.matrix{{1}, {2}, {3}, {4}} + 100)

lesson.section("shapes that do not broadcast are an error, not a surprise")
local ok, err = pcall(function() return M + ml.ones(3, 1) end)
print(ok, err)

