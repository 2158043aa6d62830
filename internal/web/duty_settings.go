package web

import (
	"net/http"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/duty"
	"onestop/internal/org"
)

// The duty page's corrections (issue 15 §3): the centre's required duty
// days a month (its admin; dated, so past months keep theirs) and the
// cancellation of a scheduled, unrecorded day (whoever schedules it).
// internal/duty decides and audits both.

func (s *Server) registerDutySettings() {
	s.handle("POST /duty/required", roles(org.CentreAdmin), s.setDutyRequired)
	s.handle("POST /duty/days/{id}/cancel", orgAdmins, s.cancelDuty)
}

func (s *Server) setDutyRequired(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "error.bad_form")
	}
	a := actor(r)
	f := apperr.Fields{}
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("required")))
	if err != nil {
		f.Add("required", "duty.required_range", "Max", duty.MaxRequired)
		return s.renderDuty(w, r, f.Err())
	}
	if err := s.Duty.SetRequired(r.Context(), a, a.CentreID, n); err != nil {
		return s.renderDuty(w, r, err)
	}
	s.flash(r, "duty.required_saved")
	http.Redirect(w, r, "/duty", http.StatusSeeOther)
	return nil
}

func (s *Server) cancelDuty(w http.ResponseWriter, r *http.Request) error {
	// A malformed id finds no day (0); the service asks the role first,
	// so a township's admin is refused whatever the id.
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.Duty.Cancel(r.Context(), actor(r), id); err != nil {
		if ae := apperr.As(err); ae != nil && ae.Code == apperr.Conflict {
			return s.renderDuty(w, r, err)
		}
		return err
	}
	s.flash(r, "duty.cancelled_flash")
	http.Redirect(w, r, "/duty", http.StatusSeeOther)
	return nil
}
