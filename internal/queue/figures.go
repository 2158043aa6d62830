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
//     still waiting at the end of their day: never called.

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
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Issued      int    `json:"issued"`
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

// Figures computes the figures of the tickets of the days from..to
// (Shanghai) at centreID (0: every centre — the county-wide callers
// narrow by department themselves).
func (s *Service) Figures(ctx context.Context, centreID int64, from, to calendar.Date) (Figures, error) {
	return figures(ctx, s.DB.Read(), centreID, from, to)
}

// FiguresIn is Figures read through q (the assessment reads them in its
// own snapshot of the record).
func FiguresIn(ctx context.Context, q store.Querier, centreID int64, from, to calendar.Date) (Figures, error) {
	return figures(ctx, q, centreID, from, to)
}

func figures(ctx context.Context, q store.Querier, centreID int64, from, to calendar.Date) (Figures, error) {
	out := Figures{From: from, To: to}
	var w store.Where
	w.Add("t.day >= ?", dayKey(from))
	w.Add("t.day <= ?", dayKey(to))
	if centreID != 0 {
		w.Add("t.centre_id = ?", centreID)
	}
	cond, args := w.String(), w.Args()
	list, err := q.QueryContext(ctx, `SELECT t.group_id, g.name, COALESCE(t.window_id, 0), COALESCE(wi.number, ''), COALESCE(wi.department_id, 0),
		COALESCE(d.short_name, ''), t.state, t.issued_at, t.first_called_at, t.serving_at, t.ended_at
		FROM queue_tickets t JOIN queue_groups g ON g.id = t.group_id LEFT JOIN windows wi ON wi.id = t.window_id
		LEFT JOIN departments d ON d.id = wi.department_id`+cond+` ORDER BY g.position, g.prefix, t.id`, args...)
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
			targets = append(targets, windows.at(wid, wno), depts.at(did, dname))
		}
		g.Issued++
		total.Issued++
		if state == Waiting {
			g.NeverCalled++
			total.NeverCalled++
		}
		for _, r := range targets {
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
