package attendance

import (
	"context"
	"strings"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/store"
)

// Away is the one rule for "is this person away now", which A/B cover
// (the case engine's loadCover and inbox query) and anything else that
// asks read through SQL. A person is away now when
//
//   - the "不在岗" checkbox is ticked (staff.absent), or
//   - an approved leave of theirs covers today (a half day's: only in
//     that half, the afternoon from its start at their centre), or
//   - their centre keeps attendance (shift switched on), they are enrolled
//     (have a PIN), today is a working day (the calendar's; make-up
//     working days count, holidays do not), it is past the morning start
//     plus grace, and they have no punch today other than an "out".
//
// AwayNow reads the facts of the moment once; SQL applies them to a staff
// row.
type Away struct {
	today string
	start time.Time
	// late are the centres keeping attendance whose late time has passed
	// today (none on a holiday).
	late []int64
	// afternoon are the centres in the afternoon half now, by their own
	// hours (the default hours without a shift row): half-day leave.
	afternoon []int64
}

// AwayNow reads the facts for instant now: today's day, and which centres
// keeping attendance are past their late time on a working day.
func AwayNow(ctx context.Context, q store.Querier, cal *calendar.Calendar, now time.Time) (Away, error) {
	d := dayOf(now)
	aw := Away{today: d.String(), start: dayStart(d)}
	if err := aw.readAfternoon(ctx, q, now); err != nil {
		return aw, err
	}
	if working, _ := cal.IsWorkingDay(d); !working {
		return aw, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT `+shiftCols+` FROM attendance_shifts sh JOIN centres c ON c.id = sh.centre_id
		WHERE sh.enabled AND c.retired_at IS NULL`)
	if err != nil {
		return aw, err
	}
	defer rows.Close()
	for rows.Next() {
		sh, err := scanShift(rows)
		if err != nil {
			return aw, err
		}
		if now.After(sh.LateAfter(d)) {
			aw.late = append(aw.late, sh.CentreID)
		}
	}
	return aw, rows.Err()
}

// readAfternoon sets the centres whose afternoon has begun at now, by
// each centre's shift (the default hours and the centre's season without
// one).
func (aw *Away) readAfternoon(ctx context.Context, q store.Querier, now time.Time) error {
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.summer_from, c.summer_to, sh.centre_id IS NOT NULL, COALESCE(sh.pm_start, ''), COALESCE(sh.summer_pm_start, '')
		FROM centres c LEFT JOIN attendance_shifts sh ON sh.centre_id = c.id WHERE c.retired_at IS NULL`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var from, to, pm, summerPM string
		var saved bool
		if err := rows.Scan(&id, &from, &to, &saved, &pm, &summerPM); err != nil {
			return err
		}
		sh := DefaultShift(id)
		sh.Season.SummerFrom, sh.Season.SummerTo = from, to
		if saved {
			sh.Winter.PMStart, sh.Summer.PMStart = pm, summerPM
		}
		if sh.Afternoon(now) {
			aw.afternoon = append(aw.afternoon, id)
		}
	}
	return rows.Err()
}

// SQL is the condition "the staff row alias is away now", its arguments
// bound by bind (store.Where.Bind, or a caller's own numbering).
func (aw Away) SQL(alias string, bind func(any) string) string {
	var b strings.Builder
	// A half day's leave covers its half only.
	half := "lv.half IN ('', 'am')"
	if len(aw.afternoon) > 0 {
		ids := make([]string, len(aw.afternoon))
		for i, id := range aw.afternoon {
			ids[i] = bind(id)
		}
		in := alias + ".centre_id IN (" + strings.Join(ids, ", ") + ")"
		half = "(lv.half = '' OR (lv.half = 'am' AND NOT " + in + ") OR (lv.half = 'pm' AND " + in + "))"
	}
	b.WriteString("(" + alias + ".absent OR EXISTS (SELECT 1 FROM leave_requests lv WHERE lv.staff_id = " + alias +
		".id AND lv.state = 'approved' AND lv.from_day <= " + bind(aw.today) + " AND lv.to_day >= " + bind(aw.today) + " AND " + half + ")")
	if len(aw.late) > 0 {
		ids := make([]string, len(aw.late))
		for i, id := range aw.late {
			ids[i] = bind(id)
		}
		b.WriteString(" OR (" + alias + ".attendance_pin <> '' AND " + alias + ".centre_id IN (" + strings.Join(ids, ", ") +
			") AND NOT EXISTS (SELECT 1 FROM punches pa WHERE pa.staff_id = " + alias + ".id AND pa.at >= " + bind(aw.start) +
			" AND pa.direction <> 'out'))")
	}
	b.WriteString(")")
	return b.String()
}
