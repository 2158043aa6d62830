package web

import (
	"net/http"
	"net/url"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/queue"
)

// The queue's figures for the centre admin (issue 15 §4): waiting and
// service times per window, group and department over a period, read
// from the tickets' timestamps (queue/figures.go).

var queueAdmins = roles(org.CentreAdmin)

func (s *Server) registerQueueFigures() {
	s.handle("GET /admin/queue", queueAdmins, s.queueFiguresPage)
	s.handle("POST /admin/queue/groups", queueAdmins, s.queueGroupCreate)
	s.handle("GET /api/v1/queue/figures", queueAdmins, s.apiQueueFigures)
}

// queueFiguresView is the page's data.
type queueFiguresView struct {
	Centre  org.Centre
	Centres []org.Centre
	Groups  []queue.Group
	Retired []queue.Group
	Recent  []queue.Ticket // the period's latest tickets, to their records
	Windows []org.Window
	F       queue.Figures
	Totals  []queue.Row // F.Total, as the table's one row
}

// Span is a waiting or service time as the figures show it: minutes and
// seconds, "—" without any.
func (p *Page) Span(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	return p.T("queue.span", "M", int(d/time.Minute), "S", int(d%time.Minute/time.Second))
}

// queueFigures reads ?centre= (a code; the admin's own centre without one)
// and ?from= ?to= (this month up to today without them) against the
// admin's reach: another county's or another township's centre is not
// found.
func (s *Server) queueFigures(r *http.Request) (org.Centre, queue.Figures, error) {
	a := actor(r)
	q := readQuery(r)
	today := clock.Today(s.Now())
	from, ok := q.Date("from")
	if !ok {
		from = calendar.Date{Year: today.Year, Month: today.Month, Day: 1}
	}
	to, ok := q.Date("to")
	if !ok {
		to = today
	}
	if to.Before(from) {
		q.f.Add("to", "queue.bad_period")
	} else if from.AddDays(366).Before(to) {
		q.f.Add("to", "queue.period_too_long")
	}
	if err := q.Err(); err != nil {
		return org.Centre{}, queue.Figures{}, err
	}
	id := a.CentreID
	if code := q.Text("centre"); code != "" {
		c, err := s.Queue.CentreByCode(r.Context(), code)
		if err != nil {
			return org.Centre{}, queue.Figures{}, err
		}
		id = c.ID
	}
	c, err := s.Org.Centre(r.Context(), id)
	if err != nil || !queue.Manages(a, c) {
		return org.Centre{}, queue.Figures{}, apperr.NotFoundf("entity.centre")
	}
	f, err := s.Queue.Figures(r.Context(), c.ID, from, to)
	return c, f, err
}

func (s *Server) queueFiguresPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.queueFiguresData(r)
	if err != nil {
		return err
	}
	return s.render(w, r, "queue_figures", p)
}

// queueFiguresData is the page: the figures, the centre's groups and
// windows (to set up a group), and the centres the admin may pick.
func (s *Server) queueFiguresData(r *http.Request) (*Page, error) {
	c, f, err := s.queueFigures(r)
	if err != nil {
		return nil, err
	}
	ctx, a := r.Context(), actor(r)
	v := &queueFiguresView{Centre: c, F: f, Totals: []queue.Row{f.Total}}
	if v.Groups, err = s.Queue.Groups(ctx, c.ID); err != nil {
		return nil, err
	}
	if v.Retired, err = s.Queue.RetiredGroups(ctx, c.ID); err != nil {
		return nil, err
	}
	if v.Recent, err = s.Queue.Recent(ctx, c.ID, f.From, f.To); err != nil {
		return nil, err
	}
	if v.Windows, _, err = s.Org.Windows(ctx, a, org.WindowFilter{CentreID: c.ID}, org.ListOptions{Limit: 500}); err != nil {
		return nil, err
	}
	if a.CountyWide() {
		all, _, err := s.Org.Centres(ctx, "", org.ListOptions{Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, x := range all {
			if queue.Manages(a, x) {
				v.Centres = append(v.Centres, x)
			}
		}
	}
	p := s.page(r, "queue.figures_title")
	p.Form["from"], p.Form["to"], p.Form["centre"] = f.From.String(), f.To.String(), c.Code
	p.Data = v
	return p, nil
}

// queueGroupCreate sets up a queue group at the page's centre.
func (s *Server) queueGroupCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	p, err := s.queueFiguresData(r)
	if err != nil {
		return err
	}
	v := p.Data.(*queueFiguresView)
	f := apperr.Fields{}
	in := queue.GroupInput{Prefix: r.PostFormValue("prefix"), Name: r.PostFormValue("name"), Position: len(v.Groups) + 1,
		DepartmentID: formID(f, "department_id", r.PostFormValue("department_id"))}
	for _, w := range r.PostForm["windows"] {
		in.WindowIDs = append(in.WindowIDs, formID(f, "windows", w))
	}
	for _, k := range []string{"prefix", "name", "department_id"} {
		p.Form[k] = r.PostFormValue(k)
	}
	if err := f.Err(); err != nil {
		return s.formFailed(w, r, "queue_figures", p, err)
	}
	if _, err := s.Queue.CreateGroup(r.Context(), actor(r), v.Centre, in); err != nil {
		return s.formFailed(w, r, "queue_figures", p, err)
	}
	s.flash(r, "queue.group_created")
	http.Redirect(w, r, "/admin/queue?centre="+url.QueryEscape(v.Centre.Code), http.StatusSeeOther)
	return nil
}

// apiQueueFigures is the figures as JSON; durations are in seconds.
func (s *Server) apiQueueFigures(w http.ResponseWriter, r *http.Request) error {
	c, f, err := s.queueFigures(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"centre": c.Code, "from": f.From.String(), "to": f.To.String(),
		"windows": secondsRows(f.Windows), "groups": secondsRows(f.Groups), "departments": secondsRows(f.Departments),
		"total": secondsRow(f.Total)})
}

type statJSON struct {
	Count  int     `json:"count"`
	Mean   float64 `json:"mean_seconds"`
	Median float64 `json:"median_seconds"`
	Max    float64 `json:"max_seconds"`
}

func secondsStat(st queue.Stat) statJSON {
	return statJSON{Count: st.Count, Mean: st.Mean.Seconds(), Median: st.Median.Seconds(), Max: st.Max.Seconds()}
}

func secondsRow(r queue.Row) map[string]any {
	return map[string]any{"id": r.ID, "name": r.Name, "issued": r.Issued, "served": r.Served, "wait": secondsStat(r.Wait), "service": secondsStat(r.Service),
		"no_shows": r.NoShows, "transferred": r.Transferred, "never_called": r.NeverCalled}
}

func secondsRows(rs []queue.Row) []map[string]any {
	out := make([]map[string]any, 0, len(rs))
	for _, r := range rs {
		out = append(out, secondsRow(r))
	}
	return out
}
