package cameras_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/cameras"
	"onestop/internal/demo"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

// fixture is the demo county with a clock at 10:40 in Shanghai on
// Tuesday 2026-09-29.
type fixture struct {
	t   *testing.T
	ctx context.Context
	db  *store.DB
	svc *cameras.Service
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatalf("demo: %v", err)
	}
	// The demo registers the hall's cameras; each test starts without,
	// to count and place its own.
	if _, err := db.W.ExecContext(ctx, `DELETE FROM cameras`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.ExecContext(ctx, `DELETE FROM camera_recorders`); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, db: db, now: time.Date(2026, 9, 29, 2, 40, 0, 0, time.UTC)}
	f.svc = &cameras.Service{DB: db, Now: func() time.Time { return f.now }}
	return f
}

func (f *fixture) staff(username string) org.Actor {
	f.t.Helper()
	st, err := (&org.Service{DB: f.db, Now: time.Now}).StaffByUsername(f.ctx, username)
	if err != nil {
		f.t.Fatalf("staff %s: %v", username, err)
	}
	return st.Actor("192.0.2.7")
}

// hikvision registers an NVR at the hall and a camera on the clerk's
// window, as the hall's admin.
func (f *fixture) hikvision() (cameras.Recorder, cameras.Camera) {
	f.t.Helper()
	admin := f.staff("admin")
	r, err := f.svc.SaveRecorder(f.ctx, admin, 0, cameras.RecorderInput{Name: "一楼NVR", Brand: cameras.Hikvision, Host: "10.20.1.64"})
	if err != nil {
		f.t.Fatalf("recorder: %v", err)
	}
	c, err := f.svc.SaveCamera(f.ctx, admin, 0, cameras.CameraInput{RecorderID: r.ID, Name: "窗口摄像机", Channel: "5", WindowID: f.staff("clerk").WindowID})
	if err != nil {
		f.t.Fatalf("camera: %v", err)
	}
	return r, c
}

func fieldErr(t *testing.T, err error, field, key string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Fields[field].Key != key {
		t.Errorf("%s: got %v, want %s", field, err, key)
	}
}

