package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"onestop/internal/cases"
	"onestop/internal/catalogue"
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
