package web

import (
	"net/http"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/disclosure"
	"onestop/internal/disclosure/publication"
	"onestop/internal/org"
)

// Information disclosure's organs and offices (issue 16; docs/DOMAIN.md
// §27): the hall's centre admin registers organs and grants duties in
// their disclosure offices; everyone else reaches the organs they read
// from /disclosure. The rules are the base's (disclosure.CreateOrgan,
// Grant, Revoke, AccessTo): these handlers only read forms.

// The audit log shows organs, grants and entries in the disclosure's words.
func init() {
	auditAreas["disclosure_organ"] = []string{"disclosure_pub.field"}
	auditAreas["disclosure_officer"] = []string{"disclosure_pub.field"}
	auditAreas["disclosure_entry"] = []string{"disclosure_pub.field"}
}

// overdueReaders read the county's overdue entries: county-wide readers
// (disclosure.AccessTo gives them every organ of the county).
var overdueReaders = access{Roles: []org.Role{org.CentreAdmin, org.Supervisor, org.Leader}, CountyWide: true}

func (s *Server) registerDisclosurePub() {
	s.handle("GET /disclosure", anyStaff, s.disclosureHub)
	s.handle("GET /admin/disclosure/organs", hallAdmin, s.disclosureOrgans)
	s.handle("POST /admin/disclosure/organs", hallAdmin, s.disclosureOrganCreate)
	s.handle("GET /admin/disclosure/organs/{id}", hallAdmin, s.disclosureOffice)
	s.handle("POST /admin/disclosure/organs/{id}/officers", hallAdmin, s.disclosureGrant)
	s.handle("POST /admin/disclosure/organs/{id}/officers/{staff}/revoke", hallAdmin, s.disclosureRevoke)
	s.registerDisclosureCatalogue()
	s.registerDisclosurePortal()
	s.registerDisclosureAPI()
}

type disclosureHubView struct {
	Organs  []disclosure.Access
	Overdue bool // may read the county's overdue list
}

// disclosureHub lists the organs the actor reads, with their duty at each:
// a clerk without a grant sees none.
func (s *Server) disclosureHub(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	list, err := disclosure.Organs(r.Context(), s.DB.Read(), a)
	if err != nil {
		return err
	}
	p := s.page(r, "disclosure_pub.hub")
	p.Data = disclosureHubView{Organs: list, Overdue: overdueReaders.Allows(a)}
	return s.render(w, r, "disclosure_hub", p)
}

type disclosureOrgansView struct {
	Organs      []disclosure.Access
	Departments []org.Department // active departments, for registering one
}

func (s *Server) disclosureOrgansView(r *http.Request) (disclosureOrgansView, error) {
	a := actor(r)
	list, err := disclosure.Organs(r.Context(), s.DB.Read(), a)
	if err != nil {
		return disclosureOrgansView{}, err
	}
	depts, _, err := s.Org.Departments(r.Context(), org.DepartmentFilter{}, org.ListOptions{Limit: 500})
	return disclosureOrgansView{Organs: list, Departments: depts}, err
}

func (s *Server) disclosureOrgans(w http.ResponseWriter, r *http.Request) error {
	v, err := s.disclosureOrgansView(r)
	if err != nil {
		return err
	}
	p := s.page(r, "disclosure_pub.organs")
	p.Data = v
	return s.render(w, r, "disclosure_organs", p)
}

func (s *Server) disclosureOrganCreate(w http.ResponseWriter, r *http.Request) error {
	in := disclosure.OrganInput{Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name")}
	f := apperr.Fields{}
	if v := r.PostFormValue("department_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			f.Add("department_id", "error.choose")
		}
		in.DepartmentID = id
	}
	err := f.Err()
	var o disclosure.Organ
	if err == nil {
		o, err = disclosure.CreateOrgan(r.Context(), s.DB, s.Now(), actor(r), in)
	}
	if err != nil {
		v, verr := s.disclosureOrgansView(r)
		if verr != nil {
			return verr
		}
		p := s.page(r, "disclosure_pub.organs")
		p.Form["kind"], p.Form["name"], p.Form["department_id"] = in.Kind, in.Name, r.PostFormValue("department_id")
		p.Data = v
		return s.formFailed(w, r, "disclosure_organs", p, err)
	}
	s.flash(r, "disclosure_pub.organ_created")
	http.Redirect(w, r, "/admin/disclosure/organs/"+strconv.FormatInt(o.ID, 10), http.StatusSeeOther)
	return nil
}

type disclosureOfficeView struct {
	Organ    disclosure.Organ
	Officers []publication.Officer
	Q        string
	Found    []org.Staff // the search's staff, to grant a duty to
	Duties   []disclosure.Duty
}

func (s *Server) disclosureOffice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "disclosure_pub.organ")
	if err != nil {
		return err
	}
	return s.renderOffice(w, r, id, nil)
}

// renderOffice shows an organ's office: its members and the staff search
// (?q= a name or username) to grant a duty; err is a failed grant's.
func (s *Server) renderOffice(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	a := actor(r)
	x, officers, oerr := s.Publication.Office(r.Context(), a, id)
	if oerr != nil {
		return oerr
	}
	q := readQuery(r)
	v := disclosureOfficeView{Organ: x.Organ, Officers: officers, Q: q.Text("q"), Duties: []disclosure.Duty{disclosure.Officer, disclosure.Head}}
	if v.Q != "" {
		if v.Found, _, oerr = s.Org.StaffList(r.Context(), a, org.StaffFilter{}, org.ListOptions{Q: v.Q, Limit: 20}); oerr != nil {
			return oerr
		}
	}
	p := s.page(r, "disclosure_pub.office")
	p.Title = x.Organ.Name
	p.Data = v
	if err != nil {
		return s.formFailed(w, r, "disclosure_office", p, err)
	}
	return s.render(w, r, "disclosure_office", p)
}

func (s *Server) disclosureGrant(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "disclosure_pub.organ")
	if err != nil {
		return err
	}
	f := apperr.Fields{}
	staff, perr := strconv.ParseInt(r.PostFormValue("staff_id"), 10, 64)
	if perr != nil || staff <= 0 {
		f.Add("staff_id", "disclosure.error.staff")
	}
	d := disclosure.Duty(r.PostFormValue("duty"))
	if !d.Valid() { // an empty duty would revoke: a grant names one
		f.Add("duty", "disclosure.error.duty")
	}
	if err = f.Err(); err == nil {
		err = disclosure.Grant(r.Context(), s.DB, s.Now(), actor(r), id, staff, d)
	}
	if ae := apperr.As(err); ae != nil && ae.Code == apperr.Invalid {
		return s.renderOffice(w, r, id, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "disclosure_pub.granted")
	http.Redirect(w, r, "/admin/disclosure/organs/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) disclosureRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "disclosure_pub.organ")
	if err != nil {
		return err
	}
	staff, err := strconv.ParseInt(r.PathValue("staff"), 10, 64)
	if err != nil || staff <= 0 {
		return apperr.NotFoundf("entity.staff")
	}
	if err := disclosure.Revoke(r.Context(), s.DB, s.Now(), actor(r), id, staff); err != nil {
		return err
	}
	s.flash(r, "disclosure_pub.revoked")
	http.Redirect(w, r, "/admin/disclosure/organs/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}
