#!/usr/bin/python3
"""Side-by-side peer for metrics.SweepKMeans (k-means sweep, docs/method.md).

    /usr/bin/python3 bench/peers/kmeans_sweep.py --data PATH --n N --d D \
        [--repeat R] [--kmin 2] [--kmax 20] [--n-init 10] [--seed 0] \
        [--labels LABELS] [--threads T]

PATH holds a raw little-endian float64 N×D row-major matrix. For every k in
kmin..kmax: sklearn.cluster.KMeans(n_clusters=k, n_init=n_init,
random_state=seed).fit(X).labels_ and, if --labels (raw little-endian int64,
N values) is given, v_measure_score(labels, ·). Timed: the whole loop over k,
best of R wall-clock runs (data loading excluded).

Go counterpart: metrics.SweepKMeans(ctx, x, N, D, truth, kmin, kmax,
metrics.KMeansOptions{NInit: n_init}); BenchmarkSweepKMeans10k runs it on
metrics/testdata/clustering_bench10k.f64 (+ .i64 labels), N = 10000, D = 2,
k = 2..20, n_init = 10:

    /usr/bin/python3 bench/peers/kmeans_sweep.py \
        --data metrics/testdata/clustering_bench10k.f64 --n 10000 --d 2 \
        --labels metrics/testdata/clustering_bench10k.i64 --kmin 2 --kmax 20 --n-init 10

Threads: scikit-learn's defaults, i.e. KMeans' OpenMP loop on all cores (2 on
the reference machine), BLAS as configured; the Go side uses GOMAXPROCS
goroutines (2). --threads T limits OpenMP and BLAS to T threads (threadpoolctl).
OPENBLAS_CORETYPE is reported, never changed.

Prints one JSON line: {"seconds", "peer_name", "threads", "openblas_coretype",
"best_k", "best_v"} (best_* are null without --labels).
"""

import argparse
import json
import os
import time
import warnings

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.metrics import v_measure_score
from threadpoolctl import threadpool_info, threadpool_limits


def sweep(x, y, kmin, kmax, n_init, seed):
    vs = []
    for k in range(kmin, kmax + 1):
        labels = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(x).labels_
        if y is not None:
            vs.append(v_measure_score(y, labels))
    return vs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--d", type=int, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--kmin", type=int, default=2)
    ap.add_argument("--kmax", type=int, default=20)
    ap.add_argument("--n-init", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--labels", help="raw little-endian int64 true labels (N values)")
    ap.add_argument("--threads", type=int, help="limit OpenMP and BLAS threads")
    a = ap.parse_args()
    x = np.fromfile(a.data, dtype="<f8")
    if x.size != a.n * a.d:
        ap.error("%s holds %d values, want n*d = %d" % (a.data, x.size, a.n * a.d))
    x = x.reshape(a.n, a.d)
    y = None
    if a.labels:
        y = np.fromfile(a.labels, dtype="<i8")
        if y.size != a.n:
            ap.error("%s holds %d labels, want %d" % (a.labels, y.size, a.n))
    warnings.simplefilter("ignore")
    limits = threadpool_limits(limits=a.threads) if a.threads else None
    threads = max((p["num_threads"] for p in threadpool_info() if p["user_api"] == "openmp"), default=1)
    best, vs = float("inf"), []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        vs = sweep(x, y, a.kmin, a.kmax, a.n_init, a.seed)
        best = min(best, time.perf_counter() - t0)
    if limits is not None:
        limits.restore_original_limits()
    out = {"seconds": best, "peer_name": "scikit-learn " + sklearn.__version__, "threads": threads,
           "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"), "best_k": None, "best_v": None}
    if vs:
        i = int(np.argmax(vs))
        out["best_k"], out["best_v"] = a.kmin + i, float(vs[i])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
