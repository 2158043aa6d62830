package bulletin

import "onestop/internal/tally"

// Unit says how a column's value reads: a count, a share (0..1), a number
// of working days, a change in percentage points, or text.
type Unit int

// The units of the columns.
const (
	Count Unit = iota
	Share
	Days
	Points // a change of a share, in percentage points
	Text
)

// Column is one figure of a bulletin's table. The page, the workbook and
// the published copy all list the figures from Columns, so the three never
// disagree on what a bulletin shows.
type Column struct {
	Key  string // the translation key's last part and the API's field name
	Unit Unit
	// Value is the row's figure; ok is false when there is none (no
	// satisfaction rate until ratings exist, no change without a previous
	// period).
	Value func(r tally.Row) (v float64, ok bool)
}

func count(f func(tally.Row) int) func(tally.Row) (float64, bool) {
	return func(r tally.Row) (float64, bool) { return float64(f(r)), true }
}

func share(f func(tally.Row) float64) func(tally.Row) (float64, bool) {
	return func(r tally.Row) (float64, bool) { return f(r), true }
}

// Columns are the figures the issue asks of a bulletin (issue 12 §4), in
// the order they are shown. The name (and county) columns come first and
// are not listed here.
var Columns = []Column{
	{"rank", Count, count(func(r tally.Row) int { return r.Rank })},
	{"received", Count, count(func(r tally.Row) int { return r.Received })},
	{"accepted", Count, count(func(r tally.Row) int { return r.Accepted })},
	{"completed", Count, count(func(r tally.Row) int { return r.Completed })},
	{"completion_rate", Share, share(func(r tally.Row) float64 { return r.CompletionRate })},
	{"on_time_rate", Share, share(func(r tally.Row) float64 { return r.OnTimeRate })},
	{"overdue", Count, count(func(r tally.Row) int { return r.Overdue })},
	{"avg_working_days", Days, share(func(r tally.Row) float64 { return r.AvgWorkingDays })},
	{"avg_promised_days", Days, share(func(r tally.Row) float64 { return r.AvgPromisedDays })},
	{"online_rate", Share, share(func(r tally.Row) float64 { return r.OnlineRate })},
	{"deemed_accepted", Count, count(func(r tally.Row) int { return r.DeemedAccepted })},
	{"deemed_approved", Count, count(func(r tally.Row) int { return r.DeemedApproved })},
	{"anomalies", Count, count(func(r tally.Row) int { return r.Anomalies })},
	{"orders", Count, count(func(r tally.Row) int { return r.Orders })},
	{"ratings", Count, count(func(r tally.Row) int { return r.Ratings })},
	// Without a rating there is no figure, shown as "—", never a made-up
	// 100%.
	{"satisfaction_rate", Share, func(r tally.Row) (float64, bool) {
		if r.SatisfactionRate == nil {
			return 0, false
		}
		return *r.SatisfactionRate, true
	}},
	{"received_change", Count, func(r tally.Row) (float64, bool) {
		if r.Prev == nil {
			return 0, false
		}
		return float64(r.Received - r.Prev.Received), true
	}},
	{"on_time_change", Points, func(r tally.Row) (float64, bool) {
		if r.Prev == nil || r.Prev.Completed == 0 || r.Completed == 0 {
			return 0, false
		}
		return r.OnTimeRate - r.Prev.OnTimeRate, true
	}},
}

// Changes are the columns that compare with the previous period; the page
// marks them ↑ or ↓.
func (c Column) Change() bool { return c.Key == "received_change" || c.Key == "on_time_change" }
