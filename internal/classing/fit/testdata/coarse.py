#!/usr/bin/env python3
"""Reference coarse classing for package classing/fit, standard library only.

Writes two files next to this script:

  coarse_rows.csv      a seeded synthetic sample: label y (1 bad) and the
                       characteristics inc, dec, ushape (numbers, empty =
                       missing, 96/98 special values) and purpose (levels,
                       empty = missing)
  coarse_expected.json the bins this script finds for them, per config

The rules replayed here are the ones the fit package documents:

- Every numeric characteristic has at most 20 distinct ordinary values, so
  fine classing gives each distinct value its own fine bin; missing values
  and the declared special values are set aside first.
- Pool adjacent violators: walking the fine bins in order, pool a bin with
  the one before while the bad rate does not strictly follow the direction
  (compared exactly, as fractions).
- Size rules: while a bin has fewer rows than ceil(min_share * all rows), or
  fewer goods or bads than the minimums, merge the smallest such bin (the
  first of equals) into the neighbour with the closer bad rate (the left one
  on a tie, distances as doubles).
- Auto direction: class both ways and keep the higher IV of the ordinary
  bins, increasing on a tie.
- Special values with rows start in bins of their own; while one breaks the
  size rules, the smallest (the lowest value of equals) joins the bin with
  the closest bad rate among the ordinary bins, then the missing bin, then
  the other special bins (the first on a tie). A special value without
  rows goes to the missing bin. The missing bin always stands alone.
- Categorical levels with rows are sorted by bad rate (exactly), then name,
  and classed as numbers with the direction increasing. An unseen level
  goes to the level group with the most rows (the first of equals).
- WoE and IV by CREDIT.md section 1 with the 0.5 zero-count adjustment.

Usage: python3 coarse.py
"""
import csv
import json
import math
import os
import random
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
N = 4000
SPECIALS = [96.0, 98.0, 99.0]
ADJ = 0.5


def generate():
    rng = random.Random(20261207)
    rows = []
    for _ in range(N):
        v = rng.randrange(15)
        r = rng.random()
        # Bad probability by value: wiggly rise for inc, fall for dec, a U
        # for ushape.
        p_inc = 0.04 + 0.02 * v + (0.03 if v % 4 == 1 else 0.0)
        p_dec = 0.30 - 0.015 * v + (0.04 if v % 5 == 2 else 0.0)
        p_u = 0.05 + 0.012 * (v - 7) ** 2
        inc = str(v)
        dec = str(14 - v)
        ush = str(v)
        if r < 0.04:
            inc, dec = "", ""
            p_inc, p_dec = 0.2, 0.2
        elif r < 0.10:
            inc, ush = "96", "96"
            p_inc, p_u = 0.35, 0.35
        elif r < 0.115:
            inc, dec = "98", "98"
            p_inc, p_dec = 0.09, 0.09
        purpose = rng.choice(["car", "car", "debt", "debt", "debt", "house", "medical", "wedding", ""])
        p_purpose = {"car": 0.08, "debt": 0.15, "house": 0.12, "medical": 0.2, "wedding": 0.08, "": 0.1}[purpose]
        p = (p_inc + p_dec + p_u + p_purpose) / 4
        y = 1 if rng.random() < p * 1.6 else 0
        rows.append({"y": y, "inc": inc, "dec": dec, "ushape": ush, "purpose": purpose})
    return rows


class Group:
    def __init__(self, lo, hi, goods, bads):
        self.lo, self.hi, self.goods, self.bads = lo, hi, goods, bads

    def n(self):
        return self.goods + self.bads

    def rate(self):
        return self.bads / self.n()

    def exact(self):
        return Fraction(self.bads, self.n())

    def absorb(self, o):
        self.lo, self.hi = min(self.lo, o.lo), max(self.hi, o.hi)
        self.goods += o.goods
        self.bads += o.bads


def woe(g, b, G, B):
    if g == 0 and b == 0:
        return 0.0
    if g == 0 or b == 0:
        g, b = g + ADJ, b + ADJ
    return math.log((g / G) / (b / B))


def iv_term(g, b, G, B):
    return (g / G - b / B) * woe(g, b, G, B)


def pool(groups, direction):
    out = []
    for g in groups:
        out.append(Group(g.lo, g.hi, g.goods, g.bads))
        while len(out) > 1:
            a, c = out[-2].exact(), out[-1].exact()
            ok = a < c if direction > 0 else a > c
            if ok:
                break
            last = out.pop()
            out[-1].absorb(last)
    return out


def merge_small(groups, ok):
    while len(groups) > 1:
        worst = None
        for i, g in enumerate(groups):
            if not ok(g) and (worst is None or g.n() < groups[worst].n()):
                worst = i
        if worst is None:
            break
        into = worst - 1
        if worst == 0 or (worst + 1 < len(groups) and
                          abs(groups[worst + 1].rate() - groups[worst].rate()) <
                          abs(groups[worst - 1].rate() - groups[worst].rate())):
            into = worst + 1
        groups[into].absorb(groups[worst])
        del groups[worst]
    return groups


