package bundles

import (
	"context"
	"time"

	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/store"
)

// Witness keeps a bundle in step with its parts inside each part's
// transition: a refused part under all-or-nothing ends its open siblings
// (with a reason naming the refused part), and once every part is decided
// the bundle is decided. Being in the same transaction, a refusal and its
// consequences commit together or not at all.
func (s *Service) Witness(ctx context.Context, q store.Querier, ch cases.Change) error {
	c := ch.Case
	if c.BundleNo == "" || ch.Before.Field("state") == c.State {
		return nil
	}
	var id int64
	var rule, state string
	if err := q.QueryRowContext(ctx, `SELECT id, refusal_rule, state FROM bundles WHERE no = $1`, c.BundleNo).Scan(&id, &rule, &state); err != nil {
		return err
	}
	if state != InProgress {
		return nil
	}
	if c.State == cases.Refused && rule != catalogue.KeepRest {
		if err := s.endSiblings(ctx, q, ch, id); err != nil {
			return err
		}
	}
	return s.settle(ctx, q, id, ch.Now())
}

// endSiblings terminates every open sibling of the refused part c, as the
// system, citing the refused part (all-or-nothing, docs/DOMAIN.md §21).
func (s *Service) endSiblings(ctx context.Context, q store.Querier, ch cases.Change, bundleID int64) error {
	c := ch.Case
	open, err := store.Column[string](q.QueryContext(ctx, `SELECT no FROM cases WHERE bundle_id = $1 AND id <> $2 AND closed_at IS NULL
		AND state IN ($3, $4, $5) ORDER BY id`, bundleID, c.ID, cases.Received, cases.Supplement, cases.InProgress))
	if err != nil {
		return err
	}
	batch := s.Cases.Batch(q, ch.Calendar, ch.Now())
	for _, no := range open {
		in := cases.Input{Reason: terminateReason(c)}
		if _, err := batch.Act(ctx, cases.SystemActor, no, cases.ActTerminate, in); err != nil {
			return err
		}
	}
	return nil
}

// terminateReason names the refused part, so each department and the
// applicant read why their part ended.
func terminateReason(refused *cases.Case) string {
	return "一件事中“" + refused.ItemName + "”（" + refused.Department + "，" + refused.No + "）不予许可，按全部办结规则终止本事项"
}

// settle decides the bundle once every part is decided: approved when all
// were approved, otherwise refused (all-or-nothing) or partial (keep the
// rest).
func (s *Service) settle(ctx context.Context, q store.Querier, bundleID int64, now time.Time) error {
	var rule string
	if err := q.QueryRowContext(ctx, `SELECT refusal_rule FROM bundles WHERE id = $1`, bundleID).Scan(&rule); err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, `SELECT state, decision FROM cases WHERE bundle_id = $1`, bundleID)
	if err != nil {
		return err
	}
	all, approved, n := true, 0, 0
	for rows.Next() {
		var st, dec string
		if err := rows.Scan(&st, &dec); err != nil {
			rows.Close()
			return err
		}
		n++
		if !decided(st) {
			all = false
		}
		if dec == "approved" {
			approved++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || !all || n == 0 {
		return err
	}
	outcome := Approved
	switch {
	case approved == n:
	case rule == catalogue.KeepRest && approved > 0:
		outcome = Partial
	default:
		outcome = Refused
	}
	_, err = q.ExecContext(ctx, `UPDATE bundles SET state = $1, outcome = $2, decided_at = $3, version = version + 1, updated_at = $3
		WHERE id = $4 AND state = $5`, Decided, outcome, now, bundleID, InProgress)
	return err
}
