package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"onestop/internal/store"
)

// replicaCollector reports the read replica (serve --db-read) at each
// scrape: whether marked reads go to it, its lag, and how many reads it
// answered and how many fell back to the primary. Nothing while no
// replica is open, so a server without one shows no replica series.
type replicaCollector struct {
	db                           *store.DB
	inUse, lag, reads, fallbacks *prometheus.Desc
}

func newReplicaCollector(db *store.DB) *replicaCollector {
	return &replicaCollector{db: db,
		inUse: prometheus.NewDesc("onestop_replica_in_use",
			"1 while read-only pages read from the replica, 0 while they fall back to the primary (down, lagging, not a standby).", []string{"reason"}, nil),
		lag: prometheus.NewDesc("onestop_replica_lag_seconds",
			"How far the replica was behind the primary at its last check (0: it had replayed all the primary's WAL).", nil, nil),
		reads: prometheus.NewDesc("onestop_replica_reads_total",
			"Reads of replica-routed pages the replica answered.", nil, nil),
		fallbacks: prometheus.NewDesc("onestop_replica_fallbacks_total",
			"Reads of replica-routed pages the primary answered instead (the replica out of use, or the read failed there).", nil, nil),
	}
}

func (c *replicaCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.inUse
	ch <- c.lag
	ch <- c.reads
	ch <- c.fallbacks
}

func (c *replicaCollector) Collect(ch chan<- prometheus.Metric) {
	rep := c.db.Replica()
	if rep == nil {
		return
	}
	st := rep.Status()
	in := 0.0
	if st.InUse {
		in = 1
	}
	ch <- prometheus.MustNewConstMetric(c.inUse, prometheus.GaugeValue, in, st.Reason)
	if st.Lag >= 0 {
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, st.Lag.Seconds())
	}
	reads, fallbacks := rep.Counts()
	ch <- prometheus.MustNewConstMetric(c.reads, prometheus.CounterValue, float64(reads))
	ch <- prometheus.MustNewConstMetric(c.fallbacks, prometheus.CounterValue, float64(fallbacks))
}
