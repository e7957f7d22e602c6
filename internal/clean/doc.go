// Package clean is the pipeline's cleaning step. It streams the raw files a
// dataset spec describes, maps the target (dropping and counting rows whose
// outcome is not final), drops id, free-text, leakage, high-missing and
// constant columns, parses every value, learns caps and imputation values on
// the training period only, applies them, and writes the cleaned table
// (Parquet) with a JSON log of every transformation and its counts. The
// cleaning rules it learns are the Inputs of the feature pipeline, so
// serving applies exactly the same cleaning to a single application.
package clean
