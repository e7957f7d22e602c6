"""Reference numbers for metrics_test.go, computed with scikit-learn 1.2 and scipy.

Run: /usr/bin/python3 golden.py
"""
import numpy as np
from scipy.stats import ks_2samp
from sklearn.calibration import calibration_curve
from sklearn.metrics import (accuracy_score, average_precision_score, brier_score_loss,
                             confusion_matrix, f1_score, log_loss, precision_recall_curve,
                             precision_score, recall_score, roc_auc_score, roc_curve)

labels = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1], dtype=float)
scores = np.array([0.1, 0.9, 0.8, 0.35, 0.35, 0.2, 0.7, 0.6, 0.6, 0.6,
                   0.05, 0.45, 0.45, 0.99, 0.3, 0.3, 0.3, 0.8, 0.55, 0.1])
weights = np.array([1, 2, 0.5, 1, 1, 3, 1, 0.25, 1, 2, 1, 1, 1, 0.5, 2, 1, 1, 1, 1.5, 1])
margins = np.array([-2.5, 0.0, -0.0, 1.25, 3.0, -1.0, 1.25, 0.5, -2.5, 4.0, -0.75, 0.5])
mlabels = np.array([0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0], dtype=float)
extreme = np.array([0.0, 1.0, 1.0, 0.0, 1e-20, 0.5, 0.999999, 0.25])
elabels = np.array([0, 1, 0, 1, 0, 1, 1, 0], dtype=float)


def show(name, v):
    if np.ndim(v) == 0:
        print(f"{name} = {float(v)!r}")
    else:
        print(f"{name} = {{{', '.join(repr(float(x)) for x in v)}}}")


def ks_weighted(y, s, w):
    fpr, tpr, _ = roc_curve(y, s, sample_weight=w, drop_intermediate=False)
    return np.max(np.abs(tpr - fpr))


for tag, y, s, w in [("unweighted", labels, scores, None), ("weighted", labels, scores, weights),
                     ("margins", mlabels, margins, None)]:
    print(f"# {tag}")
    show("auc", roc_auc_score(y, s, sample_weight=w))
    show("ap", average_precision_score(y, s, sample_weight=w))
    show("ks", ks_2samp(s[y == 1], s[y == 0]).statistic if w is None else ks_weighted(y, s, w))
    fpr, tpr, thr = roc_curve(y, s, sample_weight=w, drop_intermediate=False)
    show("roc.thr", thr[1:])
    show("roc.fpr", fpr)
    show("roc.tpr", tpr)
    p, r, thr = precision_recall_curve(y, s, sample_weight=w)
    show("pr.thr (ascending)", thr)
    show("pr.precision", p)
    show("pr.recall", r)

print("# probabilities")
show("brier", brier_score_loss(labels, scores))
show("brier weighted", brier_score_loss(labels, scores, sample_weight=weights))
show("logloss", log_loss(labels, scores))
show("logloss weighted", log_loss(labels, scores, sample_weight=weights))
show("logloss extreme", log_loss(elabels, extreme))
for bins in (10, 5):
    pt, pp = calibration_curve(labels, scores, n_bins=bins, strategy="uniform")
    edges = np.linspace(0, 1, bins + 1)
    ids = np.searchsorted(edges[1:-1], scores)
    counts = np.bincount(ids, minlength=bins)
    counts = counts[counts > 0]
    show(f"reliability{bins}.prob_true", pt)
    show(f"reliability{bins}.prob_pred", pp)
    show(f"reliability{bins}.count", counts)
    show(f"ece{bins}", np.sum(counts * np.abs(pt - pp)) / len(scores))

print("# confusion at 0.5")
pred = (scores >= 0.5).astype(float)
print("tn fp fn tp =", confusion_matrix(labels, pred).ravel())
show("precision", precision_score(labels, pred))
show("recall", recall_score(labels, pred))
show("f1", f1_score(labels, pred))
show("accuracy", accuracy_score(labels, pred))

print("# psi (no library function; the formula of psi.go)")
exp = np.array([120.0, 300.0, 380.0, 150.0, 50.0, 0.0])
act = np.array([100.0, 250.0, 400.0, 200.0, 45.0, 5.0])
e = np.maximum(exp / exp.sum(), 1e-4)
a = np.maximum(act / act.sum(), 1e-4)
show("psi", np.sum((a - e) * np.log(a / e)))
