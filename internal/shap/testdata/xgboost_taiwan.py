"""Make xgboost_taiwan.json, the reference for TestExplain_XGBoost.

Trains a small XGBoost model on the UCI credit-card default data (Taiwan),
with some values blanked out so that missing-value default directions are
learnt, and records XGBoost's own TreeSHAP values (pred_contribs) and
margins for held-out rows.

    /usr/bin/python3 xgboost_taiwan.py \
        $CREDIT_RISK_DATASETS/uci_credit_card_default_taiwan/UCI_Credit_Card.csv

Made with Debian's python3-xgboost 1.7.4 and numpy 1.24.2.
"""

import csv
import json
import math
import sys

import numpy as np
import xgboost as xgb

TRAIN, TEST = 6000, 200
TREES, DEPTH = 40, 5
BASE_SCORE = 0.3


def main(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, data = rows[0], np.array(rows[1:], dtype=np.float64)
    names = header[1:-1]  # drop ID and the target
    X, y = data[:, 1:-1], data[:, -1]
    rng = np.random.default_rng(7)
    # Blank 10% of the values of a few columns so that the trees learn
    # default directions for missing values.
    for j in (names.index("AGE"), names.index("BILL_AMT1"), names.index("PAY_AMT1"), names.index("PAY_0")):
        X[rng.random(len(X)) < 0.1, j] = np.nan
    # XGBoost compares float32 values; keep the rows exactly representable.
    X = X.astype(np.float32).astype(np.float64)

    train = xgb.DMatrix(X[:TRAIN], label=y[:TRAIN], missing=np.nan, feature_names=names)
    params = {
        "objective": "binary:logistic",
        "max_depth": DEPTH,
        "eta": 0.3,
        "base_score": BASE_SCORE,
        "tree_method": "exact",
        "seed": 1,
    }
    booster = xgb.train(params, train, num_boost_round=TREES)

    test = xgb.DMatrix(X[TRAIN:TRAIN + TEST], missing=np.nan, feature_names=names)
    margins = booster.predict(test, output_margin=True)
    contribs = booster.predict(test, pred_contribs=True)

    model = json.loads(booster.save_raw("json"))
    trees = []
    for t in model["learner"]["gradient_booster"]["model"]["trees"]:
        nodes = []
        for i, left in enumerate(t["left_children"]):
            leaf = left == -1
            nodes.append({
                "Feature": -1 if leaf else t["split_indices"][i],
                "Left": -1 if leaf else left,
                "Right": -1 if leaf else t["right_children"][i],
                "DefaultLeft": bool(t["default_left"][i]) and not leaf,
                # XGBoost sends x < split_condition left, as package tree does.
                "Threshold": 0.0 if leaf else t["split_conditions"][i],
                "Value": t["split_conditions"][i] if leaf else 0.0,
                "Cover": t["sum_hessian"][i],
            })
        trees.append({"Nodes": nodes})
    ensemble = {
        "NumFeatures": len(names),
        "Base": math.log(BASE_SCORE / (1 - BASE_SCORE)),
        "Scale": 1.0,
        "Output": "log_odds",
        "Trees": trees,
    }
    out = {
        "features": names,
        "ensemble": ensemble,
        "rows": [[None if math.isnan(v) else v for v in r] for r in X[TRAIN:TRAIN + TEST].tolist()],
        "margins": margins.astype(np.float64).tolist(),
        # pred_contribs: one column per feature, then the expected value.
        "contribs": contribs.astype(np.float64).tolist(),
    }
    with open("xgboost_taiwan.json", "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
