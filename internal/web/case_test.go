package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"onestop/internal/cases"
)

// A walk-in at the window, through the HTML forms only: intake → accept →
// forward → approve → complete → deliver, each by the role the item's
// template names, with the clock and the record on the case page.
func TestWindowCaseThroughTheForms(t *testing.T) {
	cf := newCaseFixture(t)
	clerk, reviewer, approver := cf.login("clerk"), cf.login("reviewer"), cf.login("approver")

	// The intake page finds the returning applicant by number and lists
	// the item's materials.
	res, body := clerk.get("/workbench/intake?id_number=" + appNumber + "&item=测试许")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "王小明") || !strings.Contains(body, "身份证件") || !strings.Contains(body, `name="m2_paper"`) {
		t.Fatalf("intake lookup: %d\n%s", res.StatusCode, problemOf(body))
	}
	no := cf.intake(clerk, "T-001", 1, 2)
	if !strings.HasPrefix(no, "431022"+"20260928") {
		t.Fatalf("case number %q", no)
	}
	page, _ := cf.casePage(clerk, no)
	for _, want := range []string{"已收件", "材料接收凭证", "/cases/" + no + "/documents/receipt", `id="act-accept"`, `id="act-supplement"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("case page after intake lacks %q", want)
		}
	}
	// The reviewer sees nothing to do yet; the clerk's inbox has it.
	if _, b := reviewer.get("/cases/" + no); strings.Contains(b, `id="act-forward"`) {
		t.Fatal("reviewer offered forward before acceptance")
	}
	if _, b := clerk.get("/workbench"); !strings.Contains(b, no) {
		t.Fatal("clerk inbox lacks the new case")
	}

	cf.mustAct(clerk, no, cases.ActAccept, nil)
	page, _ = cf.casePage(clerk, no)
	// Accepted Monday 2026-09-28 with 5 promised days: Sep 29, 30, then the
	// National Day holiday, Oct 8, 9 and the adjusted working Saturday Oct 10.
	for _, want := range []string{"审查中", "2026年10月10日", "跳过国庆节假期", "调休上班日", "受理通知书"} {
		if !strings.Contains(page, want) {
			t.Fatalf("case page after accept lacks %q", want)
		}
	}
	if _, b := reviewer.get("/workbench"); !strings.Contains(b, no) || !strings.Contains(b, "light-green") {
		t.Fatal("reviewer inbox lacks the accepted case or its light")
	}
	// Forward needs an opinion: a field error, not a 500.
	res, body = cf.act(reviewer, no, cases.ActForward, url.Values{"opinion": {" "}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "此项为必填项") {
		t.Fatalf("forward without opinion: %d", res.StatusCode)
	}
	cf.mustAct(reviewer, no, cases.ActForward, url.Values{"opinion": {"材料齐全，符合条件。"}})
	cf.mustAct(approver, no, cases.ActApprove, url.Values{"opinion": {"同意"}})
	cf.mustAct(clerk, no, cases.ActComplete, nil)
	res, body = cf.act(clerk, no, cases.ActDeliver, url.Values{"delivery": {"pigeon"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请从列表中选择") {
		t.Fatalf("deliver by pigeon: %d", res.StatusCode)
	}
	cf.mustAct(clerk, no, cases.ActDeliver, url.Values{"delivery": {"window"}})

	page, _ = cf.casePage(clerk, no)
	for _, want := range []string{"已送达", "材料齐全，符合条件。", "准予行政许可决定书", "首席代表（一核）", "窗口领取"} {
		if !strings.Contains(page, want) {
			t.Fatalf("final case page lacks %q", want)
		}
	}
	if n := strings.Count(page, `<li><span class="when">`); n < 6 {
		t.Fatalf("timeline has %d lines, want 6", n)
	}
	if strings.Contains(page, `class="action"`) {
		t.Fatal("a delivered case still offers actions")
	}
	// A supervisor reads the case with the applicant masked; a township
	// clerk of another scope does not find it.
	_, sup := cf.login("supervisor").get("/cases/" + no)
	if strings.Contains(sup, appNumber) || !strings.Contains(sup, "110105********002X") {
		t.Fatal("supervisor sees the full ID number")
	}
	if res, _ := cf.login("tclerk").get("/cases/" + no); res.StatusCode != http.StatusNotFound {
		t.Fatalf("township clerk of another scope: %d", res.StatusCode)
	}
}

// Two clerks on one case: the second acts on a stale page and is told the
// case changed, on a page showing the new state.
func TestStaleVersionShowsTheNewState(t *testing.T) {
	cf := newCaseFixture(t)
	clerk := cf.login("clerk")
	no := cf.intake(clerk, "T-001", 1, 2)
	_, stale := cf.casePage(clerk, no)
	cf.mustAct(clerk, no, cases.ActAccept, url.Values{"version": {stale}})
	res, body := clerk.post("/cases/"+no+"/actions/decline", url.Values{"version": {stale}, "reason": {"不属于本机关职权"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "案件已被他人处理，请查看最新状态") || !strings.Contains(body, "审查中") {
		t.Fatalf("stale version: %d\n%s", res.StatusCode, problemOf(body))
	}
	// The page now carries the new version, and no stale values.
	if m := versionRE.FindStringSubmatch(body); m != nil && m[1] == stale {
		t.Fatal("the re-rendered page still carries the stale version")
	}
	if strings.Contains(body, "不属于本机关职权</textarea>") {
		t.Fatal("stale form values shown again")
	}
	// A state the engine refuses is a clear conflict too, not a 500.
	res, body = cf.act(clerk, no, cases.ActAccept, nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "不能进行") {
		t.Fatalf("accept twice: %d\n%s", res.StatusCode, problemOf(body))
	}
}

// The one-time supplement notice: every row needs a note, the notice
// document lists every material named, the applicant sees which.
func TestSupplementNoticeFromTheCasePage(t *testing.T) {
	cf := newCaseFixture(t)
	clerk := cf.login("clerk")
	no := cf.intake(clerk, "T-001", 1) // the ID copy (2) is missing
	res, body := cf.act(clerk, no, cases.ActAccept, nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "必交材料不齐（身份证件）") {
		t.Fatalf("accept with a missing material: %d\n%s", res.StatusCode, problemOf(body))
	}
	res, body = cf.act(clerk, no, cases.ActSupplement, url.Values{"m2_status": {"missing"}, "m1_status": {"defective"}, "m1_note": {"缺少签名"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-materials.2.note"`) || !strings.Contains(body, "此项为必填项") {
		t.Fatalf("supplement without a note: %d\n%s", res.StatusCode, problemOf(body))
	}
	if !strings.Contains(body, `value="缺少签名"`) {
		t.Fatal("the posted notes are lost on the error page")
	}
	if b, _ := cf.casePage(clerk, no); !strings.Contains(b, "已收件") {
		t.Fatal("a refused notice changed the case")
	}
	cf.mustAct(clerk, no, cases.ActSupplement, url.Values{"m2_status": {"missing"}, "m2_note": {"请提供身份证复印件"}, "m1_status": {"defective"}, "m1_note": {"缺少签名"}})
	res, doc := clerk.get("/cases/" + no + "/documents/supplement")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("supplement notice: %d", res.StatusCode)
	}
	for _, want := range []string{"补正材料通知书", no, "请提供身份证复印件", "缺少签名", "申请表", "身份证件", "data:image/png;base64,", "《中华人民共和国行政许可法》第十二条"} {
		if !strings.Contains(doc, want) {
			t.Fatalf("supplement notice lacks %q", want)
		}
	}
	// The applicant's page names the materials and offers the upload.
	app := cf.applicant()
	res, mine := app.get("/my/cases/" + no)
	if res.StatusCode != http.StatusOK || !strings.Contains(mine, "请一次性补齐以下材料") || !strings.Contains(mine, "请提供身份证复印件") ||
		!strings.Contains(mine, `action="/my/cases/`+no+`/resubmit"`) {
		t.Fatalf("applicant's case page: %d", res.StatusCode)
	}
	res, body = app.uploadFiles("/my/cases/"+no+"/resubmit", url.Values{"version": {versionRE.FindStringSubmatch(mine)[1]}},
		map[string]fileBody{"m2": {"身份证.pdf", tinyPDF}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("resubmit: %d\n%s", res.StatusCode, problemOf(body))
	}
	page, _ := cf.casePage(clerk, no)
	if !strings.Contains(page, "已收件") || !strings.Contains(page, "身份证.pdf") {
		t.Fatal("the clerk does not see the supplemented file")
	}
	// The clerk previews it with its stored type.
	sha := regexp.MustCompile(`/files/([0-9a-f]{64})`).FindStringSubmatch(page)
	res, data := clerk.get("/cases/" + no + "/files/" + sha[1])
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || data != string(tinyPDF) ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "inline") {
		t.Fatalf("file: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	if res, _ := clerk.get("/cases/" + no + "/files/" + strings.Repeat("0", 64)); res.StatusCode != http.StatusNotFound {
		t.Fatalf("a file the case does not name: %d", res.StatusCode)
	}
}

