package tally_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"onestop/internal/apperr"
	"onestop/internal/cases"
	"onestop/internal/store"
	"onestop/internal/tally"
)

func sums(t *testing.T, w *world) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"supervision_totals", "supervision_months"} {
		var rec, acc, comp int
		if err := w.DB.R.QueryRow(`SELECT COALESCE(SUM(received), 0), COALESCE(SUM(accepted), 0), COALESCE(SUM(completed), 0) FROM `+table).Scan(&rec, &acc, &comp); err != nil {
			t.Fatal(err)
		}
		out[table+".received"], out[table+".accepted"], out[table+".completed"] = rec, acc, comp
	}
	return out
}

type failing struct{}

func (failing) Witness(context.Context, store.Querier, cases.Change) error {
	return errors.New("disk full")
}

// Two clerks accepting one case at once: one wins, the loser's
// transaction counts nothing. A transition rolled back after the witness
// ran (a later witness fails) leaves no count either; a refused action
// never reaches the witness.
func TestWitnessCountsOnlyCommittedTransitions(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.set("2026-11-02")
	c := w.submit("clerk", "T-001")
	base := sums(t, w)
	if base["supervision_totals.received"] != 1 || base["supervision_months.received"] != 1 {
		t.Fatalf("after submit %v", base)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			eng := cases.New(w.DB, w.Cat, w.clock)
			eng.Witnesses = []cases.Witness{tally.Witness{}}
			_, errs[i] = eng.Act(ctx, w.actors["clerk"], c.No, cases.ActAccept, cases.Input{Version: c.Version})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !apperr.Is(err, apperr.Conflict):
			t.Fatalf("lost race: %v", err)
		}
	}
	if got := sums(t, w); won != 1 || got["supervision_totals.accepted"] != 1 || got["supervision_months.accepted"] != 1 {
		t.Fatalf("%d won; totals %v", won, got)
	}
	// The approval's witness runs, then a later witness fails: nothing of
	// the transition stays, its count included.
	w.set("2026-11-03")
	w.act("reviewer", c.No, cases.ActForward, cases.Input{Opinion: "同意"})
	w.act("approver", c.No, cases.ActApprove, cases.Input{Opinion: "同意"})
	before := sums(t, w)
	broken := cases.New(w.DB, w.Cat, w.clock)
	broken.Witnesses = []cases.Witness{tally.Witness{}, failing{}}
	if _, err := broken.Act(ctx, w.actors["clerk"], c.No, cases.ActComplete, cases.Input{}); err == nil {
		t.Fatal("a failing witness did not roll the transition back")
	}
	if got := sums(t, w); got["supervision_totals.completed"] != 0 || got["supervision_months.completed"] != 0 || got["supervision_totals.received"] != before["supervision_totals.received"] {
		t.Fatalf("rolled-back completion counted: %v", got)
	}
	// Refused (wrong state): counts nothing; then the real completion counts once.
	if _, err := w.eng.Act(ctx, w.actors["clerk"], c.No, cases.ActAccept, cases.Input{}); err == nil {
		t.Fatal("accepted twice")
	}
	w.act("clerk", c.No, cases.ActComplete, cases.Input{})
	if got := sums(t, w); got["supervision_totals.completed"] != 1 || got["supervision_totals.accepted"] != 1 || got["supervision_totals.received"] != 1 {
		t.Fatalf("after completion %v", got)
	}
	if diffs, err := tally.Check(ctx, w.DB); err != nil || len(diffs) != 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
}
