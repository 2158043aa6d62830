package e2e

import (
	"context"
	"net/url"
	"strconv"
	"testing"
	"time"

	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/org"
)

// A villager walks into the township's convenience centre; its clerk
// (tclerk, 民政局 window of the demo's first township) registers them,
// receives and accepts a civil-affairs item for the county department
// (代办); the department's reviewer and approver at the county decide; the
// department's window at the county hall completes; the result travels
// back and the township's clerk — not the county's — hands it over. The
// public progress page names the township as the pick-up place (issue 14
// §5, docs/DOMAIN.md §17).
func TestVillagerCaseRoundTripThroughTheTownship(t *testing.T) {
	t.Parallel()
	app, staff := Start(t)
	code, township := townshipItem(t, app)
	const idNumber, phone = "11010519491231002X", "13912345678"

	// The township clerk receives the villager's papers at the window.
	staff.Login("tclerk", demo.Password)
	staff.Open("/workbench/intake")
	staff.Fill("#f-id_number", idNumber)
	staff.Fill("#f-item", code)
	staff.Submit()
	staff.WaitVisible("#f-name")
	staff.Fill("#f-name", "李秀英")
	staff.Fill("#f-phone", phone)
	for i := 1; i <= 12; i++ {
		sel := `input[name="m` + strconv.Itoa(i) + `_paper"]`
		if staff.Count(sel) == 0 {
			break
		}
		staff.Click(sel)
	}
	// The pick-up place defaults to this township centre.
	if got := staff.Count(`[data-testid="intake-pickup"] input[value="here"]:checked`); got != 1 {
		staff.Fatalf("the township's own centre is not the default pick-up place")
	}
	staff.ClickAndWait(`form[method="post"][action="/workbench/intake"] button.primary`)
	no := staff.Text(`[data-testid="case-no"]`)
	staff.ExpectText(`[data-testid="case-state"]`, "已收件")
	staff.ExpectText(`[data-testid="case-pickup"]`, township)
	staff.ClickAndWait(`#act-accept button`)
	staff.ExpectTextContains(`[data-testid="case-state"]`, "审查中")
	staff.Logout()

	// The county department's reviewer and approver find it in their inboxes.
	fromInbox(staff, "mzj.reviewer", no)
	staff.ExpectTextContains("dl.facts", township)
	staff.Fill(`#act-forward textarea[name="opinion"]`, "经审查，申请人家庭情况符合条件。")
	staff.ClickAndWait(`#act-forward button`)
	staff.Logout()
	fromInbox(staff, "mzj.approver", no)
	staff.ClickAndWait(`#act-approve button`)
	staff.ExpectText(`[data-testid="case-state"]`, "准予许可")
	staff.Logout()

	// The township cannot complete what the county decided.
	staff.Login("tclerk", demo.Password)
	staff.Open("/cases/" + no)
	staff.ExpectText(`[data-testid="case-state"]`, "准予许可")
	staff.ExpectAbsent(`#act-complete`)
	staff.Logout()

	// The department's window at the county hall completes it, and may not
	// hand it over: the villager collects at the township.
	fromInbox(staff, "mzj.clerk1", no)
	staff.ClickAndWait(`#act-complete button`)
	staff.ExpectText(`[data-testid="case-state"]`, "已办结")
	staff.ExpectAbsent(`#act-deliver`)
	staff.ExpectTextContains(`[data-testid="messages"]`, "办理结果已送至"+township)
	staff.Logout()

	// Back at the township: ready for pick-up here, and handed over.
	staff.Login("tclerk", demo.Password)
	staff.Open("/workbench")
	staff.ClickAndWait(`[data-testid="ready-here"]`)
	staff.ClickAndWait(`a[href="/cases/` + no + `"]`)
	staff.Select(`#act-deliver select[name="delivery"]`, "window")
	staff.ClickAndWait(`#act-deliver button`)
	staff.ExpectText(`[data-testid="case-state"]`, "已送达")
	staff.ExpectTextContains(`[data-testid="timeline"]`, township)

	// The villager's progress page names where to collect.
	public := NewBrowser(t, app.URL)
	public.Open("/progress?no=" + url.QueryEscape(no) + "&phone=" + phone)
	public.ExpectText(`[data-testid="progress-pickup"]`, township)
	public.ExpectTextContains(`[data-testid="progress"]`, "已送达")
}

// fromInbox signs in and opens the case from the person's own workbench,
// which is how they find it.
func fromInbox(b *Browser, user, no string) {
	b.t.Helper()
	b.Login(user, demo.Password)
	b.Open("/workbench")
	b.ClickAndWait(`a[href="/cases/` + no + `"]`)
}

// townshipItem picks a demo civil-affairs item the township centres accept
// that goes through review (not decided on the spot), and names tclerk's
// centre.
func townshipItem(t *testing.T, app *App) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tclerk, err := (&org.Service{DB: app.DB, Now: time.Now}).StaffByUsername(ctx, "tclerk")
	if err != nil {
		t.Fatal(err)
	}
	var centre string
	if err := app.DB.R.QueryRowContext(ctx, `SELECT name FROM centres WHERE id = $1`, tclerk.CentreID).Scan(&centre); err != nil {
		t.Fatal(err)
	}
	items, _, err := (&catalogue.Service{DB: app.DB, Now: time.Now}).List(ctx, catalogue.Filter{DepartmentID: tclerk.DepartmentID, AtTownship: true, Status: catalogue.InForce, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.DepartmentID == tclerk.DepartmentID && it.AtTownship && it.Status == catalogue.InForce && !cases.DecidedOnAcceptance(&it) &&
			(it.Audience == "citizen" || it.Audience == "both") && len(it.Materials) <= 12 {
			full, err := (&catalogue.Service{DB: app.DB, Now: time.Now}).Item(ctx, it.Code)
			if err != nil {
				t.Fatal(err)
			}
			if !cases.DecidedOnAcceptance(&full) && cases.DecisionStep(full.Steps) == 2 {
				return full.Code, centre
			}
		}
	}
	t.Fatal("the demo has no reviewed civil-affairs item a township accepts")
	return "", ""
}
