package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// A read replica: a second PostgreSQL pool, to a streaming standby, that
// takes the reads of the pages that may show data a few seconds old
// (supervision, the public portal, the guide, bulletins). The choice is the
// caller's and explicit: a request context marked with FromReplica sends
// the reads made through db.Read() to the replica; every other read, every
// transaction (db.Tx, db.InTx) and every Exec stays on the primary, so a
// write can never reach the standby, and a page that shows what its user
// just changed never reads an older copy.
//
// The replica is used only while it is a standby (pg_is_in_recovery) that
// answers and has replayed the primary's WAL up to at most MaxLag ago;
// otherwise reads fall back to the primary, and Status says why (/healthz,
// /metrics). A read that fails on the replica is run again on the primary.
type Replica struct {
	pool     *sql.DB
	primary  *sql.DB
	cache    *stmtCache
	Location string
	// MaxLag is how far behind the primary the replica may be and still
	// serve reads.
	MaxLag time.Duration

	mu     sync.Mutex
	status ReplicaStatus

	reads     atomic.Int64 // reads the replica answered
	fallbacks atomic.Int64 // marked reads the primary answered instead
}

// ReplicaStatus is the replica's state at its last check.
type ReplicaStatus struct {
	// InUse: marked reads go to the replica.
	InUse bool
	// Reason says why not, as a word (it is shown on the public
	// /healthz): down, lagging, not_standby, lag_unknown,
	// primary_unknown. Empty while in use.
	Reason string
	// Detail says more, for the operator's log: the error, the lag.
	Detail string
	// Lag is how far behind the primary the replica was (0 when it had
	// replayed everything the primary had written); -1 when unknown.
	Lag       time.Duration
	CheckedAt time.Time
}

type replicaKey struct{}

// FromReplica marks ctx: reads made with it through db.Read() may be
// answered by the replica. Only for requests that show nothing their user
// has just written.
func FromReplica(ctx context.Context) context.Context {
	return context.WithValue(ctx, replicaKey{}, true)
}

// ReadsFromReplica reports whether ctx is marked with FromReplica.
func ReadsFromReplica(ctx context.Context) bool {
	v, _ := ctx.Value(replicaKey{}).(bool)
	return v
}

// DefaultReplicaMaxLag is how stale a replica-routed page may be: a few
// seconds, which a supervisor's monitor or a citizen reading the guide
// does not notice, but a replica stuck for longer is not used.
const DefaultReplicaMaxLag = 10 * time.Second

// OpenReplica opens the pool to the streaming replica at url and checks
// it once. The primary must be PostgreSQL (SQLite has no streaming
// replicas) and url a postgres:// URL. A replica that does not answer
// yet is not an error: reads stay on the primary until it does, and
// Status says so.
func (db *DB) OpenReplica(ctx context.Context, url string, maxLag time.Duration) (*Replica, error) {
	if db.Dialect != Postgres {
		return nil, fmt.Errorf("a read replica needs a PostgreSQL primary, and this database is %s (%s): SQLite has no streaming replicas; set --db postgres://… or leave --db-read empty", db.Dialect, db.Location)
	}
	if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		return nil, fmt.Errorf("the read replica's URL %q is not a PostgreSQL URL (postgres://…)", redact(url))
	}
	if db.replica != nil {
		return nil, errors.New("a read replica is already open")
	}
	if maxLag <= 0 {
		return nil, fmt.Errorf("the replica's lag limit must be positive, not %s", maxLag)
	}
	pool, err := postgresPool(url)
	if err != nil {
		return nil, fmt.Errorf("open the read replica: %w", err)
	}
	r := &Replica{pool: pool, primary: db.W, cache: &stmtCache{}, Location: redact(url), MaxLag: maxLag}
	db.replica = r
	r.Check(ctx)
	return r, nil
}

// Replica is the open read replica, or nil.
func (db *DB) Replica() *Replica { return db.replica }

// Pool is the replica's pool (for metrics and tests).
func (r *Replica) Pool() *sql.DB { return r.pool }

// Status is the replica's state at the last check.
func (r *Replica) Status() ReplicaStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// Counts are the marked reads the replica answered and those the primary
// answered instead, since the process started.
func (r *Replica) Counts() (reads, fallbacks int64) {
	return r.reads.Load(), r.fallbacks.Load()
}

