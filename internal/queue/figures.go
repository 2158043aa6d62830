package queue

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/store"
)

// The waiting and service figures (issue 15 §4: "a citizen who waits an
// hour for a number should show up in the figures"), computed from the
// tickets' timestamps for any past period, so a bulletin or an assessment
// made later reads the same numbers:
//
//   - wait: issued_at → first_called_at, for every ticket called in the
//     period's days (a transferred-in ticket waits from its transfer, so
//     no minute is counted twice); attributed to the window that called
//     it and to its group.
//   - service: serving_at → ended_at, for every service that ended (done,
//     or transferred while serving); attributed to the serving window.
//   - no-shows: tickets closed as no_show, attributed to the calling
//     window and the group.
//   - issued: tickets issued in the group (transfers in included), and
//     still waiting at the end of their day: never called. A window's and
//     a department's issued are the tickets its window(s) took from the
//     line (called); a ticket never called counts to its group's
//     department when the group has one (an all-purpose group's waiting
//     tickets are in the total only). docs/DOMAIN.md §23.
//   - served: tickets whose service finished (done), attributed to the
//     serving window.

// Stat sums a set of durations. Durations are whole seconds.
type Stat struct {
	Count  int           `json:"count"`
	Mean   time.Duration `json:"mean"`
	Median time.Duration `json:"median"`
	Max    time.Duration `json:"max"`
	// Total is the exact sum, for a reader that weighs several sets
	// together (the assessment's waiting-time indicator).
	Total time.Duration `json:"total"`
}

