package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Who reaches the payment routes (issue 14 §2): the case's window clerk
// issues; the centre's clerks and admin take payments, refunds and bank
// statements (there is no cashier role); every case worker, admin and
// supervision reads a notice its scope covers.
func init() {
	readers := []string{"admin", "township", "clerk", "tclerk", "reviewer", "approver", "deptadmin", "supervisor", "leader"}
	cashiers := []string{"admin", "township", "clerk", "tclerk"}
	for p, who := range map[string][]string{
		"GET /api/v1/payments/notices/{ref}":           readers,
		"GET /payments/notices/{ref}":                  readers,
		"GET /api/v1/cases/{no}/payment-notice":        readers,
		"POST /api/v1/cases/{no}/payment-notice":       {"clerk", "tclerk"},
		"POST /api/v1/payments/notices/{ref}/payments": cashiers,
		"POST /api/v1/payments/notices/{ref}/refunds":  cashiers,
		"POST /api/v1/payments/statements":             cashiers,
	} {
		expected[p] = who
	}
	scopeRoutes["GET /api/v1/cases/{no}/payment-notice"] = kCase
	scopeRoutes["POST /api/v1/cases/{no}/payment-notice"] = kCase
	// A notice's scope (its centre's cashiers, whoever sees one of its
	// cases) is tried record by record in internal/payments
	// (TestIssueAccess, TestCashierPayment, TestStatementAttacks).
	for _, p := range []string{"GET /api/v1/payments/notices/{ref}", "GET /payments/notices/{ref}", "POST /api/v1/payments/notices/{ref}/payments",
		"POST /api/v1/payments/notices/{ref}/refunds"} {
		scopeRoutes[p] = kNone
	}
}

// The payment journey over the API: the clerk issues the approved case's
// notice, the township's clerk cannot read it, a POST without the CSRF
// token changes nothing, the cashier records payment, and the same bank
// statement imported twice pays nothing the second time.
func TestPaymentsAPI(t *testing.T) {
	cf := newCaseFixture(t)
	ctx := context.Background()
	feeItem(t, cf, "T-101")
	no := approvedFeeCase(t, cf, "T-101")
	clerk, reviewer := cf.login("clerk"), cf.login("reviewer")

	res, body := clerk.api(http.MethodPost, "/api/v1/cases/"+no+"/payment-notice", `{"amounts":{"1":{"amount_fen":4000}}}`)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("deviation without reason: %d %v", res.StatusCode, body)
	}
	res, body = clerk.api(http.MethodPost, "/api/v1/cases/"+no+"/payment-notice", `{}`)
	if res.StatusCode != http.StatusCreated || body["total_fen"] != float64(8000) {
		t.Fatalf("issue: %d %v", res.StatusCode, body)
	}
	ref := body["ref"].(string)
	// The applicant is told in the notice's own transaction: one message
	// per channel, naming the reference and the total.
	var params string
	if err := cf.db.Read().QueryRowContext(ctx, `SELECT params FROM sms_outbox WHERE template_key = 'notify.payment.due'`).Scan(&params); err != nil ||
		!strings.Contains(params, ref) || !strings.Contains(params, `"80.00"`) {
		t.Errorf("payment-due message: %q %v", params, err)
	}
	if res, _ := cf.login("tclerk").api(http.MethodGet, "/api/v1/payments/notices/"+ref, ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("the township clerk reads the hall's notice: %d", res.StatusCode)
	}
	if res, body := reviewer.api(http.MethodGet, "/api/v1/cases/"+no+"/payment-notice", ""); res.StatusCode != http.StatusOK || body["notice"] == nil {
		t.Errorf("the case's notice: %d %v", res.StatusCode, body)
	}
	// The printable notice shows the lines, the basis and the total.
	if res, page := clerk.get("/payments/notices/" + ref); res.StatusCode != http.StatusOK || !strings.Contains(page, "湘价费〔2019〕1号") || !strings.Contains(page, "¥80.00") {
		t.Errorf("notice page: %d", res.StatusCode)
	}
	// No CSRF token: refused, nothing paid.
	req, _ := http.NewRequest(http.MethodPost, cf.ts.URL+"/api/v1/payments/notices/"+ref+"/payments", strings.NewReader(`{"method":"cash","receipt_no":"R1"}`))
	req.Header.Set("Content-Type", "application/json")
	if res, _ := clerk.do(req); res.StatusCode != http.StatusForbidden {
		t.Errorf("payment without CSRF: %d", res.StatusCode)
	}
	statement := "交易流水号,金额,附言\nB-1,80.00,缴款" + ref + "\n"
	res, body = clerk.api(http.MethodPost, "/api/v1/payments/statements", statement)
	if res.StatusCode != http.StatusOK || body["matched_fen"] != float64(8000) {
		t.Fatalf("statement: %d %v", res.StatusCode, body)
	}
	res, body = clerk.api(http.MethodPost, "/api/v1/payments/statements", statement)
	if counts, _ := body["counts"].(map[string]any); res.StatusCode != http.StatusOK || counts["duplicate"] != float64(1) || body["matched_fen"] != float64(0) {
		t.Fatalf("statement again: %d %v", res.StatusCode, body)
	}
	if res, body := clerk.api(http.MethodPost, "/api/v1/payments/notices/"+ref+"/payments", `{"method":"cash","receipt_no":"R1"}`); res.StatusCode != http.StatusConflict {
		t.Errorf("paying a paid notice: %d %v", res.StatusCode, body)
	}
	cf.mustAct(clerk, no, "complete", nil)
	cf.mustAct(clerk, no, "deliver", url.Values{"delivery": {"window"}})
}

// The catalogue form keeps a fee's payment flags: set on creation, shown
// checked on the edit form, so an edit does not drop them.
func TestFeeFlagsInItemForm(t *testing.T) {
	cf := newCatalogueFixture(t)
	const code = "ZZTEST-FEE-001"
	form := itemForm(code, cf.ownDept)
	form.Set("fees.2.before_delivery", "on")
	if res, body := cf.admin.post("/admin/items", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.StatusCode, body)
	}
	if n := cf.idOf(`SELECT COUNT(*) FROM item_versions v JOIN items i ON i.id = v.item_id WHERE i.code = $1
		AND v.fees LIKE '%"before_delivery":true%' AND v.fees NOT LIKE '%on_acceptance%'`, code); n != 1 {
		t.Errorf("the stored fee lost its flag (%d versions with it)", n)
	}
	_, body := cf.admin.get("/admin/items/" + code)
	mustContain(t, "edit form", body, `name="fees.1.before_delivery" aria-label="缴费后发证 1" checked`)
}
