package web_test

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"onestop/internal/bulletin"
	"onestop/internal/calendar"
	"onestop/internal/demo"
	"onestop/internal/tally"
)

var (
	supervisionUsers = []string{"supervisor", "leader"}
	supervisorOnly   = []string{"supervisor"}
)

func init() {
	// Issue 12 §4: supervisors and leaders read bulletins; a supervisor
	// publishes and withdraws; a published bulletin is everyone's.
	expected["GET /supervision/bulletin"] = supervisionUsers
	expected["GET /supervision/bulletin.xlsx"] = supervisionUsers
	expected["POST /supervision/bulletins"] = supervisorOnly
	expected["POST /supervision/bulletins/{id}/withdraw"] = supervisorOnly
	expected["GET /open/bulletins"] = public
	expected["GET /open/bulletins/{id}"] = public
	expected["GET /api/v1/open/bulletins"] = public
	// A published bulletin is public whichever county it is about, so its
	// page has no scope; withdrawing one is limited to the bulletin's
	// county, tested in TestBulletinOfOneCountyNotWithdrawnByAnother.
	scopeRoutes["GET /open/bulletins/{id}"] = kNone
	scopeRoutes["POST /supervision/bulletins/{id}/withdraw"] = kNone
	// Every parameter of the picker is refused in words when it carries
	// what no period, grouping or county is (TestEveryGETRejectsBadQueryValues).
	for _, p := range []string{"GET /supervision/bulletin", "GET /supervision/bulletin.xlsx"} {
		filterParams[p] = []string{"period", "from", "to", "by", "county"}
	}
	filterParams["GET /open/bulletins"] = []string{"county", "limit", "offset"}
	filterParams["GET /api/v1/open/bulletins"] = []string{"county", "limit", "offset"}
}

// bulletinWorld is the demo county with hand-counted running totals for
// April 2026 (and March, the previous period) at the hall, for the
// clerk's department (FGJ) and the township clerk's (MZJ).
type bulletinWorld struct {
	*fixture
	hall, fgj, mzj int64
	fgjName        string
	mzjName        string
}

func newBulletinWorld(t *testing.T) *bulletinWorld {
	f := newFixture(t)
	w := &bulletinWorld{fixture: f}
	w.hall = f.idOf(`SELECT centre_id FROM staff WHERE username = 'clerk'`)
	w.fgj = f.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	w.mzj = f.idOf(`SELECT department_id FROM staff WHERE username = 'tclerk'`)
	_ = f.db.R.QueryRow(`SELECT name FROM departments WHERE id = $1`, w.fgj).Scan(&w.fgjName)
	_ = f.db.R.QueryRow(`SELECT name FROM departments WHERE id = $1`, w.mzj).Scan(&w.mzjName)
	add := func(day string, dept int64, figs map[tally.Column]int) {
		t.Helper()
		if err := tally.Add(context.Background(), f.db.W, tally.Key{Day: calendar.MustParseDate(day), DepartmentID: dept, CentreID: w.hall}, figs); err != nil {
			t.Fatal(err)
		}
	}
	// FGJ in April: 10 received (4 online), 9 accepted, 8 completed, 6 on
	// time, 2 overdue, 28 working days used against 40 promised, one
	// deemed acceptance, 3 anomalies, 1 correction order.
	add("2026-04-03", w.fgj, map[tally.Column]int{tally.Received: 6, tally.ReceivedOnline: 4, tally.Accepted: 5, tally.Completed: 4, tally.OnTime: 3, tally.Overdue: 1,
		tally.UsedDays: 14, tally.PromisedDays: 20, tally.Anomalies: 2})
	add("2026-04-28", w.fgj, map[tally.Column]int{tally.Received: 4, tally.Accepted: 4, tally.Completed: 4, tally.OnTime: 3, tally.Overdue: 1,
		tally.UsedDays: 14, tally.PromisedDays: 20, tally.DeemedAccepted: 1, tally.Anomalies: 1, tally.Orders: 1})
	// MZJ in April: 4 received, all accepted and completed on time.
	add("2026-04-10", w.mzj, map[tally.Column]int{tally.Received: 4, tally.ReceivedOnline: 1, tally.Accepted: 4, tally.Completed: 4, tally.OnTime: 4,
		tally.UsedDays: 8, tally.PromisedDays: 16, tally.DeemedApproved: 1})
	// March, the period April is compared with: FGJ received 12,
	// completed 10, 9 on time.
	add("2026-03-20", w.fgj, map[tally.Column]int{tally.Received: 12, tally.Accepted: 12, tally.Completed: 10, tally.OnTime: 9, tally.Overdue: 1,
		tally.UsedDays: 30, tally.PromisedDays: 50})
	return w
}

