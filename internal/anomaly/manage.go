package anomaly

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Who may do what: supervisors and leaders read (a county's within their
// county, a province-wide account everywhere); only the supervisor
// changes a rule or resolves an anomaly (效能监察 is the supervisor's
// office; the leader's view is read-only, admins run the hall, not its
// supervision).

// Readers are the roles that read anomalies and rules.
var Readers = []org.Role{org.Supervisor, org.Leader}

func reads(a org.Actor) bool { return a.Role == org.Supervisor || a.Role == org.Leader }

// RuleView is a rule with its configuration, as the rules page and the
// API show it.
type RuleView struct {
	Code         string     `json:"code"`
	Group        Group      `json:"group"`
	Severity     Severity   `json:"severity"`
	Enabled      bool       `json:"enabled"`
	HasThreshold bool       `json:"has_threshold"`
	Threshold    int        `json:"threshold,omitempty"`
	Min          int        `json:"threshold_min,omitempty"`
	Max          int        `json:"threshold_max,omitempty"`
	UpdatedAt    *time.Time `json:"updated_at,omitempty"`
	UpdatedBy    string     `json:"updated_by,omitempty"`
}

// Rules lists the catalogue with its configuration.
func (s *Service) Rules(ctx context.Context, a org.Actor) ([]RuleView, error) {
	if !reads(a) {
		return nil, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	return rulesIn(ctx, s.DB.Read())
}

func rulesIn(ctx context.Context, q store.Querier) ([]RuleView, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, enabled, COALESCE(threshold, 0), severity, updated_at, updated_by FROM anomaly_rules`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byCode := map[string]RuleView{}
	for rows.Next() {
		var v RuleView
		var at sql.NullTime
		if err := rows.Scan(&v.Code, &v.Enabled, &v.Threshold, &v.Severity, &at, &v.UpdatedBy); err != nil {
			return nil, err
		}
		v.UpdatedAt = nullTime(at)
		byCode[v.Code] = v
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]RuleView, 0, len(Catalogue))
	for _, r := range Catalogue {
		v, ok := byCode[r.Code]
		if !ok {
			continue
		}
		v.Group, v.HasThreshold, v.Min, v.Max = r.Group, r.HasThreshold(), r.Min, r.Max
		out = append(out, v)
	}
	return out, nil
}

// RuleInput changes a rule: on or off, and its threshold (only for a rule
// that has one). A nil field is left as it is.
type RuleInput struct {
	Enabled   *bool `json:"enabled"`
	Threshold *int  `json:"threshold"`
}

// SetRule changes a rule's configuration, on the audit log with before
// and after. A disabled rule raises nothing new; what it raised stays.
func (s *Service) SetRule(ctx context.Context, a org.Actor, code string, in RuleInput) (RuleView, error) {
	var out RuleView
	if a.Role != org.Supervisor {
		return out, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	r, ok := RuleOf(code)
	if !ok {
		return out, apperr.NotFoundf("entity.anomaly_rule")
	}
	f := apperr.Fields{}
	if in.Threshold != nil {
		switch {
		case !r.HasThreshold():
			f.Add("threshold", "anomalies.no_threshold")
		case *in.Threshold < r.Min || *in.Threshold > r.Max:
			f.Add("threshold", "anomalies.threshold_range", "Min", r.Min, "Max", r.Max)
		}
	}
	if err := f.Err(); err != nil {
		return out, err
	}
	now := s.Now().UTC()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := s.DB.InTx(tx)
		all, err := rulesIn(ctx, q)
		if err != nil {
			return err
		}
		var before RuleView
		for _, v := range all {
			if v.Code == code {
				before = v
			}
		}
		out = before
		if in.Enabled != nil {
			out.Enabled = *in.Enabled
		}
		if in.Threshold != nil {
			out.Threshold = *in.Threshold
		}
		var threshold any
		if r.HasThreshold() {
			threshold = out.Threshold
		}
		out.UpdatedAt, out.UpdatedBy = &now, a.Name
		if _, err := q.ExecContext(ctx, `UPDATE anomaly_rules SET enabled = $1, threshold = $2, updated_at = $3, updated_by = $4 WHERE code = $5`,
			out.Enabled, threshold, now, a.Name, code); err != nil {
			return err
		}
		return audit.Write(ctx, q, now, a.Who(), "update", "anomaly_rule", code, 0, 0, ruleRecord(before), ruleRecord(out))
	})
	if err != nil {
		return RuleView{}, err
	}
	s.forgetConfigs()
	return out, nil
}

// ruleRecord is what the audit log keeps of a rule.
func ruleRecord(v RuleView) map[string]any {
	m := map[string]any{"code": v.Code, "enabled": v.Enabled}
	if v.HasThreshold {
		m["threshold"] = v.Threshold
	}
	return m
}

// Anomaly is one raised anomaly as the lists and the API show it.
type Anomaly struct {
	ID           int64          `json:"id"`
	CaseID       int64          `json:"-"`
	CaseNo       string         `json:"case_no"`
	DepartmentID int64          `json:"department_id"`
	Department   string         `json:"department"`
	CentreID     int64          `json:"centre_id"`
	Centre       string         `json:"centre"`
	County       string         `json:"county"`
	Rule         string         `json:"rule"`
	Group        Group          `json:"group"`
	Severity     Severity       `json:"severity"`
	Fact         string         `json:"fact_key"`
	RaisedAt     time.Time      `json:"raised_at"`
	Events       []int          `json:"events"`
	Detail       map[string]any `json:"detail"`
	Status       string         `json:"status"`
	ResolvedBy   string         `json:"resolved_by,omitempty"`
	ResolvedAt   *time.Time     `json:"resolved_at,omitempty"`
	ResolveNote  string         `json:"resolve_note,omitempty"`
}

// Statuses of an anomaly.
var Statuses = []string{"open", "resolved"}

// Filter narrows a listing; zero values filter nothing. From and To are
// Shanghai days of raising, both included.
type Filter struct {
	Rule         string
	Severity     string
	DepartmentID int64
	Status       string
	From, To     calendar.Date
	Limit        int
	Offset       int
}

const anomalyCols = `a.id, a.case_id, c.no, a.department_id, d.short_name, a.centre_id, ce.name, ce.region_code, a.rule, a.severity, a.fact_key,
	a.raised_at, a.events, a.detail, a.status, COALESCE(rs.name, ''), a.resolved_at, a.resolve_note`

const anomalyFrom = ` FROM anomalies a JOIN cases c ON c.id = a.case_id JOIN departments d ON d.id = a.department_id
	JOIN centres ce ON ce.id = a.centre_id LEFT JOIN staff rs ON rs.id = a.resolved_by`

// scope keeps the rows the actor may read: their county (a
// province-wide account: all), or their own centre for an account that is
// not county-wide. No scope reads nothing.
func scope(w *store.Where, a org.Actor) {
	switch {
	case a.CountyWide():
		if cond, args := a.CountyCentres("a.centre_id"); cond != "" {
			w.Add(cond, args...)
		}
	case a.CentreID != 0:
		w.Add("a.centre_id = ?", a.CentreID)
	default:
		w.Add("1 = 0")
	}
}

// List returns the anomalies the actor may read, newest first, and how
// many match.
func (s *Service) List(ctx context.Context, a org.Actor, f Filter) ([]Anomaly, int, error) {
	if !reads(a) {
		return nil, 0, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	var w store.Where
	scope(&w, a)
	if f.Rule != "" {
		w.Add("a.rule = ?", f.Rule)
	}
	if f.Severity != "" {
		w.Add("a.severity = ?", f.Severity)
	}
	if f.DepartmentID != 0 {
		w.Add("a.department_id = ?", f.DepartmentID)
	}
	if f.Status != "" {
		w.Add("a.status = ?", f.Status)
	}
	if !f.From.IsZero() {
		w.Add("a.raised_at >= ?", dayStart(f.From))
	}
	if !f.To.IsZero() {
		w.Add("a.raised_at < ?", dayStart(f.To.AddDays(1)))
	}
	r := s.DB.Read()
	var total int
	if err := r.QueryRowContext(ctx, "SELECT COUNT(*)"+anomalyFrom+w.String(), w.Args()...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("anomaly count: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := r.QueryContext(ctx, "SELECT "+anomalyCols+anomalyFrom+w.String()+" ORDER BY a.raised_at DESC, a.id DESC LIMIT "+w.Bind(limit)+
		" OFFSET "+w.Bind(max(f.Offset, 0)), w.Args()...)
	if err != nil {
		return nil, 0, fmt.Errorf("anomaly list: %w", err)
	}
	defer rows.Close()
	out := []Anomaly{}
	for rows.Next() {
		x, err := scanAnomaly(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, x)
	}
	return out, total, rows.Err()
}

func dayStart(d calendar.Date) time.Time { return d.Time(clock.Shanghai).UTC() }

func scanAnomaly(row interface{ Scan(...any) error }) (Anomaly, error) {
	var x Anomaly
	var events, detail, region string
	var resolved sql.NullTime
	if err := row.Scan(&x.ID, &x.CaseID, &x.CaseNo, &x.DepartmentID, &x.Department, &x.CentreID, &x.Centre, &region, &x.Rule, &x.Severity,
		&x.Fact, &x.RaisedAt, &events, &detail, &x.Status, &x.ResolvedBy, &resolved, &x.ResolveNote); err != nil {
		return x, err
	}
	x.RaisedAt, x.ResolvedAt = x.RaisedAt.UTC(), nullTime(resolved)
	if len(region) >= 6 {
		x.County = region[:6]
	}
	if r, ok := RuleOf(x.Rule); ok {
		x.Group = r.Group
	}
	_ = json.Unmarshal([]byte(events), &x.Events)
	_ = json.Unmarshal([]byte(detail), &x.Detail)
	if x.Events == nil {
		x.Events = []int{}
	}
	return x, nil
}

// Get returns one anomaly the actor may read; outside their scope it is
// "not found".
func (s *Service) Get(ctx context.Context, a org.Actor, id int64) (Anomaly, error) {
	return s.get(ctx, s.DB.Read(), a, id)
}

func (s *Service) get(ctx context.Context, q store.Querier, a org.Actor, id int64) (Anomaly, error) {
	if !reads(a) {
		return Anomaly{}, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	var w store.Where
	w.Add("a.id = ?", id)
	scope(&w, a)
	x, err := scanAnomaly(q.QueryRowContext(ctx, "SELECT "+anomalyCols+anomalyFrom+w.String(), w.Args()...))
	if errors.Is(err, sql.ErrNoRows) {
		return x, apperr.NotFoundf("entity.anomaly")
	}
	return x, err
}

// ParseID reads an anomaly id from a path; anything else names nothing.
func ParseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("entity.anomaly")
	}
	return id, nil
}

// Resolve closes an open anomaly with the supervisor's note, on the audit
// log. The anomaly stays, with who resolved it, when and why.
func (s *Service) Resolve(ctx context.Context, a org.Actor, id int64, note string) (Anomaly, error) {
	if a.Role != org.Supervisor {
		return Anomaly{}, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	f := apperr.Fields{}
	note = f.Para("note", note, true, 1000)
	var out Anomaly
	now := s.Now().UTC()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := s.DB.InTx(tx)
		x, err := s.get(ctx, q, a, id)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if x.Status != "open" {
			return apperr.New(apperr.Conflict, "anomalies.already_resolved")
		}
		res, err := q.ExecContext(ctx, `UPDATE anomalies SET status = 'resolved', resolved_by = $1, resolved_at = $2, resolve_note = $3
			WHERE id = $4 AND status = 'open'`, a.StaffID, now, note, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "anomalies.already_resolved")
		}
		before := map[string]any{"status": x.Status}
		after := map[string]any{"status": "resolved", "resolve_note": note}
		if err := audit.Write(ctx, q, now, a.Who(), "resolve", "anomaly", strconv.FormatInt(id, 10), x.CentreID, x.DepartmentID, before, after); err != nil {
			return err
		}
		out, err = s.get(ctx, q, a, id)
		return err
	})
	return out, err
}
