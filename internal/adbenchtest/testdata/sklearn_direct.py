"""scikit-learn's own ROC-AUCs for internal/adbenchtest/bridge_test.go.

    /usr/bin/python3 sklearn_direct.py SEEDS X.f64 ROWS COLS Y.u8 [X.f64 ROWS COLS Y.u8 ...]

reads, for each data set, the n×d float64 matrix (little-endian, row-major)
and the n anomaly flags (one byte each, 1 = anomaly) that the test also sends
through the sklearn bridge plugin, fits each estimator on all rows as the
bridge builds it (random_state = the seed, novelty = True for
LocalOutlierFactor), scores the same rows with score_samples (normality) and
prints, as JSON, a list with one object per data set, in argument order: the
ROC-AUC per estimator and seed, roc_auc_score(y, -score). The estimators and
their parameters are those the test gives the bridge (ESTIMATORS). One
process serves every data set, so scikit-learn is imported once.
"""

import json
import sys

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import LocalOutlierFactor
from sklearn.svm import OneClassSVM

ESTIMATORS = {
    "iforest": lambda seed: IsolationForest(n_estimators=100, random_state=seed),
    "lof": lambda seed: LocalOutlierFactor(n_neighbors=20, novelty=True),
    "ocsvm": lambda seed: OneClassSVM(gamma="scale", nu=0.1),
}
SEEDED = {"iforest"}


def aucs(x, y, seeds):
    """The ROC-AUC of each estimator (per seed for the seeded ones) on x, y."""
    out = {}
    for name, make in ESTIMATORS.items():
        out[name] = [float(roc_auc_score(y, -make(s).fit(x).score_samples(x)))
                     for s in (seeds if name in SEEDED else seeds[:1])]
    return out


def main():
    seeds = [int(s) for s in sys.argv[1].split(",")]
    args = sys.argv[2:]
    if not args or len(args) % 4:
        sys.exit("usage: sklearn_direct.py SEEDS X.f64 ROWS COLS Y.u8 [...]")
    out = []
    for i in range(0, len(args), 4):
        xpath, rows, cols, ypath = args[i:i + 4]
        x = np.fromfile(xpath, dtype="<f8").reshape(int(rows), int(cols))
        y = np.fromfile(ypath, dtype="u1").astype(int)
        out.append(aucs(x, y, seeds))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
