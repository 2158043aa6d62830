package web

import (
	"net/http"

	"onestop/internal/org"
)

// The department admin's assignment when a step's A, B and the chief
// representative are all away (DOMAIN.md §3; cases.AssignCover decides).

func (s *Server) registerCaseCover() {
	s.handle("POST /cases/{no}/cover", roles(org.DeptAdmin), s.assignCover)
}

// coverInput names whom to assign.
type coverInput struct {
	StaffID int64 `json:"staff_id"`
}

func (s *Server) assignCover(w http.ResponseWriter, r *http.Request) error {
	var in coverInput
	if err := decode(r, &in); err != nil {
		return s.renderCase(w, r, "", err)
	}
	if _, err := s.Cases.AssignCover(r.Context(), actor(r), caseNo(r), in.StaffID); err != nil {
		return s.renderCase(w, r, "", err)
	}
	s.flash(r, "case.cover_assigned")
	http.Redirect(w, r, "/cases/"+caseNo(r), http.StatusSeeOther)
	return nil
}
