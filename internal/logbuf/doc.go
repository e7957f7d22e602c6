// Package logbuf is a buffered log writer for hot paths: records are
// collected in memory and written out in batches, at most every flush
// interval, so that logging a request costs a copy instead of a system
// call.
//
// A Writer never splits a record: each Write call is kept whole (slog
// handlers write one record per call), so the output stays line-oriented
// even when other writers share the same file.
package logbuf
