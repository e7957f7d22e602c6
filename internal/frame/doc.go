// Package frame holds typed, column-oriented tables: the cleaned loan table
// and the train/test feature tables that the pipeline steps pass to each
// other through data/processed/.
//
// A Frame is a list of equally long columns. Numeric and date columns store
// float64 values with NaN for missing (dates as days since 1970-01-01, UTC);
// categorical columns store dictionary codes into Levels with -1 for missing.
//
// Frames are stored as Parquet files that pandas, pyarrow and DuckDB open
// directly. WriteParquet maps each column to an optional Parquet column:
//
//	Numeric     → DOUBLE
//	Date        → INT32 annotated DATE (days since the epoch)
//	Categorical → BYTE_ARRAY annotated STRING, dictionary encoded
//
// A missing value is a Parquet null. Pages are Snappy compressed, the codec
// that pyarrow and DuckDB use by default, and rows are cut into bounded row
// groups so that writing never holds a second full copy of the table.
//
// ReadParquet reads such files back, and also files written by other tools
// whose columns are flat DOUBLE, FLOAT, INT32, INT64 or BOOLEAN (read as
// Numeric; BOOLEAN as 0 and 1), INT32 DATE (read as Date) or STRING/ENUM
// (read as Categorical).
package frame
