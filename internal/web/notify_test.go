package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/internal/cases"
	"onestop/internal/notify"
	"onestop/internal/notify/tell"
)

func init() {
	// Issue 14 §4: one's own channel choice (an applicant's session, else
	// the sign-in), one's own notes, the hall admin's outbox.
	expected["GET /me/notify"] = public
	expected["POST /me/notify"] = public
	expected["GET /notes"] = signedIn
	expected["POST /notes/read"] = signedIn
	expected["GET /admin/outbox"] = hallAdmin
	expected["POST /admin/outbox/{id}/retry"] = hallAdmin
	// Another county's message answers 404: TestOutboxAdminCountyScope.
	scopeRoutes["POST /admin/outbox/{id}/retry"] = kNone
	filterParams["GET /admin/outbox"] = []string{"status"}
}

// sent records what the outbox handed to a gateway.
type sent struct {
	mu  sync.Mutex
	out []notify.Outgoing
}

func (s *sent) Send(_ context.Context, m notify.Outgoing) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out = append(s.out, m)
	return nil
}

// deliver runs the server's outbox with recording gateways.
func (cf *caseFixture) deliver() (sms, mail []notify.Outgoing) {
	cf.t.Helper()
	s, m := &sent{}, &sent{}
	cf.srv.Outbox.SMS, cf.srv.Outbox.Mail = s, m
	if _, err := cf.srv.Outbox.Deliver(context.Background(), 100); err != nil {
		cf.t.Fatal(err)
	}
	return s.out, m.out
}

// The applicant hears of receipt and acceptance by SMS to the phone on the
// case, in Chinese, naming the case; after choosing e-mail and English on
// their page, the next step (suspension) comes both ways in English. The
// reviewer the accepted case reached finds it on their notes page, and
// nobody else does.
func TestApplicantToldAsTheyChoose(t *testing.T) {
	cf := newCaseFixture(t)
	clerk := cf.login("clerk")
	no := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, no, cases.ActAccept, nil)
	sms, mail := cf.deliver()
	if len(sms) != 2 || len(mail) != 0 {
		t.Fatalf("after receipt and acceptance: %d texts, %d e-mails; want 2 texts", len(sms), len(mail))
	}
	for i, want := range []string{"材料已收到", "已受理，承诺办结期限为 2026-10-"} {
		if m := sms[i]; m.To != appPhone || !strings.Contains(m.Text, no) || !strings.Contains(m.Text, "测试许可") || !strings.Contains(m.Text, want) {
			t.Errorf("text %d: %+v, want %q", i, m, want)
		}
	}

	app := cf.applicant()
	app.get("/me/notify")
	// E-mail without an address, and a malformed address: field errors,
	// nothing saved.
	for _, bad := range []url.Values{{"notify_by": {"email"}, "lang": {"en"}}, {"notify_by": {"both"}, "email": {"wang@@example"}, "lang": {"en"}},
		{"notify_by": {"fax"}, "lang": {"en"}}, {"notify_by": {"sms"}, "lang": {"fr"}}} {
		res, body := app.post("/me/notify", bad)
		if res.StatusCode != http.StatusUnprocessableEntity || len(fieldErrors(body)) == 0 {
			t.Errorf("%v: %d %v", bad, res.StatusCode, fieldErrors(body))
		}
	}
	var by string
	if err := cf.db.R.QueryRow(`SELECT notify_by FROM applicants WHERE id_number = $1`, appNumber).Scan(&by); err != nil || by != "sms" {
		t.Fatalf("refused forms changed the choice to %q (%v)", by, err)
	}
	if res, body := app.post("/me/notify", url.Values{"notify_by": {"both"}, "email": {"wang@example.cn"}, "lang": {"en"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.StatusCode, problemOf(body))
	}

	assignee := ""
	if err := cf.db.R.QueryRow(`SELECT s.username FROM cases c JOIN staff s ON s.id = c.assignee_id WHERE c.no = $1`, no).Scan(&assignee); err != nil {
		t.Fatal(err)
	}
	reviewer := cf.login(assignee)
	if _, body := reviewer.get("/notes"); !strings.Contains(body, no) || !strings.Contains(body, "新办件") {
		t.Errorf("the reviewer's notes lack the new case %s", no)
	}
	if _, body := cf.login("approver").get("/notes"); strings.Contains(body, no) {
		t.Errorf("another person's notes show the case %s", no)
	}
	cf.mustAct(reviewer, no, cases.ActSuspend, url.Values{"pause_reason": {"expert_review"}, "expected_days": {"3"}, "reason": {"专家评审"}})
	sms, mail = cf.deliver()
	if len(sms) != 1 || len(mail) != 1 {
		t.Fatalf("after suspension: %d texts, %d e-mails; want one each", len(sms), len(mail))
	}
	for _, m := range append(sms, mail...) {
		if !strings.Contains(m.Text, "special procedure") || !strings.Contains(m.Text, no) {
			t.Errorf("%s: %q, want the English suspension notice", m.Channel, m.Text)
		}
	}
	if mail[0].To != "wang@example.cn" || mail[0].Subject == "" {
		t.Errorf("e-mail %+v", mail[0])
	}
}

