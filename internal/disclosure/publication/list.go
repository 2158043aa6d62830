package publication

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"onestop/internal/apperr"
	"onestop/internal/disclosure"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Filter narrows a list. The zero value of each field narrows nothing;
// what it may widen to is the caller's scope (an organ the actor reads,
// or the published entries).
type Filter struct {
	OrganID  int64
	Category disclosure.Category
	Status   string
	// Overdue: drafts and entries under review past their deadline.
	Overdue bool
	// Q searches title, document number and body.
	Q string
	// Standard keeps to the categories an organ keeps by hand (the
	// public front page: hundreds of service entries would bury them).
	Standard      bool
	Limit, Offset int
}

func (s *Service) list(ctx context.Context, w store.Where, f Filter, published bool) ([]Entry, int, error) {
	if f.Category != "" {
		w.Add("e.category = ?", string(f.Category))
	}
	if f.Status != "" {
		w.Add("e.status = ?", f.Status)
	}
	if f.Overdue {
		w.Add("e.status IN ('draft','review') AND e.due_on < ?", s.today().String())
	}
	if f.Standard {
		w.Add("e.category NOT IN ('services','publicity','bulletins')")
	}
	if f.Q != "" {
		p := store.Contains(f.Q)
		w.Add(`(e.title LIKE ? ESCAPE '\' OR e.doc_no LIKE ? ESCAPE '\' OR e.body LIKE ? ESCAPE '\')`, p, p, p)
	}
	q := s.DB.Read()
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*)`+entryFrom+w.String(), w.Args()...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	order := ` ORDER BY e.updated_at DESC, e.id DESC`
	switch {
	case published:
		order = ` ORDER BY e.published_at DESC, e.id DESC`
	case f.Overdue:
		order = ` ORDER BY e.due_on, e.id`
	}
	rows, err := q.QueryContext(ctx, `SELECT `+entryCols+entryFrom+w.String()+order+` LIMIT `+w.Bind(limit)+` OFFSET `+w.Bind(max(f.Offset, 0)), w.Args()...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// checkFilter refuses an unknown category or status: a typo never lists
// everything.
func checkFilter(f Filter) error {
	fs := apperr.Fields{}
	if f.Category != "" && !f.Category.Valid() {
		fs.Add("category", "error.choose")
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		fs.Add("status", "error.choose")
	}
	return fs.Err()
}

// Catalogue lists one organ's entries, every status, for someone who
// reads the organ (disclosure.AccessTo).
func (s *Service) Catalogue(ctx context.Context, a org.Actor, f Filter) (disclosure.Access, []Entry, int, error) {
	x, err := disclosure.AccessTo(ctx, s.DB.Read(), a, f.OrganID)
	if err != nil {
		return x, nil, 0, err
	}
	if err := checkFilter(f); err != nil {
		return x, nil, 0, err
	}
	var w store.Where
	w.Add("e.organ_id = ?", f.OrganID)
	items, total, err := s.list(ctx, w, f, false)
	return x, items, total, err
}

// Get reads one entry for someone who reads its organ, with their access.
func (s *Service) Get(ctx context.Context, a org.Actor, id int64) (disclosure.Access, Entry, error) {
	e, err := load(ctx, s.DB.Read(), id)
	if err != nil {
		return disclosure.Access{}, e, err
	}
	x, err := disclosure.AccessTo(ctx, s.DB.Read(), a, e.OrganID)
	if apperr.Is(err, apperr.NotFound) {
		return x, Entry{}, errNoEntry
	}
	return x, e, err
}

// OverdueAll lists the overdue entries of every organ of the actor's
// county, for supervision: county-wide readers only (the centre admin,
// supervisors, leaders), and never another county's.
func (s *Service) OverdueAll(ctx context.Context, a org.Actor, limit, offset int) ([]Entry, int, error) {
	if !a.CountyWide() || (!a.Province && a.County() == "") {
		return nil, 0, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	var w store.Where
	if !a.Province {
		w.Add(`o.region_code LIKE ? ESCAPE '\'`, store.Prefix(a.County()))
	}
	return s.list(ctx, w, Filter{Overdue: true, Limit: limit, Offset: offset}, false)
}

// Public lists published entries for anyone: the public disclosure
// section and its API. Only published entries, ever.
func (s *Service) Public(ctx context.Context, f Filter) ([]Entry, int, error) {
	if err := checkFilter(f); err != nil {
		return nil, 0, err
	}
	f.Status, f.Overdue = "", false
	var w store.Where
	w.Add("e.status = 'published'")
	if f.OrganID != 0 {
		w.Add("e.organ_id = ?", f.OrganID)
	}
	return s.list(ctx, w, f, true)
}

// PublicEntry reads one published entry; anything else is "not found".
func (s *Service) PublicEntry(ctx context.Context, id int64) (Entry, error) {
	e, err := load(ctx, s.DB.Read(), id)
	if err == nil && e.Status != Published {
		return Entry{}, errNoEntry
	}
	return e, err
}

// PublicOrgans lists every organ with how many entries it has published,
// for the public section's front page.
type PublicOrgan struct {
	disclosure.Organ
	Published int `json:"published"`
}

// PublicOrgans lists the organs, the county government first.
func (s *Service) PublicOrgans(ctx context.Context) ([]PublicOrgan, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT o.id, o.region_code, o.kind, COALESCE(o.department_id, 0), o.name,
		(SELECT COUNT(*) FROM disclosure_entries e WHERE e.organ_id = o.id AND e.status = 'published')
		FROM disclosure_organs o ORDER BY o.kind DESC, o.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PublicOrgan
	for rows.Next() {
		var o PublicOrgan
		if err := rows.Scan(&o.ID, &o.RegionCode, &o.Kind, &o.DepartmentID, &o.Name, &o.Published); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// PublicOrgan reads one organ for the public section.
func (s *Service) PublicOrgan(ctx context.Context, id int64) (disclosure.Organ, error) {
	var o disclosure.Organ
	err := s.DB.Read().QueryRowContext(ctx, `SELECT id, region_code, kind, COALESCE(department_id, 0), name FROM disclosure_organs WHERE id = $1`, id).
		Scan(&o.ID, &o.RegionCode, &o.Kind, &o.DepartmentID, &o.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return o, apperr.NotFoundf("disclosure_pub.organ")
	}
	return o, err
}
