package web

import (
	"net/http"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/bulletin"
)

// A published bulletin is public (issue 12 §4): the portal lists what
// stands and shows each with its figures; names of departments, centres
// and townships only, never who published it.

func (s *Server) registerOpenBulletins() {
	s.handleReads("GET /open/bulletins", everyone, s.openBulletins)
	s.handle("GET /open/bulletins/{id}", everyone, s.openBulletin)
	s.handleReads("GET /api/v1/open/bulletins", everyone, s.apiOpenBulletins)
}

// openFilter reads ?county= (a county's six digits) and the page.
func openFilter(r *http.Request) (bulletin.Filter, error) {
	q := readQuery(r)
	f := bulletin.Filter{County: q.Text("county")}
	if f.County != "" && (len(f.County) != 6 || !allDigits(f.County)) {
		q.f.Add("county", "tally.county_invalid")
	}
	f.Limit, f.Offset = q.Page(20, 100)
	return f, q.Err()
}

type openBulletinsView struct {
	Items      []bulletin.Published
	Total      int
	Prev, Next string
}

func (s *Server) openBulletins(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "bulletin.open.title")
	f, err := openFilter(r)
	if err != nil {
		return err
	}
	items, total, err := s.Bulletins.List(r.Context(), f)
	if err != nil {
		return err
	}
	v := &openBulletinsView{Items: items, Total: total}
	page := func(off int) string {
		u := "/open/bulletins?offset=" + strconv.Itoa(off)
		if f.County != "" {
			u += "&county=" + f.County
		}
		return u
	}
	if f.Offset > 0 {
		v.Prev = page(max(0, f.Offset-f.Limit))
	}
	if f.Offset+f.Limit < total {
		v.Next = page(f.Offset + f.Limit)
	}
	p.Data = v
	return s.render(w, r, "bulletins_open", p)
}

type openBulletinView struct {
	B           *bulletin.Published
	PeriodLabel string
	Issue       string
	Table       *bulletinTable
	Queue       *bulletinQueueTable
}

func (s *Server) openBulletin(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.NotFoundf("entity.bulletin")
	}
	b, err := s.Bulletins.Get(r.Context(), id)
	if err != nil {
		return err
	}
	p := s.page(r, "bulletin.open.title")
	p.Title = b.Title
	v := &openBulletinView{B: b, PeriodLabel: p.periodLabel(b.Period)}
	if n := b.Period.Issue(); n > 0 {
		v.Issue = p.T("bulletin.issue", "Year", b.Period.Year, "N", n)
	}
	// A withdrawn bulletin says so and why; its figures are no longer
	// given out.
	if b.WithdrawnAt == nil {
		v.Table = p.bulletinTable(&b.Figures, b.By, false)
		v.Queue = p.bulletinQueueTable(b.Queue)
	}
	p.Data = v
	return s.render(w, r, "bulletin_open", p)
}

// openBulletinJSON is a published bulletin in the API: its groups and
// summary in the same row as the supervision bulletin's API
// (bulletinJSON), so a reader of both parses one shape.
type openBulletinJSON struct {
	ID          int64          `json:"id"`
	Title       string         `json:"title"`
	County      string         `json:"county"`
	CountyName  string         `json:"county_name"`
	PeriodKind  string         `json:"period_kind"`
	From        string         `json:"from"`
	To          string         `json:"to"`
	By          string         `json:"by"`
	Version     int            `json:"version"`
	PublishedAt string         `json:"published_at"`
	URL         string         `json:"url"`
	Items       []*bulletinRow `json:"items"`
	Summary     *bulletinRow   `json:"summary"`
	// Queue is the queue's figures as published (absent before they
	// were part of a bulletin).
	Queue *bulletin.Queue `json:"queue,omitempty"`
	// Duty: a month's leaders' duty table as published ([] otherwise).
	Duty []bulletin.DutyRow `json:"duty"`
}

func (s *Server) apiOpenBulletins(w http.ResponseWriter, r *http.Request) error {
	f, err := openFilter(r)
	if err != nil {
		return err
	}
	items, total, err := s.Bulletins.List(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]openBulletinJSON, 0, len(items))
	for _, b := range items {
		j := openBulletinJSON{ID: b.ID, Title: b.Title, County: b.County, CountyName: b.CountyName, PeriodKind: string(b.Period.Kind),
			From: b.Period.From.String(), To: b.Period.To.String(), By: b.By, Version: b.Version,
			PublishedAt: b.PublishedAt.UTC().Format("2006-01-02T15:04:05Z"), URL: s.publicURL("/open/bulletins/" + strconv.FormatInt(b.ID, 10)),
			Summary: bulletinJSON(&b.Figures.Total), Items: make([]*bulletinRow, len(b.Figures.Items)), Queue: b.Queue, Duty: b.Duty}
		if j.Duty == nil {
			j.Duty = []bulletin.DutyRow{}
		}
		for i := range b.Figures.Items {
			j.Items[i] = bulletinJSON(&b.Figures.Items[i])
		}
		out = append(out, j)
	}
	return listJSON(w, out, total)
}
