-- nn.lua: layers (ml.nn) and the multi-layer perceptron (ml.MLP).
--
--   layer = ml.nn.Linear(n_in, n_out [, {init = "he"|"xavier"|"normal"|"zeros",
--                                          bias = true}])
--           W (n_out x n_in), b (1 x n_out); Y = X W^T + b for X N x n_in
--   ml.nn.ReLU(), ml.nn.Tanh(), ml.nn.Sigmoid(), ml.nn.Softmax()
--   net = ml.nn.Sequential{layer, layer, ...}
--   Y = net(X) = net:forward(X)      net[i] is the i-th layer, #net their count
--   net:parameters()                 {W1, b1, W2, b2, ...}: the matrices
--   dX = net:backward(dY)            after forward: d loss / d input from
--                                    d loss / d output; each Linear keeps
--                                    dW and db; net:gradients() lists them
--                                    in parameters() order
--
-- forward uses only the library's ordinary operations (dot of a transposed
-- view, broadcasting +, relu, tanh, sigmoid, softmax), so ml.grad can
-- differentiate through a network unchanged.  backward is written by hand,
-- in the style of Torch7's nn: forward keeps its input and output in the
-- layer (layer.input, layer.output), backward reads them.  The matrices
-- backward returns (dX, dW, db) are the layer's own buffers, reused by the
-- next call of the same shape: copy them to keep them.
--
--   model = ml.MLP{layers = {n_in, h1, ..., n_out}, activation = "relu",
--                  output = "sigmoid"|"softmax"|"linear", lr, epochs,
--                  batch_size, optimizer, l2, init, seed, verbose,
--                  print_every, progress, shuffle}
-- A model like those of lua/models.lua (train/fit, predict, predict_proba,
-- score, cost_history; the same options, checks, progress bar and "Cost
-- after iteration N" lines), whose network is built at construction:
-- model.net is its Sequential, model:parameters() its matrices.
local ml = ...

local M = ml._models  -- the models' shared checks and training loop

local nn = {}
ml.nn = nn

local function shape(x)
  return ml.ismatrix(x) and (x.rows .. "x" .. x.cols) or type(x)
end

-- layer[name], a matrix of r x c: the buffers a layer reuses from one batch
-- to the next.  The one of the previous shape is kept aside as well, so
-- that mini-batches of two sizes (the full ones and the last) take turns
-- without making new matrices every epoch.
local function buffer(layer, name, r, c)
  local m = rawget(layer, name)
  if m ~= nil and m.rows == r and m.cols == c then return m end
  local key = "_spare" .. name
  local spare = rawget(layer, key)
  if spare == nil or spare.rows ~= r or spare.cols ~= c then spare = ml.zeros(r, c) end
  rawset(layer, key, m)
  rawset(layer, name, spare)
  return spare
end

-- ---- the layer classes ------------------------------------------------------

local Layer = {}
Layer.__index = Layer

-- a class of layers: its methods fall back to Layer's; calling a layer is
-- forward
local function class(kind)
  local c = {kind = kind}
  c.__index = c
  c.__call = function(self, X) return self:forward(X) end
  c.__tostring = function(self) return self:_name() end
  return setmetatable(c, {__index = Layer})
end

local function islayer(v)
  local mt = getmetatable(v)
  return type(v) == "table" and type(mt) == "table" and getmetatable(mt) ~= nil
         and getmetatable(mt).__index == Layer
end

-- self must be a layer: layer.forward(X), a dot for the colon, is the
-- usual slip (self is then X)
local function checklayer(self, method)
  if not islayer(self) then
    ml._error("%s: call it on a layer with a colon, layer:%s(...), not layer.%s(...) "
              .. "(got %s as the layer)", method, method, method,
              ml.ismatrix(self) and "a matrix" or type(self))
  end
end

function Layer:_name() return self.kind .. "()" end
function Layer:parameters() checklayer(self, "parameters") return {} end
function Layer:gradients() checklayer(self, "gradients") return {} end

-- X must be a matrix: "ReLU(): the input must be a matrix, got string"
function Layer:_checkinput(X, where)
  if not ml.ismatrix(X) then
    ml._error("%s%s: the input must be an N x D matrix (one sample per row), got %s",
              where or "", self:_name(), type(X))
  end
end

-- dY must be a matrix of the shape of the last output
function Layer:_checkgrad(dY, where)
  local who = (where or "") .. self:_name() .. ":backward"
  if self.output == nil then
    ml._error("%s: call forward first (backward reads what forward kept)", who)
  end
  if not ml.ismatrix(dY) or dY.rows ~= self.output.rows or dY.cols ~= self.output.cols then
    ml._error("%s: the gradient must have the shape of the output, %s, got %s", who,
              shape(self.output), shape(dY))
  end
end

-- ---- Linear -----------------------------------------------------------------

local Linear = class("Linear")

-- W (n_out x n_in) by init: randn scaled as the course writes it (so that
-- under numpy's generator the weights are the notebooks' own, bit for bit)
local INITS = {
  he = function(o, i) return ml.randn(o, i):mul_(math.sqrt(2 / i)) end,  -- ReLU
  xavier = function(o, i) return ml.randn(o, i):div_(math.sqrt(i)) end,  -- tanh, sigmoid
  normal = function(o, i) return ml.randn(o, i):mul_(0.01) end,          -- a small start
  zeros = function(o, i) return ml.zeros(o, i) end,
}

-- Linear(n_in, n_out [, opts]): W (n_out x n_in) drawn from ml.randn (row
-- by row, so ml.seed fixes it) and scaled by init, b (1 x n_out) zero
function nn.Linear(n_in, n_out, opts)
  local who = "nn.Linear"
  for i = 1, 2 do
    local n = select(i, n_in, n_out)
    if math.type(n) ~= "integer" or n < 1 then
      ml._error("%s: %s must be a positive whole number, got %s", who,
                i == 1 and "n_in (argument 1)" or "n_out (argument 2)", tostring(n))
    end
  end
  local o = ml._options(opts, {init = {"string", "xavier"}, bias = {"boolean", true}}, who)
  local init = INITS[o.init]
  if not init then
    ml._error("%s: init must be \"he\", \"xavier\", \"normal\" or \"zeros\", got \"%s\"",
              who, o.init)
  end
  return setmetatable({n_in = n_in, n_out = n_out, W = init(n_out, n_in),
                       b = o.bias and ml.zeros(1, n_out) or nil}, Linear)
end

function Linear:_name()
  return string.format("Linear(%d, %d)", self.n_in, self.n_out)
end

function Linear:_checkinput(X, where)
  Layer._checkinput(self, X, where)
  if X.cols ~= self.n_in then
    ml._error("%s%s: the input is %s but the layer takes %d features per row "
              .. "(an N x %d matrix)%s", where or "", self:_name(), shape(X), self.n_in,
              self.n_in, X.rows == self.n_in and " -- samples go in rows: use X:T()"
                or string.format(" -- for %d features write Linear(%d, %d)", X.cols, X.cols,
                                 self.n_out))
  end
end

-- X W^T + b, with the library's ordinary operations (the transpose is a view
-- that dot hands to BLAS as a flag)
function Linear:forward(X)
  checklayer(self, "forward")
  self:_checkinput(X)
  local Y = X:dot(self.W:T())
  if self.b then Y = Y + self.b end
  self.input, self.output = X, Y
  return Y
