package checkpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func h(parts ...[]byte) []byte {
	s := sha256.New()
	for _, p := range parts {
		s.Write(p)
	}
	return s.Sum(nil)
}

// The tree is RFC 6962's, written out by hand for up to three leaves, so
// anyone can recompute a published root with another tool.
func TestRootIsRFC6962(t *testing.T) {
	a, b, c := []byte("a"), []byte("b"), []byte("c")
	leaf := func(x []byte) []byte { return h([]byte{0}, x) }
	node := func(l, r []byte) []byte { return h([]byte{1}, l, r) }
	for _, tc := range []struct {
		leaves [][]byte
		want   []byte
	}{
		{nil, h()},
		{[][]byte{a}, leaf(a)},
		{[][]byte{a, b}, node(leaf(a), leaf(b))},
		{[][]byte{a, b, c}, node(node(leaf(a), leaf(b)), leaf(c))},
	} {
		if got := Root(tc.leaves); got != hex.EncodeToString(tc.want) {
			t.Errorf("%d leaves: %s", len(tc.leaves), got)
		}
	}
	// A leaf is never mistaken for a node: the two leaves' node hash as a
	// single leaf gives another root.
	if Root([][]byte{append(leaf(a), leaf(b)...)}) == Root([][]byte{a, b}) {
		t.Error("leaf and node collide")
	}
}