// Run checks the replica every interval until ctx ends, logging each
// change between in use and fallen back (and of the reason).
func (r *Replica) Run(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	prev := r.Status()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			st := r.Check(ctx)
			if ctx.Err() != nil {
				return
			}
			if st.InUse != prev.InUse || st.Reason != prev.Reason {
				if st.InUse {
					log.Info("read replica in use again", "replica", r.Location, "lag", st.Lag)
				} else {
					log.Warn("read replica out of use: replica-routed reads go to the primary", "replica", r.Location,
						"reason", st.Reason, "detail", st.Detail)
				}
			}
			prev = st
		}
	}
}

// Check asks the primary how far its WAL goes, then the replica whether
// it is a standby and how far it has replayed, and decides whether the
// replica serves reads.
//
// The lag: when the replica has replayed the primary's WAL position read
// just before, it is current (0), even if the primary has been idle for
// an hour. The insert position, not the write position: with
// synchronous_commit off a committed transaction may not be written yet,
// and the replica must not count as current without it. Otherwise the lag
// is the age of the last transaction it replayed
// (pg_last_xact_replay_timestamp), an upper bound of how old its data is.
func (r *Replica) Check(ctx context.Context) ReplicaStatus {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st := ReplicaStatus{Lag: -1, CheckedAt: time.Now()}
	var primaryLSN string
	if err := r.primary.QueryRowContext(cctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&primaryLSN); err != nil {
		// The primary's own trouble; the pages will report it. The
		// replica cannot be judged without it.
		st.Reason, st.Detail = "primary_unknown", "the primary's WAL position: "+err.Error()
		r.set(st)
		return st
	}
	var standby bool
	var caughtUp sql.NullBool
	var age sql.NullFloat64
	err := r.pool.QueryRowContext(cctx, `SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= $1::pg_lsn,
		EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8`, primaryLSN).Scan(&standby, &caughtUp, &age)
	switch {
	case err != nil:
		st.Reason, st.Detail = "down", err.Error()
	case !standby:
		// Promoted, or pointed at a primary by mistake: its data may have
		// parted from ours.
		st.Reason, st.Detail = "not_standby", "pg_is_in_recovery() is false: promoted, or not a standby"
	case caughtUp.Valid && caughtUp.Bool:
		st.Lag, st.InUse = 0, true
	case age.Valid:
		st.Lag = time.Duration(age.Float64 * float64(time.Second))
		st.InUse = st.Lag <= r.MaxLag
		if !st.InUse {
			st.Reason, st.Detail = "lagging", fmt.Sprintf("%s behind the primary (limit %s)", st.Lag.Round(time.Millisecond), r.MaxLag)
		}
	default:
		st.Reason, st.Detail = "lag_unknown", "behind the primary, and it has replayed no transaction since it started"
	}
	r.set(st)
	return st
}

func (r *Replica) set(st ReplicaStatus) {
	r.mu.Lock()
	r.status = st
	r.mu.Unlock()
}

// markDown takes the replica out of use until the next check finds it
// well again.
func (r *Replica) markDown(err error) {
	r.mu.Lock()
	r.status = ReplicaStatus{Reason: "down", Detail: err.Error(), Lag: -1, CheckedAt: time.Now()}
	r.mu.Unlock()
}

func (r *Replica) inUse() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status.InUse
}

// Close closes the replica's pool.
func (r *Replica) Close() error {
	r.cache.mu.Lock()
	for _, st := range r.cache.m {
		st.Close()
	}
	r.cache.m = nil
	r.cache.mu.Unlock()
	return r.pool.Close()
}

// onReplica is p on the replica, when p reads outside a transaction, ctx
// is marked and the replica is in use; otherwise ok is false and p's
// own pool answers. A read the primary answers for a marked context is
// counted as a fallback.
func (p Prepared) onReplica(ctx context.Context) (Prepared, bool) {
	r := p.replica
	if r == nil || p.tx != nil || !ReadsFromReplica(ctx) {
		return Prepared{}, false
	}
	if !r.inUse() {
		r.fallbacks.Add(1)
		return Prepared{}, false
	}
	return Prepared{pool: r.pool, cache: r.cache}, true
}

// answered reports whether the replica's answer stands: it does unless
// the read failed for a reason other than its own context ending. A
// failed read is run again on the primary (reads are safe to repeat), and
// when the failure is the connection's, the replica is taken out of use.
func (r *Replica) answered(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		r.reads.Add(1)
		return true
	}
	r.fallbacks.Add(1)
	if connectionLost(err) {
		r.markDown(err)
	}
	return false
}

// connectionLost recognises a replica that went away: no connection, a
// broken one, or the server shutting down or still starting (SQLSTATE
// classes 08 and 57P).
func connectionLost(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P")
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.Is(err, driver.ErrBadConn) || errors.As(err, &ne) || errors.As(err, &ce) ||
		pgconn.SafeToRetry(err)
}
