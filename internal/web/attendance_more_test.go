package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"onestop/internal/attendance"
)

func init() {
	expected["POST /attendance/devices/{id}/window"] = centreAdm
	// Another centre's terminal answers 404 (TestAttendanceTerminalWindow).
	scopeRoutes["POST /attendance/devices/{id}/window"] = kNone
	expected["GET /api/v1/attendance/sheets"] = signedIn
	filterParams["GET /api/v1/attendance/sheets"] = []string{"day", "month", "department_id", "window_id", "staff_id"}
}

// attendanceOn switches attendance on at the hall and gives PINs to the
// clerk, the reviewer and the township clerk.
func attendanceOn(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	st, _ := f.srv.Org.StaffByUsername(ctx, "admin")
	admin := st.Actor("")
	sh := attendance.DefaultShift(admin.CentreID)
	sh.Enabled = true
	if _, err := f.srv.Attendance.SaveShift(ctx, admin, sh); err != nil {
		t.Fatal(err)
	}
	for u, pin := range map[string]string{"clerk": "71", "reviewer": "72"} {
		if err := f.srv.Attendance.SetPIN(ctx, admin, f.idOf(`SELECT id FROM staff WHERE username = $1`, u), pin); err != nil {
			t.Fatal(err)
		}
	}
}

