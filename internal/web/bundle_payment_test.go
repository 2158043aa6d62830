package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"onestop/internal/applicants"
	"onestop/internal/bundles"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/org"
	"onestop/internal/payments"
)

// The bundle's one payment notice (issue 14 §2): issued by clerks (the
// service admits only the lead department's); the bundle is scoped by
// TestBundleNoticeWebJourney here and in internal/bundles.
func init() {
	clerks := []string{"clerk", "tclerk"}
	expected["POST /bundles/{no}/payment-notice"] = clerks
	expected["POST /api/v1/bundles/{no}/payment-notice"] = clerks
	scopeRoutes["POST /bundles/{no}/payment-notice"] = kNone
	scopeRoutes["POST /api/v1/bundles/{no}/payment-notice"] = kNone
}

// staffActor is the named staff member as the services see them.
func (f *fixture) staffActor(username string) org.Actor {
	f.t.Helper()
	st, err := f.srv.Org.StaffByUsername(context.Background(), username)
	if err != nil {
		f.t.Fatal(err)
	}
	return st.Actor("192.0.2.7")
}

// decidedFeeBundle is a BL-005 bundle whose three items charge a fee each
// (the 住建局 one before delivery) unless fees is false, accepted at the 住建局 window and
// approved by every department; it answers the bundle and its total.
func (f *fixture) decidedFeeBundle(fees bool) (string, int64) {
	f.t.Helper()
	ctx := context.Background()
	admin := f.staffActor("admin")
	comp, err := f.srv.Catalogue.Composite(ctx, "BL-005")
	if err != nil {
		f.t.Fatal(err)
	}
	var total int64
	for i, it := range comp.Items {
		if !fees {
			break
		}
		item, err := f.srv.Catalogue.Item(ctx, it.Code)
		if err != nil {
			f.t.Fatal(err)
		}
		c := item.Content
		fen := int64(1000 * (i + 2))
		total += fen
		c.Fees = []catalogue.Fee{{Name: "测试收费", AmountFen: fen, Basis: "湘价费〔2019〕1号", BeforeDelivery: i == 1}}
		if _, _, err := f.srv.Catalogue.Update(ctx, admin, it.Code, c, "测试收费"); err != nil {
			f.t.Fatal(err)
		}
	}
	app, err := (&applicants.Service{DB: f.db, Now: f.srv.Now}).Register(ctx, applicants.Input{Kind: "organisation", IDNumber: coNumber,
		Name: "宜章县建新制造有限公司", ContactName: "李建新", Phone: "13800138001", Password: coPassword, ConfirmCheck: true}, true)
	if err != nil {
		f.t.Fatal(err)
	}
	var seqs []int
	for _, m := range bundles.SharedMaterials(comp) {
		seqs = append(seqs, m.Seq)
	}
	lead := f.staffActor("zjj.clerk1")
	b, err := f.srv.Bundles.Submit(ctx, cases.StaffActor(lead), bundles.SubmitInput{CompositeCode: "BL-005", ApplicantID: app.ID, Received: seqs})
	if err != nil {
		f.t.Fatal(err)
	}
	if b, err = f.srv.Bundles.Accept(ctx, lead, b.No, bundles.AcceptInput{}); err != nil {
		f.t.Fatal(err)
	}
	for _, p := range b.Parts {
		for range 5 {
			c, err := f.srv.Cases.Get(ctx, cases.SystemActor, p.No)
			if err != nil {
				f.t.Fatal(err)
			}
			if c.State != cases.InProgress {
				break
			}
			act := cases.ActForward
			if cases.IsDecisionStep(c) {
				act = cases.ActApprove
			}
			var who string
			f.db.R.QueryRow(`SELECT username FROM staff WHERE department_id = $1 AND role = $2 ORDER BY id LIMIT 1`, p.DepartmentID, c.StepRole).Scan(&who)
			if _, err := f.srv.Cases.Act(ctx, cases.StaffActor(f.staffActor(who)), p.No, act, cases.Input{Opinion: "经审查，符合法定条件。"}); err != nil {
				f.t.Fatalf("%s %s: %v", act, p.No, err)
			}
		}
	}
	return b.No, total
}

