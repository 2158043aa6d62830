package e2e

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/ident"
	"onestop/internal/notify"
	"onestop/internal/payments"
)

// Issue 14's first journey: a company finds the construction bundle
// (BL-005: 住建局 leads, 自然资源局 and 气象局 take part) through the guide
// and applies once online; the lead window accepts once, which opens three
// parts; each department approves its own part at the same time; the lead
// window delivers the combined result; the company sees it delivered.
func TestCompanyAppliesOnceForABundleThreeDepartmentsActTheLeadDelivers(t *testing.T) {
	t.Parallel()
	app, co := Start(t)
	total := chargeBundle(t, app, "BL-005")
	body := "91431022MA4L0BN55"
	check, _ := ident.CreditCodeCheck(body)
	code := body + string(check)

	co.Open("/register")
	co.Click(`input[name="kind"][value="organisation"]`)
	co.Fill("#f-id_number", code)
	co.Fill("#f-name", "宜章县建新制造有限公司")
	co.Fill("#f-contact_name", "李建新")
	co.Fill("#f-phone", "13800138001")
	co.Fill("#f-password", "Jianxin2026")
	co.Fill("#f-again", "Jianxin2026")
	co.Submit()
	// A code is texted to the phone (the outbox stands in for the gateway).
	co.ExpectPath("/register/verify")
	sms, err := notify.Outbox(context.Background(), app.DB, "13800138001")
	if err != nil || len(sms) == 0 {
		t.Fatalf("no text message: %v", err)
	}
	co.Fill("#f-code", regexp.MustCompile(`\d{6}`).FindString(sms[0].Text))
	co.Submit()
	co.ExpectPath("/me")

	// Found through the guide like any item: its code leads to the bundle's
	// guide, which shows the promised time and the one application.
	co.Open("/guide/items/BL-005")
	co.ExpectPath("/guide/bundles/BL-005")
	co.ExpectTextContains("section.card p", "承诺 10 个工作日")
	co.ClickAndWait(`[data-testid="bundle-apply"]`)
	co.ExpectPath("/apply/BL-005")
	if n := co.Count(`[data-testid="bundle-parts"] li`); n != 3 {
		co.Fatalf("the application lists %d parts, want 3", n)
	}
	co.ClickAndWait(`[data-testid="bundle-submit"]`)
	if !strings.HasPrefix(co.Path(), "/my/bundles/") {
		co.Fatalf("after applying: %s", co.URL())
	}
	no := co.Text(`[data-testid="bundle-no"]`)
	co.ExpectText(`[data-testid="bundle-state"]`, "已收件，待受理")
	co.ExpectTextContains(`[data-testid="bundle-promised"]`, "10 个工作日")

	// The lead window accepts once, ticking the shared materials.
	lead := NewBrowser(t, app.URL)
	lead.Login("zjj.clerk1", demo.Password)
	lead.Open("/workbench/bundles")
	lead.ClickAndWait(`[data-testid="bundle-waiting"] a[href="/bundles/` + no + `"]`)
	for i := range lead.Count(`[data-testid="bundle-accept-form"] input[type="checkbox"]`) {
		lead.Click(`[data-testid="bundle-accept-form"] input[name="m` + strconv.Itoa(i+1) + `_paper"]`)
	}
	lead.ClickAndWait(`[data-testid="bundle-accept"]`)
	lead.ExpectText(`[data-testid="bundle-state"]`, "并联办理中")
	if n := lead.Count(`[data-testid="bundle-part"]`); n != 3 {
		lead.Fatalf("%d parts after acceptance, want 3", n)
	}

	// Three departments, each its own reviewer and approver, in parallel.
	browsers := map[string]*Browser{}
	for _, dept := range []string{"zrzyj", "zjj", "qxj"} {
		part := partOf(t, app, no, strings.ToUpper(dept))
		for range 5 {
			var state, role string
			if err := app.DB.R.QueryRowContext(context.Background(), `SELECT state, step_role FROM cases WHERE no = $1`, part).Scan(&state, &role); err != nil {
				t.Fatal(err)
			}
			if state != "in_progress" {
				break
			}
			b := browsers[dept+"."+role]
			if b == nil {
				b = NewBrowser(t, app.URL)
				b.Login(dept+"."+role, demo.Password)
				browsers[dept+"."+role] = b
			}
			// From the bundle page to the department's own part.
			b.Open("/bundles/" + no)
			b.ClickAndWait(`[data-testid="bundle-part"] a[href="/cases/` + part + `"]`)
			b.WaitVisible(`[data-testid="case-bundle"]`)
			if b.Count(`#act-approve`) > 0 {
				b.Fill(`#act-approve textarea[name="opinion"]`, "同意。")
				b.ClickAndWait(`#act-approve button`)
			} else {
				b.Fill(`#act-forward textarea[name="opinion"]`, "材料齐全，符合条件。")
				b.ClickAndWait(`#act-forward button`)
			}
		}
		var state string
		app.DB.R.QueryRowContext(context.Background(), `SELECT state FROM cases WHERE no = $1`, part).Scan(&state)
		if state != "approved" {
			t.Fatalf("%s's part %s is %s", dept, part, state)
		}
	}

	// The lead window sees every part decided and delivers them together
	// (a fresh browser: each one's context has its own time limit).
	lead = NewBrowser(t, app.URL)
	lead.Login("zjj.clerk1", demo.Password)
	lead.Open("/bundles/" + no)
	lead.ExpectText(`[data-testid="bundle-state"]`, "已全部办结，待出件")
	// Nothing is handed over unpaid: the 住建局 fee is paid before delivery.
	if st := lead.ClickAndWait(`[data-testid="bundle-deliver"]`); st != 409 {
		lead.Fatalf("unpaid delivery answered %d, want 409", st)
	}
	lead.ExpectTextContains(`.problem`, "须先缴清费用")
	// One payment notice for the three parts, with their total.
	lead.Open("/bundles/" + no)
	lead.ClickAndWait(`[data-testid="bundle-issue-notice"]`)
	lead.ExpectText(`[data-testid="bundle-notice-state"]`, "待缴款")
	if n := lead.Count(`[data-testid="bundle-notice-line"]`); n != 3 {
		lead.Fatalf("the notice has %d lines, want 3", n)
	}
	lead.ExpectTextContains(`[data-testid="bundle-notice-total"]`, payments.FormatYuan(total))
	ref := lead.Text(`[data-testid="bundle-notice-ref"]`)
	// The cashier (a centre clerk) records the payment over the JSON API
	// with their session.
	cashier := NewBrowser(t, app.URL)
	cashier.Login("clerk", demo.Password)
	cashier.Open("/payments/notices/" + ref)
	status := eval[int](cashier, "record the payment", `(() => { const x = new XMLHttpRequest();
		x.open("POST", "/api/v1/payments/notices/`+ref+`/payments", false);
		x.setRequestHeader("Content-Type", "application/json");
		x.setRequestHeader("X-CSRF-Token", document.querySelector('input[name="csrf_token"]').value);
		x.send(JSON.stringify({method: "cash", receipt_no: "HN-2026-0001"})); return x.status; })()`)
	if status != 200 {
		cashier.Fatalf("recording the payment: %d", status)
	}
	lead.Open("/bundles/" + no)
	lead.ExpectText(`[data-testid="bundle-notice-state"]`, "已缴款")
	lead.ClickAndWait(`[data-testid="bundle-deliver"]`)
	lead.ExpectText(`[data-testid="bundle-state"]`, "已统一出件")

	// The company sees the combined result.
	co = NewBrowser(t, app.URL)
	co.Open("/signin")
	co.Fill("#f-id_number", code)
	co.Fill("#f-password", "Jianxin2026")
	co.Submit()
	co.Open("/my/bundles/" + no)
	co.ExpectText(`[data-testid="bundle-state"]`, "已统一出件")
	co.ExpectText(`[data-testid="bundle-outcome"]`, "全部准予")
	for _, s := range co.Texts(`[data-testid="part-state"]`) {
		if !strings.Contains(s, "已送达") {
			co.Fatalf("a part reads %q after the combined delivery", s)
		}
	}
}

