// Package classing applies the binning of a scorecard characteristic: it
// maps a raw value to its bin (attribute) and that bin's weight of evidence.
//
// A Binning is plain data (JSON), learned on the training period only by
// package fit, which training alone links, and stored in a model file. This
// package holds the types, the apply methods, the WoE and IV arithmetic and
// the decoder; it imports only the standard library, so a scoring server
// that applies a scorecard links no training code.
//
// # Bins
//
// The bins of a characteristic come in a fixed order:
//
//   - the ordinary bins first: for a numeric characteristic the
//     len(Cuts)+1 value ranges in increasing order, where bin k holds the
//     values x with Cuts[k-1] <= x < Cuts[k] (the first and last ranges are
//     open-ended, so -Inf falls in bin 0 and +Inf in the last range); for a
//     categorical characteristic the groups of levels, in increasing order
//     of training bad rate;
//   - then the missing bin (index Binning.Missing), which holds missing
//     values (NaN, or a missing categorical level) and nothing else unless
//     a small special value joined it;
//   - then the special bins of a numeric characteristic, one per declared
//     special value (a sentinel such as 96 "not applicable") that was large
//     enough to stand alone.
//
// A special value is matched exactly (==) before the cut points are
// consulted, so specials never fall into a value range by accident;
// Binning.Specials says which bin each one went to, which is a range, the
// missing bin or another special bin when it was too small to stand alone.
// A level of a categorical characteristic that training never saw goes to
// the bin Binning.Unseen, which fit sets to the level group holding the
// most training rows.
//
// # Weight of evidence and information value
//
// The formulas and conventions are those of CREDIT.md §1 (the project's
// credit-risk practice notes). Label 1 is bad (default) and 0 good. With
// g_i goods and b_i bads in bin i and G, B the totals over all bins:
//
//	WoE_i = ln( (g_i/G) / (b_i/B) )
//	IV_i  = (g_i/G − b_i/B) · WoE_i,    IV = Σ_i IV_i
//
// WoE is positive where a bin is safer than average. A bin with zero goods
// or zero bads (but not both) has its WoE computed from g_i+a and b_i+a,
// with a the adjustment (DefaultAdjustment, 0.5), so it is never ±Inf; its
// IV term keeps the unadjusted shares. An empty bin, such as the missing
// bin of a characteristic that was never missing in training, carries no
// evidence: WoE 0 and IV 0.
//
// The IV of a characteristic reads by the bands of StrengthOf: below 0.02
// unpredictive, then weak, medium (from 0.1), strong (from 0.3), and above
// LeakageIV (0.5) suspicious, a characteristic to check for leakage before
// using it.
package classing
