#!/usr/bin/python3
"""Side-by-side peer for plugins/detectors/ocsvm: scikit-learn's OneClassSVM.

    /usr/bin/python3 bench/peers/ocsvm.py --data PATH --n N --d D [--repeat R] [--nu NU]

PATH is a raw little-endian float64 row-major n x d matrix. Each repeat times
OneClassSVM(kernel="rbf", gamma="scale", nu=NU).fit(X) followed by
decision_function(X) on the same points (default nu 0.05, tol 1e-3,
cache_size 200, shrinking on: scikit-learn's defaults apart from nu), and the
script prints one JSON line with the best wall time of R repeats (default 3):

    {"seconds": ..., "peer_name": "scikit-learn 1.2.1", ...}

Extra keys: "fit_seconds"/"decision_seconds" (of the best repeat),
"cpu_seconds" (process CPU time of the best repeat), "n_support", the
operation and its Go equivalent, n, d, repeat, threads and the OpenBLAS
settings.

Threads: libsvm's solver and prediction are single-threaded; the only BLAS
call is a d-length dot product per kernel value, so BLAS/OpenMP thread counts
are pinned to 1 (set before numpy is imported) and the peer runs on one core.
The Go side (ocsvm.Fit + (*Model).Decision) uses GOMAXPROCS goroutines for
kernel columns and decision rows; compare with `go test -bench OCSVM10k -cpu 1,2`
for the one- and two-core figures. OPENBLAS_CORETYPE is left as the
environment has it and reported.

The Go call that corresponds to one repeat is

    m, err := ocsvm.Fit(ctx, x, n, d, ocsvm.Options{Nu: nu})
    scores := m.Decision(x, n)
"""
import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.svm import OneClassSVM  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--d", type=int, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--nu", type=float, default=0.05)
    a = ap.parse_args()

    x = np.fromfile(a.data, dtype="<f8")
    if x.size != a.n * a.d:
        raise SystemExit("ocsvm.py: %s holds %d values, want n*d = %d" % (a.data, x.size, a.n * a.d))
    x = x.reshape(a.n, a.d)

    best = None
    for _ in range(max(1, a.repeat)):
        c0, t0 = time.process_time(), time.perf_counter()
        m = OneClassSVM(kernel="rbf", gamma="scale", nu=a.nu).fit(x)
        t1 = time.perf_counter()
        s = m.decision_function(x)
        t2, c2 = time.perf_counter(), time.process_time()
        if best is None or t2 - t0 < best[0]:
            best = (t2 - t0, t1 - t0, t2 - t1, c2 - c0, int(m.n_support_.sum()))
        assert s.shape == (a.n,)
    print(json.dumps({
        "seconds": best[0],
        "peer_name": "scikit-learn " + sklearn.__version__,
        "fit_seconds": best[1],
        "decision_seconds": best[2],
        "cpu_seconds": best[3],
        "n_support": best[4],
        "operation": "OneClassSVM(kernel='rbf', gamma='scale', nu=%r).fit(X).decision_function(X)" % a.nu,
        "go_equivalent": "ocsvm.Fit(ctx, x, n, d, ocsvm.Options{Nu: %r}) then (*Model).Decision(x, n)" % a.nu,
        "n": a.n, "d": a.d, "repeat": a.repeat, "threads": 1,
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
        "openblas_l2_size": os.environ.get("OPENBLAS_L2_SIZE", "(unset)"),
    }))


if __name__ == "__main__":
    main()
