#!/usr/bin/python3
"""Peer benchmark for package plugins/detectors/lof: scikit-learn's LocalOutlierFactor.

    /usr/bin/python3 bench/peers/lof.py --data PATH --n N --d D [--repeat R]
                                        [--mode fit_score|fit] [--n-neighbors K]

PATH is a raw little-endian float64 row-major N×D matrix. Each repetition times, wall clock,

    lof = LocalOutlierFactor(n_neighbors=K, novelty=True).fit(X)   # K = 20 by default
    lof.score_samples(X)                                           # unless --mode fit

i.e. the detector fitted on the points it then scores, as the harness does with
fit_on = "test". The Go counterpart is

    m, _ := lof.Fit(ctx, x, n, d, lof.Options{NNeighbors: K})
    m.Score(x, n)

(BenchmarkLOF10k / BenchmarkLOF60k on a 2-D mixture, or BenchmarkLOFFile with
LOF_BENCH_DATA=PATH LOF_BENCH_N=N LOF_BENCH_D=D for this very file).

Threads: LocalOutlierFactor's default n_jobs=None runs its k-d tree queries on one thread, and
that default is what is timed. For d ≤ 15 no BLAS or OpenMP code runs; for d > 15 sklearn
switches to brute force, whose OpenMP/BLAS kernels would use every core, so this script pins
OMP_NUM_THREADS and OPENBLAS_NUM_THREADS to 1 (before numpy is imported) to keep the peer at
one thread in every case. The Go side reports both Workers=1 and all cores (GOMAXPROCS).
OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are left as found and echoed on stderr.

Prints one JSON line: {"seconds": <best of R wall seconds>, "peer_name": "scikit-learn <version>"}.
"""
import argparse
import json
import os
import sys
import time

os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.neighbors import LocalOutlierFactor  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="raw little-endian float64 row-major matrix")
    ap.add_argument("--n", type=int, required=True, help="rows")
    ap.add_argument("--d", type=int, required=True, help="columns")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions; the best is reported")
    ap.add_argument("--mode", choices=["fit_score", "fit"], default="fit_score",
                    help="fit_score: fit(X) then score_samples(X) (default); fit: fit(X) only")
    ap.add_argument("--n-neighbors", type=int, default=20)
    a = ap.parse_args()

    X = np.fromfile(a.data, dtype="<f8")
    if X.size != a.n * a.d:
        sys.exit("%s holds %d values, want n*d = %d" % (a.data, X.size, a.n * a.d))
    X = np.ascontiguousarray(X.reshape(a.n, a.d), dtype=np.float64)
    print("lof peer: OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s threads=1 mode=%s" % (
        os.environ.get("OPENBLAS_CORETYPE", "(unset)"), os.environ.get("OPENBLAS_L2_SIZE", "(unset)"), a.mode),
        file=sys.stderr)

    best = float("inf")
    for _ in range(max(1, a.repeat)):
        t0 = time.perf_counter()
        lof = LocalOutlierFactor(n_neighbors=a.n_neighbors, novelty=True).fit(X)
        if a.mode == "fit_score":
            lof.score_samples(X)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"seconds": best, "peer_name": "scikit-learn " + sklearn.__version__}))


if __name__ == "__main__":
    main()
