package web

import (
	"database/sql"
	"math"
	"net/http"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/auth"
	"onestop/internal/clock"
	"onestop/internal/org"
)

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	if reqInfo(r).Staff != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	p := s.page(r, "login.title")
	p.Form["next"] = safeNext(r.URL.Query().Get("next"))
	return s.render(w, r, "login", p)
}

// maxSignInName bounds the name typed into a sign-in form (a username, an
// ID number): no account has a longer one, and the throttle would store it.
const maxSignInName = 64

// checkSignInName refuses a sign-in name no account can have before the
// throttle records it (PostgreSQL refuses an index entry of 360 KB).
func checkSignInName(field, v string) error {
	f := apperr.Fields{}
	f.Text(field, v, false, maxSignInName)
	return f.Err()
}

// login checks the password under the throttle. Every failure gives the same
// message, whether the account exists or not.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "login.title")
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	p.Form["username"], p.Form["next"] = username, safeNext(r.PostFormValue("next"))
	if err := checkSignInName("username", username); err != nil {
		return s.formFailed(w, r, "login", p, err)
	}
	now := s.Now()
	addr := clientAddress(r)
	blocked, until, err := s.Throttle.Blocked(r.Context(), username, addr, now)
	if err != nil {
		return err
	}
	if blocked {
		return s.formFailed(w, r, "login", p, throttled(now, until, "login.throttled"))
	}
	if username == "" || password == "" || len(password) > 256 {
		f := apperr.Fields{}
		if username == "" {
			f.Add("username", "error.required")
		}
		if password == "" {
			f.Add("password", "error.required")
		}
		if len(password) > 256 {
			f.Add("password", "error.too_long", "Max", 256)
		}
		return s.formFailed(w, r, "login", p, f.Err())
	}
	st, err := s.Org.StaffByUsername(r.Context(), username)
	ok := false
	switch {
	case apperr.Is(err, apperr.NotFound):
		auth.BurnTime(password)
	case err != nil:
		return err
	default:
		ok = st.CheckPassword(password) && st.Active()
	}
	if !ok {
		if err := s.Throttle.Fail(r.Context(), username, addr, now); err != nil {
			return err
		}
		return s.formFailed(w, r, "login", p, apperr.New(apperr.Invalid, "login.failed"))
	}
	if err := s.Throttle.Succeed(r.Context(), username, addr, now); err != nil {
		return err
	}
	// A new token on privilege change defeats session fixation.
	if err := s.Sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.Sessions.Put(r.Context(), sessStaff, st.ID)
	s.Sessions.Remove(r.Context(), sessCSRF)
	a := st.Actor(addr)
	if err := s.DB.Tx(r.Context(), func(tx *sql.Tx) error {
		return audit.Write(r.Context(), tx, now, a.Who(), "login", "staff", itoa(st.ID), st.CentreID, st.DepartmentID, nil, nil)
	}); err != nil {
		return err
	}
	http.Redirect(w, r, p.Form["next"], http.StatusSeeOther)
	return nil
}

// throttled is the answer to an attempt the throttle refuses: how long to
// wait, in seconds while it is short. key names the message; key+"_seconds"
// is its short form.
func throttled(now, until time.Time, key string) error {
	wait := until.Sub(now)
	if wait < time.Minute {
		return apperr.New(apperr.TooMany, key+"_seconds", "Seconds", int(math.Ceil(wait.Seconds())))
	}
	return apperr.New(apperr.TooMany, key, "Minutes", int(math.Ceil(wait.Minutes())))
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.Sessions.Destroy(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, "password", s.page(r, "password.title"))
}

// changePassword lets a signed-in person set their own password; the
// current one is asked for so an unattended terminal cannot be taken over.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "password.title")
	st := reqInfo(r).Staff
	cur, next, again := r.PostFormValue("current"), r.PostFormValue("password"), r.PostFormValue("again")
	f := apperr.Fields{}
	if !st.CheckPassword(cur) {
		f.Add("current", "password.current_wrong")
	}
	if next != again {
		f.Add("again", "password.mismatch")
	}
	if next == cur && next != "" {
		f.Add("password", "password.same")
	}
	if err := f.Err(); err != nil {
		return s.formFailed(w, r, "password", p, err)
	}
	if err := s.Org.ResetPassword(r.Context(), actor(r), st.ID, next); err != nil {
		return s.formFailed(w, r, "password", p, err)
	}
	// The change ended every session of the account, this one included;
	// this browser carries on under a new session token, the others are
	// signed out.
	if err := s.Sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.flash(r, "password.changed")
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, reqInfo(r).Staff)
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	entries, total, f, err := s.auditEntries(r)
	if err != nil {
		return err
	}
	p := s.page(r, "nav.audit")
	af := auditFmt{p: p, name: s.auditNames(r)}
	p.Data = map[string]any{"Items": af.auditRows(entries), "Total": total, "Filter": f}
	return s.render(w, r, "audit", p)
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) error {
	entries, total, _, err := s.auditEntries(r)
	if err != nil {
		return err
	}
	return listJSON(w, entries, total)
}

// auditEntries lists the log within the viewer's scope: the county for
// county-wide roles, the centre for a township admin, the department for a
// department admin.
func (s *Server) auditEntries(r *http.Request) ([]audit.Entry, int, audit.Filter, error) {
	q := readQuery(r)
	o := listOptions(r)
	f := audit.Filter{Entity: q.Get("entity"), Actor: q.Get("actor"), Limit: o.Limit, Offset: o.Offset}
	if d, ok := q.Date("from"); ok {
		f.From = time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, clock.Shanghai)
	}
	if d, ok := q.Date("to"); ok {
		f.To = time.Date(d.Year, d.Month, d.Day+1, 0, 0, 0, 0, clock.Shanghai)
	}
	if err := q.Err(); err != nil {
		return nil, 0, f, err
	}
	a := actor(r)
	switch {
	case a.CountyWide():
	case a.Role == org.CentreAdmin:
		f.CentreID = a.CentreID
	default:
		f.DepartmentID = a.DepartmentID
	}
	entries, total, err := audit.List(r.Context(), s.DB.R, f)
	return entries, total, f, err
}
