package web

import (
	"net/http"

	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/disclosure"
	"onestop/internal/disclosure/publication"
)

// The public disclosure section as JSON (openapi.json): published entries
// only, filtered by organ, category and a search.

func (s *Server) registerDisclosureAPI() {
	s.handleReads("GET /api/v1/disclosure/entries", everyone, s.apiDisclosureEntries)
	s.handleReads("GET /api/v1/disclosure/entries/{id}", everyone, s.apiDisclosureEntry)
	// The office's work by API: any member of staff reaches the routes,
	// the grant decides (publication.Service), as on the pages.
	s.handle("GET /api/v1/disclosure/organs", anyStaff, s.apiDisclosureOrgans)
	s.handle("GET /api/v1/disclosure/organs/{id}/entries", anyStaff, s.apiDisclosureCatalogue)
	s.handle("POST /api/v1/disclosure/organs/{id}/entries", anyStaff, s.apiDisclosureDraft)
	s.handle("PUT /api/v1/disclosure/entries/{id}", anyStaff, s.apiDisclosureUpdate)
	s.handle("POST /api/v1/disclosure/entries/{id}/{action}", anyStaff, s.apiDisclosureStep)
}

// staffEntry is an entry as its office reads it: with the head's return
// note and the withdrawal's reason, which the public never sees.
type staffEntry struct {
	publication.Entry
	ReviewNote     string `json:"review_note,omitempty"`
	WithdrawReason string `json:"withdraw_reason,omitempty"`
}

func staffEntries(list []publication.Entry) []staffEntry {
	out := make([]staffEntry, 0, len(list))
	for _, e := range list {
		out = append(out, staffEntry{Entry: e, ReviewNote: e.ReviewNote, WithdrawReason: e.WithdrawReason})
	}
	return out
}

func (s *Server) apiDisclosureOrgans(w http.ResponseWriter, r *http.Request) error {
	list, err := disclosure.Organs(r.Context(), s.DB.Read(), actor(r))
	if err != nil {
		return err
	}
	return listJSON(w, list, len(list))
}

func (s *Server) apiDisclosureCatalogue(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "disclosure_pub.organ")
	if err != nil {
		return err
	}
	q := readQuery(r)
	f := publication.Filter{OrganID: id, Category: disclosure.Category(q.Text("category")), Status: q.Text("status"), Overdue: q.Flag("overdue")}
	f.Limit, f.Offset = q.Page(20, 100)
	if err := q.Err(); err != nil {
		return err
	}
	_, items, total, err := s.Publication.Catalogue(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	return listJSON(w, staffEntries(items), total)
}

func (s *Server) apiDisclosureDraft(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "disclosure_pub.organ")
	if err != nil {
		return err
	}
	var in publication.Input
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := s.Publication.Draft(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, staffEntries([]publication.Entry{e})[0])
}

func (s *Server) apiDisclosureUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "disclosure_pub.entity")
	if err != nil {
		return err
	}
	var in publication.Input
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := s.Publication.Update(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, staffEntries([]publication.Entry{e})[0])
}

func (s *Server) apiDisclosureStep(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "disclosure_pub.entity")
	if err != nil {
		return err
	}
	var in stepInput
	if r.ContentLength != 0 {
		if err := decode(r, &in); err != nil {
			return err
		}
	}
	if err := s.entryStep(r, id, r.PathValue("action"), in); err != nil {
		return err
	}
	_, e, err := s.Publication.Get(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, staffEntries([]publication.Entry{e})[0])
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
