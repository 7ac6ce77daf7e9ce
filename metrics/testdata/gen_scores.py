#!/usr/bin/python3
"""Golden files for the score-based metrics of latentbench (package metrics).

Run from anywhere (deterministic, ~10 s, Debian's interpreter with numpy 1.24
and scikit-learn 1.2.1):

    /usr/bin/python3 metrics/testdata/gen_scores.py

It writes, next to itself:

  scores_grids.json       numpy.arange t and alpha grids (docs/method.md, "EM and MV")
  scores_emmv.json.gz     EM / MV curves, amax and AUCs of the Python rendering
                          of Goix's em()/mv() below on fixed score vectors
  scores_ranking.json     sklearn roc_auc_score(y, -s), average_precision_score(y, -s)
  scores_classdist.json   numpy rendering of the class-distribution rule

Goix's own code (ngoix/EMMV_benchmarks, em.py, functions em() and mv(),
Goix 2016, "How to evaluate the quality of unsupervised anomaly detection
algorithms?") could not be obtained, so em() and mv() below re-implement the
algorithm as Goix published it (docs/method.md, "EM and MV"); the goldens come
from this re-implementation, not from Goix's code: np.zeros start with EM_t[0] = 1, strict
`>` in EM, `>=` in MV, the amax rule (first level with EM <= t_max, plus one;
-1 if there is none) and sklearn.metrics.auc (trapezoid) for both AUCs. They are
also the peer of the Go implementation in bench/peers/emmv.py, which imports
this file.

Long score vectors are not stored: both sides rebuild them from a small
specification with the SplitMix64 generator (see `gen`), using only IEEE
additions, multiplications, divisions and floor, so Python and Go get the same
bits.
"""

import gzip
import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MASK = (1 << 64) - 1

# --------------------------------------------------------------------------
# Python re-implementation of Goix's em() and mv() as published
# --------------------------------------------------------------------------


def auc(x, y):
    """sklearn.metrics.auc: trapezoid rule, x monotonic."""
    from sklearn.metrics import auc as sk_auc
    return sk_auc(x, y)


def em(t, t_max, volume_support, s_unif, s_X, n_generated):
    EM_t = np.zeros(t.shape[0])
    n_samples = s_X.shape[0]
    s_X_unique = np.unique(s_X)
    EM_t[0] = 1.
    for u in s_X_unique:
        EM_t = np.maximum(EM_t, 1. / n_samples * (s_X > u).sum() -
                          t * (s_unif > u).sum() / n_generated
                          * volume_support)
    amax = np.argmax(EM_t <= t_max) + 1
    if amax == 1:
        # the reference prints "failed to achieve t_max" here
        amax = -1
    AUC = auc(t[:amax], EM_t[:amax])
    return AUC, EM_t, amax


def mv(axis_alpha, volume_support, s_unif, s_X, n_generated):
    n_samples = s_X.shape[0]
    s_X_argsort = s_X.argsort()
    mass = 0
    cpt = 0
    u = s_X[s_X_argsort[-1]]
    mv = np.zeros(axis_alpha.shape[0])
    for i in range(axis_alpha.shape[0]):
        while mass < axis_alpha[i]:
            cpt += 1
            u = s_X[s_X_argsort[-cpt]]
            mass = 1. / n_samples * cpt  # sum(s_X > u)
        mv[i] = float((s_unif >= u).sum()) / n_generated * volume_support
    return auc(axis_alpha, mv), mv


T_MAX = 0.9
ALPHA_MIN = 0.9
ALPHA_MAX = 0.999


def t_grid(volume, step_factor=0.01):
    """The reference's t axis: np.arange(0, 100 / V, step_factor / V)."""
    return np.arange(0, 100 / volume, step_factor / volume)


def alpha_grid(step=0.0001):
    return np.arange(ALPHA_MIN, ALPHA_MAX, step)


def emmv(s_X, s_unif, volume, t_step_factor=0.01, alpha_step=0.0001):
    """Both measures on the default grids, as the reference benchmarks call them."""
    n_generated = s_unif.shape[0]
    t = t_grid(volume, t_step_factor)
    axis_alpha = alpha_grid(alpha_step)
    em_auc, em_curve, amax = em(t, T_MAX, volume, s_unif, s_X, n_generated)
    mv_auc, mv_curve = mv(axis_alpha, volume, s_unif, s_X, n_generated)
    return em_auc, mv_auc, amax, t, axis_alpha, em_curve, mv_curve