// A recorder's form refuses what would make a wrong or unsafe link, each
// mistake on its own field, and saves nothing then.
func TestRecorderInput(t *testing.T) {
	f := newFixture(t)
	admin := f.staff("admin")
	for _, c := range []struct {
		in         cameras.RecorderInput
		field, key string
	}{
		{cameras.RecorderInput{Name: "n", Brand: cameras.Hikvision, Host: "admin:12345@10.0.0.1"}, "host", "cameras.host.invalid"},
		{cameras.RecorderInput{Name: "n", Brand: cameras.Hikvision}, "host", "error.required"},
		{cameras.RecorderInput{Name: "n", Brand: "axis", Host: "h"}, "brand", "error.choose"},
		{cameras.RecorderInput{Name: "n", Brand: cameras.Dahua, Host: "h", Port: "70000"}, "port", "cameras.range"},
		{cameras.RecorderInput{Name: "n", Brand: cameras.Dahua, Host: "h", TimeZone: "Mars/Olympus"}, "time_zone", "cameras.time_zone.invalid"},
		{cameras.RecorderInput{Name: "n", Brand: cameras.Hikvision, Host: "h", TimeMode: "gps"}, "time_mode", "error.choose"},
		{cameras.RecorderInput{Name: "n", Brand: cameras.Dahua, Host: "h", BeforeMin: "-1"}, "before_min", "cameras.range"},
		{cameras.RecorderInput{Name: "n", Brand: cameras.Dahua, Host: "h", AfterMin: "600"}, "after_min", "cameras.range"},
		{cameras.RecorderInput{Name: "n", Brand: cameras.GB28181, DeviceID: "34020000001320000001", Template: "https://p/{channel}?s={start_unix}"}, "device_id", "cameras.gb_id.type"},
		{cameras.RecorderInput{Name: "n", Brand: cameras.GB28181, DeviceID: "3402"}, "device_id", "cameras.gb_id.length"},
		{cameras.RecorderInput{Name: "n", Brand: cameras.GB28181}, "template", "error.required"},
		{cameras.RecorderInput{Name: "n", Brand: cameras.Custom, Template: "rtsp://{host}/{chanel}?s={start_unix}"}, "template", "cameras.template.unknown"},
		{cameras.RecorderInput{Name: "n", Brand: cameras.Custom, Template: "rtsp://admin:pw@{host}/x?s={start_unix}"}, "template", "cameras.template.credentials"},
		{cameras.RecorderInput{Name: "n", Brand: cameras.Custom, Template: strings.Repeat("x", 50000)}, "template", "error.too_long"},
		{cameras.RecorderInput{Name: strings.Repeat("名", 51), Brand: cameras.Dahua, Host: "h"}, "name", "error.too_long"},
	} {
		_, err := f.svc.SaveRecorder(f.ctx, admin, 0, c.in)
		fieldErr(t, err, c.field, c.key)
	}
	if rs, _ := f.svc.Recorders(f.ctx, admin); len(rs) != 0 {
		t.Errorf("refused forms saved %d recorders", len(rs))
	}
	// The defaults: the county's zone, local Hikvision time, 3 and 5 minutes.
	r, err := f.svc.SaveRecorder(f.ctx, admin, 0, cameras.RecorderInput{Name: "NVR", Brand: cameras.Hikvision, Host: "10.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.TimeZone != "Asia/Shanghai" || r.TimeMode != cameras.TimeLocal || r.BeforeMin != 3 || r.AfterMin != 5 || r.Port != 554 {
		t.Errorf("defaults: %+v", r)
	}
}

// Only a centre's admin manages its recorders and cameras; another
// centre's are "not found" to them, and their windows not theirs to bind.
func TestManagementScope(t *testing.T) {
	f := newFixture(t)
	r, c := f.hikvision()
	for _, u := range []string{"supervisor", "leader", "clerk", "deptadmin"} {
		if _, err := f.svc.SaveRecorder(f.ctx, f.staff(u), 0, cameras.RecorderInput{Name: "n", Brand: cameras.Dahua, Host: "h"}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("%s creates a recorder: %v", u, err)
		}
	}
	township := f.staff("township")
	if _, err := f.svc.Recorder(f.ctx, township, r.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("township admin reads the hall's recorder: %v", err)
	}
	if err := f.svc.RetireCamera(f.ctx, township, c.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("township admin retires the hall's camera: %v", err)
	}
	own, err := f.svc.SaveRecorder(f.ctx, township, 0, cameras.RecorderInput{Name: "乡镇NVR", Brand: cameras.Dahua, Host: "10.1.1.1"})
	if err != nil {
		t.Fatal(err)
	}
	// The hall's window from a township's recorder, and the hall's
	// recorder from the township: both refused.
	_, err = f.svc.SaveCamera(f.ctx, township, 0, cameras.CameraInput{RecorderID: own.ID, Name: "x", Channel: "1", WindowID: f.staff("clerk").WindowID})
	fieldErr(t, err, "window_id", "cameras.window.missing")
	_, err = f.svc.SaveCamera(f.ctx, township, 0, cameras.CameraInput{RecorderID: r.ID, Name: "x", Channel: "1", Area: "大厅"})
	fieldErr(t, err, "recorder_id", "cameras.recorder.missing")
	admin := f.staff("admin")
	_, err = f.svc.SaveCamera(f.ctx, admin, 0, cameras.CameraInput{RecorderID: r.ID, Name: "x", Channel: "5", Area: "大厅"})
	fieldErr(t, err, "channel", "cameras.channel.taken")
	_, err = f.svc.SaveCamera(f.ctx, admin, 0, cameras.CameraInput{RecorderID: r.ID, Name: "x", Channel: "6", Area: "大厅", WindowID: c.WindowID})
	fieldErr(t, err, "area", "cameras.place.both")
	_, err = f.svc.SaveCamera(f.ctx, admin, 0, cameras.CameraInput{RecorderID: r.ID, Name: "x", Channel: "6"})
	fieldErr(t, err, "window_id", "cameras.place.missing")
	_, err = f.svc.SaveCamera(f.ctx, admin, 0, cameras.CameraInput{RecorderID: r.ID, Name: "x", Channel: "0x6", Area: "大厅"})
	fieldErr(t, err, "channel", "cameras.range")
}

// Opening: supervision, the leaders and the centre's admin may; the
// window's clerk, the department's staff and admin may not. Each opening
// is on the access record and the audit log, with who, which camera,
// which span and from what; the address carries no password.
func TestOpenIsRecorded(t *testing.T) {
	f := newFixture(t)
	_, c := f.hikvision()
	at := time.Date(2026, 9, 29, 2, 40, 0, 0, time.UTC) // 10:40 in Shanghai
	m := cameras.Moment{Source: cameras.FromTicket, Ref: "A012", SourceID: 9, WindowID: c.WindowID, At: at}
	for _, u := range []string{"clerk", "reviewer", "approver", "deptadmin", "tclerk"} {
		if _, err := f.svc.Open(f.ctx, f.staff(u), m, c.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("%s opens a recording: %v", u, err)
		}
	}
	if _, err := f.svc.Open(f.ctx, f.staff("township"), m, c.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("a township's admin opens the hall's window: %v", err)
	}
	sup := f.staff("supervisor")
	o, err := f.svc.Open(f.ctx, sup, m, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := "rtsp://10.20.1.64:554/Streaming/tracks/501?starttime=20260929T103700Z&endtime=20260929T104500Z"
	if o.Address.URL != want {
		t.Errorf("address %s, want %s", o.Address.URL, want)
	}
	views, total, err := f.svc.Views(f.ctx, f.staff("leader"), 50, 0)
	if err != nil || total != 1 {
		t.Fatalf("views %d %v", total, err)
	}
	v := views[0]
	if v.Staff != sup.Name || v.Source != cameras.FromTicket || v.Ref != "A012" || v.Channel != "5" || !v.Start.Equal(at.Add(-3*time.Minute)) || !v.End.Equal(at.Add(5*time.Minute)) {
		t.Errorf("access record: %+v", v)
	}
	// The township's admin reads their own centre's record, not the hall's.
	if _, n, _ := f.svc.Views(f.ctx, f.staff("township"), 50, 0); n != 0 {
		t.Errorf("township admin reads %d of the hall's openings", n)
	}
	if _, _, err := f.svc.Views(f.ctx, f.staff("clerk"), 50, 0); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("clerk reads the access record: %v", err)
	}
	entries, _, err := audit.List(f.ctx, f.db.Read(), audit.Filter{Entity: "camera"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.Action == "view" && e.ActorID == sup.StaffID && e.EntityID == strconv.FormatInt(c.ID, 10) && strings.Contains(e.After, `"ref":"A012"`) {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit entry for the opening: %+v", entries)
	}
	// A retired camera is not offered and cannot be opened.
	if err := f.svc.RetireCamera(f.ctx, f.staff("admin"), c.ID); err != nil {
		t.Fatal(err)
	}
	if ch, err := f.svc.Choose(f.ctx, sup, m); err != nil || len(ch.Cameras) != 0 {
		t.Errorf("after retiring: %+v %v", ch.Cameras, err)
	}
	if _, err := f.svc.Open(f.ctx, sup, m, c.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("a retired camera opens: %v", err)
	}
}

// A camera of another window is not opened through this window's link.
func TestOpenOtherWindowsCamera(t *testing.T) {
	f := newFixture(t)
	r, c := f.hikvision()
	var other int64
	if err := f.db.Read().QueryRowContext(f.ctx, `SELECT id FROM windows WHERE centre_id = (SELECT centre_id FROM windows WHERE id = $1) AND id <> $1 ORDER BY id LIMIT 1`, c.WindowID).Scan(&other); err != nil {
		t.Fatal(err)
	}
	_ = r
	m := cameras.Moment{Source: cameras.FromTicket, Ref: "A1", SourceID: 1, WindowID: other, At: f.now}
	if _, err := f.svc.Open(f.ctx, f.staff("supervisor"), m, c.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another window's camera opened: %v", err)
	}
	if ch, err := f.svc.Choose(f.ctx, f.staff("supervisor"), m); err != nil || len(ch.Cameras) != 0 {
		t.Errorf("a window without a camera offers %d (%v)", len(ch.Cameras), err)
	}
}

// The demo shows the feature: a Hikvision NVR on three windows, a Dahua
// one on the waiting area, the county's GB/T 28181 platform; the clerk's
// window has two cameras, and its link offers both.
func TestDemoCameras(t *testing.T) {
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatal(err)
	}
	svc := &cameras.Service{DB: db, Now: time.Now}
	f := &fixture{t: t, ctx: ctx, db: db}
	admin := f.staff("admin")
	rs, err := svc.Recorders(ctx, admin)
	if err != nil || len(rs) != 3 || rs[0].Brand == rs[1].Brand {
		t.Fatalf("recorders %+v %v", rs, err)
	}
	cs, _ := svc.Cameras(ctx, admin)
	onWindows, areas := map[int64]int{}, 0
	for _, c := range cs {
		if c.WindowID != 0 {
			onWindows[c.WindowID]++
		} else {
			areas++
		}
	}
	if len(onWindows) != 3 || areas != 1 {
		t.Errorf("cameras on %d windows and %d areas", len(onWindows), areas)
	}
	ch, err := svc.Choose(ctx, f.staff("supervisor"), cameras.Moment{Source: cameras.FromTicket, Ref: "A001", SourceID: 1, WindowID: f.staff("clerk").WindowID, At: time.Now()})
	if err != nil || len(ch.Cameras) != 2 {
		t.Errorf("the clerk's window offers %d cameras (%v)", len(ch.Cameras), err)
	}
}
