// Package forest fits random forests of classification trees for binary
// labels, in the manner of scikit-learn's RandomForestClassifier with
// criterion="gini", but on binned features.
//
// Fit bins the features once (package binning: at most 256 codes per
// feature, code 0 for missing values) and grows every tree on the shared
// binned matrix. Each tree sees a bootstrap sample of the rows: n draws
// with replacement, so a row drawn k times has weight k·c_y, where c_y is
// the weight of its class (1 without class weights; n/(2·n_y) with
// ClassWeight learn.Balanced, computed once on all rows, as scikit-learn does).
//
// A node is split on the best of at least MaxFeatures features drawn at
// random without replacement; as in scikit-learn, drawing goes on past
// MaxFeatures until a feature that is not constant in the node has been
// seen. For every drawn feature a histogram of the weights of each class
// per bin is built over the node's rows, and every cut between two
// non-empty bins is scored by the Gini impurity decrease
//
//	W·G(parent) - W_L·G(left) - W_R·G(right),  G = 1 - p_0² - p_1²
//
// with p_c the weighted class shares and W the weighted row counts. Missing
// values are tried on both sides of every cut, and "missing versus present"
// is a candidate too; a node without missing values of the chosen feature
// sends them to the heavier child. Any valid split is taken (scikit-learn's
// min_impurity_decrease = 0); a node stays a leaf when it is pure, at
// MaxDepth, holds fewer than MinSamplesSplit distinct rows, or has no cut
// leaving MinSamplesLeaf distinct rows on both sides.
//
// The fitted model is a tree.Ensemble in the tree package's convention:
// x < Threshold goes left, NaN goes to DefaultLeft. Thresholds come from the
// binning cut points, so raw rows route exactly as their bins did in
// training. A leaf's Value is the weighted share of class 1 among its
// training rows, a probability; an inner node's Value is the same share
// over the node, which equals the cover-weighted mean of its leaves. Cover
// is the node's weighted row count. The ensemble's Output is
// tree.Probability with Base 0 and Scale 1/Trees: its margin is the mean of
// the trees' probabilities.
//
// Fits are deterministic: every tree draws from its own generator seeded by
// (Seed, tree index), so the same data, Config and Seed give the same forest
// whatever the number of threads.
package forest
