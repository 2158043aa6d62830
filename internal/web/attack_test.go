package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"onestop/internal/voice"
)

// The filters and lookups of issue 13's pages and APIs are tried with a
// 50,000-character value, invalid UTF-8 and control characters
// (TestEveryGETRejectsBadQueryValues): each is a 422 naming it.
func init() {
	for route, params := range map[string][]string{
		"GET /enquiries": {"kind", "state"}, "GET /api/v1/enquiries": {"kind", "state"},
		"GET /voice/track": {"no", "phone"}, "GET /rate": {"no", "phone"}, "GET /consult": {"case_no"},
		"GET /ratings": {"bad"}, "GET /api/v1/ratings": {"bad"}, "GET /supervision/ratings": {"period", "by"},
	} {
		filterParams[route] = params
	}
}

// Attacks on issue 13's public forms and pages (consultations,
// complaints, help, ratings, Open311) that the features' own tests do not
// already make.

// secondCounty adds a second county to the installation: 431023 with its
// hall (C431023) and one department (CSJ).
func (f *fixture) secondCounty() {
	now := time.Now().UTC()
	f.exec(`INSERT INTO regions (code, name, level, kind, created_at, updated_at) VALUES ('431023', '测试县', 'county', '', $1, $1)`, now)
	f.exec(`INSERT INTO centres (code, name, kind, region_code, created_at, updated_at) VALUES ('C431023', '测试县政务服务中心', 'hall', '431023', $1, $1)`, now)
	f.exec(`INSERT INTO departments (code, name, short_name, mode, region_code, created_at, updated_at) VALUES ('CSJ', '测试县测试局', '测试局', 'seated', '431023', $1, $1)`, now)
}

