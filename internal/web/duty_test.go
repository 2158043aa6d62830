package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Who reaches leaders' window duty (issue 15 §3): every staff member reads
// the month (the service keeps a department's staff to their own
// department), the centre admin or a department admin schedules, only
// the hall's admin records by hand and names heads, the hall's admin and
// supervisors sweep.
func init() {
	for p, who := range map[string][]string{
		"GET /duty":                           signedIn,
		"GET /api/v1/duty":                    signedIn,
		"POST /duty/days":                     {"admin", "deptadmin"}, // a township's admin schedules no county department
		"POST /duty/days/{id}/record":         hallAdmin,
		"POST /duty/sweep":                    {"admin", "supervisor"},
		"GET /admin/departments/{key}/leads":  hallAdmin,
		"POST /admin/departments/{key}/leads": hallAdmin,
	} {
		expected[p] = who
	}
	expected["POST /cases/{no}/cover"] = []string{"deptadmin"}
	scopeRoutes["POST /cases/{no}/cover"] = kCase
	scopeRoutes["GET /admin/departments/{key}/leads"] = kDepartment
	scopeRoutes["POST /admin/departments/{key}/leads"] = kDepartment
	// A duty day of another county answers 404 (duty.RecordManually,
	// checked in internal/duty's tests).
	scopeRoutes["POST /duty/days/{id}/record"] = kNone
	filterParams["GET /duty"] = []string{"month", "department"}
	filterParams["GET /api/v1/duty"] = []string{"month", "department"}
}

// The head's month through the pages: leads named, duty days scheduled by
// the department admin (not at another department's window, not without
// the CSRF token), one punched, the red mark after the month, and the
// supervisor's D01 on the anomalies page after the sweep.
func TestDutyPages(t *testing.T) {
	f := newFixture(t)
	// The head is named in October: a month is judged with the head in
	// force at its end (DOMAIN.md §25).
	f.srv.Now = func() time.Time { return time.Date(2026, 10, 20, 2, 0, 0, 0, time.UTC) }
	dept := f.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	head := f.idOf(`SELECT id FROM staff WHERE username = 'approver'`)
	win := f.idOf(`SELECT w.id FROM windows w JOIN centres c ON c.id = w.centre_id WHERE w.department_id = $1 AND c.kind = 'hall' ORDER BY w.id LIMIT 1`, dept)
	otherWin := f.idOf(`SELECT MIN(id) FROM windows WHERE department_id <> $1`, dept)
	admin := f.login("admin")
	res, body := admin.post(fmt.Sprintf("/admin/departments/%d/leads", dept), url.Values{"head_id": {fmt.Sprint(head)}, "chief_rep_id": {fmt.Sprint(head)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("leads: %d %s", res.StatusCode, body)
	}
	// Early December 2026: November is over, the sweep's month.
	f.srv.Now = func() time.Time { return time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC) }
	admin = f.login("admin") // the October session has expired
	if _, page := admin.get(fmt.Sprintf("/admin/departments/%d", dept)); !strings.Contains(page, `data-testid="leads-link"`) {
		t.Fatal("the department page does not lead to its head and chief representative")
	}
	if res, _ := admin.get("/admin/departments/new"); res.StatusCode != http.StatusOK {
		t.Fatalf("new department form: %d", res.StatusCode)
	}
	da := f.login("deptadmin")
	res, _ = da.post("/duty/days", url.Values{"window_id": {fmt.Sprint(otherWin)}, "day": {"2026-11-10"}})
	if res.StatusCode == http.StatusSeeOther {
		t.Fatal("a department admin schedules at another department's window")
	}
	res, _ = da.post("/duty/days", url.Values{"window_id": {fmt.Sprint(win)}, "day": {"2026-11-10"}, "csrf_token": {"forged"}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("without the CSRF token: %d", res.StatusCode)
	}
	res, body = da.post("/duty/days", url.Values{"window_id": {fmt.Sprint(win)}, "day": {"2026-11-14"}}) // a Saturday
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "不是工作日") {
		t.Fatalf("a Saturday: %d", res.StatusCode)
	}
	res, body = da.post("/duty/days", url.Values{"window_id": {fmt.Sprint(win)}, "day": {strings.Repeat("9", 50000)}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "年-月-日") || f.count(`SELECT COUNT(*) FROM duty_days WHERE department_id = $1`, dept) != 0 {
		t.Fatalf("a 50,000-character day: %d", res.StatusCode)
	}
	for _, d := range []string{"2026-11-10", "2026-11-11"} {
		if res, body := da.post("/duty/days", url.Values{"window_id": {fmt.Sprint(win)}, "day": {d}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("schedule %s: %d %s", d, res.StatusCode, body)
		}
	}
	f.exec(`INSERT INTO punches (staff_id, centre_id, window_id, at, source, created_at) SELECT $1, centre_id, id, $2, 'device', $2 FROM windows WHERE id = $3`,
		head, time.Date(2026, 11, 10, 1, 0, 0, 0, time.UTC), win)
	_, body = f.login("approver").get("/duty?month=2026-11")
	if !strings.Contains(body, `data-testid="duty-short"`) || !strings.Contains(body, "已打卡") {
		t.Fatalf("the head's month lacks the red mark: %s", body)
	}
	sup := f.login("supervisor")
	_, body = sup.get("/supervision/bulletin?period=2026-11&by=department")
	if !strings.Contains(body, `data-testid="bulletin-duty"`) || !strings.Contains(body, fmt.Sprintf(`<tr data-department="%d" class="short">`, dept)) {
		t.Fatalf("the month's bulletin lacks the red duty row: %s", body)
	}
	if res, _ := sup.post("/duty/sweep", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sweep: %d", res.StatusCode)
	}
	_, body = sup.get("/supervision/anomalies")
	if !strings.Contains(body, `data-testid="duty-shortfalls"`) || !strings.Contains(body, fmt.Sprintf("/duty?month=2026-11&amp;department=%d", dept)) {
		t.Fatalf("the supervisor does not see D01: %s", body)
	}
	if res, _ := f.login("clerk").get("/duty?month=20261"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a bad month: %d", res.StatusCode)
	}
}
