package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/catalogue"
	"onestop/internal/org"
)

// adminPageSize is the staff list's page: long enough to scan a
// department's items at once.
const adminPageSize = 50

// itemStatuses are the statuses the staff list filters by.
var itemStatuses = []string{catalogue.InForce, catalogue.Suspended, catalogue.Cancelled}

type adminItemsData struct {
	Items        []catalogue.Item
	Pager        pager
	Q, Type      string
	Status       string
	DepartmentID int64
	Types        []catalogue.Type
	Departments  []org.Department
	Statuses     []string
	CanManage    bool
}

// adminItems lists the catalogue for staff: every status, with filters.
func (s *Server) adminItems(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	d := adminItemsData{Q: strings.TrimSpace(q.Get("q")), Type: q.Get("type"), Status: q.Get("status"), DepartmentID: intParam(r, "department"),
		Statuses: itemStatuses, CanManage: managesCatalogue(actor(r))}
	status := d.Status
	if !slices.Contains(itemStatuses, status) {
		d.Status, status = "", "all"
	}
	limit, offset := pageParams(r, adminPageSize, 500)
	svc := s.Catalogue
	items, total, err := svc.List(ctx, catalogue.Filter{Q: d.Q, DepartmentID: d.DepartmentID, Type: d.Type, Status: status, Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	d.Items, d.Pager = items, newPager(r, total, offset, limit)
	if d.Types, err = svc.Types(ctx); err != nil {
		return err
	}
	if d.Departments, _, err = s.Org.Departments(ctx, org.DepartmentFilter{}, allOptions); err != nil {
		return err
	}
	p := s.page(r, "nav.catalogue.items")
	p.Data = d
	return s.render(w, r, "catalogue_items", p)
}

// itemFormData is what the item form shows besides the values.
type itemFormData struct {
	Item          *catalogue.Item // nil for a new item
	CanManage     bool
	Types         []catalogue.Type
	Departments   []org.Department
	Themes        []string
	Audiences     []string
	MaterialForms []string
	StepRoles     []string
	Statuses      []string
	Materials     []int // the row numbers to show
	Fees          []int
	Steps         []int
}

// itemFormPage fills what the item form needs; rows says how many rows of
// each list to show.
func (s *Server) itemFormPage(r *http.Request, p *Page, it *catalogue.Item, rows func(list string) []int) error {
	ctx := r.Context()
	a := actor(r)
	d := itemFormData{Item: it, Themes: catalogue.Themes, Audiences: catalogue.Audiences, MaterialForms: catalogue.MaterialForms,
		StepRoles: catalogue.StepRoles, Statuses: itemStatuses, Materials: rows("materials"), Fees: rows("fees"), Steps: rows("steps")}
	if it == nil {
		d.CanManage = managesCatalogue(a)
	} else {
		d.CanManage = catalogue.CanManage(a, it.DepartmentID)
	}
	var err error
	if d.Types, err = s.Catalogue.Types(ctx); err != nil {
		return err
	}
	depts, _, err := s.Org.Departments(ctx, org.DepartmentFilter{}, allOptions)
	if err != nil {
		return err
	}
	for _, dep := range depts {
		// A department admin lists items of their own department only (the
		// domain enforces it); the menu says so rather than offering others.
		if a.Role == org.DeptAdmin && dep.ID != a.DepartmentID && (it == nil || dep.ID != it.DepartmentID) {
			continue
		}
		d.Departments = append(d.Departments, dep)
	}
	p.Data = d
	return nil
}

func (s *Server) adminItemNew(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "catalogue.new")
	// Sensible starting values: most items are handled in the hall with one
	// visit, for citizens and organisations alike.
	p.Form = map[string]string{"audience": "both", "at_hall": "on", "visits": "1"}
	if a := actor(r); a.Role == org.DeptAdmin {
		p.Form["department_id"] = strconv.FormatInt(a.DepartmentID, 10)
	}
	blank := func(string) []int { return rowNumbers(blankRows) }
	if err := s.itemFormPage(r, p, nil, blank); err != nil {
		return err
	}
	return s.render(w, r, "catalogue_item_form", p)
}

func (s *Server) adminItemCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	f := readItemForm(r.PostForm)
	var err error
	if len(f.Problems) > 0 {
		err = f.check()
	} else {
		_, err = s.Catalogue.Create(r.Context(), actor(r), f.Code, f.Content, f.Note)
		err = f.explain(err)
	}
	if err != nil {
		p := s.page(r, "catalogue.new")
		p.Form = f.Values
		if perr := s.itemFormPage(r, p, nil, f.rows); perr != nil {
			return perr
		}
		return s.formFailed(w, r, "catalogue_item_form", p, err)
	}
	s.flash(r, "flash.created")
	http.Redirect(w, r, "/admin/items/"+strings.ToUpper(f.Code), http.StatusSeeOther)
	return nil
}

// adminItem shows an item's form: editable for those who keep it,
// read-only for every other member of staff.
func (s *Server) adminItem(w http.ResponseWriter, r *http.Request) error {
	it, err := s.Catalogue.Item(r.Context(), itemCode(r))
	if err != nil {
		return err
	}
	p := s.page(r, "catalogue.edit")
	p.Title = it.Name
	p.Form = contentValues(it.Code, it.Content)
	if err := s.itemFormPage(r, p, &it, itemRows(it.Content)); err != nil {
		return err
	}
	return s.render(w, r, "catalogue_item_form", p)
}

// itemRows shows an item's entries and a few blank rows under each list.
func itemRows(c catalogue.Content) func(string) []int {
	return func(list string) []int {
		n := map[string]int{"materials": len(c.Materials), "fees": len(c.Fees), "steps": len(c.Steps)}[list]
		return rowNumbers(n + blankRows)
	}
}

