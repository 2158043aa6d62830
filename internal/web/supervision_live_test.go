package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"onestop/internal/cases"
	"onestop/internal/demo"
	"onestop/internal/web"
)

func init() {
	live := []string{"supervisor", "leader"}
	for _, p := range []string{"GET /supervision/live", "GET /supervision/live/stream", "GET /supervision/live/{by}/{key}",
		"GET /supervision/wall", "GET /api/v1/supervision/live", "GET /api/v1/supervision/live/{by}/{key}"} {
		expected[p] = live
	}
	for _, p := range []string{"GET /supervision/live", "GET /supervision/live/stream", "GET /supervision/wall", "GET /api/v1/supervision/live"} {
		filterParams[p] = []string{"by", "county"}
	}
	// A group of another county answers 404: tried with two counties in
	// TestLiveMonitorStaysInItsCounty (the scope matrix has one county).
	scopeRoutes["GET /supervision/live/{by}/{key}"] = kNone
	scopeRoutes["GET /api/v1/supervision/live/{by}/{key}"] = kNone
}

// board is the JSON of GET /api/v1/supervision/live.
type board struct {
	Totals map[string]int `json:"totals"`
	Items  []struct {
		Key, Name, County                          string
		Open, Green, Yellow, Red, Paused, Received int
	} `json:"items"`
	Total  int `json:"total"`
	Urgent []struct {
		No, Applicant, Light, State string
	} `json:"urgent"`
}

