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
//   - an approved leave of theirs covers today, or
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
}

// AwayNow reads the facts for instant now: today's day, and which centres
// keeping attendance are past their late time on a working day.
func AwayNow(ctx context.Context, q store.Querier, cal *calendar.Calendar, now time.Time) (Away, error) {
	d := dayOf(now)
	aw := Away{today: d.String(), start: dayStart(d)}
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

// SQL is the condition "the staff row alias is away now", its arguments
// bound by bind (store.Where.Bind, or a caller's own numbering).
func (aw Away) SQL(alias string, bind func(any) string) string {
	var b strings.Builder
	b.WriteString("(" + alias + ".absent OR EXISTS (SELECT 1 FROM leave_requests lv WHERE lv.staff_id = " + alias +
		".id AND lv.state = 'approved' AND lv.from_day <= " + bind(aw.today) + " AND lv.to_day >= " + bind(aw.today) + ")")
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
