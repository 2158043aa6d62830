// Package web is the HTTP face of OneStop: server-rendered pages for staff and
// the public, and the JSON API under /api/v1. Handlers parse and authorise;
// the rules live in the domain packages.
package web

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"onestop/internal/auth"
	"onestop/internal/checkpoint"
	"onestop/internal/clock"
	"onestop/internal/notify"
)

// Config is what the command line decides.
type Config struct {
	// SecureCookies marks cookies Secure: on when served over TLS or on a
	// loopback address (browsers treat localhost as secure, so a TLS
	// reverse proxy in front works too); off for plain HTTP on a LAN.
	SecureCookies bool
	// Version is shown in the footer and /healthz.
	Version string
	// TrustedProxies are reverse proxies whose X-Forwarded-For is believed.
	TrustedProxies []*net.IPNet
	// Footer fields that government sites carry (docs/ARCHITECTURE.md §5a).
	Organiser, SiteCode, ICP, PublicSecurityFiling string
	// Contact is the footer's contact line (an address, a phone, a mail).
	Contact string
	// DataDir is the data directory; uploaded files go under DataDir/files.
	DataDir string
	// PublicURL is the address citizens reach the site at (--public-url,
	// checked by ParsePublicURL), put in QR codes and printed links.
	PublicURL string
	// HSTS sends Strict-Transport-Security: on when serving TLS.
	HSTS bool
	// MetricsFrom may read /metrics (see DefaultMetricsFrom); empty:
	// nobody.
	MetricsFrom []*net.IPNet
	// Light is the county's light rule (--yellow-days); nil is
	// clock.DefaultLightRule.
	Light *clock.LightRule
	// CheckpointKey signs the daily checkpoints; nil for a server that
	// only shows them.
	CheckpointKey *checkpoint.Key
	// SMSConsole, when set, receives every text message whole instead of
	// the log's masked line: the demo's stand-in for a phone (`onestop
	// demo` sets it to its standard output). Never for a real installation.
	SMSConsole io.Writer
	// SMS and Mail are the gateways of the outbox (--sms-url, --smtp-host);
	// nil: the log (or SMSConsole).
	SMS, Mail notify.Sender
	// LiveTick is how often the live monitor recomputes its boards without
	// being told of a change (lights turn with the date; other processes
	// change cases this one does not hear of); 0 is 15 seconds.
	LiveTick time.Duration
}

// Server holds everything a request needs. Build it with New.
type Server struct {
	*Services
	Sessions *scs.SessionManager
	Config   Config

	// sessionStore keeps the sessions in the database (the session
	// manager's store, swept by Housekeeping).
	sessionStore auth.SessionStore

	pages  *pages
	i18n   *translator
	static *staticFiles
	mux    *http.ServeMux
	routes []route
	// portal caches the home page's browsing lists (portal.go).
	portal portalCache
}

// route is one registered path and who may reach it. The role × route test
// walks this list.
type route struct {
	Pattern string
	Allow   access
	// Replica: registered with handleReads, its reads may come from the
	// read replica (replica_routes.go).
	Replica bool
}

// New puts the services (built by NewServices) behind the routes; it fails
// only when the embedded templates are broken, which tests catch.
func New(svc *Services, cfg Config) (*Server, error) {
	if svc == nil || svc.i18n == nil {
		return nil, errors.New("web.New: the services must come from NewServices")
	}
	s := &Server{Services: svc, Config: cfg, i18n: svc.i18n}
	db := svc.DB
	s.Sessions = scs.New()
	// Signed out after 2 hours idle (kept by the store, see SessionStore)
	// and after 12 hours in any case.
	s.sessionStore = auth.SessionStore{DB: db, Idle: 2 * time.Hour, Touch: 5 * time.Minute, Now: func() time.Time { return s.Now() },
		Owner: s.sessionOwner}
	s.Sessions.Store = s.sessionStore
	s.Sessions.Lifetime = 12 * time.Hour
	s.Sessions.Cookie.Name = "onestop_session"
	s.Sessions.Cookie.HttpOnly = true
	s.Sessions.Cookie.SameSite = http.SameSiteLaxMode
	s.Sessions.Cookie.Secure = cfg.SecureCookies
	s.Sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.fail(w, r, err)
	}
	var err error
	if s.static, err = newStaticFiles(); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(s.static); err != nil {
		return nil, err
	}
	s.mux = http.NewServeMux()
	s.registerRoutes()
	return s, nil
}

// sessionOwner reads who is signed in on a session from its saved data, so
// a password change can end that account's sessions.
func (s *Server) sessionOwner(data []byte) auth.SessionOwner {
	_, values, err := s.Sessions.Codec.Decode(data)
	if err != nil {
		return auth.SessionOwner{}
	}
	staff, _ := values[sessStaff].(int64)
	applicant, _ := values[sessApplicant].(int64)
	return auth.SessionOwner{StaffID: staff, ApplicantID: applicant}
}

// Routes lists every registered route (for tests and documentation).
func (s *Server) Routes() []route { return s.routes }

// Handler is the whole application with its middleware.
func (s *Server) Handler() http.Handler {
	var h http.Handler = http.HandlerFunc(s.routed)
	h = s.Sessions.LoadAndSave(h)
	cop := http.NewCrossOriginProtection()
	h = cop.Handler(h)
	h = s.open311CrossOrigin(cop, h)
	h = s.limitBody(h)
	h = s.secureHeaders(h)
	h = s.logRequests(h)
	return s.recoverPanics(h)
}

// Housekeeping runs periodic clean-up until ctx ends, and delivers the
// text messages waiting in the outbox.
func (s *Server) Housekeeping(ctx context.Context) {
	go s.deliverSMS(ctx)
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if err := s.sessionStore.Sweep(ctx, s.Now()); err != nil && ctx.Err() == nil {
			s.Log.Warn("session sweep", "err", err)
		}
		if err := s.Claims.Sweep(ctx, s.Now()); err != nil && ctx.Err() == nil {
			s.Log.Warn("claims sweep", "err", err)
		}
		// Last month's leaders' window duty: D01 once the month is over
		// (idempotent, so every process may run it).
		if _, err := s.Duty.SweepDue(ctx); err != nil && ctx.Err() == nil {
			s.Log.Warn("duty sweep", "err", err)
		}
		// The organs' catalogues follow the service catalogue, case
		// publicity and bulletins (idempotent; disclosure_pub_sync.go).
		s.syncDisclosure(ctx)
		// Uploads never attached to a case go after files.Retention;
		// several processes doing this at once remove each file once.
		if n, err := s.FileOwners.Cleanup(ctx, s.Files, s.Now()); err != nil && ctx.Err() == nil {
			s.Log.Warn("files cleanup", "err", err)
		} else if n > 0 {
			s.Log.Info("files cleanup", "removed", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// deliverSMS sends the outbox every few seconds (a one-time code is
// useful for ten minutes) and looks for turned lights every minute.
func (s *Server) deliverSMS(ctx context.Context) {
	t := time.NewTicker(3 * time.Second)
	defer t.Stop()
	for i := 0; ; i++ {
		if _, err := s.Outbox.Deliver(ctx, 100); err != nil && ctx.Err() == nil {
			s.Log.Warn("outbox", "err", err)
		}
		if i%20 == 0 {
			if _, err := s.Lights.Sweep(ctx); err != nil && ctx.Err() == nil {
				s.Log.Warn("light notes", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }
