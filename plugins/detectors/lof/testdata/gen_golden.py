#!/usr/bin/python3
"""Golden files for package lof (Local Outlier Factor), from scikit-learn 1.2.1.

Run from the repository root with Debian's interpreter (it has scikit-learn 1.2.1 and numpy):

    /usr/bin/python3 plugins/detectors/lof/testdata/gen_golden.py

It rewrites plugins/detectors/lof/testdata/golden_<case>.json.gz. The output is deterministic:
fixed numpy seeds, fixed ADBench rows, gzip with mtime 0. The ADBench sets are read from
data/adbench (bundled; relative to the repository root; X is stored column-major in
the .npz, numpy's loader handles that) and only the rows a test needs are copied into the golden
file.

Each case holds the training matrix, held-out query points, the LocalOutlierFactor options
(novelty=True, everything else at its default unless listed), and what sklearn computed:

    nof         negative_outlier_factor_ of the training points (fit excludes each point itself)
    score       score_samples(query)  (= -LOF of new points; the query is not in the neighbourhoods)
    kdist, lrd  _distances_fit_X_[:, -1] and _lrd of the training points
    k           n_neighbors_ (n_neighbors clamped to n_samples - 1)
    method      _fit_method chosen by algorithm="auto" ("kd_tree" or "brute")
    warned      whether fit() emitted sklearn's "n_neighbors ... greater than" warning
    tree_idx    KDTree.get_arrays()[1] (the tree's point order; kd_tree cases only)
    train_nbrs  kneighbors() indices of the training points (kd_tree cases only)
    query_nbrs  kneighbors(query, n_neighbors_) indices (kd_tree cases only)

Floats are written with repr(), which round-trips float64 exactly.
"""
import gzip
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.neighbors import LocalOutlierFactor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
ADBENCH = os.path.join(ROOT, "data", "adbench")


def mixture2d(rng, n, comps=10, radius=3.0, scale=0.5):
    """2-D Gaussian mixture: `comps` components on a circle, with unequal spreads and weights."""
    w = np.linspace(1.0, 2.0, comps)
    w /= w.sum()
    lab = rng.choice(comps, size=n, p=w)
    ang = 2 * np.pi * lab / comps
    centers = np.stack([radius * np.cos(ang), radius * np.sin(ang)], axis=1)
    spread = scale * (0.5 + lab / comps)[:, None]
    return centers + spread * rng.normal(size=(n, 2))


def adbench(name, rows):
    z = np.load(os.path.join(ADBENCH, name + ".npz"))
    return np.ascontiguousarray(np.asarray(z["X"], dtype=np.float64)[:rows])


def uniform_box(rng, X, n):
    lo, hi = X.min(axis=0), X.max(axis=0)
    return lo + (hi - lo) * rng.uniform(size=(n, X.shape[1]))


