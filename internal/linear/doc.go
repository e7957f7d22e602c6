// Package linear applies an L2-regularised logistic regression for
// the probability of default.
//
// The fitted Model is plain data (exported fields, JSON-friendly) and holds
// everything prediction needs: per-feature imputation and standardisation,
// coefficients, and missing-value indicators. For a row x with d input
// features the margin (log-odds of label 1) is
//
//	margin(x) = Intercept + Σⱼ Coefⱼ·zⱼ + Σ_{j with indicator} Missingⱼ.Coef·mⱼ
//	zⱼ = (x̃ⱼ − Meanⱼ) / Scaleⱼ,   x̃ⱼ = xⱼ, or Meanⱼ when xⱼ is NaN
//	mⱼ = (1[xⱼ is NaN] − Missingⱼ.Mean) / Missingⱼ.Scale
//
// and the probability is 1/(1+exp(−margin)). This is the model scikit-learn
// builds with make_pipeline(SimpleImputer(strategy="mean",
// add_indicator=True), StandardScaler(), LogisticRegression()), and the
// golden tests compare against it.
//
// Fitting lives in package logreg; this package holds only the model and
// its prediction, so the server links no training code.
package linear
