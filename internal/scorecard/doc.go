// Package scorecard applies a credit scorecard: a logistic regression on
// binned, weight-of-evidence coded characteristics, scaled to integer
// points, as risk teams and regulators read it (CREDIT.md §1).
//
// A Scorecard is plain data (JSON) stored in a model file, learned by
// package scorecard/fit, which training alone links. This package holds the
// types, the scaling arithmetic, the apply methods and the decoder; it
// imports the standard library and package classing only, so the scoring
// server applies a scorecard without linking training code.
//
// # Characteristics
//
// A characteristic is one application input (or an engineered value) as
// the feature pipeline cleaned it, before encoding: the number itself
// (capped as training capped it), or the level of a category. The
// scorecard reads it back from the model's feature vector, where the
// encoding keeps it whole (Source says which columns):
//
//   - a numeric characteristic reads its number column (an input, an
//     engineered value, an ordinal's rank or a high-cardinality category's
//     smoothed target mean); it is missing (NaN) when its missing
//     indicator column is 1, and equal to a declared special value when
//     that value's indicator column is 1, so missing values and special
//     values fall into their own bins although the pipeline imputed them;
//   - a categorical characteristic reads the level whose one-hot column is
//     1 (the reserved "(other)" bucket included); with none set it is
//     missing.
//
// Binning the cleaned inputs rather than their encoding is what the table
// shows a reader: one characteristic per input, its ranges or groups of
// levels, never a one-hot column.
//
// # Points
//
// With the model ln(odds_bad) = α + Σ_k β_k·WoE_k fitted on n
// characteristics and the scaling Factor = PDO/ln 2, Offset = BaseScore −
// Factor·ln(BaseOdds) (BaseOdds are good:bad odds), bin j of
// characteristic k is worth
//
//	points_kj = round( −(β_k·WoE_kj + α/n)·Factor + Offset/n )
//
// In a bin-coded scorecard (scorecard/fit's BinCoding) the model is
// ln(odds_bad) = α + Σ_k γ_k,j(k), a coefficient for each bin instead of
// one on the WoE, and
//
//	points_kj = round( −(γ_kj + α/n)·Factor + Offset/n )
//
// The characteristic's Coef is then 0 and BinCoefs holds the γ_kj; the
// binning, its WoE and IV are the same and still describe the data.
//
// Either way the score of an application is BasePoints plus the sum of
// the points of its bins. Score = Offset + Factor·ln(odds_good), so higher scores are
// safer and PDO points double the odds. The raw probability of default is
// read back from the (integer) score:
//
//	PD_raw = 1 / (1 + exp((Score − Offset)/Factor))
//
// and the model file's calibration maps it to the PD, as for every model.
//
// # Reasons
//
// The classic adverse-action ranking of a scorecard is points lost: for
// each characteristic the maximum points any of its bins gives minus the
// points the application received. Reasons lists the characteristics in
// decreasing order of points lost.
package scorecard
