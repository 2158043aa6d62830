package web

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/bulletin"
	"onestop/internal/chart"
	"onestop/internal/clock"
	"onestop/internal/duty"
	"onestop/internal/org"
	"onestop/internal/tally"
)

// Bulletins (issue 12 §4): supervisors and leaders read a period's figures
// by department, centre or township as a printable page, a workbook and
// charts drawn here; a supervisor publishes them for the portal. The
// figures come from the running totals (internal/tally); the period, the
// columns and the publication from internal/bulletin.

var (
	// Supervision reads a county at least (tally.Bulletin says the same).
	bulletinReaders    = access{Roles: []org.Role{org.Supervisor, org.Leader}, CountyWide: true}
	bulletinPublishers = access{Roles: []org.Role{org.Supervisor}, CountyWide: true}
)

func (s *Server) registerBulletins() {
	s.handle("GET /supervision/bulletin", bulletinReaders, s.bulletinPage)
	s.handleReads("GET /supervision/bulletin.xlsx", bulletinReaders, s.bulletinXLSX)
	s.handle("POST /supervision/bulletins", bulletinPublishers, s.publishBulletin)
	s.handle("POST /supervision/bulletins/{id}/withdraw", bulletinPublishers, s.withdrawBulletin)
	s.registerOpenBulletins()
}

// bulletinAsk is what a reader asked for: a period, a grouping and an
// optional county.
type bulletinAsk struct {
	Period bulletin.Period
	By     string
	County string
	// Raw are the values as given, to show back in the picker.
	Code, From, To string
}

// query is the ask as URL parameters, for links to the workbook and back.
func (k bulletinAsk) query() string {
	v := url.Values{"by": {k.By}}
	if k.Period.Kind == bulletin.Range {
		v.Set("from", k.Period.From.String())
		v.Set("to", k.Period.To.String())
	} else {
		v.Set("period", k.Period.Code())
	}
	if k.County != "" {
		v.Set("county", k.County)
	}
	return v.Encode()
}

// readBulletinAsk reads the picker's values from get (the query or the
// publish form). Problems are field errors, in the reader's language on
// the page: never a 500, never "everything" for a county outside scope.
func (s *Server) readBulletinAsk(a org.Actor, get func(string) string) (bulletinAsk, error) {
	k := bulletinAsk{Code: get("period"), From: get("from"), To: get("to"), By: get("by"), County: get("county")}
	f := apperr.Fields{}
	p, err := bulletin.Parse(k.Code, k.From, k.To, clock.Today(s.Now()))
	if ae := apperr.As(err); ae != nil {
		for name, m := range ae.Fields {
			f[name] = m
		}
	} else if err != nil {
		return k, err
	}
	k.Period = p
	if k.By == "" {
		k.By = "department"
	}
	if !validGrouping(k.By) {
		f.Add("by", "tally.by_invalid")
	}
	if k.County != "" {
		switch {
		case len(k.County) != 6 || !allDigits(k.County):
			f.Add("county", "tally.county_invalid")
		case !a.CoversRegion(k.County):
			// Named as a field problem rather than a bare 403 page: the
			// reader sees the picker again with the county marked.
			f.Add("county", "tally.county_outside")
		}
	}
	return k, f.Err()
}

