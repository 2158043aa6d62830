package attendance_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/attendance"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/demo"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

type world struct {
	t      *testing.T
	db     *store.DB
	now    time.Time
	svc    *attendance.Service
	actors map[string]org.Actor
}

// sh is HH:MM on a day in Shanghai.
func sh(day, hhmm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hhmm, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, db: testutil.NewTestDB(t), now: sh("2026-09-29", "18:00"), actors: map[string]org.Actor{}}
	if _, err := demo.Ensure(ctx, w.db, 431022); err != nil {
		t.Fatal(err)
	}
	if err := cases.EnsureCalendar(ctx, w.db, w.now); err != nil {
		t.Fatal(err)
	}
	os := &org.Service{DB: w.db, Now: func() time.Time { return w.now }}
	for _, u := range []string{"admin", "township", "clerk", "reviewer", "deptadmin", "approver"} {
		st, err := os.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		w.actors[u] = st.Actor("192.0.2.3")
	}
	w.svc = &attendance.Service{DB: w.db, Now: func() time.Time { return w.now },
		Calendar: func(ctx context.Context) (*calendar.Calendar, error) { return cases.Calendar(ctx, w.db.R) }}
	return w
}

func (w *world) pin(user, pin string) {
	w.t.Helper()
	if err := w.svc.SetPIN(context.Background(), w.actors["admin"], w.actors[user].StaffID, pin); err != nil {
		w.t.Fatalf("pin %s: %v", user, err)
	}
}

func (w *world) httpDevice() (*attendance.Device, string) {
	w.t.Helper()
	d, key, err := w.svc.IssueDevice(context.Background(), w.actors["admin"], attendance.DeviceInput{CentreID: w.actors["admin"].CentreID,
		Name: "大厅考勤机", Protocol: attendance.HTTP})
	if err != nil || key == "" {
		w.t.Fatalf("issue: %v", err)
	}
	return d, key
}

