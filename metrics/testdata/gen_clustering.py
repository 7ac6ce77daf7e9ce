#!/usr/bin/python3
"""Golden files for metrics' clustering code (vmeasure.go, kmeans.go, gmm.go, sweep.go).

Run from the repository root with Debian's Python (scikit-learn 1.2.1):

    /usr/bin/python3 metrics/testdata/gen_clustering.py

Deterministic (fixed numpy RandomState seeds; scikit-learn KMeans runs with
OMP threads but its result does not depend on them; verified by regenerating
byte-identical files). It takes 5-10 minutes on 2 cores and
writes, next to this script:

  clustering_vmeasure.json      homogeneity_completeness_v_measure on label pairs
                                (random, edge cases, beta != 1, empty input).
  clustering_golden.json.gz     per data set (two 2-D Gaussian mixtures of 2000
                                points generated here, and iris / wine read from
                                clustering_iris.csv / clustering_wine.csv, copies
                                of scikit-learn 1.2.1's bundled iris and wine data):
                                  - "kmeans_v"/"gmm_v": V-measure against the true
                                    labels of KMeans(k, n_init=10, random_state=s)
                                    and GaussianMixture(k, random_state=s), for
                                    every k and s = 0..seeds-1 (the Go test compares
                                    means over seeds: a single run of either depends
                                    on the random stream, which Go cannot replay);
                                  - "lloyd": KMeans(k, init=C0, n_init=1) from the
                                    k-means++ centres C0 = kmeans_plusplus(X, k,
                                    random_state=s): labels, inertia, n_iter, centres
                                    (Lloyd iterations must match exactly);
                                  - "em": GaussianMixture(k, random_state=s): the
                                    k-means labels its initialisation used (recomputed
                                    exactly as BaseMixture._initialize_parameters does,
                                    and checked against max_iter=0 means), then
                                    lower_bound_, n_iter_, converged_, weights_,
                                    means_ and predict(X).
  clustering_bench10k.f64       10000x2 raw little-endian float64 mixture (10
                                components) for BenchmarkSweep* and the peers
                                bench/peers/kmeans_sweep.py and gmm_sweep.py;
  clustering_bench10k.i64       its 10000 component labels, little-endian int64.
"""

import gzip
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import homogeneity_completeness_v_measure, v_measure_score
from sklearn.mixture import GaussianMixture
from sklearn.utils import check_random_state

HERE = os.path.dirname(os.path.abspath(__file__))
warnings.simplefilter("ignore", ConvergenceWarning)


def mixture(ncomp, n, seed):
    """A 2-D Gaussian mixture: means uniform in [-10, 10]^2, covariances A A^T
    with A ~ 0.8 N(0, 1), weights ~ Dirichlet(5)."""
    rng = np.random.RandomState(seed)
    means = rng.uniform(-10, 10, size=(ncomp, 2))
    weights = rng.dirichlet(np.full(ncomp, 5.0))
    y = rng.choice(ncomp, size=n, p=weights)
    a = rng.normal(size=(ncomp, 2, 2)) * 0.8
    x = means[y] + np.einsum("nij,nj->ni", a[y], rng.normal(size=(n, 2)))
    return x, y


def read_csv(name):
    d = np.loadtxt(os.path.join(HERE, name), delimiter=",", skiprows=1)
    return d[:, :-1].copy(), d[:, -1].astype(int)


def vmeasure_cases():
    rng = np.random.RandomState(7)
    cases = []

    def add(name, t, p, beta=1.0):
        t = [int(v) for v in t]
        p = [int(v) for v in p]
        h, c, v = homogeneity_completeness_v_measure(t, p, beta=beta)
        cases.append({"name": name, "true": t, "pred": p, "beta": beta,
                      "h": float(h), "c": float(c), "v": float(v)})

    add("empty", [], [])
    add("one point", [3], [-1])
    add("single class", [0] * 6, [0, 1, 1, 2, 2, 2])
    add("single cluster", [0, 0, 1, 1, 2, 2], [5] * 6)
    add("single class and cluster", [4] * 5, [9] * 5)
    add("all distinct", list(range(10)), list(range(10, 0, -1)))
    add("all distinct pred", [0, 0, 1, 1, 1, 2, 2, 2, 2, 2], list(range(10)))
    add("permuted perfect", [0, 0, 1, 1, 2, 2], [7, 7, -3, -3, 100, 100])
    add("independent", [0, 0, 1, 1], [0, 1, 0, 1])
    add("sklearn doc", [0, 0, 1, 1], [0, 0, 1, 2])
    add("sklearn doc beta", [0, 0, 1, 1], [0, 0, 1, 2], beta=0.5)
    add("large label values", [-(2**40), 2**40, 2**40, 7, 7, -(2**40)],
        [2**50, -5, -5, 2**50, 3, 3])
    for i, (n, nc, nk) in enumerate([(50, 3, 4), (300, 10, 7), (1000, 5, 20),
                                     (2000, 10, 10), (500, 2, 50)]):
        t = rng.randint(nc, size=n) - nc // 2
        # Correlated predictions: keep the class for half the points.
        p = np.where(rng.uniform(size=n) < 0.5, t * 3 + 1, rng.randint(nk, size=n))
        for beta in (1.0, 0.5, 2.0):
            add("random %d beta %g" % (i, beta), t, p, beta)
    return cases