// A case number on a complaint tells nobody whether the case exists or
// whose it is: a signed-in applicant naming another's case reads exactly
// as naming one that does not exist, and a stranger guessing numbers is
// stopped by the progress query's budget (the same numbers it guards).
func TestAttackVoiceCaseNoOracle(t *testing.T) {
	vf := newVoiceFixture(t)
	fgj := vf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	vf.registerOther(t)
	signed := vf.anon()
	signed.get("/signin")
	if res, _ := signed.post("/signin", url.Values{"id_number": {"110105198001010091"}, "password": {appPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	answer := func(c *client, no string) (int, string) {
		form := consultForm(fgj)
		form.Set("case_no", no)
		st, body := vf.fileForm(c, "/complain", form)
		return st, fieldErrors(body)["case_no"] + "|" + problemOf(body)
	}
	stOther, other := answer(signed, vf.caseNo)
	stUnknown, unknown := answer(signed, "XX202609289999")
	if stOther != http.StatusUnprocessableEntity || stOther != stUnknown || other != unknown {
		t.Errorf("another's case %d %q, an unknown one %d %q: want the same refusal", stOther, other, stUnknown, unknown)
	}
	stranger := vf.anon()
	var st int
	for i := range 80 {
		if st, _ = answer(stranger, "XX20260928"+strings.Repeat("0", 4-len(itoa64(int64(i))))+itoa64(int64(i))); st == http.StatusTooManyRequests {
			break
		}
	}
	if st != http.StatusTooManyRequests {
		t.Errorf("80 guessed case numbers: last %d, want 429", st)
	}
	if n := vf.idOf(`SELECT COUNT(*) FROM enquiries`); n != 0 {
		t.Errorf("refused forms wrote %d enquiries", n)
	}
}

// Every state-changing form of issue 13 refuses a missing or forged CSRF
// token (403, the "page expired" message) for the user who could
// otherwise post it; only Open311's POST and the rating pad's, which take
// a key, are exempt (TestOpen311GuardExemption, TestRatingDevicePad).
func TestAttackCSRFOnNewForms(t *testing.T) {
	cf := newCaseFixture(t)
	for _, tc := range []struct{ user, path string }{
		{"", "/consult"}, {"", "/complain"}, {"", "/help"},
		{"", "/voice/track/confirm"},
		{"", "/rate/XX202609280001"}, {"", "/rate/XX202609280001/addition"},
		{"applicant", "/rate/XX202609280001"},
		{"approver", "/ratings/1/verify"},
		{"admin", "/admin/devices"}, {"admin", "/admin/devices/1/revoke"},
		{"supervisor", "/supervision/ratings/settings"},
		{"clerk", "/enquiries/ZX-20260928-0001/answer"},
		{"supervisor", "/supervision/enquiries/deadlines"},
		{"admin", "/admin/open311"}, {"admin", "/admin/open311/1/revoke"},
	} {
		for _, token := range []string{"", "forged"} {
			var c *client
			switch tc.user {
			case "":
				c = cf.anon()
				c.get("/consult")
			case "applicant":
				c = cf.applicant()
			default:
				c = cf.login(tc.user)
			}
			res, body := c.post(tc.path, url.Values{"csrf_token": {token}, "text": {"x"}, "name": {"x"}, "phone": {"13800138000"}})
			if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "页面已过期") {
				t.Errorf("%s %s with token %q: %d, want 403", tc.user, tc.path, token, res.StatusCode)
			}
		}
	}
}

// The rating periods are one row for the whole installation: with a
// second county in the database, one county's supervisor may not change
// the other county's periods (403, nothing changed, no save button).
func TestAttackRatingSettingsOtherCounty(t *testing.T) {
	cf := newCaseFixture(t)
	cf.secondCounty()
	super := cf.login("supervisor")
	_, page := super.get("/supervision/ratings")
	res, body := super.post("/supervision/ratings/settings", url.Values{"addition_days": {"1"}, "revisit_days": {"30"}, "fix_days": {"30"}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a county supervisor changing every county's periods: %d %s", res.StatusCode, problemOf(body))
	}
	if n := cf.idOf(`SELECT COUNT(*) FROM rating_settings WHERE addition_days = 1`); n != 0 {
		t.Error("the periods were changed")
	}
	if !regexp.MustCompile(`<input id="f-addition_days"[^>]* readonly`).MatchString(page) {
		t.Error("the page offers to change them")
	}
}

// The per-phone filing limit (10 a day) is not escaped by writing the
// same mobile another way, nor by filing from another address each time.
func TestAttackVoicePhoneLimitSpelling(t *testing.T) {
	vf := newVoiceFixture(t)
	fgj := vf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	spellings := []string{"13800138000", "138 0013 8000", "138-0013-8000", "+86 13800138000", "+86-138-0013-8000",
		"0086 13800138000", "86 13800138000", "(138)00138000", " 13800138000 ", "１３８００１３８０００", "13800138000"}
	for i, phone := range spellings {
		c := vf.from("203.0.113." + itoa64(int64(i+1)))
		form := consultForm(fgj)
		form.Set("phone", phone)
		st, body := vf.fileForm(c, "/consult", form)
		switch {
		case i < 10 && st != http.StatusOK && !strings.Contains(body, `href="#f-phone"`):
			t.Fatalf("filing %d (%q): %d %s", i+1, phone, st, problemOf(body))
		case i == 10 && st != http.StatusTooManyRequests:
			t.Errorf("the 11th filing with %q: %d, want 429", phone, st)
		}
	}
	if n := vf.idOf(`SELECT COUNT(*) FROM enquiries WHERE phone <> '13800138000'`); n != 0 {
		t.Errorf("%d enquiries stored the phone as typed", n)
	}
}

// Someone else's rating cannot be added to (追评): not with the rating
// link of another case, not signed in as another applicant, not without
// either; each answer is the one for a number that does not exist.
func TestAttackRatingAdditionOthers(t *testing.T) {
	cf := newCaseFixture(t)
	no := cf.decidedCase()
	other := cf.decidedCase()
	app := cf.applicant()
	app.get("/rate/" + no)
	if res, _ := app.post("/rate/"+no, url.Values{"level": {"2"}, "comment": {"等太久"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rating: %d", res.StatusCode)
	}
	clerk := cf.login("clerk")
	_, receipt := clerk.get("/cases/" + other + "/documents/receipt")
	m := rateURLRE.FindStringSubmatch(receipt)
	if m == nil {
		t.Fatal("no rating link on the receipt")
	}
	link, _ := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	otherToken := link.Query().Get("t")
	stranger := cf.anon()
	stranger.get("/rate")
	_, unknown := stranger.post("/rate/NO-SUCH-CASE/addition", url.Values{"t": {otherToken}, "addition": {"追加"}})
	for _, tc := range []struct {
		name string
		c    *client
		form url.Values
	}{
		{"another case's link", stranger, url.Values{"t": {otherToken}}},
		{"a forged link", stranger, url.Values{"t": {"portal.2099-01-01.AAAAAAAAAAAAAAAAAAAAAAAA"}}},
	} {
		tc.form.Set("addition", "追评：其实还可以")
		res, body := tc.c.post("/rate/"+no+"/addition", tc.form)
		if res.StatusCode != http.StatusNotFound || problemOf(body) != problemOf(unknown) {
			t.Errorf("%s: %d %s", tc.name, res.StatusCode, problemOf(body))
		}
	}
	if res, _ := cf.anon().post("/rate/"+no+"/addition", url.Values{"addition": {"x"}}); res.StatusCode == http.StatusSeeOther && strings.Contains(res.Header.Get("Location"), "/thanks") {
		t.Error("a visitor without a link added")
	}
	if n := cf.idOf(`SELECT COUNT(*) FROM ratings WHERE added_at IS NOT NULL`); n != 0 {
		t.Errorf("%d additions stored", n)
	}
}

// A value of the bad-ratings filter that is not one is a field error,
// never "every rating".
func TestAttackRatingsFilterNotAll(t *testing.T) {
	cf := newCaseFixture(t)
	sup := cf.login("supervisor")
	for _, v := range []string{"maybe", "2", "yes please"} {
		if res, body := sup.get("/ratings?bad=" + url.QueryEscape(v)); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-bad"`) {
			t.Errorf("/ratings?bad=%s: %d, want 422 naming bad", v, res.StatusCode)
		}
		if res, out := sup.api("GET", "/api/v1/ratings?bad="+url.QueryEscape(v), ""); res.StatusCode != http.StatusUnprocessableEntity || fieldOf(out, "bad") == "" {
			t.Errorf("/api/v1/ratings?bad=%s: %d %v", v, res.StatusCode, out)
		}
	}
	for _, v := range []string{"", "0", "1", "true", "false"} {
		if res, _ := sup.api("GET", "/api/v1/ratings?bad="+v, ""); res.StatusCode != http.StatusOK {
			t.Errorf("bad=%q: %d", v, res.StatusCode)
		}
	}
	// The correction orders' yes/no filters follow the same rule.
	for _, name := range []string{"overdue", "escalated"} {
		if res, out := sup.api("GET", "/api/v1/supervision/orders?"+name+"=maybe", ""); res.StatusCode != http.StatusUnprocessableEntity || fieldOf(out, name) == "" {
			t.Errorf("/api/v1/supervision/orders?%s=maybe: %d %v", name, res.StatusCode, out)
		}
		if res, _ := sup.api("GET", "/api/v1/supervision/orders?"+name+"=1", ""); res.StatusCode != http.StatusOK {
			t.Errorf("%s=1: %d", name, res.StatusCode)
		}
	}
}

// A wider role than granted: each step below is refused and changes
// nothing — the department's admin closing its own rectification (the
// supervisor's step), the supervisor doing the department's, a clerk
// answering a complaint (supervision's: not even visible to the clerk) or
// referring a consultation, a township admin answering the hall's help
// request.
func TestAttackWiderRole(t *testing.T) {
	vf := newVoiceFixture(t)
	no := vf.decidedCase()
	app := vf.applicant()
	if res, _ := app.post("/rate/"+no, url.Values{"level": {"1"}, "reasons": {"attitude"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rate: %d", res.StatusCode)
	}
	rect := "/ratings/" + itoa64(vf.idOf(`SELECT id FROM rectifications`))
	fgj := vf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	file := func(in voice.Input) string {
		in.Subject, in.Body, in.Phone, in.Channel = "越权测试", "内容", "13800138000", "window"
		e, err := vf.srv.Voice.File(t.Context(), in)
		if err != nil {
			t.Fatal(err)
		}
		return "/enquiries/" + e.No
	}
	complaint := file(voice.Input{Kind: voice.Complaint, DepartmentID: fgj})
	consult := file(voice.Input{Kind: voice.Consult, DepartmentID: fgj})
	help := file(voice.Input{Kind: voice.Help})
	for _, tc := range []struct {
		user, page, action string
		status             int
	}{
		{"deptadmin", rect, "close", http.StatusForbidden},
		{"deptadmin", rect, "dismiss", http.StatusForbidden},
		{"supervisor", rect, "verify", http.StatusForbidden},
		{"clerk", complaint, "answer", http.StatusNotFound},
		{"clerk", consult, "refer", http.StatusForbidden},
		{"township", help, "answer", http.StatusNotFound},
	} {
		c := vf.login(tc.user)
		// The current version, so the refusal is the rule's, not a stale page's.
		version := vf.idOf(`SELECT version FROM rectifications`)
		if strings.HasPrefix(tc.page, "/enquiries/") {
			version = vf.idOf(`SELECT version FROM enquiries WHERE no = $1`, strings.TrimPrefix(tc.page, "/enquiries/"))
		}
		form := url.Values{"text": {"越权"}, "department_id": {itoa64(fgj)}, "instruction": {"越权"}, "deadline_days": {"5"}, "version": {itoa64(version)}}
		c.get("/")
		res, body := c.post(tc.page+"/"+tc.action, form)
		if res.StatusCode != tc.status {
			t.Errorf("%s %s on %s: %d %s, want %d", tc.user, tc.action, tc.page, res.StatusCode, problemOf(body), tc.status)
		}
	}
	if n := vf.idOf(`SELECT COUNT(*) FROM rectification_steps`); n != 1 {
		t.Errorf("%d rectification steps, want only the opening one", n)
	}
	if n := vf.idOf(`SELECT COUNT(*) FROM enquiries WHERE state <> 'open'`); n != 0 {
		t.Errorf("%d enquiries moved", n)
	}
	if n := vf.idOf(`SELECT COUNT(*) FROM correction_orders`); n != 0 {
		t.Errorf("%d orders issued", n)
	}
}

// Closing another's answered enquiry from the tracking page: a wrong
// phone, another signed-in applicant, or neither phone nor session is
// refused with the answer an unknown number gets, and the enquiry stays
// answered; the asker's own phone, written another way, closes it.
func TestAttackVoiceConfirmOthers(t *testing.T) {
	vf := newVoiceFixture(t)
	fgj := vf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	st, body := vf.fileForm(vf.anon(), "/consult", consultForm(fgj))
	m := voiceNoRE.FindStringSubmatch(body)
	if st != http.StatusOK || m == nil {
		t.Fatalf("filing: %d %s", st, problemOf(body))
	}
	no := m[1]
	clerk := vf.login("clerk")
	clerk.get("/enquiries/" + no)
	if res, body := clerk.post("/enquiries/"+no+"/answer", url.Values{"text": {"带身份证即可"}, "version": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", res.StatusCode, problemOf(body))
	}
	version := itoa64(vf.idOf(`SELECT version FROM enquiries WHERE no = $1`, no))
	vf.registerOther(t)
	otherApp := vf.anon()
	otherApp.get("/signin")
	if res, _ := otherApp.post("/signin", url.Values{"id_number": {"110105198001010091"}, "password": {appPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	stranger := vf.anon()
	stranger.get("/voice/track")
	for _, tc := range []struct {
		name string
		c    *client
		form url.Values
	}{
		{"a wrong phone", stranger, url.Values{"phone": {"13900139000"}}},
		{"another applicant", otherApp, url.Values{}},
		{"no phone, no session", stranger, url.Values{}},
	} {
		tc.form.Set("version", version)
		tc.form.Set("no", "ZX-20260928-9999")
		_, unknown := tc.c.post("/voice/track/confirm", tc.form)
		tc.form.Set("no", no)
		res, body := tc.c.post("/voice/track/confirm", tc.form)
		if res.StatusCode != http.StatusNotFound || problemOf(body) != problemOf(unknown) {
			t.Errorf("%s: %d %s, want the unknown number's 404 %s", tc.name, res.StatusCode, problemOf(body), problemOf(unknown))
		}
	}
	if s := vf.text(`SELECT state FROM enquiries WHERE no = $1`, no); s != "answered" {
		t.Fatalf("state %q after the refused attempts", s)
	}
	if res, body := stranger.post("/voice/track/confirm", url.Values{"no": {strings.ToLower(no)}, "phone": {"+86 138-0013-8000"}, "version": {version}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the asker's confirmation: %d %s", res.StatusCode, problemOf(body))
	}
	if s := vf.text(`SELECT state FROM enquiries WHERE no = $1`, no); s != "closed" {
		t.Errorf("state %q after the asker's confirmation", s)
	}
}

// The rating form and the addition refuse bad input field by field and
// store nothing: levels outside 1-5, a reason that is none, a flood of
// reasons, 50,000 characters, control characters, invalid UTF-8.
func TestAttackRatingFormBadInput(t *testing.T) {
	cf := newCaseFixture(t)
	no := cf.decidedCase()
	app := cf.applicant()
	app.get("/rate/" + no)
	for _, tc := range []struct {
		name, field string
		form        url.Values
	}{
		{"level 0", "level", url.Values{"level": {"0"}}},
		{"level 6", "level", url.Values{"level": {"6"}}},
		{"level -1", "level", url.Values{"level": {"-1"}}},
		{"level 5abc", "level", url.Values{"level": {"5abc"}}},
		{"no level", "level", url.Values{}},
		{"an unknown reason", "reasons", url.Values{"level": {"2"}, "reasons": {"'; DROP TABLE ratings; --"}}},
		{"50,000 characters", "comment", url.Values{"level": {"2"}, "comment": {strings.Repeat("差", 50000)}}},
		{"control characters", "comment", url.Values{"level": {"2"}, "comment": {"差\x1b[2J评"}}},
		{"invalid UTF-8", "comment", url.Values{"level": {"2"}, "comment": {"差\xff\xfe评"}}},
	} {
		res, body := app.post("/rate/"+no, tc.form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-`+tc.field+`"`) {
			t.Errorf("%s: %d %s, want 422 naming %s", tc.name, res.StatusCode, problemOf(body), tc.field)
		}
	}
	if n := cf.idOf(`SELECT COUNT(*) FROM ratings`); n != 0 {
		t.Fatalf("refused ratings stored: %d", n)
	}
	if res, _ := app.post("/rate/"+no, url.Values{"level": {"4"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rating: %d", res.StatusCode)
	}
	for _, v := range []string{"", strings.Repeat("追", 50000), "追\x07评", "追\xff评"} {
		res, body := app.post("/rate/"+no+"/addition", url.Values{"addition": {v}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-addition"`) {
			t.Errorf("addition %.12q: %d %s", v, res.StatusCode, problemOf(body))
		}
	}
	if n := cf.idOf(`SELECT COUNT(*) FROM ratings WHERE added_at IS NOT NULL`); n != 0 {
		t.Errorf("a refused addition stored")
	}
}

// The public forms refuse invalid UTF-8 and control characters in every
// free-text field, not only the subject.
func TestAttackVoiceFormsBadText(t *testing.T) {
	vf := newVoiceFixture(t)
	fgj := vf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	c := vf.anon()
	for _, field := range []string{"subject", "body", "name", "phone", "case_no"} {
		for _, v := range []string{"坏\xff\xfe", "坏\x1b[2J", "坏\x00"} {
			form := consultForm(fgj)
			form.Set(field, v)
			if st, body := vf.fileForm(c, "/complain", form); st != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-`+field+`"`) {
				t.Errorf("%s = %.8q: %d %s", field, v, st, problemOf(body))
			}
		}
	}
	if n := vf.idOf(`SELECT COUNT(*) FROM enquiries`); n != 0 {
		t.Errorf("%d enquiries stored", n)
	}
}

// GET requests.json of one county is not crowded out by another
// county's requests: with a thousand newer requests in the second
// county, the first county's own request is still listed.
func TestAttackOpen311ListNotCrowdedOut(t *testing.T) {
	o := newO311(t)
	o.secondCounty()
	otherKey, _, err := o.srv.Open311.Keys.Issue(t.Context(), console, "外县 App", "431023")
	if err != nil {
		t.Fatal(err)
	}
	mine := o.file(nil)
	theirs := o.file(url.Values{"api_key": {otherKey}, "attribute[department]": {"CSJ"}})
	o.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
		INSERT INTO enquiries (no, kind, state, region_code, department_id, centre_id, subject, body, channel, received_at, reply_days, due, version, updated_at)
		SELECT e.no || '-' || n.i, e.kind, e.state, e.region_code, e.department_id, e.centre_id, e.subject, e.body, e.channel, e.received_at, e.reply_days, e.due, 1, e.updated_at
		FROM n, enquiries e WHERE e.no = $1`, theirs)
	if a := o.get("/open311/v2/requests.json?jurisdiction_id=431022"); a.status != http.StatusOK || !strings.Contains(a.body, mine) {
		t.Errorf("the county's own request is missing from its list: %d %.300s", a.status, a.body)
	}
}

// Path values that are no number — 50,000 characters, invalid UTF-8,
// control characters, SQL — name nothing: 404 (or the 422 the guard gives
// a bad path), never a 500 or a page.
func TestAttackBadPathValues(t *testing.T) {
	cf := newCaseFixture(t)
	sup, app := cf.login("supervisor"), cf.applicant()
	long := strings.Repeat("Z", 50000)
	for _, v := range []string{long, "%FF%FE", "%00", "%1B%5B2J", "1%27%20OR%20%271%27%3D%271"} {
		for _, tc := range []struct {
			c    *client
			path string
		}{
			{sup, "/enquiries/" + v}, {sup, "/api/v1/enquiries/" + v}, {sup, "/ratings/" + v},
			{app, "/rate/" + v}, {app, "/rate/" + v + "/thanks"},
			{cf.anon(), "/open311/v2/requests/" + v + ".json"},
		} {
			res, _ := tc.c.get(tc.path)
			if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest {
				t.Errorf("%.60s: %d", tc.path, res.StatusCode)
			}
		}
	}
}
