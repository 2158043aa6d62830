package web

import (
	"net/http"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/org"
)

// itemManagers may reach the routes that change items. The guard lets every
// centre admin and department admin through; manages then refuses a
// township centre's admin (a centre admin too, but one who keeps no
// catalogue), and catalogue.CanManage decides item by item.
var itemManagers = roles(org.CentreAdmin, org.DeptAdmin)

// registerCatalogue wires the service catalogue: the public service guide,
// the staff pages, the JSON API and the OpenAPI document describing it.
func (s *Server) registerCatalogue() {
	s.handleReads("GET /guide", everyone, s.guidePage)
	s.handleReads("GET /guide/items/{code}", everyone, s.guideCard)
	s.handleReads("GET /guide/items/{code}/print", everyone, s.guidePrint)
	s.handleReads("GET /guide/items/{code}/qr.png", everyone, s.guideQR)
	s.handleReads("GET /guide/items/{code}/versions", everyone, s.guideVersions)

	s.handle("GET /admin/items", anyStaff, s.adminItems)
	s.handle("GET /admin/items/new", itemManagers, s.manages(s.adminItemNew))
	s.handle("POST /admin/items", itemManagers, s.manages(s.adminItemCreate))
	s.handle("GET /admin/items/{code}", anyStaff, s.adminItem)
	s.handle("POST /admin/items/{code}", itemManagers, s.manages(s.adminItemUpdate))
	s.handle("POST /admin/items/{code}/status", itemManagers, s.manages(s.adminItemStatus))
	s.handle("GET /admin/items/{code}/versions", anyStaff, s.adminItemVersions)
	s.handle("GET /admin/composites", anyStaff, s.adminComposites)
	s.handle("GET /admin/composites/new", hallAdmin, s.adminCompositeNew)
	s.handle("POST /admin/composites", hallAdmin, s.adminCompositeCreate)
	s.handle("GET /admin/catalogue/stats", anyStaff, s.adminCatalogueStats)

	s.handleReads("GET /api/v1/items", everyone, s.apiItems)
	s.handle("POST /api/v1/items", itemManagers, s.manages(s.apiCreateItem))
	s.handleReads("GET /api/v1/items/{code}", everyone, s.apiItem)
	s.handle("PUT /api/v1/items/{code}", itemManagers, s.manages(s.apiUpdateItem))
	s.handle("POST /api/v1/items/{code}/status", itemManagers, s.manages(s.apiItemStatus))
	s.handleReads("GET /api/v1/items/{code}/versions", everyone, s.apiItemVersions)
	s.handle("GET /api/v1/composites", everyone, s.apiComposites)
	s.handle("POST /api/v1/composites", hallAdmin, s.apiCreateComposite)
	s.handle("GET /api/v1/composites/{code}", everyone, s.apiComposite)
	s.handle("GET /api/v1/catalogue/types", everyone, s.apiItemTypes)
	s.handle("GET /api/v1/catalogue/stats", anyStaff, s.apiCatalogueStats)
	s.handle("GET /api/v1/openapi.json", everyone, s.openAPI)

	s.registerCatalogueXLSX()
}

// managesCatalogue: the county hall's admin and department admins keep the
// catalogue.
func managesCatalogue(a org.Actor) bool {
	return (a.Role == org.CentreAdmin && a.CountyWide()) || a.Role == org.DeptAdmin
}

// manages refuses, before any work, the signed-in roles that keep no
// catalogue at all.
func (s *Server) manages(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !managesCatalogue(actor(r)) {
			return errForbidden
		}
		return h(w, r)
	}
}

// itemCode reads the {code} path segment; codes are stored upper-case, and
// people type or read them off paper in either case.
func itemCode(r *http.Request) string {
	return strings.ToUpper(strings.TrimSpace(r.PathValue("code")))
}

// CatTheme names a theme in the page's language. Themes are catalogue data
// (provinces differ), so a theme without a translation shows as stored.
func (p *Page) CatTheme(theme string) string {
	key := "catalogue.theme." + theme
	if t := p.T(key); t != key {
		return t
	}
	return theme
}

// CatType names an item type in the page's language, falling back to the
// name the database holds (types are data too).
func (p *Page) CatType(code, stored string) string {
	key := "catalogue.type." + code
	if t := p.T(key); t != key {
		return t
	}
	return stored
}

// pager is the navigation under a long list.
type pager struct {
	Total, From, To int
	Prev, Next      string // addresses, empty at either end
}

// newPager keeps every other query parameter of the request in the links.
func newPager(r *http.Request, total, offset, limit int) pager {
	p := pager{Total: total}
	if total == 0 {
		return p
	}
	p.From, p.To = offset+1, min(offset+limit, total)
	link := func(off int) string {
		q := r.URL.Query()
		q.Del("lang")
		if off > 0 {
			q.Set("offset", strconv.Itoa(off))
		} else {
			q.Del("offset")
		}
		return r.URL.Path + "?" + q.Encode()
	}
	if offset > 0 {
		p.Prev = link(max(offset-limit, 0))
	}
	if offset+limit < total {
		p.Next = link(offset + limit)
	}
	return p
}

// pageParams reads limit and offset with a default page size.
func pageParams(r *http.Request, def, most int) (int, int) { return readQuery(r).Page(def, most) }

// departmentParam accepts a department's numeric id or its code (?department=GAJ).
func (s *Server) departmentParam(r *http.Request, v string) (int64, bool, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, true, nil
	}
	if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
		return id, true, nil
	}
	depts, _, err := s.Org.Departments(r.Context(), org.DepartmentFilter{}, org.ListOptions{Limit: 1000, Retired: true})
	if err != nil {
		return 0, false, err
	}
	for _, d := range depts {
		if strings.EqualFold(d.Code, v) {
			return d.ID, true, nil
		}
	}
	return 0, false, nil
}

// errNoVersion answers a version number an item never had.
var errNoVersion = apperr.NotFoundf("entity.item_version")
