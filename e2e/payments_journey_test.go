package e2e

import (
	"context"
	"testing"
	"time"

	"onestop/internal/demo"
	"onestop/internal/payments"
)

// The cashier window in a browser (issue 14 §2): a clerk of the notice's
// centre opens it from the navigation, mistypes a paid notice's reference
// and is told at the field, types it as printed (grouped by four), and
// refunds it: without a reason the form comes back with the amount kept
// and the reason asked for; with one the notice reads as refunded.
func TestCashierJourney(t *testing.T) {
	t.Parallel()
	app, b := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// A month of the demo county's history, then its notices (as the demo
	// server does after its year of history).
	now := time.Now()
	if err := demo.GenerateCases(ctx, app.DB, demo.CaseOptions{PerDay: 20, Days: 30, Until: now, Seed: demoSeed}); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedPayments(ctx, app.DB, now); err != nil {
		t.Fatal(err)
	}
	var ref, clerk string
	var total int64
	if err := app.DB.R.QueryRowContext(ctx, `SELECT n.ref, n.total_fen, s.username FROM payment_notices n JOIN staff s ON s.centre_id = n.centre_id
		WHERE s.role = 'clerk' AND n.state = 'paid' AND n.total_fen > 0 ORDER BY n.id, s.id LIMIT 1`).Scan(&ref, &total, &clerk); err != nil {
		t.Fatalf("a paid notice: %v", err)
	}
	b.Login(clerk, demo.Password)
	b.Open("/workbench")
	b.ClickAndWait(`nav.side a[href="/payments"]`)
	b.Fill("#f-ref", ref[:15]+string('0'+(ref[15]-'0'+1)%10))
	b.ClickAndWait(`[data-testid="cashier-find"] button`)
	b.ExpectTextContains(`[data-testid="ref-error"]`, "校验位")
	b.Fill("#f-ref", ref[:4]+" "+ref[4:8]+" "+ref[8:12]+" "+ref[12:])
	b.ClickAndWait(`[data-testid="cashier-find"] button`)
	b.ExpectText(`[data-testid="cashier-state"]`, "已缴款")
	b.Fill(`#cashier-refund [name="amount"]`, payments.FormatYuan(total))
	b.Select(`#cashier-refund [name="method"]`, "cash")
	b.ClickAndWait(`#cashier-refund button`)
	b.ExpectTextContains(`[data-testid="reason-error"]`, "")
	b.ExpectValue(`#cashier-refund [name="amount"]`, payments.FormatYuan(total))
	b.Fill(`#cashier-refund [name="reason"]`, "申请人撤回申请，全额退费")
	b.ClickAndWait(`#cashier-refund button`)
	b.ExpectText(`[data-testid="cashier-state"]`, "已退款")
	b.ExpectTextContains(`[data-testid="cashier-movements"]`, "全额退费")
}