func validGrouping(by string) bool {
	for _, g := range tally.Groupings {
		if g == by {
			return true
		}
	}
	return false
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// bulletinCell is one figure as shown: its words, and for a change its
// direction (1 up, -1 down) and whether that is good news (Tone 1) or
// bad (-1): more cases received is neither.
type bulletinCell struct {
	Text string
	Dir  int
	Tone int
}

type bulletinTableRow struct {
	Name, County string
	Cells        []bulletinCell
}

type bulletinColumn struct {
	Key, Header string
}

// bulletinTable is a bulletin as the pages show it, in the reader's
// language: the page, the portal and the print all use it.
type bulletinTable struct {
	NameHeader string
	WithCounty bool
	Columns    []bulletinColumn
	Rows       []bulletinTableRow
	Total      bulletinTableRow
	Charts     []template.HTML
}

// periodLabel names a period in words: 2026年3月, 2026年第1季度 …
func (p *Page) periodLabel(per bulletin.Period) string {
	switch per.Kind {
	case bulletin.Month:
		return p.T("bulletin.period.month", "Year", per.Year, "N", per.N, "Name", time.Month(per.N).String())
	case bulletin.Quarter:
		return p.T("bulletin.period.quarter", "Year", per.Year, "N", per.N)
	case bulletin.Half:
		return p.T("bulletin.period.half"+strconv.Itoa(per.N), "Year", per.Year)
	case bulletin.Year:
		return p.T("bulletin.period.year", "Year", per.Year)
	}
	return p.T("bulletin.period.range", "From", p.Day(per.From), "To", p.Day(per.To))
}

// cell formats one figure of a row.
func (p *Page) bulletinCell(c bulletin.Column, r tally.Row, total bool) bulletinCell {
	v, ok := c.Value(r)
	if !ok || (total && c.Key == "rank") {
		return bulletinCell{Text: "—"}
	}
	var out bulletinCell
	switch c.Unit {
	case bulletin.Share:
		out.Text = Percent(v)
	case bulletin.Days:
		out.Text = Decimal(v)
	case bulletin.Points:
		out.Text = strconv.FormatFloat(math.Abs(v)*100, 'f', 1, 64)
	default:
		out.Text = Count(int(v))
		if c.Change() {
			out.Text = Count(int(math.Abs(v)))
		}
	}
	if c.Change() {
		switch {
		case v > 1e-9:
			out.Dir = 1
			out.Text = "↑" + out.Text
		case v < -1e-9:
			out.Dir = -1
			out.Text = "↓" + out.Text
		}
		if c.Key == "on_time_change" {
			out.Tone = out.Dir
		}
	}
	return out
}

// bulletinTable turns figures into the table and its two bar charts (the
// on-time rate and the cases received per group).
func (p *Page) bulletinTable(b *tally.Report, by string, withCounty bool) *bulletinTable {
	t := &bulletinTable{NameHeader: p.T("bulletin.by." + by), WithCounty: withCounty}
	for _, c := range bulletin.Columns {
		t.Columns = append(t.Columns, bulletinColumn{Key: c.Key, Header: p.T("bulletin.col." + c.Key)})
	}
	row := func(r tally.Row, total bool) bulletinTableRow {
		out := bulletinTableRow{Name: r.Name, County: r.County}
		for _, c := range bulletin.Columns {
			out.Cells = append(out.Cells, p.bulletinCell(c, r, total))
		}
		return out
	}
	onTime := chart.Bars{ID: "chart-ontime", Title: p.T("bulletin.chart.on_time"), Desc: p.T("bulletin.chart.on_time_desc"),
		Axis: p.T("bulletin.col.on_time_rate"), Max: 1, Format: Percent, Empty: p.T("bulletin.none")}
	received := chart.Bars{ID: "chart-received", Title: p.T("bulletin.chart.received"), Desc: p.T("bulletin.chart.received_desc"),
		Axis: p.T("bulletin.col.received"), Format: chart.Number, Empty: p.T("bulletin.none")}
	for _, r := range b.Items {
		t.Rows = append(t.Rows, row(r, false))
		rate := r.OnTimeRate
		if r.Completed == 0 {
			rate = math.NaN() // nothing completed: no rate, not 0%
		}
		onTime.Bars = append(onTime.Bars, chart.Bar{Label: r.Name, Value: rate})
		received.Bars = append(received.Bars, chart.Bar{Label: r.Name, Value: float64(r.Received)})
	}
	t.Total = row(b.Total, true)
	t.Total.Name = p.T("bulletin.total")
	// The chart package escapes every text it writes.
	t.Charts = []template.HTML{template.HTML(onTime.SVG()), template.HTML(received.SVG())}
	return t
}

// bulletinView is the supervision page's data.
type bulletinView struct {
	Ask                             bulletinAsk
	Heading, PeriodLabel, Issue     string
	Months, Quarters, Halves, Years []bulletinChoice
	Groupings                       []bulletinChoice
	Counties                        []bulletinChoice
	Table                           *bulletinTable
	Queue                           *bulletinQueueTable
	Trend, TrendRate                template.HTML
	XLSX                            string
	CanPublish                      bool
	PublishTitle                    string
	Published                       []bulletin.Published
	Generated                       string
	CountyFilterShown               bool
	SelectedRange                   bool
	// Duty: leaders' window duty of the month's departments (duty.go),
	// shown for a month's bulletin only, short ones marked red.
	Duty []duty.DepartmentMonth
}

type bulletinChoice struct {
	Value, Label string
	Selected     bool
}

// countyName is the name of the county the bulletin is about: the
// filter's, the reader's own, or the whole installation's for a
// province-wide reader.
func (s *Server) countyName(r *http.Request, p *Page, a org.Actor, code string) string {
	if code == "" {
		code = a.County()
		if a.Province {
			return p.T("bulletin.province")
		}
	}
	if reg, err := s.Org.Region(r.Context(), code); err == nil {
		return reg.Name
	}
	return code
}

// buildBulletinView fills the picker for k and, when k has no problem,
// the figures. err is k's problem, shown beside the fields.
func (s *Server) buildBulletinView(r *http.Request, p *Page, a org.Actor, k bulletinAsk, askErr error) (*bulletinView, error) {
	ctx := r.Context()
	today := clock.Today(s.Now())
	v := &bulletinView{Ask: k, SelectedRange: k.Period.Kind == bulletin.Range}
	months, quarters, halves, years := bulletin.Choices(today)
	pick := func(ps []bulletin.Period) []bulletinChoice {
		var out []bulletinChoice
		for _, per := range ps {
			out = append(out, bulletinChoice{Value: per.Code(), Label: p.periodLabel(per), Selected: !v.SelectedRange && per.Code() == k.Period.Code()})
		}
		return out
	}
	v.Months, v.Quarters, v.Halves, v.Years = pick(months), pick(quarters), pick(halves), pick(years)
	groupings := []string{"department", "centre", "township"}
	if a.Province {
		groupings = append(groupings, "county")
	}
	for _, g := range groupings {
		v.Groupings = append(v.Groupings, bulletinChoice{Value: g, Label: p.T("bulletin.by." + g), Selected: g == k.By})
	}
	if a.Province {
		counties, err := s.Org.Counties(ctx)
		if err != nil {
			return nil, err
		}
		v.CountyFilterShown = true
		for _, c := range counties {
			v.Counties = append(v.Counties, bulletinChoice{Value: c.Code, Label: c.Name, Selected: c.Code == k.County})
		}
	}
	county := s.countyName(r, p, a, k.County)
	v.Heading = p.T("bulletin.heading", "County", county)
	if askErr != nil {
		return v, nil
	}
	v.PeriodLabel = p.periodLabel(k.Period)
	if n := k.Period.Issue(); n > 0 {
		v.Issue = p.T("bulletin.issue", "Year", k.Period.Year, "N", n)
	}
	b, err := tally.Bulletin(ctx, s.DB, a, tally.Query{From: k.Period.From, To: k.Period.To, By: k.By, County: k.County})
	if err != nil {
		return nil, err
	}
	v.Table = p.bulletinTable(b, k.By, a.Province)
	qf, err := bulletin.QueueFigures(ctx, s.DB.Read(), a, k.County, k.Period.From, k.Period.To)
	if err != nil {
		return nil, err
	}
	v.Queue = p.bulletinQueueTable(qf)
	if k.Period.Kind != bulletin.Month && k.Period.Days() > 31 {
		months, err := tally.Months(ctx, s.DB, a, k.Period.From, k.Period.To, k.County)
		if err != nil {
			return nil, err
		}
		v.Trend, v.TrendRate = p.trendCharts("chart-trend", months, monthsOf(k.Period.From, k.Period.To))
	}
	v.XLSX = "/supervision/bulletin.xlsx?" + k.query()
	v.Generated = p.Date(s.Now())
	// The record is published for one county: a province-wide reader
	// names the county first; a county grouping is not a county's bulletin.
	v.CanPublish = a.Role == org.Supervisor && k.By != "county" && (!a.Province || k.County != "")
	// Official documents are in Chinese whatever the UI language
	// (国家通用语言文字法 Art. 9, docs/DOMAIN.md §12).
	zh := &Page{s: s, Lang: defaultLang}
	v.PublishTitle = zh.T("bulletin.heading", "County", s.countyName(r, zh, a, k.County)) + " " + zh.periodLabel(k.Period)
	if n := k.Period.Issue(); n > 0 {
		v.PublishTitle += " " + zh.T("bulletin.issue", "Year", k.Period.Year, "N", n)
	}
	filter := bulletin.Filter{County: a.County(), All: true, Limit: 50}
	if a.Province {
		filter.County = k.County
	}
	if v.Published, _, err = s.Bulletins.List(ctx, filter); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Server) bulletinPage(w http.ResponseWriter, r *http.Request) error {
	a := *reqInfo(r).Actor
	p := s.page(r, "bulletin.title")
	q := r.URL.Query()
	k, askErr := s.readBulletinAsk(a, q.Get)
	v, err := s.buildBulletinView(r, p, a, k, askErr)
	if err != nil {
		return err
	}
	p.Data = v
	if askErr != nil {
		return s.formFailed(w, r, "bulletin", p, askErr)
	}
	if k.Period.Kind == bulletin.Month {
		if v.Duty, err = s.Duty.Month(r.Context(), a, k.Period.From, 0); err != nil {
			return err
		}
	}
	return s.render(w, r, "bulletin", p)
}

// bulletinXLSX sends the page's figures as a workbook, built in memory so
// a failure answers an error page rather than half a file.
func (s *Server) bulletinXLSX(w http.ResponseWriter, r *http.Request) error {
	a := *reqInfo(r).Actor
	p := s.page(r, "bulletin.title")
	k, err := s.readBulletinAsk(a, r.URL.Query().Get)
	if err != nil {
		return err
	}
	b, err := tally.Bulletin(r.Context(), s.DB, a, tally.Query{From: k.Period.From, To: k.Period.To, By: k.By, County: k.County})
	if err != nil {
		return err
	}
	qf, err := bulletin.QueueFigures(r.Context(), s.DB.Read(), a, k.County, k.Period.From, k.Period.To)
	if err != nil {
		return err
	}
	heading := p.T("bulletin.heading", "County", s.countyName(r, p, a, k.County)) + " " + p.periodLabel(k.Period)
	if n := k.Period.Issue(); n > 0 {
		heading += " " + p.T("bulletin.issue", "Year", k.Period.Year, "N", n)
	}
	labels := bulletin.Labels{Sheet: p.T("bulletin.sheet"), Heading: heading,
		Name: p.T("bulletin.by." + k.By), County: p.T("bulletin.col.county"), Total: p.T("bulletin.total"),
		Header: func(key string) string { return p.T("bulletin.col." + key) }, Queue: p.bulletinQueueSheet(qf)}
	// A month's workbook carries the page's duty table as its own sheet.
	if k.Period.Kind == bulletin.Month {
		ms, err := s.Duty.Month(r.Context(), a, k.Period.From, 0)
		if err != nil {
			return err
		}
		labels.Duty = bulletin.DutyRows(ms)
		labels.DutyLabels = bulletin.DutyLabels{Sheet: p.T("duty.sheet"), Heading: heading + " " + p.T("duty.title"), Short: p.T("duty.short"),
			Header: func(key string) string { return p.T("duty." + key) }}
	}
	var buf bytes.Buffer
	err = bulletin.Workbook(&buf, b, a.Province, labels)
	if err != nil {
		return err
	}
	name := "bulletin-" + k.Period.From.String() + "-" + k.Period.To.String() + "-" + k.By + ".xlsx"
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// publishBulletin freezes the figures of the form's period for the
// portal. The same period again needs "new version" ticked.
func (s *Server) publishBulletin(w http.ResponseWriter, r *http.Request) error {
	a := *reqInfo(r).Actor
	k, askErr := s.readBulletinAsk(a, r.PostFormValue)
	p := s.page(r, "bulletin.title")
	fail := func(err error) error {
		v, verr := s.buildBulletinView(r, p, a, k, askErr)
		if verr != nil {
			return verr
		}
		p.Data = v
		return s.formFailed(w, r, "bulletin", p, err)
	}
	if askErr != nil {
		return fail(askErr)
	}
	pub, err := s.Bulletins.Publish(r.Context(), a, bulletin.Input{Period: k.Period, By: k.By, County: k.County,
		Title: r.PostFormValue("title"), NewVersion: r.PostFormValue("new_version") != ""})
	if err != nil {
		return fail(err)
	}
	s.syncDisclosure(r.Context()) // the county government's catalogue lists it at once
	s.flash(r, "bulletin.published")
	http.Redirect(w, r, fmt.Sprintf("/open/bulletins/%d", pub.ID), http.StatusSeeOther)
	return nil
}

// withdrawBulletin takes a bulletin off the portal, with a reason.
func (s *Server) withdrawBulletin(w http.ResponseWriter, r *http.Request) error {
	a := *reqInfo(r).Actor
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.NotFoundf("entity.bulletin")
	}
	if err := s.Bulletins.Withdraw(r.Context(), a, id, r.PostFormValue("reason")); err != nil {
		if ae := apperr.As(err); ae != nil && (ae.Code == apperr.Invalid || ae.Code == apperr.Conflict) {
			p := s.page(r, "bulletin.title")
			k, askErr := s.readBulletinAsk(a, func(string) string { return "" })
			v, verr := s.buildBulletinView(r, p, a, k, askErr)
			if verr != nil {
				return verr
			}
			p.Data = v
			return s.formFailed(w, r, "bulletin", p, err)
		}
		return err
	}
	s.syncDisclosure(r.Context())
	s.flash(r, "bulletin.withdrawn")
	http.Redirect(w, r, "/supervision/bulletin", http.StatusSeeOther)
	return nil
}
