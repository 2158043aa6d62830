package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"onestop/internal/cases"
	"onestop/internal/checkpoint"
	"onestop/internal/clock"
	"onestop/internal/demo"
	"onestop/internal/store"
	"onestop/internal/web"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer, withDemo bool) error {
	name, help := "serve", "onestop serve — start the OneStop server"
	if withDemo {
		name, help = "demo", "onestop demo — start with the demo county (loaded on first start; same seed, same data)"
	}
	fs := newFlagSet(name, help, stderr)
	var c common
	c.register(fs)
	tlsCert := fs.String("tls-cert", "", "TLS certificate file (serve HTTPS)")
	tlsKey := fs.String("tls-key", "", "TLS key file")
	proxies := fs.String("trusted-proxies", "", "reverse proxies whose X-Forwarded-For is trusted: comma-separated IPs or CIDRs, e.g. 127.0.0.1,10.1.0.0/16")
	secure := fs.String("secure-cookies", "auto", "mark cookies Secure: auto (TLS or loopback address), true, false")
	publicURL := fs.String("public-url", "", "address citizens reach this site at, put in QR codes and printed links, e.g. https://zwfw.example.gov.cn (default: from --addr, with a warning)")
	metricsFrom := fs.String("metrics-from", web.DefaultMetricsFrom, "who may read GET /metrics (Prometheus): comma-separated IPs or CIDRs; none: nobody")
	seed := fs.Int64("seed", 431022, "demo only: seed of the generated demo county")
	perDay := fs.Int("demo-cases", 100, "demo only: cases per working day generated in the background for the past year (0: none)")
	// The yellow light is a local convention (docs/DOMAIN.md §6: "e.g. 1 working
	// day before"), so each county sets its own; every process sharing a
	// database should get the same value (the environment variable does).
	yellow := fs.String("yellow-days", strconv.Itoa(clock.DefaultLightRule.YellowDaysLeft),
		"light rule: a case turns yellow when this many working days or fewer are left (0: only on the deadline day)")
	ckKey := keyFlag(fs)
	dbRead := fs.String("db-read", "", "a read replica: a PostgreSQL streaming standby's URL (postgres://…); read-only pages — supervision, the portal, the guide and its search, bulletins — read from it, everything else from --db, which must be PostgreSQL (empty: all from --db)")
	readLag := fs.Duration("db-read-max-lag", store.DefaultReplicaMaxLag, "with --db-read: how far the replica may lag behind the primary and still serve reads; past it, and while it is down, reads go to the primary")
	gateways := registerGateways(fs)
	// The footer fields every government site carries (docs/DESIGN.md §5a);
	// an empty one is not shown, and the demo leaves them all empty.
	var site web.Config
	fs.StringVar(&site.Organiser, "site-organiser", "", "footer: the site's organiser (主办单位), e.g. 某某县人民政府办公室 (empty: not shown)")
	fs.StringVar(&site.SiteCode, "site-code", "", "footer: the government website identification code (网站标识码) (empty: not shown)")
	fs.StringVar(&site.ICP, "site-icp", "", "footer: the ICP filing number (ICP备案号), linked to beian.miit.gov.cn (empty: not shown)")
	fs.StringVar(&site.PublicSecurityFiling, "site-police-filing", "", "footer: the public-security filing (公安备案号), e.g. 湘公网安备 43102202000123号, linked to beian.mps.gov.cn (empty: not shown)")
	fs.StringVar(&site.Contact, "site-contact", "", "footer: a contact line (联系我们): a phone, an address or a mail (empty: not shown)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	light, err := parseYellowDays(*yellow)
	if err != nil {
		return err
	}
	log := c.logger(stderr)
	// Over TLS, browsers are told to stay on TLS (HSTS).
	cfg := web.Config{Version: version, DataDir: c.data, HSTS: *tlsCert != "",
		Organiser: site.Organiser, SiteCode: site.SiteCode, ICP: site.ICP, PublicSecurityFiling: site.PublicSecurityFiling, Contact: site.Contact}
	if withDemo {
		// The demo's citizens read their one-time codes on this console.
		cfg.SMSConsole = stdout
	}
	if err := gateways.apply(&cfg); err != nil {
		return err
	}
	if cfg.PublicURL, err = publicAddress(*publicURL, *tlsCert != "", c.addr, log); err != nil {
		return err
	}
	db, err := openMigrated(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := openReplica(ctx, db, *dbRead, *readLag, log)
	if err != nil {
		return err
	}
	// The shipped holiday years (docs/DOMAIN.md §4) go in once; the admin keeps
	// them from then on.
	if err := cases.EnsureCalendar(ctx, db, time.Now()); err != nil {
		return fmt.Errorf("holiday calendar: %w", err)
	}
	// The key that signs the daily checkpoints: made on first start, then
	// kept (every process sharing the database must use the same file).
	if cfg.CheckpointKey, err = checkpoint.LoadOrCreateKey(keyPath(c.data, *ckKey)); err != nil {
		return err
	}
	cfg.Light = &light
	cfg.SecureCookies = secureCookies(*secure, *tlsCert != "", c.addr, log)
	if cfg.TrustedProxies, err = parseCIDRs("--trusted-proxies", *proxies); err != nil {
		return err
	}
	if !strings.EqualFold(strings.TrimSpace(*metricsFrom), "none") {
		if cfg.MetricsFrom, err = parseCIDRs("--metrics-from", *metricsFrom); err != nil {
			return err
		}
	}
	// The services are built here, once: the server and the background
	// sweeps below share them.
	svc, err := web.NewServices(db, log, cfg)
	if err != nil {
		return err
	}
	cps := svc.Checkpoints
	if err := cps.RegisterKey(ctx); err != nil {
		return err
	}
	var logins []demo.Login
	if withDemo {
		start := time.Now()
		logins, err = demo.Ensure(ctx, db, *seed)
		if err != nil {
			return fmt.Errorf("load demo county: %w", err)
		}
		if err := demo.EnsureEnquiries(ctx, db, time.Now(), svc.Claims.Text); err != nil {
			return fmt.Errorf("demo enquiries: %w", err)
		}
		if err := demo.EnsureOpen311(ctx, db, time.Now(), svc.Open311Words("")); err != nil {
			return fmt.Errorf("demo open311: %w", err)
		}
		if err := demo.EnsureNotifications(ctx, db, time.Now()); err != nil {
			return fmt.Errorf("demo notifications: %w", err)
		}
		if err := demo.EnsureQueue(ctx, db, time.Now()); err != nil {
			return fmt.Errorf("demo queue tickets: %w", err)
		}
		if err := demo.EnsureDisclosureRequests(ctx, db, time.Now()); err != nil {
			return fmt.Errorf("demo disclosure requests: %w", err)
		}
		log.Info("demo county ready", "seconds", time.Since(start).Seconds())
	}
	srv, err := web.New(svc, cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.addr, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	// Shutdown waits for requests to finish, and a live monitor's stream
	// never does by itself: closing the hub ends every stream at once.
	hs.RegisterOnShutdown(svc.Live.Close)
	hs.RegisterOnShutdown(svc.QueueHub.Close)
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	url := scheme + "://" + displayAddr(ln.Addr().String())
	fmt.Fprintf(stdout, "OneStop %s listening on %s (database: %s %s)\n", version, url, db.Dialect, db.Location)
	if rep != nil {
		fmt.Fprintf(stdout, "Read-only pages read from the replica %s (lag limit %s)\n", rep.Location, rep.MaxLag)
	}
	if withDemo {
		fmt.Fprintf(stdout, "\nDemo logins (password for all: %s):\n", demo.Password)
		for _, l := range logins {
			fmt.Fprintf(stdout, "  %-14s %-22s %s\n", l.Username, l.RoleLabel, l.Where)
		}
		fmt.Fprintf(stdout, "\nOpen %s/login in a browser. Stop with Ctrl-C.\n", url)
		fmt.Fprintf(stdout, "Citizens register at %s/register; their one-time codes are printed here (SMS →).\n", url)
	}
	hkCtx, hkStop := context.WithCancel(ctx)
	defer hkStop()
	go srv.Housekeeping(hkCtx)
	if rep != nil {
		go rep.Run(hkCtx, 2*time.Second, log)
	}
	// Deemed acceptance and deemed approval: a durable sweep over the case
	// rows, safe to run in every process (see internal/cases/sweep.go).
	go svc.Cases.Run(hkCtx, time.Minute, log)
	// Supervision's lights change with time, not with events: the anomaly
	// sweep raises yellow, red and past-statutory for open cases, safe in
	// every process too (one anomaly per fact, internal/anomaly/sweep.go).
	go svc.Anomalies.Run(hkCtx, time.Minute, log)
	// 容缺 cases whose owed materials missed their deadline end by the
	// same kind of sweep (internal/modes/sweep.go).
	go svc.Modes.Run(hkCtx, time.Minute, log)
	// The daily checkpoints, safe in every process too (one row per day,
	// ON CONFLICT DO NOTHING). The demo writes its year of history into
	// past days first, so its checkpoints start once that is done.
	if withDemo {
		// The year of demo cases runs through the engine in the background:
		// the screens are usable at once and fill up as it goes.
		go func() {
			until := time.Now()
			err := demo.GenerateCases(hkCtx, db, demo.CaseOptions{PerDay: *perDay, Days: 365, Until: until, Seed: *seed, Log: log})
			if err == nil && hkCtx.Err() == nil {
				// Ratings of the history's decided cases (好差评).
				err = demo.SeedRatings(hkCtx, db, *seed, until)
			}
			if err == nil && hkCtx.Err() == nil {
				// Payment notices, some paid, some due (打捆收费).
				err = demo.SeedPayments(hkCtx, db, until)
			}
			if err == nil && hkCtx.Err() == nil {
				// A month of the hall's attendance (考勤).
				err = demo.SeedAttendance(hkCtx, db, *seed, until)
			}
			if err == nil && hkCtx.Err() == nil {
				// Half-day leave and a window's terminal (issue 15 remainder).
				err = demo.SeedAttendanceMore(hkCtx, db, until)
			}
			if err == nil && hkCtx.Err() == nil {
				// The last finished quarter's check (季度检查) at the hall.
				err = demo.SeedAssessment(hkCtx, db, until)
			}
			if err == nil && hkCtx.Err() == nil {
				// Last year's annual disclosure reports (政府信息公开年报).
				err = demo.SeedDisclosureReports(hkCtx, db, until)
			}
			if err != nil && hkCtx.Err() == nil {
				log.Error("demo cases", "err", err)
				return
			}
			cps.Run(hkCtx, 10*time.Minute, log)
		}()
	} else {
		go cps.Run(hkCtx, 10*time.Minute, log)
	}
	errc := make(chan error, 1)
	go func() {
		if *tlsCert != "" {
			errc <- hs.ServeTLS(ln, *tlsCert, *tlsKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		log.Info("shutting down: finishing requests")
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			return err
		}
	}
	return nil
}

// secureCookies reads --secure-cookies, warning where the choice leaves
// session cookies readable on the network.
func secureCookies(flag string, tls bool, addr string, log *slog.Logger) bool {
	switch strings.ToLower(flag) {
	case "true", "1", "yes":
		return true
	case "false", "0", "no":
		if tls {
			log.Warn("--secure-cookies false while serving TLS: a browser will also send the session cookie over plain HTTP, where it can be read on the network; leave it at auto")
		}
		return false
	}
	if tls || isLoopback(addr) {
		return true
	}
	log.Warn("serving plain HTTP on a non-loopback address: cookies are not marked Secure; use --tls-cert/--tls-key or a TLS reverse proxy in production")
	return false
}

// publicAddress is --public-url checked, or when it is not set an address
// made from the listen address, with a warning: printed QR codes must lead
// somewhere a citizen's phone reaches, and the server cannot know where
// that is (the request's Host header is not to be trusted for it).
func publicAddress(flag string, tls bool, addr string, log *slog.Logger) (string, error) {
	if flag != "" {
		return web.ParsePublicURL(flag)
	}
	scheme := "http"
	if tls {
		scheme = "https"
	}
	if strings.HasPrefix(addr, ":") { // all interfaces, like 0.0.0.0
		addr = "0.0.0.0" + addr
	}
	u, err := web.ParsePublicURL(scheme + "://" + displayAddr(addr))
	if err != nil {
		return "", fmt.Errorf("--public-url is not set and none can be made from --addr %q: set --public-url", addr)
	}
	log.Warn("--public-url is not set: QR codes and printed links point to "+u+"; set --public-url (ONESTOP_PUBLIC_URL) to the address citizens reach", "public_url", u)
	return u, nil
}

// parseYellowDays reads --yellow-days: a whole number of working days, at
// most 20 (a promised limit is rarely longer, and a case yellow from
// acceptance would make the colour meaningless).
func parseYellowDays(v string) (clock.LightRule, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > 20 {
		return clock.LightRule{}, fmt.Errorf("--yellow-days: %q is not a number of working days from 0 to 20", v)
	}
	return clock.LightRule{YellowDaysLeft: n}, nil
}

// openMigrated opens the database the common flags name and brings its
// schema up to date.
func openMigrated(ctx context.Context, c common) (*store.DB, error) {
	db, err := store.Open(ctx, c.data, c.db)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// migrate applies migrations; a second process starting at the same moment
// may lose the race for the version table, so one retry follows.
func migrate(ctx context.Context, db *store.DB) error {
	err := db.Migrate(ctx)
	if err != nil {
		time.Sleep(500 * time.Millisecond)
		err = db.Migrate(ctx)
	}
	return err
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		if h, err := os.Hostname(); err == nil {
			host = h
		}
	}
	return net.JoinHostPort(host, port)
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "onestop migrate — apply the database migrations and exit", stderr)
	var c common
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := store.Open(ctx, c.data, c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := migrate(ctx, db); err != nil {
		return err
	}
	applied, total, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database %s %s: %d of %d migrations applied\n", db.Dialect, db.Location, applied, total)
	return nil
}

// parseCIDRs reads a comma-separated list of IPs and CIDR blocks.
func parseCIDRs(flag, list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			if ip := net.ParseIP(p); ip != nil && ip.To4() != nil {
				p += "/32"
			} else {
				p += "/128"
			}
		}
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not an IP address or CIDR block", flag, p)
		}
		out = append(out, n)
	}
	return out, nil
}
