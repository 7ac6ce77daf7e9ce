#!/usr/bin/python3
"""PyTorch peer of plugins/encoders/vae: train the dense VAE for some epochs and time it.

Run with Debian's interpreter and torch (python3-torch 1.13):

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/peers/vae_torch.py \
        --data X.f32 --n 60000 --d 784 [--epochs 1] [--encode-n 10000]

PATH is a raw little-endian FLOAT32 row-major n x d matrix with values in [0, 1]
(MNIST-like). The network is the one of docs/method.md and of the Go package:
x -> 512 ReLU -> (mu, log var) in R^latent; z = mu + exp(log var / 2) * eps;
z -> 512 ReLU -> logits -> sigmoid. Loss per batch = (summed binary cross-entropy
+ closed-form KL) / batch size, Adam(lr 1e-3, betas (0.9, 0.999), eps 1e-8:
PyTorch's defaults, which the Go package uses too), batch 128, shuffled each
epoch, float32.

Memory: PyTorch's CPU allocator takes every tensor from malloc. glibc serves a
block of 128 KiB or more by mmap and unmaps it on free (until its dynamic
threshold happens to rise), so a loop whose temporaries are 128 KiB-2 MiB (a
128 x 784 batch is 401 KiB, the 784 x 512 weights' gradient 1.6 MiB) pays page
faults and zeroing on every batch: measured, 4-5 s of system time per epoch
and a peer about 0.8x as fast as a plain loop that, by accident, had freed a
large temporary early (which raises glibc's threshold). keep_freed_memory()
sets the thresholds explicitly (mallopt), so the peer runs as a well-tuned
PyTorch process does (the same as MALLOC_MMAP_THRESHOLD_ in the environment),
whatever happened before the loop; the JSON reports it.

Threads: torch.set_num_threads(--threads, default 2) to match Go using both cores.
The caller must set OMP_WAIT_POLICY=PASSIVE (otherwise PyTorch's spinning OpenMP
threads starve OpenBLAS on 2 cores); the script reports
the value it saw, and the OPENBLAS_CORETYPE it saw, so that both sides of a
comparison can be checked to have run under the same settings.

Prints one JSON line:
    {"train_samples_per_s": ..., "encode_samples_per_s": ..., "peer_name": "PyTorch 1.13.0", ...}
train_samples_per_s = epochs * n / wall seconds of the training loop (after 20
untimed warm-up batches, as a plain PyTorch training loop times it); train_samples_per_cpu_s the same per CPU second of the
process (all threads; less distorted than wall time on a busy machine); encode_samples_per_s = encode_n / wall seconds of
computing mu for the first encode_n rows (best of 3, under torch.no_grad()).
Go counterpart: BenchmarkTrainEpoch / BenchmarkEncode10k and vae.TrainThroughput.
"""
import argparse
import ctypes
import ctypes.util
import json
import os
import re
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F


# mallopt parameters of glibc's malloc.h.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3


def keep_freed_memory():
    """Keeps freed blocks up to 32 MiB in the heap instead of unmapping them.

    Returns whether glibc accepted both settings (False off glibc, where the
    allocator's own policy stands)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    ok = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1
    return mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1 and ok


class VAE(nn.Module):
    def __init__(self, d, hidden, latent):
        super().__init__()
        self.enc = nn.Linear(d, hidden)
        self.mu = nn.Linear(hidden, latent)
        self.log_var = nn.Linear(hidden, latent)
        self.dec1 = nn.Linear(latent, hidden)
        self.dec2 = nn.Linear(hidden, d)

    def encode(self, x):
        h = F.relu(self.enc(x))
        return self.mu(h), self.log_var(h)

    def forward(self, x, eps):
        mu, lv = self.encode(x)
        z = mu + torch.exp(0.5 * lv) * eps
        logits = self.dec2(F.relu(self.dec1(z)))
        return logits, mu, lv


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--d", type=int, required=True)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--encode-n", type=int, default=10000)
    ap.add_argument("--hidden", type=int, default=512)
    ap.add_argument("--latent", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    kept = keep_freed_memory()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x = np.fromfile(a.data, dtype="<f4", count=a.n * a.d)
    if x.size != a.n * a.d:
        raise SystemExit(f"{a.data}: expected {a.n * a.d} float32 values, got {x.size}")
    X = torch.from_numpy(x.reshape(a.n, a.d).copy())

    model = VAE(a.d, a.hidden, a.latent)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)

    def step(xb):
        eps = torch.randn(xb.shape[0], a.latent)
        logits, mu, lv = model(xb, eps)
        rec = F.binary_cross_entropy_with_logits(logits, xb, reduction="sum")
        kl = 0.5 * torch.sum(torch.exp(lv) + mu * mu - 1.0 - lv)
        loss = (rec + kl) / xb.shape[0]
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    for i in range(min(20, a.n // a.batch)):  # warm-up, untimed
        step(X[i * a.batch : (i + 1) * a.batch])

    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(a.epochs):
        perm = torch.randperm(a.n)
        for s in range(0, a.n, a.batch):
            step(X[perm[s : s + a.batch]])
    train_s = time.perf_counter() - t0
    train_cpu = time.process_time() - c0

    ne = min(a.encode_n, a.n)
    model.eval()
    best = float("inf")
    with torch.no_grad():
        for _ in range(3):
            t0 = time.perf_counter()
            mu, _ = model.encode(X[:ne])
            best = min(best, time.perf_counter() - t0)

    print(json.dumps({
        "train_samples_per_s": a.epochs * a.n / train_s,
        "encode_samples_per_s": ne / best,
        "train_samples_per_cpu_s": a.epochs * a.n / train_cpu,
        "peer_name": "PyTorch " + re.match(r"\d+\.\d+\.\d+", torch.__version__).group(0),
        "threads": torch.get_num_threads(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
        "malloc_keeps_freed_memory": kept,
        "final_loss": float(step(X[: a.batch]).item()),
    }))


if __name__ == "__main__":
    main()
