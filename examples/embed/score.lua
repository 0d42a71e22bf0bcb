-- score.lua -- the scoring script of examples/embed/sensors.c.
-- The host runs this chunk in a sandboxed state; it returns the scoring
-- function, which the host calls with the readings:
--   X: N x 3, one reading per row: temperature (C), vibration (mm/s),
--      current (A).
-- The score of a reading is its distance from normal operation, in
-- standard deviations: sqrt(sum over the sensors of z^2), with
-- z = (x - mean) / std and the mean and std measured on a healthy machine.
-- The scores go back as a 1 x N row, a transposed view of the N x 1
-- column: the host reads them through the view's strides.
local ml = require "luaml"

local healthy_mean = ml.matrix{60.0, 2.0, 12.0}   -- 1 x 3
local healthy_std = ml.matrix{1.5, 0.25, 0.4}     -- 1 x 3

return function(X)
  assert(ml.ismatrix(X) and X.cols == 3, "score: expected an N x 3 matrix")
  local Z = (X - healthy_mean) / healthy_std      -- N x 3, broadcast rows
  local score = Z:square():sum(2):sqrt()          -- N x 1
  return score:T()                                -- 1 x N view
end
