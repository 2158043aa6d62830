// Package payments is bundled fees and payment (打捆收费, docs/DOMAIN.md §19):
// one payment notice (缴款通知书) for every fee of one case or of all the
// sub-cases of a bundle, paid at the cashier window or matched from the
// bank's statement, with refunds. It keeps the case's payment fact
// (cases.payment) in the same transactions, which the delivery rule reads.
package payments

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/cases"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Notice states.
const (
	Due  = "due"
	Paid = "paid"
)

// maxFen bounds an amount as the catalogue bounds a fee (¥100 million):
// more is a typing mistake.
const maxFen = 100_000_000_00

// FeeWitness judges the fees a notice charges a case against the
// catalogue standard in the issuing transaction (supervision's F01/F02,
// anomaly.Service.FeeCharged).
type FeeWitness interface {
	FeeCharged(ctx context.Context, q store.Querier, c *cases.Case, chargedFen int64, ref string, at time.Time) error
}

// DueHook is told, inside the issuing transaction, that a notice is due:
// the notification outbox writes its "payment due" message with it, so the
// message commits with the notice or not at all. For a notice over several
// cases it is called once, with the first case (the bundle's lead) and
// the notice's total.
type DueHook func(ctx context.Context, q store.Querier, c *cases.Case, ref string, totalFen int64) error

// Service issues notices and records payments.
type Service struct {
	DB    *store.DB
	Cases *cases.Service
	Now   func() time.Time
	Fees  FeeWitness
	OnDue DueHook
}

// Line is one fee on a notice.
type Line struct {
	CaseNo      string `json:"case_no"`
	Seq         int    `json:"seq"`
	Name        string `json:"name"`
	Basis       string `json:"basis"`
	StandardFen int64  `json:"standard_fen"`
	AmountFen   int64  `json:"amount_fen"`
	Reason      string `json:"reason,omitempty"`
}

// Deviates reports whether the line charges other than the standard.
func (l Line) Deviates() bool { return l.AmountFen != l.StandardFen }

// Movement is a payment or refund of a notice.
type Movement struct {
	Kind      string    `json:"kind"` // payment, refund
	AmountFen int64     `json:"amount_fen"`
	Method    string    `json:"method"`
	ReceiptNo string    `json:"receipt_no,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	BankKey   string    `json:"-"`
	By        string    `json:"recorded_by,omitempty"`
	At        time.Time `json:"recorded_at"`
}

// Notice is a payment notice with its lines and movements.
type Notice struct {
	ID          int64      `json:"-"`
	Ref         string     `json:"ref"`
	CentreID    int64      `json:"centre_id"`
	Centre      string     `json:"centre"`
	RegionCode  string     `json:"-"`
	State       string     `json:"state"`
	TotalFen    int64      `json:"total_fen"`
	PaidFen     int64      `json:"paid_fen"`
	RefundedFen int64      `json:"refunded_fen"`
	IssuedBy    string     `json:"issued_by"`
	IssuedAt    time.Time  `json:"issued_at"`
	PaidAt      *time.Time `json:"paid_at,omitempty"`
	Payer       string     `json:"payer"`
	Lines       []Line     `json:"lines"`
	Movements   []Movement `json:"movements"`
}

// Refundable is what may still be refunded.
func (n *Notice) Refundable() int64 { return n.PaidFen - n.RefundedFen }

// CaseNos are the notice's cases in line order.
func (n *Notice) CaseNos() []string {
	var out []string
	for _, l := range n.Lines {
		if len(out) == 0 || out[len(out)-1] != l.CaseNo {
			out = append(out, l.CaseNo)
		}
	}
	return out
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// Read returns a notice by reference for a staff member who may see it: a
// cashier of its centre (Cashier), or anyone who sees one of its cases.
// A malformed reference, one that does not exist and one out of scope are
// the same 404.
func (s *Service) Read(ctx context.Context, a org.Actor, ref string) (*Notice, error) {
	ref = NormalRef(ref)
	if !ValidRef(ref) {
		return nil, apperr.NotFoundf("entity.payment_notice")
	}
	n, err := s.load(ctx, s.DB.Read(), ref)
	if err != nil {
		return nil, err
	}
	if Cashier(a, n.CentreID) {
		return n, nil
	}
	for _, no := range n.CaseNos() {
		c, err := s.Cases.Load(ctx, s.DB.Read(), no)
		if err != nil {
			return nil, err
		}
		if cases.StaffActor(a).Sees(c) {
			return n, nil
		}
	}
	return nil, apperr.NotFoundf("entity.payment_notice")
}

// ForCase returns the notice carrying the case's fees, or nil.
func (s *Service) ForCase(ctx context.Context, caseNo string) (*Notice, error) {
	var ref string
	err := s.DB.Read().QueryRowContext(ctx, `SELECT n.ref FROM payment_notices n JOIN payment_notice_lines l ON l.notice_id = n.id
		JOIN cases c ON c.id = l.case_id WHERE c.no = $1 ORDER BY n.id DESC LIMIT 1`, caseNo).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.load(ctx, s.DB.Read(), ref)
}

func (s *Service) load(ctx context.Context, q store.Querier, ref string) (*Notice, error) {
	n := &Notice{}
	var paidAt sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT n.id, n.ref, n.centre_id, ce.name, ce.region_code, n.state, n.total_fen, n.paid_fen, n.refunded_fen,
		st.name, n.issued_at, n.paid_at FROM payment_notices n JOIN centres ce ON ce.id = n.centre_id JOIN staff st ON st.id = n.issued_by
		WHERE n.ref = $1`, ref).Scan(&n.ID, &n.Ref, &n.CentreID, &n.Centre, &n.RegionCode, &n.State, &n.TotalFen, &n.PaidFen, &n.RefundedFen,
		&n.IssuedBy, &n.IssuedAt, &paidAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("entity.payment_notice")
	}
	if err != nil {
		return nil, fmt.Errorf("payment notice: %w", err)
	}
	if paidAt.Valid {
		t := paidAt.Time
		n.PaidAt = &t
	}
	rows, err := q.QueryContext(ctx, `SELECT c.no, a.name, l.seq, l.name, l.basis, l.standard_fen, l.amount_fen, l.reason FROM payment_notice_lines l
		JOIN cases c ON c.id = l.case_id JOIN applicants a ON a.id = c.applicant_id WHERE l.notice_id = $1 ORDER BY l.id`, n.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var l Line
		if err := rows.Scan(&l.CaseNo, &n.Payer, &l.Seq, &l.Name, &l.Basis, &l.StandardFen, &l.AmountFen, &l.Reason); err != nil {
			return nil, err
		}
		n.Lines = append(n.Lines, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	mrows, err := q.QueryContext(ctx, `SELECT p.kind, p.amount_fen, p.method, p.receipt_no, p.reason, COALESCE(p.bank_key, ''), COALESCE(st.name, ''),
		p.recorded_at FROM payments p LEFT JOIN staff st ON st.id = p.recorded_by WHERE p.notice_id = $1 ORDER BY p.id`, n.ID)
	if err != nil {
		return nil, err
	}
	defer mrows.Close()
	for mrows.Next() {
		var m Movement
		if err := mrows.Scan(&m.Kind, &m.AmountFen, &m.Method, &m.ReceiptNo, &m.Reason, &m.BankKey, &m.By, &m.At); err != nil {
			return nil, err
		}
		n.Movements = append(n.Movements, m)
	}
	return n, mrows.Err()
}
