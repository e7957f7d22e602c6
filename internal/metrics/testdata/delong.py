"""Reference numbers for TestDeLong in delong_test.go.

DeLong, DeLong and Clarke-Pearson (1988), "Comparing the areas under two or
more correlated receiver operating characteristic curves: a nonparametric
approach", Biometrics 44(3):837-845, equations for the structural
components V10, V01 and the covariance matrices S10, S01. Everything is
computed in exact rational arithmetic from the pairwise kernel
psi(x, y) = 1 if x > y, 1/2 if x == y, 0 otherwise (O(m*n), no sorting, no
ranks), so it shares no code or method with delong.go; only the final
square root and erfc are in floating point.

Run: python3 delong.py
"""
from fractions import Fraction as F
import math

cases = {
    "hand": (
        [1, 0, 1, 0, 1, 0, 0],
        [F("0.9"), F("0.7"), F("0.6"), F("0.4"), F("0.4"), F("0.2"), F("0.1")],
        [F("0.8"), F("0.6"), F("0.3"), F("0.3"), F("0.5"), F("0.35"), F("0.1")],
    ),
    "ties": (
        [0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1],
        [F(x) for x in ["0.1", "0.9", "0.8", "0.35", "0.35", "0.2", "0.7", "0.6", "0.6", "0.6",
                        "0.05", "0.45", "0.45", "0.99", "0.3", "0.3", "0.3", "0.8", "0.55", "0.1"]],
        [F(x) for x in ["0.2", "0.7", "0.9", "0.3", "0.3", "0.1", "0.8", "0.5", "0.6", "0.4",
                        "0.1", "0.45", "0.5", "0.6", "0.2", "0.4", "0.25", "0.6", "0.7", "0.3"]],
    ),
}


def psi(x, y):
    return F(1) if x > y else F(1, 2) if x == y else F(0)


def components(labels, s):
    pos = [v for v, l in zip(s, labels) if l == 1]
    neg = [v for v, l in zip(s, labels) if l == 0]
    v10 = [sum(psi(x, y) for y in neg) / len(neg) for x in pos]
    v01 = [sum(psi(x, y) for x in pos) / len(pos) for y in neg]
    return v10, v01


def cov(u, v):
    mu, mv = sum(u) / len(u), sum(v) / len(v)
    return sum((a - mu) * (b - mv) for a, b in zip(u, v)) / (len(u) - 1)


for name, (labels, a, b) in cases.items():
    a10, a01 = components(labels, a)
    b10, b01 = components(labels, b)
    m, n = len(a10), len(a01)
    auc_a, auc_b = sum(a10) / m, sum(b10) / m
    var = ((cov(a10, a10) + cov(b10, b10) - 2 * cov(a10, b10)) / m
           + (cov(a01, a01) + cov(b01, b01) - 2 * cov(a01, b01)) / n)
    diff = auc_a - auc_b
    se = math.sqrt(var)
    z = float(diff) / se
    p = math.erfc(abs(z) / math.sqrt(2))
    print(f"{name}: aucA={auc_a} ({float(auc_a)!r}) aucB={auc_b} ({float(auc_b)!r})")
    print(f"  diff={diff} ({float(diff)!r}) var={var} ({float(var)!r})")
    print(f"  se={se!r} z={z!r} p={p!r}")
    print(f"  ci=({float(diff) - 1.959963984540054 * se!r}, {float(diff) + 1.959963984540054 * se!r})")
