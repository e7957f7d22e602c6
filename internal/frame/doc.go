// Package frame holds typed, column-oriented tables: the cleaned loan table
// and the train/test feature tables that the pipeline steps pass to each
// other through data/processed/.
//
// A Frame is a list of equally long columns. Numeric and date columns store
// float64 values with NaN for missing (dates as days since 1970-01-01, UTC);
// categorical columns store dictionary codes into Levels with -1 for missing.
//
// Frames are stored as Parquet files by package parquetfile.
package frame