// A case's staff member is told once when its light turns yellow and once
// when it turns red, however often the sweep runs.
func TestLightNotesOncePerChange(t *testing.T) {
	cf := newCaseFixture(t)
	clerk := cf.login("clerk")
	no := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, no, cases.ActAccept, nil)
	var deadline time.Time
	if err := cf.db.R.QueryRow(`SELECT deadline FROM cases WHERE no = $1`, no).Scan(&deadline); err != nil {
		t.Fatal(err)
	}
	notes := func() int {
		return int(cf.idOf(`SELECT COUNT(*) FROM staff_notes n JOIN cases c ON c.id = n.case_id WHERE c.no = $1 AND n.template_key LIKE 'notify.staff.light.%'`, no))
	}
	// Two processes sweep at once: both read before either writes, and
	// the case is told once; then a later sweep finds nothing new.
	ctx := context.Background()
	sweep := func(at time.Time) {
		cf.set(at)
		a, err := cf.srv.Lights.Turned(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		b, err := cf.srv.Lights.Turned(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		for _, turn := range append(a, b...) {
			if _, err := cf.srv.Lights.Tell(ctx, turn, at); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := cf.srv.Lights.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	sweep(cf.clock())
	if n := notes(); n != 0 {
		t.Fatalf("a green case got %d light notes", n)
	}
	sweep(time.Date(deadline.Year(), deadline.Month(), deadline.Day(), 2, 0, 0, 0, time.UTC))
	if n := notes(); n != 1 {
		t.Fatalf("yellow: %d notes, want 1", n)
	}
	sweep(time.Date(deadline.Year(), deadline.Month(), deadline.Day()+3, 2, 0, 0, 0, time.UTC))
	if n := notes(); n != 2 {
		t.Fatalf("red: %d notes, want 2", n)
	}
	if n := cf.idOf(`SELECT COUNT(*) FROM staff_notes WHERE template_key = 'notify.staff.light.red'`); n != 1 {
		t.Fatalf("red notes %d", n)
	}
}

// The hall admin sees their county's pending and failed messages (the
// phone masked, no text), retries a failed one, and cannot see or retry
// another county's; the retry needs the CSRF token.
func TestOutboxAdminCountyScope(t *testing.T) {
	f := newFixture(t)
	f.secondCounty()
	ctx := context.Background()
	now := time.Now()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(notify.QueueMsg(ctx, f.db.W, notify.Msg{Channel: notify.SMS, To: "13800138001", Key: "notify.case.msg.accepted", Region: "431022"}, now))
	own := f.idOf(`SELECT MAX(id) FROM sms_outbox`)
	must(notify.QueueMsg(ctx, f.db.W, notify.Msg{Channel: notify.SMS, To: "13800138002", Key: "notify.case.msg.accepted", Region: "431023"}, now))
	other := f.idOf(`SELECT MAX(id) FROM sms_outbox`)
	f.exec(`UPDATE sms_outbox SET status = 'failed', attempts = 8, last_error = 'gateway 503' WHERE id IN ($1, $2)`, own, other)

	admin := f.login("admin")
	res, body := admin.get("/admin/outbox?status=failed")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "gateway 503") || !strings.Contains(body, "138****8001") {
		t.Fatalf("outbox page: %d\n%s", res.StatusCode, body)
	}
	if strings.Contains(body, "8002") || strings.Contains(body, "13800138001") {
		t.Errorf("the page shows another county's message or a whole phone number")
	}
	if res, _ := admin.get("/admin/outbox?status=everything"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("?status=everything: %d, want 422", res.StatusCode)
	}
	if res, _ := admin.post("/admin/outbox/"+itoa64(other)+"/retry", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("retry of another county's message: %d, want 404", res.StatusCode)
	}
	if res, _ := admin.post("/admin/outbox/"+itoa64(own)+"/retry", url.Values{"csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("retry with a forged token: %d, want 403", res.StatusCode)
	}
	status := func(id int64) (s string) {
		must(f.db.R.QueryRow(`SELECT status FROM sms_outbox WHERE id = $1`, id).Scan(&s))
		return s
	}
	if status(own) != notify.Failed || status(other) != notify.Failed {
		t.Fatal("a refused retry changed a message")
	}
	if res, body := admin.post("/admin/outbox/"+itoa64(own)+"/retry", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("retry: %d %s", res.StatusCode, problemOf(body))
	}
	if status(own) != notify.Pending || f.idOf(`SELECT attempts FROM sms_outbox WHERE id = $1`, own) != 0 {
		t.Fatal("the retried message is not pending afresh")
	}
	if res, _ := admin.post("/admin/outbox/"+itoa64(own)+"/retry", nil); res.StatusCode != http.StatusConflict {
		t.Errorf("retry of a pending message: %d, want 409", res.StatusCode)
	}
}

// Every message a case action gives the applicant has its outbox
// template in both languages: a key without one would fail in the outbox
// instead of reaching the applicant.
func TestEveryCaseMessageHasANotifyTemplate(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("locales", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// Case messages live in every area's file (cases, township, modes,
	// bundles...), so every file is read.
	files, err := filepath.Glob(filepath.Join("locales", "*.zh-CN.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var keys [][]string
	for _, f := range files {
		keys = append(keys, regexp.MustCompile(`(?m)^"(case\.msg\.[a-z_]+)"`).FindAllStringSubmatch(read(filepath.Base(f)), -1)...)
	}
	if len(keys) < 10 {
		t.Fatalf("found only %d case messages", len(keys))
	}
	for _, lang := range []string{"zh-CN", "en"} {
		tpl := read("notify." + lang + ".toml")
		for _, k := range keys {
			if !strings.Contains(tpl, `"`+tell.TemplateKey(k[1])+`"`) {
				t.Errorf("notify.%s.toml lacks %s", lang, tell.TemplateKey(k[1]))
			}
		}
	}
}

// The online application form asks how to be told (issue 14 §4, "as they
// choose"): it shows the saved choice, saves a new one with the case in
// one transaction — so the receipt already goes that way — and a refused
// form changes neither.
func TestApplyFormChoosesHowToBeTold(t *testing.T) {
	cf := newCaseFixture(t)
	app := cf.applicant()
	_, page := app.get("/apply/T-001")
	if !strings.Contains(page, `data-testid="apply-notify"`) || !strings.Contains(page, `<option value="sms" selected>`) {
		t.Fatalf("the form does not offer the saved choice:\n%s", between(page, `data-testid="apply-notify"`, "</fieldset>"))
	}
	choice := func() (by, email string) {
		t.Helper()
		if err := cf.db.R.QueryRow(`SELECT notify_by, email FROM applicants WHERE id_number = $1`, appNumber).Scan(&by, &email); err != nil {
			t.Fatal(err)
		}
		return by, email
	}
	files := map[string]fileBody{"m1": {"申请表.pdf", tinyPDF}, "m2": {"身份证.pdf", tinyPDF}}
	// E-mail without an address: the field says so, no case, no change.
	res, body := app.uploadFiles("/apply/T-001", url.Values{"notify_by": {"email"}, "email": {""}}, files)
	if res.StatusCode != http.StatusUnprocessableEntity || fieldErrors(body)["email"] == "" {
		t.Fatalf("e-mail without address: %d %v", res.StatusCode, fieldErrors(body))
	}
	// A valid choice on a form the engine refuses (an unknown mode) is
	// not saved either: it goes with the case or not at all.
	res, body = app.uploadFiles("/apply/T-001", url.Values{"notify_by": {"email"}, "email": {"wang@example.cn"}, "mode": {"bogus"}}, files)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("unknown mode: %d %s", res.StatusCode, problemOf(body))
	}
	if by, email := choice(); by != "sms" || email != "" {
		t.Fatalf("refused forms changed the choice to %q %q", by, email)
	}
	if mine, _ := cf.srv.Cases.ForApplicant(t.Context(), cf.app.ID, 10); len(mine) != 0 {
		t.Fatalf("refused forms opened %d cases", len(mine))
	}
	res, body = app.uploadFiles("/apply/T-001", url.Values{"notify_by": {"email"}, "email": {"wang@example.cn"}}, files)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d %s", res.StatusCode, problemOf(body))
	}
	if by, email := choice(); by != "email" || email != "wang@example.cn" {
		t.Fatalf("choice after applying: %q %q", by, email)
	}
	sms, mail := cf.deliver()
	if len(sms) != 0 || len(mail) != 1 || mail[0].To != "wang@example.cn" || !strings.Contains(mail[0].Text, "材料已收到") {
		t.Fatalf("receipt: %d texts, e-mails %+v", len(sms), mail)
	}
}
