// Package clean is the pipeline's cleaning step. It streams the raw files a
// dataset spec describes, maps the target (dropping and counting rows whose
// outcome is not final), drops id, free-text, leakage and undeclared
// columns and unnamed ones (a data frame's index, with a log line), parses
// every value, and writes the cleaned table (Parquet) with a JSON log of
// every transformation and its counts. A column with special values keeps
// them missing and not imputed, and records which one each row held in
// the column features.SpecialColumn.
//
// Cleaning learns nothing itself. The train/test split is decided once by
// package split and written beside the table (split.FileName), where the
// features step reads it; package fit learns on the training rows which columns to keep (not mostly
// missing, not constant) and their caps, imputation values and indicators,
// which clean applies. The learned rules are the Inputs of the feature
// pipeline, so serving applies exactly the same cleaning to a single
// application.
package clean
