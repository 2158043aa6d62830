package payments_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"onestop/internal/apperr"
	"onestop/internal/cases"
	"onestop/internal/payments"
	"onestop/internal/store"
)

// A reference carries ISO 7064 MOD 97-10 check digits: every reference
// drawn validates, a changed digit or two swapped digits do not, and a
// bank memo's text yields the reference inside it.
func TestReference(t *testing.T) {
	w := newWorld(t)
	no := w.approved("P-001")
	n, err := w.issue("clerk", payments.CaseFees{CaseNo: no})
	if err != nil {
		t.Fatal(err)
	}
	ref := n.Ref
	if len(ref) != 16 || !payments.ValidRef(ref) {
		t.Fatalf("reference %q", ref)
	}
	b := []byte(ref)
	b[3] = '0' + (b[3]-'0'+1)%10
	if payments.ValidRef(string(b)) {
		t.Errorf("a changed digit passes: %s", b)
	}
	for i := 0; i+1 < len(ref); i++ {
		if ref[i] == ref[i+1] {
			continue
		}
		s := []byte(ref)
		s[i], s[i+1] = s[i+1], s[i]
		if payments.ValidRef(string(s)) {
			t.Errorf("swapping digits %d and %d passes: %s", i, i+1, s)
		}
	}
	if got := payments.FindRef("缴款 " + payments.GroupRef(ref) + " 王小明 13800138000"); got != ref {
		t.Errorf("memo reference: %q, want %q", got, ref)
	}
	if got := payments.FindRef("电话13800138000"); got != "" {
		t.Errorf("a phone number read as a reference: %q", got)
	}
}

// All fees of a case go on one notice: both catalogue fees as lines with
// their amounts and legal basis, the total their sum, the case marked
// due; a second notice for the same case is refused.
func TestOneNoticeForManyFees(t *testing.T) {
	w := newWorld(t)
	no := w.approved("P-001")
	n, err := w.issue("clerk", payments.CaseFees{CaseNo: no})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Lines) != 2 || n.TotalFen != 9050 || n.State != payments.Due {
		t.Fatalf("notice: %+v", n)
	}
	if n.Lines[0].Name != "登记费" || n.Lines[0].AmountFen != 8000 || n.Lines[0].Basis != "湘价费〔2019〕1号" || n.Lines[1].AmountFen != 1050 {
		t.Errorf("lines: %+v", n.Lines)
	}
	if w.casePayment(no) != cases.PaymentDue {
		t.Errorf("case payment %q", w.casePayment(no))
	}
	if _, err := w.issue("clerk", payments.CaseFees{CaseNo: no}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second notice: %v", err)
	}
	if w.count("payment_notices") != 1 {
		t.Errorf("%d notices", w.count("payment_notices"))
	}
	// The standard amounts raise no fee anomaly.
	if a := w.anomalies(no); len(a) != 0 {
		t.Errorf("anomalies at the standard: %v", a)
	}
}

// One notice for the fees of several cases (a bundle's sub-cases): every
// case's lines, one total, every case due, and one payment pays them all.
func TestOneNoticeForSeveralCases(t *testing.T) {
	w := newWorld(t)
	a, b := w.approved("P-001"), w.approved("P-002")
	n, err := w.issue("clerk", payments.CaseFees{CaseNo: a}, payments.CaseFees{CaseNo: b})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Lines) != 3 || n.TotalFen != 11050 || strings.Join(n.CaseNos(), ",") != a+","+b {
		t.Fatalf("notice over two cases: %+v", n)
	}
	if _, err := w.pay.Pay(context.Background(), w.orgs["clerk"], n.Ref, payments.PayInput{Method: "cash", ReceiptNo: "HN-0001"}); err != nil {
		t.Fatal(err)
	}
	if w.casePayment(a) != cases.PaymentPaid || w.casePayment(b) != cases.PaymentPaid {
		t.Errorf("after payment: %q %q", w.casePayment(a), w.casePayment(b))
	}
	// A case named twice, or one already on a notice, stops the whole
	// notice: nothing is written.
	c := w.approved("P-001")
	before := w.count("payment_notice_lines")
	if _, err := w.issue("clerk", payments.CaseFees{CaseNo: c}, payments.CaseFees{CaseNo: a}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("with a charged case: %v", err)
	}
	if _, err := w.issue("clerk", payments.CaseFees{CaseNo: c}, payments.CaseFees{CaseNo: c}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("a case twice: %v", err)
	}
	if w.count("payment_notice_lines") != before || w.casePayment(c) != "" {
		t.Errorf("a refused notice wrote something")
	}
}