func (s *Server) adminItemUpdate(w http.ResponseWriter, r *http.Request) error {
	svc := s.Catalogue
	cur, err := svc.Item(r.Context(), itemCode(r))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	f := readItemForm(r.PostForm)
	changed := false
	if len(f.Problems) > 0 {
		err = f.check()
	} else {
		_, changed, err = svc.Update(r.Context(), actor(r), cur.Code, f.Content, f.Note)
		err = f.explain(err)
	}
	if err != nil {
		p := s.page(r, "catalogue.edit")
		p.Title = cur.Name
		p.Form = f.Values
		p.Form["code"] = cur.Code
		if perr := s.itemFormPage(r, p, &cur, f.rows); perr != nil {
			return perr
		}
		return s.formFailed(w, r, "catalogue_item_form", p, err)
	}
	if changed {
		s.flash(r, "catalogue.flash.new_version")
	} else {
		s.flash(r, "catalogue.flash.unchanged")
	}
	http.Redirect(w, r, "/admin/items/"+cur.Code, http.StatusSeeOther)
	return nil
}

// adminItemStatus suspends, cancels or restores an item; the reason is
// required for the first two and shown on the public card.
func (s *Server) adminItemStatus(w http.ResponseWriter, r *http.Request) error {
	svc := s.Catalogue
	cur, err := svc.Item(r.Context(), itemCode(r))
	if err != nil {
		return err
	}
	status, reason := r.PostFormValue("status"), r.PostFormValue("reason")
	if _, err := svc.SetStatus(r.Context(), actor(r), cur.Code, status, reason); err != nil {
		p := s.page(r, "catalogue.edit")
		p.Title = cur.Name
		p.Form = contentValues(cur.Code, cur.Content)
		p.Form["status"], p.Form["reason"] = status, reason
		if perr := s.itemFormPage(r, p, &cur, itemRows(cur.Content)); perr != nil {
			return perr
		}
		return s.formFailed(w, r, "catalogue_item_form", p, err)
	}
	s.flash(r, "catalogue.flash.status."+status)
	http.Redirect(w, r, "/admin/items/"+cur.Code, http.StatusSeeOther)
	return nil
}

func (s *Server) adminItemVersions(w http.ResponseWriter, r *http.Request) error {
	return s.versionsPage(w, r, true)
}

// adminComposites lists the parallel-approval bundles.
func (s *Server) adminComposites(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Catalogue.Composites(r.Context())
	if err != nil {
		return err
	}
	p := s.page(r, "nav.catalogue.composites")
	p.Data = list
	return s.render(w, r, "catalogue_composites", p)
}

func (s *Server) compositeForm(w http.ResponseWriter, r *http.Request, p *Page, err error) error {
	depts, _, derr := s.Org.Departments(r.Context(), org.DepartmentFilter{}, allOptions)
	if derr != nil {
		return derr
	}
	p.Data = map[string]any{"Departments": depts, "Max": catalogue.ParallelStatutoryDays}
	if err != nil {
		return s.formFailed(w, r, "catalogue_composite_form", p, err)
	}
	return s.render(w, r, "catalogue_composite_form", p)
}

func (s *Server) adminCompositeNew(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "catalogue.composite.new")
	p.Form["statutory_days"] = strconv.Itoa(catalogue.ParallelStatutoryDays)
	return s.compositeForm(w, r, p, nil)
}

// splitCodes reads item codes typed one per line or separated by commas.
func splitCodes(s string) []string {
	return strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
}

func (s *Server) adminCompositeCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	var in struct {
		Code             string `json:"code"`
		Name             string `json:"name"`
		LeadDepartmentID int64  `json:"lead_department_id"`
		StatutoryDays    int    `json:"statutory_days"`
		PromisedDays     int    `json:"promised_days"`
	}
	err := decodeValues(r.PostForm, &in)
	if err == nil {
		_, err = s.Catalogue.CreateComposite(r.Context(), actor(r), catalogue.CompositeInput{Code: in.Code, Name: in.Name,
			LeadDepartmentID: in.LeadDepartmentID, StatutoryDays: in.StatutoryDays, PromisedDays: in.PromisedDays,
			ItemCodes: splitCodes(r.PostFormValue("item_codes"))})
	}
	if err != nil {
		p := s.page(r, "catalogue.composite.new")
		for k, v := range r.PostForm {
			p.Form[k] = v[0]
		}
		return s.compositeForm(w, r, p, err)
	}
	s.flash(r, "flash.created")
	http.Redirect(w, r, "/admin/composites", http.StatusSeeOther)
	return nil
}

// statsData is the catalogue statistics page.
type statsData struct {
	Stats          catalogue.Stats
	Types          []catalogue.Type
	Cancelled      []catalogue.Item
	CancelledTotal int
}

// adminCatalogueStats shows the yearly clean-up figures: what was
// reviewed, kept and cancelled, per department and type.
func (s *Server) adminCatalogueStats(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	svc := s.Catalogue
	var d statsData
	var err error
	if d.Stats, err = svc.Stats(ctx); err != nil {
		return err
	}
	if d.Types, err = svc.Types(ctx); err != nil {
		return err
	}
	if d.Cancelled, d.CancelledTotal, err = svc.List(ctx, catalogue.Filter{Status: catalogue.Cancelled, Limit: 500}); err != nil {
		return err
	}
	p := s.page(r, "nav.catalogue.stats")
	p.Data = d
	return s.render(w, r, "catalogue_stats", p)
}
