package modes

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
)

// TerminateRule is the rule a termination for owed materials cites: the
// written promise of 容缺受理 not kept in time ends the application (local
// 容缺 rules: "逾期未补齐的，终止办理"; docs/DOMAIN.md §20).
const TerminateRule = "容缺受理承诺补齐的材料逾期未补齐，依容缺受理规定终止办理"

// Sweep ends the 容缺 cases whose supply deadline passed with materials
// still owed: the day after the deadline's last working day. Like the
// engine's own sweep it is the same conditional transition as any other,
// so two processes or a rerun terminate each case once.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	today := clock.Today(s.Now()).Time(time.UTC)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT c.no, m.materials, m.supply_due FROM case_modes m JOIN cases c ON c.id = m.case_id
		WHERE m.mode = 'lenient' AND m.supplied_at IS NULL AND m.supply_due < $1 AND c.closed_at IS NULL
		AND c.state IN ('received','supplement','in_progress') ORDER BY m.supply_due LIMIT 500`, today)
	if err != nil {
		return 0, err
	}
	type due struct{ no, reason string }
	var list []due
	for rows.Next() {
		var no, mats string
		var d any
		if err := rows.Scan(&no, &mats, &d); err != nil {
			rows.Close()
			return 0, err
		}
		day, _ := calendar.FromColumn(d)
		list = append(list, due{no, TerminateRule + "（" + strings.Join(splitJSON(mats), "、") + "，补齐期限 " + day.String() + "）"})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, d := range list {
		_, err := s.Cases.Act(ctx, cases.SystemActor, d.no, cases.ActTerminate, cases.Input{Reason: d.reason})
		switch {
		case err == nil:
			n++
		case apperr.Is(err, apperr.Conflict):
			// Moved meanwhile (supplied, withdrawn, decided): nothing to end.
		default:
			return n, err
		}
	}
	return n, nil
}

// Run sweeps now and then every interval until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			log.Error("modes sweep", "err", err)
		} else if n > 0 {
			log.Info("modes sweep", "terminated", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