# --------------------------------------------------------------------------
# Deterministic score vectors shared with the Go tests
# --------------------------------------------------------------------------


def splitmix64(seed):
    state = seed & MASK
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def unit_stream(seed):
    """Floats (z >> 11) * 2^-53 in [0, 1), exactly representable."""
    for z in splitmix64(seed):
        yield float(z >> 11) * (1.0 / 9007199254740992.0)


def gen(spec):
    """Build a score vector from a spec dict.

    {"values": [...]} is taken as is; otherwise kind is
      uniform: offset + scale*u
      sum3:    offset + scale*((u1 + u2) + u3)
      quant:   offset + scale*(floor(u*levels)/levels)
    with u from unit_stream(seed). "specials": [[i, "nan"|"inf"|"-inf"], ...]
    then overwrite single entries.
    """
    if "values" in spec:
        out = [float(v) for v in spec["values"]]
    else:
        us = unit_stream(spec["seed"])
        kind, n = spec["kind"], spec["n"]
        off, sc = float(spec.get("offset", 0.0)), float(spec.get("scale", 1.0))
        out = []
        for _ in range(n):
            if kind == "uniform":
                v = next(us)
            elif kind == "sum3":
                a = next(us)
                b = next(us)
                c = next(us)
                v = (a + b) + c
            elif kind == "quant":
                lv = spec["levels"]
                v = math.floor(next(us) * float(lv)) / float(lv)
            else:
                raise ValueError(kind)
            out.append(off + sc * v)
    for i, what in spec.get("specials", []):
        out[i] = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[what]
    return np.array(out, dtype=np.float64)


def gen_labels(spec, n):
    """Boolean labels: explicit {"values": [0/1...]} or u < p from unit_stream(seed)."""
    if "values" in spec:
        return np.array([bool(v) for v in spec["values"]])
    us = unit_stream(spec["seed"])
    return np.array([next(us) < spec["p"] for _ in range(n)])


# --------------------------------------------------------------------------
# Golden files
# --------------------------------------------------------------------------


def sample_idx(length, stride, extra=()):
    idx = set(range(0, length, stride))
    idx.add(length - 1)
    for e in extra:
        if 0 <= e < length:
            idx.add(e)
    return sorted(idx)


def grids():
    vols = [0.3, 1.0, 1e-4, 0.001, 0.0123, 0.37, 2.0, 3.7, 42.0, 1234.5, 1e4, 7.5e-9, 3.3e7]
    # volumes whose t grid has 10001 levels (ceil of the float quotient)
    rng = np.random.default_rng(2016)
    found = []
    while len(found) < 6:
        v = float(10 ** rng.uniform(-6, 6))
        if len(t_grid(v)) == 10001:
            found.append(v)
    vols += found
    out = {"t": [], "alpha": []}
    for v in vols:
        for f in (0.01, 0.001):
            t = t_grid(v, f)
            idx = sample_idx(len(t), 997 if f == 0.01 else 9973, (1, 2, 3))
            out["t"].append({"volume": v, "step_factor": f, "step": f / v, "len": len(t),
                             "idx": idx, "val": [float(t[i]) for i in idx]})
    for step in (0.0001, 0.001, 0.00025, 0.0003):
        a = alpha_grid(step)
        out["alpha"].append({"step": step, "len": len(a), "val": [float(x) for x in a]})
    return out


