package cameras_test

import (
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/cameras"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
)

// windowCase is a case the demo clerk received at their window at the
// fixture's time; it answers the case.
func (f *fixture) windowCase() *cases.Case {
	f.t.Helper()
	clk := func() time.Time { return f.now }
	cat := &catalogue.Service{DB: f.db, Now: clk}
	admin, clerk := f.staff("admin"), f.staff("clerk")
	_, err := cat.Create(f.ctx, admin, "T-001", catalogue.Content{Type: "licensing", Name: "测试许可", DepartmentID: clerk.DepartmentID, Audience: "both",
		LegalBasis: "《中华人民共和国行政许可法》第十二条", StatutoryDays: 20, PromisedDays: 5, Visits: 1, Online: true, AtHall: true,
		Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}}, Steps: catalogue.DefaultSteps(5)}, "")
	if err != nil {
		f.t.Fatalf("item: %v", err)
	}
	app, err := (&applicants.Service{DB: f.db, Now: clk}).Register(f.ctx, applicants.Input{Kind: "citizen", IDNumber: "11010519491231002X",
		Name: "王小明", Phone: "13800138000", Password: "abcd12345"}, true)
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := cases.New(f.db, cat, clk).Submit(f.ctx, cases.StaffActor(clerk), cases.SubmitInput{ItemCode: "T-001", ApplicantID: app.ID})
	if err != nil {
		f.t.Fatalf("case: %v", err)
	}
	return c
}

// rate stores a rating of the case about the clerk's window as the
// ratings service would (the columns the moment reads).
func (f *fixture) rate(c *cases.Case, channel string, at time.Time) int64 {
	f.t.Helper()
	clerk := f.staff("clerk")
	var id int64
	if err := f.db.W.QueryRowContext(f.ctx, `INSERT INTO ratings (case_id, case_no, item_code, channel, level, comment, reasons, named, window_id, staff_id,
		department_id, centre_id, rated_at) VALUES ($1, $2, 'T-001', $3, 1, '态度差', '', FALSE, $4, $5, $6, $7, $8) RETURNING id`,
		c.ID, c.No, channel, clerk.WindowID, clerk.StaffID, clerk.DepartmentID, clerk.CentreID, at).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// The moment comes from the record: a case event's window and time; a
// pad rating's own time at its window; a portal rating given days later
// points back at the service at the window, not at the evening the
// citizen typed it.
func TestMomentsFromTheRecord(t *testing.T) {
	f := newFixture(t)
	c := f.windowCase()
	clerk := f.staff("clerk")
	m, err := f.svc.CaseEvent(f.ctx, c.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if m.WindowID != clerk.WindowID || !m.At.Equal(f.now) || m.Source != cameras.FromCase || m.Ref != c.No+" #1" {
		t.Errorf("case event moment %+v", m)
	}
	if _, err := f.svc.CaseEvent(f.ctx, c.ID, 99); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("a missing event: %v", err)
	}
	padAt := f.now.Add(4 * time.Minute)
	m, err = f.svc.Rating(f.ctx, f.rate(c, "pad", padAt))
	if err != nil || !m.At.Equal(padAt) || m.WindowID != clerk.WindowID || m.Source != cameras.FromRating {
		t.Errorf("pad rating moment %+v %v", m, err)
	}
	m, err = f.svc.Rating(f.ctx, f.rate(c, "portal", f.now.Add(50*time.Hour)))
	if err != nil || !m.At.Equal(f.now) {
		t.Errorf("portal rating moment %+v %v, want the window's event at %v", m, err, f.now)
	}
}

// A complaint's window and time are the supervisor's reading of it: the
// window must be at the complaint's centre, the time not after it was
// received; a consultation is no complaint.
func TestComplaintMoment(t *testing.T) {
	f := newFixture(t)
	clerk := f.staff("clerk")
	var centre int64
	if err := f.db.Read().QueryRowContext(f.ctx, `SELECT centre_id FROM windows WHERE id = $1`, clerk.WindowID).Scan(&centre); err != nil {
		t.Fatal(err)
	}
	ins := func(kind string) int64 {
		var id int64
		if err := f.db.W.QueryRowContext(f.ctx, `INSERT INTO enquiries (no, kind, state, region_code, centre_id, subject, body, channel, received_at,
			reply_days, due, version, updated_at) VALUES ($1, $2, 'open', (SELECT region_code FROM centres WHERE id = $3), $3, '窗口态度', '周二上午10点40分3号窗口',
			'portal', $4, 5, '2026-10-09', 1, $4) RETURNING id`, kind+"-1", kind, centre, f.now).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	complaint, consult := ins("complaint"), ins("consult")
	at := f.now.Add(-time.Hour)
	m, err := f.svc.Complaint(f.ctx, complaint, clerk.WindowID, at)
	if err != nil || m.WindowID != clerk.WindowID || !m.At.Equal(at) || m.Ref != "complaint-1" {
		t.Errorf("complaint moment %+v %v", m, err)
	}
	_, err = f.svc.Complaint(f.ctx, complaint, clerk.WindowID, f.now.Add(time.Hour))
	fieldErr(t, err, "at", "cameras.at.after_complaint")
	_, err = f.svc.Complaint(f.ctx, complaint, clerk.WindowID, time.Time{})
	fieldErr(t, err, "at", "error.required")
	var township int64
	if err := f.db.Read().QueryRowContext(f.ctx, `SELECT id FROM windows WHERE centre_id <> $1 ORDER BY id LIMIT 1`, centre).Scan(&township); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Complaint(f.ctx, complaint, township, at)
	fieldErr(t, err, "window_id", "cameras.window.missing")
	if _, err := f.svc.Complaint(f.ctx, consult, clerk.WindowID, at); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("a consultation as a complaint: %v", err)
	}
}
