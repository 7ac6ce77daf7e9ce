"""scikit-learn's own ROC-AUCs for internal/adbenchtest/bridge_test.go.

    /usr/bin/python3 sklearn_direct.py X.f64 ROWS COLS Y.u8 SEEDS

reads the n×d float64 matrix (little-endian, row-major) and the n anomaly
flags (one byte each, 1 = anomaly) that the test also sends through the
sklearn bridge plugin, fits each estimator on all rows as the bridge builds
it (random_state = the seed, novelty = True for LocalOutlierFactor), scores
the same rows with score_samples (normality) and prints, as JSON, the
ROC-AUC per estimator and seed: roc_auc_score(y, -score). The estimators and
their parameters are those the test gives the bridge (ESTIMATORS).
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


def main():
    xpath, rows, cols, ypath, seeds = sys.argv[1:6]
    x = np.fromfile(xpath, dtype="<f8").reshape(int(rows), int(cols))
    y = np.fromfile(ypath, dtype="u1").astype(int)
    seeds = [int(s) for s in seeds.split(",")]
    out = {}
    for name, make in ESTIMATORS.items():
        out[name] = [float(roc_auc_score(y, -make(s).fit(x).score_samples(x)))
                     for s in (seeds if name in SEEDED else seeds[:1])]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
