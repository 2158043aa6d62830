package web

import (
	"context"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"time"

	"onestop/internal/bulletin"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/demo/data"
	"onestop/internal/monitor"
	"onestop/internal/org"
	"onestop/internal/tally"
)

// The leader's dashboard (领导驾驶舱, issue 12 §5): the county at a
// glance, read-only. Every figure is the running totals' (internal/tally)
// or the case engine's (the red light), never a count of its own.

func (s *Server) registerDashboard() {
	s.handleReads("GET /supervision/dashboard", bulletinReaders, s.dashboardPage)
}

// dashFigure is one figure of the month compared: this month so far, the
// whole of last month and the same month last year.
type dashFigure struct {
	Label               string
	Now, Last, LastYear string
	// Dir marks the change against last month (1 up, -1 down); Tone
	// whether that is good (1) or bad (-1) news.
	Dir, Tone int
}

// dashHeadline is the demo data's year beside the county's published
// record (docs/DOMAIN.md §1).
type dashHeadline struct {
	Year                                        int
	Received, Completed, CompletionRate, Days   string
	PubMonths                                   int
	PubReceived, PubCompleted, PubRate, PubDays string
	PubReceivedYear, PubCompletedYear           string
}

// dashWorst is one of the worst departments by on-time rate.
type dashWorst struct {
	Name, Completed, OnTimeRate, Overdue string
}

type dashView struct {
	Heading                        string
	ThisMonth, LastMonth, LastYear string
	Figures                        []dashFigure
	Worst                          []dashWorst
	WorstCharts                    template.HTML
	Red                            int
	RedLink                        string
	OrdersLink                     string
	Trend, TrendRate               template.HTML
	Headline                       *dashHeadline
	BulletinLink                   string
}

// monthRow is the row of months whose Key is key, zero when the month has
// no figures.
func monthRow(rows []tally.Row, key string) tally.Row {
	for _, r := range rows {
		if r.Key == key {
			return r
		}
	}
	return tally.Row{Key: key}
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request) error {
	a := *reqInfo(r).Actor
	ctx := r.Context()
	p := s.page(r, "dashboard.title")
	today := clock.Today(s.Now())
	this := bulletin.MonthOf(today)
	last := bulletin.MonthOf(this.From.AddDays(-1))
	yearAgo := bulletin.MonthOf(calendar.Date{Year: today.Year - 1, Month: today.Month, Day: 1})
	v := &dashView{Heading: p.T("bulletin.heading", "County", s.countyName(r, p, a, "")),
		ThisMonth: p.periodLabel(this), LastMonth: p.periodLabel(last), LastYear: p.periodLabel(yearAgo),
		BulletinLink: "/supervision/bulletin?period=" + last.Code() + "&by=department",
		// The correction orders and the live monitor have pages of their
		// own; the dashboard sends the leader there.
		OrdersLink: "/supervision/orders", RedLink: "/supervision/live"}

	// Twelve months up to this one: the trend and this month and last.
	// The first of the month eleven months back: twelve months in all.
	fy, fm := this.Year, this.N-11
	if fm < 1 {
		fy, fm = fy-1, fm+12
	}
	first := calendar.Date{Year: fy, Month: time.Month(fm), Day: 1}
	months, err := tally.Months(ctx, s.DB, a, first, today, "")
	if err != nil {
		return err
	}
	prior, err := tally.Months(ctx, s.DB, a, yearAgo.From, yearAgo.To, "")
	if err != nil {
		return err
	}
	keys := monthsOf(first, today)
	v.Trend, v.TrendRate = p.trendCharts("dash-trend", months, keys)
	now, lm, ly := monthRow(months, tally.MonthKey(this.From)), monthRow(months, tally.MonthKey(last.From)), monthRow(prior, tally.MonthKey(yearAgo.From))
	count := func(f func(tally.Row) int) (string, string, string, int) {
		return Count(f(now)), Count(f(lm)), Count(f(ly)), sign(float64(f(now) - f(lm)))
	}
	rate := func(rw tally.Row) string {
		if rw.Completed == 0 {
			return "—"
		}
		return Percent(rw.OnTimeRate)
	}
	days := func(rw tally.Row) string {
		if rw.Completed == 0 {
			return "—"
		}
		return Decimal(rw.AvgWorkingDays)
	}
	fig := func(key string, n, l, y string, dir, tone int) {
		v.Figures = append(v.Figures, dashFigure{Label: p.T(key), Now: n, Last: l, LastYear: y, Dir: dir, Tone: tone})
	}
	n1, l1, y1, d1 := count(func(r tally.Row) int { return r.Received })
	fig("bulletin.col.received", n1, l1, y1, d1, 0)
	n2, l2, y2, d2 := count(func(r tally.Row) int { return r.Completed })
	fig("bulletin.col.completed", n2, l2, y2, d2, 0)
	dRate := 0
	if now.Completed > 0 && lm.Completed > 0 {
		dRate = sign(now.OnTimeRate - lm.OnTimeRate)
	}
	fig("bulletin.col.on_time_rate", rate(now), rate(lm), rate(ly), dRate, dRate)
	dDays := 0
	if now.Completed > 0 && lm.Completed > 0 {
		dDays = sign(now.AvgWorkingDays - lm.AvgWorkingDays)
	}
	// Fewer days is the better news.
	fig("bulletin.col.avg_working_days", days(now), days(lm), days(ly), dDays, -dDays)

	// The worst five departments by on-time rate this month; a department
	// that completed nothing has no rate and is not "worst".
	b, err := tally.Bulletin(ctx, s.DB, a, tally.Query{From: this.From, To: today, By: "department"})
	if err != nil {
		return err
	}
	var rated []tally.Row
	for _, row := range b.Items {
		if row.Completed > 0 {
			rated = append(rated, row)
		}
	}
	sort.SliceStable(rated, func(i, j int) bool {
		if rated[i].OnTimeRate != rated[j].OnTimeRate {
			return rated[i].OnTimeRate < rated[j].OnTimeRate
		}
		return rated[i].Completed > rated[j].Completed
	})
	rated = rated[:min(5, len(rated))]
	for _, row := range rated {
		v.Worst = append(v.Worst, dashWorst{Name: row.Name, Completed: Count(row.Completed), OnTimeRate: Percent(row.OnTimeRate), Overdue: Count(row.Overdue)})
	}
	v.WorstCharts = p.bulletinTable(&tally.Report{Items: rated}, "department", false).Charts[0]

	if v.Red, err = s.openRed(ctx, a); err != nil {
		return err
	}
	if v.Headline, err = s.headline(r, p, a, today); err != nil {
		return err
	}
	p.Data = v
	return s.render(w, r, "dashboard", p)
}

