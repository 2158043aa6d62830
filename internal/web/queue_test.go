package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func init() {
	for _, r := range []string{"GET /queue/kiosk/{centre}", "POST /queue/kiosk/{centre}", "GET /queue/take", "GET /queue/take/{centre}",
		"POST /queue/take/{centre}", "GET /queue/tickets/{id}", "GET /queue/screen/{centre}", "GET /queue/screen/{centre}/stream",
		"GET /api/v1/queue/screen/{centre}"} {
		expected[r] = public
		// The hall's public pages: a centre's groups, numbers and calls
		// are everyone's; a ticket's page needs its id and number
		// (TestQueueTicketNeedsNumber).
		if strings.Contains(r, "{") {
			scopeRoutes[r] = kNone
		}
	}
	clerks := []string{"clerk", "tclerk"}
	expected["POST /workbench/queue/next"] = clerks
	expected["POST /workbench/queue/issue"] = clerks
	expected["POST /workbench/queue/{id}/{action}"] = clerks
	// Only the ticket at the clerk's own window: TestQueueDeskAttacks and
	// internal/queue's TestCalling.
	scopeRoutes["POST /workbench/queue/{id}/{action}"] = kNone
	expected["GET /admin/queue"] = centreAdm
	expected["POST /admin/queue/groups"] = centreAdm
	expected["GET /api/v1/queue/figures"] = centreAdm
}

var ticketLocRE = regexp.MustCompile(`^/queue/tickets/(\d+)\?`)

// kioskTicket takes a ticket of group prefix at the hall's kiosk and
// returns its id and number.
func kioskTicket(t *testing.T, f *fixture, c *client, prefix string) (int64, string) {
	t.Helper()
	g := f.idOf(`SELECT g.id FROM queue_groups g JOIN centres c ON c.id = g.centre_id WHERE c.kind = 'hall' AND g.prefix = $1`, prefix)
	res, body := c.post("/queue/kiosk/"+hallCode(f), url.Values{"group": {strconv.FormatInt(g, 10)}})
	m := ticketLocRE.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("kiosk: %d %s %s", res.StatusCode, res.Header.Get("Location"), problemOf(body))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	u, _ := url.Parse(res.Header.Get("Location"))
	return id, u.Query().Get("no")
}

func hallCode(f *fixture) string {
	var code string
	if err := f.db.R.QueryRow(`SELECT code FROM centres WHERE kind = 'hall'`).Scan(&code); err != nil {
		f.t.Fatal(err)
	}
	return code
}

