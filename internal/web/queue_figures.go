package web

import (
	"net/http"
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
	s.handle("GET /api/v1/queue/figures", queueAdmins, s.apiQueueFigures)
}

// queueFiguresView is the page's data.
type queueFiguresView struct {
	Centre  org.Centre
	Centres []queue.Centre
	Groups  []queue.Group
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
	c, f, err := s.queueFigures(r)
	if err != nil {
		return err
	}
	v := &queueFiguresView{Centre: c, F: f, Totals: []queue.Row{f.Total}}
	if v.Groups, err = s.Queue.Groups(r.Context(), c.ID); err != nil {
		return err
	}
	if a := actor(r); a.CountyWide() {
		all, err := s.Queue.Centres(r.Context())
		if err != nil {
			return err
		}
		for _, x := range all {
			if oc, err := s.Org.Centre(r.Context(), x.ID); err == nil && queue.Manages(a, oc) {
				v.Centres = append(v.Centres, x)
			}
		}
	}
	p := s.page(r, "queue.figures_title")
	p.Form["from"], p.Form["to"], p.Form["centre"] = f.From.String(), f.To.String(), c.Code
	p.Data = v
	return s.render(w, r, "queue_figures", p)
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
	return map[string]any{"id": r.ID, "name": r.Name, "issued": r.Issued, "wait": secondsStat(r.Wait), "service": secondsStat(r.Service),
		"no_shows": r.NoShows, "transferred": r.Transferred, "never_called": r.NeverCalled}
}

func secondsRows(rs []queue.Row) []map[string]any {
	out := make([]map[string]any, 0, len(rs))
	for _, r := range rs {
		out = append(out, secondsRow(r))
	}
	return out
}
