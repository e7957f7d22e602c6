// Package shap explains the predictions of tree ensembles with exact
// path-dependent TreeSHAP values and turns them into reason codes.
//
// For a row x, the Shapley value φ_j of feature j is its share of the gap
// between the ensemble margin f(x) and the expected margin E[f]:
//
//	f(x) = E[f] + Σ_j φ_j
//
// The value of a feature coalition S is the path-dependent conditional
// expectation E[f(x) | x_S] of Lundberg, Erion and Lee, "Consistent
// Individualized Feature Attribution for Tree Ensembles" (2018): walking a
// tree, a node that splits on a feature in S sends the row the way x goes
// (x < threshold left, missing values to DefaultLeft, as in prediction), and
// a node that splits on any other feature averages its two children weighted
// by their training cover. These are the values of the paper's Algorithm 2
// and of XGBoost's pred_contribs; the tests check them against both and
// against brute-force enumeration of coalitions.
//
// Explainer computes them in O(N·D) time per tree of N nodes and depth D,
// rather than Algorithm 2's O(L·D²) for L leaves: each Shapley weight is
// written as a Beta integral, which Gauss–Legendre quadrature evaluates
// exactly, and the shares of all leaves below an edge are then summed in two
// passes over the nodes (explain.go gives the derivation). For 100 trees of
// depth 6 this is several times faster than Algorithm 2.
//
// Everything is in margin units: log-odds for boosted trees, probability for
// random forests. A positive φ_j raises the margin, and so the probability of
// default; ReasonCodes picks the features that raise it most.
//
// The package imports only the prediction-side tree form, so the scoring
// server can link it without any training code.
package shap
