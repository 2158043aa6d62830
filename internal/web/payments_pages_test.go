package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"onestop/internal/catalogue"
)

// Who reaches the fees pages (issue 14 §2): the case's window clerk issues
// from the case page; the centre's clerks and admin keep the cashier
// window and import bank statements (payments.Cashier).
func init() {
	cashierUsers := []string{"admin", "township", "clerk", "tclerk"}
	for p, who := range map[string][]string{
		"POST /cases/{no}/payment-notice":       {"clerk", "tclerk"},
		"GET /payments":                         cashierUsers,
		"POST /payments/notices/{ref}/payments": cashierUsers,
		"POST /payments/notices/{ref}/refunds":  cashierUsers,
		"GET /payments/statements":              cashierUsers,
		"POST /payments/statements":             cashierUsers,
	} {
		expected[p] = who
	}
	scopeRoutes["POST /cases/{no}/payment-notice"] = kCase
	// A notice's scope is its centre's cashiers: tried record by record in
	// TestCashierPages and internal/payments (TestCashierPayment).
	scopeRoutes["POST /payments/notices/{ref}/payments"] = kNone
	scopeRoutes["POST /payments/notices/{ref}/refunds"] = kNone
}

var paymentRefRE = regexp.MustCompile(`data-testid="payment-ref">(\d{16})<`)

// feeItem creates a charging item of the clerk's department.
func feeItem(t *testing.T, cf *caseFixture, code string) {
	t.Helper()
	ctx := context.Background()
	clerkSt, _ := cf.srv.Org.StaffByUsername(ctx, "clerk")
	{
		admin, _ := cf.srv.Org.StaffByUsername(ctx, "admin")
		cat := &catalogue.Service{DB: cf.db, Now: cf.clock}
		c := catalogue.Content{Name: "测试收费许可", Type: "licensing", DepartmentID: clerkSt.DepartmentID, Audience: "both", LegalBasis: "《中华人民共和国行政许可法》第十二条",
			StatutoryDays: 20, PromisedDays: 5, Visits: 1, Online: true, AtHall: true,
			Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}},
			Fees:      []catalogue.Fee{{Name: "登记费", AmountFen: 8000, Basis: "湘价费〔2019〕1号", BeforeDelivery: true}},
			Steps:     catalogue.DefaultSteps(5)}
		if _, err := cat.Create(ctx, admin.Actor("192.0.2.1"), code, c, ""); err != nil {
			t.Fatal(err)
		}
	}
}

// approvedFeeCase takes one case of the item to approval, when its fee
// falls due.
func approvedFeeCase(t *testing.T, cf *caseFixture, code string) string {
	t.Helper()
	clerk, reviewer, approver := cf.login("clerk"), cf.login("reviewer"), cf.login("approver")
	no := cf.intake(clerk, code, 1)
	cf.mustAct(clerk, no, "accept", nil)
	cf.mustAct(reviewer, no, "forward", url.Values{"opinion": {"材料齐全"}})
	cf.mustAct(approver, no, "approve", nil)
	return no
}

// issue posts the case page's issuing form.
func issue(c *client, no string, form url.Values) (*http.Response, string) {
	_, page := c.get("/cases/" + no)
	if m := versionRE.FindStringSubmatch(page); m != nil && form.Get("version") == "" {
		form.Set("version", m[1])
	}
	return c.post("/cases/"+no+"/payment-notice", form)
}

