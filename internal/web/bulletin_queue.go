package web

import (
	"math"
	"time"

	"onestop/internal/bulletin"
)

// The queue's table of a bulletin (issue 15 §4) as the supervision page,
// the portal's published copy and the print show it: per department, then
// each window with its department, then the total; columns from
// bulletin.QueueColumns.

type bulletinQueueRow struct {
	Department, Name string
	Cells            []string
}

type bulletinQueueTable struct {
	Headers     []bulletinColumn
	Departments []bulletinQueueRow
	Windows     []bulletinQueueRow
	Total       bulletinQueueRow
}

// bulletinQueueTable formats q in the reader's language; nil without one.
func (p *Page) bulletinQueueTable(q *bulletin.Queue) *bulletinQueueTable {
	if q == nil {
		return nil
	}
	cells := func(r bulletin.QueueRow) []string {
		var out []string
		for _, c := range bulletin.QueueColumns {
			v, ok := c.Value(r)
			switch {
			case !ok:
				out = append(out, "—")
			case c.Unit == bulletin.Minutes:
				out = append(out, p.Span(time.Duration(math.Round(v*60))*time.Second))
			default:
				out = append(out, Count(int(v)))
			}
		}
		return out
	}
	t := &bulletinQueueTable{Total: bulletinQueueRow{Name: p.T("bulletin.total"), Cells: cells(q.Total)}}
	for _, c := range bulletin.QueueColumns {
		t.Headers = append(t.Headers, bulletinColumn{Key: c.Key, Header: p.T("bulletin.queue." + c.Key)})
	}
	for _, r := range q.Departments {
		t.Departments = append(t.Departments, bulletinQueueRow{Name: r.Name, Cells: cells(r)})
	}
	for _, r := range q.Windows {
		t.Windows = append(t.Windows, bulletinQueueRow{Department: r.Department, Name: r.Name, Cells: cells(r)})
	}
	return t
}

// bulletinQueueSheet is the workbook's queue sheet with its words.
func (p *Page) bulletinQueueSheet(q *bulletin.Queue) *bulletin.QueueSheet {
	return &bulletin.QueueSheet{Figures: q, Sheet: p.T("bulletin.queue.sheet"), Department: p.T("bulletin.queue.department"),
		Window: p.T("bulletin.queue.window"), Total: p.T("bulletin.total"),
		Header: func(key string) string { return p.T("bulletin.queue." + key + "_xlsx") }}
}
