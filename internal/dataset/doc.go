// Package dataset says what a loan data set means and reads it.
//
// A Spec (decoded strictly from YAML or JSON) names the target column and its
// bad, good and excluded values, the date column, id, free-text and leakage
// columns, and how each column's text is parsed. A Reader streams records
// from a raw CSV (plain, gzip or zip; comma, semicolon, tab or whitespace
// separated), skipping the notes line before the header and summary lines
// after the data that some lenders' exports carry.
package dataset
