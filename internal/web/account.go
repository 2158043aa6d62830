package web

import (
	"net/http"

	"onestop/internal/org"
)

// The account page: everyone signed in as staff keeps their own name and
// phone current. Role, reach, centre and the rest are an administrator's
// to change (org.UpdateStaff refuses them on a self-edit), so the page and
// the API take only these two fields.

// profileInput is what a person may change of their own account.
type profileInput struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

func (s *Server) registerAccount() {
	s.handle("GET /account", anyStaff, s.accountPage)
	s.handle("POST /account", anyStaff, s.updateAccount)
	s.handle("PUT /api/v1/me", anyStaff, s.apiUpdateMe)
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "account.title")
	st := reqInfo(r).Staff
	p.Form["name"], p.Form["phone"] = st.Name, st.Phone
	return s.render(w, r, "account", p)
}

func (s *Server) updateAccount(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "account.title")
	var in profileInput
	err := decode(r, &in)
	if err == nil {
		_, err = s.updateProfile(r, in)
	}
	if err != nil {
		p.Form["name"], p.Form["phone"] = in.Name, in.Phone
		return s.formFailed(w, r, "account", p, err)
	}
	s.flash(r, "account.saved")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

func (s *Server) apiUpdateMe(w http.ResponseWriter, r *http.Request) error {
	var in profileInput
	if err := decode(r, &in); err != nil {
		return err
	}
	st, err := s.updateProfile(r, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

// updateProfile changes the signed-in person's name and phone, keeping
// everything else of the account as it is.
func (s *Server) updateProfile(r *http.Request, in profileInput) (org.Staff, error) {
	st := reqInfo(r).Staff
	return s.Org.UpdateStaff(r.Context(), actor(r), st.ID, org.StaffInput{Name: in.Name, Phone: in.Phone, Role: st.Role, CentreID: st.CentreID,
		DepartmentID: st.DepartmentID, WindowID: st.WindowID, BackupID: st.BackupID, Absent: st.Absent, Scope: st.Scope})
}
