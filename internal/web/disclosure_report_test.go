package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"onestop/internal/disclosure"
	"onestop/internal/disclosure/annual"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Kinds of the scope matrix for the annual report's routes: a report by
// its organ, a review or suit by its organ, a published report for the
// public.
const (
	kDiscReport scopeKind = "disclosure_report"
	kDiscAppeal scopeKind = "disclosure_appeal"
	kDiscPublic scopeKind = "disclosure_public"
)

func init() {
	for p, who := range map[string][]string{
		"GET /disclosure/reports":                  signedIn,
		"POST /disclosure/reports":                 signedIn,
		"GET /disclosure/reports/{id}":             signedIn,
		"POST /disclosure/reports/{id}/texts":      signedIn,
		"POST /disclosure/reports/{id}/adjust":     signedIn,
		"POST /disclosure/reports/{id}/approve":    signedIn,
		"POST /disclosure/reports/{id}/reopen":     signedIn,
		"POST /disclosure/reports/{id}/publish":    signedIn,
		"GET /disclosure/reports/{id}/print":       signedIn,
		"GET /disclosure/reports/{id}/export.xlsx": signedIn,
		"GET /open/disclosure/reports/{id}":        public,
		"GET /disclosure/appeals":                  signedIn,
		"POST /disclosure/appeals":                 signedIn,
		"POST /disclosure/appeals/{id}/conclude":   signedIn,
		"GET /api/v1/disclosure/reports":           signedIn,
		"GET /api/v1/disclosure/reports/{id}":      signedIn,
	} {
		expected[p] = who
	}
	for _, p := range []string{"GET /disclosure/reports/{id}", "POST /disclosure/reports/{id}/texts", "POST /disclosure/reports/{id}/adjust",
		"POST /disclosure/reports/{id}/approve", "POST /disclosure/reports/{id}/reopen", "POST /disclosure/reports/{id}/publish",
		"GET /disclosure/reports/{id}/print", "GET /disclosure/reports/{id}/export.xlsx", "GET /api/v1/disclosure/reports/{id}"} {
		scopeRoutes[p] = kDiscReport
	}
	scopeRoutes["POST /disclosure/appeals/{id}/conclude"] = kDiscAppeal
	scopeRoutes["GET /open/disclosure/reports/{id}"] = kDiscPublic
}

// discOrgans registers the demo county's organs and answers the organ of
// a department.
func discOrgans(t testing.TB, db *store.DB, admin org.Actor) map[int64]int64 {
	t.Helper()
	ctx := context.Background()
	if err := disclosure.EnsureOrgans(ctx, db, time.Now(), admin.County()); err != nil {
		t.Fatal(err)
	}
	list, err := disclosure.Organs(ctx, db.R, admin)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]int64{}
	for _, x := range list {
		out[x.Organ.DepartmentID] = x.Organ.ID
	}
	return out
}

type discScope struct{ reports, appeals, published [2]int64 }

var (
	scopeDiscMu sync.Mutex
	scopeDisc   = map[*scopeFixture]*discScope{}
)

