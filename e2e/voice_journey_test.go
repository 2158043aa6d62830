package e2e

import (
	"context"
	"fmt"
	"testing"

	"onestop/internal/demo"
)

// A citizen files a complaint from the home page's link and gets a
// tracking number; the supervisor turns it into a correction order to the
// department; the department replies on the order; the supervisor accepts
// the reply, editing what the citizen will read; the citizen follows the
// number with their phone and reads that reply (issue 13 §7, journey 2).
func TestCitizenComplainsAndSeesTheReply(t *testing.T) {
	t.Parallel()
	app, citizen := Start(t)
	ctx := context.Background()

	// The home page's complaint link, or the form itself while the home
	// page does not carry it yet.
	citizen.Open("/")
	if citizen.Count(`a[href="/complain"]`) > 0 {
		citizen.ClickAndWait(`a[href="/complain"]`)
	} else {
		citizen.Open("/complain")
	}
	citizen.ExpectPath("/complain")
	citizen.Fill("#f-subject", "窗口未一次性告知所需材料")
	citizen.Fill("#f-body", "我两次到发改窗口办理备案，每次都被告知缺少不同的材料。")
	citizen.Fill("#f-phone", "13800138000")
	citizen.Submit()
	citizen.ExpectPath("/voice/filed")
	no := citizen.Text(`[data-testid="voice-no"]`)
	if len(no) != len("TS-20261205-0001") || no[:3] != "TS-" {
		citizen.Fatalf("tracking number %q", no)
	}

	// The supervisor refers it to the department by a correction order.
	var fgj int64
	if err := app.DB.R.QueryRowContext(ctx, `SELECT department_id FROM staff WHERE username = 'deptadmin'`).Scan(&fgj); err != nil {
		t.Fatal(err)
	}
	sup := NewBrowser(t, app.URL)
	sup.Login("supervisor", demo.Password)
	sup.Open("/enquiries/" + no)
	sup.Select("#f-department_id", fmt.Sprint(fgj))
	sup.Fill("#f-instruction", "请核实是否落实一次性告知制度，整改并说明情况。")
	sup.ClickAndWait("#enquiry-refer button")
	sup.WaitVisible(`[data-testid="enquiry-event"]`)
	sup.ExpectTextContains(`[data-testid="enquiry"]`, "已转督办单")

	// The department replies on the order.
	var orderID int64
	if err := app.DB.R.QueryRowContext(ctx, `SELECT o.id FROM correction_orders o JOIN enquiries e ON e.id = o.enquiry_id WHERE e.no = $1`, no).Scan(&orderID); err != nil {
		t.Fatalf("the order: %v", err)
	}
	dept := NewBrowser(t, app.URL)
	dept.Login("deptadmin", demo.Password)
	dept.Open(fmt.Sprintf("/supervision/orders/%d", orderID))
	dept.ExpectText(`[data-testid="order-enquiry"]`, no)
	dept.Fill("#f-reply", "经核实，窗口人员未一次性告知，已批评教育并组织培训。")
	dept.ClickAndWait("#order-reply button")
	dept.WaitVisible(`[data-testid="order-state"][data-state="replied"]`)

	// The supervisor accepts it from the complaint, with the words the
	// citizen will read.
	sup.Open("/enquiries/" + no)
	sup.ExpectValue("#f-public_reply", "经核实，窗口人员未一次性告知，已批评教育并组织培训。")
	sup.Fill("#f-public_reply", "经核实，窗口人员未一次性告知所需材料，已批评教育并组织全体窗口培训。感谢您的监督。")
	sup.ClickAndWait("#enquiry-accept button")
	sup.WaitVisible(`[data-testid="voice-state"][data-state="answered"]`)

	// The citizen follows the number and reads the reply.
	citizen.Open("/voice/track")
	citizen.Fill("#f-no", no)
	citizen.Fill("#f-phone", "138 0013 8000")
	citizen.Submit()
	citizen.WaitVisible(`[data-testid="voice-reply"]`)
	citizen.ExpectTextContains(`[data-testid="voice-reply"]`, "已批评教育并组织全体窗口培训")
	citizen.ExpectTextContains(`[data-testid="voice-state"]`, "已答复")
}
