package store

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared is a Querier that prepares each distinct query text once per
// pool and reuses the statement. The SQLite driver does not cache
// statements, and parsing the case engine's joins cost about a third of a
// transition (measured with BenchmarkTransitions -cpuprofile); pgx caches
// on its own, so on PostgreSQL this only saves a map lookup's worth.
//
// Only query texts written in code belong here, fixed or built with
// Where from fixed conditions: a text built from user input would fill the
// cache (it stops at maxStmts, past which statements are prepared per call).
type Prepared struct {
	pool  *sql.DB
	tx    *sql.Tx
	cache *stmtCache
	// replica answers reads for contexts marked FromReplica (replica.go).
	replica *Replica
}

type stmtCache struct {
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool
}

// maxStmts bounds the cache; past it, statements are prepared per call.
const maxStmts = 512

// get returns the cached statement for query, preparing it on first use;
// nil when the cache is full or preparing failed (the caller then runs the
// query unprepared, which reports any error in the usual way).
//
// Inside a transaction nothing is prepared on the pool: the transaction
// may hold the pool's only connection (the SQLite writer) or one of the
// last free ones (PostgreSQL under load), so asking the pool for another
// could wait forever. The query is noted instead and prepared by DB.Tx once
// the transaction has let go of its connection.
func (c *stmtCache) get(ctx context.Context, pool *sql.DB, query string, inTx bool) *sql.Stmt {
	c.mu.Lock()
	if st, ok := c.m[query]; ok {
		c.mu.Unlock()
		return st
	}
	if len(c.m)+len(c.pending) >= maxStmts {
		c.mu.Unlock()
		return nil
	}
	if inTx {
		if c.pending == nil {
			c.pending = map[string]bool{}
		}
		c.pending[query] = true
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	// Prepared without the lock: waiting for a connection while holding it
	// would stall every transaction that reaches get meanwhile, and they
	// hold the connections.
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[query]; ok {
		st.Close()
		return prev
	}
	c.put(query, st)
	return st
}

func (c *stmtCache) put(query string, st *sql.Stmt) {
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
}

// preparePending prepares the queries transactions noted. The lock is not
// held while preparing: another transaction may own the connection the
// pool needs, and it must be able to reach get meanwhile.
func (c *stmtCache) preparePending(ctx context.Context, pool *sql.DB) {
	c.mu.Lock()
	var todo []string
	for query := range c.pending {
		todo = append(todo, query)
	}
	c.pending = nil
	c.mu.Unlock()
	for _, query := range todo {
		st, err := pool.PrepareContext(ctx, query)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, ok := c.m[query]; ok {
			st.Close()
		} else {
			c.put(query, st)
		}
		c.mu.Unlock()
	}
}

// Read is the reader pool with cached statements.
func (db *DB) Read() Prepared {
	return Prepared{pool: db.R, cache: db.cacheFor(db.R), replica: db.replica}
}

// InTx is the transaction tx (begun on the writer pool) with the writer's
// cached statements; on the single SQLite writer connection each is
// prepared once for the life of the process.
func (db *DB) InTx(tx *sql.Tx) Prepared {
	return Prepared{pool: db.W, tx: tx, cache: db.cacheFor(db.W)}
}

func (db *DB) cacheFor(pool *sql.DB) *stmtCache {
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	if db.stmts == nil {
		db.stmts = map[*sql.DB]*stmtCache{}
	}
	c := db.stmts[pool]
	if c == nil {
		c = &stmtCache{}
		db.stmts[pool] = c
	}
	return c
}

func (db *DB) closeStmts() {
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	for _, c := range db.stmts {
		c.mu.Lock()
		for _, st := range c.m {
			st.Close()
		}
		c.m = nil
		c.mu.Unlock()
	}
}

// q is what a query runs on: the cached statement (bound to the
// transaction when there is one) or, failing that, the pool or tx itself.
func (p Prepared) q(ctx context.Context, query string) (*sql.Stmt, Querier) {
	var direct Querier = p.pool
	if p.tx != nil {
		direct = p.tx
	}
	st := p.cache.get(ctx, p.pool, query, p.tx != nil)
	if st == nil {
		return nil, direct
	}
	if p.tx != nil {
		// Closed with the transaction; reuses the connection's statement.
		st = p.tx.StmtContext(ctx, st)
	}
	return st, nil
}

func (p Prepared) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if rp, ok := p.onReplica(ctx); ok {
		if rows, err := rp.QueryContext(ctx, query, args...); p.replica.answered(ctx, err) {
			return rows, err
		}
	}
	if st, d := p.q(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	} else {
		return d.QueryContext(ctx, query, args...)
	}
}

func (p Prepared) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if rp, ok := p.onReplica(ctx); ok {
		if row := rp.QueryRowContext(ctx, query, args...); p.replica.answered(ctx, row.Err()) {
			return row
		}
	}
	if st, d := p.q(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	} else {
		return d.QueryRowContext(ctx, query, args...)
	}
}

// ExecContext never runs on the replica, whatever the context says: a
// standby refuses writes, and the primary is where they belong.
func (p Prepared) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st, d := p.q(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	} else {
		return d.ExecContext(ctx, query, args...)
	}
}
