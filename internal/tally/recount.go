package tally

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/store"
)

// caseColumns are the figures recounted here: from the cases, and the
// ratings from their table (internal/ratings counts them as it stores
// one). anomalies and orders are counted by the supervision services that
// raise and issue them, from their own tables: Recount leaves those two
// as stored and Check does not compare them.
var caseColumns = []Column{Received, ReceivedOnline, Accepted, Completed, OnTime, Overdue, UsedDays, PromisedDays,
	DeemedAccepted, DeemedApproved, Ratings, RatingsSatisfied, RatingsBad}

// dialect is the little SQL that differs between the engines: the Shanghai
// day of an instant (as stored in a totals row and as a plain date), a
// DATE column as a plain date, the month row of a day row, and "instant a
// is not after instant b".
type dialect struct {
	day      func(col string) string // the Shanghai day of an instant, as a totals row stores a day
	date     func(col string) string // the Shanghai day of an instant, as the ordinals table keys it
	dateCol  func(col string) string // a DATE column, comparable with date()
	month    func(col string) string // the month row's day of a day row's day
	notAfter func(a, b string) string
	ordDay   string // the ordinals table's day type
}

func dialectOf(d store.Dialect) dialect {
	if d == store.Postgres {
		sh := func(col string) string { return "(" + col + " AT TIME ZONE 'Asia/Shanghai')::date" }
		return dialect{day: sh, date: sh, dateCol: func(col string) string { return col },
			month:    func(col string) string { return "date_trunc('month', " + col + ")::date" },
			notAfter: func(a, b string) string { return a + " <= " + b }, ordDay: "DATE"}
	}
	// SQLite keeps a DATE as the driver wrote the midnight-UTC time.Time
	// tally.Add passed ("2026-03-02 00:00:00+00:00"), so a recounted day
	// is written the same way or it would not meet the witness's rows.
	sh := func(col string) string { return "date(" + col + ", '+8 hours')" }
	return dialect{day: func(col string) string { return sh(col) + " || ' 00:00:00+00:00'" }, date: sh,
		dateCol:  func(col string) string { return "date(" + col + ")" },
		month:    func(col string) string { return "substr(" + col + ", 1, 8) || '01 00:00:00+00:00'" },
		notAfter: func(a, b string) string { return "julianday(" + a + ") <= julianday(" + b + ")" }, ordDay: "TEXT"}
}

// group is one figure group recounted from the cases by one set-based
// statement: the Shanghai day and the case's department and centre, then
// its columns in order.
type group struct {
	cols []Column
	sql  string
}

