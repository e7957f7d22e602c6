//go:build race

package shap

// raceEnabled is set under the race detector, which makes sync.Pool drop
// items at random and so allocation counts meaningless.
const raceEnabled = true
