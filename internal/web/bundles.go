package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/bundles"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/org"
	"onestop/internal/payments"
)

// Bundles (并联审批, 一件事一次办; issue 14 §1): one application, one
// acceptance and one delivery at the lead department's window, the parts
// handled in parallel by their departments.
func (s *Server) registerBundles() {
	s.handle("GET /workbench/bundles", clerks, s.bundleIntakePage)
	s.handle("POST /workbench/bundles", clerks, s.bundleIntakeSubmit)
	s.handle("GET /bundles/{no}", anyStaff, s.bundlePageStaff)
	s.handle("POST /bundles/{no}/accept", clerks, s.bundleAccept)
	s.handle("POST /bundles/{no}/deliver", clerks, s.bundleDeliver)
	s.handle("GET /my/bundles/{no}", everyone, s.myBundle)
	s.handle("POST /api/v1/bundles", everyone, s.apiSubmitBundle)
	s.handle("GET /api/v1/bundles/{no}", everyone, s.apiBundle)
}

// bundleCaseView is what the bundle page (staff and applicant) gets.
type bundleCaseView struct {
	B      *bundles.Bundle
	Mine   bool // the applicant's own view
	Lead   bool // the viewer is a clerk of the lead department at its centre: may accept and deliver
	Accept bool
	Pickup bool
	// Delivery lists the ways of handing over the result.
	Delivery []string
	// Notice is the bundle's one payment notice (nil before it is
	// issued); Issue offers the lead clerk to issue it.
	Notice *payments.Notice
	Issue  bool
	// Fees are the issuing form's rows: every fee of every charged part,
	// prefilled with its standard amount; the clerk may change an amount
	// with a reason, as on one case's notice.
	Fees []bundleFee
	// Posted: the page comes back with a problem in what was posted.
	Posted bool
}

// bundleFee is one fee of the bundle's issuing form. Field is the
// inputs' name prefix, payments.FieldName's, so the service's field
// errors land on the input that caused them.
type bundleFee struct {
	feeRow
	CaseNo   string
	ItemName string
	Field    string
}

func (s *Server) bundleCaseView(r *http.Request, b *bundles.Bundle, a *org.Actor) (*bundleCaseView, error) {
	v := &bundleCaseView{B: b, Delivery: cases.DeliveryMethods}
	n, err := s.Bundles.Notice(r.Context(), b)
	if err != nil {
		return nil, err
	}
	v.Notice = n
	if a != nil {
		v.Lead = a.Role == org.Clerk && a.DepartmentID == b.LeadDepartmentID && a.CentreID == b.CentreID
		v.Accept = v.Lead && b.State == bundles.Received
		v.Pickup = v.Lead && b.State == bundles.Decided
		if v.Pickup && n == nil {
			parts, err := s.Bundles.Charges(r.Context(), b)
			if err != nil {
				return nil, err
			}
			v.Issue, v.Fees = len(parts) > 0, bundleFees(parts)
		}
	}
	return v, nil
}

func (s *Server) bundlePageStaff(w http.ResponseWriter, r *http.Request) error {
	return s.renderBundle(w, r, nil)
}

func (s *Server) renderBundle(w http.ResponseWriter, r *http.Request, failure error) error {
	a := actor(r)
	b, err := s.Bundles.Get(r.Context(), cases.StaffActor(a), caseNo(r))
	if err != nil {
		return err
	}
	p := s.page(r, "bundle.title")
	p.Title = p.T("bundle.title_no", "Name", b.CompositeName, "No", b.No)
	v, err := s.bundleCaseView(r, b, &a)
	if err != nil {
		return err
	}
	p.Data = v
	if failure != nil {
		// What the clerk typed comes back with the problem, unless the
		// bundle moved on and the old values mean nothing any more.
		if ae := apperr.As(failure); ae == nil || ae.Code != apperr.Conflict {
			v.Posted = true
			for k, vs := range r.PostForm {
				if k != "csrf_token" && len(vs) > 0 {
					p.Form[k] = vs[0]
				}
			}
		}
		return s.formFailed(w, r, "bundle", p, failure)
	}
	return s.render(w, r, "bundle", p)
}