// A citizen takes a number at the kiosk and sees the people ahead; the
// clerk calls it from the workbench; the screen (page, API and stream)
// shows the call with a line to read out, and the ticket says where to go.
func TestQueueKioskCallScreen(t *testing.T) {
	f := newFixture(t)
	hall := hallCode(f)
	kiosk := f.anon()
	res, body := kiosk.get("/queue/kiosk/" + hall)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="kiosk-group-E"`) || !strings.Contains(body, "综合受理") {
		t.Fatalf("kiosk page: %d %s", res.StatusCode, problemOf(body))
	}
	id1, no1 := kioskTicket(t, f, kiosk, "E")
	id2, no2 := kioskTicket(t, f, kiosk, "E")
	if no1 != "E001" || no2 != "E002" {
		t.Fatalf("numbers %s %s", no1, no2)
	}
	_, body = kiosk.get("/queue/tickets/" + strconv.FormatInt(id2, 10) + "?no=" + no2 + "&kiosk=1")
	if !strings.Contains(body, "您前面还有 1 人") || !strings.Contains(body, `data-queue-return="/queue/kiosk/`+hall+`"`) {
		t.Fatalf("slip: %s", problemOf(body))
	}
	clerk := f.login("clerk")
	_, body = clerk.get("/workbench")
	if !strings.Contains(body, `data-testid="queue-desk"`) || !strings.Contains(body, "等候 2 人") {
		t.Fatalf("workbench has no calling panel: %s", problemOf(body))
	}
	if res, _ := clerk.post("/workbench/queue/next", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("call next: %d", res.StatusCode)
	}
	_, body = clerk.get("/workbench")
	if !strings.Contains(body, `<b class="queue-no">E001</b>`) || !strings.Contains(body, `data-testid="queue-start"`) {
		t.Fatalf("called ticket not on the panel: %s", body)
	}
	var window string
	if err := f.db.R.QueryRow(`SELECT w.number FROM staff s JOIN windows w ON w.id = s.window_id WHERE s.username = 'clerk'`).Scan(&window); err != nil {
		t.Fatal(err)
	}
	say := "请 E001 号到 " + window + " 号窗口办理"
	screen := f.anon()
	_, body = screen.get("/queue/screen/" + hall)
	if !strings.Contains(body, say) || !strings.Contains(body, `data-testid="screen-waiting-E" data-waiting="1">1<`) {
		t.Fatalf("screen page: %s", body)
	}
	_, body = screen.get("/queue/screen/" + hall + "/stream")
	if !strings.Contains(body, "event: screen") || !strings.Contains(body, say) {
		t.Fatalf("stream: %s", body)
	}
	res, v := screen.api("GET", "/api/v1/queue/screen/"+hall, "")
	if res.StatusCode != http.StatusOK || v["say"] != say {
		t.Fatalf("screen API: %d %v", res.StatusCode, v)
	}
	// Nothing of a person on the screen: no phone, no id beyond the number.
	if b, _ := json.Marshal(v); strings.Contains(string(b), "phone") || strings.Contains(string(b), `"id"`) {
		t.Fatalf("screen carries more than numbers: %s", b)
	}
	_, body = kiosk.get("/queue/tickets/" + strconv.FormatInt(id1, 10) + "?no=" + no1)
	if !strings.Contains(body, "请到 "+window+" 号窗口办理") {
		t.Fatalf("ticket page after the call: %s", problemOf(body))
	}
	// Calling again before finishing is refused on the workbench, in words.
	clerk.post("/workbench/queue/next", nil)
	if _, body = clerk.get("/workbench"); !strings.Contains(body, "请先处理当前号码") {
		t.Fatalf("busy window not said: %s", problemOf(body))
	}
	for _, act := range []string{"start", "finish"} {
		if res, _ := clerk.post("/workbench/queue/"+strconv.FormatInt(id1, 10)+"/"+act, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d", act, res.StatusCode)
		}
	}
	var state string
	if err := f.db.R.QueryRow(`SELECT state FROM queue_tickets WHERE id = $1`, id1).Scan(&state); err != nil || state != "done" {
		t.Fatalf("state %s %v", state, err)
	}
}

// A ticket's page needs its number as well as its id.
func TestQueueTicketNeedsNumber(t *testing.T) {
	f := newFixture(t)
	c := f.anon()
	id, _ := kioskTicket(t, f, c, "A")
	for _, q := range []string{"", "?no=A002", "?no=" + strings.Repeat("A", 150)} {
		if res, _ := c.get("/queue/tickets/" + strconv.FormatInt(id, 10) + q); res.StatusCode != http.StatusNotFound {
			t.Errorf("ticket %s: %d", q, res.StatusCode)
		}
	}
	if res, _ := c.get("/queue/tickets/x?no=A001"); res.StatusCode != http.StatusNotFound {
		t.Errorf("bad id: %d", res.StatusCode)
	}
	if res, _ := c.get("/queue/screen/NOPE"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown centre: %d", res.StatusCode)
	}
}

// A clerk acts only on the ticket at their own window: another window's
// ticket, a township clerk, an unknown action, a missing CSRF token.
func TestQueueDeskAttacks(t *testing.T) {
	f := newFixture(t)
	kiosk := f.anon()
	idA, _ := kioskTicket(t, f, kiosk, "A")
	bdc := f.login("bdc.clerk1")
	if res, _ := bdc.post("/workbench/queue/next", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("call: %d", res.StatusCode)
	}
	path := "/workbench/queue/" + strconv.FormatInt(idA, 10)
	for _, u := range []string{"clerk", "tclerk", "bdc.clerk2"} {
		c := f.login(u)
		for _, act := range []string{"recall", "no-show", "start"} {
			if res, _ := c.post(path+"/"+act, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s another window's ticket: %d", u, act, res.StatusCode)
			}
		}
	}
	if res, _ := bdc.post(path+"/delete", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown action: %d", res.StatusCode)
	}
	if res, _ := bdc.post(path+"/no-show", url.Values{"csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("no CSRF token: %d", res.StatusCode)
	}
	// Transfer to a township's group: not this centre's.
	ctx := context.Background()
	var tgroup int64
	if err := f.db.W.QueryRowContext(ctx, `INSERT INTO queue_groups (centre_id, prefix, name, created_at)
		SELECT centre_id, 'T', '乡镇', CURRENT_TIMESTAMP FROM staff WHERE username = 'tclerk' RETURNING id`).Scan(&tgroup); err != nil {
		t.Fatal(err)
	}
	bdc.post(path+"/transfer", url.Values{"group": {strconv.FormatInt(tgroup, 10)}})
	if _, body := bdc.get("/workbench"); !strings.Contains(body, "请选择本中心的业务") {
		t.Errorf("transfer elsewhere not refused in words: %s", problemOf(body))
	}
	bdc.post(path+"/transfer", url.Values{"group": {"1' OR 1=1"}})
	if _, body := bdc.get("/workbench"); !strings.Contains(body, `<b class="queue-no">A001</b>`) {
		t.Errorf("the ticket moved after a bad transfer: %s", problemOf(body))
	}
	// A window ticket at another centre's group.
	tc := f.login("tclerk")
	tc.post("/workbench/queue/issue", url.Values{"group": {strconv.FormatInt(f.idOf(`SELECT id FROM queue_groups WHERE prefix = 'B' AND centre_id = (SELECT id FROM centres WHERE kind = 'hall')`), 10)}})
	var n int
	if err := f.db.R.QueryRow(`SELECT COUNT(*) FROM queue_tickets WHERE channel = 'window'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("township clerk issued a hall ticket: %d %v", n, err)
	}
}