// Half-day leave through the pages: a half day over two days is a field
// error in Chinese and files nothing; the morning's leave is filed, shown
// as 上午 to the person and to the department admin deciding it, and
// after approval the day's sheet marks the half.
func TestHalfDayLeavePages(t *testing.T) {
	f := newFixture(t)
	attendanceOn(t, f)
	clerk := f.login("clerk")
	res, body := clerk.post("/attendance/leave", url.Values{"kind": {"personal"}, "from": {"2026-09-29"}, "to": {"2026-09-30"}, "half": {"am"}, "reason": {"办事"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-half"`) || !strings.Contains(body, "半天假只能请一天") {
		t.Fatalf("two half days: %d %s", res.StatusCode, problemOf(body))
	}
	if n := f.idOf(`SELECT COUNT(*) FROM leave_requests`); n != 0 {
		t.Fatalf("%d requests stored after a refusal", n)
	}
	if res, _ := clerk.post("/attendance/leave", url.Values{"kind": {"personal"}, "from": {"2026-09-29"}, "to": {"2026-09-29"}, "half": {"am"}, "reason": {"办事"}, "csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("forged: %d", res.StatusCode)
	}
	res, _ = clerk.post("/attendance/leave", url.Values{"kind": {"personal"}, "from": {"2026-09-29"}, "to": {"2026-09-29"}, "half": {"am"}, "reason": {"办事"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("file: %d", res.StatusCode)
	}
	if _, body := clerk.get("/attendance/leave"); !strings.Contains(body, `data-testid="leave-half">上午`) {
		t.Error("the person's list does not show the half")
	}
	da := f.login("deptadmin")
	_, body = da.get("/attendance/leave")
	if !strings.Contains(body, `data-testid="leave-half">上午`) {
		t.Fatal("the decision list does not show the half")
	}
	id := f.idOf(`SELECT id FROM leave_requests`)
	if res, _ := da.post("/attendance/leave/"+itoa64(id)+"/decide", url.Values{"decision": {"approve"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.StatusCode)
	}
	_, body = f.login("admin").get("/attendance?day=2026-09-29")
	if !strings.Contains(body, `data-testid="day-half">上午`) {
		t.Error("the sheet does not mark the half day")
	}
}

// A terminal's window on the settings page: issued at a window, moved to
// another, back to the hall; each change on the audit record. Another
// centre's window is a field error; the township's admin finds the
// hall's terminal nowhere; a forged form and a 50,000-character value
// change nothing.
func TestAttendanceTerminalWindow(t *testing.T) {
	f := newFixture(t)
	admin := f.login("admin")
	hallWin := itoa64(f.idOf(`SELECT window_id FROM staff WHERE username = 'clerk'`))
	otherWin := itoa64(f.idOf(`SELECT MIN(id) FROM windows WHERE centre_id = (SELECT centre_id FROM staff WHERE username = 'clerk') AND id <> $1`, hallWin))
	townWin := itoa64(f.idOf(`SELECT window_id FROM staff WHERE username = 'tclerk'`))
	res, body := admin.post("/attendance/devices", url.Values{"name": {"1号窗指纹机"}, "protocol": {"http"}, "window_id": {hallWin}})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("issue: %d %s", res.StatusCode, problemOf(body))
	}
	dev := f.idOf(`SELECT id FROM attendance_devices WHERE name = '1号窗指纹机'`)
	window := func() int64 {
		return f.idOf(`SELECT COALESCE(window_id, 0) FROM attendance_devices WHERE id = $1`, dev)
	}
	if itoa64(window()) != hallWin {
		t.Fatalf("issued at window %d", window())
	}
	if _, body := admin.get("/attendance/devices"); !strings.Contains(body, `action="/attendance/devices/`+itoa64(dev)+`/window"`) {
		t.Fatal("no window form on the settings page")
	}
	path := "/attendance/devices/" + itoa64(dev) + "/window"
	if res, body := admin.post(path, url.Values{"window_id": {townWin}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-window_id"`) {
		t.Errorf("another centre's window: %d %s", res.StatusCode, problemOf(body))
	}
	if res, _ := admin.post(path, url.Values{"window_id": {strings.Repeat("9", 50000)}}); res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("huge window id: %d", res.StatusCode)
	}
	if res, _ := f.login("township").post(path, url.Values{"window_id": {""}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("township admin moves the hall's terminal: %d", res.StatusCode)
	}
	if res, _ := admin.post(path, url.Values{"window_id": {otherWin}, "csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("forged: %d", res.StatusCode)
	}
	if itoa64(window()) != hallWin {
		t.Fatalf("a refused change moved the terminal to %d", window())
	}
	if res, _ := admin.post(path, url.Values{"window_id": {otherWin}}); res.StatusCode != http.StatusSeeOther || itoa64(window()) != otherWin {
		t.Fatalf("move: %d, window %d", res.StatusCode, window())
	}
	if res, _ := admin.post(path, url.Values{"window_id": {""}}); res.StatusCode != http.StatusSeeOther || window() != 0 {
		t.Fatalf("to the hall: %d, window %d", res.StatusCode, window())
	}
	if n := f.idOf(`SELECT COUNT(*) FROM audit_log WHERE action = 'attendance.device_window'`); n != 2 {
		t.Errorf("%d audit entries for two moves", n)
	}
}

// The sheets API reads what the page shows, in the page's scope: the
// admin every enrolled person of the hall, the window clerk only
// themself — a filter naming another department or person narrows to
// nothing rather than widening; bad values are field errors.
func TestAttendanceSheetsAPI(t *testing.T) {
	f := newFixture(t)
	attendanceOn(t, f)
	day := "/api/v1/attendance/sheets?day=2026-09-29"
	rowsOf := func(out map[string]any) map[string]bool {
		names := map[string]bool{}
		rows, _ := out["rows"].([]any)
		for _, r := range rows {
			names[r.(map[string]any)["staff"].(string)] = true
		}
		return names
	}
	clerkName := f.text(`SELECT name FROM staff WHERE username = 'clerk'`)
	revName := f.text(`SELECT name FROM staff WHERE username = 'reviewer'`)
	res, out := f.login("admin").api("GET", day, "")
	if res.StatusCode != http.StatusOK || !rowsOf(out)[clerkName] || !rowsOf(out)[revName] || out["from"] != "2026-09-29" {
		t.Fatalf("admin: %d %v", res.StatusCode, out)
	}
	clerk := f.login("clerk")
	res, out = clerk.api("GET", day, "")
	if got := rowsOf(out); res.StatusCode != http.StatusOK || len(got) != 1 || !got[clerkName] {
		t.Fatalf("clerk's own: %d %v", res.StatusCode, got)
	}
	otherDept := f.idOf(`SELECT MIN(id) FROM departments WHERE id <> (SELECT department_id FROM staff WHERE username = 'clerk')`)
	for _, q := range []string{"&department_id=" + itoa64(otherDept), "&staff_id=" + itoa64(f.idOf(`SELECT id FROM staff WHERE username = 'reviewer'`))} {
		res, out = clerk.api("GET", day+q, "")
		if got := rowsOf(out); res.StatusCode != http.StatusOK || got[revName] || len(got) > 0 {
			t.Errorf("clerk with %s: %d %v", q, res.StatusCode, got)
		}
	}
	if res, out := clerk.api("GET", "/api/v1/attendance/sheets?month=2026-13", ""); res.StatusCode != http.StatusUnprocessableEntity || fieldOf(out, "month") == "" {
		t.Errorf("bad month: %d %v", res.StatusCode, out)
	}
	if res, _ := f.anon().api("GET", day, ""); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", res.StatusCode)
	}
}
