package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/org"
)

var timelineRE = regexp.MustCompile(`(?s)<ol class="timeline".*?</ol>`)
var dtRE = regexp.MustCompile(`<dt>([^<]*)</dt><dd>([^<]*)</dd>`)

// The timeline names every recorded detail in words and shows its value
// formatted: no payload key as a label, no ISO date as a value, in either
// language; verify's record and the document's addressee stay hidden.
func TestTimelineLabelsAreWords(t *testing.T) {
	cf := newCaseFixture(t)
	clerk, reviewer, approver := cf.login("clerk"), cf.login("reviewer"), cf.login("approver")
	no := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, no, cases.ActAccept, nil)
	cf.mustAct(reviewer, no, cases.ActSuspend, url.Values{"pause_reason": {"expert_review"}, "expected_days": {"3"}})
	cf.mustAct(reviewer, no, cases.ActResume, nil)
	cf.mustAct(approver, no, cases.ActExtend, url.Values{"days": {"5"}, "reason": {"情况复杂"}})
	cf.mustAct(reviewer, no, cases.ActForward, url.Values{"opinion": {"符合条件"}})
	cf.mustAct(approver, no, cases.ActApprove, nil)

	rawKey := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	isoDay := regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
	for _, lang := range []string{"zh-CN", "en"} {
		_, body := clerk.get("/cases/" + no + "?lang=" + lang)
		tl := timelineRE.FindString(body)
		if tl == "" {
			t.Fatalf("%s: no timeline", lang)
		}
		labels := map[string]string{}
		for _, m := range dtRE.FindAllStringSubmatch(tl, -1) {
			labels[m[1]] = m[2]
			if rawKey.MatchString(m[1]) {
				t.Errorf("%s: raw label %q", lang, m[1])
			}
			if isoDay.MatchString(m[2]) {
				t.Errorf("%s: %s shows an unformatted day %q", lang, m[1], m[2])
			}
		}
		for _, hidden := range []string{"record", "addressee", "remedy", "王小明", "prev_hash"} {
			if strings.Contains(tl, hidden) {
				t.Errorf("%s: timeline shows %q", lang, hidden)
			}
		}
		want := map[string]map[string]string{
			// Ten working days for delivery from Sep 28 (Art. 44).
			"zh-CN": {"送达期限": "2026年10月16日", "法定期限": "", "天数": "5 个工作日"},
			"en":    {"Delivery due": "16 Oct 2026", "Statutory deadline": "", "Days": "5 working days"},
		}[lang]
		for label, value := range want {
			got, ok := labels[label]
			if !ok || (value != "" && got != value) {
				t.Errorf("%s: %s = %q (present %v), want %q", lang, label, got, ok, value)
			}
		}
	}
}

// A deemed approval was never examined, so its decision must not say
// "经审查，符合法定条件"; it says it is deemed approved, and when.
func TestDeemedApprovalDocumentDoesNotClaimAnExamination(t *testing.T) {
	cf := newCaseFixture(t)
	ctx := context.Background()
	admin, err := cf.srv.Org.StaffByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	clerk := cf.login("clerk")
	st, err := cf.srv.Org.StaffByUsername(ctx, "clerk")
	if err != nil {
		t.Fatal(err)
	}
	cat := &catalogue.Service{DB: cf.db, Now: cf.clock}
	c := catalogue.Content{Type: "licensing", Name: "测试默许", DepartmentID: st.DepartmentID, Audience: "both", LegalBasis: "《中华人民共和国行政许可法》第十二条",
		StatutoryDays: 20, PromisedDays: 5, Visits: 1, Online: true, AtHall: true, DeemedApproval: true, DeemedNote: "依照本省规定，逾期未作决定的视为准予",
		Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}}, Steps: catalogue.DefaultSteps(5)}
	if _, err := cat.Create(ctx, admin.Actor("192.0.2.1"), "T-009", c, ""); err != nil {
		t.Fatal(err)
	}
	no := cf.intake(clerk, "T-009", 1)
	cf.mustAct(clerk, no, cases.ActAccept, nil)
	// Promised deadline 2026-10-10; the sweep after it deems the case approved.
	cf.set(at("2026-10-13"))
	if r, err := cf.srv.Cases.Sweep(ctx); err != nil || r.DeemedApproved != 1 {
		t.Fatalf("sweep: %+v %v", r, err)
	}
	// A fortnight later the clerk signs in afresh.
	_, body := cf.login("clerk").get("/cases/" + no + "/documents/approval?lang=zh-CN")
	if strings.Contains(body, "经审查") || strings.Contains(body, "符合法定条件") {
		t.Errorf("the deemed decision claims an examination:\n%s", body)
	}
	for _, want := range []string{"视为准予行政许可", "承诺期限（2026年10月10日）", "依照本省规定"} {
		if !strings.Contains(body, want) {
			t.Errorf("the deemed decision lacks %q\n%s", want, problemOf(body))
		}
	}
}

