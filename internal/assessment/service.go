package assessment

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/bulletin"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Kinds of assessment (DOMAIN.md §1): a check every quarter, an
// assessment every half-year, a full one at year end.
const (
	Quarter = "quarter" // 季度检查
	Half    = "half"    // 半年考核
	Year    = "year"    // 年度考核
)

// Service runs and reads assessments.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// Assessment is one stored run.
type Assessment struct {
	ID       int64         `json:"id"`
	CentreID int64         `json:"centre_id"`
	Kind     string        `json:"kind"`
	Year     int           `json:"year"`
	N        int           `json:"n"`
	From     calendar.Date `json:"from"`
	To       calendar.Date `json:"to"`
	Settings Settings      `json:"settings"`
	Members  []Member      `json:"-"`
	Rows     []Row         `json:"rows"`
	RunBy    int64         `json:"run_by"`
	RunAt    time.Time     `json:"run_at"`
}

// Input asks for an assessment.
type RunInput struct {
	Kind string `json:"kind"`
	Year int    `json:"year"`
	N    int    `json:"n"`
}

// Period derives the Shanghai days of a kind's period from the
// bulletin's period codes (one calendar rule for both), and refuses a
// period not yet over: only a finished period reads a settled record.
func Period(kind string, year, n int, today calendar.Date) (calendar.Date, calendar.Date, error) {
	code := strconv.Itoa(year)
	f := apperr.Fields{}
	switch kind {
	case Quarter:
		code += "-Q" + strconv.Itoa(n)
	case Half:
		code += "-H" + strconv.Itoa(n)
	case Year:
		if n != 1 {
			f.Add("n", "assessment.n_invalid")
		}
	default:
		f.Add("kind", "assessment.kind_invalid")
	}
	if err := f.Err(); err != nil {
		return calendar.Date{}, calendar.Date{}, err
	}
	p, err := bulletin.Parse(code, "", "", today)
	if err != nil {
		return calendar.Date{}, calendar.Date{}, apperr.Fields{"n": apperr.M("assessment.period_invalid")}.Err()
	}
	if !p.To.Before(today) {
		return calendar.Date{}, calendar.Date{}, apperr.Fields{"n": apperr.M("assessment.period_open")}.Err()
	}
	return p.From, p.To, nil
}

// Run computes and stores an assessment of the actor's centre with its
// settings in force. The supervisor and the centre admin run them.
func (s *Service) Run(ctx context.Context, a org.Actor, in RunInput) (*Assessment, error) {
	if !mayConfigure(a) {
		return nil, apperr.New(apperr.Forbidden, "assessment.forbidden")
	}
	now := s.now()
	from, to, err := Period(in.Kind, in.Year, in.N, clock.Today(now))
	if err != nil {
		return nil, err
	}
	x := &Assessment{CentreID: a.CentreID, Kind: in.Kind, Year: in.Year, N: in.N, From: from, To: to, RunBy: a.StaffID, RunAt: now}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if x.Settings, err = s.Current(ctx, tx, a.CentreID); err != nil {
			return err
		}
		subs, members, err := subjects(ctx, tx, a.CentreID)
		if err != nil {
			return err
		}
		x.Members = members
		rec, err := load(ctx, tx, a.CentreID, from, to, members, subs)
		if err != nil {
			return err
		}
		x.Rows = compute(rec, subs, x.Settings)
		w, _ := json.Marshal(x.Settings.Weights)
		g, _ := json.Marshal(x.Settings.Grades)
		m, _ := json.Marshal(members)
		res, _ := json.Marshal(x.Rows)
		if err := tx.QueryRowContext(ctx, `INSERT INTO assessments (centre_id, kind, year, n, from_day, to_day, settings_version, weights, grades, members, results, run_by, run_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`, x.CentreID, x.Kind, x.Year, x.N, from.String(), to.String(),
			x.Settings.Version, string(w), string(g), string(m), string(res), a.StaffID, now).Scan(&x.ID); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "create", "assessment", itoa(x.ID), a.CentreID, 0, nil,
			map[string]any{"kind": x.Kind, "from": from.String(), "to": to.String(), "settings_version": x.Settings.Version})
	})
	if err != nil {
		return nil, err
	}
	return x, nil
}

// mayRead: supervisors and leaders read their centre's (their county's,
// when county-wide), the centre admin their centre's, a department admin
// only their own department's rows.
func mayRead(a org.Actor) bool {
	switch a.Role {
	case org.Supervisor, org.Leader, org.CentreAdmin, org.DeptAdmin:
		return a.CentreID != 0 || a.Province
	}
	return false
}

