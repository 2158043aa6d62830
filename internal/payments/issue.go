package payments

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/cases"
	"onestop/internal/org"
	"onestop/internal/store"
)

// CaseFees names one case whose fees go on a notice. Every fee of the
// case's item version is charged (DOMAIN.md §5: one notice for all fees of
// a case); Amounts changes the amount of a fee (by its 1-based number in
// the catalogue) with the reason the deviation needs.
type CaseFees struct {
	CaseNo  string           `json:"case_no"`
	Amounts map[int]Override `json:"amounts,omitempty"`
}

// Override is a fee charged at another amount than the standard.
type Override struct {
	AmountFen int64  `json:"amount_fen"`
	Reason    string `json:"reason"`
}

// Issue issues one notice for the fees of the given cases as the window
// clerk a, who must be the clerk of every one of them (cases.ClerkHere).
func (s *Service) Issue(ctx context.Context, a org.Actor, in []CaseFees) (*Notice, error) {
	var ref string
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := s.DB.InTx(tx)
		var err error
		ref, err = s.IssueTx(ctx, q, a, in, func(c *cases.Case) error {
			if !cases.StaffActor(a).Sees(c) {
				return apperr.NotFoundf("entity.case")
			}
			if !cases.StaffActor(a).ClerkHere(c) {
				return apperr.New(apperr.Forbidden, "payments.not_clerk")
			}
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.load(ctx, s.DB.Read(), ref)
}

// IssueTx writes a notice for the cases' fees inside the caller's
// transaction and returns its reference. allow is asked about every case
// before anything is written (the bundle's lead department decides for
// its sub-cases; Issue asks for the case's own clerk). The issuing staff
// member a is recorded; the notice belongs to the first case's centre.
func (s *Service) IssueTx(ctx context.Context, q store.Querier, a org.Actor, in []CaseFees, allow func(*cases.Case) error) (string, error) {
	if len(in) == 0 {
		return "", apperr.New(apperr.Invalid, "payments.no_cases")
	}
	if len(in) > 50 {
		// A bundle has a handful of sub-cases; more is not a notice.
		return "", apperr.New(apperr.Invalid, "payments.too_many_cases")
	}
	now := s.now()
	var cs []*cases.Case
	var lines []Line
	f := apperr.Fields{}
	seen := map[string]bool{}
	for i, cf := range in {
		if seen[cf.CaseNo] {
			return "", apperr.New(apperr.Invalid, "payments.case_twice")
		}
		seen[cf.CaseNo] = true
		if len(cf.CaseNo) > 40 {
			return "", apperr.NotFoundf("entity.case")
		}
		c, err := s.Cases.Load(ctx, q, cf.CaseNo)
		if err != nil {
			return "", err
		}
		if err := allow(c); err != nil {
			return "", err
		}
		if err := chargeable(c); err != nil {
			return "", err
		}
		for seq := range cf.Amounts {
			if seq < 1 || seq > len(c.Item.Fees) {
				return "", apperr.New(apperr.Invalid, "payments.no_such_fee")
			}
		}
		for j, fee := range c.Item.Fees {
			l := Line{CaseNo: c.No, Seq: j + 1, Name: fee.Name, Basis: fee.Basis, StandardFen: fee.AmountFen, AmountFen: fee.AmountFen}
			if o, ok := cf.Amounts[j+1]; ok {
				field := FieldName(len(in) > 1, i, j+1)
				if o.AmountFen < 0 || o.AmountFen > maxFen {
					f.Add(field+"amount_fen", "payments.amount_range")
				}
				l.AmountFen = o.AmountFen
				// A fee off the catalogue standard needs its reason
				// (DOMAIN.md §5: fees only as listed; a deviation is a
				// supervision anomaly, which FeeCharged raises).
				if l.Deviates() {
					l.Reason = f.Para(field+"reason", o.Reason, true, 500)
				}
			}
			lines = append(lines, l)
		}
		cs = append(cs, c)
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	var total int64
	for _, l := range lines {
		total += l.AmountFen
	}
	ref, err := newRef()
	if err != nil {
		return "", err
	}
	state, payment := Due, cases.PaymentDue
	var paidAt any
	if total == 0 {
		// Every fee waived (with its reasons): nothing to collect.
		state, payment, paidAt = Paid, cases.PaymentPaid, now
	}
	var id int64
	if err := q.QueryRowContext(ctx, `INSERT INTO payment_notices (ref, centre_id, total_fen, state, issued_by, issued_at, paid_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, ref, cs[0].CentreID, total, state, a.StaffID, now, paidAt).Scan(&id); err != nil {
		return "", fmt.Errorf("insert notice: %w", err)
	}
	byCase := map[string]*cases.Case{}
	for _, c := range cs {
		byCase[c.No] = c
		// Claiming the case's payment fact makes a second notice for the
		// same case lose the race instead of charging twice.
		res, err := q.ExecContext(ctx, `UPDATE cases SET payment = $1 WHERE id = $2 AND payment = ''`, payment, c.ID)
		if err != nil {
			return "", err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return "", apperr.New(apperr.Conflict, "payments.already_issued", "Case", c.No)
		}
	}
	charged := map[string]int64{}
	for _, l := range lines {
		if _, err := q.ExecContext(ctx, `INSERT INTO payment_notice_lines (notice_id, case_id, seq, name, basis, standard_fen, amount_fen, reason)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, id, byCase[l.CaseNo].ID, l.Seq, l.Name, l.Basis, l.StandardFen, l.AmountFen, l.Reason); err != nil {
			return "", fmt.Errorf("insert notice line: %w", err)
		}
		charged[l.CaseNo] += l.AmountFen
	}
	if s.Fees != nil {
		for _, c := range cs {
			if err := s.Fees.FeeCharged(ctx, q, c, charged[c.No], ref, now); err != nil {
				return "", err
			}
		}
	}
	if s.OnDue != nil && state == Due {
		if err := s.OnDue(ctx, q, cs[0], ref, total); err != nil {
			return "", err
		}
	}
	return ref, nil
}

// chargeable: the case has fees, has none on a notice yet, and has reached
// the point its fees fall due — the approval, or the acceptance when the
// item charges on acceptance (docs/DOMAIN.md §19).
func chargeable(c *cases.Case) error {
	if c.Item == nil || c.Item.Free() {
		return apperr.New(apperr.Conflict, "payments.free_item", "Case", c.No)
	}
	if c.Payment != cases.PaymentNone {
		return apperr.New(apperr.Conflict, "payments.already_issued", "Case", c.No)
	}
	switch c.State {
	case cases.Approved, cases.Completed:
		if c.Decision == "approved" {
			return nil
		}
	case cases.InProgress:
		if c.Item.FeesOnAcceptance() {
			return nil
		}
	}
	return apperr.New(apperr.Conflict, "payments.not_due", "Case", c.No)
}

// FieldName names a fee's form fields: "fees.2." for one case,
// "cases.1.fees.2." when a notice covers several (caseIdx counts from 0,
// in the order the cases were given). Issuing forms name their inputs
// with it so an error lands on the field that caused it.
func FieldName(several bool, caseIdx, seq int) string {
	p := "fees." + strconv.Itoa(seq) + "."
	if several {
		p = "cases." + strconv.Itoa(caseIdx+1) + "." + p
	}
	return p
}

// Chargeable reports whether a notice may be issued for the case now: the
// case page offers the issuing form only then (the rule is chargeable's).
func Chargeable(c *cases.Case) bool { return chargeable(c) == nil }

// Status is what the notice's payer and staff read: due, paid, or
// refunded once everything paid has been paid back.
func (n *Notice) Status() string {
	if n.State == Paid && n.PaidFen > 0 && n.Refundable() == 0 {
		return "refunded"
	}
	return n.State
}
