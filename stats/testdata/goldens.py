#!/usr/bin/python3
"""Write goldens.json: SciPy's results for the tests of package stats.

Run with Debian's Python (python3-scipy, python3-numpy):

    /usr/bin/python3 stats/testdata/goldens.py > stats/testdata/goldens.json

Every case draws its data from a seeded generator, rounded so that ties and
zero differences occur. Holm's adjusted p-values are not in SciPy 1.10; they
are computed below from the definition (Holm 1979), as statsmodels'
multipletests(method="holm") does.
"""
import json
import sys
import warnings

import numpy as np
import scipy
from scipy import stats

warnings.simplefilter("ignore")  # SciPy warns on the exact -> approx switch and small n
rng = np.random.default_rng(20061)


def floats(a):
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


def wilcoxon_cases():
    out = []
    corn = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]
    plans = [("corn", np.array(corn, float), None)]
    for n in (3, 5, 6, 9, 12, 20, 30):
        plans.append((f"exact-n{n}", rng.normal(0.3, 1, n), rng.normal(0, 1, n)))
    for n in (7, 11, 25):  # tied |differences|, no zeros: SciPy 1.10 stays exact
        x = rng.integers(-4, 5, n).astype(float)
        x[x == 0] = 1
        plans.append((f"ties-n{n}", x, None))
    for n in (8, 15, 40):  # zero differences: switches to the approximation
        x = np.round(rng.normal(0.5, 1, n), 1)
        y = np.round(rng.normal(0, 1, n), 1)
        y[: n // 4] = x[: n // 4]
        plans.append((f"zeros-n{n}", x, y))
    for n in (60, 120):  # auto -> approx beyond 50
        plans.append((f"large-n{n}", np.round(rng.normal(0.1, 1, n), 1), None))
    for name, x, y in plans:
        for zm in ("wilcox", "pratt", "zsplit"):
            for alt in ("two-sided", "less", "greater"):
                for method in ("auto", "approx", "exact"):
                    for corr in (False, True):
                        d = x if y is None else x - y
                        if method == "exact" and zm != "wilcox":
                            continue
                        if method != "approx" and corr:
                            continue  # the correction applies to the approximation only
                        if np.all(d == 0):
                            continue
                        r = stats.wilcoxon(x, y, zero_method=zm, correction=corr,
                                           alternative=alt, method=method)
                        out.append({
                            "name": name, "x": floats(x), "y": None if y is None else floats(y),
                            "zero_method": zm, "alternative": alt, "method": method,
                            "correction": corr, "statistic": float(r.statistic),
                            "p": float(r.pvalue),
                        })
    return out


def friedman_cases():
    out = []
    for n, k, digits in ((5, 3, 2), (8, 4, 1), (10, 5, 0), (14, 3, 1), (30, 6, 2), (4, 8, 0)):
        data = np.round(rng.normal(0, 1, (n, k)) + np.linspace(0, 1, k), digits)
        chi, p = stats.friedmanchisquare(*data.T)
        ff = (n - 1) * chi / (n * (k - 1) - chi)
        d1, d2 = k - 1, (k - 1) * (n - 1)
        out.append({
            "data": [floats(row) for row in data], "chi2": float(chi), "p": float(p),
            "iman_davenport": float(ff), "iman_davenport_p": float(stats.f.sf(ff, d1, d2)),
            "ranks": [floats(stats.rankdata(row)) for row in data],
        })
    return out


def holm(p):
    p = np.asarray(p, float)
    order = np.argsort(p, kind="stable")
    m = len(p)
    adj = np.minimum(1, (m - np.arange(m)) * p[order])
    adj = np.maximum.accumulate(adj)
    out = np.empty(m)
    out[order] = adj
    return out


def holm_cases():
    out = []
    for m in (1, 2, 5, 10, 28):
        p = rng.uniform(0, 0.2, m) ** 2
        out.append({"p": floats(p), "adjusted": floats(holm(p))})
    p = [0.01, 0.04, 0.03, 0.005, 0.5, 0.04]
    out.append({"p": p, "adjusted": floats(holm(p))})
    return out


def ttest_cases():
    out = []
    for n, m in ((3, 3), (5, 5), (3, 5), (10, 7), (30, 30)):
        x = rng.normal(0.2, 1, n)
        y = rng.normal(0, 2, m)
        for alt in ("two-sided", "less", "greater"):
            w = stats.ttest_ind(x, y, equal_var=False, alternative=alt)
            case = {"x": floats(x), "y": floats(y), "alternative": alt,
                    "welch_t": float(w.statistic), "welch_p": float(w.pvalue)}
            if n == m:
                r = stats.ttest_rel(x, y, alternative=alt)
                case.update(paired_t=float(r.statistic), paired_p=float(r.pvalue))
            out.append(case)
    return out


def rank_cases():
    out = []
    for n, digits in ((1, 0), (6, 0), (12, 1), (40, 0)):
        x = np.round(rng.normal(0, 2, n), digits)
        out.append({"x": floats(x), "ranks": floats(stats.rankdata(x))})
    return out


json.dump({
    "scipy": scipy.__version__, "numpy": np.__version__,
    "rank": rank_cases(), "wilcoxon": wilcoxon_cases(), "friedman": friedman_cases(),
    "holm": holm_cases(), "ttest": ttest_cases(),
}, sys.stdout, separators=(",", ":"))
sys.stdout.write("\n")
