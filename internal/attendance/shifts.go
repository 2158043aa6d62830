package attendance

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/org"
)

// Times are one season's working hours (HH:MM, Shanghai).
type Times struct {
	AMStart string `json:"am_start"`
	AMEnd   string `json:"am_end"`
	PMStart string `json:"pm_start"`
	PMEnd   string `json:"pm_end"`
}

// Shift is a centre's working hours as attendance reads them (docs/DOMAIN.md
// §11 and §22): winter and summer times, the season being the centre's
// summer_from/summer_to (org.Centre.InSummer), a grace before an arrival
// is late, the span within which punches merge, and whether the centre
// keeps attendance at all.
type Shift struct {
	CentreID     int64 `json:"centre_id"`
	Enabled      bool  `json:"enabled"`
	Winter       Times `json:"winter"`
	Summer       Times `json:"summer"`
	GraceMinutes int   `json:"grace_minutes"`
	MergeSeconds int   `json:"merge_seconds"`
	// Season is the centre's summer season (its SummerFrom, SummerTo).
	Season org.Centre `json:"-"`
}

// DefaultShift is a county office's usual timetable (8:30–12:00 and
// 14:00–17:30 in winter, afternoon 14:30–18:00 in summer), off until the
// centre admin switches it on.
func DefaultShift(centreID int64) Shift {
	return Shift{CentreID: centreID, Winter: Times{"08:30", "12:00", "14:00", "17:30"}, Summer: Times{"08:30", "12:00", "14:30", "18:00"},
		GraceMinutes: 5, MergeSeconds: 60}
}

// MaxGrace and MaxMerge bound the settings: a grace of more than two hours
// or a merge span of more than ten minutes would hide real lateness or
// real punches.
const (
	MaxGrace = 120
	MaxMerge = 600
)

const shiftCols = `sh.centre_id, sh.enabled, sh.am_start, sh.am_end, sh.pm_start, sh.pm_end, sh.summer_am_start, sh.summer_am_end,
	sh.summer_pm_start, sh.summer_pm_end, sh.grace_minutes, sh.merge_seconds, c.summer_from, c.summer_to`

func scanShift(row interface{ Scan(...any) error }) (Shift, error) {
	var sh Shift
	err := row.Scan(&sh.CentreID, &sh.Enabled, &sh.Winter.AMStart, &sh.Winter.AMEnd, &sh.Winter.PMStart, &sh.Winter.PMEnd,
		&sh.Summer.AMStart, &sh.Summer.AMEnd, &sh.Summer.PMStart, &sh.Summer.PMEnd, &sh.GraceMinutes, &sh.MergeSeconds,
		&sh.Season.SummerFrom, &sh.Season.SummerTo)
	return sh, err
}

// Shift reads a centre's shift; DefaultShift (off) when none is saved.
func (s *Service) Shift(ctx context.Context, centreID int64) (Shift, error) {
	sh, err := scanShift(s.DB.Read().QueryRowContext(ctx, `SELECT `+shiftCols+` FROM attendance_shifts sh JOIN centres c ON c.id = sh.centre_id
		WHERE sh.centre_id = $1`, centreID))
	if errors.Is(err, sql.ErrNoRows) {
		sh = DefaultShift(centreID)
		err = s.DB.Read().QueryRowContext(ctx, `SELECT summer_from, summer_to FROM centres WHERE id = $1`, centreID).
			Scan(&sh.Season.SummerFrom, &sh.Season.SummerTo)
		if errors.Is(err, sql.ErrNoRows) {
			return Shift{}, apperr.NotFoundf("entity.centre")
		}
	}
	return sh, err
}

// On is the day's times: summer's in the centre's summer season.
func (sh Shift) On(d calendar.Date) Times {
	// Noon: the season is a matter of the day, and noon is on it in any zone.
	if sh.Season.InSummer(d.Time(clock.Shanghai).Add(12 * time.Hour)) {
		return sh.Summer
	}
	return sh.Winter
}

// clockAt is the instant of HH:MM on day d in Shanghai.
func clockAt(d calendar.Date, hhmm string) time.Time {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return dayStart(d)
	}
	return dayStart(d).Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
}

// LateAfter is the instant after which an arrival on day d is late: the
// morning start plus the grace.
func (sh Shift) LateAfter(d calendar.Date) time.Time {
	return clockAt(d, sh.On(d).AMStart).Add(time.Duration(sh.GraceMinutes) * time.Minute)
}

// EarlyBefore is the instant before which a last punch on day d is an
// early leave: the afternoon end.
func (sh Shift) EarlyBefore(d calendar.Date) time.Time { return clockAt(d, sh.On(d).PMEnd) }

// expectedHours are the times a day is judged by: when the person is due
// (start), late after (start + grace) and may leave (leaveBy).
type expectedHours struct {
	start, lateAfter, leaveBy time.Time
}

