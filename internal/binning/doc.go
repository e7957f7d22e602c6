// Package binning maps real-valued features to small integer bins so that
// histogram-based tree learners can train on one byte per value.
//
// Cut points are found once per feature from a (optionally sampled, seeded)
// set of training rows: every distinct value gets its own bin when a feature
// has few of them, otherwise bins hold roughly equal numbers of rows and a
// value that alone fills a bin is kept in a bin of its own. A cut point lies
// halfway between the largest value of one bin and the smallest of the next.
//
// Bin codes: code 0 (MissingBin) is reserved for missing values (NaN). A
// present value x of feature f gets code
//
//	1 + #{ j : Points[f][j] <= x }
//
// so with n cut points the value bins are 1..n+1 and bin b holds the values
// in [Points[f][b-2], Points[f][b-1]), the outer bins being open-ended. A
// constant or all-missing feature has no cut points: its values all share
// bin 1 and it can never be split.
//
// A tree split that sends value bins 1..b to the left maps to the real-valued
// test x < Threshold(f, b) of the tree package (x < Threshold goes left), and
// the two agree on every value, seen in training or not: a model trained on
// bins routes raw float64 rows exactly as it routed their bins. Split bin 0
// sends every present value right, leaving the left child to the missing
// values.
//
// The binned matrix is stored column-major, one []uint8 per feature, which
// is the layout a histogram builder scans.
package binning
