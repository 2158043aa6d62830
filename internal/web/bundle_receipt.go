package web

import (
	"net/http"

	"onestop/internal/apperr"
	"onestop/internal/cases"
)

// registerBundleReceipt wires the printable combined receipt (受理回执)
// of an accepted bundle.
func (s *Server) registerBundleReceipt() {
	s.handle("GET /bundles/{no}/receipt", anyStaff, s.bundleReceipt)
	s.handle("GET /my/bundles/{no}/receipt", everyone, s.myBundleReceipt)
}

// bundleReceipt is one receipt for the one acceptance (一次受理): every
// part, its department and its promised limit and day, and the bundle's
// promised limit, which is never under its longest part's (docs/DOMAIN.md
// §21 "Promised time"; 国办发〔2022〕3号). Who may print it is who may
// read the bundle (bundles.Service.Get); before acceptance there is
// nothing to acknowledge.
func (s *Server) bundleReceipt(w http.ResponseWriter, r *http.Request) error {
	return s.renderBundleReceipt(w, r, cases.StaffActor(actor(r)))
}

// myBundleReceipt is the applicant's own copy of the same receipt: their
// bundle only (bundles.Service.Get scopes it), after signing in.
func (s *Server) myBundleReceipt(w http.ResponseWriter, r *http.Request) error {
	ca, ok, err := s.applicantActor(r)
	if err != nil {
		return err
	}
	if !ok {
		return toSignin(w, r)
	}
	return s.renderBundleReceipt(w, r, ca)
}

func (s *Server) renderBundleReceipt(w http.ResponseWriter, r *http.Request, a cases.Actor) error {
	b, err := s.Bundles.Get(r.Context(), a, caseNo(r))
	if err != nil {
		return err
	}
	if b.AcceptedAt == nil {
		return apperr.New(apperr.Conflict, "bundlereceipt.not_accepted")
	}
	p := s.page(r, "bundlereceipt.title")
	p.Title = p.T("bundlereceipt.title_no", "Name", b.CompositeName, "No", b.No)
	p.Data = b
	return s.render(w, r, "bundle_receipt", p)
}
