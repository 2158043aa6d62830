package payments

import (
	"context"
	"database/sql"
	"regexp"
	"slices"

	"onestop/internal/apperr"
	"onestop/internal/cases"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Methods of payment at the cashier window; "bank" is the statement
// import's.
var Methods = []string{"cash", "card", "wechat", "alipay", "transfer"}

// Cashier reports whether a may take payments and refunds for a notice of
// the centre. The organisation has no cashier role (org.Roles): the
// centre's window clerks keep the cashier window, and the centre admin
// reconciles the bank account, so both may (docs/DOMAIN.md §19).
func Cashier(a org.Actor, centreID int64) bool {
	return centreID != 0 && a.CentreID == centreID && (a.Role == org.Clerk || a.Role == org.CentreAdmin)
}

var receiptRE = regexp.MustCompile(`^[A-Za-z0-9-]{1,40}$`)

// PayInput is a payment taken at the cashier window: the whole amount due,
// by a method, against the fiscal receipt (财政票据) number handed over.
type PayInput struct {
	Method    string `json:"method"`
	ReceiptNo string `json:"receipt_no"`
}

// Pay records the notice paid in full at the cashier window.
func (s *Service) Pay(ctx context.Context, a org.Actor, ref string, in PayInput) (*Notice, error) {
	f := apperr.Fields{}
	if !slices.Contains(Methods, in.Method) {
		f.Add("method", "error.choose")
	}
	if in.ReceiptNo = f.Text("receipt_no", in.ReceiptNo, true, 40); in.ReceiptNo != "" && !receiptRE.MatchString(in.ReceiptNo) {
		f.Add("receipt_no", "payments.receipt_form")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.move(ctx, a, ref, func(q store.Querier, n *Notice) error {
		return s.settle(ctx, q, a, n, in.Method, in.ReceiptNo, "")
	})
}

// RefundInput is money paid back: at most what was paid and not yet
// refunded, with the reason.
type RefundInput struct {
	AmountFen int64  `json:"amount_fen"`
	Reason    string `json:"reason"`
	Method    string `json:"method"`
}

// Refund records a refund against a paid notice.
func (s *Service) Refund(ctx context.Context, a org.Actor, ref string, in RefundInput) (*Notice, error) {
	f := apperr.Fields{}
	in.Reason = f.Para("reason", in.Reason, true, 500)
	if !slices.Contains(Methods, in.Method) {
		f.Add("method", "error.choose")
	}
	if in.AmountFen <= 0 || in.AmountFen > maxFen {
		f.Add("amount_fen", "payments.amount_range")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.move(ctx, a, ref, func(q store.Querier, n *Notice) error {
		if in.AmountFen > n.Refundable() {
			return apperr.Fields{"amount_fen": apperr.M("payments.refund_over")}.Err()
		}
		// The guard on refunded_fen makes two refunds racing each other
		// unable to pay back more than was paid.
		res, err := q.ExecContext(ctx, `UPDATE payment_notices SET refunded_fen = refunded_fen + $1 WHERE id = $2 AND paid_fen - refunded_fen >= $1`,
			in.AmountFen, n.ID)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return apperr.New(apperr.Conflict, "payments.changed")
		}
		_, err = q.ExecContext(ctx, `INSERT INTO payments (notice_id, kind, amount_fen, method, reason, recorded_by, recorded_at)
			VALUES ($1,'refund',$2,$3,$4,$5,$6)`, n.ID, in.AmountFen, in.Method, in.Reason, a.StaffID, s.now())
		return err
	})
}

// move runs a cashier's change of a notice in one transaction, after the
// scope check: a notice of another centre is the same 404 as none.
func (s *Service) move(ctx context.Context, a org.Actor, ref string, fn func(q store.Querier, n *Notice) error) (*Notice, error) {
	ref = NormalRef(ref)
	if !ValidRef(ref) {
		return nil, apperr.NotFoundf("entity.payment_notice")
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := s.DB.InTx(tx)
		n, err := s.load(ctx, q, ref)
		if err != nil {
			return err
		}
		if !Cashier(a, n.CentreID) {
			return apperr.NotFoundf("entity.payment_notice")
		}
		return fn(q, n)
	})
	if err != nil {
		return nil, err
	}
	return s.load(ctx, s.DB.Read(), ref)
}

// settle marks a due notice paid in full and its cases paid (the fact the
// delivery rule reads), in the caller's transaction.
func (s *Service) settle(ctx context.Context, q store.Querier, a org.Actor, n *Notice, method, receipt, bankKey string) error {
	now := s.now()
	res, err := q.ExecContext(ctx, `UPDATE payment_notices SET state = $1, paid_fen = total_fen, paid_at = $2 WHERE id = $3 AND state = $4`,
		Paid, now, n.ID, Due)
	if err != nil {
		return err
	}
	if k, _ := res.RowsAffected(); k != 1 {
		return apperr.New(apperr.Conflict, "payments.already_paid")
	}
	var key any
	if bankKey != "" {
		key = bankKey
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO payments (notice_id, kind, amount_fen, method, receipt_no, bank_key, recorded_by, recorded_at)
		VALUES ($1,'payment',$2,$3,$4,$5,$6,$7)`, n.ID, n.TotalFen, method, receipt, key, store.NullID(a.StaffID), now); err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE cases SET payment = $1 WHERE id IN (SELECT case_id FROM payment_notice_lines WHERE notice_id = $2)`,
		cases.PaymentPaid, n.ID)
	return err
}
