package checkpoint

import (
	"crypto/sha256"
	"encoding/hex"
)

// Root is the Merkle tree hash of RFC 6962 §2.1 over the leaves: a leaf
// is SHA-256(0x00 ‖ leaf), an inner node SHA-256(0x01 ‖ left ‖ right),
// split at the largest power of two below the count; no leaves hash as
// SHA-256 of nothing. The 0x00/0x01 prefixes keep a leaf from passing for
// a node. The leaves are a day's event hashes in ascending order, so the
// root depends only on what the events are.
func Root(leaves [][]byte) string {
	return hex.EncodeToString(root(leaves))
}

func root(leaves [][]byte) []byte {
	h := sha256.New()
	switch len(leaves) {
	case 0:
	case 1:
		h.Write([]byte{0})
		h.Write(leaves[0])
	default:
		k := 1
		for k*2 < len(leaves) {
			k *= 2
		}
		h.Write([]byte{1})
		h.Write(root(leaves[:k]))
		h.Write(root(leaves[k:]))
	}
	return h.Sum(nil)
}
