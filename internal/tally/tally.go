// Package tally keeps supervision's running totals: per (day, department,
// centre) and per (month, department, centre) counts that the case
// engine's witness and the supervision services add to in the same
// transaction as the fact they count. Bulletins and the leader's view
// read these rows, never a scan of the cases.
package tally

import (
	"context"
	"fmt"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/store"
)

// Column is one running figure. Only these names reach SQL.
type Column string

// The figures kept.
const (
	Received       Column = "received"
	ReceivedOnline Column = "received_online"
	Accepted       Column = "accepted"
	Completed      Column = "completed"
	OnTime         Column = "on_time"
	Overdue        Column = "overdue"
	UsedDays       Column = "used_days"
	PromisedDays   Column = "promised_days"
	DeemedAccepted Column = "deemed_accepted"
	DeemedApproved Column = "deemed_approved"
	Anomalies      Column = "anomalies"
	Orders         Column = "orders"
	// Ratings counts the ratings given (好差评, internal/ratings), on the
	// Shanghai day of the rating, for the case's department and centre;
	// RatingsSatisfied those at 满意 or above, RatingsBad the bad ones
	// (不满意, 非常不满意).
	Ratings          Column = "ratings"
	RatingsSatisfied Column = "ratings_satisfied"
	RatingsBad       Column = "ratings_bad"
)

// Columns lists every figure, in table order.
var Columns = []Column{Received, ReceivedOnline, Accepted, Completed, OnTime, Overdue, UsedDays, PromisedDays,
	DeemedAccepted, DeemedApproved, Anomalies, Orders, Ratings, RatingsSatisfied, RatingsBad}

func (c Column) valid() bool {
	for _, k := range Columns {
		if k == c {
			return true
		}
	}
	return false
}

// Key is the row a fact is counted in: the Shanghai calendar day it
// happened, the department responsible and the centre where the case is.
type Key struct {
	Day          calendar.Date
	DepartmentID int64
	CentreID     int64
}

// Add adds n to each named figure of k's day row and month row, inside the
// caller's transaction q. Several figures of one fact are added in one
// statement per table.
func Add(ctx context.Context, q store.Querier, k Key, add map[Column]int) error {
	if len(add) == 0 {
		return nil
	}
	cols, vals, sets := "", "", ""
	args := []any{nil, k.DepartmentID, k.CentreID}
	for _, c := range Columns {
		n, ok := add[c]
		if !ok {
			continue
		}
		if !c.valid() {
			return fmt.Errorf("tally: unknown figure %q", c)
		}
		args = append(args, n)
		cols += ", " + string(c)
		vals += fmt.Sprintf(", $%d", len(args))
		sets += fmt.Sprintf(", %s = t.%s + excluded.%s", c, c, c)
	}
	if len(args) != 3+len(add) {
		return fmt.Errorf("tally: unknown figure in %v", add)
	}
	sets = sets[2:]
	month := calendar.Date{Year: k.Day.Year, Month: k.Day.Month, Day: 1}
	for _, row := range []struct {
		table string
		day   calendar.Date
	}{{"supervision_totals", k.Day}, {"supervision_months", month}} {
		args[0] = row.day.Time(time.UTC)
		if _, err := q.ExecContext(ctx, `INSERT INTO `+row.table+` AS t (day, department_id, centre_id`+cols+`) VALUES ($1, $2, $3`+vals+`)
			ON CONFLICT (day, department_id, centre_id) DO UPDATE SET `+sets, args...); err != nil {
			return fmt.Errorf("tally %s: %w", row.table, err)
		}
	}
	return nil
}
