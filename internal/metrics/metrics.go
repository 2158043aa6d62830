// Package metrics keeps the counters an operator scrapes at /metrics, in
// the Prometheus text format: requests by route, case transitions,
// sweeps, the database pools and the Go runtime.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"onestop/internal/cases"
	"onestop/internal/store"
)

// Metrics is one process's registry. Build it with New; it implements
// cases.Observer.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	transitions *prometheus.CounterVec
	sweeps      *prometheus.CounterVec
	deemed      *prometheus.CounterVec
}

// New registers the metrics, with the pool statistics of db's reader and
// writer.
func New(db *store.DB) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onestop_http_requests_total",
		Help: "HTTP requests answered, by route pattern and status code."}, []string{"route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "onestop_http_request_duration_seconds",
		Help: "Time to answer an HTTP request, by route pattern.", Buckets: prometheus.DefBuckets}, []string{"route"})
	m.transitions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onestop_case_transitions_total",
		Help: "Case actions committed by this process, by action."}, []string{"action"})
	m.sweeps = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onestop_sweep_runs_total",
		Help: "Runs of the deemed-acceptance/approval sweep, by result (ok, error)."}, []string{"result"})
	m.deemed = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onestop_sweep_deemed_total",
		Help: "Cases the sweep deemed accepted (Administrative Licensing Law Art. 32) or approved (超时默认, where the item allows it: local policy, docs/DOMAIN.md), by kind."}, []string{"kind"})
	// Zero values are shown from the start, so an alert on "no sweep"
	// has a series to watch.
	for _, r := range []string{"ok", "error"} {
		m.sweeps.WithLabelValues(r)
	}
	for _, k := range []string{"accepted", "approved"} {
		m.deemed.WithLabelValues(k)
	}
	m.reg.MustRegister(m.requests, m.latency, m.transitions, m.sweeps, m.deemed,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if db != nil {
		m.reg.MustRegister(
			prometheus.WrapCollectorWith(prometheus.Labels{"pool": "reader"}, collectors.NewDBStatsCollector(db.R, "onestop")),
			prometheus.WrapCollectorWith(prometheus.Labels{"pool": "writer"}, collectors.NewDBStatsCollector(db.W, "onestop")),
			newReplicaCollector(db))
		// The replica's pool, when serve opened one before the services
		// (cmd/onestop/serve.go).
		if rep := db.Replica(); rep != nil {
			m.reg.MustRegister(prometheus.WrapCollectorWith(prometheus.Labels{"pool": "replica"}, collectors.NewDBStatsCollector(rep.Pool(), "onestop")))
		}
	}
	return m
}

// Request counts one answered request. route is the pattern it matched
// ("GET /cases/{no}"), never the raw path: one series per route, not one
// per case number.
func (m *Metrics) Request(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// Transition implements cases.Observer.
func (m *Metrics) Transition(action string) { m.transitions.WithLabelValues(action).Inc() }

// Swept implements cases.Observer.
func (m *Metrics) Swept(r cases.SweepResult, err error) {
	if err != nil {
		m.sweeps.WithLabelValues("error").Inc()
	} else {
		m.sweeps.WithLabelValues("ok").Inc()
	}
	m.deemed.WithLabelValues("accepted").Add(float64(r.DeemedAccepted))
	m.deemed.WithLabelValues("approved").Add(float64(r.DeemedApproved))
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
