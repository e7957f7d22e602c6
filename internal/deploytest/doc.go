// Package deploytest checks the Kubernetes manifests in deploy/k8s without a
// cluster: every manifest decodes strictly (unknown or misspelt fields are
// errors, field names are case-sensitive) into its k8s.io/api type, and the
// fields the images depend on hold: probe paths and ports, the non-root and
// read-only security settings, image names, volumes and claims.
//
// The package has no code of its own; it is its tests.
package deploytest