func getBoard(t *testing.T, c *client, query string) board {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.f.ts.URL+"/api/v1/supervision/live"+query, nil)
	res, body := c.do(req)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("live%s: %d %s", query, res.StatusCode, body)
	}
	var b board
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// A supervisor's board counts the open cases by light per department and
// centre; a group drills down to its cases with the applicant masked and a
// link to the case; the home page starts here; a clerk is refused.
func TestLiveMonitorCountsAndDrillDown(t *testing.T) {
	cf := newCaseFixture(t)
	clerk := cf.login("clerk")
	no := cf.intake(clerk, "T-001", 1, 2)
	sup := cf.login("supervisor")
	if res, page := sup.get("/"); res.StatusCode != http.StatusOK || !strings.Contains(page, `data-live="/supervision/live/stream?by=department"`) {
		t.Fatalf("supervisor's home is not the live monitor: %d %s", res.StatusCode, problemOf(page))
	}
	b := getBoard(t, sup, "?by=department")
	if b.Totals["open"] != 1 || b.Total != 1 || b.Items[0].Open != 1 || b.Items[0].Green != 1 {
		t.Fatalf("board: %+v", b)
	}
	dept := cf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	if b.Items[0].Key != fmt.Sprint(dept) {
		t.Fatalf("group %s, want the clerk's department %d", b.Items[0].Key, dept)
	}
	if len(b.Urgent) != 1 || b.Urgent[0].No != no || b.Urgent[0].Applicant != "王**" {
		t.Fatalf("urgent: %+v", b.Urgent)
	}
	for _, by := range []string{"centre", "township"} {
		if b := getBoard(t, sup, "?by="+by); b.Totals["open"] != 1 || b.Total != 1 {
			t.Fatalf("by %s: %+v", by, b)
		}
	}
	// The case turns red when its due day has passed.
	cf.set(at("2026-11-02"))
	sup = cf.login("supervisor") // the session idled out as the clock moved
	if b := getBoard(t, sup, ""); b.Totals["red"] != 1 || b.Items[0].Red != 1 || b.Urgent[0].Light != "red" {
		t.Fatalf("after the due day: %+v", b)
	}
	res, page := sup.get(fmt.Sprintf("/supervision/live/department/%d", dept))
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `href="/cases/`+no+`"`) || strings.Contains(page, "王小明") || !strings.Contains(page, "light-red") {
		t.Fatalf("drill-down: %d %s", res.StatusCode, problemOf(page))
	}
	res, page = sup.get("/supervision/live")
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `data-live="/supervision/live/stream?by=department"`) || !strings.Contains(page, no) {
		t.Fatalf("live page: %d %s", res.StatusCode, problemOf(page))
	}
	// The supervisor issues a correction order from the row; the rest of
	// supervision is a click away.
	for _, want := range []string{`href="/supervision/orders/new?case=` + no + `"`, `href="/supervision/dashboard"`, `href="/supervision/bulletin"`, `href="/supervision/orders"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the live page lacks %s", want)
		}
	}
	if _, page := cf.login("leader").get("/supervision/live"); strings.Contains(page, "/supervision/orders/new") {
		t.Error("the leader (read-only) is offered to issue an order")
	}
	if res, page := sup.get("/supervision/wall"); res.StatusCode != http.StatusOK || strings.Contains(page, `class="side"`) || !strings.Contains(page, "宜章县") {
		t.Fatalf("wall: %d %s", res.StatusCode, problemOf(page))
	}
	for _, q := range []string{"?by=week", "?by=" + strings.Repeat("x", 50000), "?county=43", "?county=abcdef"} {
		if res, _ := sup.api("GET", "/api/v1/supervision/live"+q, ""); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%.40s: %d, want 422", q, res.StatusCode)
		}
	}
	for _, p := range []string{"/department/999999", "/department/abc", "/centre/-1", "/township/999999999", "/week/1", "/county/430121"} {
		if res, _ := sup.api("GET", "/api/v1/supervision/live"+p, ""); res.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: %d, want 404", p, res.StatusCode)
		}
	}
	clerk = cf.login("clerk")
	if res, _ := clerk.api("GET", "/api/v1/supervision/live", ""); res.StatusCode != http.StatusForbidden {
		t.Fatalf("clerk: %d, want 403", res.StatusCode)
	}
	if res, _ := clerk.get("/supervision/live/stream"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("clerk's stream: %d, want 403", res.StatusCode)
	}
}

// In a province's database a county's supervisor sees their county only:
// another county's case is not counted and its groups are "not found";
// a province-wide reader sees both, with a county column and filter.
func TestLiveMonitorStaysInItsCounty(t *testing.T) {
	cf := newCaseFixture(t)
	if err := demo.EnsureProvince(context.Background(), cf.db, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	clerk := cf.login("clerk")
	cf.intake(clerk, "T-001", 1, 2)
	away := cf.intake(clerk, "T-001", 1, 2)
	otherHall := cf.idOf(`SELECT id FROM centres WHERE kind = 'hall' AND region_code = '430121'`)
	otherDept := cf.idOf(`SELECT MIN(id) FROM departments WHERE region_code = '430121'`)
	if _, err := cf.db.W.Exec(`UPDATE cases SET centre_id = $1, department_id = $2 WHERE no = $3`, otherHall, otherDept, away); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"supervisor", "leader"} {
		c := cf.login(u)
		b := getBoard(t, c, "")
		if b.Totals["open"] != 1 || b.Total != 1 {
			t.Fatalf("%s: board counts another county: %+v", u, b)
		}
		for _, p := range []string{fmt.Sprintf("/department/%d", otherDept), fmt.Sprintf("/centre/%d", otherHall), "/township/430121", "/county/430121"} {
			if res, _ := c.api("GET", "/api/v1/supervision/live"+p, ""); res.StatusCode != http.StatusNotFound {
				t.Fatalf("%s: %s: %d, want 404", u, p, res.StatusCode)
			}
			if res, _ := c.get("/supervision/live" + p); res.StatusCode != http.StatusNotFound {
				t.Fatalf("%s: page %s: %d, want 404", u, p, res.StatusCode)
			}
		}
		if res, _ := c.api("GET", "/api/v1/supervision/live?county=430121", ""); res.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: another county's board: %d, want 404", u, res.StatusCode)
		}
		if b := getBoard(t, c, "?county=431022&by=county"); b.Totals["open"] != 1 {
			t.Fatalf("%s: own county named: %+v", u, b)
		}
	}
	// The leader becomes a province-wide reader.
	if _, err := cf.db.W.Exec(`UPDATE staff SET scope = 'province' WHERE username = 'leader'`); err != nil {
		t.Fatal(err)
	}
	p := cf.login("leader")
	if b := getBoard(t, p, "?by=county"); b.Totals["open"] != 2 || b.Total != 2 {
		t.Fatalf("province by county: %+v", b)
	}
	if b := getBoard(t, p, "?county=430121"); b.Totals["open"] != 1 || b.Items[0].Key != fmt.Sprint(otherDept) || b.Items[0].County != "430121" {
		t.Fatalf("province, one county: %+v", b)
	}
	if res, out := p.api("GET", fmt.Sprintf("/api/v1/supervision/live/department/%d", otherDept), ""); res.StatusCode != http.StatusOK || out["total"] != float64(1) {
		t.Fatalf("province drill-down: %d %v", res.StatusCode, out)
	}
	res, page := p.get("/supervision/live")
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `name="county"`) || !strings.Contains(page, `data-c="county_name"`) {
		t.Fatalf("province page lacks the county filter or column: %d %s", res.StatusCode, problemOf(page))
	}
}

// event is one server-sent event.
type event struct {
	name string
	data map[string]any
}

// openStream reads /supervision/live/stream into a channel of events.
func openStream(t *testing.T, c *client, query string) (*http.Response, <-chan event) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.f.ts.URL+"/supervision/live/stream"+query, nil)
	res, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	ch := make(chan event, 100)
	if res.StatusCode != http.StatusOK {
		close(ch)
		return res, ch
	}
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var e event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				e.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &e.data)
			case line == "" && e.name != "":
				ch <- e
				e = event{}
			}
		}
	}()
	return res, ch
}

// next waits for an event satisfying ok.
func next(t *testing.T, ch <-chan event, what string, ok func(event) bool) event {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e, open := <-ch:
			if !open {
				t.Fatalf("%s: the stream ended", what)
			}
			if ok(e) {
				return e
			}
		case <-deadline:
			t.Fatalf("%s: no such event in 10 s", what)
		}
	}
}

func total(e event, k string) int {
	v, _ := e.data["totals"].(map[string]any)[k].(float64)
	return int(v)
}

// The stream over real HTTP: the full board first; a case received
// through the engine arrives as an update without asking; moving the
// clock past the due day turns it red on the next tick; the stream ends
// when the server shuts down, and a closed stream leaves no watcher.
func TestLiveStreamPushesChanges(t *testing.T) {
	cf := newCaseFixture(t)
	// First no periodic recompute at all: what arrives is the engine's
	// word after the commit (the listener).
	cf.srv.Live.Tick = time.Hour
	cf.srv.Live.Settle = 20 * time.Millisecond
	clerk := cf.login("clerk")
	sup := cf.login("supervisor")
	res, ch := openStream(t, sup, "?by=department")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	first := next(t, ch, "first board", func(e event) bool { return e.name == "board" })
	if first.data["full"] != true || total(first, "open") != 0 {
		t.Fatalf("first board: %v", first.data)
	}
	no := cf.intake(clerk, "T-001", 1, 2)
	e := next(t, ch, "the new case", func(e event) bool { return total(e, "open") == 1 })
	if groups := e.data["groups"].([]any); len(groups) != 1 || groups[0].(map[string]any)["open"] != float64(1) {
		t.Fatalf("changed rows: %v", e.data["groups"])
	}
	res.Body.Close()
	waitFor(t, "the closed stream's watcher to go", func() bool { return cf.srv.Live.Watchers() == 0 })

	// Then the clock alone: nothing happens to the case, the day passes,
	// and the next tick finds it red.
	cf.srv.Live.Tick = 200 * time.Millisecond
	res, ch = openStream(t, sup, "?by=department")
	if res.StatusCode != http.StatusOK {
		t.Fatal(res.StatusCode)
	}
	next(t, ch, "the board again", func(e event) bool { return e.name == "board" && total(e, "open") == 1 && total(e, "red") == 0 })
	cf.set(at("2026-11-02"))
	// The counts and the urgent list may turn in two updates (the clock
	// moved between their reads); the list comes when it changes.
	var row map[string]any
	next(t, ch, "the case turned red", func(e event) bool {
		if urgent, ok := e.data["urgent"].([]any); ok && len(urgent) > 0 {
			row = urgent[0].(map[string]any)
		}
		return total(e, "red") == 1 && row != nil && row["light"] == "red"
	})
	if row["no"] != no || row["applicant"] != "王**" {
		t.Fatalf("urgent row: %v", row)
	}
	// A second watcher of the same board shares its computation.
	res2, ch2 := openStream(t, cf.login("supervisor"), "?by=department")
	if res2.StatusCode != http.StatusOK {
		t.Fatal(res2.StatusCode)
	}
	if e := next(t, ch2, "second watcher's board", func(e event) bool { return e.name == "board" }); total(e, "red") != 1 || e.data["full"] != true {
		t.Fatalf("second watcher: %v", e.data)
	}
	if n := cf.srv.Live.Watchers(); n != 2 {
		t.Fatalf("%d watchers, want 2", n)
	}
	res2.Body.Close()
	waitFor(t, "the closed stream's watcher to go", func() bool { return cf.srv.Live.Watchers() == 1 })
	// Shutting down ends the stream (it would hold http.Server.Shutdown).
	cf.srv.Live.Close()
	for range ch {
	}
	waitFor(t, "no watcher after shutdown", func() bool { return cf.srv.Live.Watchers() == 0 })
}

// Watchers are capped: one more than Max is refused with 429, not queued.
func TestLiveStreamCap(t *testing.T) {
	cf := newCaseFixture(t)
	cf.srv.Live.Max = 1
	sup := cf.login("supervisor")
	if res, _ := openStream(t, sup, ""); res.StatusCode != http.StatusOK {
		t.Fatal(res.StatusCode)
	}
	if res, _ := openStream(t, cf.login("leader"), ""); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("over the cap: %d, want 429", res.StatusCode)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// One rule: on every day the board's counts by light are the inbox's
// lights counted (cases.ListLight for both), for cases received and
// accepted on different days, measured against their notice and promised
// deadlines.
func TestLiveCountsAgreeWithInboxLights(t *testing.T) {
	cf := newCaseFixture(t)
	var nos []string
	for _, day := range []string{"2026-09-28", "2026-10-09", "2026-10-12", "2026-10-13"} {
		cf.set(at(day))
		clerk := cf.login("clerk")
		no := cf.intake(clerk, "T-001", 1, 2)
		if day != "2026-10-13" {
			cf.mustAct(clerk, no, "accept", nil)
		}
		nos = append(nos, no)
	}
	colours := map[string]bool{}
	for _, day := range []string{"2026-10-13", "2026-10-14", "2026-10-16", "2026-10-19", "2026-10-21", "2026-11-30"} {
		cf.set(at(day))
		sup := cf.login("supervisor")
		b := getBoard(t, sup, "")
		_, inbox := sup.api("GET", "/api/v1/cases?all=1&limit=200", "")
		want := map[string]int{}
		for _, it := range inbox["items"].([]any) {
			l := it.(map[string]any)["light"].(string)
			want[l]++
			colours[l] = true
		}
		for _, l := range []string{"green", "yellow", "red"} {
			if b.Totals[l] != want[l] {
				t.Errorf("%s: board %d %s, inbox %d", day, b.Totals[l], l, want[l])
			}
		}
		if b.Totals["open"] != len(nos) || b.Totals["received"] != 1 {
			t.Errorf("%s: open %d, received %d", day, b.Totals["open"], b.Totals["received"])
		}
	}
	if len(colours) < 3 {
		t.Fatalf("the days chosen show only %v: the test compares too little", colours)
	}
}

// Another server process sharing the database changes a case: this
// process hears nothing from its engine, and the periodic recompute
// brings the change to the stream all the same.
func TestLiveStreamSeesOtherProcesses(t *testing.T) {
	cf := newCaseFixture(t)
	cf.srv.Live.Tick = 200 * time.Millisecond
	res, ch := openStream(t, cf.login("supervisor"), "")
	if res.StatusCode != http.StatusOK {
		t.Fatal(res.StatusCode)
	}
	next(t, ch, "first board", func(e event) bool { return e.name == "board" && total(e, "open") == 0 })
	other, err := web.NewServices(cf.db, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{})
	if err != nil {
		t.Fatal(err)
	}
	other.Now = cf.clock
	ctx := context.Background()
	clerk, err := other.Org.StaffByUsername(ctx, "clerk")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Cases.Submit(ctx, cases.StaffActor(clerk.Actor("192.0.2.9")), cases.SubmitInput{ItemCode: "T-001", ApplicantID: cf.app.ID,
		Materials: []cases.MaterialChange{{Seq: 1, Paper: true}, {Seq: 2, Paper: true}}}); err != nil {
		t.Fatal(err)
	}
	next(t, ch, "the other process's case", func(e event) bool { return total(e, "open") == 1 && total(e, "received") == 1 })
}
