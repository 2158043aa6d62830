package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"onestop/internal/cases"
	"onestop/internal/demo"
	"onestop/internal/org"
)

func init() {
	readers := []string{"admin", "township", "deptadmin", "supervisor", "leader"}
	expected["GET /api/v1/assessments"] = readers
	expected["GET /api/v1/assessments/{id}"] = readers
	expected["POST /api/v1/assessments"] = []string{"admin", "township", "supervisor"}
	expected["GET /api/v1/cover-assignments"] = []string{"deptadmin"}
	expected["POST /api/v1/cover-assignments"] = []string{"deptadmin"}
	scopeRoutes["GET /api/v1/assessments/{id}"] = kAssessment
	filterParams["GET /api/v1/cover-assignments"] = []string{"case"}
}

// The assessments API: the supervisor runs the last quarter's check with
// JSON (a missing period is a field error, never "every period"; no CSRF
// header, no run; a leader may read but not run), the list and the
// assessment carry the weights, grades and ranks; a department admin
// reads only their department's rows.
func TestAssessmentsAPI(t *testing.T) {
	f := newFixture(t)
	sup := f.login("supervisor")
	y, n := lastQuarter(time.Now())
	res, body := sup.api("POST", "/api/v1/assessments", `{"kind":"quarter"}`)
	fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
	if res.StatusCode != http.StatusUnprocessableEntity || fields["year"] == nil || fields["n"] == nil {
		t.Fatalf("no period: %d %v", res.StatusCode, body)
	}
	if res, _ := sup.api("POST", "/api/v1/assessments", `{"kind":"`+strings.Repeat("q", 50000)+`","year":2026,"n":1}`); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a 50,000-character kind: %d", res.StatusCode)
	}
	run := fmt.Sprintf(`{"kind":"quarter","year":%d,"n":%d}`, y, n)
	forged := *sup
	forged.csrf = "forged"
	if res, _ := forged.api("POST", "/api/v1/assessments", run); res.StatusCode != http.StatusForbidden {
		t.Fatalf("without the CSRF token: %d", res.StatusCode)
	}
	if res, _ := f.login("leader").api("POST", "/api/v1/assessments", run); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a leader runs: %d", res.StatusCode)
	}
	if n := f.count(`SELECT COUNT(*) FROM assessments`); n != 0 {
		t.Fatalf("refused runs stored %d", n)
	}
	res, x := sup.api("POST", "/api/v1/assessments", run)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("run: %d %v", res.StatusCode, x)
	}
	id := int64(x["id"].(float64))
	res, list := sup.api("GET", "/api/v1/assessments", "")
	items, _ := list["items"].([]any)
	if res.StatusCode != http.StatusOK || len(items) != 1 || items[0].(map[string]any)["kind"] != "quarter" {
		t.Fatalf("list: %d %v", res.StatusCode, list)
	}
	res, got := sup.api("GET", fmt.Sprintf("/api/v1/assessments/%d", id), "")
	settings, _ := got["settings"].(map[string]any)
	weights, _ := settings["weights"].(map[string]any)
	grades, _ := settings["grades"].(map[string]any)
	rows, _ := got["rows"].([]any)
	if res.StatusCode != http.StatusOK || weights["duty"] == nil || grades["excellent"] == nil || len(rows) == 0 {
		t.Fatalf("assessment: %d %v", res.StatusCode, got)
	}
	ranked := false
	for _, r := range rows {
		row := r.(map[string]any)
		if row["rank"] != nil && row["grade"] != nil && row["scores"] != nil {
			ranked = true
		}
	}
	if !ranked {
		t.Fatal("no row carries its rank, grade and scores")
	}
	da := f.login("deptadmin")
	dept := f.idOf(`SELECT department_id FROM staff WHERE username = 'deptadmin'`)
	res, mine := da.api("GET", fmt.Sprintf("/api/v1/assessments/%d", id), "")
	drows, _ := mine["rows"].([]any)
	if res.StatusCode != http.StatusOK || len(drows) == 0 || len(drows) >= len(rows) {
		t.Fatalf("department admin: %d, %d of %d rows", res.StatusCode, len(drows), len(rows))
	}
	for _, r := range drows {
		if sub := r.(map[string]any)["subject"].(map[string]any); int64(sub["department_id"].(float64)) != dept {
			t.Fatalf("another department's row: %v", sub)
		}
	}
	if res, _ := sup.api("GET", "/api/v1/assessments/999999", ""); res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown id: %d", res.StatusCode)
	}
}

