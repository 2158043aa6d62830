package corrections

import (
	"context"
	"fmt"
	"sort"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// TotalsDiff is one running-total row whose orders figure is not the
// number of orders issued.
type TotalsDiff struct {
	Table                  string
	Day                    calendar.Date
	DepartmentID, CentreID int64
	Counted, Issued        int
}

func (d TotalsDiff) String() string {
	return fmt.Sprintf("%s %s department %d centre %d: %d orders counted, %d issued", d.Table, d.Day, d.DepartmentID, d.CentreID, d.Counted, d.Issued)
}

// CheckTotals recounts the orders from correction_orders — one per order,
// on the Shanghai day it was issued, its department and centre, as Issue
// counts it (tally.Orders) — and reports every day or month row of the
// running totals whose orders figure differs. Orders are few (hundreds a
// county a year), so the recount is done here rather than in SQL.
func CheckTotals(ctx context.Context, q store.Querier) ([]TotalsDiff, error) {
	type key struct {
		day        calendar.Date
		dept, cent int64
	}
	want := map[string]map[key]int{"supervision_totals": {}, "supervision_months": {}}
	rows, err := q.QueryContext(ctx, `SELECT issued_at, department_id, centre_id FROM correction_orders`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var at time.Time
		var k key
		if err := rows.Scan(&at, &k.dept, &k.cent); err != nil {
			rows.Close()
			return nil, err
		}
		k.day = clock.Today(at)
		want["supervision_totals"][k]++
		k.day.Day = 1
		want["supervision_months"][k]++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []TotalsDiff
	for _, table := range []string{"supervision_totals", "supervision_months"} {
		w := want[table]
		rows, err := q.QueryContext(ctx, `SELECT day, department_id, centre_id, orders FROM `+table+` WHERE orders <> 0`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var day time.Time
			var k key
			var n int
			if err := rows.Scan(&day, &k.dept, &k.cent, &n); err != nil {
				rows.Close()
				return nil, err
			}
			k.day = calendar.DateOf(day, time.UTC)
			if w[k] != n {
				out = append(out, TotalsDiff{table, k.day, k.dept, k.cent, n, w[k]})
			}
			delete(w, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for k, n := range w {
			out = append(out, TotalsDiff{table, k.day, k.dept, k.cent, 0, n})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out, nil
}
