// Package containertest is the end-to-end test of the container images and
// the compose file, run against a real Docker Engine: it trains on sample
// data in credit-risk-train:latest, serves the champion with
// credit-risk-api:latest, retrains while three API containers serve, stops
// one, and checks the troubleshooting cases of DOCKER.md.
//
// It runs only when CREDIT_RISK_CONTAINER_E2E=1 and expects both images to
// be built already (scripts/build-images.sh); scripts/container-e2e.sh does
// both and prints the summary line. Containers publish their ports on
// 127.0.0.1 only, and everything the test starts carries the label
// io.credit-risk.e2e and is removed at the end.
//
// The package has no code of its own; it is its tests.
package containertest
