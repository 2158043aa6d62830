package checkpoint

import (
	"encoding/hex"
	"fmt"
	"testing"
)

// Every leaf of trees of 1 to 33 leaves proves its place against the root
// Root computes; a proof fails for another leaf, another index, another
// size, a changed path and another root.
func TestAuditPathsProveEveryLeaf(t *testing.T) {
	for n := 1; n <= 33; n++ {
		var leaves [][]byte
		for i := range n {
			leaves = append(leaves, []byte(fmt.Sprintf("leaf-%02d", i)))
		}
		root := Root(leaves)
		for m := range n {
			p := Path(leaves, m)
			if !VerifyPath(leaves[m], m, n, p, root) {
				t.Fatalf("%d leaves: leaf %d does not prove", n, m)
			}
			if VerifyPath([]byte("not a leaf"), m, n, p, root) {
				t.Fatalf("%d leaves: a foreign leaf proves as %d", n, m)
			}
			if n > 1 && VerifyPath(leaves[m], (m+1)%n, n, p, root) {
				t.Fatalf("%d leaves: leaf %d proves at another index", n, m)
			}
			if VerifyPath(leaves[m], m, 0, p, root) || VerifyPath(leaves[m], n, n, p, root) {
				t.Fatalf("%d leaves: leaf %d proves outside the tree", n, m)
			}
			if len(p) > 0 {
				bad := append([]string(nil), p...)
				b, _ := hex.DecodeString(bad[0])
				b[0] ^= 1
				bad[0] = hex.EncodeToString(b)
				if VerifyPath(leaves[m], m, n, bad, root) {
					t.Fatalf("%d leaves: a changed path proves leaf %d", n, m)
				}
			}
			if VerifyPath(leaves[m], m, n, p, Root(leaves[:max(1, n-1)])) && n > 1 {
				t.Fatalf("%d leaves: leaf %d proves against another root", n, m)
			}
		}
	}
}