// stat computes a Stat; the median of an even count is the mean of the
// two middle values (rounded down to the second).
func stat(ds []time.Duration) Stat {
	if len(ds) == 0 {
		return Stat{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	n := len(ds)
	med := ds[n/2]
	if n%2 == 0 {
		med = (ds[n/2-1] + ds[n/2]) / 2
	}
	return Stat{Count: n, Mean: (sum / time.Duration(n)).Truncate(time.Second), Median: med.Truncate(time.Second), Max: ds[n-1], Total: sum}
}

// Row is the figures of one window, group or department.
type Row struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Department is a window row's department (its short name), for the
	// bulletin's per-window detail; empty on other rows.
	Department  string `json:"department,omitempty"`
	Issued      int    `json:"issued"`
	Served      int    `json:"served"`
	Wait        Stat   `json:"wait"`
	Service     Stat   `json:"service"`
	NoShows     int    `json:"no_shows"`
	Transferred int    `json:"transferred"`
	NeverCalled int    `json:"never_called"`

	waits, services []time.Duration
}

// Figures are a period's figures at a centre (or every centre).
type Figures struct {
	From        calendar.Date `json:"from"`
	To          calendar.Date `json:"to"`
	Windows     []Row         `json:"windows"`
	Groups      []Row         `json:"groups"`
	Departments []Row         `json:"departments"`
	Total       Row           `json:"total"`
}

type rows struct {
	order []int64
	m     map[int64]*Row
}

func (r *rows) at(id int64, name string) *Row {
	if r.m == nil {
		r.m = map[int64]*Row{}
	}
	if x, ok := r.m[id]; ok {
		return x
	}
	x := &Row{ID: id, Name: name}
	r.m[id] = x
	r.order = append(r.order, id)
	return x
}

func (r *rows) list() []Row {
	out := make([]Row, 0, len(r.order))
	for _, id := range r.order {
		x := r.m[id]
		x.finish()
		out = append(out, *x)
	}
	return out
}

func (x *Row) finish() {
	x.Wait, x.Service = stat(x.waits), stat(x.services)
	x.waits, x.services = nil, nil
}

// Scope is the tickets a figures reader asks for: one centre, or the
// centres of a region (a county's division code, the bulletin's reach).
// The zero Scope is every centre — a caller that means a centre or a
// county says so.
type Scope struct {
	CentreID int64
	Region   string
}

// Figures computes the figures of the tickets of the days from..to
// (Shanghai) at centreID (0: every centre — the county-wide callers
// narrow by department themselves).
func (s *Service) Figures(ctx context.Context, centreID int64, from, to calendar.Date) (Figures, error) {
	return FiguresOf(ctx, s.DB.Read(), Scope{CentreID: centreID}, from, to)
}

// FiguresIn is Figures read through q (the assessment reads them in its
// own snapshot of the record).
func FiguresIn(ctx context.Context, q store.Querier, centreID int64, from, to calendar.Date) (Figures, error) {
	return FiguresOf(ctx, q, Scope{CentreID: centreID}, from, to)
}

// FiguresOf is the figures of the tickets in sc, read through q: the one
// computation behind the admin's page, the assessment and the bulletin.
func FiguresOf(ctx context.Context, q store.Querier, sc Scope, from, to calendar.Date) (Figures, error) {
	out := Figures{From: from, To: to}
	var w store.Where
	w.Add("t.day >= ?", dayKey(from))
	w.Add("t.day <= ?", dayKey(to))
	if sc.CentreID != 0 {
		w.Add("t.centre_id = ?", sc.CentreID)
	}
	if sc.Region != "" {
		w.Add(`t.centre_id IN (SELECT id FROM centres WHERE region_code LIKE ? ESCAPE '\')`, store.Prefix(sc.Region))
	}
	cond, args := w.String(), w.Args()
	// A called ticket is its window's department's; one never called is
	// its group's department's, if the group has one.
	list, err := q.QueryContext(ctx, `SELECT t.group_id, g.name, COALESCE(t.window_id, 0), COALESCE(wi.number, ''),
		COALESCE(wi.department_id, g.department_id, 0), COALESCE(d.short_name, gd.short_name, ''), t.state, t.issued_at, t.first_called_at, t.serving_at, t.ended_at
		FROM queue_tickets t JOIN queue_groups g ON g.id = t.group_id LEFT JOIN windows wi ON wi.id = t.window_id
		LEFT JOIN departments d ON d.id = wi.department_id LEFT JOIN departments gd ON gd.id = g.department_id`+cond+` ORDER BY g.position, g.prefix, t.id`, args...)
	if err != nil {
		return out, err
	}
	defer list.Close()
	var groups, windows, depts rows
	total := &Row{Name: ""}
	for list.Next() {
		var gid, wid, did int64
		var gname, wno, dname, state string
		var issued time.Time
		var nfirst, nserving, nended sql.NullTime
		if err := list.Scan(&gid, &gname, &wid, &wno, &did, &dname, &state, &issued, &nfirst, &nserving, &nended); err != nil {
			return out, err
		}
		first, serving, ended := utc(nfirst), utc(nserving), utc(nended)
		g := groups.at(gid, gname)
		targets := []*Row{g, total}
		if wid != 0 {
			win := windows.at(wid, wno)
			win.Department = dname
			targets = append(targets, win)
		}
		if did != 0 {
			targets = append(targets, depts.at(did, dname))
		}
		for _, r := range targets {
			r.Issued++
			if state == Waiting {
				r.NeverCalled++
			}
			if state == Done {
				r.Served++
			}
			if first != nil {
				r.waits = append(r.waits, first.Sub(issued).Truncate(time.Second))
			}
			if serving != nil && ended != nil {
				r.services = append(r.services, ended.Sub(*serving).Truncate(time.Second))
			}
			switch state {
			case NoShow:
				r.NoShows++
			case Transferred:
				r.Transferred++
			}
		}
	}
	if err := list.Err(); err != nil {
		return out, err
	}
	out.Groups, out.Windows, out.Departments = groups.list(), windows.list(), depts.list()
	total.finish()
	out.Total = *total
	return out, nil
}

// dayKey is a date as queue_tickets.day stores it.
func dayKey(d calendar.Date) string { return strings.ReplaceAll(d.String(), "-", "") }
