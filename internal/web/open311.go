package web

import (
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/auth"
	"onestop/internal/calendar"
	"onestop/internal/open311"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Open311 GeoReport v2 (issue 13 §5, docs/OPEN311.md): civic apps and
// kiosks file consultations and complaints and follow them. The protocol
// is package open311's; this file routes, authenticates the api_key,
// throttles posts and writes every answer, errors included, in the
// specification's own formats.

// open311Prefix is the one path the guard's client-key exemption reaches.
const open311Prefix = "/open311/v2/"

// open311API is the access of the protocol's routes: anyone, without a
// session or CSRF token (a civic app has neither); POST requests needs an
// api_key, checked by the handler.
var open311API = access{Public: true, ClientKey: true}

func isOpen311(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, open311Prefix) }

func (s *Server) registerOpen311() {
	// Go's router cannot match "services.json" as "{name}.{fmt}": each
	// route takes the whole last segment and open311.Split reads it.
	s.handle("GET /open311/v2/{file}", open311API, s.open311Top)
	s.handle("POST /open311/v2/{file}", open311API, s.open311Post)
	s.handle("GET /open311/v2/services/{file}", open311API, s.open311Definition)
	s.handle("GET /open311/v2/requests/{file}", open311API, s.open311Request)
	s.handle("GET /open311/v2/tokens/{file}", open311API, s.open311Token)
	// Any other path under the endpoint is the specification's 404, in
	// its format, not the router's plain text.
	s.handle("GET /open311/v2/{path...}", open311API, s.open311Missing)
	s.handle("POST /open311/v2/{path...}", open311API, s.open311Missing)
	// The specification has GET and POST only; any other method is its
	// 400, not the router's plain-text 405. It reaches no data, so it
	// needs no guard.
	s.mux.HandleFunc(open311Prefix+"{path...}", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, apperr.New(apperr.Invalid, "open311.method"))
	})
	s.handle("GET /admin/open311", hallAdmin, s.open311KeysPage)
	s.handle("POST /admin/open311", hallAdmin, s.open311Issue)
	s.handle("POST /admin/open311/{id}/revoke", hallAdmin, s.open311Revoke)
}

var errOpen311Missing = apperr.New(apperr.NotFound, "open311.not_found")

// open311Lang is the language of the answer: the locale parameter some
// Open311 clients send (en, en_US, zh_CN …), else the site's choice
// (?lang=, the cookie, Chinese).
func open311Lang(r *http.Request) string {
	l := strings.ToLower(r.URL.Query().Get("locale"))
	switch {
	case strings.HasPrefix(l, "en"):
		return "en"
	case strings.HasPrefix(l, "zh"):
		return "zh-CN"
	}
	return reqInfo(r).Lang
}

// open311Words gives package open311 the reader's language.
type open311Words struct {
	tr   *translator
	lang string
}

func (w open311Words) T(key string, kv ...any) string { return w.tr.Msg(w.lang, apperr.M(key, kv...)) }

// Day writes a deadline as every page does (format.go).
func (w open311Words) Day(d calendar.Date) string { return (&Page{Lang: w.lang}).Day(d) }

func (s *Server) words(r *http.Request) open311Words {
	return open311Words{tr: s.i18n, lang: open311Lang(r)}
}

// Open311Words are Open311's texts in lang ("" is Chinese), for the demo's
// requests, filed without a request to read the language from.
func (s *Services) Open311Words(lang string) open311.Words {
	if lang == "" {
		lang = defaultLang
	}
	return open311Words{tr: s.i18n, lang: lang}
}

// open311Format is the format an answer about path is written in: its
// suffix, or XML (the format the specification requires) when it has
// none we serve.
func open311Format(r *http.Request) open311.Format {
	last := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	if _, f, ok := open311.Split(last); ok {
		return f
	}
	return open311.XML
}

