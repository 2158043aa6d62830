package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onestop/internal/attendance"
)

// attendanceTerminalPaths are the paths exempt from sessions and CSRF
// for attendance terminals (TestOpen311GuardExemption counts them).
var attendanceTerminalPaths = []string{"/api/v1/punches", "/iclock/cdata", "/iclock/getrequest", "/iclock/devicecmd", "/iclock/ping"}

func init() {
	// A terminal's key or serial is not a session: every signed-in user
	// is refused (401 without a key; the iclock routes without a serial).
	for _, p := range []string{"POST /api/v1/punches", "GET /iclock/cdata", "POST /iclock/cdata", "GET /iclock/getrequest",
		"POST /iclock/devicecmd", "GET /iclock/ping"} {
		expected[p] = nil
	}
}

// terminalFixture is the demo county with the clerk (PIN 1452) and the
// reviewer (1453) enrolled at the hall, and one iclock terminal
// registered by its serial.
func terminalFixture(t *testing.T) (*fixture, *attendance.Device) {
	t.Helper()
	f := newFixture(t)
	ctx := context.Background()
	st, err := f.srv.Org.StaffByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	admin := st.Actor("192.0.2.1")
	for u, pin := range map[string]string{"clerk": "1452", "reviewer": "1453"} {
		if err := f.srv.Attendance.SetPIN(ctx, admin, f.idOf(`SELECT id FROM staff WHERE username = $1`, u), pin); err != nil {
			t.Fatal(err)
		}
	}
	d, _, err := f.srv.Attendance.IssueDevice(ctx, admin, attendance.DeviceInput{CentreID: admin.CentreID, Name: "大厅中控考勤机",
		Protocol: attendance.Iclock, Serial: "CEXJ201260123"})
	if err != nil {
		t.Fatal(err)
	}
	return f, d
}

// replay sends a recorded terminal request (testdata/iclock/name) to the
// real server, as the terminal would.
func replay(t *testing.T, f *fixture, name string) (*http.Response, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "iclock", name))
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out, err := http.NewRequest(req.Method, f.ts.URL+req.URL.RequestURI(), req.Body)
	if err != nil {
		t.Fatal(err)
	}
	out.Header = req.Header
	out.ContentLength = req.ContentLength
	res, err := http.DefaultClient.Do(out)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// The iclock push protocol from recorded requests: handshake options, an
// ATTLOG upload (two punches of one person within the merge span count
// once), the re-upload after stamp 0 (nothing new), a malformed line and
// a line with the newer extra fields, OPERLOG in GB2312 and options
// ignored politely, the command poll, a command result and the ping; an
// unregistered or revoked serial is refused and stores nothing.
func TestIclockFromRecordedRequests(t *testing.T) {
	f, d := terminalFixture(t)
	punches := func() int { return int(f.idOf(`SELECT COUNT(*) FROM punches WHERE device_id IS NOT NULL`)) }
	for _, c := range []struct {
		file, status, body string
		punches            int
	}{
		{"01_handshake.http", "200", "GET OPTION FROM: CEXJ201260123\n", 0},
		{"02_attlog.http", "200", "OK:3", 2},
		{"03_attlog_reupload.http", "200", "OK:3", 2},
		{"04_attlog_malformed_newer.http", "200", "OK:3", 3},
		{"05_operlog.http", "200", "OK:2", 3},
		{"06_options.http", "200", "OK", 3},
		{"07_getrequest.http", "200", "OK", 3},
		{"08_devicecmd.http", "200", "OK", 3},
		{"09_ping.http", "200", "OK", 3},
		{"10_unknown_sn.http", "401", "ERROR", 3},
	} {
		res, body := replay(t, f, c.file)
		if got := res.Status[:3]; got != c.status || !strings.HasPrefix(body, c.body) {
			t.Errorf("%s: %s %q, want %s %q", c.file, res.Status, body, c.status, c.body)
		}
		if res.Header.Get("Date") == "" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("%s: headers %v", c.file, res.Header)
		}
		if n := punches(); n != c.punches {
			t.Errorf("after %s: %d punches, want %d", c.file, n, c.punches)
		}
	}
	_, opts := replay(t, f, "01_handshake.http")
	for _, want := range []string{"ATTLOGStamp=0", "TimeZone=8", "Realtime=1", "TransFlag=TransData AttLog", "PushProtVer=2.4.1"} {
		if !strings.Contains(opts, want+"\n") {
			t.Errorf("handshake lacks %q:\n%s", want, opts)
		}
	}
	// The device's local time is Shanghai's: 08:25:13 there is 00:25:13 UTC;
	// status 0 is in, verify 1 fingerprint, the terminal's centre and id.
	var dir, verify, src string
	var dev int64
	if err := f.db.R.QueryRow(`SELECT direction, verify, source, device_id FROM punches WHERE at = '2026-09-29 00:25:13'`).Scan(&dir, &verify, &src, &dev); err != nil {
		if err := f.db.R.QueryRow(`SELECT direction, verify, source, device_id FROM punches ORDER BY at LIMIT 1`).Scan(&dir, &verify, &src, &dev); err != nil {
			t.Fatal(err)
		}
	}
	if dir != "in" || verify != "fingerprint" || src != "iclock" || dev != d.ID {
		t.Errorf("first punch: %s %s %s %d", dir, verify, src, dev)
	}
	var first string
	if err := f.db.R.QueryRow(`SELECT MIN(at) FROM punches WHERE device_id IS NOT NULL`).Scan(&first); err != nil || !strings.Contains(first, "00:25:13") {
		t.Errorf("the earliest punch is %q (%v), want 00:25:13 UTC", first, err)
	}
	// Revoked: refused, nothing stored.
	st, _ := f.srv.Org.StaffByUsername(context.Background(), "admin")
	if err := f.srv.Attendance.RevokeDevice(context.Background(), st.Actor(""), d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.W.Exec(`DELETE FROM punches`); err != nil {
		t.Fatal(err)
	}
	if res, _ := replay(t, f, "02_attlog.http"); res.StatusCode != http.StatusUnauthorized || punches() != 0 {
		t.Fatalf("revoked serial: %s, %d punches", res.Status, punches())
	}
	if res, _ := replay(t, f, "01_handshake.http"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked handshake: %s", res.Status)
	}
}

