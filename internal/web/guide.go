package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"onestop/internal/catalogue"
	"onestop/internal/modes"
)

// guidePageSize keeps the public result list short enough to scan on a
// phone.
const guidePageSize = 20

// guideTab is one of the audience tabs (个人办事 / 法人办事).
type guideTab struct {
	Label, URL string
	Current    bool
}

// guideData is what the guide page shows.
type guideData struct {
	Q, Audience, Theme string
	DepartmentID       int64
	Department         string // the chosen department's name
	Filtered           bool   // a search or a filter narrows the list
	Items              []catalogue.Item
	Pager              pager
	Tabs               []guideTab
	Departments        []catalogue.DepartmentStats // departments with items in force
	Themes             []string
	ClearURL           string
	// Bundles are the composites (一件事) the search finds, on its first
	// page: an applicant finds a bundle like any item (issue 14 §1).
	Bundles []catalogue.Composite
}

// guidePage is the public service guide: one search box, the audience
// tabs, browsing by department and by theme, and the results.
func (s *Server) guidePage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	d := guideData{Q: strings.TrimSpace(q.Get("q")), Theme: q.Get("theme"), Themes: catalogue.Themes}
	if a := q.Get("audience"); a == "citizen" || a == "organisation" {
		d.Audience = a
	}
	if !slices.Contains(catalogue.Themes, d.Theme) {
		d.Theme = ""
	}
	d.DepartmentID = intParam(r, "department")
	limit, offset := pageParams(r, guidePageSize, 100)
	svc := s.Catalogue
	items, total, err := svc.List(ctx, catalogue.Filter{Q: d.Q, DepartmentID: d.DepartmentID, Theme: d.Theme, Audience: d.Audience,
		Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	d.Items, d.Pager = items, newPager(r, total, offset, limit)
	if offset == 0 {
		if d.Bundles, err = svc.FindComposites(ctx, d.Q); err != nil {
			return err
		}
	}
	d.Filtered = d.Q != "" || d.DepartmentID != 0 || d.Theme != ""
	st, err := svc.Stats(ctx)
	if err != nil {
		return err
	}
	for _, dep := range st.Departments {
		if dep.InForce > 0 {
			d.Departments = append(d.Departments, dep)
		}
		if dep.DepartmentID == d.DepartmentID {
			d.Department = dep.Name
		}
	}
	for _, t := range []struct{ aud, label string }{{"", "guide.tab.all"}, {"citizen", "guide.tab.citizen"}, {"organisation", "guide.tab.organisation"}} {
		v := url.Values{}
		for _, k := range []string{"q", "department", "theme"} {
			if x := q.Get(k); x != "" {
				v.Set(k, x)
			}
		}
		if t.aud != "" {
			v.Set("audience", t.aud)
		}
		d.Tabs = append(d.Tabs, guideTab{Label: t.label, URL: "/guide?" + v.Encode(), Current: t.aud == d.Audience})
	}
	d.ClearURL = "/guide"
	if d.Audience != "" {
		d.ClearURL += "?audience=" + d.Audience
	}
	p := s.page(r, "guide.title")
	p.Data = d
	return s.render(w, r, "guide", p)
}

// cardData is what the public card (公示卡) shows.
type cardData struct {
	Item     catalogue.Item
	Current  int  // the version in force
	Historic bool // an earlier version, opened from the history
	Print    bool
	CanApply bool
	// Modes are the item's acceptance modes (告知承诺, 容缺受理), nil on an
	// earlier version: the settings are the item's, not a version's.
	Modes *modes.Settings
}

func (s *Server) guideCard(w http.ResponseWriter, r *http.Request) error {
	// A composite's code finds its bundle guide, as an item's finds its card.
	if comp, ok, err := s.compositeOf(r); err != nil || ok {
		if err != nil {
			return err
		}
		http.Redirect(w, r, "/guide/bundles/"+comp.Code, http.StatusSeeOther)
		return nil
	}
	return s.card(w, r, false)
}

func (s *Server) guidePrint(w http.ResponseWriter, r *http.Request) error { return s.card(w, r, true) }

// card shows an item's public card, of the version in force or of ?v=N.
// Cancelled and suspended items still answer: citizens follow old links
// and printed QR codes, and deserve to learn what happened.
func (s *Server) card(w http.ResponseWriter, r *http.Request, print bool) error {
	svc := s.Catalogue
	code := itemCode(r)
	it, err := svc.Item(r.Context(), code)
	if err != nil {
		return err
	}
	d := cardData{Current: it.Version, Print: print}
	if v := r.URL.Query().Get("v"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > it.Version {
			return errNoVersion
		}
		if n != it.Version {
			if it, err = svc.ItemVersion(r.Context(), code, n); err != nil {
				return err
			}
			d.Historic = true
		}
	}
	d.Item = it
	d.CanApply = it.Online && it.Status == catalogue.InForce && !d.Historic
	if !d.Historic {
		_, st, err := s.Modes.Settings(r.Context(), it.Code)
		if err != nil {
			return err
		}
		d.Modes = &st
	}
	p := s.page(r, "guide.card")
	p.Title = it.Name
	p.Data = d
	return s.render(w, r, "item", p)
}

// versionsData is the history of one item.
type versionsData struct {
	Item     catalogue.Item
	Versions []catalogue.Version
	Admin    bool // staff see who made each version
}

func (s *Server) guideVersions(w http.ResponseWriter, r *http.Request) error {
	return s.versionsPage(w, r, false)
}

func (s *Server) versionsPage(w http.ResponseWriter, r *http.Request, admin bool) error {
	svc := s.Catalogue
	it, err := svc.Item(r.Context(), itemCode(r))
	if err != nil {
		return err
	}
	vs, err := svc.Versions(r.Context(), it.Code)
	if err != nil {
		return err
	}
	p := s.page(r, "guide.versions")
	p.Title = p.T("guide.versions_of", "Name", it.Name)
	p.Data = versionsData{Item: it, Versions: vs, Admin: admin}
	return s.render(w, r, "item_versions", p)
}

// guideQR is the QR code of the card's address, for printed cards and the
// screen beside the window.
func (s *Server) guideQR(w http.ResponseWriter, r *http.Request) error {
	it, err := s.Catalogue.Item(r.Context(), itemCode(r))
	if err != nil {
		return err
	}
	png, err := qrPNG(s.publicURL("/guide/items/" + url.PathEscape(it.Code)))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	// A card's address never changes (it is built from --public-url, not
	// from the request).
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("Content-Length", strconv.Itoa(len(png)))
	_, err = w.Write(png)
	return err
}
