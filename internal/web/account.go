package web

import (
	"net/http"

	"onestop/internal/notify"
	"onestop/internal/org"
)

// The account page: everyone signed in as staff keeps their own name,
// phone and e-mail address current (the address their notes of new work
// and of yellow and red lights are also sent to; notify.TellStaff). Role,
// reach, centre and the rest are an administrator's to change
// (org.UpdateStaff refuses them on a self-edit), so the page and the API
// take only these fields.

// profileInput is what a person may change of their own account. Email
// nil (an API call without it) leaves the address as it is.
type profileInput struct {
	Name  string  `json:"name"`
	Phone string  `json:"phone"`
	Email *string `json:"email"`
}

func (s *Server) registerAccount() {
	s.handle("GET /account", anyStaff, s.accountPage)
	s.handle("POST /account", anyStaff, s.updateAccount)
	s.handle("PUT /api/v1/me", anyStaff, s.apiUpdateMe)
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "account.title")
	st := reqInfo(r).Staff
	email, err := notify.StaffEmail(r.Context(), s.DB, st.ID)
	if err != nil {
		return err
	}
	p.Form["name"], p.Form["phone"], p.Form["email"] = st.Name, st.Phone, email
	return s.render(w, r, "account", p)
}

func (s *Server) updateAccount(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "account.title")
	var in profileInput
	err := decode(r, &in)
	if vs, sent := r.PostForm["email"]; sent && len(vs) > 0 {
		in.Email = &vs[0]
	}
	if err == nil {
		_, err = s.updateProfile(r, in)
	}
	if err != nil {
		p.Form["name"], p.Form["phone"] = in.Name, in.Phone
		if in.Email != nil {
			p.Form["email"] = *in.Email
		}
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

// updateProfile changes the signed-in person's name, phone and e-mail
// address, keeping everything else of the account as it is. The address
// is checked first, so a bad one changes nothing at all.
func (s *Server) updateProfile(r *http.Request, in profileInput) (org.Staff, error) {
	st := reqInfo(r).Staff
	if in.Email != nil {
		if err := notify.CheckAddress("email", *in.Email); err != nil {
			return org.Staff{}, err
		}
	}
	out, err := s.Org.UpdateStaff(r.Context(), actor(r), st.ID, org.StaffInput{Name: in.Name, Phone: in.Phone, Role: st.Role, CentreID: st.CentreID,
		DepartmentID: st.DepartmentID, WindowID: st.WindowID, BackupID: st.BackupID, Absent: st.Absent, Scope: st.Scope})
	if err != nil || in.Email == nil {
		return out, err
	}
	return out, notify.SetStaffEmail(r.Context(), s.DB, actor(r).Who(), st.ID, *in.Email, s.Now())
}
