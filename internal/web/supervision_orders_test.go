package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/corrections"
)

// Who reaches the correction orders (issue 12 item 3): supervisors issue
// and review, the leader reads, a department's admin and approver (首席代表)
// read their department's and reply; clerks, reviewers and admins of the
// organisation have no business here.
func init() {
	readers := []string{"supervisor", "leader", "deptadmin", "approver"}
	actors := []string{"supervisor", "deptadmin", "approver"}
	sup := []string{"supervisor"}
	record := []string{"supervisor", "leader"}
	for p, who := range map[string][]string{
		"GET /supervision/orders":                       readers,
		"GET /supervision/orders/new":                   sup,
		"POST /supervision/orders":                      sup,
		"GET /supervision/orders/{id}":                  readers,
		"POST /supervision/orders/{id}/{action}":        actors,
		"GET /api/v1/supervision/orders":                readers,
		"POST /api/v1/supervision/orders":               sup,
		"GET /api/v1/supervision/orders/{id}":           readers,
		"POST /api/v1/supervision/orders/{id}/{action}": actors,
		"GET /supervision/record":                       record,
		"POST /supervision/record/verify":               record,
		"GET /supervision/evidence":                     record,
		"GET /supervision/cases/{no}/evidence.zip":      record,
	} {
		expected[p] = who
	}
	for _, p := range []string{"GET /supervision/orders/{id}", "POST /supervision/orders/{id}/{action}",
		"GET /api/v1/supervision/orders/{id}", "POST /api/v1/supervision/orders/{id}/{action}"} {
		scopeRoutes[p] = kOrder
	}
	scopeRoutes["GET /supervision/cases/{no}/evidence.zip"] = kCase
}

var (
	scopeOrdersMu sync.Mutex
	scopeOrders   = map[*scopeFixture][2]string{}
)

// orderSplit: the scope matrix's orders, issued on first use: one to the
// clerk's department (FGJ) and one to the township clerk's (MZJ). The
// county's supervisor and leader read both; FGJ's admin and approver only
// FGJ's.
func (sf *scopeFixture) orderSplit(user string) (in, out []string) {
	scopeOrdersMu.Lock()
	ids, ok := scopeOrders[sf]
	if !ok {
		sup := sf.login("supervisor")
		ids = [2]string{
			issueOrder(sf.t, sup, sf.fgj, 5, sf.cases["FGJ@hall"].no),
			issueOrder(sf.t, sup, sf.mzj, 5, sf.cases["MZJ@t2"].no),
		}
		scopeOrders[sf] = ids
	}
	scopeOrdersMu.Unlock()
	if user == "deptadmin" || user == "approver" {
		return ids[:1], ids[1:]
	}
	return ids[:], nil
}

// issueOrder issues an order through the API and returns its id.
func issueOrder(t testing.TB, sup *client, dept int64, days int, nos ...string) string {
	t.Helper()
	body := fmt.Sprintf(`{"department_id":%d,"cases":[%s],"subject":"超时督办","instruction":"请说明超时原因并整改。","deadline_days":%d}`,
		dept, quoteAll(nos), days)
	res, out := sup.api("POST", "/api/v1/supervision/orders", body)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("issue: %d %v", res.StatusCode, out)
	}
	return fmt.Sprint(out["id"])
}

func quoteAll(s []string) string {
	var q []string
	for _, x := range s {
		q = append(q, fmt.Sprintf("%q", x))
	}
	return strings.Join(q, ",")
}

// orderOf reads an order through the API as c.
func orderOf(t testing.TB, c *client, id string) (int, map[string]any) {
	t.Helper()
	res, out := c.api("GET", "/api/v1/supervision/orders/"+id, "")
	return res.StatusCode, out
}

// step posts a step through the API with the version given.
func step(c *client, id, action string, version any, text string) (int, map[string]any) {
	res, out := c.api("POST", "/api/v1/supervision/orders/"+id+"/"+action, fmt.Sprintf(`{"version":%v,"text":%q}`, version, text))
	return res.StatusCode, out
}

