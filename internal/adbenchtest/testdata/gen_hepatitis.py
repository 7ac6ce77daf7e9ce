"""scikit-learn's isolation forest on ADBench 15_Hepatitis, for hepatitis_test.go.

Run from the repository root (Debian's interpreter, scikit-learn 1.2.1):

    /usr/bin/python3 internal/adbenchtest/testdata/gen_hepatitis.py

It writes internal/adbenchtest/testdata/hepatitis_iforest.json. Deterministic (fixed seeds).

15_Hepatitis has 80 rows and 19 features, 13 of them binary (values 1 and 2), so the default
sub-sample min(256, n) is every row. Protocol, mirrored by the Go test:
  1. X = npz["X"] cast to float32 and back (the Go side reads float32 through harness/dataset;
     scikit-learn's IsolationForest casts to float32 itself), y = npz["y"] (1 = anomaly). No
     scaling: an isolation forest does not depend on an affine scaling of the features.
  2. Fit on all rows, score the same rows: IsolationForest(n_estimators=T,
     random_state=r).fit(X).score_samples(X); AUC = roc_auc_score(y, -score).
  3. The expected depth of every row: with 20,000 trees the forest's mean path length
     E[h(x)] = -log2(-score) * c(80) is known to about 0.015; it is written for seed 0, and the
     largest difference between two such forests (seeds 0 and 1) is written as the noise
     level to compare against.
  4. The mean and standard deviation of the AUC over seeds 0..49 with 100 trees and over seeds
     0..19 with 1000 trees.
"""

import json
import os

import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
FILE = "data/adbench/15_Hepatitis.npz"
BIG = 20000


def c(n):
    return 2 * (np.log(n - 1) + np.euler_gamma) - 2 * (n - 1) / n


def main():
    z = np.load(os.path.join(ROOT, FILE))
    X = z["X"].astype(np.float32).astype(np.float64)
    y = z["y"].astype(int)
    n = X.shape[0]

    def depth(seed):
        s = IsolationForest(n_estimators=BIG, random_state=seed).fit(X).score_samples(X)
        return -np.log2(-s) * c(n)

    d0, d1 = depth(0), depth(1)

    def aucs(trees, seeds):
        return [roc_auc_score(y, -IsolationForest(n_estimators=trees, random_state=r).fit(X).score_samples(X))
                for r in seeds]

    a100, a1000 = aucs(100, range(50)), aucs(1000, range(20))
    out = {
        "sklearn_version": sklearn.__version__,
        "file": FILE,
        "x": X.ravel().tolist(),
        "y": y.tolist(),
        "n": n,
        "d": X.shape[1],
        "big_trees": BIG,
        "mean_depth": d0.tolist(),
        "mean_depth_seed_noise": float(np.abs(d1 - d0).max()),
        "auc_100": {"seeds": 50, "mean": float(np.mean(a100)), "sd": float(np.std(a100))},
        "auc_1000": {"seeds": 20, "mean": float(np.mean(a1000)), "sd": float(np.std(a1000))},
    }
    with open(os.path.join(HERE, "hepatitis_iforest.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")
    print("noise %.4f  auc100 %.4f (sd %.4f)  auc1000 %.4f (sd %.4f)" % (
        out["mean_depth_seed_noise"], out["auc_100"]["mean"], out["auc_100"]["sd"],
        out["auc_1000"]["mean"], out["auc_1000"]["sd"]))


if __name__ == "__main__":
    main()
