// Package drift watches the population a model scores for shifts away from
// the population it was trained on.
//
// A Monitor keeps the binned feature vectors and scores of the most recent
// applications (a sliding window of fixed size) and compares their
// distribution with the training reference stored in the model's metadata
// (model.Reference) using the population stability index (metrics.PSI).
// Recording an application costs one bin search per feature and a short
// critical section; the PSI values are computed only when asked for
// (Snapshot), typically on a metrics scrape.
package drift
