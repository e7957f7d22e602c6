"""Times scikit-learn on the rows BenchmarkFitTaiwan uses: the fit of
StandardScaler + LogisticRegression (C=1, lbfgs) on the Taiwan training
split and predict_proba on its test split. Prints the median of 7 runs.

Run: CREDIT_RISK_DATASETS=... /usr/bin/python3 bench_sklearn.py
"""
import os
import statistics
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

M = 0xFFFFFFFFFFFFFFFF


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & M
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M
    return x ^ (x >> 31)


path = os.path.join(os.environ["CREDIT_RISK_DATASETS"], "uci_credit_card_default_taiwan", "UCI_Credit_Card.csv")
data = np.loadtxt(path, delimiter=",", skiprows=1)
ids, X, y = data[:, 0].astype(np.int64), data[:, 1:-1], data[:, -1]
test = np.array([splitmix64(int(i) ^ 20240601) % 5 == 0 for i in ids])
fit, fit_cpu, pred = [], [], []
for _ in range(7):
    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
    t, c = time.perf_counter(), time.process_time()
    pipe.fit(X[~test], y[~test])
    fit.append(time.perf_counter() - t)
    fit_cpu.append(time.process_time() - c)
    t = time.perf_counter()
    pipe.predict_proba(X[test])
    pred.append(time.perf_counter() - t)
print(f"sklearn fit {statistics.median(fit) * 1e3:.1f} ms (cpu {statistics.median(fit_cpu) * 1e3:.1f} ms), "
      f"predict_proba {statistics.median(pred) * 1e6:.0f} µs "
      f"({int((~test).sum())} train rows, {int(test.sum())} test rows, {pipe[-1].n_iter_[0]} iterations)")
