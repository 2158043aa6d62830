package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	pngenc "image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"onestop/internal/cases"
	"onestop/internal/demo"
	"onestop/internal/org"
)

// The clock box of the case page answers what a clerk is asked at the
// window: the special procedure in force and how long it was announced to
// take, the extension and who signed it off, how far past the deadline a
// case is; and the acceptance notice keeps the deadline it was issued with.
func TestCaseClockShowsSuspensionExtensionAndOverdue(t *testing.T) {
	cf := newCaseFixture(t)
	// Sessions lapse after two idle hours, so everyone signs in again
	// whenever the test moves the clock by days.
	var clerk, reviewer, approver *client
	day := func(d string) {
		cf.set(at(d))
		clerk, reviewer, approver = cf.login("clerk"), cf.login("reviewer"), cf.login("approver")
	}
	day("2026-11-02") // Monday
	no := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, no, cases.ActAccept, nil) // 5 working days: Nov 9
	cf.mustAct(reviewer, no, cases.ActSuspend, url.Values{"pause_reason": {"expert_review"}, "expected_days": {"3"}, "reason": {"送省级专家评审"}})

	want := func(who *client, wants ...string) string {
		t.Helper()
		page, _ := cf.casePage(who, no)
		for _, w := range wants {
			if !strings.Contains(page, w) {
				t.Fatalf("case page lacks %q\n%s", w, between(page, `id="case-clock"`, "</section>"))
			}
		}
		return page
	}
	want(clerk, "专家评审 · 自 2026年11月2日 起暂停计时", "告知预计需要 3 日（约至 2026年11月5日）")
	// Past the announced length: said so, in words.
	day("2026-11-10")
	want(clerk, "已超过告知的预计时间")
	cf.mustAct(reviewer, no, cases.ActResume, nil)
	// Paused Nov 2 → Nov 10: Nov 3–6, 9, 10 are excluded (6) → Nov 17.
	page := want(clerk, "2026年11月17日")
	if strings.Contains(page, `data-testid="case-suspension"`) {
		t.Fatal("the suspension is still shown after resuming")
	}
	cf.mustAct(approver, no, cases.ActExtend, url.Values{"days": {"2"}, "reason": {"情况复杂，需现场核查"}})
	ap, err := cf.srv.Org.StaffByUsername(context.Background(), "approver")
	if err != nil {
		t.Fatal(err)
	}
	want(clerk, "2026年11月19日", "延长 2 个工作日 · "+ap.Name+" 于 2026年11月10日 批准", "情况复杂，需现场核查")

	// The acceptance notice and its message keep the deadline of the day
	// of acceptance; the extension notice states the new one.
	_, doc := clerk.get("/cases/" + no + "/documents/acceptance")
	if !strings.Contains(doc, "2026年11月9日") || strings.Contains(doc, "2026年11月19日") {
		t.Fatalf("acceptance notice reprinted with a later deadline:\n%s", between(doc, `data-testid="document"`, "</article>"))
	}
	_, doc = clerk.get("/cases/" + no + "/documents/extension")
	if !strings.Contains(doc, "2026年11月19日") || !strings.Contains(doc, ap.Name) {
		t.Fatalf("extension notice lacks the new deadline or the approver:\n%s", between(doc, `data-testid="document"`, "</article>"))
	}
	_, mine := cf.applicant().get("/my/cases/" + no)
	if !strings.Contains(mine, "承诺办结期限为 2026年11月9日") || !strings.Contains(mine, "新的期限为 2026年11月19日") {
		t.Fatalf("messages do not keep their deadlines:\n%s", between(mine, `data-testid="messages"`, "</ul>"))
	}

	// Nov 24 (Tue): Nov 20, 23, 24 have passed the Nov 19 deadline.
	day("2026-11-24")
	want(clerk, "已超期 3 个工作日", "light-red")
}

