package web_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"onestop/internal/web"
)

func init() {
	// A ticket's staff page: the centre's clerks and admin, supervision and
	// leaders; another centre's ticket is not found (TestTicketCameraLink).
	expected["GET /queue/tickets/{id}/record"] = []string{"clerk", "tclerk", "admin", "township", "supervisor", "leader"}
	scopeRoutes["GET /queue/tickets/{id}/record"] = kNone
}

// ticketAt puts a ticket of the window's centre into the record: called
// at window at first, served from serving (zero: never served) to ended
// (zero: still open; else done). It returns the ticket's id.
func ticketAt(f *fixture, window int64, first, serving, ended time.Time) int64 {
	f.t.Helper()
	centre := f.idOf(`SELECT centre_id FROM windows WHERE id = $1`, window)
	group := f.idOf(`SELECT MIN(id) FROM queue_groups WHERE centre_id = $1`, centre)
	state, opt := "called", func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UTC()
	}
	if !serving.IsZero() {
		state = "serving"
	}
	if !ended.IsZero() {
		state = "done"
	}
	issued := first.Add(-12 * time.Minute).UTC()
	seq := int(f.idOf(`SELECT COUNT(*) FROM queue_tickets`)) + 500
	f.exec(`INSERT INTO queue_tickets (group_id, centre_id, day, seq, no, channel, state, place_at, issued_at, window_id, first_called_at, called_at, calls, serving_at, ended_at)
		VALUES ($1, $2, $3, $4, $5, 'kiosk', $6, $7, $7, $8, $9, $9, 1, $10, $11)`,
		group, centre, first.Format("20060102"), seq, "A"+itoa64(int64(seq)), state, issued, window, first.UTC(), opt(serving), opt(ended))
	id := f.idOf(`SELECT MAX(id) FROM queue_tickets`)
	f.exec(`INSERT INTO queue_events (ticket_id, centre_id, action, window_id, at) VALUES ($1, $2, 'call', $3, $4)`, id, centre, window, first.UTC())
	return id
}

var ticketCameraRE = regexp.MustCompile(`href="(/cameras/recording\?source=ticket[^"]+)" data-testid="ticket-camera"`)

// From a ticket's staff page to the recording: the supervisor sees the
// ticket (issued, called at which window, served) and its link, which
// names the window's camera over the service (10:40–10:52) with the
// recorder's margins (3 before, 5 after); the opening is on the record.
// The clerk reads the ticket but is offered no link and the recording
// routes refuse them; a township's admin finds no hall ticket; a request
// naming another window or time is not believed — the record decides.
func TestTicketCameraLink(t *testing.T) {
	cf := newCaseFixture(t)
	setUpCamera(t, cf)
	window := cf.idOf(`SELECT window_id FROM staff WHERE username = 'clerk'`)
	start := time.Date(2026, 9, 29, 2, 40, 0, 0, time.UTC) // 10:40 in Shanghai
	id := ticketAt(cf.fixture, window, start.Add(-time.Minute), start, start.Add(12*time.Minute))
	page := "/queue/tickets/" + itoa64(id) + "/record"

	// The centre admin's queue page lists it, linked to its record.
	if _, body := cf.login("admin").get("/admin/queue?from=2026-09-29&to=2026-09-29"); !strings.Contains(body, `href="`+page+`"`) {
		t.Error("the queue page does not link the ticket's record")
	}
	sup := cf.login("supervisor")
	res, body := sup.get(page)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="ticket-event"`) || !strings.Contains(body, "2026-09-29 10:52:00") {
		t.Fatalf("ticket page: %d %s", res.StatusCode, problemOf(body))
	}
	m := ticketCameraRE.FindStringSubmatch(body)
	if m == nil || html.UnescapeString(m[1]) != web.TicketRecordingURL(id) {
		t.Fatalf("no camera link on the ticket page: %v", m)
	}
	res, body = sup.get(html.UnescapeString(m[1]) + "&window=999999&at=2020-01-01T00:00")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "2026-09-29 10:37:00 – 2026-09-29 10:57:00") || !strings.Contains(body, "1号窗口摄像机") {
		t.Fatalf("recording page: %d %s", res.StatusCode, problemOf(body))
	}
	camera := cf.idOf(`SELECT id FROM cameras`)
	res, body = sup.post("/cameras/recording", map[string][]string{"source": {"ticket"}, "id": {itoa64(id)}, "camera": {itoa64(camera)}})
	if a := addressRE.FindStringSubmatch(body); res.StatusCode != http.StatusOK || a == nil ||
		a[1] != "rtsp://10.20.1.64:554/Streaming/tracks/501?starttime=20260929T103700Z&amp;endtime=20260929T105700Z" {
		t.Fatalf("playback: %d %v", res.StatusCode, a)
	}
	if n := cf.idOf(`SELECT COUNT(*) FROM camera_views WHERE source = 'ticket' AND window_id = $1 AND source_ref LIKE 'A%'`, window); n != 1 {
		t.Errorf("%d ticket openings on the access record", n)
	}
	if n := cf.idOf(`SELECT COUNT(*) FROM audit_log WHERE entity = 'camera' AND action = 'view'`); n != 1 {
		t.Errorf("%d audit entries", n)
	}
	// A forged form opens nothing.
	forged := map[string][]string{"source": {"ticket"}, "id": {itoa64(id)}, "camera": {itoa64(camera)}, "csrf_token": {"forged"}}
	if res, _ := sup.post("/cameras/recording", forged); res.StatusCode != http.StatusForbidden {
		t.Errorf("forged form: %d", res.StatusCode)
	}

	clerk := cf.login("clerk")
	res, body = clerk.get(page)
	if res.StatusCode != http.StatusOK || strings.Contains(body, "ticket-camera") || strings.Contains(body, "/cameras/recording") {
		t.Errorf("clerk's ticket page: %d, camera link offered: %v", res.StatusCode, strings.Contains(body, "/cameras/recording"))
	}
	if res, _ := clerk.get(web.TicketRecordingURL(id)); res.StatusCode != http.StatusForbidden {
		t.Errorf("clerk reaches the recording page: %d", res.StatusCode)
	}
	if res, _ := clerk.post("/cameras/recording", map[string][]string{"source": {"ticket"}, "id": {itoa64(id)}, "camera": {itoa64(camera)}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("clerk opens the recording: %d", res.StatusCode)
	}
	// Another centre's staff: not found, the page and the link alike.
	if res, body := cf.login("tclerk").get(page); res.StatusCode != http.StatusNotFound || strings.Contains(body, "10:52") {
		t.Errorf("township clerk reads the hall's ticket: %d", res.StatusCode)
	}
	if res, _ := cf.login("township").get(web.TicketRecordingURL(id)); res.StatusCode != http.StatusNotFound {
		t.Errorf("township admin reaches the hall's ticket recording: %d", res.StatusCode)
	}
	for _, bad := range []string{"999999", "0", "x", strings.Repeat("9", 50000)} {
		if res, _ := sup.get("/queue/tickets/" + bad + "/record"); res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusBadRequest {
			t.Errorf("ticket %.20s: %d", bad, res.StatusCode)
		}
	}
}
