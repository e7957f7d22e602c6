"""Reference numbers for linear_test.go, computed with scikit-learn 1.2.

Writes standardised.csv and missing.csv (inputs plus scikit-learn's
predict_proba in column sklearn_p) and prints the fitted parameters that the
Go test holds. With CREDIT_RISK_DATASETS set it also prints the test AUC on
the UCI Taiwan data for the split of linear_test.go (splitmix64 of the ID).

The reference fits use solver="newton-cholesky" with tol=1e-12, which
reaches the optimum to about 1e-12. The default solver="lbfgs" stops earlier
on scipy's relative function-decrease test (ftol ≈ 2.2e-9) whatever tol is,
so its coefficients differ from the optimum by up to ~1e-5; they are printed
too, for comparison.

Run: /usr/bin/python3 golden.py
"""
import os
import time

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

rng = np.random.default_rng(20240601)


def show(name, v):
    v = np.ravel(v)
    print(f"{name} = {{{', '.join(repr(float(x)) for x in v)}}}")


def write(path, X, y, p):
    with open(path, "w") as f:
        cols = [f"x{j}" for j in range(X.shape[1])]
        f.write(",".join(cols + ["y", "sklearn_p"]) + "\n")
        for row, yi, pi in zip(X, y, p):
            f.write(",".join(["" if np.isnan(v) else repr(float(v)) for v in row]
                             + [repr(float(yi)), repr(float(pi))]) + "\n")


# Fixture 1: already standardised inputs, balanced class weights.
n = 80
X = rng.normal(size=(n, 4)) @ np.array([[1, 0.3, 0, 0], [0, 1, 0.5, 0], [0, 0, 1, 0], [0.2, 0, 0, 1]])
logit = -1.0 + X @ np.array([1.5, -1.0, 0.5, 0.0]) + rng.normal(size=n)
y = (logit > 0).astype(float)
X = (X - X.mean(axis=0)) / X.std(axis=0)
lr = LogisticRegression(C=1.0, class_weight="balanced", solver="newton-cholesky", max_iter=1000,
                        tol=1e-12).fit(X, y)
p = lr.predict_proba(X)[:, 1]
lbfgs = LogisticRegression(C=1.0, class_weight="balanced", max_iter=10000, tol=1e-12).fit(X, y)
write("standardised.csv", X, y, p)
print("# standardised.csv: LogisticRegression(C=1, class_weight='balanced')")
print("positives =", int(y.sum()), "of", n)
show("coef", lr.coef_)
show("intercept", lr.intercept_)
show("lbfgs coef", lbfgs.coef_)
show("lbfgs intercept", lbfgs.intercept_)

# Fixture 2: raw scales, missing values, a constant column, C=0.5.
n = 120
income = rng.lognormal(mean=10.5, sigma=0.5, size=n)
dti = rng.uniform(0, 40, size=n)
age = rng.integers(21, 70, size=n).astype(float)
const = np.full(n, 3.7)
util = rng.uniform(0, 1, size=n)
logit = 0.5 - 0.00002 * income + 0.05 * dti - 0.02 * age + 1.5 * util + rng.normal(size=n)
y = (logit > 0).astype(float)
X = np.column_stack([income, dti, age, const, util])
X[rng.random(n) < 0.2, 1] = np.nan          # dti 20% missing
X[rng.random(n) < 0.06, 4] = np.nan         # util 6% missing
X[np.isnan(X[:, 1]) & (y == 1), 4] = np.nan  # missingness related to the label
pipe = make_pipeline(SimpleImputer(strategy="mean", add_indicator=True), StandardScaler(),
                     LogisticRegression(C=0.5, solver="newton-cholesky", max_iter=1000,
                                        tol=1e-12)).fit(X, y)
p = pipe.predict_proba(X)[:, 1]
write("missing.csv", X, y, p)
imp, sc, lr = pipe.steps[0][1], pipe.steps[1][1], pipe.steps[2][1]
print("# missing.csv: SimpleImputer(mean, add_indicator) + StandardScaler + LogisticRegression(C=0.5)")
print("positives =", int(y.sum()), "of", n, "; indicator features =", imp.indicator_.features_)
show("imputer mean", imp.statistics_)
show("scaler mean", sc.mean_)
show("scaler scale", sc.scale_)
show("coef", lr.coef_)
show("intercept", lr.intercept_)
pipe.set_params(logisticregression__solver="lbfgs", logisticregression__max_iter=10000).fit(X, y)
show("lbfgs coef", pipe.steps[2][1].coef_)
show("lbfgs intercept", pipe.steps[2][1].intercept_)

# UCI Taiwan credit-card default, 80/20 split by splitmix64(ID ^ seed) % 5.
root = os.environ.get("CREDIT_RISK_DATASETS")
if root:
    M = 0xFFFFFFFFFFFFFFFF

    def splitmix64(x):
        x = (x + 0x9E3779B97F4A7C15) & M
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M
        return x ^ (x >> 31)

    path = os.path.join(root, "uci_credit_card_default_taiwan", "UCI_Credit_Card.csv")
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    ids, X, y = data[:, 0].astype(np.int64), data[:, 1:-1], data[:, -1]
    test = np.array([splitmix64(int(i) ^ 20240601) % 5 == 0 for i in ids])
    print("# taiwan: train", (~test).sum(), "test", test.sum())
    for cw in (None, "balanced"):
        t = time.perf_counter()
        pipe = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, class_weight=cw, max_iter=1000))
        pipe.fit(X[~test], y[~test])
        secs = time.perf_counter() - t
        auc = roc_auc_score(y[test], pipe.predict_proba(X[test])[:, 1])
        print(f"class_weight={cw}: test AUC {auc!r} (fit {secs:.3f} s)")
