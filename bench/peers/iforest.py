#!/usr/bin/python3
"""Peer benchmark: scikit-learn IsolationForest fit + score_samples on the same data.

Usage (run with Debian's /usr/bin/python3, scikit-learn 1.2.1):

    /usr/bin/python3 bench/peers/iforest.py --data PATH --n N --d D [--repeat R]
        [--n-estimators 100] [--max-samples auto|INT] [--random-state 0] [--n-jobs 1]

PATH is a raw little-endian float64 row-major N x D matrix. Each repetition times
IsolationForest(n_estimators, max_samples, random_state, n_jobs).fit(X).score_samples(X)
(wall clock, data loading excluded) and the best of R (default 3) is printed as one
JSON line: {"seconds": ..., "peer_name": "scikit-learn 1.2.1", ...}.

Threads: n_jobs defaults to 1, which is scikit-learn's default (n_jobs=None) for
IsolationForest: one thread for fit and score_samples (score_samples is not
parallel in 1.2.1 whatever n_jobs is). BLAS is not used by this operation; its
thread count is pinned to 1 anyway so that the measurement does not depend on the
environment. The Go side (iforest.Fit + Forest.Score, see
plugins/detectors/iforest) uses GOMAXPROCS goroutines, i.e. both cores of the CI
machine by default (run the Go benchmarks with -cpu 1,2 to see one core too);
"go_equivalent" in the output names the call. For this very file the Go side is

    IFOREST_BENCH_DATA=PATH IFOREST_BENCH_N=N IFOREST_BENCH_D=D \
        go test -run '^$' -bench FitScoreFile -cpu 1,2 ./plugins/detectors/iforest/

and BenchmarkFitScore10k / BenchmarkFitScore60k time the same call on a built-in
2-D Gaussian mixture. OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are echoed on stderr.
"""
import argparse
import json
import os
import sys
import time

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--d", type=int, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--n-estimators", type=int, default=100)
    ap.add_argument("--max-samples", default="auto")
    ap.add_argument("--random-state", type=int, default=0)
    ap.add_argument("--n-jobs", type=int, default=1)
    args = ap.parse_args()

    x = np.fromfile(args.data, dtype="<f8")
    if x.size != args.n * args.d:
        raise SystemExit("%s holds %d values, want n*d = %d" % (args.data, x.size, args.n * args.d))
    x = x.reshape(args.n, args.d)
    print("iforest peer: OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s threads=1" % (
        os.environ.get("OPENBLAS_CORETYPE", "(unset)"), os.environ.get("OPENBLAS_L2_SIZE", "(unset)")),
        file=sys.stderr)
    max_samples = args.max_samples if args.max_samples == "auto" else int(args.max_samples)

    best = float("inf")
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        est = IsolationForest(n_estimators=args.n_estimators, max_samples=max_samples,
                              random_state=args.random_state, n_jobs=args.n_jobs)
        est.fit(x).score_samples(x)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({
        "seconds": best,
        "peer_name": "scikit-learn %s" % sklearn.__version__,
        "operation": "IsolationForest(n_estimators=%d, max_samples=%r, random_state=%d, n_jobs=%d)"
                     ".fit(X).score_samples(X)" % (args.n_estimators, max_samples, args.random_state, args.n_jobs),
        "go_equivalent": "iforest.Fit(ctx, x, n, d, iforest.Options{NEstimators: %d, MaxSamples: %s, Seed: %d})"
                         " then (*Forest).Score(x, n)" % (
                             args.n_estimators, "0" if max_samples == "auto" else max_samples, args.random_state),
        "n": args.n, "d": args.d, "repeat": args.repeat,
    }))


if __name__ == "__main__":
    main()