// issuedNotice issues the standard notice of a fresh approved case of a
// new charging item from the case page and returns its reference.
func issuedNotice(t *testing.T, cf *caseFixture, clerk *client, code string) string {
	t.Helper()
	feeItem(t, cf, code)
	no := approvedFeeCase(t, cf, code)
	if res, _ := issue(clerk, no, url.Values{"fees.1.amount": {"80"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("issue: %d", res.StatusCode)
	}
	return noticeOf(t, clerk, no)
}

// noticeOf is the case's notice reference, "" when none is issued.
func noticeOf(t *testing.T, c *client, no string) string {
	t.Helper()
	res, body := c.api(http.MethodGet, "/api/v1/cases/"+no+"/payment-notice", "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("case notice: %d", res.StatusCode)
	}
	n, _ := body["notice"].(map[string]any)
	if n == nil {
		return ""
	}
	return n["ref"].(string)
}

// The case page's payment section: the window clerk sees the form with the
// standard amount; a deviation without its reason comes back with the
// error at the field and the typed amount kept, and issues nothing; so do
// a 50,000-character reason, a missing CSRF token and the township's clerk;
// the issued notice shows on the staff page with its lines and on the
// applicant's own page with reference, total and status only.
func TestCasePaymentSection(t *testing.T) {
	cf := newCaseFixture(t)
	feeItem(t, cf, "T-201")
	no := approvedFeeCase(t, cf, "T-201")
	clerk := cf.login("clerk")
	page, _ := cf.casePage(clerk, no)
	if !strings.Contains(page, `data-testid="payment-form"`) || !strings.Contains(page, `value="80.00"`) {
		t.Fatalf("the clerk gets no issuing form with the standard amount:\n%s", page)
	}
	if page, _ := cf.casePage(cf.login("reviewer"), no); strings.Contains(page, `data-testid="payment-form"`) {
		t.Error("the reviewer, who is not the window clerk, gets the issuing form")
	}

	res, page := issue(clerk, no, url.Values{"fees.1.amount": {"40"}, "fees.1.reason": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `name="fees.1.amount" id="f-fees.1.amount" value="40"`) ||
		!strings.Contains(page, `id="f-fees.1.reason"`) || !strings.Contains(page, `aria-invalid="true"`) {
		t.Errorf("deviation without reason: %d\n%s", res.StatusCode, problemOf(page))
	}
	if ref := noticeOf(t, clerk, no); ref != "" {
		t.Fatalf("a deviation without reason issued %s", ref)
	}
	if res, page := issue(clerk, no, url.Values{"fees.1.amount": {"40"}, "fees.1.reason": {strings.Repeat("减", 50000)}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("50,000-character reason: %d %s", res.StatusCode, problemOf(page))
	}
	if res, page := issue(clerk, no, url.Values{"fees.1.amount": {strings.Repeat("9", 50000)}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("50,000-digit amount: %d %s", res.StatusCode, problemOf(page))
	}
	if res, _ := issue(clerk, no, url.Values{"csrf_token": {"forged"}, "fees.1.amount": {"80"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("issue without CSRF: %d", res.StatusCode)
	}
	if res, _ := issue(clerk, no, url.Values{"version": {"1"}, "fees.1.amount": {"80"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("issue from a stale page: %d", res.StatusCode)
	}
	if res, _ := issue(cf.login("tclerk"), no, url.Values{"fees.1.amount": {"80"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("the township clerk issues the hall's notice: %d", res.StatusCode)
	}
	if ref := noticeOf(t, clerk, no); ref != "" {
		t.Fatalf("a refused form issued %s", ref)
	}

	res, page = issue(clerk, no, url.Values{"fees.1.amount": {"60"}, "fees.1.reason": {"困难群众减免"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/cases/"+no {
		t.Fatalf("issue: %d %s", res.StatusCode, problemOf(page))
	}
	page, _ = cf.casePage(clerk, no)
	m := paymentRefRE.FindStringSubmatch(page)
	if m == nil || m[1] != noticeOf(t, clerk, no) || !strings.Contains(page, "困难群众减免") || !strings.Contains(page, "¥60.00") ||
		strings.Contains(page, `data-testid="payment-form"`) {
		t.Fatalf("the issued notice on the case page:\n%s", page)
	}
	if res, _ := cf.login("tclerk").get("/payments/notices/" + m[1]); res.StatusCode != http.StatusNotFound {
		t.Errorf("the township clerk reads the hall's notice: %d", res.StatusCode)
	}
	res, page = cf.applicant().get("/my/cases/" + no)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, m[1]) || !strings.Contains(page, "¥60.00") || strings.Contains(page, "困难群众减免") {
		t.Errorf("the applicant's page: %d, want the reference and total without staff details", res.StatusCode)
	}
}

// The cashier window: a mistyped reference is a field error, the hall's
// notice is not the township's, a 50,000-character receipt number or a
// refund without reason is a field error that records nothing, a form
// without the CSRF token is refused; payment and refund are recorded.
func TestCashierPages(t *testing.T) {
	cf := newCaseFixture(t)
	clerk := cf.login("clerk")
	ref := issuedNotice(t, cf, clerk, "T-202")
	bad := ref[:15] + string('0'+(ref[15]-'0'+1)%10)
	res, page := clerk.get("/payments?ref=" + bad)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `data-testid="ref-error"`) {
		t.Errorf("wrong check digit: %d", res.StatusCode)
	}
	// The house-wide query check (checkQuery) answers before the page.
	if res, page := clerk.get("/payments?ref=" + strings.Repeat("1", 50000)); res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(page, `data-testid="cashier-notice"`) {
		t.Errorf("a 50,000-digit reference: %d", res.StatusCode)
	}
	if res, page := cf.login("tclerk").get("/payments?ref=" + ref); strings.Contains(page, `data-testid="cashier-notice"`) || res.StatusCode == http.StatusOK {
		t.Errorf("the township clerk's cashier window shows the hall's notice: %d", res.StatusCode)
	}
	res, page = clerk.get("/payments?ref=" + url.QueryEscape(ref[:4]+" "+ref[4:]))
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `data-testid="pay-form"`) || !strings.Contains(page, "¥80.00") {
		t.Fatalf("cashier page: %d %s", res.StatusCode, problemOf(page))
	}
	state := func() string {
		_, body := clerk.api(http.MethodGet, "/api/v1/payments/notices/"+ref, "")
		return fmt.Sprint(body["state"], "/", body["refunded_fen"])
	}
	pay := "/payments/notices/" + ref + "/payments"
	if res, page := clerk.post(pay, url.Values{"method": {"cash"}, "receipt_no": {strings.Repeat("R", 50000)}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(page, `data-testid="receipt-error"`) {
		t.Errorf("50,000-character receipt number: %d", res.StatusCode)
	}
	if res, _ := cf.login("tclerk").post(pay, url.Values{"method": {"cash"}, "receipt_no": {"R-1"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("the township clerk takes the hall's payment: %d", res.StatusCode)
	}
	if res, _ := clerk.post(pay, url.Values{"csrf_token": {"forged"}, "method": {"cash"}, "receipt_no": {"R-1"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("payment without CSRF: %d", res.StatusCode)
	}
	if s := state(); s != "due/0" {
		t.Fatalf("refused forms changed the notice: %s", s)
	}
	if res, page := clerk.post(pay, url.Values{"method": {"cash"}, "receipt_no": {"R-1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("payment: %d %s", res.StatusCode, problemOf(page))
	}
	refund := "/payments/notices/" + ref + "/refunds"
	if res, page := clerk.post(refund, url.Values{"method": {"cash"}, "amount": {"80"}, "reason": {""}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(page, `data-testid="reason-error"`) || !strings.Contains(page, `value="80"`) {
		t.Errorf("refund without reason: %d", res.StatusCode)
	}
	if res, page := clerk.post(refund, url.Values{"method": {"cash"}, "amount": {"80"}, "reason": {strings.Repeat("退", 50000)}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(page, `data-testid="reason-error"`) {
		t.Errorf("50,000-character refund reason: %d", res.StatusCode)
	}
	if res, _ := clerk.post(refund, url.Values{"csrf_token": {"forged"}, "method": {"cash"}, "amount": {"80"}, "reason": {"撤回申请"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("refund without CSRF: %d", res.StatusCode)
	}
	if res, _ := clerk.post(refund, url.Values{"method": {"cash"}, "amount": {"8o"}, "reason": {"撤回申请"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("refund of an unreadable amount: %d", res.StatusCode)
	}
	if s := state(); s != "paid/0" {
		t.Fatalf("refused refunds changed the notice: %s", s)
	}
	if res, page := clerk.post(refund, url.Values{"method": {"cash"}, "amount": {"80"}, "reason": {"撤回申请"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("refund: %d %s", res.StatusCode, problemOf(page))
	}
	if _, page := clerk.get("/payments?ref=" + ref); !strings.Contains(page, `data-state="refunded"`) {
		t.Error("the refunded notice does not show as refunded")
	}
}

// The statement import page: the report names the matched line with its
// reference and amount, and the unmatched and invalid lines with their
// line numbers; the same file again shows every line that was read a
// duplicate (the unreadable one invalid again) and pays
// nothing more. A form without the CSRF token is refused.
func TestStatementImportPage(t *testing.T) {
	cf := newCaseFixture(t)
	clerk := cf.login("clerk")
	ref := issuedNotice(t, cf, clerk, "T-203")
	csv := "交易流水号,金额,附言\nB-1,80.00,缴款" + ref + "\nB-2,15.00,无编号\nB-3,abc," + ref + "\n"
	file := map[string]fileBody{"file": {name: "statement.csv", data: []byte(csv)}}
	if res, _ := clerk.uploadFiles("/payments/statements", url.Values{"csrf_token": {"forged"}}, file); res.StatusCode != http.StatusForbidden {
		t.Errorf("import without CSRF: %d", res.StatusCode)
	}
	if got := noticeState(t, clerk, ref); got != "due" {
		t.Fatalf("a refused import changed the notice: %s", got)
	}
	outcomes := regexp.MustCompile(`data-testid="statement-line" data-outcome="(\w+)"><td>(\d+)</td>`)
	res, page := clerk.uploadFiles("/payments/statements", nil, file)
	got := outcomes.FindAllStringSubmatch(page, -1)
	if res.StatusCode != http.StatusOK || len(got) != 3 || got[0][1] != "matched" || got[0][2] != "2" || got[1][1] != "unmatched" || got[1][2] != "3" ||
		got[2][1] != "invalid" || got[2][2] != "4" || !strings.Contains(page, ref) || !strings.Contains(page, "¥80.00") {
		t.Fatalf("first import: %d %v\n%s", res.StatusCode, got, problemOf(page))
	}
	if got := noticeState(t, clerk, ref); got != "paid" {
		t.Fatalf("the matched line did not pay the notice: %s", got)
	}
	_, page = clerk.uploadFiles("/payments/statements", nil, file)
	got = outcomes.FindAllStringSubmatch(page, -1)
	if len(got) != 3 {
		t.Fatalf("second import: %v", got)
	}
	// An unreadable line was never taken in, so it reads as invalid again;
	// every line that was read is a duplicate.
	for _, g := range got[:2] {
		if g[1] != "duplicate" {
			t.Errorf("line %s of the same file again: %s, want duplicate", g[2], g[1])
		}
	}
	// The page says plainly the statement came before and nothing was applied.
	if !strings.Contains(page, `data-testid="statement-repeat"`) || !strings.Contains(page, "此对账单此前已导入") {
		t.Errorf("the second import does not say the statement was imported before")
	}
	_, body := clerk.api(http.MethodGet, "/api/v1/payments/notices/"+ref, "")
	if mv, _ := body["movements"].([]any); len(mv) != 1 {
		t.Errorf("the second import recorded more payments: %v", body["movements"])
	}
	if res, page := clerk.uploadFiles("/payments/statements", nil, map[string]fileBody{"file": {name: "x.csv", data: []byte("\x00\x01garbage")}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(page, `data-testid="file-error"`) {
		t.Errorf("an unreadable file: %d", res.StatusCode)
	}
	if res, page := clerk.uploadFiles("/payments/statements", nil, nil); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `data-testid="file-error"`) {
		t.Errorf("no file: %d", res.StatusCode)
	}
}

func noticeState(t *testing.T, c *client, ref string) string {
	t.Helper()
	_, body := c.api(http.MethodGet, "/api/v1/payments/notices/"+ref, "")
	s, _ := body["state"].(string)
	return s
}