// percent2 writes a rate to two decimals, as the county published its
// completion rate (98.55%), so the two columns compare digit for digit.
func percent2(v float64) string { return strconv.FormatFloat(v*100, 'f', 2, 64) + "%" }

func sign(d float64) int {
	switch {
	case d > 1e-9:
		return 1
	case d < -1e-9:
		return -1
	}
	return 0
}

// openRed counts the open cases in the reader's scope whose light is red:
// the live monitor's count (internal/monitor), by the case engine's rule.
func (s *Server) openRed(ctx context.Context, a org.Actor) (int, error) {
	sc, err := monitor.ScopeOf(a, "")
	if err != nil {
		return 0, err
	}
	t, err := s.Monitor.Totals(ctx, sc)
	return t.Red, err
}

// headline is the demo data's current year beside the county's
// published figures, shown only when this installation runs the demo
// county (its figures mean nothing for another county).
func (s *Server) headline(r *http.Request, p *Page, a org.Actor, today calendar.Date) (*dashHeadline, error) {
	var seed string
	if err := s.DB.Read().QueryRowContext(r.Context(), `SELECT value FROM settings WHERE key = 'demo_seed'`).Scan(&seed); err != nil {
		return nil, nil // not the demo
	}
	if a.County() != data.County.Code && !a.Province {
		return nil, nil
	}
	from := calendar.Date{Year: today.Year, Month: time.January, Day: 1}
	b, err := tally.Bulletin(r.Context(), s.DB, a, tally.Query{From: from, To: today, By: "county", County: data.County.Code})
	if err != nil {
		return nil, err
	}
	t := b.Total
	pub := data.Published
	h := &dashHeadline{Year: today.Year, Received: Count(t.Received), Completed: Count(t.Completed), Days: "—", CompletionRate: "—",
		PubMonths: pub.Months, PubReceived: Count(pub.Received), PubCompleted: Count(pub.Completed),
		PubRate: percent2(pub.CompletionRate()), PubDays: Decimal(pub.AvgDays),
		PubReceivedYear: Count(int(pub.PerYear(pub.Received) + 0.5)), PubCompletedYear: Count(int(pub.PerYear(pub.Completed) + 0.5))}
	if t.Received > 0 {
		// Completed ÷ received, as the county published its rate.
		h.CompletionRate = percent2(float64(t.Completed) / float64(t.Received))
	}
	if t.Completed > 0 {
		h.Days = Decimal(t.AvgWorkingDays)
	}
	return h, nil
}
