package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/org"
)

// A citizen applies online with one PDF; the clerk sends a one-time
// supplement notice for the missing ID copy; the citizen uploads it; the
// clerk accepts and opens the acceptance notice; the reviewer forwards, the
// approver approves; the citizen sees the decision (issue 4 point 11).
func TestCitizenAppliesOnline(t *testing.T) {
	t.Parallel()
	app, citizen := Start(t)
	addTestItem(t, app)
	pdf := filepath.Join(t.TempDir(), "申请表.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// The citizen registers and lands on their page, which leads to their cases.
	registerCitizen(t, app, citizen, "11010519491231002X", "王小明", "13800138000", "Citizen2026")
	citizen.WaitVisible(`a[href="/my/cases"]`)

	// Apply online with the application form only.
	citizen.Open("/apply/T-901")
	citizen.ExpectTextContains("h1", "测试网上许可")
	citizen.upload(`input[name="m1"]`, pdf)
	citizen.Submit()
	if !strings.HasPrefix(citizen.Path(), "/my/cases/") {
		citizen.Fatalf("after applying: %s", citizen.URL())
	}
	no := citizen.Text(`[data-testid="case-no"]`)
	citizen.ExpectText(`[data-testid="case-state"]`, "已收件")

	// The clerk sends one notice naming the missing ID copy.
	staff := NewBrowser(t, app.URL)
	staff.Login("clerk", demo.Password)
	staff.Open("/workbench")
	staff.ClickAndWait(`a[href="/cases/` + no + `"]`)
	staff.ExpectTextContains(`[data-testid="case-state"]`, "已收件")
	staff.WaitVisible(`#act-supplement`)
	if got := staff.Value(`select[name="m2_status"]`); got != "missing" {
		staff.Fatalf("the missing ID copy is not preselected: %q", got)
	}
	staff.Fill(`input[name="m2_note"]`, "请上传身份证正反面扫描件")
	staff.ClickAndWait(`#act-supplement button`)
	staff.ExpectText(`[data-testid="case-state"]`, "待补正")
	staff.ExpectText("p.flash", "已发出一次性补正告知。")

	// The citizen sees what to supplement and uploads it.
	citizen.Open("/my/cases/" + no)
	citizen.ExpectText(`[data-testid="case-state"]`, "待补正")
	citizen.ExpectTextContains(`[data-testid="messages"]`, "请上传身份证正反面扫描件")
	citizen.upload(`#act-resubmit input[name="m2"]`, pdf)
	citizen.ClickAndWait(`#act-resubmit button.primary`)
	citizen.ExpectText(`[data-testid="case-state"]`, "已收件")

	// The clerk accepts and opens the acceptance notice to print.
	staff.Open("/cases/" + no)
	staff.ClickAndWait(`#act-accept button`)
	staff.ExpectText(`[data-testid="case-state"]`, "审查中")
	staff.ClickAndWait(`[data-testid="documents"] a[href*="/documents/acceptance"]`)
	staff.ExpectText("article.doc h2", "受理通知书")
	staff.ExpectText(`[data-testid="doc-case-no"]`, no)
	staff.WaitVisible(`img[data-testid="doc-qr"]`)
	staff.Logout()

	// The reviewer forwards, the approver approves.
	staff.Login("reviewer", demo.Password)
	staff.Open("/cases/" + no)
	staff.Fill(`#act-forward textarea[name="opinion"]`, "材料齐全，符合条件。")
	staff.ClickAndWait(`#act-forward button`)
	staff.ExpectTextContains(`[data-testid="case-state"]`, "审查中")
	staff.Logout()
	staff.Login("approver", demo.Password)
	staff.Open("/workbench")
	staff.ClickAndWait(`a[href="/cases/` + no + `"]`)
	staff.ClickAndWait(`#act-approve button`)
	staff.ExpectText(`[data-testid="case-state"]`, "准予许可")

	// The citizen sees the decision and the decision document.
	citizen.Open("/my/cases")
	citizen.ClickAndWait(`a[href="/my/cases/` + no + `"]`)
	citizen.ExpectText(`[data-testid="case-state"]`, "准予许可")
	citizen.ExpectText(`[data-testid="case-decision"]`, "准予")
	citizen.ExpectTextContains(`[data-testid="messages"]`, "您的申请已获准予许可。")
	citizen.ClickAndWait(`[data-testid="documents"] a[href*="/documents/approval"]`)
	citizen.ExpectText(`[data-testid="doc-case-no"]`, no)
}

// upload puts a local file into a file input, as choosing it in the
// browser's file dialog would.
func (b *Browser) upload(sel, path string) {
	b.t.Helper()
	b.WaitReady(sel)
	b.do("upload "+path+" into "+sel, chromedp.SetUploadFiles(chromedp.CSS(sel), []string{path}))
}

// addTestItem adds an item of the demo clerk's department open online,
// with the one-review-one-sign-off template, so the journey does not
// depend on which demo items happen to be online.
func addTestItem(t *testing.T, app *App) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	orgs := &org.Service{DB: app.DB, Now: time.Now}
	admin, err := orgs.StaffByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	clerk, err := orgs.StaffByUsername(ctx, "clerk")
	if err != nil {
		t.Fatal(err)
	}
	cat := &catalogue.Service{DB: app.DB, Now: time.Now}
	_, err = cat.Create(ctx, admin.Actor("127.0.0.1"), "T-901", catalogue.Content{Name: "测试网上许可", Type: "licensing", DepartmentID: clerk.DepartmentID,
		Audience: "both", LegalBasis: "《中华人民共和国行政许可法》第十二条", StatutoryDays: 20, PromisedDays: 5, Visits: 0, Online: true, AtHall: true,
		Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "electronic", Copies: 1}, {Name: "身份证件", Required: true, Form: "electronic", Copies: 1}},
		Steps:     catalogue.DefaultSteps(5)}, "")
	if err != nil {
		t.Fatalf("test item: %v", err)
	}
}
