package payments_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"onestop/internal/apperr"
	"onestop/internal/cases"
	"onestop/internal/payments"
)

// Delivery waits for payment where the item says so: refused with no
// notice, refused while due, allowed once paid; an item without the flag
// delivers unpaid.
func TestDeliveryWaitsForPayment(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	no := w.approved("P-002")
	w.must("clerk", no, cases.ActComplete, cases.Input{})
	err := w.act("clerk", no, cases.ActDeliver, cases.Input{Delivery: "window"})
	if ae := apperr.As(err); ae == nil || ae.Msg.Key != "case.payment_not_issued" {
		t.Fatalf("delivery before any notice: %v", err)
	}
	n, err := w.issue("clerk", payments.CaseFees{CaseNo: no})
	if err != nil {
		t.Fatal(err)
	}
	err = w.act("clerk", no, cases.ActDeliver, cases.Input{Delivery: "window"})
	if ae := apperr.As(err); ae == nil || ae.Msg.Key != "case.payment_due" || ae.Code != apperr.Conflict {
		t.Fatalf("delivery while due: %v", err)
	}
	if _, err := w.pay.Pay(ctx, w.orgs["clerk"], n.Ref, payments.PayInput{Method: "wechat", ReceiptNo: "HN-20260928-1"}); err != nil {
		t.Fatal(err)
	}
	w.must("clerk", no, cases.ActDeliver, cases.Input{Delivery: "window"})
	// P-001's fees do not hold the result back.
	other := w.approved("P-001")
	w.must("clerk", other, cases.ActComplete, cases.Input{})
	w.must("clerk", other, cases.ActDeliver, cases.Input{Delivery: "window"})
}

// The cashier records a payment once, with a method and a receipt number
// checked field by field; only a cashier of the notice's centre may.
func TestCashierPayment(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	n, err := w.issue("clerk", payments.CaseFees{CaseNo: w.approved("P-001")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.pay.Pay(ctx, w.orgs["clerk"], n.Ref, payments.PayInput{Method: "gold", ReceiptNo: "=HYPERLINK(\"x\")"})
	if ae := apperr.As(err); ae == nil || ae.Fields["method"].Key == "" || ae.Fields["receipt_no"].Key == "" {
		t.Fatalf("bad method and receipt: %v", err)
	}
	for _, who := range []string{"reviewer", "supervisor", "tclerk", "township"} {
		if _, err := w.pay.Pay(ctx, w.orgs[who], n.Ref, payments.PayInput{Method: "cash", ReceiptNo: "R1"}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("%s takes the payment: %v", who, err)
		}
	}
	if w.count("payments") != 0 {
		t.Fatal("a refused payment was written")
	}
	paid, err := w.pay.Pay(ctx, w.orgs["admin"], payments.GroupRef(n.Ref), payments.PayInput{Method: "cash", ReceiptNo: "R1"})
	if err != nil {
		t.Fatal(err)
	}
	if paid.State != payments.Paid || paid.PaidFen != 9050 || len(paid.Movements) != 1 || paid.Movements[0].ReceiptNo != "R1" {
		t.Errorf("paid: %+v", paid)
	}
	if _, err := w.pay.Pay(ctx, w.orgs["clerk"], n.Ref, payments.PayInput{Method: "cash", ReceiptNo: "R2"}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("paying twice: %v", err)
	}
	if w.count("payments") != 1 {
		t.Errorf("%d payments", w.count("payments"))
	}
}

// Refunds: never more than paid less refunded, always with a reason,
// never on an unpaid notice.
func TestRefundLimits(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	n, err := w.issue("clerk", payments.CaseFees{CaseNo: w.approved("P-001")})
	if err != nil {
		t.Fatal(err)
	}
	refund := func(fen int64, reason string) error {
		_, err := w.pay.Refund(ctx, w.orgs["clerk"], n.Ref, payments.RefundInput{AmountFen: fen, Reason: reason, Method: "transfer"})
		return err
	}
	if err := refund(100, "多收"); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("refund of an unpaid notice: %v", err)
	}
	if _, err := w.pay.Pay(ctx, w.orgs["clerk"], n.Ref, payments.PayInput{Method: "cash", ReceiptNo: "R1"}); err != nil {
		t.Fatal(err)
	}
	if ae := apperr.As(refund(100, "")); ae == nil || ae.Fields["reason"].Key == "" {
		t.Errorf("refund without a reason: %v", ae)
	}
	if ae := apperr.As(refund(0, "x")); ae == nil || ae.Fields["amount_fen"].Key == "" {
		t.Errorf("refund of nothing: %v", ae)
	}
	if err := refund(9051, "多收"); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("refund over the paid amount: %v", err)
	}
	if err := refund(5000, "申请人撤回部分申请"); err != nil {
		t.Fatal(err)
	}
	if err := refund(4051, "再退"); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("refunds adding up over the paid amount: %v", err)
	}
	if err := refund(4050, "余款退还"); err != nil {
		t.Fatal(err)
	}
	got, _ := w.pay.Read(ctx, w.orgs["clerk"], n.Ref)
	if got.RefundedFen != 9050 || got.Refundable() != 0 || len(got.Movements) != 3 {
		t.Errorf("after refunds: %+v", got)
	}
}

// statement is a bank export with the given credit lines.
func statement(lines ...string) []byte {
	return []byte("交易日期,交易流水号,对方户名,金额,附言\n" + strings.Join(lines, "\n") + "\n")
}

