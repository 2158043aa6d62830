package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"onestop/internal/open311"
)

// The console issues a key (printed once, only its hash stored), lists
// it, revokes it; the key then no longer files.
func TestOpen311Command(t *testing.T) {
	args, db := demoDB(t, 1)
	code, out, errOut := runCmd(t, append([]string{"open311", "key", "--name", "城关街道 App"}, args...)...)
	m := regexp.MustCompile(`client (\d+) .*\n(o311_\S+)\n`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("key: %d %q %q", code, out, errOut)
	}
	keys := &open311.Keys{DB: db, Now: time.Now}
	if _, err := keys.Authenticate(context.Background(), m[2]); err != nil {
		t.Fatalf("the printed key: %v", err)
	}
	if code, out, _ = runCmd(t, append([]string{"open311", "list"}, args...)...); code != 0 || !strings.Contains(out, "431022") || !strings.Contains(out, "live") || strings.Contains(out, m[2]) {
		t.Errorf("list: %q", out)
	}
	if code, _, errOut = runCmd(t, append([]string{"open311", "key", "--name", ""}, args...)...); code == 0 || !strings.Contains(errOut, "必填") {
		t.Errorf("no name: %d %q", code, errOut)
	}
	if code, _, errOut = runCmd(t, append([]string{"open311", "key", "--name", "x", "--county", "110101"}, args...)...); code == 0 || !strings.Contains(errOut, "县") {
		t.Errorf("an unknown county: %d %q", code, errOut)
	}
	if code, out, errOut = runCmd(t, append([]string{"open311", "revoke", "--id", m[1]}, args...)...); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %d %q %q", code, out, errOut)
	}
	if _, err := keys.Authenticate(context.Background(), m[2]); err == nil {
		t.Error("a revoked key still works")
	}
	if code, _, _ = runCmd(t, append([]string{"open311", "revoke", "--id", "99999"}, args...)...); code == 0 {
		t.Error("revoking no client succeeded")
	}
}
