package demo

import (
	"context"
	"time"

	"onestop/internal/assessment"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/store"
)

// SeedAssessment runs the quarterly check (季度检查) of the last finished
// quarter before until at the county hall, as its supervisor, so the demo
// shows a ranking with grades. It runs once: an assessment already stored
// for the hall means it is done.
func SeedAssessment(ctx context.Context, db *store.DB, until time.Time) error {
	st, err := (&org.Service{DB: db, Now: func() time.Time { return until }}).StaffByUsername(ctx, "supervisor")
	if err != nil {
		return err
	}
	var n int
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM assessments WHERE centre_id = $1`, st.CentreID).Scan(&n); err != nil || n > 0 {
		return err
	}
	today := clock.Today(until)
	year, q := today.Year, (int(today.Month)-1)/3
	if q == 0 {
		year, q = year-1, 4
	}
	from, to, err := assessment.Period(assessment.Quarter, year, q, today)
	if err != nil {
		return err
	}
	if err := seedDutyQuarter(ctx, db, from, to); err != nil {
		return err
	}
	svc := &assessment.Service{DB: db, Now: func() time.Time { return until }}
	_, err = svc.Run(ctx, st.Actor("console"), assessment.RunInput{Kind: assessment.Quarter, Year: year, N: q})
	return err
}
