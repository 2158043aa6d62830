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
	"onestop/internal/demo"
	"onestop/internal/org"
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
	for p, params := range map[string][]string{
		"GET /supervision/orders":        {"state", "department", "overdue", "escalated", "limit", "offset"},
		"GET /api/v1/supervision/orders": {"state", "department", "overdue", "escalated", "limit", "offset"},
		"GET /supervision/orders/new":    {"case", "anomaly"},
		"GET /supervision/record":        {"no"},
		"GET /supervision/evidence":      {"no"},
	} {
		filterParams[p] = params
	}
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

	// Opened from the case page: the case is named and its department chosen.
	if _, page := sup.get("/cases/" + no); !strings.Contains(page, `href="/supervision/orders/new?case=`+no+`"`) {
		t.Fatal("the supervisor's case page has no link to issue an order")
	}
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
	if _, page := sup.get("/admin/audit?entity=correction_order"); !strings.Contains(page, "督办办结") || !strings.Contains(page, "已办结") {
		t.Fatalf("the audit log does not show the order's steps in words:\n%s", problemOf(page))
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

// Every way in that should not change an order is refused with the right
// answer and changes nothing: a clerk or the leader issuing, the leader
// acting, a case of another department or none at all, deadlines of 0, 61
// and absurd sizes, 50,000 characters in any text, an unknown step, a
// stale version; and of two supervisors acting at once, one wins.
func TestCorrectionOrderAttacks(t *testing.T) {
	cf := newCaseFixture(t)
	clerk := cf.login("clerk")
	no := cf.intake(clerk, "T-001", 1, 2)
	fgj := cf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	mzj := cf.idOf(`SELECT department_id FROM staff WHERE username = 'tclerk'`)
	sup := cf.login("supervisor")
	id := issueOrder(t, sup, fgj, 5, no)
	before := orderCounts(cf.fixture)
	long := strings.Repeat("长", 50000)
	issue := func(c *client, dept int64, cases string, subject, instruction string, days string) (int, map[string]any) {
		res, out := c.api("POST", "/api/v1/supervision/orders", fmt.Sprintf(`{"department_id":%d,"cases":[%s],"subject":%q,"instruction":%q,"deadline_days":%s}`,
			dept, cases, subject, instruction, days))
		return res.StatusCode, out
	}
	ok := fmt.Sprintf("%q", no)
	for _, tc := range []struct {
		name   string
		c      *client
		dept   int64
		cases  string
		subj   string
		instr  string
		days   string
		status int
		field  string
	}{
		{"a clerk issues", clerk, fgj, ok, "督办", "整改", "5", http.StatusForbidden, ""},
		{"the leader issues", cf.login("leader"), fgj, ok, "督办", "整改", "5", http.StatusForbidden, ""},
		{"the department admin issues", cf.login("deptadmin"), fgj, ok, "督办", "整改", "5", http.StatusForbidden, ""},
		{"a case of another department", sup, mzj, ok, "督办", "整改", "5", http.StatusUnprocessableEntity, "cases"},
		{"a case that does not exist", sup, fgj, `"YZ202609289999"`, "督办", "整改", "5", http.StatusUnprocessableEntity, "cases"},
		{"a 50,000-character case number", sup, fgj, fmt.Sprintf("%q", long), "督办", "整改", "5", http.StatusUnprocessableEntity, "cases"},
		{"no case", sup, fgj, ``, "督办", "整改", "5", http.StatusUnprocessableEntity, "cases"},
		{"no department", sup, 0, ok, "督办", "整改", "5", http.StatusUnprocessableEntity, "department_id"},
		{"a deadline of 0", sup, fgj, ok, "督办", "整改", "0", http.StatusUnprocessableEntity, "deadline_days"},
		{"a deadline of 61", sup, fgj, ok, "督办", "整改", "61", http.StatusUnprocessableEntity, "deadline_days"},
		{"a negative deadline", sup, fgj, ok, "督办", "整改", "-5", http.StatusUnprocessableEntity, "deadline_days"},
		{"a huge deadline", sup, fgj, ok, "督办", "整改", "99999999999999999999999", http.StatusUnprocessableEntity, "deadline_days"},
		{"a deadline in words", sup, fgj, ok, "督办", "整改", `"five"`, http.StatusUnprocessableEntity, "deadline_days"},
		{"a 50,000-character subject", sup, fgj, ok, long, "整改", "5", http.StatusUnprocessableEntity, "subject"},
		{"a 50,000-character instruction", sup, fgj, ok, "督办", long, "5", http.StatusUnprocessableEntity, "instruction"},
		{"no instruction", sup, fgj, ok, "督办", "", "5", http.StatusUnprocessableEntity, "instruction"},
	} {
		st, out := issue(tc.c, tc.dept, tc.cases, tc.subj, tc.instr, tc.days)
		if st != tc.status {
			t.Errorf("%s: %d %v, want %d", tc.name, st, out, tc.status)
			continue
		}
		if tc.field != "" {
			fields, _ := out["error"].(map[string]any)["fields"].(map[string]any)
			if _, ok := fields[tc.field]; !ok {
				t.Errorf("%s: no error on %s: %v", tc.name, tc.field, out)
			}
		}
	}
	// The form says the same in words, and keeps what was typed.
	res, page := sup.post("/supervision/orders", url.Values{"department_id": {fmt.Sprint(fgj)}, "cases": {no}, "subject": {"督办"},
		"instruction": {"整改"}, "deadline_days": {"99999999999999999999"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="e-deadline_days"`) || !strings.Contains(page, "整改</textarea>") {
		t.Fatalf("the form with a huge deadline: %d %s", res.StatusCode, problemOf(page))
	}
	if got := orderCounts(cf.fixture); got != before {
		t.Fatalf("refused orders changed %s into %s", before, got)
	}

	dept := cf.login("deptadmin")
	for _, tc := range []struct {
		name    string
		c       *client
		action  string
		version any
		text    string
		status  int
	}{
		{"the leader accepts", cf.login("leader"), "accept", 1, "", http.StatusForbidden},
		{"the leader escalates", cf.login("leader"), "escalate", 1, "", http.StatusForbidden},
		{"a reviewer replies", cf.login("reviewer"), "reply", 1, "已整改", http.StatusForbidden},
		{"a clerk replies", clerk, "reply", 1, "已整改", http.StatusForbidden},
		{"the supervisor replies", sup, "reply", 1, "已整改", http.StatusForbidden},
		{"the department escalates", dept, "escalate", 1, "", http.StatusForbidden},
		{"the department returns", dept, "return", 1, "理由", http.StatusForbidden},
		{"an empty reply", dept, "reply", 1, "", http.StatusUnprocessableEntity},
		{"a 50,000-character reply", dept, "reply", 1, long, http.StatusUnprocessableEntity},
		{"a reply without a version", dept, "reply", `null`, "已整改", http.StatusConflict},
		{"a reply on a stale version", dept, "reply", 7, "已整改", http.StatusConflict},
		{"a huge version", dept, "reply", "99999999999999999999999", "已整改", http.StatusUnprocessableEntity},
		{"accepting before any reply", sup, "accept", 1, "", http.StatusConflict},
		{"returning before any reply", sup, "return", 1, "理由", http.StatusConflict},
		{"an unknown step", sup, "delete", 1, "", http.StatusNotFound},
		{"an order that does not exist", sup, "accept", 1, "", http.StatusNotFound},
	} {
		target := id
		if tc.name == "an order that does not exist" {
			target = "999999"
		}
		if st, out := step(tc.c, target, tc.action, tc.version, tc.text); st != tc.status {
			t.Errorf("%s: %d %v, want %d", tc.name, st, out, tc.status)
		}
	}
	if res, _ := dept.api("POST", "/api/v1/supervision/orders/abc/reply", `{"version":1,"text":"x"}`); res.StatusCode != http.StatusNotFound {
		t.Errorf("an id in words: %d", res.StatusCode)
	}
	if got := orderCounts(cf.fixture); got != before {
		t.Fatalf("refused steps changed %s into %s", before, got)
	}

	// Two supervisors at once, on the version both saw: one wins, the
	// other is told the order changed.
	if st, out := step(dept, id, "reply", 1, "已受理。"); st != http.StatusOK {
		t.Fatalf("reply: %d %v", st, out)
	}
	admin, err := cf.srv.Org.StaffByUsername(context.Background(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cf.srv.Org.CreateStaff(context.Background(), admin.Actor("192.0.2.1"), org.StaffInput{Username: "supervisor2", Name: "第二监察",
		Role: org.Supervisor, CentreID: admin.CentreID, Password: demo.Password}); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.db.W.Exec(`UPDATE staff SET must_change_password = FALSE WHERE username = 'supervisor2'`); err != nil {
		t.Fatal(err)
	}
	sup2 := cf.login("supervisor2")
	statuses := make([]int, 2)
	var wg sync.WaitGroup
	for i, c := range []*client{sup, sup2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			action := []string{"accept", "return"}[i]
			statuses[i], _ = step(c, id, action, 2, "意见")
		}()
	}
	wg.Wait()
	won := 0
	for _, st := range statuses {
		switch st {
		case http.StatusOK:
			won++
		case http.StatusConflict:
		default:
			t.Fatalf("two supervisors at once: %v", statuses)
		}
	}
	if won != 1 {
		t.Fatalf("two supervisors at once: %v, want one winner", statuses)
	}
	if n := cf.idOf(`SELECT COUNT(*) FROM correction_order_events`); n != 3 {
		t.Fatalf("%d events after issue, reply and one of two steps", n)
	}
}

// In a province's database a county's supervisor, leader and department
// reach their own county's orders only: another county's order is "not
// found" to read and to act on, and stays out of their lists; another
// county's cases and departments cannot be named on a new order; a
// department answers only its own orders. A province-wide supervisor
// sees both counties'.
func TestCorrectionOrdersStopAtTheCounty(t *testing.T) {
	cf := newCaseFixture(t)
	ctx := context.Background()
	if err := demo.EnsureProvince(ctx, cf.db, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	no := cf.intake(cf.login("clerk"), "T-001", 1, 2)
	fgj := cf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	supA := cf.login("supervisor")
	id := issueOrder(t, supA, fgj, 5, no)
	before := orderCounts(cf.fixture)

	supB := cf.login("c430121.supervisor")
	leaderB := cf.login("c430121.leader")
	otherDept := cf.text(`SELECT username FROM staff WHERE role = 'dept_admin' AND department_id <> $1 AND username NOT LIKE 'c%' ORDER BY id LIMIT 1`, fgj)
	deptB := cf.text(`SELECT s.username FROM staff s JOIN departments d ON d.id = s.department_id WHERE s.role = 'dept_admin' AND d.region_code = '430121' ORDER BY s.id LIMIT 1`)
	for name, c := range map[string]*client{"county B's supervisor": supB, "county B's leader": leaderB, "another department's admin": cf.login(otherDept),
		"county B's department admin": cf.login(deptB)} {
		if st, out := orderOf(t, c, id); st != http.StatusNotFound {
			t.Errorf("%s reads county A's order: %d %v", name, st, out)
		}
		if res, _ := c.get("/supervision/orders/" + id); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s opens county A's order page: %d", name, res.StatusCode)
		}
		if _, list := c.api("GET", "/api/v1/supervision/orders", ""); list["total"] != float64(0) {
			t.Errorf("%s lists county A's order: %v", name, list)
		}
		if _, page := c.get("/supervision/orders"); strings.Contains(page, "督-2026-0001") {
			t.Errorf("%s sees county A's order on the list page", name)
		}
		for _, action := range []string{"accept", "return", "escalate", "reply"} {
			if st, _ := step(c, id, action, 1, "理由"); st != http.StatusNotFound && st != http.StatusForbidden {
				t.Errorf("%s %ss county A's order: %d", name, action, st)
			}
		}
	}
	// County B's supervisor cannot name county A's case or department.
	deptBID := cf.idOf(`SELECT id FROM departments WHERE region_code = '430121' ORDER BY id LIMIT 1`)
	for _, dept := range []int64{fgj, deptBID} {
		res, out := supB.api("POST", "/api/v1/supervision/orders", fmt.Sprintf(`{"department_id":%d,"cases":[%q],"subject":"督办","instruction":"整改","deadline_days":5}`, dept, no))
		if res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(jsonString(out), "不属于") {
			t.Errorf("county B names county A's case with department %d: %d %v", dept, res.StatusCode, out)
		}
	}
	// Opened from county A's case, the form names nothing.
	if _, page := supB.get("/supervision/orders/new?case=" + no); strings.Contains(page, no) {
		t.Error("county B's new-order form names county A's case")
	}
	if got := orderCounts(cf.fixture); got != before {
		t.Fatalf("county B changed %s into %s", before, got)
	}
	// County A's supervisor sees it; so does a province-wide one, and the
	// county B supervisor's own order is county A's no business.
	if st, _ := orderOf(t, supA, id); st != http.StatusOK {
		t.Fatalf("county A's supervisor: %d", st)
	}
	if _, err := cf.db.W.Exec(`UPDATE staff SET scope = 'province' WHERE username = 'c430121.supervisor'`); err != nil {
		t.Fatal(err)
	}
	if st, _ := orderOf(t, cf.login("c430121.supervisor"), id); st != http.StatusOK {
		t.Fatalf("a province-wide supervisor: %d", st)
	}
	// Numbers are counted per county: county B's first order is its 0001 too.
	// A case of county B's department (moved there, as in
	// TestCountyWideReachStopsAtTheCounty).
	away := cf.intake(cf.login("clerk"), "T-001", 1, 2)
	if _, err := cf.db.W.Exec(`UPDATE cases SET centre_id = (SELECT id FROM centres WHERE kind = 'hall' AND region_code = '430121'), department_id = $1
		WHERE no = $2`, deptBID, away); err != nil {
		t.Fatal(err)
	}
	idB := issueOrder(t, cf.login("c430121.supervisor"), deptBID, 3, away)
	if _, o := orderOf(t, cf.login("c430121.supervisor"), idB); o["no"] != "督-2026-0001" || o["region_code"] != "430121" {
		t.Fatalf("county B's first order: %v", o)
	}
}

// An order past its due day and not accepted is red by itself — nothing
// runs to make it so — and listed first; the overdue filter and the
// dashboard's counts agree; accepting it takes the red away.
func TestOverdueOrderTurnsRed(t *testing.T) {
	cf := newCaseFixture(t)
	ctx := context.Background()
	clerk := cf.login("clerk")
	first, second := cf.intake(clerk, "T-001", 1, 2), cf.intake(clerk, "T-001", 1, 2)
	fgj := cf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	sup := cf.login("supervisor")
	late := issueOrder(t, sup, fgj, 1, first)
	_, o := orderOf(t, sup, late)
	due := calendar.MustParseDate(o["due"].(string))
	// The day after the due day: the first order is late; a second one,
	// issued now with ten days, is not.
	cf.set(at(due.AddDays(1).String()))
	sup = cf.login("supervisor") // the old session has expired
	fresh := issueOrder(t, sup, fgj, 10, second)
	_, list := sup.api("GET", "/api/v1/supervision/orders", "")
	items := list["items"].([]any)
	if len(items) != 2 || fmt.Sprint(items[0].(map[string]any)["id"]) != late || items[0].(map[string]any)["overdue"] != true ||
		items[1].(map[string]any)["overdue"] != false {
		t.Fatalf("red first: %v", list)
	}
	if _, red := sup.api("GET", "/api/v1/supervision/orders?overdue=1", ""); red["total"] != float64(1) {
		t.Fatalf("overdue filter: %v", red)
	}
	_, page := sup.get("/supervision/orders")
	if i, j := strings.Index(page, `data-testid="order-red"`), strings.Index(page, `href="/supervision/orders/`+fresh+`"`); i < 0 || j < 0 || i > j {
		t.Fatalf("the list page does not show the late order red and first")
	}
	if _, home := cf.login("deptadmin").get("/"); !strings.Contains(home, `class="overdue"`) {
		t.Fatal("the department's home page does not show its late order red")
	}
	supActor, err := cf.srv.Org.StaffByUsername(ctx, "supervisor")
	if err != nil {
		t.Fatal(err)
	}
	if open, overdue, err := cf.srv.Orders.OpenCounts(ctx, supActor.Actor("")); err != nil || open != 2 || overdue != 1 {
		t.Fatalf("open counts: %d %d %v", open, overdue, err)
	}
	// Replied but not accepted: still red. Accepted: closed, not red.
	if st, _ := step(cf.login("deptadmin"), late, "reply", 1, "已整改"); st != http.StatusOK {
		t.Fatalf("reply: %d", st)
	}
	if _, o := orderOf(t, sup, late); o["overdue"] != true {
		t.Fatalf("a replied late order is not red: %v", o)
	}
	if st, _ := step(sup, late, "accept", 2, ""); st != http.StatusOK {
		t.Fatalf("accept: %d", st)
	}
	if open, overdue, err := cf.srv.Orders.OpenCounts(ctx, supActor.Actor("")); err != nil || open != 1 || overdue != 0 {
		t.Fatalf("after accepting: %d %d %v", open, overdue, err)
	}
	// Closed, it goes below the open one.
	if _, list := sup.api("GET", "/api/v1/supervision/orders", ""); fmt.Sprint(list["items"].([]any)[0].(map[string]any)["id"]) != fresh {
		t.Fatalf("a closed order listed before an open one: %v", list)
	}
	// Escalated: shows for the leader under its filter.
	if st, _ := step(sup, fresh, "escalate", 1, "屡次超时"); st != http.StatusOK {
		t.Fatalf("escalate: %d", st)
	}
	leader := cf.login("leader")
	if _, esc := leader.api("GET", "/api/v1/supervision/orders?escalated=1", ""); esc["total"] != float64(1) {
		t.Fatalf("the leader's escalated orders: %v", esc)
	}
	if _, page := leader.get("/supervision/orders"); !strings.Contains(page, `data-testid="orders-escalated"`) {
		t.Fatal("the leader's list does not say an order was escalated")
	}
	if res, _ := sup.api("GET", "/api/v1/supervision/orders?state=everything", ""); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown state filter: %d", res.StatusCode)
	}
}

// An order on an anomaly (the anomalies table of migration 00012): the
// anomaly is seen through its case, so it must be the department's and
// in the supervisor's reach; the form opened from an anomaly names it and
// its department. Before the table exists no anomaly can be named.
func TestCorrectionOrderOnAnomaly(t *testing.T) {
	cf := newCaseFixture(t)
	no := cf.intake(cf.login("clerk"), "T-001", 1, 2)
	fgj := cf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	mzj := cf.idOf(`SELECT department_id FROM staff WHERE username = 'tclerk'`)
	sup := cf.login("supervisor")
	body := func(dept int64, anomaly int64) string {
		return fmt.Sprintf(`{"department_id":%d,"anomalies":[%d],"subject":"预警督办","instruction":"请核查。","deadline_days":3}`, dept, anomaly)
	}
	var hasTable int64
	if cf.db.Dialect == "postgres" {
		hasTable = cf.idOf(`SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'anomalies' AND table_schema = current_schema()`)
	} else {
		hasTable = cf.idOf(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'anomalies'`)
	}
	if hasTable == 0 {
		if res, out := sup.api("POST", "/api/v1/supervision/orders", body(fgj, 1)); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("an anomaly without the anomalies table: %d %v", res.StatusCode, out)
		}
		// A stand-in with the columns of migration 00012 this package reads.
		if _, err := cf.db.W.Exec(`CREATE TABLE anomalies (id BIGINT PRIMARY KEY, case_id BIGINT NOT NULL, department_id BIGINT NOT NULL,
			centre_id BIGINT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL, fact_key TEXT NOT NULL, raised_at TIMESTAMP NOT NULL)`); err != nil {
			t.Fatal(err)
		}
	}
	caseID := cf.idOf(`SELECT id FROM cases WHERE no = $1`, no)
	if _, err := cf.db.W.Exec(`INSERT INTO anomalies (id, case_id, department_id, centre_id, rule, severity, fact_key, raised_at)
		SELECT 9001, id, department_id, centre_id, 'T02', 'warning', 'test', $2 FROM cases WHERE id = $1`, caseID, cf.clock()); err != nil {
		t.Fatal(err)
	}
	if _, page := sup.get("/supervision/orders/new?anomaly=9001"); !strings.Contains(page, `value="9001"`) ||
		!strings.Contains(page, fmt.Sprintf(`<option value="%d" selected>`, fgj)) {
		t.Fatalf("the form opened from the anomaly does not name it:\n%s", problemOf(page))
	}
	before := orderCounts(cf.fixture)
	for _, tc := range []struct {
		dept    int64
		anomaly int64
	}{{mzj, 9001}, {fgj, 9002}, {fgj, -1}} {
		if res, out := sup.api("POST", "/api/v1/supervision/orders", body(tc.dept, tc.anomaly)); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("anomaly %d to department %d: %d %v", tc.anomaly, tc.dept, res.StatusCode, out)
		}
	}
	if got := orderCounts(cf.fixture); got != before {
		t.Fatalf("refused anomaly orders changed %s into %s", before, got)
	}
	res, out := sup.api("POST", "/api/v1/supervision/orders", body(fgj, 9001))
	items, _ := out["items"].([]any)
	if res.StatusCode != http.StatusCreated || len(items) != 1 || items[0].(map[string]any)["anomaly_id"] != float64(9001) ||
		items[0].(map[string]any)["case_no"] != no {
		t.Fatalf("an order on the anomaly: %d %v", res.StatusCode, out)
	}
}

