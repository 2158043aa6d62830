package anomaly

import (
	"context"

	"onestop/internal/cases"
	"onestop/internal/store"
)

// Witness raises anomalies as cases move, in each transition's own
// transaction (cases.Witness): the anomaly commits with the event that
// raised it or not at all.
func (s *Service) Witness(ctx context.Context, q store.Querier, ch cases.Change) error {
	cfgs, err := s.configs(ctx, q)
	if err != nil {
		return err
	}
	var prior History
	if needsHistory(ch.Action()) {
		if prior, err = history(ctx, q, ch.Case.ID, ch.Event.Seq); err != nil {
			return err
		}
	}
	fs := Evaluate(NewInput(ch, prior, s.Light), cfgs)
	if len(fs) == 0 {
		return nil
	}
	_, err = raiseAll(ctx, q, Where{ch.Case.ID, ch.Case.DepartmentID, ch.Case.CentreID}, fs, cfgs, ch.Now())
	return err
}

// history folds a case's events before seq (the rules that look back).
func history(ctx context.Context, q store.Querier, caseID int64, seq int) (History, error) {
	var h History
	rows, err := q.QueryContext(ctx, `SELECT seq, at, action, payload FROM case_events WHERE case_id = $1 AND seq < $2 ORDER BY seq`, caseID, seq)
	if err != nil {
		return h, err
	}
	defer rows.Close()
	for rows.Next() {
		var e cases.Event
		var payload string
		if err := rows.Scan(&e.Seq, &e.At, &e.Action, &payload); err != nil {
			return h, err
		}
		var f cases.RowFacts
		h.Add(e, f.Fold([]byte(payload)))
	}
	return h, rows.Err()
}
