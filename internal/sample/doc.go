// Package sample writes synthetic loan files in the raw Lending Club layout:
// the 151 columns of LC's LoanStats downloads, in LC's order and value
// formats, with LC's missing-value patterns, odd strings and outliers. The
// files let the training pipeline run on a machine without real data and
// serve as its large-scale benchmark input.
//
// Rows come from a parametric generative model, not from real loans. A
// latent credit-quality draw drives FICO, revolving utilisation, inquiries
// and delinquencies; income drives loan amount and home ownership; LC's
// sub-grade is a noisy score of those application fields, and the interest
// rate follows the sub-grade and the issue quarter. Default is a Bernoulli
// draw from a logistic model of the application fields (sub-grade, FICO,
// DTI, income, term, employment length, inquiries, utilisation, purpose,
// home ownership, loan-to-income, issue date) plus an unobserved term, so
// that an honest model reaches a test ROC-AUC of about 0.7 while no single
// application column separates the classes. The post-origination columns
// (payments, recoveries, last FICO, settlement, …) are then filled to match
// the drawn outcome: they leak it, as in LC's own files, and a pipeline must
// drop them.
//
// Output depends only on Config.Rows, Config.Seed, Config.Start, Config.End
// and Config.Notes: rows are generated in fixed chunks of ChunkRows, each
// with its own PCG stream derived from (Seed, chunk index), so the bytes are
// the same for any number of workers.
package sample
