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
}

// bundleReceipt is one receipt for the one acceptance (一次受理): every
// part, its department and its promised limit and day, and the bundle's
// promised limit, which is never under its longest part's (docs/DOMAIN.md
// §21 "Promised time"; 国办发〔2022〕3号). Who may print it is who may
// read the bundle (bundles.Service.Get); before acceptance there is
// nothing to acknowledge.
func (s *Server) bundleReceipt(w http.ResponseWriter, r *http.Request) error {
	b, err := s.Bundles.Get(r.Context(), cases.StaffActor(actor(r)), caseNo(r))
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
