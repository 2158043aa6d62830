// Package store opens the database (embedded SQLite or PostgreSQL), applies
// the embedded migrations and offers the helpers every domain package uses
// to reach it. Queries themselves live with the domain packages.
//
// There is one way to read and one way to write:
//
//   - Read with db.Read(): the reader pool, each query text prepared once.
//     On SQLite the readers run beside the writer (WAL) and cannot write
//     (query_only), so a read never waits for, or turns into, a write.
//   - Write with db.Tx(ctx, fn): one transaction on the writer, committed
//     when fn returns nil and rolled back otherwise. Inside fn, db.InTx(tx)
//     is the same transaction with cached statements, for hot paths. A lone
//     statement goes through Tx too, as db.Exec: on SQLite it costs nothing
//     more (one commit either way), and several statements in one Tx are
//     one commit.
//     A read that must see the transaction's own writes uses tx.
//
// Helpers that work both inside and outside a transaction take a Querier.
// The pools db.W and db.R themselves are for this package, migrations,
// backup and restore (VACUUM INTO, a dedicated connection), maintenance
// (ANALYZE) and tests.
//
// Both engines share the SQL text: placeholders are $1, $2 … (Where numbers
// them for optional filters), LIKE patterns are escaped with EscapeLike and
// written with ESCAPE '\', a duplicate is recognised with IsUnique, and a
// zero id is stored as NULL with NullID.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB holds a writer and a reader pool. On SQLite the writer is a single
// connection (SQLite allows one writer; queueing in Go is cheaper than
// SQLITE_BUSY retries) and readers run concurrently thanks to WAL. On
// PostgreSQL both are the same pool.
type DB struct {
	W       *sql.DB
	R       *sql.DB
	Dialect Dialect
	// Location describes where the data lives, for humans (file path or
	// URL without password).
	Location string

	stmtMu sync.Mutex
	stmts  map[*sql.DB]*stmtCache
	// replica, when open, answers marked reads (replica.go).
	replica *Replica
}

// Open opens the database: url empty → SQLite file onestop.db in dataDir;
// url starting with postgres:// or postgresql:// → PostgreSQL.
func Open(ctx context.Context, dataDir, url string) (*DB, error) {
	if url == "" || strings.HasPrefix(url, "sqlite:") || strings.HasPrefix(url, "file:") {
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "file:")
		if path == "" {
			if dataDir == "" {
				return nil, errors.New("no data directory given: pass --data DIR or set ONESTOP_DATA")
			}
			if err := os.MkdirAll(dataDir, 0o750); err != nil {
				return nil, fmt.Errorf("create data directory %s: %w", dataDir, err)
			}
			path = filepath.Join(dataDir, "onestop.db")
		}
		return openSQLite(ctx, path)
	}
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return openPostgres(ctx, url)
	}
	return nil, fmt.Errorf("unsupported database URL %q: use postgres://… or leave it empty for SQLite", redact(url))
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	db, err := postgresPool(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres %s: %w", redact(url), err)
	}
	return &DB{W: db, R: db, Dialect: Postgres, Location: redact(url)}, nil
}

// redact hides the password in a database URL.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 {
		return url
	}
	userinfo := url[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		return url[:scheme+3] + userinfo[:i] + ":***" + url[at:]
	}
	return url
}

// Close closes both pools.
func (db *DB) Close() error {
	db.closeStmts()
	if db.replica != nil {
		db.replica.Close()
	}
	err := db.W.Close()
	if db.R != db.W {
		if e := db.R.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Ping checks the database answers (used by /healthz).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.R.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Tx runs fn in one write transaction and commits it, or rolls back when fn
// returns an error or panics.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	db.cacheFor(db.W).preparePending(ctx, db.W)
	return nil
}

// Exec is Tx for a lone statement, with its result.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (res sql.Result, err error) {
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// Querier is what both *sql.DB and *sql.Tx offer; read helpers take it so
// they work inside and outside a transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Column reads a one-column result into a slice and closes the rows:
// store.Column[string](q.QueryContext(ctx, `SELECT no FROM …`)).
func Column[T any](rows *sql.Rows, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// IDList is an IN list of placeholders ($first, $first+1, …) for ids, with
// their arguments. It is padded with id 0, which no row has, to the next
// of a few sizes, so a query that fetches one page by ids has a handful of
// statement texts (and prepared statements), not one per page length.
func IDList(ids []int64, first int) (string, []any) {
	size := len(ids)
	for _, b := range []int{10, 50, 100, 200, 500, 1000} {
		if b >= size {
			size = b
			break
		}
	}
	marks := make([]string, size)
	args := make([]any, size)
	for i := range marks {
		marks[i] = "$" + strconv.Itoa(first+i)
		args[i] = int64(0)
		if i < len(ids) {
			args[i] = ids[i]
		}
	}
	return strings.Join(marks, ","), args
}
