// Package apikey is the API keys file of the scoring API: its format, its
// decoder and encoder, new secrets, and the compiled Set the server checks
// requests against.
//
// The file holds, per key, an id, the SHA-256 of its secret (never the
// secret), its scopes, its creation time and an optional rate limit (a
// token bucket: requests per second and burst):
//
//	{"keys": [
//	  {"id": "ci", "hash": "sha256:9f86d0…", "scopes": ["score", "explain"],
//	   "created": "2026-12-07T14:00:00Z"}
//	]}
//
// A secret is "crk_" followed by 32 bytes from crypto/rand in unpadded
// base64url, 256 bits of entropy. An unsalted, fast hash is adequate for
// such secrets: salts and slow key-derivation functions defend against
// dictionary and precomputed-table attacks on low-entropy passwords, and a
// uniformly random 256-bit secret has no dictionary; finding one from its
// hash takes about 2^255 SHA-256 evaluations whatever the hash costs. The
// fast hash keeps the per-request check well under a microsecond. A secret
// typed by a person would need a salted KDF instead; NewSecret never makes
// one, and the keys CLI is the only supported way to add a key.
package apikey
