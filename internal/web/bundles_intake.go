package web

import (
	"net/http"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/bundles"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
)

// bundleIntakeView is the lead department's window intake of a bundle:
// the composites it leads, one chosen with its shared materials, and the
// bundles waiting for its acceptance.
type bundleIntakeView struct {
	Composites []catalogue.Composite
	Chosen     *catalogue.Composite
	Materials  []bundles.Material
	Waiting    []*bundles.Bundle
}

func (s *Server) bundleIntake(r *http.Request, p *Page, code string) (*bundleIntakeView, error) {
	a := actor(r)
	all, err := s.Catalogue.Composites(r.Context())
	if err != nil {
		return nil, err
	}
	v := &bundleIntakeView{}
	for i := range all {
		if all[i].LeadDepartmentID == a.DepartmentID {
			v.Composites = append(v.Composites, all[i])
		}
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	for i := range v.Composites {
		if v.Composites[i].Code == code {
			v.Chosen = &v.Composites[i]
			v.Materials = bundles.SharedMaterials(*v.Chosen)
			p.Form["composite"] = code
		}
	}
	if v.Waiting, err = s.Bundles.Waiting(r.Context(), a); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Server) bundleIntakePage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "bundle.intake_title")
	v, err := s.bundleIntake(r, p, r.URL.Query().Get("composite"))
	if err != nil {
		return err
	}
	p.Data = v
	return s.render(w, r, "bundle_intake", p)
}

// bundleIntakeSubmit receives a bundle for a registered applicant with the
// shared materials ticked as handed in; the clerk lands on the bundle's
// page to accept it.
func (s *Server) bundleIntakeSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	p := s.page(r, "bundle.intake_title")
	p.Form["id_number"] = r.PostFormValue("id_number")
	v, err := s.bundleIntake(r, p, r.PostFormValue("composite"))
	if err != nil {
		return err
	}
	p.Data = v
	f := apperr.Fields{}
	if v.Chosen == nil {
		f.Add("composite", "bundle.composite_unknown")
	}
	number := f.Text("id_number", r.PostFormValue("id_number"), true, 40)
	var applicantID int64
	if number != "" {
		ap, err := s.Applicants.ByNumber(r.Context(), number)
		switch {
		case apperr.Is(err, apperr.NotFound):
			f.Add("id_number", "bundle.applicant_unregistered")
		case err != nil:
			return err
		default:
			applicantID = ap.ID
		}
	}
	if err := f.Err(); err != nil {
		return s.formFailed(w, r, "bundle_intake", p, err)
	}
	b, err := s.Bundles.Submit(r.Context(), cases.StaffActor(actor(r)), bundles.SubmitInput{CompositeCode: v.Chosen.Code, ApplicantID: applicantID,
		Received: received(r)})
	if err != nil {
		return s.formFailed(w, r, "bundle_intake", p, err)
	}
	s.flash(r, "bundle.submitted")
	http.Redirect(w, r, "/bundles/"+b.No, http.StatusSeeOther)
	return nil
}