// groups are the recount's statements, one per kind of fact (the same
// facts, days and rules as Facts; see Witness).
func groups(d dialect) []group {
	on := d.date("c.decided_at") + " <= " + d.dateCol("c.deadline")
	onTime := "CASE WHEN c.deadline IS NULL OR c.decided_at IS NULL OR " + on + " THEN 1 ELSE 0 END"
	ord := func(day string) string { return "(SELECT o.ordinal FROM tally_ordinals o WHERE o.day = " + day + ")" }
	acc, dec := d.date("c.accepted_at"), d.date("c.decided_at")
	pFrom := "CASE WHEN " + d.date("p.from_at") + " > " + acc + " THEN " + d.date("p.from_at") + " ELSE " + acc + " END"
	pTo := "CASE WHEN p.to_at IS NOT NULL AND " + d.notAfter("p.to_at", "c.decided_at") + " THEN " + d.date("p.to_at") + " ELSE " + dec + " END"
	// clock.Compute's UsedDays for a decided case: working days d with
	// acceptance < d ≤ decision, less those excluded by a pause that began
	// by the decision (days d with pause start < d ≤ resumption, clipped to
	// the acceptance and the decision). Working days between two days are
	// a difference of ordinals.
	paused := `COALESCE((SELECT SUM(CASE WHEN ob.ordinal > oa.ordinal THEN ob.ordinal - oa.ordinal ELSE 0 END)
		FROM case_pauses p JOIN tally_ordinals oa ON oa.day = ` + pFrom + ` JOIN tally_ordinals ob ON ob.day = ` + pTo + `
		WHERE p.case_id = c.id AND ` + d.notAfter("p.from_at", "c.decided_at") + `), 0)`
	used := "CASE WHEN c.accepted_at IS NULL OR c.decided_at IS NULL THEN 0 ELSE " + ord(dec) + " - " + ord(acc) + " - " + paused + " END"
	return []group{
		{[]Column{Received, ReceivedOnline}, `SELECT ` + d.day("c.received_at") + `, c.department_id, c.centre_id, COUNT(*),
			SUM(CASE WHEN c.channel = 'online' THEN 1 ELSE 0 END) FROM cases c GROUP BY 1, 2, 3`},
		{[]Column{Accepted, DeemedAccepted}, `SELECT ` + d.day("c.accepted_at") + `, c.department_id, c.centre_id, COUNT(*),
			SUM(CASE WHEN EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action = '` + cases.ActDeemAccept + `') THEN 1 ELSE 0 END)
			FROM cases c WHERE c.accepted_at IS NOT NULL GROUP BY 1, 2, 3`},
		{[]Column{DeemedApproved}, `SELECT ` + d.day("c.decided_at") + `, c.department_id, c.centre_id, COUNT(*)
			FROM cases c WHERE c.deemed AND c.decided_at IS NOT NULL GROUP BY 1, 2, 3`},
		{[]Column{Completed, OnTime, Overdue, UsedDays, PromisedDays}, `SELECT day, department_id, centre_id, COUNT(*), SUM(on_time), COUNT(*) - SUM(on_time),
			SUM(CASE WHEN used > 0 THEN used ELSE 0 END), SUM(promised_days)
			FROM (SELECT ` + d.day("c.completed_at") + ` AS day, c.department_id, c.centre_id, c.promised_days, ` + onTime + ` AS on_time, ` + used + ` AS used
				FROM cases c WHERE c.completed_at IS NOT NULL) x GROUP BY 1, 2, 3`},
		// ratings.Rate's counts: satisfied is level 4 or 5, bad 1 or 2
		// (ratings.Satisfied, ratings.Bad).
		{[]Column{Ratings, RatingsSatisfied, RatingsBad}, `SELECT ` + d.day("r.rated_at") + `, r.department_id, r.centre_id, COUNT(*),
			SUM(CASE WHEN r.level >= 4 THEN 1 ELSE 0 END), SUM(CASE WHEN r.level <= 2 THEN 1 ELSE 0 END) FROM ratings r GROUP BY 1, 2, 3`},
	}
}

