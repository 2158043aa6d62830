package tally_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/tally"
	"onestop/internal/testutil"
)

// twoCounties builds two counties (330100 with a hall and a township
// centre, 330200 with a hall) and a department in each, with no cases:
// the bulletin's own arithmetic is tested on totals added by hand.
func twoCounties(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	now := time.Now()
	for _, q := range []string{
		`INSERT INTO regions (code, name, level, created_at, updated_at) VALUES ('330100', 'County A', 'county', $1, $1)`,
		`INSERT INTO regions (code, name, level, parent_code, created_at, updated_at) VALUES ('330100101', 'Town A1', 'township', '330100', $1, $1)`,
		`INSERT INTO regions (code, name, level, created_at, updated_at) VALUES ('330200', 'County B', 'county', $1, $1)`,
		`INSERT INTO centres (id, code, name, kind, region_code, created_at, updated_at) VALUES (7, 'C7', 'Hall A', 'hall', '330100', $1, $1)`,
		`INSERT INTO centres (id, code, name, kind, region_code, created_at, updated_at) VALUES (8, 'C8', 'Town centre A1', 'township', '330100101', $1, $1)`,
		`INSERT INTO centres (id, code, name, kind, region_code, created_at, updated_at) VALUES (9, 'C9', 'Hall B', 'hall', '330200', $1, $1)`,
		`INSERT INTO departments (id, code, name, short_name, mode, region_code, created_at, updated_at) VALUES (3, 'D3', 'Dept A', 'DA', 'seated', '330100', $1, $1)`,
		`INSERT INTO departments (id, code, name, short_name, mode, region_code, created_at, updated_at) VALUES (4, 'D4', 'Dept B', 'DB', 'seated', '330200', $1, $1)`,
	} {
		if _, err := db.W.ExecContext(ctx, q, now); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func add(t *testing.T, db *store.DB, day string, dept, centre int64, figs map[tally.Column]int) {
	t.Helper()
	k := tally.Key{Day: calendar.MustParseDate(day), DepartmentID: dept, CentreID: centre}
	if err := tally.Add(context.Background(), db.W, k, figs); err != nil {
		t.Fatal(err)
	}
}

var (
	supA     = org.Actor{StaffID: 1, Role: org.Supervisor, CentreID: 7, CentreKind: "hall", RegionCode: "330100"}
	leaderB  = org.Actor{StaffID: 2, Role: org.Leader, CentreID: 9, CentreKind: "hall", RegionCode: "330200"}
	province = org.Actor{StaffID: 3, Role: org.Supervisor, Province: true}
)

// A period of whole and partial months reads each fact once: March
// 15..May 10 covers the edge days of March and May from the day rows and
// April from its month row; facts outside the period are not counted.
func TestBulletinEdgesAndScope(t *testing.T) {
	ctx := context.Background()
	db := twoCounties(t)
	add(t, db, "2026-03-14", 3, 7, map[tally.Column]int{tally.Received: 100}) // before the period
	add(t, db, "2026-03-15", 3, 7, map[tally.Column]int{tally.Received: 1, tally.ReceivedOnline: 1, tally.Accepted: 1})
	add(t, db, "2026-04-01", 3, 7, map[tally.Column]int{tally.Received: 2, tally.Completed: 2, tally.OnTime: 1, tally.Overdue: 1, tally.UsedDays: 9, tally.PromisedDays: 10, tally.Accepted: 1})
	add(t, db, "2026-04-30", 3, 8, map[tally.Column]int{tally.Received: 1, tally.Accepted: 1, tally.Completed: 1, tally.OnTime: 1, tally.UsedDays: 1, tally.PromisedDays: 5})
	add(t, db, "2026-05-10", 3, 7, map[tally.Column]int{tally.Received: 1, tally.DeemedApproved: 1})
	add(t, db, "2026-05-11", 3, 7, map[tally.Column]int{tally.Received: 100}) // after
	add(t, db, "2026-04-02", 4, 9, map[tally.Column]int{tally.Received: 50})  // county B
	q := tally.Query{From: calendar.MustParseDate("2026-03-15"), To: calendar.MustParseDate("2026-05-10"), By: "department"}
	b, err := tally.Bulletin(ctx, db, supA, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Items) != 1 {
		t.Fatalf("county A sees %d departments: %+v", len(b.Items), b.Items)
	}
	r := b.Items[0]
	if r.Key != "3" || r.Name != "Dept A" || r.County != "County A" || r.Received != 5 || r.Accepted != 3 || r.Completed != 3 ||
		r.OnTime != 2 || r.Overdue != 1 || r.DeemedApproved != 1 || r.Rank != 1 {
		t.Fatalf("row %+v", r)
	}
	if r.AvgWorkingDays != 10.0/3 || r.AvgPromisedDays != 5 || r.OnTimeRate != 2.0/3 || r.CompletionRate != 1 || r.OnlineRate != 0.2 {
		t.Fatalf("rates %+v", r)
	}
	if b.Total.Received != 5 || b.Total.Prev == nil || b.Total.Prev.Received != 100 {
		t.Fatalf("total %+v prev %+v", b.Total, b.Total.Prev)
	}
	q.By = "township"
	b, err = tally.Bulletin(ctx, db, supA, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Items) != 2 || b.Items[0].Key != "330100101" || b.Items[0].Name != "Town A1" || b.Items[0].Received != 1 || b.Items[1].Received != 4 {
		t.Fatalf("townships %+v", b.Items)
	}
	q.By = "county"
	b, err = tally.Bulletin(ctx, db, province, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Items) != 2 || b.Items[0].Name == b.Items[1].Name || b.Total.Received != 55 {
		t.Fatalf("province %+v total %+v", b.Items, b.Total)
	}
	q.County = "330200"
	b, err = tally.Bulletin(ctx, db, province, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Items) != 1 || b.Items[0].Key != "330200" || b.Items[0].Received != 50 {
		t.Fatalf("province filtered %+v", b.Items)
	}
	// County B's leader asking for county A is refused, not served.
	q.County = "330100"
	if _, err := tally.Bulletin(ctx, db, leaderB, q); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("county B read county A: %v", err)
	}
	q.County = ""
	b, err = tally.Bulletin(ctx, db, leaderB, q)
	if err != nil || b.Total.Received != 50 {
		t.Fatalf("county B total %+v %v", b, err)
	}
	months, err := tally.Months(ctx, db, supA, q.From, q.To, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(months) != 3 || months[0].Key != "2026-03" || months[0].Received != 1 || months[1].Received != 3 || months[2].Key != "2026-05" || months[2].Received != 1 {
		t.Fatalf("months %+v", months)
	}
}

// A bulletin of whole months compares with as many whole months before
// (November with all of October, a quarter with the quarter before); any
// other span with as many days before.
func TestBulletinPreviousPeriod(t *testing.T) {
	ctx := context.Background()
	db := twoCounties(t)
	add(t, db, "2025-09-30", 3, 7, map[tally.Column]int{tally.Received: 1000})
	add(t, db, "2025-10-01", 3, 7, map[tally.Column]int{tally.Received: 1})
	add(t, db, "2025-12-31", 3, 7, map[tally.Column]int{tally.Received: 10})
	add(t, db, "2026-01-05", 3, 7, map[tally.Column]int{tally.Received: 100})
	d := calendar.MustParseDate
	for _, c := range []struct {
		from, to  string
		prev, cur int
	}{
		{"2026-01-01", "2026-03-31", 11, 100},   // Q1 against Oct–Dec, not the 90 days from Oct 3
		{"2025-11-01", "2025-11-30", 1, 0},      // November against October 1–31
		{"2025-10-02", "2026-01-05", 1001, 110}, // 96 days against the 96 before (Jun 28..Oct 1)
	} {
		b, err := tally.Bulletin(ctx, db, supA, tally.Query{From: d(c.from), To: d(c.to), By: "department"})
		if err != nil {
			t.Fatal(err)
		}
		if b.Total.Received != c.cur || b.Total.Prev == nil || b.Total.Prev.Received != c.prev {
			t.Errorf("%s..%s: received %d, previous %+v; want %d, %d", c.from, c.to, b.Total.Received, b.Total.Prev, c.cur, c.prev)
		}
	}
}

// Wrong questions are field errors; readers outside supervision and
// another county's filter are refused.
func TestBulletinRefuses(t *testing.T) {
	ctx := context.Background()
	db := twoCounties(t)
	d := calendar.MustParseDate
	for name, c := range map[string]struct {
		a     org.Actor
		q     tally.Query
		code  apperr.Code
		field string
	}{
		"to before from":      {supA, tally.Query{From: d("2026-03-02"), To: d("2026-03-01"), By: "department"}, apperr.Invalid, "to"},
		"over a year":         {supA, tally.Query{From: d("2026-01-01"), To: d("2027-01-02"), By: "department"}, apperr.Invalid, "to"},
		"no from":             {supA, tally.Query{To: d("2026-03-01"), By: "department"}, apperr.Invalid, "from"},
		"bad by":              {supA, tally.Query{From: d("2026-03-01"), To: d("2026-03-31"), By: "cases; --"}, apperr.Invalid, "by"},
		"bad county":          {province, tally.Query{From: d("2026-03-01"), To: d("2026-03-31"), By: "county", County: "33%"}, apperr.Invalid, "county"},
		"other county":        {supA, tally.Query{From: d("2026-03-01"), To: d("2026-03-31"), By: "county", County: "330200"}, apperr.Forbidden, ""},
		"clerk":               {org.Actor{Role: org.Clerk, CentreID: 7, CentreKind: "hall", RegionCode: "330100"}, tally.Query{From: d("2026-03-01"), To: d("2026-03-31"), By: "department"}, apperr.Forbidden, ""},
		"centre admin":        {org.Actor{Role: org.CentreAdmin, CentreID: 7, CentreKind: "hall", RegionCode: "330100"}, tally.Query{From: d("2026-03-01"), To: d("2026-03-31"), By: "department"}, apperr.Forbidden, ""},
		"township supervisor": {org.Actor{Role: org.Supervisor, CentreID: 8, CentreKind: "township", RegionCode: "330100101"}, tally.Query{From: d("2026-03-01"), To: d("2026-03-31"), By: "department"}, apperr.Forbidden, ""},
		"no centre, no flag":  {org.Actor{Role: org.Leader}, tally.Query{From: d("2026-03-01"), To: d("2026-03-31"), By: "department"}, apperr.Forbidden, ""},
	} {
		_, err := tally.Bulletin(ctx, db, c.a, c.q)
		if apperr.CodeOf(err) != c.code {
			t.Errorf("%s: %v, want %s", name, err, c.code)
			continue
		}
		if c.field != "" {
			if e := apperr.As(err); e == nil || e.Fields[c.field].Key == "" {
				t.Errorf("%s: %v, want a problem with %s", name, err, c.field)
			}
		}
	}
}
