package annual_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/disclosure"
	"onestop/internal/disclosure/annual"
)

func (w *world) service() *annual.Service {
	return &annual.Service{DB: w.db, Now: func() time.Time { return now },
		Calendar: func(ctx context.Context) (*calendar.Calendar, error) { return cases.Calendar(ctx, w.db.R) }}
}

// grant makes the clerk an officer and the department admin the head of
// the department organ's office.
func (w *world) grant() {
	w.t.Helper()
	for _, g := range []struct {
		staff int64
		duty  disclosure.Duty
	}{{w.clerk.StaffID, disclosure.Officer}, {w.deptadmin.StaffID, disclosure.Head}} {
		if err := disclosure.Grant(w.ctx, w.db, now, w.admin, w.dept.ID, g.staff, g.duty); err != nil {
			w.t.Fatal(err)
		}
	}
}

func fieldKey(err error, field string) string {
	if e := apperr.As(err); e != nil {
		return e.Fields[field].Key
	}
	return ""
}

// A first year whose carried-over requests predate OneStop: the officer
// adjusts 二 with the reason; the head's approval is refused because the
// column no longer adds up, naming the column and the numbers; adjusting
// 四 as well lets it through; the head publishes it into the catalogue,
// and next year's 二 is this report's 四 as published.
func TestReportAdjustApprovePublish(t *testing.T) {
	w := newWorld(t)
	w.handCounted()
	w.grant()
	s := w.service()
	// No grant, no report: a supervisor reads but may not generate; a
	// reviewer without a grant does not even see the organ.
	if _, err := s.Generate(w.ctx, w.supervisor, w.dept.ID, 2025); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("supervisor generates: %v", err)
	}
	if _, err := s.Generate(w.ctx, w.reviewer, w.dept.ID, 2025); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("reviewer generates: %v", err)
	}
	for _, y := range []int{2007, 2027} {
		if _, err := s.Generate(w.ctx, w.clerk, w.dept.ID, y); fieldKey(err, "year") == "" {
			t.Fatalf("year %d: %v", y, err)
		}
	}
	r, err := s.Generate(w.ctx, w.clerk, w.dept.ID, 2025)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != annual.Draft || r.Cells[annual.Licensing] != 3 || len(r.Violations) != 0 {
		t.Fatalf("generated: %s, licensing %d, %v", r.Status, r.Cells[annual.Licensing], r.Violations)
	}
	carried := annual.T3(annual.RowCarried, disclosure.Person)
	forward := annual.T3(annual.RowForward, disclosure.Person)
	// Bad adjustments change nothing.
	for _, in := range []annual.Adjustment{
		{Cell: carried, Value: "4"},                                     // no reason
		{Cell: carried, Value: "-1", Reason: "x"},                       // negative
		{Cell: carried, Value: strings.Repeat("9", 50000), Reason: "x"}, // 50,000 digits
		{Cell: "t3.total.everyone", Value: "1", Reason: "x"},            // no such cell
		{Cell: annual.FeeFen, Value: "1", Reason: "x"},                  // follows the record
		{Cell: carried, Value: "1", Reason: strings.Repeat("理由", 300)},  // too long
	} {
		if _, err := s.Adjust(w.ctx, w.clerk, r.ID, r.Version, in); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad adjustment %.40v accepted: %v", in, err)
		}
	}
	if _, err := s.Adjust(w.ctx, w.clerk, r.ID, r.Version+1, annual.Adjustment{Cell: carried, Value: "4", Reason: "x"}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("stale version: %v", err)
	}
	if _, err := s.Adjust(w.ctx, w.supervisor, r.ID, r.Version, annual.Adjustment{Cell: carried, Value: "4", Reason: "x"}); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("supervisor adjusts: %v", err)
	}
	// Someone who may not adjust learns nothing about their input.
	if _, err := s.Adjust(w.ctx, w.supervisor, r.ID, r.Version, annual.Adjustment{Cell: "nope"}); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("supervisor's bad adjustment: %v", err)
	}
	if _, err := s.Adjust(w.ctx, w.reviewer, r.ID, r.Version, annual.Adjustment{Cell: carried, Value: "4", Reason: "x"}); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("reviewer adjusts: %v", err)
	}
	r, err = s.Adjust(w.ctx, w.clerk, r.ID, r.Version, annual.Adjustment{Cell: carried, Value: "4", Reason: "三件2024年受理的申请早于系统上线"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Cells[carried] != 4 || r.Computed[carried] != 1 || len(r.Violations) != 1 {
		t.Fatalf("adjusted: %d (computed %d), %v", r.Cells[carried], r.Computed[carried], r.Violations)
	}
	// The officer may not approve; the head's approval is refused, naming
	// the column, both sides and their numbers.
	if _, err := s.Approve(w.ctx, w.clerk, r.ID, r.Version); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("officer approves: %v", err)
	}
	_, err = s.Approve(w.ctx, w.deptadmin, r.ID, r.Version)
	e := apperr.As(err)
	if e == nil || e.Code != apperr.Invalid || len(e.Fields) != 1 {
		t.Fatalf("inconsistent report approved: %v", err)
	}
	m := e.Fields["check.1"]
	if m.Key != "disclosure_report.check.balance" || m.Args["Column"] != "disclosure_report.col.person" || m.Args["Left"] != int64(5) || m.Args["Right"] != int64(2) {
		t.Fatalf("refusal: %+v", m)
	}
	if _, err := s.Publish(w.ctx, w.deptadmin, r.ID, r.Version); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a draft published: %v", err)
	}
	// Fixing it lets it through.
	r, err = s.Adjust(w.ctx, w.clerk, r.ID, r.Version, annual.Adjustment{Cell: forward, Value: "3", Reason: "三件早于系统上线的申请尚未办结"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err = s.EditTexts(w.ctx, w.clerk, r.ID, r.Version, annual.Texts{Overview: "本年度，本机关认真贯彻《政府信息公开条例》。", Problems: "公开内容仍需细化。"}); err != nil {
		t.Fatal(err)
	}
	// Regenerating a draft keeps the adjustments and the texts.
	if r, err = s.Generate(w.ctx, w.clerk, w.dept.ID, 2025); err != nil || r.Cells[carried] != 4 || r.Overview == "" {
		t.Fatalf("regenerated: %v %v", r, err)
	}
	if r, err = s.Approve(w.ctx, w.deptadmin, r.ID, r.Version); err != nil || r.Status != annual.Approved {
		t.Fatalf("approve: %v", err)
	}
	// The head returns it to draft (an officer may not), and approves it again.
	if _, err := s.Reopen(w.ctx, w.clerk, r.ID, r.Version); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("officer reopens: %v", err)
	}
	if r, err = s.Reopen(w.ctx, w.deptadmin, r.ID, r.Version); err != nil || r.Status != annual.Draft || r.ApprovedAt != nil {
		t.Fatalf("reopen: %v", err)
	}
	// The fee cell is adjusted in 万元, kept in fen, printed to the yuan.
	if r, err = s.Adjust(w.ctx, w.clerk, r.ID, r.Version, annual.Adjustment{Cell: annual.FeesFen, Value: "0.15", Reason: "窗口现金收费补录"}); err != nil ||
		r.Cells[annual.FeesFen] != 150000 || annual.Wan(r.Cells[annual.FeesFen]) != "0.1500" || annual.Wan(r.Computed[annual.FeesFen]) != "0.0015" {
		t.Fatalf("fees in 万元: %v %v", r.Cells[annual.FeesFen], err)
	}
	for _, bad := range []string{"0.1234567", "-0.5", "0.-5", "1e3", "."} {
		if _, err := s.Adjust(w.ctx, w.clerk, r.ID, r.Version, annual.Adjustment{Cell: annual.FeesFen, Value: bad, Reason: "x"}); fieldKey(err, "value") == "" {
			t.Fatalf("fee %q: %v", bad, err)
		}
	}
	// An empty value restores the counted one.
	if r, err = s.Adjust(w.ctx, w.clerk, r.ID, r.Version, annual.Adjustment{Cell: annual.FeesFen, Value: "", Reason: "按统计值"}); err != nil || r.Cells[annual.FeesFen] != 1500 {
		t.Fatalf("reset: %v", err)
	}
	if r, err = s.Approve(w.ctx, w.deptadmin, r.ID, r.Version); err != nil {
		t.Fatalf("approve again: %v", err)
	}
	if _, err := s.Adjust(w.ctx, w.clerk, r.ID, r.Version, annual.Adjustment{Cell: carried, Value: "9", Reason: "x"}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("an approved report adjusted: %v", err)
	}
	if _, err := s.Generate(w.ctx, w.clerk, w.dept.ID, 2025); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("an approved report regenerated: %v", err)
	}
	if r, err = s.Publish(w.ctx, w.deptadmin, r.ID, r.Version); err != nil || r.Status != annual.Published || r.EntryID == 0 {
		t.Fatalf("publish: %v", err)
	}
	var cat, src, ref, status, link string
	if err := w.db.R.QueryRow(`SELECT category, source, source_ref, status, link FROM disclosure_entries WHERE id = $1`, r.EntryID).Scan(&cat, &src, &ref, &status, &link); err != nil {
		t.Fatal(err)
	}
	if cat != "reports" || src != "report" || ref != annual.SourceRef(w.dept.ID, 2025) || status != "published" || link != annual.PublicPath(r.ID) {
		t.Fatalf("catalogue entry: %s %s %s %s %s", cat, src, ref, status, link)
	}
	if p, err := s.Public(w.ctx, r.ID); err != nil || p.Cells[carried] != 4 {
		t.Fatalf("public: %v", err)
	}
	adj, err := s.Adjustments(w.ctx, w.supervisor, r.ID)
	if err != nil || len(adj) != 4 || adj[0].Cell != carried || adj[0].Computed != 1 || adj[0].Set != 4 || adj[0].Reason == "" {
		t.Fatalf("adjustments: %+v %v", adj, err)
	}
	var audited int
	w.db.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'disclosure_report' AND entity_id = $1`, itoa(r.ID)).Scan(&audited)
	if audited != 11 { // create, adjust ×4, edit, regenerate, approve ×2, reopen, publish; nothing refused
		t.Fatalf("audited %d changes, want 11", audited)
	}
	// Next year's 二 is this report's 四 as published: 3 + 0 for persons.
	next, err := annual.Count(w.ctx, w.db.R, w.dept, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if next[carried] != 3 || next[annual.T3(annual.RowCarried, disclosure.Business)] != 1 {
		t.Fatalf("2026 carried: persons %d", next[carried])
	}
	// The deadline watch on 10 February 2026: the department's published
	// after 31 January (late); the government's missing, 49 days left.
	dues, err := s.Watch(w.ctx, w.supervisor)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, d := range dues {
		switch d.Organ.ID {
		case w.dept.ID:
			seen++
			if d.Status != annual.Published || !d.Late || d.Deadline.String() != "2026-01-31" || d.DaysLeft != -10 {
				t.Errorf("department: %+v", d)
			}
		case w.gov.ID:
			seen++
			if d.Status != annual.Missing || d.Late || d.Deadline.String() != "2026-03-31" || d.DaysLeft != 49 {
				t.Errorf("government: %+v", d)
			}
		}
	}
	if seen != 2 {
		t.Fatalf("watch lists %d of the two organs", seen)
	}
	// The clerk's watch lists only the organ of their office.
	if mine, _ := s.Watch(w.ctx, w.clerk); len(mine) != 1 || mine[0].Organ.ID != w.dept.ID {
		t.Fatalf("officer's watch: %+v", mine)
	}
}

// Reviews and suits: recorded and concluded by an officer, never with
// another organ's request, a future day or a conclusion before the filing.
func TestAppeals(t *testing.T) {
	w := newWorld(t)
	w.grant()
	s := w.service()
	w.request(w.dept.ID, disclosure.Person, "2025-05-05", "2025-05-06", disclosure.Disclosed)
	w.request(w.gov.ID, disclosure.Person, "2025-05-05", "2025-05-06", disclosure.Disclosed)
	in := annual.AppealInput{OrganID: w.dept.ID, RequestNo: "YSQ-T-002", Kind: annual.Review, FiledOn: "2025-06-01"}
	if _, err := s.RecordAppeal(w.ctx, w.clerk, in); fieldKey(err, "request_no") == "" {
		t.Fatalf("another organ's request: %v", err)
	}
	in.RequestNo = "YSQ-T-001"
	if _, err := s.RecordAppeal(w.ctx, w.supervisor, in); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("supervisor records: %v", err)
	}
	for _, bad := range []annual.AppealInput{{OrganID: w.dept.ID, Kind: "complaint", FiledOn: "2025-06-01"}, {OrganID: w.dept.ID, Kind: annual.Review, FiledOn: "2026-03-01"},
		{OrganID: w.dept.ID, Kind: annual.Review, FiledOn: "2025-02-30"}} {
		if _, err := s.RecordAppeal(w.ctx, w.clerk, bad); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad appeal %+v: %v", bad, err)
		}
	}
	p, err := s.RecordAppeal(w.ctx, w.clerk, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConcludeAppeal(w.ctx, w.clerk, p.ID, annual.Conclusion{Result: annual.Corrected, ConcludedOn: "2025-05-31"}); fieldKey(err, "concluded_on") == "" {
		t.Fatalf("concluded before filed: %v", err)
	}
	if _, err := s.ConcludeAppeal(w.ctx, w.reviewer, p.ID, annual.Conclusion{Result: annual.Corrected, ConcludedOn: "2025-07-01"}); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("reviewer concludes: %v", err)
	}
	if p, err = s.ConcludeAppeal(w.ctx, w.clerk, p.ID, annual.Conclusion{Result: annual.Corrected, ConcludedOn: "2025-07-01"}); err != nil || p.Result != annual.Corrected {
		t.Fatalf("conclude: %v", err)
	}
	if _, err := s.ConcludeAppeal(w.ctx, w.clerk, p.ID, annual.Conclusion{Result: annual.Maintained, ConcludedOn: "2025-07-02"}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("concluded twice: %v", err)
	}
	c, err := annual.Count(w.ctx, w.db.R, w.dept, 2025)
	if err != nil || c[annual.T4(annual.Review, annual.Corrected)] != 1 || c[annual.T4(annual.Review, annual.Total4)] != 1 {
		t.Fatalf("table 四: %v %v", c, err)
	}
	list, err := s.Appeals(w.ctx, w.supervisor, w.dept.ID)
	if err != nil || len(list) != 1 || list[0].RequestNo == "" {
		t.Fatalf("list: %+v %v", list, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