// The HTTP API: the terminal's key, per-line answers, no session, no
// CSRF; a missing, unknown or revoked key is 401 and stores nothing; a
// signed-in member of staff without the key gets nothing either.
func TestPunchesAPI(t *testing.T) {
	f, _ := terminalFixture(t)
	ctx := context.Background()
	st, _ := f.srv.Org.StaffByUsername(ctx, "admin")
	admin := st.Actor("")
	d, key, err := f.srv.Attendance.IssueDevice(ctx, admin, attendance.DeviceInput{CentreID: admin.CentreID, Name: "HTTP", Protocol: attendance.HTTP})
	if err != nil {
		t.Fatal(err)
	}
	post := func(key, body string) (*http.Response, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, f.ts.URL+"/api/v1/punches", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res, out
	}
	body := `[{"pin":"1452","at":"2026-09-29T08:25:00+08:00","direction":"in","verify":"face"},
		{"pin":"1452","at":"2026-09-29T08:25:30+08:00","direction":"in"},
		{"pin":"4040","at":"2026-09-29T08:26:00+08:00"},
		{"pin":"1453","at":"2026-09-29 08:27"}]`
	for _, k := range []string{"", "osa_nope", "Bearer-less"} {
		if res, _ := post(k, body); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("key %q: %s", k, res.Status)
		}
	}
	// A staff member's session (and CSRF token) is not a terminal's key.
	clerk := f.login("clerk")
	if res, _ := clerk.api(http.MethodPost, "/api/v1/punches", body); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("staff session: %s", res.Status)
	}
	if n := f.idOf(`SELECT COUNT(*) FROM punches WHERE device_id IS NOT NULL`); n != 0 {
		t.Fatalf("%d punches stored without a key", n)
	}
	res, out := post(key, body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s %v", res.Status, out)
	}
	lines := out["lines"].([]any)
	want := []string{"accepted", "duplicate", "unknown_pin", "invalid"}
	for i, l := range lines {
		if s := l.(map[string]any)["status"]; s != want[i] {
			t.Errorf("line %d: %v, want %s", i+1, s, want[i])
		}
	}
	if errs, _ := lines[3].(map[string]any)["errors"].(map[string]any); errs["at"] == nil || errs["at"] == "attendance.at_format" {
		t.Errorf("the bad time's field error: %v", lines[3])
	}
	if n := f.idOf(`SELECT COUNT(*) FROM punches WHERE device_id = $1`, d.ID); n != 1 {
		t.Fatalf("%d punches stored, want 1", n)
	}
	if res, out := post(key, `{"pin":"1452"}`); res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("not a list: %s %v", res.Status, out)
	}
	if err := f.srv.Attendance.RevokeDevice(ctx, admin, d.ID); err != nil {
		t.Fatal(err)
	}
	if res, _ := post(key, `[{"pin":"1452","at":"2026-09-30T08:25:00+08:00"}]`); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked: %s", res.Status)
	}
}
