package monitor_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/applicants"
	"onestop/internal/cases"
	"onestop/internal/catalogue/cataloguetest"
	"onestop/internal/clock"
	"onestop/internal/monitor"
)

// A board is one instant: its counts and its list of urgent cases are
// coloured as of the monitor's clock, even when the engine's clock has
// moved on between the two queries (a day passing mid-board once showed
// a red row beside a red count of 0 on the live monitor).
func TestBoardCountsAndListsAtOneInstant(t *testing.T) {
	ctx := context.Background()
	w := cataloguetest.Setup(t)
	filed := cataloguetest.Now
	later := filed.Add(60 * 24 * time.Hour) // far past the promised and statutory days
	at := filed
	eng := cases.New(w.DB, w.Cat, func() time.Time { return at })
	if err := cases.EnsureCalendar(ctx, w.DB, filed); err != nil {
		t.Fatal(err)
	}
	w.Create(t, "T-001", cataloguetest.Content(w.Depts["FGJ"]))
	app, err := (&applicants.Service{DB: w.DB, Now: eng.Now}).Register(ctx, applicants.Input{Kind: "citizen",
		IDNumber: "11010519491231002X", Name: "王小明", Phone: "13800138000"}, false)
	if err != nil {
		t.Fatal(err)
	}
	clerk, err := w.Org.StaffByUsername(ctx, "clerk")
	if err != nil {
		t.Fatal(err)
	}
	actor := cases.StaffActor(clerk.Actor("192.0.2.9"))
	c, err := eng.Submit(ctx, actor, cases.SubmitInput{ItemCode: "T-001", ApplicantID: app.ID,
		Materials: []cases.MaterialChange{{Seq: 1, Paper: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Act(ctx, actor, c.No, cases.ActAccept, cases.Input{Version: c.Version}); err != nil {
		t.Fatal(err)
	}
	sc, err := monitor.ScopeOf(w.Actors["supervisor"], "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		board, cases time.Time
		want         clock.Light
	}{
		{"the day the case was accepted", filed, later, clock.Green},
		{"two months on", later, filed, clock.Red},
	} {
		at = tc.cases
		m := &monitor.Monitor{DB: w.DB, Engine: eng, Now: func() time.Time { return tc.board }}
		b, err := m.Board(ctx, sc, monitor.Department)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Urgent) != 1 || b.Urgent[0].No != c.No {
			t.Fatalf("%s: urgent list %+v", tc.name, b.Urgent)
		}
		red := 0
		if tc.want == clock.Red {
			red = 1
		}
		if b.Urgent[0].Light != tc.want || b.Totals.Red != red {
			t.Errorf("%s: the row is %s and the red count %d; want %s and %d", tc.name, b.Urgent[0].Light, b.Totals.Red, tc.want, red)
		}
	}
}
