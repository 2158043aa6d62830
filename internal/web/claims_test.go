package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"onestop/internal/ident"
	"onestop/internal/notify"
)

// Routes of issue 10's account claims: registration and its code are
// public; only a clerk at a window (who can check an ID card) sends a
// set-up code for an account opened there.
func init() {
	clerks := []string{"clerk", "tclerk"}
	for p, who := range map[string][]string{
		"GET /register/verify":                        public,
		"POST /register/verify":                       public,
		"POST /applicants/{id}/online":                clerks,
		"POST /api/v1/applicants/{id}/online-account": clerks,
	} {
		expected[p] = who
	}
}

// residentID makes a valid resident ID number with sequence seq.
func residentID(seq int) string {
	body := fmt.Sprintf("11010519800101%03d", seq)
	c, _ := ident.ResidentIDCheck(body)
	return body + string(c)
}

var (
	codeRE = regexp.MustCompile(`\d{6}`)
	ridRE  = regexp.MustCompile(`<span class="rid">[^<]*</span>`)
)

// texts lists the texts written out for a phone (codes), newest first;
// the notices of the phone's cases (templates, issue 14) are not counted.
func (f *fixture) texts(phone string) []notify.Message {
	f.t.Helper()
	ms, err := notify.Outbox(context.Background(), f.db, phone)
	if err != nil {
		f.t.Fatal(err)
	}
	return slices.DeleteFunc(ms, func(m notify.Message) bool { return m.Key != "" })
}

// lastCode is the code in the newest message to phone.
func (f *fixture) lastCode(phone string) string {
	f.t.Helper()
	ms := f.texts(phone)
	if len(ms) == 0 {
		f.t.Fatalf("no text message to %s", phone)
	}
	c := codeRE.FindString(ms[0].Text)
	if c == "" {
		f.t.Fatalf("no code in %q", ms[0].Text)
	}
	return c
}

