-- data.lua: data sets and their preparation.
--
--   X, y = ml.datasets.xor(n)        -- n x 2 in [-1, 1]^2; y = 1 where the
--                                    -- signs of x1 and x2 differ, else 0
--   X, y = ml.datasets.donut(n)      -- two noisy rings: radius 5 (y = 0),
--                                    -- radius 10 (y = 1), n/2 each
--   X, y = ml.datasets.blobs(n [, k [, spread]])  -- k Gaussian clusters
--                                    -- (default 3, sd 1) on a circle of
--                                    -- radius 4; y = cluster 0..k-1
--   X, y = ml.datasets.line(n [, {slope = 2, intercept = 1, noise = 1}])
--                                    -- X n x 1 in [0, 10), y = slope*x +
--                                    -- intercept + noise*N(0, 1)
--   X, y = ml.datasets.flower(n)     -- the course's planar "flower": two
--                                    -- classes of n/2 points on the petals
--                                    -- of r = 4 sin(4t), with noise; y 0/1
-- The generators draw from ml's seeded generator: call ml.seed(n) first for
-- the same data every run.  Labels are n x 1 columns of class values.
--
--   Xtr, ytr, Xte, yte = ml.datasets.mnist([dir])   -- 8000 + 2000 digits,
--                        pixels scaled from 0..255 to 0..1; labels 0..9
--   X, y, names, target = ml.datasets.breast_cancer([dir])  -- also iris,
--                        digits (8x8 pixels, raw values 0..16), diabetes
--                        (raw, unscaled), wine: the features, the target
--                        column, the feature names and the target's name
-- The bundled files are looked up in order in: the dir argument, the
-- folder named by the environment variable LUAML_DATA, examples/data under
-- the current directory, and ml.datadir (an installed copy) when it is set.
-- Each of these is a folder holding mnist/ and uci/ (or the files).
--
--   Xtr, Xte, ytr, yte = ml.train_test_split(X, y, test_fraction [, seed])
--   Z, mean, std = ml.standardize(X [, mean, std])
local ml = ...

ml.datasets = {}
local datasets = ml.datasets

-- n: a positive integer sample count (default def)
local function count(n, def, who)
  n = n == nil and def or n
  if math.type(n) ~= "integer" or n < 1 then
    ml._error("%s: n must be a positive whole number, got %s", who, tostring(n))
  end
  return n
end

function datasets.xor(n)
  n = count(n, 200, "datasets.xor")
  local X = ml.rand(n, 2) * 2 - 1
  return X, (X:col(1) * X:col(2)):lt(0)
end

function datasets.donut(n)
  n = count(n, 200, "datasets.donut")
  local inner = n // 2
  local radius = ml.vstack{ml.full(inner, 1, 5), ml.full(n - inner, 1, 10)}
  local y = ml.vstack{ml.zeros(inner, 1), ml.ones(n - inner, 1)}
  local r = radius + ml.randn(n, 1)
  local theta = ml.rand(n, 1) * (2 * math.pi)
  return ml.hstack{r * ml.cos(theta), r * ml.sin(theta)}, y
end

function datasets.blobs(n, k, spread)
  local who = "datasets.blobs"
  n = count(n, 300, who)
  k = k == nil and 3 or k
  if math.type(k) ~= "integer" or k < 1 then
    ml._error("%s: k must be a positive whole number of clusters, got %s", who, tostring(k))
  end
  spread = spread == nil and 1 or spread
  ml._positive(spread, "spread", who)
  local angle = ml.arange(0, k - 1):T() * (2 * math.pi / k)       -- k x 1
  local centres = ml.hstack{4 * ml.cos(angle), 4 * ml.sin(angle)}  -- k x 2
  local y = (ml.arange(0, n - 1) % k):T()                         -- n x 1
  return centres:take(y + 1) + ml.randn(n, 2) * spread, y
end

function datasets.line(n, opts)
  local who = "datasets.line"
  n = count(n, 100, who)
  local o = ml._options(opts, {slope = {"number", 2}, intercept = {"number", 1},
                               noise = {"number", 1}}, who)
  local X = ml.rand(n, 1) * 10
  return X, X * o.slope + o.intercept + ml.randn(n, 1) * o.noise
end

