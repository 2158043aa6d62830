package cases

import (
	"context"
	"log/slog"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// Timed work is an indexed sweep over the case rows, not a timer in memory
// and not a job queue (docs/DECISIONS.md): the case's own columns say what
// is due, and each transition is the same conditional update on state and
// version as any other action. A sweep that runs twice — after a restart, or
// in two processes on one PostgreSQL — finds the case already moved and
// changes nothing, so each deemed approval happens exactly once.

// SweepResult counts what one sweep did.
type SweepResult struct {
	DeemedAccepted int
	DeemedApproved int
}

// Sweep applies the rules whose time has come as of now.
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	var r SweepResult
	today := clock.Today(s.Now()).Time(time.UTC)
	// Five working days without a notice: accepted as of receipt (Art. 32).
	due, err := s.due(ctx, `SELECT no FROM cases WHERE state = 'received' AND notice_due < $1 ORDER BY notice_due LIMIT 500`, today)
	if err != nil {
		return r, err
	}
	for _, no := range due {
		if ok, err := s.try(ctx, no, ActDeemAccept); err != nil {
			return r, err
		} else if ok {
			r.DeemedAccepted++
		}
	}
	// Past the promised deadline without a decision: deemed approval where
	// the item allows it. The partial index on open cases keeps this from
	// reading closed ones.
	due, err = s.due(ctx, `SELECT no FROM cases WHERE closed_at IS NULL AND deadline < $1 AND state = 'in_progress' AND deemed_allowed AND NOT paused
		ORDER BY deadline LIMIT 500`, today)
	if err != nil {
		return r, err
	}
	for _, no := range due {
		if ok, err := s.try(ctx, no, ActDeemApprove); err != nil {
			return r, err
		} else if ok {
			r.DeemedApproved++
		}
	}
	return r, nil
}

func (s *Service) due(ctx context.Context, q string, today time.Time) ([]string, error) {
	return store.Column[string](s.DB.R.QueryContext(ctx, q, today))
}

// try applies a system action; a case another process moved first (a
// conflict) or that no longer qualifies is not an error.
func (s *Service) try(ctx context.Context, no, action string) (bool, error) {
	_, err := s.Act(ctx, SystemActor, no, action, Input{})
	switch {
	case err == nil:
		return true, nil
	case apperr.Is(err, apperr.Conflict):
		return false, nil
	}
	return false, err
}

// Run sweeps now and then every interval until ctx ends. Starting with a
// sweep makes a restart that spanned a deadline catch up at once.
func (s *Service) Run(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		r, err := s.Sweep(ctx)
		if ctx.Err() == nil {
			s.observeSweep(r, err)
		}
		if err != nil && ctx.Err() == nil {
			log.Error("case sweep", "err", err)
		} else if r.DeemedAccepted+r.DeemedApproved > 0 {
			log.Info("case sweep", "deemed_accepted", r.DeemedAccepted, "deemed_approved", r.DeemedApproved)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
