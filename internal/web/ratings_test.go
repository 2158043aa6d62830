package web_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"onestop/internal/applicants"
	"onestop/internal/cases"
)

func init() {
	for _, p := range []string{"GET /rate", "GET /rate/{no}", "POST /rate/{no}", "GET /rate/{no}/thanks", "POST /rate/{no}/addition"} {
		expected[p] = public
	}
	// A pad's key is not a session: every signed-in user is refused.
	expected["POST /api/v1/ratings/device"] = nil
	ratingReaders := []string{"admin", "township", "approver", "deptadmin", "supervisor", "leader"}
	expected["GET /ratings"] = ratingReaders
	expected["GET /ratings/{id}"] = ratingReaders
	expected["GET /api/v1/ratings"] = ratingReaders
	expected["POST /ratings/{id}/{action}"] = []string{"approver", "deptadmin", "supervisor"}
	expected["GET /admin/devices"] = centreAdm
	expected["POST /admin/devices"] = centreAdm
	expected["POST /admin/devices/{id}/revoke"] = centreAdm
	expected["GET /supervision/ratings"] = []string{"supervisor", "leader"}
	expected["POST /supervision/ratings/settings"] = []string{"supervisor"}
	// Who may rate which case is the token's or the signed-in applicant's
	// (TestRatingPortal, TestRatingReceiptQR, internal/ratings); who reads
	// a rectification is its department's and county's
	// (TestRatingRectificationScope); a pad is revoked by its centre's
	// admin (TestRatingDevicePad).
	for _, p := range []string{"GET /rate/{no}", "POST /rate/{no}", "GET /rate/{no}/thanks", "POST /rate/{no}/addition",
		"GET /ratings/{id}", "POST /ratings/{id}/{action}", "POST /admin/devices/{id}/revoke"} {
		scopeRoutes[p] = kNone
	}
}

// decidedCase takes a walk-in case of T-001 to completion.
func (cf *caseFixture) decidedCase() string {
	cf.t.Helper()
	clerk, reviewer, approver := cf.login("clerk"), cf.login("reviewer"), cf.login("approver")
	no := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, no, cases.ActAccept, nil)
	cf.mustAct(reviewer, no, cases.ActForward, url.Values{"opinion": {"符合条件"}})
	cf.mustAct(approver, no, cases.ActApprove, nil)
	cf.mustAct(clerk, no, cases.ActComplete, nil)
	return no
}

var fieldErrRE = regexp.MustCompile(`<p class="err" id="e-([a-z_]+)">([^<]+)</p>`)

