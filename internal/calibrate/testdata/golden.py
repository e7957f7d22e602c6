"""Reference numbers for calibrate_test.go, computed with scikit-learn 1.2.

Isotonic: IsotonicRegression(out_of_bounds="clip"), as CalibratedClassifierCV
uses it. Platt: sklearn.calibration._sigmoid_calibration (scipy fmin_bfgs,
gtol 1e-5) and, for the tight comparison, the minimum of the same objective
refined from scikit-learn's answer by plain Newton steps (the printed
gradient shows how close it is).

Run: /usr/bin/python3 golden.py
"""
import numpy as np
from scipy.special import expit
from sklearn.calibration import _sigmoid_calibration
from sklearn.isotonic import IsotonicRegression

rng = np.random.default_rng(7)
n = 40
margin = np.round(rng.normal(0, 1.5, size=n), 1)  # ties on purpose
labels = (rng.random(n) < expit(0.8 * margin - 0.5)).astype(float)
weights = np.round(rng.uniform(0.2, 2.0, size=n), 2)
probs = np.round(expit(margin), 2)
queries = np.array([-10, -3.05, -1.23, -0.5, 0.0, 0.37, 0.99, 1.5, 2.25, 10])
pqueries = np.array([0.0, 0.03, 0.15, 0.3333, 0.5, 0.61, 0.8, 0.95, 1.0])


def show(name, v):
    v = np.ravel(v)
    print(f"{name} = {{{', '.join(repr(float(x)) for x in v)}}}")


show("margin", margin)
show("probs", probs)
show("labels", labels)
show("weights", weights)

for tag, s, q, w in [("iso margin", margin, queries, None), ("iso margin weighted", margin, queries, weights),
                     ("iso probs", probs, pqueries, None)]:
    ir = IsotonicRegression(out_of_bounds="clip").fit(s, labels, sample_weight=w)
    print("#", tag)
    show("thresholds", ir.X_thresholds_)
    show("values", ir.y_thresholds_)
    show("queries", q)
    show("predict", ir.predict(q))


def platt_tight(F, y, w, start):
    prior0 = (w[y <= 0]).sum()
    prior1 = (w[y > 0]).sum()
    T = np.where(y > 0, (prior1 + 1) / (prior1 + 2), 1 / (prior0 + 2))

    def grad(ab):
        P = expit(-(ab[0] * F + ab[1]))
        r = (T - P) * w
        return np.array([np.dot(r, F), r.sum()])

    def hess(ab):
        P = expit(-(ab[0] * F + ab[1]))
        h = w * P * (1 - P)
        return np.array([[np.dot(h, F * F), np.dot(h, F)], [np.dot(h, F), h.sum()]])

    ab = np.array(start, dtype=float)
    for _ in range(20):
        ab = ab - np.linalg.solve(hess(ab), grad(ab))
    return ab, grad(ab)


for tag, w in [("platt", None), ("platt weighted", weights)]:
    a, b = _sigmoid_calibration(margin, labels, sample_weight=w)
    (at, bt), g = platt_tight(margin, labels, np.ones(n) if w is None else w, (a, b))
    print("#", tag, "(A, B in scikit-learn's sign convention)")
    show("sklearn A, B", [a, b])
    show("tight A, B", [at, bt])
    show("gradient at tight A, B", g)
    show("queries", queries)
    show("predict tight", expit(-(at * queries + bt)))
