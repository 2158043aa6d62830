package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"onestop/internal/clock"
	"onestop/internal/demo"
	"onestop/internal/disclosure"
	"onestop/internal/org"
)

// Issue 16 item 4, up to the reply: a citizen files a request for
// disclosure on the portal; the office's officer confirms it and asks for
// a supplement; the citizen supplies it on the portal; the office's head
// extends the reply period once; the officer replies (type 2, disclosed);
// the citizen reads the reply notice with its remedies; the year's annual
// report, regenerated, counts the request in the right cells of table 三.
func TestCitizenRequestsInformationAndReadsTheReply(t *testing.T) {
	t.Parallel()
	app, citizen := Start(t)
	ctx := context.Background()
	now := time.Now()
	os := &org.Service{DB: app.DB, Now: time.Now}
	staff := map[string]org.Actor{}
	for _, u := range []string{"admin", "clerk", "approver"} {
		st, err := os.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		staff[u] = st.Actor("127.0.0.1")
	}
	if err := disclosure.EnsureOrgans(ctx, app.DB, now, staff["admin"].County()); err != nil {
		t.Fatal(err)
	}
	var organ int64
	if err := app.DB.R.QueryRowContext(ctx, `SELECT id FROM disclosure_organs WHERE department_id = $1`, staff["clerk"].DepartmentID).Scan(&organ); err != nil {
		t.Fatal(err)
	}
	for u, d := range map[string]disclosure.Duty{"clerk": disclosure.Officer, "approver": disclosure.Head} {
		if err := disclosure.Grant(ctx, app.DB, now, staff["admin"], organ, staff[u].StaffID, d); err != nil {
			t.Fatal(err)
		}
	}

	// The year's report before the request: what table 三 counted so far
	// (the demo has requests of its own), so the journey checks the change.
	officer := NewBrowser(t, app.URL)
	officer.Login("clerk", demo.Password)
	year := fmt.Sprint(clock.Today(now).Year)
	cells := []string{"t3.new.person", "t3.open.person", "t3.total.person", "total.new", "total.forward"}
	report := func() map[string]int {
		officer.Open("/disclosure/reports")
		officer.Select("#f-organ", fmt.Sprint(organ))
		officer.Fill("#f-year", year)
		officer.ClickAndWait(`[data-testid="disclosure-generate"] button[type="submit"]`)
		got := map[string]int{}
		for _, c := range cells {
			n, err := strconv.Atoi(strings.TrimSpace(officer.Text(`[data-testid="disclosure-table3"] [data-cell="` + c + `"]`)))
			if err != nil {
				officer.Fatalf("cell %s: %v", c, err)
			}
			got[c] = n
		}
		return got
	}
	before := report()

	// The citizen registers and files on the portal.
	registerCitizen(t, app, citizen, "11010519491231002X", "王小明", "13800138000", "Citizen2026")
	citizen.Open("/my/disclosure-requests/new")
	citizen.Select("#f-organ_id", fmt.Sprint(organ))
	citizen.Fill("#f-content", "请公开本部门2025年度行政许可事项办理情况统计表。")
	citizen.Select("#f-form", "electronic")
	citizen.Submit()
	if !strings.HasPrefix(citizen.Path(), "/my/disclosure-requests/GK-") {
		citizen.Fatalf("after filing: %s", citizen.URL())
	}
	no := citizen.Text(`[data-testid="dr-no"]`)
	citizen.ExpectTextContains(`[data-testid="dr-status"]`, "待确认")

	// The officer confirms it (received today) and asks for a supplement.
	officer.Open("/disclosure-requests?organ=" + fmt.Sprint(organ))
	officer.ClickAndWait(`a[href="/disclosure-requests/` + no + `"]`)
	officer.ClickAndWait(`#dr-confirm button`)
	officer.ExpectTextContains(`[data-testid="dr-status"]`, "办理中")
	officer.Fill(`#f-supplement-what`, "请写明所需统计表的具体事项类别。")
	officer.Fill(`#f-supplement-due_on`, clock.Today(now).AddDays(10).String())
	officer.ClickAndWait(`#dr-ask button`)
	officer.ExpectTextContains(`[data-testid="dr-status"]`, "待补正")

	// The citizen reads what to supply and supplies it.
	citizen.Open("/my/disclosure-requests/" + no)
	citizen.ExpectTextContains(`[data-testid="dr-asked"]`, "具体事项类别")
	citizen.Fill("#f-text", "建设工程规划许可类。")
	citizen.ClickAndWait(`#dr-supply button`)
	citizen.ExpectTextContains(`[data-testid="dr-status"]`, "办理中")
	due := citizen.Text(`[data-testid="dr-due"]`)

	// The head extends the reply period once.
	head := NewBrowser(t, app.URL)
	head.Login("approver", demo.Password)
	head.Open("/disclosure-requests/" + no)
	head.Fill(`#f-extend-days`, "10")
	head.Fill(`#f-extend-reason`, "需调取多个年度的许可档案核对。")
	head.ClickAndWait(`#dr-extend button`)
	head.ExpectTextContains(`[data-testid="dr-due"]`, "已延长10个工作日")
	if head.Count(`#dr-extend`) != 0 {
		head.Fatalf("a second extension is still offered")
	}

	// The officer replies: type 2, disclosed.
	officer.Open("/disclosure-requests/" + no)
	officer.Select(`#f-reply-type`, "2")
	officer.Select(`#f-reply-outcome`, "open")
	officer.Fill(`#f-reply-text`, "现提供《2025年度建设工程规划许可办理情况统计表》电子版。")
	officer.ClickAndWait(`#dr-reply button`)
	officer.ExpectTextContains(`[data-testid="dr-status"]`, "已办结")

	// The citizen reads the reply notice.
	citizen.Open("/my/disclosure-requests/" + no)
	if got := citizen.Text(`[data-testid="dr-due"]`); got == due {
		citizen.Fatalf("the extension did not move the deadline: %s", got)
	}
	citizen.ExpectTextContains(`[data-testid="dr-outcome"]`, "予以公开")
	citizen.ClickAndWait(`[data-testid="dr-reply-link"]`)
	citizen.ExpectTextContains(`[data-testid="dr-notice-text"]`, "建设工程规划许可办理情况统计表")
	citizen.ExpectTextContains(`[data-testid="dr-remedy"]`, "60日内")

	// The year's report counts it: received this year and disclosed this
	// year by a natural person, so 一 and 三(一) and 三(七) of the 自然人
	// column and 一 of the 总计 column each gain one; 四 (carried
	// forward) does not change, as the request is concluded.
	after := report()
	for c, d := range map[string]int{"t3.new.person": 1, "t3.open.person": 1, "t3.total.person": 1, "total.new": 1, "total.forward": 0} {
		if after[c]-before[c] != d {
			officer.Fatalf("report cell %s: %d before, %d after the request, want +%d", c, before[c], after[c], d)
		}
	}
}
