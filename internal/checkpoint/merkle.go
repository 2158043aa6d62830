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

// leafHash is a leaf as the tree hashes it: SHA-256(0x00 ‖ leaf).
func leafHash(leaf []byte) []byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(leaf)
	return h.Sum(nil)
}

func nodeHash(l, r []byte) []byte {
	h := sha256.New()
	h.Write([]byte{1})
	h.Write(l)
	h.Write(r)
	return h.Sum(nil)
}

// Path is the audit path of leaf m among the leaves (RFC 6962 §2.1.1):
// the sibling subtree hashes from the leaf up to the root, which with
// the leaf itself recompute the root. It is empty for a single leaf.
func Path(leaves [][]byte, m int) []string {
	var out []string
	for _, p := range path(leaves, m) {
		out = append(out, hex.EncodeToString(p))
	}
	return out
}

func path(leaves [][]byte, m int) [][]byte {
	n := len(leaves)
	if n <= 1 || m < 0 || m >= n {
		return nil
	}
	k := 1
	for k*2 < n {
		k *= 2
	}
	if m < k {
		return append(path(leaves[:k], m), root(leaves[k:]))
	}
	return append(path(leaves[k:], m-k), root(leaves[:k]))
}

// VerifyPath checks that leaf is leaf number index (from 0) of a tree of
// size leaves whose root is root, given its audit path: the algorithm of
// RFC 9162 §2.1.3.2, which an auditor can also run by hand.
func VerifyPath(leaf []byte, index, size int, auditPath []string, rootHex string) bool {
	if index < 0 || index >= size {
		return false
	}
	fn, sn := index, size-1
	r := leafHash(leaf)
	for _, ph := range auditPath {
		p, err := hex.DecodeString(ph)
		if err != nil || sn == 0 {
			return false
		}
		if fn%2 == 1 || fn == sn {
			r = nodeHash(p, r)
			for fn%2 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = nodeHash(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	return sn == 0 && hex.EncodeToString(r) == rootHex
}
