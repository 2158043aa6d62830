package tally

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Query asks for a bulletin: the figures of [From, To] grouped By one of
// the groupings, inside the reader's scope.
type Query struct {
	From, To calendar.Date // inclusive Shanghai days
	By       string        // "department" | "centre" | "township" | "county"
	County   string        // optional region code filter (province readers); "" = the reader's whole scope
}

// Groupings a bulletin may be cut by.
var Groupings = []string{"department", "centre", "township", "county"}

// MaxSpanDays bounds a bulletin's period: a year (a leap year's 366 days)
// is the longest period the county publishes.
const MaxSpanDays = 366

// Row is one group's figures over the period.
type Row struct {
	Key, Name, County                                 string // group id (department/centre id or region code), display name, county name
	Received, Accepted, Completed, OnTime, Overdue    int
	CompletionRate, OnTimeRate, OnlineRate            float64 // 0..1; 0 when the denominator is 0
	AvgWorkingDays, AvgPromisedDays                   float64
	DeemedAccepted, DeemedApproved, Anomalies, Orders int
	// Ratings are the ratings given in the period (好差评), RatingsBad the
	// bad ones; SatisfactionRate is the share at 满意 or above, nil when
	// nobody rated (never a made-up 100%).
	Ratings, RatingsSatisfied, RatingsBad int
	SatisfactionRate                      *float64
	Rank                                  int  // by on-time rate, then completion rate, then received
	Prev                                  *Row // the same group in the previous period of equal length (nil when none): the months before for whole months, else the days before
	// ReceivedOnline is the numerator of OnlineRate.
	ReceivedOnline int
}

// Report is a period's figures per group and for the whole scope: what
// Bulletin returns. (Go cannot name a type and a function of one package
// alike, so the brief's "type Bulletin" is Report.)
type Report struct {
	Query Query
	Items []Row
	Total Row
}

// Bulletin answers q for reader a: one row per group with figures, ranked,
// each with the same group's figures of the previous period of equal
// length, and the scope's total. Only supervisors and leaders whose view
// is a county (or the province) read bulletins; a province reader may
// narrow to one county, a county reader only to their own county.
func Bulletin(ctx context.Context, db *store.DB, a org.Actor, q Query) (*Report, error) {
	if err := validate(a, q.From, q.To, q.County, q.By, true); err != nil {
		return nil, err
	}
	periods := []period{{q.From, q.To}, previous(q.From, q.To)}
	items, err := figures(ctx, db, a, periods, q.County, q.By)
	if err != nil {
		return nil, err
	}
	total, err := figures(ctx, db, a, periods, q.County, "")
	if err != nil {
		return nil, err
	}
	prev := map[string]*Row{}
	b := &Report{Query: q, Items: []Row{}}
	for i := range items[1] {
		prev[items[1][i].Key] = &items[1][i]
	}
	for _, r := range items[0] {
		r.Prev = prev[r.Key]
		b.Items = append(b.Items, r)
	}
	if len(total[0]) == 1 {
		b.Total = total[0][0]
	}
	if len(total[1]) == 1 {
		b.Total.Prev = &total[1][0]
	}
	return b, nil
}

// Months answers one row per calendar month of [from, to] (Key and Name
// "2026-03") over the reader's scope, for trend charts. Months without
// any figure are absent.
func Months(ctx context.Context, db *store.DB, a org.Actor, from, to calendar.Date, county string) ([]Row, error) {
	if err := validate(a, from, to, county, "", false); err != nil {
		return nil, err
	}
	rows, err := figures(ctx, db, a, []period{{from, to}}, county, "month")
	if err != nil {
		return nil, err
	}
	return rows[0], nil
}