func fieldErrors(body string) map[string]string {
	out := map[string]string{}
	for _, m := range fieldErrRE.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// The portal: the signed-in applicant finds the decided case on /rate,
// rates it; bad input comes back with a field error in Chinese and
// stores nothing; a second rating is a 409; the case page shows the
// rating; a visitor is asked for the phone; a wrong phone answers as an
// unknown number; an undecided case shows no form.
func TestRatingPortal(t *testing.T) {
	cf := newCaseFixture(t)
	no := cf.decidedCase()
	app := cf.applicant()
	res, body := app.get("/rate")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-no="`+no+`"`) {
		t.Fatalf("/rate: %d %s", res.StatusCode, problemOf(body))
	}
	res, body = app.get("/rate/" + no)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="rate-form"`) {
		t.Fatalf("form: %d %s", res.StatusCode, problemOf(body))
	}
	for name, tc := range map[string]struct {
		form  url.Values
		field string
		text  string
	}{
		"no level":        {url.Values{"comment": {"好"}}, "level", "请选择满意程度"},
		"bad, no reason":  {url.Values{"level": {"1"}}, "comment", "请勾选原因或填写评价内容"},
		"50,000 chars":    {url.Values{"level": {"5"}, "comment": {strings.Repeat("长", 50000)}}, "comment", "500"},
		"control chars":   {url.Values{"level": {"5"}, "comment": {"a\x1bb"}}, "comment", ""},
		"invented reason": {url.Values{"level": {"2"}, "reasons": {"bribe"}}, "reasons", "请从列出的原因中选择"},
		"level 9":         {url.Values{"level": {"9"}}, "level", ""},
	} {
		res, body := app.post("/rate/"+no, tc.form)
		errs := fieldErrors(body)
		if res.StatusCode != http.StatusUnprocessableEntity || errs[tc.field] == "" || !strings.Contains(errs[tc.field], tc.text) {
			t.Errorf("%s: %d %v", name, res.StatusCode, errs)
		}
	}
	var n int
	if err := cf.db.R.QueryRow(`SELECT COUNT(*) FROM ratings`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused forms stored %d ratings (%v)", n, err)
	}
	res, body = app.post("/rate/"+no, url.Values{"level": {"1"}, "reasons": {"slow"}, "comment": {"排队两小时"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/rate/"+no+"/thanks" {
		t.Fatalf("rate: %d %s %s", res.StatusCode, res.Header.Get("Location"), problemOf(body))
	}
	res, body = app.post("/rate/"+no, url.Values{"level": {"5"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "每个渠道只能评价一次") {
		t.Fatalf("second rating: %d %s", res.StatusCode, problemOf(body))
	}
	res, body = app.get("/my/cases/" + no)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="rating-given" data-level="1"`) || !strings.Contains(body, "排队两小时") {
		t.Fatalf("case page: %d %s", res.StatusCode, problemOf(body))
	}
	// The addition, once.
	res, _ = app.post("/rate/"+no+"/addition", url.Values{"addition": {"后来窗口主动道歉了"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("addition: %d", res.StatusCode)
	}
	res, body = app.post("/rate/"+no+"/addition", url.Values{"addition": {"再来一次"}})
	if res.StatusCode != http.StatusConflict && res.StatusCode != http.StatusOK {
		t.Fatalf("second addition: %d", res.StatusCode)
	}
	if strings.Contains(body, "再来一次") && !strings.Contains(body, "不能再追加") {
		t.Fatalf("second addition stored")
	}
	// A visitor: asked for the phone; a wrong phone is "not found".
	visitor := cf.anon()
	res, _ = visitor.get("/rate/" + no)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/rate?no="+no {
		t.Fatalf("visitor: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res, body = visitor.get("/rate?no=" + no + "&phone=13900000000")
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("wrong phone: %d %s", res.StatusCode, problemOf(body))
	}
	res, _ = visitor.get("/rate?no=" + no + "&phone=" + appPhone)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/rate/"+no+"?t=portal.") {
		t.Fatalf("right phone: %d %s", res.StatusCode, loc)
	}
	// The phone proves the applicant: the portal channel, already used.
	res, body = visitor.get(loc)
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "/thanks") {
		t.Fatalf("phone link after a portal rating: %d %s", res.StatusCode, problemOf(body))
	}
	// An undecided case: no form.
	clerk := cf.login("clerk")
	open := cf.intake(clerk, "T-001", 1, 2)
	res, body = app.get("/rate/" + open)
	if res.StatusCode != http.StatusOK || strings.Contains(body, `id="rate-form"`) || !strings.Contains(body, "rate-undecided") {
		t.Fatalf("undecided: %d %s", res.StatusCode, problemOf(body))
	}
	res, _ = app.post("/rate/"+open, url.Values{"level": {"5"}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("rating an undecided case: %d", res.StatusCode)
	}
}

// Another applicant's case answers 404 — the same as a number that does
// not exist — on the form, the post and the thank-you page.
func TestRatingOtherApplicant404(t *testing.T) {
	cf := newCaseFixture(t)
	no := cf.decidedCase()
	other := cf.anon()
	other.get("/register")
	// A second citizen registers and signs in.
	if _, err := cf.srv.Applicants.Register(t.Context(), applicantInput("440524188001010014", "李四", "13900139000"), true); err != nil {
		t.Fatal(err)
	}
	other.get("/signin")
	if res, _ := other.post("/signin", url.Values{"id_number": {"440524188001010014"}, "password": {appPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in %d", res.StatusCode)
	}
	_, unknown := other.get("/rate/NO-SUCH-CASE")
	for _, p := range []string{"/rate/" + no, "/rate/" + no + "/thanks"} {
		res, body := other.get(p)
		if res.StatusCode != http.StatusNotFound || problemOf(body) != problemOf(unknown) {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
	res, _ := other.post("/rate/"+no, url.Values{"level": {"1"}, "comment": {"乱评"}})
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("post: %d", res.StatusCode)
	}
}

var rateURLRE = regexp.MustCompile(`data-url="[^"]*(/rate/[^"?]+\?t=[^"]+)"`)

// The receipt carries a rating link for its case: it opens the form
// without signing in and rates by the QR channel; the link does not
// work for another case, nor when forged.
func TestRatingReceiptQR(t *testing.T) {
	cf := newCaseFixture(t)
	no := cf.decidedCase()
	other := cf.decidedCase()
	clerk := cf.login("clerk")
	res, body := clerk.get("/cases/" + no + "/documents/receipt")
	m := rateURLRE.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("receipt: %d, no rating link", res.StatusCode)
	}
	link := strings.ReplaceAll(m[1], "&amp;", "&")
	visitor := cf.anon()
	res, body = visitor.get(link)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="rate-form"`) {
		t.Fatalf("QR form: %d %s", res.StatusCode, problemOf(body))
	}
	tok, _ := url.ParseQuery(strings.SplitN(link, "?", 2)[1])
	res, _ = visitor.get("/rate/" + other + "?t=" + url.QueryEscape(tok.Get("t")))
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("another case's link: %d", res.StatusCode)
	}
	forged := tok.Get("t")
	forged = forged[:len(forged)-3] + "xyz"
	res, _ = visitor.post("/rate/"+no, url.Values{"t": {forged}, "level": {"5"}})
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("forged: %d", res.StatusCode)
	}
	res, _ = visitor.post("/rate/"+no, url.Values{"t": {tok.Get("t")}, "level": {"4"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("QR rating: %d", res.StatusCode)
	}
	var ch string
	if err := cf.db.R.QueryRow(`SELECT channel FROM ratings`).Scan(&ch); err != nil || ch != "qr" {
		t.Fatalf("channel %q %v", ch, err)
	}
}

var keyRE = regexp.MustCompile(`data-testid="device-key-value">(osr_[A-Za-z0-9_-]+)<`)

// The centre admin issues a pad key (shown once); the pad rates by JSON
// with it, no session or CSRF token; a pad of another department is
// refused; a revoked key is 401; bad JSON is a field error.
func TestRatingDevicePad(t *testing.T) {
	cf := newCaseFixture(t)
	no := cf.decidedCase()
	admin := cf.login("admin")
	fgj := cf.idOf(`SELECT window_id FROM staff WHERE username = 'clerk'`)
	mzj := cf.idOf(`SELECT w.id FROM windows w JOIN departments d ON d.id = w.department_id WHERE d.code LIKE 'MZJ%' AND w.centre_id = (SELECT centre_id FROM staff WHERE username = 'clerk') ORDER BY w.id LIMIT 1`)
	issue := func(window int64, name string) string {
		res, body := admin.post("/admin/devices", url.Values{"window_id": {itoa64(window)}, "name": {name}})
		m := keyRE.FindStringSubmatch(body)
		if res.StatusCode != http.StatusCreated || m == nil {
			t.Fatalf("issue: %d %s", res.StatusCode, problemOf(body))
		}
		return m[1]
	}
	key, mzjKey := issue(fgj, "1号窗评价器"), issue(mzj, "民政评价器")
	if _, body := admin.get("/admin/devices"); strings.Contains(body, key) {
		t.Fatal("the key is shown again")
	}
	pad := func(key, body string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, cf.ts.URL+"/api/v1/ratings/device", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b := new(strings.Builder)
		_, _ = ioCopy(b, res)
		return res, b.String()
	}
	good := `{"case_no":"` + no + `","level":5,"comment":"很好"}`
	if res, _ := pad("", good); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no key: %d", res.StatusCode)
	}
	if res, body := pad(mzjKey, good); res.StatusCode != http.StatusForbidden {
		t.Fatalf("another department's pad: %d %s", res.StatusCode, body)
	}
	if res, body := pad(key, `{"case_no":"`+no+`","level":"five"}`); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"level"`) {
		t.Fatalf("bad JSON: %d %s", res.StatusCode, body)
	}
	if res, body := pad(key, `{"case_no":"`+no+`","level":1,"comment":"`+strings.Repeat("差", 50000)+`"}`); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"comment"`) {
		t.Fatalf("50,000 chars: %d", res.StatusCode)
	}
	if res, body := pad(key, good); res.StatusCode != http.StatusCreated || !strings.Contains(body, `"channel":"pad"`) {
		t.Fatalf("pad rating: %d %s", res.StatusCode, body)
	}
	if res, _ := pad(key, good); res.StatusCode != http.StatusConflict {
		t.Fatalf("second pad rating: %d", res.StatusCode)
	}
	id := cf.idOf(`SELECT id FROM rating_devices WHERE window_id = $1`, fgj)
	if res, _ := admin.post("/admin/devices/"+itoa64(id)+"/revoke", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if res, _ := pad(key, good); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked key: %d", res.StatusCode)
	}
	// The township's admin cannot revoke the hall's pads.
	township := cf.login("township")
	mzjID := cf.idOf(`SELECT id FROM rating_devices WHERE window_id = $1`, mzj)
	if res, _ := township.post("/admin/devices/"+itoa64(mzjID)+"/revoke", nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("township revoking the hall's pad: %d", res.StatusCode)
	}
}

var stepVersionRE = regexp.MustCompile(`name="version" value="(\d+)"`)

// A bad rating's rectification: the department's admin works it, the
// supervisor may not close a named one without the revisit; another
// department's admin cannot see it (404); the supervision page and the
// bulletin count the rating.
func TestRatingRectificationScope(t *testing.T) {
	cf := newCaseFixture(t)
	no := cf.decidedCase()
	app := cf.applicant()
	if res, _ := app.post("/rate/"+no, url.Values{"level": {"2"}, "reasons": {"attitude"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rate: %d", res.StatusCode)
	}
	id := itoa64(cf.idOf(`SELECT id FROM rectifications`))
	dept, super, mzj := cf.login("deptadmin"), cf.login("supervisor"), cf.login("mzj.admin")
	if res, _ := mzj.get("/ratings/" + id); res.StatusCode != http.StatusNotFound {
		t.Fatalf("another department reads: %d", res.StatusCode)
	}
	if res, body := mzj.get("/ratings"); res.StatusCode != http.StatusOK || strings.Contains(body, no) {
		t.Fatalf("another department lists it: %d", res.StatusCode)
	}
	step := func(c *client, action string, form url.Values) (*http.Response, string) {
		_, page := c.get("/ratings/" + id)
		v := stepVersionRE.FindStringSubmatch(page)
		if form == nil {
			form = url.Values{}
		}
		if v != nil {
			form.Set("version", v[1])
		}
		return c.post("/ratings/"+id+"/"+action, form)
	}
	if res, _ := step(mzj, "verify", url.Values{"text": {"x"}}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("another department acts: %d", res.StatusCode)
	}
	res, body := dept.get("/ratings/" + id)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="revisit-light"`) {
		t.Fatalf("department: %d %s", res.StatusCode, problemOf(body))
	}
	for _, s := range []struct{ action, text string }{{"verify", "已电话核实"}, {"explain", "窗口按规定办理，已向申请人说明"}, {"reply", "感谢监督"}} {
		if res, body := step(dept, s.action, url.Values{"text": {s.text}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", s.action, res.StatusCode, problemOf(body))
		}
	}
	res, body = step(super, "close", nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "100% 回访") {
		t.Fatalf("closing without revisit: %d %s", res.StatusCode, problemOf(body))
	}
	res, body = step(dept, "revisit", url.Values{"on": {"2026-09-28"}, "how": {"phone"}, "opinion": {strings.Repeat("满", 50000)}})
	if res.StatusCode != http.StatusConflict && res.StatusCode != http.StatusUnprocessableEntity || fieldErrors(body)["opinion"] == "" {
		t.Fatalf("50,000-char opinion: %d %v", res.StatusCode, fieldErrors(body))
	}
	if res, body := step(dept, "revisit", url.Values{"on": {"2026-09-28"}, "how": {"phone"}, "opinion": {"表示理解"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revisit: %d %s", res.StatusCode, problemOf(body))
	}
	if res, body := step(super, "close", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d %s", res.StatusCode, problemOf(body))
	}
	// The rater sees the reply and the revisit.
	if _, body := app.get("/my/cases/" + no); !strings.Contains(body, "感谢监督") || !strings.Contains(body, "表示理解") {
		t.Fatal("the applicant does not see the reply and the revisit")
	}
	// Supervision: the figures and the bulletin.
	res, body = super.get("/supervision/ratings?period=2026-09")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="fig-ratings">1<`) || !strings.Contains(body, `data-testid="fig-bad">1<`) {
		t.Fatalf("supervision: %d %s", res.StatusCode, problemOf(body))
	}
	res, out := super.api(http.MethodGet, "/api/v1/supervision/bulletin?from=2026-09-01&to=2026-09-30&by=department", "")
	sum, _ := out["summary"].(map[string]any)
	if res.StatusCode != http.StatusOK || sum == nil || sum["ratings"] != float64(1) || sum["satisfaction_rate"] != float64(0) || sum["ratings_bad"] != float64(1) {
		t.Fatalf("bulletin: %d %v", res.StatusCode, out["summary"])
	}
	// Settings: a supervisor's, with field errors.
	res, body = super.post("/supervision/ratings/settings", url.Values{"addition_days": {"0"}, "revisit_days": {"1"}, "fix_days": {"99999"}})
	if errs := fieldErrors(body); res.StatusCode != http.StatusUnprocessableEntity || errs["addition_days"] == "" || errs["fix_days"] == "" {
		t.Fatalf("settings: %d %v", res.StatusCode, errs)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func ioCopy(w io.Writer, res *http.Response) (int64, error) { return io.Copy(w, res.Body) }

func applicantInput(id, name, phone string) applicants.Input {
	return applicants.Input{Kind: "citizen", IDNumber: id, Name: name, Phone: phone, Password: appPassword}
}

// Every rating page renders in English and Chinese with no key left
// untranslated: the applicant's form, thank-you page and case page, the
// department's list and ledger, the pads, supervision's figures.
func TestRatingPagesTranslated(t *testing.T) {
	cf := newCaseFixture(t)
	no := cf.decidedCase()
	open := cf.decidedCase()
	app := cf.applicant()
	if res, _ := app.post("/rate/"+no, url.Values{"level": {"1"}, "reasons": {"fees", "other"}, "comment": {"收费不清"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rate: %d", res.StatusCode)
	}
	id := itoa64(cf.idOf(`SELECT id FROM rectifications`))
	pages := map[*client][]string{
		app:                    {"/rate", "/rate/" + open, "/rate/" + no + "/thanks", "/my/cases/" + no},
		cf.login("deptadmin"):  {"/ratings", "/ratings?bad=1", "/ratings/" + id},
		cf.login("admin"):      {"/admin/devices", "/ratings"},
		cf.login("supervisor"): {"/supervision/ratings?period=2026-09&by=window", "/supervision/ratings?by=staff", "/ratings/" + id},
		cf.login("leader"):     {"/supervision/ratings?period=2026-Q3"},
		cf.login("clerk"):      {"/cases/" + no + "/documents/receipt"},
	}
	for c, ps := range pages {
		for _, p := range ps {
			for _, lang := range []string{"en", "zh-CN"} {
				sep := "?"
				if strings.Contains(p, "?") {
					sep = "&"
				}
				res, body := c.get(p + sep + "lang=" + lang)
				if res.StatusCode != http.StatusOK {
					t.Errorf("%s [%s]: %d %s", p, lang, res.StatusCode, problemOf(body))
					continue
				}
				if m := untranslated.FindString(body); m != "" {
					t.Errorf("%s [%s]: untranslated %q", p, lang, m)
				}
			}
		}
	}
	// A period that is not one is a field error, not "all time".
	if res, _ := cf.login("supervisor").get("/supervision/ratings?period=forever"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad period: %d", res.StatusCode)
	}
	if res, _ := cf.login("supervisor").get("/supervision/ratings?by=everyone"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad ranking: %d", res.StatusCode)
	}
}
