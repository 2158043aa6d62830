package bulletin_test

import (
	"bytes"
	"context"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"onestop/internal/apperr"
	"onestop/internal/bulletin"
	"onestop/internal/calendar"
	"onestop/internal/demo"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/tally"
	"onestop/internal/testutil"
)

var today = calendar.MustParseDate("2026-05-14")

func TestParsePeriod(t *testing.T) {
	ok := []struct {
		code, from, to string
		kind           bulletin.Kind
		wantFrom       string
		wantTo         string
		issue          int
	}{
		{"", "", "", bulletin.Month, "2026-05-01", "2026-05-31", 5},
		{"2026-02", "", "", bulletin.Month, "2026-02-01", "2026-02-28", 2},
		{"2024-02", "", "", bulletin.Month, "2024-02-01", "2024-02-29", 2},
		{"2026-Q4", "", "", bulletin.Quarter, "2026-10-01", "2026-12-31", 4},
		{"2026-q1", "", "", bulletin.Quarter, "2026-01-01", "2026-03-31", 1},
		{"2026-H2", "", "", bulletin.Half, "2026-07-01", "2026-12-31", 2},
		{"2025", "", "", bulletin.Year, "2025-01-01", "2025-12-31", 1},
		{"2026-03", "2026-03-05", "2026-03-05", bulletin.Range, "2026-03-05", "2026-03-05", 0},
	}
	for _, c := range ok {
		p, err := bulletin.Parse(c.code, c.from, c.to, today)
		if err != nil {
			t.Fatalf("%q %q %q: %v", c.code, c.from, c.to, err)
		}
		if p.Kind != c.kind || p.From.String() != c.wantFrom || p.To.String() != c.wantTo || p.Issue() != c.issue {
			t.Errorf("%q %q %q: %+v issue %d", c.code, c.from, c.to, p, p.Issue())
		}
		if p.Kind != bulletin.Range {
			if back, _ := bulletin.Parse(p.Code(), "", "", today); back != p {
				t.Errorf("%s does not read back: %+v", p.Code(), back)
			}
		}
	}
	long := string(bytes.Repeat([]byte("9"), 50000))
	bad := []struct{ code, from, to, field string }{
		{"2026-13", "", "", "period"},
		{"2026-00", "", "", "period"},
		{"2026-Q5", "", "", "period"},
		{"1999", "", "", "period"},
		{"9999-01", "", "", "period"},
		{"last month", "", "", "period"},
		{long, "", "", "period"},
		{"", "2026-03-05", "", "to"},
		{"", "", "2026-03-05", "from"},
		{"", "2026-03-06", "2026-03-05", "to"},
		{"", "2026-02-30", "2026-03-05", "from"},
		{"", "2000-01-01", "2026-03-05", "to"},
		{"", long, long, "from"},
	}
	for _, c := range bad {
		_, err := bulletin.Parse(c.code, c.from, c.to, today)
		ae := apperr.As(err)
		if ae == nil || ae.Code != apperr.Invalid || ae.Fields[c.field].Key == "" {
			t.Errorf("%.20q %q %q: %v, want a problem with %s", c.code, c.from, c.to, err, c.field)
		}
	}
}

func TestChoices(t *testing.T) {
	m, q, h, y := bulletin.Choices(today)
	if len(m) != 24 || m[0].Code() != "2026-05" || m[4].Code() != "2026-01" || m[5].Code() != "2025-12" {
		t.Fatalf("months %v %v", m[0].Code(), m[5].Code())
	}
	if q[0].Code() != "2026-Q2" || q[2].Code() != "2025-Q4" || h[0].Code() != "2026-H1" || h[1].Code() != "2025-H2" || y[2].Code() != "2024" {
		t.Fatalf("%s %s %s %s %s", q[0].Code(), q[2].Code(), h[0].Code(), h[1].Code(), y[2].Code())
	}
}

func rate(v float64) *float64 { return &v }

