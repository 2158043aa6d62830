package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onestop/internal/demo"
)

// A citizen applies on commitment (告知承诺) instead of the ID copy; the
// case is approved; the department's verification finds the commitment
// false and revokes the decision; the citizen's next application can no
// longer use 告知承诺 (issue 14 points 3 and 5).
func TestCommitmentJourney(t *testing.T) {
	t.Parallel()
	app, citizen := Start(t)
	addTestItem(t, app)
	pdf := filepath.Join(t.TempDir(), "申请表.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// The department's catalogue admin lets a commitment replace the ID copy.
	staff := NewBrowser(t, app.URL)
	staff.Login("deptadmin", demo.Password)
	staff.Open("/admin/items/T-901/modes")
	staff.Click(`input[name="commitment"]`)
	staff.Click(`input[name="replaced"][value="身份证件"]`)
	staff.Fill("#f-verify_days", "10")
	staff.Fill("#f-terms", "申请人身份信息真实，无冒用他人身份情形。")
	staff.Submit()
	staff.ExpectTextContains(`[data-testid="item-commitment"]`, "身份证件")
	staff.Logout()

	// The citizen applies on commitment with the application form only.
	registerCitizen(t, app, citizen, "11010519491231002X", "王小明", "13800138000", "Citizen2026")
	citizen.WaitVisible(`a[href="/my/cases"]`)
	citizen.Open("/apply/T-901")
	citizen.upload(`input[name="m1"]`, pdf)
	citizen.Click(`input[name="mode"][value="commitment"]`)
	citizen.Submit()
	if !strings.HasPrefix(citizen.Path(), "/my/cases/") {
		citizen.Fatalf("after applying: %s", citizen.URL())
	}
	no := citizen.Text(`[data-testid="case-no"]`)
	citizen.ClickAndWait(`[data-testid="documents"] a[href*="/documents/commitment"]`)
	citizen.ExpectText("article.doc h2", "告知承诺书")
	citizen.ExpectTextContains(`[data-testid="doc-terms"]`, "无冒用他人身份情形")
	citizen.ExpectTextContains(`[data-testid="doc-liability"]`, "撤销所作决定")

	// Accepted without the ID copy, forwarded, approved.
	staff.Login("clerk", demo.Password)
	staff.Open("/cases/" + no)
	staff.ClickAndWait(`#act-accept button`)
	staff.ExpectText(`[data-testid="case-state"]`, "审查中")
	staff.ClickAndWait(`[data-testid="documents"] a[href*="/documents/acceptance"]`)
	staff.ExpectText(`[data-testid="doc-mode"]`, "本申请按告知承诺方式受理。")
	staff.Logout()
	staff.Login("reviewer", demo.Password)
	staff.Open("/cases/" + no)
	staff.Fill(`#act-forward textarea[name="opinion"]`, "承诺书完整。")
	staff.ClickAndWait(`#act-forward button`)
	staff.Logout()
	staff.Login("approver", demo.Password)
	staff.Open("/cases/" + no)
	staff.ClickAndWait(`#act-approve button`)
	staff.ExpectText(`[data-testid="case-state"]`, "准予许可")
	staff.Logout()

	// Verification finds the commitment false: the decision is revoked.
	staff.Login("reviewer", demo.Password)
	staff.Open("/verifications")
	row := `[data-testid="verification-row"][data-no="` + no + `"]`
	staff.WaitVisible(row)
	staff.Click(row + ` input[name="outcome"][value="false"]`)
	staff.Fill(row+` textarea[name="reason"]`, "经公安机关核查，所用身份信息系冒用。")
	staff.ClickAndWait(row + ` button.primary`)
	staff.ExpectText(`[data-testid="case-state"]`, "已撤销")

	// The citizen is told and sees the revocation decision with remedies.
	citizen.Open("/my/cases/" + no)
	citizen.ExpectText(`[data-testid="case-state"]`, "已撤销")
	citizen.ExpectTextContains(`[data-testid="messages"]`, "已撤销所作决定")
	citizen.ClickAndWait(`[data-testid="documents"] a[href*="/documents/revocation"]`)
	citizen.ExpectText("article.doc h2", "撤销行政许可决定书")
	citizen.ExpectTextContains(`[data-testid="doc-remedy"]`, "行政复议")

	// The next application can no longer use 告知承诺.
	citizen.Open("/apply/T-901")
	citizen.ExpectTextContains(`[data-testid="credit-marked"]`, "曾作出虚假承诺")
	if n := citizen.Count(`input[name="mode"][value="commitment"]`); n != 0 {
		citizen.Fatalf("告知承诺 still offered (%d)", n)
	}
}