// validate checks the period, the grouping and the reader's reach. A
// reader outside supervision gets Forbidden whatever else is wrong: the
// shape of the question tells them nothing.
func validate(a org.Actor, from, to calendar.Date, county, by string, needBy bool) error {
	if (a.Role != org.Supervisor && a.Role != org.Leader) || !a.CountyWide() {
		return apperr.New(apperr.Forbidden, "tally.forbidden")
	}
	f := apperr.Fields{}
	switch {
	case !from.Valid():
		f.Add("from", "tally.from_required")
	case !to.Valid():
		f.Add("to", "tally.to_required")
	case to.Before(from):
		f.Add("to", "tally.to_before_from")
	case from.DaysUntil(to)+1 > MaxSpanDays:
		f.Add("to", "tally.span_too_long", "Max", MaxSpanDays)
	}
	if !to.Valid() && !f.Has("to") && !f.Has("from") {
		f.Add("to", "tally.to_required")
	}
	if needBy {
		ok := false
		for _, g := range Groupings {
			ok = ok || by == g
		}
		if !ok {
			f.Add("by", "tally.by_invalid")
		}
	}
	if county != "" && !regionCode(county) {
		f.Add("county", "tally.county_invalid")
	}
	if err := f.Err(); err != nil {
		return err
	}
	// An explicit filter outside the reader's reach is refused, never
	// read as "everything" nor silently as "their own county".
	if county != "" && !a.CoversRegion(county) {
		return apperr.New(apperr.Forbidden, "tally.county_outside")
	}
	return nil
}

