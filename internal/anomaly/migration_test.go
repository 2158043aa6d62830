package anomaly_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"onestop/internal/cases"
)

// Migration 00012 turns the deemed-approval flags written before it
// (supervision_flags, shown nowhere) into T05 anomalies with the fact key
// and the event the rule uses, so nothing is lost and a later replay finds
// them already raised. The test makes such a flag the old way (an engine
// without the anomaly witness), runs the migration's statement and
// replays.
func TestMigrationKeepsDeemedApprovalFlags(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.eng.Witnesses = nil // the engine as it was before issue 12
	c := w.submit("T-002", 1, 2)
	c = w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	w.set(at(c.Deadline.AddDays(1)))
	if r, err := w.eng.Sweep(ctx); err != nil || r.DeemedApproved != 1 {
		t.Fatalf("sweep: %+v %v", r, err)
	}
	if got := w.raised(c.No); len(got) != 0 {
		t.Fatalf("raised without the witness: %+v", got)
	}
	sql, err := os.ReadFile("../store/migrations/" + string(w.db.Dialect) + "/00012_anomalies.sql")
	if err != nil {
		t.Fatal(err)
	}
	text := string(sql)
	i := strings.Index(text, "INSERT INTO anomalies ")
	j := strings.Index(text[i:], ";")
	if i < 0 || j < 0 {
		t.Fatal("the migration has no statement moving the flags")
	}
	if _, err := w.db.W.ExecContext(ctx, text[i:i+j]); err != nil {
		t.Fatal(err)
	}
	got := w.raised(c.No)
	if len(got["T05"]) != 1 || got["T05"][0].Fact != cases.ActDeemApprove || len(got["T05"][0].Events) != 1 || got["T05"][0].Events[0] != 3 ||
		!strings.Contains(got["T05"][0].Detail["note"].(string), "超时默认") {
		t.Fatalf("migrated flag: %+v", got)
	}
	w.scan()
	if got := w.raised(c.No); len(got["T05"]) != 1 {
		t.Fatalf("the replay raised the migrated flag again: %+v", got["T05"])
	}
}
