package web

import (
	"net/http"
	"slices"

	"onestop/internal/cases"
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

// coverCandidates: for the case's department admin, when nobody covers an
// uncovered A (or to replace an assignment), the department's staff at
// work with the step's role.
func (s *Server) coverCandidates(r *http.Request, c *cases.Case, a org.Actor) ([]org.Staff, error) {
	if a.Role != org.DeptAdmin || a.DepartmentID != c.DepartmentID || c.State != "in_progress" || !c.AssigneeUncovered ||
		(c.CoverID != 0 && c.CoverAssignedBy == "") {
		return nil, nil
	}
	staff, _, err := s.Org.StaffList(r.Context(), a, org.StaffFilter{DepartmentID: c.DepartmentID, Role: org.Role(c.StepRole)}, allOptions)
	return slices.DeleteFunc(staff, func(x org.Staff) bool { return x.Absent || x.ID == c.AssigneeID }), err
}