// A deadline that reaches a year without holiday data is marked
// provisional on the case page, naming the year.
func TestCasePageNamesTheMissingYear(t *testing.T) {
	cf := newCaseFixture(t)
	// The year the clock runs in has not been entered (sessions follow the
	// real clock too closely to move the test's clock into 2027).
	for _, q := range []string{`DELETE FROM calendar_days WHERE year = 2026`, `DELETE FROM calendar_years WHERE year = 2026`} {
		if _, err := cf.db.W.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	cf.srv.Cases.ForgetCalendar()
	clerk := cf.login("clerk")
	no := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, no, cases.ActAccept, nil)
	page, _ := cf.casePage(clerk, no)
	for _, w := range []string{`data-testid="case-provisional"`, "2026 年尚未录入节假日安排", "临时"} {
		if !strings.Contains(page, w) {
			t.Fatalf("case page lacks %q\n%s", w, between(page, `id="case-clock"`, "</section>"))
		}
	}
	_, en := clerk.get("/cases/" + no + "?lang=en")
	if !strings.Contains(en, "2026 has no holiday data yet") {
		t.Fatal("English page lacks the missing year")
	}
}

// The case page offers the review step's forms only to whoever may act
// now: the assignee (A), or their backup (B) while A is away.
func TestCasePageOffersTheStepToAOrTheirBackupOnly(t *testing.T) {
	cf := newCaseFixture(t)
	ctx := context.Background()
	clerk, reviewer := cf.login("clerk"), cf.login("reviewer")
	a, err := cf.srv.Org.StaffByUsername(ctx, "reviewer")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := cf.srv.Org.StaffByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	b, err := cf.srv.Org.CreateStaff(ctx, admin.Actor("192.0.2.1"), org.StaffInput{Username: "reviewer.b", Name: "备岗审核员", Role: org.Reviewer,
		CentreID: a.CentreID, DepartmentID: a.DepartmentID, Password: demo.Password})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cf.db.W.Exec(`UPDATE staff SET must_change_password = FALSE WHERE id = $1`, b.ID); err != nil {
		t.Fatal(err)
	}
	backup := cf.login("reviewer.b")
	no := cf.intake(clerk, "T-001", 1, 2)
	cf.mustAct(clerk, no, cases.ActAccept, nil)

	if page, _ := cf.casePage(reviewer, no); !strings.Contains(page, `id="act-forward"`) {
		t.Fatal("the assignee is not offered forward")
	}
	if page, _ := cf.casePage(backup, no); strings.Contains(page, `id="act-forward"`) {
		t.Fatal("a colleague who is neither A nor an acting B is offered forward")
	}
	// A goes on leave with B as cover: B gets the form, and the page says why.
	if _, err := cf.db.W.Exec(`UPDATE staff SET absent = TRUE, backup_id = $1 WHERE id = $2`, b.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	page, _ := cf.casePage(backup, no)
	if !strings.Contains(page, `id="act-forward"`) || !strings.Contains(page, "离岗，由 B 角 备岗审核员 代办") {
		t.Fatalf("the backup while A is away:\n%s", between(page, `id="case-facts"`, "</section>"))
	}
	cf.mustAct(backup, no, cases.ActForward, url.Values{"opinion": {"A 角请假，B 角代为审查。"}})
	page, _ = cf.casePage(clerk, no)
	if !strings.Contains(page, "代为办理（A 角）") || !strings.Contains(page, a.Name) {
		t.Fatal("the timeline does not say whom the backup acted for")
	}
	// The API answers the same facts.
	res, out := backup.api("GET", "/api/v1/cases/"+no, "")
	if res.StatusCode != http.StatusOK || out["step_role"] != "approver" {
		t.Fatalf("API: %d %v", res.StatusCode, out["step_role"])
	}
}

// between is the part of s from the first from up to the next to, for
// failure messages.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return problemOf(s)
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

// The deadline calculator takes pauses and moves the deadline exactly as a
// case's suspension does, saying by how much; bad pauses are field errors.
func TestDeadlineCalculatorWithPauses(t *testing.T) {
	cf := newCaseFixture(t)
	c := cf.anon()
	// 5 working days from Mon Sep 28: Oct 10 (adjusted Saturday). Paused
	// Sep 29 → Oct 9: Sep 30, Oct 8, 9 excluded (Oct 1–7 is the holiday),
	// so 8 working days: … Oct 10 (5), 12, 13, 14.
	res, out := c.api("GET", "/api/v1/calendar/deadline?from=2026-09-28&days=5&pause=2026-09-29~2026-10-09", "")
	if res.StatusCode != http.StatusOK || out["deadline"] != "2026-10-14" {
		t.Fatalf("with a pause: %d %v", res.StatusCode, out)
	}
	var texts []string
	for _, x := range out["explanation"].([]any) {
		texts = append(texts, x.(map[string]any)["text"].(string))
	}
	all := strings.Join(texts, "\n")
	for _, w := range []string{"国庆节", "暂停计时（特别程序）2026-09-29 至 2026-10-09，顺延 3 个工作日", "调休上班"} {
		if !strings.Contains(all, w) {
			t.Fatalf("explanation lacks %q:\n%s", w, all)
		}
	}
	if ps, _ := out["pauses"].([]any); len(ps) != 1 {
		t.Fatalf("pauses not echoed: %v", out["pauses"])
	}
	// Two pauses in one parameter: the day each began still counts, so only
	// Sep 30 and Oct 9 are excluded → 7 working days, Oct 13.
	_, out = c.api("GET", "/api/v1/calendar/deadline?from=2026-09-28&days=5&pause=2026-09-29~2026-09-30,2026-10-08~2026-10-09&lang=en", "")
	if out["deadline"] != "2026-10-13" || !strings.Contains(fmt.Sprint(out["explanation"]), "Clock paused (special procedure)") {
		t.Fatalf("two pauses: %v", out)
	}
	if _, out = c.api("GET", "/api/v1/calendar/deadline?from=2026-09-28&days=5", ""); out["deadline"] != "2026-10-10" || out["pauses"] != nil {
		t.Fatalf("no pause: %v", out)
	}
	for q, key := range map[string]string{
		"pause=abc":                   "无法识别",
		"pause=2026-10-09~2026-09-29": "早于暂停日期",
		"pause=2026-09-01~2026-09-02": "早于起算日",
		"pause=" + strings.Repeat("2026-09-29~2026-09-30,", 11): "最多",
	} {
		res, out := c.api("GET", "/api/v1/calendar/deadline?from=2026-09-28&days=5&"+q, "")
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldOf(out, "pause"), key) {
			t.Errorf("%s: %d %v", q, res.StatusCode, out)
		}
	}
	// The page has the field and shows the pause in its explanation.
	_, page := c.get("/calendar/deadline?from=2026-09-28&days=5&pause=2026-09-29~2026-10-09")
	if !strings.Contains(page, "2026年10月14日") || !strings.Contains(page, `name="pause"`) || !strings.Contains(page, "顺延 3 个工作日") {
		t.Fatal("deadline page with a pause")
	}
	if res, page := c.get("/calendar/deadline?from=2026-09-28&days=5&pause=x"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "无法识别") {
		t.Fatalf("deadline page with a bad pause: %d", res.StatusCode)
	}
}

