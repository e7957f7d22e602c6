// Package fit learns the binning of scorecard characteristics on the
// training rows: fine classing, then coarse classing, then the weight of
// evidence and information value of every bin.
//
// It is training code. The package classing applies what fit learns, and
// only classing is linked into the scoring server.
//
// # Numeric characteristics
//
// Missing values (NaN) and the declared special values are set aside
// first; they never take part in the cut points. Fine classing sorts the
// remaining values and cuts them into at most Config.FineBins bins of about
// equal counts (every distinct value gets its own bin when there are no
// more than that); a run of equal values is never split. A cut c between
// the largest value a of one bin and the smallest b of the next keeps
// a < c <= b; it is the midpoint rounded to the fewest significant digits
// that keep it in the middle half of the gap, so tables read 18.615 rather
// than 18.615000000000002.
//
// Coarse classing then merges adjacent fine bins in two passes:
//
//  1. Pool adjacent violators: walking the fine bins in value order, a bin
//     whose bad rate does not strictly continue the direction of the bin
//     before it is pooled with it, and pooling repeats backwards while the
//     order is broken. The result is the isotonic regression of the bad
//     rate on the value, the maximum-likelihood monotone fit, so it keeps
//     every split monotonicity allows; adjacent bins with equal bad rates
//     are pooled too, since such a split carries no evidence.
//  2. Size merges: while some bin holds fewer rows than Config.MinShare of
//     all rows, or fewer goods or bads than Config.MinGoods and
//     Config.MinBads, the smallest such bin (the leftmost of equals) is
//     merged with the neighbour whose bad rate is closest (the left one on
//     a tie). The merged bad rate lies between the two it replaces, so the
//     order of pass 1 survives every merge.
//
// Pass 1 is linear and pass 2 quadratic in the number of fine bins, which
// is small. Pass 1 compares bad rates exactly in integer arithmetic and
// pass 2 compares distances between them in float64, so the result depends
// on the data alone. The direction is the one the characteristic gives
// (the spec's monotone constraint); with Auto both directions are classed
// and the one with the higher information value of the ordinary bins wins,
// Increasing on a tie. A dynamic programme maximising IV under the
// constraints could find a partition with more IV, but it costs more and
// is harder to audit: pool adjacent violators then size merges is a rule a
// validator can replay by hand from the fine-classing table, and
// testdata/coarse.py replays it independently for the tests.
//
// With Config.FreeTrend an Auto characteristic may also keep a bad rate
// that is not monotone (peaked or U-shaped, as age or utilisation often
// are). Its free classing applies the size merges to the fine bins, then
// merges the adjacent pair whose bad rates differ least, by the
// likelihood-ratio statistic G = 2·(ℓ(a) + ℓ(b) − ℓ(a∪b)) of the binned
// log-likelihood ℓ, while G < ln n (n rows). It replaces the better
// monotone classing when Σℓ − (ln n / 2)·bins, half the Bayesian
// information criterion, is higher, so an extra bin must earn its keep.
// The binning's Direction is then the order its bad rates follow, or Auto
// when they follow none; testdata/free.py works the tests' cases.
//
// The missing bin always stands alone. Each special value with training
// rows gets its own bin; while one of them breaks the size rules, the
// smallest joins the bin (ordinary, missing or special) with the closest
// bad rate. That keeps the ordinary bins in order: the rate of the bin it
// joins moves towards the special's, and no other ordinary bin's rate lies
// in between, or that bin would have been closer. A declared special value
// with no training rows goes to the missing bin.
//
// # Categorical characteristics
//
// Every level with training rows starts in a bin of its own (fine
// classing). The levels are sorted by bad rate (by name on a tie) and then
// coarse-classed like a numeric characteristic with the direction
// Increasing: equal bad rates pool and small groups merge with their
// closest neighbour. A level that training did not see goes to the group
// with the most training rows: with no evidence about the level, it is
// scored like the bulk of the applicants. (When no level had training
// rows, it goes to the missing bin.)
//
// # Cost and parallelism
//
// A numeric characteristic of n rows costs one pass that sets missing and
// special values aside, a radix sort of the ordinary values (the fine
// bins' row counts are read off the sorted values) and a binary search
// among the cuts for each bad row; a categorical one a counting pass and a
// sort of its levels. Fit classes characteristics in parallel with at most
// Config.Threads workers, each characteristic on one worker holding
// scratch space of about 24 bytes per row, and checks its context between
// characteristics. The output does not depend on the number of workers.
package fit
