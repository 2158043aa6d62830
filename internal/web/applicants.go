package web

import (
	"net/http"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/org"
)

const sessApplicant = "applicant_id"

var caseWorkers = roles(org.Clerk, org.Reviewer, org.Approver)

func (s *Server) registerApplicants() {
	s.handle("GET /register", everyone, s.registerPage)
	s.handle("POST /register", everyone, s.registerApplicant)
	s.handle("GET /signin", everyone, s.signinPage)
	s.handle("POST /signin", everyone, s.signin)
	s.handle("POST /signout", everyone, s.signout)
	s.handle("GET /me", everyone, s.applicantHome)
	s.handle("GET /applicants", anyStaff, s.applicantsPage)
	s.handle("GET /api/v1/applicants", anyStaff, s.apiApplicants)
	s.handle("POST /api/v1/applicants", caseWorkers, s.apiRegisterWalkIn)
}

func (s *Server) applicantSvc() *applicants.Service {
	return &applicants.Service{DB: s.DB, Now: s.Now}
}

// seesFullNumbers: the people who handle cases need the whole ID number to
// check it against the card; everyone else sees it masked.
func seesFullNumbers(a org.Actor) bool { return caseWorkers.Allows(a) }

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "register.title")
	p.Form["kind"] = applicants.Citizen
	return s.render(w, r, "register", p)
}

func (s *Server) registerApplicant(w http.ResponseWriter, r *http.Request) error {
	var in applicants.Input
	err := decode(r, &in)
	if err == nil && in.Password != r.PostFormValue("again") {
		f := apperr.Fields{}
		f.Add("again", "password.mismatch")
		err = f.Err()
	}
	var a applicants.Applicant
	if err == nil {
		a, err = s.applicantSvc().Register(r.Context(), in, true)
	}
	if err != nil {
		p := s.page(r, "register.title")
		in.Password = ""
		p.Form = formValues(in)
		if ae := apperr.As(err); ae != nil && ae.Fields["id_number"].Key == "applicant.check_confirm" {
			p.Form["show_confirm"] = "1"
		}
		return s.formFailed(w, r, "register", p, err)
	}
	if err := s.Sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.Sessions.Put(r.Context(), sessApplicant, a.ID)
	s.flash(r, "register.done")
	http.Redirect(w, r, "/me", http.StatusSeeOther)
	return nil
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, "signin", s.page(r, "signin.title"))
}

// signin is the applicant's login, under the same throttle as staff.
func (s *Server) signin(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "signin.title")
	number, password := r.PostFormValue("id_number"), r.PostFormValue("password")
	p.Form["id_number"] = number
	if err := checkSignInName("id_number", number); err != nil {
		return s.formFailed(w, r, "signin", p, err)
	}
	now, addr := s.Now(), clientAddress(r)
	account := "applicant:" + number
	blocked, until, err := s.Throttle.Blocked(r.Context(), account, addr, now)
	if err != nil {
		return err
	}
	if blocked {
		return s.formFailed(w, r, "signin", p, throttled(now, until, "login.throttled"))
	}
	a, err := s.applicantSvc().ByNumber(r.Context(), number)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	if err != nil || len(password) > 256 || !a.CheckPassword(password) {
		if err := s.Throttle.Fail(r.Context(), account, addr, now); err != nil {
			return err
		}
		return s.formFailed(w, r, "signin", p, apperr.New(apperr.Invalid, "signin.failed"))
	}
	if err := s.Throttle.Succeed(r.Context(), account, addr, now); err != nil {
		return err
	}
	if err := s.Sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.Sessions.Put(r.Context(), sessApplicant, a.ID)
	http.Redirect(w, r, "/me", http.StatusSeeOther)
	return nil
}

func (s *Server) signout(w http.ResponseWriter, r *http.Request) error {
	s.Sessions.Remove(r.Context(), sessApplicant)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (s *Server) applicantHome(w http.ResponseWriter, r *http.Request) error {
	id := s.Sessions.GetInt64(r.Context(), sessApplicant)
	if id == 0 {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return nil
	}
	a, err := s.applicantSvc().ByID(r.Context(), id)
	if err != nil {
		return err
	}
	p := s.page(r, "me.title")
	p.Data = a
	return s.render(w, r, "me", p)
}

func (s *Server) findApplicants(r *http.Request) ([]applicants.Applicant, error) {
	list, err := s.applicantSvc().Search(r.Context(), r.URL.Query().Get("q"), 50)
	if err != nil {
		return nil, err
	}
	if !seesFullNumbers(actor(r)) {
		for i := range list {
			list[i] = list[i].Masked()
		}
	}
	return list, nil
}

func (s *Server) applicantsPage(w http.ResponseWriter, r *http.Request) error {
	list, err := s.findApplicants(r)
	if err != nil {
		return err
	}
	p := s.page(r, "nav.applicants")
	p.Form["q"] = r.URL.Query().Get("q")
	p.Data = list
	return s.render(w, r, "applicants", p)
}

func (s *Server) apiApplicants(w http.ResponseWriter, r *http.Request) error {
	list, err := s.findApplicants(r)
	if err != nil {
		return err
	}
	return listJSON(w, list, len(list))
}

// apiRegisterWalkIn registers an applicant at the window (no password).
func (s *Server) apiRegisterWalkIn(w http.ResponseWriter, r *http.Request) error {
	var in applicants.Input
	if err := decode(r, &in); err != nil {
		return err
	}
	in.Password = ""
	a, err := s.applicantSvc().Register(r.Context(), in, false)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, a)
}
