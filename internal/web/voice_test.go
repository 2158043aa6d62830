package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"onestop/internal/applicants"
	"onestop/internal/voice"
)

func init() {
	staffButLeader := []string{"admin", "township", "clerk", "tclerk", "reviewer", "approver", "deptadmin", "supervisor"}
	for p, who := range map[string][]string{
		"GET /consult":                          public,
		"POST /consult":                         public,
		"GET /complain":                         public,
		"POST /complain":                        public,
		"GET /help":                             public,
		"POST /help":                            public,
		"GET /voice/filed":                      public,
		"GET /voice/track":                      public,
		"POST /voice/track/confirm":             public,
		"GET /enquiries":                        signedIn,
		"GET /enquiries/{no}":                   signedIn,
		"POST /enquiries/{no}/{action}":         staffButLeader,
		"GET /api/v1/enquiries":                 signedIn,
		"GET /api/v1/enquiries/{no}":            signedIn,
		"GET /supervision/enquiries":            {"supervisor", "leader"},
		"POST /supervision/enquiries/deadlines": {"supervisor"},
	} {
		expected[p] = who
	}
	for _, p := range []string{"GET /enquiries/{no}", "POST /enquiries/{no}/{action}", "GET /api/v1/enquiries/{no}"} {
		scopeRoutes[p] = kEnquiry
	}
	for p, params := range map[string][]string{
		"GET /enquiries":        {"kind", "state", "limit", "offset"},
		"GET /api/v1/enquiries": {"kind", "state", "limit", "offset"},
		"GET /voice/track":      {"no", "phone"},
	} {
		filterParams[p] = params
	}
}

var (
	scopeEnquiriesMu sync.Mutex
	scopeEnquiries   = map[*scopeFixture]map[string]string{}
)

// enquirySplit files one enquiry of each sort once per fixture and says
// which a user reaches (internal/voice sees): a consultation its
// department's staff (wherever they sit), a help request its centre's
// admin (the county hall's admin every centre's), a complaint only
// supervision; the supervisor and the leader everything in the county.
func (sf *scopeFixture) enquirySplit(user string) (in, out []string) {
	scopeEnquiriesMu.Lock()
	nos, ok := scopeEnquiries[sf]
	if !ok {
		nos = map[string]string{}
		file := func(key string, in voice.Input) {
			in.Subject, in.Body, in.Phone, in.Channel = "范围测试", "内容", "13800138000", "window"
			e, err := sf.srv.Voice.File(context.Background(), in)
			if err != nil {
				sf.t.Fatalf("enquiry %s: %v", key, err)
			}
			nos[key] = e.No
		}
		file("consultFGJ", voice.Input{Kind: voice.Consult, DepartmentID: sf.fgj})
		file("consultMZJ", voice.Input{Kind: voice.Consult, DepartmentID: sf.mzj})
		file("complaint", voice.Input{Kind: voice.Complaint, DepartmentID: sf.fgj})
		file("helpHall", voice.Input{Kind: voice.Help})
		file("helpT2", voice.Input{Kind: voice.Help, CentreID: sf.t2})
		scopeEnquiries[sf] = nos
	}
	scopeEnquiriesMu.Unlock()
	sees := map[string][]string{
		"supervisor": {"consultFGJ", "consultMZJ", "complaint", "helpHall", "helpT2"},
		"leader":     {"consultFGJ", "consultMZJ", "complaint", "helpHall", "helpT2"},
		"admin":      {"helpHall", "helpT2"},
		"township":   {"helpT2"},
		"clerk":      {"consultFGJ"},
		"reviewer":   {"consultFGJ"},
		"approver":   {"consultFGJ"},
		"deptadmin":  {"consultFGJ"},
		"tclerk":     {"consultMZJ"},
	}[user]
	for key, no := range nos {
		if strings.Contains(strings.Join(sees, ","), key) {
			in = append(in, no)
		} else {
			out = append(out, no)
		}
	}
	return in, out
}

// voiceFixture is the case fixture with a case of the registered
// applicant, for the forms' case-number field.
type voiceFixture struct {
	*caseFixture
	caseNo string
}

