"""Golden ROC-AUCs of scikit-learn's detectors on three bundled ADBench sets.

Run from the repository root (Debian's interpreter, scikit-learn 1.2.1):

    /usr/bin/python3 internal/adbenchtest/testdata/gen_golden.py

It writes internal/adbenchtest/testdata/adbench_auc.json, read by
internal/adbenchtest/adbench_test.go. The output is deterministic (fixed
IsolationForest seeds; LOF and OneClassSVM have no randomness).

Data sets (data/adbench, see data/adbench/SOURCE.md): 6_cardio (1831 x 21,
9.6% anomalies), 38_thyroid (3772 x 6, 2.5%) and 29_Pima (768 x 8, 34.9%);
and the other five bundled sets (breastw, ionosphere, wbc, wilt, yeast).
Chosen because they have >= 700 rows, span low/medium/high anomaly rates and
both of the Go LOF's neighbour searches (k-d tree for d <= 15: thyroid, pima;
brute force beyond: cardio), and are classic ODDS benchmarks.

Protocol, mirrored by the Go test:
  1. X = npz["X"] cast to float32 and back to float64 (the Go side reads the
     npz through harness/dataset, whose Data.X is float32 with scale "none"),
     y = npz["y"] (1 = anomaly).
  2. Standardise on ALL rows: StandardScaler().fit_transform(X) (population
     standard deviation; a constant column keeps scale 1).
  3. Fit every detector on all rows and score the same rows:
       IsolationForest(n_estimators=100, random_state=r).fit(X).score_samples(X)
           for r in IFOREST_SEEDS; the golden value is the mean AUC over seeds;
       LocalOutlierFactor(n_neighbors=20).fit(X).negative_outlier_factor_;
       OneClassSVM(gamma="scale", nu=0.1).fit(X).decision_function(X).
  4. AUC = roc_auc_score(y, -score) (the scores are normality scores).
"""

import hashlib
import json
import os

import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import LocalOutlierFactor
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
OUT = os.path.join(HERE, "adbench_auc.json")

# (name used by the Go test, file relative to the repository root)
SETS = [
    ("cardio", "data/adbench/6_cardio.npz"),
    ("thyroid", "data/adbench/38_thyroid.npz"),
    ("pima", "data/adbench/29_Pima.npz"),
    # The other bundled sets, for the all-rows protocol through the loader
    # (TestSplitNoneMatchesSklearn) and through a grid run of
    # configs/adbench-allrows.toml (TestAllRowsGrid); both cover every set
    # listed here.
    ("breastw", "data/adbench/4_breastw.npz"),
    ("ionosphere", "data/adbench/18_Ionosphere.npz"),
    ("wbc", "data/adbench/42_WBC.npz"),
    ("wilt", "data/adbench/44_Wilt.npz"),
    ("yeast", "data/adbench/47_yeast.npz"),
]
IFOREST_SEEDS = list(range(20))
IF_TREES = 100
LOF_NEIGHBORS = 20
OCSVM_NU = 0.1


def main():
    out = {
        "generator": "internal/adbenchtest/testdata/gen_golden.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "iforest_n_estimators": IF_TREES,
        "iforest_seeds": IFOREST_SEEDS,
        "lof_n_neighbors": LOF_NEIGHBORS,
        "ocsvm_gamma": "scale",
        "ocsvm_nu": OCSVM_NU,
        "datasets": [],
    }
    for name, rel in SETS:
        path = os.path.join(ROOT, rel)
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        z = np.load(path)
        X = np.asarray(z["X"]).astype(np.float32).astype(np.float64)
        y = np.asarray(z["y"]).ravel().astype(int)
        X = StandardScaler().fit_transform(X)

        if_aucs = []
        for r in IFOREST_SEEDS:
            s = IsolationForest(n_estimators=IF_TREES, random_state=r).fit(X).score_samples(X)
            if_aucs.append(float(roc_auc_score(y, -s)))
        lof = LocalOutlierFactor(n_neighbors=LOF_NEIGHBORS).fit(X).negative_outlier_factor_
        oc = OneClassSVM(gamma="scale", nu=OCSVM_NU).fit(X).decision_function(X)
        entry = {
            "name": name,
            "file": rel,
            "sha256": digest,
            "rows": int(X.shape[0]),
            "features": int(X.shape[1]),
            "anomalies": int(y.sum()),
            "auc": {
                "iforest": float(np.mean(if_aucs)),
                "lof": float(roc_auc_score(y, -lof)),
                "ocsvm": float(roc_auc_score(y, -oc)),
            },
            "iforest_seed_auc": if_aucs,
            "iforest_seed_sd": float(np.std(if_aucs)),
        }
        out["datasets"].append(entry)
        print("%-8s IF %.4f (sd %.4f)  LOF %.4f  OCSVM %.4f"
              % (name, entry["auc"]["iforest"], entry["iforest_seed_sd"],
                 entry["auc"]["lof"], entry["auc"]["ocsvm"]))
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
