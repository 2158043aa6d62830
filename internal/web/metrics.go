package web

import (
	"net"
	"net/http"
)

// DefaultMetricsFrom is who may read /metrics unless the operator says
// otherwise: this machine only. The counters name no person, but they
// show the load and the routes in use, which is the operator's business,
// not every kiosk's and staff PC's on the county LAN; the operator adds
// the Prometheus host (--metrics-from).
const DefaultMetricsFrom = "127.0.0.0/8,::1/128"

// metrics serves the Prometheus registry to the addresses in
// Config.MetricsFrom; everyone else gets the answer of an unknown path, so
// the endpoint's existence is not advertised. The address is the client's as
// peerAddress works it out, so a reverse proxy in front must be listed in
// --trusted-proxies or every request would look like the proxy's.
func (s *Server) metrics() http.Handler {
	h := s.Metrics.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := net.ParseIP(clientAddress(r))
		for _, n := range s.Config.MetricsFrom {
			if ip != nil && n.Contains(ip) {
				h.ServeHTTP(w, r)
				return
			}
		}
		http.NotFound(w, r) // what any unknown path answers

	})
}

// routed runs the mux and notes the pattern it chose: the metrics count
// requests by route, never by raw path (one series per case number would
// grow without bound).
func (s *Server) routed(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
	// The mux records the pattern on the request it was given.
	reqInfo(r).Route = r.Pattern
}
