package anomaly

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// The lights change with time, not with events: a case turns yellow and
// then red on a day nobody touches it. Sweep looks at the open cases whose
// promised deadline is near or past and applies the same rule functions
// (Evaluate) to each case as it stands now, like the deadline sweep
// (cases.Service.Sweep) does for deemed approvals. The stored deadline
// columns are the engine's (cases.Clock at the last transition) and the
// light is clock.Stand's, the inbox's rule, so the lights here are the
// lights a clerk sees. A paused case keeps the light it had when it was
// paused (its clock stands still), so it is left out. Running twice, or in
// two processes, raises nothing twice: the anomaly's unique key.

// sweepBatch bounds one sweep's transaction.
const sweepBatch = 500

// Sweep raises the time rules' anomalies for open cases as of now and
// returns how many it raised.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	cal, err := cases.Calendar(ctx, s.DB.Read())
	if err != nil {
		return 0, err
	}
	cfgs, err := s.configs(ctx, s.DB.Read())
	if err != nil {
		return 0, err
	}
	enabled := false
	for _, r := range Catalogue {
		enabled = enabled || (r.Swept && cfgs[r.Code].Enabled)
	}
	if !enabled {
		return 0, nil
	}
	now := s.Now()
	today := clock.Today(now)
	cutoff, _ := cal.Deadline(today, max(s.Light.YellowDaysLeft, 0))
	total := 0
	var after int64
	for {
		rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, department_id, centre_id, version, deadline, statutory_deadline FROM cases
			WHERE closed_at IS NULL AND decided_at IS NULL AND accepted_at IS NOT NULL AND NOT paused AND deadline <= $1 AND id > $2
			ORDER BY id LIMIT $3`, cutoff.Time(time.UTC), after, sweepBatch)
		if err != nil {
			return total, err
		}
		type cand struct {
			w        Where
			version  int
			due, sdu calendar.Date
		}
		var list []cand
		for rows.Next() {
			var c cand
			var due, sdu time.Time
			if err := rows.Scan(&c.w.CaseID, &c.w.DepartmentID, &c.w.CentreID, &c.version, &due, &sdu); err != nil {
				rows.Close()
				return total, err
			}
			c.due, c.sdu = calendar.DateOf(due, time.UTC), calendar.DateOf(sdu, time.UTC)
			list = append(list, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(list) == 0 {
			return total, err
		}
		after = list[len(list)-1].w.CaseID
		// A red case stays a candidate every minute until it is decided:
		// what is already raised is left out here, so a sweep that finds
		// nothing new writes nothing.
		ids := make([]int64, len(list))
		for i, c := range list {
			ids[i] = c.w.CaseID
		}
		known, err := raisedFacts(ctx, s.DB.Read(), ids)
		if err != nil {
			return total, err
		}
		type todo struct {
			w  Where
			fs []Finding
		}
		var work []todo
		for _, c := range list {
			var fs []Finding
			for _, f := range Evaluate(standing(cal, c.due, c.sdu, c.version, today, s.Light), cfgs) {
				if !known[fact{c.w.CaseID, f.Rule, f.Fact}] {
					fs = append(fs, f)
				}
			}
			if len(fs) > 0 {
				work = append(work, todo{c.w, fs})
			}
		}
		if len(work) > 0 {
			err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
				q := s.DB.InTx(tx)
				for _, x := range work {
					n, err := raiseAll(ctx, q, x.w, x.fs, cfgs, now)
					if err != nil {
						return err
					}
					total += n
				}
				return nil
			})
			if err != nil {
				return total, err
			}
		}
		if len(list) < sweepBatch {
			return total, nil
		}
	}
}

// standing is an open case as the time rules read it: no event, its clock
// as of today from its stored deadlines (clock.Stand, the inbox's light).
// The latest event (version) is the one the clock ran from.
func standing(cal *calendar.Calendar, due, statutory calendar.Date, version int, today calendar.Date, light clock.LightRule) Input {
	st := clock.Stand(cal, due, nil, today, light)
	accepted := time.Time{}
	c := &cases.Case{AcceptedAt: &accepted, Clock: &clock.Status{PromisedDeadline: due, StatutoryDeadline: statutory, AsOf: today, Light: st.Light,
		LeftDays: st.Left}}
	return Input{Change: cases.Change{Case: c, Calendar: cal, Event: cases.Event{Seq: version}}}
}

// Run sweeps now and then every interval until ctx ends (cmd/onestop serve
// runs it beside the case engine's sweep).
func (s *Service) Run(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.Sweep(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("anomaly sweep", "err", err)
		} else if n > 0 {
			log.Info("anomaly sweep", "raised", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// fact is an anomaly's unique key.
type fact struct {
	caseID     int64
	rule, fact string
}

// raisedFacts lists the time rules' anomalies already raised for the cases.
func raisedFacts(ctx context.Context, q store.Querier, ids []int64) (map[fact]bool, error) {
	in, args := store.IDList(ids, 1)
	rows, err := q.QueryContext(ctx, `SELECT case_id, rule, fact_key FROM anomalies WHERE rule IN ('T01', 'T02', 'T03') AND case_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[fact]bool{}
	for rows.Next() {
		var f fact
		if err := rows.Scan(&f.caseID, &f.rule, &f.fact); err != nil {
			return nil, err
		}
		out[f] = true
	}
	return out, rows.Err()
}