const april = "/supervision/bulletin?period=2026-04&by=department"

// The page shows the hand-counted figures: FGJ 10 received, 88.9%
// completion (8 of 9 accepted), 75.0% on time (6 of 8), 3.5 working days
// against 5.0 promised, 40.0% online, the change from March with its
// arrow (2 fewer received, 15 points less on time), satisfaction as "—",
// and both groups ranked.
func TestBulletinPageFigures(t *testing.T) {
	w := newBulletinWorld(t)
	c := w.login("supervisor")
	res, body := c.get(april)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%d: %s", res.StatusCode, body)
	}
	row := tableRow(t, body, w.fgjName)
	// "0" ratings, so satisfaction "—".
	want := []string{"2", "10", "9", "8", "88.9%", "75.0%", "2", "3.5", "5.0", "40.0%", "1", "0", "3", "1", "0", "—", "↓2", "↓15.0"}
	if strings.Join(row, "|") != strings.Join(want, "|") {
		t.Fatalf("FGJ row\n got %v\nwant %v", row, want)
	}
	mzj := tableRow(t, body, w.mzjName)
	if mzj[0] != "1" || mzj[1] != "4" || mzj[5] != "100.0%" || mzj[11] != "1" || mzj[15] != "—" {
		t.Fatalf("MZJ row %v", mzj)
	}
	for _, s := range []string{"2026年第4期", "2026年4月", "<svg", `role="img"`, "按时办结率", `href="/supervision/bulletin.xlsx?by=department&amp;period=2026-04"`} {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	if strings.Contains(body, "<script>") {
		t.Error("the bulletin page needs no inline script")
	}
	// The same page in English, with no key left untranslated.
	_, en := c.get(april + "&lang=en")
	if m := untranslated.FindString(en); m != "" {
		t.Errorf("untranslated %q", m)
	}
	if !strings.Contains(en, "Issue 4, 2026") || !strings.Contains(en, "On-time rate") {
		t.Error("English page lacks its words")
	}
}

// tableRow returns the cells after the row header named name.
func tableRow(t *testing.T, body, name string) []string {
	t.Helper()
	i := strings.Index(body, `<th scope="row">`+name+`</th>`)
	if i < 0 {
		t.Fatalf("no row for %s", name)
	}
	rest := body[i:]
	rest = rest[:strings.Index(rest, "</tr>")]
	var out []string
	for _, part := range strings.Split(rest, "<td")[1:] {
		v := part[strings.Index(part, ">")+1:]
		out = append(out, v[:strings.Index(v, "</td>")])
	}
	return out
}