// The portal's ticket: the phone is required and checked, one open
// number per phone and centre and day, another centre's group refused,
// each in words on the form.
func TestQueueTakePortal(t *testing.T) {
	f := newFixture(t)
	hall := hallCode(f)
	c := f.anon()
	res, body := c.get("/queue/take")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "/queue/take/"+hall) {
		t.Fatalf("centres: %d %s", res.StatusCode, problemOf(body))
	}
	c.get("/queue/take/" + hall)
	gA := strconv.FormatInt(f.idOf(`SELECT id FROM queue_groups WHERE prefix = 'A' AND centre_id = (SELECT id FROM centres WHERE kind = 'hall')`), 10)
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"group": {gA}}, "f-phone"},
		{url.Values{"group": {gA}, "phone": {"12345"}}, "f-phone"},
		{url.Values{"group": {gA}, "phone": {strings.Repeat("1", 50000)}}, "f-phone"},
		{url.Values{"phone": {"13800138000"}}, "f-group"},
		{url.Values{"group": {"abc"}, "phone": {"13800138000"}}, "f-group"},
	} {
		res, body := c.post("/queue/take/"+hall, tc.form)
		if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%v: %d", tc.form, res.StatusCode)
		} else if res.StatusCode == http.StatusUnprocessableEntity && !strings.Contains(body, `aria-describedby="e-`+strings.TrimPrefix(tc.want, "f-")+`"`) {
			t.Errorf("%v: no field error on %s: %s", tc.form, tc.want, problemOf(body))
		}
	}
	res, _ = c.post("/queue/take/"+hall, url.Values{"group": {gA}, "phone": {"138 0013 8000"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("take: %d", res.StatusCode)
	}
	res, body = c.post("/queue/take/"+hall, url.Values{"group": {gA}, "phone": {"13800138000"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "已有号码 A001") {
		t.Fatalf("second ticket on one phone: %d %s", res.StatusCode, problemOf(body))
	}
	// The hall's group at a township's address.
	var township string
	if err := f.db.R.QueryRow(`SELECT c.code FROM centres c JOIN staff s ON s.centre_id = c.id WHERE s.username = 'tclerk'`).Scan(&township); err != nil {
		t.Fatal(err)
	}
	res, _ = c.post("/queue/take/"+township, url.Values{"group": {gA}, "phone": {"13900139000"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("hall group at a township: %d", res.StatusCode)
	}
	var n int
	if err := f.db.R.QueryRow(`SELECT COUNT(*) FROM queue_tickets`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("tickets after the refusals: %d %v", n, err)
	}
}

// One address pressing on at the kiosk is slowed after 60 numbers.
func TestQueueKioskThrottle(t *testing.T) {
	f := newFixture(t)
	c := f.anon()
	for range 60 {
		kioskTicket(t, f, c, "E")
	}
	g := f.idOf(`SELECT id FROM queue_groups WHERE prefix = 'E' AND centre_id = (SELECT id FROM centres WHERE kind = 'hall')`)
	res, body := c.post("/queue/kiosk/"+hallCode(f), url.Values{"group": {strconv.FormatInt(g, 10)}})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "取号过于频繁") {
		t.Fatalf("61st number: %d %s", res.StatusCode, problemOf(body))
	}
}

// The figures page and API are the centre admin's, for centres within
// their reach; a period backwards is a field error.
func TestQueueFiguresAccess(t *testing.T) {
	f := newFixture(t)
	hall := hallCode(f)
	kiosk := f.anon()
	kioskTicket(t, f, kiosk, "E")
	clerk := f.login("clerk")
	clerk.post("/workbench/queue/next", nil)
	admin := f.login("admin")
	res, body := admin.get("/admin/queue")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="queue-figures-groups"`) || !strings.Contains(body, "综合受理") {
		t.Fatalf("figures page: %d %s", res.StatusCode, problemOf(body))
	}
	res, v := admin.api("GET", "/api/v1/queue/figures?centre="+hall, "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("figures API: %d %v", res.StatusCode, v)
	}
	if tot := v["total"].(map[string]any); tot["issued"] != float64(1) || tot["wait"].(map[string]any)["count"] != float64(1) {
		t.Fatalf("total %v", tot)
	}
	township := f.login("township")
	if res, _ := township.get("/admin/queue?centre=" + hall); res.StatusCode != http.StatusNotFound {
		t.Errorf("township admin reading the hall: %d", res.StatusCode)
	}
	if res, _ := admin.api("GET", "/api/v1/queue/figures?from=2026-12-01&to=2026-11-01", ""); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("backwards period: %d", res.StatusCode)
	}
	if res, _ := admin.api("GET", "/api/v1/queue/figures?from=2020-01-01&to=2026-11-01", ""); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("six-year period: %d", res.StatusCode)
	}
}

// "Receive a case from this ticket": the intake carries the ticket, and
// the new case's number is recorded on it.
func TestQueueTicketBecomesCase(t *testing.T) {
	cf := newCaseFixture(t)
	kiosk := cf.anon()
	id, _ := kioskTicket(t, cf.fixture, kiosk, "E")
	clerk := cf.login("clerk")
	clerk.post("/workbench/queue/next", nil)
	_, body := clerk.get("/workbench")
	if !strings.Contains(body, `href="/workbench/intake?ticket=`+strconv.FormatInt(id, 10)+`"`) {
		t.Fatalf("no receive link: %s", problemOf(body))
	}
	_, body = clerk.get("/workbench/intake?ticket=" + strconv.FormatInt(id, 10) + "&id_number=" + appNumber + "&item=T-001")
	if !strings.Contains(body, `name="ticket" value="`+strconv.FormatInt(id, 10)+`"`) {
		t.Fatalf("intake form lost the ticket: %s", problemOf(body))
	}
	res, _ := clerk.post("/workbench/intake", url.Values{"id_number": {appNumber}, "item": {"T-001"}, "m1_paper": {"on"}, "m2_paper": {"on"},
		"ticket": {strconv.FormatInt(id, 10)}})
	no, _, _ := strings.Cut(strings.TrimPrefix(res.Header.Get("Location"), "/cases/"), "?")
	if res.StatusCode != http.StatusSeeOther || no == "" {
		t.Fatalf("intake: %d", res.StatusCode)
	}
	var linked string
	if err := cf.db.R.QueryRow(`SELECT case_no FROM queue_tickets WHERE id = $1`, id).Scan(&linked); err != nil || linked != no {
		t.Fatalf("ticket linked to %q, want %q (%v)", linked, no, err)
	}
}

// The centre admin sets up a queue group from the figures page: its
// windows must be the centre's, its letter one capital and free; a
// township's admin cannot set one up at the hall.
func TestQueueGroupSetup(t *testing.T) {
	f := newFixture(t)
	hall := hallCode(f)
	admin := f.login("admin")
	_, body := admin.get("/admin/queue?centre=" + hall)
	if !strings.Contains(body, `data-testid="queue-group-form"`) {
		t.Fatalf("no group form: %s", problemOf(body))
	}
	hallWin := strconv.FormatInt(f.idOf(`SELECT window_id FROM staff WHERE username = 'clerk'`), 10)
	townWin := strconv.FormatInt(f.idOf(`SELECT window_id FROM staff WHERE username = 'tclerk'`), 10)
	path := "/admin/queue/groups?centre=" + hall
	for _, tc := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"prefix": {"AB"}, "name": {"x"}, "windows": {hallWin}}, "prefix"},
		{url.Values{"prefix": {"A"}, "name": {"x"}, "windows": {hallWin}}, "prefix"},
		{url.Values{"prefix": {"F"}, "name": {"x"}, "windows": {townWin}}, "windows"},
		{url.Values{"prefix": {"F"}, "name": {"x"}, "windows": {"x"}}, "windows"},
		{url.Values{"prefix": {"F"}, "name": {strings.Repeat("名", 50000)}, "windows": {hallWin}}, "name"},
		{url.Values{"prefix": {"F"}, "name": {"x"}}, "windows"},
	} {
		res, body := admin.post(path, tc.form)
		if res.StatusCode == http.StatusRequestEntityTooLarge {
			continue
		}
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="field bad"`) {
			t.Errorf("%v: %d %s", tc.form, res.StatusCode, problemOf(body))
		}
	}
	if res, _ := f.login("township").post(path, url.Values{"prefix": {"F"}, "name": {"x"}, "windows": {hallWin}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("township admin at the hall: %d", res.StatusCode)
	}
	if res, _ := admin.post(path, url.Values{"prefix": {"F"}, "name": {"x"}, "windows": {hallWin}, "csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("forged CSRF: %d", res.StatusCode)
	}
	if n := f.idOf(`SELECT COUNT(*) FROM queue_groups`); n != 5 {
		t.Fatalf("groups after the refusals: %d", n)
	}
	res, _ := admin.post(path, url.Values{"prefix": {"f"}, "name": {"夜间专窗"}, "windows": {hallWin}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	if _, body := f.anon().get("/queue/kiosk/" + hall); !strings.Contains(body, `data-testid="kiosk-group-F"`) || !strings.Contains(body, "夜间专窗") {
		t.Fatalf("new group not at the kiosk")
	}
}