// handBulletin is a small hand-counted bulletin.
func handBulletin(q tally.Query) *tally.Report {
	a := tally.Row{Key: "1", Name: "县市场监督管理局", Received: 10, Accepted: 9, Completed: 8, OnTime: 6, Overdue: 2,
		CompletionRate: 0.8, OnTimeRate: 0.75, OnlineRate: 0.4, AvgWorkingDays: 3.5, AvgPromisedDays: 5, DeemedAccepted: 1,
		Anomalies: 3, Orders: 1, Rank: 2, Prev: &tally.Row{Received: 12, Completed: 10, OnTimeRate: 0.9}}
	b := tally.Row{Key: "2", Name: "县民政局 <&>", Received: 4, Accepted: 4, Completed: 4, OnTime: 4, CompletionRate: 1, OnTimeRate: 1,
		OnlineRate: 0.25, AvgWorkingDays: 2, AvgPromisedDays: 4, DeemedApproved: 1, Rank: 1, SatisfactionRate: rate(0.95)}
	return &tally.Report{Query: q, Items: []tally.Row{b, a}, Total: tally.Row{Name: "合计", Received: 14, Accepted: 13, Completed: 12,
		OnTime: 10, Overdue: 2, CompletionRate: 12.0 / 14, OnTimeRate: 10.0 / 12, OnlineRate: 5.0 / 14, AvgWorkingDays: 3, AvgPromisedDays: 4.7,
		DeemedAccepted: 1, DeemedApproved: 1, Anomalies: 3, Orders: 1}}
}