-- Class j (0, then 1; n // 2 and n - n // 2 points): angles t evenly from
-- 3.12 j to 3.12 (j + 1) plus 0.2 N(0, 1) noise, radii 4 sin(4t) plus 0.2
-- N(0, 1) noise, points (r sin t, r cos t).  The draws come in numpy's order
-- (a class's angle noise, then its radius noise), so under
-- ml.seed(1, "numpy") flower(400) is the course's data set.
function datasets.flower(n)
  n = count(n, 400, "datasets.flower")
  local Xs, ys = {}, {}
  for j = 0, 1 do
    local m = j == 0 and n // 2 or n - n // 2
    local t = ml.linspace(3.12 * j, 3.12 * (j + 1), m):T() + ml.randn(m, 1) * 0.2
    local r = ml.sin(t * 4) * 4 + ml.randn(m, 1) * 0.2
    Xs[#Xs + 1] = ml.hstack{r * ml.sin(t), r * ml.cos(t)}
    ys[#ys + 1] = ml.full(m, 1, j)
  end
  return ml.vstack(Xs), ml.vstack(ys)
end

-- ---- the bundled data ------------------------------------------------

local function exists(path)
  if not io then return true end  -- sandboxed: let the loader decide
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

-- The first existing file sub/name (or name directly) under the search
-- folders; an error listing where it looked when there is none.
local function findfile(dir, sub, name, who)
  local dirs = {}
  if dir ~= nil then
    if type(dir) ~= "string" then
      ml._error("%s: the data folder must be a string, got %s", who, type(dir))
    end
    dirs[#dirs + 1] = dir
  end
  local env = os and os.getenv and os.getenv("LUAML_DATA")
  if env and env ~= "" then dirs[#dirs + 1] = env end
  dirs[#dirs + 1] = "examples/data"
  if type(ml.datadir) == "string" then dirs[#dirs + 1] = ml.datadir end
  for _, d in ipairs(dirs) do
    for _, p in ipairs{d .. "/" .. sub .. "/" .. name, d .. "/" .. name} do
      if exists(p) then return p end
    end
  end
  ml._error("%s: cannot find %s/%s in %s (pass the data folder, set LUAML_DATA, "
            .. "or run from the luaml source tree)", who, sub, name,
            table.concat(dirs, ", "))
end

function datasets.mnist(dir)
  local who = "datasets.mnist"
  local function load(name) return ml.load_idx(findfile(dir, "mnist", name, who)) end
  local Xtr = load("train-images-idx3-ubyte.gz"):div_(255)
  local ytr = load("train-labels-idx1-ubyte.gz")
  local Xte = load("t10k-images-idx3-ubyte.gz"):div_(255)
  local yte = load("t10k-labels-idx1-ubyte.gz")
  return Xtr, ytr, Xte, yte
end

-- A CSV of the uci folder: features, target (the last column), feature
-- names, target name.
local function uci(file, who)
  return function(dir)
    local all, names = ml.load_csv(findfile(dir, "uci", file, who))
    local d = all.cols - 1
    local features = {}
    for j = 1, d do features[j] = names[j] end
    return all:slice(1, -1, 1, d):copy(), all:col(-1):copy(), features, names[d + 1]
  end
end

datasets.breast_cancer = uci("breast_cancer.csv", "datasets.breast_cancer")
datasets.iris = uci("iris.csv", "datasets.iris")
datasets.digits = uci("digits.csv.gz", "datasets.digits")
datasets.diabetes = uci("diabetes.csv", "datasets.diabetes")
datasets.wine = uci("wine.csv", "datasets.wine")

-- ---- preparing data ----------------------------------------------------

-- train_test_split(X, y, test_fraction [, seed]): shuffle the rows with
-- ml's generator (seed, when given, reseeds it first, as ml.seed(seed)
-- does) and put ceil(N * test_fraction) of them, default 0.25, in the test
-- part.  y may be nil: then the result is Xtr, Xte.
function ml.train_test_split(X, y, frac, seed)
  local who = "train_test_split"
  if not ml.ismatrix(X) then ml._error("%s: X must be a matrix, got %s", who, type(X)) end
  if y ~= nil and (not ml.ismatrix(y) or y.rows ~= X.rows) then
    ml._error("%s: y must be a matrix with one row per row of X (%d), got %s", who,
              X.rows, ml.ismatrix(y) and (y.rows .. "x" .. y.cols) or type(y))
  end
  frac = frac == nil and 0.25 or frac
  if type(frac) ~= "number" or not (frac > 0 and frac < 1) then
    ml._error("%s: test_fraction must be a number between 0 and 1, got %s", who, tostring(frac))
  end
  local n = X.rows
  local nte = math.ceil(n * frac)
  if nte >= n then
    ml._error("%s: %d rows leave no training data with test_fraction %g", who, n, frac)
  end
  if seed ~= nil then ml.seed(seed) end
  local perm = ml.permutation(n)
  local te, tr = perm:slice(1, 1, 1, nte), perm:slice(1, 1, nte + 1, n)
  if y == nil then return X:take(tr), X:take(te) end
  return X:take(tr), X:take(te), y:take(tr), y:take(te)
end

-- standardize(X [, mean, std]): Z = (X - mean) / std per column, with the
-- mean and population std (ddof 0) of X's columns unless they are given
-- (to scale a test set with the training set's statistics).  A constant
-- column (std 0) is only centred: its std is reported as 1, as
-- scikit-learn's StandardScaler does.
function ml.standardize(X, mean, std)
  local who = "standardize"
  if not ml.ismatrix(X) then ml._error("%s: X must be a matrix, got %s", who, type(X)) end
  if (mean == nil) ~= (std == nil) then
    ml._error("%s: pass both mean and std, or neither", who)
  end
  if mean == nil then
    mean = X:mean(1)
    std = X:std(1)
    std:add_(std:eq(0))
  else
    for _, s in ipairs{{mean, "mean"}, {std, "std"}} do
      if not ml.ismatrix(s[1]) or s[1].rows ~= 1 or s[1].cols ~= X.cols then
        ml._error("%s: %s must be a 1x%d row, got %s", who, s[2], X.cols,
                  ml.ismatrix(s[1]) and (s[1].rows .. "x" .. s[1].cols) or type(s[1]))
      end
    end
  end
  return (X - mean) / std, mean, std
end
