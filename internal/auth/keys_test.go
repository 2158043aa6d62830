package auth

import (
	"strings"
	"testing"
)

// A client key is shown once with its prefix; what is stored is its hash,
// which finds it again and nothing else.
func TestClientKeys(t *testing.T) {
	k1, h1, err := NewClientKey("osr_")
	if err != nil {
		t.Fatal(err)
	}
	k2, h2, _ := NewClientKey("osr_")
	if !strings.HasPrefix(k1, "osr_") || len(k1) < 30 || k1 == k2 || h1 == h2 {
		t.Fatalf("keys %q %q", k1, k2)
	}
	if HashClientKey(k1) != h1 || strings.Contains(h1, k1[4:]) || HashClientKey(k1+"x") == h1 {
		t.Fatal("the hash does not identify the key alone")
	}
}