// The cover assignment through the API: with A, B and the chief
// representative away, the department admin reads the case's cover and
// candidates (a reviewer on approved leave is not one) and assigns; a
// missing case is a field error, another department's admin finds no
// case, the CSRF header is required.
func TestCoverAssignmentAPI(t *testing.T) {
	cf := newCaseFixture(t)
	ctx := context.Background()
	clerk := cf.login("clerk")
	a, err := cf.srv.Org.StaffByUsername(ctx, "reviewer")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := cf.srv.Org.StaffByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	mk := func(user, name string) org.Staff {
		st, err := cf.srv.Org.CreateStaff(ctx, admin.Actor("192.0.2.1"), org.StaffInput{Username: user, Name: name, Role: org.Reviewer,
			CentreID: a.CentreID, DepartmentID: a.DepartmentID, Password: demo.Password})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	c, away := mk("reviewer.c", "第三审核员"), mk("reviewer.d", "请假审核员")
	today := cf.srv.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	cf.exec(`INSERT INTO leave_requests (staff_id, centre_id, department_id, kind, from_day, to_day, reason, state, filed_at, decided_at)
		VALUES ($1, $2, $3, 'annual', $4, $4, '年休假', 'approved', $5, $5)`, away.ID, a.CentreID, a.DepartmentID, today, cf.srv.Now().UTC())
	no := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, no, cases.ActAccept, nil)
	cf.exec(`UPDATE staff SET absent = TRUE WHERE username IN ('reviewer', 'approver')`)
	cf.exec(`UPDATE departments SET chief_rep_id = (SELECT id FROM staff WHERE username = 'approver') WHERE id = $1`, a.DepartmentID)

	da := cf.login("deptadmin")
	if res, body := da.api("GET", "/api/v1/cover-assignments", ""); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no case named: %d %v", res.StatusCode, body)
	}
	res, v := da.api("GET", "/api/v1/cover-assignments?case="+no, "")
	cands, _ := v["candidates"].([]any)
	ids := map[int64]bool{}
	for _, x := range cands {
		ids[int64(x.(map[string]any)["id"].(float64))] = true
	}
	if res.StatusCode != http.StatusOK || v["uncovered"] != true || !ids[c.ID] || ids[away.ID] {
		t.Fatalf("cover: %d %v", res.StatusCode, v)
	}
	var other string
	if err := cf.db.R.QueryRow(`SELECT username FROM staff WHERE role = 'dept_admin' AND department_id <> $1 ORDER BY id LIMIT 1`, a.DepartmentID).Scan(&other); err != nil {
		t.Fatal(err)
	}
	cf.exec(`UPDATE staff SET must_change_password = FALSE WHERE username = $1`, other)
	od := cf.login(other)
	if res, _ := od.api("GET", "/api/v1/cover-assignments?case="+no, ""); res.StatusCode != http.StatusNotFound {
		t.Fatalf("another department's admin reads the cover: %d", res.StatusCode)
	}
	assign := fmt.Sprintf(`{"case_no":%q,"staff_id":%d}`, no, c.ID)
	if res, _ := od.api("POST", "/api/v1/cover-assignments", assign); res.StatusCode != http.StatusNotFound {
		t.Fatalf("another department's admin assigns: %d", res.StatusCode)
	}
	if res, _ := cf.login("leader").api("POST", "/api/v1/cover-assignments", assign); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a leader assigns: %d", res.StatusCode)
	}
	if res, _ := da.api("POST", "/api/v1/cover-assignments", `{"staff_id":1}`); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no case: %d", res.StatusCode)
	}
	if res, _ := da.api("POST", "/api/v1/cover-assignments", fmt.Sprintf(`{"case_no":%q,"staff_id":%d}`, no, away.ID)); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("someone on leave assigned: %d", res.StatusCode)
	}
	forged := *da
	forged.csrf = "forged"
	if res, _ := forged.api("POST", "/api/v1/cover-assignments", assign); res.StatusCode != http.StatusForbidden {
		t.Fatalf("without the CSRF token: %d", res.StatusCode)
	}
	if n := cf.count(`SELECT COUNT(*) FROM cover_assignments`); n != 0 {
		t.Fatalf("refused assignments stored: %d", n)
	}
	res, v = da.api("POST", "/api/v1/cover-assignments", assign)
	if res.StatusCode != http.StatusCreated || int64(v["cover_id"].(float64)) != c.ID || v["assigned_by"] == "" {
		t.Fatalf("assign: %d %v", res.StatusCode, v)
	}
}
