// Package parquetfile stores frame.Frame tables as Parquet files that
// pandas, pyarrow and DuckDB open directly: the cleaned table
// (clean.parquet) and the train/test feature tables (train.parquet,
// test.parquet) that the pipeline steps pass to each other.
//
// Write maps each column to an optional Parquet column:
//
//	Numeric     → DOUBLE
//	Date        → INT32 annotated DATE (days since the epoch)
//	Categorical → BYTE_ARRAY annotated STRING, dictionary encoded
//
// A missing value is a Parquet null. Pages are Snappy compressed, the codec
// that pyarrow and DuckDB use by default, and rows are cut into bounded row
// groups so that writing never holds a second full copy of the table.
// WriteFile replaces a file atomically.
//
// Read reads such files back, and also files written by other tools whose
// columns are flat DOUBLE, FLOAT, INT32, INT64 or BOOLEAN (read as
// Numeric; BOOLEAN as 0 and 1), INT32 DATE (read as Date) or STRING/ENUM
// (read as Categorical); ReadColumns reads only some columns.
//
// A truncated or corrupt file gives an error wrapping ErrCorrupt, never a
// panic or an allocation the file cannot back: before parquet-go decodes
// anything, the footer, the page headers and the counts inside the pages
// (run lengths, value counts) are checked against the bytes that hold
// them and the row group's rows (parquet_guard.go), since parquet-go sizes
// its buffers from those counts.
package parquetfile