// ordinals fills the temporary table tally_ordinals, in tx, with each day
// of the completed cases' span and the number of working days up to it
// (the case engine's calendar), so that working days between two days are
// a subtraction in SQL. It is a loop over calendar days, not cases.
func ordinals(ctx context.Context, tx *sql.Tx, db *store.DB, d dialect) error {
	create := `CREATE TEMP TABLE tally_ordinals (day ` + d.ordDay + ` PRIMARY KEY, ordinal INTEGER NOT NULL)`
	if db.Dialect == store.Postgres {
		create += ` ON COMMIT DROP`
	} else if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS temp.tally_ordinals`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("ordinals: %w", err)
	}
	var lo, hi any
	if err := tx.QueryRowContext(ctx, `SELECT MIN(`+d.date("accepted_at")+`), MAX(`+d.date("decided_at")+`) FROM cases WHERE completed_at IS NOT NULL`).Scan(&lo, &hi); err != nil {
		return fmt.Errorf("ordinals: %w", err)
	}
	from, ok1 := calendar.FromColumn(lo)
	to, ok2 := calendar.FromColumn(hi)
	if !ok1 || !ok2 {
		return nil
	}
	cal, err := cases.Calendar(ctx, tx)
	if err != nil {
		return err
	}
	const batch = 400
	var vals []string
	var args []any
	flush := func() error {
		if len(vals) == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO tally_ordinals (day, ordinal) VALUES `+strings.Join(vals, ", "), args...)
		vals, args = vals[:0], args[:0]
		return err
	}
	n := 0
	for day := from; !day.After(to); day = day.AddDays(1) {
		if w, _ := cal.IsWorkingDay(day); w {
			n++
		}
		args = append(args, day.String(), n)
		vals = append(vals, fmt.Sprintf("($%d, $%d)", len(args)-1, len(args)))
		if len(vals) == batch {
			if err := flush(); err != nil {
				return fmt.Errorf("ordinals: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("ordinals: %w", err)
	}
	return nil
}

func dropOrdinals(ctx context.Context, tx *sql.Tx, db *store.DB) error {
	if db.Dialect == store.Postgres {
		return nil // ON COMMIT DROP
	}
	_, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS temp.tally_ordinals`)
	return err
}

// Recount rebuilds the case figures of supervision_totals and
// supervision_months from the cases, one statement per figure group, in
// one transaction: for data written around the engine (the bulk
// generator) and to repair what Check finds. anomalies and orders are
// kept as stored (see caseColumns). Run it while no case changes: a
// transition committing meanwhile on PostgreSQL may be counted twice or
// not at all.
func Recount(ctx context.Context, db *store.DB) error {
	d := dialectOf(db.Dialect)
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if err := ordinals(ctx, tx, db, d); err != nil {
			return err
		}
		zero := make([]string, len(caseColumns))
		for i, c := range caseColumns {
			zero[i] = string(c) + " = 0"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE supervision_totals SET `+strings.Join(zero, ", ")); err != nil {
			return fmt.Errorf("recount: %w", err)
		}
		for _, g := range groups(d) {
			names, sets := make([]string, len(g.cols)), make([]string, len(g.cols))
			for i, c := range g.cols {
				names[i] = string(c)
				sets[i] = fmt.Sprintf("%s = excluded.%s", c, c)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO supervision_totals (day, department_id, centre_id, `+strings.Join(names, ", ")+`) `+g.sql+`
				ON CONFLICT (day, department_id, centre_id) DO UPDATE SET `+strings.Join(sets, ", ")); err != nil {
				return fmt.Errorf("recount %s: %w", g.cols[0], err)
			}
		}
		// Months are the sums of their days.
		if _, err := tx.ExecContext(ctx, `UPDATE supervision_months SET `+strings.Join(zero, ", ")); err != nil {
			return fmt.Errorf("recount months: %w", err)
		}
		names, sums, sets := make([]string, len(caseColumns)), make([]string, len(caseColumns)), make([]string, len(caseColumns))
		for i, c := range caseColumns {
			names[i], sums[i], sets[i] = string(c), "SUM("+string(c)+")", fmt.Sprintf("%s = excluded.%s", c, c)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO supervision_months (day, department_id, centre_id, `+strings.Join(names, ", ")+`)
			SELECT `+d.month("day")+`, department_id, centre_id, `+strings.Join(sums, ", ")+` FROM supervision_totals GROUP BY 1, 2, 3
			ON CONFLICT (day, department_id, centre_id) DO UPDATE SET `+strings.Join(sets, ", ")); err != nil {
			return fmt.Errorf("recount months: %w", err)
		}
		allZero := make([]string, len(Columns))
		for i, c := range Columns {
			allZero[i] = string(c) + " = 0"
		}
		for _, t := range []string{"supervision_totals", "supervision_months"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE `+strings.Join(allZero, " AND ")); err != nil {
				return fmt.Errorf("recount: %w", err)
			}
		}
		return dropOrdinals(ctx, tx, db)
	})
}

// Difference is one totals row whose stored case figures differ from a
// recount.
type Difference struct {
	Table        string // supervision_totals or supervision_months
	Day          calendar.Date
	DepartmentID int64
	CentreID     int64
	Stored       map[Column]int
	Recounted    map[Column]int
}

func (d Difference) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s department %d centre %d:", d.Table, d.Day, d.DepartmentID, d.CentreID)
	for _, c := range caseColumns {
		if d.Stored[c] != d.Recounted[c] {
			fmt.Fprintf(&b, " %s stored %d, recounted %d;", c, d.Stored[c], d.Recounted[c])
		}
	}
	return strings.TrimSuffix(b.String(), ";")
}

type rowKey struct {
	day          calendar.Date
	dept, centre int64
}

// errCheckDone rolls Check's transaction back: Check changes nothing.
var errCheckDone = errors.New("tally: check done")

// Check recounts the case figures from the cases, on one snapshot, and
// returns each totals or months row whose stored figures differ. It
// writes nothing (its temporary table goes with its rolled-back
// transaction).
func Check(ctx context.Context, db *store.DB) ([]Difference, error) {
	d := dialectOf(db.Dialect)
	recount := map[rowKey]map[Column]int{}
	stored := map[string]map[rowKey]map[Column]int{"supervision_totals": {}, "supervision_months": {}}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if db.Dialect == store.Postgres {
			// One snapshot for the cases and the totals: the witness writes
			// both in one transaction, so they agree at any snapshot.
			if _, err := tx.ExecContext(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`); err != nil {
				return err
			}
		}
		if err := ordinals(ctx, tx, db, d); err != nil {
			return err
		}
		for _, g := range groups(d) {
			if err := scanFigures(ctx, tx, g.sql, g.cols, recount); err != nil {
				return fmt.Errorf("check %s: %w", g.cols[0], err)
			}
		}
		for table, m := range stored {
			cols := make([]string, len(caseColumns))
			for i, c := range caseColumns {
				cols[i] = string(c)
			}
			if err := scanFigures(ctx, tx, `SELECT day, department_id, centre_id, `+strings.Join(cols, ", ")+` FROM `+table, caseColumns, m); err != nil {
				return fmt.Errorf("check %s: %w", table, err)
			}
		}
		return errCheckDone
	})
	if err != nil && !errors.Is(err, errCheckDone) {
		return nil, err
	}
	months := map[rowKey]map[Column]int{}
	for k, figs := range recount {
		mk := rowKey{calendar.Date{Year: k.day.Year, Month: k.day.Month, Day: 1}, k.dept, k.centre}
		if months[mk] == nil {
			months[mk] = map[Column]int{}
		}
		for c, n := range figs {
			months[mk][c] += n
		}
	}
	var out []Difference
	out = append(out, differ("supervision_totals", stored["supervision_totals"], recount)...)
	out = append(out, differ("supervision_months", stored["supervision_months"], months)...)
	return out, nil
}

