"""Reference predictions for golden_test.go, computed with scikit-learn 1.2.

A forest of one tree grown on every row (bootstrap=False) and every feature
(max_features=None) is a plain CART tree, so scikit-learn's answer is
deterministic up to ties in the impurity decrease. The features take fewer
than 255 distinct values, so binning loses nothing and the Go forest must
grow the same tree. Each prediction column is predict_proba[:, 1] on the
training rows.

Run: /usr/bin/python3 golden.py > golden.csv
"""
import sys

import numpy as np
from sklearn.ensemble import RandomForestClassifier

rng = np.random.default_rng(11)
n = 400
x0 = np.round(rng.normal(0, 1, size=n), 1)
x1 = rng.integers(0, 10, size=n).astype(float)
x2 = np.round(rng.uniform(0, 1, size=n), 2)
x3 = (rng.random(n) < 0.3).astype(float)
X = np.column_stack([x0, x1, x2, x3])
z = -1.0 + 1.2 * x0 + 0.25 * x1 - 2.0 * x3 + 1.5 * x0 * x2
y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)

configs = [
    ("p_balanced_depth4", dict(max_depth=4, class_weight="balanced")),
    ("p_none_depth3_leaf5", dict(max_depth=3, min_samples_leaf=5)),
]
cols = {}
for name, kw in configs:
    m = RandomForestClassifier(n_estimators=1, bootstrap=False, max_features=None, random_state=0, **kw)
    m.fit(X, y)
    cols[name] = m.predict_proba(X)[:, 1]

w = sys.stdout.write
w("x0,x1,x2,x3,y," + ",".join(cols) + "\n")
for i in range(n):
    w(f"{x0[i]!r},{x1[i]!r},{x2[i]!r},{x3[i]!r},{y[i]}," + ",".join(repr(float(cols[c][i])) for c in cols) + "\n")