func (s *Server) open311Write(w http.ResponseWriter, r *http.Request, f open311.Format, status int, d open311.Document) error {
	b, err := open311.Encode(f, d)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType())
	h.Set("Cache-Control", "no-store")
	if r.Method == http.MethodGet {
		// What GET answers is public and holds no personal data: a web
		// page of any origin may read it.
		h.Set("Access-Control-Allow-Origin", "*")
	}
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// open311Fail writes an error as the specification's error document:
// 404 for what does not exist (resource, service_code, request,
// jurisdiction, token), 403 for a missing, bad or revoked api_key, 400 for
// everything else — one <error> per field at fault. The body's code may be
// more precise than the status, as the specification allows: 429 when
// throttled, 413 for a body over the limit, 500 for our own failure (the
// specification's "general service error" is a 400).
func (s *Server) open311Fail(w http.ResponseWriter, r *http.Request, err error) {
	info := reqInfo(r)
	ae := apperr.As(err)
	if ae == nil {
		s.Log.Error("internal error", "id", info.ID, "path", r.URL.Path, "err", err)
		ae = apperr.New(apperr.Internal, "error.internal", "ID", info.ID)
	}
	status, code := http.StatusBadRequest, http.StatusBadRequest
	switch ae.Code {
	case apperr.NotFound:
		status, code = http.StatusNotFound, http.StatusNotFound
	case apperr.Forbidden, apperr.Unauth:
		status, code = http.StatusForbidden, http.StatusForbidden
	case apperr.TooMany:
		code = http.StatusTooManyRequests
	case apperr.TooLarge:
		code = http.StatusRequestEntityTooLarge
	case apperr.Internal:
		code = http.StatusInternalServerError
	}
	lang := open311Lang(r)
	doc := open311.Errors{}
	names := make([]string, 0, len(ae.Fields))
	for f := range ae.Fields {
		names = append(names, f)
	}
	slices.Sort(names)
	for _, f := range names {
		doc.Items = append(doc.Items, open311.Error{Code: code, Description: f + ": " + s.i18n.Msg(lang, ae.Fields[f])})
	}
	if len(doc.Items) == 0 {
		doc.Items = []open311.Error{{Code: code, Description: s.i18n.Msg(lang, ae.Msg)}}
	}
	if werr := s.open311Write(w, r, open311Format(r), status, doc); werr != nil {
		s.Log.Warn("open311 error write", "id", info.ID, "err", werr)
	}
}

// open311Form parses a posted form for the guard (no CSRF check does it
// on these routes). A body over the limit stays that error.
func open311Form(r *http.Request) error {
	err := r.ParseForm()
	var mbe *http.MaxBytesError
	if err == nil || errors.As(err, &mbe) {
		return err
	}
	return apperr.New(apperr.Invalid, "open311.bad_form")
}