// The workbook holds the same figures as the bulletin the page shows,
// cell for cell.
func TestBulletinWorkbookMatchesFigures(t *testing.T) {
	w := newBulletinWorld(t)
	c := w.login("leader")
	res, body := c.get("/supervision/bulletin.xlsx?period=2026-04&by=department")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "bulletin-2026-04-01-2026-04-30-department.xlsx") {
		t.Fatalf("%d %v", res.StatusCode, res.Header)
	}
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("通报", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	leader, err := w.srv.Org.StaffByUsername(context.Background(), "leader")
	if err != nil {
		t.Fatal(err)
	}
	b, err := tally.Bulletin(context.Background(), w.db, leader.Actor(""), tally.Query{From: calendar.MustParseDate("2026-04-01"),
		To: calendar.MustParseDate("2026-04-30"), By: "department"})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Items) != 2 || len(rows) != 2+2+1 {
		t.Fatalf("%d groups, %d rows", len(b.Items), len(rows))
	}
	if !strings.Contains(rows[0][0], "2026年4月") || !strings.Contains(rows[0][0], "2026年第4期") || rows[1][1] != "排名" {
		t.Fatalf("heading %v / %v", rows[0], rows[1])
	}
	for i, r := range append(b.Items, b.Total) {
		got := rows[2+i]
		for j, col := range bulletin.Columns {
			v, ok := col.Value(r)
			cell := got[1+j]
			if !ok || (i == len(b.Items) && col.Key == "rank") {
				if cell != "—" {
					t.Errorf("row %d %s = %q, want —", i, col.Key, cell)
				}
				continue
			}
			n, err := strconv.ParseFloat(cell, 64)
			if err != nil || math.Abs(n-v) > 1e-9 {
				t.Errorf("row %d %s = %q, want %v", i, col.Key, cell, v)
			}
		}
	}
	// And the hand count: FGJ received 10, the total 14.
	if rows[2][0] != w.fgjName && rows[3][0] != w.fgjName {
		t.Fatalf("no FGJ row: %v", rows)
	}
	if rows[4][2] != "14" {
		t.Fatalf("total received %q, want 14", rows[4][2])
	}
}

// Every mistake in the picker is a field error in the reader's language
// on the page (422), never a 500; a county outside the reader's scope is
// refused, not read as "everything".
func TestBulletinBadParameters(t *testing.T) {
	w := newBulletinWorld(t)
	if err := demo.EnsureProvince(context.Background(), w.db, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	c := w.login("supervisor")
	long := strings.Repeat("9", 50000)
	cases := []struct{ query, zh string }{
		{"from=2026-04-30&to=2026-04-01", "结束日期早于开始日期"},
		{"from=2026-04-01", "同时填写"},
		{"from=2026-02-30&to=2026-03-01", "YYYY-MM-DD"},
		{"from=2025-01-01&to=2026-04-01", "最长一年"},
		{"period=2026-13", "请选择一个月"},
		{"period=1900", "请选择一个月"},
		{"by=street", "请按部门"},
		{"county=430121", "不在您的权限范围内"},
		{"county=43012", "6、9 或 12 位数字"},
		{"period=" + long, ""},
		{"county=" + long, ""},
		{"from=" + long + "&to=" + long, ""},
	}
	for _, k := range cases {
		for _, path := range []string{"/supervision/bulletin?", "/supervision/bulletin.xlsx?"} {
			res, body := c.get(path + k.query)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s%.60s: %d, want 422", path, k.query, res.StatusCode)
			}
			if k.zh != "" && !strings.Contains(body, k.zh) {
				t.Errorf("%s%s: no %q on the page", path, k.query, k.zh)
			}
		}
	}
	_, en := c.get("/supervision/bulletin?from=2026-04-30&to=2026-04-01&lang=en")
	if !strings.Contains(en, "The last day is before the first") || !strings.Contains(en, `id="e-to"`) {
		t.Error("the English page does not name the field's problem")
	}
	// The township clerk, reviewer and admin reach no bulletin.
	for _, u := range []string{"clerk", "reviewer", "admin", "deptadmin"} {
		if res, _ := w.login(u).get(april); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", u, res.StatusCode)
		}
	}
}

