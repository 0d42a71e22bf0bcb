-- fail.lua -- run by spec/shell/mpi.sh under mpirun: one rank (the last)
-- raises an error while the others wait for it in a collective; the job
-- must end with the message and a non-zero status, not hang.
local ml = require "luaml"
local mpi = ml.mpi
local how = arg[1]
if mpi.rank() == mpi.size() - 1 then
  if how == "misuse" then
    mpi.allreduce(ml.ones(2, 2), "average")  -- a bad argument: a Lua error
  elseif how == "exit" then
    io.stderr:write("rank ", mpi.rank(), " exits with status 3\n")
    os.exit(3)
  end
  error("rank " .. mpi.rank() .. " failed on purpose")
end
mpi.allreduce(ml.ones(2, 2))  -- waits for the failing rank
print("rank " .. mpi.rank() .. " went on")