// disclosureSplit makes, once per fixture, the organs of the clerk's
// department (FGJ) and the township clerk's (MZJ), each with a draft
// report, a published one and a pending review, and grants every account
// the head's duty at one of them: the hall's clerk, reviewer, approver,
// department admin and the leader at FGJ; the admin, township admin,
// township clerk and supervisor at MZJ. County-wide readers (admin,
// supervisor, leader) read both; everyone writes only at their own.
func (sf *scopeFixture) disclosureSplit(kind scopeKind, user string, write bool) (in, out []string) {
	scopeDiscMu.Lock()
	d := scopeDisc[sf]
	if d == nil {
		d = &discScope{}
		ctx := context.Background()
		actor := func(u string) org.Actor {
			st, err := sf.srv.Org.StaffByUsername(ctx, u)
			if err != nil {
				sf.t.Fatal(err)
			}
			return st.Actor("192.0.2.1")
		}
		admin := actor("admin")
		organs := discOrgans(sf.t, sf.db, admin)
		organ := [2]int64{organs[sf.fgj], organs[sf.mzj]}
		for i, users := range [][]string{{"clerk", "reviewer", "approver", "deptadmin", "leader"}, {"admin", "township", "tclerk", "supervisor"}} {
			for _, u := range users {
				if err := disclosure.Grant(ctx, sf.db, time.Now(), admin, organ[i], actor(u).StaffID, disclosure.Head); err != nil {
					sf.t.Fatal(err)
				}
			}
			head := actor(users[0])
			svc := sf.srv.DisclosureReports
			r, err := svc.Generate(ctx, head, organ[i], 2024)
			if err == nil {
				r, err = svc.Approve(ctx, head, r.ID, r.Version)
			}
			if err == nil {
				r, err = svc.Publish(ctx, head, r.ID, r.Version)
			}
			if err != nil {
				sf.t.Fatalf("published report: %v", err)
			}
			d.published[i] = r.ID
			if r, err = svc.Generate(ctx, head, organ[i], 2025); err != nil {
				sf.t.Fatal(err)
			}
			d.reports[i] = r.ID
			ap, err := svc.RecordAppeal(ctx, head, annual.AppealInput{OrganID: organ[i], Kind: annual.Review, FiledOn: "2025-03-01"})
			if err != nil {
				sf.t.Fatal(err)
			}
			d.appeals[i] = ap.ID
		}
		scopeDisc[sf] = d
	}
	scopeDiscMu.Unlock()
	ids := d.reports
	switch kind {
	case kDiscPublic:
		return []string{fmt.Sprint(d.published[0]), fmt.Sprint(d.published[1])}, []string{fmt.Sprint(d.reports[0]), fmt.Sprint(d.reports[1])}
	case kDiscAppeal:
		ids = d.appeals
	}
	mine, theirs := fmt.Sprint(ids[0]), fmt.Sprint(ids[1])
	switch user {
	case "admin", "township", "tclerk", "supervisor":
		mine, theirs = theirs, mine
	}
	if !write && (user == "admin" || user == "supervisor" || user == "leader") {
		return []string{mine, theirs}, nil
	}
	return []string{mine}, []string{theirs}
}

// discWorld is a web fixture with the clerk as officer and the
// department admin as head of the clerk's department's organ, and a
// hand-counted 2025: two requests by natural persons, one concluded
// (disclosed), one still open.
type discWorld struct {
	*fixture
	organ, gov int64
}