// A legal notice is Chinese whatever the UI language: an English page
// prints the Chinese text in force, with English lines marked as an aid.
func TestDocumentsPrintInChineseWithAnEnglishAid(t *testing.T) {
	cf := newCaseFixture(t)
	clerk, reviewer, approver := cf.login("clerk"), cf.login("reviewer"), cf.login("approver")
	no := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, no, cases.ActAccept, nil)
	cf.mustAct(reviewer, no, cases.ActForward, url.Values{"opinion": {"不符合"}})
	cf.mustAct(approver, no, cases.ActRefuse, url.Values{"reason": {"不符合第十二条规定的条件"}})

	res, body := clerk.get("/cases/" + no + "/documents/refusal?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("refusal in English: %d", res.StatusCode)
	}
	doc := regexp.MustCompile(`(?s)<article.*?</article>`).FindString(body)
	for _, want := range []string{"不予行政许可决定书", "经审查，本机关决定不予行政许可", "2026年9月28日", "六十日内依法申请行政复议", "（印章）",
		`class="doc-aid`, "Decision to Refuse", "for reference only"} {
		if !strings.Contains(doc, want) {
			t.Errorf("English page's document lacks %q", want)
		}
	}
	// Every English line is inside an aid; the Chinese stands on its own.
	plain := regexp.MustCompile(`(?s)<span class="doc-aid"[^>]*>.*?</span>|<p class="doc-aid[^"]*"[^>]*>.*?</p>`).ReplaceAllString(doc, "")
	if strings.Contains(plain, "Having examined") || strings.Contains(plain, "Decision to") {
		t.Error("English text outside the aid lines")
	}
	// A Chinese page has no aid.
	_, body = clerk.get("/cases/" + no + "/documents/refusal?lang=zh-CN")
	if strings.Contains(body, "doc-aid") {
		t.Error("a Chinese page carries an English aid")
	}
}

var rowRE = regexp.MustCompile(`(?s)<tr class="row-[^"]*" data-no="([^"]+)">.*?</tr>`)
var lightRE = regexp.MustCompile(`(?s)<td data-testid="inbox-light">(.*?)</td>\s*<td class="num" data-testid="inbox-left">(.*?)</td>`)

// inboxRow returns the light cell and the days cell of a case in an inbox.
func inboxCells(t *testing.T, body, no string) (light, left string) {
	t.Helper()
	for _, m := range rowRE.FindAllStringSubmatch(body, -1) {
		if m[1] == no {
			c := lightRE.FindStringSubmatch(m[0])
			if c == nil {
				t.Fatalf("row of %s has no light and days cells:\n%s", no, m[0])
			}
			return c[1], c[2]
		}
	}
	t.Fatalf("inbox lacks %s", no)
	return "", ""
}

