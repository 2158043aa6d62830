package anomaly

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"onestop/internal/clock"
	"onestop/internal/store"
	"onestop/internal/tally"
)

// Service raises, lists and resolves anomalies and keeps the rules'
// configuration.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// Light is the engine's light rule (cases.Service.Light): the lights
	// the rules raise are the ones the inbox shows.
	Light clock.LightRule

	mu      sync.Mutex
	cfgs    map[string]Config
	cfgRead time.Time
}

// New builds the service.
func New(db *store.DB, now func() time.Time) *Service {
	return &Service{DB: db, Now: now, Light: clock.DefaultLightRule}
}

// configTTL bounds how long another process's rule change takes to reach
// this one; a change made through this Service applies at once.
const configTTL = 30 * time.Second

// configs returns the rules' configuration, read through q when the
// cached copy is stale.
func (s *Service) configs(ctx context.Context, q store.Querier) (map[string]Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfgs != nil && time.Since(s.cfgRead) < configTTL {
		return s.cfgs, nil
	}
	m, err := readConfigs(ctx, q)
	if err != nil {
		return nil, err
	}
	s.cfgs, s.cfgRead = m, time.Now()
	return m, nil
}

func (s *Service) forgetConfigs() {
	s.mu.Lock()
	s.cfgs = nil
	s.mu.Unlock()
}

func readConfigs(ctx context.Context, q store.Querier) (map[string]Config, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, enabled, COALESCE(threshold, 0), severity FROM anomaly_rules`)
	if err != nil {
		return nil, fmt.Errorf("anomaly rules: %w", err)
	}
	defer rows.Close()
	m := map[string]Config{}
	for rows.Next() {
		var c Config
		if err := rows.Scan(&c.Code, &c.Enabled, &c.Threshold, &c.Severity); err != nil {
			return nil, err
		}
		m[c.Code] = c
	}
	return m, rows.Err()
}

// Where is the case a finding is about: it keys the anomaly and its tally.
type Where struct {
	CaseID, DepartmentID, CentreID int64
}

// raise stores a finding unless the same fact is already stored, and
// counts it in the running totals (tally) in the same transaction q. It
// reports whether the finding was new.
func raise(ctx context.Context, q store.Querier, w Where, f Finding, sev Severity, at time.Time) (bool, error) {
	events, _ := json.Marshal(f.Events)
	if f.Events == nil {
		events = []byte("[]")
	}
	detail := []byte("{}")
	if f.Detail != nil {
		detail, _ = json.Marshal(f.Detail)
	}
	res, err := q.ExecContext(ctx, `INSERT INTO anomalies (case_id, department_id, centre_id, rule, severity, fact_key, raised_at, events, detail)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (case_id, rule, fact_key) DO NOTHING`,
		w.CaseID, w.DepartmentID, w.CentreID, f.Rule, string(sev), f.Fact, at.UTC(), string(events), string(detail))
	if err != nil {
		return false, fmt.Errorf("raise %s: %w", f.Rule, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, nil
	}
	k := tally.Key{Day: clock.Today(at), DepartmentID: w.DepartmentID, CentreID: w.CentreID}
	return true, tally.Add(ctx, q, k, map[tally.Column]int{tally.Anomalies: 1})
}

// raiseAll stores the findings of one transition.
func raiseAll(ctx context.Context, q store.Querier, w Where, fs []Finding, cfgs map[string]Config, at time.Time) (int, error) {
	n := 0
	for _, f := range fs {
		ok, err := raise(ctx, q, w, f, cfgs[f.Rule].Severity, at)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// nullTime reads a nullable instant.
func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}