func newDiscWorld(t *testing.T) *discWorld {
	f := newFixture(t)
	ctx := context.Background()
	actor := func(u string) org.Actor {
		st, err := f.srv.Org.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return st.Actor("192.0.2.1")
	}
	admin, clerk := actor("admin"), actor("clerk")
	organs := discOrgans(t, f.db, admin)
	w := &discWorld{fixture: f, organ: organs[clerk.DepartmentID], gov: organs[0]}
	if err := disclosure.Grant(ctx, f.db, time.Now(), admin, w.organ, clerk.StaffID, disclosure.Officer); err != nil {
		t.Fatal(err)
	}
	if err := disclosure.Grant(ctx, f.db, time.Now(), admin, w.organ, actor("deptadmin").StaffID, disclosure.Head); err != nil {
		t.Fatal(err)
	}
	for i, r := range [][2]string{{"2025-03-02", "2025-03-20"}, {"2025-12-29", ""}} {
		status, out, closed := "open", any(nil), any(nil)
		if r[1] != "" {
			status, out, closed = "closed", "open", r[1]
		}
		if _, err := f.db.W.ExecContext(ctx, `INSERT INTO disclosure_requests (no, organ_id, applicant_type, name, channel, content, received_on, clock_from, due_on, status, outcome, closed_on, created_at, updated_at)
			VALUES ($1, $2, 'person', '张三', 'in_person', '请公开某文件', $3, $3, $3, $4, $5, $6, $7, $7)`,
			fmt.Sprintf("YSQ-W-%d", i), w.organ, r[0], status, out, closed, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

var discLocation = regexp.MustCompile(`^/disclosure/reports/(\d+)$`)

// The whole course on the pages: the officer generates 2025's report,
// adjusts 二 (requests received before OneStop) and the head's approval
// is refused with the column and numbers named; fixing 四 lets it
// through; the head publishes it, the public reads it without signing
// in, the catalogue lists it, and the workbook and API carry the same
// figures. Bad input and a forged token change nothing.
func TestDisclosureReportPages(t *testing.T) {
	w := newDiscWorld(t)
	clerk, head := w.login("clerk"), w.login("deptadmin")
	res, body := clerk.post("/disclosure/reports", url.Values{"organ": {fmt.Sprint(w.organ)}, "year": {strings.Repeat("9", 50000)}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-year"`) {
		t.Fatalf("bad year: %d", res.StatusCode)
	}
	if res, _ = clerk.post("/disclosure/reports", url.Values{"csrf_token": {"forged"}, "organ": {fmt.Sprint(w.organ)}, "year": {"2025"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged token: %d", res.StatusCode)
	}
	// Someone without a grant does not find the organ.
	if res, _ = w.login("tclerk").post("/disclosure/reports", url.Values{"organ": {fmt.Sprint(w.organ)}, "year": {"2025"}}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("no grant: %d", res.StatusCode)
	}
	res, _ = clerk.post("/disclosure/reports", url.Values{"organ": {fmt.Sprint(w.organ)}, "year": {"2025"}})
	m := discLocation.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("generate: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	path, id := m[0], m[1]
	version := func() string {
		_, b := clerk.get(path)
		v := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(b)
		if v == nil {
			_, b = head.get(path)
			v = regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(b)
		}
		if v == nil {
			t.Fatal("no version on the page")
		}
		return v[1]
	}
	_, body = clerk.get(path)
	if !strings.Contains(body, `data-testid="disclosure-consistent"`) || !strings.Contains(body, `data-cell="t3.new.person">2</td>`) ||
		!strings.Contains(body, `data-cell="t3.forward.person">1</td>`) || !strings.Contains(body, `data-cell="t3.open.person">1</td>`) {
		t.Fatal("the counted tables are not shown")
	}
	// A 50,000-character reason is a field error and changes nothing.
	res, body = clerk.post(path+"/adjust", url.Values{"version": {version()}, "cell": {"t3.carried.person"}, "value": {"3"}, "reason": {strings.Repeat("理", 50000)}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-reason"`) {
		t.Fatalf("long reason: %d", res.StatusCode)
	}
	res, _ = clerk.post(path+"/adjust", url.Values{"version": {version()}, "cell": {"t3.carried.person"}, "value": {"3"}, "reason": {"三件申请早于系统上线"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adjust: %d", res.StatusCode)
	}
	// The officer may not approve; the head's approval is refused, naming
	// the column, the rows and the numbers.
	if res, _ = clerk.post(path+"/approve", url.Values{"version": {version()}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("officer approves: %d", res.StatusCode)
	}
	if res, _ = head.post(path+"/approve", url.Values{"version": {version()}, "csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged approval: %d", res.StatusCode)
	}
	res, body = head.post(path+"/approve", url.Values{"version": {version()}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "不能审核或发布") ||
		!strings.Contains(body, "“自然人”栏：一、本年新收（2）加二、上年结转（3）为 5，而三（七）总计（1）加四、结转下年度（1）为 2") {
		t.Fatalf("inconsistent approval: %d", res.StatusCode)
	}
	if _, body = head.get(path + "?lang=en"); !strings.Contains(body, "Column “Natural persons”: row 1 (2) plus row 2 (3) is 5") {
		t.Fatal("the English explanation")
	}
	res, _ = clerk.post(path+"/adjust", url.Values{"version": {version()}, "cell": {"t3.forward.person"}, "value": {"4"}, "reason": {"三件早于系统上线的申请尚未办结"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adjust: %d", res.StatusCode)
	}
	if res, _ = clerk.post(path+"/texts", url.Values{"version": {version()}, "overview": {"本年度，本机关依法做好政府信息公开工作。"}, "problems": {"答复文书仍需规范。"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("texts: %d", res.StatusCode)
	}
	if res, _ = head.post(path+"/approve", url.Values{"version": {version()}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.StatusCode)
	}
	// Not published yet: the public finds nothing.
	if res, _ = w.anon().get("/open/disclosure/reports/" + id); res.StatusCode != http.StatusNotFound {
		t.Fatalf("approved report public: %d", res.StatusCode)
	}
	if res, _ = head.post(path+"/publish", url.Values{"version": {version()}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", res.StatusCode)
	}
	res, body = w.anon().get("/open/disclosure/reports/" + id)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "三、收到和处理政府信息公开申请情况") || !strings.Contains(body, `data-cell="t3.carried.person">3</td>`) ||
		!strings.Contains(body, "本机关依法做好政府信息公开工作") || !strings.Contains(body, "本年度本机关未收取政府信息公开信息处理费") ||
		strings.Contains(body, `data-row="g3"`) {
		t.Fatalf("public page: %d", res.StatusCode)
	}
	var entries int
	w.db.R.QueryRow(`SELECT COUNT(*) FROM disclosure_entries WHERE source = 'report' AND category = 'reports' AND status = 'published' AND organ_id = $1 AND link = $2`,
		w.organ, "/open/disclosure/reports/"+id).Scan(&entries)
	if entries != 1 {
		t.Fatalf("%d catalogue entries", entries)
	}
	// The workbook has the tables as the page.
	res, body = w.login("supervisor").get(path + "/export.xlsx")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", res.StatusCode)
	}
	wb, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := wb.GetRows("表三")
	if err != nil || len(rows) < 8 || rows[6][0] != "二、上年结转政府信息公开申请数量" || rows[6][3] != "3" || rows[6][9] != "3" {
		t.Fatalf("workbook: %v %v", rows, err)
	}
	// The API: the supervisor reads it; ?organ=x is a field error, not
	// everything; someone without a grant lists nothing and reads nothing.
	sup := w.login("supervisor")
	res, out := sup.api("GET", "/api/v1/disclosure/reports?year=2025", "")
	items, _ := out["items"].([]any)
	if res.StatusCode != http.StatusOK || len(items) != 1 {
		t.Fatalf("api list: %d %v", res.StatusCode, out)
	}
	if res, _ = sup.api("GET", "/api/v1/disclosure/reports?organ=x", ""); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("garbled organ: %d", res.StatusCode)
	}
	res, out = sup.api("GET", "/api/v1/disclosure/reports/"+id, "")
	t3, _ := out["tables"].(map[string]any)["t3"].([]any)
	if res.StatusCode != http.StatusOK || out["status"] != "published" || len(t3) != len(annual.T3Rows()) {
		t.Fatalf("api report: %d %v", res.StatusCode, out["status"])
	}
	if carried := t3[1].(map[string]any); carried["row"] != "carried" || carried["cells"].(map[string]any)["total"] != float64(3) {
		t.Fatalf("api 二: %v", carried)
	}
	tc := w.login("tclerk")
	if res, out = tc.api("GET", "/api/v1/disclosure/reports", ""); res.StatusCode != http.StatusOK || out["total"] != float64(0) {
		t.Fatalf("no grant lists: %v", out)
	}
	if res, _ = tc.get(path); res.StatusCode != http.StatusNotFound {
		t.Fatalf("no grant reads: %d", res.StatusCode)
	}
	// The watch: on the supervisor's list the department's report is
	// published (late: the deadline was 31 January), the others missing
	// and late.
	_, body = sup.get("/disclosure/reports")
	if !strings.Contains(body, `data-testid="disclosure-watch"`) || !strings.Contains(body, `data-status="missing" class="late bad"`) || !strings.Contains(body, "逾期") {
		t.Fatal("deadline watch")
	}
}

// Reviews and suits on the pages: recorded and concluded by the office,
// bad days refused with the field named.
func TestDisclosureAppealPages(t *testing.T) {
	w := newDiscWorld(t)
	clerk := w.login("clerk")
	organ := fmt.Sprint(w.organ)
	res, body := clerk.post("/disclosure/appeals", url.Values{"organ": {organ}, "kind": {"review"}, "filed_on": {"2099-01-01"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-filed_on"`) {
		t.Fatalf("future filing: %d", res.StatusCode)
	}
	res, body = clerk.post("/disclosure/appeals", url.Values{"organ": {organ}, "kind": {"review"}, "filed_on": {"2025-06-01"}, "request_no": {"YSQ-W-0"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("record: %d %s", res.StatusCode, body)
	}
	if res, _ = w.login("supervisor").post("/disclosure/appeals", url.Values{"organ": {organ}, "kind": {"review"}, "filed_on": {"2025-06-01"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("supervisor records: %d", res.StatusCode)
	}
	_, body = clerk.get("/disclosure/appeals?organ=" + organ)
	m := regexp.MustCompile(`/disclosure/appeals/(\d+)/conclude`).FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "YSQ-W-0") {
		t.Fatal("the pending review is not listed with a conclusion form")
	}
	res, body = clerk.post(m[0], url.Values{"organ": {organ}, "result": {"corrected"}, "concluded_on": {"2025-05-01"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "审结日期不能早于提起日期") {
		t.Fatalf("concluded before filed: %d", res.StatusCode)
	}
	if res, _ = clerk.post(m[0], url.Values{"organ": {organ}, "result": {"corrected"}, "concluded_on": {"2025-07-01"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("conclude: %d", res.StatusCode)
	}
	if _, body = clerk.get("/disclosure/appeals?organ=" + organ); !strings.Contains(body, "结果纠正") {
		t.Fatal("the conclusion is not shown")
	}
}
