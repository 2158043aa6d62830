package annual_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"onestop/internal/demo"
	"onestop/internal/disclosure"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

// world is the demo county with its organs registered: dept is the
// clerk's department's organ, gov the county government.
type world struct {
	t                               *testing.T
	ctx                             context.Context
	db                              *store.DB
	dept, gov                       disclosure.Organ
	admin, clerk, deptadmin, leader org.Actor
	supervisor, reviewer            org.Actor
	applicant                       int64
	n                               int
}

var now = time.Date(2026, 2, 10, 2, 0, 0, 0, time.UTC)

func newWorld(t *testing.T) *world {
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, ctx: ctx, db: db}
	os := &org.Service{DB: db, Now: func() time.Time { return now }}
	for u, p := range map[string]*org.Actor{"admin": &w.admin, "clerk": &w.clerk, "deptadmin": &w.deptadmin, "leader": &w.leader,
		"supervisor": &w.supervisor, "reviewer": &w.reviewer} {
		st, err := os.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		*p = st.Actor("192.0.2.9")
	}
	if err := disclosure.EnsureOrgans(ctx, db, now, w.admin.County()); err != nil {
		t.Fatal(err)
	}
	list, err := disclosure.Organs(ctx, db.R, w.admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range list {
		switch {
		case x.Organ.Kind == disclosure.Government:
			w.gov = x.Organ
		case x.Organ.DepartmentID == w.clerk.DepartmentID:
			w.dept = x.Organ
		}
	}
	if w.gov.ID == 0 || w.dept.ID == 0 {
		t.Fatal("the demo county's organs are missing")
	}
	w.exec(`INSERT INTO applicants (kind, id_number, name, created_at, updated_at) VALUES ('citizen', '430000199001010011', '测试', $1, $1)`, now)
	w.applicant = w.id(`SELECT id FROM applicants WHERE id_number = '430000199001010011'`)
	return w
}

func (w *world) exec(q string, args ...any) {
	w.t.Helper()
	if _, err := w.db.W.ExecContext(w.ctx, q, args...); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
}

func (w *world) id(q string, args ...any) int64 {
	w.t.Helper()
	var id int64
	if err := w.db.R.QueryRowContext(w.ctx, q, args...).Scan(&id); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
	return id
}

// request files a request of an organ: received and closed are Shanghai
// days ("" for none: a filed online request has no receipt day, an open
// one no conclusion).
func (w *world) request(organ int64, typ disclosure.ApplicantType, received, closed string, outcome disclosure.Outcome) int64 {
	w.t.Helper()
	w.n++
	no := fmt.Sprintf("YSQ-T-%03d", w.n)
	status, recv, out, cl := "open", any(received), any(nil), any(nil)
	switch {
	case received == "":
		status, recv = "filed", nil
	case closed != "":
		status, out, cl = "closed", string(outcome), closed
	}
	w.exec(`INSERT INTO disclosure_requests (no, organ_id, applicant_type, name, channel, content, received_on, clock_from, due_on, status, outcome, closed_on, created_at, updated_at)
		VALUES ($1, $2, $3, '申请人', 'in_person', '请公开某某文件', $4, $4, $4, $5, $6, $7, $8, $8)`, no, organ, string(typ), recv, status, out, cl, now)
	return w.id(`SELECT id FROM disclosure_requests WHERE no = $1`, no)
}

// entry is a catalogue entry of an organ.
func (w *world) entry(organ int64, category, kind, issued, repealed, status string) {
	w.t.Helper()
	var iss, rep any
	if issued != "" {
		iss = issued
	}
	if repealed != "" {
		rep = repealed
	}
	w.exec(`INSERT INTO disclosure_entries (organ_id, category, doc_kind, title, created_on, due_on, issued_on, repealed_on, status, created_at, updated_at)
		VALUES ($1, $2, $3, '文件', '2025-08-08', '2025-09-05', $4, $5, $6, $7, $7)`, organ, category, kind, iss, rep, status, now)
}

// decidedCase writes a case of a department decided at an instant, of an
// item of the given type; it returns its id.
func (w *world) decidedCase(dept int64, itemType string, decided time.Time) int64 {
	w.t.Helper()
	w.n++
	no := fmt.Sprintf("T-AR-%03d", w.n)
	var version, item int64
	if err := w.db.R.QueryRowContext(w.ctx, `SELECT id, item_id FROM item_versions WHERE type = $1 ORDER BY id LIMIT 1`, itemType).Scan(&version, &item); err != nil {
		w.t.Fatalf("no item of type %s: %v", itemType, err)
	}
	w.exec(`INSERT INTO cases (no, item_id, item_version_id, department_id, centre_id, channel, applicant_id, first_contact_id, state, version,
		received_at, accepted_at, decided_at, completed_at, deadline, promised_days, statutory_days, deemed_allowed, decision, last_hash, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, 'window', $6, $7, 'completed', 1, $8, $8, $8, $8, $9, 5, 20, FALSE, 'approved', 'x', $8, $8)`,
		no, item, version, dept, w.clerk.CentreID, w.applicant, w.clerk.StaffID, decided, decided)
	return w.id(`SELECT id FROM cases WHERE no = $1`, no)
}

func (w *world) appeal(organ int64, kind, filed, result, concluded string) {
	w.t.Helper()
	var res, con any
	if result != "" {
		res, con = result, concluded
	}
	w.exec(`INSERT INTO disclosure_appeals (organ_id, kind, filed_on, result, concluded_on, recorded_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, organ, kind, filed, res, con, w.admin.StaffID, now)
}