// scoped keeps the rows a may see: every row, or a department admin's
// own department's.
func scoped(a org.Actor, rows []Row) []Row {
	if a.Role != org.DeptAdmin {
		return rows
	}
	var out []Row
	for _, r := range rows {
		if r.Subject.DepartmentID == a.DepartmentID {
			out = append(out, r)
		}
	}
	return out
}

// Get reads one assessment; one outside the actor's reach is not found.
func (s *Service) Get(ctx context.Context, a org.Actor, id int64) (*Assessment, error) {
	if !mayRead(a) {
		return nil, apperr.New(apperr.Forbidden, "assessment.forbidden")
	}
	x, err := s.get(ctx, s.DB.Read(), id)
	if err != nil {
		return nil, err
	}
	if !a.SeesCentre(x.CentreID) {
		return nil, apperr.New(apperr.NotFound, "assessment.not_found")
	}
	x.Rows = scoped(a, x.Rows)
	return x, nil
}

func (s *Service) get(ctx context.Context, q store.Querier, id int64) (*Assessment, error) {
	x := &Assessment{ID: id}
	var from, to, w, g, m, res string
	err := q.QueryRowContext(ctx, `SELECT centre_id, kind, year, n, from_day, to_day, settings_version, weights, grades, members, results, run_by, run_at
		FROM assessments WHERE id = $1`, id).Scan(&x.CentreID, &x.Kind, &x.Year, &x.N, &from, &to, &x.Settings.Version, &w, &g, &m, &res, &x.RunBy, &x.RunAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "assessment.not_found")
	}
	if err != nil {
		return nil, err
	}
	x.RunAt = x.RunAt.UTC()
	x.From, _ = calendar.ParseDate(from)
	x.To, _ = calendar.ParseDate(to)
	for _, p := range []struct {
		s string
		v any
	}{{w, &x.Settings.Weights}, {g, &x.Settings.Grades}, {m, &x.Members}, {res, &x.Rows}} {
		if err := json.Unmarshal([]byte(p.s), p.v); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// List answers the assessments the actor may read, newest period first.
func (s *Service) List(ctx context.Context, a org.Actor) ([]Assessment, error) {
	if !mayRead(a) {
		return nil, apperr.New(apperr.Forbidden, "assessment.forbidden")
	}
	var w store.Where
	if a.CountyWide() {
		if cond, args := a.CountyCentres("centre_id"); cond != "" {
			w.Add(cond, args...)
		}
	} else {
		w.Add("centre_id = ?", a.CentreID)
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, centre_id, kind, year, n, from_day, to_day, settings_version, run_at FROM assessments`+w.String()+
		` ORDER BY from_day DESC, id DESC LIMIT 200`, w.Args()...)
	if err != nil {
		return nil, err
	}
	var out []Assessment
	err = each(rows, func() error {
		var x Assessment
		var from, to string
		if err := rows.Scan(&x.ID, &x.CentreID, &x.Kind, &x.Year, &x.N, &from, &to, &x.Settings.Version, &x.RunAt); err != nil {
			return err
		}
		x.From, _ = calendar.ParseDate(from)
		x.To, _ = calendar.ParseDate(to)
		out = append(out, x)
		return nil
	})
	return out, err
}

// Comparison is a recomputation of a stored assessment beside it.
type Comparison struct {
	Identical bool     `json:"identical"`
	Different []string `json:"different,omitempty"` // "level:id" of each subject whose row differs
	Rows      []Row    `json:"rows"`
}

// Recompute computes the assessment again from the record, with its own
// stored weights, thresholds, subjects and members, and compares it row by
// row with what was stored. It stores nothing.
func (s *Service) Recompute(ctx context.Context, a org.Actor, id int64) (*Comparison, error) {
	x, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	full, err := s.get(ctx, s.DB.Read(), id)
	if err != nil {
		return nil, err
	}
	subs := make([]Subject, len(full.Rows))
	for i, r := range full.Rows {
		subs[i] = r.Subject
	}
	rec, err := load(ctx, s.DB.Read(), full.CentreID, full.From, full.To, full.Members, subs)
	if err != nil {
		return nil, err
	}
	again := scoped(a, compute(rec, subs, full.Settings))
	c := &Comparison{Identical: true, Rows: again}
	for i := range x.Rows {
		if i >= len(again) || !reflect.DeepEqual(x.Rows[i], again[i]) {
			c.Identical = false
			c.Different = append(c.Different, x.Rows[i].Subject.Level+":"+itoa(x.Rows[i].Subject.ID))
		}
	}
	return c, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
