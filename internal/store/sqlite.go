package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	// The only import of the SQLite driver, so it can be swapped in one place.
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqlitePragmas: WAL for concurrent readers, synchronous=FULL because an
// acknowledged approval must survive a power cut, foreign keys on, and a busy
// timeout so a second process waits instead of failing.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_time_format=sqlite"

func openSQLite(ctx context.Context, path string) (*DB, error) {
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + sqlitePragmas
	// Writes take the lock at BEGIN (immediate) so two writers never deadlock
	// on a read-to-write upgrade.
	w, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &DB{W: w, R: r, Dialect: SQLite, Location: path}, nil
}

// sqliteUnique recognises the extended result codes of a unique or
// primary-key violation and reads the key's columns from the message
// SQLite writes for them: "UNIQUE constraint failed: t.a, t.b". A key on
// an expression is named as "index 'name'" instead, and gives no columns.
func sqliteUnique(err error) ([]string, bool) {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return nil, false
	}
	if c := se.Code(); c != sqlite3.SQLITE_CONSTRAINT_UNIQUE && c != sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
		return nil, false
	}
	// The driver prefixes its own "constraint failed: " and appends the code.
	msg := se.Error()
	i := strings.LastIndex(msg, "constraint failed: ")
	if i < 0 {
		return nil, true
	}
	list, _, _ := strings.Cut(msg[i+len("constraint failed: "):], " (")
	var cols []string
	for _, tc := range strings.Split(list, ", ") {
		_, col, ok := strings.Cut(tc, ".")
		if !ok {
			return nil, true
		}
		cols = append(cols, col)
	}
	return cols, true
}
