-- models.lua: linear, logistic and softmax regression with the course's
-- train(X, y) / predict(X) API (fit is the same as train).
--
--   m = ml.LinearRegression{...}     closed form by default (least squares,
--                                    with an intercept), or gradient descent
--   m = ml.LogisticRegression{...}   two classes, labels 0/1
--   m = ml.SoftmaxRegression{...}    K classes, labels 0..K-1
--   m:train(X, y) -> m       X is N x D (one sample per row), y is N x 1
--   m:predict(X)             N x 1 class values (N x K values for a linear
--                            model fitted on K target columns)
--   m:predict_proba(X)       N x 1 P(y = 1) (logistic), N x K (softmax)
--   m:score(X, y)            accuracy (classifiers), R^2 (linear)
--   m.W (D x K), m.b (1 x K), m.cost_history (1 x epochs)
--
-- Options (all optional):
--   lr, epochs          learning rate and passes over the data
--   batch_size          mini-batch size (default: the whole set); with
--                       mini-batches the rows are reshuffled every epoch
--                       (shuffle = false keeps their order)
--   l2                  L2 penalty: l2/(2N) * ||W||^2 is added to the cost
--                       (the bias is not penalised); for logistic and
--                       softmax regression this is scikit-learn's
--                       LogisticRegression with C = 1/l2, for linear
--                       regression Ridge with alpha = l2
--   optimizer           "gd" (default), "momentum", "adam", or an
--                       ml.optim object (which then brings its own lr)
--   verbose             print "Cost after iteration N: cost" every
--                       print_every (default 100) epochs, from epoch 0
--   progress            a one-line progress bar redrawn in place: nil (the
--                       default) draws it when the output is a terminal and
--                       training lasts over a quarter of a second, true
--                       always, false never
-- The costs: logistic and softmax regression minimise the mean
-- cross-entropy, linear regression J = ||X W + b - y||^2 / (2N); plus the
-- L2 term.  cost_history holds each epoch's cost before its update (the
-- mean over the epoch's mini-batches).  Parameters start at zero.
-- LinearRegression also takes intercept (default true) and solver: "lstsq"
-- (default), "solve" (the normal equations X'X w = X'y, as in the course)
-- or "gd" (the default when lr or epochs is given); a closed-form fit
-- leaves its final cost as the only entry of cost_history.
-- SoftmaxRegression takes classes (K; default the largest label + 1).
local ml = ...

local Model = {}
Model.__index = Model

local function shape(x)
  return ml.ismatrix(x) and (x.rows .. "x" .. x.cols) or type(x)
end

-- X must be a non-empty matrix (with D columns when D is given)
local function checkX(X, D, who)
  if not ml.ismatrix(X) then
    ml._error("%s: X must be an N x D matrix (one sample per row), got %s", who, type(X))
  end
  if X.rows == 0 or X.cols == 0 then ml._error("%s: X is empty (%s)", who, shape(X)) end
  if D and X.cols ~= D then
    ml._error("%s: X has %d columns but the model was trained on %d features", who, X.cols, D)
  end
end

-- y must be an N x c matrix for the N rows of X (c = 1 unless anycols)
local function checky(y, X, anycols, who)
  if ml.ismatrix(y) and y.rows ~= X.rows and X.cols ~= X.rows and
     (y.rows == X.cols or (y.rows == 1 and y.cols == X.cols)) then
    -- the course's D x N layout: the samples are X's columns
    ml._error("%s: X is %s but y has %d targets: X must hold one sample per " ..
              "row (N x D); for data in D x N columns pass X:T()%s", who,
              shape(X), X.cols, y.rows == 1 and " and y:T()" or "")
  end
  if not ml.ismatrix(y) or y.rows ~= X.rows or (not anycols and y.cols ~= 1) then
    ml._error("%s: y must be a %dx1 column of targets (one per row of X), got %s%s",
              who, X.rows, shape(y),
              (ml.ismatrix(y) and y.rows == 1 and y.cols == X.rows) and " (use y:T())" or "")
  end
  if y:isnan():any() ~= 0 then ml._error("%s: y contains NaN", who) end
end

