// Package features holds the one feature pipeline of a model: the chain
// parse → clean → engineer → encode that turns a raw loan application (the
// fields as a lender exports them) into the numeric vector a learner sees.
//
// A Pipeline is plain data (JSON), learned on the training period only (by
// package fit, which training alone links) and saved inside the model file.
// This package only applies it. Training runs it over tables; serving runs
// it over single JSON applications; both go through the same code, so a
// feature is never re-implemented and a raw record and a table row give
// identical vectors.
//
// The stages:
//
//   - Inputs: each raw field is parsed (value package; an extraction
//     pattern first picks the value out of recoded text), values outside
//     the spec's valid range become missing, numbers are capped to the
//     training-period quantiles, and missing values are imputed (numbers
//     with the training median, categories with the level "(missing)"), with
//     a 0/1 indicator for numeric fields that were often missing in
//     training. A special value (the spec's special_values) is missing and
//     not imputed, and Row.Special records which one it was.
//   - Derived: engineered features from cleaned fields (ratios, means,
//     months between dates, …) as the spec declares them.
//   - Encoded: numbers pass through, ordinal levels become their rank,
//     categories become one-hot columns (rare and unseen levels in the
//     reserved bucket OtherLevel) or a smoothed target mean, each special
//     value seen in training its own 0/1 column, all learned on the
//     training rows.
//
// Every feature knows the application fields it derives from
// (Pipeline.Lineage): its source input, or for a derived feature each of
// its inputs with an equal share, the application date excepted. A model's
// per-feature contributions are summed back onto the fields
// (Pipeline.FieldContributions), so that the reasons for a decision name
// what the applicant gave, with the reason-code catalogue each input
// carries (Input.Reasons, the spec's reasons) chosen by the direction of
// its value (Pipeline.Directions, Pipeline.Reason).
package features