// A fee off the standard needs a reason; without one nothing is written.
// With one the line keeps the standard beside the amount and supervision's
// F01 sees the deviation, naming the notice.
func TestDeviationNeedsReason(t *testing.T) {
	w := newWorld(t)
	no := w.approved("P-001")
	_, err := w.issue("clerk", payments.CaseFees{CaseNo: no, Amounts: map[int]payments.Override{1: {AmountFen: 4000}}})
	if ae := apperr.As(err); ae == nil || ae.Fields["fees.1.reason"].Key == "" {
		t.Fatalf("a deviation without reason: %v", err)
	}
	_, err = w.issue("clerk", payments.CaseFees{CaseNo: no, Amounts: map[int]payments.Override{1: {AmountFen: 4000, Reason: strings.Repeat("减", 50000)}}})
	if ae := apperr.As(err); ae == nil || ae.Fields["fees.1.reason"].Key == "" {
		t.Fatalf("a 50,000-character reason: %v", err)
	}
	_, err = w.issue("clerk", payments.CaseFees{CaseNo: no, Amounts: map[int]payments.Override{1: {AmountFen: -1, Reason: "x"}}})
	if ae := apperr.As(err); ae == nil || ae.Fields["fees.1.amount_fen"].Key == "" {
		t.Fatalf("a negative amount: %v", err)
	}
	if _, err := w.issue("clerk", payments.CaseFees{CaseNo: no, Amounts: map[int]payments.Override{3: {AmountFen: 1, Reason: "x"}}}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a fee the item does not have: %v", err)
	}
	if w.count("payment_notices") != 0 || w.casePayment(no) != "" || len(w.anomalies(no)) != 0 {
		t.Fatal("a refused notice wrote something")
	}
	n, err := w.issue("clerk", payments.CaseFees{CaseNo: no, Amounts: map[int]payments.Override{1: {AmountFen: 4000, Reason: "小微企业减半收取"}}})
	if err != nil {
		t.Fatal(err)
	}
	if n.TotalFen != 5050 || n.Lines[0].StandardFen != 8000 || !n.Lines[0].Deviates() || n.Lines[0].Reason != "小微企业减半收取" || n.Lines[1].Deviates() {
		t.Errorf("deviating notice: %+v", n.Lines)
	}
	got := w.anomalies(no)
	if len(got["F01"]) != 1 || !strings.Contains(got["F01"][0], n.Ref) {
		t.Errorf("F01 on the notice: %v", got)
	}
}

// Fees fall due at the approval, or at the acceptance for an item that
// charges then; never before, never on a refusal, never on a free item.
func TestWhenFeesFallDue(t *testing.T) {
	w := newWorld(t)
	no := w.submit("P-001").No
	if _, err := w.issue("clerk", payments.CaseFees{CaseNo: no}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("before acceptance: %v", err)
	}
	w.must("clerk", no, cases.ActAccept, cases.Input{})
	if _, err := w.issue("clerk", payments.CaseFees{CaseNo: no}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("before the decision: %v", err)
	}
	acc := w.submit("P-003").No
	w.must("clerk", acc, cases.ActAccept, cases.Input{})
	if _, err := w.issue("clerk", payments.CaseFees{CaseNo: acc}); err != nil {
		t.Errorf("an item charging on acceptance, accepted: %v", err)
	}
	free := w.approved("P-004")
	if _, err := w.issue("clerk", payments.CaseFees{CaseNo: free}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("a free item: %v", err)
	}
	ref := w.submit("P-001").No
	w.must("clerk", ref, cases.ActAccept, cases.Input{})
	w.must("reviewer", ref, cases.ActForward, cases.Input{Opinion: "材料齐全"})
	w.must("approver", ref, cases.ActRefuse, cases.Input{Reason: "不符合条件", Remedy: cases.RemedyText})
	if _, err := w.issue("clerk", payments.CaseFees{CaseNo: ref}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("a refused case: %v", err)
	}
}