-- 1 when no element of X is NaN or infinite.  A finite sum settles it in one
-- pass with no new matrix (a NaN or an infinity makes the sum NaN or
-- infinite); only a sum that is not finite (those, or finite values summing
-- past the largest double) asks element by element.  Training checks its X
-- at every call: two masks of X's size cost more than a mini-batch epoch.
local function allfinite(X)
  local s = X:sum()
  if s - s == 0 then return true end
  return X:isnan():any() == 0 and X:isinf():any() == 0
end

-- class labels: whole numbers 0..k-1 (k given), else 0..max; returns k
local function checklabels(y, k, who)
  local lo, hi = y:min(), y:max()
  local frac = (y - y:floor()):abs()
  if lo < 0 or frac:max() ~= 0 then
    ml._error("%s: labels must be class values 0, 1, 2, ... (found %g)", who,
              lo < 0 and lo or y:get(frac:argmax(), 1))
  end
  if k and hi >= k then
    ml._error("%s: label %g is not a class value in 0..%d", who, hi, k - 1)
  end
  return k or math.tointeger(hi) + 1
end

-- the common options of every model; `defaults` gives lr and epochs
local function options(opts, extra, defaults, who)
  local spec = {
    lr = {"number", defaults.lr}, epochs = {"integer", defaults.epochs},
    batch_size = {"integer"}, l2 = {"number", 0}, optimizer = {"string|table", "gd"},
    verbose = {"boolean", false}, print_every = {"integer", 100},
    shuffle = {"boolean", true}, progress = {"boolean"},
    distributed = {"boolean", false},
  }
  for k, v in pairs(extra) do spec[k] = v end
  local o = ml._options(opts, spec, who)
  ml._positive(o.lr, "lr", who)
  ml._positive(o.epochs, "epochs", who)
  ml._positive(o.print_every, "print_every", who)
  if o.batch_size then ml._positive(o.batch_size, "batch_size", who) end
  if not (o.l2 >= 0) then ml._error("%s: l2 must not be negative, got %g", who, o.l2) end
  ml._optimizer(o.optimizer, o.lr, who)  -- a bad name fails here, not in train
  return o
end

-- ---- the progress bar --------------------------------------------------

local Bar = {}
Bar.__index = Bar
local BARWIDTH = 30

-- A bar for `total` epochs, drawn on io.output(): always when mode is true;
-- when mode is nil only on a terminal, and only once training has taken a
-- quarter of a second (a short fit leaves no trace).
local function newbar(mode, total, name)
  local on = io ~= nil and (mode == true or (mode == nil and ml.isatty(io.output())))
  local clock = os and os.clock
  return setmetatable({on = on, total = total, name = name, drawn = -1, cost = 0,
                       clock = clock, t0 = clock and clock() or 0,
                       delay = (mode == nil and clock) and 0.25 or 0}, Bar)
end

