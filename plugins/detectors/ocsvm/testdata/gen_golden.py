#!/usr/bin/python3
"""Golden values for the ocsvm package, from scikit-learn's OneClassSVM (libsvm).

Run from anywhere with Debian's interpreter (scikit-learn 1.2.1, numpy 1.24):

    /usr/bin/python3 plugins/detectors/ocsvm/testdata/gen_golden.py

It rewrites testdata/golden_*.json.gz next to this script. Deterministic: every
data set comes from a fixed numpy RandomState seed or from a fixed row subset of
the ADBench files in data/adbench (bundled, relative to the repository
root; override with --adbench DIR). The ADBench rows actually used are copied into
the golden file, so `go test` needs neither Python nor the ADBench files.

Each golden file (one per data set) is gzipped JSON with:
  name, n, d, x (train rows, row-major, flattened), n_test, x_test, sklearn_version,
  fits: one entry per nu, each with nu, gamma (sklearn's fitted _gamma; gamma="scale"
  always), decision_train, decision_test (sklearn decision_function), n_support (sum
  of n_support_), support (support_ indices, sorted), dual_coef (alphas in the order
  of support), rho (= offset_, the libsvm rho), fit_status.
All fits use OneClassSVM(kernel="rbf", gamma="scale", tol=1e-3, cache_size=200,
shrinking=True, max_iter=-1), i.e. scikit-learn's defaults apart from nu.
"""
import argparse
import gzip
import json
import os

import numpy as np
import sklearn
from sklearn.svm import OneClassSVM

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))


def mixture2d(rs, n):
    means = np.array([[0.0, 0.0], [4.0, 1.0], [-2.0, 5.0]])
    scale = np.array([1.0, 0.5, 1.5])
    comp = rs.randint(0, 3, n)
    return means[comp] + rs.randn(n, 2) * scale[comp, None]


def mixture6d(rs, n):
    k = 4
    means = rs.randn(k, 6) * 3.0
    comp = rs.randint(0, k, n)
    a = rs.randn(k, 6, 6) * 0.5 + np.eye(6)[None]
    z = rs.randn(n, 6)
    return means[comp] + np.einsum("nij,nj->ni", a[comp], z)


def mixture_hd(rs, n, d):
    """n points of a d-dimensional mixture of 5 unit-variance Gaussians with centres uniform in
    [-5, 5]^d, 2% of them uniform in [-8, 8]^d (the shape of the bench command's mixtures)."""
    means = rs.uniform(-5, 5, size=(5, d))
    x = means[rs.randint(0, 5, n)] + rs.randn(n, d)
    out = rs.rand(n) < 0.02
    x[out] = rs.uniform(-8, 8, size=(int(out.sum()), d))
    return x


def uniform_box(rs, x, m, grow=0.1):
    lo, hi = x.min(0), x.max(0)
    w = hi - lo
    return rs.uniform(lo - grow * w, hi + grow * w, size=(m, x.shape[1]))


def fit(name, x, x_test, nus):
    x = np.ascontiguousarray(x, dtype=np.float64)
    x_test = np.ascontiguousarray(x_test, dtype=np.float64)
    out = {
        "name": name,
        "n": int(x.shape[0]),
        "d": int(x.shape[1]),
        "x": x.ravel().tolist(),
        "n_test": int(x_test.shape[0]),
        "x_test": x_test.ravel().tolist(),
        "sklearn_version": sklearn.__version__,
        "fits": [],
    }
    for nu in nus:
        m = OneClassSVM(kernel="rbf", gamma="scale", nu=nu, tol=1e-3, cache_size=200,
                        shrinking=True, max_iter=-1)
        m.fit(x)
        order = np.argsort(m.support_)
        out["fits"].append({
            "nu": nu,
            "gamma": float(m._gamma),
            "decision_train": m.decision_function(x).tolist(),
            "decision_test": m.decision_function(x_test).tolist() if len(x_test) else [],
            "n_support": int(m.n_support_.sum()),
            "support": m.support_[order].tolist(),
            "dual_coef": m.dual_coef_.ravel()[order].tolist(),
            "rho": float(m.offset_[0]),
            "fit_status": int(m.fit_status_),
        })
        print("%-12s n=%5d d=%3d nu=%.2f gamma=%.6g nSV=%5d rho=%.6g" % (
            name, x.shape[0], x.shape[1], nu, m._gamma, out["fits"][-1]["n_support"],
            out["fits"][-1]["rho"]))
    path = os.path.join(HERE, "golden_%s.json.gz" % name)
    raw = json.dumps(out, separators=(",", ":")).encode()
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(raw)
    print("  -> %s %.1f KB" % (os.path.basename(path), os.path.getsize(path) / 1024))


