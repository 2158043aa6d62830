package web

import (
	"net/http"

	"onestop/internal/cases"
	"onestop/internal/org"
)

// The JSON API for cases: the same engine calls as the pages, for window
// terminals and other systems (staff with a bearer token or a session) and
// for applicants signed in online. Errors are the API's usual
// {"error": {"code", "message", "fields"}} in the request's language.

// apiActor is the staff member or applicant calling; staff roles that
// never act on cases are refused before any work when acting.
func (s *Server) apiActor(r *http.Request, acting bool) (cases.Actor, error) {
	ca, ok, err := s.caseActor(r)
	if err != nil {
		return ca, err
	}
	if !ok {
		return ca, errSignIn
	}
	if acting && ca.Staff != nil && !caseWorkers.Allows(*ca.Staff) {
		return ca, errForbidden
	}
	return ca, nil
}

// apiSubmitCase opens a case: a clerk for a walk-in (SubmitInput with
// applicant_id), or a signed-in applicant online.
func (s *Server) apiSubmitCase(w http.ResponseWriter, r *http.Request) error {
	ca, err := s.apiActor(r, true)
	if err != nil {
		return err
	}
	if ca.Staff != nil && ca.Staff.Role != org.Clerk {
		return errForbidden
	}
	var in cases.SubmitInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.checkFiles(r, ca, "", in.Materials); err != nil {
		return err
	}
	c, err := s.submitCase(r, ca, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

// apiCase returns one case with its events, documents and messages.
func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) error {
	ca, err := s.apiActor(r, false)
	if err != nil {
		return err
	}
	c, err := s.Cases.Get(r.Context(), ca, caseNo(r))
	if err != nil {
		return err
	}
	maskCase(c, ca.Staff)
	return writeJSON(w, http.StatusOK, c)
}

// apiCaseAction performs one action (cases.Input as JSON). A "version"
// the case has moved past answers 409 ECONFLICT.
func (s *Server) apiCaseAction(w http.ResponseWriter, r *http.Request) error {
	ca, err := s.apiActor(r, true)
	if err != nil {
		return err
	}
	var in cases.Input
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.checkFiles(r, ca, caseNo(r), in.Materials); err != nil {
		return err
	}
	if _, err := s.actCase(r, ca, caseNo(r), r.PathValue("action"), in); err != nil {
		return err
	}
	// Answer with the whole case as the GET does, record included.
	c, err := s.Cases.Get(r.Context(), ca, caseNo(r))
	if err != nil {
		return err
	}
	maskCase(c, ca.Staff)
	return writeJSON(w, http.StatusOK, c)
}
