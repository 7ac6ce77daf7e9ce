#!/usr/bin/python3
"""Side-by-side peer for metrics.EMMV (Goix 2016 EM and MV scores, docs/method.md).

Runs the Python re-implementation of Goix's em() and mv() as published (not
Goix's own code; kept in metrics/testdata/gen_scores.py, which also writes the Go
golden files) on the
default grids: t = np.arange(0, 100/V, 0.01/V), alpha = np.arange(0.9, 0.999,
0.0001), t_max = 0.9.

    /usr/bin/python3 bench/peers/emmv.py --data PATH --n N --d 1 \
        --n-data ND --volume V [--repeat R] [--t-step 0.01] [--alpha-step 0.0001]

PATH holds a raw little-endian float64 N×1 matrix: the ND data (normality)
scores followed by the N−ND uniform-point scores. --t-step is in units of 1/V
(0.001 and --alpha-step 0.001 for the d > 5 protocol). Timed: grid
construction + em() + mv(), best of R wall-clock runs.

Go counterpart: metrics.EMMV(col[:ND], col[ND:], V) (or metrics.EMMVGrids with
TGrid(V, step/V) and AlphaGrid(alphaStep) for other steps); BenchmarkEMMV10k
runs it on ND = 10000, N−ND = 100000, V = 0.3.

Threads: numpy's comparisons, sums and maxima here are single-threaded; BLAS
is not used, and OMP/OpenBLAS/MKL threads are pinned to 1 anyway. The Go side
is single-threaded too.

Prints one JSON line: {"seconds", "peer_name", "em", "mv", "amax"}.
"""

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "metrics", "testdata"))
import gen_scores  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--n", type=int, required=True, help="rows: data + uniform scores")
    ap.add_argument("--d", type=int, required=True, help="must be 1")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--n-data", type=int, required=True, help="leading rows that are data scores")
    ap.add_argument("--volume", type=float, required=True, help="volume of the uniform box")
    ap.add_argument("--t-step", type=float, default=0.01, help="t step in units of 1/V")
    ap.add_argument("--alpha-step", type=float, default=0.0001)
    a = ap.parse_args()
    if a.d != 1:
        ap.error("--d must be 1 (one score per row)")
    if not 0 < a.n_data < a.n:
        ap.error("--n-data must be in (0, n)")
    col = np.fromfile(a.data, dtype="<f8")
    if col.size != a.n * a.d:
        ap.error("file holds %d values, want n·d = %d" % (col.size, a.n * a.d))
    s_X, s_unif = col[:a.n_data].copy(), col[a.n_data:].copy()

    best = float("inf")
    for _ in range(max(1, a.repeat)):
        t0 = time.perf_counter()
        em_auc, mv_auc, amax = gen_scores.emmv(s_X, s_unif, a.volume, a.t_step, a.alpha_step)[:3]
        best = min(best, time.perf_counter() - t0)
    import sklearn
    print(json.dumps({
        "seconds": best,
        "peer_name": "Python re-implementation of Goix's em()/mv() (numpy %s, scikit-learn %s auc)"
                     % (np.__version__, sklearn.__version__),
        "em": float(em_auc), "mv": float(mv_auc), "amax": int(amax),
    }))


if __name__ == "__main__":
    main()