// Orders issued at the same moment get distinct numbers in sequence (the
// counter row serialises them) and are each counted once.
func TestOrderNumbersUnderConcurrency(t *testing.T) {
	cf := newCaseFixture(t)
	no := cf.intake(cf.login("clerk"), "T-001", 1, 2)
	fgj := cf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	sup := cf.login("supervisor")
	const n = 6
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i] = issueOrder(t, sup, fgj, 5, no)
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, id := range ids {
		_, o := orderOf(t, sup, id)
		seen[fmt.Sprint(o["no"])] = true
	}
	for i := 1; i <= n; i++ {
		if !seen[fmt.Sprintf("督-2026-%04d", i)] {
			t.Fatalf("numbers %v lack %d", seen, i)
		}
	}
	if got := cf.idOf(`SELECT SUM(orders) FROM supervision_months`); got != n {
		t.Fatalf("%d orders counted, want %d", got, n)
	}
	// The recount from the orders agrees; a figure changed by hand does not.
	if diffs, err := corrections.CheckTotals(context.Background(), cf.db.R); err != nil || len(diffs) != 0 {
		t.Fatalf("recount: %v %v", diffs, err)
	}
	if _, err := cf.db.W.Exec(`UPDATE supervision_months SET orders = orders + 1`); err != nil {
		t.Fatal(err)
	}
	if diffs, err := corrections.CheckTotals(context.Background(), cf.db.R); err != nil || len(diffs) != 1 || diffs[0].Table != "supervision_months" || diffs[0].Counted != n+1 {
		t.Fatalf("a month's figure changed: %v %v", diffs, err)
	}
}
