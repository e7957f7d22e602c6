// Package featurestep is the pipeline's features step: from the cleaned
// table and the split the clean step decided, it has package fit learn the
// feature pipeline on the training rows, and writes the encoded train and
// test tables, the pipeline, and a metadata file describing both. It also
// reads those files back for the steps that follow (train, evaluate).
package featurestep
