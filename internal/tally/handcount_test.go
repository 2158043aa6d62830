package tally_test

import (
	"context"
	"strconv"
	"testing"

	"onestop/internal/calendar"
	"onestop/internal/tally"
)

type want struct {
	received, online, accepted, completed, onTime, overdue, deemedAcc, deemedAppr int
	avgUsed, avgPromised                                                          float64
}

func check(t *testing.T, what string, r tally.Row, w want) {
	t.Helper()
	got := want{r.Received, r.ReceivedOnline, r.Accepted, r.Completed, r.OnTime, r.Overdue, r.DeemedAccepted, r.DeemedApproved, r.AvgWorkingDays, r.AvgPromisedDays}
	if got != w {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, w)
	}
	rate := func(n, d int) float64 {
		if d == 0 {
			return 0
		}
		return min(float64(n)/float64(d), 1)
	}
	if r.OnlineRate != rate(w.online, w.received) || r.OnTimeRate != rate(w.onTime, w.completed) || r.CompletionRate != rate(w.completed, w.accepted) {
		t.Errorf("%s rates: online %v on time %v completion %v", what, r.OnlineRate, r.OnTimeRate, r.CompletionRate)
	}
	if r.SatisfactionRate != nil {
		t.Errorf("%s: satisfaction before the evaluation issue", what)
	}
}

// The bulletin of November 2026 equals the hand count of the cases built
// through the engine (see november), by department, centre and township
// and in total, with the previous period and the ranks; the totals equal
// a full recount, and a recount changes nothing.
func TestBulletinMatchesHandCount(t *testing.T) {
	ctx := context.Background()
	w, _ := november(t)
	sup := supervisor(t, w, "supervisor")
	q := tally.Query{From: calendar.MustParseDate("2026-11-01"), To: calendar.MustParseDate("2026-11-30"), By: "department"}
	assert := func(stage string) {
		t.Helper()
		b, err := tally.Bulletin(ctx, w.DB, sup, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Items) != 2 {
			t.Fatalf("%s: %d departments: %+v", stage, len(b.Items), b.Items)
		}
		mzj, fgj := b.Items[0], b.Items[1]
		if mzj.Key != strconv.FormatInt(w.Depts["MZJ"], 10) || fgj.Key != strconv.FormatInt(w.Depts["FGJ"], 10) || mzj.Rank != 1 || fgj.Rank != 2 {
			t.Fatalf("%s: order/rank %s#%d %s#%d", stage, mzj.Key, mzj.Rank, fgj.Key, fgj.Rank)
		}
		check(t, stage+" FGJ", fgj, want{7, 1, 6, 5, 3, 2, 1, 1, 4, 4})
		check(t, stage+" MZJ", mzj, want{3, 1, 2, 2, 2, 0, 0, 0, 2, 2.5})
		check(t, stage+" total", b.Total, want{10, 2, 8, 7, 5, 2, 1, 1, 24.0 / 7, 25.0 / 7})
		if fgj.Prev == nil || fgj.Prev.Received != 1 || fgj.Prev.DeemedAccepted != 1 || mzj.Prev != nil {
			t.Errorf("%s: previous period FGJ %+v MZJ %+v", stage, fgj.Prev, mzj.Prev)
		}
		if fgj.County == "" || fgj.Name == "" {
			t.Errorf("%s: names %+v", stage, fgj)
		}
	}
	assert("witness")
	qc := q
	qc.By = "centre"
	b, err := tally.Bulletin(ctx, w.DB, sup, qc)
	if err != nil || len(b.Items) != 2 {
		t.Fatalf("centres %+v %v", b, err)
	}
	if b.Items[0].Received != 1 || b.Items[0].Completed != 1 || b.Items[1].Received != 9 {
		t.Errorf("centres: township %+v, hall %+v", b.Items[0], b.Items[1])
	}
	qc.By = "township"
	b, err = tally.Bulletin(ctx, w.DB, sup, qc)
	if err != nil || len(b.Items) != 2 || len(b.Items[0].Key) != 9 || b.Items[0].Received != 1 || b.Items[1].Key != sup.County() || b.Items[1].Received != 9 {
		t.Fatalf("townships %+v %v", b, err)
	}
	diffs, err := tally.Check(ctx, w.DB)
	if err != nil || len(diffs) != 0 {
		t.Fatalf("totals differ from a recount: %v %v", diffs, err)
	}
	if err := tally.Recount(ctx, w.DB); err != nil {
		t.Fatal(err)
	}
	assert("recount")
	months, err := tally.Months(ctx, w.DB, sup, calendar.MustParseDate("2026-10-01"), calendar.MustParseDate("2026-11-30"), "")
	if err != nil || len(months) != 2 || months[0].Key != "2026-10" || months[0].Received != 1 || months[1].Received != 10 {
		t.Fatalf("months %+v %v", months, err)
	}
}

// Check names the row a stored total was changed in, for day and month.
func TestCheckFindsATamperedTotal(t *testing.T) {
	ctx := context.Background()
	w, _ := november(t)
	if _, err := w.DB.W.ExecContext(ctx, `UPDATE supervision_totals SET on_time = on_time + 1 WHERE department_id = $1 AND on_time > 0`, w.Depts["MZJ"]); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.W.ExecContext(ctx, `UPDATE supervision_months SET received = received - 1 WHERE department_id = $1`, w.Depts["FGJ"]); err != nil {
		t.Fatal(err)
	}
	diffs, err := tally.Check(ctx, w.DB)
	if err != nil {
		t.Fatal(err)
	}
	var days, months int
	for _, d := range diffs {
		switch {
		case d.Table == "supervision_totals" && d.DepartmentID == w.Depts["MZJ"] && d.Stored[tally.OnTime] == d.Recounted[tally.OnTime]+1:
			days++
		case d.Table == "supervision_months" && d.DepartmentID == w.Depts["FGJ"] && d.Stored[tally.Received] == d.Recounted[tally.Received]-1:
			months++
		default:
			t.Errorf("unexpected difference %s", d)
		}
	}
	// MZJ completed on two days (m1 on the 6th, t1 on the 3rd at another
	// centre); FGJ has October and November rows.
	if days != 2 || months != 2 {
		t.Fatalf("found %d day rows, %d month rows: %v", days, months, diffs)
	}
	if err := tally.Recount(ctx, w.DB); err != nil {
		t.Fatal(err)
	}
	if diffs, err := tally.Check(ctx, w.DB); err != nil || len(diffs) != 0 {
		t.Fatalf("after recount: %v %v", diffs, err)
	}
}