function Bar:draw()
  local f = BARWIDTH * self.done // self.total
  io.write(string.format("\r%s [%s%s] %3d%% epoch %d/%d cost %.6f", self.name,
                         ("#"):rep(f), ("."):rep(BARWIDTH - f),
                         100 * self.done // self.total, self.done, self.total, self.cost))
  io.flush()
end

-- epoch `done` finished with this cost: redraw when the percentage moved
function Bar:update(done, cost)
  self.epochs = done  -- what an interrupted train keeps (see Bar:close)
  if not self.on then return end
  self.done, self.cost = done, cost
  if self.drawn < 0 and self.delay > 0 and self.clock() - self.t0 < self.delay then return end
  local pct = 100 * done // self.total
  if pct ~= self.drawn or done == self.total then
    self.drawn = pct
    self:draw()
  end
end

-- a line of text above the bar (the bar is redrawn under it)
function Bar:say(line)
  if not self.on then print(line) return end
  io.write(self.drawn < 0 and "" or "\r\27[K", line, "\n")
  if self.drawn >= 0 then self:draw() end
end

function Bar:finish()
  if self.drawn >= 0 then io.write("\n") io.flush() end
  self.drawn = -1
end

-- The bar as a to-be-closed variable of train: when an error (a Ctrl-C's
-- "interrupted!" included) leaves the loop, end the bar's line so that the
-- message starts on its own, and keep the costs of the finished epochs in
-- model.cost_history (the parameters are those of the last step).
function Bar:__close(err)
  if err == nil then return end
  self:finish()
  local n = self.epochs or 0
  self.model.cost_history = n > 0 and self.hist:slice(1, 1, 1, n):copy() or ml.zeros(1, 0)
end

-- ---- training ------------------------------------------------------------

-- Distributed training (distributed = true under mpirun): rank r holds
-- rows first..first+N-1 of the whole data (its shard, in rank order, as
-- ml.mpi.shard cuts it).  place returns the rows of all ranks and first.
local function place(mpi, N)
  local counts = ml.zeros(1, mpi.size())
  counts:set(1, mpi.rank() + 1, N)
  mpi.allreduce(counts)
  local before = 0
  for r = 1, mpi.rank() do before = before + counts:get(1, r) end
  return math.tointeger(counts:sum()), math.tointeger(before) + 1
end

-- this rank's rows of X, y among rows s..t of the whole data, taken in the
-- epoch's order when order (a permutation of the whole data's rows) is
-- given; a rank holding none of them gets empty matrices
local function batch(X, y, order, s, t, first)
  local N = X.rows
  if not order then
    local lo, hi = math.max(s, first) - first + 1, math.min(t, first + N - 1) - first + 1
    if hi < lo then lo, hi = 1, 0 end
    return X:slice(lo, hi), y:slice(lo, hi)
  end
  local idx = order:slice(1, 1, s, t)
  if first ~= 1 or N ~= order.cols then  -- one rank's part: the rows it holds
    local mine = {}
    for k = 1, idx.cols do
      local i = idx:get(1, k) - first + 1
      if i >= 1 and i <= N then mine[#mine + 1] = i end
    end
    idx = mine
  end
  return X:take(idx), y:take(idx)
end

-- self must be a model: model.train(X, y), a dot for the colon, is the
-- usual slip (self is then X)
local function checkself(self, method)
  local mt = getmetatable(self)
  if type(self) ~= "table" or type(mt) ~= "table" or getmetatable(mt) == nil
     or getmetatable(mt).__index ~= Model then
    ml._error("%s: call it on a model with a colon, model:%s(...), not "
              .. "model.%s(...) (got %s as the model)", method, method, method,
              ml.ismatrix(self) and "a matrix" or type(self))
  end
end

-- train(X, y): fit the model; returns it.  The class supplies _prepare
-- (checks y, makes the parameters), _lossgrad (cost and gradients of a
-- batch) and, for closed forms, _solve.
function Model:train(X, y)
  checkself(self, "train")
  local who = self.name .. ":train"
  checkX(X, nil, who)
  if not allfinite(X) then ml._error("%s: X contains NaN or infinite values", who) end
  self:_prepare(X, y, who)
  if self.solver ~= nil and self.solver ~= "gd" then
    self:_solve(X, y)
    self.cost_history = ml.full(1, 1, (self:_lossgrad(X, y, X.rows)))
    return self
  end
  local N, epochs = X.rows, self.epochs
  local mpi = self.distributed and ml.mpi or nil  -- nil: one process
  local Nall, first = N, 1  -- rows of all ranks; this rank's first among them
  if mpi then Nall, first = place(mpi, N) end
  local bs = math.min(self.batch_size or Nall, Nall)
  local opt = ml._optimizer(self.optimizer, self.lr, who)
  -- a model that can fold a plain gd step into the products of its
  -- gradients (ml.MLP) gets the rate and returns no gradients once it has
  -- stepped; across processes the gradients must be averaged first
  local gdrate = mpi == nil and ml._gdrate(opt) or nil
  local hist = ml.zeros(1, epochs)
  local lead = mpi == nil or mpi.rank() == 0  -- the rank that prints
  local bar <close> = newbar(lead and self.progress, epochs, self.name)
  bar.model, bar.hist = self, hist
  for e = 0, epochs - 1 do
    local order  -- the epoch's order of rows 1..Nall (nil: as given)
    if bs < Nall and self.shuffle then
      order = ml.permutation(Nall)
      if mpi then mpi.bcast(order, 0) end
    end
    local total = 0
    for s = 1, Nall, bs do
      local t = math.min(s + bs - 1, Nall)
      local Xb, yb = X, y
      if bs < Nall or mpi then Xb, yb = batch(X, y, order, s, t, first) end
      local cost, grads, nb
      if Xb.rows > 0 then
        cost, grads = self:_lossgrad(Xb, yb, Nall, gdrate)
      else  -- none of this batch's rows are on this rank
        cost, grads = 0, {}
        for i, p in ipairs(self._params) do grads[i] = ml.zeros(p.rows, p.cols) end
      end
      nb = Xb.rows
      if mpi then cost, nb = mpi.average(grads, cost, nb) end
      total = total + cost * nb
      if grads then opt:step(self._params, grads) else ml._gdstepped(opt) end
    end
    local cost = total / Nall
    if cost ~= cost or cost == math.huge then
      bar:finish()
      ml._error("%s: the cost became %s at iteration %d; the learning rate (lr = %g) "
                .. "is probably too large, or the features need scaling "
                .. "(ml.standardize)", who, tostring(cost), e, self.lr)
    end
    hist:set(1, e + 1, cost)
    if self.verbose and lead and e % self.print_every == 0 then
      bar:say(string.format("Cost after iteration %d: %f", e, cost))
    end
    bar:update(e + 1, cost)
  end
  bar:finish()
  self.cost_history = hist
  return self
end
Model.fit = Model.train

-- the scores X W + b of a trained model (checked input)
function Model:_scores(X, who)
  if self.W == nil then ml._error("%s: the model is not trained yet (call train(X, y))", who) end
  checkX(X, self.W.rows, who)
  return X:dot(self.W):add_(self.b)
end

-- the cost penalty l2/(2N) ||W||^2, and the gradient dW gets l2/N W
function Model:_penalise(cost, dW, N)
  if self.l2 == 0 then return cost end
  dW:add_(self.W, self.l2 / N)
  return cost + self.l2 / (2 * N) * ml.inner(self.W, self.W)
end

function Model:score(X, y)
  checkself(self, "score")
  local who = self.name .. ":score"
  local pred = self:predict(X)
  checky(y, X, self._regression, who)
  if self._regression then
    if y.cols ~= pred.cols then
      ml._error("%s: y has %d columns, the model predicts %d", who, y.cols, pred.cols)
    end
    return ml.r2(y, pred)
  end
  return ml.accuracy(pred, y)
end

-- "LogisticRegression{lr=0.1, epochs=1000, ...} (W 30x1)" for the REPL
function Model:__tostring()
  local keys = {"lr", "epochs", "batch_size", "l2", "optimizer"}
  if self.solver and self.solver ~= "gd" then keys = {"solver", "l2"}
  elseif self.solver then table.insert(keys, 1, "solver") end
  local o = {}
  for _, k in ipairs(keys) do
    if self[k] ~= nil then o[#o + 1] = k .. "=" .. tostring(self[k]) end
  end
  local state = self.W and string.format("W %dx%d", self.W.rows, self.W.cols) or "not trained"
  return string.format("%s{%s} (%s)", self.name, table.concat(o, ", "), state)
end

-- a class: a metatable whose methods fall back to Model's
local function class(name)
  local c = {name = name}
  c.__index = c
  c.__tostring = Model.__tostring
  return setmetatable(c, {__index = Model})
end

-- what other model files (lua/nn.lua's MLP) share with these models: the
-- base class and its training loop, the option, input and label checks
ml._models = {Model = Model, class = class, options = options, checkX = checkX,
              checky = checky, checklabels = checklabels, checkself = checkself}

-- ---- linear regression -------------------------------------------------

local Linear = class("LinearRegression")
Linear._regression = true  -- score is R^2

function ml.LinearRegression(opts)
  local who = "LinearRegression"
  local o = options(opts, {intercept = {"boolean", true}, solver = {"string"}},
                    {lr = 0.01, epochs = 1000}, who)
  local gd = opts and (opts.lr ~= nil or opts.epochs ~= nil)
  o.solver = o.solver or (gd and "gd" or "lstsq")
  if o.solver ~= "lstsq" and o.solver ~= "solve" and o.solver ~= "gd" then
    ml._error("%s: solver must be \"lstsq\", \"solve\" or \"gd\", got \"%s\"", who, o.solver)
  end
  if o.distributed and o.solver ~= "gd" then
    ml._error("%s: distributed = true trains by gradient descent: give lr and epochs "
              .. "(or solver = \"gd\"); the closed forms would solve each rank's rows alone",
              who)
  end
  return setmetatable(o, Linear)
end

function Linear:_prepare(X, y, who)
  checky(y, X, true, who)
  self.W = ml.zeros(X.cols, y.cols)
  self.b = ml.zeros(1, y.cols)
  self._params = self.intercept and {self.W, self.b} or {self.W}
end

-- closed form: least squares (or ridge with l2) on centred data, so the
-- intercept is the mean offset and is not penalised
function Linear:_solve(X, y)
  local Xc, yc, xm, ym = X, y
  if self.intercept then
    xm, ym = X:mean(1), y:mean(1)
    Xc, yc = X - xm, y - ym
  end
  if self.l2 > 0 or self.solver == "solve" then
    local A = Xc:T():dot(Xc)
    if self.l2 > 0 then A = A + ml.eye(X.cols) * self.l2 end
    self.W:copy_(ml.solve(A, Xc:T():dot(yc)))
  else
    self.W:copy_((ml.lstsq(Xc, yc)))
  end
  if self.intercept then self.b:copy_(ym - xm:dot(self.W)) end
end

-- J = ||r||^2 / (2n) with r = X W + b - y over the batch
function Linear:_lossgrad(Xb, yb, N)
  local n = Xb.rows
  local r = Xb:dot(self.W):add_(self.b):sub_(yb)
  local cost = ml.inner(r, r) / (2 * n)
  r:div_(n)
  local dW = Xb:T():dot(r)
  cost = self:_penalise(cost, dW, N)
  if not self.intercept then return cost, {dW} end
  return cost, {dW, r:sum(1)}
end

function Linear:predict(X)
  checkself(self, "predict")
  return self:_scores(X, self.name .. ":predict")
end

-- ---- logistic regression -----------------------------------------------

local Logistic = class("LogisticRegression")

function ml.LogisticRegression(opts)
  return setmetatable(options(opts, {}, {lr = 0.1, epochs = 1000}, "LogisticRegression"),
                      Logistic)
end

function Logistic:_prepare(X, y, who)
  checky(y, X, false, who)
  if (y:ne(0) * y:ne(1)):any() ~= 0 then
    ml._error("%s: labels must be 0 or 1 (use SoftmaxRegression for more classes)", who)
  end
  self.W = ml.zeros(X.cols, 1)
  self.b = ml.zeros(1, 1)
  self._params = {self.W, self.b}
end

-- mean cross-entropy of sigmoid(X W + b), through the fused
-- sigmoid_cross_entropy (the gradient (a - y)/n overwrites the scores)
function Logistic:_lossgrad(Xb, yb, N)
  local z = Xb:dot(self.W):add_(self.b)
  local cost, dz = ml.sigmoid_cross_entropy(z, yb, z)
  local dW = Xb:T():dot(dz)
  return self:_penalise(cost, dW, N), {dW, dz:sum(1)}
end

function Logistic:predict_proba(X)
  checkself(self, "predict_proba")
  return self:_scores(X, self.name .. ":predict_proba"):sigmoid_()
end

-- class 1 where P(y = 1) > 0.5, as in the course
function Logistic:predict(X)
  checkself(self, "predict")
  return self:_scores(X, self.name .. ":predict"):sigmoid_():gt(0.5)
end

-- ---- softmax regression ------------------------------------------------

local Softmax = class("SoftmaxRegression")

function ml.SoftmaxRegression(opts)
  local o = options(opts, {classes = {"integer"}}, {lr = 0.1, epochs = 1000},
                    "SoftmaxRegression")
  if o.classes then ml._positive(o.classes, "classes", "SoftmaxRegression") end
  return setmetatable(o, Softmax)
end

function Softmax:_prepare(X, y, who)
  checky(y, X, false, who)
  local k = checklabels(y, self.classes, who)
  if self.distributed and ml.mpi then k = math.tointeger(ml.mpi.allreduce(k, "max")) end
  self.W = ml.zeros(X.cols, k)
  self.b = ml.zeros(1, k)
  self._params = {self.W, self.b}
end

-- mean cross-entropy of softmax(X W + b) against the labels, fused
function Softmax:_lossgrad(Xb, yb, N)
  local cost, G = ml.softmax_cross_entropy(Xb:dot(self.W):add_(self.b), yb, true)
  local dW = Xb:T():dot(G)
  return self:_penalise(cost, dW, N), {dW, G:sum(1)}
end

function Softmax:predict_proba(X)
  checkself(self, "predict_proba")
  return ml.softmax(self:_scores(X, self.name .. ":predict_proba"))
end

-- the most probable class, 0..K-1
function Softmax:predict(X)
  checkself(self, "predict")
  return self:_scores(X, self.name .. ":predict"):argmax(2) - 1
end
