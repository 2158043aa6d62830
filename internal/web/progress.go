package web

import (
	"net/http"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/auth"
	"onestop/internal/cases"
	"onestop/internal/store"
)

// The public progress query (办件进度查询): case number + the applicant's
// phone. A wrong phone answers exactly as an unknown number (same status,
// same body), so the query cannot tell which numbers exist; repeated
// misses on one number, or from one address, are throttled so the phone
// cannot be guessed either.

// progressThrottle keeps its own counts: the address key is prefixed so
// citizens mistyping at a hall kiosk never lock the staff logins that share
// the hall's address. As for logins, the hard delay falls on the address
// guessing a case's phone; the case itself only ever imposes a short wait,
// so someone guessing at case X cannot keep its owner out.
func progressThrottle(db *store.DB) *auth.Throttle {
	return &auth.Throttle{DB: db,
		Pair:     auth.Backoff{Free: 5, Base: time.Second, Cap: 15 * time.Minute, Window: 24 * time.Hour},
		Account:  auth.Backoff{Free: 10, Base: time.Second, Cap: 30 * time.Second, Window: time.Hour},
		Address:  auth.Backoff{Free: 60, Base: time.Second, Cap: time.Minute, Window: 15 * time.Minute},
		KnownFor: 30 * 24 * time.Hour,
	}
}

// errNoProgress is the one answer for an unknown number and a wrong phone.
var errNoProgress = apperr.New(apperr.NotFound, "progress.not_found")

// progress answers the query; the error is errNoProgress, a throttle, or
// an internal failure.
func (s *Server) progress(r *http.Request, no, phone string) (*cases.Progress, error) {
	no = strings.ToUpper(strings.TrimSpace(no))
	return guessed(s, r, "progress:"+no, errNoProgress, func() (*cases.Progress, error) { return s.Cases.ProgressOf(r.Context(), no, phone) })
}

// guessed runs a public lookup by a number and a phone under the progress
// throttle: the account key names the number, the address key is shared
// by every such lookup (one budget per address for guessing any of them).
// A not-found is counted and answered as miss, the same for a wrong
// number and a wrong phone.
func guessed[T any](s *Server, r *http.Request, account string, miss error, look func() (T, error)) (T, error) {
	ctx := r.Context()
	now := s.Now()
	addr := "progress:" + clientAddress(r)
	th := s.ProgressThrottle
	var zero T
	blocked, until, err := th.Blocked(ctx, account, addr, now)
	if err != nil {
		return zero, err
	}
	if blocked {
		return zero, throttled(now, until, "progress.throttled")
	}
	v, err := look()
	if apperr.Is(err, apperr.NotFound) {
		if err := th.Fail(ctx, account, addr, now); err != nil {
			return zero, err
		}
		return zero, miss
	}
	if err != nil {
		return zero, err
	}
	return v, th.Succeed(ctx, account, addr, now)
}

// progressView is the page's data.
type progressView struct {
	P *cases.Progress
}

func (s *Server) progressPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "progress.title")
	v := &progressView{}
	p.Data = v
	pr, found, err := lookupForm(s, w, r, "progress", p, s.progress)
	if !found {
		return err
	}
	v.P = pr
	return s.render(w, r, "progress", p)
}

// lookupForm reads the number + phone form of a public page that looks a
// record up by its number and the phone given with it (the progress
// query, the rating entry /rate, following an enquiry). When the form is
// absent, wrong, missed or throttled it renders page name itself (the
// miss or throttle above the form) and found is false; found, it returns
// the record and renders nothing, for the caller to show or redirect.
func lookupForm[T any](s *Server, w http.ResponseWriter, r *http.Request, name string, p *Page,
	look func(*http.Request, string, string) (T, error)) (v T, found bool, err error) {
	q := r.URL.Query()
	p.Form["no"], p.Form["phone"] = q.Get("no"), q.Get("phone")
	// Only a submitted form carries the phone field. The link in a
	// notice's QR code carries just the number: the page opens with it
	// filled in and asks for the phone, without an error.
	if !q.Has("phone") {
		return v, false, s.render(w, r, name, p)
	}
	f := apperr.Fields{}
	f.Text("no", q.Get("no"), true, 40)
	f.Text("phone", q.Get("phone"), true, 40)
	if err := f.Err(); err != nil {
		return v, false, s.formFailed(w, r, name, p, err)
	}
	v, err = look(r, q.Get("no"), q.Get("phone"))
	if err != nil {
		if ae := apperr.As(err); ae != nil && (ae.Code == apperr.NotFound || ae.Code == apperr.TooMany) {
			p.Problem, p.Status = s.i18n.Msg(p.Lang, ae.Msg), statusOf(ae.Code)
			return v, false, s.render(w, r, name, p)
		}
		return v, false, err
	}
	return v, true, nil
}

// apiProgress is the query as JSON. Its "not found" carries no request id,
// so an unknown number and a wrong phone answer byte for byte the same.
func (s *Server) apiProgress(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	pr, err := s.progress(r, q.Get("no"), q.Get("phone"))
	if err == errNoProgress {
		lang := reqInfo(r).Lang
		return writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{"code": apperr.NotFound,
			"message": s.i18n.Msg(lang, errNoProgress.Msg)}})
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pr)
}
