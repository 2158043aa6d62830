package bench

import (
	"context"
	"fmt"
	"strings"

	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/tally"
)

// reader is a province-wide supervisor: the bench's bulletins cover every
// county of the database (one county, or the synthetic province).
var reader = org.Actor{Role: org.Supervisor, Province: true, Username: "bench"}

// bulletins times the supervision bulletin (tally.Bulletin, read from the
// running totals) for last month: per department, and per county in a
// province. label tells rows of saturated totals apart.
func (r *runner) bulletins(ctx context.Context, today calendar.Date, label string) error {
	first := calendar.Date{Year: today.Year, Month: today.Month, Day: 1}
	to := first.AddDays(-1)
	from := calendar.Date{Year: to.Year, Month: to.Month, Day: 1}
	var monthRows, dayRows int
	if err := r.db.R.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM supervision_months), (SELECT COUNT(*) FROM supervision_totals)`).Scan(&monthRows, &dayRows); err != nil {
		return err
	}
	type cut struct{ by, county string }
	cuts := []cut{{"department", ""}}
	if r.opt.Counties > 1 {
		// The whole province by county, and one county's departments as
		// its own supervisor asks (a county filter on a province's totals).
		cuts = append(cuts, cut{"county", ""}, cut{"department", r.showcaseCounty(ctx)})
	}
	for _, c := range cuts {
		by := c.by
		q := tally.Query{From: from, To: to, By: by, County: c.county}
		var b *tally.Report
		v, err := timeQuery(r.budget(), func() (err error) {
			b, err = tally.Bulletin(ctx, r.db, reader, q)
			return err
		})
		if err != nil {
			return fmt.Errorf("bulletin by %s: %w", by, err)
		}
		of := ""
		if c.county != "" {
			of = " of county " + c.county
		}
		row := Row{What: fmt.Sprintf("a month's bulletin per %s%s%s (%s: %d %ss; %d received, %d completed, %d on time; totals hold %d month rows, %d day rows)",
			by, of, label, from.String()[:7], len(b.Items), by, b.Total.Received, b.Total.Completed, b.Total.OnTime, monthRows, dayRows),
			Value: v, Unit: "ms (median)",
			Note: "tally.Bulletin: the month's rows of supervision_months (and of the previous month, for the change), grouped, averaged and ranked in SQL; no case is read"}
		if by == "county" || (r.opt.Counties > 1 && c.county == "") {
			row = row.target("≤ 200 ms for 120 counties at 10M", v <= 200)
		} else {
			row = row.target("≤ 50 ms at 10M (PostgreSQL)", v <= 50)
		}
		r.add(row)
		if r.opt.Verbose {
			plan, err := tally.Explain(ctx, r.db, reader, q)
			if err != nil {
				return err
			}
			fmt.Fprintf(r.opt.Log, "plan of the bulletin per %s%s%s (%s):\n  %s\n", by, of, label, r.db.Dialect, strings.Join(plan, "\n  "))
		}
	}
	return nil
}

// saturated fills the running totals to the most any number of cases can
// make of them, then times the bulletins again: a row for every (department,
// centre) pair that can receive a case, on every day of the last 400.
// Totals grow with the organisation and the calendar, never with the
// cases; this is the size 10M cases (or 100M) a year would give. It runs
// last: the totals no longer equal a recount afterwards.
func (r *runner) saturated(ctx context.Context) error {
	today := clock.Today(r.opt.Now())
	from, to := today.AddDays(-400), today
	pairs := `SELECT DISTINCT department_id, centre_id FROM windows UNION SELECT DISTINCT department_id, centre_id FROM supervision_totals`
	var days string
	args := []any{from.String(), to.String()}
	if r.db.Dialect == store.Postgres {
		days = `SELECT d::date AS day FROM generate_series($1::date, $2::date, interval '1 day') d`
	} else {
		days = `WITH RECURSIVE s(d) AS (SELECT date($1) UNION ALL SELECT date(d, '+1 day') FROM s WHERE d < date($2)) SELECT d || ' 00:00:00+00:00' AS day FROM s`
	}
	month := "substr(day, 1, 8) || '01 00:00:00+00:00'"
	if r.db.Dialect == store.Postgres {
		month = "date_trunc('month', day)::date"
	}
	cols := "received, received_online, accepted, completed, on_time, overdue, used_days, promised_days, deemed_accepted, deemed_approved"
	sums := "SUM(received), SUM(received_online), SUM(accepted), SUM(completed), SUM(on_time), SUM(overdue), SUM(used_days), SUM(promised_days), SUM(deemed_accepted), SUM(deemed_approved)"
	sets := []string{}
	for _, c := range strings.Split(cols, ", ") {
		sets = append(sets, c+" = excluded."+c)
	}
	// "WHERE true": SQLite would read ON CONFLICT as the join's ON.
	if _, err := r.db.Exec(ctx, `INSERT INTO supervision_totals (day, department_id, centre_id, `+cols+`)
		SELECT d.day, p.department_id, p.centre_id, 3, 1, 3, 3, 2, 1, 9, 12, 0, 0 FROM (`+days+`) d CROSS JOIN (`+pairs+`) p
		WHERE true ON CONFLICT (day, department_id, centre_id) DO NOTHING`, args...); err != nil {
		return fmt.Errorf("saturate totals: %w", err)
	}
	if _, err := r.db.Exec(ctx, `INSERT INTO supervision_months (day, department_id, centre_id, `+cols+`)
		SELECT `+month+`, department_id, centre_id, `+sums+` FROM supervision_totals GROUP BY 1, 2, 3
		ON CONFLICT (day, department_id, centre_id) DO UPDATE SET `+strings.Join(sets, ", ")); err != nil {
		return fmt.Errorf("saturate months: %w", err)
	}
	if r.db.Dialect == store.Postgres {
		if _, err := r.db.W.ExecContext(ctx, `ANALYZE supervision_totals, supervision_months`); err != nil {
			return err
		}
	}
	return r.bulletins(ctx, today, ", saturated totals")
}

// showcaseCounty is the county of the demo's "supervisor" account.
func (r *runner) showcaseCounty(ctx context.Context) string {
	var code string
	if err := r.db.R.QueryRowContext(ctx, `SELECT substr(c.region_code, 1, 6) FROM staff s JOIN centres c ON c.id = s.centre_id WHERE s.username = 'supervisor'`).Scan(&code); err != nil {
		return ""
	}
	return code
}
