"""Free classing (Config.FreeTrend) worked independently of the Go code.

Each case is a numeric characteristic with 1,000 rows per value and the
given bad rate in percent, so every value is its own fine bin and no bin
is small. Free classing merges the adjacent pair with the smallest
likelihood-ratio statistic G while G < ln n; the result replaces the
monotone classing when its binned log-likelihood less ln n / 2 per bin
is higher. Prints the groups of values, their bad rates and both
penalised log-likelihoods; TestFitFreeTrend holds the resulting cuts.

    python3 free.py
"""
import math


def ll(goods, bads):
    n = goods + bads
    f = lambda k: 0.0 if k == 0 else k * math.log(k / n)
    return f(goods) + f(bads)


def g_stat(a, c):
    return 2 * (ll(*a) + ll(*c) - ll(a[0] + c[0], a[1] + c[1]))


def free(pct):
    groups = [[1000 - 10 * p, 10 * p, [v]] for v, p in enumerate(pct)]
    split = math.log(1000 * len(pct))
    while len(groups) > 1:
        best, best_g = -1, math.inf
        for i in range(1, len(groups)):
            g = g_stat(groups[i - 1][:2], groups[i][:2])
            if g < best_g:
                best, best_g = i, g
        if not best_g < split:
            break
        a, c = groups[best - 1], groups[best]
        groups[best - 1] = [a[0] + c[0], a[1] + c[1], a[2] + c[2]]
        del groups[best]
    return [g[2] for g in groups]


def penalised(pct, groups):
    split = math.log(1000 * len(pct))
    s = 0.0
    for grp in groups:
        bads = sum(10 * pct[v] for v in grp)
        s += ll(1000 * len(grp) - bads, bads)
    return s - split / 2 * len(groups)


# Each case with the groups of the monotone classing (pool adjacent
# violators in the direction of higher IV), as TestFitMonotone has them.
CASES = {
    "U shape": ([30, 25, 20, 15, 10, 5, 10, 15, 20], [[0], [1], [2], [3], [4, 5, 6, 7, 8]]),
    "wiggly increasing": ([5, 8, 7, 12, 15, 14, 20, 25, 24, 30], [[0], [1, 2], [3], [4, 5], [6], [7, 8], [9]]),
    "flat": ([10, 10, 10, 10], [[0, 1, 2, 3]]),
}

for name, (pct, mono) in CASES.items():
    f = free(pct)
    rates = [sum(pct[v] for v in g) / len(g) / 100 for g in f]
    print(f"{name}: free {f} rates {rates}")
    print(f"  penalised: free {penalised(pct, f):.2f}, monotone {penalised(pct, mono):.2f}")
