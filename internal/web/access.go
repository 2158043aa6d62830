package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/auth"
	"onestop/internal/org"
)

// access says who may reach a route. Scope (which department, which centre)
// is checked again by the domain service on every read and write.
type access struct {
	Public bool
	Roles  []org.Role
	// CountyWide further requires a county-wide actor (the hall's admin,
	// not a township centre's).
	CountyWide bool
	// ClientKey marks a machine's route: no session is read and no CSRF
	// token asked, since the machine has neither; its own key is the
	// credential, checked by the handler. Only the paths clientKeyRoute
	// names may be marked (Open311 under /open311/v2/, a window's rating
	// pad).
	ClientKey bool
}

var (
	everyone = access{Public: true}
	anyStaff = access{Roles: org.Roles}
)

func roles(r ...org.Role) access { return access{Roles: r} }

// Allows reports whether a signed-in actor may reach the route.
func (a access) Allows(act org.Actor) bool {
	return a.Public || (slices.Contains(a.Roles, act.Role) && (!a.CountyWide || act.CountyWide()))
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

const (
	sessStaff = "staff_id"
	sessCSRF  = "csrf"
)

// handle registers a route behind authentication, role check and CSRF check.
func (s *Server) handle(pattern string, a access, h handlerFunc) {
	s.routes = append(s.routes, route{Pattern: pattern, Allow: a})
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := s.guard(w, r, a); err != nil {
			s.fail(w, r, err)
			return
		}
		if err := checkQuery(r, pattern); err != nil {
			s.fail(w, r, err)
			return
		}
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

var (
	errSignIn     = apperr.New(apperr.Unauth, "auth.sign_in_first")
	errCSRF       = apperr.New(apperr.Forbidden, "auth.csrf")
	errForbidden  = apperr.New(apperr.Forbidden, "error.forbidden")
	errTooLarge   = apperr.New(apperr.TooLarge, "error.too_large")
	errPanic      = errors.New("panic")
	errMustChange = apperr.New(apperr.Forbidden, "auth.must_change_password")
)

// guard authenticates the request, checks the role and the CSRF token.
func (s *Server) guard(w http.ResponseWriter, r *http.Request, a access) error {
	if a.ClientKey {
		// Checked here too, so a route marked by mistake elsewhere never
		// loses its CSRF check.
		if !clientKeyRoute(r) {
			return errForbidden
		}
		if r.Method == http.MethodPost && isOpen311(r) {
			return open311Form(r)
		}
		return nil
	}
	info := reqInfo(r)
	viaToken := false
	if h := r.Header.Get("Authorization"); isAPI(r) && strings.HasPrefix(h, "Bearer ") {
		id, err := auth.TokenStaff(r.Context(), s.DB, strings.TrimPrefix(h, "Bearer "), s.Now())
		if err != nil {
			return err
		}
		if id == 0 {
			return errSignIn
		}
		if err := s.loadStaff(r, id); err != nil {
			return err
		}
		viaToken = true
	} else if id := s.Sessions.GetInt64(r.Context(), sessStaff); id != 0 {
		if err := s.loadStaff(r, id); err != nil {
			return err
		}
		if info.Staff == nil { // retired since signing in
			_ = s.Sessions.Destroy(r.Context())
		}
	}
	if !viaToken && !safeMethod(r.Method) && !s.csrfOK(r) {
		return errCSRF
	}
	// An initial password set by an admin must be replaced before anything
	// else, public pages included (the home page is where login lands).
	if info.Staff != nil && info.Staff.MustChangePassword && !viaToken &&
		r.URL.Path != "/account/password" && r.URL.Path != "/logout" && r.URL.Path != "/healthz" {
		return errMustChange
	}
	if a.Public {
		return nil
	}
	if info.Staff == nil {
		return errSignIn
	}
	if !a.Allows(*info.Actor) {
		return errForbidden
	}
	return nil
}

func (s *Server) loadStaff(r *http.Request, id int64) error {
	st, err := s.Org.StaffMember(r.Context(), org.Actor{StaffID: id}, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.Active() {
		return nil
	}
	info := reqInfo(r)
	info.Staff = &st
	actor := st.Actor(clientAddress(r))
	info.Actor = &actor
	return nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// csrfToken returns the session's CSRF token, creating it on first use.
func (s *Server) csrfToken(r *http.Request) string {
	tok := s.Sessions.GetString(r.Context(), sessCSRF)
	if tok == "" {
		var b [32]byte
		_, _ = rand.Read(b[:])
		tok = base64.RawURLEncoding.EncodeToString(b[:])
		s.Sessions.Put(r.Context(), sessCSRF, tok)
	}
	return tok
}

// csrfOK checks the synchroniser token from the form field or the
// X-CSRF-Token header against the session's.
func (s *Server) csrfOK(r *http.Request) bool {
	want := s.Sessions.GetString(r.Context(), sessCSRF)
	if want == "" {
		return false
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" && !isAPI(r) {
		got = r.PostFormValue("csrf_token")
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// loginURL sends the user to the login page and back afterwards.
func loginURL(r *http.Request) string {
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		next = "/"
	}
	return "/login?next=" + url.QueryEscape(next)
}

// safeNext accepts only local paths, so a login link cannot send the user to
// another site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// ratingPadPath is the one route a window's rating pad calls.
const ratingPadPath = "/api/v1/ratings/device"

// clientKeyRoute reports whether r is on a path a machine may call with
// its own key instead of a session.
func clientKeyRoute(r *http.Request) bool {
	return isOpen311(r) || r.URL.Path == ratingPadPath || attendanceDeviceRoute(r)
}
