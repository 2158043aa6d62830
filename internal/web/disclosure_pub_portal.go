package web

import (
	"net/http"

	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/disclosure"
	"onestop/internal/disclosure/publication"
)

// The public disclosure section (政府信息公开专栏, issue 16 item 1): no
// sign-in, the organs, each organ's catalogue by category, full-text
// search and the entries. Only published entries, ever: the service's
// Public and PublicEntry read nothing else. /gk is the short path county
// sites use for 公开 (gongkai).

func (s *Server) registerDisclosurePortal() {
	s.handleReads("GET /gk", everyone, s.gkHome)
	s.handleReads("GET /gk/organs/{id}", everyone, s.gkOrgan)
	s.handleReads("GET /gk/entries/{id}", everyone, s.gkEntry)
}

type gkView struct {
	Organs     []publication.PublicOrgan
	Organ      *disclosure.Organ
	Items      []publication.Entry
	Pager      pager
	Q          string
	Category   string
	Categories []disclosure.Category
	Searched   bool
	Today      calendar.Date
}

// publicFilter reads ?q=, ?category= and the page; an unknown category
// is the field's error (publication.Public), a 50,000-character q is
// refused before any handler runs (checkQuery).
func publicFilter(r *http.Request, organ int64) publication.Filter {
	q := readQuery(r)
	f := publication.Filter{OrganID: organ, Q: q.Text("q"), Category: disclosure.Category(q.Text("category"))}
	f.Limit, f.Offset = q.Page(20, 50)
	return f
}

func (s *Server) gkHome(w http.ResponseWriter, r *http.Request) error {
	organs, err := s.Publication.PublicOrgans(r.Context())
	if err != nil {
		return err
	}
	f := publicFilter(r, 0)
	v := gkView{Organs: organs, Q: f.Q, Category: string(f.Category), Categories: disclosure.Categories, Today: clock.Today(s.Now())}
	// The front page lists the latest entries; a search or a category
	// narrows them.
	v.Searched = f.Q != "" || f.Category != ""
	f.Standard = !v.Searched
	items, total, err := s.Publication.Public(r.Context(), f)
	if err != nil {
		return err
	}
	v.Items, v.Pager = items, newPager(r, total, f.Offset, f.Limit)
	p := s.page(r, "disclosure_pub.gk")
	p.Data = v
	return s.render(w, r, "gk", p)
}

func (s *Server) gkOrgan(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "disclosure_pub.organ")
	if err != nil {
		return err
	}
	o, err := s.Publication.PublicOrgan(r.Context(), id)
	if err != nil {
		return err
	}
	f := publicFilter(r, id)
	items, total, err := s.Publication.Public(r.Context(), f)
	if err != nil {
		return err
	}
	p := s.page(r, "disclosure_pub.gk")
	p.Title = o.Name
	p.Data = gkView{Organ: &o, Items: items, Pager: newPager(r, total, f.Offset, f.Limit), Q: f.Q, Category: string(f.Category),
		Categories: disclosure.Categories, Searched: true, Today: clock.Today(s.Now())}
	return s.render(w, r, "gk", p)
}

type gkEntryView struct {
	Entry publication.Entry
	Today calendar.Date
}

// publicEntry reads the published entry {id}; anything else is "not found".
func (s *Server) publicEntry(r *http.Request) (publication.Entry, error) {
	id, err := pathID(r, "disclosure_pub.entity")
	if err != nil {
		return publication.Entry{}, err
	}
	return s.Publication.PublicEntry(r.Context(), id)
}

func (s *Server) gkEntry(w http.ResponseWriter, r *http.Request) error {
	e, err := s.publicEntry(r)
	if err != nil {
		return err
	}
	p := s.page(r, "disclosure_pub.gk")
	p.Title = e.Title
	p.Data = gkEntryView{Entry: e, Today: clock.Today(s.Now())}
	return s.render(w, r, "gk_entry", p)
}
