package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"onestop/internal/voice"
	"onestop/internal/web"
)

func init() {
	// Issue 15 §5: supervision, the leaders and the centre admins open
	// recordings and read the access record; centre admins manage the
	// recorders and cameras.
	watchers := []string{"admin", "township", "supervisor", "leader"}
	expected["GET /cameras/recording"] = watchers
	expected["POST /cameras/recording"] = watchers
	expected["GET /cameras/views"] = watchers
	for _, p := range []string{"GET /admin/cameras", "GET /admin/recorders/new", "POST /admin/recorders",
		"GET /admin/recorders/{id}", "POST /admin/recorders/{id}", "POST /admin/recorders/{id}/retire",
		"GET /admin/cameras/new", "POST /admin/cameras", "GET /admin/cameras/{id}", "POST /admin/cameras/{id}", "POST /admin/cameras/{id}/retire"} {
		expected[p] = centreAdm
	}
	// Another centre's recorder or camera answers 404: TestCameraAdmin
	// here and TestManagementScope in internal/cameras.
	for _, p := range []string{"GET /admin/recorders/{id}", "POST /admin/recorders/{id}", "POST /admin/recorders/{id}/retire",
		"GET /admin/cameras/{id}", "POST /admin/cameras/{id}", "POST /admin/cameras/{id}/retire"} {
		scopeRoutes[p] = kNone
	}
	filterParams["GET /cameras/recording"] = []string{"source", "id", "seq", "window", "at", "ref"}
}

var cameraIDRE = regexp.MustCompile(`href="/admin/recorders/(\d+)"`)

