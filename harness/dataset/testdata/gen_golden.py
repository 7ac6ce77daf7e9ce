#!/usr/bin/python3
"""Golden files for harness/dataset tests. Deterministic; no network.

Run from this directory with Debian's Python (numpy 1.24, scikit-learn 1.2.1):

    cd harness/dataset/testdata && /usr/bin/python3 gen_golden.py

It writes
  * tiny_fortran_f8.npz, tiny_c_f4.npz, tiny_u1.npz, tiny_i2.npz: small .npz files in the
    ADBench layout (members X.npy and y.npy; y = 1 for anomaly), X in Fortran (column-major)
    or C order, written with numpy.lib.format.write_array into a zip with fixed timestamps
    (so the bytes do not change from run to run);
  * golden_npz.json: for each of them, the shape, dtype, memory order, X row-major and y as
    numpy reads them;
  * golden_csv.json: the encoding of small.csv (train) and small_test.csv (test) that the Go
    loader must reproduce for the spec
        label = "kind", anomaly_column = "status", normal_values = ["ok"],
        categorical = ["code"], drop = ["id"], scale = standard | minmax | none,
    computed with scikit-learn: per numeric column Pipeline(SimpleImputer(strategy="mean"),
    StandardScaler() / MinMaxScaler()), per categorical column
    Pipeline(SimpleImputer(strategy="constant", fill_value="(missing)"),
    OneHotEncoder(handle_unknown="ignore")), columns in file order.
The CSV fixtures themselves (small.csv, small_test.csv, small.csv.gz) are hand-written and
kept as they are; small.csv.gz is `gzip -9 -n -c small.csv`.
"""
import csv
import io
import json
import zipfile

import numpy as np
from numpy.lib import format as npformat
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler

MISSING = {"", "NA", "?", "NaN"}


def write_npz(path, X, y):
    """An .npz as numpy.savez_compressed writes it, with a fixed timestamp."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, arr in (("X.npy", X), ("y.npy", y)):
            buf = io.BytesIO()
            npformat.write_array(buf, arr, allow_pickle=False)
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, buf.getvalue())


def header_of(path, member):
    with zipfile.ZipFile(path) as z, z.open(member) as f:
        version = npformat.read_magic(f)
        shape, fortran, dtype = npformat._read_array_header(f, version)
    return shape, fortran, dtype.str


def gen_npz():
    rng = np.random.default_rng(20261128)
    cases = {
        "tiny_fortran_f8.npz": (np.asfortranarray(rng.normal(3.0, 2.0, size=(12, 3))), np.int64, True),
        "tiny_c_f4.npz": (np.ascontiguousarray(rng.normal(-1.0, 0.5, size=(10, 4)).astype(np.float32)), np.int32, False),
        "tiny_u1.npz": (np.asfortranarray(rng.integers(0, 256, size=(9, 2)).astype(np.uint8)), np.int64, True),
        "tiny_i2.npz": (np.asfortranarray(rng.integers(-300, 300, size=(8, 3)).astype(np.int16)), np.int32, True),
    }
    golden = {}
    for name, (X, ydt, fortran) in cases.items():
        n = X.shape[0]
        y = np.zeros(n, dtype=ydt)
        y[rng.choice(n, size=max(2, n // 4), replace=False)] = 1
        write_npz(name, X, y)
        shape, fo, descr = header_of(name, "X.npy")
        assert fo == fortran and tuple(shape) == X.shape, (name, fo, shape)
        back = np.load(name)
        assert np.array_equal(back["X"], X) and np.array_equal(back["y"], y)
        golden[name] = {
            "descr": descr,
            "fortran_order": fo,
            "shape": list(X.shape),
            "x": [float(v) for v in np.asarray(X, dtype=np.float64).ravel(order="C")],
            "y": [int(v) for v in y],
        }
    with open("golden_npz.json", "w") as f:
        json.dump(golden, f, indent=1, sort_keys=True)
        f.write("\n")


def isfloat(v):
    try:
        x = float(v)
    except ValueError:
        return False
    return np.isfinite(x)


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def gen_csv():
    header, train_all = read_csv("small.csv")
    _, test_all = read_csv("small_test.csv")
    col = {c: i for i, c in enumerate(header)}
    label, anomaly, normal, categorical, drop = "kind", "status", {"ok"}, {"code"}, {"id"}

    def keep(rows):
        return [r for r in rows if r[col[label]] not in MISSING and r[col[anomaly]] not in MISSING]

    train, test = keep(train_all), keep(test_all)
    missing = {}
    for c in header:
        n = sum(r[col[c]] in MISSING for r in train_all + test_all)
        if n:
            missing[c] = n
    features = [c for c in header if c not in drop and c not in (label, anomaly)]
    numeric = {
        c for c in features
        if c not in categorical and all(r[col[c]] in MISSING or isfloat(r[col[c]]) for r in train_all)
    }
    labels_all = sorted({r[col[label]] for r in train + test})
    out = {}
    for scale in ("standard", "minmax", "none"):
        xs_train, xs_test, columns, blocks, unseen = [], [], [], [], {}
        start = 0
        for c in features:
            if c in numeric:
                def num(rows):
                    return np.array([[np.nan if r[col[c]] in MISSING else float(r[col[c]])] for r in rows])
                steps = [("impute", SimpleImputer(strategy="mean"))]
                if scale == "standard":
                    steps.append(("scale", StandardScaler()))
                elif scale == "minmax":
                    steps.append(("scale", MinMaxScaler()))
                p = Pipeline(steps).fit(num(train))
                xs_train.append(p.transform(num(train)))
                xs_test.append(p.transform(num(test)))
                columns.append(c)
                blocks.append({"name": c, "kind": "numeric", "start": start, "width": 1})
                start += 1
            else:
                def cat(rows):
                    return np.array([[None if r[col[c]] in MISSING else r[col[c]]] for r in rows], dtype=object)
                p = Pipeline([
                    ("impute", SimpleImputer(strategy="constant", fill_value="(missing)", missing_values=None)),
                    ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
                ]).fit(cat(train))
                cats = list(p.named_steps["onehot"].categories_[0])
                xt = p.transform(cat(test))
                xs_train.append(p.transform(cat(train)))
                xs_test.append(xt)
                columns += [f"{c}={v}" for v in cats]
                blocks.append({"name": c, "kind": "categorical", "start": start, "width": len(cats)})
                start += len(cats)
                n_unseen = int((xt.sum(axis=1) == 0).sum())
                if n_unseen:
                    unseen[c] = n_unseen
        out[scale] = {
            "columns": columns,
            "features": blocks,
            "x_train": np.hstack(xs_train).tolist(),
            "x_test": np.hstack(xs_test).tolist(),
        }
    out["classes"] = labels_all
    out["labels_train"] = [labels_all.index(r[col[label]]) for r in train]
    out["labels_test"] = [labels_all.index(r[col[label]]) for r in test]
    out["anomaly_train"] = [r[col[anomaly]] not in normal for r in train]
    out["anomaly_test"] = [r[col[anomaly]] not in normal for r in test]
    out["missing_by_column"] = missing
    out["unseen_by_column"] = unseen
    out["rows"] = len(train_all) + len(test_all)
    out["dropped"] = len(train_all) + len(test_all) - len(train) - len(test)
    out["numeric"] = [c for c in features if c in numeric]
    out["categorical"] = [c for c in features if c not in numeric]
    with open("golden_csv.json", "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    gen_npz()
    gen_csv()
