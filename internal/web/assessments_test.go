package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"onestop/internal/assessment"
	"onestop/internal/clock"
)

func init() {
	readers := []string{"admin", "township", "deptadmin", "supervisor", "leader"}
	for p, who := range map[string][]string{
		"GET /assessments":                  readers,
		"POST /assessments":                 {"admin", "township", "supervisor"},
		"GET /assessments/{id}":             readers,
		"GET /assessments/{id}/print":       readers,
		"GET /assessments/{id}/export.xlsx": readers,
		"POST /assessments/{id}/recompute":  readers,
		"GET /assessments/settings":         {"admin", "township", "supervisor"},
		"POST /assessments/settings":        {"admin", "township", "supervisor"},
	} {
		expected[p] = who
	}
	for _, p := range []string{"GET /assessments/{id}", "GET /assessments/{id}/print", "GET /assessments/{id}/export.xlsx", "POST /assessments/{id}/recompute"} {
		scopeRoutes[p] = kAssessment
	}
}

// lastQuarter is the most recent finished quarter.
func lastQuarter(now time.Time) (int, int) {
	today := clock.Today(now)
	q := (int(today.Month)-1)/3 + 1
	if q == 1 {
		return today.Year - 1, 4
	}
	return today.Year, q - 1
}

var (
	scopeAssessMu sync.Mutex
	scopeAssess   = map[*scopeFixture][2]int64{}
)

// assessmentSplit runs one assessment at the hall and one at township t2
// once per fixture: county-wide readers reach both, the township admin
// only t2's, the department admin (at the hall) the hall's.
func (sf *scopeFixture) assessmentSplit(user string) (in, out []string) {
	scopeAssessMu.Lock()
	ids, ok := scopeAssess[sf]
	if !ok {
		y, n := lastQuarter(sf.clock())
		for i, u := range []string{"supervisor", "township"} {
			st, err := sf.srv.Org.StaffByUsername(context.Background(), u)
			if err != nil {
				sf.t.Fatal(err)
			}
			x, err := sf.srv.Assessments.Run(context.Background(), st.Actor("192.0.2.1"), assessment.RunInput{Kind: assessment.Quarter, Year: y, N: n})
			if err != nil {
				sf.t.Fatalf("assessment by %s: %v", u, err)
			}
			ids[i] = x.ID
		}
		scopeAssess[sf] = ids
	}
	scopeAssessMu.Unlock()
	hall, t2 := fmt.Sprint(ids[0]), fmt.Sprint(ids[1])
	switch user {
	case "admin", "supervisor", "leader":
		return []string{hall, t2}, nil
	case "township":
		return []string{t2}, []string{hall}
	}
	return []string{hall}, []string{t2}
}

// The supervisor runs the last quarter's check from the page: the ranking
// of each level with grades, the breakdown, the printable report and the
// workbook; recomputing says identical. Bad input is a field error that
// stores nothing; a POST without the CSRF token is refused.
func TestAssessmentPages(t *testing.T) {
	f := newFixture(t)
	sup := f.login("supervisor")
	y, n := lastQuarter(time.Now())
	res, body := sup.post("/assessments", url.Values{"kind": {"quarter"}, "year": {fmt.Sprint(y)}, "n": {"9"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-n"`) {
		t.Fatalf("bad number: %d", res.StatusCode)
	}
	res, body = sup.post("/assessments", url.Values{"kind": {strings.Repeat("k", 50000)}, "year": {"x"}, "n": {"1"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-year"`) {
		t.Fatalf("bad year: %d", res.StatusCode)
	}
	if _, body = sup.get("/assessments"); !strings.Contains(body, "尚无考核") {
		t.Fatal("a refused run was stored")
	}
	res, _ = sup.post("/assessments", url.Values{"csrf_token": {"forged"}, "kind": {"quarter"}, "year": {fmt.Sprint(y)}, "n": {fmt.Sprint(n)}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged CSRF token: %d", res.StatusCode)
	}
	res, _ = sup.post("/assessments", url.Values{"kind": {"quarter"}, "year": {fmt.Sprint(y)}, "n": {fmt.Sprint(n)}})
	path := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(path, "/assessments/") {
		t.Fatalf("run: %d %s", res.StatusCode, path)
	}
	res, body = sup.get(path)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="assessment-level-window"`) || !strings.Contains(body, "得分明细") {
		t.Fatalf("run: %d", res.StatusCode)
	}
	// The demo county has no ratings nor punches in an empty database, so
	// the report names the indicators without data.
	if !strings.Contains(body, "无数据的指标") || !strings.Contains(body, "等候时长") {
		t.Fatal("no-data indicators are not stated")
	}
	if _, body = sup.get(path + "/print"); !strings.Contains(body, `data-testid="assessment-report"`) {
		t.Fatal("print page")
	}
	res, body = sup.post(path+"/recompute", url.Values{})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "完全一致") {
		t.Fatalf("recompute: %d", res.StatusCode)
	}
	res, body = sup.get(path + "/export.xlsx")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", res.StatusCode)
	}
	wb, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := wb.GetRows("窗口")
	if err != nil || len(rows) < 3 || rows[1][0] != "名次" {
		t.Fatalf("workbook: %v %v", rows, err)
	}
	// A clerk may not reach the pages at all.
	if res, _ := f.login("clerk").get(path); res.StatusCode != http.StatusForbidden {
		t.Fatalf("clerk: %d", res.StatusCode)
	}
}

// The weights page: a sum other than 100 is a field error and stores
// nothing; a good set is a new version that a filed assessment ignores;
// a forged token is refused.
func TestAssessmentSettingsPage(t *testing.T) {
	f := newFixture(t)
	sup := f.login("supervisor")
	form := func(onTime string) url.Values {
		v := url.Values{"grade.excellent": {"90"}, "grade.good": {"80"}, "grade.pass": {"60"}}
		for code, w := range assessment.Defaults().Weights {
			v.Set("weight."+code, fmt.Sprint(w))
		}
		v.Set("weight.on_time", onTime)
		return v
	}
	res, body := sup.post("/assessments/settings", form("24"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-weights"`) {
		t.Fatalf("sum 99: %d", res.StatusCode)
	}
	res, body = sup.post("/assessments/settings", form(strings.Repeat("9", 50000)))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `aria-invalid="true"`) {
		t.Fatalf("50,000 digits: %d", res.StatusCode)
	}
	if _, body = sup.get("/assessments/settings"); !strings.Contains(body, "权重版本 0") {
		t.Fatal("a refused change was stored")
	}
	bad := form("25")
	bad.Set("csrf_token", "forged")
	if res, _ = sup.post("/assessments/settings", bad); res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged token: %d", res.StatusCode)
	}
	good := form("35")
	good.Set("weight.satisfaction", "10")
	if res, _ = sup.post("/assessments/settings", good); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	if _, body = sup.get("/assessments/settings"); !strings.Contains(body, "权重版本 1") || !strings.Contains(body, `value="35"`) {
		t.Fatal("the new version is not shown")
	}
	if res, _ = f.login("leader").post("/assessments/settings", good); res.StatusCode != http.StatusForbidden {
		t.Fatalf("leader: %d", res.StatusCode)
	}
}
