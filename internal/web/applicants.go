package web

import (
	"net/http"
	"net/url"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/org"
	"onestop/internal/voice"
)

const (
	sessApplicant = "applicant_id"
	// sessClaim is the registration this browser started: its code is
	// checked against that claim only, so a code texted to someone for a
	// claim another person started never opens an account here.
	sessClaim = "register_claim"
)

var caseWorkers = roles(org.Clerk, org.Reviewer, org.Approver)

func (s *Server) registerApplicants() {
	s.handle("GET /register", everyone, s.registerPage)
	s.handle("POST /register", everyone, s.registerApplicant)
	s.handle("GET /register/verify", everyone, s.verifyPage)
	s.handle("POST /register/verify", everyone, s.verifyCode)
	s.handle("GET /signin", everyone, s.signinPage)
	s.handle("POST /signin", everyone, s.signin)
	s.handle("POST /signout", everyone, s.signout)
	s.handle("GET /me", everyone, s.applicantHome)
	s.handle("GET /applicants", anyStaff, s.applicantsPage)
	s.handle("GET /api/v1/applicants", anyStaff, s.apiApplicants)
	s.handle("POST /api/v1/applicants", caseWorkers, s.apiRegisterWalkIn)
	s.handle("POST /applicants/{id}/online", windowStaff, s.onlineAccount)
	s.handle("POST /api/v1/applicants/{id}/online-account", windowStaff, s.apiOnlineAccount)
}

// windowStaff are the people at a window who can check an ID card.
var windowStaff = roles(org.Clerk)

// seesFullNumbers: the people who handle cases need the whole ID number to
// check it against the card; everyone else sees it masked.
func seesFullNumbers(a org.Actor) bool { return caseWorkers.Allows(a) }

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "register.title")
	p.Form["kind"] = applicants.Citizen
	return s.render(w, r, "register", p)
}

// registerApplicant starts an online registration: a code goes by text
// to a phone, and the account opens only with it (verifyCode). The answer
// is the same for a new number, a window-opened account and a registered
// one; what differs goes to the phone on file, not to the visitor.
func (s *Server) registerApplicant(w http.ResponseWriter, r *http.Request) error {
	var in applicants.Input
	err := decode(r, &in)
	if err == nil && in.Password != r.PostFormValue("again") {
		f := apperr.Fields{}
		f.Add("again", "password.mismatch")
		err = f.Err()
	}
	var id int64
	if err == nil {
		id, err = s.Claims.Start(r.Context(), in, clientAddress(r), reqInfo(r).Lang)
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
	s.Sessions.Put(r.Context(), sessClaim, id)
	http.Redirect(w, r, "/register/verify", http.StatusSeeOther)
	return nil
}

// verifyPage asks for the texted code: of the registration this browser
// started, or (none started here) of a set-up a clerk began at the
// window, with the ID number and a new password.
func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "register.verify.title")
	p.Data = s.Sessions.GetInt64(r.Context(), sessClaim) != 0 && r.URL.Query().Get("window") == ""
	return s.render(w, r, "register_verify", p)
}

func (s *Server) verifyCode(w http.ResponseWriter, r *http.Request) error {
	claim := s.Sessions.GetInt64(r.Context(), sessClaim)
	code, number := r.PostFormValue("code"), r.PostFormValue("id_number")
	var a applicants.Applicant
	var err error
	switch {
	case claim != 0 && number == "":
		a, err = s.Claims.Confirm(r.Context(), claim, code, clientAddress(r))
	default:
		password := r.PostFormValue("password")
		if password != r.PostFormValue("again") {
			f := apperr.Fields{}
			f.Add("again", "password.mismatch")
			err = f.Err()
		} else {
			a, err = s.Claims.WindowConfirm(r.Context(), number, code, password, clientAddress(r))
		}
	}
	if err != nil {
		p := s.page(r, "register.verify.title")
		p.Data = claim != 0 && number == ""
		p.Form["id_number"] = number
		return s.formFailed(w, r, "register_verify", p, err)
	}
	if err := s.Sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.Sessions.Remove(r.Context(), sessClaim)
	s.Sessions.Put(r.Context(), sessApplicant, a.ID)
	s.flash(r, "register.done")
	http.Redirect(w, r, "/me", http.StatusSeeOther)
	return nil
}

// onlineAccount: a clerk has checked the applicant's ID card at the
// window and has a code texted to set up (or reset) the online password,
// to the phone given (which then replaces the one on file) or on file.
func (s *Server) onlineAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := parseID(r.PathValue("id"), "entity.applicant")
	if err != nil {
		return err
	}
	a := actor(r)
	if err := s.Claims.WindowStart(r.Context(), a.Who(), id, r.PostFormValue("phone")); err != nil {
		p := s.page(r, "nav.applicants")
		list, lerr := s.findApplicants(r)
		if lerr != nil {
			return lerr
		}
		p.Data = list
		p.Form["q"] = r.PostFormValue("q")
		return s.formFailed(w, r, "applicants", p, err)
	}
	s.flash(r, "applicant.online.sent")
	http.Redirect(w, r, "/applicants?q="+url.QueryEscape(r.PostFormValue("q")), http.StatusSeeOther)
	return nil
}

func (s *Server) apiOnlineAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := parseID(r.PathValue("id"), "entity.applicant")
	if err != nil {
		return err
	}
	var in struct {
		Phone string `json:"phone"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.Claims.WindowStart(r.Context(), actor(r).Who(), id, in.Phone); err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]any{"sent": true})
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
	a, err := s.Applicants.ByNumber(r.Context(), number)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	// A number nobody has is the zero Applicant, whose check takes as
	// long as a real one: the time taken tells nothing.
	if len(password) > 256 || !a.CheckPassword(password) {
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

// applicantName is the signed-in applicant's name, "" for nobody (or an
// account that is gone: the header then offers the sign-in again).
func (s *Server) applicantName(r *http.Request) string {
	id := s.Sessions.GetInt64(r.Context(), sessApplicant)
	if id == 0 {
		return ""
	}
	a, err := s.Applicants.ByID(r.Context(), id)
	if err != nil {
		return ""
	}
	return a.Name
}

func (s *Server) applicantHome(w http.ResponseWriter, r *http.Request) error {
	id := s.Sessions.GetInt64(r.Context(), sessApplicant)
	if id == 0 {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return nil
	}
	a, err := s.Applicants.ByID(r.Context(), id)
	if err != nil {
		return err
	}
	mine, err := s.Voice.Mine(r.Context(), a.ID)
	if err != nil {
		return err
	}
	p := s.page(r, "me.title")
	p.Data = &meView{Applicant: a, Enquiries: mine}
	return s.render(w, r, "me", p)
}

// meView is the applicant's own page: their account and what they asked
// (consultations, complaints, help requests) with the replies.
type meView struct {
	applicants.Applicant
	Enquiries []*voice.Enquiry
}

func (s *Server) findApplicants(r *http.Request) ([]applicants.Applicant, error) {
	list, err := s.Applicants.Search(r.Context(), r.URL.Query().Get("q"), 50)
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
	a, err := s.Applicants.Register(r.Context(), in, false)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, a)
}
