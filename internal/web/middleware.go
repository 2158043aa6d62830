package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"onestop/internal/org"
)

type ctxKey int

const reqKey ctxKey = 0

// maxBody bounds every request body; uploads (later) get their own limit.
const maxBody = 1 << 20

// request is what the middleware learns about a request and handlers use.
type request struct {
	ID      string
	Lang    string
	Address string     // the client's IP (see peerAddress)
	Route   string     // the pattern the mux chose ("" when none)
	Staff   *org.Staff // nil when nobody is signed in
	Actor   *org.Actor
}

func reqInfo(r *http.Request) *request {
	if v, ok := r.Context().Value(reqKey).(*request); ok {
		return v
	}
	return &request{Lang: defaultLang}
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests gives each request an id (shown on error pages so a clerk can
// quote it) and logs one line per request, with no personal data.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [6]byte
		_, _ = rand.Read(b[:])
		info := &request{ID: hex.EncodeToString(b[:]), Lang: s.i18n.pick(r), Address: s.peerAddress(r)}
		r = r.WithContext(context.WithValue(r.Context(), reqKey, info))
		sw := &statusWriter{ResponseWriter: w}
		start := time.Now()
		next.ServeHTTP(sw, r)
		took := time.Since(start)
		s.Log.Info("request", "id", info.ID, "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"bytes", sw.bytes, "ms", took.Milliseconds())
		route, status := info.Route, sw.status
		if route == "" {
			route = "unmatched"
		}
		if status == 0 {
			status = http.StatusOK
		}
		s.Metrics.Request(route, status, took)
	})
}

// recoverPanics turns a panic into a logged 500 with the request id; the
// server keeps running.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.Log.Error("panic", "id", reqInfo(r).ID, "panic", p, "stack", string(debug.Stack()))
				s.fail(w, r, errPanic)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		// Served over TLS, browsers are told to come back only over TLS
		// for a year, so a network attacker cannot downgrade a later visit
		// (RFC 6797). No includeSubDomains: other hosts of a government
		// domain may still be plain HTTP.
		if s.Config.HSTS && r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// maxImport bounds the one upload so far, the catalogue workbook
// (POST /admin/items/import): a county's whole catalogue with its
// materials runs to a few MiB.
const maxImport = 10 << 20

func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(maxBody)
		if r.Method == http.MethodPost && r.URL.Path == "/admin/items/import" {
			limit = maxImport // the only exception: everything else stays at maxBody
		}
		// Second exception: the routes that take uploaded materials (scans
		// and photos; caseUpload in case_files.go lists them) accept up to
		// 20 MiB; the files store still bounds each file on its own.
		if r.Method == http.MethodPost && caseUpload(r.URL.Path) {
			limit = maxCaseUpload
		}
		if r.ContentLength > limit {
			// The session is not loaded yet at this point, so no page can
			// be rendered (s.page would panic): pages get a plain message.
			if isAPI(r) || isOpen311(r) {
				s.fail(w, r, errTooLarge)
			} else {
				http.Error(w, s.i18n.Msg(reqInfo(r).Lang, errTooLarge.Msg), http.StatusRequestEntityTooLarge)
			}
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// clientAddress is the client's IP as the middleware worked it out.
func clientAddress(r *http.Request) string { return reqInfo(r).Address }

// peerAddress is the client's IP: the TCP peer, or — when the peer is one of
// the configured trusted reverse proxies — the nearest address in
// X-Forwarded-For that is not a trusted proxy. Without configuration the
// header is ignored, since any client can write it; with a proxy in front
// and no configuration every client would share the proxy's address (in the
// audit log and in the per-address login throttle).
func (s *Server) peerAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !s.trusted(host) {
		return host
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if net.ParseIP(h) == nil {
			break
		}
		if !s.trusted(h) {
			return h
		}
		host = h
	}
	return host
}

func (s *Server) trusted(ip string) bool {
	addr := net.ParseIP(ip)
	if addr == nil {
		return false
	}
	for _, n := range s.Config.TrustedProxies {
		if n.Contains(addr) {
			return true
		}
	}
	return false
}