// A scanned image among the materials is previewed on the case page as a
// thumbnail (PDFs stay links to the browser's viewer).
func TestCasePagePreviewsImageMaterials(t *testing.T) {
	cf := newCaseFixture(t)
	clerk := cf.login("clerk")
	no := cf.intake(clerk, "T-001", 1)
	cf.mustAct(clerk, no, cases.ActSupplement, url.Values{"m2_status": {"missing"}, "m2_note": {"请提供身份证复印件"}})
	var png bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	if err := pngenc.Encode(&png, img); err != nil {
		t.Fatal(err)
	}
	app := cf.applicant()
	_, mine := app.get("/my/cases/" + no)
	res, body := app.uploadFiles("/my/cases/"+no+"/resubmit", url.Values{"version": {versionRE.FindStringSubmatch(mine)[1]}},
		map[string]fileBody{"m2": {"身份证.png", png.Bytes()}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("resubmit: %d\n%s", res.StatusCode, problemOf(body))
	}
	page, _ := cf.casePage(clerk, no)
	m := regexp.MustCompile(`<img class="mat-thumb" src="(/cases/[^"]+/files/[0-9a-f]{64})" alt="身份证件 预览"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no thumbnail:\n%s", between(page, `id="case-materials"`, "</section>"))
	}
	if res, _ := clerk.get(m[1]); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("thumbnail source: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if strings.Count(page, `data-testid="mat-thumb"`) != 1 {
		t.Fatal("a thumbnail for a material without an image")
	}
}