def class_numeric(xs, ys, direction, ok, G, B):
    missing = [0, 0]
    spec = {s: [0, 0] for s in SPECIALS}
    fine = {}
    for x, y in zip(xs, ys):
        if x == "":
            missing[y] += 1
        elif float(x) in spec:
            spec[float(x)][y] += 1
        else:
            fine.setdefault(float(x), [0, 0])[y] += 1
    groups = [Group(v, v, c[0], c[1]) for v, c in sorted(fine.items())]
    if direction == 0:
        inc = merge_small(pool(groups, 1), ok)
        dec = merge_small(pool(groups, -1), ok)
        iv_inc = sum(iv_term(g.goods, g.bads, G, B) for g in inc)
        iv_dec = sum(iv_term(g.goods, g.bads, G, B) for g in dec)
        direction, ordinary = (-1, dec) if iv_dec > iv_inc else (1, inc)
    else:
        ordinary = merge_small(pool(groups, direction), ok)
    if len(ordinary) <= 1:
        direction = 0
    # Specials: sets of values with counts; home is "own", ("ord", j) or
    # "missing".
    miss = Group(None, None, missing[0], missing[1])
    sets = []
    home = {}
    for s in SPECIALS:
        g, b = spec[s]
        if g + b == 0:
            home[s] = "missing"
        else:
            sets.append({"values": [s], "group": Group(s, s, g, b)})
    while True:
        small = [st for st in sets if not ok(st["group"])]
        if not small:
            break
        worst = min(small, key=lambda st: (st["group"].n(), st["values"][0]))
        r = worst["group"].rate()
        cands = [("ord", j, g) for j, g in enumerate(ordinary)]
        cands.append(("missing", None, miss))
        cands += [("set", st, st["group"]) for st in sets if st is not worst]
        best, best_d = None, math.inf
        for kind, ref, g in cands:
            if g.n() == 0:
                continue
            d = abs(g.rate() - r)
            if d < best_d:
                best, best_d = (kind, ref, g), d
        if best is None:
            break
        kind, ref, g = best
        g.goods += worst["group"].goods
        g.bads += worst["group"].bads
        sets.remove(worst)
        for v in worst["values"]:
            if kind == "ord":
                home[v] = ("ord", ref)
            elif kind == "missing":
                home[v] = "missing"
            else:
                ref["values"].append(v)
    n_ord = max(1, len(ordinary))
    bins = []
    for g in ordinary:
        bins.append({"kind": "range", "lo": g.lo, "hi": g.hi, "goods": g.goods, "bads": g.bads})
    if not ordinary:
        bins.append({"kind": "range", "lo": None, "hi": None, "goods": 0, "bads": 0})
    bins.append({"kind": "missing", "goods": miss.goods, "bads": miss.bads})
    special_bin = {}
    for st in sorted(sets, key=lambda st: min(st["values"])):
        for v in st["values"]:
            special_bin[v] = len(bins)
        bins.append({"kind": "special", "goods": st["group"].goods, "bads": st["group"].bads})
    for v, h in home.items():
        special_bin[v] = n_ord if h == "missing" else h[1]
    finish(bins, G, B)
    return {"direction": direction, "bins": bins,
            "specials": {repr(v): special_bin[v] for v in SPECIALS},
            "iv": sum(b["iv"] for b in bins)}


def class_categorical(levels, ys, ok, G, B):
    missing = [0, 0]
    counts = {}
    for l, y in zip(levels, ys):
        if l == "":
            missing[y] += 1
        else:
            counts.setdefault(l, [0, 0])[y] += 1
    order = sorted(counts, key=lambda l: (Fraction(counts[l][1], sum(counts[l])), l))
    groups = [Group(k, k, counts[l][0], counts[l][1]) for k, l in enumerate(order)]
    groups = merge_small(pool(groups, 1), ok)
    bins, level_bin = [], {}
    for j, g in enumerate(groups):
        for k in range(g.lo, g.hi + 1):
            level_bin[order[k]] = j
        bins.append({"kind": "levels", "goods": g.goods, "bads": g.bads})
    unseen = max(range(len(groups)), key=lambda j: (groups[j].n(), -j)) if groups else len(bins)
    bins.append({"kind": "missing", "goods": missing[0], "bads": missing[1]})
    finish(bins, G, B)
    return {"bins": bins, "levels": level_bin, "unseen": unseen,
            "iv": sum(b["iv"] for b in bins)}


def finish(bins, G, B):
    for b in bins:
        b["woe"] = woe(b["goods"], b["bads"], G, B)
        b["iv"] = iv_term(b["goods"], b["bads"], G, B)


CONFIGS = {
    "default": {"min_share": 0.05, "min_goods": 1, "min_bads": 1},
    "strict": {"min_share": 0.12, "min_goods": 1, "min_bads": 40},
}
DIRECTIONS = {"inc": 0, "dec": 0, "ushape": 1}


def main():
    rows = generate()
    with open(os.path.join(HERE, "coarse_rows.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["y", "inc", "dec", "ushape", "purpose"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    ys = [r["y"] for r in rows]
    B = sum(ys)
    G = len(ys) - B
    expected = {}
    for name, cfg in CONFIGS.items():
        min_n = math.ceil(cfg["min_share"] * len(ys))

        def ok(g, cfg=cfg, min_n=min_n):
            return g.n() >= min_n and g.goods >= cfg["min_goods"] and g.bads >= cfg["min_bads"]

        out = {}
        for col, d in DIRECTIONS.items():
            out[col] = class_numeric([r[col] for r in rows], ys, d, ok, G, B)
        out["purpose"] = class_categorical([r["purpose"] for r in rows], ys, ok, G, B)
        expected[name] = {"config": cfg, "directions": DIRECTIONS, "characteristics": out}
    with open(os.path.join(HERE, "coarse_expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


main()