// The inbox's light and days column agree: a decided case shows its
// outcome (on time, or late), never a live green light beside "overdue";
// a supervisor's inbox is titled for what it shows; the state column keeps
// its words on one line.
func TestInboxSignalsAgree(t *testing.T) {
	cf := newCaseFixture(t)
	clerk, reviewer, approver := cf.login("clerk"), cf.login("reviewer"), cf.login("approver")
	onTime := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, onTime, cases.ActAccept, nil) // promised deadline 2026-10-10
	cf.mustAct(reviewer, onTime, cases.ActForward, url.Values{"opinion": {"符合条件"}})
	cf.mustAct(approver, onTime, cases.ActApprove, nil)
	late := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, late, cases.ActAccept, nil)
	open := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, open, cases.ActAccept, nil)

	// Decided on Oct 14, three working days after the deadline (12, 13, 14).
	cf.set(at("2026-10-14"))
	reviewer, approver = cf.login("reviewer"), cf.login("approver")
	cf.mustAct(reviewer, late, cases.ActForward, url.Values{"opinion": {"符合条件"}})
	cf.mustAct(approver, late, cases.ActApprove, nil)

	// A month on, both decided cases wait at the window for the licence.
	cf.set(at("2026-11-10"))
	clerk = cf.login("clerk")
	_, body := clerk.get("/workbench?lang=zh-CN")
	light, left := inboxCells(t, body, onTime)
	if !strings.Contains(light, "按期决定") || strings.Contains(light, "light-") || strings.Contains(left, "超期") {
		t.Errorf("a case decided on time: light %q, days %q", light, left)
	}
	light, left = inboxCells(t, body, late)
	if !strings.Contains(light, "逾期决定") || strings.Contains(light, "light-") || !strings.Contains(left, "决定时已超期 3 个工作日") {
		t.Errorf("a case decided late: light %q, days %q", light, left)
	}
	// The case page says the same: an outcome, not a live light.
	for no, want := range map[string]string{onTime: "按期决定", late: "逾期决定"} {
		page, _ := cf.casePage(clerk, no)
		if !strings.Contains(page, `data-testid="case-outcome"`) || !strings.Contains(page, want) || strings.Contains(page, `data-testid="case-light"`) {
			t.Errorf("case page of %s lacks the outcome %q", no, want)
		}
	}
	// An undecided case past its deadline is red and overdue, in one voice.
	_, body = cf.login("supervisor").get("/workbench?lang=zh-CN")
	light, left = inboxCells(t, body, open)
	if !strings.Contains(light, "light-red") || !strings.Contains(left, "超期") {
		t.Errorf("an overdue open case: light %q, days %q", light, left)
	}
	// The supervisor sees every open case in the county, and is told so.
	if !strings.Contains(body, "<h1>全县在办件</h1>") || strings.Contains(body, "仅显示等待本人办理") || strings.Contains(body, `name="all"`) {
		t.Errorf("supervisor's inbox title or hint:\n%s", problemOf(body))
	}
	if _, b := cf.login("leader").get("/workbench?lang=en"); !strings.Contains(b, "<h1>All open cases in the county</h1>") {
		t.Error("leader's inbox title")
	}
	if _, b := cf.login("reviewer").get("/workbench?lang=zh-CN"); !strings.Contains(b, "<h1>待我办理</h1>") || !strings.Contains(b, "仅显示等待本人办理") {
		t.Error("reviewer's own queue title")
	}
	// The state column does not wrap one character per line.
	if !strings.Contains(body, `<td class="state">`) {
		t.Fatal("the state cell has no class to style")
	}
	css := regexp.MustCompile(`href="(/static/[^"/]+/cases\.css)"`).FindStringSubmatch(body)
	if css == nil {
		t.Fatal("no cases.css link")
	}
	_, sheet := clerk.get(css[1])
	if !regexp.MustCompile(`\.inbox td\.state[^{]*\{[^}]*white-space:nowrap`).MatchString(sheet) {
		t.Error("the state column may wrap")
	}
}

// A signed-in citizen's header shows their name, their cases and sign-out,
// not the staff sign-in.
func TestApplicantHeader(t *testing.T) {
	cf := newCaseFixture(t)
	header := regexp.MustCompile(`(?s)<header class="top">.*?</header>`)
	_, body := cf.anon().get("/guide?lang=zh-CN")
	if h := header.FindString(body); !strings.Contains(h, "工作人员登录") {
		t.Errorf("a visitor's header lacks the staff sign-in:\n%s", h)
	}
	_, body = cf.applicant().get("/guide?lang=zh-CN")
	h := header.FindString(body)
	for _, want := range []string{"王小明", `href="/my/cases"`, "我的办件", `action="/signout"`, "退出"} {
		if !strings.Contains(h, want) {
			t.Errorf("a citizen's header lacks %q:\n%s", want, h)
		}
	}
	if strings.Contains(h, "工作人员登录") {
		t.Error("a citizen's header still offers the staff sign-in")
	}
}