// Uploads: only PDF, JPEG and PNG, at most 10 MB a file and 20 MB a request.
func TestUploadRefusals(t *testing.T) {
	cf := newCaseFixture(t)
	app := cf.applicant()
	app.get("/apply/T-001")
	res, body := app.uploadFiles("/apply/T-001", nil, map[string]fileBody{"m1": {"form.pdf", []byte("<html><script>alert(1)</script>")}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "只接受 PDF、JPG、PNG 格式的文件") {
		t.Fatalf("html upload: %d\n%s", res.StatusCode, problemOf(body))
	}
	big := append(append([]byte{}, tinyPDF...), bytes.Repeat([]byte{' '}, 11<<20)...)
	res, body = app.uploadFiles("/apply/T-001", nil, map[string]fileBody{"m1": {"big.pdf", big}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "文件不能超过 10 MB") {
		t.Fatalf("11 MB upload: %d\n%s", res.StatusCode, problemOf(body))
	}
	huge := append(append([]byte{}, tinyPDF...), bytes.Repeat([]byte{' '}, 21<<20)...)
	res, _ = app.uploadFiles("/apply/T-001", nil, map[string]fileBody{"m1": {"huge.pdf", huge}})
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("21 MB request: %d", res.StatusCode)
	}
	mine, _ := cf.srv.Cases.ForApplicant(t.Context(), cf.app.ID, 10)
	if len(mine) != 0 {
		t.Fatal("a refused upload opened a case")
	}
	// An item not open online is not found here.
	if res, _ := app.get("/apply/T-003"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("apply for an item not online: %d", res.StatusCode)
	}
	// A good upload opens the case; the applicant lands on it.
	res, body = app.uploadFiles("/apply/T-001", nil, map[string]fileBody{"m1": {"申请表.pdf", tinyPDF}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/my/cases/") {
		t.Fatalf("apply: %d\n%s", res.StatusCode, problemOf(body))
	}
	// The API refuses the same way.
	res, out := uploadAPI(app, "x.html", []byte("<html></html>"))
	if res.StatusCode != http.StatusUnprocessableEntity || fieldOf(out, "file") == "" {
		t.Fatalf("API upload of HTML: %d %v", res.StatusCode, out)
	}
	// Visitors may not upload at all.
	if res, _ := uploadAPI(cf.anon(), "a.pdf", tinyPDF); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("visitor upload: %d", res.StatusCode)
	}
}

func uploadAPI(c *client, name string, data []byte) (*http.Response, map[string]any) {
	res, body := c.uploadFiles("/api/v1/files", nil, map[string]fileBody{"file": {name, data}})
	var out map[string]any
	_ = json.Unmarshal([]byte(body), &out)
	return res, out
}

func fieldOf(out map[string]any, field string) string {
	e, _ := out["error"].(map[string]any)
	f, _ := e["fields"].(map[string]any)
	s, _ := f[field].(string)
	return s
}

// Every document the engine issues prints with the case number, the
// dates, the organ, the remedy where the law requires it, and a QR code;
// the applicant opens their own, nobody else's.
func TestDocumentsRender(t *testing.T) {
	cf := newCaseFixture(t)
	clerk, reviewer, approver := cf.login("clerk"), cf.login("reviewer"), cf.login("approver")
	a := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, a, cases.ActAccept, nil)
	cf.mustAct(reviewer, a, cases.ActSuspend, url.Values{"pause_reason": {"expert_review"}, "expected_days": {"3"}})
	cf.mustAct(reviewer, a, cases.ActResume, nil)
	cf.mustAct(approver, a, cases.ActExtend, url.Values{"days": {"5"}, "reason": {"情况复杂"}})
	cf.mustAct(reviewer, a, cases.ActForward, url.Values{"opinion": {"符合条件"}})
	cf.mustAct(approver, a, cases.ActRefuse, url.Values{"reason": {"不符合第十二条规定的条件"}})
	b := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, b, cases.ActDecline, url.Values{"reason": {"不属于本机关职权范围"}, "right_organ": {"郴州市市场监督管理局"}})
	c := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, c, cases.ActAccept, nil)
	cf.mustAct(reviewer, c, cases.ActForward, url.Values{"opinion": {"符合条件"}})
	cf.mustAct(approver, c, cases.ActApprove, nil)

	remedy := "六十日内依法申请行政复议"
	docs := []struct {
		no, kind string
		want     []string
	}{
		{a, "receipt", []string{"材料接收凭证", "2026年9月28日", "申请表", "未收到"}},
		{a, "acceptance", []string{"受理通知书", "2026年9月28日", "承诺办结期限"}},
		{a, "suspension", []string{"特别程序告知书", "专家评审", "第四十五条"}},
		{a, "extension", []string{"延长办理期限告知书", "情况复杂", "5 个工作日"}},
		{a, "refusal", []string{"不予行政许可决定书", "不符合第十二条规定的条件", remedy}},
		{b, "non_acceptance", []string{"不予受理决定书", "不属于本机关职权范围", "郴州市市场监督管理局", remedy}},
		// Ten working days from Sep 28 for delivery (Art. 44): Sep 29, 30,
		// Oct 8, 9, 10 (adjusted Saturday), 12–16.
		{c, "approval", []string{"准予行政许可决定书", "准予行政许可", "送达期限：2026年10月16日"}},
	}
	for _, d := range docs {
		res, body := clerk.get("/cases/" + d.no + "/documents/" + d.kind + "?lang=zh-CN")
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", d.kind, res.StatusCode)
			continue
		}
		for _, want := range append(d.want, d.no, "data:image/png;base64,", "《中华人民共和国行政许可法》第十二条", "（印章）", `data-testid="doc-qr"`) {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q\n%s", d.kind, want, problemOf(body))
				break
			}
		}
		if d.kind != "refusal" && d.kind != "non_acceptance" && strings.Contains(body, remedy) {
			t.Errorf("%s carries the remedy text", d.kind)
		}
		if res, _ := clerk.get("/cases/" + d.no + "/documents/" + d.kind + "?lang=en"); res.StatusCode != http.StatusOK {
			t.Errorf("%s in English: %d", d.kind, res.StatusCode)
		}
	}
	// Not issued (yet): not found.
	if res, _ := clerk.get("/cases/" + b + "/documents/approval"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a document never issued: %d", res.StatusCode)
	}
	if res, _ := clerk.get("/cases/" + b + "/documents/nonsense"); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown kind: %d", res.StatusCode)
	}
	// The applicant opens theirs under /my; a visitor is sent to sign in.
	app := cf.applicant()
	if res, body := app.get("/my/cases/" + a + "/documents/refusal"); res.StatusCode != http.StatusOK || !strings.Contains(body, a) {
		t.Errorf("applicant's refusal: %d", res.StatusCode)
	}
	if res, _ := cf.anon().get("/my/cases/" + a + "/documents/refusal"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("visitor: %d", res.StatusCode)
	}
	// The QR code leads to the public progress query for the case.
	_, body := clerk.get("/cases/" + a + "/documents/receipt")
	if !strings.Contains(body, "@page") && !strings.Contains(body, "cases.css") {
		t.Error("no print stylesheet linked")
	}
}

