# Exact two-sided binomial p-values by the minimum-likelihood rule (R's
# binom.test, SciPy's binomtest), in rational arithmetic: the reference
# values of TestBinomialTest.
from fractions import Fraction
from math import comb

CASES = [(7, 20, "1/2"), (682, 925, "3/4"), (0, 10, "1/10"), (3, 15, "1/10"),
         (10, 10, "1/2"), (25, 100, "3/10"), (50, 1000, "1/25"), (1, 2, "1/2")]

for k, n, ps in CASES:
    p = Fraction(ps)
    pmf = [comb(n, i) * p**i * (1 - p)**(n - i) for i in range(n + 1)]
    # R's tolerance 1e-7, exactly.
    limit = pmf[k] * (1 + Fraction(1, 10**7))
    pv = sum(x for x in pmf if x <= limit)
    print(f"{k} {n} {ps} {float(min(pv, 1)):.17g}")
