# Workload 8 in PyTorch (Debian's python3-torch): the same network, data,
# batches, starting weights and plain SGD as 8_mlp.py, written as PyTorch
# users write it (nn.Sequential, CrossEntropyLoss, optim.SGD), in float64
# and in float32, each the best of 1 and 2 threads.  Prints "t torch64 S",
# "t torch32 S" (5 epochs) and the float64 run's checksums.
import os
import time

import numpy as np
import torch

from util import check, grid, load_idx

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "examples", "data", "mnist")
X = load_idx(os.path.join(data, "train-images-idx3-ubyte.gz"))
X = X.reshape(X.shape[0], -1) / 255.0
labels = load_idx(os.path.join(data, "train-labels-idx1-ubyte.gz")).astype(np.int64)
N, bs, epochs = X.shape[0], 64, 5


def train(dtype, threads):
    torch.set_num_threads(threads)
    Xt = torch.tensor(X, dtype=dtype)
    yt = torch.tensor(labels)
    net = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(),
                              torch.nn.Linear(128, 10)).to(dtype)
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(grid(128, 784, 0.05, 0)))
        net[0].bias.zero_()
        net[2].weight.copy_(torch.tensor(grid(10, 128, 0.1, 0)))
        net[2].bias.zero_()
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    costs = []
    t0 = time.perf_counter()
    for _ in range(epochs):
        total = 0.0
        for s in range(0, N, bs):
            xb, yb = Xt[s:s + bs], yt[s:s + bs]
            opt.zero_grad()
            loss = loss_fn(net(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
        costs.append(total / N)
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        acc = (net(Xt).argmax(dim=1) == yt).double().mean().item()
    return seconds, costs, acc


for name, dtype in (("torch64", torch.float64), ("torch32", torch.float32)):
    best = None
    for threads in (1, 2):
        r = train(dtype, threads)
        if best is None or r[0] < best[0]:
            best = r
    print("t %s %.9f" % (name, best[0]))
    if dtype == torch.float64:
        check("cost_epoch_1", best[1][0])
        check("cost_epoch_5", best[1][-1])
        check("accuracy", best[2])
