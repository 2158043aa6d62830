package e2e

import (
	"context"
	"testing"
	"time"

	"onestop/internal/applicants"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/org"
)

// A citizen rates a completed case 非常不满意 with a comment; the
// department's admin verifies, replies and records the revisit on the
// rectification ledger; the citizen later sees the reply and the revisit
// on their case page (issue 13 §7, journey 3).
func TestCitizenRatesBadlyAndSeesTheRevisit(t *testing.T) {
	t.Parallel()
	app, citizen := Start(t)
	no := completedCase(t, app)

	// The citizen signs in and finds the case waiting for a rating.
	citizen.Open("/signin")
	citizen.Fill("#f-id_number", "11010519491231002X")
	citizen.Fill("#f-password", "Citizen2026")
	citizen.Submit()
	citizen.ExpectPath("/me")
	citizen.Open("/rate")
	citizen.ClickAndWait(`[data-testid="rate-link"][data-no="` + no + `"]`)
	citizen.WaitVisible("#rate-form")
	// 非常不满意 without a reason or comment is refused, saying why.
	citizen.Click("#f-level-1")
	if status := citizen.Submit(); status != 422 {
		citizen.Fatalf("a bad rating without a reason: %d", status)
	}
	citizen.ExpectTextContains("#e-comment", "请勾选原因或填写评价内容")
	citizen.Click("#f-level-1")
	citizen.Fill("#f-comment", "窗口让我来回跑了三趟才办成。")
	citizen.Submit()
	citizen.WaitVisible(`[data-testid="rate-thanks"]`)
	citizen.ExpectText(`[data-testid="rating-level"]`, "非常不满意")
	citizen.ExpectText(`[data-testid="rating-comment"]`, "窗口让我来回跑了三趟才办成。")

	// The department's admin works the rectification.
	staff := NewBrowser(t, app.URL)
	staff.Login("deptadmin", demo.Password)
	staff.Open("/ratings")
	staff.WaitVisible(`[data-testid="rect-row"][data-no="` + no + `"]`)
	staff.ClickAndWait(`[data-testid="rect-row"][data-no="` + no + `"] a`)
	staff.ExpectText(`[data-testid="rect-comment"]`, "窗口让我来回跑了三趟才办成。")
	staff.Fill("#f-text", "已电话联系申请人核实：首次告知材料不全。")
	staff.ClickAndWait(`[data-testid="step-verify"]`)
	staff.WaitVisible("p.flash")
	staff.Fill("#f-text", "非常抱歉。我们已修改一次性告知清单，并对窗口人员进行培训。")
	staff.ClickAndWait(`[data-testid="step-reply"]`)
	staff.ExpectText(`[data-testid="rect-reply"]`, "非常抱歉。我们已修改一次性告知清单，并对窗口人员进行培训。")
	staff.Select("#f-how", "phone")
	staff.Fill("#f-opinion", "申请人表示满意，感谢回访。")
	staff.ClickAndWait(`[data-testid="step-revisit"]`)
	staff.ExpectTextContains(`[data-testid="rect-revisit"]`, "申请人表示满意，感谢回访。")

	// Later, the citizen sees the reply and the revisit on the portal.
	citizen.Open("/my/cases/" + no)
	citizen.WaitVisible(`[data-testid="rating-reply"]`)
	citizen.ExpectTextContains(`[data-testid="rating-reply"]`, "我们已修改一次性告知清单")
	citizen.ExpectTextContains(`[data-testid="rating-revisit"]`, "电话回访")
	citizen.ExpectTextContains(`[data-testid="rating-revisit"]`, "申请人表示满意，感谢回访。")
}

// completedCase registers the citizen and takes a walk-in case of a test
// item of the demo clerk's department to completion through the engine.
func completedCase(t *testing.T, app *App) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	orgs := &org.Service{DB: app.DB, Now: time.Now}
	actor := func(u string) cases.Actor {
		st, err := orgs.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return cases.StaffActor(st.Actor("127.0.0.1"))
	}
	clerk := actor("clerk")
	cat := &catalogue.Service{DB: app.DB, Now: time.Now}
	if _, err := cat.Create(ctx, *actor("admin").Staff, "T-902", catalogue.Content{Name: "测试窗口许可", Type: "licensing",
		DepartmentID: clerk.Staff.DepartmentID, Audience: "both", LegalBasis: "《中华人民共和国行政许可法》第十二条", StatutoryDays: 20, PromisedDays: 5,
		Visits: 1, AtHall: true, Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}},
		Steps: catalogue.DefaultSteps(5)}, ""); err != nil {
		t.Fatalf("test item: %v", err)
	}
	a, err := app.Server.Applicants.Register(ctx, applicants.Input{Kind: "citizen", IDNumber: "11010519491231002X", Name: "王小明",
		Phone: "13800138000", Password: "Citizen2026"}, true)
	if err != nil {
		t.Fatal(err)
	}
	eng := app.Server.Cases
	c, err := eng.Submit(ctx, clerk, cases.SubmitInput{ItemCode: "T-902", ApplicantID: a.ID, Materials: []cases.MaterialChange{{Seq: 1, Paper: true}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		who, act string
		in       cases.Input
	}{{"clerk", cases.ActAccept, cases.Input{}}, {"reviewer", cases.ActForward, cases.Input{Opinion: "符合条件"}},
		{"approver", cases.ActApprove, cases.Input{Opinion: "同意"}}, {"clerk", cases.ActComplete, cases.Input{}}} {
		if _, err := eng.Act(ctx, actor(s.who), c.No, s.act, s.in); err != nil {
			t.Fatalf("%s %s: %v", s.who, s.act, err)
		}
	}
	return c.No
}
