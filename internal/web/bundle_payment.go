package web

import (
	"net/http"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/bundles"
)

// The bundle's one payment notice (issue 14 §2, docs/DOMAIN.md §19, §21):
// the lead department's window clerk issues it on the bundle page or over
// the API once every part is decided; bundles.IssueNotice holds the rule.
func (s *Server) registerBundlePayment() {
	s.handle("POST /bundles/{no}/payment-notice", clerks, s.bundleIssueNotice)
	s.handle("POST /api/v1/bundles/{no}/payment-notice", noticeIssuers, s.apiIssueBundleNotice)
}

func (s *Server) bundleIssueNotice(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if _, err := s.Bundles.IssueNotice(r.Context(), actor(r), caseNo(r), bundles.NoticeInput{Version: version}); err != nil {
		if ae := apperr.As(err); ae != nil && (ae.Code == apperr.Invalid || ae.Code == apperr.Conflict) {
			return s.renderBundle(w, r, err)
		}
		return err
	}
	s.flash(r, "bundle.notice_issued")
	http.Redirect(w, r, "/bundles/"+caseNo(r), http.StatusSeeOther)
	return nil
}

// apiIssueBundleNotice issues the bundle's notice, with any deviating
// amounts by sub-case and fee number:
// {"amounts": {"<case no>": {"1": {"amount_fen": 4000, "reason": "…"}}}}.
func (s *Server) apiIssueBundleNotice(w http.ResponseWriter, r *http.Request) error {
	// Scope first: a bundle outside it is a 404 whatever the body says.
	ca, err := s.apiActor(r, false)
	if err != nil {
		return err
	}
	if _, err := s.Bundles.Get(r.Context(), ca, caseNo(r)); err != nil {
		return err
	}
	var in bundles.NoticeInput
	if err := decode(r, &in); err != nil {
		return err
	}
	ref, err := s.Bundles.IssueNotice(r.Context(), actor(r), caseNo(r), in)
	if err != nil {
		return err
	}
	n, err := s.Payments.Read(r.Context(), actor(r), ref)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, n)
}