// The public progress query: a wrong phone answers exactly as an unknown
// number, on the page and in the API.
func TestProgressWrongPhoneEqualsUnknown(t *testing.T) {
	cf := newCaseFixture(t)
	no := cf.intake(cf.login("clerk"), "T-001", 1, 2)
	visitor := cf.anon()
	res, out := visitor.api("GET", "/api/v1/progress?no="+no+"&phone="+appPhone, "")
	if res.StatusCode != http.StatusOK || out["state"] != "received" || out["no"] != no {
		t.Fatalf("progress: %d %v", res.StatusCode, out)
	}
	get := func(path string) (int, string) {
		req, _ := http.NewRequest("GET", cf.ts.URL+path, nil)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r.StatusCode, string(b)
	}
	ws, wb := get("/api/v1/progress?no=" + no + "&phone=13900139000")
	us, ub := get("/api/v1/progress?no=431022202609289999&phone=13900139000")
	if ws != http.StatusNotFound || ws != us || wb != ub {
		t.Fatalf("wrong phone %d %q vs unknown number %d %q", ws, wb, us, ub)
	}
	// The page: same status and the same message.
	_, page := visitor.get("/progress?no=" + no + "&phone=" + appPhone)
	if !strings.Contains(page, "测试许可") || !strings.Contains(page, "已收件") || strings.Contains(page, "王小明") {
		t.Fatal("progress page: wrong content (or a name)")
	}
	r1, p1 := visitor.get("/progress?no=" + no + "&phone=13900139000")
	r2, p2 := visitor.get("/progress?no=431022202609289999&phone=13900139000")
	if r1.StatusCode != r2.StatusCode || !strings.Contains(p1, "没有找到") || problemOf(p1) != problemOf(p2) {
		t.Fatalf("progress page: wrong phone %d vs unknown %d", r1.StatusCode, r2.StatusCode)
	}
}