EMMV_CASES = [
    # name, x spec, u spec, volume, t step factor, alpha step
    ("tiny_explicit_ties",
     {"values": [0.1, 0.5, 0.5, 0.2, 0.9, 0.9, 0.9, 0.3, 0.5, 0.7]},
     {"values": [0.05, 0.1, 0.1, 0.2, 0.25, 0.3, 0.5, 0.5, 0.55, 0.6,
                 0.7, 0.7, 0.8, 0.9, 0.95, 0.0, 0.15, 0.35, 0.45, 0.9]},
     1.0, 0.01, 0.0001),
    ("n10_uniform_V42",
     {"kind": "uniform", "seed": 11, "n": 10},
     {"kind": "uniform", "seed": 12, "n": 100, "offset": -0.2},
     42.0, 0.01, 0.0001),
    ("constant_x",
     {"kind": "quant", "seed": 1, "n": 50, "levels": 1, "offset": 0.42},
     {"kind": "uniform", "seed": 2, "n": 1000},
     2.0, 0.01, 0.0001),
    ("constant_all",
     {"values": [0.0] * 20},
     {"values": [0.0] * 100},
     1.0, 0.01, 0.0001),
    ("separated_no_amax",
     {"kind": "uniform", "seed": 3, "n": 200, "offset": 1.0},
     {"kind": "uniform", "seed": 4, "n": 2000},
     1e-4, 0.01, 0.0001),
    ("nan_inf",
     {"kind": "quant", "seed": 5, "n": 30, "levels": 6,
      "specials": [[3, "nan"], [7, "inf"], [11, "-inf"], [20, "nan"]]},
     {"kind": "quant", "seed": 6, "n": 200, "levels": 9, "offset": -0.3,
      "specials": [[0, "nan"], [5, "inf"], [9, "-inf"], [17, "-inf"]]},
     0.7, 0.01, 0.0001),
    ("n100_quant8_V0.3",
     {"kind": "quant", "seed": 7, "n": 100, "levels": 8},
     {"kind": "quant", "seed": 8, "n": 1000, "levels": 8, "offset": -0.25},
     0.3, 0.01, 0.0001),
    ("n1000_sum3_V1",
     {"kind": "sum3", "seed": 9, "n": 1000, "offset": -0.7, "scale": 0.1},
     {"kind": "sum3", "seed": 10, "n": 10000, "offset": -0.8, "scale": 0.15},
     1.0, 0.01, 0.0001),
    ("n10000_sum3_V0.3_10001levels",
     {"kind": "sum3", "seed": 13, "n": 10000, "offset": -0.65, "scale": 0.08},
     {"kind": "sum3", "seed": 14, "n": 100000, "offset": -0.75, "scale": 0.12},
     0.3, 0.01, 0.0001),
    ("n10000_quant256_V1234.5",
     {"kind": "quant", "seed": 15, "n": 10000, "levels": 256},
     {"kind": "sum3", "seed": 16, "n": 100000, "offset": -0.5, "scale": 0.5},
     1234.5, 0.01, 0.0001),
    ("n3000_uniform_V7.5e-9",
     {"kind": "uniform", "seed": 17, "n": 3000, "offset": -0.3},
     {"kind": "uniform", "seed": 18, "n": 30000, "offset": -0.9},
     7.5e-9, 0.01, 0.0001),
    ("highdim_grids_n2000_V3.7",
     {"kind": "sum3", "seed": 19, "n": 2000, "offset": -0.6, "scale": 0.1},
     {"kind": "sum3", "seed": 20, "n": 20000, "offset": -0.7, "scale": 0.13},
     3.7, 0.001, 0.001),
]


def emmv_cases():
    out = []
    for name, xs, us, vol, tf, astep in EMMV_CASES:
        s_X, s_unif = gen(xs), gen(us)
        em_auc, mv_auc, amax, t, alphas, emc, mvc = emmv(s_X, s_unif, vol, tf, astep)
        amax = int(amax)
        stop = len(t) - 1 if amax == -1 else amax
        ei = sample_idx(len(t), 37 if len(t) < 20000 else 371,
                        range(stop - 4, stop + 3))
        mi = sample_idx(len(alphas), 7)
        out.append({
            "name": name, "x": xs, "u": us, "volume": vol,
            "t_step": tf / vol, "alpha_step": astep,
            "t_len": len(t), "alpha_len": len(alphas),
            "em_auc": float(em_auc), "mv_auc": float(mv_auc), "amax": amax,
            "em_idx": ei, "em_val": [float(emc[i]) for i in ei],
            "mv_idx": mi, "mv_val": [float(mvc[i]) for i in mi],
        })
    return out