// An item for organisations refuses a citizen on the form's first showing,
// before anything is uploaded; and a form refused for any reason keeps the
// files already received, offered by reference — the uploader's own only.
func TestApplyRefusesEarlyAndKeepsFiles(t *testing.T) {
	cf := newCaseFixture(t)
	ctx := context.Background()
	admin, err := cf.srv.Org.StaffByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	st, err := cf.srv.Org.StaffByUsername(ctx, "clerk")
	if err != nil {
		t.Fatal(err)
	}
	cat := &catalogue.Service{DB: cf.db, Now: cf.clock}
	c := catalogue.Content{Type: "licensing", Name: "测试企业许可", DepartmentID: st.DepartmentID, Audience: "organisation", LegalBasis: "《中华人民共和国行政许可法》第十二条",
		StatutoryDays: 20, PromisedDays: 5, Visits: 1, Online: true, AtHall: true,
		Materials: []catalogue.Material{{Name: "营业执照", Required: true, Form: "copy", Copies: 1}}, Steps: catalogue.DefaultSteps(5)}
	if _, err := cat.Create(ctx, admin.Actor("192.0.2.1"), "T-010", c, ""); err != nil {
		t.Fatal(err)
	}
	app := cf.applicant()
	res, body := app.get("/apply/T-010?lang=zh-CN")
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "此事项只面向法人和其他组织办理") || strings.Contains(body, `type="file"`) {
		t.Fatalf("a citizen opens an organisation's form: %d\n%s", res.StatusCode, problemOf(body))
	}
	uploads := func() int {
		var n int
		if err := cf.db.R.QueryRow(`SELECT COUNT(*) FROM file_owners`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	res, body = app.uploadFiles("/apply/T-010", nil, map[string]fileBody{"m1": {"执照.pdf", tinyPDF}})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "此事项只面向法人和其他组织办理") || uploads() != 0 {
		t.Fatalf("a citizen posts to an organisation's form: %d, %d files kept\n%s", res.StatusCode, uploads(), problemOf(body))
	}

	// A good file and a bad one: refused, the good one kept by reference.
	app.get("/apply/T-001")
	res, body = app.uploadFiles("/apply/T-001", nil, map[string]fileBody{"m1": {"申请表.pdf", tinyPDF}, "m2": {"id.pdf", []byte("<html></html>")}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="kept-file"`) || !strings.Contains(body, "申请表.pdf") {
		t.Fatalf("a refused form: %d\n%s", res.StatusCode, problemOf(body))
	}
	sha := regexp.MustCompile(`name="m1_file" value="([0-9a-f]{64})"`).FindStringSubmatch(body)
	if sha == nil {
		t.Fatal("the kept file is not in the form")
	}
	// Someone else's upload cannot be claimed by its hash.
	theirs := upload(t, cf.login("clerk"), "别人的.pdf", append(append([]byte{}, tinyPDF...), "clerk"...))
	res, body = app.uploadFiles("/apply/T-001", url.Values{"m1_file": {sha[1]}, "m1_name": {"申请表.pdf"}, "m2_file": {theirs}, "m2_name": {"x.pdf"}}, nil)
	if res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, theirs) {
		t.Fatalf("another's file offered by hash: %d\n%s", res.StatusCode, problemOf(body))
	}
	if mine, _ := cf.srv.Cases.ForApplicant(ctx, cf.app.ID, 10); len(mine) != 0 {
		t.Fatal("a refused form opened a case")
	}
	// Sent again with the kept reference and the second file: the case opens
	// with the first upload, not uploaded twice.
	res, body = app.uploadFiles("/apply/T-001", url.Values{"m1_file": {sha[1]}, "m1_name": {"申请表.pdf"}}, map[string]fileBody{"m2": {"身份证.pdf", tinyPDF}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the form sent again: %d\n%s", res.StatusCode, problemOf(body))
	}
	mine, err := cf.srv.Cases.ForApplicant(ctx, cf.app.ID, 10)
	if err != nil || len(mine) != 1 {
		t.Fatalf("cases: %d %v", len(mine), err)
	}
	full, err := cf.srv.Cases.Get(ctx, cases.Actor{ApplicantID: cf.app.ID}, mine[0].No)
	if err != nil {
		t.Fatal(err)
	}
	if m := full.Materials[0]; m.FileSHA != sha[1] || m.FileName != "申请表.pdf" {
		t.Errorf("material 1: %q %q", m.FileSHA, m.FileName)
	}
}

var changeRE = regexp.MustCompile(`<tr><th scope="row">([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td></tr>`)

// The audit log reads as a table of changed fields, labelled in words with
// values formatted — never raw JSON, raw keys, ISO days or true/false.
func TestAuditLogReadsInWords(t *testing.T) {
	cf := newCaseFixture(t) // creates two items: audited with their whole content
	ctx := context.Background()
	adminStaff, err := cf.srv.Org.StaffByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	admin := cf.login("admin")
	// An update of a staff record: only what changed is shown.
	clerk, err := cf.srv.Org.StaffByUsername(ctx, "clerk")
	if err != nil {
		t.Fatal(err)
	}
	in := org.StaffInput{Username: clerk.Username, Name: clerk.Name, Role: clerk.Role, CentreID: clerk.CentreID, DepartmentID: clerk.DepartmentID,
		WindowID: clerk.WindowID, BackupID: clerk.BackupID, Phone: "13900139000", Absent: true}
	if _, err := cf.srv.Org.UpdateStaff(ctx, adminStaff.Actor("192.0.2.1"), clerk.ID, in); err != nil {
		t.Fatal(err)
	}
	cat := &catalogue.Service{DB: cf.db, Now: cf.clock}
	if _, err := cat.SetStatus(ctx, adminStaff.Actor("192.0.2.1"), "T-001", "suspended", "系统升级"); err != nil {
		t.Fatal(err)
	}
	if res, body := admin.post("/admin/calendar", url.Values{"year": {"2027"}, "source": {"国办发明电〔2026〕1号"},
		"days": {"2027-01-01 元旦\n2027-02-06~2027-02-12 春节\n2027-02-14 春节 调休上班\n"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("calendar: %d %s", res.StatusCode, problemOf(body))
	}
	admin.post("/account/tokens", url.Values{"name": {"评价器"}, "days": {"30"}})
	// The newest composite the demo made names its lead department by name.
	lead := cf.text(`SELECT d.name FROM composites c JOIN departments d ON d.id = c.lead_department_id ORDER BY c.id DESC LIMIT 1`)

	rawKey := regexp.MustCompile(`^[a-z]+([ _][a-z]+)*$`)
	for _, lang := range []string{"zh-CN", "en"} {
		_, body := admin.get("/admin/audit?limit=200&lang=" + lang)
		if strings.Contains(body, "<pre>") || strings.Contains(body, `{&#34;`) || strings.Contains(body, `&#34;:`) {
			t.Errorf("%s: the log shows raw JSON", lang)
		}
		rows := changeRE.FindAllStringSubmatch(body, -1)
		if len(rows) < 20 {
			t.Fatalf("%s: only %d changed fields shown", lang, len(rows))
		}
		labels := map[string][2]string{}
		for _, m := range rows {
			label, before, after := m[1], m[2], m[3]
			// The newest entry with the label: the test's own changes come
			// last, above whatever the demo wrote before them.
			if _, seen := labels[label]; !seen {
				labels[label] = [2]string{before, after}
			}
			if rawKey.MatchString(label) || (lang == "zh-CN" && regexp.MustCompile(`[A-Za-z]`).MatchString(label)) {
				t.Errorf("%s: raw label %q", lang, label)
			}
			for _, v := range []string{before, after} {
				// Raw JSON starts with a brace or bracket; a playback
				// template's {placeholders} inside an address are its text.
				if v == "true" || v == "false" || strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[") || (lang == "zh-CN" && isoDayRE.MatchString(v)) {
					t.Errorf("%s: %s shows %q", lang, label, v)
				}
			}
		}
		want := map[string]map[string][2]string{
			"zh-CN": {"手机号码": {"", "13900139000"}, "不在岗": {"否", "是"}, "服务对象": {"", "自然人、法人和其他组织"},
				"牵头单位": {"", lead}, "状态": {"在用", "暂停办理"}, "放假": {"", "元旦 2027年1月1日、春节 2027年2月6日—2027年2月12日"}},
			"en": {"Away": {"No", "Yes"}},
		}[lang]
		for label, v := range want {
			got, ok := labels[label]
			if !ok || (v[0] != "" && got[0] != v[0]) || got[1] != v[1] {
				t.Errorf("%s: %s = %q (present %v), want %q", lang, label, got, ok, v)
			}
		}
	}
}

var isoDayRE = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

// Every key the engine writes into an event's payload has a timeline
// label in both languages, or is one of those kept off the timeline, so a
// key added later cannot show up raw.
func TestEveryPayloadKeyHasALabel(t *testing.T) {
	src, err := filepath.Glob("../cases/*.go")
	if err != nil || len(src) == 0 {
		t.Fatalf("engine sources: %v", err)
	}
	written := regexp.MustCompile(`payload\["([a-z_]+)"\]`)
	keys := map[string]bool{"item_code": true, "item_version": true, "channel": true} // the submit event's literal
	for _, f := range src {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range written.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = true
		}
	}
	if len(keys) < 20 {
		t.Fatalf("found only %d payload keys: %v", len(keys), keys)
	}
	hidden := map[string]bool{"remedy": true, "addressee": true, "record": true}
	for _, lang := range []string{"zh-CN", "en"} {
		files, _ := filepath.Glob("locales/*." + lang + ".toml")
		var all strings.Builder
		for _, f := range files {
			b, _ := os.ReadFile(f)
			all.Write(b)
		}
		for k := range keys {
			if !hidden[k] && !strings.Contains(all.String(), `"case.payload.`+k+`" =`) {
				t.Errorf("%s: no label for payload key %q", lang, k)
			}
		}
	}
}