// The deadline calculator API: the stable shape, the National Day note,
// the request's language, and field errors for bad input.
func TestDeadlineAPI(t *testing.T) {
	cf := newCaseFixture(t)
	c := cf.anon()
	res, out := c.api("GET", "/api/v1/calendar/deadline?from=2026-09-30&days=1", "")
	if res.StatusCode != http.StatusOK || out["deadline"] != "2026-10-08" || out["from"] != "2026-09-30" || out["days"] != float64(1) || out["provisional"] != false {
		t.Fatalf("deadline: %d %v", res.StatusCode, out)
	}
	hasNote := func(out map[string]any, kind, text string) bool {
		list, _ := out["explanation"].([]any)
		for _, x := range list {
			n, _ := x.(map[string]any)
			if n["kind"] == kind && strings.Contains(fmt.Sprint(n["text"]), text) {
				return true
			}
		}
		return false
	}
	if !hasNote(out, "holiday", "国庆节") {
		t.Fatalf("no National Day note: %v", out["explanation"])
	}
	_, out = c.api("GET", "/api/v1/calendar/deadline?from=2026-09-30&days=1&lang=en", "")
	if !hasNote(out, "holiday", "National Day") {
		t.Fatalf("no English note: %v", out["explanation"])
	}
	// A year without data is provisional, and says so.
	_, out = c.api("GET", "/api/v1/calendar/deadline?from=2027-03-01&days=3", "")
	if out["provisional"] != true || !hasNote(out, "missing_year", "2027") {
		t.Fatalf("2027: %v", out)
	}
	for q, field := range map[string]string{
		"from=2026-02-30&days=1": "from", "from=30.9.2026&days=1": "from", "days=1": "from",
		"from=2026-09-30&days=abc": "days", "from=2026-09-30&days=501": "days", "from=2026-09-30&days=-1": "days", "from=2026-09-30": "days",
	} {
		res, out := c.api("GET", "/api/v1/calendar/deadline?"+q, "")
		if res.StatusCode != http.StatusUnprocessableEntity || fieldOf(out, field) == "" {
			t.Errorf("%s: %d %v", q, res.StatusCode, out)
		}
	}
	// The page answers the same.
	_, page := c.get("/calendar/deadline?from=2026-09-30&days=1")
	if !strings.Contains(page, "2026年10月8日") || !strings.Contains(page, "国庆节") {
		t.Fatal("deadline page")
	}
	if res, page := c.get("/calendar/deadline?from=x&days=1"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "YYYY-MM-DD") {
		t.Fatalf("deadline page with a bad date: %d", res.StatusCode)
	}
}

