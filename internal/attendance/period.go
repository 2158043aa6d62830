package attendance

import (
	"context"
	"strings"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/store"
)

// PeriodTotals judges the days [from, to] of the people of one centre by
// the sheets' own day rule (judgeDay), as the record stood at instant
// asOf: punches received before it, leave decided (approved) before it.
// It is for a finished period read again later (the assessment passes
// its period's end), so nothing written afterwards changes the answer.
// Only people expected to punch are judged — with a PIN, at a centre that
// keeps attendance (docs/DOMAIN.md §22) — others are absent from the map.
func PeriodTotals(ctx context.Context, q store.Querier, cal *calendar.Calendar, centreID int64, staffIDs []int64,
	from, to calendar.Date, asOf time.Time) (map[int64]Total, error) {
	out := map[int64]Total{}
	shift, err := ShiftOf(ctx, q, centreID)
	if err != nil || !shift.Enabled || len(staffIDs) == 0 {
		return out, err
	}
	// in binds the people as an IN list of a fresh query's arguments.
	in := func(w *store.Where) string {
		ids := make([]string, len(staffIDs))
		for i, id := range staffIDs {
			ids[i] = w.Bind(id)
		}
		return "(" + strings.Join(ids, ", ") + ")"
	}
	var w store.Where
	rows, err := q.QueryContext(ctx, `SELECT id FROM staff WHERE id IN `+in(&w)+` AND centre_id = `+w.Bind(centreID)+` AND attendance_pin <> ''`, w.Args()...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		out[id] = Total{StaffID: id}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	start, end := dayStart(from), dayStart(to.AddDays(1))
	var pw store.Where
	punches, err := dayPunches(q.QueryContext(ctx, `SELECT staff_id, at, direction, source FROM punches WHERE staff_id IN `+in(&pw)+
		` AND at >= `+pw.Bind(start)+` AND at < `+pw.Bind(end)+` AND created_at < `+pw.Bind(asOf)+` ORDER BY staff_id, at`, pw.Args()...))
	if err != nil {
		return nil, err
	}
	leave := map[int64][][3]string{}
	var lw store.Where
	lrows, err := q.QueryContext(ctx, `SELECT staff_id, from_day, to_day, half FROM leave_requests WHERE staff_id IN `+in(&lw)+
		` AND state = 'approved' AND decided_at < `+lw.Bind(asOf)+` AND from_day <= `+lw.Bind(to.String())+` AND to_day >= `+lw.Bind(from.String()),
		lw.Args()...)
	if err != nil {
		return nil, err
	}
	for lrows.Next() {
		var id int64
		var span [3]string
		if err := lrows.Scan(&id, &span[0], &span[1], &span[2]); err != nil {
			lrows.Close()
			return nil, err
		}
		leave[id] = append(leave[id], span)
	}
	lrows.Close()
	if err := lrows.Err(); err != nil {
		return nil, err
	}
	for d := from; !d.After(to); d = d.AddDays(1) {
		working, _ := cal.IsWorkingDay(d)
		for id, t := range out {
			row := DayRow{StaffID: id, Day: d.String()}
			for _, l := range leave[id] {
				row.takeLeave(l[0], l[1], "leave", l[2])
			}
			judgeDay(&row, working, shift, d, asOf, punches[id][d])
			t.add(row)
			out[id] = t
		}
	}
	return out, nil
}
