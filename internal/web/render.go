package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/org"
)

//go:embed templates
var templateFS embed.FS

type pages struct{ set map[string]*template.Template }

// parsePages parses every page once at start: the layout and partials plus
// one page file each.
func parsePages(sf *staticFiles) (*pages, error) {
	funcs := template.FuncMap{
		"static": sf.URL,
		"add":    func(a, b int) int { return a + b },
		"neg":    func(a int) int { return -a },
		"join":   strings.Join,
		// dict passes several named values to a partial.
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"str":  func(v any) string { return fmt.Sprint(v) },
		"list": func(v ...string) []string { return v },
	}
	entries, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{set: map[string]*template.Template{}}
	for _, e := range entries {
		name := strings.TrimSuffix(strings.TrimPrefix(e, "templates/pages/"), ".html")
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html", e)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		p.set[name] = t
	}
	return p, nil
}

// Page is what every template receives.
type Page struct {
	s         *Server
	Lang      string
	Title     string
	Staff     *org.Staff
	Applicant string // the signed-in applicant's name, for the header
	CSRF      string
	RequestID string
	Path      string
	Query     string
	Data      any
	Form      map[string]string // the values to show in a form
	Errors    map[string]string // field → translated problem
	Problem   string            // a message above the form
	Flash     string
	Status    int
	care      bool // the care mode (关怀版) is on: portal.go
}

// T translates a key with name/value arguments.
func (p *Page) T(key string, kv ...any) string {
	return p.s.i18n.Msg(p.Lang, apperr.M(key, kv...))
}

// Other returns the language to offer in the switch.
func (p *Page) Other() string {
	if p.Lang == "en" {
		return "zh-CN"
	}
	return "en"
}

// Is reports whether the signed-in role is one of roles.
func (p *Page) Is(roles ...string) bool {
	if p.Staff == nil {
		return false
	}
	for _, r := range roles {
		if string(p.Staff.Role) == r {
			return true
		}
	}
	return false
}

func (s *Server) page(r *http.Request, titleKey string) *Page {
	info := reqInfo(r)
	p := &Page{s: s, Lang: info.Lang, Staff: info.Staff, RequestID: info.ID, Path: r.URL.Path, Query: r.URL.RawQuery,
		CSRF: s.csrfToken(r), Form: map[string]string{}, Errors: map[string]string{}, care: careOn(r)}
	p.Title = p.T(titleKey)
	if p.Staff == nil {
		p.Applicant = s.applicantName(r)
	}
	if f := s.Sessions.PopString(r.Context(), "flash"); f != "" {
		p.Flash = p.T(f)
	}
	return p
}

// render writes a page; the template runs into a buffer first so a template
// error never leaves half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, p *Page) error {
	t := s.pages.set[name]
	if t == nil {
		return fmt.Errorf("no page template %q", name)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	if c, err := r.Cookie("lang"); r.URL.Query().Get("lang") != "" && (err != nil || c.Value != p.Lang) {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: p.Lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Config.SecureCookies})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if p.Status != 0 {
		w.WriteHeader(p.Status)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// flash shows a message on the next page.
func (s *Server) flash(r *http.Request, key string) { s.Sessions.Put(r.Context(), "flash", key) }

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// listJSON is the stable list shape.
func listJSON[T any](w http.ResponseWriter, items []T, total int) error {
	if items == nil {
		items = []T{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

func statusOf(code apperr.Code) int {
	switch code {
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.Unauth:
		return http.StatusUnauthorized
	case apperr.TooMany:
		return http.StatusTooManyRequests
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// fail answers an error: JSON for the API, a page otherwise. Internal errors
// are logged and shown as a generic message with the request id.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	info := reqInfo(r)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = errTooLarge
	}
	if isOpen311(r) {
		s.open311Fail(w, r, err)
		return
	}
	ae := apperr.As(err)
	if ae == nil {
		s.Log.Error("internal error", "id", info.ID, "path", r.URL.Path, "err", err)
		ae = apperr.New(apperr.Internal, "error.internal", "ID", info.ID)
	}
	status := statusOf(ae.Code)
	msg := s.i18n.Msg(info.Lang, ae.Msg)
	fields := map[string]string{}
	for f, m := range ae.Fields {
		fields[f] = s.i18n.Msg(info.Lang, m)
	}
	if isAPI(r) {
		body := map[string]any{"code": ae.Code, "message": msg}
		if len(fields) > 0 {
			body["fields"] = fields
		}
		_ = writeJSON(w, status, map[string]any{"error": body, "request_id": info.ID})
		return
	}
	if ae.Code == apperr.Unauth {
		http.Redirect(w, r, loginURL(r), http.StatusSeeOther)
		return
	}
	if ae == errMustChange {
		http.Redirect(w, r, "/account/password", http.StatusSeeOther)
		return
	}
	p := s.page(r, "error.title")
	p.Problem, p.Errors, p.Status = msg, fields, status
	if rerr := s.render(w, r, "error", p); rerr != nil {
		s.Log.Error("render error page", "id", info.ID, "err", rerr)
		http.Error(w, msg, status)
	}
}

// formFailed re-renders a form with its field errors when err is the user's
// to fix, and otherwise fails as usual.
func (s *Server) formFailed(w http.ResponseWriter, r *http.Request, name string, p *Page, err error) error {
	ae := apperr.As(err)
	if ae == nil || (ae.Code != apperr.Invalid && ae.Code != apperr.Conflict && ae.Code != apperr.TooMany) {
		return err
	}
	p.Problem = s.i18n.Msg(p.Lang, ae.Msg)
	for f, m := range ae.Fields {
		p.Errors[f] = s.i18n.Msg(p.Lang, m)
	}
	p.Status = statusOf(ae.Code)
	return s.render(w, r, name, p)
}

// HallAdmin reports whether the viewer administers the whole county.
func (p *Page) HallAdmin() bool {
	return p.Staff != nil && p.Staff.Role == org.CentreAdmin && p.Staff.Actor("").CountyWide()
}