// expected is the day's hours for a person with half-day leave half ("",
// am or pm): a morning's leave moves the start to the afternoon's start,
// an afternoon's leave the leaving time to the morning's end; the other
// half is judged as any day (docs/DOMAIN.md §22).
func (sh Shift) expected(d calendar.Date, half string) expectedHours {
	t, grace := sh.On(d), time.Duration(sh.GraceMinutes)*time.Minute
	h := expectedHours{start: clockAt(d, t.AMStart), lateAfter: sh.LateAfter(d), leaveBy: sh.EarlyBefore(d)}
	switch half {
	case HalfMorning:
		h.start = clockAt(d, t.PMStart)
		h.lateAfter = h.start.Add(grace)
	case HalfAfternoon:
		h.leaveBy = clockAt(d, t.AMEnd)
	}
	return h
}

// Afternoon reports whether instant now is in the afternoon half of its
// Shanghai day at this centre (from the afternoon's start): the moment a
// morning's leave ends and an afternoon's begins.
func (sh Shift) Afternoon(now time.Time) bool {
	d := dayOf(now)
	return !now.Before(clockAt(d, sh.On(d).PMStart))
}

// checkTimes validates one season's times into f (fields prefix_am_start …)
// and their order: morning before afternoon, each start before its end.
func checkTimes(f apperr.Fields, prefix string, t Times) {
	names := []string{prefix + "am_start", prefix + "am_end", prefix + "pm_start", prefix + "pm_end"}
	vals := []string{t.AMStart, t.AMEnd, t.PMStart, t.PMEnd}
	for i, v := range vals {
		if p, err := time.Parse("15:04", v); err != nil || p.Format("15:04") != v {
			f.Add(names[i], "attendance.time_format")
		}
	}
	for i := 1; i < len(vals); i++ {
		if !f.Has(names[i]) && !f.Has(names[i-1]) && vals[i] < vals[i-1] || (i%2 == 1 && vals[i] == vals[i-1]) {
			f.Add(names[i], "attendance.time_order")
		}
	}
}

// SaveShift sets a centre's shift; only its centre admin may, and the act
// is on the audit record.
func (s *Service) SaveShift(ctx context.Context, a org.Actor, in Shift) (Shift, error) {
	var region string
	err := s.DB.Read().QueryRowContext(ctx, `SELECT region_code FROM centres WHERE id = $1 AND retired_at IS NULL`, in.CentreID).Scan(&region)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.AdministersCentre(in.CentreID, region)) {
		if a.Role != org.CentreAdmin {
			return Shift{}, apperr.New(apperr.Forbidden, "attendance.centre_admin_only")
		}
		return Shift{}, apperr.NotFoundf("entity.centre")
	}
	if err != nil {
		return Shift{}, err
	}
	f := apperr.Fields{}
	checkTimes(f, "", in.Winter)
	checkTimes(f, "summer_", in.Summer)
	if in.GraceMinutes < 0 || in.GraceMinutes > MaxGrace {
		f.Add("grace_minutes", "attendance.grace_range", "Max", MaxGrace)
	}
	if in.MergeSeconds < 0 || in.MergeSeconds > MaxMerge {
		f.Add("merge_seconds", "attendance.merge_range", "Max", MaxMerge)
	}
	if err := f.Err(); err != nil {
		return Shift{}, err
	}
	before, err := s.Shift(ctx, in.CentreID)
	if err != nil {
		return Shift{}, err
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO attendance_shifts (centre_id, enabled, am_start, am_end, pm_start, pm_end,
			summer_am_start, summer_am_end, summer_pm_start, summer_pm_end, grace_minutes, merge_seconds, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
			ON CONFLICT (centre_id) DO UPDATE SET enabled = excluded.enabled, am_start = excluded.am_start, am_end = excluded.am_end,
			pm_start = excluded.pm_start, pm_end = excluded.pm_end, summer_am_start = excluded.summer_am_start,
			summer_am_end = excluded.summer_am_end, summer_pm_start = excluded.summer_pm_start, summer_pm_end = excluded.summer_pm_end,
			grace_minutes = excluded.grace_minutes, merge_seconds = excluded.merge_seconds, updated_by = excluded.updated_by,
			updated_at = excluded.updated_at`,
			in.CentreID, in.Enabled, in.Winter.AMStart, in.Winter.AMEnd, in.Winter.PMStart, in.Winter.PMEnd, in.Summer.AMStart, in.Summer.AMEnd,
			in.Summer.PMStart, in.Summer.PMEnd, in.GraceMinutes, in.MergeSeconds, a.StaffID, now); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "attendance.shift", "centre", itoa(in.CentreID), in.CentreID, 0, before, in)
	})
	if err != nil {
		return Shift{}, err
	}
	return s.Shift(ctx, in.CentreID)
}
