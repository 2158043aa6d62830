package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/org"
	"onestop/internal/payments"
	"onestop/internal/store"
	"onestop/internal/supervision"
)

// SeedPayments issues payment notices (缴款通知书) for the most recently
// approved fee-charging cases of the history, each by a clerk of the
// case's department at its centre, and records every other one paid at the
// cashier window, so the demo shows notices both due and paid. It runs
// once (settings.demo_payments_done).
func SeedPayments(ctx context.Context, db *store.DB, until time.Time) error {
	var done string
	err := db.R.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'demo_payments_done'`).Scan(&done)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	clk := func() time.Time { return until }
	eng := cases.New(db, &catalogue.Service{DB: db, Now: clk}, clk)
	an := supervision.Watch(eng, db, clk)
	svc := &payments.Service{DB: db, Cases: eng, Now: clk, Fees: an}
	osvc := &org.Service{DB: db, Now: clk}
	rows, err := db.R.QueryContext(ctx, `SELECT c.no, st.username FROM cases c JOIN item_versions v ON v.id = c.item_version_id
		JOIN staff st ON st.role = 'clerk' AND st.centre_id = c.centre_id AND st.department_id = c.department_id
		WHERE c.state IN ('approved', 'completed') AND c.decision = 'approved' AND c.payment = '' AND v.fees <> '[]' AND c.bundle_id IS NULL
		ORDER BY c.decided_at DESC, c.id, st.id LIMIT 200`)
	if err != nil {
		return err
	}
	type pick struct{ no, clerk string }
	var picks []pick
	seen := map[string]bool{}
	for rows.Next() {
		var p pick
		if err := rows.Scan(&p.no, &p.clerk); err != nil {
			rows.Close()
			return err
		}
		if !seen[p.no] && len(picks) < 24 {
			seen[p.no] = true
			picks = append(picks, p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i, p := range picks {
		st, err := osvc.StaffByUsername(ctx, p.clerk)
		if err != nil {
			return err
		}
		a := st.Actor("console")
		n, err := svc.Issue(ctx, a, []payments.CaseFees{{CaseNo: p.no}})
		if err != nil {
			return fmt.Errorf("notice for %s: %w", p.no, err)
		}
		if i%2 == 0 {
			method := payments.Methods[i%len(payments.Methods)]
			if _, err := svc.Pay(ctx, a, n.Ref, payments.PayInput{Method: method, ReceiptNo: fmt.Sprintf("HN%08d", 20260001+i)}); err != nil {
				return fmt.Errorf("payment of %s: %w", n.Ref, err)
			}
			if i == 4 && n.TotalFen > 0 {
				// One paid back in full, so the cashier window shows a
				// refunded notice too.
				if _, err := svc.Refund(ctx, a, n.Ref, payments.RefundInput{AmountFen: n.TotalFen, Reason: "申请人撤回申请，全额退费", Method: method}); err != nil {
					return fmt.Errorf("refund of %s: %w", n.Ref, err)
				}
			}
		}
	}
	_, err = db.W.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('demo_payments_done', $1)`, until.UTC().Format(time.RFC3339))
	return err
}