func newVoiceFixture(t *testing.T) *voiceFixture {
	cf := newCaseFixture(t)
	return &voiceFixture{caseFixture: cf, caseNo: cf.intake(cf.login("clerk"), "T-001", 1, 2)}
}

var voiceNoRE = regexp.MustCompile(`data-testid="voice-no">([A-Z]{2}-\d{8}-\d{4})<`)

// fileForm posts a form as c and returns the response and the page after
// (the filed page on success, the form with its errors otherwise).
func (vf *voiceFixture) fileForm(c *client, path string, form url.Values) (int, string) {
	vf.t.Helper()
	c.get(path)
	form.Del("csrf_token") // the page's own token, not one an earlier post left
	res, body := c.post(path, form)
	if res.StatusCode == http.StatusSeeOther {
		res, body = c.get(res.Header.Get("Location"))
	}
	return res.StatusCode, body
}

func consultForm(dept int64) url.Values {
	return url.Values{"department_id": {strconv.FormatInt(dept, 10)}, "subject": {"营业执照办理"}, "body": {"请问需要带哪些材料？"}, "name": {"王小明"}, "phone": {"13800138000"}}
}

// Every public form refuses bad input field by field (422, the field
// named, what was typed kept) and writes nothing: missing, too long
// (50,000 characters), control characters, a bad phone, an unknown or
// malformed department, a case number that does not exist, and — for a
// signed-in applicant — someone else's case.
func TestVoiceFormsRefuseBadInput(t *testing.T) {
	vf := newVoiceFixture(t)
	fgj := vf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	huge := strings.Repeat("长", 50000)
	c := vf.anon()
	for _, tc := range []struct {
		name, path, field string
		mod               func(url.Values)
	}{
		{"no subject", "/consult", "subject", func(v url.Values) { v.Del("subject") }},
		{"50,000-character body", "/consult", "body", func(v url.Values) { v.Set("body", huge) }},
		{"50,000-character subject", "/complain", "subject", func(v url.Values) { v.Set("subject", huge) }},
		{"control characters", "/help", "subject", func(v url.Values) { v.Set("subject", "求助\x07\x1b") }},
		{"no phone", "/consult", "phone", func(v url.Values) { v.Del("phone") }},
		{"bad phone", "/complain", "phone", func(v url.Values) { v.Set("phone", "110") }},
		{"no department", "/consult", "department_id", func(v url.Values) { v.Del("department_id") }},
		{"unknown department", "/consult", "department_id", func(v url.Values) { v.Set("department_id", "999999") }},
		{"department not a number", "/complain", "department_id", func(v url.Values) { v.Set("department_id", "1 OR 1=1") }},
		{"unknown case", "/complain", "case_no", func(v url.Values) { v.Set("case_no", "XX202609289999") }},
		{"50,000-character case", "/complain", "case_no", func(v url.Values) { v.Set("case_no", huge) }},
		{"bad centre", "/help", "centre_id", func(v url.Values) { v.Set("centre_id", "-1") }},
	} {
		form := consultForm(fgj)
		tc.mod(form)
		st, body := vf.fileForm(c, tc.path, form)
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-`+tc.field+`"`) {
			t.Errorf("%s: %d, want 422 naming %s: %s", tc.name, st, tc.field, problemOf(body))
		}
		if tc.field != "subject" && !strings.Contains(body, `value="营业执照办理"`) {
			t.Errorf("%s: the typed subject was not kept", tc.name)
		}
	}
	// Someone else's case: a stranger may name it (only its existence is
	// checked), a signed-in applicant may not.
	form := consultForm(fgj)
	form.Set("case_no", vf.caseNo)
	if st, body := vf.fileForm(vf.anon(), "/complain", form); st != http.StatusOK || !voiceNoRE.MatchString(body) {
		t.Errorf("a stranger naming an existing case: %d %s", st, problemOf(body))
	}
	if n := vf.idOf(`SELECT COUNT(*) FROM enquiries`); n != 1 {
		t.Fatalf("refused forms wrote: %d enquiries", n)
	}
	vf.registerOther(t)
	signed := vf.anon()
	signed.get("/signin")
	if res, _ := signed.post("/signin", url.Values{"id_number": {"110105198001010091"}, "password": {appPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	if st, body := vf.fileForm(signed, "/complain", form); st != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-case_no"`) {
		t.Errorf("another applicant's case: %d %s", st, problemOf(body))
	}
}

// registerOther registers a second applicant who can sign in.
func (vf *voiceFixture) registerOther(t *testing.T) {
	t.Helper()
	if _, err := vf.srv.Applicants.Register(context.Background(), applicants.Input{Kind: "citizen", IDNumber: "110105198001010091", Name: "李四", Phone: "13900139000", Password: appPassword}, true); err != nil {
		t.Fatal(err)
	}
}

// The limits: the sixth filing from one address within an hour is 429
// with the rule in words, and nothing is written.
func TestVoiceFilingThrottle(t *testing.T) {
	vf := newVoiceFixture(t)
	fgj := vf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	c := vf.anon()
	for i := range 5 {
		form := consultForm(fgj)
		form.Set("phone", "1390000000"+strconv.Itoa(i))
		if st, body := vf.fileForm(c, "/consult", form); st != http.StatusOK {
			t.Fatalf("filing %d: %d %s", i+1, st, problemOf(body))
		}
	}
	st, body := vf.fileForm(c, "/consult", consultForm(fgj))
	if st != http.StatusTooManyRequests || !strings.Contains(body, "一小时内最多提交 5 件") {
		t.Fatalf("sixth filing: %d %s", st, problemOf(body))
	}
	if n := vf.idOf(`SELECT COUNT(*) FROM enquiries`); n != 5 {
		t.Errorf("%d enquiries, want 5", n)
	}
}

// Filing shows the number and the deadline as a date (Monday 28
// September + 5 working days over the National Day holiday is Saturday
// 10 October, a working day in 2026: 2026年10月10日); following it needs the phone it was filed with, and
// a wrong phone reads exactly like an unknown number. After the answer the
// asker reads the reply and has a text message naming the number.
func TestVoiceFileTrackAndReply(t *testing.T) {
	vf := newVoiceFixture(t)
	fgj := vf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	st, body := vf.fileForm(vf.anon(), "/consult", consultForm(fgj))
	m := voiceNoRE.FindStringSubmatch(body)
	if st != http.StatusOK || m == nil {
		t.Fatalf("filed page: %d %s", st, problemOf(body))
	}
	no := m[1]
	if !strings.HasPrefix(no, "ZX-20260928-") || !strings.Contains(body, "2026年10月10日") {
		t.Errorf("number %s, deadline: %s", no, between(body, `data-testid="voice-due">`, "<"))
	}
	track := func(no, phone string) (int, string) {
		res, body := vf.anon().get("/voice/track?" + url.Values{"no": {no}, "phone": {phone}}.Encode())
		return res.StatusCode, between(body, "<main", "</main>")
	}
	stWrong, wrong := track(no, "13900139000")
	stUnknown, unknown := track("ZX-20260928-0999", "13800138000")
	if stWrong != http.StatusNotFound || stUnknown != http.StatusNotFound || strings.ReplaceAll(wrong, "13900139000", "") != strings.ReplaceAll(strings.ReplaceAll(unknown, "13800138000", ""), "ZX-20260928-0999", no) {
		t.Errorf("wrong phone %d and unknown number %d read differently", stWrong, stUnknown)
	}
	clerk := vf.login("clerk")
	page := func(c *client) (int, string) {
		res, body := c.get("/enquiries/" + no)
		return res.StatusCode, body
	}
	if st, _ := page(vf.login("tclerk")); st != http.StatusNotFound {
		t.Errorf("a clerk of another department opened the consultation: %d", st)
	}
	st, body = page(clerk)
	if st != http.StatusOK || !strings.Contains(body, `id="enquiry-answer"`) || strings.Contains(body, "13800138000") {
		t.Fatalf("the clerk's page: %d (the phone must be masked)", st)
	}
	res, body := clerk.post("/enquiries/"+no+"/answer", url.Values{"version": {"1"}, "text": {strings.Repeat("长", 50000)}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-text"`) {
		t.Errorf("a 50,000-character answer: %d %s", res.StatusCode, problemOf(body))
	}
	if res, body := clerk.post("/enquiries/"+no+"/answer", url.Values{"version": {"1"}, "text": {"请带身份证原件和申请表。"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", res.StatusCode, problemOf(body))
	}
	st, got := track(no, "+86 138-0013-8000")
	if st != http.StatusOK || !strings.Contains(got, "请带身份证原件和申请表。") || !strings.Contains(got, `data-state="answered"`) {
		t.Errorf("the asker's view after the answer: %d %s", st, got)
	}
	texts := vf.texts("13800138000")
	if len(texts) == 0 || !strings.Contains(texts[0].Text, no) || !strings.Contains(texts[0].Text, "/voice/track") {
		t.Errorf("text message: %+v", texts)
	}
}

// The staff API lists only what the caller may read, as JSON with paging,
// and a number out of scope is 404 like an unknown one.
func TestVoiceAPI(t *testing.T) {
	vf := newVoiceFixture(t)
	ctx := context.Background()
	fgj := vf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	mzj := vf.idOf(`SELECT department_id FROM staff WHERE username = 'tclerk'`)
	var nos []string
	for _, in := range []voice.Input{{Kind: voice.Consult, DepartmentID: fgj}, {Kind: voice.Consult, DepartmentID: mzj}, {Kind: voice.Complaint}, {Kind: voice.Help}} {
		in.Subject, in.Body, in.Phone, in.Channel = "题", "文", "13800138000", "phone"
		e, err := vf.srv.Voice.File(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		nos = append(nos, e.No)
	}
	clerk := vf.login("clerk")
	res, out := clerk.api("GET", "/api/v1/enquiries", "")
	items, _ := out["items"].([]any)
	if res.StatusCode != http.StatusOK || len(items) != 1 || items[0].(map[string]any)["no"] != nos[0] {
		t.Fatalf("the clerk's list: %d %v", res.StatusCode, out)
	}
	if _, ok := items[0].(map[string]any)["phone"]; ok {
		t.Error("the list carries the asker's phone")
	}
	res, out = vf.login("supervisor").api("GET", "/api/v1/enquiries?limit=2&offset=2", "")
	if items, _ := out["items"].([]any); res.StatusCode != http.StatusOK || len(items) != 2 || out["total"] != float64(4) {
		t.Errorf("the supervisor's second page: %d %v", res.StatusCode, out)
	}
	for _, no := range nos[1:] {
		if res, _ := clerk.api("GET", "/api/v1/enquiries/"+no, ""); res.StatusCode != http.StatusNotFound {
			t.Errorf("the clerk read %s: %d", no, res.StatusCode)
		}
	}
	if res, out := clerk.api("GET", "/api/v1/enquiries/"+nos[0], ""); res.StatusCode != http.StatusOK || out["standing"] == nil {
		t.Errorf("the clerk's own: %d %v", res.StatusCode, out)
	}
	// A clerk answering a complaint by the API's sibling form: not theirs.
	if res, _ := clerk.post("/enquiries/"+nos[2]+"/answer", url.Values{"version": {"1"}, "text": {"越权答复"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("a clerk answered a complaint: %d", res.StatusCode)
	}
	if res, _ := vf.login("leader").post("/enquiries/"+nos[2]+"/answer", url.Values{"version": {"1"}, "text": {"越权答复"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the leader answered a complaint: %d", res.StatusCode)
	}
}

// Supervision sees the clocks: a help request filed on Monday 28
// September (3 working days: due 8 October after the holiday) is red on 9
// October, counted overdue and listed; the inbox shows the same light.
func TestVoiceBoardShowsOverdue(t *testing.T) {
	vf := newVoiceFixture(t)
	e, err := vf.srv.Voice.File(context.Background(), voice.Input{Kind: voice.Help, Subject: "无法网上申报", Body: "系统报错", Phone: "13800138000", Channel: "phone"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Due.String() != "2026-10-08" {
		t.Fatalf("due %s", e.Due)
	}
	vf.set(at("2026-10-08"))
	res, body := vf.login("supervisor").get("/supervision/enquiries")
	if res.StatusCode != http.StatusOK || strings.Contains(between(body, `data-testid="enquiry-overdue"`, "</table>"), e.No) {
		t.Errorf("on its due day it is not overdue yet: %d", res.StatusCode)
	}
	vf.set(at("2026-10-09"))
	res, body = vf.login("supervisor").get("/supervision/enquiries")
	if res.StatusCode != http.StatusOK || !strings.Contains(between(body, `data-testid="enquiry-overdue"`, "</table>"), e.No) {
		t.Fatalf("overdue list: %d %s", res.StatusCode, problemOf(body))
	}
	_, inbox := vf.login("admin").get("/enquiries")
	if !strings.Contains(between(inbox, `data-no="`+e.No+`"`, "</tr>"), `data-light="red"`) {
		t.Errorf("the admin's inbox does not show it red")
	}
	// The supervisor's reply limits: a bad value is a field error, a good
	// one is saved; the leader may not.
	sup := vf.login("supervisor")
	sup.get("/supervision/enquiries")
	res, body = sup.post("/supervision/enquiries/deadlines", url.Values{"days_consult": {"0"}, "days_complaint": {"10"}, "days_help": {"3"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-days_consult"`) {
		t.Errorf("0 days: %d %s", res.StatusCode, problemOf(body))
	}
	if res, _ := sup.post("/supervision/enquiries/deadlines", url.Values{"days_consult": {"2"}, "days_complaint": {"10"}, "days_help": {"3"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("save: %d", res.StatusCode)
	}
	if n := vf.idOf(`SELECT COUNT(*) FROM audit_log WHERE entity = 'enquiry_deadlines'`); n != 1 {
		t.Errorf("audit entries: %d", n)
	}
}

// A signed-in applicant's form is prefilled with their name and phone;
// what they file is on their own page with the reply, and only theirs:
// another applicant's page does not list it. They close it from there.
func TestVoiceMine(t *testing.T) {
	vf := newVoiceFixture(t)
	me := vf.applicant()
	_, form := me.get("/help")
	if !strings.Contains(form, `value="13800138000"`) || !strings.Contains(form, `value="王小明"`) {
		t.Fatal("the help form is not prefilled for the signed-in applicant")
	}
	st, body := vf.fileForm(me, "/help", url.Values{"subject": {"不会网上申报"}, "body": {"请帮我预约帮办。"}, "name": {"王小明"}, "phone": {"13800138000"}})
	m := voiceNoRE.FindStringSubmatch(body)
	if st != http.StatusOK || m == nil {
		t.Fatalf("filing: %d %s", st, problemOf(body))
	}
	no := m[1]
	admin := vf.login("admin")
	if res, body := admin.post("/enquiries/"+no+"/answer", url.Values{"version": {"1"}, "text": {"已为您预约明天上午帮办。"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", res.StatusCode, problemOf(body))
	}
	_, page := me.get("/me")
	mine := between(page, `data-testid="my-enquiries"`, "</section>")
	if !strings.Contains(mine, no) || !strings.Contains(mine, "已为您预约明天上午帮办。") {
		t.Errorf("the applicant's page: %s", mine)
	}
	vf.registerOther(t)
	other := vf.anon()
	other.get("/signin")
	other.post("/signin", url.Values{"id_number": {"110105198001010091"}, "password": {appPassword}})
	if _, page := other.get("/me"); strings.Contains(page, no) {
		t.Error("another applicant's page lists it")
	}
	// The other applicant cannot close it; its owner can.
	if res, _ := other.post("/voice/track/confirm", url.Values{"no": {no}, "version": {"2"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("another applicant closed it: %d", res.StatusCode)
	}
	me.get("/me")
	if res, body := me.post("/voice/track/confirm", url.Values{"no": {no}, "version": {"2"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the owner closes it: %d %s", res.StatusCode, problemOf(body))
	}
	if e, err := vf.srv.Voice.ByNo(context.Background(), no); err != nil || e.State != voice.Closed {
		t.Errorf("after closing: %+v %v", e, err)
	}
}