// regionCode accepts a division code: 6 (county), 9 (township) or 12
// (village) digits.
func regionCode(s string) bool {
	if len(s) != 6 && len(s) != 9 && len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// period is an inclusive range of Shanghai days.
type period struct{ from, to calendar.Date }

// previous is the period a bulletin compares with: for whole calendar
// months (a month, quarter, half-year or year, as the county publishes)
// the same number of months just before, so November compares with
// October and a quarter with the quarter before (and both are read from
// month rows); for any other span the same number of days just before.
func previous(from, to calendar.Date) period {
	if first, last, ok := wholeMonths(from, to); ok && first == from && nextMonth(last) == to.AddDays(1) {
		n := (last.Year*12 + int(last.Month)) - (first.Year*12 + int(first.Month)) + 1
		start := first
		for range n {
			start = prevMonth(start)
		}
		return period{start, from.AddDays(-1)}
	}
	n := from.DaysUntil(to) + 1
	return period{from.AddDays(-n), from.AddDays(-1)}
}

// groupSQL is what a grouping groups by, first on the totals rows (inner,
// an integer id where one exists, so the aggregation hashes numbers) and
// then how the groups get their key, name and county name (outer, joins on
// a few hundred groups, not on every row). "" is the scope's total; "month"
// the trend's months.
func groupSQL(by string, d store.Dialect) (inner, join, key, name, county string) {
	switch by {
	case "department":
		return "f.department_id", "JOIN departments dp ON dp.id = g.k LEFT JOIN regions rc ON rc.code = dp.region_code",
			"CAST(g.k AS TEXT)", "dp.name", "rc.name"
	case "centre":
		return "f.centre_id", "JOIN centres ce ON ce.id = g.k LEFT JOIN regions rc ON rc.code = substr(ce.region_code, 1, 6)",
			"CAST(g.k AS TEXT)", "ce.name", "rc.name"
	case "township":
		return "ce.region_code", "LEFT JOIN regions tr ON tr.code = g.k LEFT JOIN regions rc ON rc.code = substr(g.k, 1, 6)",
			"g.k", "tr.name", "rc.name"
	case "county":
		return "substr(ce.region_code, 1, 6)", "LEFT JOIN regions rc ON rc.code = g.k", "g.k", "rc.name", "rc.name"
	case "month":
		m := "substr(f.day, 1, 7)"
		if d == store.Postgres {
			m = "to_char(f.day, 'YYYY-MM')"
		}
		return m, "", "g.k", "g.k", "''"
	}
	return "''", "", "''", "''", "''"
}

// figures is the one query behind bulletins and trends: the figures of
// each period (by grouping, or the scope's total), indexed like periods.
// Whole calendar months inside a period are read from supervision_months
// and the days of partial months at either edge from supervision_totals,
// so a year is at most twelve month rows plus sixty day rows per
// (department, centre), whatever the number of cases. Sums, averages,
// rates and ranks are all computed by the database, every period in one
// statement.
func figures(ctx context.Context, db *store.DB, a org.Actor, periods []period, county, by string) ([][]Row, error) {
	query, args := figuresSQL(db.Dialect, a, periods, county, by)
	rows, err := db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("bulletin: %w", err)
	}
	defer rows.Close()
	out := make([][]Row, len(periods))
	for rows.Next() {
		var r Row
		var p int
		if err := rows.Scan(&p, &r.Key, &r.Name, &r.County, &r.Received, &r.ReceivedOnline, &r.Accepted, &r.Completed, &r.OnTime, &r.Overdue,
			&r.DeemedAccepted, &r.DeemedApproved, &r.Anomalies, &r.Orders, &r.CompletionRate, &r.OnTimeRate, &r.OnlineRate,
			&r.AvgWorkingDays, &r.AvgPromisedDays, &r.Rank, &r.Ratings, &r.RatingsSatisfied, &r.RatingsBad); err != nil {
			return nil, fmt.Errorf("bulletin: %w", err)
		}
		if r.Ratings > 0 {
			rate := float64(r.RatingsSatisfied) / float64(r.Ratings)
			r.SatisfactionRate = &rate
		}
		if by == "" || by == "month" {
			r.Rank = 0
		}
		if p >= 0 && p < len(out) {
			out[p] = append(out[p], r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("bulletin: %w", err)
	}
	return out, nil
}

// Explain returns the database's plan of q's grouped query, executed
// (EXPLAIN ANALYZE on PostgreSQL, with the rows each step read; EXPLAIN
// QUERY PLAN on SQLite), for the benchmark's record. q is validated as
// Bulletin validates it.
func Explain(ctx context.Context, db *store.DB, a org.Actor, q Query) ([]string, error) {
	if err := validate(a, q.From, q.To, q.County, q.By, true); err != nil {
		return nil, err
	}
	query, args := figuresSQL(db.Dialect, a, []period{{q.From, q.To}, previous(q.From, q.To)}, q.County, q.By)
	prefix := "EXPLAIN QUERY PLAN "
	if db.Dialect == store.Postgres {
		prefix = "EXPLAIN (ANALYZE, BUFFERS) "
	}
	rows, err := db.R.QueryContext(ctx, prefix+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprint(vals[len(vals)-1]))
	}
	return out, rows.Err()
}

// figuresSQL is figures' query and arguments.
func figuresSQL(dialect store.Dialect, a org.Actor, periods []period, county, by string) (string, []any) {
	var w store.Where
	// Days are written into the statement, not bound: PostgreSQL plans a
	// bound statement generically after a few runs (the driver prepares
	// and caches it), guessing how many rows a day range holds; with the
	// days in the text every bulletin is planned for its own range. A
	// calendar.Date prints as digits and dashes only, so nothing of a
	// user's text reaches the SQL. SQLite compares the text its driver
	// stores for a DATE (a midnight UTC time).
	day := func(d calendar.Date) string {
		if dialect == store.Postgres {
			return "DATE '" + d.String() + "'"
		}
		return "'" + d.String() + " 00:00:00+00:00'"
	}
	cols := "f.received, f.received_online, f.accepted, f.completed, f.on_time, f.overdue, f.used_days, f.promised_days, f.deemed_accepted, f.deemed_approved, f.anomalies, f.orders, f.ratings, f.ratings_satisfied, f.ratings_bad"
	var parts []string
	for p, pd := range periods {
		sel := func(table, cond string) string {
			return "SELECT " + strconv.Itoa(p) + " AS p, f.day, f.department_id, f.centre_id, " + cols + " FROM " + table + " f WHERE " + cond
		}
		m1, m2, whole := wholeMonths(pd.from, pd.to)
		if !whole {
			parts = append(parts, sel("supervision_totals", "f.day >= "+day(pd.from)+" AND f.day <= "+day(pd.to)))
			continue
		}
		parts = append(parts, sel("supervision_months", "f.day >= "+day(m1)+" AND f.day <= "+day(m2)))
		// Edge days before the first whole month and after the last.
		if pd.from.Before(m1) {
			parts = append(parts, sel("supervision_totals", "f.day >= "+day(pd.from)+" AND f.day < "+day(m1)))
		}
		if lastEnd := nextMonth(m2); !pd.to.Before(lastEnd) {
			parts = append(parts, sel("supervision_totals", "f.day >= "+day(lastEnd)+" AND f.day <= "+day(pd.to)))
		}
	}
	union := strings.Join(parts, " UNION ALL ")
	// validate admitted only county-wide readers: CountyCentres keeps their
	// county's centres (nothing for a province reader, who sees all).
	if c, args := a.CountyCentres("f.centre_id"); c != "" {
		w.Add(c, args...)
	}
	if county != "" {
		w.Add(`f.centre_id IN (SELECT id FROM centres WHERE region_code LIKE ? ESCAPE '\')`, store.Prefix(county))
	}
	inner, join, key, name, countyName := groupSQL(by, dialect)
	centres := ""
	if by == "township" || by == "county" {
		centres = " JOIN centres ce ON ce.id = f.centre_id"
	}
	dbl := func(num, den string) string {
		return "CASE WHEN " + den + " = 0 THEN 0.0 WHEN " + num + " >= " + den + " THEN 1.0 ELSE CAST(" + num + " AS DOUBLE PRECISION) / " + den + " END"
	}
	avg := func(num, den string) string {
		return "CASE WHEN " + den + " = 0 THEN 0.0 ELSE CAST(" + num + " AS DOUBLE PRECISION) / " + den + " END"
	}
	groupBy := ", " + inner
	if by == "" {
		groupBy = "" // PostgreSQL refuses a constant in GROUP BY
	}
	grouped := `SELECT f.p AS p, ` + inner + ` AS k,
		SUM(f.received) AS received, SUM(f.received_online) AS online, SUM(f.accepted) AS accepted, SUM(f.completed) AS completed,
		SUM(f.on_time) AS on_time, SUM(f.overdue) AS overdue, SUM(f.used_days) AS used, SUM(f.promised_days) AS promised,
		SUM(f.deemed_accepted) AS deemed_accepted, SUM(f.deemed_approved) AS deemed_approved, SUM(f.anomalies) AS anomalies, SUM(f.orders) AS orders,
		SUM(f.ratings) AS ratings, SUM(f.ratings_satisfied) AS ratings_satisfied, SUM(f.ratings_bad) AS ratings_bad
		FROM (` + union + `) f` + centres + w.String() + `
		GROUP BY f.p` + groupBy
	rated := `SELECT g.*, ` + key + ` AS key, COALESCE(` + name + `, '') AS name, COALESCE(` + countyName + `, '') AS county_name, ` +
		dbl("g.completed", "g.accepted") + ` AS completion_rate, ` + dbl("g.on_time", "g.completed") + ` AS on_time_rate, ` +
		dbl("g.online", "g.received") + ` AS online_rate, ` + avg("g.used", "g.completed") + ` AS avg_used, ` + avg("g.promised", "g.completed") + ` AS avg_promised
		FROM (` + grouped + `) g ` + join
	order := "r.on_time_rate DESC, r.completion_rate DESC, r.received DESC"
	if by == "month" {
		order = "r.key"
	}
	query := `SELECT r.p, r.key, r.name, r.county_name, r.received, r.online, r.accepted, r.completed, r.on_time, r.overdue,
		r.deemed_accepted, r.deemed_approved, r.anomalies, r.orders, r.completion_rate, r.on_time_rate, r.online_rate, r.avg_used, r.avg_promised,
		RANK() OVER (PARTITION BY r.p ORDER BY ` + order + `) AS rnk, r.ratings, r.ratings_satisfied, r.ratings_bad
		FROM (` + rated + `) r ORDER BY r.p, rnk, r.key`
	return query, w.Args()
}

// wholeMonths returns the first day of the first and of the last calendar
// month lying wholly inside [from, to]; ok is false when there is none.
func wholeMonths(from, to calendar.Date) (first, last calendar.Date, ok bool) {
	first = calendar.Date{Year: from.Year, Month: from.Month, Day: 1}
	if from.Day != 1 {
		first = nextMonth(first)
	}
	// The month containing the day after to starts after the last whole month.
	after := to.AddDays(1)
	end := calendar.Date{Year: after.Year, Month: after.Month, Day: 1}
	last = prevMonth(end)
	return first, last, !last.Before(first)
}

func nextMonth(d calendar.Date) calendar.Date {
	if d.Month == 12 {
		return calendar.Date{Year: d.Year + 1, Month: 1, Day: 1}
	}
	return calendar.Date{Year: d.Year, Month: d.Month + 1, Day: 1}
}

func prevMonth(d calendar.Date) calendar.Date {
	if d.Month == 1 {
		return calendar.Date{Year: d.Year - 1, Month: 12, Day: 1}
	}
	return calendar.Date{Year: d.Year, Month: d.Month - 1, Day: 1}
}

// MonthKey is the Key of a trend row.
func MonthKey(d calendar.Date) string {
	return strconv.Itoa(d.Year) + "-" + fmt.Sprintf("%02d", int(d.Month))
}
