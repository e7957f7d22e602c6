//go:build !race

package shap

const raceEnabled = false