// otherThan is a code that is not code.
func otherThan(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

type applicantRow struct {
	name, phone, hash string
}

func (f *fixture) applicantRow(number string) applicantRow {
	f.t.Helper()
	var r applicantRow
	err := f.db.R.QueryRowContext(context.Background(), `SELECT name, phone, password_hash FROM applicants WHERE id_number = $1`, number).Scan(&r.name, &r.phone, &r.hash)
	if err != nil {
		f.t.Fatalf("applicant %s: %v", number, err)
	}
	return r
}

// walkIn has a clerk open an account at the window (no password).
func (f *fixture) walkIn(number, name, phone string) int64 {
	f.t.Helper()
	res, out := f.login("clerk").api("POST", "/api/v1/applicants", fmt.Sprintf(`{"kind":"citizen","id_number":%q,"name":%q,"phone":%q}`, number, name, phone))
	if res.StatusCode != http.StatusCreated {
		f.t.Fatalf("walk-in: %d %v", res.StatusCode, out)
	}
	return int64(out["id"].(float64))
}

func registerForm(number, name, phone, password string) url.Values {
	return url.Values{"kind": {"citizen"}, "id_number": {number}, "name": {name}, "phone": {phone}, "password": {password}, "again": {password}}
}

// register posts the registration form in a fresh browser and expects the
// neutral answer: on to the code page.
func (f *fixture) register(form url.Values) *client {
	f.t.Helper()
	c := f.anon()
	c.get("/register")
	res, body := c.post("/register", form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/register/verify" {
		f.t.Fatalf("register: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), problemOf(body))
	}
	c.get("/register/verify")
	return c
}

func (c *client) signin(number, password string) bool {
	c.get("/signin")
	res, _ := c.post("/signin", url.Values{"id_number": {number}, "password": {password}})
	return res.StatusCode == http.StatusSeeOther
}

// The hole: anyone who knew the ID number of an applicant a clerk had
// registered at the window could register with it, their own name, phone
// and password, and take the account over.
func TestClaimByNumberAloneFails(t *testing.T) {
	cf := newCaseFixture(t)
	victim := residentID(11)
	cf.walkIn(victim, "赵大妈", "13900000001")
	// The victim has a case, opened at the window.
	clerk := cf.login("clerk")
	clerk.get("/workbench/intake")
	res, body := clerk.post("/workbench/intake", url.Values{"id_number": {victim}, "item": {"T-001"}, "m1_paper": {"on"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("intake: %d %s", res.StatusCode, problemOf(body))
	}
	no, _, _ := strings.Cut(strings.TrimPrefix(res.Header.Get("Location"), "/cases/"), "?")

	attacker := cf.register(registerForm(victim, "坏人", "13900000002", "attack1234"))
	if got := cf.texts("13900000002"); len(got) != 0 {
		t.Fatalf("the attacker's phone got %d messages", len(got))
	}
	// The code went to the victim's phone: the attacker can only guess.
	attackersCode := cf.lastCode("13900000001")
	res, body = attacker.post("/register/verify", url.Values{"code": {otherThan(attackersCode)}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "验证码不正确或已失效") {
		t.Fatalf("guessed code: %d %s", res.StatusCode, problemOf(body))
	}
	if row := cf.applicantRow(victim); row.name != "赵大妈" || row.phone != "13900000001" || row.hash != "" {
		t.Fatalf("the claim changed the account: %+v", row)
	}
	if attacker.signin(victim, "attack1234") {
		t.Fatal("the attacker signed in")
	}
	if res, _ := attacker.get("/my/cases/" + no); res.StatusCode == http.StatusOK {
		t.Fatal("the attacker sees the victim's case")
	}

	// The victim registers herself: a new code to her phone, in her
	// browser, opens the account; the name and phone stay as recorded.
	me := cf.register(registerForm(victim, "赵大妈", "13900000001", "mine12345"))
	if n := len(cf.texts("13900000001")); n != 2 {
		t.Fatalf("texts to the victim: %d", n)
	}
	code := cf.lastCode("13900000001")
	// The code of the attacker's claim does not open hers: a code counts
	// only in the browser that started its registration.
	if attackersCode != code {
		if res, _ := me.post("/register/verify", url.Values{"code": {attackersCode}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("another claim's code: %d", res.StatusCode)
		}
	}
	res, body = me.post("/register/verify", url.Values{"code": {code}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/me" {
		t.Fatalf("verify: %d %s", res.StatusCode, problemOf(body))
	}
	if row := cf.applicantRow(victim); row.name != "赵大妈" || row.phone != "13900000001" || row.hash == "" {
		t.Fatalf("after the claim: %+v", row)
	}
	if res, _ := me.get("/my/cases/" + no); res.StatusCode != http.StatusOK {
		t.Fatalf("the victim's case: %d", res.StatusCode)
	}
	if !cf.anon().signin(victim, "mine12345") || cf.anon().signin(victim, "attack1234") {
		t.Fatal("passwords after the claim")
	}
}

// A new number: the code goes to the phone given; wrong codes fail, the
// right one opens the account once; too many wrong codes end the claim.
func TestRegisterWithCode(t *testing.T) {
	cf := newCaseFixture(t)
	number := residentID(21)
	c := cf.register(registerForm(number, "钱多多", "13900000021", "abcd12345"))
	var n int
	_ = cf.db.R.QueryRow(`SELECT COUNT(*) FROM applicants WHERE id_number = $1`, number).Scan(&n)
	if n != 0 {
		t.Fatal("the account opened before the code")
	}
	if ms := cf.texts("13900000021"); len(ms) != 1 || !strings.Contains(ms[0].Text, "注册验证码") {
		t.Fatalf("texts: %+v", ms)
	}
	code := cf.lastCode("13900000021")
	if res, _ := c.post("/register/verify", url.Values{"code": {otherThan(code)}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong code: %d", res.StatusCode)
	}
	if res, body := c.post("/register/verify", url.Values{"code": {code}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("right code: %d %s", res.StatusCode, problemOf(body))
	}
	if res, body := c.get("/me"); res.StatusCode != http.StatusOK || !strings.Contains(body, "钱多多") {
		t.Fatalf("me: %d", res.StatusCode)
	}
	if !cf.anon().signin(number, "abcd12345") {
		t.Fatal("sign-in after registering")
	}

	// Five wrong codes spend a claim: the right code then fails too.
	number = residentID(22)
	c = cf.register(registerForm(number, "孙悟", "13900000022", "abcd12345"))
	code = cf.lastCode("13900000022")
	for i := 0; i < 5; i++ {
		c.post("/register/verify", url.Values{"code": {otherThan(code)}})
	}
	if res, _ := c.post("/register/verify", url.Values{"code": {code}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("right code after five wrong ones: %d", res.StatusCode)
	}

	// A code expires after ten minutes.
	number = residentID(23)
	c = cf.register(registerForm(number, "周到", "13900000023", "abcd12345"))
	code = cf.lastCode("13900000023")
	cf.set(cf.clock().Add(11 * time.Minute))
	if res, _ := c.post("/register/verify", url.Values{"code": {code}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("expired code: %d", res.StatusCode)
	}
	// Online registration needs a mobile phone to text.
	o := cf.anon()
	o.get("/register")
	res, body := o.post("/register", registerForm(residentID(24), "吴", "0735-3712345", "abcd12345"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写手机号码") {
		t.Fatalf("landline: %d", res.StatusCode)
	}
}

// A clerk who has checked the ID card sends a code to the phone on file
// (or a corrected one); the applicant sets a password with it, once.
func TestWindowSetsUpOnlineAccount(t *testing.T) {
	cf := newCaseFixture(t)
	number := residentID(31)
	id := cf.walkIn(number, "郑老伯", "13900000031")
	clerk := cf.login("clerk")
	// A phone that cannot take a text is refused.
	res, out := clerk.api("POST", fmt.Sprintf("/api/v1/applicants/%d/online-account", id), `{"phone":"0735-3712345"}`)
	if res.StatusCode != http.StatusUnprocessableEntity || fieldOf(out, "phone") == "" {
		t.Fatalf("landline: %d %v", res.StatusCode, out)
	}
	// The clerk corrects the phone from the card holder's word and sends.
	clerk.get("/applicants?q=" + number)
	res, body := clerk.post(fmt.Sprintf("/applicants/%d/online", id), url.Values{"phone": {"13900000032"}, "q": {number}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d %s", res.StatusCode, problemOf(body))
	}
	if row := cf.applicantRow(number); row.phone != "13900000032" {
		t.Fatalf("phone: %+v", row)
	}
	var audited int
	_ = cf.db.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'applicant' AND entity_id = $1`, fmt.Sprint(id)).Scan(&audited)
	if audited != 2 {
		t.Fatalf("audit entries: %d", audited)
	}
	code := cf.lastCode("13900000032")
	c := cf.anon()
	c.get("/register/verify?window=1")
	form := url.Values{"id_number": {number}, "code": {code}, "password": {"window123"}, "again": {"window123"}}
	if res, body := c.post("/register/verify", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set password: %d %s", res.StatusCode, problemOf(body))
	}
	if row := cf.applicantRow(number); row.name != "郑老伯" || row.hash == "" {
		t.Fatalf("after set-up: %+v", row)
	}
	// Used once: the same code cannot set another password.
	d := cf.anon()
	d.get("/register/verify?window=1")
	form.Del("csrf_token")
	form.Set("password", "other12345")
	form.Set("again", "other12345")
	if res, _ := d.post("/register/verify", form); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("reused code: %d", res.StatusCode)
	}
	if !cf.anon().signin(number, "window123") || cf.anon().signin(number, "other12345") {
		t.Fatal("password after a reused code")
	}
	// A code expires.
	clerk.get("/applicants?q=" + number)
	clerk.post(fmt.Sprintf("/applicants/%d/online", id), url.Values{"q": {number}})
	code = cf.lastCode("13900000032")
	cf.set(cf.clock().Add(11 * time.Minute))
	e := cf.anon()
	e.get("/register/verify?window=1")
	form.Del("csrf_token")
	form.Set("code", code)
	if res, _ := e.post("/register/verify", form); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("expired code: %d", res.StatusCode)
	}
	// Only window staff send codes.
	if res, _ := cf.login("reviewer").api("POST", fmt.Sprintf("/api/v1/applicants/%d/online-account", id), `{}`); res.StatusCode != http.StatusForbidden {
		t.Fatalf("reviewer: %d", res.StatusCode)
	}
}

// The answer to a registration does not tell whether the number is
// registered, opened at a window, or unknown; the owner on file hears of it.
func TestRegisterAnswersAlike(t *testing.T) {
	cf := newCaseFixture(t)
	window := residentID(41)
	cf.walkIn(window, "冯姨", "13900000041")
	type answer struct {
		status         int
		location, body string
		verify         string
	}
	ask := func(number string) answer {
		c := cf.anon()
		c.get("/register")
		res, body := c.post("/register", registerForm(number, "某人", "13900000049", "abcd12345"))
		_, page := c.get("/register/verify")
		// What differs per request anyway: the CSRF token, the request id.
		page = ridRE.ReplaceAllString(csrfRE.ReplaceAllString(page, ""), "")
		return answer{res.StatusCode, res.Header.Get("Location"), body, page}
	}
	registered, opened, unknown := ask(appNumber), ask(window), ask(residentID(42))
	if registered != opened || opened != unknown || registered.status != http.StatusSeeOther {
		t.Fatalf("answers differ:\nregistered %+v\nwindow %+v\nunknown %+v", registered, opened, unknown)
	}
	owner := cf.texts(appPhone)
	if len(owner) != 1 || !strings.Contains(owner[0].Text, "有人试图用您的证件号码注册") || codeRE.MatchString(owner[0].Text) {
		t.Fatalf("owner's texts: %+v", owner)
	}
	if row := cf.applicantRow(appNumber); row.name != "王小明" || row.phone != appPhone {
		t.Fatalf("registered account changed: %+v", row)
	}
	if !cf.anon().signin(appNumber, appPassword) {
		t.Fatal("the owner can no longer sign in")
	}
}

func TestRegisterThrottle(t *testing.T) {
	cf := newCaseFixture(t)
	number := residentID(51)
	for i := 0; i < 5; i++ {
		cf.register(registerForm(number, "陈", "13900000051", "abcd12345"))
	}
	c := cf.anon()
	c.get("/register")
	res, body := c.post("/register", registerForm(number, "陈", "13900000051", "abcd12345"))
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "尝试次数过多") {
		t.Fatalf("sixth registration of a number: %d %s", res.StatusCode, problemOf(body))
	}
	if n := len(cf.texts("13900000051")); n != 5 {
		t.Fatalf("%d texts for one number", n)
	}
	// One address: twenty registrations and wrong codes an hour, whatever
	// the numbers.
	for i := 0; i < 14; i++ {
		cf.register(registerForm(residentID(60+i), "陈", "13900000052", "abcd12345"))
	}
	cf.register(registerForm(residentID(90), "陈", "13900000052", "abcd12345"))
	// Fifteen registrations named one phone: it got five texts.
	if n := len(cf.texts("13900000052")); n != 5 {
		t.Fatalf("%d texts to one phone in an hour", n)
	}
	res, _ = c.post("/register", registerForm(residentID(91), "陈", "13900000052", "abcd12345"))
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("twenty-first attempt from one address: %d", res.StatusCode)
	}
	// Wrong codes count too, and an hour later the address may try again.
	if res, _ := c.post("/register/verify", url.Values{"code": {"123456"}}); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("code after the limit: %d", res.StatusCode)
	}
	cf.set(cf.clock().Add(61 * time.Minute))
	cf.register(registerForm(residentID(92), "陈", "13900000052", "abcd12345"))
}

// Sign-in takes as long for a number without an account (or without a
// password) as for one with: the time tells nothing.
func TestSigninTimesAlike(t *testing.T) {
	cf := newCaseFixture(t)
	window := residentID(71)
	cf.walkIn(window, "褚", "13900000071")
	fastest := func(number string) time.Duration {
		best := time.Hour
		for i := 0; i < 3; i++ {
			c := cf.anon()
			c.get("/signin")
			start := time.Now()
			if c.signin(number, "wrong-password1") {
				t.Fatal("signed in with a wrong password")
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	known, unknown, opened := fastest(appNumber), fastest(residentID(72)), fastest(window)
	// A password check is tens of milliseconds; skipping it, well under one.
	if unknown < known/3 || opened < known/3 {
		t.Fatalf("sign-in times: known %v, unknown %v, window-opened %v", known, unknown, opened)
	}
}

// The new pages render in both languages with every key translated; a
// code texted for a registration in English is in English.
func TestClaimPagesTranslated(t *testing.T) {
	cf := newCaseFixture(t)
	clerk := cf.login("clerk")
	for _, lang := range []string{"zh-CN", "en"} {
		for _, p := range []struct {
			c    *client
			path string
		}{{cf.anon(), "/register/verify?window=1"}, {cf.register(registerForm(residentID(100), "A", "13900000100", "abcd12345")), "/register/verify"},
			{clerk, "/applicants?q=" + appNumber}} {
			sep := "?"
			if strings.Contains(p.path, "?") {
				sep = "&"
			}
			res, body := p.c.get(p.path + sep + "lang=" + lang)
			if res.StatusCode != http.StatusOK || untranslated.MatchString(body) || !strings.Contains(body, `<html lang="`+lang+`"`) {
				t.Errorf("%s [%s]: %d %q", p.path, lang, res.StatusCode, untranslated.FindString(body))
			}
		}
	}
	if _, body := clerk.get("/applicants?q=" + appNumber); !strings.Contains(body, `data-testid="online-account"`) {
		t.Error("the clerk has no set-up button")
	}
	if _, body := cf.login("reviewer").get("/applicants?q=" + appNumber); strings.Contains(body, `data-testid="online-account"`) {
		t.Error("a reviewer has the set-up button")
	}
	c := cf.anon()
	c.get("/register?lang=en")
	c.post("/register?lang=en", registerForm(residentID(101), "A", "13900000101", "abcd12345"))
	if ms := cf.texts("13900000101"); len(ms) != 1 || !strings.Contains(ms[0].Text, "registration code") {
		t.Errorf("English registration text: %+v", ms)
	}
}