func TestBundleNoticeWebJourney(t *testing.T) {
	f := newFixture(t)
	no, total := f.decidedFeeBundle(true)
	lead := f.login("zjj.clerk1")
	res, body := lead.get("/bundles/" + no)
	if res.StatusCode != 200 || !strings.Contains(body, `data-testid="bundle-issue-notice"`) {
		t.Fatalf("lead clerk's decided bundle page: %d, no issue button", res.StatusCode)
	}
	// A participating department's clerk issues nothing, on the page or
	// over the API; CSRF guards the form.
	other := f.login("qxj.clerk1")
	if res, _ := other.post("/bundles/"+no+"/payment-notice", nil); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
		t.Fatalf("participant clerk issued on the page: %d", res.StatusCode)
	}
	if res, _ := other.api(http.MethodPost, "/api/v1/bundles/"+no+"/payment-notice", `{}`); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
		t.Fatalf("participant clerk issued over the API: %d", res.StatusCode)
	}
	if res, _ := f.login("gaj.clerk1").api(http.MethodPost, "/api/v1/bundles/"+no+"/payment-notice", `{}`); res.StatusCode != http.StatusNotFound {
		t.Fatalf("non-participant's clerk: %d, want 404", res.StatusCode)
	}
	if res, _ := lead.post("/bundles/"+no+"/payment-notice", url.Values{"csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged CSRF: %d", res.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM payment_notices`); n != 0 {
		t.Fatalf("%d notices after refused attempts", n)
	}
	// A 50,000-character sub-case number in the amounts is an error, not a 500.
	res, api := lead.api(http.MethodPost, "/api/v1/bundles/"+no+"/payment-notice", `{"amounts":{"`+strings.Repeat("宜", 50000)+`":{"1":{"amount_fen":1,"reason":"x"}}}}`)
	if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("50k case number: %d %v", res.StatusCode, api)
	}
	// Delivery waits for payment.
	res, body = lead.post("/bundles/"+no+"/deliver", url.Values{"delivery": {"window"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "须先缴清费用") {
		t.Fatalf("unpaid delivery: %d %s", res.StatusCode, problemOf(body))
	}
	// The form lists each part's fee at its standard amount. An amount
	// that is not money, or one off the standard without a reason, comes
	// back on its own field with what was typed, and issues nothing.
	if n := strings.Count(body, `data-testid="bundle-fee"`); n != 3 || !strings.Contains(body, `name="cases.2.fees.1.amount"`) {
		t.Fatalf("issuing form: %d fee rows", n)
	}
	res, body = lead.post("/bundles/"+no+"/payment-notice", url.Values{"cases.1.fees.1.amount": {"二十元"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="error-cases.1.fees.1.amount"`) || !strings.Contains(body, `value="二十元"`) {
		t.Fatalf("not an amount: %d %s", res.StatusCode, problemOf(body))
	}
	res, body = lead.post("/bundles/"+no+"/payment-notice", url.Values{"cases.2.fees.1.amount": {"15.00"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="error-cases.2.fees.1.reason"`) || !strings.Contains(body, `value="15.00"`) {
		t.Fatalf("off the standard without a reason: %d %s", res.StatusCode, problemOf(body))
	}
	if n := f.count(`SELECT count(*) FROM payment_notices`); n != 0 {
		t.Fatalf("%d notices after a refused form", n)
	}
	// A reduced fee with its reason is charged as typed, the reason on the line.
	if res, body := lead.post("/bundles/"+no+"/payment-notice", url.Values{"cases.2.fees.1.amount": {"15.00"}, "cases.2.fees.1.reason": {"减半收取：小微企业"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("issue: %d %s", res.StatusCode, problemOf(body))
	}
	total += 1500 - 3000
	_, body = lead.get("/bundles/" + no)
	if !strings.Contains(body, "减半收取：小微企业") {
		t.Errorf("the reduced fee's reason is not on the notice's line")
	}
	yuan := payments.FormatYuan(total)
	if strings.Count(body, `data-testid="bundle-notice-line"`) != 3 || !strings.Contains(body, yuan) || strings.Contains(body, `data-testid="bundle-issue-notice"`) {
		t.Fatalf("bundle page after issuing: lines %d, total %s shown %v", strings.Count(body, `data-testid="bundle-notice-line"`), yuan, strings.Contains(body, yuan))
	}
	// The applicant sees the same notice on their page.
	co := f.anon()
	co.get("/signin")
	co.post("/signin", url.Values{"id_number": {coNumber}, "password": {coPassword}})
	if res, body := co.get("/my/bundles/" + no); res.StatusCode != 200 || !strings.Contains(body, `data-testid="bundle-notice-total"`) || !strings.Contains(body, yuan) {
		t.Fatalf("applicant's bundle page: %d, notice total missing", res.StatusCode)
	}
	// Twice is refused with a message, not a second notice.
	if res, _ := lead.post("/bundles/"+no+"/payment-notice", nil); res.StatusCode != http.StatusConflict {
		t.Fatalf("second issue: %d", res.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM payment_notices`); n != 1 {
		t.Fatalf("%d notices, want 1", n)
	}
	ref := f.text(`SELECT ref FROM payment_notices`)
	if res, api := lead.api(http.MethodPost, "/api/v1/payments/notices/"+ref+"/payments", `{"method":"cash","receipt_no":"HN-0001"}`); res.StatusCode != 200 {
		t.Fatalf("pay: %d %v", res.StatusCode, api)
	}
	if res, body := lead.post("/bundles/"+no+"/deliver", url.Values{"delivery": {"window"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("paid delivery: %d %s", res.StatusCode, problemOf(body))
	}
}

// A bundle whose approved parts charge nothing offers no notice, and
// delivery does not wait for one.
func TestFreeBundleOffersNoNoticeAndDelivers(t *testing.T) {
	f := newFixture(t)
	no, _ := f.decidedFeeBundle(false)
	lead := f.login("zjj.clerk1")
	if _, body := lead.get("/bundles/" + no); strings.Contains(body, `data-testid="bundle-issue-notice"`) || !strings.Contains(body, `data-testid="bundle-deliver"`) {
		t.Fatal("a free bundle offers a payment notice or no delivery")
	}
	if res, _ := lead.post("/bundles/"+no+"/payment-notice", nil); res.StatusCode != http.StatusConflict {
		t.Fatalf("notice for a free bundle: %d", res.StatusCode)
	}
	if res, body := lead.post("/bundles/"+no+"/deliver", url.Values{"delivery": {"window"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("free delivery: %d %s", res.StatusCode, problemOf(body))
	}
}