// open311CrossOrigin refuses a browser's cross-site post to Open311 as the
// site does every other (http.CrossOriginProtection), but in the
// specification's format: the api_key is a secret that belongs on the
// app's server, never in a web page of another site.
func (s *Server) open311CrossOrigin(cop *http.CrossOriginProtection, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isOpen311(r) && cop.Check(r) != nil {
			s.fail(w, r, apperr.New(apperr.Invalid, "open311.cross_origin"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// open311Throttle counts every POST (filed or refused) as the login
// throttle counts failures, so its delays are rates: a key may file 300
// requests an hour, an address 60 in 15 minutes, before each further one
// waits (1 s doubling to 1 minute per key, to 5 minutes per address). A
// kiosk app behind one address files for many citizens, so the key's
// allowance is the larger; guessing keys is slowed by the address count.
func open311Throttle(db *store.DB) *auth.Throttle {
	return &auth.Throttle{DB: db,
		Account: auth.Backoff{Free: 300, Base: time.Second, Cap: time.Minute, Window: time.Hour},
		Address: auth.Backoff{Free: 60, Base: time.Second, Cap: 5 * time.Minute, Window: 15 * time.Minute},
	}
}

func (s *Server) open311Missing(w http.ResponseWriter, r *http.Request) error {
	return errOpen311Missing
}

// open311Top answers discovery, services and requests.
func (s *Server) open311Top(w http.ResponseWriter, r *http.Request) error {
	name, f, ok := open311.Split(r.PathValue("file"))
	if !ok {
		return errOpen311Missing
	}
	ctx, words, q := r.Context(), s.words(r), r.URL.Query()
	switch name {
	case "discovery":
		return s.open311Write(w, r, f, http.StatusOK, s.open311Discovery(words))
	case "services":
		d, err := s.Open311.ServiceList(ctx, words, q.Get("jurisdiction_id"))
		if err != nil {
			return err
		}
		return s.open311Write(w, r, f, http.StatusOK, d)
	case "requests":
		query, fields := open311.ReadQuery(q, s.Now())
		if err := fields.Err(); err != nil {
			return err
		}
		d, err := s.Open311.Requests(ctx, words, query)
		if err != nil {
			return err
		}
		return s.open311Write(w, r, f, http.StatusOK, d)
	}
	return errOpen311Missing
}

// open311Changeset marks the last change of the service list or its
// definitions; it changes when this code does.
const open311Changeset = "2026-12-05 00:00"

func (s *Server) open311Discovery(words open311Words) open311.Discovery {
	return open311.Discovery{Changeset: open311Changeset, Contact: words.T("open311.contact"), KeyService: words.T("open311.key_service"),
		Endpoints: []open311.Endpoint{{Specification: "http://wiki.open311.org/GeoReport_v2", URL: s.publicURL(strings.TrimSuffix(open311Prefix, "/")),
			Changeset: open311Changeset, Type: "production", Formats: []string{"text/xml", "application/json"}}}}
}

func (s *Server) open311Definition(w http.ResponseWriter, r *http.Request) error {
	code, f, ok := open311.Split(r.PathValue("file"))
	if !ok {
		return errOpen311Missing
	}
	d, err := s.Open311.Definition(r.Context(), s.words(r), code, r.URL.Query().Get("jurisdiction_id"))
	if err != nil {
		return err
	}
	return s.open311Write(w, r, f, http.StatusOK, d)
}

func (s *Server) open311Request(w http.ResponseWriter, r *http.Request) error {
	no, f, ok := open311.Split(r.PathValue("file"))
	if !ok {
		return errOpen311Missing
	}
	d, err := s.Open311.Request(r.Context(), s.words(r), no, r.URL.Query().Get("jurisdiction_id"))
	if err != nil {
		return err
	}
	return s.open311Write(w, r, f, http.StatusOK, d)
}

// open311Token: requests are filed in real time and answer their id at
// once, so no token ever exists.
func (s *Server) open311Token(w http.ResponseWriter, r *http.Request) error {
	if _, _, ok := open311.Split(r.PathValue("file")); !ok {
		return errOpen311Missing
	}
	return apperr.New(apperr.NotFound, "open311.unknown_token")
}

// open311Post files a request (POST requests.{fmt}).
func (s *Server) open311Post(w http.ResponseWriter, r *http.Request) error {
	name, f, ok := open311.Split(r.PathValue("file"))
	if !ok || name != "requests" {
		return errOpen311Missing
	}
	ctx, now := r.Context(), s.Now()
	key := r.PostForm.Get("api_key")
	// The key is counted by its hash: the throttle's table never holds a
	// usable key, and a wrong key is counted like a right one.
	account, addr := "open311:"+auth.HashClientKey(key), "open311:"+clientAddress(r)
	th := s.Open311Throttle
	blocked, until, err := th.Blocked(ctx, account, addr, now)
	if err != nil {
		return err
	}
	if blocked {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(until.Sub(now).Seconds()))))
		return throttled(now, until, "open311.throttled")
	}
	if err := th.Fail(ctx, account, addr, now); err != nil {
		return err
	}
	c, err := s.Open311.Keys.Authenticate(ctx, key)
	if err != nil {
		return err
	}
	p, fields := open311.ReadPost(r.PostForm)
	if err := fields.Err(); err != nil {
		return err
	}
	d, err := s.Open311.File(ctx, s.words(r), c, p)
	if err != nil {
		return err
	}
	return s.open311Write(w, r, f, http.StatusOK, d)
}

// open311KeysView is the key page's data.
type open311KeysView struct {
	Key       string // the key just issued, shown once
	Clients   []open311.Client
	Counties  []org.Region // to choose from: a province-wide admin only
	Discovery string
}

func (s *Server) open311KeysView(r *http.Request, key string) (*open311KeysView, error) {
	a := actor(r)
	list, err := s.Open311.Keys.List(r.Context(), a)
	if err != nil {
		return nil, err
	}
	v := &open311KeysView{Key: key, Clients: list, Discovery: s.publicURL(open311Prefix + "discovery.xml")}
	if a.Province {
		if v.Counties, err = s.Org.Counties(r.Context()); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (s *Server) open311KeysPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "open311.keys_title")
	v, err := s.open311KeysView(r, "")
	if err != nil {
		return err
	}
	p.Data = v
	return s.render(w, r, "open311_keys", p)
}

// open311Issue issues a key for the admin's county (a province-wide admin
// names the county) and shows it once.
func (s *Server) open311Issue(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "open311.keys_title")
	a := actor(r)
	county := a.County()
	if a.Province {
		county = r.PostFormValue("county")
	}
	p.Form["name"], p.Form["county"] = r.PostFormValue("name"), county
	key, _, err := s.Open311.Keys.Issue(r.Context(), a, r.PostFormValue("name"), county)
	if err != nil {
		v, verr := s.open311KeysView(r, "")
		if verr != nil {
			return verr
		}
		p.Data = v
		return s.formFailed(w, r, "open311_keys", p, err)
	}
	v, err := s.open311KeysView(r, key)
	if err != nil {
		return err
	}
	p.Form["name"] = ""
	p.Data = v
	return s.render(w, r, "open311_keys", p)
}

func (s *Server) open311Revoke(w http.ResponseWriter, r *http.Request) error {
	id, err := parseID(r.PathValue("id"), "entity.open311_client")
	if err != nil {
		return err
	}
	if _, err := s.Open311.Keys.Revoke(r.Context(), actor(r), id); err != nil {
		return err
	}
	s.flash(r, "open311.revoked_flash")
	http.Redirect(w, r, "/admin/open311", http.StatusSeeOther)
	return nil
}