def kmeans_v(x, y, ks, seeds):
    return [[float(v_measure_score(y, KMeans(k, n_init=10, random_state=s).fit_predict(x)))
             for s in range(seeds)] for k in ks]


def gmm_v(x, y, ks, seeds):
    return [[float(v_measure_score(y, GaussianMixture(k, random_state=s).fit(x).predict(x)))
             for s in range(seeds)] for k in ks]


def lloyd_cases(x, ks, seed):
    out = []
    for k in ks:
        c0, _ = kmeans_plusplus(x, k, random_state=seed)
        km = KMeans(k, init=c0, n_init=1).fit(x)
        out.append({"k": k, "init": c0.ravel().tolist(), "labels": km.labels_.tolist(),
                    "inertia": float(km.inertia_), "n_iter": int(km.n_iter_),
                    "centers": km.cluster_centers_.ravel().tolist()})
    return out


def relocation_cases(x, y):
    """Lloyd from initial centres that leave clusters empty (duplicated and
    far-away centres), exercising _relocate_empty_clusters_dense."""
    out = []
    base = np.stack([x[y == j].mean(0) for j in range(3)])
    inits = [np.vstack([base, base[:1]]),                      # duplicate: cluster 3 empty
             np.vstack([base, [[1e3, 1e3]], [[-1e3, 2e3]]]),   # two far-away centres
             np.vstack([base[:1]] * 3)]                        # three identical centres
    for c0 in inits:
        k = c0.shape[0]
        km = KMeans(k, init=c0, n_init=1).fit(x)
        out.append({"k": k, "init": c0.ravel().tolist(), "labels": km.labels_.tolist(),
                    "inertia": float(km.inertia_), "n_iter": int(km.n_iter_),
                    "centers": km.cluster_centers_.ravel().tolist()})
    return out


def em_cases(x, ks, seed):
    out = []
    for k in ks:
        # Exactly BaseMixture._initialize_parameters with init_params="kmeans".
        init = KMeans(n_clusters=k, n_init=1, random_state=check_random_state(seed)).fit(x).labels_
        g0 = GaussianMixture(k, random_state=seed, max_iter=0).fit(x)
        nk = np.bincount(init, minlength=k) + 10 * np.finfo(float).eps
        means0 = np.stack([x[init == j].sum(0) for j in range(k)]) / nk[:, None]
        assert np.allclose(g0.means_, means0, rtol=1e-12, atol=1e-12), "init labels mismatch"
        g = GaussianMixture(k, random_state=seed).fit(x)
        out.append({"k": k, "init_labels": init.tolist(), "lower_bound": float(g.lower_bound_),
                    "n_iter": int(g.n_iter_), "converged": bool(g.converged_),
                    "weights": g.weights_.tolist(), "means": g.means_.ravel().tolist(),
                    "labels": g.predict(x).tolist()})
    return out


def dataset(name, x, y, ks, seeds_km, seeds_gmm, lloyd_ks, em_ks, csv=None):
    print(name, flush=True)
    d = {"name": name, "n": int(x.shape[0]), "d": int(x.shape[1]), "ks": list(ks),
         "truth": y.tolist(),
         "kmeans_v": kmeans_v(x, y, ks, seeds_km),
         "gmm_v": gmm_v(x, y, ks, seeds_gmm),
         "lloyd": lloyd_cases(x, lloyd_ks, 0) + (relocation_cases(x, y) if x.shape[1] == 2 else []),
         "em": em_cases(x, em_ks, 0)}
    if csv is None:
        d["x"] = x.ravel().tolist()
    else:
        d["csv"] = csv
    return d


def main():
    with open(os.path.join(HERE, "clustering_vmeasure.json"), "w") as f:
        json.dump({"sklearn": sklearn.__version__, "cases": vmeasure_cases()}, f)

    sets = []
    ks = list(range(2, 13))
    for ncomp, seed in ((5, 5), (10, 10)):
        x, y = mixture(ncomp, 2000, seed)
        sets.append(dataset("mixture%d" % ncomp, x, y, ks, 10, 40, [3, 5, 8, 12], [2, 5, 8, 12]))
    ks = list(range(2, 9))
    x, y = read_csv("clustering_iris.csv")
    sets.append(dataset("iris", x, y, ks, 20, 200, [2, 3, 5, 8], [2, 3, 5], csv="clustering_iris.csv"))
    x, y = read_csv("clustering_wine.csv")
    sets.append(dataset("wine", x, y, ks, 20, 200, [2, 3, 5, 8], [2, 3, 4], csv="clustering_wine.csv"))
    with gzip.GzipFile(os.path.join(HERE, "clustering_golden.json.gz"), "wb", mtime=0) as f:
        f.write(json.dumps({"sklearn": sklearn.__version__, "sets": sets}).encode())

    x, y = mixture(10, 10000, 2019)
    x.astype("<f8").tofile(os.path.join(HERE, "clustering_bench10k.f64"))
    y.astype("<i8").tofile(os.path.join(HERE, "clustering_bench10k.i64"))


if __name__ == "__main__":
    main()
