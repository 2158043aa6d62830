package auth

import (
	"crypto/rand"
	"encoding/base64"
)

// Client keys let a machine that is not a member of staff call one narrow
// API: a window's rating pad, a civic app filing Open311 requests. Like
// staff tokens, only their SHA-256 is stored, and the key is shown once.

// NewClientKey returns a fresh key with the given recognisable prefix
// (e.g. "osr_" for rating pads) and the hash to store for it.
func NewClientKey(prefix string) (key, hash string, err error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	key = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return key, HashClientKey(key), nil
}

// HashClientKey is what a stored key is looked up by.
func HashClientKey(key string) string { return hashToken(key) }
