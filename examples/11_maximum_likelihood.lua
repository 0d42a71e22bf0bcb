-- 11_maximum_likelihood.lua -- "Maximum likelihood estimation": the
-- parameter that makes the data most probable.  For a Gaussian it is the
-- sample mean, and maximising the log-likelihood is minimising the squared
-- error; for a coin (the sigmoid) the negative log-likelihood is the
-- cross-entropy; for a die (softmax) it is -sum T log Y, the MNIST cost of
-- the chapter's exercise.
--
--   luaml examples/11_maximum_likelihood.lua [--out DIR]
local ml = require "luaml"
local lesson = dofile((arg and arg[0] or ""):match("^(.-)[^/]*$") .. "lesson.lua")
local run = lesson.start("Maximum likelihood: squared error and cross-entropy")

ml.seed(11)
lesson.section("a Gaussian with unit variance: which mean?")
local x = ml.randn(1000, 1) + 3                    -- 1000 samples, true mean 3
local mu = ml.linspace(0, 6, 601)                  -- 1 x 601 candidate means
-- log L(mu) = sum_i [ -log(2 pi)/2 - (x_i - mu)^2 / 2 ]: broadcasting the
-- 1000x1 samples against the 1x601 candidates gives every (x_i - mu) at once
local ll = (-(x - mu):square() / 2 - math.log(2 * math.pi) / 2):sum(1)   -- 1 x 601
local best = mu:get(1, ll:argmax())
print(string.format("log-likelihood is largest at mu = %.2f; the sample mean is %.4f",
                    best, x:mean()))
-- exactly: minimise the negative log-likelihood, whose gradient is -sum(x - mu)
local muhat = ml.minimize(function(m) return ((x - m):square()):sum() / 2, -(x - m):sum() end,
                          0, {lr = 1e-3, iters = 200})
print(string.format("maximised by gradient descent: mu = %.10f (mean %.10f)", muhat, x:mean()))
print("-log L = const + (1/2) sum (x_i - mu)^2: maximum likelihood = least squares")
run.plot("line", "gaussian_loglik.svg", ll,
         {x = mu, title = "log-likelihood of the mean", xlabel = "mu", ylabel = "log L"})

lesson.section("a coin (the sigmoid): L = prod p^t (1 - p)^(1 - t)")
local t = ml.rand(500, 1):lt(0.7)                  -- 500 tosses, P(heads) = 0.7
local p = ml.linspace(0.01, 0.99, 99)
local llc = (t * ml.log(p) + (1 - t) * ml.log(1 - p)):sum(1)
print(string.format("log-likelihood is largest at p = %.2f; the share of heads is %.3f",
                    p:get(1, llc:argmax()), t:mean()))
local pt = ml.full(500, 1, 0.7)
print(string.format("-log L / N at p = 0.7: %.6f = binary cross-entropy %.6f",
                    -(t * ml.log(pt) + (1 - t) * ml.log(1 - pt)):sum() / 500,
                    ml.binary_cross_entropy(pt, t)))

lesson.section("a die (softmax): J = -sum_n sum_k T[n][k] log Y[n][k]")
-- the exercise: the cost of MNIST predictions, here from random weights
local X, labels = ml.datasets.mnist()
X, labels = X:slice(1, 1000), labels:slice(1, 1000)
local T = ml.one_hot(labels, 10)
local Y = ml.softmax(X:dot(ml.randn(784, 10) * 0.01))
local function cost(Tm, Ym) return -(Tm * ml.log(Ym)):sum() end
print(string.format("cost(T, Y) = %.6f; ml.cross_entropy(Y, labels) * N = %.6f",
                    cost(T, Y), ml.cross_entropy(Y, labels) * 1000))
print(string.format("a perfect prediction costs %.1f; a uniform one %.4f = N log 10",
                    cost(T, T:clip(1e-300, 1)) + 0, cost(T, ml.full(1000, 10, 0.1))))