// The workbook carries the same figures as the bulletin, cell for cell;
// "no figure" is "—", never a zero.
func TestWorkbook(t *testing.T) {
	b := handBulletin(tally.Query{})
	var buf bytes.Buffer
	err := bulletin.Workbook(&buf, b, false, bulletin.Labels{Sheet: "通报", Heading: "2026年第5期", Name: "部门", Total: "合计",
		Header: func(k string) string { return "h:" + k }})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("通报", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "2026年第5期" || rows[1][0] != "部门" || len(rows) != 2+len(b.Items)+1 {
		t.Fatalf("layout: %v", rows[:2])
	}
	for i, r := range append(append([]tally.Row{}, b.Items...), b.Total) {
		cells := rows[2+i]
		if i < len(b.Items) && cells[0] != r.Name {
			t.Fatalf("row %d name %q", i, cells[0])
		}
		for j, c := range bulletin.Columns {
			if rows[1][1+j] != "h:"+c.Key {
				t.Fatalf("header %d = %q", j, rows[1][1+j])
			}
			got := ""
			if 1+j < len(cells) {
				got = cells[1+j]
			}
			v, ok := c.Value(r)
			if i == len(b.Items) && c.Key == "rank" {
				ok = false
			}
			if !ok {
				if got != "—" {
					t.Errorf("row %d %s: %q, want —", i, c.Key, got)
				}
				continue
			}
			n, err := strconv.ParseFloat(got, 64)
			// A spreadsheet keeps 15 significant digits.
			if err != nil || math.Abs(n-v) > 1e-12 {
				t.Errorf("row %d %s: %q, want %v", i, c.Key, got, v)
			}
		}
	}
}

// world is the demo county plus a second county of a province, with a
// supervisor in each.
type world struct {
	db         *store.DB
	svc        *bulletin.Service
	supA, supB org.Actor
	leader     org.Actor
}

func newWorld(t *testing.T) *world {
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatal(err)
	}
	if err := demo.EnsureProvince(ctx, db, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	os := &org.Service{DB: db, Now: time.Now}
	actor := func(u string) org.Actor {
		st, err := os.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		return st.Actor("192.0.2.1")
	}
	now := time.Date(2026, 5, 14, 2, 0, 0, 0, time.UTC)
	return &world{db: db, supA: actor("supervisor"), supB: actor("c430121.supervisor"), leader: actor("leader"),
		svc: &bulletin.Service{DB: db, Now: func() time.Time { return now }, Compute: func(_ context.Context, _ org.Actor, q tally.Query) (*tally.Report, error) {
			return handBulletin(q), nil
		}}}
}

// Publishing freezes the figures; the same period again is refused unless
// a new version is asked for, and then the first stays on the record,
// marked replaced, while the portal lists the new one only. Each
// publication is on the audit record.
func TestPublishVersions(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	p, _ := bulletin.Parse("2026-04", "", "", today)
	in := bulletin.Input{Period: p, By: "department", Title: "2026年第4期效能监察通报"}
	first, err := w.svc.Publish(ctx, w.supA, in)
	if err != nil {
		t.Fatal(err)
	}
	if first.County != "431022" || first.Version != 1 {
		t.Fatalf("%+v", first)
	}
	if _, err := w.svc.Publish(ctx, w.supA, in); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("publishing twice: %v, want a conflict", err)
	}
	in.NewVersion = true
	second, err := w.svc.Publish(ctx, w.supA, in)
	if err != nil || second.Version != 2 {
		t.Fatalf("new version: %+v %v", second, err)
	}
	old, err := w.svc.Get(ctx, first.ID)
	if err != nil || old.ReplacedBy != second.ID {
		t.Fatalf("the first is not marked replaced: %+v %v", old, err)
	}
	if old.Figures.Items[1].Name != "县市场监督管理局" || old.Figures.Total.Received != 14 || old.Figures.Items[0].SatisfactionRate == nil {
		t.Fatalf("figures not kept: %+v", old.Figures)
	}
	list, n, err := w.svc.List(ctx, bulletin.Filter{})
	if err != nil || n != 1 || list[0].ID != second.ID {
		t.Fatalf("portal list %d %v", n, err)
	}
	if _, n, _ := w.svc.List(ctx, bulletin.Filter{All: true}); n != 2 {
		t.Fatalf("staff list %d, want both versions", n)
	}
	var audited int
	if err := w.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'bulletin' AND action = 'publish'`).Scan(&audited); err != nil || audited != 2 {
		t.Fatalf("audit entries %d %v", audited, err)
	}
}

// Only a supervisor publishes; a county's supervisor publishes for their
// own county only, and cannot withdraw another county's bulletin; a
// withdrawal needs a reason and leaves the portal list.
func TestPublishScope(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	p, _ := bulletin.Parse("2026-Q1", "", "", today)
	in := bulletin.Input{Period: p, By: "centre", Title: "一季度通报"}
	if _, err := w.svc.Publish(ctx, w.leader, in); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a leader published: %v", err)
	}
	in.County = "430121"
	if _, err := w.svc.Publish(ctx, w.supA, in); apperr.As(err) == nil || apperr.As(err).Fields["county"].Key == "" {
		t.Fatalf("another county's bulletin: %v", err)
	}
	in.County = ""
	in.By = "county"
	if _, err := w.svc.Publish(ctx, w.supA, in); apperr.As(err) == nil || apperr.As(err).Fields["by"].Key == "" {
		t.Fatalf("a county grouping: %v", err)
	}
	in.By = "centre"
	a, err := w.svc.Publish(ctx, w.supA, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Withdraw(ctx, w.supB, a.ID, "不是我的"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("county B withdrew county A's bulletin: %v", err)
	}
	if err := w.svc.Withdraw(ctx, w.supA, a.ID, " "); apperr.As(err) == nil || apperr.As(err).Fields["reason"].Key == "" {
		t.Fatalf("no reason: %v", err)
	}
	if err := w.svc.Withdraw(ctx, w.supA, a.ID, "数据口径有误"); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Withdraw(ctx, w.supA, a.ID, "again"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("withdrawn twice: %v", err)
	}
	if _, n, _ := w.svc.List(ctx, bulletin.Filter{}); n != 0 {
		t.Fatal("a withdrawn bulletin is still listed")
	}
	got, err := w.svc.Get(ctx, a.ID)
	if err != nil || got.WithdrawnAt == nil || got.WithdrawnReason != "数据口径有误" {
		t.Fatalf("%+v %v", got, err)
	}
}