// setUpCamera registers, through the admin's forms, a Hikvision NVR with
// a camera on the demo clerk's window; it answers the recorder's id.
func setUpCamera(t *testing.T, cf *caseFixture) string {
	t.Helper()
	// The demo registers the hall's cameras; the tests start without, to
	// count and place their own.
	for _, q := range []string{`DELETE FROM cameras`, `DELETE FROM camera_recorders`} {
		if _, err := cf.db.W.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	admin := cf.login("admin")
	res, body := admin.post("/admin/recorders", url.Values{"name": {"一楼NVR"}, "brand": {"hikvision"}, "host": {"10.20.1.64"},
		"port": {"554"}, "time_zone": {"Asia/Shanghai"}, "time_mode": {"local"}, "before_min": {"3"}, "after_min": {"5"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("recorder: %d %s", res.StatusCode, problemOf(body))
	}
	_, body = admin.get("/admin/cameras")
	m := cameraIDRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("recorder not listed: %s", body)
	}
	window := cf.idOf(`SELECT window_id FROM staff WHERE username = 'clerk'`)
	res, body = admin.post("/admin/cameras", url.Values{"recorder_id": {m[1]}, "name": {"1号窗口摄像机"}, "channel": {"5"}, "window_id": {itoa64(window)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("camera: %d %s", res.StatusCode, problemOf(body))
	}
	return m[1]
}

// The admin's forms: a password in the template, an unknown placeholder,
// a GB/T 28181 code of the wrong type each come back as a field error in
// Chinese and save nothing; another centre's admin finds nothing.
func TestCameraAdmin(t *testing.T) {
	cf := newCaseFixture(t)
	rec := setUpCamera(t, cf)
	admin := cf.login("admin")
	for _, c := range []struct {
		form  url.Values
		field string
		text  string
	}{
		{url.Values{"name": {"x"}, "brand": {"custom"}, "template": {"rtsp://admin:12345@{host}/p?s={start_unix}"}}, "template", "不得包含用户名或密码"},
		{url.Values{"name": {"x"}, "brand": {"custom"}, "host": {"h"}, "template": {"rtsp://{host}/p?s={begin_unix}"}}, "template", "未知占位符 {begin_unix}"},
		{url.Values{"name": {"x"}, "brand": {"gb28181"}, "device_id": {"34020000001320000001"}, "template": {"https://gb/p?c={channel}&s={start_unix}"}}, "device_id", "类型"},
		{url.Values{"name": {"x"}, "brand": {"hikvision"}, "host": {"admin:pw@10.0.0.1"}}, "host", "不含用户名"},
		{url.Values{"name": {"x"}, "brand": {"dahua"}, "host": {"h"}, "time_zone": {strings.Repeat("z", 50000)}}, "time_zone", ""},
	} {
		res, body := admin.post("/admin/recorders", c.form)
		errs := fieldErrors(body)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(errs[c.field]), c.text) {
			t.Errorf("%v: %d %q", c.form, res.StatusCode, errs)
		}
	}
	if n := cf.idOf(`SELECT COUNT(*) FROM camera_recorders`); n != 1 {
		t.Errorf("%d recorders after refused forms", n)
	}
	township := cf.login("township")
	if res, _ := township.get("/admin/recorders/" + rec); res.StatusCode != http.StatusNotFound {
		t.Errorf("township admin reads the hall's recorder: %d", res.StatusCode)
	}
	if res, _ := township.post("/admin/recorders/"+rec+"/retire", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("township admin retires the hall's recorder: %d", res.StatusCode)
	}
	if res, _ := admin.post("/admin/recorders/"+rec+"/retire", url.Values{"csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("retire without the CSRF token: %d", res.StatusCode)
	}
	// Retiring the recorder retires its cameras; the second time is a
	// conflict, not a second entry.
	if res, _ := admin.post("/admin/recorders/"+rec+"/retire", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("retire: %d", res.StatusCode)
	}
	if n := cf.idOf(`SELECT COUNT(*) FROM cameras WHERE retired_at IS NULL`); n != 0 {
		t.Errorf("%d cameras in use on a retired recorder", n)
	}
	if res, _ := admin.post("/admin/recorders/"+rec+"/retire", nil); res.StatusCode != http.StatusConflict {
		t.Errorf("retire twice: %d", res.StatusCode)
	}
}

var addressRE = regexp.MustCompile(`value="([^"]+)" data-testid="camera-address"`)

// From a bad review on a pad to the recording: the supervisor follows the
// rating's link, sees the window and the span (3 minutes before, 5
// after), opens the camera and gets the playback address, which carries
// no password; the access record shows the opening. A clerk may not,
// a forged form may not, and a window without a camera says so.
func TestCameraLinkFromBadReview(t *testing.T) {
	cf := newCaseFixture(t)
	setUpCamera(t, cf)
	no := cf.decidedCase()
	admin := cf.login("admin")
	window := cf.idOf(`SELECT window_id FROM staff WHERE username = 'clerk'`)
	res, body := admin.post("/admin/devices", url.Values{"window_id": {itoa64(window)}, "name": {"1号窗评价器"}})
	m := keyRE.FindStringSubmatch(body)
	if res.StatusCode != http.StatusCreated || m == nil {
		t.Fatalf("pad: %d", res.StatusCode)
	}
	cf.set(time.Date(2026, 9, 29, 2, 40, 0, 0, time.UTC)) // Tuesday 10:40 in Shanghai
	req, _ := http.NewRequest(http.MethodPost, cf.ts.URL+"/api/v1/ratings/device", strings.NewReader(`{"case_no":"`+no+`","level":1,"comment":"态度很差"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+m[1])
	pres, err := http.DefaultClient.Do(req)
	if err != nil || pres.StatusCode != http.StatusCreated {
		t.Fatalf("bad rating: %v %v", pres, err)
	}
	pres.Body.Close()
	rating := cf.idOf(`SELECT id FROM ratings WHERE case_no = $1`, no)
	rect := cf.idOf(`SELECT id FROM rectifications WHERE rating_id = $1`, rating)
	sup := cf.login("supervisor")
	_, body = sup.get("/ratings/" + itoa64(rect))
	link := "/cameras/recording?source=rating&amp;id=" + itoa64(rating)
	if !strings.Contains(body, link) {
		t.Fatalf("no camera link on the rectification page")
	}
	if _, body := cf.login("deptadmin").get("/ratings/" + itoa64(rect)); strings.Contains(body, "/cameras/recording") {
		t.Error("the department admin is offered the camera link")
	}
	page := html.UnescapeString(link)
	res, body = sup.get(page)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "2026-09-29 10:37:00 – 2026-09-29 10:45:00") {
		t.Fatalf("recording page: %d %s", res.StatusCode, problemOf(body))
	}
	if n := cf.idOf(`SELECT COUNT(*) FROM camera_views`); n != 0 {
		t.Errorf("looking at the choice recorded %d openings", n)
	}
	camera := cf.idOf(`SELECT id FROM cameras`)
	// post sets the client's CSRF token in the form: each request gets
	// its own.
	open := func() url.Values {
		return url.Values{"source": {"rating"}, "id": {itoa64(rating)}, "camera": {itoa64(camera)}}
	}
	for _, u := range []string{"clerk", "deptadmin", "reviewer"} {
		if res, _ := cf.login(u).post("/cameras/recording", open()); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s opens the recording: %d", u, res.StatusCode)
		}
	}
	forged := url.Values{"source": {"rating"}, "id": {itoa64(rating)}, "camera": {itoa64(camera)}, "csrf_token": {"forged"}}
	if res, _ := sup.post("/cameras/recording", forged); res.StatusCode != http.StatusForbidden {
		t.Errorf("a forged form opens the recording: %d", res.StatusCode)
	}
	if res, _ := cf.login("township").post("/cameras/recording", open()); res.StatusCode != http.StatusNotFound {
		t.Errorf("a township admin opens the hall's window: %d", res.StatusCode)
	}
	res, body = sup.post("/cameras/recording", open())
	a := addressRE.FindStringSubmatch(body)
	want := "rtsp://10.20.1.64:554/Streaming/tracks/501?starttime=20260929T103700Z&amp;endtime=20260929T104500Z"
	if res.StatusCode != http.StatusOK || a == nil || a[1] != want {
		t.Fatalf("playback: %d %v", res.StatusCode, a)
	}
	if !strings.Contains(body, `href="rtsp://10.20.1.64:554/Streaming/tracks/501?`) {
		t.Error("the rtsp:// link is not offered")
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the address may be cached: %q", res.Header.Get("Cache-Control"))
	}
	_, body = cf.login("leader").get("/cameras/views")
	if !strings.Contains(body, "2026-09-29 10:37:00 – 2026-09-29 10:45:00") || !strings.Contains(body, no) || !strings.Contains(body, "1号窗口摄像机") {
		t.Errorf("access record lacks the opening: %s", body)
	}
	if n := cf.idOf(`SELECT COUNT(*) FROM audit_log WHERE entity = 'camera' AND action = 'view'`); n != 1 {
		t.Errorf("%d audit entries for one opening", n)
	}
	// Another window, no camera: said plainly.
	other := cf.idOf(`SELECT id FROM windows WHERE centre_id = (SELECT centre_id FROM windows WHERE id = $1) AND id <> $1 ORDER BY id LIMIT 1`, window)
	at := time.Date(2026, 9, 29, 2, 40, 0, 0, time.UTC)
	ticket := ticketAt(cf.fixture, other, at, at, time.Time{})
	_, body = sup.get(web.TicketRecordingURL(ticket))
	if !strings.Contains(body, `data-testid="camera-none"`) {
		t.Errorf("a window without a camera: %s", problemOf(body))
	}
}

// The other two ways in: a case event at the window (the timeline's
// link) and a complaint, whose window and time the supervisor reads off
// its text; a time after the complaint was received is refused on its
// field.
func TestCameraLinkFromCaseAndComplaint(t *testing.T) {
	cf := newCaseFixture(t)
	setUpCamera(t, cf)
	cf.set(time.Date(2026, 9, 29, 2, 40, 0, 0, time.UTC))
	no := cf.decidedCase()
	sup := cf.login("supervisor")
	_, body := sup.get("/cases/" + no)
	m := regexp.MustCompile(`href="(/cameras/recording\?source=case[^"]+)" data-testid="event-camera"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no camera link on the case timeline")
	}
	if _, body := cf.login("clerk").get("/cases/" + no); strings.Contains(body, "event-camera") {
		t.Error("the clerk is offered a camera link on their own case")
	}
	res, body := sup.get(html.UnescapeString(m[1]))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "2026-09-29 10:37:00 – 2026-09-29 10:45:00") {
		t.Fatalf("from the case event: %d %s", res.StatusCode, problemOf(body))
	}

	e, err := cf.srv.Voice.File(context.Background(), voice.Input{Kind: voice.Complaint, Subject: "窗口态度", Body: "周二上午10点40分在1号窗口被呵斥。",
		Phone: "13800138000", Channel: "phone"})
	if err != nil {
		t.Fatal(err)
	}
	id := cf.idOf(`SELECT id FROM enquiries WHERE no = $1`, e.No)
	_, body = sup.get("/enquiries/" + e.No)
	if !strings.Contains(body, `data-testid="complaint-camera"`) {
		t.Fatal("no camera link on the complaint")
	}
	res, body = sup.get("/cameras/recording?source=complaint&id=" + itoa64(id))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="complaint-moment"`) {
		t.Fatalf("the complaint's form: %d", res.StatusCode)
	}
	if res, body := cf.login("township").get("/cameras/recording?source=complaint&id=" + itoa64(id)); res.StatusCode != http.StatusNotFound || strings.Contains(body, e.No) {
		t.Errorf("a township admin reads the hall's complaint: %d", res.StatusCode)
	}
	window := itoa64(cf.idOf(`SELECT window_id FROM staff WHERE username = 'clerk'`))
	_, body = sup.get("/cameras/recording?source=complaint&id=" + itoa64(id) + "&window=" + window + "&at=2026-09-29T10:40")
	if !strings.Contains(body, "2026-09-29 10:37:00 – 2026-09-29 10:45:00") {
		t.Errorf("the complaint's moment: %s", problemOf(body))
	}
	res, body = sup.get("/cameras/recording?source=complaint&id=" + itoa64(id) + "&window=" + window + "&at=2026-09-30T10:40")
	if errs := fieldErrors(body); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errs["at"], "不能晚于") {
		t.Errorf("a time after the complaint: %d %v", res.StatusCode, errs)
	}
	// A consultation is no complaint.
	c, err := cf.srv.Voice.File(context.Background(), voice.Input{Kind: voice.Consult, DepartmentID: cf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`),
		Subject: "材料", Body: "要带什么？", Phone: "13800138000", Channel: "phone"})
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := sup.get("/cameras/recording?source=complaint&id=" + itoa64(cf.idOf(`SELECT id FROM enquiries WHERE no = $1`, c.No))); res.StatusCode != http.StatusNotFound {
		t.Errorf("a consultation's camera link: %d", res.StatusCode)
	}
}

// The demo's equipment on the admin's pages, in both languages, and
// each form renders; the GB/T 28181 platform's link shows the SDP values.
func TestCameraPagesWithDemo(t *testing.T) {
	cf := newCaseFixture(t)
	admin := cf.login("admin")
	_, body := admin.get("/admin/cameras")
	for _, want := range []string{"一楼大厅海康NVR", "候办区大华NVR", "县视频监控联网平台", "一楼候办区", "窗口高位球机"} {
		if !strings.Contains(body, want) {
			t.Errorf("admin page lacks %s", want)
		}
	}
	if _, en := admin.get("/admin/cameras?lang=en"); !strings.Contains(en, "GB/T 28181 platform") || !strings.Contains(en, "3 min before, 5 min after") {
		t.Error("the English page is not translated")
	}
	for _, p := range []string{"/admin/cameras/new", "/admin/recorders/new", "/admin/recorders/" + itoa64(cf.idOf(`SELECT id FROM camera_recorders WHERE brand = 'gb28181'`))} {
		if res, body := admin.get(p); res.StatusCode != http.StatusOK || !strings.Contains(body, `name="csrf_token"`) {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
	gb := cf.idOf(`SELECT k.id FROM cameras k JOIN camera_recorders r ON r.id = k.recorder_id WHERE r.brand = 'gb28181'`)
	at := time.Date(2026, 9, 29, 2, 40, 0, 0, time.UTC)
	ticket := ticketAt(cf.fixture, cf.idOf(`SELECT window_id FROM staff WHERE username = 'clerk'`), at, at, time.Time{})
	res, body := cf.login("supervisor").post("/cameras/recording", url.Values{"source": {"ticket"}, "id": {itoa64(ticket)}, "camera": {itoa64(gb)}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "1790649420 1790649900") || !strings.Contains(body, "43102200001320000001:0") {
		t.Errorf("GB/T 28181 playback: %d %s", res.StatusCode, problemOf(body))
	}
}
