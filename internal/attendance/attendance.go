// Package attendance is the hall's attendance (考勤, issue 15 §1): the
// terminals that send punches (an HTTP API with a per-terminal key, or
// ZKTeco's iclock push), the person's attendance PIN, manual punches by
// the centre admin, each centre's shift times, leave and its approval,
// the daily and monthly sheets, and the one rule for "away now" that A/B
// cover reads (away.go). It imports neither cases nor web: the case engine
// asks it who is away, and the working-day calendar comes in as a
// function.
package attendance

import (
	"context"
	"strconv"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// Service is attendance over one database.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// Calendar is the working-day calendar (the case engine's, read from
	// the database and cached there).
	Calendar func(ctx context.Context) (*calendar.Calendar, error)
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// dayOf is the Shanghai calendar day of instant t.
func dayOf(t time.Time) calendar.Date { return calendar.DateOf(t, clock.Shanghai) }

// dayStart is the instant a Shanghai day begins.
func dayStart(d calendar.Date) time.Time { return d.Time(clock.Shanghai).UTC() }