// received reads the ticked shared materials (m<seq>_paper boxes).
func received(r *http.Request) []int {
	var out []int
	for k := range r.PostForm {
		if n, ok := strings.CutPrefix(k, "m"); ok {
			if n, ok := strings.CutSuffix(n, "_paper"); ok {
				if seq, err := strconv.Atoi(n); err == nil {
					out = append(out, seq)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

func (s *Server) bundleAccept(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	b, err := s.Bundles.Accept(r.Context(), actor(r), caseNo(r), bundles.AcceptInput{Version: version, Received: received(r)})
	if err != nil {
		if ae := apperr.As(err); ae != nil && (ae.Code == apperr.Invalid || ae.Code == apperr.Conflict) {
			return s.renderBundle(w, r, err)
		}
		return err
	}
	s.flash(r, "bundle.accepted")
	http.Redirect(w, r, "/bundles/"+b.No, http.StatusSeeOther)
	return nil
}

func (s *Server) bundleDeliver(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	b, err := s.Bundles.Deliver(r.Context(), actor(r), caseNo(r), bundles.DeliverInput{Version: version, Delivery: r.PostFormValue("delivery")})
	if err != nil {
		if ae := apperr.As(err); ae != nil && (ae.Code == apperr.Invalid || ae.Code == apperr.Conflict) {
			return s.renderBundle(w, r, err)
		}
		return err
	}
	s.flash(r, "bundle.delivered")
	http.Redirect(w, r, "/bundles/"+b.No, http.StatusSeeOther)
	return nil
}

// myBundle is the applicant's progress page of their bundle and its parts.
func (s *Server) myBundle(w http.ResponseWriter, r *http.Request) error {
	ca, ok, err := s.applicantActor(r)
	if err != nil {
		return err
	}
	if !ok {
		return toSignin(w, r)
	}
	b, err := s.Bundles.Get(r.Context(), ca, caseNo(r))
	if err != nil {
		return err
	}
	p := s.page(r, "bundle.title")
	p.Title = p.T("bundle.title_no", "Name", b.CompositeName, "No", b.No)
	v, err := s.bundleCaseView(r, b, nil)
	if err != nil {
		return err
	}
	v.Mine = true
	p.Data = v
	return s.render(w, r, "bundle", p)
}

// apiBundle answers a bundle to its applicant or to staff who may see it.
func (s *Server) apiBundle(w http.ResponseWriter, r *http.Request) error {
	ca, ok, err := s.caseActor(r)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.New(apperr.Unauth, "error.unauthorized")
	}
	b, err := s.Bundles.Get(r.Context(), ca, caseNo(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, b)
}

// apiSubmitBundle applies for a composite: the signed-in applicant online,
// or the lead department's clerk for a walk-in applicant.
func (s *Server) apiSubmitBundle(w http.ResponseWriter, r *http.Request) error {
	ca, ok, err := s.caseActor(r)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.New(apperr.Unauth, "error.unauthorized")
	}
	var in bundles.SubmitInput
	if err := decode(r, &in); err != nil {
		return err
	}
	b, err := s.Bundles.Submit(r.Context(), ca, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, b)
}

// compositeOf answers the composite a /apply/{code} or /guide/items/{code}
// names, or false for an item's code.
func (s *Server) compositeOf(r *http.Request) (*catalogue.Composite, bool, error) {
	code := itemCode(r)
	if len(code) > 40 {
		return nil, false, nil
	}
	c, err := s.Catalogue.Composite(r.Context(), code)
	if apperr.Is(err, apperr.NotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return &c, true, nil
}

// bundleApplyView is the online application for a composite.
type bundleApplyView struct {
	C         *catalogue.Composite
	Materials []bundles.Material
}

// applyBundle is /apply/{code} for a composite: one application for every
// part; the shared materials are checked by the lead department's clerk
// at acceptance.
func (s *Server) applyBundle(w http.ResponseWriter, r *http.Request, ca cases.Actor, comp *catalogue.Composite) error {
	p := s.page(r, "apply.title")
	p.Title = p.T("bundle.apply_title", "Name", comp.Name)
	p.Data = &bundleApplyView{C: comp, Materials: bundles.SharedMaterials(*comp)}
	if r.Method != http.MethodPost {
		return s.render(w, r, "bundle_apply", p)
	}
	b, err := s.Bundles.Submit(r.Context(), ca, bundles.SubmitInput{CompositeCode: comp.Code})
	if err != nil {
		return s.formFailed(w, r, "bundle_apply", p, err)
	}
	s.flash(r, "bundle.submitted")
	http.Redirect(w, r, "/my/bundles/"+b.No, http.StatusSeeOther)
	return nil
}