def introselect_killer(n):
    """Values 0..n-1 ordered so that GNU libstdc++'s std::nth_element(first, first + n/2, last)
    exhausts its depth limit (2*floor(log2 n) partitions) and falls back to heap selection, built
    with McIlroy's adversary ("A killer adversary for quicksort", 1999) run against a Python
    rendering of libstdc++'s __introselect. The KDTree's root split then takes that path."""
    gas = n
    val = [gas] * n
    state = {"solid": 0, "cand": None}

    def less(a, b):
        if val[a] == gas and val[b] == gas:
            f = a if a == state["cand"] else b
            val[f] = state["solid"]
            state["solid"] += 1
        if val[a] == gas:
            state["cand"] = a
        elif val[b] == gas:
            state["cand"] = b
        return val[a] < val[b] if val[a] != val[b] else a < b

    def swap(v, i, j):
        v[i], v[j] = v[j], v[i]

    def adjust_heap(v, f, hole, ln, x):
        top, child = hole, hole
        while child < (ln - 1) // 2:
            child = 2 * (child + 1)
            if less(v[f + child], v[f + child - 1]):
                child -= 1
            v[f + hole] = v[f + child]
            hole = child
        if ln % 2 == 0 and child == (ln - 2) // 2:
            child = 2 * (child + 1)
            v[f + hole] = v[f + child - 1]
            hole = child - 1
        parent = (hole - 1) // 2
        while hole > top and less(v[f + parent], x):
            v[f + hole] = v[f + parent]
            hole = parent
            parent = (hole - 1) // 2
        v[f + hole] = x

    idx = list(range(n))
    first, last, nth = 0, n, n // 2
    depth = 2 * (n.bit_length() - 1)
    fell_back = False
    while last - first > 3:
        if depth == 0:  # __heap_select(first, nth + 1, last), then swap first and nth
            fell_back = True
            ln = nth + 1 - first
            for parent in range((ln - 2) // 2, -1, -1):
                adjust_heap(idx, first, parent, ln, idx[first + parent])
            for i in range(nth + 1, last):
                if less(idx[i], idx[first]):
                    x = idx[i]
                    idx[i] = idx[first]
                    adjust_heap(idx, first, 0, ln, x)
            swap(idx, first, nth)
            break
        depth -= 1
        mid = first + (last - first) // 2  # __move_median_to_first(first, first+1, mid, last-1)
        a, b, c = first + 1, mid, last - 1
        if less(idx[a], idx[b]):
            t = b if less(idx[b], idx[c]) else (c if less(idx[a], idx[c]) else a)
        else:
            t = a if less(idx[a], idx[c]) else (c if less(idx[b], idx[c]) else b)
        swap(idx, first, t)
        lo, hi = first + 1, last  # __unguarded_partition(first + 1, last, first)
        while True:
            while less(idx[lo], idx[first]):
                lo += 1
            hi -= 1
            while less(idx[first], idx[hi]):
                hi -= 1
            if not lo < hi:
                break
            swap(idx, lo, hi)
            lo += 1
        if lo <= nth:
            first = lo
        else:
            last = lo
    assert fell_back, "adversary did not reach the heap-select fallback"
    rest = [i for i in range(n) if val[i] == gas]
    for j, i in enumerate(rest):
        val[i] = state["solid"] + j
    return np.array(val, dtype=np.float64)


def cases():
    out = []

    rng = np.random.default_rng(20000)
    X = mixture2d(rng, 2000)
    Q = np.vstack([mixture2d(rng, 300), uniform_box(rng, X, 150), X[:50]])
    out.append(("mixture2d", X, Q, {}))
    out.append(("mixture2d_k5_leaf8", X[:800], Q, {"n_neighbors": 5, "leaf_size": 8}))
    out.append(("mixture2d_k35", X[:1200], Q, {"n_neighbors": 35}))

    # Duplicated points: pairs, 5-fold copies, one point copied 30 times (more copies than
    # n_neighbors + 1, where sklearn's 1e-10 keeps the LRD finite), plus integer grid points
    # (many equal distances between distinct points: tie-breaking decides the neighbour sets).
    rng = np.random.default_rng(20001)
    base = mixture2d(rng, 500)
    grid = np.array([[i, j] for i in range(-3, 4) for j in range(-3, 4)], dtype=float)
    X = np.vstack([base, base[:60], base[60:70], base[60:70], base[60:70], base[60:70],
                   np.repeat(base[70:71], 30, axis=0), grid, grid[::3], np.repeat(grid[:1], 22, axis=0)])
    X = X[rng.permutation(len(X))]
    Q = np.vstack([mixture2d(rng, 100), base[:5], base[60:62], base[70:71], grid[:10],
                   grid[:5] + 0.5, uniform_box(rng, X, 50)])
    out.append(("duplicates2d", X, Q, {}))

    rng = np.random.default_rng(20002)
    cov = np.diag([1.0, 2.0, 0.5, 1.5, 0.1, 3.0])
    X = np.vstack([rng.multivariate_normal(np.zeros(6), cov, size=1000),
                   rng.multivariate_normal(np.full(6, 4.0), cov / 4, size=500)])
    Q = np.vstack([rng.multivariate_normal(np.zeros(6), cov, size=200), uniform_box(rng, X, 100)])
    out.append(("gauss6d", X, Q, {}))

    # Constant features: one constant column, and a fully constant data set.
    rng = np.random.default_rng(20003)
    X = np.hstack([rng.normal(size=(300, 2)), np.full((300, 1), 7.0)])
    Q = np.hstack([rng.normal(size=(50, 2)), np.full((50, 1), 7.0)])
    Q[:5, 2] = 8.0
    out.append(("constcol", X, Q, {}))
    out.append(("allconst", np.full((60, 2), 1.5), np.array([[1.5, 1.5], [2.5, 1.5], [0.0, 0.0]]), {}))

    # Fewer points than n_neighbors (sklearn clamps to n - 1, warning only when n_neighbors > n),
    # n == n_neighbors (clamped, no warning), and the smallest valid set n = 2.
    rng = np.random.default_rng(20004)
    out.append(("small10", rng.normal(size=(10, 2)), rng.normal(size=(7, 2)), {}))
    out.append(("small20", rng.normal(size=(20, 3)), rng.normal(size=(7, 3)), {}))
    out.append(("small2", rng.normal(size=(2, 2)), rng.normal(size=(3, 2)), {}))

    # 1-D integers 0..999 in an order that drives the tree's root split into libstdc++'s
    # heap-select fallback; equally spaced points also make every neighbourhood a tie.
    X = introselect_killer(1000).reshape(-1, 1)
    Q = np.array([[-3.0], [0.0], [0.5], [10.25], [499.5], [500.0], [998.0], [1000.0], [1200.0]])
    out.append(("introselect_killer1d", X, Q, {"leaf_size": 100}))

    # ADBench (first <= 1000 rows; fit on 75 %, score the rest and the first 20 training rows).
    for name, rows, opts in [("4_breastw", 683, {}), ("38_thyroid", 1000, {}), ("6_cardio", 1000, {})]:
        A = adbench(name, rows)
        m = int(0.75 * len(A))
        out.append(("adbench_" + name.split("_", 1)[1].lower(), A[:m], np.vstack([A[m:], A[:20]]), opts))
    A = adbench("4_breastw", 683)
    m = int(0.75 * len(A))
    out.append(("adbench_breastw_leaf5", A[:m], np.vstack([A[m:], A[:20]]), {"leaf_size": 5}))
    return out


def flist(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def main():
    if sklearn.__version__ != "1.2.1":
        sys.exit("need scikit-learn 1.2.1, have %s (use /usr/bin/python3)" % sklearn.__version__)
    for name, X, Q, opts in cases():
        X = np.ascontiguousarray(X, dtype=np.float64)
        Q = np.ascontiguousarray(Q, dtype=np.float64)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lof = LocalOutlierFactor(novelty=True, **opts).fit(X)
        warned = any("greater than the total number of samples" in str(x.message) for x in w)
        score = lof.score_samples(Q)
        rec = {
            "name": name,
            "sklearn": sklearn.__version__,
            "n_neighbors": int(opts.get("n_neighbors", 20)),
            "leaf_size": int(opts.get("leaf_size", 30)),
            "n": int(X.shape[0]), "d": int(X.shape[1]), "nq": int(Q.shape[0]),
            "x": flist(X), "q": flist(Q),
            "k": int(lof.n_neighbors_), "method": lof._fit_method, "warned": bool(warned),
            "nof": flist(lof.negative_outlier_factor_), "score": flist(score),
            "kdist": flist(lof._distances_fit_X_[:, -1]), "lrd": flist(lof._lrd),
        }
        if lof._fit_method == "kd_tree":
            rec["tree_idx"] = [int(v) for v in lof._tree.get_arrays()[1]]
            rec["train_nbrs"] = [int(v) for v in lof.kneighbors()[1].ravel()]
            rec["query_nbrs"] = [int(v) for v in lof.kneighbors(Q, n_neighbors=lof.n_neighbors_)[1].ravel()]
        path = os.path.join(HERE, "golden_%s.json.gz" % name)
        raw = json.dumps(rec, separators=(",", ":")).encode()
        with open(path, "wb") as f:
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as g:
                g.write(raw)
        print("%-24s n=%5d d=%2d nq=%4d k=%2d %-7s %7d bytes" % (
            name, X.shape[0], X.shape[1], Q.shape[0], lof.n_neighbors_, lof._fit_method, os.path.getsize(path)))


if __name__ == "__main__":
    main()