// The holiday table: everyone on staff reads it; only the county hall's
// admin edits; a missing next year is announced.
func TestCalendarAdmin(t *testing.T) {
	cf := newCaseFixture(t)
	admin := cf.login("admin")
	res, page := admin.get("/admin/calendar")
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "2027 年尚未录入节假日安排") || !strings.Contains(page, "2026-10-01~2026-10-07 国庆节") {
		t.Fatalf("calendar page: %d", res.StatusCode)
	}
	year2027 := "2027-01-01 元旦\n2027-02-06~2027-02-12 春节\n2027-02-14 春节 调休上班\n"
	res, body := admin.post("/admin/calendar", url.Values{"year": {"2027"}, "source": {"国办发明电〔2026〕1号"}, "days": {"2027-01-01 元旦\n2027-13-01 春节"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "2: YYYY-MM-DD") {
		t.Fatalf("bad line: %d\n%s", res.StatusCode, problemOf(body))
	}
	res, body = admin.post("/admin/calendar", url.Values{"year": {"2027"}, "source": {"国办发明电〔2026〕1号"}, "days": {"2027-01-04 元旦 调休上班"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Saturday or Sunday") {
		t.Fatalf("a Monday as adjusted working day: %d\n%s", res.StatusCode, problemOf(body))
	}
	for _, u := range []string{"township", "clerk", "supervisor"} {
		c := cf.login(u)
		c.get("/admin/calendar")
		if res, _ := c.post("/admin/calendar", url.Values{"year": {"2027"}, "source": {"x"}, "days": {year2027}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s edits the calendar: %d", u, res.StatusCode)
		}
	}
	res, body = admin.post("/admin/calendar", url.Values{"year": {"2027"}, "source": {"国办发明电〔2026〕1号"}, "days": {year2027}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save 2027: %d\n%s", res.StatusCode, problemOf(body))
	}
	_, page = admin.get("/admin/calendar")
	if strings.Contains(page, "2027 年尚未录入") || !strings.Contains(page, "2027-02-06~2027-02-12 春节") {
		t.Fatal("2027 not shown after saving")
	}
	_, out := cf.anon().api("GET", "/api/v1/calendar/years", "")
	if out["total"] != float64(3) {
		t.Fatalf("years: %v", out["total"])
	}
	// 2027-02-05 (Fri) + 1: the Spring Festival runs to Feb 12 (Fri), so
	// the adjusted working Sunday Feb 14 is the first working day.
	_, out = cf.anon().api("GET", "/api/v1/calendar/deadline?from=2027-02-05&days=1", "")
	if out["deadline"] != "2027-02-14" || out["provisional"] != false {
		t.Fatalf("deadline with 2027 entered: %v", out)
	}
	// The API edits the same way, for the hall admin only.
	res, out = admin.api("PUT", "/api/v1/calendar/years/2028", `{"source":"国办发明电〔2027〕1号","holidays":[{"name":"元旦","from":"2028-01-01","to":"2028-01-03"}],"workdays":[]}`)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("API save: %d %v", res.StatusCode, out)
	}
	res, _ = cf.login("township").api("PUT", "/api/v1/calendar/years/2028", `{"source":"x"}`)
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("township admin via API: %d", res.StatusCode)
	}
}

// The JSON API: the same rules as the pages.
func TestCaseAPI(t *testing.T) {
	cf := newCaseFixture(t)
	clerk := cf.login("clerk")
	res, out := clerk.api("POST", "/api/v1/cases", fmt.Sprintf(`{"item_code":"T-001","applicant_id":%d,"materials":[{"seq":1,"paper":true},{"seq":2,"paper":true}]}`, cf.app.ID))
	if res.StatusCode != http.StatusCreated || out["state"] != "received" || out["channel"] != "window" {
		t.Fatalf("submit: %d %v", res.StatusCode, out)
	}
	no := out["no"].(string)
	res, out = clerk.api("GET", "/api/v1/cases/"+no, "")
	for _, k := range []string{"state", "item_code", "accepted_at", "deadline", "statutory_deadline", "events"} {
		if _, ok := out[k]; !ok || res.StatusCode != http.StatusOK {
			t.Fatalf("case JSON lacks %s: %v", k, out)
		}
	}
	version := out["version"].(float64)
	res, out = clerk.api("POST", "/api/v1/cases/"+no+"/actions/accept", fmt.Sprintf(`{"version":%d}`, int(version)+5))
	if res.StatusCode != http.StatusConflict || out["error"].(map[string]any)["code"] != "ECONFLICT" {
		t.Fatalf("stale version: %d %v", res.StatusCode, out)
	}
	res, out = clerk.api("POST", "/api/v1/cases/"+no+"/actions/accept", fmt.Sprintf(`{"version":%d}`, int(version)))
	if res.StatusCode != http.StatusOK || out["state"] != "in_progress" || out["deadline"] != "2026-10-10" || out["light"] != "green" || out["accepted_at"] == nil {
		t.Fatalf("accept: %d %v", res.StatusCode, out)
	}
	res, out = clerk.api("POST", "/api/v1/cases/"+no+"/actions/accept", `{"colour":"red"}`)
	if res.StatusCode != http.StatusUnprocessableEntity || fieldOf(out, "colour") == "" {
		t.Fatalf("unknown field: %d %v", res.StatusCode, out)
	}
	res, out = cf.login("reviewer").api("GET", "/api/v1/cases", "")
	if res.StatusCode != http.StatusOK || out["total"] != float64(1) {
		t.Fatalf("reviewer inbox: %d %v", res.StatusCode, out)
	}
	res, out = cf.login("supervisor").api("GET", "/api/v1/cases/"+no, "")
	if res.StatusCode != http.StatusOK || out["applicant_id_number"] == appNumber {
		t.Fatalf("supervisor sees the number: %v", out["applicant_id_number"])
	}
	if res, _ := cf.login("supervisor").api("POST", "/api/v1/cases/"+no+"/actions/forward", `{"opinion":"x"}`); res.StatusCode != http.StatusForbidden {
		t.Fatalf("supervisor acts: %d", res.StatusCode)
	}
	if res, _ := cf.login("tclerk").api("GET", "/api/v1/cases/"+no, ""); res.StatusCode != http.StatusNotFound {
		t.Fatalf("out of scope: %d", res.StatusCode)
	}

	// Online: upload, then submit naming the stored file.
	app := cf.applicant()
	res, ref := uploadAPI(app, "申请表.pdf", tinyPDF)
	if res.StatusCode != http.StatusCreated || ref["type"] != "application/pdf" {
		t.Fatalf("upload: %d %v", res.StatusCode, ref)
	}
	res, out = app.api("POST", "/api/v1/cases", fmt.Sprintf(`{"item_code":"T-001","materials":[{"seq":1,"file":{"sha256":%q,"name":"申请表.pdf","type":"text/html","size":1}}]}`, ref["sha256"]))
	if res.StatusCode != http.StatusCreated || out["channel"] != "online" {
		t.Fatalf("online submit: %d %v", res.StatusCode, out)
	}
	mats := out["materials"].([]any)
	if m := mats[0].(map[string]any); m["file_type"] != "application/pdf" || m["file_size"] != float64(len(tinyPDF)) {
		t.Fatalf("the caller's type and size were trusted: %v", m)
	}
	res, out = app.api("POST", "/api/v1/cases", `{"item_code":"T-001","materials":[{"seq":1,"file":{"sha256":"`+strings.Repeat("a", 64)+`","name":"x.pdf"}}]}`)
	if res.StatusCode != http.StatusUnprocessableEntity || fieldOf(out, "materials.1.file") == "" {
		t.Fatalf("unknown file: %d %v", res.StatusCode, out)
	}
	res, out = app.api("GET", "/api/v1/my/cases", "")
	if res.StatusCode != http.StatusOK || out["total"] != float64(2) {
		t.Fatalf("my cases: %d %v", res.StatusCode, out)
	}
	if res, _ := app.api("GET", "/api/v1/cases/"+no, ""); res.StatusCode != http.StatusOK {
		t.Fatalf("applicant reads own case: %d", res.StatusCode)
	}
	// Another applicant's case does not exist for them.
	res, _ = clerk.api("POST", "/api/v1/cases", `{"item_code":"T-001","applicant_id":0}`)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no applicant: %d", res.StatusCode)
	}
}

// Every new page renders in Chinese and English for every role that can
// open it, with no untranslated key.
func TestCasePagesRenderInBothLanguages(t *testing.T) {
	cf := newCaseFixture(t)
	clerk := cf.login("clerk")
	no := cf.intake(clerk, "T-001", 1)
	cf.mustAct(clerk, no, cases.ActSupplement, url.Values{"m2_status": {"missing"}, "m2_note": {"请提供"}})
	staffPages := []string{"/workbench", "/workbench?all=1&state=supplement", "/workbench/intake", "/workbench/intake?id_number=" + appNumber + "&item=T-001",
		"/workbench/intake?id_number=110105194912310029&item=T", "/cases/" + no, "/cases/" + no + "/documents/receipt",
		"/cases/" + no + "/documents/supplement", "/admin/calendar", "/progress", "/progress?no=" + no + "&phone=" + appPhone,
		"/calendar/deadline", "/calendar/deadline?from=2026-09-30&days=1", "/"}
	for _, u := range users[1:] {
		c := cf.login(u)
		for _, lang := range []string{"zh-CN", "en"} {
			for _, p := range staffPages {
				sep := "?"
				if strings.Contains(p, "?") {
					sep = "&"
				}
				res, body := c.get(p + sep + "lang=" + lang)
				if res.StatusCode == http.StatusForbidden || (res.StatusCode == http.StatusNotFound && strings.HasPrefix(p, "/cases/")) {
					continue
				}
				// A township clerk receives none of the test items.
				if res.StatusCode == http.StatusUnprocessableEntity && u == "tclerk" && strings.Contains(p, "item=") {
					continue
				}
				if res.StatusCode != http.StatusOK {
					t.Errorf("%s %s [%s]: %d %s", u, p, lang, res.StatusCode, problemOf(body))
					continue
				}
				if m := untranslated.FindString(body); m != "" {
					t.Errorf("%s %s [%s]: untranslated %q", u, p, lang, m)
				}
			}
		}
	}
	app := cf.applicant()
	for _, lang := range []string{"zh-CN", "en"} {
		for _, p := range []string{"/apply/T-001", "/my/cases", "/my/cases/" + no, "/my/cases/" + no + "/documents/supplement", "/me", "/progress", "/calendar/deadline"} {
			res, body := app.get(p + "?lang=" + lang)
			if res.StatusCode != http.StatusOK {
				t.Errorf("applicant %s [%s]: %d %s", p, lang, res.StatusCode, problemOf(body))
				continue
			}
			if m := untranslated.FindString(body); m != "" {
				t.Errorf("applicant %s [%s]: untranslated %q", p, lang, m)
			}
		}
	}
	// Someone else's case is not found for an applicant.
	other := cf.anon()
	if res, _ := other.get("/my/cases/" + no); res.StatusCode != http.StatusSeeOther {
		t.Errorf("visitor on /my/cases: %d", res.StatusCode)
	}
}
