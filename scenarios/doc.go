// Package scenarios holds the Ginkgo suites that run parley's certification features (package features)
// with the step library (package steps): the detection matrix, where each violation switch of the
// reference assistant must make the scenarios tagged with its rule fail, naming the rule and showing the
// transcript, and the features and the matrix in containers. The features against the embedded reference
// assistant run once, in package features (TestFeatures), whose checks of the suite's coverage need that
// whole run.
//
// The matrix runs a representative subset of switches by default; PARLEY_FULL_MATRIX=1 runs them all.
package scenarios
