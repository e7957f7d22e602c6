// Package gbdt fits histogram gradient-boosted decision trees for binary
// classification with the logistic loss, in the manner of XGBoost's "hist"
// tree method.
//
// Fit bins the features once (package binning: at most 256 codes per
// feature, one of them for missing values), then adds one regression tree
// per round to the log-odds margin. Each tree is grown on gradient and
// hessian histograms of the rows in a node; the histogram of the larger
// child is the parent's minus the smaller child's. A split scores
//
//	gain = S(G_L, H_L) + S(G_R, H_R) - S(G, H),  S(G, H) = T(G)² / (H + λ)
//
// where T(G) = sign(G)·max(|G| - α, 0) applies the L1 penalty α, λ is the L2
// penalty, and G, H are the sums of the loss gradient p - y and hessian
// p(1-p), both times the row weight. A leaf's value is
// η · -T(G)/(H + λ). Splits need gain > MinSplitGain (and > 1e-6, as in
// XGBoost, so that rounding noise never splits) and hessian sums of at
// least MinChildWeight on both sides. Every split learns where missing
// values go: both directions are scored and the better one kept; a feature
// with no missing values at a node sends them to the child with the larger
// hessian sum. A split may also separate the missing values from all present
// ones; its threshold is -math.MaxFloat64, so every present value goes right.
//
// Monotone constraints follow XGBoost: every node carries bounds on its leaf
// weight; a split on a constrained feature is allowed only when its child
// weights are ordered as required, and the children's bounds are cut at the
// mean of the two weights, so the ensemble's output is monotone in that
// feature everywhere, not only on the training rows.
//
// The fitted model is a tree.Ensemble in the tree package's convention:
// x < Threshold goes left, NaN goes to DefaultLeft. Thresholds come from the
// cut points, so the ensemble routes every training row exactly as training
// did. Output is tree.LogOdds and Base the log-odds of the weighted base
// rate.
//
// Work is spread over Config.Threads goroutines: histograms by (node,
// feature group), row passes by fixed blocks. Fits are deterministic: the
// same data, Config and Seed give the same ensemble whatever the number of
// threads, because every floating-point sum runs in an order that does not
// depend on how work is split.
package gbdt
