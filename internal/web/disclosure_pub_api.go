package web

import (
	"net/http"

	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/disclosure/publication"
)

// The public disclosure section as JSON (openapi.json): published entries
// only, filtered by organ, category and a search.

func (s *Server) registerDisclosureAPI() {
	s.handle("GET /api/v1/disclosure/entries", everyone, s.apiDisclosureEntries)
	s.handle("GET /api/v1/disclosure/entries/{id}", everyone, s.apiDisclosureEntry)
}

// apiEntry is an entry with its state on today's date: "repealed" for a
// repealed policy document, and whether a policy document is in force.
type apiEntry struct {
	publication.Entry
	State   string `json:"state"`
	InForce *bool  `json:"in_force,omitempty"`
}

func newAPIEntry(e publication.Entry, today calendar.Date) apiEntry {
	v := apiEntry{Entry: e, State: e.State(today)}
	if e.IssuedOn != nil {
		in := e.InForce(today)
		v.InForce = &in
	}
	return v
}

func (s *Server) apiDisclosureEntries(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r)
	organ := q.Int("organ")
	if organ < 0 {
		q.f.Add("organ", "error.number")
	}
	if err := q.Err(); err != nil {
		return err
	}
	items, total, err := s.Publication.Public(r.Context(), publicFilter(r, organ))
	if err != nil {
		return err
	}
	today := clock.Today(s.Now())
	out := make([]apiEntry, 0, len(items))
	for _, e := range items {
		out = append(out, newAPIEntry(e, today))
	}
	return listJSON(w, out, total)
}

func (s *Server) apiDisclosureEntry(w http.ResponseWriter, r *http.Request) error {
	e, err := s.publicEntry(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newAPIEntry(e, clock.Today(s.Now())))
}
