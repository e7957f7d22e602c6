"""Times scikit-learn's roc_auc_score on 1,000,000 scores (uniform scores,
labels drawn with P(1) = score, the distribution of BenchmarkROCAUC), with
and without sample weights. Prints the median wall and CPU time of 7 runs.

Run: /usr/bin/python3 bench_auc.py
"""
import statistics
import time

import numpy as np
from sklearn.metrics import roc_auc_score

rng = np.random.default_rng(7)
n = 1_000_000
s = rng.random(n)
y = (rng.random(n) < s).astype(float)
w = 0.5 + rng.random(n)
for name, weights in [("unweighted", None), ("weighted", w)]:
    times, cpu = [], []
    for _ in range(7):
        t, c = time.perf_counter(), time.process_time()
        roc_auc_score(y, s, sample_weight=weights)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    print(f"sklearn roc_auc_score n={n} {name}: {statistics.median(times) * 1e3:.1f} ms "
          f"(cpu {statistics.median(cpu) * 1e3:.1f} ms)")