// Only the case's own window clerk issues: another department's clerk,
// the reviewer, the township clerk and the centre admin cannot, and a
// case outside one's scope reads as none.
func TestIssueAccess(t *testing.T) {
	w := newWorld(t)
	no := w.approved("P-001")
	for who, code := range map[string]apperr.Code{"otherclerk": apperr.NotFound, "tclerk": apperr.NotFound, "reviewer": apperr.Forbidden,
		"admin": apperr.Forbidden, "supervisor": apperr.Forbidden} {
		if _, err := w.issue(who, payments.CaseFees{CaseNo: no}); !apperr.Is(err, code) {
			t.Errorf("%s issues: %v, want %s", who, err, code)
		}
	}
	if _, err := w.issue("clerk", payments.CaseFees{CaseNo: strings.Repeat("9", 50000)}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("a 50,000-character case number: %v", err)
	}
	if w.count("payment_notices") != 0 {
		t.Fatal("a refused issue wrote a notice")
	}
	n, err := w.issue("clerk", payments.CaseFees{CaseNo: no})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// The centre's clerks keep the cashier window, so another
	// department's clerk at the hall reads it too (to take the money).
	for _, who := range []string{"clerk", "otherclerk", "reviewer", "admin", "supervisor"} {
		if _, err := w.pay.Read(ctx, w.orgs[who], n.Ref); err != nil {
			t.Errorf("%s reads the notice: %v", who, err)
		}
	}
	for _, who := range []string{"tclerk", "township"} {
		if _, err := w.pay.Read(ctx, w.orgs[who], n.Ref); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("%s reads the notice: %v", who, err)
		}
	}
	// Guessing: a wrong check digit, a well-formed unknown reference and
	// a huge one are all the same 404.
	b := []byte(n.Ref)
	b[15] = '0' + (b[15]-'0'+1)%10
	for _, ref := range []string{string(b), "0000000000000097", strings.Repeat("1", 50000), "'; DROP TABLE payments;--"} {
		if _, err := w.pay.Read(ctx, w.orgs["clerk"], ref); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("guessed %.20q: %v", ref, err)
		}
		if _, err := w.pay.Pay(ctx, w.orgs["clerk"], ref, payments.PayInput{Method: "cash", ReceiptNo: "X1"}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("paying guessed %.20q: %v", ref, err)
		}
	}
}

// The notification hook runs in the issuing transaction with the case,
// the reference and the total: its failure leaves no notice behind.
func TestDueHook(t *testing.T) {
	w := newWorld(t)
	a, b := w.approved("P-001"), w.approved("P-002")
	var got []string
	var total int64
	w.pay.OnDue = func(ctx context.Context, q store.Querier, c *cases.Case, ref string, totalFen int64) error {
		got, total = append(got, c.No+" "+ref), totalFen
		return errors.New("outbox down")
	}
	if _, err := w.issue("clerk", payments.CaseFees{CaseNo: a}, payments.CaseFees{CaseNo: b}); err == nil {
		t.Fatal("the hook's failure was ignored")
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], a+" ") || total != 11050 {
		t.Errorf("hook heard %v total %d", got, total)
	}
	if w.count("payment_notices") != 0 || w.casePayment(a) != "" {
		t.Error("the notice outlived its hook's failure")
	}
}
