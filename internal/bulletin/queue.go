package bulletin

import (
	"cmp"
	"context"
	"slices"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/org"
	"onestop/internal/queue"
	"onestop/internal/store"
)

// The queue's figures in a bulletin (issue 15 §4: "wait and service times
// per window, fed to the bulletin"): per department, with each window in
// the detail, and in all. They are the queue's own figures (queue.FiguresOf,
// the rule the assessment's waiting-time indicator reads too), only cut to
// the five a bulletin shows; nothing is counted here.

// QueueRow is one department's or window's queue figures over a period.
// Means are whole seconds; Waits and Services are the counts behind them
// (no mean without any).
type QueueRow struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Department  string `json:"department,omitempty"` // a window's department
	Issued      int    `json:"issued"`
	Served      int    `json:"served"`
	NoShows     int    `json:"no_shows"`
	Waits       int    `json:"waits"`
	MeanWait    int64  `json:"mean_wait_seconds"`
	Services    int    `json:"services"`
	MeanService int64  `json:"mean_service_seconds"`
}

// Queue is a bulletin's queue table.
type Queue struct {
	Departments []QueueRow `json:"departments"`
	Windows     []QueueRow `json:"windows"`
	Total       QueueRow   `json:"total"`
}

// Minutes is the unit of a queue column holding a mean time, in minutes.
const Minutes Unit = Text + 1

// QueueColumn is one figure of the queue table; like Columns, the page,
// the workbook and the published copy all list the figures from
// QueueColumns.
type QueueColumn struct {
	Key   string // translation key's last part (bulletin.queue.<key>)
	Unit  Unit
	Value func(r QueueRow) (v float64, ok bool)
}

// QueueColumns are the queue table's figures in order: tickets issued,
// served, no-shows, mean wait (issued → first call) and mean service
// (start → finish) — docs/DOMAIN.md §23.
var QueueColumns = []QueueColumn{
	{"issued", Count, func(r QueueRow) (float64, bool) { return float64(r.Issued), true }},
	{"served", Count, func(r QueueRow) (float64, bool) { return float64(r.Served), true }},
	{"no_shows", Count, func(r QueueRow) (float64, bool) { return float64(r.NoShows), true }},
	// Without a called ticket there is no wait, shown "—", never 0.
	{"mean_wait", Minutes, func(r QueueRow) (float64, bool) { return float64(r.MeanWait) / 60, r.Waits > 0 }},
	{"mean_service", Minutes, func(r QueueRow) (float64, bool) { return float64(r.MeanService) / 60, r.Services > 0 }},
}

func queueRow(r queue.Row) QueueRow {
	return QueueRow{ID: r.ID, Name: r.Name, Department: r.Department, Issued: r.Issued, Served: r.Served, NoShows: r.NoShows,
		Waits: r.Wait.Count, MeanWait: int64(r.Wait.Mean / time.Second), Services: r.Service.Count, MeanService: int64(r.Service.Mean / time.Second)}
}

// QueueFigures is the queue table of [from, to] in a bulletin reader's
// scope: the county asked for, else the reader's own county, else (a
// province-wide reader) every centre. The caller has checked the reader
// and the county (tally.Bulletin does); a reader with no county and no
// province reach gets an empty table, never everything.
func QueueFigures(ctx context.Context, q store.Querier, a org.Actor, county string, from, to calendar.Date) (*Queue, error) {
	if county == "" && !a.Province {
		county = a.County()
		if county == "" {
			return &Queue{Departments: []QueueRow{}, Windows: []QueueRow{}}, nil
		}
	}
	f, err := queue.FiguresOf(ctx, q, queue.Scope{Region: county}, from, to)
	if err != nil {
		return nil, err
	}
	out := &Queue{Departments: make([]QueueRow, 0, len(f.Departments)), Windows: make([]QueueRow, 0, len(f.Windows)), Total: queueRow(f.Total)}
	for _, r := range f.Departments {
		out.Departments = append(out.Departments, queueRow(r))
	}
	for _, r := range f.Windows {
		out.Windows = append(out.Windows, queueRow(r))
	}
	// The detail reads department by department, windows in number order.
	slices.SortStableFunc(out.Departments, func(x, y QueueRow) int { return cmp.Compare(x.Name, y.Name) })
	slices.SortStableFunc(out.Windows, func(x, y QueueRow) int {
		return cmp.Or(cmp.Compare(x.Department, y.Department), cmp.Compare(x.Name, y.Name))
	})
	return out, nil
}
