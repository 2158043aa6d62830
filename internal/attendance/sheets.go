package attendance

import (
	"context"
	"math"
	"sort"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Day statuses on a sheet.
const (
	DayOK      = "ok"
	DayLate    = "late"
	DayEarly   = "early"
	DayLateEar = "late_early"
	DayAbsent  = "absent"
	DayLeave   = "leave"
	DayRest    = "rest"    // not a working day: nothing expected
	DayPending = "pending" // today, before the late or the leaving time
)

// MaxSheetDays bounds a sheet's span (a month and a bit).
const MaxSheetDays = 62

// DayRow is one person's day.
type DayRow struct {
	StaffID      int64  `json:"staff_id"`
	Staff        string `json:"staff"`
	Department   string `json:"department"`
	Window       string `json:"window"`
	Day          string `json:"day"`
	Status       string `json:"status"`
	First        string `json:"first,omitempty"` // HH:MM
	Last         string `json:"last,omitempty"`
	LateMinutes  int    `json:"late_minutes,omitempty"`
	EarlyMinutes int    `json:"early_minutes,omitempty"`
	NoIn         bool   `json:"no_in,omitempty"`  // punched, but never in
	NoOut        bool   `json:"no_out,omitempty"` // one punch only: no leaving punch
	Leave        string `json:"leave,omitempty"`  // kind of the approved leave
	Half         string `json:"half,omitempty"`   // am/pm: the leave covers that half only
	Punches      int    `json:"punches"`
	Manual       bool   `json:"manual,omitempty"` // a punch of the day was entered by hand
}

// Late reports whether the day counts a late arrival.
func (r DayRow) Late() bool { return r.Status == DayLate || r.Status == DayLateEar }

// Early reports whether the day counts an early leave.
func (r DayRow) Early() bool { return r.Status == DayEarly || r.Status == DayLateEar }

// Total is one person's figures over the sheet's span.
type Total struct {
	StaffID     int64  `json:"staff_id"`
	Staff       string `json:"staff"`
	Department  string `json:"department"`
	Window      string `json:"window"`
	WorkingDays int    `json:"working_days"`
	Present     int    `json:"present"`
	Late        int    `json:"late"`
	Early       int    `json:"early"`
	Absent      int    `json:"absent"`
	Leave       int    `json:"leave"`
	HalfLeave   int    `json:"half_leave"` // days with a half-day leave (also counted present or absent)
	Manual      int    `json:"manual"`
}

// Sheet is the daily or monthly sheet.
type Sheet struct {
	From   string   `json:"from"`
	To     string   `json:"to"`
	Rows   []DayRow `json:"rows"`
	Totals []Total  `json:"totals"`
}

// SheetFilter narrows a sheet within the viewer's scope; zero fields do
// not narrow (the scope still holds: no value never means "everyone").
type SheetFilter struct {
	From, To     calendar.Date
	CentreID     int64
	DepartmentID int64
	WindowID     int64
	StaffID      int64
}

// viewScope is whom a sees on sheets: a centre admin their centre (a
// hall's admin, supervisors and leaders the county's centres), a
// department admin their department at their centre, everyone else
// themself.
func viewScope(a org.Actor, w *store.Where) {
	switch {
	case a.CountyWide():
		if c, args := a.CountyCentres("s.centre_id"); c != "" {
			w.Add(c, args...)
		}
	case a.Role == org.CentreAdmin:
		w.Add("s.centre_id = ?", a.CentreID)
	case a.Role == org.DeptAdmin:
		w.Add("s.centre_id = ? AND s.department_id = ?", a.CentreID, a.DepartmentID)
	default:
		w.Add("s.id = ?", a.StaffID)
	}
}

type person struct {
	DayRow
	centre int64
}

// Sheet computes the sheet: one row per enrolled person (with a PIN, at a
// centre keeping attendance) per day up to today, and their totals. The
// rule (docs/DOMAIN.md §22):
//   - a day that is not a working day by the calendar expects nothing (rest);
//   - a working day an approved leave covers is leave;
//   - a working day with no punch is absent (today: pending until the
//     late time has passed);
//   - late: the first punch that is not an "out" is after the morning
//     start plus grace (minutes counted from the start); a day with only
//     "out" punches is late with no in-punch;
//   - early: the last punch (other than that first in-punch) is before the
//     afternoon end; a single punch is an early leave with no leaving
//     punch (today: judged only once the afternoon end has passed).
func (s *Service) Sheet(ctx context.Context, a org.Actor, f SheetFilter) (*Sheet, error) {
	today := dayOf(s.now())
	fe := apperr.Fields{}
	if f.From.IsZero() || !f.From.Valid() {
		fe.Add("from", "attendance.day_format")
	}
	if f.To.IsZero() || !f.To.Valid() {
		fe.Add("to", "attendance.day_format")
	} else if f.To.Before(f.From) {
		fe.Add("to", "attendance.leave_order")
	} else if f.From.DaysUntil(f.To) >= MaxSheetDays {
		fe.Add("to", "attendance.sheet_too_long", "Max", MaxSheetDays)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	sh := &Sheet{From: f.From.String(), To: f.To.String(), Rows: []DayRow{}, Totals: []Total{}}
	to := f.To
	if to.After(today) {
		to = today
	}
	if to.Before(f.From) {
		return sh, nil
	}
	// where is the people in scope, narrowed by the filter: built afresh
	// for each query that binds more arguments after it.
	where := func() *store.Where {
		var w store.Where
		viewScope(a, &w)
		w.Add("s.retired_at IS NULL AND s.attendance_pin <> ''")
		w.Add("s.centre_id IN (SELECT centre_id FROM attendance_shifts WHERE enabled)")
		for _, n := range []struct {
			col string
			v   int64
		}{{"s.centre_id", f.CentreID}, {"s.department_id", f.DepartmentID}, {"s.window_id", f.WindowID}, {"s.id", f.StaffID}} {
			if n.v != 0 {
				w.Add(n.col+" = ?", n.v)
			}
		}
		return &w
	}
	w := where()
	r := s.DB.Read()
	rows, err := r.QueryContext(ctx, `SELECT s.id, s.name, COALESCE(dp.short_name, ''), COALESCE(wi.number, ''), s.centre_id FROM staff s
		LEFT JOIN departments dp ON dp.id = s.department_id LEFT JOIN windows wi ON wi.id = s.window_id`+w.String()+
		` ORDER BY dp.short_name, wi.number, s.username`, w.Args()...)
	if err != nil {
		return nil, err
	}
	var people []person
	ids := map[int64]int{}
	for rows.Next() {
		var p person
		if err := rows.Scan(&p.StaffID, &p.Staff, &p.Department, &p.Window, &p.centre); err != nil {
			rows.Close()
			return nil, err
		}
		ids[p.StaffID] = len(people)
		people = append(people, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(people) == 0 {
		return sh, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	shifts := map[int64]Shift{}
	for _, p := range people {
		if _, ok := shifts[p.centre]; !ok {
			if shifts[p.centre], err = s.Shift(ctx, p.centre); err != nil {
				return nil, err
			}
		}
	}
	// Punches and leave of the people in scope over the span, read with
	// the same conditions on s.
	type punchRow struct {
		at     time.Time
		dir    string
		manual bool
	}
	punches := map[int64]map[calendar.Date][]punchRow{}
	pw := where()
	start, end := dayStart(f.From), dayStart(to.AddDays(1))
	prows, err := r.QueryContext(ctx, `SELECT p.staff_id, p.at, p.direction, p.source FROM punches p JOIN staff s ON s.id = p.staff_id`+pw.String()+
		` AND p.at >= `+pw.Bind(start)+` AND p.at < `+pw.Bind(end)+` ORDER BY p.staff_id, p.at`, pw.Args()...)
	if err != nil {
		return nil, err
	}
	for prows.Next() {
		var id int64
		var pr punchRow
		var src string
		if err := prows.Scan(&id, &pr.at, &pr.dir, &src); err != nil {
			prows.Close()
			return nil, err
		}
		pr.manual = src == SourceManual
		if punches[id] == nil {
			punches[id] = map[calendar.Date][]punchRow{}
		}
		d := dayOf(pr.at)
		punches[id][d] = append(punches[id][d], pr)
	}
	prows.Close()
	if err := prows.Err(); err != nil {
		return nil, err
	}
	type leaveSpan struct {
		from, to, kind, half string
	}
	leaves := map[int64][]leaveSpan{}
	lw := where()
	lrows, err := r.QueryContext(ctx, `SELECT l.staff_id, l.from_day, l.to_day, l.kind, l.half FROM leave_requests l JOIN staff s ON s.id = l.staff_id`+lw.String()+
		` AND l.state = 'approved' AND l.from_day <= `+lw.Bind(to.String())+` AND l.to_day >= `+lw.Bind(f.From.String()), lw.Args()...)
	if err != nil {
		return nil, err
	}
	for lrows.Next() {
		var id int64
		var l leaveSpan
		if err := lrows.Scan(&id, &l.from, &l.to, &l.kind, &l.half); err != nil {
			lrows.Close()
			return nil, err
		}
		leaves[id] = append(leaves[id], l)
	}
	lrows.Close()
	if err := lrows.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	totals := make([]Total, len(people))
	for i, p := range people {
		totals[i] = Total{StaffID: p.StaffID, Staff: p.Staff, Department: p.Department, Window: p.Window}
	}
	for d := f.From; !d.After(to); d = d.AddDays(1) {
		working, _ := cal.IsWorkingDay(d)
		for i, p := range people {
			row := p.DayRow
			row.Day = d.String()
			ps := punches[p.StaffID][d]
			row.Punches = len(ps)
			for _, pr := range ps {
				row.Manual = row.Manual || pr.manual
			}
			if len(ps) > 0 {
				row.First = ps[0].at.In(clock.Shanghai).Format("15:04")
				row.Last = ps[len(ps)-1].at.In(clock.Shanghai).Format("15:04")
			}
			t := &totals[i]
			if row.Manual {
				t.Manual++
			}
			for _, l := range leaves[p.StaffID] {
				if l.from <= row.Day && l.to >= row.Day && (row.Leave == "" || row.Half != "") {
					// A whole day's leave outweighs a half day's.
					row.Leave, row.Half = l.kind, l.half
				}
			}
			shift := shifts[p.centre]
			hours := shift.expected(d, row.Half)
			if working && row.Half != "" {
				t.HalfLeave++
			}
			switch {
			case !working:
				row.Status = DayRest
			case row.Leave != "" && row.Half == "":
				row.Status = DayLeave
				t.WorkingDays++
				t.Leave++
			case len(ps) == 0 && d == today && !now.After(hours.lateAfter):
				row.Status = DayPending
			case len(ps) == 0:
				row.Status = DayAbsent
				t.WorkingDays++
				t.Absent++
			default:
				t.WorkingDays++
				t.Present++
				judge(&row, hours, d, now, func(i int) (time.Time, string) { return ps[i].at, ps[i].dir }, len(ps))
				if row.Late() {
					t.Late++
				}
				if row.Early() {
					t.Early++
				}
			}
			sh.Rows = append(sh.Rows, row)
		}
	}
	sort.SliceStable(sh.Rows, func(i, j int) bool { return sh.Rows[i].Day < sh.Rows[j].Day })
	sh.Totals = totals
	return sh, nil
}

// judge sets a present day's late and early marks from its n punches
// (in time order, read by at) by the rule on Sheet, against the hours
// the person was expected (the whole day, or the half without leave).
func judge(row *DayRow, h expectedHours, d calendar.Date, now time.Time, at func(int) (time.Time, string), n int) {
	first := -1
	for i := 0; i < n; i++ {
		if _, dir := at(i); dir != "out" {
			first = i
			break
		}
	}
	late, early := false, false
	if first < 0 {
		late, row.NoIn = true, true
	} else if t, _ := at(first); t.After(h.lateAfter) {
		late = true
		row.LateMinutes = int(t.Sub(h.start).Minutes())
	}
	leaveBy := h.leaveBy
	last := n - 1
	if last == first {
		last = -1
	}
	switch {
	case d == dayOf(now) && now.Before(leaveBy):
		// The day is not over: no early leave yet.
	case last < 0:
		early, row.NoOut = true, true
	default:
		if t, _ := at(last); t.Before(leaveBy) {
			early = true
			row.EarlyMinutes = int(math.Ceil(leaveBy.Sub(t).Minutes()))
		}
	}
	switch {
	case late && early:
		row.Status = DayLateEar
	case late:
		row.Status = DayLate
	case early:
		row.Status = DayEarly
	default:
		row.Status = DayOK
	}
}