// A statement import pays what it matches and reports the rest: unmatched
// references, a wrong amount, a line twice in the file, a paid notice,
// garbage and a formula. Importing the same file again changes nothing and
// reports every readable line a duplicate.
func TestStatementImport(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a, _ := w.issue("clerk", payments.CaseFees{CaseNo: w.approved("P-001")})
	b, _ := w.issue("clerk", payments.CaseFees{CaseNo: w.approved("P-002")})
	c, _ := w.issue("clerk", payments.CaseFees{CaseNo: w.approved("P-001")})
	if _, err := w.pay.Pay(ctx, w.orgs["clerk"], c.Ref, payments.PayInput{Method: "cash", ReceiptNo: "R9"}); err != nil {
		t.Fatal(err)
	}
	file := statement(
		"2026-09-28,T001,王小明,90.50,缴款 "+payments.GroupRef(a.Ref),
		"2026-09-28,T002,李四,10.00,"+b.Ref,
		"2026-09-28,T003,张三,\"1,000.00\",缴款0000000000000097",
		"2026-09-28,T001,王小明,90.50,缴款 "+a.Ref,
		"2026-09-28,T004,王小明,90.50,"+c.Ref,
		"2026-09-28,T005,=cmd|' /C calc'!A0,=1+1,=HYPERLINK(\"http://x\")",
		"2026-09-28,T006,某人,-20.00,退款",
		"garbage without commas",
	)
	rep, err := w.pay.Import(ctx, w.orgs["clerk"], file)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{payments.Matched, payments.Mismatch, payments.Unmatched, payments.Duplicate, payments.Duplicate, payments.Invalid, payments.Invalid, payments.Invalid}
	if len(rep.Lines) != len(want) {
		t.Fatalf("report: %+v", rep.Lines)
	}
	for i, l := range rep.Lines {
		if l.Outcome != want[i] {
			t.Errorf("line %d (%s): %s, want %s", l.Row, l.TxnID, l.Outcome, want[i])
		}
	}
	if rep.Lines[1].DueFen != 2000 || rep.MatchedFen != 9050 || rep.Counts[payments.Matched] != 1 {
		t.Errorf("report: %+v", rep)
	}
	pa, _ := w.pay.Read(ctx, w.orgs["clerk"], a.Ref)
	pb, _ := w.pay.Read(ctx, w.orgs["clerk"], b.Ref)
	if pa.State != payments.Paid || pb.State != payments.Due {
		t.Errorf("after import: a %s, b %s", pa.State, pb.State)
	}
	snapshot := func() [3]int { return [3]int{w.count("payments"), w.count("bank_lines"), w.count("anomalies")} }
	before := snapshot()
	again, err := w.pay.Import(ctx, w.orgs["clerk"], file)
	if err != nil {
		t.Fatal(err)
	}
	if again.Counts[payments.Matched] != 0 || again.Counts[payments.Duplicate] != 5 || again.Counts[payments.Invalid] != 3 {
		t.Errorf("second import: %v", again.Counts)
	}
	// The cashier is told the statement came before, and the first time not.
	if !again.Repeat || rep.Repeat {
		t.Errorf("repeat: second %v, first %v", again.Repeat, rep.Repeat)
	}
	if snapshot() != before {
		t.Errorf("the second import changed something: %v → %v", before, snapshot())
	}
	// The same credits as an XLSX are the same bank transactions.
	x := excelize.NewFile()
	for i, row := range [][]any{{"交易流水号", "金额", "摘要"}, {"T001", "90.50", a.Ref}, {"T010", 20, b.Ref}} {
		if err := x.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	xr, err := w.pay.Import(ctx, w.orgs["clerk"], buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if xr.Lines[0].Outcome != payments.Duplicate || xr.Lines[1].Outcome != payments.Matched {
		t.Errorf("xlsx import: %+v", xr.Lines)
	}
	if w.casePayment(pb.CaseNos()[0]) != cases.PaymentPaid {
		t.Error("the xlsx payment did not reach the case")
	}
}

// Another centre's cashier matches nothing of this centre; people who are
// no cashier may not import; garbage, a file without the columns and a
// huge file are refused with nothing written.
func TestStatementAttacks(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	n, _ := w.issue("clerk", payments.CaseFees{CaseNo: w.approved("P-001")})
	file := statement("2026-09-28,T001,王小明,90.50," + n.Ref)
	rep, err := w.pay.Import(ctx, w.orgs["tclerk"], file)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Lines[0].Outcome != payments.Unmatched {
		t.Errorf("the township's import of the hall's notice: %+v", rep.Lines[0])
	}
	for _, who := range []string{"reviewer", "supervisor", "approver"} {
		if _, err := w.pay.Import(ctx, w.orgs[who], file); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("%s imports: %v", who, err)
		}
	}
	before := w.count("bank_lines")
	for name, data := range map[string][]byte{
		"binary":    {0xff, 0xfe, 0x00, 0x01, 0x02},
		"no header": []byte("a,b,c\n1,2,3\n"),
		"bad zip":   append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0}, 100)...),
		"huge":      bytes.Repeat([]byte("x"), payments.MaxStatementBytes+1),
		"many rows": statement(strings.Repeat("2026-09-28,T,x,1.00,y\n", payments.MaxStatementLines+1)),
	} {
		if _, err := w.pay.Import(ctx, w.orgs["clerk"], data); apperr.As(err) == nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if w.count("bank_lines") != before {
		t.Error("a refused statement wrote lines")
	}
	if p, _ := w.pay.Read(ctx, w.orgs["clerk"], n.Ref); p.State != payments.Due {
		t.Error("another centre's import paid the notice")
	}
}
