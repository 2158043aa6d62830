package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"onestop/internal/attendance"
	"onestop/internal/demo"
)

// A terminal posts punches through the real HTTP API with its own key;
// the centre admin opens the day's sheet and sees the late arrival marked
// (issue 15 §7, first journey).
func TestTerminalPunchesAdminSeesLate(t *testing.T) {
	t.Parallel()
	app, admin := Start(t)
	ctx := context.Background()
	st, err := app.Server.Org.StaffByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	a := st.Actor("192.0.2.1")
	var clerkID, reviewerID int64
	var reviewer string
	if err := app.DB.R.QueryRow(`SELECT id FROM staff WHERE username = 'clerk'`).Scan(&clerkID); err != nil {
		t.Fatal(err)
	}
	if err := app.DB.R.QueryRow(`SELECT id, name FROM staff WHERE username = 'reviewer'`).Scan(&reviewerID, &reviewer); err != nil {
		t.Fatal(err)
	}
	for id, pin := range map[int64]string{clerkID: "1452", reviewerID: "1453"} {
		if err := app.Server.Attendance.SetPIN(ctx, a, id, pin); err != nil {
			t.Fatal(err)
		}
	}
	sh := attendance.DefaultShift(a.CentreID)
	sh.Enabled = true
	if _, err := app.Server.Attendance.SaveShift(ctx, a, sh); err != nil {
		t.Fatal(err)
	}
	_, key, err := app.Server.Attendance.IssueDevice(ctx, a, attendance.DeviceInput{CentreID: a.CentreID, Name: "大厅人脸考勤机", Protocol: attendance.HTTP})
	if err != nil {
		t.Fatal(err)
	}
	// The terminal's upload: the clerk on time, the reviewer at 09:02.
	req, _ := http.NewRequest(http.MethodPost, app.URL+"/api/v1/punches", strings.NewReader(`[
		{"pin":"1452","at":"2026-09-29T08:21:00+08:00","direction":"in","verify":"face"},
		{"pin":"1453","at":"2026-09-29T09:02:00+08:00","direction":"in","verify":"face"},
		{"pin":"1452","at":"2026-09-29T18:05:00+08:00","direction":"out","verify":"face"},
		{"pin":"1453","at":"2026-09-29T18:03:00+08:00","direction":"out","verify":"face"}]`))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("terminal upload: %v %v", res, err)
	}
	res.Body.Close()

	admin.Login("admin", demo.Password)
	admin.Open("/attendance")
	admin.ExpectTextContains("h1", "考勤表")
	admin.Open("/attendance?day=2026-09-29")
	admin.WaitVisible(`[data-testid="sheet"]`)
	rows := admin.Texts(`tr[data-testid="sheet-row"]`)
	var late, onTime bool
	for _, r := range rows {
		if strings.Contains(r, reviewer) && strings.Contains(r, "迟到") && strings.Contains(r, "09:02") {
			late = true
		}
		if !strings.Contains(r, reviewer) && strings.Contains(r, "正常") {
			onTime = true
		}
	}
	if !late || !onTime {
		admin.Fatalf("the sheet does not mark the reviewer late and the clerk on time: %q", rows)
	}
	if n := admin.Count(`tr[data-status="late"]`); n != 1 {
		admin.Fatalf("%d late rows, want 1", n)
	}
}
