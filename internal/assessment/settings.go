package assessment

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Grades are the thresholds of the four grades (DOMAIN.md §6): a score at
// or above Excellent is 优秀, at or above Good 良好, at or above Pass 合格,
// else 不合格.
type Grades struct {
	Excellent float64 `json:"excellent"`
	Good      float64 `json:"good"`
	Pass      float64 `json:"pass"`
}

// Grade names, stored in results.
const (
	GradeExcellent = "excellent" // 优秀
	GradeGood      = "good"      // 良好
	GradePass      = "pass"      // 合格
	GradeFail      = "fail"      // 不合格
)

// Of grades a score.
func (g Grades) Of(score float64) string {
	switch {
	case score >= g.Excellent:
		return GradeExcellent
	case score >= g.Good:
		return GradeGood
	case score >= g.Pass:
		return GradePass
	}
	return GradeFail
}

// Settings are a centre's weights (indicator code → whole percent, summing
// to 100) and grade thresholds, with their version (0: the defaults).
type Settings struct {
	Version int            `json:"version"`
	Weights map[string]int `json:"weights"`
	Grades  Grades         `json:"grades"`
}

// Defaults: the bulletin's two headline figures weigh most; every
// registered indicator has a weight so that a source arriving later
// counts without a settings change.
func Defaults() Settings {
	return Settings{Weights: map[string]int{OnTime: 25, Satisfaction: 20, Rectified: 10, Attendance: 15, Waiting: 10,
		Anomalies: 10, Orders: 5, Duty: 5}, Grades: Grades{Excellent: 90, Good: 80, Pass: 60}}
}

// Validate checks weights (each registered, 0–100, summing to 100) and
// thresholds (0 ≤ pass < good < excellent ≤ 100), as field errors
// (weight.<code>, weights, grade.*).
func (s Settings) Validate() error {
	f := apperr.Fields{}
	sum := 0
	for code, w := range s.Weights {
		if _, ok := Lookup(code); !ok {
			f.Add("weights", "assessment.weight_unknown")
			continue
		}
		if w < 0 || w > 100 {
			f.Add("weight."+code, "assessment.weight_range")
		}
		sum += w
	}
	if !f.Has("weights") && sum != 100 {
		f.Add("weights", "assessment.weight_sum", "Sum", sum)
	}
	g := s.Grades
	if g.Pass < 0 || g.Pass > 100 {
		f.Add("grade.pass", "assessment.grade_range")
	}
	if g.Good <= g.Pass || g.Good > 100 {
		f.Add("grade.good", "assessment.grade_order")
	}
	if g.Excellent <= g.Good || g.Excellent > 100 {
		f.Add("grade.excellent", "assessment.grade_order")
	}
	return f.Err()
}

// mayConfigure: the centre's supervisor and its admin set weights.
func mayConfigure(a org.Actor) bool {
	return (a.Role == org.Supervisor || a.Role == org.CentreAdmin) && a.CentreID != 0
}

// Current is the centre's settings in force.
func (s *Service) Current(ctx context.Context, q store.Querier, centre int64) (Settings, error) {
	var st Settings
	var w, g string
	err := q.QueryRowContext(ctx, `SELECT version, weights, grades FROM assessment_settings WHERE centre_id = $1 ORDER BY version DESC LIMIT 1`, centre).
		Scan(&st.Version, &w, &g)
	if errors.Is(err, sql.ErrNoRows) {
		return Defaults(), nil
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal([]byte(w), &st.Weights); err != nil {
		return st, err
	}
	return st, json.Unmarshal([]byte(g), &st.Grades)
}

// SetSettings stores a new version of the actor's centre's settings. A
// stored assessment keeps its own copy: nothing already computed changes.
func (s *Service) SetSettings(ctx context.Context, a org.Actor, in Settings) (Settings, error) {
	if !mayConfigure(a) {
		return Settings{}, apperr.New(apperr.Forbidden, "assessment.forbidden")
	}
	for _, ind := range Registry {
		if _, ok := in.Weights[ind.Code]; !ok {
			if in.Weights == nil {
				in.Weights = map[string]int{}
			}
			in.Weights[ind.Code] = 0
		}
	}
	if err := in.Validate(); err != nil {
		return Settings{}, err
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.Current(ctx, tx, a.CentreID)
		if err != nil {
			return err
		}
		in.Version = cur.Version + 1
		w, _ := json.Marshal(in.Weights)
		g, _ := json.Marshal(in.Grades)
		now := s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO assessment_settings (centre_id, version, weights, grades, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			a.CentreID, in.Version, string(w), string(g), a.StaffID, now); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "update", "assessment_settings", itoa(int64(in.Version)), a.CentreID, 0, cur, in)
	})
	return in, err
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