end

-- the same into the layer's buffer (for ml.MLP: no new matrix per step)
function Linear:_forward(X)
  local Y = buffer(self, "_out", X.rows, self.n_out)
  ml.dot(X, self.W:T(), Y)
  if self.b then Y:add_(self.b) end
  self.input, self.output = X, Y
  return Y
end

-- dW = dY^T X, db = the column sums of dY (a product with a row of ones),
-- dX = dY W (skipped when needdx is false: the first layer's input needs none).
-- dW is computed as its transpose X^T dY, written through the view dW^T: the
-- library's X^T G product for narrow G (up to 16 columns) reads X once, where
-- BLAS packs all of it (a 209 x 12288 input, 7 outputs: ~7x faster).
function Linear:backward(dY, needdx)
  checklayer(self, "backward")
  self:_checkgrad(dY)
  local X = self.input
  self.dW = buffer(self, "dW", self.n_out, self.n_in)
  ml.dot(X:T(), dY, self.dW:T())
  if self.b then
    self.db = buffer(self, "db", 1, self.n_out)
    local ones = buffer(self, "_ones", 1, X.rows)
    if ones:get(1, 1) ~= 1 then ones:fill_(1) end
    ml.dot(ones, dY, self.db)
  end
  if needdx == false then return nil end
  local dX = buffer(self, "_dX", X.rows, self.n_in)
  return ml.dot(dY, self.W, dX)
end

-- backward and a plain gradient-descent step at once, for ml.MLP: dX = dY W
-- first (from the weights before the step), then W -= lr dY^T X and
-- b -= lr sum(dY) as the products' alpha = -lr, beta = 1 into the weights,
-- so that no dW or db is written and read back.  Returns dX (nil when
-- needdx is false).
function Linear:_backstep(dY, needdx, lr)
  local X, dX = self.input, nil
  if needdx ~= false then
    dX = ml.dot(dY, self.W, buffer(self, "_dX", X.rows, self.n_in))
  end
  ml.dot(X:T(), dY, self.W:T(), -lr, 1)
  if self.b then
    local ones = buffer(self, "_ones", 1, X.rows)
    if ones:get(1, 1) ~= 1 then ones:fill_(1) end
    ml.dot(ones, dY, self.b, -lr, 1)
  end
  return dX
end

-- a layer without parameters has no step to take: its backward
function Layer:_backstep(dY) return self:backward(dY) end

function Linear:parameters()
  checklayer(self, "parameters")
  return self.b and {self.W, self.b} or {self.W} end

function Linear:gradients()
  checklayer(self, "gradients")
  if self.dW == nil then
    ml._error("%s:gradients: call backward first", self:_name())
  end
  return self.b and {self.dW, self.db} or {self.dW}
end

-- ---- activations ------------------------------------------------------------
-- f is the library's function, f_ its in-place form; back(dY, Y, dX) writes
-- d loss / d input into dX from the output Y.

local function activation(kind, f, f_, back)
  local c = class(kind)
  nn[kind] = function() return setmetatable({}, c) end
  function c:forward(X)
    checklayer(self, "forward")
    self:_checkinput(X)
    self.input, self.output = X, f(X)
    return self.output
  end
  -- in place on X (ml.MLP's own buffers; the input is not needed by backward)
  function c:_forward(X)
    self.input, self.output = X, f_(X)
    return X
  end
  function c:backward(dY)
    checklayer(self, "backward")
    self:_checkgrad(dY)
    local Y = self.output
    return back(dY, Y, buffer(self, "_dX", Y.rows, Y.cols))
  end
  return c
end

-- relu' = (Y > 0): 0 at 0, as in PyTorch
activation("ReLU", ml.relu, ml.relu_, function(dY, Y, dX)
  return ml.gt(Y, 0, dX):mul_(dY)
end)

-- tanh' = 1 - Y^2
activation("Tanh", ml.tanh, ml.tanh_, function(dY, Y, dX)
  return ml.sub(1, ml.square(Y, dX), dX):mul_(dY)
end)

-- sigmoid' = Y (1 - Y)
activation("Sigmoid", ml.sigmoid, ml.sigmoid_, function(dY, Y, dX)
  return ml.sub(1, Y, dX):mul_(Y):mul_(dY)
end)

-- softmax along each row: dX = Y * (dY - sum(dY * Y, 2))
activation("Softmax", ml.softmax, function(X) return ml.softmax(X, 2, X) end,
  function(dY, Y, dX)
    local s = ml.mul(dY, Y, dX):sum(2)
    return ml.sub(dY, s, dX):mul_(Y)
  end)

-- ---- Sequential -------------------------------------------------------------

local Sequential = class("Sequential")

-- Sequential{layer, ...}: the layers in order, at net[1], net[2], ...
function nn.Sequential(layers)
  local who = "nn.Sequential"
  if layers ~= nil and type(layers) ~= "table" then
    ml._error("%s: expected a list of layers, Sequential{nn.Linear(2, 4), nn.ReLU(), ...}, "
              .. "got %s", who, type(layers))
  end
  local net = setmetatable({}, Sequential)
  for i, l in ipairs(layers or {}) do
    if not islayer(l) then
      ml._error("%s: element %d is not a layer (got %s%s)", who, i, type(l),
                type(l) == "function" and "; write nn.ReLU() with parentheses" or "")
    end
    net[i] = l
  end
  return net
end

function Sequential:_name()
  local parts = {}
  for i = 1, #self do parts[i] = self[i]:_name() end
  return "Sequential{" .. table.concat(parts, ", ") .. "}"
end

function Sequential:__tostring()
  local lines = {"Sequential{"}
  for i = 1, #self do lines[#lines + 1] = string.format("  [%d] %s", i, self[i]:_name()) end
  lines[#lines + 1] = "}"
  return table.concat(lines, "\n")
end

local function checknet(self, method)
  if getmetatable(self) ~= Sequential then
    ml._error("%s: call it on a network with a colon, net:%s(...), not net.%s(...) "
              .. "(got %s)", method, method, method,
              ml.ismatrix(self) and "a matrix" or type(self))
  end
end

-- each layer's forward in turn; an error names the layer's position
function Sequential:forward(X)
  checknet(self, "forward")
  for i = 1, #self do
    self[i]:_checkinput(X, "Sequential layer " .. i .. ", ")
    X = self[i]:forward(X)
  end
  self.output = X
  return X
end

function Sequential:_forward(X)
  for i = 1, #self do X = self[i]:_forward(X) end
  self.output = X
  return X
end

-- the layers' backward in reverse order; the first layer's input gradient
-- is computed only when needdx is not false
function Sequential:backward(dY, needdx)
  checknet(self, "backward")
  for i = #self, 1, -1 do
    self[i]:_checkgrad(dY, "Sequential layer " .. i .. ", ")
    dY = self[i]:backward(dY, i > 1 or needdx ~= false)
  end
  return dY
end

-- backward with each Linear's gradient-descent step folded in (_backstep)
function Sequential:_backstep(dY, lr)
  for i = #self, 1, -1 do dY = self[i]:_backstep(dY, i > 1, lr) end
end

local function collect(self, method)
  local out = {}
  for i = 1, #self do
    for _, m in ipairs(self[i][method](self[i])) do out[#out + 1] = m end
  end
  return out
end

function Sequential:parameters()
  checknet(self, "parameters")
  return collect(self, "parameters")
end

function Sequential:gradients()
  checknet(self, "gradients")
  return collect(self, "gradients")
end

-- ---- the multi-layer perceptron ---------------------------------------------

local MLP = M.class("MLP")
local ACT = {relu = nn.ReLU, tanh = nn.Tanh, sigmoid = nn.Sigmoid}
local OUTPUTS = {sigmoid = true, softmax = true, linear = true}

function ml.MLP(opts)
  local who = "MLP"
  local o = M.options(opts, {layers = {"table"}, activation = {"string", "relu"},
                             output = {"string"}, init = {"string"}, seed = {"integer"}},
                      {lr = 0.01, epochs = 1000}, who)
  local sizes = o.layers
  if sizes == nil or #sizes < 2 then
    ml._error("%s: layers must list the sizes of the input, the hidden layers and the "
              .. "output, e.g. layers = {2, 4, 1}", who)
  end
  for i, n in ipairs(sizes) do
    if math.type(n) ~= "integer" or n < 1 then
      ml._error("%s: layers[%d] must be a positive whole number, got %s", who, i, tostring(n))
    end
  end
  local act = ACT[o.activation]
  if not act then
    ml._error("%s: activation must be \"relu\", \"tanh\" or \"sigmoid\", got \"%s\"", who,
              o.activation)
  end
  local k = sizes[#sizes]
  o.output = o.output or (k == 1 and "sigmoid" or "softmax")
  if not OUTPUTS[o.output] then
    ml._error("%s: output must be \"sigmoid\", \"softmax\" or \"linear\", got \"%s\"", who,
              o.output)
  end
  if o.output == "softmax" and k < 2 then
    ml._error("%s: a softmax output needs at least 2 classes (the last layer size is 1; "
              .. "use output = \"sigmoid\" for 0/1 labels)", who)
  end
  o.init = o.init or (o.activation == "relu" and "he" or "xavier")
  if not INITS[o.init] then
    ml._error("%s: init must be \"he\", \"xavier\", \"normal\" or \"zeros\", got \"%s\"",
              who, o.init)
  end
  if o.seed then ml.seed(o.seed) end
  local list = {}
  for i = 2, #sizes do
    list[#list + 1] = nn.Linear(sizes[i - 1], sizes[i], {init = o.init})
    if i < #sizes then list[#list + 1] = act() end
  end
  o.layers = {table.unpack(sizes)}
  o._regression = o.output == "linear"  -- score is R^2
  o.net = nn.Sequential(list)
  o._params = o.net:parameters()
  return setmetatable(o, MLP)
end

function MLP:parameters()
  M.checkself(self, "parameters")
  return self.net:parameters()
end

-- labels by output: 0/1 (sigmoid), 0..k-1 (softmax), k real columns (linear)
function MLP:_prepare(X, y, who)
  local n_in, k = self.layers[1], self.layers[#self.layers]
  if X.cols ~= n_in then
    ml._error("%s: X has %d columns but the network's input layer takes %d (layers[1])%s",
              who, X.cols, n_in, X.rows == n_in and " -- samples go in rows: use X:T()" or "")
  end
  M.checky(y, X, self.output == "linear", who)
  if self.output == "sigmoid" then
    if (y:ne(0) * y:ne(1)):any() ~= 0 then
      ml._error("%s: labels must be 0 or 1 for output = \"sigmoid\" (use output = "
                .. "\"softmax\" for more classes)", who)
    end
    if k ~= 1 then
      ml._error("%s: output = \"sigmoid\" needs one output unit (layers ends with %d)", who, k)
    end
  elseif self.output == "softmax" then
    M.checklabels(y, k, who)
  elseif y.cols ~= k then
    ml._error("%s: y has %d columns but the network has %d outputs", who, y.cols, k)
  end
end

-- cost and gradients of a batch: the loss fused with the output's
-- derivative, the layers' backward into their buffers, l2/(2N) sum ||W||^2
-- over the weights (not the biases).  Given gdrate (the training's optimiser
-- is plain gd) and no l2, the step is taken in the backward pass itself
-- (Sequential:_backstep) and no gradients are returned.
function MLP:_lossgrad(Xb, yb, N, gdrate)
  local net = self.net
  local Z = net:_forward(Xb)
  local G = buffer(self, "_G", Z.rows, Z.cols)
  local cost
  if self.output == "sigmoid" then
    cost = ml.sigmoid_cross_entropy(Z, yb, G)
  elseif self.output == "softmax" then
    cost = ml.softmax_cross_entropy(Z, yb, G)
  else  -- ||Z - y||^2 / (2n), gradient (Z - y) / n
    local n = Z.rows
    ml.sub(Z, yb, G)
    cost = ml.inner(G, G) / (2 * n)
    G:div_(n)
  end
  if gdrate and self.l2 == 0 then
    net:_backstep(G, gdrate)
    return cost, nil
  end
  net:backward(G, false)
  local grads = net:gradients()
  if self.l2 > 0 then
    for i = 1, #net do
      local l = net[i]
      if l.W then
        cost = cost + self.l2 / (2 * N) * ml.inner(l.W, l.W)
        l.dW:add_(l.W, self.l2 / N)
      end
    end
  end
  return cost, grads
end

-- the network's output for X (checked), before the output function
function MLP:_scores(X, who)
  M.checkX(X, self.layers[1], who)
  return self.net:forward(X)
end

function MLP:predict_proba(X)
  M.checkself(self, "predict_proba")
  local who = "MLP:predict_proba"
  local Z = self:_scores(X, who)
  if self.output == "sigmoid" then return Z:sigmoid_() end
  if self.output == "softmax" then return ml.softmax(Z, 2, Z) end
  ml._error("%s: a network with output = \"linear\" predicts values, not probabilities "
            .. "(use predict)", who)
end

-- 0/1 where P(y = 1) > 0.5 (sigmoid), the most probable class 0..k-1
-- (softmax), the outputs (linear)
function MLP:predict(X)
  M.checkself(self, "predict")
  local Z = self:_scores(X, "MLP:predict")
  if self.output == "sigmoid" then return Z:sigmoid_():gt(0.5) end
  if self.output == "softmax" then return Z:argmax(2):sub_(1) end
  return Z
end

-- "MLP{layers=2-4-1, activation=tanh, output=sigmoid, lr=1.2, epochs=10000, ...}
-- (17 parameters, trained)"
function MLP:__tostring()
  local o = {"layers=" .. table.concat(self.layers, "-"), "activation=" .. self.activation,
             "output=" .. self.output}
  for _, k in ipairs{"lr", "epochs", "batch_size", "l2", "optimizer", "init"} do
    if self[k] ~= nil then o[#o + 1] = k .. "=" .. tostring(self[k]) end
  end
  local count = 0
  for _, p in ipairs(self._params) do count = count + p:size() end
  return string.format("MLP{%s} (%d parameters, %s)", table.concat(o, ", "), count,
                       self.cost_history and "trained" or "not trained")
end
