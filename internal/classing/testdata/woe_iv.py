#!/usr/bin/env python3
"""Reference WoE and IV for the bin tables in bins.csv.

Computes, with the standard library only, the weight of evidence and
information value of every bin by CREDIT.md section 1:

    WoE_i = ln( (g_i / G) / (b_i / B) )
    IV_i  = (g_i / G - b_i / B) * WoE_i,   IV = sum_i IV_i

G and B are the goods and bads of the whole table. A bin with zero goods
or zero bads (not both) takes its WoE from g_i + 0.5 and b_i + 0.5; its IV
term keeps the unadjusted shares. An empty bin has WoE 0 and IV 0.

Usage: python3 woe_iv.py < bins.csv > woe_iv.csv
Columns out: table, bin, goods, bads, woe, iv, table_iv (floats in repr,
the shortest text that reads back to the same double).
"""
import csv
import math
import sys

ADJ = 0.5

rows = list(csv.DictReader(sys.stdin))
tables = {}
for r in rows:
    tables.setdefault(r["table"], []).append(r)

out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["table", "bin", "goods", "bads", "woe", "iv", "table_iv"])
for name, bins in tables.items():
    G = sum(int(b["goods"]) for b in bins)
    B = sum(int(b["bads"]) for b in bins)
    results = []
    for b in bins:
        g, d = int(b["goods"]), int(b["bads"])
        if g == 0 and d == 0:
            woe = 0.0
        elif g == 0 or d == 0:
            woe = math.log(((g + ADJ) / G) / ((d + ADJ) / B))
        else:
            woe = math.log((g / G) / (d / B))
        iv = (g / G - d / B) * woe
        results.append((b["bin"], g, d, woe, iv))
    total = math.fsum(r[4] for r in results)
    for bin_name, g, d, woe, iv in results:
        out.writerow([name, bin_name, g, d, repr(woe), repr(iv), repr(total)])
