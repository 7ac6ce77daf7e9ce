#!/usr/bin/python3
"""Golden scores of scikit-learn's IsolationForest for the iforest package tests.

Run from the repository root (deterministic; takes about three minutes):

    /usr/bin/python3 plugins/detectors/iforest/testdata/gen_golden.py

Needs Debian's /usr/bin/python3 with scikit-learn 1.2.1 and numpy, and the ADBench
file data/adbench/38_thyroid.npz (bundled, relative to the repository root;
override with --adbench DIR).

For each data set it writes testdata/golden_<name>.json.gz with
    x, n, d                 the fitted points (row-major), as float64
    scores                  IsolationForest(...).fit(x).score_samples(x)
    heldout_x, heldout_n    other points (uniform in the data's box, and fresh
                            draws), heldout_scores their score_samples under the
                            same fitted forest
    n_estimators, max_samples, max_features, bootstrap, random_state, sklearn_version
For the per-group set also groups / heldout_groups: the scores come from one
IsolationForest per group id, fitted on that group's rows (the per-cluster IF of docs/method.md).

The reference forests have REF_TREES = 5000 trees. Isolation forests of 100 trees
disagree with each other (two scikit-learn seeds: Spearman about 0.93-0.96 on these
sets), so a rank-correlation test of an independent implementation is only
meaningful near the many-tree limit, where the score converges to a deterministic
function of the data. The Go test fits many trees too.

All values are rounded to float32 before they are written: scikit-learn casts X to
float32 internally, so both sides then see exactly the same points.
"""
import argparse
import gzip
import json
import os
import zipfile

import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest

REF_TREES = 5000
SEED = 0
HERE = os.path.dirname(os.path.abspath(__file__))


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def box_uniform(rng, x, m):
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = 0.1 * (hi - lo)
    return rng.uniform(lo - pad, hi + pad, size=(m, x.shape[1]))


def mixture2d(rng, n):
    centres = np.array([[0.0, 0.0], [4.0, 4.0], [-3.0, 5.0]])
    scales = np.array([[1.0, 0.6], [0.7, 0.7], [0.5, 1.2]])
    k = rng.choice(3, size=n, p=[0.55, 0.32, 0.13])
    return centres[k] + rng.normal(size=(n, 2)) * scales[k], k


def read_npz_rows(path, rows):
    """X of an ADBench npz (stored column-major), first `rows` rows."""
    with zipfile.ZipFile(path) as z, z.open("X.npy") as fh:
        x = np.lib.format.read_array(fh)
    return np.asarray(x[:rows], dtype=np.float64)


def datasets(rng, adbench):
    out = []
    # 2-D Gaussian mixture with uniform outliers.
    x, _ = mixture2d(rng, 1900)
    x = np.vstack([x, rng.uniform(-8, 9, size=(100, 2))])
    held = np.vstack([box_uniform(rng, x, 300), mixture2d(rng, 200)[0]])
    out.append(("mix2d", x, held, {}))

    # 2-D set with many duplicated points: 1200 points on 40 grid locations.
    grid = rng.integers(-6, 7, size=(40, 2)) * 0.5
    dup = grid[rng.integers(0, 40, size=1200)]
    x = np.vstack([dup, rng.normal(size=(800, 2)) * 2.0])
    held = np.vstack([box_uniform(rng, x, 200), grid[:20], rng.normal(size=(100, 2)) * 2.0])
    out.append(("dups2d", x, held, {}))

    # 6-D: two correlated Gaussian clusters and scattered outliers.
    a = rng.normal(size=(6, 6)) * 0.5
    c1 = rng.normal(size=(900, 6)) @ a + 2.0
    c2 = rng.normal(size=(550, 6)) * np.array([0.3, 1, 2, 0.5, 1, 0.2]) - 1.0
    x = np.vstack([c1, c2, rng.uniform(-6, 6, size=(50, 6))])
    held = np.vstack([box_uniform(rng, x, 300), rng.normal(size=(100, 6)) @ a + 2.0])
    out.append(("mix6d", x, held, {}))

    # The same 6-D set with the other options.
    out.append(("mix6d_opts", x, held, {"max_samples": 100, "max_features": 0.5, "bootstrap": True}))

    # Real data: ADBench thyroid (ODDS), 6 features; fit on the first 1000 rows,
    # hold out the next 300.
    t = read_npz_rows(os.path.join(adbench, "38_thyroid.npz"), 1300)
    out.append(("thyroid", t[:1000], t[1000:1300], {}))
    return out


def write(name, obj):
    path = os.path.join(HERE, "golden_%s.json.gz" % name)
    raw = json.dumps(obj, separators=(",", ":")).encode()
    with open(path, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(raw)
    print("%-12s n=%5d d=%d heldout=%4d  %7d bytes" % (
        name, obj["n"], obj["d"], obj["heldout_n"], os.path.getsize(path)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--adbench", default="data/adbench")
    args = ap.parse_args()
    rng = np.random.default_rng(20240601)

    for name, x, held, kw in datasets(rng, args.adbench):
        x, held = f32(x), f32(held)
        params = dict(n_estimators=REF_TREES, max_samples="auto", max_features=1.0, bootstrap=False)
        params.update(kw)
        est = IsolationForest(random_state=SEED, **params).fit(x)
        write(name, {
            "name": name, "n": len(x), "d": x.shape[1],
            "x": x.ravel().tolist(), "scores": est.score_samples(x).tolist(),
            "heldout_n": len(held), "heldout_x": held.ravel().tolist(),
            "heldout_scores": est.score_samples(held).tolist(),
            "n_estimators": REF_TREES, "max_samples": params["max_samples"],
            "max_features": params["max_features"], "bootstrap": params["bootstrap"],
            "random_state": SEED, "sklearn_version": sklearn.__version__,
        })

    # Per-group forests: a 2-D mixture, each group one component; the smallest
    # group has fewer than 256 points, so its ψ is its size.
    x, k = mixture2d(rng, 1500)
    x = f32(x)
    hx, hk = mixture2d(rng, 300)
    hx = f32(np.vstack([hx, box_uniform(rng, x, 150)]))
    hk = np.concatenate([hk, rng.integers(0, 3, size=150)])
    ids = np.array([7, -2, 30])  # arbitrary ids, not 0..G-1
    g, hg = ids[k], ids[hk]
    scores, hscores = np.zeros(len(x)), np.zeros(len(hx))
    for gid in ids:
        est = IsolationForest(n_estimators=REF_TREES, random_state=SEED).fit(x[g == gid])
        scores[g == gid] = est.score_samples(x[g == gid])
        hscores[hg == gid] = est.score_samples(hx[hg == gid])
    write("groups2d", {
        "name": "groups2d", "n": len(x), "d": 2,
        "x": x.ravel().tolist(), "scores": scores.tolist(), "groups": g.tolist(),
        "heldout_n": len(hx), "heldout_x": hx.ravel().tolist(),
        "heldout_scores": hscores.tolist(), "heldout_groups": hg.tolist(),
        "n_estimators": REF_TREES, "max_samples": "auto", "max_features": 1.0,
        "bootstrap": False, "random_state": SEED, "sklearn_version": sklearn.__version__,
    })


if __name__ == "__main__":
    main()