// partOf is the number of a bundle's part in a department.
func partOf(t *testing.T, app *App, bundle, dept string) string {
	t.Helper()
	var no string
	if err := app.DB.R.QueryRowContext(context.Background(), `SELECT c.no FROM cases c JOIN bundles b ON b.id = c.bundle_id
		JOIN departments d ON d.id = c.department_id WHERE b.no = $1 AND d.code = $2`, bundle, dept).Scan(&no); err != nil {
		t.Fatalf("part of %s in %s: %v", bundle, dept, err)
	}
	return no
}

// chargeBundle gives each item of the composite a fee (the demo's are
// free), the lead department's paid before delivery, and answers their
// total.
func chargeBundle(t *testing.T, app *App, code string) int64 {
	t.Helper()
	ctx := context.Background()
	admin, err := app.Server.Org.StaffByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	comp, err := app.Server.Catalogue.Composite(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for i, it := range comp.Items {
		item, err := app.Server.Catalogue.Item(ctx, it.Code)
		if err != nil {
			t.Fatal(err)
		}
		c := item.Content
		fen := int64(5000 * (i + 1))
		total += fen
		c.Fees = []catalogue.Fee{{Name: "审查费", AmountFen: fen, Basis: "湘价费〔2019〕1号", BeforeDelivery: item.DepartmentID == comp.LeadDepartmentID}}
		if _, _, err := app.Server.Catalogue.Update(ctx, admin.Actor("192.0.2.1"), it.Code, c, "收费标准"); err != nil {
			t.Fatal(err)
		}
	}
	return total
}
