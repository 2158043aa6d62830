package bundles_test

import (
	"context"
	"testing"

	"onestop/internal/apperr"
	"onestop/internal/bundles"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/payments"
)

// feeFen is what each of BL-005's items charges in these tests, by code
// prefix; the 住建局 fee must be paid before the result is handed over.
var feeFen = map[string]int64{"ZRZYJ": 12000, "ZJJ": 3050, "QXJ": 800}

// withFees gives the bundle's items a fee each (a new catalogue version,
// which the parts take at acceptance) and the bundle service its payments.
func (w *world) withFees(code string) {
	w.t.Helper()
	ctx := context.Background()
	w.svc.Payments = &payments.Service{DB: w.db, Cases: w.eng, Now: w.clock}
	admin, err := w.org.StaffByUsername(ctx, "admin")
	if err != nil {
		w.t.Fatal(err)
	}
	comp, err := w.cat.Composite(ctx, code)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, it := range comp.Items {
		item, err := w.cat.Item(ctx, it.Code)
		if err != nil {
			w.t.Fatal(err)
		}
		c := item.Content
		dept := deptCode(w, c.DepartmentID)
		c.Fees = []catalogue.Fee{{Name: "测试收费", AmountFen: feeFen[dept], Basis: "湘价费〔2019〕1号", BeforeDelivery: dept == "ZJJ"}}
		if _, _, err := w.cat.Update(ctx, admin.Actor("192.0.2.1"), it.Code, c, "测试收费"); err != nil {
			w.t.Fatalf("fee on %s: %v", it.Code, err)
		}
	}
}

func (w *world) decideAll(b *bundles.Bundle) *bundles.Bundle {
	w.t.Helper()
	for _, p := range b.Parts {
		w.decide(deptCode(w, p.DepartmentID), p.No, cases.ActApprove)
	}
	return w.get(b.No)
}

func wantKey(t *testing.T, err error, code apperr.Code, key string) {
	t.Helper()
	ae := apperr.As(err)
	if ae == nil || ae.Code != code || (key != "" && ae.Msg.Key != key) {
		t.Fatalf("got %v, want %s %s", err, code, key)
	}
}