func (w *world) count(q string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.db.R.QueryRow(q, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func fieldKey(err error, field string) string {
	if ae := apperr.As(err); ae != nil {
		return ae.Fields[field].Key
	}
	return ""
}

// A terminal's key authenticates it until revoked; an unknown or revoked
// key or serial is refused alike; only a centre's admin issues, and only
// for their centre.
func TestDeviceAuthentication(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	d, key := w.httpDevice()
	got, err := w.svc.DeviceByKey(ctx, key)
	if err != nil || got.ID != d.ID {
		t.Fatalf("key: %v", err)
	}
	if _, err := w.svc.DeviceByKey(ctx, key+"x"); err != attendance.ErrDevice {
		t.Fatalf("wrong key: %v", err)
	}
	ic, _, err := w.svc.IssueDevice(ctx, w.actors["admin"], attendance.DeviceInput{CentreID: w.actors["admin"].CentreID, Name: "中控", Protocol: attendance.Iclock, Serial: "CEXJ201260123"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := w.svc.DeviceBySerial(ctx, "CEXJ201260123"); err != nil || got.ID != ic.ID {
		t.Fatalf("serial: %v", err)
	}
	if _, err := w.svc.DeviceBySerial(ctx, "UNKNOWN0001"); err != attendance.ErrDevice {
		t.Fatalf("unknown serial: %v", err)
	}
	for _, id := range []int64{d.ID, ic.ID} {
		if err := w.svc.RevokeDevice(ctx, w.actors["admin"], id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.svc.DeviceByKey(ctx, key); err != attendance.ErrDevice {
		t.Fatalf("revoked key: %v", err)
	}
	if _, err := w.svc.DeviceBySerial(ctx, "CEXJ201260123"); err != attendance.ErrDevice {
		t.Fatalf("revoked serial: %v", err)
	}
	// A township's admin cannot issue at the hall; a clerk cannot list.
	_, _, err = w.svc.IssueDevice(ctx, w.actors["township"], attendance.DeviceInput{CentreID: w.actors["admin"].CentreID, Name: "x", Protocol: attendance.HTTP})
	if fieldKey(err, "centre_id") != "attendance.centre_unknown" {
		t.Fatalf("township at hall: %v", err)
	}
	if _, err := w.svc.Devices(ctx, w.actors["clerk"]); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("clerk lists: %v", err)
	}
	if err := w.svc.RevokeDevice(ctx, w.actors["township"], d.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("township revokes hall's: %v", err)
	}
}

// Punches within the merge span count once; a re-sent punch changes
// nothing; an unknown PIN, a PIN of another centre and a bad field are
// answered per line and stored nowhere.
func TestPunchDeduplication(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.pin("clerk", "1001")
	d, _ := w.httpDevice()
	// The township's clerk has PIN 2001 at the township: not this terminal's.
	tclerk := w.count(`SELECT id FROM staff WHERE username = 'tclerk'`)
	if err := w.svc.SetPIN(ctx, w.actors["township"], int64(tclerk), "2001"); err != nil {
		t.Fatal(err)
	}
	at := sh("2026-09-29", "08:25")
	res, err := w.svc.Record(ctx, d, attendance.SourceDevice, []attendance.Punch{
		{PIN: "1001", At: at, Direction: "in", Verify: "fingerprint"},
		{PIN: "1001", At: at, Direction: "in"},                       // re-sent
		{PIN: "1001", At: at.Add(40 * time.Second), Direction: "in"}, // pressed again
		{PIN: "1001", At: at.Add(9 * time.Hour), Direction: "out"},   // leaving
		{PIN: "9999", At: at},                                            // nobody
		{PIN: "2001", At: at},                                            // another centre's person
		{PIN: "1001", At: w.now.Add(time.Hour)},                          // in the future
		{PIN: "10 01", At: at.Add(5 * time.Hour), Direction: "sideways"}, // garbage
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{attendance.Accepted, attendance.Duplicate, attendance.Duplicate, attendance.Accepted, attendance.UnknownPIN,
		attendance.UnknownPIN, attendance.Invalid, attendance.Invalid}
	for i, r := range res {
		if r.Status != want[i] {
			t.Errorf("line %d: %s, want %s", i+1, r.Status, want[i])
		}
	}
	if res[6].Fields["at"] != "attendance.at_future" || res[7].Fields["pin"] != "attendance.pin_format" || res[7].Fields["direction"] != "error.choose" {
		t.Errorf("field errors: %v %v", res[6].Fields, res[7].Fields)
	}
	if n := w.count(`SELECT COUNT(*) FROM punches WHERE device_id IS NOT NULL`); n != 2 {
		t.Fatalf("%d punches stored, want 2", n)
	}
	// The whole upload again: nothing changes.
	res, _ = w.svc.Record(ctx, d, attendance.SourceDevice, []attendance.Punch{{PIN: "1001", At: at, Direction: "in"}, {PIN: "1001", At: at.Add(9 * time.Hour)}})
	if res[0].Status != attendance.Duplicate || res[1].Status != attendance.Duplicate || w.count(`SELECT COUNT(*) FROM punches WHERE device_id IS NOT NULL`) != 2 {
		t.Fatalf("re-upload: %+v", res)
	}
	// Two minutes later is a punch of its own.
	res, _ = w.svc.Record(ctx, d, attendance.SourceDevice, []attendance.Punch{{PIN: "1001", At: at.Add(2 * time.Minute)}})
	if res[0].Status != attendance.Accepted {
		t.Fatalf("two minutes later: %+v", res)
	}
}

// A manual punch needs a reason, is on the audit record with who entered
// it for whom, and only the centre's admin enters one.
func TestManualPunch(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.pin("clerk", "1001")
	in := attendance.ManualInput{StaffID: w.actors["clerk"].StaffID, At: sh("2026-09-29", "08:20"), Direction: "in", Reason: "  "}
	if err := w.svc.ManualPunch(ctx, w.actors["admin"], in); fieldKey(err, "reason") != "error.required" {
		t.Fatalf("no reason: %v", err)
	}
	in.Reason = "指纹机故障，经核实已到岗"
	if err := w.svc.ManualPunch(ctx, w.actors["clerk"], in); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("clerk: %v", err)
	}
	if err := w.svc.ManualPunch(ctx, w.actors["township"], in); fieldKey(err, "staff_id") != "attendance.staff_unknown" {
		t.Fatalf("township admin for the hall's clerk: %v", err)
	}
	if err := w.svc.ManualPunch(ctx, w.actors["admin"], in); err != nil {
		t.Fatal(err)
	}
	if w.count(`SELECT COUNT(*) FROM punches WHERE source = 'manual' AND entered_by = $1 AND reason = $2`, w.actors["admin"].StaffID, in.Reason) != 1 {
		t.Fatal("manual punch not stored with who and why")
	}
	if w.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'attendance.manual_punch' AND actor_id = $1`, w.actors["admin"].StaffID) != 1 {
		t.Fatal("manual punch not on the audit record")
	}
	if err := w.svc.ManualPunch(ctx, w.actors["admin"], in); fieldKey(err, "at") != "attendance.punch_exists" {
		t.Fatalf("twice: %v", err)
	}
}
