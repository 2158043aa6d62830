package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"onestop/internal/cases"
	"onestop/internal/demo"
	"onestop/internal/org"
)

// A, B and the chief representative all away (DOMAIN.md §3): nobody is
// offered the step until the department admin assigns a reviewer at work
// on the case page; the assigned reviewer then acts, and the record says
// for whom and who assigned. The clerk cannot assign, nor can the CSRF
// token be skipped.
func TestDeptAdminAssignsCoverWhenEveryoneIsAway(t *testing.T) {
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
	c, err := cf.srv.Org.CreateStaff(ctx, admin.Actor("192.0.2.1"), org.StaffInput{Username: "reviewer.c", Name: "第三审核员", Role: org.Reviewer,
		CentreID: a.CentreID, DepartmentID: a.DepartmentID, Password: demo.Password})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cf.db.W.Exec(`UPDATE staff SET must_change_password = FALSE WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	third := cf.login("reviewer.c")
	no := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, no, cases.ActAccept, nil)
	// A away with no B; the department's chief representative (the
	// approver) away too.
	if _, err := cf.db.W.Exec(`UPDATE staff SET absent = TRUE WHERE username IN ('reviewer', 'approver')`); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.db.W.Exec(`UPDATE departments SET chief_rep_id = (SELECT id FROM staff WHERE username = 'approver') WHERE id = $1`, a.DepartmentID); err != nil {
		t.Fatal(err)
	}
	if page, _ := cf.casePage(third, no); strings.Contains(page, `id="act-forward"`) {
		t.Fatal("a plain reviewer is offered the uncovered step")
	}
	da := cf.login("deptadmin")
	page, _ := cf.casePage(da, no)
	if !strings.Contains(page, `data-testid="cover-assign"`) || !strings.Contains(page, "第三审核员") {
		t.Fatalf("the department admin is not offered the assignment:\n%s", between(page, `id="case-facts"`, "</section>"))
	}
	if res, _ := da.post("/cases/"+no+"/cover", url.Values{"staff_id": {fmt.Sprint(c.ID)}, "csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("without the CSRF token: %d", res.StatusCode)
	}
	if res, _ := clerk.post("/cases/"+no+"/cover", url.Values{"staff_id": {fmt.Sprint(c.ID)}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a clerk assigns: %d", res.StatusCode)
	}
	if res, _ := da.post("/cases/"+no+"/cover", url.Values{"staff_id": {fmt.Sprint(a.ID)}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("the absent A assigned to themselves: %d", res.StatusCode)
	}
	if res, body := da.post("/cases/"+no+"/cover", url.Values{"staff_id": {fmt.Sprint(c.ID)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %d %s", res.StatusCode, problemOf(body))
	}
	if page, _ := cf.casePage(third, no); !strings.Contains(page, `id="act-forward"`) || !strings.Contains(page, `data-testid="cover"`) {
		t.Fatal("the assigned reviewer is not offered the step")
	}
	cf.mustAct(third, no, cases.ActForward, url.Values{"opinion": {"经部门管理员指派代为审查。"}})
	var payload string
	if err := cf.db.R.QueryRow(`SELECT e.payload FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.no = $1 ORDER BY e.seq DESC LIMIT 1`, no).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(payload, `"acting_for"`) || !strings.Contains(payload, `"assigned_by"`) {
		t.Fatalf("the record lacks acting_for/assigned_by: %s", payload)
	}
}
