package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"onestop/internal/applicants"
)

// Who may reach the bundle routes (issue 14 §1): the lead window's
// intake, acceptance and delivery are clerks' (the engine then admits
// only the lead department's); the bundle page any staff whose
// department takes part (others are told it does not exist); the
// applicant's page is public and sends a visitor to /signin.
func init() {
	clerks := []string{"clerk", "tclerk"}
	for p, who := range map[string][]string{
		"GET /workbench/bundles":     clerks,
		"POST /workbench/bundles":    clerks,
		"GET /bundles/{no}":          signedIn,
		"POST /bundles/{no}/accept":  clerks,
		"POST /bundles/{no}/deliver": clerks,
		"GET /my/bundles/{no}":       public,
		"POST /api/v1/bundles":       clerks,
		"GET /api/v1/bundles/{no}":   signedIn,
	} {
		expected[p] = who
	}
	// The scope fixture holds no bundle; who sees which bundle is tested
	// by TestBundleWebJourneyAndScope here and in internal/bundles.
	for _, p := range []string{"GET /bundles/{no}", "POST /bundles/{no}/accept", "POST /bundles/{no}/deliver", "GET /my/bundles/{no}",
		"GET /api/v1/bundles/{no}"} {
		scopeRoutes[p] = kNone
	}
}

var paperRE = regexp.MustCompile(`name="(m\d+_paper)"`)

const (
	coNumber   = "91431022MA4L0BN55X"
	coPassword = "Jianxin-2026!"
)

func TestBundleWebJourneyAndScope(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	as := &applicants.Service{DB: f.db, Now: f.srv.Now}
	if _, err := as.Register(ctx, applicants.Input{Kind: "organisation", IDNumber: coNumber, Name: "宜章县建新制造有限公司", ContactName: "李建新",
		Phone: "13800138001", Password: coPassword, ConfirmCheck: true}, true); err != nil {
		t.Fatal(err)
	}
	co := f.anon()
	co.get("/signin")
	if res, body := co.post("/signin", url.Values{"id_number": {coNumber}, "password": {coPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d %s", res.StatusCode, body)
	}
	co.get("/me")

	// Found through the guide like any item.
	if res, _ := co.get("/guide/items/BL-005"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/guide/bundles/BL-005" {
		t.Fatalf("/guide/items/BL-005: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, body := co.get("/guide/bundles/BL-005"); res.StatusCode != 200 || !strings.Contains(body, `href="/apply/BL-005"`) {
		t.Fatalf("bundle guide: %d, apply link missing", res.StatusCode)
	}
	res, body := co.get("/apply/BL-005")
	if res.StatusCode != 200 || !strings.Contains(body, "雷电防护装置设计审核") {
		t.Fatalf("apply page: %d", res.StatusCode)
	}
	// CSRF on the new POST.
	if res, _ := co.post("/apply/BL-005", url.Values{"csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged CSRF: %d", res.StatusCode)
	}
	res, body = co.post("/apply/BL-005", nil)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/my/bundles/") {
		t.Fatalf("apply: %d %s %s", res.StatusCode, loc, problemOf(body))
	}
	no := strings.TrimPrefix(loc, "/my/bundles/")

	lead := f.login("zjj.clerk1")
	res, body = lead.get("/bundles/" + no)
	if res.StatusCode != 200 || !strings.Contains(body, `data-testid="bundle-accept"`) {
		t.Fatalf("lead clerk's bundle page: %d", res.StatusCode)
	}
	// Another department's clerk cannot accept, and a non-participant
	// (公安局) cannot even see the bundle.
	if res, _ := f.login("qxj.clerk1").post("/bundles/"+no+"/accept", nil); res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusForbidden {
		t.Fatalf("participant clerk accepted: %d", res.StatusCode)
	}
	if res, _ := f.login("gaj.reviewer").get("/bundles/" + no); res.StatusCode != http.StatusNotFound {
		t.Fatalf("non-participant reads the bundle: %d", res.StatusCode)
	}
	if res, _ := lead.post("/bundles/"+no+"/accept", url.Values{"csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged CSRF on accept: %d", res.StatusCode)
	}
	// Without the required materials: a field error, nothing opened.
	res, body = lead.post("/bundles/"+no+"/accept", url.Values{"version": {"0"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-received"`) {
		t.Fatalf("accept without materials: %d %s", res.StatusCode, problemOf(body))
	}
	form := url.Values{}
	for _, m := range paperRE.FindAllStringSubmatch(body, -1) {
		form.Set(m[1], "on")
	}
	if res, body := lead.post("/bundles/"+no+"/accept", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", res.StatusCode, problemOf(body))
	}
	_, body = lead.get("/bundles/" + no)
	if n := strings.Count(body, `data-testid="bundle-part"`); n != 3 {
		t.Fatalf("bundle page lists %d parts, want 3", n)
	}
	// A participant (自然资源局) sees every part and opens its own from
	// there; the sub-case page links back and shows the shared materials.
	zr := f.login("zrzyj.reviewer")
	res, body = zr.get("/bundles/" + no)
	if res.StatusCode != 200 || strings.Count(body, `data-testid="bundle-part"`) != 3 {
		t.Fatalf("participant's bundle page: %d", res.StatusCode)
	}
	var part string
	f.db.R.QueryRow(`SELECT c.no FROM cases c JOIN departments d ON d.id = c.department_id WHERE d.code = 'ZRZYJ' AND c.bundle_id IS NOT NULL`).Scan(&part)
	res, body = zr.get("/cases/" + part)
	if res.StatusCode != 200 || !strings.Contains(body, `href="/bundles/`+no+`"`) || !strings.Contains(body, `data-testid="case-shared"`) {
		t.Fatalf("sub-case page: %d, bundle link or shared materials missing", res.StatusCode)
	}
	// The applicant follows it, with its parts.
	res, api := co.api(http.MethodGet, "/api/v1/bundles/"+no, "")
	if res.StatusCode != 200 || len(api["parts"].([]any)) != 3 {
		t.Fatalf("applicant's API view: %d %v", res.StatusCode, api)
	}
	if _, body := co.get("/my/cases"); !strings.Contains(body, `href="/my/bundles/`+no+`"`) {
		t.Fatal("my cases does not list the bundle")
	}
	// A 50,000-character composite code is a field error, not a 500.
	res, api = lead.api(http.MethodPost, "/api/v1/bundles", `{"composite_code":"`+strings.Repeat("宜", 50000)+`","applicant_id":1}`)
	if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("50k composite code: %d %v", res.StatusCode, api)
	}
	res, api = lead.api(http.MethodPost, "/api/v1/bundles", `{"composite_code":"BL-999","applicant_id":1}`)
	if res.StatusCode != http.StatusUnprocessableEntity || api["error"].(map[string]any)["fields"].(map[string]any)["composite_code"] == nil {
		t.Fatalf("unknown composite: %d %v", res.StatusCode, api)
	}
}