def ranking_cases():
    from sklearn.metrics import average_precision_score, roc_auc_score
    cases = [
        ("two_points", {"values": [0.3, 0.9]}, {"values": [1, 0]}),
        ("two_points_inverted", {"values": [0.3, 0.9]}, {"values": [0, 1]}),
        ("two_points_tied", {"values": [0.5, 0.5]}, {"values": [0, 1]}),
        ("all_tied", {"values": [1.0] * 7}, {"values": [0, 1, 0, 0, 1, 0, 0]}),
        ("small_ties",
         {"values": [0.1, 0.4, 0.35, 0.8, 0.4, 0.1, 0.7, 0.35, 0.2, 0.9]},
         {"values": [1, 0, 1, 0, 1, 0, 0, 0, 1, 0]}),
        ("negative_zero", {"values": [-0.0, 0.0, 1.0, -1.0]}, {"values": [1, 0, 0, 1]}),
        ("uniform_n1000_p0.1", {"kind": "uniform", "seed": 31, "n": 1000}, {"seed": 32, "p": 0.1}),
        ("quant4_n2000_p0.3", {"kind": "quant", "seed": 33, "n": 2000, "levels": 4},
         {"seed": 34, "p": 0.3}),
        ("quant50_n5000_p0.01", {"kind": "quant", "seed": 35, "n": 5000, "levels": 50},
         {"seed": 36, "p": 0.01}),
        ("sum3_n20000_p0.05", {"kind": "sum3", "seed": 37, "n": 20000, "offset": -1.5},
         {"seed": 38, "p": 0.05}),
        ("rare_single_anomaly", {"kind": "uniform", "seed": 39, "n": 300},
         {"values": [1 if i == 17 else 0 for i in range(300)]}),
    ]
    out = []
    for name, sspec, lspec in cases:
        s = gen(sspec)
        y = gen_labels(lspec, len(s))
        out.append({"name": name, "s": sspec, "y": lspec,
                    "roc_auc": float(roc_auc_score(y, -s)),
                    "ap": float(average_precision_score(y, -s))})
    # a correlated case: anomalies get lower normality scores
    s = gen({"kind": "sum3", "seed": 41, "n": 3000})
    y = gen_labels({"seed": 42, "p": 0.08}, len(s))
    out.append({"name": "informative_n3000",
                "s": {"kind": "sum3", "seed": 41, "n": 3000},
                "y": {"seed": 42, "p": 0.08},
                "shift_anomalies": -0.7,
                "roc_auc": float(roc_auc_score(y, -(s + np.where(y, -0.7, 0.0)))),
                "ap": float(average_precision_score(y, -(s + np.where(y, -0.7, 0.0))))})
    return out


def round_half_away(x):
    k = math.floor(x)
    return k + 1 if x - k >= 0.5 else k


def classdist_cases():
    cases = [
        ("quant_n1000_k10_c0.1", {"kind": "quant", "seed": 51, "n": 1000, "levels": 20},
         {"seed": 52, "k": 10}, 0.1),
        ("sum3_n5000_k10_c0.1", {"kind": "sum3", "seed": 53, "n": 5000},
         {"seed": 54, "k": 10}, 0.1),
        ("uniform_n777_k3_c0.05", {"kind": "uniform", "seed": 55, "n": 777},
         {"seed": 56, "k": 3}, 0.05),
        ("quant_n250_k7_c0.3", {"kind": "quant", "seed": 57, "n": 250, "levels": 5},
         {"seed": 58, "k": 7}, 0.3),
    ]
    out = []
    for name, sspec, cspec, c in cases:
        s = gen(sspec)
        n = len(s)
        us = unit_stream(cspec["seed"])
        # class ids 0..k-1 with unequal frequencies (u*u skews towards 0), and
        # a score shift per class so the flagged set is not a random sample
        cls = np.array([int(math.floor((next(us) ** 2) * cspec["k"])) for _ in range(n)])
        s = s + 0.05 * cls
        k = round_half_away(c * n)
        flagged = np.sort(np.argsort(s, kind="stable")[:k])
        classes = np.unique(cls)
        p = np.array([np.mean(cls == cc) for cc in classes])
        q = np.array([np.mean(cls[flagged] == cc) for cc in classes])
        rmse = float(np.sqrt(np.mean((q - p) ** 2)))
        out.append({"name": name, "s": sspec, "class_seed": cspec["seed"], "k": cspec["k"],
                    "class_shift": 0.05, "contamination": c,
                    "flagged": [int(i) for i in flagged],
                    "classes": [int(x) for x in classes],
                    "p": [float(x) for x in p], "q": [float(x) for x in q], "rmse": rmse})
    return out


def dump(name, obj):
    path = os.path.join(HERE, name)
    data = json.dumps(obj, separators=(",", ":"), allow_nan=False).encode()
    if name.endswith(".gz"):
        with open(path, "wb") as f:
            # mtime=0 keeps the file byte-for-byte reproducible
            with gzip.GzipFile(fileobj=f, mode="wb", mtime=0) as g:
                g.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data + b"\n")
    print(name, os.path.getsize(path), "bytes")


def main():
    dump("scores_grids.json", grids())
    dump("scores_emmv.json.gz", {"numpy": np.__version__, "cases": emmv_cases()})
    import sklearn
    dump("scores_ranking.json", {"sklearn": sklearn.__version__, "cases": ranking_cases()})
    dump("scores_classdist.json", {"cases": classdist_cases()})


if __name__ == "__main__":
    main()
