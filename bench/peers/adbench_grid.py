#!/usr/bin/python3
"""Peer of the `adbench-grid` row: a plain scikit-learn loop over the grid
bench/adbench-grid.toml runs through latentbench.

    /usr/bin/python3 bench/peers/adbench_grid.py --sets PATH[,PATH...] [--repeat R]

For each .npz (ADBench's X, y with y = 1 for anomalies): load it, split it
70/30 (train_test_split, seed 0, as the grid's test_fraction = 0.3), scale
with a StandardScaler fitted on the training split (the loader's "standard"
scaling), then for IsolationForest(n_estimators=100, random_state=0),
LocalOutlierFactor(n_neighbors=20, novelty=True) and
OneClassSVM(gamma="scale", nu=0.1): fit on the test split, score it
(score_samples) and compute ROC-AUC and average precision. The grid does the
same work per cell (fit_on = "test"), plus what a harness adds: plugin
processes, caching, the results files and report.

Timed: the whole loop, loading included, best of R wall-clock runs.
Threads: one (scikit-learn's defaults; BLAS pinned to 1); latentbench runs
its cells two at a time on the 2-core machine, as `latentbench run` does by
default. Prints one JSON line: {"seconds", "peer_name", "cells"}.
"""

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402
from sklearn.metrics import average_precision_score, roc_auc_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neighbors import LocalOutlierFactor  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import OneClassSVM  # noqa: E402

DETECTORS = [
    lambda: IsolationForest(n_estimators=100, random_state=0),
    lambda: LocalOutlierFactor(n_neighbors=20, novelty=True),
    lambda: OneClassSVM(gamma="scale", nu=0.1),
]


def run(sets):
    cells = 0
    for path in sets:
        z = np.load(path)
        x, y = np.asarray(z["X"], dtype=np.float64), np.asarray(z["y"]).ravel().astype(int)
        xtr, xte, _, yte = train_test_split(x, y, test_size=0.3, random_state=0)
        xte = StandardScaler().fit(xtr).transform(xte)
        for make in DETECTORS:
            s = make().fit(xte).score_samples(xte)
            roc_auc_score(yte, -s)
            average_precision_score(yte, -s)
            cells += 1
    return cells


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    sets = a.sets.split(",")
    best, cells = float("inf"), 0
    for _ in range(a.repeat):
        t = time.perf_counter()
        cells = run(sets)
        best = min(best, time.perf_counter() - t)
    print(json.dumps({"seconds": best, "peer_name": "scikit-learn %s loop" % sklearn.__version__, "cells": cells}))


if __name__ == "__main__":
    main()
