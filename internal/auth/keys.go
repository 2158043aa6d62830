package auth

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
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

// MaxClientKey bounds what a presented key may be: a key NewClientKey
// makes is its prefix and 32 characters; anything far longer is not one,
// and is refused before it is hashed.
const MaxClientKey = 100

// LookupClientKey is the hash to look a presented key up by, when it can
// be one of prefix's keys (the prefix, at most MaxClientKey long); ok is
// false otherwise, and the caller answers as for an unknown key. One rule
// for the rating pads' and the attendance terminals' keys.
func LookupClientKey(key, prefix string) (hash string, ok bool) {
	if !strings.HasPrefix(key, prefix) || len(key) > MaxClientKey {
		return "", false
	}
	return HashClientKey(key), true
}
