package main

import (
	"strings"
	"testing"
)

// The demo's cases, made through the engine, leave totals equal to a
// recount; changing one stored figure makes verify fail and name the row.
func TestVerifyRecountsTheSupervisionTotals(t *testing.T) {
	args, db := demoDB(t, 20)
	code, out, errOut := runCmd(t, append([]string{"verify"}, args...)...)
	if code != 0 || !strings.Contains(out, "supervision totals equal a recount") {
		t.Fatalf("verify clean: %d %s %s", code, out, errOut)
	}
	var n int
	if err := db.R.QueryRow(`SELECT COUNT(*) FROM supervision_totals WHERE received > 0`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("the demo's cases left no totals: %d %v", n, err)
	}
	if _, err := db.W.Exec(`UPDATE supervision_totals SET completed = completed + 1 WHERE day = (SELECT MIN(day) FROM supervision_totals WHERE received > 0)`); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCmd(t, append([]string{"verify"}, args...)...)
	if code == 0 || !strings.Contains(out, "TOTALS supervision_totals ") || !strings.Contains(out, "completed stored") {
		t.Fatalf("verify tampered: %d %s", code, out)
	}
	// --recount repairs them (as after an upgrade, when the cases predate
	// the totals).
	code, out, errOut = runCmd(t, append([]string{"verify", "--recount"}, args...)...)
	if code != 0 || !strings.Contains(out, "recounted") || !strings.Contains(out, "supervision totals equal a recount") {
		t.Fatalf("verify --recount: %d %s %s", code, out, errOut)
	}
}
