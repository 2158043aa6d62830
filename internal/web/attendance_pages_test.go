package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"onestop/internal/attendance"
)

func init() {
	expected["GET /attendance"] = signedIn
	expected["GET /attendance/export.xlsx"] = signedIn
	expected["POST /attendance/punches"] = centreAdm
	expected["GET /attendance/leave"] = signedIn
	expected["POST /attendance/leave"] = signedIn
	expected["POST /attendance/leave/{id}/decide"] = []string{"admin", "township", "deptadmin"}
	// Another department's or one's own request answers 404 in the
	// service (attendance TestLeaveApproval).
	scopeRoutes["POST /attendance/leave/{id}/decide"] = kNone
}

// The centre admin's day sheet marks the late arrival a terminal sent;
// the export is a workbook with the same row; a manual punch without a
// reason is a field error and stores nothing; the clerk's sheet is the
// clerk's alone.
func TestAttendanceSheetPage(t *testing.T) {
	f, _ := terminalFixture(t)
	ctx := context.Background()
	st, _ := f.srv.Org.StaffByUsername(ctx, "admin")
	admin := st.Actor("")
	sh := attendance.DefaultShift(admin.CentreID)
	sh.Enabled = true
	if _, err := f.srv.Attendance.SaveShift(ctx, admin, sh); err != nil {
		t.Fatal(err)
	}
	replay(t, f, "02_attlog.http") // 1452 (clerk) 08:25, 1453 (reviewer) 08:51: late
	a := f.login("admin")
	res, body := a.get("/attendance?day=2026-09-29")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s %s", res.Status, body)
	}
	var rname string
	if err := f.db.R.QueryRow(`SELECT name FROM staff WHERE username = 'reviewer'`).Scan(&rname); err != nil {
		t.Fatal(err)
	}
	row := ""
	for _, tr := range strings.Split(body, "<tr") {
		tr, _, _ = strings.Cut(tr, "</tr>")
		if strings.Contains(tr, `data-testid="sheet-row"`) && strings.Contains(tr, "<td>"+rname+"</td>") {
			row = tr
		}
	}
	if !strings.Contains(row, `data-status="late`) || !strings.Contains(row, "迟到") {
		t.Fatalf("the reviewer's late arrival is not marked: %q", row)
	}
	res, body = a.get("/attendance/export.xlsx?day=2026-09-29")
	if res.StatusCode != http.StatusOK {
		t.Fatal(res.Status)
	}
	x, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("日考勤")
	found := false
	for _, r := range rows {
		if len(r) > 4 && r[1] == rname && strings.HasPrefix(r[4], "迟到") {
			found = true
		}
	}
	if !found {
		t.Fatalf("export lacks the late row: %v", rows)
	}
	clerkID := f.idOf(`SELECT id FROM staff WHERE username = 'clerk'`)
	res, body = a.post("/attendance/punches", url.Values{"staff_id": {itoa64(clerkID)}, "at": {"2026-09-29T17:35"}, "direction": {"out"}, "reason": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest {
		t.Fatalf("no reason: %s", res.Status)
	}
	if !strings.Contains(body, `id="e-reason"`) || f.idOf(`SELECT COUNT(*) FROM punches WHERE source = 'manual'`) != 0 {
		t.Fatal("no field error for the reason, or a punch stored")
	}
	// Without the CSRF token: refused.
	req, _ := http.NewRequest(http.MethodPost, f.ts.URL+"/attendance/punches", strings.NewReader(url.Values{"staff_id": {itoa64(clerkID)},
		"at": {"2026-09-29T17:35"}, "reason": {"x"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res, _ := a.hc.Do(req); res.StatusCode != http.StatusForbidden {
		t.Fatalf("no CSRF token: %s", res.Status)
	}
	res, _ = a.post("/attendance/punches", url.Values{"staff_id": {itoa64(clerkID)}, "at": {"2026-09-29T17:35"}, "direction": {"out"}, "reason": {"指纹机故障"}})
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusSeeOther {
		t.Fatalf("manual punch: %s", res.Status)
	}
	if _, body = a.get("/attendance?day=2026-09-29"); !strings.Contains(body, `data-testid="manual"`) {
		t.Fatal("the manual punch is not marked on the sheet")
	}
	// The clerk sees only their own row, whatever staff_id says.
	c := f.login("clerk")
	_, body = c.get("/attendance?day=2026-09-29&staff_id=" + itoa64(f.idOf(`SELECT id FROM staff WHERE username = 'reviewer'`)))
	if strings.Contains(body, rname) {
		t.Fatal("the clerk sees the reviewer's attendance")
	}
	// A 50,000-character filter is refused, not a 500.
	res, _ = c.get("/attendance?day=" + strings.Repeat("9", 50000))
	if res.StatusCode >= 500 {
		t.Fatalf("long day: %s", res.Status)
	}
	_ = io.Discard
}

func init() {
	for _, p := range []string{"GET /attendance/devices", "POST /attendance/devices", "POST /attendance/devices/{id}/revoke", "POST /attendance/pins", "POST /attendance/shift"} {
		expected[p] = centreAdm
	}
	// Another centre's terminal answers 404 in the service
	// (attendance TestDeviceAuthentication).
	scopeRoutes["POST /attendance/devices/{id}/revoke"] = kNone
}

var attKeyRE = regexp.MustCompile(`data-testid="att-key-value">(osa_[A-Za-z0-9_-]+)<`)

// The centre admin issues a terminal (key shown once), sets a PIN (a bad
// one is a field error), saves the shift (a bad time is a field error).
func TestAttendanceSettingsPage(t *testing.T) {
	f := newFixture(t)
	a := f.login("admin")
	res, body := a.post("/attendance/devices", url.Values{"name": {"大厅考勤机"}, "protocol": {"http"}})
	m := attKeyRE.FindStringSubmatch(body)
	if res.StatusCode != http.StatusCreated || m == nil {
		t.Fatalf("issue: %s %s", res.Status, problemOf(body))
	}
	if _, body := a.get("/attendance/devices"); strings.Contains(body, m[1]) {
		t.Fatal("the key is shown again")
	}
	clerk := f.idOf(`SELECT id FROM staff WHERE username = 'clerk'`)
	if res, body := a.post("/attendance/pins", url.Values{"staff_id": {itoa64(clerk)}, "pin": {"12 34"}}); res.StatusCode < 400 || !strings.Contains(body, `id="e-pin"`) {
		t.Fatalf("bad pin: %s", res.Status)
	}
	if res, _ := a.post("/attendance/pins", url.Values{"staff_id": {itoa64(clerk)}, "pin": {"1234"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("pin: %s", res.Status)
	}
	form := url.Values{"enabled": {"1"}, "am_start": {"08:30"}, "am_end": {"12:00"}, "pm_start": {"14:00"}, "pm_end": {"25:00"},
		"summer_am_start": {"08:30"}, "summer_am_end": {"12:00"}, "summer_pm_start": {"15:00"}, "summer_pm_end": {"18:00"}, "grace_minutes": {"5"}, "merge_seconds": {"60"}}
	if res, body := a.post("/attendance/shift", form); res.StatusCode < 400 || !strings.Contains(body, `id="e-pm_end"`) {
		t.Fatalf("bad time: %s", res.Status)
	}
	form.Set("pm_end", "17:30")
	if res, _ := a.post("/attendance/shift", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("shift: %s", res.Status)
	}
	if n := f.idOf(`SELECT COUNT(*) FROM attendance_shifts WHERE enabled`); n != 1 {
		t.Fatal("shift not saved")
	}
	// The township's admin cannot revoke the hall's terminal.
	id := f.idOf(`SELECT id FROM attendance_devices`)
	if res, _ := f.login("township").post("/attendance/devices/"+itoa64(id)+"/revoke", url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("township revokes: %s", res.Status)
	}
}
