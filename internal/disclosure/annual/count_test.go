package annual_test

import (
	"testing"
	"time"

	"onestop/internal/disclosure"
	"onestop/internal/disclosure/annual"
)

// shanghai is an instant given as Shanghai wall time.
func shanghai(day string, hour, min int) time.Time {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		panic(err)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), hour, min, 0, 0, time.FixedZone("CST", 8*3600)).UTC()
}

// handCounted writes the data set the expectations of TestCountHandCounted
// were counted from by hand, for the year 2025 of the department's organ.
func (w *world) handCounted() {
	d, g := w.dept.ID, w.gov.ID
	// Table 三.
	w.request(d, disclosure.Person, "2024-12-20", "2025-01-10", disclosure.Disclosed)               // 二 and （一）
	w.request(d, disclosure.Person, "2024-11-01", "2024-12-01", disclosure.Partial)                 // concluded before: nowhere
	fee := w.request(d, disclosure.Business, "2025-03-01", "2025-03-20", disclosure.WithheldSecret) // 一, （三）1
	w.request(d, disclosure.Business, "2025-12-20", "", "")                                         // 一 and 四
	w.request(d, disclosure.Research, "2025-06-01", "2026-01-05", disclosure.UnableNotHeld)         // 一 and 四: concluded after the year
	w.request(d, disclosure.Person, "", "", "")                                                     // filed online, not confirmed: nowhere
	w.request(d, disclosure.LegalService, "2025-02-02", "2025-02-20", disclosure.DeclinedRepeat)    // 一, （五）2
	w.request(d, disclosure.OtherOrg, "2025-04-01", "2025-04-10", disclosure.OtherUnpaid)           // 一, （六）2
	w.request(d, disclosure.PublicInterest, "2026-01-03", "", "")                                   // next year's
	w.request(d, disclosure.Person, "2025-05-05", "2025-05-06", disclosure.Partial)                 // 一, （二）
	w.request(g, disclosure.Person, "2025-05-05", "2025-05-06", disclosure.Disclosed)               // another organ's
	w.exec(`UPDATE disclosure_requests SET fee_fen = 5000 WHERE id = $1`, fee)
	for _, e := range [][2]string{{"fee_notice", "2025-03-03"}, {"fee_paid", "2025-03-10"}} {
		w.exec(`INSERT INTO disclosure_request_events (request_id, kind, day, at) VALUES ($1, $2, $3, $4)`, fee, e[0], e[1], now)
	}

	// Table 二: policy documents and decisions.
	w.entry(d, "policy", "rule", "2025-03-01", "", "published")                // issued, in force
	w.entry(d, "policy", "rule", "2020-01-01", "2025-06-01", "published")      // repealed
	w.entry(d, "policy", "normative", "2019-01-01", "", "published")           // in force
	w.entry(d, "policy", "normative", "2024-05-05", "2026-02-01", "published") // in force on 31 December
	w.entry(d, "policy", "normative", "2025-12-31", "", "draft")               // not published: nowhere
	w.entry(g, "policy", "normative", "2025-03-03", "", "published")           // another organ's
	w.entry(d, "decisions", "penalty", "2025-07-01", "", "published")          // 行政处罚
	w.entry(d, "decisions", "penalty", "2025-07-02", "", "withdrawn")          // withdrawn: nowhere
	w.entry(d, "decisions", "enforcement", "", "", "published")                // created 2025-08-08: 行政强制
	w.entry(d, "decisions", "licensing", "2024-12-31", "", "published")        // last year's
	w.entry(d, "decisions", "licensing", "2025-10-10", "", "published")        // a licensing decision made outside OneStop
	// Licensing cases: decided on 1 January at 01:00 Shanghai (still 2024
	// in UTC) counts; 00:30 and 07:00 on 1 January 2026 do not; a filing
	// (备案) decision is no licensing decision.
	a := w.decidedCase(w.dept.DepartmentID, "licensing", shanghai("2025-01-01", 1, 0))
	w.decidedCase(w.dept.DepartmentID, "licensing", shanghai("2025-06-01", 10, 0))
	w.decidedCase(w.dept.DepartmentID, "licensing", shanghai("2026-01-01", 0, 30))
	w.decidedCase(w.dept.DepartmentID, "licensing", shanghai("2026-01-01", 7, 0)) // still 2025 in UTC
	var other int64
	if err := w.db.R.QueryRow(`SELECT id FROM departments WHERE id <> $1 ORDER BY id LIMIT 1`, w.dept.DepartmentID).Scan(&other); err != nil {
		w.t.Fatal(err)
	}
	b := w.decidedCase(other, "licensing", shanghai("2025-06-01", 10, 0))
	// Fees: one notice of 40 yuan, 30 of it for the department's case;
	// paid in full in March, 20 yuan refunded in April (15 of it the
	// department's share); a payment at 23:00 on 31 December 2024 is last
	// year's.
	notice := func(ref string) int64 {
		w.exec(`INSERT INTO payment_notices (ref, centre_id, total_fen, paid_fen, state, issued_by, issued_at) VALUES ($1, $2, 4000, 4000, 'paid', $3, $4)`,
			ref, w.clerk.CentreID, w.clerk.StaffID, now)
		n := w.id(`SELECT id FROM payment_notices WHERE ref = $1`, ref)
		w.exec(`INSERT INTO payment_notice_lines (notice_id, case_id, seq, name, basis, standard_fen, amount_fen) VALUES ($1, $2, 1, '工本费', '依据', 3000, 3000), ($1, $3, 2, '工本费', '依据', 1000, 1000)`, n, a, b)
		return n
	}
	n1, n2 := notice("JK-T-1"), notice("JK-T-2")
	pay := func(n int64, kind string, fen int64, at time.Time) {
		w.exec(`INSERT INTO payments (notice_id, kind, amount_fen, method, recorded_at) VALUES ($1, $2, $3, 'cash', $4)`, n, kind, fen, at)
	}
	pay(n1, "payment", 4000, shanghai("2025-03-01", 10, 0))
	pay(n1, "refund", 2000, shanghai("2025-04-01", 10, 0))
	pay(n2, "payment", 4000, shanghai("2024-12-31", 23, 0))

	// Table 四.
	w.appeal(d, "review", "2025-02-01", "maintained", "2025-05-01")
	w.appeal(d, "review", "2024-10-01", "corrected", "2025-01-15")
	w.appeal(d, "suit_direct", "2025-09-01", "", "")
	w.appeal(d, "suit_after_review", "2024-03-01", "other", "2024-09-01")
	w.appeal(d, "suit_after_review", "2025-11-01", "other", "2026-01-10")
	w.appeal(g, "review", "2025-03-01", "", "")
}