// orderCounts counts the orders, their events and their running total,
// so a refused request can be shown to change nothing.
func orderCounts(f *fixture) string {
	return fmt.Sprintf("%d orders, %d events, %d items, %d counted, %d audited", f.idOf(`SELECT COUNT(*) FROM correction_orders`),
		f.idOf(`SELECT COUNT(*) FROM correction_order_events`), f.idOf(`SELECT COUNT(*) FROM correction_order_items`),
		f.idOf(`SELECT COALESCE(SUM(orders), 0) FROM supervision_totals`), f.idOf(`SELECT COUNT(*) FROM audit_log WHERE entity = 'correction_order'`))
}

var orderVersionRE = regexp.MustCompile(`name="version" value="(\d+)"`)

// A whole order through the pages as people use them: opened from a case,
// issued with a deadline counted in working days (the National Day
// holiday moves it), counted in the month's totals, replied to by the
// department, returned, replied to again by the approver, accepted; every
// step on the record, whose chain verifies.
func TestCorrectionOrderThroughThePages(t *testing.T) {
	cf := newCaseFixture(t)
	ctx := context.Background()
	no := cf.intake(cf.login("clerk"), "T-001", 1, 2)
	fgj := cf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	hall := cf.idOf(`SELECT centre_id FROM staff WHERE username = 'clerk'`)
	sup := cf.login("supervisor")

	// Opened from the case: the case is named and its department chosen.
	res, page := sup.get("/supervision/orders/new?case=" + no)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `id="order-new"`) || !strings.Contains(page, no+"</textarea>") ||
		!strings.Contains(page, fmt.Sprintf(`<option value="%d" selected>`, fgj)) {
		t.Fatalf("new order from the case: %d %s", res.StatusCode, problemOf(page))
	}
	form := url.Values{"department_id": {fmt.Sprint(fgj)}, "cases": {no}, "subject": {"超时未受理"}, "instruction": {"请于期限内受理并说明原因。"},
		"deadline_days": {"5"}}
	res, page = sup.post("/supervision/orders", form)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/supervision/orders/") {
		t.Fatalf("issue: %d %s", res.StatusCode, problemOf(page))
	}
	id := strings.TrimPrefix(loc, "/supervision/orders/")
	_, o := orderOf(t, sup, id)
	cal, err := cases.Calendar(ctx, cf.db.R)
	if err != nil {
		t.Fatal(err)
	}
	// Monday 2026-09-28 + 5 working days: the holiday of 1–7 October and
	// the weekend do not count.
	want, _ := cal.Deadline(calendar.MustParseDate("2026-09-28"), 5)
	if o["no"] != "督-2026-0001" || o["state"] != "issued" || o["due"] != want.String() || !want.After(calendar.MustParseDate("2026-10-07")) {
		t.Fatalf("issued order: %v (due want %s)", o, want)
	}
	if n := cf.idOf(`SELECT orders FROM supervision_totals WHERE day = $1 AND department_id = $2 AND centre_id = $3`,
		calendar.MustParseDate("2026-09-28").Time(time.UTC), fgj, hall); n != 1 {
		t.Fatalf("the day's total counts %d orders", n)
	}
	if n := cf.idOf(`SELECT orders FROM supervision_months WHERE department_id = $1 AND centre_id = $2`, fgj, hall); n != 1 {
		t.Fatalf("the month's total counts %d orders", n)
	}

	// The department sees it on its home page and replies from the order's page.
	dept := cf.login("deptadmin")
	if _, home := dept.get("/"); !strings.Contains(home, `data-testid="home-orders"`) || !strings.Contains(home, "督-2026-0001") {
		t.Fatalf("the department's home page does not show the order")
	}
	_, page = dept.get(loc)
	if !strings.Contains(page, `id="order-reply"`) || !strings.Contains(page, `name="reply"`) || strings.Contains(page, `value="accept"`) {
		t.Fatalf("the department's page offers the wrong forms:\n%s", page)
	}
	v := orderVersionRE.FindStringSubmatch(page)[1]
	// An empty reply is refused and changes nothing.
	before := orderCounts(cf.fixture)
	if res, page := dept.post(loc+"/reply", url.Values{"version": {v}, "reply": {"  "}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(page, `id="e-reply"`) {
		t.Fatalf("empty reply: %d %s", res.StatusCode, problemOf(page))
	}
	if got := orderCounts(cf.fixture); got != before {
		t.Fatalf("an empty reply changed %s into %s", before, got)
	}
	if res, page := dept.post(loc+"/reply", url.Values{"version": {v}, "reply": {"已于当日受理，并对窗口人员进行了提醒。"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d %s", res.StatusCode, problemOf(page))
	}
	// Replying twice without a return is refused.
	if st, out := step(dept, id, "reply", 2, "再次回复"); st != http.StatusConflict {
		t.Fatalf("second reply: %d %v", st, out)
	}
	// The department cannot accept its own reply.
	if st, out := step(dept, id, "accept", 2, ""); st != http.StatusForbidden {
		t.Fatalf("the department accepted its own reply: %d %v", st, out)
	}

	// The supervisor's page offers accept, return and escalate; a return
	// needs a reason.
	_, page = sup.get(loc)
	for _, a := range []string{"accept", "return", "escalate"} {
		if !strings.Contains(page, `name="action" value="`+a+`"`) {
			t.Fatalf("the supervisor's page lacks %s", a)
		}
	}
	if strings.Contains(page, `name="reply"`) {
		t.Fatal("the supervisor is offered the department's reply")
	}
	v = orderVersionRE.FindStringSubmatch(page)[1]
	if res, _ := sup.post(loc+"/return", url.Values{"version": {v}, "text": {""}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("return without a reason: %d", res.StatusCode)
	}
	if res, page := sup.post(loc+"/return", url.Values{"version": {v}, "text": {"未说明超时原因。"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("return: %d %s", res.StatusCode, problemOf(page))
	}
	if st, out := step(cf.login("approver"), id, "reply", 3, "原因：材料流转延误，已调整流程。"); st != http.StatusOK || out["state"] != "replied" {
		t.Fatalf("the approver's reply: %d %v", st, out)
	}
	_, page = sup.get(loc)
	v = orderVersionRE.FindStringSubmatch(page)[1]
	res, page = sup.post(loc+"/accept", url.Values{"version": {v}, "text": {"整改到位。"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", res.StatusCode, problemOf(page))
	}
	_, o = orderOf(t, sup, id)
	events, _ := o["events"].([]any)
	var steps []string
	for _, e := range events {
		steps = append(steps, e.(map[string]any)["action"].(string))
	}
	// One version per event: five steps, version 5.
	if o["state"] != "accepted" || o["closed_at"] == nil || o["version"] != float64(5) || strings.Join(steps, ",") != "issue,reply,return,reply,accept" {
		t.Fatalf("closed order: state %v version %v steps %v", o["state"], o["version"], steps)
	}
	// Closed: nobody may step on it any more.
	if st, _ := step(sup, id, "escalate", 5, ""); st != http.StatusConflict {
		t.Fatalf("escalating a closed order: %d", st)
	}
	// Every step is on the audit log too.
	if n := cf.idOf(`SELECT COUNT(*) FROM audit_log WHERE entity = 'correction_order' AND entity_id = '督-2026-0001'`); n != 5 {
		t.Fatalf("%d audit entries", n)
	}
	var breaks []corrections.Break
	if n, err := corrections.Verify(ctx, cf.db.R, func(b corrections.Break) { breaks = append(breaks, b) }); err != nil || n != 1 || len(breaks) > 0 {
		t.Fatalf("verify: %d orders, %v, %v", n, err, breaks)
	}
	// An edited reply breaks the chain.
	if _, err := cf.db.W.Exec(`UPDATE correction_order_events SET text = 'edited' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	breaks = nil
	if _, err := corrections.Verify(ctx, cf.db.R, func(b corrections.Break) { breaks = append(breaks, b) }); err != nil || len(breaks) != 1 ||
		breaks[0].Seq != 2 || breaks[0].Region != "431022" {
		t.Fatalf("an edited event: %v %v", err, breaks)
	}
}