def adbench(adir, fname, rows, n_train, seed):
    z = np.load(os.path.join(adir, fname))  # np.load honours fortran_order
    x = np.asarray(z["X"], dtype=np.float64)
    rs = np.random.RandomState(seed)
    idx = rs.permutation(x.shape[0])[:rows]
    x = x[idx]
    return x[:n_train], x[n_train:]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--adbench", default=os.path.join(REPO, "data", "adbench"))
    args = ap.parse_args()

    # 2-D Gaussian mixture: 1000 train; held out = 300 from the mixture + 200 uniform
    rs = np.random.RandomState(20240601)
    x = mixture2d(rs, 1000)
    xt = np.vstack([mixture2d(rs, 300), uniform_box(rs, x, 200)])
    fit("mix2d", x, xt, [0.5, 0.05])

    # 6-D mixture with random covariances: 800 train, held out 200 + 100 uniform
    rs = np.random.RandomState(7)
    x = mixture6d(rs, 800)
    xt = np.vstack([mixture6d(rs, 200), uniform_box(rs, x, 100)])
    fit("mix6d", x, xt, [0.5, 0.1])

    # ADBench copies (<= 1000 rows each): raw feature scales, duplicates (thyroid)
    xa, xb = adbench(args.adbench, "29_Pima.npz", 768, 600, 1)
    fit("pima", xa, xb, [0.5, 0.05])
    xa, xb = adbench(args.adbench, "18_Ionosphere.npz", 351, 250, 2)
    fit("ionosphere", xa, xb, [0.5, 0.2])
    xa, xb = adbench(args.adbench, "38_thyroid.npz", 1000, 800, 3)
    fit("thyroid", xa, xb, [0.5, 0.05])

    # high-dimensional (d = 96, the BLAS path of the Go code): 400 train, held out 100 from
    # the same mixture (same centres) + 50 uniform
    rs = np.random.RandomState(96)
    x = mixture_hd(rs, 500, 96)
    xt = np.vstack([x[400:], uniform_box(rs, x[:400], 50)])
    fit("mix96d", x[:400], xt, [0.5, 0.1])

    # degenerate inputs
    rs = np.random.RandomState(11)
    # all entries equal: Var(X) = 0 exactly, sklearn falls back to gamma = 1.0
    x = np.full((40, 3), 2.0)
    xt = np.vstack([x[:2], rs.randn(8, 3) * 0.5 + 2.0])
    fit("constant", x, xt, [0.5, 0.1])
    # one constant column among varying ones
    x = np.hstack([mixture2d(rs, 300), np.full((300, 1), -3.0)])
    xt = np.hstack([mixture2d(rs, 50), np.full((50, 1), -3.0)])
    fit("constcol", x, xt, [0.3])
    # every point three times (exact duplicates; quad_coef = 0 -> tau)
    b = mixture2d(rs, 100)
    x = np.vstack([b, b, b])[rs.permutation(300)]
    fit("dups", x, mixture2d(rs, 50), [0.5, 0.05])
    # (nu = 1 is not here: every alpha sits at its bound, libsvm's rho is +Inf and
    # sklearn raises "The dual coefficients or intercepts are not finite"; the Go
    # tests check that case on their own.)

    # benchmark scale: 10000 2-D mixture points rounded to 4 decimals, nu = 0.05,
    # decision on the training points (the BenchmarkOCSVM10k workload)
    rs = np.random.RandomState(10000)
    x = np.round(mixture2d(rs, 10000), 4)
    fit("mix10k", x, np.zeros((0, 2)), [0.05])


if __name__ == "__main__":
    main()
