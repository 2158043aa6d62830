package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func init() {
	expected["POST /duty/required"] = []string{"admin", "township"}
	expected["POST /duty/days/{id}/cancel"] = []string{"admin", "deptadmin"} // a township's admin schedules no county department
	// Another department's or county's day answers 404 (duty.Cancel,
	// attacked below).
	scopeRoutes["POST /duty/days/{id}/cancel"] = kNone
}

// The centre admin sets the required duty days a month on the duty page
// (audited; bad numbers are field errors that change nothing; the CSRF
// token is required; a department admin may not). A scheduled day is
// cancelled by the department admin, audited; a day already sat is not;
// another department's admin finds no such day.
func TestDutyRequiredAndCancel(t *testing.T) {
	f := newFixture(t)
	f.srv.Now = func() time.Time { return time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC) }
	hall := f.idOf(`SELECT centre_id FROM staff WHERE username = 'admin'`)
	admin := f.login("admin")
	if _, page := admin.get("/duty"); !strings.Contains(page, `data-testid="duty-required"`) {
		t.Fatal("the centre admin is not offered the required days")
	}
	for _, bad := range []string{"x", "0", "11", strings.Repeat("9", 50000)} {
		res, body := admin.post("/duty/required", url.Values{"required": {bad}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-required"`) {
			t.Fatalf("required %.10q: %d", bad, res.StatusCode)
		}
	}
	if res, _ := admin.post("/duty/required", url.Values{"required": {"3"}, "csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("without the CSRF token: %d", res.StatusCode)
	}
	da := f.login("deptadmin")
	if res, _ := da.post("/duty/required", url.Values{"required": {"3"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a department admin sets the requirement: %d", res.StatusCode)
	}
	if n := f.count(`SELECT duty_days_required FROM centres WHERE id = $1`, hall); n != 2 {
		t.Fatalf("refused changes changed the requirement to %d", n)
	}
	if res, body := admin.post("/duty/required", url.Values{"required": {"3"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set: %d %s", res.StatusCode, problemOf(body))
	}
	if n := f.count(`SELECT duty_days_required FROM centres WHERE id = $1`, hall); n != 3 ||
		f.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'set_duty_required'`) != 1 {
		t.Fatalf("requirement %d, or no audit row", n)
	}

	dept := f.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	head := f.idOf(`SELECT id FROM staff WHERE username = 'approver'`)
	win := f.idOf(`SELECT w.id FROM windows w JOIN centres c ON c.id = w.centre_id WHERE w.department_id = $1 AND c.kind = 'hall' ORDER BY w.id LIMIT 1`, dept)
	f.exec(`UPDATE departments SET head_id = $1 WHERE id = $2`, head, dept)
	for _, d := range []string{"2026-12-08", "2026-12-09"} {
		if res, body := da.post("/duty/days", url.Values{"window_id": {fmt.Sprint(win)}, "day": {d}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("schedule %s: %d %s", d, res.StatusCode, problemOf(body))
		}
	}
	sat := f.idOf(`SELECT id FROM duty_days WHERE department_id = $1 AND day = '2026-12-08'`, dept)
	open := f.idOf(`SELECT id FROM duty_days WHERE department_id = $1 AND day = '2026-12-09'`, dept)
	f.exec(`INSERT INTO punches (staff_id, centre_id, window_id, at, source, created_at) SELECT $1, centre_id, id, $2, 'device', $2 FROM windows WHERE id = $3`,
		head, time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC), win)
	if _, page := da.get("/duty?month=2026-12"); !strings.Contains(page, fmt.Sprintf(`action="/duty/days/%d/cancel"`, open)) {
		t.Fatal("the department admin is not offered the cancellation")
	}
	var other string
	if err := f.db.R.QueryRow(`SELECT username FROM staff WHERE role = 'dept_admin' AND department_id <> $1 ORDER BY id LIMIT 1`, dept).Scan(&other); err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE staff SET must_change_password = FALSE WHERE username = $1`, other)
	if res, _ := f.login(other).post(fmt.Sprintf("/duty/days/%d/cancel", open), nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("another department's admin cancels: %d", res.StatusCode)
	}
	if res, _ := da.post(fmt.Sprintf("/duty/days/%d/cancel", open), url.Values{"csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("without the CSRF token: %d", res.StatusCode)
	}
	if res, body := da.post(fmt.Sprintf("/duty/days/%d/cancel", sat), nil); res.StatusCode != http.StatusConflict || !strings.Contains(body, "不能取消") {
		t.Fatalf("a day sat is cancelled: %d", res.StatusCode)
	}
	if res, body := da.post(fmt.Sprintf("/duty/days/%d/cancel", open), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d %s", res.StatusCode, problemOf(body))
	}
	if f.count(`SELECT COUNT(*) FROM duty_days WHERE id = $1 AND cancelled_at IS NOT NULL`, open) != 1 ||
		f.count(`SELECT COUNT(*) FROM duty_days WHERE id = $1 AND cancelled_at IS NULL`, sat) != 1 ||
		f.count(`SELECT COUNT(*) FROM audit_log WHERE entity = 'duty_day' AND action = 'cancel'`) != 1 {
		t.Fatal("the cancellation is not on the record as it should be")
	}
	// The month now counts one scheduled day; cancelling again finds none.
	if _, page := da.get("/duty?month=2026-12"); strings.Contains(page, `data-day="2026-12-09"`) {
		t.Fatal("a cancelled day still shows")
	}
	if res, _ := da.post(fmt.Sprintf("/duty/days/%d/cancel", open), nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("cancel twice: %d", res.StatusCode)
	}
}