// A province-wide supervisor sees every county, may group by county and
// filter one; a county's supervisor sees their own county only.
func TestBulletinProvinceAndCountyReaders(t *testing.T) {
	w := newBulletinWorld(t)
	ctx := context.Background()
	if err := demo.EnsureProvince(ctx, w.db, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	otherHall := w.idOf(`SELECT id FROM centres WHERE kind = 'hall' AND region_code = '430121'`)
	otherDept := w.idOf(`SELECT MIN(id) FROM departments WHERE region_code = '430121'`)
	if err := tally.Add(ctx, w.db.W, tally.Key{Day: calendar.MustParseDate("2026-04-07"), DepartmentID: otherDept, CentreID: otherHall},
		map[tally.Column]int{tally.Received: 77}); err != nil {
		t.Fatal(err)
	}
	var otherName string
	_ = w.db.R.QueryRow(`SELECT name FROM departments WHERE id = $1`, otherDept).Scan(&otherName)
	_, own := w.login("supervisor").get(april)
	if strings.Contains(own, otherName) || strings.Contains(own, ">77<") {
		t.Fatal("a county's supervisor sees another county's department")
	}
	if _, err := w.db.W.Exec(`UPDATE staff SET scope = 'province' WHERE username = 'c430121.supervisor'`); err != nil {
		t.Fatal(err)
	}
	p := w.login("c430121.supervisor")
	res, body := p.get("/supervision/bulletin?period=2026-04&by=county")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `name="county"`) {
		t.Fatalf("province reader: %d, no county filter", res.StatusCode)
	}
	if !strings.Contains(body, ">91<") { // 14 in the demo county, 77 in the other
		t.Error("the province total is not both counties'")
	}
	_, one := p.get("/supervision/bulletin?period=2026-04&by=department&county=430121")
	if !strings.Contains(one, otherName) || strings.Contains(one, w.fgjName) {
		t.Error("the county filter does not narrow to the county")
	}

	// The dashboards in May: each county's leader sees April's trend of
	// their own county (14 received in the demo county, 77 in the other),
	// the province reader both (91).
	w.srv.Now = func() time.Time { return time.Date(2026, 5, 10, 2, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		user, want string
		not        []string
	}{
		{"leader", "2026-04: 14<", []string{"2026-04: 77<", "2026-04: 91<"}},
		{"c430121.leader", "2026-04: 77<", []string{"2026-04: 14<", "2026-04: 91<"}},
		{"c430121.supervisor", "2026-04: 91<", nil},
	} {
		res, body := w.login(c.user).get("/supervision/dashboard")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, c.want) {
			t.Errorf("%s's dashboard: %d, lacks %q", c.user, res.StatusCode, c.want)
		}
		for _, n := range c.not {
			if strings.Contains(body, n) {
				t.Errorf("%s's dashboard shows %q", c.user, n)
			}
		}
	}
}

