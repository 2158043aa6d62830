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

// A presented key is looked up only when it can be one of the prefix's
// keys: another prefix or an overlong value is refused unhashed.
func TestLookupClientKey(t *testing.T) {
	k, h, _ := NewClientKey("osa_")
	if got, ok := LookupClientKey(k, "osa_"); !ok || got != h {
		t.Fatalf("own key: %v %q", ok, got)
	}
	for _, bad := range []string{"osr_" + k[4:], "", k + strings.Repeat("x", 50000), strings.Repeat("osa_", 26)} {
		if _, ok := LookupClientKey(bad, "osa_"); ok {
			t.Errorf("%.20s… looked up", bad)
		}
	}
}