func differ(table string, stored, recount map[rowKey]map[Column]int) []Difference {
	keys := map[rowKey]bool{}
	for k := range stored {
		keys[k] = true
	}
	for k := range recount {
		keys[k] = true
	}
	var out []Difference
	for k := range keys {
		s, r := stored[k], recount[k]
		for _, c := range caseColumns {
			if s[c] != r[c] {
				out = append(out, Difference{Table: table, Day: k.day, DepartmentID: k.dept, CentreID: k.centre, Stored: s, Recounted: r})
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Table != b.Table {
			return a.Table > b.Table
		}
		if c := a.Day.Compare(b.Day); c != 0 {
			return c < 0
		}
		if a.DepartmentID != b.DepartmentID {
			return a.DepartmentID < b.DepartmentID
		}
		return a.CentreID < b.CentreID
	})
	return out
}

// scanFigures adds the rows of query (day, department, centre, then cols)
// into m.
func scanFigures(ctx context.Context, q store.Querier, query string, cols []Column, m map[rowKey]map[Column]int) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var day any
		var k rowKey
		vals := make([]int, len(cols))
		dest := []any{&day, &k.dept, &k.centre}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		var ok bool
		if k.day, ok = calendar.FromColumn(day); !ok {
			return fmt.Errorf("unreadable day %v", day)
		}
		if m[k] == nil {
			m[k] = map[Column]int{}
		}
		for i, c := range cols {
			m[k][c] += vals[i]
		}
	}
	return rows.Err()
}