// Publishing: a supervisor publishes April; it is public on the portal
// and in the API without signing in, with department names and figures
// only; publishing April again is refused in words unless a corrected
// version is asked for; a leader cannot publish.
func TestPublishBulletin(t *testing.T) {
	w := newBulletinWorld(t)
	sup := w.login("supervisor")
	form := url.Values{"period": {"2026-04"}, "by": {"department"}, "title": {"测试县2026年第4期通报"}}
	res, _ := sup.post("/supervision/bulletins", form)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/open/bulletins/") {
		t.Fatalf("publish: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	loc := res.Header.Get("Location")
	anon := w.anon()
	res, page := anon.get(loc)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "测试县2026年第4期通报") || !strings.Contains(page, w.fgjName) {
		t.Fatalf("public page: %d", res.StatusCode)
	}
	if strings.Contains(page, "效能监察员") || strings.Contains(page, "supervisor") {
		t.Error("the public page names the person who published")
	}
	if row := tableRow(t, page, w.fgjName); row[1] != "10" || row[5] != "75.0%" {
		t.Errorf("public figures %v", row)
	}
	if _, portal := anon.get("/"); !strings.Contains(portal, `href="/open/bulletins"`) {
		t.Error("the portal does not lead to the bulletins")
	}
	if _, list := anon.get("/open/bulletins"); !strings.Contains(list, `href="`+loc+`"`) {
		t.Error("the portal's list does not show the bulletin")
	}
	res, out := anon.api("GET", "/api/v1/open/bulletins", "")
	if res.StatusCode != http.StatusOK || out["total"].(float64) != 1 {
		t.Fatalf("API: %d %v", res.StatusCode, out)
	}
	item := out["items"].([]any)[0].(map[string]any)
	total := item["summary"].(map[string]any)
	if item["from"] != "2026-04-01" || item["by"] != "department" || total["received"].(float64) != 14 || total["satisfaction_rate"] != nil {
		t.Fatalf("API item %v", item)
	}
	if _, leaks := item["published_by"]; leaks {
		t.Error("the API names the publisher")
	}
	// Again: a conflict, said on the page.
	res, body := sup.post("/supervision/bulletins", form)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "本期通报已发布（第1版）") {
		t.Fatalf("publishing twice: %d", res.StatusCode)
	}
	form.Set("new_version", "1")
	if res, _ := sup.post("/supervision/bulletins", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new version: %d", res.StatusCode)
	}
	_, old := anon.get(loc)
	if !strings.Contains(old, `data-testid="bulletin-replaced"`) {
		t.Error("the first version does not say it was replaced")
	}
	if _, out := anon.api("GET", "/api/v1/open/bulletins", ""); out["total"].(float64) != 1 || out["items"].([]any)[0].(map[string]any)["version"].(float64) != 2 {
		t.Errorf("the API should list the standing version only: %v", out["total"])
	}
	if res, _ := w.login("leader").post("/supervision/bulletins", form); res.StatusCode != http.StatusForbidden {
		t.Errorf("leader published: %d", res.StatusCode)
	}
	if res, _ := anon.api("GET", "/api/v1/open/bulletins?county=abc", ""); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad county filter: %d", res.StatusCode)
	}
	var n int
	_ = w.db.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'bulletin' AND action = 'publish'`).Scan(&n)
	if n != 2 {
		t.Errorf("%d publications on the record, want 2", n)
	}
	// The record reads in words: who published what, with the headline.
	_, log := sup.get("/admin/audit")
	for _, want := range []string{"发布", "通报标题", "测试县2026年第4期通报", "收件合计"} {
		if !strings.Contains(log, want) {
			t.Errorf("the audit log lacks %q", want)
		}
	}
	if strings.Contains(log, "bulletin_title") || strings.Contains(log, "total received") {
		t.Error("the audit log shows a raw key")
	}
}

// County A's published bulletin cannot be withdrawn by county B's
// supervisor (404, nothing changes), while A's own supervisor can, with
// a reason; the portal then says it was withdrawn and shows no figures.
func TestBulletinOfOneCountyNotWithdrawnByAnother(t *testing.T) {
	w := newBulletinWorld(t)
	if err := demo.EnsureProvince(context.Background(), w.db, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	sup := w.login("supervisor")
	res, _ := sup.post("/supervision/bulletins", url.Values{"period": {"2026-04"}, "by": {"department"}, "title": {"四月通报"}})
	id := strings.TrimPrefix(res.Header.Get("Location"), "/open/bulletins/")
	other := w.login("c430121.supervisor")
	if res, _ := other.post("/supervision/bulletins/"+id+"/withdraw", url.Values{"reason": {"恶意撤回"}}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("county B withdrew A's bulletin: %d", res.StatusCode)
	}
	// Nor publish for county A by naming it.
	if res, _ := other.post("/supervision/bulletins", url.Values{"period": {"2026-04"}, "by": {"department"}, "county": {"431022"}, "title": {"x"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("county B published for A: %d", res.StatusCode)
	}
	if res, _ := sup.post("/supervision/bulletins/"+id+"/withdraw", url.Values{"reason": {""}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no reason: %d", res.StatusCode)
	}
	if res, _ := sup.post("/supervision/bulletins/"+id+"/withdraw", url.Values{"reason": {"口径有误"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", res.StatusCode)
	}
	_, page := w.anon().get("/open/bulletins/" + id)
	if !strings.Contains(page, "口径有误") || strings.Contains(page, `data-testid="bulletin-table"`) {
		t.Error("a withdrawn bulletin should say why and show no figures")
	}
	for _, p := range []string{"/open/bulletins/999999", "/open/bulletins/abc", "/open/bulletins/" + strings.Repeat("1", 300)} {
		if res, _ := w.anon().get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
}