// The table arithmetic on a hand-counted data set (issue 16, Done when):
// every cell that should hold a number holds the one counted by hand,
// every other cell is zero, and the sums hold.
func TestCountHandCounted(t *testing.T) {
	w := newWorld(t)
	w.handCounted()
	got, err := annual.Count(w.ctx, w.db.R, w.dept, 2025)
	if err != nil {
		t.Fatal(err)
	}
	t3 := annual.T3
	want := annual.Cells{
		annual.T2("rule", "issued"): 1, annual.T2("rule", "repealed"): 1, annual.T2("rule", "in_force"): 1,
		annual.T2("normative", "in_force"): 2,
		annual.Licensing:                   3, annual.Penalty: 1, annual.Enforcement: 1, annual.FeesFen: 1500,

		t3("new", disclosure.Person): 1, t3("carried", disclosure.Person): 1, t3("open", disclosure.Person): 1,
		t3("partial", disclosure.Person): 1, t3("total", disclosure.Person): 2,
		t3("new", disclosure.Business): 2, t3("withheld_secret", disclosure.Business): 1, t3("g3", disclosure.Business): 1,
		t3("total", disclosure.Business): 1, t3("forward", disclosure.Business): 1,
		t3("new", disclosure.Research): 1, t3("forward", disclosure.Research): 1,
		t3("new", disclosure.LegalService): 1, t3("declined_repeat", disclosure.LegalService): 1, t3("g5", disclosure.LegalService): 1,
		t3("total", disclosure.LegalService): 1,
		t3("new", disclosure.OtherOrg):       1, t3("other_unpaid", disclosure.OtherOrg): 1, t3("g6", disclosure.OtherOrg): 1,
		t3("total", disclosure.OtherOrg): 1,

		annual.T4("review", "maintained"): 1, annual.T4("review", "corrected"): 1, annual.T4("review", "total"): 2,
		annual.T4("suit_direct", "pending"): 1, annual.T4("suit_direct", "total"): 1,
		annual.T4("suit_after_review", "pending"): 1, annual.T4("suit_after_review", "total"): 1,

		annual.FeeNotices: 1, annual.FeeFen: 5000,
	}
	for _, k := range annual.Keys() {
		if got[k] != want[k] {
			t.Errorf("%s = %d, want %d", k, got[k], want[k])
		}
	}
	if len(got) != len(annual.Keys()) {
		t.Errorf("%d cells, want %d", len(got), len(annual.Keys()))
	}
	if vs := annual.Check(got); len(vs) != 0 {
		t.Errorf("the counted tables do not add up: %+v", vs)
	}
	if got.ColumnTotal("new") != 6 || got.ColumnTotal("forward") != 2 {
		t.Errorf("总计 column: new %d, forward %d", got.ColumnTotal("new"), got.ColumnTotal("forward"))
	}
	// The government's organ counts only its own: one request, one
	// normative document, one pending review; no cases, no fees.
	g, err := annual.Count(w.ctx, w.db.R, w.gov, 2025)
	if err != nil {
		t.Fatal(err)
	}
	if g[t3("open", disclosure.Person)] != 1 || g[annual.T2("normative", "issued")] != 1 || g[annual.T4("review", "pending")] != 1 ||
		g[annual.Licensing] != 0 || g[annual.FeesFen] != 0 || g.ColumnTotal("new") != 1 {
		t.Errorf("government organ: %v", g)
	}
	// 2026 carries 2025's three open requests over, by the record.
	next, err := annual.Count(w.ctx, w.db.R, w.dept, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if next.ColumnTotal("carried") != 2 || next[t3("carried", disclosure.Business)] != 1 || next[t3("carried", disclosure.Research)] != 1 {
		t.Errorf("2026 carried over: %d", next.ColumnTotal("carried"))
	}
}

// Check names every broken sum: an outcome row moved without its
// subtotal, (七) and the balance.
func TestCheckNamesTheBrokenSums(t *testing.T) {
	c := annual.Cells{}
	for _, k := range annual.Keys() {
		c[k] = 0
	}
	p := func(row string) string { return annual.T3(row, disclosure.Person) }
	c[p("new")], c[p("withheld_law")], c[p("g3")], c[p("total")] = 3, 2, 2, 2
	c[p("forward")] = 1
	if vs := annual.Check(c); len(vs) != 0 {
		t.Fatalf("consistent tables refused: %+v", vs)
	}
	c[p("withheld_law")] = 3 // the row alone: the subtotal no longer matches
	vs := annual.Check(c)
	if len(vs) != 1 || vs[0].Rule != annual.RuleGroup || vs[0].Column != "person" || vs[0].Args["Subtotal"] != int64(2) || vs[0].Args["Sum"] != int64(3) {
		t.Fatalf("group: %+v", vs)
	}
	c[p("g3")], c[p("total")] = 3, 3 // now 3 + 0 ≠ 3 + 1
	vs = annual.Check(c)
	if len(vs) != 1 || vs[0].Rule != annual.RuleBalance || vs[0].Args["Left"] != int64(3) || vs[0].Args["Right"] != int64(4) {
		t.Fatalf("balance: %+v", vs)
	}
	c[p("total")] = 2 // (七) is not the sum of its groups
	vs = annual.Check(c)
	if len(vs) != 1 || vs[0].Rule != annual.RuleTotal {
		t.Fatalf("total: %+v", vs)
	}
	c[p("total")] = 3
	c[annual.T4("review", "maintained")] = 1
	if vs = annual.Check(c); len(vs) != 2 || vs[1].Rule != annual.RuleAppeals || vs[1].Column != "review" {
		t.Fatalf("appeals: %+v", vs)
	}
}
