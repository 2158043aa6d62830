package duty

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/store"
)

// MonthFigure is one department's duty month at one centre as the record
// stood at an instant: the head and the required days in force at the
// month's end, and the scheduled and recorded days known by the instant.
type MonthFigure struct {
	Month     string `json:"month"` // YYYY-MM
	HeadID    int64  `json:"head_id"`
	Required  int    `json:"required"`
	Scheduled int    `json:"scheduled"`
	Recorded  int    `json:"recorded"`
}

// Met: the month's recorded days reach the requirement.
func (f MonthFigure) Met() bool { return f.Recorded >= f.Required }

// Figures reads a department's duty at a centre for every month that
// starts in [from, to] (Shanghai days), as the record stood at asOf (an
// assessment passes its period's end, so a later reading is the same).
// A month whose department had no head named at its end is left out:
// there was nobody whose duty to count.
func Figures(ctx context.Context, q store.Querier, deptID, centreID int64, from, to calendar.Date, asOf time.Time) ([]MonthFigure, error) {
	var out []MonthFigure
	for m := (calendar.Date{Year: from.Year, Month: from.Month, Day: 1}); !m.After(to); m = nextMonth(m) {
		f := MonthFigure{Month: m.String()[:7]}
		var head sql.NullInt64
		err := q.QueryRowContext(ctx, `SELECT `+headAt("d", "$3")+`, `+requiredAt("c", "$3")+` FROM departments d, centres c WHERE d.id = $1 AND c.id = $2`,
			deptID, centreID, monthEnd(m)).Scan(&head, &f.Required)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("duty figures: %w", err)
		}
		if !head.Valid {
			continue
		}
		f.HeadID = head.Int64
		ds, err := days(ctx, q, deptID, centreID, m, nextMonth(m), asOf)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			f.Scheduled++
			if d.Recorded {
				f.Recorded++
			}
		}
		out = append(out, f)
	}
	return out, nil
}