func TestOneNoticeForEveryPartThenPaymentThenDelivery(t *testing.T) {
	w := newWorld(t)
	w.withFees("BL-005")
	ctx := context.Background()
	b := w.decideAll(w.accepted("BL-005"))
	if len(b.Parts) != 3 || b.State != bundles.Decided {
		t.Fatalf("bundle %s with %d parts", b.State, len(b.Parts))
	}
	// Another participating department's clerk issues nothing.
	_, err := w.svc.IssueNotice(ctx, w.staff("ZRZYJ", "clerk"), b.No, bundles.NoticeInput{})
	wantKey(t, err, apperr.Forbidden, "")
	if n, _ := w.svc.Notice(ctx, b); n != nil {
		t.Fatalf("a non-lead clerk's attempt left notice %s", n.Ref)
	}
	// Delivery waits for payment: the 住建局 item is paid before delivery.
	_, err = w.svc.Deliver(ctx, w.staff("ZJJ", "clerk"), b.No, bundles.DeliverInput{Delivery: "window"})
	wantKey(t, err, apperr.Conflict, "bundle.payment_due")

	lead := w.staff("ZJJ", "clerk")
	ref, err := w.svc.IssueNotice(ctx, lead, b.No, bundles.NoticeInput{})
	if err != nil {
		t.Fatal(err)
	}
	n, err := w.svc.Notice(ctx, b)
	if err != nil || n == nil || n.Ref != ref {
		t.Fatalf("bundle's notice %v, %v; issued %s", n, err, ref)
	}
	if got := len(n.CaseNos()); got != 3 {
		t.Fatalf("notice covers %d cases, want 3", got)
	}
	if want := feeFen["ZRZYJ"] + feeFen["ZJJ"] + feeFen["QXJ"]; n.TotalFen != want || n.State != payments.Due {
		t.Fatalf("notice %s total %d, want due %d", n.State, n.TotalFen, want)
	}
	// Once is enough.
	_, err = w.svc.IssueNotice(ctx, lead, b.No, bundles.NoticeInput{})
	wantKey(t, err, apperr.Conflict, "payments.already_issued")

	_, err = w.svc.Deliver(ctx, lead, b.No, bundles.DeliverInput{Delivery: "window"})
	wantKey(t, err, apperr.Conflict, "bundle.payment_due")

	if _, err := w.svc.Payments.Pay(ctx, lead, ref, payments.PayInput{Method: "cash", ReceiptNo: "HN-0001"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range b.Parts {
		c, err := w.eng.Get(ctx, cases.SystemActor, p.No)
		if err != nil {
			t.Fatal(err)
		}
		if c.Payment != cases.PaymentPaid {
			t.Errorf("part %s payment %q after the bundle's notice is paid", p.No, c.Payment)
		}
	}
	b, err = w.svc.Deliver(ctx, lead, b.No, bundles.DeliverInput{Delivery: "window"})
	if err != nil {
		t.Fatal(err)
	}
	if b.State != bundles.Delivered {
		t.Fatalf("bundle %s after paid delivery", b.State)
	}
}

func TestNoticeWaitsUntilEveryPartIsDecided(t *testing.T) {
	w := newWorld(t)
	w.withFees("BL-005")
	ctx := context.Background()
	b := w.accepted("BL-005")
	for _, p := range b.Parts[:2] {
		w.decide(deptCode(w, p.DepartmentID), p.No, cases.ActApprove)
	}
	_, err := w.svc.IssueNotice(ctx, w.staff("ZJJ", "clerk"), b.No, bundles.NoticeInput{})
	wantKey(t, err, apperr.Conflict, "bundle.notice_not_decided")
	for _, p := range b.Parts {
		c, err := w.eng.Get(ctx, cases.SystemActor, p.No)
		if err != nil {
			t.Fatal(err)
		}
		if c.Payment != cases.PaymentNone {
			t.Errorf("part %s has payment %q after a refused issue", p.No, c.Payment)
		}
	}
}

func TestNoticeDeviationNeedsReasonAndAChargedPart(t *testing.T) {
	w := newWorld(t)
	w.withFees("BL-005")
	ctx := context.Background()
	b := w.decideAll(w.accepted("BL-005"))
	lead := w.staff("ZJJ", "clerk")
	first := b.Parts[0].No
	_, err := w.svc.IssueNotice(ctx, lead, b.No, bundles.NoticeInput{Amounts: map[string]map[int]payments.Override{first: {1: {AmountFen: 1}}}})
	wantKey(t, err, apperr.Invalid, "")
	if len(apperr.As(err).Fields) == 0 {
		t.Fatalf("a deviation without reason is not a field error: %v", err)
	}
	_, err = w.svc.IssueNotice(ctx, lead, b.No, bundles.NoticeInput{Amounts: map[string]map[int]payments.Override{"X-1": {1: {AmountFen: 1, Reason: "减免"}}}})
	wantKey(t, err, apperr.Invalid, "bundle.not_charged_part")
	if n, _ := w.svc.Notice(ctx, b); n != nil {
		t.Fatalf("refused input left notice %s", n.Ref)
	}
	ref, err := w.svc.IssueNotice(ctx, lead, b.No, bundles.NoticeInput{Amounts: map[string]map[int]payments.Override{first: {1: {AmountFen: 100, Reason: "困难企业减免"}}}})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := w.svc.Notice(ctx, b)
	if n == nil || n.Ref != ref || n.Lines[0].AmountFen != 100 || n.Lines[0].Reason != "困难企业减免" {
		t.Fatalf("deviation not on the notice: %+v", n)
	}
}

func TestKeepRestBundleChargesOnlyApprovedParts(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.keepRest()
	w.withFees("BL-095")
	b := w.accepted("BL-095")
	for _, p := range b.Parts {
		d := cases.ActApprove
		if p.ItemCode == "ZJJ-004" {
			d = cases.ActRefuse
		}
		w.decide(deptCode(w, p.DepartmentID), p.No, d)
	}
	b = w.get(b.No)
	if b.Outcome != bundles.Partial {
		t.Fatalf("bundle outcome %s, want partial", b.Outcome)
	}
	ref, err := w.svc.IssueNotice(ctx, w.staff("ZJJ", "clerk"), b.No, bundles.NoticeInput{})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := w.svc.Notice(ctx, b)
	if n == nil || n.Ref != ref || len(n.CaseNos()) != 2 || n.TotalFen != feeFen["ZRZYJ"]+feeFen["QXJ"] {
		t.Fatalf("keep-the-rest notice %+v, want the two approved parts only", n)
	}
}

func TestRefusedAllOrNothingBundleChargesNothing(t *testing.T) {
	w := newWorld(t)
	w.withFees("BL-005")
	ctx := context.Background()
	b := w.accepted("BL-005")
	// One part is approved before another is refused: under all-or-nothing
	// even the approved part is not charged.
	var approved string
	for _, p := range b.Parts {
		if p.ItemCode != "ZJJ-004" && approved == "" {
			approved = p.No
			w.decide(deptCode(w, p.DepartmentID), p.No, cases.ActApprove)
		}
	}
	for _, p := range b.Parts {
		if p.ItemCode == "ZJJ-004" {
			w.decide("ZJJ", p.No, cases.ActRefuse)
		}
	}
	b = w.get(b.No)
	if b.Outcome != bundles.Refused {
		t.Fatalf("bundle outcome %s, want refused", b.Outcome)
	}
	_, err := w.svc.IssueNotice(ctx, w.staff("ZJJ", "clerk"), b.No, bundles.NoticeInput{})
	wantKey(t, err, apperr.Conflict, "bundle.nothing_to_charge")
}
