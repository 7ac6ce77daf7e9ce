#!/usr/bin/python3
"""Side-by-side peer for metrics.SweepGMM (EM Gaussian-mixture sweep, docs/method.md).

    /usr/bin/python3 bench/peers/gmm_sweep.py --data PATH --n N --d D \
        [--repeat R] [--kmin 2] [--kmax 20] [--n-init 1] [--seed 0] \
        [--labels LABELS] [--threads T]

PATH holds a raw little-endian float64 N×D row-major matrix. For every k in
kmin..kmax: sklearn.mixture.GaussianMixture(n_components=k,
covariance_type="full", reg_covar=1e-6, tol=1e-3, max_iter=100, n_init=n_init,
init_params="kmeans", random_state=seed).fit(X).predict(X) and, if --labels
(raw little-endian int64, N values) is given, v_measure_score(labels, ·).
Timed: the whole loop over k, best of R wall-clock runs (data loading
excluded). --n-init is accepted for symmetry with kmeans_sweep.py (the
harness passes --n-init 10 to both); it is the KMeans n_init of neither
side's GMM initialisation, which is n_init=1 as in scikit-learn, and GMM
restarts stay at 1 unless --gmm-n-init is given.

Go counterpart: metrics.SweepGMM(ctx, x, N, D, truth, kmin, kmax,
metrics.GMMOptions{}) (GMMOptions{NInit: g} for --gmm-n-init g);
BenchmarkSweepGMM10k runs it on metrics/testdata/clustering_bench10k.f64
(+ .i64 labels), N = 10000, D = 2, k = 2..20:

    /usr/bin/python3 bench/peers/gmm_sweep.py \
        --data metrics/testdata/clustering_bench10k.f64 --n 10000 --d 2 \
        --labels metrics/testdata/clustering_bench10k.i64 --kmin 2 --kmax 20

Threads: scikit-learn's defaults (numpy/BLAS as configured, the KMeans
initialisation's OpenMP loop on all cores: 2 on the reference machine); the Go
side uses GOMAXPROCS goroutines (2). --threads T limits OpenMP and BLAS to T
threads (threadpoolctl). OPENBLAS_CORETYPE is reported, never changed.

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
from sklearn.metrics import v_measure_score
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_info, threadpool_limits


def sweep(x, y, kmin, kmax, n_init, seed):
    vs = []
    for k in range(kmin, kmax + 1):
        g = GaussianMixture(n_components=k, covariance_type="full", reg_covar=1e-6, tol=1e-3,
                            max_iter=100, n_init=n_init, init_params="kmeans", random_state=seed)
        labels = g.fit(x).predict(x)
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
    ap.add_argument("--n-init", type=int, default=10, help="ignored (see above)")
    ap.add_argument("--gmm-n-init", type=int, default=1, help="GaussianMixture n_init")
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
        vs = sweep(x, y, a.kmin, a.kmax, a.gmm_n_init, a.seed)
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
